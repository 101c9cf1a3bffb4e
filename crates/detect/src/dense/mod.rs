//! Dense blocks: Fraudar on the account × target graph, M-Zoom / D-Cube on the engagement
//! tensor.
//!
//! A farm that sells likes has few accounts hitting many of the same targets, often from
//! few IPs and devices within a short time: a block far denser than organic engagement. Both
//! detectors peel greedily (remove the least-connected node or value, remember the densest
//! prefix) and report several blocks per run by removing each block before the next round.

pub mod fraudar;
mod heap;
pub mod mzoom;

pub use fraudar::{DenseBlock, FraudarConfig, FraudarReport, fraudar, fraudar_indexed};
pub use mzoom::{
    DensityMeasure, MZoomConfig, MZoomReport, PeelPolicy, TensorBlock, mzoom, mzoom_indexed,
};
