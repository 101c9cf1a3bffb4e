//! Progress bars on stderr, hidden when stderr is not a terminal.

use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lockstep_ingest::{IngestOptions, Inputs, Loaded, RejectBudget, RejectSink};

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

/// Loads `inputs` with a byte-count progress bar on stderr, rejected lines going to `sink`.
///
/// # Errors
/// As `lockstep_ingest::load`.
pub(crate) fn load(
    inputs: &Inputs<'_>,
    max_rejected: RejectBudget,
    sink: &mut dyn RejectSink,
) -> lockstep_ingest::Result<Loaded> {
    let total = lockstep_ingest::total_input_bytes(inputs)?;
    let bar = bytes_bar(total, "reading");
    let opts = IngestOptions {
        max_rejected,
        progress: Some({
            let bar = bar.clone();
            Arc::new(move |n| bar.set_position(n))
        }),
        ..IngestOptions::default()
    };
    let loaded = lockstep_ingest::load(inputs, &opts, sink);
    bar.finish_and_clear();
    loaded
}
