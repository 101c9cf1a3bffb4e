//! Reading a scan's findings directory (CONTRACT §2): verdicts, flagged events, operations and
//! corrections. Missing optional files are tolerated; bad rows are skipped and noted.

use std::path::Path;

use lockstep_findings as lf;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Result, invalid_input_err, io};

/// One row of `verdicts.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerdictRow {
    /// The account.
    pub account: String,
    /// `ok`, `suspicious`, `fake` or `compromised`.
    pub verdict: String,
    /// Score in [0, 1].
    pub score: f64,
    /// Operation id, or empty.
    pub operation: String,
    /// `;`-separated reason codes.
    pub reasons: String,
}

/// One row of `flagged_events.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlaggedEvent {
    /// The event id.
    pub event: String,
    /// Operation id, or empty.
    pub operation: String,
    /// `;`-separated reason codes.
    pub reasons: String,
    /// The acting account, when the file has an `actor` column.
    pub actor: Option<String>,
    /// The target, when the file has a `target` column.
    pub target: Option<String>,
}

/// One operation from `operations.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operation {
    /// Operation id.
    pub id: String,
    /// Kind, e.g. `like-farm`, `vendor-app`.
    pub kind: String,
    /// Member accounts.
    pub accounts: Vec<String>,
    /// IP addresses (or CIDRs) it used.
    pub ips: Vec<String>,
    /// Device ids it used.
    pub devices: Vec<String>,
    /// Clients it used (`api:<app>`, `android/…`, `web`).
    pub clients: Vec<String>,
    /// Its score, if given.
    pub score: Option<f64>,
    /// Everything else about it (kind, score, signals, time span…): the behaviour fingerprint.
    pub behaviour: Value,
}

/// One row of `corrections.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Correction {
    /// The target (post, page, account).
    pub target: String,
    /// Engagement count before removal.
    pub reported: u64,
    /// Fake engagement removed.
    pub fake: u64,
    /// What remains.
    pub organic: u64,
}

/// One row of `infrastructure.csv`: how the log used one piece of an operation's
/// infrastructure.
pub type InfraUse = lf::InfrastructureUseRow<'static>;

/// A findings directory, read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Findings {
    /// `verdicts.csv`.
    pub verdicts: Vec<VerdictRow>,
    /// `flagged_events.csv`.
    pub flagged: Vec<FlaggedEvent>,
    /// `operations.json`.
    pub operations: Vec<Operation>,
    /// `corrections.csv`.
    pub corrections: Vec<Correction>,
    /// `infrastructure.csv`, or `None` when the findings have none (written before it, or by
    /// another producer): the collateral of blocking infrastructure is then unknown.
    #[serde(skip)]
    pub infrastructure: Option<Vec<InfraUse>>,
    /// What was missing or skipped, one line each.
    pub notes: Vec<String>,
}

/// The most notes kept per file; the rest are counted.
const MAX_NOTES: usize = 20;

