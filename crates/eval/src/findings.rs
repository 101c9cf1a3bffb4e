//! Loading a findings directory (CONTRACT §2) against an already loaded truth.

use std::collections::BTreeMap;
use std::path::Path;

use foldhash::{HashMap, HashSet, HashSetExt};
use lockstep_findings as lf;

use crate::quality::{DataQuality, FileReport, FileStatus, Side};
use crate::truth::{Interner, Truth};

pub(crate) use lockstep_findings::{BURSTS, FLAGGED_EVENTS, OPERATIONS, VERDICTS};

/// One row of `bursts.csv`: whether the judge listed it with an operation, and the truth
/// accounts inside it.
#[derive(Debug, Default)]
pub(crate) struct FoundBurst {
    pub(crate) listed: bool,
    pub(crate) accounts: Vec<u32>,
}

/// What the findings say about an account.
pub(crate) use lockstep_findings::Verdict;

/// One operation the findings describe.
#[derive(Debug, Default)]
pub(crate) struct FoundOp {
    pub(crate) kind: Option<String>,
    /// Member accounts the truth knows, deduplicated.
    pub(crate) known: HashSet<u32>,
    /// Member accounts the truth does not know, deduplicated.
    pub(crate) unknown: HashSet<Box<str>>,
}

impl FoundOp {
    pub(crate) fn size(&self) -> usize {
        self.known.len() + self.unknown.len()
    }
}

/// A findings directory, indexed against the truth.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    /// Verdict per truth account (accounts absent from `verdicts.csv` are `ok`).
    pub(crate) verdict: Vec<Verdict>,
    /// Verdicts of accounts the truth does not know.
    pub(crate) unknown_verdicts: HashMap<Box<str>, Verdict>,
    /// Whether each truth event was flagged; `None` when the truth has no events.
    pub(crate) flagged_event: Option<Vec<bool>>,
    /// Flagged events the truth does not know.
    pub(crate) unknown_events: HashSet<Box<str>>,
    /// Operations found, from `operations.json` and the `operation` column of `verdicts.csv`.
    pub(crate) ops: Interner,
    pub(crate) op_data: Vec<FoundOp>,
    /// Accounts named as scraping victims by any found operation.
    pub(crate) victims: HashSet<Box<str>>,
    /// Accounts named as beneficiaries by any found operation.
    pub(crate) beneficiaries: HashSet<Box<str>>,
    /// `bursts.csv`, when the findings have one.
    pub(crate) bursts: Option<Vec<FoundBurst>>,
    /// `review_queue.csv` in rank order: the truth account and its cause (`None` for an
    /// account the truth does not know), when the findings have one.
    pub(crate) review: Option<Vec<(Option<u32>, String)>>,
}

impl Findings {
    fn op_mut(&mut self, id: &str) -> &mut FoundOp {
        let (i, new) = self.ops.intern(id);
        if new {
            self.op_data.push(FoundOp::default());
        }
        &mut self.op_data[i as usize]
    }

    fn add_member(&mut self, op: &str, account: &str, truth: &Truth, dq: &mut DataQuality) {
        let known = truth.accounts.get(account);
        if known.is_none() && !self.unknown_verdicts.contains_key(account) {
            note_unknown_account(self, account, dq);
        }
        let data = self.op_mut(op);
        match known {
            Some(a) => {
                data.known.insert(a);
            }
            None => {
                data.unknown.insert(account.into());
            }
        }
    }
}

/// Records an unknown account met outside `verdicts.csv` (so never flagged), once.
fn note_unknown_account(f: &mut Findings, account: &str, dq: &mut DataQuality) {
    if f.unknown_verdicts.contains_key(account) {
        return;
    }
    // An unknown account that only operations name is remembered as `ok` so it counts once.
    f.unknown_verdicts.insert(account.into(), Verdict::Ok);
    dq.unknown_accounts.add(account, false);
}

