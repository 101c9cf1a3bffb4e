//! Sections by what an operation does, on a small log with a harvest and a follower drip: the
//! harvest's victims (not beneficiaries), its reads by hour and over time; the drip's customer
//! against its own past; reason codes given only to events; the infrastructure tables against
//! what `operations.json` names. Every figure shown must agree with the files.

use lockstep_core::{EventLog, EventLogBuilder, RawEvent};
use lockstep_report::{Findings, PlotLimits, ReportIndex, render, render_operation_section};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// Monday 2026-03-02T00:00:00Z.
const T0: i64 = 1_772_409_600_000;

struct Ev {
    ts: i64,
    actor: String,
    action: &'static str,
    target: String,
    owner: String,
    ip: &'static str,
    device: String,
}

/// What is flagged: (event index, operation, reasons).
type Flags = Vec<(usize, &'static str, &'static str)>;

fn ev(ts: i64, actor: &str, action: &'static str, target: &str, owner: &str) -> Ev {
    Ev {
        ts,
        actor: actor.to_owned(),
        action,
        target: target.to_owned(),
        owner: owner.to_owned(),
        ip: "10.1.1.1",
        device: format!("phone-{actor}"),
    }
}

/// Six days: `reader-1` and `reader-2` read 240 people's profiles around the clock on days 1–2
/// through two datacenter addresses (one emulator each), and `reader-1` likes one post of its
/// own; five drip accounts follow `cust` once every two hours on days 3–5, while `cust` gets
/// two follows a day from people; people read and like in their waking hours.
fn world() -> (EventLog, Flags) {
    let mut evs: Vec<(Ev, Option<(&'static str, &'static str)>)> = Vec::new();
    for k in 0..240i64 {
        let who = if k % 2 == 0 { "reader-1" } else { "reader-2" };
        let victim = format!("vic-{k:03}");
        evs.push((
            Ev {
                ip: if k % 2 == 0 {
                    "203.0.113.7"
                } else {
                    "203.0.113.8"
                },
                device: format!("emu-{who}"),
                ..ev(T0 + DAY + k * 720_000, who, "view", &victim, &victim)
            },
            Some(("op-harvest", "machine-rate-reads")),
        ));
    }
    evs.push((
        ev(
            T0 + 2 * DAY + 5 * HOUR,
            "reader-1",
            "like",
            "post-9",
            "someone",
        ),
        Some(("op-harvest", "fake-account")),
    ));
    for k in 0..36i64 {
        let who = format!("drip-{}", k % 5);
        evs.push((
            Ev {
                ip: "198.51.100.9",
                ..ev(T0 + 3 * DAY + k * 2 * HOUR, &who, "follow", "cust", "cust")
            },
            Some(("op-drip", "rate-anomaly")),
        ));
    }
    for d in 0..6i64 {
        for p in 0..2i64 {
            let fan = format!("fan-{d}-{p}");
            evs.push((
                ev(
                    T0 + d * DAY + (10 + 5 * p) * HOUR,
                    &fan,
                    "follow",
                    "cust",
                    "cust",
                ),
                None,
            ));
        }
        for p in 0..8i64 {
            let who = format!("person-{p}");
            let friend = format!("friend-{}", (p + d) % 5);
            evs.push((
                ev(
                    T0 + d * DAY + (9 + p) * HOUR,
                    &who,
                    "view",
                    &friend,
                    &friend,
                ),
                None,
            ));
        }
    }
    evs.sort_by_key(|e| e.0.ts);
    let mut b = EventLogBuilder::new();
    b.begin_source("events.jsonl");
    let mut flags = Vec::new();
    for (i, (e, f)) in evs.iter().enumerate() {
        b.push(&RawEvent {
            id: None,
            ts: e.ts,
            actor: &e.actor,
            action: e.action,
            target: &e.target,
            owner: Some(&e.owner),
            text: None,
            ip: e.ip.parse().ok(),
            device: Some(&e.device),
            client: Some("android/400.0"),
            line: i as u32 + 1,
        })
        .unwrap();
        if let Some((op, reasons)) = f {
            flags.push((i, *op, *reasons));
        }
    }
    (b.finish(), flags)
}

