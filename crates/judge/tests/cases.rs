//! Hand-built logs with expected verdicts.

use lockstep_core::{EventLog, EventLogBuilder, RawEvent};
use lockstep_judge::{NO_OP, Policy, Verdict, scan};

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;
/// 2025-03-03T00:00:00Z.
const T0: i64 = 1_740_960_000_000;

/// A tiny deterministic generator (xorshift).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One event: time, actor, action, target, owner, IP, device, client.
type Row = (
    i64,
    String,
    &'static str,
    String,
    String,
    String,
    String,
    String,
);

#[derive(Default)]
struct World {
    rows: Vec<Row>,
}

impl World {
    #[allow(clippy::too_many_arguments)]
    fn ev(
        &mut self,
        ts: i64,
        actor: &str,
        action: &'static str,
        target: &str,
        owner: &str,
        ip: &str,
        device: &str,
        client: &str,
    ) {
        self.rows.push((
            ts,
            actor.into(),
            action,
            target.into(),
            owner.into(),
            ip.into(),
            device.into(),
            client.into(),
        ));
    }

    /// Organic background: `n` people, each with a phone and a home IP, liking posts of
    /// 200 creators at random times over 14 days.
    fn background(&mut self, rng: &mut Rng, n: usize) {
        for p in 0..n {
            let per_day = 1 + rng.below(6);
            for d in 0..14 {
                for _ in 0..per_day {
                    let ts = T0 + d * DAY + rng.below(DAY as u64) as i64;
                    let c = rng.below(200);
                    let post = format!("post-c{c}-{}", rng.below(30));
                    let ip = format!("10.{}.{}.{}", p / 250, p % 250, 7);
                    self.ev(
                        ts,
                        &format!("person{p}"),
                        "like",
                        &post,
                        &format!("creator{c}"),
                        &ip,
                        &format!("phone-{p}"),
                        "android/412.0",
                    );
                }
            }
        }
    }

    fn build(mut self, accounts: &[(&str, i64)]) -> EventLog {
        self.rows.sort_by_key(|r| r.0);
        let mut b = EventLogBuilder::new();
        b.begin_source("case.jsonl");
        for (k, r) in self.rows.iter().enumerate() {
            b.push(&RawEvent {
                id: None,
                ts: r.0,
                actor: &r.1,
                action: r.2,
                target: &r.3,
                owner: Some(&r.4),
                text: None,
                ip: r.5.parse().ok(),
                device: (!r.6.is_empty()).then_some(r.6.as_str()),
                client: Some(&r.7),
                line: k as u32 + 1,
            })
            .unwrap();
        }
        for (id, created) in accounts {
            let log = b.log_mut();
            let a = log.accounts.intern(id).unwrap();
            log.account_table
                .push(a, Some(*created), std::iter::empty());
        }
        b.finish()
    }
}

fn verdict(log: &EventLog, j: &lockstep_judge::Judgement, name: &str) -> Verdict {
    j.accounts[log
        .accounts
        .get(name)
        .unwrap_or_else(|| panic!("no {name}")) as usize]
        .verdict
}

/// A farm of 30 accounts on 3 datacenter IPs delivers 20 orders (a random half of the farm
/// each, within 5 minutes) over 14 days.
fn farm(w: &mut World, rng: &mut Rng) {
    for o in 0..20i64 {
        let start = T0 + o * 16 * HOUR + 3 * HOUR;
        let post = format!("post-buyer{}-{o}", o % 4);
        for m in 0..30 {
            if rng.below(2) == 0 {
                continue;
            }
            let ts = start + rng.below(5 * MIN as u64) as i64;
            w.ev(
                ts,
                &format!("farm{m}"),
                "like",
                &post,
                &format!("buyer{}", o % 4),
                &format!("203.0.113.{}", m % 3),
                &format!("farmphone{}", m / 8),
                "android/400.0",
            );
        }
    }
}

#[test]
fn a_farm_is_fake_and_the_background_is_ok() {
    let mut rng = Rng(7);
    let mut w = World::default();
    w.background(&mut rng, 300);
    farm(&mut w, &mut rng);
    let log = w.build(&[]);
    let (j, _) = scan(&log, &Policy::default()).unwrap();
    for m in 0..30 {
        assert_eq!(
            verdict(&log, &j, &format!("farm{m}")),
            Verdict::Fake,
            "farm{m}"
        );
    }
    for p in 0..300 {
        assert!(
            !verdict(&log, &j, &format!("person{p}")).is_flagged(),
            "person{p} flagged"
        );
    }
    assert_eq!(j.operations.len(), 1);
    let op = &j.operations[0];
    assert_eq!(op.kind.as_str(), "like-farm");
    assert_eq!(op.members.len(), 30);
    // Every farm event is flagged, no background event is.
    for e in 0..log.len() {
        let actor = log.accounts.resolve(log.actor()[e]);
        assert_eq!(
            j.event_op[e] != NO_OP,
            actor.starts_with("farm"),
            "event {e} by {actor}"
        );
    }
    let benef: Vec<&str> = op
        .beneficiaries
        .iter()
        .map(|&a| log.accounts.resolve(a))
        .collect();
    assert_eq!(benef, ["buyer0", "buyer1", "buyer2", "buyer3"]);
}

