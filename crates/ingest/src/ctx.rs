//! The sequential end of every reader: pushes events into the builder, writes rejected lines,
//! keeps the counts and enforces the reject budget.

use std::time::Instant;

use lockstep_core::{EventLogBuilder, PushError, RawEvent};

use crate::input::{Planned, ProgressFn};
use crate::reject::{RejectBudget, RejectSink, Rejected, budget_message, raw_text};
use crate::stats::{FileStats, IngestStats};
use crate::{Error, Reason, Result};

/// State shared by all readers of one load.
pub(crate) struct Ctx<'s> {
    pub(crate) builder: EventLogBuilder,
    sink: &'s mut dyn RejectSink,
    budget: RejectBudget,
    pub(crate) stats: IngestStats,
    pub(crate) file: FileStats,
    file_start: Instant,
    pub(crate) max_line: usize,
    pub(crate) block_bytes: usize,
    pub(crate) progress: Option<ProgressFn>,
    /// Bytes of the files finished before the current one.
    pub(crate) bytes_before: u64,
    /// The per-row outcomes of a columnar batch, kept between batches so that each batch
    /// writes into memory that is already mapped.
    pub(crate) results: Vec<Result<(), PushError>>,
    /// Per source of the log (events file, in order), its index in `stats.files`.
    pub(crate) source_files: Vec<usize>,
    /// Where to find the rejected lines, for the budget's message.
    pub(crate) rejected_hint: Option<String>,
}

impl<'s> Ctx<'s> {
    pub(crate) fn new(
        sink: &'s mut dyn RejectSink,
        budget: RejectBudget,
        max_line: usize,
        block_bytes: usize,
        progress: Option<ProgressFn>,
    ) -> Self {
        Ctx {
            builder: EventLogBuilder::new(),
            sink,
            budget,
            stats: IngestStats::default(),
            file: empty_file(),
            file_start: Instant::now(),
            max_line,
            block_bytes,
            progress,
            bytes_before: 0,
            results: Vec::new(),
            source_files: Vec::new(),
            rejected_hint: None,
        }
    }

    pub(crate) fn begin_file(&mut self, p: &Planned) {
        self.file = FileStats {
            path: p.path.clone(),
            name: p.name.clone(),
            kind: p.kind,
            format: p.format.name(),
            bytes: p.bytes,
            ..empty_file()
        };
        self.file_start = Instant::now();
    }

    pub(crate) fn end_file(&mut self) {
        let mut f = std::mem::replace(&mut self.file, empty_file());
        f.elapsed = self.file_start.elapsed();
        self.bytes_before += f.bytes;
        if let Some(cb) = &self.progress {
            cb(self.bytes_before);
        }
        self.stats.files.push(f);
    }

    /// Counts `n` lines read, `blank` of them blank.
    #[inline]
    pub(crate) fn lines(&mut self, n: u64, blank: u64) {
        self.file.lines += n;
        self.file.blank_lines += blank;
        self.stats.lines += n;
        self.stats.blank_lines += blank;
    }

    /// Counts a line kept (an event or a side-table row).
    #[inline]
    pub(crate) fn kept(&mut self) {
        self.file.kept += 1;
        match self.file.kind {
            crate::FileKind::Events => self.stats.events += 1,
            crate::FileKind::Accounts => self.stats.accounts += 1,
            crate::FileKind::Devices => self.stats.devices += 1,
        }
    }

    /// Counts `n` lines kept.
    #[inline]
    pub(crate) fn kept_many(&mut self, n: u64) {
        self.file.kept += n;
        match self.file.kind {
            crate::FileKind::Events => self.stats.events += n,
            crate::FileKind::Accounts => self.stats.accounts += n,
            crate::FileKind::Devices => self.stats.devices += n,
        }
    }

    /// Rejects line `line` of the current file (the line must be counted with
    /// [`Ctx::lines`] by the caller).
    pub(crate) fn reject(
        &mut self,
        line: u64,
        reason: Reason,
        message: String,
        raw: &[u8],
    ) -> Result<()> {
        self.reject_text(line, reason, message, raw_text(raw))
    }

    pub(crate) fn reject_text(
        &mut self,
        line: u64,
        reason: Reason,
        message: String,
        raw: String,
    ) -> Result<()> {
        let r = Rejected {
            file: self.file.name.clone(),
            line,
            reason,
            message,
            raw,
        };
        self.file.rejected += 1;
        self.record(&r)
    }

    /// Counts a rejected line in the run's totals, writes it and checks the budget (the
    /// caller counts it in its file).
    fn record(&mut self, r: &Rejected) -> Result<()> {
        let reason = r.reason;
        self.stats.rejected += 1;
        *self
            .stats
            .rejected_by_reason
            .entry(reason.as_str().to_string())
            .or_default() += 1;
        self.sink
            .reject(r)
            .map_err(|e| Error::RejectSink(std::sync::Arc::new(e)))?;
        if self
            .budget
            .exceeded_early(self.stats.rejected, self.stats.records())
        {
            return Err(self.budget_error(true));
        }
        Ok(())
    }