/// The findings lockstep would write for [`world`].
fn findings(log: &EventLog, flags: &Flags) -> Findings {
    let mut f = Findings::new();
    let victims: Vec<String> = (0..240).map(|k| format!("vic-{k:03}")).collect();
    f.set_operations_json(&serde_json::json!([
        {
            "id": "op-drip", "kind": "follower-vendor", "score": 0.9,
            "members": (0..5).map(|k| format!("drip-{k}")).collect::<Vec<_>>(),
            "beneficiaries": ["cust"], "victims": [],
            "infrastructure": {"ips": [], "subnets": [], "devices": [],
                               "clients": [{"client": "android/400.0", "events": 36}]},
            "signals": [{"reason": "rate-anomaly", "summary": "36 follow events on cust arrived one every 2 h"}]
        },
        {
            "id": "op-harvest", "kind": "scraping", "score": 0.95,
            "members": ["reader-1", "reader-2"],
            "beneficiaries": [], "victims": victims,
            "infrastructure": {"ips": ["203.0.113.7", "203.0.113.8"],
                               "subnets": [{"subnet": "203.0.113.0/24", "ips": 2}],
                               "devices": [],
                               "clients": [{"client": "android/400.0", "events": 240}]},
            "signals": [{"reason": "machine-rate-reads",
                         "summary": "2 accounts read around the clock; 240 reads of 240 items, from 2 IPs and 2 devices"}]
        }
    ]));
    for k in 0..5 {
        f.push_verdict(
            &format!("drip-{k}"),
            "fake",
            Some(0.9),
            "op-drip",
            "rate-anomaly",
        );
    }
    for r in ["reader-1", "reader-2"] {
        f.push_verdict(
            r,
            "fake",
            Some(0.95),
            "op-harvest",
            "machine-rate-reads;operation-only-activity",
        );
    }
    for &(i, op, reasons) in flags {
        f.push_flagged(&log.event_id_string(i), op, reasons);
    }
    f
}

fn section(op: &str) -> lockstep_report::OperationSection {
    let (log, flags) = world();
    let f = findings(&log, &flags);
    let index = ReportIndex::build(&log, &f);
    let k = index.ops.iter().position(|o| o.id == op).unwrap();
    render_operation_section(&log, &f, &index, k, &PlotLimits::default())
}

/// The text of `html` from `from` to the next `to` after it.
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let a = html
        .find(from)
        .unwrap_or_else(|| panic!("no {from:?} in {html}"));
    let rest = &html[a + from.len()..];
    &html[a..a + from.len() + rest.find(to).unwrap_or(rest.len())]
}

#[test]
fn a_harvest_names_its_victims_and_draws_its_hours_and_victims() {
    let s = section("op-harvest");
    let names: Vec<&str> = s.plots.iter().map(|p| p.file_name.as_str()).collect();
    assert_eq!(names, ["reads-by-hour.svg", "victims.svg"]);
    assert!(
        !s.html.contains("Accounts × time"),
        "a harvest is no lockstep picture"
    );
    assert!(!s.html.contains("other targets"));
    // Whose data was read: the victims, as many as operations.json names.
    let victims = between(&s.html, "<h4>Whose data was read</h4>", "<h4>");
    assert!(victims.contains("<th>account read</th><th>flagged reads</th>"));
    assert!(victims.contains("victims named in operations.json (240)"));
    assert!(
        s.html.contains("240 by 2026-03-04 23:48:00 UTC"),
        "{}",
        s.html
    );
    // The one flagged like is not a read: its owner is the only beneficiary shown.
    let benef = between(&s.html, "<h4>Beneficiaries</h4>", "<h4>");
    assert!(benef.contains("Not reads: 1 of the 241 flagged events (1 like)"));
    assert!(benef.contains("<code>someone</code>"));
    assert!(
        !benef.contains("vic-"),
        "a victim is listed as a beneficiary"
    );
    // Reads around the clock: ten an hour, every hour, against people's waking hours.
    let hours = &s.plots[0].svg;
    assert_eq!(hours.matches(" reads (4.2 %)</title>").count(), 24);
    assert!(
        s.html
            .contains("quietest hour has 100 % as many reads as its busiest")
    );
    assert!(s.html.contains("for the others it is 0 %"));
    assert!(hours.contains("hour of day (UTC)") && hours.contains("share of the reads"));
    let victims_svg = &s.plots[1].svg;
    assert!(victims_svg.contains("240 accounts"));
    assert!(victims_svg.contains("flagged reads per hour"));
}

