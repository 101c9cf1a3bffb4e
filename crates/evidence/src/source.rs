//! The findings directory an evidence bundle is cut from: read once, with the SHA-256 of
//! every findings file, the operations it names and the inputs its scan recorded.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use lockstep_report::Findings;
use serde_json::Value;

use crate::error::{Result, invalid_input_err};
use crate::manifest::{FileEntry, hash_file};

/// The CONTRACT §2 files whose hashes a bundle records (those present).
pub const FINDINGS_FILES: [&str; 6] = [
    "verdicts.csv",
    "flagged_events.csv",
    "operations.json",
    "corrections.csv",
    "summary.json",
    "rejected.jsonl",
];

/// The input files a scan recorded in `summary.json`, sorted into events and side files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordedInputs {
    /// Event files.
    pub events: Vec<PathBuf>,
    /// The accounts side file.
    pub accounts: Option<PathBuf>,
    /// The devices side file.
    pub devices: Option<PathBuf>,
}

/// A findings directory, read.
#[derive(Debug, Clone)]
pub struct FindingsDir {
    /// The directory, as given.
    pub dir: PathBuf,
    /// Its contents ([`Findings::read`]: tolerant, problems in `notes`).
    pub findings: Findings,
    /// The findings files present, with their sizes and hashes.
    pub files: Vec<FileEntry>,
    /// `policy_version` of `operations.json`, else of `summary.json`.
    pub policy_version: Option<String>,
}

impl FindingsDir {
    /// Reads `dir`.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] when `dir` is not a directory or holds none of
    /// `verdicts.csv`, `flagged_events.csv` and `operations.json`; [`crate::Error::Io`] or
    /// [`crate::Error::Report`] when a file exists but cannot be read.
    pub fn read(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            return Err(invalid_input_err!(
                "{}: not a findings directory (the --out of `lockstep scan`)",
                dir.display()
            ));
        }
        if !["verdicts.csv", "flagged_events.csv", "operations.json"]
            .iter()
            .any(|f| dir.join(f).is_file())
        {
            return Err(invalid_input_err!(
                "{}: no verdicts.csv, flagged_events.csv or operations.json: not a findings directory",
                dir.display()
            ));
        }
        let findings = Findings::read(dir)?;
        let mut files = Vec::new();
        for name in FINDINGS_FILES {
            let p = dir.join(name);
            if p.is_file() {
                let (bytes, sha256) = hash_file(&p)?;
                files.push(FileEntry {
                    path: name.to_owned(),
                    bytes,
                    sha256,
                });
            }
        }
        let ops_policy = std::fs::read(dir.join("operations.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|v| v.get("policy_version").and_then(text));
        let policy_version = ops_policy.or_else(|| {
            findings
                .summary
                .as_ref()
                .and_then(|s| s.get("policy_version"))
                .and_then(text)
        });
        Ok(FindingsDir {
            dir: dir.to_path_buf(),
            findings,
            files,
            policy_version,
        })
    }

    /// The operations the findings name: those of `operations.json` in file order, then those
    /// named only in `verdicts.csv` or `flagged_events.csv`, sorted.
    pub fn operation_ids(&self) -> Vec<String> {
        let f = &self.findings;
        let mut ids: Vec<String> = f.operations.iter().map(|o| o.id.clone()).collect();
        let known: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        let mut extra = BTreeSet::new();
        let labels = f
            .verdicts
            .iter()
            .map(|v| v.operation)
            .chain(f.flagged.iter().map(|r| r.operation));
        for l in labels {
            let name = f.labels.name(l);
            if !name.is_empty() && !known.contains(name) {
                extra.insert(name.to_owned());
            }
        }
        ids.extend(extra);
        ids
    }

    /// Checks that the findings name `operation`.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming the operations the findings do have.
    pub fn require_operation(&self, operation: &str) -> Result<()> {
        let ids = self.operation_ids();
        if ids.iter().any(|i| i == operation) {
            return Ok(());
        }
        if ids.is_empty() {
            return Err(invalid_input_err!(
                "operation {operation:?} is not in {}: the findings name no operation",
                self.dir.display()
            ));
        }
        const SHOWN: usize = 12;
        let mut list = ids
            .iter()
            .take(SHOWN)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        if ids.len() > SHOWN {
            list.push_str(&format!(", … ({} in all)", ids.len()));
        }
        Err(invalid_input_err!(
            "operation {operation:?} is not in {}; its operations are: {list}",
            self.dir.display()
        ))
    }

    /// The number of events the scan read (`summary.json`'s `events`), if recorded.
    pub fn scanned_events(&self) -> Option<u64> {
        self.findings
            .summary
            .as_ref()
            .and_then(|s| s.get("events"))
            .and_then(Value::as_u64)
    }

    /// The inputs recorded in `summary.json`, as the scan was given them (relative paths are
    /// relative to where the scan ran): `input_files` (`events`, `accounts`, `devices`) when
    /// present; else `inputs`, a flat list with the event files first, where a file after
    /// them whose name starts with `accounts` or `devices` is taken for that side file.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] when `summary.json` is missing or records no inputs.
    pub fn recorded_inputs(&self) -> Result<RecordedInputs> {
        let summary = self.findings.summary.as_ref();
        let none = || {
            invalid_input_err!(
                "{} records no input files (summary.json missing or without `inputs`): pass the event files with --events",
                self.dir.display()
            )
        };
        if let Some(roles) = summary.and_then(|s| s.get("input_files")) {
            let events: Vec<PathBuf> = roles
                .get("events")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(text).map(PathBuf::from).collect())
                .unwrap_or_default();
            if events.is_empty() {
                return Err(none());
            }
            let side = |k: &str| roles.get(k).and_then(text).map(PathBuf::from);
            return Ok(RecordedInputs {
                events,
                accounts: side("accounts"),
                devices: side("devices"),
            });
        }
        let list: Vec<String> = summary
            .and_then(|s| s.get("inputs"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(text).collect())
            .unwrap_or_default();
        if list.is_empty() {
            return Err(none());
        }
        let mut r = RecordedInputs::default();
        for p in list {
            let path = PathBuf::from(&p);
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            if !r.events.is_empty() && name.starts_with("accounts") && r.accounts.is_none() {
                r.accounts = Some(path);
            } else if !r.events.is_empty() && name.starts_with("devices") && r.devices.is_none() {
                r.devices = Some(path);
            } else {
                r.events.push(path);
            }
        }
        Ok(r)
    }
}

/// A JSON string or number as text.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
