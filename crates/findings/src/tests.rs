//! Round trips, golden bytes and tolerance of every findings file.

use std::borrow::Cow;

use proptest::prelude::*;

use crate::*;

fn write_rows<R: CsvRow>(rows: &[R]) -> Vec<u8> {
    write_all(Vec::new(), rows).unwrap()
}

fn verdicts() -> Vec<VerdictRow<'static>> {
    vec![
        VerdictRow {
            account: "a1".into(),
            verdict: Verdict::Fake,
            score: Some(0.912),
            operation: "op-001".into(),
            reasons: "lockstep;dense".into(),
        },
        VerdictRow {
            account: "a,2".into(),
            verdict: Verdict::Ok,
            score: Some(0.0),
            operation: "".into(),
            reasons: "".into(),
        },
    ]
}

fn bursts() -> Vec<BurstRow<'static>> {
    vec![BurstRow {
        target: "p1".into(),
        owner: "o1".into(),
        action: "like".into(),
        start: "2025-03-03T00:00:00.231Z".into(),
        end: "2025-03-03T00:40:00.000Z".into(),
        events: 40,
        accounts: 2,
        ratio: 12.5,
        operation: "op-001".into(),
        flagged: 38,
        summary: "40 likes in an hour".into(),
        account_ids: vec!["a1".into(), "b;%2".into()],
    }]
}

#[test]
fn headers_are_the_columns() {
    assert_eq!(VerdictRow::COLUMNS.join(","), VERDICTS_HEADER);
    assert_eq!(FlaggedEventRow::COLUMNS.join(","), FLAGGED_EVENTS_HEADER);
    assert_eq!(CorrectionRow::COLUMNS.join(","), CORRECTIONS_HEADER);
    assert_eq!(BurstRow::COLUMNS.join(","), BURSTS_HEADER);
}

#[test]
fn golden_bytes() {
    assert_eq!(
        String::from_utf8(write_rows(&verdicts())).unwrap(),
        "account,verdict,score,operation,reasons\n\
         a1,fake,0.912,op-001,lockstep;dense\n\
         \"a,2\",ok,0.000,,\n"
    );
    let flagged = [FlaggedEventRow {
        event: "events.csv:7".into(),
        operation: "op-001".into(),
        reasons: "lockstep".into(),
        ..Default::default()
    }];
    assert_eq!(
        String::from_utf8(write_rows(&flagged)).unwrap(),
        "event,operation,reasons\nevents.csv:7,op-001,lockstep\n"
    );
    let corrections = [CorrectionRow {
        target: "p1".into(),
        reported: 10,
        fake: 4,
        organic: 6,
    }];
    assert_eq!(
        String::from_utf8(write_rows(&corrections)).unwrap(),
        "target,reported,fake,organic\np1,10,4,6\n"
    );
    assert_eq!(
        String::from_utf8(write_rows(&bursts())).unwrap(),
        format!(
            "{BURSTS_HEADER}\np1,o1,like,2025-03-03T00:00:00.231Z,2025-03-03T00:40:00.000Z,\
             40,2,12.5,op-001,38,40 likes in an hour,a1;b%3B%252\n"
        )
    );
}

#[test]
fn round_trip_each_file() {
    let t = read::<VerdictRow>(&write_rows(&verdicts())[..]);
    assert!(t.problems.is_empty() && t.unusable.is_none(), "{t:?}");
    assert_eq!(t.into_rows().collect::<Vec<_>>(), verdicts());
    let b = read::<BurstRow>(&write_rows(&bursts())[..]);
    assert!(b.problems.is_empty(), "{:?}", b.problems);
    assert_eq!(b.into_rows().collect::<Vec<_>>(), bursts());
}

#[test]
fn a_malformed_line_is_named_and_the_rest_read() {
    let t = read::<VerdictRow>(
        &b"\xEF\xBB\xBFVerdict, account ,score,reasons,operation\n\
           fake,a1,0.9,sync,op1\n\
           maybe,a2,0.5,x,\n\
           ok,a3\n\
           fake,a4,high,x,op1\n\
           ok,a5,0.1,,\n"[..],
    );
    let accounts: Vec<&str> = t.rows.iter().map(|(_, r)| &*r.account).collect();
    assert_eq!(accounts, ["a1", "a4", "a5"]);
    assert_eq!(t.rows[1].0, 5);
    assert_eq!(t.rows[1].1.score, None);
    let shown: Vec<String> = t.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "verdicts.csv:3: unknown verdict \"maybe\"",
            "verdicts.csv:4: expected 5 fields, found 2",
            "verdicts.csv:5: score \"high\" is not a number",
        ]
    );
    assert!(!t.problems[2].skipped);
    assert_eq!(t.records, 5);
}

