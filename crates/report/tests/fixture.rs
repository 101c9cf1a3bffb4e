//! A small hand-built log and findings directory: two operations (one with hostile ids), some
//! organic life, a flagged event that is not in the log.

use std::fmt::Write as _;
use std::path::Path;

use lockstep_core::{EventLog, EventLogBuilder, RawEvent};

/// The first flagged time of the like farm.
pub(crate) const T0: i64 = 1_700_000_000_000;
/// An account id that would run a script if it were not escaped.
pub(crate) const HOSTILE_ACCOUNT: &str = "<script>alert(1)</script>";
/// An operation id that would inject an element if it were not escaped.
pub(crate) const HOSTILE_OP: &str = r#""><img src=x onerror=alert(2)>"#;

/// One event to push.
struct Ev<'a> {
    id: Option<&'a str>,
    ts: i64,
    actor: &'a str,
    action: &'a str,
    target: &'a str,
    owner: &'a str,
    ip: &'a str,
    device: Option<&'a str>,
    client: &'a str,
}

/// The log, and for each event whether it is fake and under which operation.
pub(crate) fn log() -> (EventLog, Vec<Option<&'static str>>) {
    let bots = ["bot1", "bot2", HOSTILE_ACCOUNT, "bot4"];
    let mut evs: Vec<(Ev<'static>, Option<&'static str>)> = Vec::new();
    // The like farm: four accounts like three posts of one owner within seconds of each other.
    for (k, post) in ["post-a", "post-b", "post-c"].into_iter().enumerate() {
        for (b, bot) in bots.into_iter().enumerate() {
            evs.push((
                Ev {
                    id: None,
                    ts: T0 + k as i64 * 600_000 + b as i64 * 2_000,
                    actor: bot,
                    action: "like",
                    target: post,
                    owner: "brand&co",
                    ip: ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"][b],
                    device: Some("dev-farm-1"),
                    client: "api:boostly",
                },
                Some("op-likes"),
            ));
        }
    }
    // The bots' own life: one like inside the window, one well before it.
    for (b, bot) in bots.into_iter().enumerate() {
        for (ts, target, owner) in [
            (T0 + 300_000 + b as i64 * 7_000, "cat-pics", "alice"),
            (T0 - 86_400_000 + b as i64 * 60_000, "news-1", "news"),
        ] {
            evs.push((
                Ev {
                    id: None,
                    ts,
                    actor: bot,
                    action: "like",
                    target,
                    owner,
                    ip: "192.168.1.9",
                    device: None,
                    client: "web",
                },
                None,
            ));
        }
    }
    // The follower vendor: three accounts follow one celebrity within three seconds, over IPv6.
    for (f, (id, actor)) in [("ev-f1", "f1"), ("ev-f2", "f2"), ("ev-f3", "f3")]
        .into_iter()
        .enumerate()
    {
        evs.push((
            Ev {
                id: Some(id),
                ts: T0 + 86_400_000 + f as i64 * 1_000,
                actor,
                action: "follow",
                target: "celeb",
                owner: "celeb",
                ip: ["2001:db8::1", "2001:db8::2", "2001:db8::1"][f],
                device: Some("emu-7"),
                client: "android/1.0",
            },
            Some(HOSTILE_OP),
        ));
    }
    // Organic people.
    for (u, user) in ["u1", "u2", "u3"].into_iter().enumerate() {
        for (k, target) in ["post-a", "cat-pics", "celeb"].into_iter().enumerate() {
            evs.push((
                Ev {
                    id: None,
                    ts: T0 + (u * 3 + k) as i64 * 3_600_000,
                    actor: user,
                    action: if target == "celeb" { "follow" } else { "like" },
                    target,
                    owner: match target {
                        "post-a" => "brand&co",
                        "cat-pics" => "alice",
                        _ => "celeb",
                    },
                    ip: ["81.2.69.1", "81.2.70.2", "81.2.71.3"][u],
                    device: None,
                    client: "ios/17.1",
                },
                None,
            ));
        }
    }
    let mut b = EventLogBuilder::new();
    b.begin_source("events.jsonl");
    let mut truth = Vec::new();
    for (line, (e, op)) in evs.iter().enumerate() {
        b.push(&RawEvent {
            id: e.id,
            ts: e.ts,
            actor: e.actor,
            action: e.action,
            target: e.target,
            owner: Some(e.owner),
            text: None,
            ip: e.ip.parse().ok(),
            device: e.device,
            client: Some(e.client),
            line: line as u32 + 1,
        })
        .unwrap();
        truth.push(*op);
    }
    (b.finish(), truth)
}