/// Reads a findings directory. Fails only if the directory has none of the four files, or a
/// file exists but cannot be read at all.
pub fn read_findings(dir: &Path) -> Result<Findings> {
    if !dir.is_dir() {
        return Err(invalid_input_err!(
            "{}: not a findings directory",
            dir.display()
        ));
    }
    let mut f = Findings::default();
    let mut found = 0;

    if let Some(t) = read_csv::<lf::VerdictRow>(dir, &mut f.notes)? {
        found += 1;
        let mut bad = Notes::new(lf::VERDICTS);
        // A score that is not a number leaves its row out, as one outside [0, 1] does.
        let partial: Vec<(u64, &str)> = t
            .problems
            .iter()
            .filter(|p| !p.skipped)
            .filter_map(|p| Some((p.line?, p.reason.as_str())))
            .collect();
        for (line, r) in &t.rows {
            if let Ok(k) = partial.binary_search_by_key(line, |p| p.0) {
                bad.add(*line, partial[k].1.to_owned());
                continue;
            }
            let score = r.score.unwrap_or(0.0);
            if !(0.0..=1.0).contains(&score) {
                bad.add(*line, format!("score {score} is not a number in [0, 1]"));
                continue;
            }
            f.verdicts.push(VerdictRow {
                account: r.account.to_string(),
                verdict: r.verdict.as_str().to_owned(),
                score,
                operation: r.operation.to_string(),
                reasons: r.reasons.to_string(),
            });
        }
        bad.finish(&mut f.notes);
    }

    if let Some(t) = read_csv::<lf::FlaggedEventRow>(dir, &mut f.notes)? {
        found += 1;
        f.flagged = t
            .into_rows()
            .map(|r| FlaggedEvent {
                event: r.event.into_owned(),
                operation: r.operation.into_owned(),
                reasons: r.reasons.into_owned(),
                actor: r.actor.map(|a| a.into_owned()),
                target: r.target.map(|t| t.into_owned()),
            })
            .collect();
        // Who made each flagged event, from the scan's own file when the rows do not say.
        if f.flagged.iter().any(|e| e.actor.is_none())
            && dir.join(lf::FLAGGED_EVENT_ACCOUNTS).exists()
            && let Some(t) = read_csv::<lf::FlaggedEventAccountRow>(dir, &mut f.notes)?
        {
            let mut by_event: std::collections::HashMap<String, (String, String)> = t
                .into_rows()
                .map(|r| {
                    (
                        r.event.into_owned(),
                        (r.account.into_owned(), r.target.into_owned()),
                    )
                })
                .collect();
            let mut missing = 0;
            for e in f.flagged.iter_mut().filter(|e| e.actor.is_none()) {
                match by_event.remove(&e.event) {
                    Some((account, target)) => {
                        e.actor = Some(account);
                        if e.target.is_none() && !target.is_empty() {
                            e.target = Some(target);
                        }
                    }
                    None => missing += 1,
                }
            }
            if missing > 0 {
                f.notes.push(format!(
                    "{}: {missing} flagged events have no account there",
                    lf::FLAGGED_EVENT_ACCOUNTS
                ));
            }
        }
    }

    if let Some(t) = read_csv::<lf::CorrectionRow>(dir, &mut f.notes)? {
        found += 1;
        f.corrections = t
            .into_rows()
            .map(|r| Correction {
                target: r.target.into_owned(),
                reported: r.reported,
                fake: r.fake,
                organic: r.organic,
            })
            .collect();
    }

    if dir.join(lf::INFRASTRUCTURE).exists()
        && let Some(t) = read_csv::<lf::InfrastructureUseRow>(dir, &mut f.notes)?
    {
        f.infrastructure = Some(t.into_rows().collect());
    }

    let path = dir.join(lf::OPERATIONS);
    match std::fs::read(&path) {
        Ok(bytes) => {
            found += 1;
            read_operations(&bytes, &mut f)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            f.notes
                .push("operations.json: missing (no infrastructure or vendor actions)".into());
        }
        Err(e) => return Err(io(path)(e)),
    }

    if found == 0 {
        return Err(invalid_input_err!(
            "{}: none of verdicts.csv, flagged_events.csv, operations.json, corrections.csv",
            dir.display()
        ));
    }
    Ok(f)
}

/// Collects per-file row problems, keeping the first [`MAX_NOTES`].
struct Notes {
    file: &'static str,
    kept: Vec<String>,
    total: usize,
}

