//! Reading a findings directory (CONTRACT §2) tolerantly: missing files and bad rows become
//! notes, never errors.

use std::collections::HashMap;
use std::path::Path;

use lockstep_findings as lf;
use serde_json::{Map, Value};

use crate::error::{Error, Result, io};

/// An index into [`Findings::labels`]: a short string that repeats across rows (a verdict, an
/// operation id, a reason list). Label `0` is the empty string.
pub type Label = u32;

/// The distinct short strings of a findings directory, each stored once.
#[derive(Debug, Clone)]
pub struct Labels {
    names: Vec<Box<str>>,
    map: HashMap<Box<str>, Label>,
}

impl Default for Labels {
    fn default() -> Self {
        let mut l = Self {
            names: Vec::new(),
            map: HashMap::new(),
        };
        l.intern("");
        l
    }
}

impl Labels {
    /// The label of `s`, adding it if new.
    pub fn intern(&mut self, s: &str) -> Label {
        if let Some(&l) = self.map.get(s) {
            return l;
        }
        let l = self.names.len() as Label;
        self.names.push(s.into());
        self.map.insert(s.into(), l);
        l
    }

    /// The label of `s`, if present.
    pub fn get(&self, s: &str) -> Option<Label> {
        self.map.get(s).copied()
    }

    /// The string of `l` (empty for an unknown label).
    pub fn name(&self, l: Label) -> &str {
        self.names.get(l as usize).map_or("", |s| s)
    }

    /// The number of labels, the empty one included.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Always false: the empty label is always present.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// One row of `verdicts.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictRow {
    /// The account id, as written.
    pub account: Box<str>,
    /// `ok`, `suspicious`, `fake`, `compromised` (or whatever the file says).
    pub verdict: Label,
    /// The score, when it parses as a number.
    pub score: Option<f32>,
    /// The operation id, or the empty label.
    pub operation: Label,
    /// The `;`-separated reason codes, as one label.
    pub reasons: Label,
}

/// One row of `flagged_events.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct FlaggedRow {
    /// The event id: explicit, or `FILE:LINE`.
    pub event: Box<str>,
    /// The operation id, or the empty label.
    pub operation: Label,
    /// The `;`-separated reason codes, as one label.
    pub reasons: Label,
}

/// One row of `corrections.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The target (post, page, account).
    pub target: String,
    /// The engagement count before removal.
    pub reported: u64,
    /// The fake engagement removed.
    pub fake: u64,
    /// What remains.
    pub organic: u64,
}

/// One row of `bursts.csv` (a target's hour far above its own rate and its peers).
#[derive(Debug, Clone, PartialEq)]
pub struct BurstRow {
    /// The target.
    pub target: String,
    /// The action.
    pub action: String,
    /// First event, as written (RFC 3339).
    pub start: String,
    /// Events inside the burst.
    pub events: u64,
    /// Accounts inside it.
    pub accounts: u64,
    /// The busiest window against the target's own rate.
    pub ratio: f64,
    /// The operation most of its flagged events belong to, or empty.
    pub operation: String,
    /// Its events that operation flagged.
    pub flagged: u64,
}

/// One operation from `operations.json`, with the whole object kept for display.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// Its id (a string or a number in the file).
    pub id: String,
    /// Its kind (`like-farm`, `follower-vendor`, …), empty when absent.
    pub kind: String,
    /// Member account ids from `accounts` and `members` (strings, numbers, or objects with
    /// `id` / `account`).
    pub members: Vec<String>,
    /// The whole JSON object.
    pub fields: Map<String, Value>,
}

impl Operation {
    /// Reads one operation from a JSON value; `None` when it is not an object with an id.
    pub fn from_json(v: &Value) -> Option<Self> {
        let read = lf::read_operations_value(lf::OPERATIONS, Value::Array(vec![v.clone()]));
        read.operations.into_iter().next().map(Self::from_entry)
    }

    fn from_entry(e: lf::OperationEntry) -> Self {
        Self {
            id: e.id,
            kind: e.kind.unwrap_or_default(),
            members: e.members,
            fields: e.fields,
        }
    }
}

/// A findings directory, read. Every part is optional; what could not be read is in `notes`.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    /// `verdicts.csv`.
    pub verdicts: Vec<VerdictRow>,
    /// `flagged_events.csv`.
    pub flagged: Vec<FlaggedRow>,
    /// `operations.json`, in file order.
    pub operations: Vec<Operation>,
    /// `corrections.csv`.
    pub corrections: Vec<Correction>,
    /// `bursts.csv` (optional: findings written before it existed have none).
    pub bursts: Vec<BurstRow>,
    /// `summary.json`, as it is.
    pub summary: Option<Value>,
    /// What was missing or skipped, one line each.
    pub notes: Vec<String>,
    /// The short strings the rows refer to.
    pub labels: Labels,
}

