//! `lockstep scan`: load events, run the detectors, judge, and write every CONTRACT §2 file.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use lockstep_core::EventLog;
use lockstep_ingest::{IngestStats, Inputs, JsonlRejectSink, RejectBudget};
use lockstep_judge::{
    BanMatches, BannedOperation, Explainer, ExplanationsWritten, Judgement, Policy, Timings,
    match_bans,
};
use serde::Serialize;

use crate::progress;

/// Arguments of `lockstep scan`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Event files: `.jsonl`, `.ndjson` (optionally `.gz`), `.csv` (optionally `.gz`) or
    /// `.parquet`.
    #[arg(required = true, value_name = "EVENTS")]
    pub(crate) files: Vec<PathBuf>,
    /// The accounts side file (`id`, `created_at`, profile fields).
    #[arg(long, value_name = "F")]
    pub(crate) accounts: Option<PathBuf>,
    /// The devices side file (`id`, `model`, `os`, `build`, `screen`, `attestation`).
    #[arg(long, value_name = "F")]
    pub(crate) devices: Option<PathBuf>,
    /// A policy file (TOML; see docs/POLICY.md). Default: the built-in policy.
    #[arg(long, value_name = "F")]
    pub(crate) policy: Option<PathBuf>,
    /// Stop when more lines than this are rejected: a count (`100`), a fraction (`0.01`), a
    /// percentage (`1%`), or `unlimited`.
    #[arg(long, value_name = "N|FRACTION", default_value = "1%")]
    pub(crate) max_rejected: RejectBudget,
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
}

/// The `lockstep scan` command line: the scan's arguments and the ban list to match against.
#[derive(Debug, clap::Args)]
pub(crate) struct Command {
    #[command(flatten)]
    pub(crate) args: Args,
    /// Match every account's earliest actions against the ban list in this store (an SQLite
    /// path or a postgres:// URL, as `enforce --db`): a match needs two independent kinds of
    /// evidence (docs/POLICY.md, "Ban matching"). Writes `ban_matches.csv`.
    #[arg(long, value_name = "DB")]
    pub(crate) bans: Option<String>,
}

/// What a finished scan reports to its caller (`demo` prints from it).
pub(crate) struct Outcome {
    pub(crate) log: EventLog,
    pub(crate) judgement: Judgement,
    pub(crate) elapsed: Duration,
    /// Input lines rejected (each in `rejected.jsonl`).
    pub(crate) rejected: u64,
    /// Ban matching, when the scan had a ban list.
    pub(crate) bans: Option<BanOutcome>,
}

/// What ban matching found.
pub(crate) struct BanOutcome {
    /// Bans in force that were matched against.
    pub(crate) bans: usize,
    /// Accounts that matched a ban.
    pub(crate) matched: usize,
    /// Of those, accounts the judge had not flagged.
    pub(crate) newly_flagged: usize,
    /// Matched within their first 5 actions.
    pub(crate) within_5: usize,
}

/// Runs `lockstep scan` and prints the short summary.
pub(crate) fn run(cmd: Command) -> anyhow::Result<()> {
    let o = scan_with_bans(&cmd.args, cmd.bans.as_deref())?;
    print_summary(&o, &cmd.args.out)?;
    Ok(())
}

/// The store's bans in force, as ban matching takes them.
pub(crate) fn load_bans(target: &str) -> anyhow::Result<Vec<BannedOperation>> {
    let shown = super::enforce::redact(target);
    let mut store = lockstep_store::Store::open(target)
        .with_context(|| format!("cannot open the ban list {shown}"))?;
    let bans = store
        .bans(false)
        .with_context(|| format!("cannot read the ban list {shown}"))?;
    Ok(bans.iter().map(banned_operation).collect())
}