/// Writes the findings files of CONTRACT §2 for [`log`] into `dir`.
pub(crate) fn write_findings(log: &EventLog, truth: &[Option<&str>], dir: &Path) {
    let mut verdicts = String::from("account,verdict,score,operation,reasons\n");
    for a in 0..log.accounts.len() as u32 {
        let name = log.accounts.resolve(a);
        let row = if name.starts_with("bot") || name == HOSTILE_ACCOUNT {
            "fake,0.97,op-likes,lockstep;shared-device"
        } else if name.starts_with('f') {
            "fake,0.9,VENDOR,burst-follow"
        } else {
            "ok,0.01,,"
        };
        let row = row.replace("VENDOR", &csv_field(HOSTILE_OP));
        let _ = writeln!(verdicts, "{},{row}", csv_field(name));
    }
    std::fs::write(dir.join("verdicts.csv"), verdicts).unwrap();

    let mut flagged = String::from("event,operation,reasons\n");
    for (i, op) in truth.iter().enumerate() {
        if let Some(op) = op {
            let reasons = if *op == "op-likes" {
                "lockstep;shared-device"
            } else {
                "burst-follow"
            };
            let _ = writeln!(
                flagged,
                "{},{},{reasons}",
                log.event_id_string(i),
                csv_field(op)
            );
        }
    }
    flagged.push_str("events.jsonl:9999,op-likes,lockstep\n");
    std::fs::write(dir.join("flagged_events.csv"), flagged).unwrap();

    let ops = serde_json::json!({ "operations": [
        {
            "id": "op-likes",
            "kind": "like-farm",
            "accounts": ["bot1", "bot2", HOSTILE_ACCOUNT, {"id": "bot4"}, "gone-account"],
            "beneficiaries": [{"owner": "brand&co", "count": 12}],
            "targets": ["post-a", "post-b", "post-c"],
            "infrastructure": {
                "ips": ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"],
                "ip_ranges": ["10.0.0.0/24"],
                "devices": ["dev-farm-1"],
                "clients": ["api:boostly"]
            },
            "time_span": {"first": T0, "last": T0 + 1_206_000},
            "score": 0.97,
            "signals": [
                {"detector": "copycatch", "score": 0.91, "reason": "4 accounts, 3 targets, 60 s windows"},
                "shared-device"
            ],
            "vendor": "<b>boostly</b>"
        },
        {
            "id": HOSTILE_OP,
            "kind": "follower-vendor",
            "members": ["f1", "f2", "f3"],
            "first": "2023-11-15T22:13:20Z",
            "last": "2023-11-15T22:13:22Z",
            "score": 0.9,
            "signals": ["burst-follow"]
        }
    ]});
    std::fs::write(
        dir.join("operations.json"),
        serde_json::to_string_pretty(&ops).unwrap(),
    )
    .unwrap();

    // Corrections: engagement per target, with the fake removed.
    let mut per: Vec<(String, u64, u64)> = Vec::new();
    for (i, fake) in truth.iter().enumerate() {
        let t = log.targets.resolve(log.target()[i]).to_owned();
        let k = match per.iter().position(|p| p.0 == t) {
            Some(k) => k,
            None => {
                per.push((t, 0, 0));
                per.len() - 1
            }
        };
        per[k].1 += 1;
        per[k].2 += u64::from(fake.is_some());
    }
    per.sort();
    let mut corrections = String::from("target,reported,fake,organic\n");
    for (t, r, f) in per {
        let _ = writeln!(corrections, "{t},{r},{f},{}", r - f);
    }
    std::fs::write(dir.join("corrections.csv"), corrections).unwrap();

    let summary = serde_json::json!({
        "schema_version": 1,
        "policy_version": "2024-06-test",
        "rejected_lines": 3,
        "counts": {"events": log.len(), "accounts": log.accounts.len()},
        "timings": {"total_ms": 12}
    });
    std::fs::write(dir.join("summary.json"), summary.to_string()).unwrap();
}

/// `s` quoted for CSV.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}
