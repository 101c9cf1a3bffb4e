//! The data-quality section of a report: which files were read, and what was wrong with them.

use serde::Serialize;

/// How many malformed rows of one file are kept as examples.
pub(crate) const MAX_EXAMPLES: usize = 5;
/// How many unknown ids are kept as examples.
pub(crate) const MAX_UNKNOWN_EXAMPLES: usize = 5;

/// Which directory a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The ground-truth directory.
    Truth,
    /// The findings directory.
    Findings,
}

impl Side {
    /// `truth` or `findings`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Truth => "truth",
            Side::Findings => "findings",
        }
    }
}

/// Whether a file could be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    /// Read; its good rows were used.
    Read,
    /// Not there.
    Missing,
    /// There, but not usable at all (unreadable, not CSV/JSON, required columns missing).
    Unusable,
}

impl FileStatus {
    /// `read`, `missing` or `unusable`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Read => "read",
            FileStatus::Missing => "missing",
            FileStatus::Unusable => "unusable",
        }
    }
}

/// One row (CSV) or entry (JSON) that was skipped, or partly skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MalformedRow {
    /// 1-based line number in a CSV file (the header is line 1).
    pub line: Option<u64>,
    /// 0-based index of the entry in a JSON array.
    pub entry: Option<u64>,
    /// Why it was skipped.
    pub reason: String,
}

impl MalformedRow {
    /// `line N`, `entry N` or `?`.
    pub fn location(&self) -> String {
        match (self.line, self.entry) {
            (Some(l), _) => format!("line {l}"),
            (None, Some(e)) => format!("entry {e}"),
            (None, None) => "?".to_owned(),
        }
    }
}

/// What reading one file found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport {
    /// Which directory the file is in.
    pub side: Side,
    /// The file name, e.g. `verdicts.csv`.
    pub file: String,
    /// Whether it could be used.
    pub status: FileStatus,
    /// Why the file is unusable, or another note about it.
    pub note: Option<String>,
    /// Data rows (CSV) or entries (JSON) seen.
    pub rows: u64,
    /// Rows or entries skipped or partly skipped because they were malformed.
    pub malformed: u64,
    /// The first few malformed rows.
    pub examples: Vec<MalformedRow>,
    /// Rows whose key repeats an earlier row's; they are counted once (the first row wins).
    pub duplicates: u64,
    /// Of `duplicates`, those that disagree with the earlier row (e.g. another verdict).
    pub conflicting: u64,
}

impl FileReport {
    pub(crate) fn new(side: Side, file: &str) -> Self {
        FileReport {
            side,
            file: file.to_owned(),
            status: FileStatus::Missing,
            note: None,
            rows: 0,
            malformed: 0,
            examples: Vec::new(),
            duplicates: 0,
            conflicting: 0,
        }
    }

    /// Counts a malformed row and keeps it as an example if there are few so far.
    pub(crate) fn malformed(&mut self, line: Option<u64>, entry: Option<u64>, reason: String) {
        self.malformed += 1;
        if self.examples.len() < MAX_EXAMPLES {
            self.examples.push(MalformedRow {
                line,
                entry,
                reason,
            });
        }
    }

    /// Counts a duplicate row.
    pub(crate) fn duplicate(&mut self, conflicting: bool) {
        self.duplicates += 1;
        if conflicting {
            self.conflicting += 1;
        }
    }

    /// `truth/verdicts.csv`-style display name.
    pub fn display_name(&self) -> String {
        format!("{}/{}", self.side.as_str(), self.file)
    }
}

/// Ids that the findings name but the truth does not know.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UnknownIds {
    /// Distinct unknown ids.
    pub count: u64,
    /// Of those, the ones the findings flag (each is a false positive).
    pub flagged: u64,
    /// The first few, in the order they were met.
    pub examples: Vec<String>,
}

impl UnknownIds {
    /// Records a new (distinct) unknown id.
    pub(crate) fn add(&mut self, id: &str, flagged: bool) {
        self.count += 1;
        if flagged {
            self.flagged += 1;
        }
        if self.examples.len() < MAX_UNKNOWN_EXAMPLES {
            self.examples.push(id.to_owned());
        }
    }
}

/// The data-quality section of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataQuality {
    /// One entry per file the scorer looked for, truth first.
    pub files: Vec<FileReport>,
    /// Accounts named in `verdicts.csv` or `operations.json` that `truth_accounts.csv` lacks.
    pub unknown_accounts: UnknownIds,
    /// Events in `flagged_events.csv` that `truth_events.csv` lacks (only when it exists).
    pub unknown_events: UnknownIds,
    /// Human-readable warnings: missing findings, unusable files, malformed rows, unknown ids.
    pub warnings: Vec<String>,
}