/// One stored ban as ban matching takes it.
fn banned_operation(b: &lockstep_store::Ban) -> BannedOperation {
    BannedOperation {
        operation: b.operation.clone(),
        kind: b.kind.clone(),
        action_key: b.action_key.clone(),
        devices: b.devices.clone(),
        device_fingerprints: b.device_fingerprints.clone(),
        ip_ranges: b.ip_ranges.clone(),
        range_use: b.profile.ip_ranges.clone(),
        app_ids: b.app_ids.clone(),
        customers: b.customers.clone(),
        // A ban recorded before profiles were has none: a vendor app's ran through real
        // people's accounts by definition.
        through_real_accounts: b.profile.through_real_accounts || b.kind == "vendor-app",
        active_until: b
            .behaviour
            .get("time_span")
            .and_then(|t| t.get("end_ms"))
            .and_then(|v| v.as_i64()),
    }
}

/// Reads the policy file, or the default policy.
pub(crate) fn load_policy(path: Option<&Path>) -> anyhow::Result<Policy> {
    match path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read policy {}", p.display()))?;
            Policy::from_toml(&text).with_context(|| format!("in policy {}", p.display()))
        }
        None => Ok(Policy::default()),
    }
}

/// Does the scan: every §2 file is written into `args.out`.
pub(crate) fn scan(args: &Args) -> anyhow::Result<Outcome> {
    scan_with_bans(args, None)
}

/// Does the scan, matching accounts against the ban list in the store `bans` if given.
pub(crate) fn scan_with_bans(args: &Args, bans: Option<&str>) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let banned = bans.map(load_bans).transpose()?;
    let policy = load_policy(args.policy.as_deref())?;
    let inputs = Inputs {
        events: &args.files,
        accounts: args.accounts.as_deref(),
        devices: args.devices.as_deref(),
    };
    // Every input is there and readable before anything is written.
    lockstep_ingest::total_input_bytes(&inputs).context("cannot load the input")?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let rejected_path = args.out.join("rejected.jsonl");
    let mut sink = JsonlRejectSink::new(BufWriter::new(
        File::create(&rejected_path)
            .with_context(|| format!("cannot create {}", rejected_path.display()))?,
    ));
    let hint = format!("each with its reason in {}", rejected_path.display());
    let loaded = progress::load(&inputs, args.max_rejected, &mut sink, Some(hint))
        .context("cannot load the input")?;
    let (log, stats) = (loaded.log, loaded.stats);
    let mut timings = Timings::default();
    timings.push("ingest", stats.elapsed);

    let sp = progress::spinner("detecting and judging");
    let (mut judgement, scan_timings, reports) = lockstep_judge::scan_with_reports(&log, &policy)?;
    timings.stages.extend(scan_timings.stages);
    timings.work.extend(scan_timings.work);
    let mut ban_outcome = None;
    let mut matches = BanMatches::default();
    if let Some(banned) = &banned {
        sp.set_message("matching the ban list");
        let t = Instant::now();
        let flagged_before: Vec<bool> = judgement
            .accounts
            .iter()
            .map(|v| v.verdict.is_flagged())
            .collect();
        matches = match_bans(&log, &mut judgement, banned, &policy.bans);
        timings.push("bans", t.elapsed());
        ban_outcome = Some(BanOutcome {
            bans: banned.len(),
            matched: matches.matches.len(),
            newly_flagged: matches
                .matches
                .iter()
                .filter(|m| !flagged_before[m.account as usize])
                .count(),
            within_5: matches.matches.iter().filter(|m| m.ordinal <= 5).count(),
        });
    }
    sp.finish_and_clear();

    // Every account's explanation, which `lockstep explain` reads instead of scanning again,
    // is written on a thread of its own while this one writes the findings and the report
    // (mostly one thread's work). The report reads the files, summary.json included, so that
    // is written first and rewritten with the report's time and the explanations.
    let banned = banned.unwrap_or_default();
    let mut run = Run {
        args,
        bans,
        explained: None,
    };
    let sp = progress::spinner("writing findings, explanations and report.html");
    let findings = |timings: &mut Timings, run: &Run<'_>| -> anyhow::Result<()> {
        let t = Instant::now();
        lockstep_judge::write_findings_with_bans(&log, &judgement, &args.out, &banned, &matches)?;
        if ban_outcome.is_some() {
            lockstep_judge::write_ban_matches(
                &log,
                &judgement,
                &banned,
                &matches,
                &args.out.join("ban_matches.csv"),
            )?;
        }
        timings.push("write", t.elapsed());
        write_summary(run, &log, &stats, &judgement, timings, started)?;
        let t = Instant::now();
        // The report reads the files back, but takes the flagged events' rows from the
        // judgement (checked against the file) instead of looking up every event's id.
        let flagged = judgement.flagged_event_indices();
        lockstep_report::write_report_known(&log, &args.out, Some(&flagged))
            .context("cannot write report.html")?;
        timings.push("report", t.elapsed());
        Ok(())
    };
    let (log_, judgement_, policy_, out) = (&log, &judgement, &policy, &args.out);
    let explain = move || {
        let t = Instant::now();
        let x = Explainer::with_reports(log_, judgement_, policy_, reports);
        lockstep_judge::write_explanations(&x, out).map(|w| (w, t.elapsed()))
    };
    let (written, explained) = std::thread::scope(|scope| {
        let explained = scope.spawn(explain);
        let written = findings(&mut timings, &run);
        let explained = explained
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (written, explained)
    });
    written?;
    let (explained, took) = explained?;
    timings.push("explanations", took);
    sp.finish_and_clear();
    run.explained = Some(explained);
    write_summary(&run, &log, &stats, &judgement, &timings, started)?;
    Ok(Outcome {
        log,
        judgement,
        elapsed: started.elapsed(),
        rejected: stats.rejected,
        bans: ban_outcome,
    })
}

