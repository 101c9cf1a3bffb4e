//! Missing or empty findings, and missing or broken truth.

use lockstep_eval::{Error, FileStatus};

use crate::util::{Fixture, HAND_TRUTH, assert_ratio};

fn hand_truth_only() -> Fixture {
    let f = Fixture::new();
    for (name, text) in HAND_TRUTH {
        f.truth(name, text);
    }
    f
}

#[test]
fn empty_findings_directory_scores_recall_zero_with_warnings() {
    let f = hand_truth_only();
    let r = f.eval();
    assert_ratio(r.accounts.recall, 0.0);
    assert_eq!(r.accounts.precision, None);
    assert_ratio(r.accounts.f1, 0.0);
    assert_ratio(r.accounts.organic_fpr, 0.0);
    assert_eq!(r.right_kind.share, None);
    let e = r.events.as_ref().unwrap();
    assert_ratio(e.recall, 0.0);
    assert_eq!(e.precision, None);
    for op in &r.operations {
        assert_ratio(op.account_recall, 0.0);
        assert!(op.matches.is_empty());
    }
    assert_ratio(r.victims.as_ref().unwrap().share, 0.0);
    assert_eq!(r.victims.as_ref().unwrap().precision, None);
    let w = &r.data_quality.warnings;
    for file in ["verdicts.csv", "flagged_events.csv", "operations.json"] {
        assert!(
            w.iter()
                .any(|w| w.contains(&format!("findings/{file} is missing"))),
            "no warning for {file}: {w:#?}"
        );
    }
    // The JSON has nulls, never NaN.
    let json = serde_json::to_string(&r).unwrap();
    assert!(json.contains("\"precision\":null"));
    assert!(!json.contains("NaN"));
    let table = r.render_table();
    assert!(table.contains("n/a"));
}

#[test]
fn nonexistent_findings_directory_is_a_warning_not_an_error() {
    let f = hand_truth_only();
    let r = lockstep_eval::evaluate(&f.truth, &f.findings.join("nope")).unwrap();
    assert_ratio(r.accounts.recall, 0.0);
    assert!(r.data_quality.warnings[0].contains("does not exist"));
}

#[test]
fn missing_truth_is_an_error() {
    let f = Fixture::new();
    let err = lockstep_eval::evaluate(&f.truth.join("nope"), &f.findings).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    assert!(err.to_string().contains("does not exist"));

    let err = lockstep_eval::evaluate(&f.truth, &f.findings).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    assert!(err.to_string().contains("truth_accounts.csv"), "{err}");

    f.truth("truth_accounts.csv", "id,kind\na,organic\n");
    let err = lockstep_eval::evaluate(&f.truth, &f.findings).unwrap_err();
    assert!(err.to_string().contains("label"), "{err}");
}

#[test]
fn accounts_only_truth_reports_events_as_not_available() {
    let f = Fixture::new();
    f.truth(
        "truth_accounts.csv",
        "account,label,operation\na,organic,\nb,fake,op1\n",
    )
    .found(
        "verdicts.csv",
        "account,verdict,score,operation,reasons\nb,fake,1,,\n",
    )
    .found("flagged_events.csv", "event,operation,reasons\nx,,\nx,,\n");
    let r = f.eval();
    assert_eq!(r.events, None);
    assert_eq!(r.groups, None);
    assert_eq!(r.victims, None);
    assert_eq!(r.beneficiaries, None);
    assert!(r.scenarios.is_empty());
    assert_eq!(r.operations.len(), 1);
    assert_eq!(r.operations[0].events, None);
    assert_ratio(r.accounts.f1, 1.0);
    // Events are not scored, so none is "unknown"; duplicates are still counted.
    assert_eq!(r.data_quality.unknown_events.count, 0);
    let fe = r
        .data_quality
        .files
        .iter()
        .find(|f| f.file == "flagged_events.csv")
        .unwrap();
    assert_eq!(fe.duplicates, 1);
    assert!(fe.note.as_deref().unwrap().contains("not scored"));
    let t = r.render_table();
    assert!(t.contains("the truth has no truth_events.csv"), "{t}");
    assert!(t.contains("no groups column"), "{t}");
    let statuses: Vec<(&str, FileStatus)> = r
        .data_quality
        .files
        .iter()
        .map(|f| (f.file.as_str(), f.status))
        .collect();
    assert!(statuses.contains(&("truth_events.csv", FileStatus::Missing)));
}

#[test]
fn unusable_findings_files_are_treated_as_missing() {
    let f = hand_truth_only();
    f.found("verdicts.csv", "who,what\na,b\n")
        .found("flagged_events.csv", "")
        .found("operations.json", "{not json");
    let r = f.eval();
    assert_ratio(r.accounts.recall, 0.0);
    let w = r.data_quality.warnings.join("\n");
    assert!(
        w.contains("findings/verdicts.csv is unusable (header lacks column(s) account, verdict"),
        "{w}"
    );
    assert!(
        w.contains("findings/flagged_events.csv is unusable (empty file"),
        "{w}"
    );
    assert!(
        w.contains("findings/operations.json is unusable (not JSON"),
        "{w}"
    );
}
