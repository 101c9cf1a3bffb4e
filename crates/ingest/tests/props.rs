//! Property tests: random lines never panic and are all accounted for; every writer's output
//! reads back unchanged.

use std::net::IpAddr;

use lockstep_core::intern::ip_key;
use lockstep_ingest::write::{EventRow, EventWriter, Format};
use lockstep_ingest::{IngestOptions, Inputs, MAX_TS};
use proptest::prelude::*;

use crate::util::*;

fn json_line() -> impl Strategy<Value = Vec<u8>> {
    let id = prop_oneof![Just(None), (0u8..8).prop_map(|i| Some(format!("e{i}")))];
    let ts = prop_oneof![
        (0i64..=MAX_TS).prop_map(|t| t.to_string()),
        (-5i64..5).prop_map(|t| t.to_string()),
        Just("\"2026-03-01T12:00:00+05:30\"".to_string()),
        Just("\"2026-02-30T00:00:00Z\"".to_string()),
        Just("\"99999\"".to_string()),
        Just("1.5".to_string()),
        Just("null".to_string()),
        Just("[]".to_string()),
    ];
    let s = prop_oneof![
        "[a-z0-9]{1,4}".prop_map(|s| format!("\"{s}\"")),
        Just("\"\"".to_string()),
        Just("\"esc\\\"aped\\u00e9\"".to_string()),
        Just("5".to_string()),
        Just("null".to_string()),
    ];
    let ip = prop_oneof![
        Just("\"1.2.3.4\"".to_string()),
        Just("\"::ffff:1.2.3.4\"".to_string()),
        Just("\"fe80::1\"".to_string()),
        Just("\"1.2.3\"".to_string()),
        Just("null".to_string()),
    ];
    let event = (id, ts, s.clone(), s.clone(), s, ip, proptest::bool::ANY).prop_map(
        |(id, ts, actor, action, target, ip, drop_actor)| {
            let mut o = String::from("{");
            if let Some(id) = id {
                o += &format!("\"id\":\"{id}\",");
            }
            o += &format!("\"ts\":{ts},\"action\":{action},\"target\":{target},\"ip\":{ip}");
            if !drop_actor {
                o += &format!(",\"actor\":{actor}");
            }
            o.push('}');
            o.into_bytes()
        },
    );
    prop_oneof![
        4 => event.clone(),
        // The same event cut short, or with bytes flipped.
        1 => (event.clone(), 0usize..200).prop_map(|(mut e, k)| { e.truncate(k.min(e.len())); e }),
        1 => (event, any::<u8>(), 0usize..200).prop_map(|(mut e, b, k)| { let n = e.len(); e[k % n] = b; e }),
        1 => proptest::collection::vec(any::<u8>(), 0..60),
        1 => Just(Vec::new()),
        1 => Just(b"   \t".to_vec()),
    ]
}

fn physical_lines(b: &[u8]) -> u64 {
    let n = b.iter().filter(|&&c| c == b'\n').count() as u64;
    if b.is_empty() || b.ends_with(b"\n") {
        n
    } else {
        n + 1
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_lines_are_all_accounted_for(
        lines in proptest::collection::vec(json_line(), 0..120),
        crlf in proptest::bool::ANY,
        block in 1024usize..8192,
        max_line in 40usize..400,
        gzip in proptest::bool::ANY,
    ) {
        let d = tempfile::tempdir().unwrap();
        let sep: &[u8] = if crlf { b"\r\n" } else { b"\n" };
        let bytes = lines.join(sep);
        let p = if gzip { gz_file(d.path(), "r.jsonl.gz", &bytes) } else { file(d.path(), "r.jsonl", &bytes) };
        let opts = IngestOptions { block_bytes: block, max_line_bytes: max_line, ..unlimited() };
        let (r, s) = try_load(&Inputs::events(&[p]), &opts);
        let l = r.unwrap();
        check_invariant(&l.stats, &s);
        prop_assert_eq!(l.stats.lines, physical_lines(&bytes));
        let mut seen = std::collections::HashSet::new();
        for r in &s.0 {
            prop_assert!(r.line >= 1 && r.line <= l.stats.lines);
            prop_assert!(seen.insert(r.line), "line {} rejected twice", r.line);
        }
        for k in 0..l.log.len() {
            prop_assert!(seen.insert(u64::from(l.log.line(k))));
        }
    }
}

#[derive(Debug, Clone)]
struct Row {
    ts: i64,
    actor: String,
    action: String,
    target: String,
    owner: Option<String>,
    text: Option<String>,
    ip: Option<IpAddr>,
    device: Option<String>,
    client: Option<String>,
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9_]{1,10}",
        "\\PC{1,12}",
        Just("comma, \"quoted\"\nnew line\r\n\ttab".to_string()),
        Just("\u{0}\u{1f}é🎉".to_string()),
    ]
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

