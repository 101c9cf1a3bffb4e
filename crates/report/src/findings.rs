//! Reading a findings directory (CONTRACT §2) tolerantly: missing files and bad rows become
//! notes, never errors.

use std::collections::HashMap;
use std::path::Path;

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
        let obj = v.as_object()?;
        let id = obj.get("id").and_then(scalar)?;
        let kind = obj.get("kind").and_then(scalar).unwrap_or_default();
        let mut members = Vec::new();
        for field in ["accounts", "members"] {
            members.extend(ids(obj.get(field), &["id", "account"]));
        }
        Some(Self {
            id,
            kind,
            members,
            fields: obj.clone(),
        })
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
        let mut notes = Notes::new("verdicts.csv");
        let wanted = ["account", "verdict", "score", "operation", "reasons"];
        for_each_row(bytes, &wanted, &mut notes, |line, r, notes| {
            if r[0].is_empty() {
                notes.add(line, "empty account".into());
                return;
            }
            let score = r[2].parse::<f32>().ok().filter(|s| s.is_finite());
            if score.is_none() && !r[2].is_empty() {
                notes.add(line, format!("score {:?} is not a number", r[2]));
            }
            self.push_verdict(&r[0], &r[1], score, &r[3], &r[4]);
        });
        notes.flush(&mut self.notes);
    }

    /// Reads `flagged_events.csv` content.
    pub fn read_flagged(&mut self, bytes: &[u8]) {
        let mut notes = Notes::new("flagged_events.csv");
        let wanted = ["event", "operation", "reasons"];
        for_each_row(bytes, &wanted, &mut notes, |line, r, notes| {
            if r[0].is_empty() {
                notes.add(line, "empty event id".into());
                return;
            }
            self.push_flagged(&r[0], &r[1], &r[2]);
        });
        notes.flush(&mut self.notes);
    }

    /// Reads `corrections.csv` content.
    pub fn read_corrections(&mut self, bytes: &[u8]) {
        let mut notes = Notes::new("corrections.csv");
        let wanted = ["target", "reported", "fake", "organic"];
        for_each_row(bytes, &wanted, &mut notes, |line, r, notes| {
            let num = |s: &str| {
                s.parse::<u64>()
                    .ok()
                    .or_else(|| s.parse::<f64>().ok().map(|f| f.max(0.0) as u64))
            };
            match num(&r[1]) {
                Some(reported) if !r[0].is_empty() => {
                    let fake = num(&r[2]).unwrap_or(0);
                    let organic = num(&r[3]).unwrap_or(reported.saturating_sub(fake));
                    self.corrections.push(Correction {
                        target: r[0].clone(),
                        reported,
                        fake,
                        organic,
                    });
                }
                _ => notes.add(line, "no target or no reported count".into()),
            }
        });
        notes.flush(&mut self.notes);
    }

    /// Reads `bursts.csv` content.
    pub fn read_bursts(&mut self, bytes: &[u8]) {
        let mut notes = Notes::new("bursts.csv");
        let wanted = [
            "target",
            "action",
            "start",
            "events",
            "accounts",
            "ratio",
            "operation",
            "flagged",
        ];
        for_each_row(bytes, &wanted, &mut notes, |line, r, notes| {
            match (r[3].parse::<u64>(), r[5].parse::<f64>()) {
                (Ok(events), Ok(ratio)) if !r[0].is_empty() => self.bursts.push(BurstRow {
                    target: r[0].clone(),
                    action: r[1].clone(),
                    start: r[2].clone(),
                    events,
                    accounts: r[4].parse().unwrap_or(0),
                    ratio,
                    operation: r[6].clone(),
                    flagged: r[7].parse().unwrap_or(0),
                }),
                _ => notes.add(line, "no target, or events or ratio not a number".into()),
            }
        });
        notes.flush(&mut self.notes);
    }

    /// Reads `operations.json` content: an array of operations, or an object with an
    /// `operations` array.
    pub fn read_operations(&mut self, bytes: &[u8]) {
        let value: Value = match serde_json::from_slice(strip_bom(bytes)) {
            Ok(v) => v,
            Err(e) => {
                self.notes.push(format!("operations.json: not JSON ({e})"));
                return;
            }
        };
        self.set_operations_json(&value);
    }

    /// Takes operations from a parsed `operations.json`.
    pub fn set_operations_json(&mut self, value: &Value) {
        let entries = match value {
            Value::Array(a) => a,
            Value::Object(o) => match o.get("operations") {
                Some(Value::Array(a)) => a,
                _ => {
                    self.notes
                        .push("operations.json: an object without an `operations` array".into());
                    return;
                }
            },
            _ => {
                self.notes
                    .push("operations.json: neither an array nor an object".into());
                return;
            }
        };
        let mut bad = 0usize;
        for e in entries {
            match Operation::from_json(e) {
                Some(op) => self.operations.push(op),
                None => bad += 1,
            }
        }
        if bad > 0 {
            self.notes.push(format!(
                "operations.json: {bad} entr{} without an `id` skipped",
                if bad == 1 { "y" } else { "ies" }
            ));
        }
    }
}

