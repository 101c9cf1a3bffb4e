//! Helpers shared by the integration tests.

use std::io::Write;
use std::path::{Path, PathBuf};

use lockstep_ingest::{
    IngestOptions, IngestStats, Inputs, Loaded, Reason, RejectBudget, Result, VecRejectSink, load,
};

/// Writes `bytes` to `dir/name`.
pub(crate) fn file(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Writes `bytes` gzip-compressed to `dir/name`.
pub(crate) fn gz_file(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    let f = std::fs::File::create(&p).unwrap();
    let mut w = flate2::write::GzEncoder::new(f, flate2::Compression::default());
    w.write_all(bytes.as_ref()).unwrap();
    w.finish().unwrap();
    p
}

/// Options with no reject budget.
pub(crate) fn unlimited() -> IngestOptions {
    IngestOptions {
        max_rejected: RejectBudget::Unlimited,
        ..Default::default()
    }
}

/// Loads event files with an unlimited budget.
pub(crate) fn load_events(paths: &[PathBuf]) -> (Loaded, VecRejectSink) {
    let (r, sink) = try_load(&Inputs::events(paths), &unlimited());
    (r.unwrap(), sink)
}

/// Loads, keeping the rejected lines.
pub(crate) fn try_load(
    inputs: &Inputs<'_>,
    opts: &IngestOptions,
) -> (Result<Loaded>, VecRejectSink) {
    let mut sink = VecRejectSink::new();
    let r = load(inputs, opts, &mut sink);
    (r, sink)
}

/// Every line read is kept, rejected or blank, per file and in total; the sink saw every
/// rejected line.
pub(crate) fn check_invariant(stats: &IngestStats, sink: &VecRejectSink) {
    for f in &stats.files {
        assert_eq!(
            f.lines,
            f.kept + f.rejected + f.blank_lines,
            "lines = kept + rejected + blank for {f:#?}"
        );
    }
    assert_eq!(
        stats.lines,
        stats.events + stats.accounts + stats.devices + stats.rejected + stats.blank_lines,
        "{stats:#?}"
    );
    assert_eq!(stats.rejected as usize, sink.0.len());
    let by_reason: u64 = stats.rejected_by_reason.values().sum();
    assert_eq!(by_reason, stats.rejected);
}

/// The (line, reason) of each rejected line.
pub(crate) fn reasons(sink: &VecRejectSink) -> Vec<(u64, Reason)> {
    sink.0.iter().map(|r| (r.line, r.reason)).collect()
}

/// A valid event line.
pub(crate) fn ev(id: &str, actor: &str) -> String {
    format!(
        r#"{{"id":"{id}","ts":"2026-03-01T12:00:00.123Z","actor":"{actor}","action":"like","target":"p456","owner":"u9","ip":"203.0.113.7","device":"d77","client":"android/412.0"}}"#
    )
}

/// A valid event line without an id.
pub(crate) fn ev_noid(actor: &str) -> String {
    format!(r#"{{"ts":1772366400123,"actor":"{actor}","action":"follow","target":"u2"}}"#)
}
