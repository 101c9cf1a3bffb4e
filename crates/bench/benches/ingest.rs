//! Ingest throughput: JSON Lines and Parquet at 1M and 10M events.
//!
//! Inputs are generated once into `target/bench-data/` (see `lockstep_bench::ensure`).
//! Run with `cargo bench -p lockstep-bench --bench ingest`.

use std::path::PathBuf;

use lockstep_ingest::write::Format;
use lockstep_ingest::{IngestOptions, Inputs, RejectBudget};

fn main() {
    divan::main();
}

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data")
}

fn load(n: u64, format: Format) -> usize {
    let path = lockstep_bench::ensure(&data_dir(), n, format).expect("bench input");
    let files = [path];
    let inputs = Inputs {
        events: &files,
        accounts: None,
        devices: None,
    };
    let opts = IngestOptions {
        max_rejected: RejectBudget::Unlimited,
        ..IngestOptions::default()
    };
    let mut rejected = lockstep_ingest::NullRejectSink;
    let loaded = lockstep_ingest::load(&inputs, &opts, &mut rejected).expect("load");
    loaded.log.len()
}

const SIZES: [u64; 2] = [1_000_000, 10_000_000];

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn jsonl(bencher: divan::Bencher, n: u64) {
    lockstep_bench::ensure(&data_dir(), n, Format::Jsonl).expect("bench input");
    bencher
        .counter(divan::counter::ItemsCount::new(n))
        .bench(|| load(n, Format::Jsonl));
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn parquet(bencher: divan::Bencher, n: u64) {
    lockstep_bench::ensure(&data_dir(), n, Format::Parquet).expect("bench input");
    bencher
        .counter(divan::counter::ItemsCount::new(n))
        .bench(|| load(n, Format::Parquet));
}
