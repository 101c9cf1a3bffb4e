//! The address-range detector against `lockstep_detect::reference::ranges` on seeded random
//! logs: a few IPv4 /24s and IPv6 /48s (neighbours that differ just outside the prefix, hosts
//! that differ inside it, IPv4-mapped IPv6 addresses, a /48 with a zero group), farms of
//! mostly fresh accounts engaging their customers' posts from one range, people with old,
//! fresh, unknown or missing creation times engaging popular posts from shared carrier ranges
//! and from home, engagement without an address, and views, which are not engagement.
//! Creation times are whole quarter days before the first engagement, so ages fall exactly
//! on `fresh_days`. Configs are small and random so every branch (ranges too small, not
//! fresh, without a co-target, diffuse, with too few signal accounts, found; IPv4 and IPv6;
//! thresholds met exactly) is taken on some seed.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use lockstep_core::{EventLog, EventLogBuilder, RawEvent};
use lockstep_detect::ranges::{RangesConfig, RangesReport, suspicious_ranges};
use lockstep_detect::reference;
use lockstep_detect::reference::ranges::{Ranges, Verdict};
use lockstep_graph::{ActionSet, GraphIndex};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const DAY: i64 = 86_400_000;
const QUARTER: i64 = DAY / 4;
const T0: i64 = 1000 * DAY;

/// A network: the first three octets of a /24 or the first three groups of a /48.
#[derive(Debug, Clone, Copy)]
enum Net {
    V4([u8; 3]),
    V6([u16; 3]),
}

const NETS: [Net; 9] = [
    Net::V4([198, 51, 100]),
    Net::V4([198, 51, 101]),
    Net::V4([203, 0, 113]),
    Net::V4([100, 64, 9]),
    Net::V6([0x2001, 0xdb8, 0]),
    Net::V6([0x2001, 0xdb8, 1]),
    Net::V6([0x2001, 0xdb8, 0x42]),
    Net::V6([0xfe80, 1, 2]),
    Net::V4([192, 0, 2]),
];

/// The log under construction and what the tests count about it.
#[derive(Default)]
struct Gen {
    b: EventLogBuilder,
    line: u32,
    /// Each account's first engagement.
    first: BTreeMap<String, i64>,
    counts: BTreeMap<&'static str, usize>,
}

impl Gen {
    fn push(&mut self, ts: i64, actor: &str, verb: &str, target: &str, ip: Option<IpAddr>) {
        self.line += 1;
        let device = format!("d{}", self.line % 7);
        self.b
            .push(&RawEvent {
                ip,
                device: (!self.line.is_multiple_of(3)).then_some(device.as_str()),
                ..RawEvent::new(ts, actor, verb, target, self.line)
            })
            .unwrap();
        if verb == "view" {
            *self.counts.entry("views").or_default() += 1;
            return;
        }
        let t = self.first.entry(actor.to_string()).or_insert(ts);
        *t = (*t).min(ts);
        if ip.is_none() {
            *self
                .counts
                .entry("engagement events without an address")
                .or_default() += 1;
        }
    }

    /// A host of `net`: a few per network, an IPv4 one sometimes written IPv4-mapped, an
    /// IPv6 one sometimes in another /64 of the /48.
    fn addr(&mut self, rng: &mut SmallRng, net: Net) -> IpAddr {
        let h = rng.random_range(1..=5u8);
        match net {
            Net::V4([a, b, c]) => {
                let v4 = Ipv4Addr::new(a, b, c, h);
                if rng.random_range(0..8) == 0 {
                    *self.counts.entry("IPv4-mapped addresses").or_default() += 1;
                    IpAddr::V6(v4.to_ipv6_mapped())
                } else {
                    IpAddr::V4(v4)
                }
            }
            Net::V6([a, b, c]) => {
                let sub = rng.random_range(0..3u16);
                IpAddr::V6(Ipv6Addr::new(a, b, c, sub, 0, 0, 0, u16::from(h)))
            }
        }
    }
}

/// A time in the log's days: on a quarter day or between two.
fn time(rng: &mut SmallRng, days: i64) -> i64 {
    let jitter = if rng.random_bool(0.5) {
        rng.random_range(0..QUARTER)
    } else {
        0
    };
    T0 + rng.random_range(0..days * 4) * QUARTER + jitter
}

