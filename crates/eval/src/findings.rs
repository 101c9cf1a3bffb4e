//! Loading a findings directory (CONTRACT §2) against an already loaded truth.

use std::path::Path;

use foldhash::{HashMap, HashSet, HashSetExt};
use serde_json::Value;

use crate::csvfile::{self, RowResult};
use crate::quality::{DataQuality, FileReport, FileStatus, Side};
use crate::truth::{Interner, Truth};

/// `verdicts.csv`.
pub(crate) const VERDICTS: &str = "verdicts.csv";
/// `flagged_events.csv`.
pub(crate) const FLAGGED_EVENTS: &str = "flagged_events.csv";
/// `operations.json`.
pub(crate) const OPERATIONS: &str = "operations.json";
/// `bursts.csv` (optional; an addition to the contract).
pub(crate) const BURSTS: &str = "bursts.csv";

/// One row of `bursts.csv`: whether the judge listed it with an operation, and the truth
/// accounts inside it.
#[derive(Debug, Default)]
pub(crate) struct FoundBurst {
    pub(crate) listed: bool,
    pub(crate) accounts: Vec<u32>,
}

/// What the findings say about an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Verdict {
    #[default]
    Ok,
    Suspicious,
    Fake,
    Compromised,
}

impl Verdict {
    fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "ok" => Some(Verdict::Ok),
            "suspicious" => Some(Verdict::Suspicious),
            "fake" => Some(Verdict::Fake),
            "compromised" => Some(Verdict::Compromised),
            _ => None,
        }
    }

    /// `fake` and `compromised` are actionable; `suspicious` is for review only.
    pub(crate) fn is_flagged(self) -> bool {
        matches!(self, Verdict::Fake | Verdict::Compromised)
    }
}

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
    csvfile::read(
        dir,
        &mut rep,
        &["account", "verdict", "operation"],
        2,
        |row| {
            let account = row.get(0);
            if account.is_empty() {
                return RowResult::Malformed("empty account".to_owned());
            }
            let Some(v) = Verdict::parse(row.get(1)) else {
                return RowResult::Malformed(format!("unknown verdict {:?}", row.get(1)));
            };
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
            let op = row.get(2);
            if !op.is_empty() {
                memberships.push((op.into(), account.into()));
            }
            RowResult::Used
        },
    );
    dq.files.push(rep);

    // flagged_events.csv
    let mut rep = FileReport::new(Side::Findings, FLAGGED_EVENTS);
    let mut flagged = f.flagged_event.take();
    let mut unknown_events: HashSet<Box<str>> = HashSet::new();
    let mut unknown_seen: HashSet<Box<str>> = HashSet::new();
    csvfile::read(dir, &mut rep, &["event"], 1, |row| {
        let event = row.get(0);
        if event.is_empty() {
            return RowResult::Malformed("empty event".to_owned());
        }
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
        csvfile::read(
            dir,
            &mut rep,
            &["target", "operation", "account_ids"],
            3,
            |row| {
                bursts.push(FoundBurst {
                    listed: !row.get(1).is_empty(),
                    accounts: row
                        .get(2)
                        .split(';')
                        .filter_map(|a| {
                            if a.contains('%') {
                                truth
                                    .accounts
                                    .get(&a.replace("%3B", ";").replace("%25", "%"))
                            } else {
                                truth.accounts.get(a)
                            }
                        })
                        .collect(),
                });
                RowResult::Used
            },
        );
        f.bursts = Some(bursts);
        dq.files.push(rep);
    }
    f
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
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&text);
    let value: Value = match serde_json::from_slice(text) {
        Ok(v) => v,
        Err(e) => {
            rep.status = FileStatus::Unusable;
            rep.note = Some(format!("not JSON: {e}"));
            return;
        }
    };
    let entries = match value {
        Value::Array(a) => a,
        Value::Object(mut o) => match o.remove("operations") {
            Some(Value::Array(a)) => a,
            _ => {
                rep.status = FileStatus::Unusable;
                rep.note = Some("a JSON object without an `operations` array".to_owned());
                return;
            }
        },
        _ => {
            rep.status = FileStatus::Unusable;
            rep.note = Some("neither a JSON array nor an object with `operations`".to_owned());
            return;
        }
    };
    rep.status = FileStatus::Read;
    let mut seen_ids: HashSet<String> = HashSet::new();
    for (i, entry) in entries.iter().enumerate() {
        rep.rows += 1;
        let at = Some(i as u64);
        let Value::Object(obj) = entry else {
            rep.malformed(None, at, "not a JSON object".to_owned());
            continue;
        };
        let Some(id) = obj.get("id").and_then(scalar) else {
            rep.malformed(None, at, "no `id` (string or number)".to_owned());
            continue;
        };
        if !seen_ids.insert(id.clone()) {
            // Same id twice: members are merged.
            rep.duplicate(false);
        }
        let kind = obj.get("kind").and_then(scalar);
        let data = f.op_mut(&id);
        if data.kind.is_none() {
            data.kind = kind;
        }
        let mut problems: Vec<String> = Vec::new();
        let mut members: Vec<String> = Vec::new();
        for field in ["accounts", "members"] {
            members.extend(ids(
                obj.get(field),
                field,
                &["id", "account"],
                &mut problems,
            ));
        }
        for m in &members {
            f.add_member(&id, m, truth, dq);
        }
        for v in ids(
            obj.get("victims"),
            "victims",
            &["id", "account"],
            &mut problems,
        ) {
            f.victims.insert(v.into());
        }
        for b in ids(
            obj.get("beneficiaries"),
            "beneficiaries",
            &["id", "owner", "account"],
            &mut problems,
        ) {
            f.beneficiaries.insert(b.into());
        }
        if !problems.is_empty() {
            rep.malformed(
                None,
                at,
                format!("operation {id:?}: {}", problems.join("; ")),
            );
        }
    }
}

/// A string or number as an id string.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The ids in an optional array of strings, numbers or objects carrying one of `keys`.
fn ids(v: Option<&Value>, field: &str, keys: &[&str], problems: &mut Vec<String>) -> Vec<String> {
    let Some(v) = v else { return Vec::new() };
    let Value::Array(items) = v else {
        if !v.is_null() {
            problems.push(format!("`{field}` is not an array"));
        }
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    let mut bad = 0usize;
    for item in items {
        let id = match item {
            Value::Object(o) => keys.iter().find_map(|k| o.get(*k).and_then(scalar)),
            other => scalar(other),
        };
        match id {
            Some(id) => out.push(id),
            None => bad += 1,
        }
    }
    if bad > 0 {
        problems.push(format!("{bad} item(s) of `{field}` are not ids"));
    }
    out
}
