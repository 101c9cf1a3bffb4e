//! Scoring the truth against itself: every metric is perfect.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::util::{Fixture, HAND_TRUTH, assert_ratio};

/// Writes findings that say exactly what the truth in `f` says.
fn findings_from_truth(f: &Fixture) {
    let read = |name: &str| -> Vec<Vec<String>> {
        match std::fs::read_to_string(f.truth.join(name)) {
            Ok(text) => text
                .lines()
                .skip(1)
                .map(|l| l.split(',').map(str::to_owned).collect())
                .collect(),
            Err(_) => Vec::new(),
        }
    };
    let mut verdicts = String::from("account,verdict,score,operation,reasons\n");
    let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in read("truth_accounts.csv") {
        let (verdict, score) = if r[1] == "organic" {
            ("ok", "0.0")
        } else {
            (r[1].as_str(), "1.0")
        };
        writeln!(verdicts, "{},{verdict},{score},{},truth", r[0], r[2]).unwrap();
        if !r[2].is_empty() {
            members.entry(r[2].clone()).or_default().push(r[0].clone());
        }
    }
    let mut events = String::from("event,operation,reasons\n");
    for r in read("truth_events.csv").iter().filter(|r| r[1] == "1") {
        writeln!(events, "{},{},truth", r[0], r[2]).unwrap();
    }
    let mut victims: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in read("truth_victims.csv") {
        victims.entry(r[0].clone()).or_default().push(r[1].clone());
    }
    let mut owners: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in read("truth_beneficiaries.csv") {
        owners.entry(r[0].clone()).or_default().push(r[1].clone());
    }
    let ops: Vec<serde_json::Value> = members
        .iter()
        .map(|(op, accounts)| {
            serde_json::json!({
                "id": format!("found-{op}"),
                "kind": "any",
                "accounts": accounts,
                "victims": victims.get(op).cloned().unwrap_or_default(),
                "beneficiaries": owners.get(op).cloned().unwrap_or_default(),
            })
        })
        .collect();
    f.found("verdicts.csv", verdicts)
        .found("flagged_events.csv", events)
        .found("operations.json", serde_json::to_string(&ops).unwrap());
}

/// A larger truth: `organic` organic accounts and a few operations of mixed labels.
fn synthetic_truth(f: &Fixture, organic: usize) {
    let mut accounts = String::from("account,label,operation,groups\n");
    let mut events = String::from("event,fake,operation\n");
    let mut ops = String::from("operation,scenario,kind,accounts,events,returns_from\n");
    let mut victims = String::from("operation,account\n");
    let mut owners = String::from("operation,owner\n");
    let tags = ["viral-liker", "live-fan", "cgnat", "household", "new-real"];
    for i in 0..organic {
        let g = if i % 3 == 0 { tags[i % tags.len()] } else { "" };
        writeln!(accounts, "u{i},organic,,{g}").unwrap();
        writeln!(events, "u{i}-e,0,").unwrap();
    }
    for op in 0..6 {
        let label = if op % 2 == 0 { "fake" } else { "compromised" };
        let scenario = ["farm", "app", "scrape"][op % 3];
        for j in 0..(5 + op) {
            writeln!(accounts, "op{op}-a{j},{label},op{op},").unwrap();
            writeln!(events, "op{op}-e{j},1,op{op}").unwrap();
        }
        writeln!(ops, "op{op},{scenario},k{op},{},{},", 5 + op, 5 + op).unwrap();
        writeln!(owners, "op{op},page{op}").unwrap();
        if scenario == "scrape" {
            for v in 0..4 {
                writeln!(victims, "op{op},u{}", v * 7 + op).unwrap();
            }
        }
    }
    f.truth("truth_accounts.csv", accounts)
        .truth("truth_events.csv", events)
        .truth("truth_operations.csv", ops)
        .truth("truth_victims.csv", victims)
        .truth("truth_beneficiaries.csv", owners);
}

#[track_caller]
fn assert_perfect(f: &Fixture) {
    findings_from_truth(f);
    let r = f.eval();
    let a = &r.accounts;
    assert_ratio(a.precision, 1.0);
    assert_ratio(a.recall, 1.0);
    assert_ratio(a.f1, 1.0);
    assert_ratio(a.organic_fpr, 0.0);
    assert_ratio(r.right_kind.share, 1.0);
    let e = r.events.as_ref().expect("event metrics");
    assert_ratio(e.precision, 1.0);
    assert_ratio(e.recall, 1.0);
    assert_ratio(e.f1, 1.0);
    assert!(!r.operations.is_empty());
    for op in &r.operations {
        assert_ratio(op.account_recall, 1.0);
        assert_ratio(op.event_recall, 1.0);
        let best = &op.matches[0];
        assert_eq!(best.operation, format!("found-{}", op.operation));
        assert_ratio(best.share, 1.0);
        assert_ratio(best.purity, 1.0);
    }
    for s in &r.scenarios {
        assert_ratio(s.account_recall, 1.0);
        assert_ratio(s.event_recall, 1.0);
    }
    for g in r.groups.as_ref().expect("groups") {
        assert_eq!(g.organic_flagged, 0, "group {}", g.group);
        assert_eq!(g.flagged, g.members - g.organic, "group {}", g.group);
    }
    let v = r.victims.as_ref().expect("victims");
    assert_ratio(v.share, 1.0);
    assert_ratio(v.precision, 1.0);
    let b = r.beneficiaries.as_ref().expect("beneficiaries");
    assert_ratio(b.share, 1.0);
    assert_ratio(b.precision, 1.0);
    let dq = &r.data_quality;
    assert_eq!(dq.warnings, Vec::<String>::new());
    assert_eq!(dq.unknown_accounts.count, 0);
    assert_eq!(dq.unknown_events.count, 0);
}

#[test]
fn hand_truth_scores_perfectly() {
    let f = Fixture::new();
    for (name, text) in HAND_TRUTH {
        f.truth(name, text);
    }
    assert_perfect(&f);
}

#[test]
fn synthetic_truth_scores_perfectly() {
    let f = Fixture::new();
    synthetic_truth(&f, 300);
    assert_perfect(&f);
    let r = f.eval();
    assert_eq!(r.accounts.truth_accounts, 300 + (5..11).sum::<u64>());
    assert_eq!(r.scenarios.len(), 3);
    assert_eq!(r.groups.as_ref().unwrap().len(), 5);
}
