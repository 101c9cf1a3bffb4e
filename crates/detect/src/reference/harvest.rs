//! Reference harvesting: reads counted per account-day and per device-day in ordered maps,
//! each account's own reads recounted from scratch, every linking address and device
//! recounted over the whole log, and crews as the connected components (breadth-first) of an
//! explicit graph whose nodes are accounts and reading devices.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use lockstep_core::{EventLog, Id, NONE, action};

use crate::harvest::{HarvestConfig, Why};

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;

/// One harvesting account, as [`crate::harvest::Reader`] with the reason as its bits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reader {
    /// The account.
    pub account: Id,
    /// Its harvesting reads, ascending.
    pub events: Vec<u32>,
    /// The [`Why`] bits.
    pub why: u8,
    /// Its heavy days (0 unless it is a heavy reader).
    pub heavy_days: u32,
    /// Its most own reads in one day (0 unless it is a heavy reader).
    pub max_reads_per_day: u32,
    /// Its most distinct hours in one heavy day (0 unless it is a heavy reader).
    pub max_active_hours: u32,
}

/// What [`harvesters`] finds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Harvest {
    /// The crews as (readers by account, reading devices ascending), sorted.
    pub crews: Vec<(Vec<Reader>, Vec<Id>)>,
    /// Account-days with a read.
    pub reader_days: usize,
    /// The quantile of reads per account-day.
    pub baseline_reads: u32,
    /// Reads that make a heavy day.
    pub heavy_reads: u32,
    /// The quantile of reading accounts per device.
    pub baseline_device_accounts: u32,
    /// Reading accounts that make a reading device.
    pub device_accounts: u32,
    /// Every heavy reader, harvester or not, ascending (the optimised report lists only the
    /// harvesters; the tests use this to see that some heavy readers were dropped).
    pub heavy_readers: Vec<Id>,
}

/// The nearest-rank `q` quantile: the ⌈q·n⌉-th smallest (at least the first); 0 when empty.
fn nearest_rank(mut v: Vec<u32>, q: f64) -> u32 {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

/// `ratio` times `base`, rounded up, and at least `floor`.
fn at_least(ratio: f64, base: u32, floor: u32) -> u32 {
    ((ratio * f64::from(base)).ceil() as u32).max(floor)
}

/// A node of the crew graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Account(Id),
    Device(Id),
}

/// A heavy reader's numbers, over its own reads.
struct Heavy {
    heavy_days: u32,
    round_days: u32,
    max_reads: u32,
    max_hours: u32,
}

