//! Golden verdict cases: each directory under `tests/cases/` is a small event log with the
//! verdicts the judge gives it, written beside it as CSV a reviewer can read.
//!
//! A case directory holds:
//!
//! - `events.jsonl` (CONTRACT §1), and optionally `accounts.csv` and `devices.csv`;
//! - optionally `policy.toml` (a non-default policy, as `lockstep scan --policy`) and
//!   `bans.json` (a list of `lockstep_judge::BannedOperation`, the ban list `lockstep scan
//!   --bans` reads from a store);
//! - `README.md`: who is who and what an analyst would conclude;
//! - `expected.csv`: `account,verdict,operation,flagged_events,reasons`, one row per account
//!   that is not `ok`, and one per `ok` account that acted in the log unless its id starts
//!   with `bg-` (the background, listed only when flagged); `flagged_events` is `flagged/all`
//!   of the account's events, reasons are sorted;
//! - `expected-operations.csv`: one row per operation: kind, member counts by verdict,
//!   flagged events, beneficiaries, victims, infrastructure and the signals that found it.
//!
//! The test loads the files as `lockstep scan` does (`lockstep_ingest::load`, the policy file,
//! `lockstep_judge::scan`, then ban matching when there is a ban list), renders both CSVs and
//! compares them with the files, printing a line diff per case. `LOCKSTEP_BLESS=1` rewrites
//! the files instead (`scripts/bless`); review the diff and commit it. With
//! `LOCKSTEP_GOLDEN_SIGNALS=1` (and `-- --nocapture`) each case's detector signals are printed
//! with their summaries. The input files are written by `tests/cases/generate.py`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use lockstep_core::{EventLog, Id};
use lockstep_ingest::{IngestOptions, Inputs, VecRejectSink};
use lockstep_judge::{BannedOperation, Judgement, NO_OP, Policy, match_bans, scan};

/// The header of `expected.csv`.
const VERDICTS: &str = "account,verdict,operation,flagged_events,reasons";
/// The header of `expected-operations.csv`.
const OPERATIONS: &str = "operation,kind,members,fake,compromised,suspicious,events,beneficiaries,victims,subnets,devices,clients,signals";
/// Lists longer than this are cut to their first `SHOWN` names and a count.
const LIST_MAX: usize = 12;
const SHOWN: usize = 10;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

/// The case directories, sorted by name.
fn cases() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("tests/cases exists")
        .map(|e| e.expect("a readable directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

/// Loads and judges one case as `lockstep scan` would.
fn run(dir: &Path) -> (EventLog, Judgement) {
    let events = [dir.join("events.jsonl")];
    let side = |name: &str| Some(dir.join(name)).filter(|p| p.exists());
    let (accounts, devices) = (side("accounts.csv"), side("devices.csv"));
    let inputs = Inputs {
        events: &events,
        accounts: accounts.as_deref(),
        devices: devices.as_deref(),
    };
    let mut rejected = VecRejectSink::new();
    let loaded = lockstep_ingest::load(&inputs, &IngestOptions::default(), &mut rejected)
        .unwrap_or_else(|e| panic!("{}: cannot load: {e}", dir.display()));
    assert!(
        rejected.0.is_empty(),
        "{}: rejected lines: {:?}",
        dir.display(),
        rejected.0
    );
    let policy = match side("policy.toml") {
        Some(p) => Policy::from_toml(&std::fs::read_to_string(&p).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", p.display())),
        None => Policy::default(),
    };
    let log = loaded.log;
    let (mut j, _) = scan(&log, &policy).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    if let Some(p) = side("bans.json") {
        let bans: Vec<BannedOperation> =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        match_bans(&log, &mut j, &bans, &policy.bans);
    }
    (log, j)
}

/// `a;b;c`, or the first names and how many there are in all.
fn list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    if names.len() <= LIST_MAX {
        names.join(";")
    } else {
        format!("{};... ({} in all)", names[..SHOWN].join(";"), names.len())
    }
}

/// A CSV field: quoted when it holds a comma or a quote.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn row(out: &mut String, fields: &[&str]) {
    let fields: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&fields.join(","));
    out.push('\n');
}

/// `expected.csv`.
fn render_verdicts(log: &EventLog, j: &Judgement) -> String {
    let n = log.accounts.len();
    let (mut events, mut flagged) = (vec![0usize; n], vec![0usize; n]);
    for (e, &a) in log.actor().iter().enumerate() {
        events[a as usize] += 1;
        if j.event_op[e] != NO_OP {
            flagged[a as usize] += 1;
        }
    }
    let mut rows: Vec<(&str, usize)> = (0..n)
        .map(|a| (log.accounts.resolve(a as Id), a))
        .filter(|&(name, a)| {
            let v = j.accounts[a].verdict;
            v != lockstep_judge::Verdict::Ok || (events[a] > 0 && !name.starts_with("bg-"))
        })
        .collect();
    rows.sort();
    let mut out = format!("{VERDICTS}\n");
    for (name, a) in rows {
        let v = &j.accounts[a];
        let op = if v.operation == NO_OP {
            ""
        } else {
            &j.operations[v.operation as usize].id
        };
        let mut reasons: Vec<&str> = v.reasons.codes().collect();
        reasons.sort_unstable();
        let counts = format!("{}/{}", flagged[a], events[a]);
        row(
            &mut out,
            &[name, v.verdict.as_str(), op, &counts, &reasons.join(";")],
        );
    }
    out
}

