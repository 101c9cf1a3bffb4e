//! `lockstep-bench`: generates benchmark inputs and runs the macro benchmarks.
//!
//! ```text
//! lockstep-bench data --events 10000000 --format parquet --out bench-data
//! lockstep-bench ingest bench-data/events-10000000.parquet
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use lockstep_ingest::write::Format;
use lockstep_ingest::{IngestOptions, Inputs, RejectBudget};

/// Benchmark inputs and macro benchmarks for lockstep.
#[derive(Debug, Parser)]
#[command(name = "lockstep-bench")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write an N-event input file (cached: an existing file of that size is kept).
    Data {
        /// Number of events.
        #[arg(long)]
        events: u64,
        /// `jsonl`, `jsonl.gz`, `csv` or `parquet`.
        #[arg(long, default_value = "jsonl")]
        format: Format,
        /// Output directory.
        #[arg(long, default_value = "bench-data")]
        out: PathBuf,
    },
    /// Load files once and print events/s, bytes per event and peak memory as JSON.
    Ingest {
        /// Input files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Data {
            events,
            format,
            out,
        } => {
            let t = Instant::now();
            lockstep_bench::ensure(&out, events, format).map(|p| {
                println!("{} ({:.1} s)", p.display(), t.elapsed().as_secs_f64());
            })
        }
        Command::Ingest { files } => ingest(&files),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lockstep-bench: {e}");
            ExitCode::from(2)
        }
    }
}

fn ingest(files: &[PathBuf]) -> lockstep_ingest::Result<()> {
    let inputs = Inputs {
        events: files,
        accounts: None,
        devices: None,
    };
    let opts = IngestOptions {
        max_rejected: RejectBudget::Unlimited,
        ..IngestOptions::default()
    };
    let mut rejected = lockstep_ingest::NullRejectSink;
    let t = Instant::now();
    let loaded = lockstep_ingest::load(&inputs, &opts, &mut rejected)?;
    let secs = t.elapsed().as_secs_f64();
    let n = loaded.log.len() as f64;
    let mem = loaded.log.memory_use();
    let out = serde_json::json!({
        "files": files,
        "events": loaded.log.len(),
        "rejected": loaded.stats.rejected,
        "seconds": secs,
        "events_per_second": n / secs,
        "input_bytes": loaded.stats.input_bytes,
        "log_bytes_without_text": mem.without_text(),
        "bytes_per_event_without_text": mem.without_text() as f64 / n.max(1.0),
        "text_bytes": mem.text_bytes,
        "peak_rss_bytes": peak_rss(),
    });
    println!("{}", serde_json::to_string_pretty(&out).expect("json"));
    Ok(())
}

fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace()
        .nth(1)?
        .parse::<u64>()
        .ok()
        .map(|kb| kb * 1024)
}
