//! Seeded synthetic worlds for tests and benches: heavy-tailed organic engagement plus
//! planted operations (lockstep farms with jitter, partial participation, shards and
//! camouflage) and the organic hard cases (fans at a live show, a viral post, power users).

#![allow(dead_code)]

use std::net::IpAddr;

use lockstep_core::{EventLog, EventLogBuilder, Id, RawEvent};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// Milliseconds in a minute, hour, day.
pub(crate) const MIN: i64 = 60_000;
/// One hour.
pub(crate) const HOUR: i64 = 60 * MIN;
/// One day.
pub(crate) const DAY: i64 = 24 * HOUR;

/// A planted farm.
#[derive(Debug, Clone)]
pub(crate) struct FarmSpec {
    /// Accounts in the farm.
    pub(crate) accounts: usize,
    /// Orders delivered.
    pub(crate) orders: usize,
    /// Each order uses a random fraction of each shard in this range.
    pub(crate) participation: (f64, f64),
    /// Separate account pools delivering the same orders.
    pub(crate) shards: usize,
    /// Shard k delivers `k * shard_delay_ms` after shard 0.
    pub(crate) shard_delay_ms: i64,
    /// How long a delivery takes (events spread uniformly over it).
    pub(crate) spread_ms: i64,
    /// Extra per-event jitter, uniform in ±jitter.
    pub(crate) jitter_ms: i64,
    /// Camouflage likes per account on popular organic targets.
    pub(crate) camouflage: usize,
    /// Proxy IPs the farm uses.
    pub(crate) ips: usize,
    /// Devices (emulators) the farm uses.
    pub(crate) devices: usize,
}