#[derive(Serialize)]
struct Summary<'a> {
    schema_version: u32,
    policy_version: &'a str,
    inputs: Vec<String>,
    input_files: InputFiles,
    events: u64,
    accounts: usize,
    targets: usize,
    lines: u64,
    rejected: Rejections<'a>,
    verdicts: BTreeMap<&'static str, usize>,
    flagged_events: usize,
    operations: usize,
    operations_by_kind: BTreeMap<&'static str, usize>,
    timings_seconds: Vec<(String, f64)>,
    total_seconds: f64,
    /// What stages counted of their work (co-engagement records, passes, …): the same on
    /// every run of the same input, so runs compare where times are noisy.
    work: BTreeMap<String, BTreeMap<&'static str, u64>>,
    /// Every option the scan ran with (the inputs are `input_files`), so that `lockstep
    /// explain` and others need none of them again.
    options: ScanOptions,
    /// The explanations (`lockstep explain` reads them); null until they are written.
    explanations: Option<ExplanationsEntry>,
}

/// The options of a scan, as `summary.json` records them.
#[derive(Serialize, serde::Deserialize)]
pub(crate) struct ScanOptions {
    /// `--policy`: the policy file, or null for the built-in policy.
    pub(crate) policy: Option<String>,
    /// The version of that policy.
    pub(crate) policy_version: String,
    /// `--max-rejected`, as `lockstep scan --max-rejected` takes it.
    pub(crate) max_rejected: String,
    /// `--bans`: the ban list's store (a postgres URL's password masked), or null.
    pub(crate) bans: Option<String>,
    /// `--out`.
    pub(crate) out: String,
}

/// The explanations, as `summary.json` records them.
#[derive(Serialize, serde::Deserialize)]
pub(crate) struct ExplanationsEntry {
    /// `explanations`: the directory inside the findings.
    pub(crate) dir: String,
    /// Accounts explained.
    pub(crate) accounts: usize,
    /// The size of its files.
    pub(crate) bytes: u64,
    /// Events kept per reason and per signal (all are counted).
    pub(crate) events_per_group: usize,
}

/// What `summary.json` records of how the scan was run.
struct Run<'a> {
    args: &'a Args,
    bans: Option<&'a str>,
    explained: Option<ExplanationsWritten>,
}

/// The inputs of a scan by role, so `lockstep explain --findings` can reload them.
#[derive(Serialize, serde::Deserialize)]
pub(crate) struct InputFiles {
    pub(crate) events: Vec<String>,
    pub(crate) accounts: Option<String>,
    pub(crate) devices: Option<String>,
}

#[derive(Serialize)]
struct Rejections<'a> {
    lines: u64,
    by_reason: &'a BTreeMap<String, u64>,
    file: &'static str,
}