/// A string or number as an id string.
pub(crate) fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The ids in an optional array of strings, numbers or objects carrying one of `keys`.
pub(crate) fn ids(v: Option<&Value>, keys: &[&str]) -> Vec<String> {
    let Some(Value::Array(items)) = v else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match item {
            Value::Object(o) => keys.iter().find_map(|k| o.get(*k).and_then(scalar)),
            other => scalar(other),
        })
        .collect()
}

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

/// Calls `row(line, fields, notes)` for each record of the CSV in `bytes`, with the fields
/// named `wanted` (found by header name, case-insensitive; empty when absent), trimmed. Notes a
/// file without a header or without the first wanted column, and records that do not parse.
fn for_each_row(
    bytes: &[u8],
    wanted: &[&str],
    notes: &mut Notes,
    mut row: impl FnMut(u64, &[String], &mut Notes),
) {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(strip_bom(bytes));
    let headers = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            notes.add(1, format!("no header row ({e})"));
            return;
        }
    };
    let cols: Vec<Option<usize>> = wanted
        .iter()
        .map(|w| {
            headers
                .iter()
                .position(|h| String::from_utf8_lossy(h).trim().eq_ignore_ascii_case(w))
        })
        .collect();
    if cols[0].is_none() {
        notes.add(1, format!("no `{}` column", wanted[0]));
        return;
    }
    let mut rec = csv::ByteRecord::new();
    let mut fields: Vec<String> = vec![String::new(); wanted.len()];
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                notes.add(e.position().map_or(0, |p| p.line()), format!("{e}"));
                continue;
            }
        }
        for (f, c) in fields.iter_mut().zip(&cols) {
            f.clear();
            if let Some(b) = c.and_then(|c| rec.get(c)) {
                f.push_str(String::from_utf8_lossy(b).trim());
            }
        }
        row(rec.position().map_or(0, |p| p.line()), &fields, notes);
    }
}

/// Bad rows of one file: the first few with line numbers, the rest counted.
struct Notes {
    file: &'static str,
    kept: Vec<String>,
    more: usize,
}

impl Notes {
    fn new(file: &'static str) -> Self {
        Self {
            file,
            kept: Vec::new(),
            more: 0,
        }
    }

    fn add(&mut self, line: u64, msg: String) {
        if self.kept.len() < MAX_NOTES {
            self.kept.push(format!("{}:{line}: {msg}", self.file));
        } else {
            self.more += 1;
        }
    }

    fn flush(self, out: &mut Vec<String>) {
        out.extend(self.kept);
        if self.more > 0 {
            out.push(format!("{}: {} more rows skipped", self.file, self.more));
        }
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
