//! Integration tests of the `lockstep` binary.

// Running the binary in a directory; a small simulated world, scanned.
mod support;

// `enforce plan/apply/undo/deliver`, `appeal`, `audit`: end to end, the webhook sink, two
// appliers at once, and the kill -9 crash-safety test.
mod enforce;

// `simulate`, `inspect` and `eval` end to end: the truth scores perfectly, nothing scores zero,
// same seed gives the same bytes, user mistakes are one line and exit 2, the reject budget,
// `--help`.
mod sim_eval;

// `scan` on the example input: every CONTRACT §2 file with its header, the example's farm
// found and nobody else, rejected lines, a bad policy file, bad and empty inputs.
mod scan;

// `explain` on a small simulated world: reasons, signals and events behind a verdict.
mod explain;

// Permanent bans: scan before a ban, apply enforcement, scan everything with `--bans`.
mod bans;

// `evidence` and `evidence verify`: a bundle written and verified, every change named, user
// mistakes, the audit log entry.
mod evidence;

// `import` on small slices of the real labelled data sets (skipped when absent): every kind,
// `--evaluate`, `eval` on the truth it writes, user mistakes.
mod import;

// The review queue a scan writes: every `suspicious` account once, ranked, with the evidence
// behind it and what would settle it; `eval` scores its top against the truth.
mod review;
