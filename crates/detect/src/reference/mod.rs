//! Naive sequential versions of each detector: short, quadratic, obviously right. The tests
//! hold the optimised detectors to them on seeded random logs.
//!
//! They implement the same definitions (same buckets, thresholds and tie-breaks) with the
//! plainest data structures (ordered maps, linear scans, recomputation from scratch), so a
//! disagreement points at the optimisation, not at a difference in meaning.

pub mod bursts;
pub mod capture;
pub mod content;
pub mod devices;
pub mod fraudar;
pub mod harvest;
pub mod lockstep;
pub mod mzoom;
pub mod pools;
pub mod ranges;
pub mod rates;
pub mod trust;
