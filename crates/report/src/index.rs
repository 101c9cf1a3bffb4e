//! The per-operation event index: which events belong to which operation and which are
//! flagged, built with one pass over the log.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;

use lockstep_core::{EventId, EventLog, Id};
use rayon::prelude::*;

use crate::findings::{Findings, Label};

/// "No operation".
const NO_OP: u32 = u32::MAX;

/// One operation as the report sees it: its members resolved to account ids and its events.
#[derive(Debug, Clone, Default)]
pub struct OpIndex {
    /// The operation id.
    pub id: String,
    /// Its kind, empty when unknown.
    pub kind: String,
    /// Its entry in [`Findings::operations`], if it has one (an operation can also be named
    /// only by `verdicts.csv` or `flagged_events.csv`).
    pub json: Option<usize>,
    /// Member accounts found in the log, sorted.
    pub members: Vec<Id>,
    /// Member ids named by the findings but absent from the log.
    pub unknown_members: usize,
    /// Events of the members and flagged events attributed to the operation, sorted by time
    /// (ties by index).
    pub events: Vec<u32>,
    /// One bit per entry of `events`: flagged for this operation.
    flags: Vec<u64>,
    /// How many of `events` are flagged for this operation.
    pub flagged: usize,
    /// Members' verdicts: (verdict, accounts), most common first.
    pub verdicts: Vec<(String, usize)>,
    /// The reason codes of its verdicts and flagged events, most common first.
    pub reasons: Vec<ReasonCount>,
}

/// One reason code of an operation: the accounts whose verdict gives it and the flagged events
/// that give it. A code can be an account's (`own-history`), an event's (`fake-account`: the
/// other events of an account judged fake) or both, so either count can be zero.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReasonCount {
    /// The code.
    pub code: String,
    /// Accounts of the operation whose verdict (`verdicts.csv`) gives the code.
    pub accounts: usize,
    /// Flagged events of the operation (`flagged_events.csv`) that give the code.
    pub events: usize,
    /// The distinct accounts that made those events.
    pub event_accounts: usize,
}

impl OpIndex {
    /// Whether `events[pos]` is flagged for this operation.
    #[inline]
    pub fn flagged_at(&self, pos: usize) -> bool {
        self.flags
            .get(pos / 64)
            .is_some_and(|w| w & (1 << (pos % 64)) != 0)
    }

    /// The flagged events of this operation, by time.
    pub fn flagged_events(&self) -> impl Iterator<Item = u32> + '_ {
        self.events
            .iter()
            .enumerate()
            .filter(|(p, _)| self.flagged_at(*p))
            .map(|(_, &e)| e)
    }
}

/// Which events belong to which operation and which are flagged.
///
/// # Complexity
/// [`ReportIndex::build`] is one parallel pass over the log to match flagged event ids (hash
/// lookups only for the flagged ids' forms), one sequential pass over the actor column
/// against a dense account → operations table, then a sort of each operation's events.
#[derive(Debug, Clone, Default)]
pub struct ReportIndex {
    /// The operations, in `operations.json` order, then those named only in the CSV files
    /// (by id).
    pub ops: Vec<OpIndex>,
    /// One bit per event: flagged.
    flagged: Vec<u64>,
    /// (event, operation) for flagged events attributed to an operation, sorted by event.
    flag_op: Vec<(u32, u32)>,
    /// Distinct events of the log that `flagged_events.csv` names.
    pub flagged_in_log: usize,
    /// Rows of `flagged_events.csv` whose event is not in the log.
    pub flagged_missing: usize,
    /// A few of those event ids.
    pub flagged_missing_examples: Vec<String>,
}

impl ReportIndex {
    /// Builds the index of `findings` over `log`.
    pub fn build(log: &EventLog, findings: &Findings) -> Self {
        Self::build_known(log, findings, None)
    }

