//! `lockstep explain`: every signal and reason behind one account's verdict, with the events
//! behind each.
//!
//! With `--findings DIR` the answer comes from the findings: the account's row of
//! `verdicts.csv` (an account not there is answered at once) and its record in
//! `explanations.jsonl.gz`, which the scan wrote for every account. The scan is re-run in
//! memory — on the inputs and options `summary.json` records, or on EVENTS given — when the
//! findings hold no explanations (written by an older lockstep), when `--recompute`, EVENTS or
//! a side file or policy are given, or when `--limit` asks for more events than the findings
//! keep; with `--findings` the recomputed verdict is then checked against the recorded one.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use lockstep_ingest::{Inputs, NullRejectSink, RejectBudget};
use lockstep_judge::{Explainer, Explanation, match_bans};

use super::scan::{ExplanationsEntry, InputFiles, ScanOptions, load_bans, load_policy};
use crate::progress;

/// Arguments of `lockstep explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The account to explain.
    #[arg(value_name = "ACCOUNT")]
    account: String,
    /// Event files (as for `lockstep scan`): re-run the scan on these. Default: with
    /// `--findings`, the findings' explanations, or the inputs they record.
    #[arg(value_name = "EVENTS")]
    files: Vec<PathBuf>,
    /// A findings directory written by `lockstep scan`: the explanation is read from it (see
    /// `--recompute`).
    #[arg(long, value_name = "DIR")]
    findings: Option<PathBuf>,
    /// Re-run the scan on the inputs and options the findings record instead of reading
    /// their explanations, and check the recorded verdict against the recomputed one.
    #[arg(long)]
    recompute: bool,
    /// The accounts side file (re-runs the scan). Default: the recorded one.
    #[arg(long, value_name = "F")]
    accounts: Option<PathBuf>,
    /// The devices side file (re-runs the scan). Default: the recorded one.
    #[arg(long, value_name = "F")]
    devices: Option<PathBuf>,
    /// The policy file (re-runs the scan). Default: the one the findings record, or the
    /// built-in policy.
    #[arg(long, value_name = "F")]
    policy: Option<PathBuf>,
    /// When the scan is re-run, stop when more lines than this are rejected (as for
    /// `lockstep scan`). Default: what the findings record, or 1%.
    #[arg(long, value_name = "N|FRACTION")]
    max_rejected: Option<RejectBudget>,
    /// When the scan is re-run, match the ban list in this store (as `scan --bans`).
    /// Default: the one the findings record.
    #[arg(long, value_name = "DB")]
    bans: Option<String>,
    /// Events listed per reason and per signal (all are counted).
    #[arg(long, default_value_t = 20, value_name = "N")]
    limit: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// What `explain` reads of a findings directory's `summary.json`.
#[derive(serde::Deserialize)]
struct RecordedSummary {
    policy_version: Option<String>,
    total_seconds: Option<f64>,
    input_files: Option<InputFiles>,
    options: Option<ScanOptions>,
    explanations: Option<ExplanationsEntry>,
}

/// An account's row of `verdicts.csv`.
struct RecordedVerdict {
    verdict: String,
    reasons: String,
}

/// The findings directory `dir` as `explain` uses it.
struct Findings<'a> {
    dir: &'a Path,
    summary: RecordedSummary,
    /// The account's row of `verdicts.csv`.
    row: RecordedVerdict,
}

fn read_summary(dir: &Path) -> anyhow::Result<RecordedSummary> {
    let path = dir.join("summary.json");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read {} (is {} a findings directory?)",
            path.display(),
            dir.display()
        )
    })?;
    serde_json::from_str(&text).with_context(|| format!("cannot parse {}", path.display()))
}

/// The account's row of `verdicts.csv`, or an error naming the closest account there.
fn recorded_verdict(dir: &Path, account: &str) -> anyhow::Result<RecordedVerdict> {
    let path = dir.join("verdicts.csv");
    let mut r =
        csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let header = r
        .byte_headers()
        .with_context(|| format!("in {}", path.display()))?
        .clone();
    let col = |name: &str| header.iter().position(|h| h == name.as_bytes());
    let (Some(ca), Some(cv), Some(cr)) = (col("account"), col("verdict"), col("reasons")) else {
        bail!(
            "{} has no account, verdict and reasons columns",
            path.display()
        );
    };
    let mut names: Vec<String> = Vec::new();
    let mut row = csv::ByteRecord::new();
    while r
        .read_byte_record(&mut row)
        .with_context(|| format!("in {}", path.display()))?
    {
        let name = row.get(ca).unwrap_or_default();
        if name == account.as_bytes() {
            let field = |c: usize| String::from_utf8_lossy(row.get(c).unwrap_or_default()).into();
            return Ok(RecordedVerdict {
                verdict: field(cv),
                reasons: field(cr),
            });
        }
        names.push(String::from_utf8_lossy(name).into_owned());
    }
    let hint = match closest(account, &names) {
        Some(c) => format!("; did you mean {c:?}?"),
        None => String::new(),
    };
    bail!(
        "account {account:?} does not act in these events: {} has no row for it ({} accounts \
         do){hint}",
        path.display(),
        names.len()
    )
}