/// The most notes kept per file; the rest are counted.
const MAX_NOTES: usize = 5;

impl Findings {
    /// An empty set of findings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the CONTRACT §2 files in `dir`. Missing files and unreadable rows are noted in
    /// [`Findings::notes`].
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `dir` is not a directory; [`Error::Io`] when a file exists
    /// but cannot be read.
    pub fn read(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            return Err(Error::InvalidInput(format!(
                "{}: not a findings directory",
                dir.display()
            )));
        }
        // Two halves at once: the rows that share labels (verdicts, flagged events), and the
        // rest. Notes and errors keep the files' order.
        let (rows, rest) = rayon::join(
            || -> Result<Self> {
                let mut f = Self::new();
                if let Some(bytes) = read_opt(dir, "verdicts.csv", &mut f.notes)? {
                    f.read_verdicts(&bytes);
                }
                if let Some(bytes) = read_opt(dir, "flagged_events.csv", &mut f.notes)? {
                    f.read_flagged(&bytes);
                }
                Ok(f)
            },
            || -> Result<Self> {
                let mut f = Self::new();
                if let Some(bytes) = read_opt(dir, "operations.json", &mut f.notes)? {
                    f.read_operations(&bytes);
                }
                if let Some(bytes) = read_opt(dir, "corrections.csv", &mut f.notes)? {
                    f.read_corrections(&bytes);
                }
                match std::fs::read(dir.join("bursts.csv")) {
                    Ok(bytes) => f.read_bursts(&bytes),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io(dir.join("bursts.csv"))(e)),
                }
                if let Some(bytes) = read_opt(dir, "summary.json", &mut f.notes)? {
                    match serde_json::from_slice::<Value>(strip_bom(&bytes)) {
                        Ok(v) => f.summary = Some(v),
                        Err(e) => f.notes.push(format!("summary.json: not JSON ({e})")),
                    }
                }
                Ok(f)
            },
        );
        let (mut f, rest) = (rows?, rest?);
        f.operations = rest.operations;
        f.corrections = rest.corrections;
        f.bursts = rest.bursts;
        f.summary = rest.summary;
        f.notes.extend(rest.notes);
        Ok(f)
    }

    /// Adds a verdict row.
    pub fn push_verdict(
        &mut self,
        account: &str,
        verdict: &str,
        score: Option<f32>,
        operation: &str,
        reasons: &str,
    ) {
        let row = VerdictRow {
            account: account.into(),
            verdict: self.labels.intern(verdict),
            score,
            operation: self.labels.intern(operation),
            reasons: self.labels.intern(reasons),
        };
        self.verdicts.push(row);
    }

    /// Adds a flagged-event row.
    pub fn push_flagged(&mut self, event: &str, operation: &str, reasons: &str) {
        let row = FlaggedRow {
            event: event.into(),
            operation: self.labels.intern(operation),
            reasons: self.labels.intern(reasons),
        };
        self.flagged.push(row);
    }

    /// Reads `verdicts.csv` content.
    pub fn read_verdicts(&mut self, bytes: &[u8]) {
        let t = lf::read_each::<lf::VerdictRow>(lf::VERDICTS, strip_bom(bytes), |_, r| {
            self.push_verdict(
                &r.account,
                r.verdict.as_str(),
                r.score.map(|s| s as f32),
                &r.operation,
                &r.reasons,
            );
        });
        self.note_problems(lf::VERDICTS, &t);
    }

    /// Reads `flagged_events.csv` content.
    pub fn read_flagged(&mut self, bytes: &[u8]) {
        let t =
            lf::read_each::<lf::FlaggedEventRow>(lf::FLAGGED_EVENTS, strip_bom(bytes), |_, r| {
                self.push_flagged(&r.event, &r.operation, &r.reasons)
            });
        self.note_problems(lf::FLAGGED_EVENTS, &t);
    }

    /// Reads `corrections.csv` content.
    pub fn read_corrections(&mut self, bytes: &[u8]) {
        let mut rows = Vec::new();
        let t = lf::read_each::<lf::CorrectionRow>(lf::CORRECTIONS, strip_bom(bytes), |_, r| {
            rows.push(Correction {
                target: r.target.into_owned(),
                reported: r.reported,
                fake: r.fake,
                organic: r.organic,
            });
        });
        self.corrections.extend(rows);
        self.note_problems(lf::CORRECTIONS, &t);
    }

    /// Reads `bursts.csv` content.
    pub fn read_bursts(&mut self, bytes: &[u8]) {
        let mut rows = Vec::new();
        let t = lf::read_each::<lf::BurstRow>(lf::BURSTS, strip_bom(bytes), |_, r| {
            rows.push(BurstRow {
                target: r.target.into_owned(),
                action: r.action.into_owned(),
                start: r.start.into_owned(),
                events: r.events,
                accounts: r.accounts,
                ratio: r.ratio,
                operation: r.operation.into_owned(),
                flagged: r.flagged,
            });
        });
        self.bursts.extend(rows);
        self.note_problems(lf::BURSTS, &t);
    }

    /// Notes what the reader of `file` could not read: the first few rows with their lines,
    /// the rest counted.
    fn note_problems(&mut self, file: &str, t: &lf::Table<()>) {
        if let Some(p) = &t.unusable {
            self.notes.push(p.to_string());
        }
        for p in t.problems.iter().take(MAX_NOTES) {
            self.notes.push(p.to_string());
        }
        let more = t.problems.len().saturating_sub(MAX_NOTES);
        if more > 0 {
            self.notes.push(format!("{file}: {more} more rows skipped"));
        }
    }

    /// Reads `operations.json` content: an array of operations, or an object with an
    /// `operations` array.
    pub fn read_operations(&mut self, bytes: &[u8]) {
        self.take_operations(lf::read_operations(bytes));
    }

    /// Takes operations from a parsed `operations.json`.
    pub fn set_operations_json(&mut self, value: &Value) {
        self.take_operations(lf::read_operations_value(lf::OPERATIONS, value.clone()));
    }

    fn take_operations(&mut self, read: lf::OperationsRead) {
        if let Some(p) = &read.unusable {
            self.notes.push(p.to_string());
            return;
        }
        let skipped = read.problems.iter().filter(|p| p.skipped).count();
        self.operations
            .extend(read.operations.into_iter().map(Operation::from_entry));
        if skipped > 0 {
            self.notes.push(format!(
                "operations.json: {skipped} entr{} without an `id` skipped",
                if skipped == 1 { "y" } else { "ies" }
            ));
        }
    }
}

