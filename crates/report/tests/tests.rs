//! Integration tests of `lockstep-report`.
