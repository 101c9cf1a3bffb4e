//! JSON Lines input.

use std::io::Write;

use lockstep_core::action;
use lockstep_ingest::{IngestOptions, Inputs, Reason, RejectBudget};

use crate::util::*;

#[test]
fn empty_file() {
    let d = tempfile::tempdir().unwrap();
    let p = file(d.path(), "e.jsonl", "");
    let g = gz_file(d.path(), "g.jsonl.gz", "");
    let (l, s) = load_events(&[p, g]);
    assert_eq!(l.log.len(), 0);
    assert_eq!(l.stats.lines, 0);
    assert_eq!(l.stats.files.len(), 2);
    check_invariant(&l.stats, &s);
}

#[test]
fn good_lines_load_with_every_field() {
    let d = tempfile::tempdir().unwrap();
    let text = format!(
        "{}\n{}\r\n\n   \n{}",
        ev("e1", "u1"),
        r#"{"id":"e\"2","ts":"1772366400124","actor":"u\u00e9","action":"comment","target":"p1","text":"hi \"there\"\nbye","extra":[1,{"a":null}]}"#,
        ev_noid("u3")
    );
    let p = file(d.path(), "e.jsonl", text);
    let (l, s) = load_events(&[p]);
    check_invariant(&l.stats, &s);
    assert!(s.0.is_empty(), "{:?}", s.0);
    assert_eq!(l.stats.lines, 5);
    assert_eq!(l.stats.blank_lines, 2);
    let log = &l.log;
    assert_eq!(log.len(), 3);
    assert_eq!(log.event_id_string(0), "e1");
    assert_eq!(log.ts()[0], 1_772_366_400_123);
    assert_eq!(log.accounts.resolve(log.owner()[0]), "u9");
    assert_eq!(log.ips.resolve(log.ip()[0]).to_string(), "203.0.113.7");
    assert_eq!(log.devices.resolve(log.device()[0]), "d77");
    assert_eq!(log.clients.resolve(log.client()[0]), "android/412.0");
    assert_eq!(log.event_id_string(1), "e\"2");
    assert_eq!(log.accounts.resolve(log.actor()[1]), "ué");
    assert_eq!(log.text(1), "hi \"there\"\nbye");
    assert_eq!(log.action()[1], action::COMMENT);
    assert_eq!(log.ts()[1], 1_772_366_400_124);
    assert_eq!(log.event_id_string(2), "e.jsonl:5");
    assert_eq!(log.line(2), 5);
}

#[test]
fn missing_required_fields() {
    let d = tempfile::tempdir().unwrap();
    let lines = [
        r#"{"ts":1,"action":"like","target":"p"}"#,
        r#"{"ts":1,"actor":"a","target":"p"}"#,
        r#"{"ts":1,"actor":"a","action":"like"}"#,
        r#"{"actor":"a","action":"like","target":"p"}"#,
        r#"{"ts":1,"actor":"","action":"like","target":"p"}"#,
        r#"{"ts":null,"actor":"a","action":"like","target":"p"}"#,
        r#"{"ts":1,"actor":"a","action":"like","target":"p"}"#,
    ];
    let p = file(d.path(), "e.jsonl", lines.join("\n"));
    let (l, s) = load_events(&[p]);
    check_invariant(&l.stats, &s);
    assert_eq!(l.log.len(), 1);
    let r = reasons(&s);
    assert_eq!(r.len(), 6);
    assert!(r.iter().all(|(_, r)| *r == Reason::MissingField), "{r:?}");
    assert!(s.0[0].message.contains("`actor`"), "{}", s.0[0].message);
    assert!(s.0[3].message.contains("`ts`"));
    assert_eq!(s.0[1].raw, lines[1]);
    assert_eq!(s.0[0].file, "e.jsonl");
}