/// One of the engagement verbs.
fn verb(rng: &mut SmallRng) -> &'static str {
    [
        "like", "like", "like", "comment", "share", "follow", "review",
    ][rng.random_range(0..7)]
}

/// An age in quarter days for a fresh account: often under a day, sometimes created after its
/// first engagement, sometimes a few days.
fn fresh_age(rng: &mut SmallRng) -> i64 {
    match rng.random_range(0..10) {
        0 => -rng.random_range(1..=4),
        1..=6 => rng.random_range(0..=4),
        _ => rng.random_range(5..=12),
    }
}

/// A random log and config for `seed`.
fn case(seed: u64) -> (EventLog, RangesConfig, BTreeMap<&'static str, usize>) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let cfg = RangesConfig {
        min_accounts: rng.random_range(2..=6),
        fresh_days: [0.0, 0.5, 1.0, 2.5, 30.0][rng.random_range(0..5)],
        min_fresh_share: [0.0, 0.25, 0.5, 0.75, 1.0][rng.random_range(0..5)],
        min_co_accounts: rng.random_range(2..=4),
        min_lift: [1.0, 1.5, 2.0, 3.0, 6.0][rng.random_range(0..5)],
        min_concentration: [0.0, 0.3, 0.5, 0.75, 1.0][rng.random_range(0..5)],
        min_account_events: rng.random_range(1..=3),
    };
    let days = rng.random_range(2..=5i64);
    let mut g = Gen::default();
    // Ages in quarter days, by account.
    let mut ages: BTreeMap<String, Option<i64>> = BTreeMap::new();
    let posts = rng.random_range(8..=30);
    let post = |rng: &mut SmallRng| format!("post{}", rng.random_range(0..posts));

    // Farms: fresh accounts engaging their customers' posts from one range.
    let farms = rng.random_range(0..=3).max(rng.random_range(0..=3));
    let mut customers: Vec<String> = Vec::new();
    for f in 0..farms {
        let net = NETS[rng.random_range(0..NETS.len())];
        let mine: Vec<String> = (0..rng.random_range(1..=4))
            .map(|k| format!("c{f}_{k}"))
            .collect();
        for j in 0..rng.random_range(2..=9) {
            let a = format!("f{f}_{j}");
            for c in &mine {
                if rng.random_bool(0.3) {
                    continue;
                }
                for _ in 0..rng.random_range(1..=3) {
                    let ip = match rng.random_range(0..12) {
                        0 => None,
                        1 => {
                            let elsewhere = NETS[rng.random_range(0..NETS.len())];
                            Some(g.addr(&mut rng, elsewhere))
                        }
                        _ => Some(g.addr(&mut rng, net)),
                    };
                    g.push(time(&mut rng, days), &a, verb(&mut rng), c, ip);
                }
            }
            // Camouflage.
            for _ in 0..rng.random_range(0..=2) / 2 {
                let ip = Some(g.addr(&mut rng, net));
                let t = post(&mut rng);
                g.push(time(&mut rng, days), &a, verb(&mut rng), &t, ip);
            }
            let age = match rng.random_range(0..10) {
                0 => None,
                1 => Some(rng.random_range(20..=200) * 4),
                _ => Some(fresh_age(&mut rng)),
            };
            ages.insert(a, age);
        }
        customers.extend(mine);
    }

    // People: from a shared carrier range or from home, popular posts, now and then a
    // customer's.
    let carriers: Vec<Net> = (0..rng.random_range(1..=3))
        .map(|_| NETS[rng.random_range(0..NETS.len())])
        .collect();
    for j in 0..rng.random_range(8..=40) {
        let a = format!("p{j}");
        let home = rng
            .random_bool(0.6)
            .then(|| carriers[rng.random_range(0..carriers.len())]);
        for _ in 0..rng.random_range(1..=6) {
            let t = if !customers.is_empty() && rng.random_range(0..10) == 0 {
                customers[rng.random_range(0..customers.len())].clone()
            } else if rng.random_range(0..4) == 0 {
                "viral".to_string()
            } else {
                post(&mut rng)
            };
            let ip = match (rng.random_range(0..10), home) {
                (0, _) => None,
                (_, Some(net)) => Some(g.addr(&mut rng, net)),
                (_, None) => Some(IpAddr::from([10, j as u8, 0, 1])),
            };
            g.push(time(&mut rng, days), &a, verb(&mut rng), &t, ip);
        }
        let age = match rng.random_range(0..10) {
            0 => None,
            1..=2 => Some(fresh_age(&mut rng)),
            _ => Some(rng.random_range(8..=1600)),
        };
        ages.insert(a, age);
    }

    // Accounts engaging customers without an address: they count among the active accounts
    // and the customers' engagers, in no range.
    for j in 0..rng.random_range(0..=4) {
        if let Some(c) = customers.get(rng.random_range(0..customers.len().max(1))) {
            let c = c.clone();
            g.push(time(&mut rng, days), &format!("o{j}"), "like", &c, None);
        }
    }

    // Views, which are not engagement: from every range, often before anyone's first
    // engagement, by old and new accounts, on customers' posts too.
    for _ in 0..rng.random_range(0..=40) {
        let who: Vec<&String> = ages.keys().collect();
        let a = who[rng.random_range(0..who.len())].clone();
        let net = NETS[rng.random_range(0..NETS.len())];
        let ip = Some(g.addr(&mut rng, net));
        let t = if customers.is_empty() || rng.random_bool(0.5) {
            post(&mut rng)
        } else {
            customers[rng.random_range(0..customers.len())].clone()
        };
        g.push(time(&mut rng, days) - 3 * DAY, &a, "view", &t, ip);
        g.push(
            time(&mut rng, days),
            &format!("v{}", rng.random_range(0..5)),
            "view",
            &t,
            ip,
        );
    }

    // The accounts side file: creation a whole number of quarter days before the first
    // engagement; no file at all on some seeds.
    let side_file = rng.random_range(0..10) > 0;
    if !side_file {
        *g.counts.entry("logs without a side file").or_default() += 1;
    }
    for (a, age) in &ages {
        // A farm account that skipped every customer never engaged.
        let Some(&first) = g.first.get(a) else {
            continue;
        };
        if !side_file || rng.random_range(0..12) == 0 {
            continue;
        }
        let created = age.map(|q| first - q * QUARTER);
        if let Some(q) = age
            && (q * QUARTER) as f64 == cfg.fresh_days * DAY as f64
        {
            *g.counts
                .entry("accounts exactly fresh_days old")
                .or_default() += 1;
        }
        let log = g.b.log_mut();
        let id = log.accounts.get(a).expect("interned");
        log.account_table.push(id, created, std::iter::empty());
    }
    (g.b.finish(), cfg, g.counts)
}