/// A string or number as an id string.
pub(crate) use lockstep_findings::scalar_id as scalar;

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
}

fn read_opt(dir: &Path, name: &str, notes: &mut Vec<String>) -> Result<Option<Vec<u8>>> {
    let path = dir.join(name);
    match std::fs::read(&path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            notes.push(format!("{name}: missing"));
            Ok(None)
        }
        Err(e) => Err(io(path)(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_read_by_header_name_with_bad_rows_noted() {
        let mut f = Findings::new();
        f.read_verdicts(
            b"\xEF\xBB\xBFVerdict,account,score,reasons,operation\n\
              fake,a1,0.9,sync;dense,op1\n\
              ok,a2,,,\n\
              fake,,0.5,x,op1\n\
              fake,a3,high,x,op1\n",
        );
        assert_eq!(f.verdicts.len(), 3);
        let v = &f.verdicts[0];
        assert_eq!(&*v.account, "a1");
        assert_eq!(f.labels.name(v.verdict), "fake");
        assert_eq!(v.score, Some(0.9));
        assert_eq!(f.labels.name(v.operation), "op1");
        assert_eq!(f.labels.name(v.reasons), "sync;dense");
        assert_eq!(f.verdicts[1].score, None);
        assert_eq!(f.verdicts[2].score, None);
        assert_eq!(f.notes.len(), 2, "{:?}", f.notes);
        assert!(f.notes[0].contains("verdicts.csv:4"), "{:?}", f.notes);
    }

    #[test]
    fn operations_accept_array_or_object_and_members_or_accounts() {
        let mut f = Findings::new();
        f.read_operations(
            br#"{"operations": [
                {"id": "op1", "kind": "like-farm", "accounts": ["a", {"id": "b"}]},
                {"id": 7, "members": ["c", 3]},
                {"kind": "no-id"}
            ]}"#,
        );
        assert_eq!(f.operations.len(), 2);
        assert_eq!(f.operations[0].members, ["a", "b"]);
        assert_eq!(f.operations[1].id, "7");
        assert_eq!(f.operations[1].members, ["c", "3"]);
        assert_eq!(f.operations[1].kind, "");
        assert_eq!(f.notes.len(), 1);
        let mut g = Findings::new();
        g.read_operations(br#"[{"id": "x"}]"#);
        assert_eq!(g.operations.len(), 1);
        g.read_operations(b"not json");
        assert!(g.notes[0].contains("not JSON"));
    }

    #[test]
    fn corrections_fill_missing_organic() {
        let mut f = Findings::new();
        f.read_corrections(b"target,reported,fake,organic\np1,10,4,6\np2,5,2,\n,1,1,0\n");
        assert_eq!(f.corrections.len(), 2);
        assert_eq!(f.corrections[1].organic, 3);
        assert_eq!(f.notes.len(), 1);
    }

    #[test]
    fn read_notes_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let f = Findings::read(dir.path()).unwrap();
        assert_eq!(f.notes.len(), 5);
        assert!(Findings::read(&dir.path().join("nope")).is_err());
    }
}
