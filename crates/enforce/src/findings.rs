//! Reading a scan's findings directory (CONTRACT §2): verdicts, flagged events, operations and
//! corrections. Missing optional files are tolerated; bad rows are skipped and noted.

use std::collections::HashMap;
use std::path::Path;

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

    if let Some(rows) = read_csv(dir, "verdicts.csv", &["account", "verdict"], &mut f.notes)? {
        found += 1;
        let mut bad = Notes::new("verdicts.csv");
        for (line, r) in rows {
            let score = match r.get("score").map(String::as_str) {
                None | Some("") => 0.0,
                Some(s) => match s.parse::<f64>() {
                    Ok(v) if (0.0..=1.0).contains(&v) => v,
                    _ => {
                        bad.add(line, format!("score {s:?} is not a number in [0, 1]"));
                        continue;
                    }
                },
            };
            let verdict = r.get("verdict").cloned().unwrap_or_default();
            if !matches!(
                verdict.as_str(),
                "ok" | "suspicious" | "fake" | "compromised"
            ) {
                bad.add(line, format!("unknown verdict {verdict:?}"));
                continue;
            }
            let account = r.get("account").cloned().unwrap_or_default();
            if account.is_empty() {
                bad.add(line, "empty account".to_owned());
                continue;
            }
            f.verdicts.push(VerdictRow {
                account,
                verdict,
                score,
                operation: r.get("operation").cloned().unwrap_or_default(),
                reasons: r.get("reasons").cloned().unwrap_or_default(),
            });
        }
        bad.finish(&mut f.notes);
    }

    if let Some(rows) = read_csv(dir, "flagged_events.csv", &["event"], &mut f.notes)? {
        found += 1;
        let mut bad = Notes::new("flagged_events.csv");
        for (line, mut r) in rows {
            let event = r.remove("event").unwrap_or_default();
            if event.is_empty() {
                bad.add(line, "empty event id".to_owned());
                continue;
            }
            let nonempty = |v: Option<String>| v.filter(|s| !s.is_empty());
            f.flagged.push(FlaggedEvent {
                event,
                operation: r.remove("operation").unwrap_or_default(),
                reasons: r.remove("reasons").unwrap_or_default(),
                actor: nonempty(r.remove("actor")),
                target: nonempty(r.remove("target")),
            });
        }
        bad.finish(&mut f.notes);
    }

    if let Some(rows) = read_csv(
        dir,
        "corrections.csv",
        &["target", "reported", "fake", "organic"],
        &mut f.notes,
    )? {
        found += 1;
        let mut bad = Notes::new("corrections.csv");
        for (line, r) in rows {
            let num = |k: &str| r.get(k).and_then(|s| s.trim().parse::<u64>().ok());
            match (
                r.get("target"),
                num("reported"),
                num("fake"),
                num("organic"),
            ) {
                (Some(t), Some(reported), Some(fake), Some(organic)) if !t.is_empty() => {
                    f.corrections.push(Correction {
                        target: t.clone(),
                        reported,
                        fake,
                        organic,
                    })
                }
                _ => bad.add(line, "needs a target and three whole counts".to_owned()),
            }
        }
        bad.finish(&mut f.notes);
    }

    let path = dir.join("operations.json");
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
        self.total += 1;
        if self.kept.len() < MAX_NOTES {
            self.kept
                .push(format!("{}:{line}: skipped: {why}", self.file));
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

type CsvRows = Vec<(u64, HashMap<String, String>)>;

/// Reads a CSV file into rows keyed by header; `None` (with a note) if it does not exist.
fn read_csv(
    dir: &Path,
    name: &'static str,
    required: &[&str],
    notes: &mut Vec<String>,
) -> Result<Option<CsvRows>> {
    let path = dir.join(name);
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            notes.push(format!("{name}: missing"));
            return Ok(None);
        }
        Err(e) => return Err(io(path)(e)),
    };
    let mut rd = csv::ReaderBuilder::new().flexible(true).from_reader(file);
    let headers: Vec<String> = rd
        .headers()
        .map_err(|e| invalid_input_err!("{}: header: {e}", path.display()))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    for r in required {
        if !headers.iter().any(|h| h == r) {
            return Err(invalid_input_err!(
                "{}: no `{r}` column (header: {})",
                path.display(),
                headers.join(",")
            ));
        }
    }
    let mut rows = Vec::new();
    let mut bad = Notes::new(name);
    for (i, rec) in rd.records().enumerate() {
        let line = i as u64 + 2;
        match rec {
            Ok(rec) => rows.push((
                line,
                headers
                    .iter()
                    .zip(rec.iter())
                    .map(|(h, v)| (h.clone(), v.trim().to_owned()))
                    .collect(),
            )),
            Err(e) => bad.add(line, e.to_string()),
        }
    }
    bad.finish(notes);
    Ok(Some(rows))
}