/// Panics with what differs between the optimised report and the reference.
fn explain(seed: u64, cfg: &RangesConfig, got: &RangesReport, want: &Ranges) -> ! {
    let names =
        |r: &RangesReport| -> Vec<String> { r.ranges.iter().map(|f| f.network.clone()).collect() };
    let first_diff = got
        .ranges
        .iter()
        .zip(&want.report.ranges)
        .find(|(a, b)| a != b);
    panic!(
        "seed {seed} {cfg:?}\nranges checked {} vs {}\nfound {:?} vs {:?}\nverdicts {:#?}\n\
         first differing finding (optimised, reference): {first_diff:#?}",
        got.ranges_checked,
        want.report.ranges_checked,
        names(got),
        names(&want.report),
        want.verdicts,
    );
}

/// The optimised report and the reference for `cfg`, asserted equal.
fn check(seed: u64, g: &GraphIndex<'_>, cfg: &RangesConfig) -> (RangesReport, Ranges) {
    let got = suspicious_ranges(g, cfg).unwrap();
    let want = reference::ranges::suspicious_ranges(g.log(), cfg);
    if got != want.report {
        explain(seed, cfg, &got, &want);
    }
    (got, want)
}

/// Judges the first range found again with its own numbers as the thresholds (it must be
/// found again, unchanged: every threshold is inclusive), then with each threshold one step
/// above its number (it must fail at that step). Returns how many runs were made.
fn at_its_thresholds(seed: u64, g: &GraphIndex<'_>, cfg: &RangesConfig, want: &Ranges) -> usize {
    let Some(f) = want.report.ranges.first() else {
        return 0;
    };
    let exact = RangesConfig {
        min_fresh_share: f.fresh_share,
        min_concentration: f.concentration,
        min_lift: f.min_lift,
        ..cfg.clone()
    };
    let (_, again) = check(seed, g, &exact);
    let same = again.report.ranges.iter().find(|x| x.network == f.network);
    assert_eq!(same, Some(f), "seed {seed}: not found again at {exact:?}");
    let verdict = |c: &RangesConfig| check(seed, g, c).1.verdicts[&f.network];
    let mut runs = 1;
    let above = RangesConfig {
        min_fresh_share: f.fresh_share.next_up(),
        ..exact.clone()
    };
    if above.validate().is_ok() {
        assert_eq!(verdict(&above), Verdict::TooFewFresh, "seed {seed}");
        runs += 1;
    }
    let above = RangesConfig {
        min_concentration: f.concentration.next_up(),
        ..exact.clone()
    };
    if above.validate().is_ok() {
        assert_eq!(verdict(&above), Verdict::Diffuse, "seed {seed}");
        runs += 1;
    }
    // Its least lifted co-target goes, and the concentration drops below the old one.
    let above = RangesConfig {
        min_lift: f.min_lift.next_up(),
        ..exact
    };
    let v = verdict(&above);
    assert!(
        matches!(v, Verdict::NoCoTarget | Verdict::Diffuse),
        "seed {seed}: {v:?}"
    );
    runs + 1
}