/// Loads `dir` against `truth`, recording file reports and unknown ids in `dq`.
pub(crate) fn load(dir: &Path, truth: &Truth, dq: &mut DataQuality) -> Findings {
    let mut f = Findings {
        verdict: vec![Verdict::Ok; truth.accounts.len()],
        flagged_event: truth.events.as_ref().map(|e| vec![false; e.fake.len()]),
        ..Findings::default()
    };
    if !dir.is_dir() {
        dq.warnings.push(format!(
            "findings directory {} does not exist: scored as nothing found",
            dir.display()
        ));
    }

    // verdicts.csv
    let mut rep = FileReport::new(Side::Findings, VERDICTS);
    let mut seen = vec![false; truth.accounts.len()];
    let mut memberships: Vec<(Box<str>, Box<str>)> = Vec::new();
    read_csv::<lf::VerdictRow>(dir, &mut rep, |_, row| {
        let account = &*row.account;
        let v = row.verdict;
        match truth.accounts.get(account) {
            Some(a) => {
                let a = a as usize;
                if seen[a] {
                    return RowResult::Duplicate(f.verdict[a] != v);
                }
                seen[a] = true;
                f.verdict[a] = v;
            }
            None => {
                if let Some(&old) = f.unknown_verdicts.get(account) {
                    return RowResult::Duplicate(old != v);
                }
                f.unknown_verdicts.insert(account.into(), v);
                dq.unknown_accounts.add(account, v.is_flagged());
            }
        }
        if !row.operation.is_empty() {
            memberships.push((row.operation.as_ref().into(), account.into()));
        }
        RowResult::Used
    });
    dq.files.push(rep);

    // flagged_events.csv
    let mut rep = FileReport::new(Side::Findings, FLAGGED_EVENTS);
    let mut flagged = f.flagged_event.take();
    let mut unknown_events: HashSet<Box<str>> = HashSet::new();
    let mut unknown_seen: HashSet<Box<str>> = HashSet::new();
    read_csv::<lf::FlaggedEventRow>(dir, &mut rep, |_, row| {
        let event = &*row.event;
        match (&truth.events, flagged.as_mut()) {
            (Some(te), Some(fl)) => match te.ids.get(event) {
                Some(&i) => {
                    let i = i as usize;
                    if fl[i] {
                        return RowResult::Duplicate(false);
                    }
                    fl[i] = true;
                }
                None => {
                    if !unknown_events.insert(event.into()) {
                        return RowResult::Duplicate(false);
                    }
                    dq.unknown_events.add(event, true);
                }
            },
            // No event truth: only duplicates can be checked.
            _ => {
                if !unknown_seen.insert(event.into()) {
                    return RowResult::Duplicate(false);
                }
            }
        }
        RowResult::Used
    });
    f.flagged_event = flagged;
    f.unknown_events = unknown_events;
    if truth.events.is_none() && rep.status == FileStatus::Read {
        rep.note = Some("not scored: the truth has no truth_events.csv".to_owned());
    }
    dq.files.push(rep);

    // operations.json
    let mut rep = FileReport::new(Side::Findings, OPERATIONS);
    load_operations(dir, &mut rep, &mut f, truth, dq);
    dq.files.push(rep);
    for (op, account) in memberships {
        f.add_member(&op, &account, truth, dq);
    }

    // bursts.csv, only when present (findings written before it existed have none).
    if dir.join(BURSTS).is_file() {
        let mut rep = FileReport::new(Side::Findings, BURSTS);
        let mut bursts = Vec::new();
        read_csv::<lf::BurstRow>(dir, &mut rep, |_, row| {
            bursts.push(FoundBurst {
                listed: !row.operation.is_empty(),
                accounts: row
                    .account_ids
                    .iter()
                    .filter_map(|a| truth.accounts.get(a))
                    .collect(),
            });
            RowResult::Used
        });
        f.bursts = Some(bursts);
        dq.files.push(rep);
    }

    // review_queue.csv, only when present.
    if dir.join(lf::REVIEW_QUEUE).is_file() {
        let mut rep = FileReport::new(Side::Findings, lf::REVIEW_QUEUE);
        let mut rows: Vec<(u64, Option<u32>, String)> = Vec::new();
        read_csv::<lf::ReviewRow>(dir, &mut rep, |_, row| {
            rows.push((
                row.rank,
                truth.accounts.get(&row.account),
                row.cause.into_owned(),
            ));
            RowResult::Used
        });
        rows.sort_by_key(|r| r.0);
        f.review = Some(rows.into_iter().map(|(_, a, c)| (a, c)).collect());
        dq.files.push(rep);
    }
    f
}