#[test]
fn wrong_json_types_name_the_field() {
    let d = tempfile::tempdir().unwrap();
    let lines = [
        r#"{"ts":1,"actor":5,"action":"like","target":"p"}"#,
        r#"{"ts":1,"actor":"a","action":["like"],"target":"p"}"#,
        r#"{"ts":1,"actor":"a","action":"like","target":{"x":1}}"#,
        r#"{"ts":1,"actor":"a","action":"like","target":"p","owner":true}"#,
        r#"{"ts":1,"actor":"a","action":"like","target":"p","ip":7}"#,
        r#"{"ts":1,"actor":"a","action":"like","target":"p","id":12}"#,
        r#"{"ts":false,"actor":"a","action":"like","target":"p"}"#,
        r#"[1,2,3]"#,
        r#""just a string""#,
        r#"{"ts":1,"actor":"a","action":"like","target":"p""#,
        r#"{"ts":1,"actor":"a","action":"like","target":"p"} trailing"#,
    ];
    let p = file(d.path(), "e.jsonl", lines.join("\n"));
    let (l, s) = load_events(&[p]);
    check_invariant(&l.stats, &s);
    assert_eq!(l.log.len(), 0);
    let r: Vec<Reason> = reasons(&s).into_iter().map(|x| x.1).collect();
    use Reason::*;
    assert_eq!(
        r,
        [
            WrongType, WrongType, WrongType, WrongType, WrongType, WrongType, WrongType, BadJson,
            BadJson, BadJson, BadJson
        ]
    );
    for (rej, field) in
        s.0.iter()
            .zip(["actor", "action", "target", "owner", "ip", "id", "ts"])
    {
        assert!(
            rej.message.contains(&format!("`{field}`")),
            "{}",
            rej.message
        );
    }
    assert_eq!(
        s.0[0].message,
        "field `actor` must be a string, not a number"
    );
}

