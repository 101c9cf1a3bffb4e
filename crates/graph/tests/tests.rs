//! Integration tests of `lockstep-graph`.

// Index invariants on random logs, checked against a naive rebuild.
mod index;
