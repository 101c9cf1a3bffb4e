//! Integration tests of `lockstep-eval`: one binary, one module per concern.

// Fixture directories and the hand-computed example shared by the tests below.
mod util;

// Scoring the truth against itself: every metric perfect.
mod truth_itself;

// Missing or empty findings, missing or broken truth.
mod missing;

// The hand-computed example: exact numbers, unknown ids, malformed rows, duplicates.
mod hand;

// CSV dialect tolerance: BOM, CRLF, quoting, column order, JSON shapes.
mod dialect;

// The rendered table against the committed golden text.
mod golden;

// Random findings never panic and ratios stay in [0, 1].
mod props;
