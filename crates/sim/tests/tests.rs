//! Integration tests of `lockstep-sim`: one binary, one module per topic.

// Tests start from the default config and change a few knobs; that reads best as assignments.
#![allow(clippy::field_reassign_with_default)]

// A shared small world and its events, collected once.
mod common;
// Byte-identical output: golden hashes, repeat runs, thread counts, split files.
mod golden;
// The organic world: heavy tails, rhythms, devices, networks and the hard negatives.
mod organic;
// Each planted operation has its shape, and the truth files agree with the events.
mod operations;
// Vendors that vary: `Config::vary` draws valid, reproducible worlds.
mod vary;
// User mistakes are clear errors; written files read back through `lockstep-ingest`.
mod errors;
