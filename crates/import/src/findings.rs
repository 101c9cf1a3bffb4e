//! Scoring a `lockstep scan` findings directory (CONTRACT §2) against an import: event
//! precision and recall per target (the YouTube videos), and weak-label sanity checks by
//! account group (VoterFraud2020) or account age (the follower sample).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use lockstep_findings::{CsvRow, FlaggedEventRow, VerdictRow};
use serde::Serialize;

use crate::dense::load_events;
use crate::error::{Result, invalid_input_err};
use crate::metrics::Prf;
use crate::out::{TRUTH_ACCOUNTS, TRUTH_EVENTS};

/// The rows of a findings CSV in `findings` (none when the file is absent). Any row the
/// reader could not read is an error naming the file and line: scores from a partly read file
/// would look better or worse than the scan was.
fn rows<R: CsvRow>(findings: &Path) -> Result<Vec<R>> {
    let table = lockstep_findings::read_file::<R>(findings)
        .map_err(|e| invalid_input_err!("{}: {e}", findings.join(R::FILE).display()))?;
    let Some(table) = table else {
        return Ok(Vec::new());
    };
    if let Some(p) = table.unusable.as_ref().or(table.problems.first()) {
        return Err(invalid_input_err!("{}: {p}", findings.display()));
    }
    Ok(table.into_rows().collect())
}

/// `verdicts.csv`: account → verdict.
fn verdicts(findings: &Path) -> Result<HashMap<String, String>> {
    Ok(rows::<VerdictRow>(findings)?
        .into_iter()
        .map(|r| (r.account.into_owned(), r.verdict.as_str().to_owned()))
        .collect())
}

/// Event precision and recall for one target and overall.
#[derive(Debug, Clone, Serialize)]
pub struct TargetScore {
    /// The target (video) or `all`.
    pub target: String,
    /// Labelled events.
    pub events: u64,
    /// Of those, positive.
    pub positives: u64,
    /// Flagged events against the labels.
    pub prf: Prf,
}

/// Event precision and recall of `findings/flagged_events.csv` against the import's
/// `truth_events.csv`, per target and over all.
///
/// # Errors
/// An import without events or event truth.
pub fn per_target(import: &Path, findings: &Path) -> Result<Vec<TargetScore>> {
    let log = load_events(import)?;
    let path = import.join(TRUTH_EVENTS);
    let mut rdr = csv::Reader::from_path(&path)
        .map_err(|e| invalid_input_err!("{}: cannot read the event truth: {e}", path.display()))?;
    let mut truth: HashMap<String, bool> = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| invalid_input_err!("{}: {e}", path.display()))?;
        truth.insert(rec[0].to_owned(), &rec[1] == "1");
    }
    let flagged: HashSet<String> = rows::<FlaggedEventRow>(findings)?
        .into_iter()
        .map(|r| r.event.into_owned())
        .collect();
    let mut by_target: BTreeMap<String, Vec<(bool, bool)>> = BTreeMap::new();
    for i in 0..log.len() {
        let id = log.event_id_string(i);
        let Some(&label) = truth.get(id.as_ref()) else {
            continue;
        };
        let target = log.targets.resolve(log.get(i).target).to_owned();
        by_target
            .entry(target)
            .or_default()
            .push((flagged.contains(id.as_ref()), label));
    }
    let mut out = Vec::new();
    let mut all = Vec::new();
    for (target, pairs) in by_target {
        all.extend_from_slice(&pairs);
        out.push(score(target, &pairs));
    }
    out.push(score("all".into(), &all));
    Ok(out)
}

fn score(target: String, pairs: &[(bool, bool)]) -> TargetScore {
    TargetScore {
        target,
        events: pairs.len() as u64,
        positives: pairs.iter().filter(|p| p.1).count() as u64,
        prf: Prf::from_pairs(pairs.iter().copied()),
    }
}

/// Verdicts by account group (the `groups` column of `truth_accounts.csv`).
#[derive(Debug, Clone, Serialize)]
pub struct GroupReport {
    /// group → verdict → accounts.
    pub by_group: BTreeMap<String, BTreeMap<String, u64>>,
    /// The share of the positive (weak) label among all labelled accounts.
    pub base_rate: Option<f64>,
    /// Accounts flagged `fake` or `compromised`.
    pub flagged: u64,
    /// Flagged accounts against the weak label.
    pub flagged_prf: Prf,
    /// The share of the positive label among flagged accounts over the base rate.
    pub lift: Option<f64>,
    /// Accounts with any verdict other than `ok` (review included).
    pub any_verdict: u64,
    /// The share of the positive label among them.
    pub any_verdict_positive_share: Option<f64>,
}