#[test]
fn missing_required_columns_make_a_file_unusable() {
    let t = read::<CorrectionRow>(&b"target,fake\np1,3\n"[..]);
    assert!(t.rows.is_empty());
    assert_eq!(
        t.unusable.unwrap().to_string(),
        "corrections.csv:1: header lacks column(s) reported (header: target,fake)"
    );
    let t = read::<FlaggedEventRow>(&b""[..]);
    assert!(t.unusable.is_some());
}

#[test]
fn corrections_fill_missing_counts() {
    let t = read::<CorrectionRow>(&b"target,reported,fake,organic\np1,10,4,\np2,5.0,,\n"[..]);
    let rows: Vec<_> = t.into_rows().collect();
    assert_eq!((rows[0].organic, rows[1].fake, rows[1].organic), (6, 0, 5));
}

#[test]
fn flagged_events_keep_other_producers_columns() {
    let t = read::<FlaggedEventRow>(&b"target,event,actor\np1,e1,a1\n,e2,\n"[..]);
    let rows: Vec<_> = t.into_rows().collect();
    assert_eq!(rows[0].actor.as_deref(), Some("a1"));
    assert_eq!(rows[0].target.as_deref(), Some("p1"));
    assert_eq!(rows[1].actor, None);
}

fn operations() -> OperationsFile {
    OperationsFile {
        schema_version: SCHEMA_VERSION,
        policy_version: "2026-12-07.3".into(),
        operations: vec![Operation {
            id: "op-001".into(),
            kind: "like-farm".into(),
            score: 0.87,
            members: vec!["a1".into(), "a2".into()],
            fake: 2,
            compromised: 0,
            suspicious: vec![],
            beneficiaries: vec!["o1".into()],
            targets: vec!["p1".into()],
            victims: vec![],
            time_span: TimeSpan {
                start: "1970-01-01T00:00:00.000Z".into(),
                end: "1970-01-01T00:00:01.000Z".into(),
                start_ms: 0,
                end_ms: 1000,
            },
            flagged_events: 4,
            infrastructure: Infrastructure {
                ips: vec!["10.0.0.1".into()],
                subnets: vec![Subnet {
                    subnet: "10.0.0.0/24".into(),
                    ips: 1,
                }],
                devices: vec!["d1".into()],
                clients: vec![ClientCount {
                    client: "api:fast".into(),
                    events: 4,
                }],
            },
            signals: vec![SignalEntry {
                signal: None,
                reason: "lockstep".into(),
                score: 0.5,
                accounts: 2,
                summary: "2 accounts".into(),
            }],
            fingerprint: Some(Fingerprint {
                hours: vec![0; 24],
                ..Fingerprint::default()
            }),
            ban_matches: vec![],
        }],
    }
}

#[test]
fn operations_round_trip_with_sorted_keys() {
    let doc = operations();
    let bytes = write_operations(Vec::new(), &doc).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with("{\n  \"operations\": [\n    {\n      \"beneficiaries\": [\n"));
    assert!(
        text.ends_with("  \"policy_version\": \"2026-12-07.3\",\n  \"schema_version\": 1\n}\n")
    );
    assert!(!text.contains("ban_matches"));
    let back: OperationsFile = serde_json::from_str(&text).unwrap();
    assert_eq!(back, doc);
    // The tolerant reader sees the same operation.
    let r = read_operations(text.as_bytes());
    assert!(r.problems.is_empty() && r.unusable.is_none(), "{r:?}");
    assert_eq!(r.schema_version, Some(1));
    let e = &r.operations[0];
    assert_eq!(
        (e.id.as_str(), e.kind.as_deref()),
        ("op-001", Some("like-farm"))
    );
    assert_eq!(e.members, ["a1", "a2"]);
    assert_eq!(e.ips, ["10.0.0.1"]);
    assert_eq!(e.devices, ["d1"]);
    assert_eq!(e.clients, ["api:fast"]);
    assert_eq!(e.beneficiaries, ["o1"]);
}

