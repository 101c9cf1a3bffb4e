//! The output directory of an import: event and accounts files through `lockstep-ingest`'s
//! writers, the truth files (CONTRACT §3), `rejected.jsonl` and `import.json`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use lockstep_ingest::write::{AccountRow, AccountWriter, EventRow, EventWriter, Format};
use serde::Serialize;

use crate::error::{Error, Result, invalid_input_err};

/// `import.json`.
pub const SUMMARY_FILE: &str = "import.json";
/// `rejected.jsonl`: rows of the source that were not imported, with file, line and reason.
pub const REJECTED_FILE: &str = "rejected.jsonl";
/// `truth_accounts.csv` (CONTRACT §3).
pub const TRUTH_ACCOUNTS: &str = "truth_accounts.csv";
/// `truth_events.csv` (CONTRACT §3).
pub const TRUTH_EVENTS: &str = "truth_events.csv";

/// What `import.json` says about one import.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Summary {
    /// Version of this file's layout.
    pub schema_version: u32,
    /// The importer (`yelpchi`, `youtube`, …).
    pub kind: String,
    /// The data set's name and citation.
    pub data_set: String,
    /// The directory or file read.
    pub source: String,
    /// What a positive label means, and how strong it is.
    pub label_type: String,
    /// Files written, by role (`events`, `accounts`, `truth_accounts`, `truth_events`,
    /// `rejected`), as names relative to the output directory.
    pub files: BTreeMap<String, String>,
    /// Source rows read (header lines excluded).
    pub rows_read: u64,
    /// Source rows not imported.
    pub rows_rejected: u64,
    /// Rejected rows by reason.
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// Events written.
    pub events: u64,
    /// Events labelled positive in `truth_events.csv`.
    pub positive_events: u64,
    /// Accounts in `truth_accounts.csv` (or in the accounts file when there is no truth).
    pub accounts: u64,
    /// Accounts labelled `fake` in `truth_accounts.csv`.
    pub positive_accounts: u64,
    /// Per-source-file row counts.
    pub per_file: BTreeMap<String, u64>,
    /// What the import had to decide and what the data cannot show.
    pub notes: Vec<String>,
}

#[derive(Serialize)]
struct RejectedRow<'a> {
    file: &'a str,
    line: u64,
    reason: &'a str,
    detail: &'a str,
}

/// An import in progress: everything written under one directory.
pub(crate) struct Output {
    dir: PathBuf,
    format: Format,
    events: Option<EventWriter>,
    accounts: Option<AccountWriter>,
    truth_accounts: Option<csv::Writer<BufWriter<File>>>,
    truth_events: Option<csv::Writer<BufWriter<File>>>,
    rejected: BufWriter<File>,
    pub(crate) summary: Summary,
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    Ok(BufWriter::new(
        File::create(path).map_err(|e| Error::io(path, e))?,
    ))
}