impl Default for FarmSpec {
    fn default() -> Self {
        Self {
            accounts: 120,
            orders: 30,
            participation: (0.3, 0.6),
            shards: 1,
            shard_delay_ms: 0,
            spread_ms: 5 * MIN,
            jitter_ms: 2 * MIN,
            camouflage: 10,
            ips: 6,
            devices: 4,
        }
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub(crate) struct WorldSpec {
    /// RNG seed.
    pub(crate) seed: u64,
    /// Days of data.
    pub(crate) days: i64,
    /// Organic accounts.
    pub(crate) accounts: usize,
    /// Organic targets.
    pub(crate) targets: usize,
    /// Organic events.
    pub(crate) events: usize,
    /// Zipf exponent of account activity.
    pub(crate) account_zipf: f64,
    /// Zipf exponent of target popularity.
    pub(crate) target_zipf: f64,
    /// Planted farms.
    pub(crate) farms: Vec<FarmSpec>,
    /// Fans liking every post of one live show once: (fans, posts).
    pub(crate) live_fans: Option<(usize, usize)>,
    /// Real accounts liking one viral post within an hour.
    pub(crate) viral_likes: usize,
    /// Power users and their events each.
    pub(crate) power_users: (usize, usize),
}

impl Default for WorldSpec {
    fn default() -> Self {
        Self {
            seed: 1,
            days: 30,
            accounts: 3000,
            targets: 2000,
            events: 20_000,
            account_zipf: 0.6,
            target_zipf: 1.0,
            farms: vec![FarmSpec::default()],
            live_fans: Some((80, 6)),
            viral_likes: 800,
            power_users: (5, 600),
        }
    }
}

/// The generated log and the names of what was planted, as account ids.
#[derive(Debug)]
pub(crate) struct World {
    /// The log.
    pub(crate) log: EventLog,
    /// Farm members per farm.
    pub(crate) farms: Vec<Vec<Id>>,
    /// The live fans.
    pub(crate) fans: Vec<Id>,
    /// The accounts that liked the viral post.
    pub(crate) viral: Vec<Id>,
    /// The power users.
    pub(crate) power: Vec<Id>,
    /// Every account.
    pub(crate) all_accounts: usize,
}

struct Zipf {
    cum: Vec<f64>,
}

impl Zipf {
    fn new(n: usize, s: f64) -> Self {
        let mut acc = 0.0;
        let cum = (0..n)
            .map(|i| {
                acc += 1.0 / ((i + 1) as f64).powf(s);
                acc
            })
            .collect();
        Self { cum }
    }
    fn sample(&self, rng: &mut SmallRng) -> usize {
        let x = rng.random::<f64>() * self.cum.last().copied().unwrap_or(0.0);
        self.cum.partition_point(|&c| c < x).min(self.cum.len() - 1)
    }
}

struct Out {
    b: EventLogBuilder,
    line: u32,
}

impl Out {
    fn push(&mut self, ts: i64, actor: &str, target: &str, ip: u32, device: &str) {
        self.line += 1;
        let ip = IpAddr::from(ip.to_be_bytes());
        self.b
            .push(&RawEvent {
                id: None,
                ts,
                actor,
                action: "like",
                target,
                owner: None,
                text: None,
                ip: Some(ip),
                device: Some(device),
                client: Some("android/1"),
                line: self.line,
            })
            .expect("generated events are valid");
    }
}

/// Generates a world. Events are emitted in generation order (not time order).
pub(crate) fn world(spec: &WorldSpec) -> World {
    let mut rng = SmallRng::seed_from_u64(spec.seed);
    let mut out = Out {
        b: EventLogBuilder::new(),
        line: 0,
    };
    out.b.begin_source("synthetic");
    let span = spec.days * DAY;
    let who = Zipf::new(spec.accounts, spec.account_zipf);
    let what = Zipf::new(spec.targets, spec.target_zipf);
    // Organic: home IP per account (1 in 10 behind one of 50 carrier NAT addresses), own device.
    let acct: Vec<String> = (0..spec.accounts).map(|a| format!("u{a}")).collect();
    let dev: Vec<String> = (0..spec.accounts).map(|a| format!("d{a}")).collect();
    let tgt: Vec<String> = (0..spec.targets).map(|t| format!("t{t}")).collect();
    let home_ip = |a: usize| 0x0a00_0000 + a as u32;
    let nat_ip = |a: usize| 0x6440_0000 + (a % 50) as u32;
    for _ in 0..spec.events {
        let a = who.sample(&mut rng);
        let t = what.sample(&mut rng);
        let ip = if a.is_multiple_of(10) {
            nat_ip(a)
        } else {
            home_ip(a)
        };
        out.push(rng.random_range(0..span), &acct[a], &tgt[t], ip, &dev[a]);
    }
    // Farms.
    let mut farm_names = Vec::new();
    for (f, fs) in spec.farms.iter().enumerate() {
        let names: Vec<String> = (0..fs.accounts).map(|k| format!("farm{f}-{k}")).collect();
        let per_shard = fs.accounts.div_ceil(fs.shards.max(1));
        for _ in 0..fs.orders {
            let target = format!("t{}", rng.random_range(0..spec.targets));
            let t0 = rng.random_range(0..span - HOUR - fs.shards as i64 * fs.shard_delay_ms);
            for (s, shard) in names.chunks(per_shard).enumerate() {
                let p = rng.random_range(fs.participation.0..=fs.participation.1);
                for (k, name) in shard.iter().enumerate() {
                    if rng.random::<f64>() < p {
                        let jitter = rng.random_range(-fs.jitter_ms..=fs.jitter_ms);
                        let ts = t0
                            + s as i64 * fs.shard_delay_ms
                            + rng.random_range(0..fs.spread_ms.max(1))
                            + jitter;
                        let ip = 0xc000_0200 + (f * 256 + rng.random_range(0..fs.ips)) as u32;
                        let dev = format!("emu{f}-{}", (k + rng.random_range(0..2)) % fs.devices);
                        out.push(ts, name, &target, ip, &dev);
                    }
                }
            }
        }
        for (k, name) in names.iter().enumerate() {
            for _ in 0..fs.camouflage {
                let t = what.sample(&mut rng);
                let ip = 0xc000_0200 + (f * 256 + k % fs.ips) as u32;
                let dev = format!("emu{f}-{}", k % fs.devices);
                out.push(rng.random_range(0..span), name, &tgt[t], ip, &dev);
            }
        }
        farm_names.push(names);
    }
    // Fans at one live show: each likes each post within minutes of it going up, once.
    let mut fan_names = Vec::new();
    if let Some((fans, posts)) = spec.live_fans {
        let show = rng.random_range(0..span - 2 * HOUR);
        for k in 0..fans {
            let name = format!("fan{k}");
            for p in 0..posts {
                let ts = show + p as i64 * 10 * MIN + rng.random_range(0..3 * MIN);
                out.push(
                    ts,
                    &name,
                    &format!("live-post{p}"),
                    0x0b00_0000 + k as u32,
                    &format!("fd{k}"),
                );
            }
            // And a little ordinary activity.
            for _ in 0..3 {
                let t = what.sample(&mut rng);
                out.push(
                    rng.random_range(0..span),
                    &name,
                    &tgt[t],
                    0x0b00_0000 + k as u32,
                    &format!("fd{k}"),
                );
            }
            fan_names.push(name);
        }
    }
    // A viral post: many real accounts within an hour.
    let mut viral_names = Vec::new();
    if spec.viral_likes > 0 {
        let t0 = rng.random_range(0..span - HOUR);
        for _ in 0..spec.viral_likes {
            let name = format!("u{}", rng.random_range(0..spec.accounts));
            let a: usize = name[1..].parse().expect("u<number>");
            out.push(
                t0 + rng.random_range(0..HOUR),
                &name,
                "viral",
                home_ip(a),
                &dev[a],
            );
            viral_names.push(name);
        }
    }
    // Power users: many likes on popular targets at any time.
    let mut power_names = Vec::new();
    for k in 0..spec.power_users.0 {
        let name = format!("power{k}");
        for _ in 0..spec.power_users.1 {
            let t = what.sample(&mut rng);
            out.push(
                rng.random_range(0..span),
                &name,
                &tgt[t],
                0x0c00_0000 + k as u32,
                &format!("pd{k}"),
            );
        }
        power_names.push(name);
    }
    let log = out.b.finish();
    let ids = |names: &[String]| -> Vec<Id> {
        let mut v: Vec<Id> = names.iter().filter_map(|n| log.accounts.get(n)).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    World {
        farms: farm_names.iter().map(|n| ids(n)).collect(),
        fans: ids(&fan_names),
        viral: ids(&viral_names),
        power: ids(&power_names),
        all_accounts: log.accounts.len(),
        log,
    }
}

/// Recall of `truth` in `found` (both sorted).
pub(crate) fn recall(truth: &[Id], found: &[Id]) -> f64 {
    let hit = truth
        .iter()
        .filter(|a| found.binary_search(a).is_ok())
        .count();
    hit as f64 / truth.len().max(1) as f64
}

/// Members of `found` (sorted) that are in none of `truths`.
pub(crate) fn false_positives(truths: &[&[Id]], found: &[Id]) -> Vec<Id> {
    found
        .iter()
        .copied()
        .filter(|a| truths.iter().all(|t| t.binary_search(a).is_err()))
        .collect()
}

/// Members of `found` that are in `set`.
pub(crate) fn overlap(set: &[Id], found: &[Id]) -> usize {
    set.iter()
        .filter(|a| found.binary_search(a).is_ok())
        .count()
}
