//! The hand-computed example: exact numbers, unknown ids, malformed rows, duplicates.
//!
//! The fixture is [`crate::util::HAND_TRUTH`] and [`crate::util::HAND_FINDINGS`]; every number
//! below was worked out by hand from it.

use lockstep_eval::{Confusion, FileReport, KindConfusion, MalformedRow, Report};

use crate::util::{Fixture, assert_ratio};

fn file<'a>(r: &'a Report, name: &str) -> &'a FileReport {
    r.data_quality
        .files
        .iter()
        .find(|f| f.file == name)
        .unwrap_or_else(|| panic!("no report for {name}"))
}

#[test]
fn account_numbers() {
    let r = Fixture::hand().eval();
    let a = &r.accounts;
    // Flagged: o1 (organic), f1 f2 f3 c1 c2 (positive), x9 (unknown).
    assert_eq!(
        a.confusion,
        Confusion {
            true_positives: 5,
            false_positives: 2,
            false_negatives: 3,
            true_negatives: 4,
        }
    );
    assert_eq!((a.truth_accounts, a.positives, a.flagged), (13, 8, 7));
    assert_ratio(a.precision, 5.0 / 7.0);
    assert_ratio(a.recall, 5.0 / 8.0);
    assert_ratio(a.f1, 10.0 / 15.0);
    assert_eq!((a.organic, a.organic_flagged), (5, 1));
    assert_ratio(a.organic_fpr, 0.2);
    assert_eq!(
        (
            a.suspicious.organic,
            a.suspicious.fake,
            a.suspicious.total()
        ),
        (1, 1, 2)
    );
}

#[test]
fn right_kind_numbers() {
    let r = Fixture::hand().eval();
    let k = &r.right_kind;
    assert_eq!((k.true_positives, k.right), (5, 3));
    assert_ratio(k.share, 0.6);
    assert_eq!(
        k.confusion,
        KindConfusion {
            fake_as_fake: 2,
            fake_as_compromised: 1,
            compromised_as_fake: 1,
            compromised_as_compromised: 1,
        }
    );
}

#[test]
fn event_numbers() {
    let r = Fixture::hand().eval();
    let e = r.events.as_ref().unwrap();
    assert_eq!(
        e.confusion,
        Confusion {
            true_positives: 3,
            false_positives: 2,
            false_negatives: 3,
            true_negatives: 3,
        }
    );
    assert_ratio(e.precision, 0.6);
    assert_ratio(e.recall, 0.5);
    assert_ratio(e.f1, 6.0 / 11.0);
}

#[test]
fn operation_and_scenario_numbers() {
    let r = Fixture::hand().eval();
    let ops: Vec<_> = r.operations.iter().map(|o| o.operation.as_str()).collect();
    assert_eq!(ops, ["opA", "opB", "opC"]);

    let a = &r.operations[0];
    assert_eq!(a.scenario.as_deref(), Some("farm"));
    assert_eq!(a.kind.as_deref(), Some("like-farm"));
    assert_eq!((a.accounts, a.accounts_flagged), (4, 3));
    assert_ratio(a.account_recall, 0.75);
    assert_eq!((a.events, a.events_flagged), (Some(3), Some(2)));
    assert_ratio(a.event_recall, 2.0 / 3.0);
    assert_eq!(a.matches.len(), 1);
    assert_eq!(a.matches[0].operation, "F1");
    assert_eq!(a.matches[0].overlap, 3);
    assert_ratio(a.matches[0].share, 0.75);
    // F1 has five members: f1 f2 f3 o1 x9.
    assert_ratio(a.matches[0].purity, 0.6);

    let b = &r.operations[1];
    assert_ratio(b.account_recall, 1.0);
    assert_ratio(b.event_recall, 0.5);
    assert_eq!(b.matches[0].operation, "F2");
    assert_ratio(b.matches[0].purity, 1.0);

    let c = &r.operations[2];
    assert_ratio(c.account_recall, 0.0);
    assert_eq!(c.accounts_suspicious, 1);
    assert_ratio(c.event_recall, 0.0);
    assert_eq!(c.matches[0].operation, "F3");
    assert_ratio(c.matches[0].share, 0.5);
    assert_ratio(c.matches[0].purity, 1.0);

    let s: Vec<_> = r
        .scenarios
        .iter()
        .map(|s| {
            (
                s.scenario.as_str(),
                s.operations,
                s.accounts,
                s.accounts_flagged,
            )
        })
        .collect();
    assert_eq!(
        s,
        [("app", 1, 2, 2), ("farm", 1, 4, 3), ("scrape", 1, 2, 0)]
    );
    assert_ratio(r.scenarios[1].account_recall, 0.75);
    assert_ratio(r.scenarios[1].mean_operation_recall, 0.75);
}

