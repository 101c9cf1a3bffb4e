//! Integration tests of `lockstep-detect`.

// Seeded worlds with planted operations, shared with the benches.
#[path = "../benches/common/factories.rs"]
mod factories;
// Optimised detectors against `lockstep_detect::reference` on seeded worlds and random logs.
mod oracle;
// The capture, address-range, device and trust detectors against their references.
mod oracle_capture;
mod oracle_devices;
mod oracle_ranges;
mod oracle_trust;
// Planted operations found, organic hard negatives left alone.
mod planted;