impl Notes {
    fn new(file: &'static str) -> Self {
        Notes {
            file,
            kept: Vec::new(),
            total: 0,
        }
    }
    fn add(&mut self, line: u64, why: String) {
        self.push(format!("{}:{line}: skipped: {why}", self.file));
    }
    fn push(&mut self, note: String) {
        self.total += 1;
        if self.kept.len() < MAX_NOTES {
            self.kept.push(note);
        }
    }
    /// Rows the reader left out, noted as skipped.
    fn problems(&mut self, problems: &[lf::Problem]) {
        for p in problems.iter().filter(|p| p.skipped) {
            self.push(match (p.line, &p.path) {
                (Some(l), _) => format!("{}:{l}: skipped: {}", self.file, p.reason),
                (None, Some(at)) => format!("{}: {at}: skipped: {}", self.file, p.reason),
                (None, None) => format!("{}: skipped: {}", self.file, p.reason),
            });
        }
    }
    fn finish(self, notes: &mut Vec<String>) {
        let more = self.total - self.kept.len();
        notes.extend(self.kept);
        if more > 0 {
            notes.push(format!("{}: {more} more rows skipped", self.file));
        }
    }
}

/// Reads `dir/R::FILE` with the findings reader; `None` (with a note) if it does not exist.
/// Rows it left out are noted; a file it cannot read at all is an error.
fn read_csv<R: lf::CsvRow>(dir: &Path, notes: &mut Vec<String>) -> Result<Option<lf::Table<R>>> {
    let path = dir.join(R::FILE);
    let Some(t) = lf::read_file::<R>(dir).map_err(io(&path))? else {
        notes.push(format!("{}: missing", R::FILE));
        return Ok(None);
    };
    if let Some(p) = &t.unusable {
        return Err(invalid_input_err!("{}: {}", path.display(), p.reason));
    }
    let mut bad = Notes::new(R::FILE);
    bad.problems(&t.problems);
    bad.finish(notes);
    Ok(Some(t))
}

/// Reads operations: a JSON array, or an object with an `operations` array. Infrastructure is
/// read from an `infrastructure` object (`ips`, `devices`, `clients`, `apps`) or the same keys
/// at the top level.
fn read_operations(bytes: &[u8], f: &mut Findings) -> Result<()> {
    let read = lf::read_operations(bytes);
    if let Some(p) = read.unusable {
        return Err(invalid_input_err!("{p}"));
    }
    let mut bad = Notes::new(lf::OPERATIONS);
    bad.problems(&read.problems);
    for e in read.operations {
        let mut o = e.fields;
        for k in [
            "accounts",
            "members",
            "beneficiaries",
            "victims",
            "ips",
            "ip",
            "ip_ranges",
            "devices",
            "device",
            "clients",
            "client",
            "apps",
            "app_ids",
            "infrastructure",
        ] {
            o.remove(k);
        }
        f.operations.push(Operation {
            id: e.id,
            kind: e.kind.unwrap_or_default(),
            accounts: dedup(e.members),
            ips: dedup(e.ips),
            devices: dedup(e.devices),
            clients: dedup(e.clients),
            score: e.score,
            behaviour: Value::Object(o),
        });
    }
    bad.finish(&mut f.notes);
    Ok(())
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_accept_nested_or_flat_infrastructure() {
        let mut f = Findings::default();
        read_operations(
            br#"{"operations": [
                {"id": "op1", "kind": "like-farm", "accounts": ["a", {"id": "b"}],
                 "infrastructure": {"ips": ["10.0.0.1"], "devices": [{"device": "d1"}],
                                    "clients": ["api:fast", "web"]},
                 "signals": ["lockstep"]},
                {"id": 2, "members": ["c"], "apps": ["boost"]},
                {"kind": "no id"}
            ]}"#,
            &mut f,
        )
        .unwrap();
        assert_eq!(f.operations.len(), 2);
        let op = &f.operations[0];
        assert_eq!(op.accounts, ["a", "b"]);
        assert_eq!(op.ips, ["10.0.0.1"]);
        assert_eq!(op.devices, ["d1"]);
        assert_eq!(op.clients, ["api:fast", "web"]);
        assert_eq!(op.behaviour["signals"][0], "lockstep");
        assert_eq!(f.operations[1].id, "2");
        assert_eq!(f.operations[1].clients, ["api:boost"]);
        assert_eq!(f.notes.len(), 1, "{:?}", f.notes);
    }
}