/// The harvesters of [`crate::harvest::harvesters`], crews sorted.
///
/// # Complexity
/// O(r log r) for the r reads to group them, plus O(n) per address or device a heavy reader
/// read from (each one's traffic is recounted over the whole log), plus O(h²) links per such
/// address or device shared by h heavy readers.
pub fn harvesters(log: &EventLog, cfg: &HarvestConfig) -> Harvest {
    let (ts, actor, target, ip, device) =
        (log.ts(), log.actor(), log.target(), log.ip(), log.device());
    let day = |i: usize| ts[i].div_euclid(DAY);
    let hour = |i: usize| ts[i].rem_euclid(DAY) / HOUR;
    let reads: Vec<usize> = (0..log.len())
        .filter(|&i| log.action()[i] == action::VIEW)
        .collect();

    // The baseline: reads per account-day.
    let mut account_days: BTreeMap<(Id, i64), u32> = BTreeMap::new();
    for &i in &reads {
        *account_days.entry((actor[i], day(i))).or_insert(0) += 1;
    }
    let reader_days = account_days.len();
    let baseline_reads = nearest_rank(
        account_days.values().copied().collect(),
        cfg.baseline_quantile,
    );
    let heavy_reads = at_least(cfg.volume_ratio, baseline_reads, cfg.min_reads_per_day);

    // Reading devices: distinct reading accounts, and reads per day.
    let mut readers_of: BTreeMap<Id, BTreeSet<Id>> = BTreeMap::new();
    let mut device_days: BTreeMap<Id, BTreeMap<i64, u32>> = BTreeMap::new();
    for &i in &reads {
        if device[i] == NONE {
            continue;
        }
        readers_of.entry(device[i]).or_default().insert(actor[i]);
        *device_days
            .entry(device[i])
            .or_default()
            .entry(day(i))
            .or_insert(0) += 1;
    }
    let baseline_device_accounts = nearest_rank(
        readers_of.values().map(|s| s.len() as u32).collect(),
        cfg.baseline_quantile,
    );
    let device_accounts = at_least(
        cfg.volume_ratio,
        baseline_device_accounts,
        cfg.min_device_accounts,
    );
    let reading: BTreeSet<Id> = readers_of
        .iter()
        .filter(|&(d, accounts)| {
            let heavy_days = device_days[d]
                .values()
                .filter(|&&n| n >= heavy_reads)
                .count();
            accounts.len() as u32 >= device_accounts && heavy_days as u32 >= cfg.min_days
        })
        .map(|(&d, _)| d)
        .collect();

    // Each account's own reads, and its reads through reading devices.
    let mut own: BTreeMap<Id, Vec<usize>> = BTreeMap::new();
    let mut through: BTreeMap<Id, Vec<usize>> = BTreeMap::new();
    for &i in &reads {
        let side = if reading.contains(&device[i]) {
            &mut through
        } else {
            &mut own
        };
        side.entry(actor[i]).or_default().push(i);
    }

    // Heavy readers, on their own reads.
    let mut heavy: BTreeMap<Id, Heavy> = BTreeMap::new();
    for (&a, evs) in &own {
        let mut days: BTreeMap<i64, (u32, BTreeSet<i64>)> = BTreeMap::new();
        for &i in evs {
            let d = days.entry(day(i)).or_default();
            d.0 += 1;
            d.1.insert(hour(i));
        }
        let heavy_days: Vec<&(u32, BTreeSet<i64>)> =
            days.values().filter(|d| d.0 >= heavy_reads).collect();
        let items: BTreeSet<Id> = evs.iter().map(|&i| target[i]).collect();
        if (heavy_days.len() as u32) < cfg.min_days
            || (items.len() as f64) < cfg.min_distinct_share * evs.len() as f64
        {
            continue;
        }
        heavy.insert(
            a,
            Heavy {
                heavy_days: heavy_days.len() as u32,
                round_days: heavy_days
                    .iter()
                    .filter(|d| d.1.len() as u32 >= cfg.min_active_hours)
                    .count() as u32,
                max_reads: days.values().map(|d| d.0).max().unwrap_or(0),
                max_hours: heavy_days
                    .iter()
                    .map(|d| d.1.len() as u32)
                    .max()
                    .unwrap_or(0),
            },
        );
    }

    // The crew graph: heavy readers, accounts reading through reading devices, and those
    // devices.
    let mut adj: BTreeMap<Node, BTreeSet<Node>> = BTreeMap::new();
    for &a in heavy.keys().chain(through.keys()) {
        adj.entry(Node::Account(a)).or_default();
    }
    for &d in &reading {
        adj.entry(Node::Device(d)).or_default();
    }
    let mut link = |x: Node, y: Node| {
        adj.entry(x).or_default().insert(y);
        adj.entry(y).or_default().insert(x);
    };
    // Addresses (kind 0) and devices (kind 1) of the heavy readers' own reads: how many of
    // those reads each carried, and whose.
    let mut carried: BTreeMap<(u8, Id), (usize, BTreeSet<Id>)> = BTreeMap::new();
    for a in heavy.keys() {
        for &i in &own[a] {
            for key in [(0u8, ip[i]), (1u8, device[i])] {
                if key.1 != NONE {
                    let c = carried.entry(key).or_default();
                    c.0 += 1;
                    c.1.insert(*a);
                }
            }
        }
    }
    for (&(kind, v), (n, accounts)) in &carried {
        let column = if kind == 0 { ip } else { device };
        let total = column.iter().filter(|&&x| x == v).count();
        if accounts.len() >= 2 && *n as f64 >= cfg.min_link_share * total as f64 {
            for &a in accounts {
                for &b in accounts {
                    if a != b {
                        link(Node::Account(a), Node::Account(b));
                    }
                }
            }
        }
    }
    // A crew is counted over these links only: a vendor reading through a heavy reader's
    // session does not make the reader one of its crew.
    let crew_of = |a: Id, adj: &BTreeMap<Node, BTreeSet<Node>>| -> u32 {
        let mut seen = BTreeSet::from([Node::Account(a)]);
        let mut queue = VecDeque::from([Node::Account(a)]);
        while let Some(x) = queue.pop_front() {
            for &y in adj.get(&x).into_iter().flatten() {
                if seen.insert(y) {
                    queue.push_back(y);
                }
            }
        }
        seen.len() as u32
    };
    let crew: BTreeMap<Id, u32> = heavy.keys().map(|&a| (a, crew_of(a, &adj))).collect();
    for (&a, evs) in &through {
        for &i in evs {
            adj.entry(Node::Account(a))
                .or_default()
                .insert(Node::Device(device[i]));
            adj.entry(Node::Device(device[i]))
                .or_default()
                .insert(Node::Account(a));
        }
    }

    // Components, breadth-first.
    let mut seen: BTreeSet<Node> = BTreeSet::new();
    let mut crews = Vec::new();
    for &start in adj.keys() {
        if !seen.insert(start) {
            continue;
        }
        let mut component = vec![start];
        let mut queue = VecDeque::from([start]);
        while let Some(x) = queue.pop_front() {
            for &y in &adj[&x] {
                if seen.insert(y) {
                    component.push(y);
                    queue.push_back(y);
                }
            }
        }
        let mut readers = Vec::new();
        let mut devices = Vec::new();
        for &n in &component {
            let a = match n {
                Node::Device(d) => {
                    devices.push(d);
                    continue;
                }
                Node::Account(a) => a,
            };
            let mut why = 0u8;
            let mut events: Vec<u32> = Vec::new();
            let h = heavy.get(&a);
            if let Some(h) = h {
                if h.round_days >= cfg.min_days {
                    why |= Why::AROUND_THE_CLOCK.0;
                }
                if crew[&a] >= cfg.min_crew {
                    why |= Why::CREW.0;
                }
                if why != 0 {
                    events.extend(own[&a].iter().map(|&i| i as u32));
                }
            }
            if let Some(t) = through.get(&a) {
                why |= Why::READING_DEVICE.0;
                events.extend(t.iter().map(|&i| i as u32));
            }
            if why == 0 {
                continue;
            }
            events.sort_unstable();
            readers.push(Reader {
                account: a,
                events,
                why,
                heavy_days: h.map_or(0, |h| h.heavy_days),
                max_reads_per_day: h.map_or(0, |h| h.max_reads),
                max_active_hours: h.map_or(0, |h| h.max_hours),
            });
        }
        if !readers.is_empty() {
            readers.sort();
            devices.sort_unstable();
            crews.push((readers, devices));
        }
    }
    crews.sort();
    Harvest {
        crews,
        reader_days,
        baseline_reads,
        heavy_reads,
        baseline_device_accounts,
        device_accounts,
        heavy_readers: heavy.keys().copied().collect(),
    }
}
