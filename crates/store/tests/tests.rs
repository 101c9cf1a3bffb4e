//! Integration tests of `lockstep-store`, run on every backend.

// Shared helpers: open a fresh store per backend, the `for_each_backend!` macro.
#[macro_use]
mod common;
// Cases, verdicts, actions, delivery, undo, appeals and bans.
mod store;
// The audit chain: verification and tamper detection (edit, delete, reorder).
mod audit;