/// What the row callback of [`read_csv`] decided about one row.
enum RowResult {
    /// The row was used.
    Used,
    /// The row repeats an earlier key; `true` when it also disagrees with that row.
    Duplicate(bool),
}

/// Reads `dir/R::FILE` with the findings reader into `report`: its status, its rows, and
/// the rows the reader left out (with their lines) as malformed. Each row read goes to
/// `on_row`.
fn read_csv<R: lf::CsvRow>(
    dir: &Path,
    report: &mut FileReport,
    mut on_row: impl FnMut(u64, R) -> RowResult,
) {
    let path = dir.join(R::FILE);
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            report.status = FileStatus::Missing;
            return;
        }
        Err(e) => {
            report.status = FileStatus::Unusable;
            report.note = Some(format!("cannot open: {e}"));
            return;
        }
    };
    let t = lf::read_each::<R>(R::FILE, file, |line, row| match on_row(line, row) {
        RowResult::Used => {}
        RowResult::Duplicate(conflicting) => report.duplicate(conflicting),
    });
    if let Some(p) = t.unusable {
        report.status = FileStatus::Unusable;
        report.note = Some(p.reason);
        return;
    }
    report.status = FileStatus::Read;
    report.rows = t.records;
    for p in t.problems.into_iter().filter(|p| p.skipped) {
        report.malformed(p.line, None, p.reason);
    }
}

fn load_operations(
    dir: &Path,
    rep: &mut FileReport,
    f: &mut Findings,
    truth: &Truth,
    dq: &mut DataQuality,
) {
    let path = dir.join(OPERATIONS);
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
        Err(e) => {
            rep.status = FileStatus::Unusable;
            rep.note = Some(format!("cannot read: {e}"));
            return;
        }
    };
    let read = lf::read_operations(&text);
    if let Some(p) = read.unusable {
        rep.status = FileStatus::Unusable;
        rep.note = Some(p.reason);
        return;
    }
    rep.status = FileStatus::Read;
    rep.rows = read.entries as u64;
    // Problems by entry: one malformed count per entry, in entry order.
    let mut problems: BTreeMap<u64, Vec<lf::Problem>> = BTreeMap::new();
    for p in read.problems {
        problems.entry(p.entry.unwrap_or(0)).or_default().push(p);
    }
    let mut seen_ids: HashSet<String> = HashSet::new();
    let mut ops = read.operations.into_iter().peekable();
    for i in 0..read.entries as u64 {
        let at = Some(i);
        let here = problems.remove(&i).unwrap_or_default();
        let Some(op) = ops.next_if(|o| o.index as u64 == i) else {
            if let Some(p) = here.into_iter().next() {
                rep.malformed(None, at, p.reason);
            }
            continue;
        };
        let id = op.id;
        if !seen_ids.insert(id.clone()) {
            // Same id twice: members are merged.
            rep.duplicate(false);
        }
        let data = f.op_mut(&id);
        if data.kind.is_none() {
            data.kind = op.kind;
        }
        for m in &op.members {
            f.add_member(&id, m, truth, dq);
        }
        f.victims
            .extend(op.victims.into_iter().map(String::into_boxed_str));
        f.beneficiaries
            .extend(op.beneficiaries.into_iter().map(String::into_boxed_str));
        if !here.is_empty() {
            let what: Vec<String> = here
                .iter()
                .map(|p| format!("{}: {}", p.path.as_deref().unwrap_or(""), p.reason))
                .collect();
            rep.malformed(None, at, format!("operation {id:?}: {}", what.join("; ")));
        }
    }
}
