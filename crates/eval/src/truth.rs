//! Loading a ground-truth directory into dense, indexed tables.

use std::collections::hash_map::Entry;
use std::path::Path;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::csvfile::{self, Outcome, RowResult};
use crate::error::{Error, Result, invalid_input_err};
use crate::quality::{FileReport, Side};

/// `truth_accounts.csv`.
pub(crate) const ACCOUNTS: &str = "truth_accounts.csv";
/// `truth_events.csv`.
pub(crate) const EVENTS: &str = "truth_events.csv";
/// `truth_operations.csv`.
pub(crate) const OPERATIONS: &str = "truth_operations.csv";
/// `truth_victims.csv`.
pub(crate) const VICTIMS: &str = "truth_victims.csv";
/// `truth_beneficiaries.csv`.
pub(crate) const BENEFICIARIES: &str = "truth_beneficiaries.csv";

/// What an account really is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Label {
    Organic,
    Fake,
    Compromised,
}

impl Label {
    fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "organic" => Some(Label::Organic),
            "fake" => Some(Label::Fake),
            "compromised" => Some(Label::Compromised),
            _ => None,
        }
    }

    pub(crate) fn is_positive(self) -> bool {
        self != Label::Organic
    }
}

/// Interns strings into dense `u32` ids, keeping first-seen order.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    map: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    pub(crate) fn get(&self, s: &str) -> Option<u32> {
        self.map.get(s).copied()
    }

    /// The id of `s`, and whether it was new.
    pub(crate) fn intern(&mut self, s: &str) -> (u32, bool) {
        if let Some(&id) = self.map.get(s) {
            return (id, false);
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 2^32 distinct ids");
        self.map.insert(s.into(), id);
        self.names.push(s.into());
        (id, true)
    }

    pub(crate) fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}

/// What `truth_operations.csv` says about one operation.
#[derive(Debug, Default, Clone)]
pub(crate) struct OpMeta {
    pub(crate) scenario: Option<String>,
    pub(crate) kind: Option<String>,
    pub(crate) returns_from: Option<String>,
}

/// `truth_events.csv`, indexed.
#[derive(Debug, Default)]
pub(crate) struct TruthEvents {
    pub(crate) ids: HashMap<Box<str>, u32>,
    pub(crate) fake: Vec<bool>,
    pub(crate) op: Vec<Option<u32>>,
}

/// A ground-truth directory, indexed.
#[derive(Debug, Default)]
pub(crate) struct Truth {
    pub(crate) accounts: Interner,
    pub(crate) label: Vec<Label>,
    pub(crate) account_op: Vec<Option<u32>>,
    /// Group ids of each account (hard-negative cohorts).
    pub(crate) account_groups: Vec<Vec<u32>>,
    pub(crate) groups: Interner,
    pub(crate) has_groups_column: bool,
    pub(crate) ops: Interner,
    /// Indexed by op id; filled up to `ops.len()` once loading is done.
    pub(crate) op_meta: Vec<Option<OpMeta>>,
    pub(crate) has_ops_file: bool,
    pub(crate) events: Option<TruthEvents>,
    /// `(operation, account)` pairs, deduplicated.
    pub(crate) victims: Option<Vec<(u32, Box<str>)>>,
    /// `(operation, owner)` pairs, deduplicated.
    pub(crate) beneficiaries: Option<Vec<(u32, Box<str>)>>,
}

