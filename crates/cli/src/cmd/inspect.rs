//! `lockstep inspect`: load event files and print what is in them.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use lockstep_core::EventLog;
use lockstep_ingest::{IngestStats, Inputs, JsonlRejectSink, RejectBudget, RejectSink, Rejected};

use crate::progress;

/// Arguments of `lockstep inspect`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Event files: `.jsonl`, `.ndjson` (optionally `.gz`), `.csv` (optionally `.gz`) or
    /// `.parquet`.
    #[arg(required = true, value_name = "FILES")]
    files: Vec<PathBuf>,
    /// The accounts side file (`id`, `created_at`, profile fields).
    #[arg(long, value_name = "F")]
    accounts: Option<PathBuf>,
    /// The devices side file (`id`, `model`, `os`, `build`, `screen`, `attestation`).
    #[arg(long, value_name = "F")]
    devices: Option<PathBuf>,
    /// Stop when more lines than this are rejected: a count (`100`), a fraction (`0.01`), a
    /// percentage (`1%`), or `unlimited`.
    #[arg(long, value_name = "N|FRACTION", default_value = "1%")]
    max_rejected: RejectBudget,
    /// Write every rejected line, with its file, line and reason, to this JSON Lines file.
    #[arg(long, value_name = "FILE")]
    rejected: Option<PathBuf>,
    /// Print the summary as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Keeps the first few rejected lines for the summary and passes every one to an optional
/// file.
struct Rejections {
    file: Option<JsonlRejectSink<BufWriter<File>>>,
    examples: Vec<Rejected>,
}

impl RejectSink for Rejections {
    fn reject(&mut self, r: &Rejected) -> std::io::Result<()> {
        if self.examples.len() < 5 {
            self.examples.push(r.clone());
        }
        match &mut self.file {
            Some(f) => f.reject(r),
            None => Ok(()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

/// Runs `lockstep inspect`.
pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let inputs = Inputs {
        events: &args.files,
        accounts: args.accounts.as_deref(),
        devices: args.devices.as_deref(),
    };
    // Every input is there and readable before --rejected's file is created.
    lockstep_ingest::total_input_bytes(&inputs)?;
    let file = match &args.rejected {
        Some(p) => Some(JsonlRejectSink::new(BufWriter::new(
            File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        ))),
        None => None,
    };
    let mut sink = Rejections {
        file,
        examples: Vec::new(),
    };
    let hint = Some(match &args.rejected {
        Some(p) => format!("each with its reason in {}", p.display()),
        None => "`--rejected FILE` writes each with its reason".to_owned(),
    });
    let loaded = progress::load(&inputs, args.max_rejected, &mut sink, hint)?;
    let summary = Summary::new(&loaded.log, &loaded.stats, &sink.examples, started);
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        summary.render(&mut out)?;
    }
    out.flush()?;
    Ok(())
}

#[derive(serde::Serialize)]
struct Summary<'a> {
    files: usize,
    input_bytes: u64,
    seconds: f64,
    events: u64,
    events_per_action: Vec<(String, u64)>,
    distinct: Distinct,
    time_span: Option<(String, String)>,
    account_rows: usize,
    device_rows: usize,
    lines: u64,
    rejected: u64,
    rejected_by_reason: Vec<(String, u64)>,
    rejected_examples: &'a [Rejected],
    memory: Memory,
}

#[derive(serde::Serialize)]
struct Distinct {
    accounts: usize,
    targets: usize,
    ips: usize,
    devices: usize,
    clients: usize,
}

#[derive(serde::Serialize)]
struct Memory {
    log_bytes_without_text: usize,
    text_bytes: usize,
    bytes_per_event_without_text: Option<f64>,
    process_peak_rss_bytes: Option<u64>,
}

impl<'a> Summary<'a> {
    fn new(
        log: &EventLog,
        stats: &IngestStats,
        examples: &'a [Rejected],
        started: Instant,
    ) -> Self {
        let mut per_action: Vec<(String, u64)> = log
            .action_counts()
            .into_iter()
            .enumerate()
            .filter(|&(_, n)| n > 0)
            .map(|(code, n)| (log.verbs.name(code as u8).to_string(), n))
            .collect();
        per_action.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut by_reason: Vec<(String, u64)> = stats
            .rejected_by_reason
            .iter()
            .map(|(r, n)| (r.to_string(), *n))
            .collect();
        by_reason.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mem = log.memory_use();
        Summary {
            files: stats.files.len(),
            input_bytes: stats.input_bytes,
            seconds: started.elapsed().as_secs_f64(),
            events: log.len() as u64,
            events_per_action: per_action,
            distinct: Distinct {
                accounts: log.accounts.len(),
                targets: log.targets.len(),
                ips: log.ips.len(),
                devices: log.devices.len(),
                clients: log.clients.len(),
            },
            time_span: log.time_span().map(|(a, b)| (rfc3339(a), rfc3339(b))),
            account_rows: log.account_table.len(),
            device_rows: log.device_table.len(),
            lines: stats.lines,
            rejected: stats.rejected,
            rejected_by_reason: by_reason,
            rejected_examples: examples,
            memory: Memory {
                log_bytes_without_text: mem.without_text(),
                text_bytes: mem.text_bytes,
                bytes_per_event_without_text: (!log.is_empty())
                    .then(|| mem.without_text() as f64 / log.len() as f64),
                process_peak_rss_bytes: peak_rss(),
            },
        }
    }