#[test]
fn ranges_match_reference() {
    // How often each branch was taken, over all seeds.
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for seed in 0..400 {
        let (log, cfg, counts) = case(seed);
        for (what, n) in counts {
            *seen.entry(what).or_default() += n;
        }
        let g = GraphIndex::build(&log, ActionSet::engagement());
        let (got, want) = check(seed, &g, &cfg);
        *seen
            .entry("runs at a found range's own thresholds")
            .or_default() += at_its_thresholds(seed, &g, &cfg, &want);
        if log.account_table.is_empty() {
            assert!(
                got.ranges.is_empty(),
                "seed {seed}: found without creation times"
            );
        }
        assert_eq!(got.signals(&log).len(), got.ranges.len());

        *seen.entry("targets below min_lift").or_default() += want.lift_misses;
        let mut count = |what: &'static str, yes: bool| {
            *seen.entry(what).or_default() += usize::from(yes);
        };
        for (name, &v) in &want.verdicts {
            let v6 = name.contains(':');
            count("ranges too small to judge", v == Verdict::TooFewAccounts);
            count("ranges not fresh enough", v == Verdict::TooFewFresh);
            count("ranges without a co-target", v == Verdict::NoCoTarget);
            count("ranges too diffuse", v == Verdict::Diffuse);
            count(
                "ranges with too few signal accounts",
                v == Verdict::TooFewMembers,
            );
            count("IPv4 ranges found", !v6 && v == Verdict::Found);
            count("IPv6 ranges found", v6 && v == Verdict::Found);
            count(
                "IPv6 ranges judged and let go",
                v6 && v != Verdict::Found && v != Verdict::TooFewAccounts,
            );
        }
        let found = &want.report.ranges;
        count("logs with two ranges found", found.len() >= 2);
        count(
            "found ranges tied on signal accounts",
            found
                .windows(2)
                .any(|w| w[0].accounts.len() == w[1].accounts.len()),
        );
        for f in found {
            let fresh = (f.fresh_share * f.range_accounts as f64).round() as usize;
            count(
                "found with accounts that are not fresh",
                f.fresh_share < 1.0,
            );
            count(
                "found with a fresh account left out of the signal",
                f.accounts.len() < fresh,
            );
            count(
                "found with co-target events of non-members",
                f.events.len() < (f.concentration * f.range_events as f64).round() as usize,
            );
            count(
                "found at exactly min_fresh_share",
                f.fresh_share == cfg.min_fresh_share,
            );
            count(
                "found at exactly min_concentration",
                f.concentration == cfg.min_concentration,
            );
            count("found at exactly min_lift", f.min_lift == cfg.min_lift);
            count("found with several co-targets", f.co_targets.len() >= 2);
        }
    }
    for (what, n) in &seen {
        assert!(*n > 0, "no seed had {what}: {seen:#?}");
    }
    assert_eq!(seen.len(), 24, "{seen:#?}");
}
