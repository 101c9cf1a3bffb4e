//! Integration tests of `lockstep-ingest`: every format, every kind of bad input, round trips.

// Shared helpers: temp files, loading, the lines invariant.
mod util;

// JSON Lines: bad lines of every kind, long lines, UTF-8, gzip damage.
mod jsonl;
// CSV: columns in any order, missing or extra cells, quoted newlines.
mod csv;
// Parquet: column types, nulls, dictionaries, schema errors.
mod parquet;
// Accounts and devices side files in every format.
mod side;
// Paths, extensions, names, progress and the reject budget.
mod run;
// Writer to reader round trips, and random lines, with proptest.
mod props;