/// Loads `dir`; the per-file reports are appended to `files`.
pub(crate) fn load(dir: &Path, files: &mut Vec<FileReport>) -> Result<Truth> {
    if !dir.is_dir() {
        return Err(invalid_input_err!(
            "truth directory {} does not exist or is not a directory",
            dir.display()
        ));
    }
    let mut t = Truth::default();

    // Accounts: the one required file.
    let mut rep = FileReport::new(Side::Truth, ACCOUNTS);
    let outcome = csvfile::read(
        dir,
        &mut rep,
        &["account", "label", "operation", "groups"],
        2,
        |row| {
            let account = row.get(0);
            if account.is_empty() {
                return RowResult::Malformed("empty account".to_owned());
            }
            let Some(label) = Label::parse(row.get(1)) else {
                return RowResult::Malformed(format!("unknown label {:?}", row.get(1)));
            };
            let op = row.get(2);
            let op = (!op.is_empty()).then(|| t.ops.intern(op).0);
            let (idx, new) = t.accounts.intern(account);
            if !new {
                let i = idx as usize;
                return RowResult::Duplicate(t.label[i] != label || t.account_op[i] != op);
            }
            t.label.push(label);
            t.account_op.push(op);
            let mut gs: Vec<u32> = Vec::new();
            for g in row
                .get(3)
                .split(';')
                .map(str::trim)
                .filter(|g| !g.is_empty())
            {
                let (g, _) = t.groups.intern(g);
                if !gs.contains(&g) {
                    gs.push(g);
                }
            }
            t.account_groups.push(gs);
            t.has_groups_column |= row.has(3);
            RowResult::Used
        },
    );
    match outcome {
        Outcome::Read => {}
        Outcome::Missing => {
            return Err(invalid_input_err!(
                "{} has no {ACCOUNTS}: not a ground-truth directory",
                dir.display()
            ));
        }
        Outcome::Unusable(why) => {
            return Err(invalid_input_err!(
                "{}: {why}",
                dir.join(ACCOUNTS).display()
            ));
        }
        Outcome::Failed(e) => {
            return Err(Error::Io {
                path: dir.join(ACCOUNTS),
                source: e.into(),
            });
        }
    }
    files.push(rep);

    // Events: optional; without it, event metrics are not available.
    let mut rep = FileReport::new(Side::Truth, EVENTS);
    let mut ev = TruthEvents::default();
    let outcome = csvfile::read(dir, &mut rep, &["event", "fake", "operation"], 2, |row| {
        let event = row.get(0);
        if event.is_empty() {
            return RowResult::Malformed("empty event".to_owned());
        }
        let fake = match row.get(1).to_ascii_lowercase().as_str() {
            "1" | "true" => true,
            "0" | "false" => false,
            other => return RowResult::Malformed(format!("bad fake flag {other:?}")),
        };
        let op = row.get(2);
        let op = (!op.is_empty()).then(|| t.ops.intern(op).0);
        let next = u32::try_from(ev.fake.len()).expect("fewer than 2^32 events");
        match ev.ids.entry(event.into()) {
            Entry::Occupied(o) => {
                let i = *o.get() as usize;
                RowResult::Duplicate(ev.fake[i] != fake || ev.op[i] != op)
            }
            Entry::Vacant(v) => {
                v.insert(next);
                ev.fake.push(fake);
                ev.op.push(op);
                RowResult::Used
            }
        }
    });
    if matches!(outcome, Outcome::Read) {
        t.events = Some(ev);
    }
    files.push(rep);

    // Operations: optional metadata (scenario, kind).
    let mut rep = FileReport::new(Side::Truth, OPERATIONS);
    let mut meta: HashMap<u32, OpMeta> = HashMap::new();
    let outcome = csvfile::read(
        dir,
        &mut rep,
        &["operation", "scenario", "kind", "returns_from"],
        1,
        |row| {
            let id = row.get(0);
            if id.is_empty() {
                return RowResult::Malformed("empty operation".to_owned());
            }
            let (op, _) = t.ops.intern(id);
            let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
            let m = OpMeta {
                scenario: nonempty(row.get(1)),
                kind: nonempty(row.get(2)),
                returns_from: nonempty(row.get(3)),
            };
            match meta.entry(op) {
                Entry::Occupied(o) => {
                    let old = o.get();
                    RowResult::Duplicate(
                        old.scenario != m.scenario
                            || old.kind != m.kind
                            || old.returns_from != m.returns_from,
                    )
                }
                Entry::Vacant(v) => {
                    v.insert(m);
                    RowResult::Used
                }
            }
        },
    );
    t.has_ops_file = matches!(outcome, Outcome::Read);
    files.push(rep);

    // Victims and beneficiaries: optional `(operation, id)` pairs.
    t.victims = load_pairs(dir, VICTIMS, "account", &mut t.ops, files);
    t.beneficiaries = load_pairs(dir, BENEFICIARIES, "owner", &mut t.ops, files);

    t.op_meta = (0..t.ops.len())
        .map(|i| meta.remove(&u32::try_from(i).expect("op ids fit in u32")))
        .collect();
    Ok(t)
}

/// Reads an `operation,<column>` file into deduplicated pairs; `None` when it is not usable.
fn load_pairs(
    dir: &Path,
    file: &str,
    column: &str,
    ops: &mut Interner,
    files: &mut Vec<FileReport>,
) -> Option<Vec<(u32, Box<str>)>> {
    let mut rep = FileReport::new(Side::Truth, file);
    let mut seen: HashSet<(u32, Box<str>)> = HashSet::new();
    let mut pairs = Vec::new();
    let outcome = csvfile::read(dir, &mut rep, &["operation", column], 2, |row| {
        let (op, id) = (row.get(0), row.get(1));
        if op.is_empty() || id.is_empty() {
            return RowResult::Malformed(format!("empty operation or {column}"));
        }
        let (op, _) = ops.intern(op);
        if seen.insert((op, id.into())) {
            pairs.push((op, id.into()));
            RowResult::Used
        } else {
            RowResult::Duplicate(false)
        }
    });
    files.push(rep);
    matches!(outcome, Outcome::Read).then_some(pairs)
}
