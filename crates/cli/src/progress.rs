//! Progress bars on stderr, hidden when stderr is not a terminal.

use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lockstep_ingest::{FileKind, IngestOptions, Inputs, Loaded, RejectBudget, RejectSink};

/// A byte-count progress bar for reading `total` bytes of input; hidden unless stderr is a
/// terminal.
pub(crate) fn bytes_bar(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, {eta})",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

/// A spinner with a message and the elapsed time, for stages without a known size; hidden
/// unless stderr is a terminal.
pub(crate) fn spinner(msg: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("a valid template"),
    );
    bar.set_message(msg.to_string());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Loads `inputs` with a byte-count progress bar on stderr, rejected lines going to `sink`
/// (`rejected_hint` says where they are when too many stop the run). Warns on stderr when no
/// event was read: an empty file, or every line rejected.
///
/// # Errors
/// As `lockstep_ingest::load`.
pub(crate) fn load(
    inputs: &Inputs<'_>,
    max_rejected: RejectBudget,
    sink: &mut dyn RejectSink,
    rejected_hint: Option<String>,
) -> lockstep_ingest::Result<Loaded> {
    let total = lockstep_ingest::total_input_bytes(inputs)?;
    let bar = bytes_bar(total, "reading");
    let opts = IngestOptions {
        max_rejected,
        progress: Some({
            let bar = bar.clone();
            Arc::new(move |n| bar.set_position(n))
        }),
        rejected_hint,
        ..IngestOptions::default()
    };
    let loaded = lockstep_ingest::load(inputs, &opts, sink);
    bar.finish_and_clear();
    if let Ok(l) = &loaded
        && l.log.is_empty()
    {
        let files: Vec<String> = inputs
            .events
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let event_files = l.stats.files.iter().filter(|f| f.kind == FileKind::Events);
        let (lines, rejected) = event_files.fold((0, 0), |(n, r), f| {
            (n + f.lines - f.blank_lines, r + f.rejected)
        });
        eprintln!(
            "lockstep: warning: 0 events read from {} ({lines} lines, {rejected} rejected)",
            files.join(", ")
        );
    }
    loaded
}