#[test]
fn timestamps_offsets_epoch_and_range() {
    let d = tempfile::tempdir().unwrap();
    let mk = |ts: &str| format!(r#"{{"ts":{ts},"actor":"a","action":"like","target":"p"}}"#);
    let good = [
        (r#""2026-03-01T12:00:00Z""#, 1_772_366_400_000),
        (r#""2026-03-01T17:30:00+05:30""#, 1_772_366_400_000),
        (r#""2026-03-01T04:00:00-08:00""#, 1_772_366_400_000),
        (r#""2026-03-01T12:00:00.5Z""#, 1_772_366_400_500),
        (
            r#""2026-03-01T12:00:00.123456789+00:00""#,
            1_772_366_400_123,
        ),
        (r#"1772366400123"#, 1_772_366_400_123),
        (r#""1772366400123""#, 1_772_366_400_123),
        (r#"0"#, 0),
        (r#""9999-12-31T23:59:59.999Z""#, 253_402_300_799_999),
    ];
    let bad = [
        (r#""1969-12-31T23:59:59Z""#, Reason::TimestampOutOfRange),
        (r#"-1"#, Reason::TimestampOutOfRange),
        (r#"253402300800000"#, Reason::TimestampOutOfRange),
        (r#"18446744073709551615"#, Reason::TimestampOutOfRange),
        (r#""0001-01-01T00:00:00Z""#, Reason::TimestampOutOfRange),
        (r#""yesterday""#, Reason::BadTimestamp),
        (r#""2026-02-30T00:00:00Z""#, Reason::BadTimestamp),
        (r#""2026-03-01""#, Reason::BadTimestamp),
        (r#"1.5e12"#, Reason::BadTimestamp),
        (r#""""#, Reason::BadTimestamp),
    ];
    let mut text = String::new();
    for (ts, _) in &good {
        text += &mk(ts);
        text.push('\n');
    }
    for (ts, _) in &bad {
        text += &mk(ts);
        text.push('\n');
    }
    let p = file(d.path(), "t.jsonl", text);
    let (l, s) = load_events(&[p]);
    check_invariant(&l.stats, &s);
    let want: Vec<i64> = good.iter().map(|g| g.1).collect();
    assert_eq!(l.log.ts(), want.as_slice());
    let got: Vec<(u64, Reason)> = reasons(&s);
    let expect: Vec<(u64, Reason)> = bad
        .iter()
        .enumerate()
        .map(|(i, b)| ((good.len() + i + 1) as u64, b.1))
        .collect();
    assert_eq!(got, expect);
}

#[test]
fn ips_v4_v6_and_mapped() {
    let d = tempfile::tempdir().unwrap();
    let mk =
        |ip: &str| format!(r#"{{"ts":1,"actor":"a","action":"like","target":"p","ip":"{ip}"}}"#);
    let text = [
        "10.1.2.3",
        "::ffff:10.1.2.3",
        "2001:db8::1",
        "2001:DB8:0::1",
        "",
        "10.1.2",
        "2001:db8::g",
        "10.1.2.3:80",
    ]
    .map(mk)
    .join("\n");
    let p = file(d.path(), "i.jsonl", text);
    let (l, s) = load_events(&[p]);
    check_invariant(&l.stats, &s);
    let ip = l.log.ip();
    assert_eq!(l.log.len(), 5);
    assert_eq!(ip[0], ip[1], "IPv4 and IPv4-mapped IPv6 are one address");
    assert_eq!(ip[2], ip[3]);
    assert_ne!(ip[0], ip[2]);
    assert_eq!(ip[4], lockstep_core::NONE);
    assert_eq!(l.log.ips.resolve(ip[1]).to_string(), "10.1.2.3");
    assert_eq!(
        reasons(&s),
        [(6, Reason::BadIp), (7, Reason::BadIp), (8, Reason::BadIp)]
    );
}

#[test]
fn duplicate_ids_keep_the_first() {
    let d = tempfile::tempdir().unwrap();
    let a = file(
        d.path(),
        "a.jsonl",
        [ev("e1", "u1"), ev("e2", "u2"), ev("e1", "u3")].join("\n"),
    );
    let b = file(
        d.path(),
        "b.jsonl",
        [ev("e2", "u4"), ev("e3", "u5")].join("\n"),
    );
    let (l, s) = load_events(&[a, b]);
    check_invariant(&l.stats, &s);
    assert_eq!(l.log.len(), 3);
    assert_eq!(l.log.accounts.resolve(l.log.actor()[0]), "u1");
    assert_eq!(
        reasons(&s),
        [(3, Reason::DuplicateId), (1, Reason::DuplicateId)]
    );
    assert_eq!(s.0[0].file, "a.jsonl");
    assert_eq!(s.0[1].file, "b.jsonl");
    assert!(s.0[1].message.contains("a.jsonl:2"), "{}", s.0[1].message);
    assert_eq!(s.0[0].raw, ev("e1", "u3"));
}

#[test]
fn not_utf8_lines_are_rejected_alone() {
    let d = tempfile::tempdir().unwrap();
    let mut bytes = Vec::new();
    bytes.extend_from_slice(ev("e1", "u1").as_bytes());
    bytes.extend_from_slice(
        b"\n{\"ts\":1,\"actor\":\"a\xff\xfe\",\"action\":\"like\",\"target\":\"p\"}\n",
    );
    bytes.extend_from_slice(b"\xc3\n");
    bytes.extend_from_slice(ev("e2", "u2").as_bytes());
    bytes.extend_from_slice(b"\n\n\x80");
    let p = file(d.path(), "u.jsonl", &bytes);
    let (l, s) = load_events(std::slice::from_ref(&p));
    check_invariant(&l.stats, &s);
    assert_eq!(l.log.len(), 2);
    assert_eq!(l.log.line(1), 4);
    assert_eq!(
        reasons(&s),
        [
            (2, Reason::NotUtf8),
            (3, Reason::NotUtf8),
            (6, Reason::NotUtf8)
        ]
    );
    assert!(s.0[0].raw.contains('\u{fffd}'));
    assert_eq!(l.stats.blank_lines, 1);

    // The same across block boundaries, with tiny blocks.
    let opts = IngestOptions {
        block_bytes: 1024,
        ..unlimited()
    };
    let (r, s2) = try_load(&Inputs::events(&[p]), &opts);
    let l2 = r.unwrap();
    check_invariant(&l2.stats, &s2);
    assert_eq!(reasons(&s2), reasons(&s));
}

#[test]
fn many_blocks_keep_line_numbers() {
    let d = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..5000 {
        if i % 7 == 3 {
            text += "not json\n";
        } else if i % 11 == 5 {
            text += "\n";
        } else {
            text += &ev(&format!("e{i}"), &format!("u{}", i % 13));
            text.push('\n');
        }
    }
    let p = file(d.path(), "m.jsonl", &text);
    let opts = IngestOptions {
        block_bytes: 4096,
        ..unlimited()
    };
    let (r, s) = try_load(&Inputs::events(&[p]), &opts);
    let l = r.unwrap();
    check_invariant(&l.stats, &s);
    for (i, line) in text.lines().enumerate() {
        let n = (i + 1) as u64;
        if line == "not json" {
            assert!(
                s.0.iter()
                    .any(|r| r.line == n && r.reason == Reason::BadJson)
            );
        }
    }
    for k in 0..l.log.len() {
        let id = l.log.event_id_string(k);
        let i: usize = id[1..].parse().unwrap();
        assert_eq!(l.log.line(k) as usize, i + 1);
    }
    assert_eq!(l.stats.lines, 5000);
}

#[test]
fn line_too_long_within_a_block() {
    let d = tempfile::tempdir().unwrap();
    let long = format!(
        r#"{{"ts":1,"actor":"a","action":"like","target":"p","text":"{}"}}"#,
        "x".repeat(5000)
    );
    let p = file(
        d.path(),
        "l.jsonl",
        [ev("e1", "u1"), long, ev("e2", "u2")].join("\n"),
    );
    let opts = IngestOptions {
        max_line_bytes: 1000,
        ..unlimited()
    };
    let (r, s) = try_load(&Inputs::events(&[p]), &opts);
    let l = r.unwrap();
    check_invariant(&l.stats, &s);
    assert_eq!(l.log.len(), 2);
    assert_eq!(reasons(&s), [(2, Reason::LineTooLong)]);
    assert_eq!(s.0[0].raw.len(), lockstep_ingest::RAW_LIMIT);
}

fn peak_rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_100_mb_line_is_skipped_without_holding_it() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("big.jsonl");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
        writeln!(f, "{}", ev("e1", "u1")).unwrap();
        f.write_all(br#"{"ts":1,"actor":"a","action":"like","target":"p","text":""#)
            .unwrap();
        let chunk = vec![b'y'; 1 << 20];
        for _ in 0..100 {
            f.write_all(&chunk).unwrap();
        }
        f.write_all(b"\"}\n").unwrap();
        writeln!(f, "{}", ev("e3", "u3")).unwrap();
        write!(f, "{}", ev("e4", "u4")).unwrap();
    }
    let before = peak_rss_kib();
    let (l, s) = load_events(&[p]);
    let after = peak_rss_kib();
    check_invariant(&l.stats, &s);
    assert_eq!(l.log.len(), 3);
    assert_eq!(l.log.line(1), 3);
    assert_eq!(l.log.line(2), 4);
    assert_eq!(reasons(&s), [(2, Reason::LineTooLong)]);
    assert!(s.0[0].raw.starts_with(r#"{"ts":1,"#));
    // By design the reader holds at most a block plus the line limit (9 MiB by default), never
    // the line; allow for other tests running in this process at the same time.
    let grown_mib = after.saturating_sub(before) / 1024;
    assert!(grown_mib < 64, "peak memory grew by {grown_mib} MiB");
}

#[test]
fn long_line_limit_larger_than_a_block() {
    let d = tempfile::tempdir().unwrap();
    let long = format!(
        r#"{{"ts":1,"actor":"a","action":"like","target":"p","text":"{}"}}"#,
        "z".repeat(3000)
    );
    let too_long = "w".repeat(9000);
    let p = file(
        d.path(),
        "l.jsonl",
        [long.clone(), too_long, ev("e2", "u2"), long].join("\n"),
    );
    let opts = IngestOptions {
        max_line_bytes: 5000,
        block_bytes: 1024,
        ..unlimited()
    };
    let (r, s) = try_load(&Inputs::events(&[p]), &opts);
    let l = r.unwrap();
    check_invariant(&l.stats, &s);
    assert_eq!(l.log.len(), 3);
    assert_eq!(l.log.text(0).len(), 3000);
    assert_eq!(reasons(&s), [(2, Reason::LineTooLong)]);
    assert_eq!(l.log.line(2), 4);
}

fn gz_bytes(text: &str) -> Vec<u8> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    w.write_all(text.as_bytes()).unwrap();
    w.finish().unwrap()
}

#[test]
fn gzip_reads_and_multi_member() {
    let d = tempfile::tempdir().unwrap();
    let mut bytes = gz_bytes(&format!("{}\n", ev("e1", "u1")));
    bytes.extend(gz_bytes(&format!("{}\n", ev("e2", "u2"))));
    let p = file(d.path(), "g.ndjson.gz", bytes);
    let (l, s) = load_events(&[p]);
    check_invariant(&l.stats, &s);
    assert_eq!(l.log.len(), 2);
    assert_eq!(l.stats.files[0].format, "jsonl.gz");
}

#[test]
fn truncated_gzip_keeps_what_came_before() {
    let d = tempfile::tempdir().unwrap();
    let text: String = (0..20_000)
        .map(|i| ev(&format!("e{i}"), &format!("u{i}")) + "\n")
        .collect();
    let bytes = gz_bytes(&text);
    let p = file(d.path(), "t.jsonl.gz", &bytes[..bytes.len() / 2]);
    let opts = IngestOptions {
        block_bytes: 64 << 10,
        ..unlimited()
    };
    let (r, s) = try_load(&Inputs::events(&[p]), &opts);
    let l = r.unwrap();
    check_invariant(&l.stats, &s);
    assert!(l.log.len() > 1000, "kept {}", l.log.len());
    assert!(l.log.len() < 20_000);
    assert_eq!(
        reasons(&s),
        [(l.log.len() as u64 + 1, Reason::TruncatedGzip)]
    );
    assert!(s.0[0].message.contains("ends early"), "{}", s.0[0].message);

    // Damage in the middle of the stream.
    let mut bad = bytes.clone();
    let n = bad.len();
    for b in &mut bad[n / 3..n / 3 + 64] {
        *b ^= 0x5a;
    }
    let p = file(d.path(), "c.jsonl.gz", &bad);
    let (r, s) = try_load(&Inputs::events(&[p]), &unlimited());
    let l = r.unwrap();
    check_invariant(&l.stats, &s);
    assert!(l.log.len() < 20_000);
    assert!(
        s.0.iter()
            .any(|r| matches!(r.reason, Reason::BadGzip | Reason::TruncatedGzip)),
        "{:?}",
        reasons(&s)
    );
}

#[test]
fn default_budget_applies() {
    let d = tempfile::tempdir().unwrap();
    let p = file(d.path(), "b.jsonl", format!("{}\nnope\n", ev("e1", "u1")));
    let (r, s) = try_load(&Inputs::events(&[p]), &IngestOptions::default());
    let e = r.unwrap_err().to_string();
    assert!(e.contains("1 of 2"), "{e}");
    assert_eq!(s.0.len(), 1);
    let _ = RejectBudget::default();
}
