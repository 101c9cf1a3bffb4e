//! Integration tests of `lockstep-detect`.

// Seeded worlds with planted operations, shared with the benches.
#[path = "../benches/common/factories.rs"]
mod factories;
// Optimised detectors against `lockstep_detect::reference` on seeded worlds and random logs.
mod oracle;
// Planted operations found, organic hard negatives left alone.
mod planted;
