//! Feeds arbitrary bytes to the event readers as JSON Lines, gzip JSON Lines and CSV, and to
//! the side-file readers, checking that nothing panics and that every line read is either an
//! event or a rejected line (or blank).
//!
//! Run with `cargo +nightly fuzz run events` from this directory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lockstep_ingest::{IngestOptions, Inputs, RejectBudget, VecRejectSink};

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("lockstep-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The first byte picks the format, the rest is the file.
    let (kind, body) = match data.split_first() {
        Some((k, rest)) => (*k % 4, rest),
        None => (0, data),
    };
    let name = ["e.jsonl", "e.csv", "e.jsonl.gz", "accounts.csv"][kind as usize];
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    let events = [path.clone()];
    let inputs = if kind == 3 {
        Inputs { events: &[], accounts: Some(&path), devices: None }
    } else {
        Inputs::events(&events)
    };
    let opts = IngestOptions {
        max_rejected: RejectBudget::Unlimited,
        max_line_bytes: 4096,
        ..IngestOptions::default()
    };
    let mut rejected = VecRejectSink::new();
    if let Ok(loaded) = lockstep_ingest::load(&inputs, &opts, &mut rejected) {
        let s = &loaded.stats;
        if kind != 3 {
            assert_eq!(
                s.lines,
                s.events + s.rejected + s.blank_lines,
                "lines read = events + rejected + blank"
            );
        }
        assert_eq!(s.rejected as usize, rejected.0.len());
    }
});
