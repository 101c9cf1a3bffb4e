//! `lockstep explain`: every signal and reason behind one account's verdict, with the events
//! behind each.
//!
//! The scan is re-run in memory on the same inputs (given, or read from a findings
//! directory's `summary.json`), so the explanation carries the detector signals that the
//! findings files only summarise; with `--findings` the recomputed verdict is checked against
//! the recorded one.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use lockstep_ingest::{Inputs, NullRejectSink, RejectBudget};

use super::scan::{InputFiles, load_policy};
use crate::progress;

/// Arguments of `lockstep explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The account to explain.
    #[arg(value_name = "ACCOUNT")]
    account: String,
    /// Event files (as for `lockstep scan`). Default: the inputs recorded in `--findings`.
    #[arg(value_name = "EVENTS")]
    files: Vec<PathBuf>,
    /// A findings directory written by `lockstep scan`: its inputs are reloaded (unless
    /// EVENTS are given) and its recorded verdict is compared with the recomputed one.
    #[arg(long, value_name = "DIR")]
    findings: Option<PathBuf>,
    /// The accounts side file.
    #[arg(long, value_name = "F")]
    accounts: Option<PathBuf>,
    /// The devices side file.
    #[arg(long, value_name = "F")]
    devices: Option<PathBuf>,
    /// The policy file the scan used. Default: the built-in policy.
    #[arg(long, value_name = "F")]
    policy: Option<PathBuf>,
    /// Stop when more lines than this are rejected (as for `lockstep scan`).
    #[arg(long, value_name = "N|FRACTION", default_value = "1%")]
    max_rejected: RejectBudget,
    /// Events listed per reason and per signal (all are counted).
    #[arg(long, default_value_t = 20, value_name = "N")]
    limit: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(serde::Deserialize)]
struct RecordedSummary {
    policy_version: Option<String>,
    input_files: Option<InputFiles>,
}

/// The recorded `verdicts.csv` row of `account`: (verdict, reasons).
fn recorded_verdict(dir: &Path, account: &str) -> anyhow::Result<Option<(String, String)>> {
    let path = dir.join("verdicts.csv");
    let mut r =
        csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
    for row in r.records() {
        let row = row.with_context(|| format!("in {}", path.display()))?;
        if row.get(0) == Some(account) {
            return Ok(Some((
                row.get(1).unwrap_or_default().to_string(),
                row.get(4).unwrap_or_default().to_string(),
            )));
        }
    }
    Ok(None)
}

/// Runs `lockstep explain`.
pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let mut files = args.files.clone();
    let (mut accounts, mut devices) = (args.accounts.clone(), args.devices.clone());
    let mut recorded_policy = None;
    if let Some(dir) = &args.findings {
        let path = dir.join("summary.json");
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {} (is {} a findings directory?)",
                path.display(),
                dir.display()
            )
        })?;
        let s: RecordedSummary = serde_json::from_str(&text)
            .with_context(|| format!("cannot parse {}", path.display()))?;
        recorded_policy = s.policy_version;
        if files.is_empty() {
            let Some(inp) = s.input_files else {
                bail!(
                    "{} does not record its inputs by role (written by an older lockstep); \
                     give the event files (and --accounts/--devices) explicitly",
                    path.display()
                );
            };
            files = inp.events.iter().map(PathBuf::from).collect();
            accounts = accounts.or(inp.accounts.map(PathBuf::from));
            devices = devices.or(inp.devices.map(PathBuf::from));
            for f in files.iter().chain(accounts.iter()).chain(devices.iter()) {
                if !f.exists() {
                    bail!(
                        "{} records the input {}, which is not there from this directory; \
                         give the event files (and --accounts/--devices) explicitly",
                        path.display(),
                        f.display()
                    );
                }
            }
        }
    }
    if files.is_empty() {
        bail!("no events: give the event files, or --findings DIR of a scan");
    }
    let policy = load_policy(args.policy.as_deref())?;
    if let Some(v) = &recorded_policy
        && *v != policy.version
    {
        eprintln!(
            "lockstep explain: warning: the findings were judged by policy {v}, this run uses {} \
             (pass --policy with the same file)",
            policy.version
        );
    }
    let inputs = Inputs {
        events: &files,
        accounts: accounts.as_deref(),
        devices: devices.as_deref(),
    };
    let mut sink = NullRejectSink;
    let loaded = progress::load(&inputs, args.max_rejected, &mut sink, None)
        .context("cannot load the input")?;
    let log = loaded.log;
    let Some(account) = log.accounts.get(&args.account) else {
        bail!(
            "account {:?} does not act in these events ({} accounts do)",
            args.account,
            log.accounts.len()
        );
    };
    let sp = progress::spinner("detecting and judging");
    let (j, _) = lockstep_judge::scan(&log, &policy)?;
    sp.finish_and_clear();
    let e = lockstep_judge::explain(&log, &j, &policy, account, args.limit);
    // Written, not printed: a reader that stops early (`| head`) ends the run quietly.
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&e)?)?;
    } else {
        write!(out, "{e}")?;
    }
    if let Some(dir) = &args.findings
        && let Some((verdict, reasons)) = recorded_verdict(dir, &args.account)?
    {
        let now = e
            .reasons
            .iter()
            .map(|r| r.code.as_str())
            .collect::<Vec<_>>()
            .join(";");
        if verdict != e.verdict || reasons != now {
            eprintln!(
                "lockstep explain: warning: {} records {verdict} ({reasons}); recomputed {} ({now})",
                dir.join("verdicts.csv").display(),
                e.verdict
            );
        } else if !args.json {
            writeln!(
                out,
                "\nmatches the recorded verdict in {}",
                dir.join("verdicts.csv").display()
            )?;
        }
    }
    out.flush()?;
    Ok(())
}