    /// [`ReportIndex::build`] for a caller that knows which event of the log each row of
    /// `findings.flagged` names (`flagged_events[row]`, as when it wrote the file itself):
    /// the rows are checked against those events' ids, one comparison each, instead of
    /// hashing the id of every event of the log. When the rows do not match (another file,
    /// edited rows), the ids are matched as by [`ReportIndex::build`].
    pub fn build_known(
        log: &EventLog,
        findings: &Findings,
        flagged_events: Option<&[u32]>,
    ) -> Self {
        let labels = &findings.labels;
        // Operations: operations.json first, merged by id, then ids only the CSVs name.
        let mut ops: Vec<OpIndex> = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        for (j, op) in findings.operations.iter().enumerate() {
            if !by_id.contains_key(&op.id) {
                by_id.insert(op.id.clone(), ops.len());
                ops.push(OpIndex {
                    id: op.id.clone(),
                    kind: op.kind.clone(),
                    json: Some(j),
                    ..OpIndex::default()
                });
            }
        }
        let mut csv_only: Vec<&str> = findings
            .verdicts
            .iter()
            .map(|v| v.operation)
            .chain(findings.flagged.iter().map(|f| f.operation))
            .map(|l| labels.name(l))
            .filter(|n| !n.is_empty() && !by_id.contains_key(*n))
            .collect();
        csv_only.sort_unstable();
        csv_only.dedup();
        for name in csv_only {
            by_id.insert(name.to_owned(), ops.len());
            ops.push(OpIndex {
                id: name.to_owned(),
                ..OpIndex::default()
            });
        }
        let label_op: Vec<u32> = (0..labels.len() as Label)
            .map(|l| by_id.get(labels.name(l)).map_or(NO_OP, |&k| k as u32))
            .collect();

        // Memberships (account, op): named in operations.json or by a verdict row.
        let mut pairs: Vec<(Id, u32)> = Vec::new();
        for op in &findings.operations {
            let k = by_id[&op.id];
            for m in &op.members {
                match log.accounts.get(m) {
                    Some(a) => pairs.push((a, k as u32)),
                    None => ops[k].unknown_members += 1,
                }
            }
        }
        for v in &findings.verdicts {
            let k = label_op[v.operation as usize];
            if k != NO_OP
                && let Some(a) = log.accounts.get(&v.account)
            {
                pairs.push((a, k));
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        for &(a, k) in &pairs {
            ops[k as usize].members.push(a);
        }
        // CSR: account → its operations.
        let n_acc = log.accounts.len();
        let mut start = vec![0u32; n_acc + 1];
        for &(a, _) in &pairs {
            start[a as usize + 1] += 1;
        }
        for i in 0..n_acc {
            start[i + 1] += start[i];
        }
        let ops_of = |a: Id| -> &[(Id, u32)] {
            if (a as usize) < n_acc {
                &pairs[start[a as usize] as usize..start[a as usize + 1] as usize]
            } else {
                &[]
            }
        };

        // Flagged events: match ids to events.
        let matched = flagged_events
            .and_then(|known| match_known(log, findings, known))
            .unwrap_or_else(|| match_flagged(log, findings));
        let n = log.len();
        let mut flagged = vec![0u64; n.div_ceil(64)];
        let mut row_used = vec![false; findings.flagged.len()];
        let mut flag_op: Vec<(u32, u32)> = Vec::new();
        let mut flag_reasons: HashMap<(u32, Label), usize> = HashMap::new();
        // (operation, reasons, actor) of every flagged event, for the accounts behind a code.
        let mut flag_actors: Vec<(u32, Label, Id)> = Vec::new();
        let mut last_event = u32::MAX;
        for &(e, row) in &matched {
            row_used[row as usize] = true;
            if e == last_event {
                continue;
            }
            last_event = e;
            flagged[e as usize / 64] |= 1 << (e % 64);
            let fr = &findings.flagged[row as usize];
            let mut k = label_op[fr.operation as usize];
            if k == NO_OP {
                k = ops_of(log.actor()[e as usize])
                    .first()
                    .map_or(NO_OP, |p| p.1);
            }
            if k != NO_OP {
                flag_op.push((e, k));
                *flag_reasons.entry((k, fr.reasons)).or_default() += 1;
                flag_actors.push((k, fr.reasons, log.actor()[e as usize]));
            }
        }
        let flagged_in_log = flagged.iter().map(|w| w.count_ones() as usize).sum();
        let missing: Vec<usize> = (0..row_used.len()).filter(|&r| !row_used[r]).collect();
        let flagged_missing_examples = missing
            .iter()
            .take(5)
            .map(|&r| findings.flagged[r].event.to_string())
            .collect();

        // One pass over the actor column: each operation's events come out ascending.
        let mut per_op: Vec<Vec<u32>> = vec![Vec::new(); ops.len()];
        for (i, &a) in log.actor().iter().enumerate() {
            for &(_, k) in ops_of(a) {
                per_op[k as usize].push(i as u32);
            }
        }
        // Flagged events per operation, ascending; those of non-members join the events.
        let mut flagged_of: Vec<Vec<u32>> = vec![Vec::new(); ops.len()];
        for &(e, k) in &flag_op {
            flagged_of[k as usize].push(e);
            let a = log.actor()[e as usize];
            if !ops_of(a).iter().any(|p| p.1 == k) {
                per_op[k as usize].push(e);
            }
        }
        let ts = log.ts();
        let sorted: Vec<(Vec<u32>, Vec<u64>, usize)> = per_op
            .into_par_iter()
            .zip(flagged_of)
            .map(|(mut evs, flagged)| {
                evs.sort_unstable();
                evs.dedup();
                // Merge with the (ascending) flagged events, then order by time.
                let mut j = 0;
                let mut keyed: Vec<(i64, u32, bool)> = evs
                    .iter()
                    .map(|&e| {
                        while j < flagged.len() && flagged[j] < e {
                            j += 1;
                        }
                        (ts[e as usize], e, j < flagged.len() && flagged[j] == e)
                    })
                    .collect();
                keyed.sort_unstable();
                let mut flags = vec![0u64; keyed.len().div_ceil(64)];
                let mut n = 0;
                for (p, k) in keyed.iter().enumerate() {
                    if k.2 {
                        flags[p / 64] |= 1 << (p % 64);
                        n += 1;
                    }
                }
                (keyed.into_iter().map(|k| k.1).collect(), flags, n)
            })
            .collect();
        for (op, (evs, flags, n)) in ops.iter_mut().zip(sorted) {
            op.events = evs;
            op.flags = flags;
            op.flagged = n;
        }

        // Verdicts and reasons per operation.
        let mut verdicts: HashMap<(u32, Label), usize> = HashMap::new();
        let mut verdict_reasons: HashMap<(u32, Label), usize> = HashMap::new();
        for v in &findings.verdicts {
            let k = label_op[v.operation as usize];
            if k != NO_OP {
                *verdicts.entry((k, v.verdict)).or_default() += 1;
                *verdict_reasons.entry((k, v.reasons)).or_default() += 1;
            }
        }
        let mut vs: Vec<Vec<(String, usize)>> = vec![Vec::new(); ops.len()];
        for ((k, l), c) in verdicts {
            vs[k as usize].push((labels.name(l).to_owned(), c));
        }
        // code → (accounts, events, accounts behind the events)
        let mut rs: Vec<HashMap<&str, (usize, usize, usize)>> = vec![HashMap::new(); ops.len()];
        for ((k, l), c) in verdict_reasons {
            for code in split_codes(labels.name(l)) {
                rs[k as usize].entry(code).or_default().0 += c;
            }
        }
        for ((k, l), c) in flag_reasons {
            for code in split_codes(labels.name(l)) {
                rs[k as usize].entry(code).or_default().1 += c;
            }
        }
        // Accounts behind each code's events: distinct (operation, reasons, actor), then
        // distinct (operation, code, actor), as one account's events can carry several sets.
        flag_actors.par_sort_unstable();
        flag_actors.dedup();
        let mut code_actors: Vec<(u32, &str, Id)> = flag_actors
            .iter()
            .flat_map(|&(k, l, a)| split_codes(labels.name(l)).map(move |c| (k, c, a)))
            .collect();
        code_actors.par_sort_unstable();
        code_actors.dedup();
        for &(k, code, _) in &code_actors {
            rs[k as usize].entry(code).or_default().2 += 1;
        }
        for ((op, mut v), r) in ops.iter_mut().zip(vs).zip(rs) {
            v.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            op.verdicts = v;
            let mut r: Vec<ReasonCount> = r
                .into_iter()
                .map(|(code, (accounts, events, event_accounts))| ReasonCount {
                    code: code.to_owned(),
                    accounts,
                    events,
                    event_accounts,
                })
                .collect();
            r.sort_unstable_by(|a, b| {
                (b.accounts + b.events)
                    .cmp(&(a.accounts + a.events))
                    .then_with(|| a.code.cmp(&b.code))
            });
            op.reasons = r;
        }

        Self {
            ops,
            flagged,
            flag_op,
            flagged_in_log,
            flagged_missing: missing.len(),
            flagged_missing_examples,
        }
    }

    /// Whether event `e` is flagged at all.
    #[inline]
    pub fn is_flagged(&self, e: u32) -> bool {
        self.flagged
            .get(e as usize / 64)
            .is_some_and(|w| w & (1 << (e % 64)) != 0)
    }

    /// The operation a flagged event is attributed to, if any.
    pub fn flagged_op(&self, e: u32) -> Option<usize> {
        self.flag_op
            .binary_search_by_key(&e, |p| p.0)
            .ok()
            .map(|i| self.flag_op[i].1 as usize)
    }

    /// Whether event `e` is flagged and attributed to operation `op`.
    pub fn is_flagged_for(&self, e: u32, op: usize) -> bool {
        self.is_flagged(e) && self.flagged_op(e) == Some(op)
    }
}

/// The `;`-separated codes of a reasons field, trimmed, without empties.
pub(crate) fn split_codes(s: &str) -> impl Iterator<Item = &str> {
    s.split([';', ',', '|'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
}

/// A set of keys probed once per event: a one-hash Bloom filter in front of a hash table, so
/// that the events that are not flagged (most of them) cost one hash and one bit test.
struct Probe<K> {
    hasher: foldhash::fast::FixedState,
    bits: Vec<u64>,
    mask: u64,
    table: HashTable<(K, u32)>,
}

impl<K: Hash + Eq + Copy> Probe<K> {
    fn new(capacity: usize) -> Self {
        let nbits = (capacity.max(1) * 16).next_power_of_two().max(1 << 12) as u64;
        Self {
            hasher: foldhash::fast::FixedState::default(),
            bits: vec![0; (nbits / 64) as usize],
            mask: nbits - 1,
            table: HashTable::with_capacity(capacity),
        }
    }

    /// Adds `key → row`; the first row given for a key is kept. Returns whether the key is
    /// new.
    fn insert(&mut self, key: K, row: u32) -> bool {
        let h = self.hasher.hash_one(key);
        let bit = (h >> 32) & self.mask;
        self.bits[(bit / 64) as usize] |= 1 << (bit % 64);
        let hasher = &self.hasher;
        if self.table.find(h, |e| e.0 == key).is_some() {
            return false;
        }
        self.table
            .insert_unique(h, (key, row), |e| hasher.hash_one(e.0));
        true
    }

    #[inline]
    fn get(&self, key: K) -> Option<u32> {
        let h = self.hasher.hash_one(key);
        let bit = (h >> 32) & self.mask;
        if self.bits[(bit / 64) as usize] & (1 << (bit % 64)) == 0 {
            return None;
        }
        self.table.find(h, |e| e.0 == key).map(|e| e.1)
    }

    fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

/// Whether `text` is the id of event `e`, as the findings write it (its explicit id, or
/// `FILE:LINE`).
fn is_id_of(log: &EventLog, e: usize, text: &str) -> bool {
    match log.event_id(e) {
        EventId::Explicit(id) => id == text,
        EventId::Implicit(file, line) => text
            .rsplit_once(':')
            .is_some_and(|(f, l)| f == file && l.parse::<u32>() == Ok(line)),
    }
}

/// (event, flagged row) from the events the caller says the rows name, sorted by event (then
/// row), if every row's id is that event's id; `None` otherwise.
///
/// # Complexity
/// One id comparison per row.
fn match_known(log: &EventLog, findings: &Findings, known: &[u32]) -> Option<Vec<(u32, u32)>> {
    let fits = known.len() == findings.flagged.len()
        && known
            .par_iter()
            .zip(&findings.flagged)
            .all(|(&e, f)| (e as usize) < log.len() && is_id_of(log, e as usize, &f.event));
    if !fits {
        return None;
    }
    let mut out: Vec<(u32, u32)> = known
        .iter()
        .enumerate()
        .map(|(r, &e)| (e, r as u32))
        .collect();
    out.par_sort_unstable();
    Some(out)
}

/// (event, flagged row) for every flagged row whose id is an event of the log, sorted by event
/// (then row).
///
/// # Complexity
/// One parallel pass over the log: per event, one hash of its explicit id (or of its source
/// and line) and a bit test; the hash table is probed only for the few that pass.
fn match_flagged(log: &EventLog, findings: &Findings) -> Vec<(u32, u32)> {
    if findings.flagged.is_empty() || log.is_empty() {
        return Vec::new();
    }
    // Explicit ids, and `FILE:LINE` forms of implicit ids keyed by (source, line).
    let sources = log.sources();
    let mut src_of: HashMap<&str, u32> = HashMap::new();
    for (k, s) in sources.iter().enumerate() {
        src_of.entry(s.name.as_str()).or_insert(k as u32);
    }
    let mut explicit: Probe<&str> = Probe::new(findings.flagged.len());
    let mut implicit: Probe<u64> = Probe::new(findings.flagged.len());
    let mut duplicates = false;
    for (r, f) in findings.flagged.iter().enumerate() {
        duplicates |= !explicit.insert(&f.event, r as u32);
        if let Some((file, line)) = f.event.rsplit_once(':')
            && let (Some(&k), Ok(line)) = (src_of.get(file), line.parse::<u32>())
        {
            implicit.insert(u64::from(k) << 32 | u64::from(line), r as u32);
        }
    }
    let mut out: Vec<(u32, u32)> = Vec::new();
    for (k, s) in sources.iter().enumerate() {
        let lo = s.first_event as usize;
        let hi = sources
            .get(k + 1)
            .map_or(log.len(), |n| n.first_event as usize);
        let src = (k as u64) << 32;
        let found: Vec<(u32, u32)> = (lo..hi)
            .into_par_iter()
            .with_min_len(1 << 14)
            .filter_map(|i| {
                let row = match log.event_id(i) {
                    EventId::Explicit(id) => explicit.get(id),
                    EventId::Implicit(_, line) if !implicit.is_empty() => {
                        implicit.get(src | u64::from(line))
                    }
                    EventId::Implicit(..) => None,
                };
                row.map(|r| (i as u32, r))
            })
            .collect();
        out.extend(found);
    }
    // Several rows for one event: every row is marked used.
    if duplicates {
        let mut rows_of: HashMap<&str, Vec<u32>> = HashMap::new();
        for (r, f) in findings.flagged.iter().enumerate() {
            rows_of.entry(&f.event).or_default().push(r as u32);
        }
        let mut more: Vec<(u32, u32)> = Vec::new();
        for &(e, r) in &out {
            for &r2 in &rows_of[&*findings.flagged[r as usize].event] {
                if r2 != r {
                    more.push((e, r2));
                }
            }
        }
        out.extend(more);
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use lockstep_core::{EventLogBuilder, RawEvent};

    use super::*;

    fn raw<'a>(id: Option<&'a str>, ts: i64, actor: &'a str, line: u32) -> RawEvent<'a> {
        RawEvent {
            id,
            ..RawEvent::new(ts, actor, "like", "t", line)
        }
    }

    /// Two sources with implicit ids, one explicit id that looks like an implicit one.
    fn two_sources() -> EventLog {
        let mut b = EventLogBuilder::new();
        b.begin_source("a.csv");
        b.push(&raw(None, 30, "x", 2)).unwrap(); // a.csv:2
        b.push(&raw(Some("b.csv:2"), 20, "y", 3)).unwrap(); // explicit
        b.begin_source("b.csv");
        b.push(&raw(None, 10, "x", 2)).unwrap(); // b.csv:2
        b.push(&raw(None, 40, "z", 3)).unwrap(); // b.csv:3
        b.finish()
    }

    #[test]
    fn flagged_ids_match_by_source_and_line_and_an_ambiguous_id_matches_both() {
        let log = two_sources();
        let mut f = Findings::new();
        f.push_flagged("a.csv:2", "", "r");
        f.push_flagged("b.csv:2", "", "r"); // the explicit id of event 1, and event 2's form
        f.push_flagged("b.csv:3", "", "r");
        f.push_flagged("b.csv:3", "", "again"); // a duplicate row
        f.push_flagged("c.csv:1", "", "r"); // no such source
        let m = match_flagged(&log, &f);
        // Event 2 (b.csv:2 implicitly) matches too: both forms name an event.
        assert_eq!(m, [(0, 0), (1, 1), (2, 1), (3, 2), (3, 3)]);
        let index = ReportIndex::build(&log, &f);
        assert_eq!(index.flagged_in_log, 4);
        assert_eq!(index.flagged_missing, 1);
        assert_eq!(index.flagged_missing_examples, ["c.csv:1"]);
        assert!(index.is_flagged(3) && !index.is_flagged(9));
    }

    #[test]
    fn known_events_are_checked_against_the_rows() {
        let log = two_sources();
        let mut f = Findings::new();
        f.push_flagged("a.csv:2", "", "r");
        f.push_flagged("b.csv:2", "", "r"); // event 1's explicit id
        f.push_flagged("b.csv:3", "", "r");
        // The writer's events: the ambiguous id names the one it was written for.
        assert_eq!(
            match_known(&log, &f, &[0, 1, 3]),
            Some(vec![(0, 0), (1, 1), (3, 2)])
        );
        assert_eq!(
            match_known(&log, &f, &[0, 2, 3]),
            Some(vec![(0, 0), (2, 1), (3, 2)])
        );
        // A row that is not its event's id, a count that differs, an event out of range.
        assert_eq!(match_known(&log, &f, &[0, 1, 2]), None);
        assert_eq!(match_known(&log, &f, &[0, 1]), None);
        assert_eq!(match_known(&log, &f, &[0, 1, 9]), None);
        // Not matching: the index falls back to matching ids, and says the same as without.
        let known = ReportIndex::build_known(&log, &f, Some(&[0, 1, 2]));
        let by_id = ReportIndex::build(&log, &f);
        assert_eq!(known.flag_op, by_id.flag_op);
        assert_eq!(known.flagged_in_log, by_id.flagged_in_log);
    }

    #[test]
    fn operations_get_members_events_by_time_with_their_flags() {
        let log = two_sources();
        let mut f = Findings::new();
        f.set_operations_json(&serde_json::json!([{ "id": "op", "accounts": ["x", "nobody"] }]));
        f.push_verdict("z", "fake", None, "op", "r1;r2");
        f.push_flagged("b.csv:3", "op", "r1");
        // y's explicit id and x's implicit one, under an operation only the CSV names.
        f.push_flagged("b.csv:2", "op2", "r3");
        let index = ReportIndex::build(&log, &f);
        assert_eq!(index.ops.len(), 2);
        let op = &index.ops[0];
        assert_eq!(op.unknown_members, 1);
        assert_eq!(op.members.len(), 2); // x, and z by its verdict
        // x's two events and z's one, by time: b.csv:2 (10), a.csv:2 (30), b.csv:3 (40).
        assert_eq!(op.events, [2, 0, 3]);
        assert_eq!(op.flagged, 1);
        assert!(!op.flagged_at(0) && !op.flagged_at(1) && op.flagged_at(2));
        assert_eq!(op.flagged_events().collect::<Vec<_>>(), [3]);
        assert_eq!(op.verdicts, [("fake".to_owned(), 1)]);
        let reasons: Vec<(&str, usize, usize, usize)> = op
            .reasons
            .iter()
            .map(|r| (r.code.as_str(), r.accounts, r.events, r.event_accounts))
            .collect();
        assert_eq!(reasons, [("r1", 1, 1, 1), ("r2", 1, 0, 0)]);
        // op2 has no members; its flagged events join its events.
        let op2 = &index.ops[1];
        assert_eq!((op2.id.as_str(), op2.json), ("op2", None));
        assert_eq!(op2.events, [2, 1]);
        assert_eq!(op2.flagged, 2);
        assert_eq!(index.flagged_op(1), Some(1));
        assert_eq!(index.flagged_op(2), Some(1));
        assert!(index.is_flagged_for(3, 0) && !index.is_flagged_for(3, 1));
    }
    #[test]
    fn an_event_code_counts_the_accounts_behind_its_events() {
        let log = two_sources();
        let mut f = Findings::new();
        f.set_operations_json(&serde_json::json!([{ "id": "op", "accounts": ["x"] }]));
        f.push_verdict("x", "fake", None, "op", "lockstep-group");
        // x's detected work, and an event of z's flagged as a fake account's.
        f.push_flagged("a.csv:2", "op", "lockstep-group");
        f.push_flagged("b.csv:3", "op", "fake-account");
        let index = ReportIndex::build(&log, &f);
        let got: Vec<(&str, usize, usize, usize)> = index.ops[0]
            .reasons
            .iter()
            .map(|r| (r.code.as_str(), r.accounts, r.events, r.event_accounts))
            .collect();
        // fake-account is no verdict's code: no account gives it, one account made its event.
        assert_eq!(
            got,
            [("lockstep-group", 1, 1, 1), ("fake-account", 0, 1, 1)]
        );
    }
}