#[test]
fn real_accounts_driven_through_a_vendor_app_are_compromised() {
    let mut rng = Rng(11);
    let mut w = World::default();
    w.background(&mut rng, 300);
    // From day 3 on, a vendor drives 40 of the people through its app and servers.
    for o in 0..16i64 {
        let start = T0 + 3 * DAY + o * 16 * HOUR;
        let post = format!("post-client{}-{o}", o % 3);
        for p in 0..40 {
            if rng.below(2) == 0 {
                continue;
            }
            let ts = start + rng.below(20 * MIN as u64) as i64;
            w.ev(
                ts,
                &format!("person{p}"),
                "like",
                &post,
                &format!("client{}", o % 3),
                &format!("198.51.100.{}", rng.below(8)),
                "",
                "api:multi-manager",
            );
        }
    }
    let created: Vec<(String, i64)> = (0..300)
        .map(|p| (format!("person{p}"), T0 - 900 * DAY))
        .collect();
    let created: Vec<(&str, i64)> = created.iter().map(|(a, t)| (a.as_str(), *t)).collect();
    let log = w.build(&created);
    let (j, _) = scan(&log, &Policy::default()).unwrap();
    for p in 0..40 {
        assert_eq!(
            verdict(&log, &j, &format!("person{p}")),
            Verdict::Compromised,
            "person{p}"
        );
    }
    for p in 40..300 {
        assert!(!verdict(&log, &j, &format!("person{p}")).is_flagged());
    }
    assert_eq!(j.operations.len(), 1);
    assert_eq!(j.operations[0].kind.as_str(), "vendor-app");
    // Only the vendor's events are flagged: the people's own likes stay.
    for e in 0..log.len() {
        let via_app = log.clients.resolve(log.client()[e]) == "api:multi-manager";
        assert_eq!(j.event_op[e] != NO_OP, via_app, "event {e}");
    }
    let clients: Vec<&str> = j.operations[0]
        .clients
        .iter()
        .map(|&(c, _)| log.clients.resolve(c))
        .collect();
    assert_eq!(clients, ["api:multi-manager"]);
}

#[test]
fn fans_at_one_live_broadcast_are_not_flagged() {
    let mut rng = Rng(5);
    let mut w = World::default();
    w.background(&mut rng, 200);
    // 60 fans like a run of 12 posts during a two-hour broadcast, each within minutes.
    let start = T0 + 5 * DAY + 20 * HOUR;
    for post in 0..12i64 {
        for f in 0..60 {
            if rng.below(3) == 0 {
                continue;
            }
            let ts = start + post * 10 * MIN + rng.below(4 * MIN as u64) as i64;
            w.ev(
                ts,
                &format!("person{f}"),
                "like",
                &format!("live-{post}"),
                "star",
                &format!("10.{}.{}.7", f / 250, f % 250),
                &format!("phone-{f}"),
                "ios/312.1",
            );
        }
    }
    let log = w.build(&[]);
    let (j, _) = scan(&log, &Policy::default()).unwrap();
    let flagged: Vec<&str> = (0..log.accounts.len())
        .filter(|&a| j.accounts[a].verdict.is_flagged())
        .map(|a| log.accounts.resolve(a as u32))
        .collect();
    assert!(flagged.is_empty(), "flagged: {flagged:?}");
}

#[test]
fn households_and_carrier_nat_are_not_flagged() {
    let mut rng = Rng(3);
    let mut w = World::default();
    w.background(&mut rng, 200);
    // 100 people behind 2 carrier-NAT addresses, 4 people per household sharing a tablet,
    // all liking the same popular creator's posts at their own times.
    for p in 0..100 {
        for d in 0..14 {
            let ts = T0 + d * DAY + rng.below(DAY as u64) as i64;
            w.ev(
                ts,
                &format!("mobile{p}"),
                "like",
                &format!("post-popular-{}", rng.below(10)),
                "popular",
                &format!("100.64.0.{}", p % 2),
                &format!("tablet-{}", p / 4),
                "android/412.0",
            );
        }
    }
    let log = w.build(&[]);
    let (j, _) = scan(&log, &Policy::default()).unwrap();
    assert_eq!(j.verdict_counts()[2] + j.verdict_counts()[3], 0);
    assert!(j.operations.is_empty());
}