fn row() -> impl Strategy<Value = Row> {
    let ip = proptest::option::of(prop_oneof![
        any::<[u8; 4]>().prop_map(IpAddr::from),
        any::<[u8; 16]>().prop_map(IpAddr::from),
    ]);
    (
        0i64..=MAX_TS,
        text(),
        prop_oneof![
            Just("like".to_string()),
            Just("follow".to_string()),
            "[a-z]{1,6}"
        ],
        text(),
        (opt_text(), opt_text(), ip, opt_text(), opt_text()),
    )
        .prop_map(
            |(ts, actor, action, target, (owner, text, ip, device, client))| Row {
                ts,
                actor,
                action,
                target,
                owner,
                text,
                ip,
                device,
                client,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn writers_round_trip(rows in proptest::collection::vec(row(), 0..60)) {
        for format in Format::ALL {
            if format == Format::Parquet && !cfg!(feature = "parquet") {
                continue;
            }
            let d = tempfile::tempdir().unwrap();
            let p = d.path().join(format!("rt.{}", format.extension()));
            let mut w = EventWriter::create(&p, format).unwrap();
            let ids: Vec<String> = (0..rows.len()).map(|i| format!("id-{i}")).collect();
            for (r, id) in rows.iter().zip(&ids) {
                w.write(&EventRow {
                    id,
                    ts: r.ts,
                    actor: &r.actor,
                    action: &r.action,
                    target: &r.target,
                    owner: r.owner.as_deref(),
                    text: r.text.as_deref(),
                    ip: r.ip,
                    device: r.device.as_deref(),
                    client: r.client.as_deref(),
                }).unwrap();
            }
            w.finish().unwrap();
            let (r, s) = try_load(&Inputs::events(&[p]), &unlimited());
            let l = r.unwrap();
            check_invariant(&l.stats, &s);
            prop_assert!(s.0.is_empty(), "{}: {:?}", format, s.0);
            let log = &l.log;
            prop_assert_eq!(log.len(), rows.len());
            for (k, r) in rows.iter().enumerate() {
                let opt = |id: u32, resolve: &dyn Fn(u32) -> String| (id != lockstep_core::NONE).then(|| resolve(id));
                let id = log.event_id_string(k);
                prop_assert_eq!(id.as_ref(), ids[k].as_str());
                prop_assert_eq!(log.ts()[k], r.ts);
                prop_assert_eq!(log.accounts.resolve(log.actor()[k]), r.actor.as_str());
                prop_assert_eq!(log.verbs.name(log.action()[k]), r.action.as_str());
                prop_assert_eq!(log.targets.resolve(log.target()[k]), r.target.as_str());
                prop_assert_eq!(opt(log.owner()[k], &|i| log.accounts.resolve(i).to_string()), r.owner.clone());
                prop_assert_eq!(log.text(k), r.text.as_deref().unwrap_or(""));
                prop_assert_eq!(opt(log.ip()[k], &|i| log.ips.key(i).to_string()), r.ip.map(|ip| ip_key(ip).to_string()));
                prop_assert_eq!(opt(log.device()[k], &|i| log.devices.resolve(i).to_string()), r.device.clone());
                prop_assert_eq!(opt(log.client()[k], &|i| log.clients.resolve(i).to_string()), r.client.clone());
            }
        }
    }
}