    /// Rejects the events whose explicit id an earlier event already has (the first is kept),
    /// once every file is read, and removes them from the log. The builder defers the check
    /// to here (one sort of the ids' hashes instead of a probe per event); the rejected lines
    /// come after those of the files, in input order, with the event as read (rendered as a
    /// JSON object) for their raw text.
    pub(crate) fn reject_duplicate_ids(&mut self) -> Result<()> {
        let dups = self.builder.duplicate_ids();
        if dups.is_empty() {
            return Ok(());
        }
        for &(e, first) in &dups {
            let log = self.builder.log();
            let source = log
                .sources()
                .partition_point(|s| s.first_event <= e)
                .saturating_sub(1);
            let Some(&fi) = self.source_files.get(source) else {
                return Err(Error::Internal(format!(
                    "event {e} has no source file among {} events files",
                    self.source_files.len()
                )));
            };
            let message = self.builder.duplicate_error(e, first).to_string();
            let raw = raw_text(event_json(log, e as usize).as_bytes());
            let line = u64::from(log.line(e as usize));
            let f = &mut self.stats.files[fi];
            f.kept -= 1;
            f.rejected += 1;
            self.stats.events -= 1;
            let r = Rejected {
                file: f.name.clone(),
                line,
                reason: Reason::DuplicateId,
                message,
                raw,
            };
            self.record(&r)?;
        }
        let drop: Vec<u32> = dups.iter().map(|d| d.0).collect();
        self.builder.remove_events(&drop);
        Ok(())
    }

    pub(crate) fn budget_error(&self, early: bool) -> Error {
        Error::InvalidInput(budget_message(
            &self.budget,
            self.stats.rejected,
            self.stats.records(),
            &self.stats.rejected_by_reason,
            early,
            self.rejected_hint.as_deref(),
        ))
    }

    /// The end-of-run budget check.
    pub(crate) fn check_budget_final(&self) -> Result<()> {
        if self
            .budget
            .exceeded_final(self.stats.rejected, self.stats.records())
        {
            Err(self.budget_error(false))
        } else {
            Ok(())
        }
    }

    /// Pushes one event; a refusal by the builder becomes a rejected line.
    #[inline]
    pub(crate) fn push_event(
        &mut self,
        ev: &RawEvent<'_>,
        raw: impl FnOnce() -> String,
    ) -> Result<()> {
        match self.builder.push(ev) {
            Ok(()) => {
                self.kept();
                Ok(())
            }
            Err(e) => {
                let reason = match e {
                    PushError::DuplicateId { .. } => Reason::DuplicateId,
                    PushError::Exhausted(_) => Reason::CapacityExceeded,
                };
                self.reject_text(u64::from(ev.line), reason, e.to_string(), raw())
            }
        }
    }

    /// Pushes a batch of events (id spaces interned in parallel); `results` says what became
    /// of each, to be passed on to [`Ctx::settle`] in order.
    pub(crate) fn push_events(
        &mut self,
        evs: &[RawEvent<'_>],
        results: &mut Vec<Result<(), PushError>>,
    ) -> Result<()> {
        self.builder.push_batch(evs, results).map_err(Error::Core)
    }

    /// Counts an event of [`Ctx::push_events`] as kept, or rejects it.
    #[inline]
    pub(crate) fn settle(
        &mut self,
        line: u64,
        result: Result<(), PushError>,
        raw: impl FnOnce() -> String,
    ) -> Result<()> {
        match result {
            Ok(()) => {
                self.kept();
                Ok(())
            }
            Err(e) => {
                let reason = match e {
                    PushError::DuplicateId { .. } => Reason::DuplicateId,
                    PushError::Exhausted(_) => Reason::CapacityExceeded,
                };
                self.reject_text(line, reason, e.to_string(), raw())
            }
        }
    }

    pub(crate) fn flush_sink(&mut self) -> Result<()> {
        self.sink
            .flush()
            .map_err(|e| Error::RejectSink(std::sync::Arc::new(e)))
    }
}

/// A line number as the core stores it.
pub(crate) fn line_u32(line: u64) -> Result<u32> {
    u32::try_from(line).map_err(|_| {
        Error::Core(lockstep_core::Error::ResourcesExhausted(
            "an input file with more than 4 billion lines".into(),
        ))
    })
}

fn empty_file() -> FileStats {
    FileStats {
        path: Default::default(),
        name: String::new(),
        kind: crate::FileKind::Events,
        format: "",
        bytes: 0,
        lines: 0,
        blank_lines: 0,
        kept: 0,
        rejected: 0,
        elapsed: Default::default(),
        notes: Vec::new(),
    }
}

/// Event `i` of `log` as a JSON object of the fields it has, in the input's field order, for
/// the raw text of a line rejected after it was read.
fn event_json(log: &lockstep_core::EventLog, i: usize) -> String {
    use lockstep_core::NONE;
    let e = log.get(i);
    let mut fields: Vec<(&str, String)> = vec![
        ("id", log.event_id_string(i).into_owned()),
        ("ts", crate::time::format_ts(e.ts)),
        ("actor", log.accounts.resolve(e.actor).to_string()),
        ("action", log.verbs.name(e.action).to_string()),
        ("target", log.targets.resolve(e.target).to_string()),
    ];
    if e.owner != NONE {
        fields.push(("owner", log.accounts.resolve(e.owner).to_string()));
    }
    if !e.text.is_empty() {
        fields.push(("text", e.text.to_string()));
    }
    if e.ip != NONE {
        fields.push(("ip", log.ips.resolve(e.ip).to_string()));
    }
    if e.device != NONE {
        fields.push(("device", log.devices.resolve(e.device).to_string()));
    }
    if e.client != NONE {
        fields.push(("client", log.clients.resolve(e.client).to_string()));
    }
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("\"{k}\":{}", serde_json::Value::from(v.as_str())))
        .collect();
    format!("{{{}}}", body.join(","))
}