/// A string, a number, or an object's first string/number field among `keys`.
fn id_of(v: &Value, keys: &[&str]) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(o) => keys
            .iter()
            .find_map(|k| o.get(*k).and_then(|x| id_of(x, &[]))),
        _ => None,
    }
}

fn ids(v: Option<&Value>, keys: &[&str]) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a.iter().filter_map(|x| id_of(x, keys)).collect(),
        Some(other) => id_of(other, keys).into_iter().collect(),
        None => Vec::new(),
    }
}

/// Reads operations: a JSON array, or an object with an `operations` array. Infrastructure is
/// read from an `infrastructure` object (`ips`, `devices`, `clients`, `apps`) or the same keys
/// at the top level.
fn read_operations(bytes: &[u8], f: &mut Findings) -> Result<()> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| invalid_input_err!("operations.json: not JSON: {e}"))?;
    let entries = match value {
        Value::Array(a) => a,
        Value::Object(mut o) => match o.remove("operations") {
            Some(Value::Array(a)) => a,
            _ => {
                return Err(invalid_input_err!(
                    "operations.json: an object without an `operations` array"
                ));
            }
        },
        _ => {
            return Err(invalid_input_err!(
                "operations.json: neither an array nor an object"
            ));
        }
    };
    let mut bad = Notes::new("operations.json");
    for (i, e) in entries.into_iter().enumerate() {
        let Value::Object(mut o) = e else {
            bad.add(i as u64, "entry is not an object".to_owned());
            continue;
        };
        let Some(id) = o.get("id").and_then(|v| id_of(v, &[])) else {
            bad.add(i as u64, "no `id`".to_owned());
            continue;
        };
        let infra = o.remove("infrastructure");
        let field = |o: &serde_json::Map<String, Value>, names: &[&str], keys: &[&str]| {
            let mut out = Vec::new();
            for n in names {
                out.extend(ids(infra.as_ref().and_then(|i| i.get(*n)), keys));
                out.extend(ids(o.get(*n), keys));
            }
            dedup(out)
        };
        let accounts = field(&o, &["accounts", "members"], &["id", "account"]);
        let ips = field(&o, &["ips", "ip", "ip_ranges"], &["ip", "id", "range"]);
        let devices = field(&o, &["devices", "device"], &["device", "id"]);
        let mut clients = field(&o, &["clients", "client"], &["client", "id"]);
        for app in field(&o, &["apps", "app_ids"], &["app", "id"]) {
            clients.push(if app.starts_with("api:") {
                app
            } else {
                format!("api:{app}")
            });
        }
        let clients = dedup(clients);
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
        ] {
            o.remove(k);
        }
        f.operations.push(Operation {
            id,
            kind: o
                .get("kind")
                .and_then(|v| id_of(v, &[]))
                .unwrap_or_default(),
            accounts,
            ips,
            devices,
            clients,
            score: o.get("score").and_then(Value::as_f64),
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