fn write_summary(
    run: &Run<'_>,
    log: &EventLog,
    stats: &IngestStats,
    j: &Judgement,
    timings: &Timings,
    started: Instant,
) -> anyhow::Result<()> {
    let (args, out) = (run.args, &run.args.out);
    let counts = j.verdict_counts();
    let mut by_kind = BTreeMap::new();
    for o in &j.operations {
        *by_kind.entry(o.kind.as_str()).or_insert(0) += 1;
    }
    let mut inputs: Vec<String> = args.files.iter().map(|p| p.display().to_string()).collect();
    inputs.extend(args.accounts.iter().map(|p| p.display().to_string()));
    inputs.extend(args.devices.iter().map(|p| p.display().to_string()));
    let s = Summary {
        schema_version: lockstep_judge::SCHEMA_VERSION,
        policy_version: &j.policy_version,
        inputs,
        input_files: InputFiles {
            events: args.files.iter().map(|p| p.display().to_string()).collect(),
            accounts: args.accounts.as_ref().map(|p| p.display().to_string()),
            devices: args.devices.as_ref().map(|p| p.display().to_string()),
        },
        events: log.len() as u64,
        accounts: log.accounts.len(),
        targets: log.targets.len(),
        lines: stats.lines,
        rejected: Rejections {
            lines: stats.rejected,
            by_reason: &stats.rejected_by_reason,
            file: "rejected.jsonl",
        },
        verdicts: [
            ("ok", counts[0]),
            ("suspicious", counts[1]),
            ("fake", counts[2]),
            ("compromised", counts[3]),
        ]
        .into_iter()
        .collect(),
        flagged_events: j.flagged_events(),
        operations: j.operations.len(),
        operations_by_kind: by_kind,
        timings_seconds: timings
            .stages
            .iter()
            .map(|(k, d)| (k.clone(), d.as_secs_f64()))
            .collect(),
        total_seconds: started.elapsed().as_secs_f64(),
        work: timings
            .work
            .iter()
            .map(|(k, c)| (k.clone(), c.iter().copied().collect()))
            .collect(),
        options: ScanOptions {
            policy: args.policy.as_ref().map(|p| p.display().to_string()),
            policy_version: j.policy_version.clone(),
            max_rejected: args.max_rejected.to_string(),
            bans: run.bans.map(super::enforce::redact),
            out: out.display().to_string(),
        },
        explanations: run.explained.map(|w| ExplanationsEntry {
            dir: lockstep_judge::EXPLANATIONS.to_string(),
            accounts: w.accounts,
            bytes: w.bytes,
            events_per_group: lockstep_judge::EXPLANATION_EVENTS,
        }),
    };
    let path = out.join("summary.json");
    let f = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    serde_json::to_writer_pretty(BufWriter::new(f), &s)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Prints accounts flagged by verdict, operations by kind and the time taken.
pub(crate) fn print_summary(o: &Outcome, out: &Path) -> anyhow::Result<()> {
    let j = &o.judgement;
    let c = j.verdict_counts();
    say!(
        "{} events, {} accounts: {} fake, {} compromised, {} suspicious; {} events flagged",
        o.log.len(),
        o.log.accounts.len(),
        c[2],
        c[3],
        c[1],
        j.flagged_events()
    );
    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for op in &j.operations {
        let e = by_kind.entry(op.kind.as_str()).or_default();
        e.0 += 1;
        e.1 += op.members.len();
    }
    let n = j.operations.len();
    say!("{n} operation{}", if n == 1 { "" } else { "s" });
    for (k, (n, m)) in by_kind {
        say!("  {k:<16} {n:>3} ({m} accounts)");
    }
    if let Some(b) = &o.bans {
        say!(
            "ban list: {} bans; {} accounts match ({} within their first 5 actions), {} of them not flagged otherwise",
            b.bans,
            b.matched,
            b.within_5,
            b.newly_flagged
        );
    }
    if o.rejected > 0 {
        say!(
            "{} input lines rejected, each with its reason in {}",
            o.rejected,
            out.join("rejected.jsonl").display()
        );
    }
    say!(
        "findings in {} ({:.1} s, policy {})",
        out.display(),
        o.elapsed.as_secs_f64(),
        j.policy_version
    );
    Ok(())
}
