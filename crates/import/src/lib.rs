//! Importers of public labelled data sets into lockstep's event-log files (CONTRACT §1) and
//! truth files (CONTRACT §3), and the evaluations that score lockstep on them.
//!
//! # Brief overview
//!
//! [`import`] reads one data set as its authors ship it (a directory under
//! `../shared/data/real/`, never copied into the repository) and writes an import directory:
//! `events.<fmt>` (when the data has events), `accounts.<fmt>` (when it has account
//! attributes), `truth_accounts.csv` and `truth_events.csv` (when it has labels) that
//! `lockstep eval --truth DIR` reads, `rejected.jsonl` (every source row not imported, with
//! file, line and reason, never its content) and `import.json` ([`Summary`]: source, label
//! type, counts, notes). One module per [`Kind`]:
//!
//! | kind | data set | events | labels |
//! |---|---|---|---|
//! | `yelpchi` | YelpChi review graph | `review` user → product, no time | Yelp filter |
//! | `youtube` | YouTube Spam Collection | `comment` author → video, with text | hand labels of content |
//! | `srf` | SRF Instagram fake followers | none; accounts file | journalists' judgement |
//! | `instafake` | InstaFake fake-v1.0 | none; accounts file | authors' labels |
//! | `voterfraud` | VoterFraud2020 retweets (partial) | `share` user → tweet, day resolution | weak: suspended |
//! | `followers` | FollowerAnalyzer sample | `follow` of one profile at the inferred time | none |
//!
//! The evaluations: [`dense::evaluate`] (Fraudar's peeling as an account score; precision at
//! k and ROC AUC, from [`metrics`]), [`accounts::cross_validate`] (a logistic regression on
//! profile features with stratified k-fold cross-validation), and [`findings`] (a
//! `lockstep scan` output scored per target, or by weak-label group). The `lockstep` command
//! line runs them with `lockstep import KIND PATH --out DIR --evaluate`.
//!
//! Sibling crates: `lockstep-ingest` writes the files, `lockstep-detect` provides Fraudar,
//! `lockstep-eval` scores any findings against the truth written here.
//!
//! # Example
//!
//! ```
//! use lockstep_import::{Kind, Options, import};
//!
//! let dir = std::env::temp_dir().join(format!("lockstep-import-doc-{}", std::process::id()));
//! let src = dir.join("yelpchi");
//! std::fs::create_dir_all(&src).unwrap();
//! // Two reviews in YelpChi's shape, gzip-compressed as shipped.
//! let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
//! std::io::Write::write_all(&mut gz, b"201 0 None -1 None\n202 0 None 1 None\nbad line\n").unwrap();
//! std::fs::write(src.join("metadata.gz"), gz.finish().unwrap()).unwrap();
//!
//! let summary = import(Kind::Yelpchi, &src, &dir.join("out"), &Options::default()).unwrap();
//! assert_eq!((summary.events, summary.rows_rejected), (2, 1));
//! assert_eq!((summary.accounts, summary.positive_accounts), (2, 1));
//! assert!(dir.join("out/truth_accounts.csv").is_file());
//! std::fs::remove_dir_all(&dir).unwrap();
//! ```

pub mod accounts;
pub mod content;
pub mod dense;
mod error;
pub mod findings;
pub mod followers;
pub mod instafake;
pub mod metrics;
mod out;
mod source;
pub mod srf;
pub mod voterfraud;
pub mod yelpchi;
pub mod youtube;

use std::path::Path;
use std::str::FromStr;

pub use error::{Error, Result};
pub use lockstep_ingest::write::Format;
pub use out::{REJECTED_FILE, SUMMARY_FILE, Summary, TRUTH_ACCOUNTS, TRUTH_EVENTS, read_summary};

/// A data set the importer knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// YelpChi review graph (`metadata.gz`).
    Yelpchi,
    /// YouTube Spam Collection (`Youtube0N-*.csv`).
    Youtube,
    /// SRF Instagram fake followers (`labelled_1000_inclprivate.csv`).
    Srf,
    /// InstaFake fake-v1.0 (`fakeAccountData.json`, `realAccountData.json`).
    Instafake,
    /// VoterFraud2020 retweets, partial (`retweets-*.csv`, `users-5.csv`).
    Voterfraud,
    /// FollowerAnalyzer follower sample (`sample_follower_data.json`), unlabelled.
    Followers,
}

impl Kind {
    /// Every kind, in a fixed order.
    pub const ALL: [Kind; 6] = [
        Kind::Yelpchi,
        Kind::Youtube,
        Kind::Srf,
        Kind::Instafake,
        Kind::Voterfraud,
        Kind::Followers,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Yelpchi => "yelpchi",
            Kind::Youtube => "youtube",
            Kind::Srf => "srf",
            Kind::Instafake => "instafake",
            Kind::Voterfraud => "voterfraud",
            Kind::Followers => "followers",
        }
    }

    /// The directory name of this data set under `../shared/data/real/`.
    pub fn default_dir(self) -> &'static str {
        match self {
            Kind::Yelpchi => "yelpchi-ugfraud-graph",
            Kind::Youtube => "youtube-spam-collection",
            Kind::Srf => "srf-instagram-fake-followers",
            Kind::Instafake => "instafake-fake-v1.0",
            Kind::Voterfraud => "voterfraud2020-retweets-partial",
            Kind::Followers => "followeranalyzer-sample-unlabeled",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "unknown data set kind `{s}`; expected one of {}",
                    Kind::ALL.map(Kind::name).join(", ")
                ))
            })
    }
}

/// How to import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The format of the events and accounts files. Default JSON Lines.
    pub format: Format,
    /// Read at most this many data rows of each source file (tests read small slices).
    pub limit: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            format: Format::Jsonl,
            limit: None,
        }
    }
}

/// Imports the data set of `kind` at `path` (its directory, or for one-file data sets the
/// file) into the directory `out` (created if missing; files in it are overwritten).
///
/// # Returns
/// What was written, as also saved in `out/import.json`.
///
/// # Errors
/// [`Error::InvalidInput`] when `path` does not hold that data set (the message names the
/// file expected); [`Error::Io`] and [`Error::Ingest`] when reading or writing fails. Bad rows
/// are never errors: they go to `rejected.jsonl`.
pub fn import(kind: Kind, path: &Path, out: &Path, opts: &Options) -> Result<Summary> {
    if !path.exists() {
        return Err(Error::InvalidInput(format!(
            "{}: no such file or directory",
            path.display()
        )));
    }
    let mut o = out::Output::create(out, opts.format, kind.name(), path)?;
    match kind {
        Kind::Yelpchi => yelpchi::import(path, &mut o, opts)?,
        Kind::Youtube => youtube::import(path, &mut o, opts)?,
        Kind::Srf => srf::import(path, &mut o, opts)?,
        Kind::Instafake => instafake::import(path, &mut o, opts)?,
        Kind::Voterfraud => voterfraud::import(path, &mut o, opts)?,
        Kind::Followers => followers::import(path, &mut o, opts)?,
    }
    o.finish()
}

#[cfg(test)]
mod tests;
