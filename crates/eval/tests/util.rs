//! Fixture directories and the hand-computed example shared by the tests.

use std::path::{Path, PathBuf};

use lockstep_eval::Report;
use tempfile::TempDir;

/// A temporary truth directory and findings directory.
pub(crate) struct Fixture {
    _dir: TempDir,
    pub(crate) truth: PathBuf,
    pub(crate) findings: PathBuf,
}

impl Fixture {
    /// Two empty directories.
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let truth = dir.path().join("truth");
        let findings = dir.path().join("findings");
        std::fs::create_dir(&truth).expect("mkdir truth");
        std::fs::create_dir(&findings).expect("mkdir findings");
        Fixture {
            _dir: dir,
            truth,
            findings,
        }
    }

    /// The hand-computed example (see [`HAND_TRUTH`] and [`HAND_FINDINGS`]).
    pub(crate) fn hand() -> Self {
        let f = Fixture::new();
        for (name, text) in HAND_TRUTH {
            f.truth(name, text);
        }
        for (name, text) in HAND_FINDINGS {
            f.found(name, text);
        }
        f
    }

    /// Writes a truth file.
    pub(crate) fn truth(&self, name: &str, text: impl AsRef<[u8]>) -> &Self {
        write(&self.truth, name, text.as_ref());
        self
    }

    /// Writes a findings file.
    pub(crate) fn found(&self, name: &str, text: impl AsRef<[u8]>) -> &Self {
        write(&self.findings, name, text.as_ref());
        self
    }

    /// Runs the scorer.
    pub(crate) fn eval(&self) -> Report {
        lockstep_eval::evaluate(&self.truth, &self.findings).expect("evaluate")
    }
}

fn write(dir: &Path, name: &str, text: &[u8]) {
    std::fs::write(dir.join(name), text).expect("write fixture file");
}

/// Asserts that a ratio is `Some(expected)` up to rounding.
#[track_caller]
pub(crate) fn assert_ratio(got: Option<f64>, expected: f64) {
    match got {
        Some(g) if (g - expected).abs() < 1e-9 => {}
        _ => panic!("expected ratio {expected}, got {got:?}"),
    }
}

/// The truth of the hand-computed example: 5 organic accounts, operations opA (4 fakes, a like
/// farm), opB (2 compromised, a vendor app), opC (2 fakes, scraping 4 victims).
pub(crate) const HAND_TRUTH: &[(&str, &str)] = &[
    (
        "truth_accounts.csv",
        "account,label,operation,groups
o1,organic,,viral-liker
o2,organic,,viral-liker;cgnat
o3,organic,,cgnat
o4,organic,,
o5,organic,,power-user
f1,fake,opA,
f2,fake,opA,
f3,fake,opA,
f4,fake,opA,
c1,compromised,opB,household
c2,compromised,opB,
s1,fake,opC,
s2,fake,opC,
",
    ),
    (
        "truth_events.csv",
        "event,fake,operation
e1,1,opA
e2,1,opA
e3,1,opA
e4,1,opB
e5,1,opB
e6,1,opC
e7,0,
e8,0,
e9,0,
e10,0,
",
    ),
    (
        "truth_operations.csv",
        "operation,scenario,kind,accounts,events,returns_from
opA,farm,like-farm,4,3,
opB,app,vendor-app,2,2,
opC,scrape,scraping,2,1,
",
    ),
    (
        "truth_victims.csv",
        "operation,account
opC,o1
opC,o2
opC,o3
opC,o4
",
    ),
    (
        "truth_beneficiaries.csv",
        "operation,owner
opA,page1
opB,page2
",
    ),
];

/// The findings of the hand-computed example, with an unknown account (`x9`), an unknown event
/// (`e99`), duplicates, and malformed rows at known lines.
pub(crate) const HAND_FINDINGS: &[(&str, &str)] = &[
    (
        "verdicts.csv",
        "account,verdict,score,operation,reasons
o1,fake,0.8,F1,lockstep
o2,suspicious,0.5,,
o3,ok,0.1,,
f1,fake,0.9,F1,lockstep
f2,fake,0.9,F1,lockstep
f3,compromised,0.7,F1,app
f4,ok,0.2,,
c1,compromised,0.8,F2,app
c2,fake,0.8,F2,lockstep
s1,suspicious,0.6,,
x9,fake,0.9,F1,lockstep
f1,fake,0.9,F1,lockstep
o5,maybe,0.5,,
o4,ok
",
    ),
    (
        "flagged_events.csv",
        "event,operation,reasons
e1,F1,r
e2,F1,r
e4,F2,r
e7,F1,r
e99,F1,r
e2,F1,r
,F1,r
",
    ),
    (
        "operations.json",
        r#"{"operations": [
  {"id": "F1", "kind": "like-farm", "accounts": ["f1", "f2", "f3", "o1", "x9"],
   "beneficiaries": [{"id": "page1"}, "page9"]},
  {"id": "F2", "kind": "vendor-app", "members": ["c1", "c2"]},
  {"id": "F3", "kind": "scraping", "accounts": ["s1"],
   "victims": ["o1", "o2", {"account": "o9"}]},
  {"kind": "broken"},
  "junk"
]}"#,
    ),
];
