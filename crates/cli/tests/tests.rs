//! Integration tests of the `lockstep` binary.

// `enforce plan/apply/undo/deliver`, `appeal`, `audit`: end to end, the webhook sink, two
// appliers at once, and the kill -9 crash-safety test.
mod enforce;
