//! Infrastructure capture against `lockstep_detect::reference::capture` on seeded random logs,
//! and planted answers: a vendor's app and a farm's range are found, while the official apps,
//! a scheduling tool, a carrier range shared by thousands and a household are not.
//!
//! The random logs mix people on two official clients and shared carrier ranges engaging
//! posts of many owners, vendors with their own client or range capturing a few customers'
//! posts (with padding on popular posts), a scheduling tool that creators use on their own
//! posts, events without an address and views (not engagement). Configs are small and random
//! so every branch (key too big, nothing captured, diffuse, too few owners, too few members,
//! found) is taken on some seed.

use std::net::{IpAddr, Ipv4Addr};

use lockstep_core::{EventLog, EventLogBuilder, RawEvent};
use lockstep_detect::capture::{CaptureConfig, KeyKind, infrastructure_captures};
use lockstep_detect::reference::capture::captures;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const MIN: i64 = 60_000;
const T0: i64 = 1_000 * 86_400_000;

struct Gen {
    b: EventLogBuilder,
    line: u32,
}

impl Gen {
    fn new() -> Self {
        Self {
            b: EventLogBuilder::default(),
            line: 0,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        ts: i64,
        actor: &str,
        verb: &str,
        target: &str,
        owner: &str,
        ip: Option<IpAddr>,
        client: &str,
    ) {
        self.line += 1;
        self.b
            .push(&RawEvent {
                owner: Some(owner),
                ip,
                client: Some(client),
                ..RawEvent::new(ts, actor, verb, target, self.line)
            })
            .unwrap();
    }

    fn finish(self) -> EventLog {
        self.b.finish()
    }
}

fn v4(a: u8, b: u8, c: u8, d: u8) -> Option<IpAddr> {
    Some(IpAddr::V4(Ipv4Addr::new(a, b, c, d)))
}

/// People, vendors and a scheduling tool, sized by `rng`.
fn random_log(rng: &mut SmallRng) -> EventLog {
    let mut g = Gen::new();
    let people = rng.random_range(20..120);
    let owners = rng.random_range(3..12);
    let posts_per_owner = rng.random_range(1..5);
    let mut t = T0;
    // People: official clients, carrier ranges or home addresses, any post.
    for _ in 0..rng.random_range(200..1500) {
        t += rng.random_range(0..5 * MIN);
        let p = rng.random_range(0..people);
        let o = rng.random_range(0..owners);
        let post = format!("p{o}-{}", rng.random_range(0..posts_per_owner));
        let client = if rng.random_bool(0.6) {
            "android/1"
        } else {
            "ios/1"
        };
        let ip = match rng.random_range(0..4) {
            0 => v4(100, 64, 1, rng.random_range(1..20)),
            1 => v4(100, 64, 2, rng.random_range(1..20)),
            2 => None,
            _ => v4(81, 2, p as u8, 7),
        };
        let verb = ["like", "like", "follow", "comment", "view"][rng.random_range(0..5)];
        let target = if verb == "follow" {
            format!("o{o}")
        } else {
            post
        };
        g.push(
            t,
            &format!("u{p}"),
            verb,
            &target,
            &format!("o{o}"),
            ip,
            client,
        );
    }
    // Vendors: their own client or range, a few customers, padding on popular posts.
    for v in 0..rng.random_range(0..4u8) {
        let fleet = rng.random_range(3..30);
        let client = format!("api:vendor{v}");
        let customers = rng.random_range(1..5);
        for _ in 0..rng.random_range(10..200) {
            t += rng.random_range(0..3 * MIN);
            let a = rng.random_range(0..fleet);
            let padding = rng.random_bool(0.3);
            let o = if padding {
                rng.random_range(0..owners)
            } else {
                100 + u32::from(v) * 10 + rng.random_range(0..customers)
            };
            let post = format!("p{o}-{}", rng.random_range(0..posts_per_owner));
            let ip = v4(198, 51, v, rng.random_range(1..6));
            let cl = if rng.random_bool(0.5) {
                client.as_str()
            } else {
                "android/1"
            };
            g.push(
                t,
                &format!("f{v}-{a}"),
                "like",
                &post,
                &format!("o{o}"),
                ip,
                cl,
            );
        }
    }
    // A scheduling tool: creators on their own posts.
    for _ in 0..rng.random_range(0..100) {
        t += rng.random_range(0..5 * MIN);
        let o = rng.random_range(0..owners);
        let post = format!("p{o}-{}", rng.random_range(0..posts_per_owner));
        let ip = v4(203, 0, 113, rng.random_range(1..4));
        g.push(
            t,
            &format!("o{o}"),
            "share",
            &post,
            &format!("o{o}"),
            ip,
            "api:sched",
        );
    }
    g.finish()
}

fn random_config(rng: &mut SmallRng) -> CaptureConfig {
    CaptureConfig {
        min_co_accounts: rng.random_range(2..7),
        min_capture: [0.0, 0.3, 0.5, 0.8][rng.random_range(0..4)],
        min_lift: [1.0, 2.0, 10.0][rng.random_range(0..3)],
        min_owners: rng.random_range(1..4),
        min_concentration: [0.0, 0.2, 0.6][rng.random_range(0..3)],
        min_account_events: rng.random_range(1..4),
        min_member_share: [0.0, 0.2, 0.7][rng.random_range(0..3)],
        clients: rng.random_bool(0.8),
        networks: rng.random_bool(0.8),
    }
}

#[test]
fn captures_agree_with_the_reference_on_random_logs() {
    let mut found = 0;
    for seed in 0..300u64 {
        let mut rng = SmallRng::seed_from_u64(seed);
        let log = random_log(&mut rng);
        let cfg = random_config(&mut rng);
        let fast: Vec<_> = infrastructure_captures(&log, &cfg)
            .unwrap()
            .into_iter()
            .map(|c| (c.kind, c.key, c.accounts, c.targets, c.events))
            .collect();
        let naive = captures(&log, &cfg);
        assert_eq!(fast, naive, "seed {seed}, {cfg:?}");
        found += fast.len();
    }
    assert!(found > 20, "only {found} captures over all seeds");
}

/// 300 people on two official apps, one carrier range and their homes; a household of four;
/// creators with a scheduling tool; and a vendor app driving 40 accounts onto 6 customers'
/// posts through `api:growth` from a datacenter /24.
fn planted() -> EventLog {
    let mut rng = SmallRng::seed_from_u64(7);
    let mut g = Gen::new();
    let mut t = T0;
    for _ in 0..20_000 {
        t += rng.random_range(0..MIN);
        let p = rng.random_range(0..300);
        // Popular creators get most of the likes.
        let o = (rng.random_range(0.0f64..1.0).powi(3) * 50.0) as u32;
        let post = format!("p{o}-{}", rng.random_range(0..6));
        let client = if p % 3 == 0 { "ios/7" } else { "android/7" };
        let ip = if rng.random_bool(0.5) {
            v4(100, 64, 3, rng.random_range(1..40))
        } else {
            v4(81, (p / 200) as u8, (p % 200) as u8, 9)
        };
        g.push(
            t,
            &format!("u{p}"),
            "like",
            &post,
            &format!("o{o}"),
            ip,
            client,
        );
    }
    // A household of four liking a relative's posts from one home address.
    for k in 0..60 {
        let m = k % 4;
        let post = format!("p200-{}", k % 3);
        g.push(
            T0 + k * MIN,
            &format!("h{m}"),
            "like",
            &post,
            "o200",
            v4(81, 9, 9, 9),
            "android/7",
        );
    }
    // Creators replying and sharing through a scheduling tool.
    for k in 0..300 {
        let o = k % 30;
        let post = format!("p{o}-{}", k % 6);
        g.push(
            T0 + k * 7 * MIN,
            &format!("o{o}"),
            "share",
            &post,
            &format!("o{o}"),
            v4(203, 0, 113, 5),
            "api:sched",
        );
    }
    // The vendor: 40 accounts (with their own lives on the official app) liking customers'
    // posts through its app.
    for order in 0..30 {
        let c = 300 + order % 6;
        let post = format!("p{c}-{}", order % 2);
        for k in 0..15 {
            let a = (order * 7 + k * 3) % 40;
            let ts = T0 + order * 600 * MIN + k * 20 * MIN;
            g.push(
                ts,
                &format!("v{a}"),
                "like",
                &post,
                &format!("o{c}"),
                v4(198, 51, 100, (k % 5) as u8 + 1),
                "api:growth",
            );
        }
    }
    for k in 0..400 {
        let a = k % 40;
        let o = (k * 13) % 50;
        g.push(
            T0 + k * 3 * MIN,
            &format!("v{a}"),
            "like",
            &format!("p{o}-{}", k % 6),
            &format!("o{o}"),
            v4(81, 7, (a % 200) as u8, 3),
            "android/7",
        );
    }
    g.finish()
}

#[test]
fn the_vendor_app_and_its_range_are_found_and_people_are_not() {
    let log = planted();
    let found = infrastructure_captures(&log, &CaptureConfig::default()).unwrap();
    let keys: Vec<(KeyKind, &str)> = found.iter().map(|c| (c.kind, c.key.as_str())).collect();
    assert_eq!(
        keys,
        vec![
            (KeyKind::Client, "api:growth"),
            (KeyKind::Network, "198.51.100.0/24")
        ],
        "{found:#?}"
    );
    for c in &found {
        assert_eq!(c.accounts.len(), 40, "{}", c.key);
        for &a in &c.accounts {
            assert!(log.accounts.resolve(a).starts_with('v'));
        }
        // Only the vendor's likes, not the accounts' own.
        for &e in &c.events {
            assert_eq!(log.clients.resolve(log.client()[e as usize]), "api:growth");
        }
        let s = c.to_signal(&log);
        assert!(s.summary.contains(&c.key), "{}", s.summary);
    }
}
