//! Dense blocks.