/// Verdicts by group and against the weak account label.
///
/// # Errors
/// An import without `truth_accounts.csv`.
pub fn by_group(import: &Path, findings: &Path) -> Result<GroupReport> {
    let path = import.join(TRUTH_ACCOUNTS);
    let mut rdr = csv::Reader::from_path(&path)
        .map_err(|e| invalid_input_err!("{}: cannot read the truth: {e}", path.display()))?;
    let v = verdicts(findings)?;
    let mut by_group: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let (mut n, mut pos) = (0u64, 0u64);
    let mut pairs = Vec::new();
    let (mut any, mut any_pos) = (0u64, 0u64);
    for rec in rdr.records() {
        let rec = rec.map_err(|e| invalid_input_err!("{}: {e}", path.display()))?;
        let label = &rec[1] != "organic";
        let verdict = v.get(&rec[0]).map_or("ok", String::as_str);
        let group = rec.get(3).filter(|g| !g.is_empty()).unwrap_or("-");
        *by_group
            .entry(group.to_owned())
            .or_default()
            .entry(verdict.to_owned())
            .or_insert(0) += 1;
        n += 1;
        pos += u64::from(label);
        let flagged = matches!(verdict, "fake" | "compromised");
        pairs.push((flagged, label));
        if verdict != "ok" {
            any += 1;
            any_pos += u64::from(label);
        }
    }
    let prf = Prf::from_pairs(pairs);
    let base_rate = (n > 0).then(|| pos as f64 / n as f64);
    let lift = match (prf.precision, base_rate) {
        (Some(p), Some(b)) if b > 0.0 => Some(p / b),
        _ => None,
    };
    Ok(GroupReport {
        by_group,
        base_rate,
        flagged: prf.tp + prf.fp,
        flagged_prf: prf,
        lift,
        any_verdict: any,
        any_verdict_positive_share: (any > 0).then(|| any_pos as f64 / any as f64),
    })
}

/// What a scan flagged in an unlabelled follower list, with an age check.
#[derive(Debug, Clone, Serialize)]
pub struct FollowerReport {
    /// Verdict → accounts.
    pub verdicts: BTreeMap<String, u64>,
    /// Followers.
    pub followers: u64,
    /// Followers whose account was at most 30 days old at the estimated follow time.
    pub young_at_follow: u64,
    /// Accounts with a verdict other than `ok`.
    pub any_verdict: u64,
    /// Of those, young at follow time.
    pub any_verdict_young: u64,
    /// The longest run of consecutive follows (in follow order) by accounts at most 30 days
    /// old at the estimated follow time, and where it starts (oldest follow = 0).
    pub longest_young_run: (u64, u64),
}

/// Verdicts in a follower-sample scan, and how many followers were young at follow time.
///
/// # Errors
/// An import without events or accounts.
pub fn followers(import: &Path, findings: &Path) -> Result<FollowerReport> {
    let log = load_events(import)?;
    let summary = crate::out::read_summary(import)?;
    let acc = summary
        .files
        .get("accounts")
        .ok_or_else(|| invalid_input_err!("{}: no accounts file", import.display()))?;
    let created = read_created(&import.join(acc))?;
    let v = verdicts(findings)?;
    let mut verdict_counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut rows: Vec<(i64, bool, bool)> = Vec::new();
    const MONTH: i64 = 30 * 86_400_000;
    for i in log.by_time() {
        let e = log.get(i as usize);
        let actor = log.accounts.resolve(e.actor);
        let verdict = v.get(actor).map_or("ok", String::as_str);
        *verdict_counts.entry(verdict.to_owned()).or_insert(0) += 1;
        let young = created.get(actor).is_some_and(|&c| e.ts - c <= MONTH);
        rows.push((e.ts, young, verdict != "ok"));
    }
    let (mut best, mut best_start, mut run, mut start) = (0u64, 0u64, 0u64, 0u64);
    for (k, r) in rows.iter().enumerate() {
        if r.1 {
            if run == 0 {
                start = k as u64;
            }
            run += 1;
            if run > best {
                (best, best_start) = (run, start);
            }
        } else {
            run = 0;
        }
    }
    Ok(FollowerReport {
        verdicts: verdict_counts,
        followers: rows.len() as u64,
        young_at_follow: rows.iter().filter(|r| r.1).count() as u64,
        any_verdict: rows.iter().filter(|r| r.2).count() as u64,
        any_verdict_young: rows.iter().filter(|r| r.1 && r.2).count() as u64,
        longest_young_run: (best, best_start),
    })
}

/// `created_at` of each account in an accounts file, through the ingest reader.
fn read_created(path: &Path) -> Result<HashMap<String, i64>> {
    let none: [std::path::PathBuf; 0] = [];
    let mut rejected = lockstep_ingest::VecRejectSink::new();
    let loaded = lockstep_ingest::load(
        &lockstep_ingest::Inputs {
            events: &none,
            accounts: Some(path),
            devices: None,
        },
        &lockstep_ingest::IngestOptions::default(),
        &mut rejected,
    )?;
    let log = loaded.log;
    let t = &log.account_table;
    Ok(t.accounts()
        .iter()
        .filter_map(|&a| Some((log.accounts.resolve(a).to_owned(), t.created_at(a)?)))
        .collect())
}
