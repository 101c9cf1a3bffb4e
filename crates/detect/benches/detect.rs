//! Benchmarks of the detectors (filled in below).

fn main() {}