/// `expected-operations.csv`.
fn render_operations(log: &EventLog, j: &Judgement) -> String {
    let accounts = |ids: &[Id]| {
        let mut names: Vec<&str> = ids.iter().map(|&a| log.accounts.resolve(a)).collect();
        names.sort_unstable();
        list(names)
    };
    let mut out = format!("{OPERATIONS}\n");
    for o in &j.operations {
        let signals: BTreeSet<&str> = o.signals.iter().map(|s| s.reason).collect();
        let mut subnets: Vec<&str> = o.subnets.iter().map(|(s, _)| s.as_str()).collect();
        subnets.sort_unstable();
        let subnets = list(subnets);
        let clients = list(o.clients.iter().map(|&(c, _)| log.clients.resolve(c)));
        let counts = [
            o.members.len(),
            o.fake,
            o.compromised,
            o.suspicious.len(),
            o.events,
        ]
        .map(|c| c.to_string());
        let (benef, victims) = (accounts(&o.beneficiaries), accounts(&o.victims));
        let devices = o.devices.len().to_string();
        let signals = signals.into_iter().collect::<Vec<_>>().join(";");
        let mut fields = vec![o.id.as_str(), o.kind.as_str()];
        fields.extend(counts.iter().map(String::as_str));
        fields.extend([
            benef.as_str(),
            &victims,
            &subnets,
            &devices,
            &clients,
            &signals,
        ]);
        row(&mut out, &fields);
    }
    out
}

/// A line diff of `want` against `got` (`-` only in the file, `+` only in the judge's output),
/// with two lines of context around each change.
fn diff(want: &str, got: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    // Longest common subsequence, from the end.
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for k in (0..b.len()).rev() {
            lcs[i][k] = if a[i] == b[k] {
                lcs[i + 1][k + 1] + 1
            } else {
                lcs[i + 1][k].max(lcs[i][k + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut k) = (0, 0);
    while i < a.len() || k < b.len() {
        if i < a.len() && k < b.len() && a[i] == b[k] {
            ops.push((' ', a[i]));
            i += 1;
            k += 1;
        } else if i < a.len() && (k == b.len() || lcs[i + 1][k] >= lcs[i][k + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[k]));
            k += 1;
        }
    }
    let near = |x: usize| {
        ops[x.saturating_sub(2)..ops.len().min(x + 3)]
            .iter()
            .any(|o| o.0 != ' ')
    };
    let mut out = String::new();
    let mut skipped = false;
    for (x, (c, line)) in ops.iter().enumerate() {
        if near(x) {
            if skipped {
                out.push_str("  ...\n");
                skipped = false;
            }
            let _ = writeln!(out, "{c} {line}");
        } else {
            skipped = true;
        }
    }
    out
}

#[test]
fn golden_cases() {
    let bless = std::env::var_os("LOCKSTEP_BLESS").is_some_and(|v| v == "1");
    let signals = std::env::var_os("LOCKSTEP_GOLDEN_SIGNALS").is_some_and(|v| v == "1");
    let cases = cases();
    assert!(
        !cases.is_empty(),
        "no cases under {}",
        cases_dir().display()
    );
    let mut failures = Vec::new();
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let started = Instant::now();
        let (log, j) = run(dir);
        let files = [
            ("expected.csv", render_verdicts(&log, &j)),
            ("expected-operations.csv", render_operations(&log, &j)),
        ];
        eprintln!(
            "{name}: {} events, {} accounts, {:.2} s",
            log.len(),
            log.accounts.len(),
            started.elapsed().as_secs_f64()
        );
        if signals {
            for s in &j.signals {
                eprintln!("  {:?}: {}", s.reason, s.summary);
            }
        }
        for (file, got) in files {
            let path = dir.join(file);
            let want = std::fs::read_to_string(&path).unwrap_or_default();
            if want == got {
                continue;
            }
            if bless {
                std::fs::write(&path, &got).unwrap();
                eprintln!("{name}: rewrote {file}");
            } else {
                failures.push(format!(
                    "case {name}: {file} differs (- in the file, + what the judge gives):\n{}",
                    diff(&want, &got)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n{} golden file(s) differ; if the change is intended, run scripts/bless and review \
         the diff",
        failures.join("\n"),
        failures.len()
    );
}