#[test]
fn group_numbers() {
    let r = Fixture::hand().eval();
    let g: Vec<_> = r
        .groups
        .as_ref()
        .unwrap()
        .iter()
        .map(|g| (g.group.as_str(), g.members, g.flagged, g.suspicious))
        .collect();
    assert_eq!(
        g,
        [
            ("cgnat", 2, 0, 1),
            ("household", 1, 1, 0),
            ("power-user", 1, 0, 0),
            ("viral-liker", 2, 1, 1),
        ]
    );
    let viral = &r.groups.as_ref().unwrap()[3];
    assert_ratio(viral.share_flagged, 0.5);
    assert_eq!((viral.organic, viral.organic_flagged), (2, 1));
    assert_ratio(viral.organic_fpr, 0.5);
    // The household member is a compromised account: flagged, but not a false positive.
    let household = &r.groups.as_ref().unwrap()[1];
    assert_eq!((household.organic, household.organic_flagged), (0, 0));
    assert_eq!(household.organic_fpr, None);
}

#[test]
fn victim_and_beneficiary_numbers() {
    let r = Fixture::hand().eval();
    let v = r.victims.as_ref().unwrap();
    assert_eq!((v.truth, v.named), (4, 2));
    assert_ratio(v.share, 0.5);
    assert_eq!((v.findings_named, v.findings_named_true), (3, 2));
    assert_ratio(v.precision, 2.0 / 3.0);
    assert_eq!(v.per_operation.len(), 1);
    assert_eq!(v.per_operation[0].operation, "opC");

    let b = r.beneficiaries.as_ref().unwrap();
    assert_eq!((b.truth, b.named), (2, 1));
    assert_ratio(b.share, 0.5);
    assert_ratio(b.precision, 0.5);
    let per: Vec<_> = b
        .per_operation
        .iter()
        .map(|p| (p.operation.as_str(), p.named))
        .collect();
    assert_eq!(per, [("opA", 1), ("opB", 0)]);
}

#[test]
fn unknown_ids_are_counted_and_are_false_positives() {
    let r = Fixture::hand().eval();
    let dq = &r.data_quality;
    assert_eq!(
        (dq.unknown_accounts.count, dq.unknown_accounts.flagged),
        (1, 1)
    );
    assert_eq!(dq.unknown_accounts.examples, ["x9"]);
    assert_eq!((dq.unknown_events.count, dq.unknown_events.flagged), (1, 1));
    assert_eq!(dq.unknown_events.examples, ["e99"]);
    let w = dq.warnings.join("\n");
    assert!(w.contains("unknown accounts: 1 (1 flagged"), "{w}");
    assert!(w.contains("unknown events: 1 (1 flagged"), "{w}");
}

#[test]
fn malformed_rows_and_duplicates_are_reported_with_lines() {
    let r = Fixture::hand().eval();
    let v = file(&r, "verdicts.csv");
    assert_eq!(
        (v.rows, v.malformed, v.duplicates, v.conflicting),
        (14, 2, 1, 0)
    );
    assert_eq!(
        v.examples,
        [
            MalformedRow {
                line: Some(14),
                entry: None,
                reason: "unknown verdict \"maybe\"".to_owned(),
            },
            MalformedRow {
                line: Some(15),
                entry: None,
                reason: "expected 5 fields, found 2".to_owned(),
            },
        ]
    );
    let e = file(&r, "flagged_events.csv");
    assert_eq!((e.rows, e.malformed, e.duplicates), (7, 1, 1));
    assert_eq!(e.examples[0].line, Some(8));
    let o = file(&r, "operations.json");
    assert_eq!((o.rows, o.malformed), (5, 2));
    let entries: Vec<_> = o.examples.iter().map(|m| m.entry).collect();
    assert_eq!(entries, [Some(3), Some(4)]);
    let w = r.data_quality.warnings.join("\n");
    assert!(
        w.contains("findings/verdicts.csv: 2 malformed row(s) skipped (first: line 14: unknown verdict \"maybe\")"),
        "{w}"
    );
    assert!(
        w.contains("findings/verdicts.csv: 1 duplicate row(s) counted once"),
        "{w}"
    );
}

#[test]
fn conflicting_duplicates_keep_the_first_row() {
    let f = Fixture::new();
    f.truth(
        "truth_accounts.csv",
        "account,label,operation\na,fake,\nb,organic,\n",
    )
    .found(
        "verdicts.csv",
        "account,verdict,score,operation,reasons\na,ok,0,,\na,fake,1,,\nb,ok,0,,\n",
    );
    let r = f.eval();
    assert_eq!(r.accounts.confusion.true_positives, 0);
    let v = file(&r, "verdicts.csv");
    assert_eq!((v.duplicates, v.conflicting), (1, 1));
}

#[test]
fn json_has_no_nan_and_round_trips() {
    let r = Fixture::hand().eval();
    let json = serde_json::to_string_pretty(&r).unwrap();
    assert!(!json.contains("NaN"));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["accounts"]["confusion"]["true_positives"], 5);
    assert_eq!(v["right_kind"]["confusion"]["compromised_as_fake"], 1);
}