#[test]
fn operations_of_other_producers_with_problems_named_by_path() {
    let r = read_operations(
        br#"[
            {"id": 7, "accounts": ["a", {"account": "b"}, true], "apps": ["boost"], "ip": "10.0.0.1"},
            {"kind": "no id"},
            3
        ]"#,
    );
    assert_eq!(r.entries, 3);
    assert_eq!(r.operations.len(), 1);
    let e = &r.operations[0];
    assert_eq!(e.id, "7");
    assert_eq!(e.members, ["a", "b"]);
    assert_eq!(e.clients, ["api:boost"]);
    assert_eq!(e.ips, ["10.0.0.1"]);
    let shown: Vec<String> = r.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "operations.json: [0].accounts: 1 item(s) are not ids",
            "operations.json: [1]: no `id` (string or number)",
            "operations.json: [2]: not a JSON object",
        ]
    );
    assert!(read_operations(b"{}").unusable.is_some());
    assert!(read_operations(b"nope").unusable.is_some());
}

fn text() -> impl Strategy<Value = String> {
    // Commas, quotes, semicolons, percents and spaces inside, never at the ends (fields are
    // trimmed) and never empty.
    "[a-z0-9][a-z0-9,;%\" é:._-]{0,8}[a-z0-9]|[a-z0-9]"
}

fn verdict_row() -> impl Strategy<Value = VerdictRow<'static>> {
    (
        text(),
        0..4usize,
        proptest::option::of(0..=1000u32),
        proptest::option::of(text()),
        proptest::option::of(text()),
    )
        .prop_map(|(a, v, s, o, r)| VerdictRow {
            account: a.into(),
            verdict: [
                Verdict::Ok,
                Verdict::Suspicious,
                Verdict::Fake,
                Verdict::Compromised,
            ][v],
            score: s.map(|s| f64::from(s) / 1000.0),
            operation: o.unwrap_or_default().into(),
            reasons: r.unwrap_or_default().into(),
        })
}

fn burst_row() -> impl Strategy<Value = BurstRow<'static>> {
    (
        (text(), text(), text(), text(), text()),
        (0..10_000u64, 0..10_000u64, 0..100_000u32, 0..10_000u64),
        (text(), text(), proptest::collection::vec(text(), 0..4)),
    )
        .prop_map(
            |((t, o, a, s, e), (n, m, ratio, f), (op, sum, ids))| BurstRow {
                target: t.into(),
                owner: o.into(),
                action: a.into(),
                start: s.into(),
                end: e.into(),
                events: n,
                accounts: m,
                ratio: f64::from(ratio) / 10.0,
                operation: op.into(),
                flagged: f,
                summary: sum.into(),
                account_ids: ids.into_iter().map(Cow::Owned).collect(),
            },
        )
}

proptest! {
    #[test]
    fn verdicts_write_then_read(rows in proptest::collection::vec(verdict_row(), 0..20)) {
        let t = read::<VerdictRow>(&write_rows(&rows)[..]);
        prop_assert!(t.problems.is_empty(), "{:?}", t.problems);
        let lines: Vec<u64> = t.rows.iter().map(|r| r.0).collect();
        prop_assert_eq!(lines, (2..2 + rows.len() as u64).collect::<Vec<_>>());
        prop_assert_eq!(t.into_rows().collect::<Vec<_>>(), rows);
    }

    #[test]
    fn flagged_events_write_then_read(
        rows in proptest::collection::vec((text(), text(), text()), 0..20)
    ) {
        let rows: Vec<FlaggedEventRow> = rows
            .into_iter()
            .map(|(e, o, r)| FlaggedEventRow {
                event: e.into(),
                operation: o.into(),
                reasons: r.into(),
                ..Default::default()
            })
            .collect();
        let t = read::<FlaggedEventRow>(&write_rows(&rows)[..]);
        prop_assert!(t.problems.is_empty(), "{:?}", t.problems);
        prop_assert_eq!(t.into_rows().collect::<Vec<_>>(), rows);
    }

    #[test]
    fn corrections_write_then_read(
        rows in proptest::collection::vec((text(), 0..1u64 << 40, 0..1u64 << 40), 0..20)
    ) {
        let rows: Vec<CorrectionRow> = rows
            .into_iter()
            .map(|(t, a, b)| CorrectionRow {
                target: t.into(),
                reported: a.max(b),
                fake: a.min(b),
                organic: a.max(b) - a.min(b),
            })
            .collect();
        let t = read::<CorrectionRow>(&write_rows(&rows)[..]);
        prop_assert!(t.problems.is_empty(), "{:?}", t.problems);
        prop_assert_eq!(t.into_rows().collect::<Vec<_>>(), rows);
    }

    #[test]
    fn bursts_write_then_read(rows in proptest::collection::vec(burst_row(), 0..10)) {
        let t = read::<BurstRow>(&write_rows(&rows)[..]);
        prop_assert!(t.problems.is_empty(), "{:?}", t.problems);
        prop_assert_eq!(t.into_rows().collect::<Vec<_>>(), rows);
    }
}