    fn render(&self, out: &mut impl Write) -> std::io::Result<()> {
        let rate = self.events as f64 / self.seconds.max(1e-9);
        writeln!(
            out,
            "read {} file(s), {} in {:.2} s ({} events/s)",
            self.files,
            bytes(self.input_bytes),
            self.seconds,
            count(rate as u64)
        )?;
        writeln!(out)?;
        writeln!(out, "{:<22}{:>14}", "events", count(self.events))?;
        for (name, n) in &self.events_per_action {
            writeln!(out, "  {:<20}{:>14}", name, count(*n))?;
        }
        writeln!(out, "distinct")?;
        let d = &self.distinct;
        for (name, n) in [
            ("accounts", d.accounts),
            ("targets", d.targets),
            ("ips", d.ips),
            ("devices", d.devices),
            ("clients", d.clients),
        ] {
            writeln!(out, "  {:<20}{:>14}", name, count(n as u64))?;
        }
        match &self.time_span {
            Some((a, b)) => writeln!(out, "{:<22}{a} .. {b}", "time span")?,
            None => writeln!(out, "{:<22}(no events)", "time span")?,
        }
        writeln!(
            out,
            "{:<22}accounts {} rows, devices {} rows",
            "side files",
            count(self.account_rows as u64),
            count(self.device_rows as u64)
        )?;
        let share = if self.lines == 0 {
            0.0
        } else {
            100.0 * self.rejected as f64 / self.lines as f64
        };
        writeln!(
            out,
            "{:<22}{:>14} of {} lines ({share:.3}%)",
            "rejected",
            count(self.rejected),
            count(self.lines)
        )?;
        for (reason, n) in &self.rejected_by_reason {
            writeln!(out, "  {:<20}{:>14}", reason, count(*n))?;
        }
        for r in self.rejected_examples {
            writeln!(out, "    e.g. {}:{}: {}", r.file, r.line, r.message)?;
        }
        let m = &self.memory;
        write!(
            out,
            "{:<22}{} for the log without text",
            "memory",
            bytes(m.log_bytes_without_text as u64)
        )?;
        if let Some(per) = m.bytes_per_event_without_text {
            write!(out, " ({per:.1} bytes/event)")?;
        }
        write!(out, ", text {}", bytes(m.text_bytes as u64))?;
        if let Some(rss) = m.process_peak_rss_bytes {
            write!(out, "; process peak {}", bytes(rss))?;
        }
        writeln!(out)
    }
}

/// The process's peak resident set size, from `/proc/self/status` where there is one.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Milliseconds since the epoch as RFC 3339 UTC.
fn rfc3339(ms: i64) -> String {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        None => format!("{ms} ms"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1234567), "1,234,567");
    }

    #[test]
    fn bytes_are_human() {
        assert_eq!(bytes(10), "10 B");
        assert_eq!(bytes(2048), "2.0 KiB");
    }
}
