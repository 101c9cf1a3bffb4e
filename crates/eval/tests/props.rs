//! Random findings (good, junk and binary) never panic, and every ratio stays in `[0, 1]`.

use std::fmt::Write as _;

use proptest::prelude::*;

use crate::util::Fixture;

const ACCOUNTS: &[&str] = &["o1", "o2", "o3", "f1", "f2", "c1", "x1", "x2", ""];
const VERDICTS: &[&str] = &[
    "ok",
    "suspicious",
    "fake",
    "compromised",
    "FAKE",
    "bogus",
    "",
];
const EVENTS: &[&str] = &["e1", "e2", "e3", "e4", "zz", ""];

fn truth(f: &Fixture) {
    f.truth(
        "truth_accounts.csv",
        "account,label,operation,groups\no1,organic,,cgnat\no2,organic,,\no3,organic,,\
         live-fan\nf1,fake,opA,\nf2,fake,opA,\nc1,compromised,opB,household\n",
    )
    .truth(
        "truth_events.csv",
        "event,fake,operation\ne1,1,opA\ne2,1,opB\ne3,0,\ne4,0,\n",
    )
    .truth(
        "truth_operations.csv",
        "operation,scenario,kind\nopA,s,k\nopB,s,k\n",
    )
    .truth("truth_victims.csv", "operation,account\nopA,o1\n")
    .truth("truth_beneficiaries.csv", "operation,owner\nopA,p\n");
}

/// Every float in the JSON (all of them are ratios) is finite and in `[0, 1]`.
fn check_ratios(v: &serde_json::Value, path: &str) {
    match v {
        serde_json::Value::Number(n) if n.is_f64() => {
            let x = n.as_f64().unwrap();
            assert!((0.0..=1.0).contains(&x), "{path} = {x}");
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                check_ratios(x, &format!("{path}[{i}]"));
            }
        }
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                check_ratios(x, &format!("{path}.{k}"));
            }
        }
        _ => {}
    }
}

fn verdict_rows() -> impl Strategy<Value = Vec<(usize, usize, u8)>> {
    proptest::collection::vec((0..ACCOUNTS.len(), 0..VERDICTS.len(), 0u8..8), 0..20)
}

fn event_rows() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(0..EVENTS.len(), 0..10)
}

fn op_members() -> impl Strategy<Value = Vec<Vec<usize>>> {
    proptest::collection::vec(proptest::collection::vec(0..ACCOUNTS.len(), 0..6), 0..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_findings_never_panic(
        verdicts in verdict_rows(),
        events in event_rows(),
        ops in op_members(),
        header in any::<bool>(),
    ) {
        let f = Fixture::new();
        truth(&f);
        let mut v = String::new();
        if header {
            v.push_str("account,verdict,score,operation,reasons\n");
        }
        for (a, verdict, shape) in verdicts {
            let (a, verdict) = (ACCOUNTS[a], VERDICTS[verdict]);
            match shape {
                0 => writeln!(v, "{a},{verdict}").unwrap(),
                1 => writeln!(v, "{a},{verdict},1,F{shape},r,extra").unwrap(),
                2 => writeln!(v, "\"{a}\",\"{verdict}\",\"0.5\",,\"a,b\"").unwrap(),
                _ => writeln!(v, "{a},{verdict},0.{shape},F{},r", shape % 3).unwrap(),
            }
        }
        let mut e = String::from("event,operation,reasons\n");
        for i in events {
            writeln!(e, "{},,", EVENTS[i]).unwrap();
        }
        let ops: Vec<serde_json::Value> = ops
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let ids: Vec<&str> = m.iter().map(|&a| ACCOUNTS[a]).collect();
                serde_json::json!({"id": format!("F{i}"), "kind": "k", "accounts": ids,
                    "victims": ids, "beneficiaries": ["p", i]})
            })
            .collect();
        f.found("verdicts.csv", v)
            .found("flagged_events.csv", e)
            .found("operations.json", serde_json::to_string(&ops).unwrap());
        let r = f.eval();
        check_ratios(&serde_json::to_value(&r).unwrap(), "report");
        let c = &r.accounts.confusion;
        prop_assert_eq!(c.true_positives + c.false_negatives, 3);
        prop_assert!(r.accounts.organic_flagged <= 3);
        let _ = r.render_table();
    }

    #[test]
    fn random_bytes_never_panic(
        verdicts in proptest::collection::vec(any::<u8>(), 0..300),
        events in proptest::collection::vec(any::<u8>(), 0..300),
        ops in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let f = Fixture::new();
        truth(&f);
        let mut v = b"account,verdict\n".to_vec();
        v.extend_from_slice(&verdicts);
        f.found("verdicts.csv", v)
            .found("flagged_events.csv", events)
            .found("operations.json", ops);
        let r = f.eval();
        check_ratios(&serde_json::to_value(&r).unwrap(), "report");
        let _ = r.render_table();
    }
}
