//! Evidence bundles of one operation, and their verification.