impl Output {
    /// Creates `dir` (and parents) and opens `rejected.jsonl`.
    pub(crate) fn create(dir: &Path, format: Format, kind: &str, source: &Path) -> Result<Self> {
        if dir.is_file() {
            return Err(invalid_input_err!(
                "output {} is a file; give a directory",
                dir.display()
            ));
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let rejected = create(&dir.join(REJECTED_FILE))?;
        let mut summary = Summary {
            schema_version: 1,
            kind: kind.to_owned(),
            source: source.display().to_string(),
            ..Summary::default()
        };
        summary
            .files
            .insert("rejected".into(), REJECTED_FILE.into());
        Ok(Output {
            dir: dir.to_path_buf(),
            format,
            events: None,
            accounts: None,
            truth_accounts: None,
            truth_events: None,
            rejected,
            summary,
        })
    }

    /// The name of the events file in this import's format.
    pub(crate) fn events_name(&self) -> String {
        format!("events.{}", self.format.extension())
    }

    /// Writes one event (opening the events file on first use).
    pub(crate) fn event(&mut self, row: &EventRow<'_>) -> Result<()> {
        if self.events.is_none() {
            let name = self.events_name();
            self.events = Some(EventWriter::create(&self.dir.join(&name), self.format)?);
            self.summary.files.insert("events".into(), name);
        }
        if let Some(w) = self.events.as_mut() {
            w.write(row)?;
        }
        self.summary.events += 1;
        Ok(())
    }

    /// Opens the accounts side file with these attribute columns.
    pub(crate) fn open_accounts(&mut self, attrs: &[&str]) -> Result<()> {
        let name = format!("accounts.{}", self.format.extension());
        self.accounts = Some(AccountWriter::create_with_attrs(
            &self.dir.join(&name),
            self.format,
            attrs,
        )?);
        self.summary.files.insert("accounts".into(), name);
        Ok(())
    }

    /// Writes one row of the accounts side file.
    pub(crate) fn account(&mut self, row: &AccountRow<'_>) -> Result<()> {
        match self.accounts.as_mut() {
            Some(w) => Ok(w.write(row)?),
            None => Err(Error::Internal("accounts file not opened".into())),
        }
    }

    /// Writes one row of `truth_accounts.csv`; `groups` are `;`-joined into the `groups`
    /// column.
    pub(crate) fn truth_account(
        &mut self,
        account: &str,
        fake: bool,
        groups: &[&str],
    ) -> Result<()> {
        if self.truth_accounts.is_none() {
            let path = self.dir.join(TRUTH_ACCOUNTS);
            let mut w = csv::Writer::from_writer(create(&path)?);
            w.write_record(["account", "label", "operation", "groups"])
                .map_err(|e| csv_err(&path, e))?;
            self.truth_accounts = Some(w);
            self.summary
                .files
                .insert("truth_accounts".into(), TRUTH_ACCOUNTS.into());
        }
        let label = if fake { "fake" } else { "organic" };
        let groups = groups.join(";");
        if let Some(w) = self.truth_accounts.as_mut() {
            w.write_record([account, label, "", groups.as_str()])
                .map_err(|e| csv_err(&self.dir.join(TRUTH_ACCOUNTS), e))?;
        }
        self.summary.accounts += 1;
        self.summary.positive_accounts += u64::from(fake);
        Ok(())
    }

    /// Writes one row of `truth_events.csv`.
    pub(crate) fn truth_event(&mut self, event: &str, fake: bool) -> Result<()> {
        if self.truth_events.is_none() {
            let path = self.dir.join(TRUTH_EVENTS);
            let mut w = csv::Writer::from_writer(create(&path)?);
            w.write_record(["event", "fake", "operation"])
                .map_err(|e| csv_err(&path, e))?;
            self.truth_events = Some(w);
            self.summary
                .files
                .insert("truth_events".into(), TRUTH_EVENTS.into());
        }
        if let Some(w) = self.truth_events.as_mut() {
            w.write_record([event, if fake { "1" } else { "0" }, ""])
                .map_err(|e| csv_err(&self.dir.join(TRUTH_EVENTS), e))?;
        }
        self.summary.positive_events += u64::from(fake);
        Ok(())
    }

    /// Records a source row that was not imported. `detail` must not repeat the row's
    /// content (some data sets hold personal data).
    pub(crate) fn reject(
        &mut self,
        file: &str,
        line: u64,
        reason: &str,
        detail: &str,
    ) -> Result<()> {
        let row = RejectedRow {
            file,
            line,
            reason,
            detail,
        };
        let path = self.dir.join(REJECTED_FILE);
        serde_json::to_writer(&mut self.rejected, &row).map_err(|e| Error::io(&path, e.into()))?;
        self.rejected
            .write_all(b"\n")
            .map_err(|e| Error::io(&path, e))?;
        self.summary.rows_rejected += 1;
        *self
            .summary
            .rejected_by_reason
            .entry(reason.to_owned())
            .or_insert(0) += 1;
        Ok(())
    }

    /// Flushes every file and writes `import.json`.
    pub(crate) fn finish(mut self) -> Result<Summary> {
        if let Some(w) = self.events.take() {
            w.finish()?;
        }
        if let Some(w) = self.accounts.take() {
            w.finish()?;
        }
        for (w, name) in [
            (self.truth_accounts.take(), TRUTH_ACCOUNTS),
            (self.truth_events.take(), TRUTH_EVENTS),
        ] {
            if let Some(mut w) = w {
                w.flush().map_err(|e| Error::io(self.dir.join(name), e))?;
            }
        }
        self.rejected
            .flush()
            .map_err(|e| Error::io(self.dir.join(REJECTED_FILE), e))?;
        write_json(&self.dir.join(SUMMARY_FILE), &self.summary)?;
        Ok(self.summary)
    }
}

fn csv_err(path: &Path, e: csv::Error) -> Error {
    Error::io(path, std::io::Error::other(e))
}

/// Writes `value` as pretty JSON with a final newline.
pub(crate) fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Internal(format!("cannot serialise {}: {e}", path.display())))?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

/// Reads `import.json` from an import directory.
///
/// # Errors
/// [`Error::InvalidInput`] when `dir` has no readable `import.json`.
pub fn read_summary(dir: &Path) -> Result<Summary> {
    let path = dir.join(SUMMARY_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        invalid_input_err!(
            "{} is not an import directory (cannot read {SUMMARY_FILE}: {e})",
            dir.display()
        )
    })?;
    serde_json::from_str(&text)
        .map_err(|e| invalid_input_err!("{}: not an import summary: {e}", path.display()))
}
