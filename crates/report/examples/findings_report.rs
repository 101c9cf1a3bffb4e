//! Writes `report.html` into an existing findings directory, for event files given on the
//! command line: re-renders a scan's report without scanning again.
//!
//! Run with `cargo run --release -p lockstep-report --example findings_report -- FINDINGS
//! EVENTS... [--devices FILE]`.

use std::path::PathBuf;
use std::time::Instant;

use lockstep_ingest::{IngestOptions, Inputs, VecRejectSink, load};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(findings) = args.next().map(PathBuf::from) else {
        eprintln!("usage: findings_report FINDINGS_DIR EVENTS... [--devices FILE]");
        std::process::exit(2);
    };
    // # Step 1: the event files and the optional devices file.
    let mut events: Vec<PathBuf> = Vec::new();
    let mut devices: Option<PathBuf> = None;
    while let Some(a) = args.next() {
        if a == "--devices" {
            devices = args.next().map(PathBuf::from);
        } else {
            events.push(a.into());
        }
    }
    let t = Instant::now();
    let inputs = Inputs {
        events: &events,
        accounts: None,
        devices: devices.as_deref(),
    };
    let mut rejected = VecRejectSink::new();
    let log = load(&inputs, &IngestOptions::default(), &mut rejected)
        .expect("load")
        .log;
    eprintln!("loaded {} events in {:.2?}", log.len(), t.elapsed());

    // # Step 2: the report.
    let t = Instant::now();
    let path = lockstep_report::write_report(&log, &findings).expect("write report");
    eprintln!("wrote {} in {:.2?}", path.display(), t.elapsed());
}