#[test]
fn one_viral_burst_is_not_an_operation() {
    let mut rng = Rng(9);
    let mut w = World::default();
    w.background(&mut rng, 300);
    // 250 people like one viral post within 20 minutes; 80 of them a second one an hour later.
    for p in 0..250 {
        let ts = T0 + 8 * DAY + rng.below(20 * MIN as u64) as i64;
        w.ev(
            ts,
            &format!("person{p}"),
            "like",
            "viral-1",
            "lucky",
            &format!("10.{}.{}.7", p / 250, p % 250),
            &format!("phone-{p}"),
            "android/412.0",
        );
        if p < 80 {
            w.ev(
                ts + HOUR,
                &format!("person{p}"),
                "like",
                "viral-2",
                "lucky",
                &format!("10.{}.{}.7", p / 250, p % 250),
                &format!("phone-{p}"),
                "android/412.0",
            );
        }
    }
    let log = w.build(&[]);
    let (j, _) = scan(&log, &Policy::default()).unwrap();
    assert_eq!(j.verdict_counts()[2] + j.verdict_counts()[3], 0);
}

/// A vendor app drives 40 people; two of them share a home address with a housemate who
/// follows the boosted creators and liked several of the boosted posts while the orders were
/// delivered. The family's address is not the vendor's infrastructure: the housemate is at
/// most `suspicious`. With the home rule switched off the same log flags the housemate, which
/// is what the rule is for.
#[test]
fn a_hijacked_accounts_household_is_not_the_vendors_infrastructure() {
    let mut rng = Rng(17);
    let mut w = World::default();
    w.background(&mut rng, 300);
    let home = "10.9.9.9";
    for (who, phone) in [
        ("homeA", "phone-a"),
        ("homeB", "phone-b"),
        ("mate", "phone-m"),
    ] {
        for d in 0..14 {
            for _ in 0..3 {
                let ts = T0 + d * DAY + rng.below(DAY as u64) as i64;
                let c = rng.below(200);
                let post = format!("post-c{c}-{}", rng.below(30));
                w.ev(
                    ts,
                    who,
                    "like",
                    &post,
                    &format!("creator{c}"),
                    home,
                    phone,
                    "android/412.0",
                );
            }
        }
    }
    for o in 0..16i64 {
        let start = T0 + 3 * DAY + o * 16 * HOUR;
        let post = format!("post-client{}-{o}", o % 3);
        let owner = format!("client{}", o % 3);
        for p in 0..40 {
            if rng.below(2) == 0 {
                continue;
            }
            let ts = start + rng.below(20 * MIN as u64) as i64;
            let ip = format!("198.51.100.{}", rng.below(8));
            w.ev(
                ts,
                &format!("person{p}"),
                "like",
                &post,
                &owner,
                &ip,
                "",
                "api:multi-manager",
            );
        }
        // The two hijacked housemates are driven from home (the app runs on their phones).
        for (who, phone) in [("homeA", "phone-a"), ("homeB", "phone-b")] {
            let ts = start + rng.below(20 * MIN as u64) as i64;
            w.ev(
                ts,
                who,
                "like",
                &post,
                &owner,
                home,
                phone,
                "api:multi-manager",
            );
        }
        // The housemate likes some of the boosted posts while they are delivered.
        if o % 3 == 0 {
            let ts = start + 5 * MIN + rng.below(10 * MIN as u64) as i64;
            w.ev(
                ts,
                "mate",
                "like",
                &post,
                &owner,
                home,
                "phone-m",
                "android/412.0",
            );
        }
    }
    let mut created: Vec<(String, i64)> = (0..300)
        .map(|p| (format!("person{p}"), T0 - 900 * DAY))
        .collect();
    for who in ["homeA", "homeB", "mate"] {
        created.push((who.to_string(), T0 - 900 * DAY));
    }
    let created: Vec<(&str, i64)> = created.iter().map(|(a, t)| (a.as_str(), *t)).collect();
    let log = w.build(&created);
    let (j, _) = scan(&log, &Policy::default()).unwrap();
    for who in ["homeA", "homeB"] {
        assert_eq!(verdict(&log, &j, who), Verdict::Compromised, "{who}");
    }
    assert!(
        !verdict(&log, &j, "mate").is_flagged(),
        "the housemate is not flagged"
    );
    let mut off = Policy::default();
    off.history.home_max_users = 0;
    let (j, _) = scan(&log, &off).unwrap();
    assert!(
        verdict(&log, &j, "mate").is_flagged(),
        "without the home rule the family's address counts as the vendor's"
    );
}