#[test]
fn the_infrastructure_tables_mark_what_operations_json_names() {
    let s = section("op-harvest");
    let infra = between(&s.html, "<h4>Infrastructure</h4>", "</details>");
    assert!(infra.contains("(2 IPs, 1 network, 0 devices, 1 client)"));
    // Each address: the accounts that used it, its events, and ✓ as operations.json names it.
    assert!(
        infra.contains("<td><code>203.0.113.7</code></td><td>1</td><td>120</td><td>✓</td>"),
        "{infra}"
    );
    assert!(infra.contains(
        "<td><code>203.0.113.0/24</code></td><td>2</td><td>240</td><td>2</td><td>✓</td>"
    ));
    // The devices, one reader each, are not named; the reader's own phone is not either.
    assert!(infra.contains("<td><code>emu-reader-1</code></td><td>1</td><td>120</td><td></td>"));
    assert!(infra.contains("<td><code>phone-reader-1</code></td><td>1</td><td>1</td><td></td>"));
}

#[test]
fn a_code_given_only_to_events_says_so() {
    let s = section("op-harvest");
    let why = between(&s.html, "<h4>Why</h4>", "<h4>");
    assert!(
        why.contains("<tr><td><code>fake-account</code></td><td>—</td><td>1</td><td>1</td></tr>")
    );
    assert!(why.contains(
        "<tr><td><code>operation-only-activity</code></td><td>2</td><td>—</td><td>—</td></tr>"
    ));
    assert!(
        why.contains("Given only to events here, describing the event: <code>fake-account</code>")
    );
    assert!(why.contains(
        "Given only to accounts here, describing the account: <code>operation-only-activity</code>"
    ));
}

#[test]
fn a_drip_shows_each_customer_against_its_own_past() {
    let s = section("op-drip");
    let names: Vec<&str> = s.plots.iter().map(|p| p.file_name.as_str()).collect();
    assert_eq!(names, ["inflow.svg", "lockstep.svg"]);
    let inflow = &s.plots[0].svg;
    // cust: two follows a day from people, then twelve a day from the drip on days 3–5.
    assert!(
        inflow.contains(">cust</tspan> · 36 flagged · before: 2 a day"),
        "{inflow}"
    );
    assert!(inflow.contains("03-05: 12 this operation's, 0 another's, 2 nobody's flagged"));
    assert!(inflow.contains("03-02: 0 this operation's, 0 another's, 2 nobody's flagged"));
    assert!(
        inflow.contains(r#"stroke-dasharray="4 3""#),
        "no baseline drawn"
    );
    assert!(s.html.contains(
        "by the accounts that received the most of its flagged follows (1 of the 1 it followed; \
         beneficiaries in operations.json: 1)"
    ));
}

#[test]
fn the_page_has_both_sections() {
    let (log, flags) = world();
    let f = findings(&log, &flags);
    let html = render(&log, &f);
    assert!(html.contains("Follower inflow per customer"));
    assert!(html.contains("Reads by hour of day"));
    assert!(html.contains("Reads and victims over time"));
}