/// The name in `names` closest to `name` by edit distance (case ignored), if one is within a
/// third of its length.
fn closest<'a>(name: &str, names: &'a [String]) -> Option<&'a str> {
    let want: Vec<char> = name.to_lowercase().chars().collect();
    let max = (want.len() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    let mut prev: Vec<usize> = Vec::new();
    let mut cur: Vec<usize> = Vec::new();
    for n in names {
        let got: Vec<char> = n.to_lowercase().chars().collect();
        if got.len().abs_diff(want.len()) > max {
            continue;
        }
        // Levenshtein, two rows.
        prev.clear();
        prev.extend(0..=got.len());
        for (i, &w) in want.iter().enumerate() {
            cur.clear();
            cur.push(i + 1);
            for (k, &g) in got.iter().enumerate() {
                let sub = prev[k] + usize::from(w != g);
                cur.push(sub.min(prev[k + 1] + 1).min(cur[k] + 1));
            }
            std::mem::swap(&mut prev, &mut cur);
        }
        let d = prev[got.len()];
        if d <= max && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, n));
        }
    }
    best.map(|(_, n)| n)
}

/// Runs `lockstep explain`.
pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let findings = match &args.findings {
        Some(dir) => {
            let summary = read_summary(dir)?;
            let row = recorded_verdict(dir, &args.account)?;
            Some(Findings { dir, summary, row })
        }
        None => None,
    };
    let e = match &findings {
        Some(f) => match from_findings(&args, f)? {
            Some(e) => e,
            None => recompute(&args, findings.as_ref())?,
        },
        None => recompute(&args, None)?,
    };
    // Written, not printed: a reader that stops early (`| head`) ends the run quietly.
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&e)?)?;
    } else {
        write!(out, "{e}")?;
    }
    if let Some(f) = &findings {
        let now = e
            .reasons
            .iter()
            .map(|r| r.code.as_str())
            .collect::<Vec<_>>()
            .join(";");
        let verdicts = f.dir.join("verdicts.csv");
        if f.row.verdict != e.verdict || f.row.reasons != now {
            eprintln!(
                "lockstep explain: warning: {} records {} ({}); recomputed {} ({now})",
                verdicts.display(),
                f.row.verdict,
                f.row.reasons,
                e.verdict
            );
        } else if !args.json {
            writeln!(
                out,
                "\nmatches the recorded verdict in {}",
                verdicts.display()
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The explanation as the findings record it, or `None` (with a note on stderr saying why)
/// when the scan must be re-run.
fn from_findings(args: &Args, f: &Findings<'_>) -> anyhow::Result<Option<Explanation>> {
    if args.recompute
        || !args.files.is_empty()
        || args.accounts.is_some()
        || args.devices.is_some()
        || args.policy.is_some()
        || args.bans.is_some()
    {
        return Ok(None);
    }
    let took = match f.summary.total_seconds {
        Some(s) => format!(" (the scan took {s:.0} s)"),
        None => String::new(),
    };
    let note = |why: &str| {
        eprintln!("lockstep explain: {why}; re-running the scan on its recorded inputs{took}");
    };
    let dir = f.dir;
    let Some(entry) = &f.summary.explanations else {
        note(&format!(
            "{} records no explanations (written by an older lockstep; a new scan writes them)",
            dir.display()
        ));
        return Ok(None);
    };
    let edir = dir.join(&entry.dir);
    let size: std::io::Result<u64> = std::fs::read_dir(&edir).and_then(|rd| {
        rd.map(|f| f.and_then(|f| f.metadata()).map(|m| m.len()))
            .sum()
    });
    match size {
        Ok(n) if n == entry.bytes => {}
        Ok(n) => {
            note(&format!(
                "{} holds {n} bytes, not the {} its summary.json records",
                edir.display(),
                entry.bytes
            ));
            return Ok(None);
        }
        Err(e) => {
            note(&format!("cannot read {}: {e}", edir.display()));
            return Ok(None);
        }
    }
    let Some(e) = lockstep_judge::read_explanation(dir, &args.account, args.limit)? else {
        note(&format!(
            "{} has no explanation of {:?}",
            edir.display(),
            args.account
        ));
        return Ok(None);
    };
    let reasons: Vec<&str> = e.reasons.iter().map(|r| r.code.as_str()).collect();
    if e.verdict != f.row.verdict || reasons.join(";") != f.row.reasons {
        note(&format!(
            "{} explains {:?} as {} ({}), {} records {} ({})",
            edir.display(),
            args.account,
            e.verdict,
            reasons.join(";"),
            dir.join("verdicts.csv").display(),
            f.row.verdict,
            f.row.reasons
        ));
        return Ok(None);
    }
    if !e.shows(args.limit) {
        note(&format!(
            "--limit {} asks for more events than the findings keep per reason and signal ({})",
            args.limit, entry.events_per_group
        ));
        return Ok(None);
    }
    Ok(Some(e))
}

/// Re-runs the scan in memory on the inputs (given, or recorded in `findings`) and explains
/// the account.
fn recompute(args: &Args, findings: Option<&Findings<'_>>) -> anyhow::Result<Explanation> {
    let mut files = args.files.clone();
    let (mut accounts, mut devices) = (args.accounts.clone(), args.devices.clone());
    let mut policy_file = args.policy.clone();
    let mut max_rejected = args.max_rejected;
    let mut bans = args.bans.clone();
    let mut recorded_policy = None;
    if let Some(f) = findings {
        let path = f.dir.join("summary.json");
        let s = &f.summary;
        recorded_policy = s.policy_version.clone();
        if let Some(o) = &s.options {
            if policy_file.is_none()
                && let Some(p) = &o.policy
            {
                let p = PathBuf::from(p);
                if !p.exists() {
                    bail!(
                        "{} records the policy file {}, which is not there from this \
                         directory; give --policy",
                        path.display(),
                        p.display()
                    );
                }
                policy_file = Some(p);
            }
            if max_rejected.is_none() {
                max_rejected = Some(
                    o.max_rejected
                        .parse()
                        .with_context(|| format!("the max_rejected {} records", path.display()))?,
                );
            }
            if bans.is_none() {
                bans = o.bans.clone();
                if bans.as_deref().is_some_and(|b| b.contains(":***@")) {
                    bail!(
                        "{} records the ban list {} without its password; give --bans",
                        path.display(),
                        bans.unwrap_or_default()
                    );
                }
            }
        }
        if files.is_empty() {
            let Some(inp) = &s.input_files else {
                bail!(
                    "{} does not record its inputs by role (written by an older lockstep); \
                     give the event files (and --accounts/--devices) explicitly",
                    path.display()
                );
            };
            files = inp.events.iter().map(PathBuf::from).collect();
            accounts = accounts.or(inp.accounts.as_ref().map(PathBuf::from));
            devices = devices.or(inp.devices.as_ref().map(PathBuf::from));
            for p in files.iter().chain(accounts.iter()).chain(devices.iter()) {
                if !p.exists() {
                    bail!(
                        "{} records the input {}, which is not there from this directory; \
                         give the event files (and --accounts/--devices) explicitly",
                        path.display(),
                        p.display()
                    );
                }
            }
        }
    }
    if files.is_empty() {
        bail!("no events: give the event files, or --findings DIR of a scan");
    }
    let policy = load_policy(policy_file.as_deref())?;
    if let Some(v) = &recorded_policy
        && *v != policy.version
    {
        eprintln!(
            "lockstep explain: warning: the findings were judged by policy {v}, this run uses {} \
             (pass --policy with the same file)",
            policy.version
        );
    }
    let banned = bans.as_deref().map(load_bans).transpose()?;
    let inputs = Inputs {
        events: &files,
        accounts: accounts.as_deref(),
        devices: devices.as_deref(),
    };
    let mut sink = NullRejectSink;
    let loaded = progress::load(&inputs, max_rejected.unwrap_or_default(), &mut sink, None)
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
    let (mut j, _) = lockstep_judge::scan(&log, &policy)?;
    if let Some(banned) = &banned {
        sp.set_message("matching the ban list");
        match_bans(&log, &mut j, banned, &policy.bans);
    }
    sp.set_message("explaining");
    let e = Explainer::new(&log, &j, &policy).explain(account, args.limit);
    sp.finish_and_clear();
    Ok(e)
}
