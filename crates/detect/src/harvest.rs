//! Harvesting: accounts, and vendors' devices, that read profiles, friend lists and posts far
//! beyond what the log's own heaviest readers read, in a shape no person keeps.
//!
//! A fixed rate ("1 000 reads a day") fits one vendor's setting and misses the next one, who
//! reads 150 a day; and a platform's heaviest real readers (moderators, recruiters, power
//! users) read more on one platform than on another. So every rate here is judged against the
//! log's own readers:
//!
//! 1. **Heavy days.** Each account's reads are counted per UTC day. The *baseline* is the
//!    `baseline_quantile` (default 0.9) of those counts over every account-day with a read:
//!    what a busy tenth of this log's reading days reach (not higher: a vendor's own readers
//!    can be a percent or two of the reading days). A day is *heavy* at `volume_ratio`
//!    (default 5) times the baseline or more (and at least `min_reads_per_day`, which only
//!    guards tiny logs). An account is a *heavy reader* with `min_days` heavy days of its
//!    own reads (those not through a reading device, below) that read mostly distinct items (`min_distinct_share`: a walk of the graph reads each profile once;
//!    people come back to the same feeds).
//! 2. **A shape no person keeps.** Volume alone is not harvesting: a power user can be ten
//!    times the baseline. A heavy reader is a harvester when
//!    - it reads *around the clock*: heavy days with reads in `min_active_hours` (default 20)
//!      distinct hours of the day, on `min_days` days — people sleep; or
//!    - it belongs to a *crew*: at least `min_crew` heavy readers linked by the devices and
//!      addresses their own reads came from, where the heavy readers' own reads are at least
//!      `min_link_share` of all events that device or address carried (a carrier NAT or a
//!      family tablet carries mostly other people's traffic and links nobody).
//! 3. **Reading devices.** A vendor that reads through hijacked real accounts' sessions reads
//!    a little through each account and a lot through each of its own devices. A device is a
//!    *reading device* when the accounts that read through it are at least `volume_ratio`
//!    times the log's `baseline_quantile` of accounts per device (and at least
//!    `min_device_accounts`: a household shares a tablet among a few), and the reads through
//!    it make at least `min_days` heavy days. Every account's reads *through that device* are
//!    harvesting — the account's own sessions on its own phone are not, and a heavy reader
//!    whose session a vendor read through is not counted into a crew for it.
//!
//! Readers, reading devices and the crews that link them come out as [`Crew`]s: one operation
//! each, whose victims are the owners of what was read.
//!
//! # Complexity
//! One parallel pass over the events to pick the reads, one parallel sort of the r reads by
//! (account, time) and one by (device, time), and scans of those: O(n + r log r).

use lockstep_core::{EventLog, Id, NONE, action};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::error::ensure_input;
use crate::signal::{Aspects, Reason, Signal, distinct_of};

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;

/// How harvesting is found. See each field for its default and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HarvestConfig {
    /// The quantile of reads per account-day (and of reading accounts per device) that is the
    /// log's own baseline. Default 0.9: what a busy tenth of the log's reading days reach.
    /// Not higher: a vendor's own readers can be a percent or two of the reading days, and a
    /// baseline they make up would hide them.
    pub baseline_quantile: f64,
    /// A day is heavy at this many times the baseline. Default 5.
    pub volume_ratio: f64,
    /// … and at least this many reads. Default 24 (one an hour for a whole day); guards logs
    /// too small to have a baseline.
    pub min_reads_per_day: u32,
    /// Heavy days needed. Default 2: one busy day is an accident.
    pub min_days: u32,
    /// Distinct items over reads. Default 0.7: a walk of the graph reads each item once;
    /// people re-read their feeds.
    pub min_distinct_share: f64,
    /// Distinct hours of a heavy day with reads for it to count as around the clock.
    /// Default 20: people sleep.
    pub min_active_hours: u32,
    /// Heavy readers linked by their devices and addresses that make a crew. Default 3.
    pub min_crew: u32,
    /// A device or address links heavy readers when their reads are at least this share of
    /// all its events. Default 0.5.
    pub min_link_share: f64,
    /// A reading device needs at least this many accounts reading through it. Default 10: a
    /// household's tablet serves a few.
    pub min_device_accounts: u32,
}

impl Default for HarvestConfig {
    fn default() -> Self {
        Self {
            baseline_quantile: 0.9,
            volume_ratio: 5.0,
            min_reads_per_day: 24,
            min_days: 2,
            min_distinct_share: 0.7,
            min_active_hours: 20,
            min_crew: 3,
            min_link_share: 0.5,
            min_device_accounts: 10,
        }
    }
}

impl HarvestConfig {
    /// Checks the values.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming the first bad field.
    pub fn validate(&self) -> Result<()> {
        ensure_input!(
            self.baseline_quantile > 0.0 && self.baseline_quantile <= 1.0,
            "baseline_quantile must be in (0, 1], got {}",
            self.baseline_quantile
        );
        ensure_input!(
            self.volume_ratio.is_finite() && self.volume_ratio > 0.0,
            "volume_ratio must be positive, got {}",
            self.volume_ratio
        );
        ensure_input!(
            self.min_reads_per_day >= 1,
            "min_reads_per_day must be at least 1"
        );
        ensure_input!(self.min_days >= 1, "min_days must be at least 1");
        ensure_input!(
            (0.0..=1.0).contains(&self.min_distinct_share),
            "min_distinct_share must be in [0, 1], got {}",
            self.min_distinct_share
        );
        ensure_input!(
            (1..=24).contains(&self.min_active_hours),
            "min_active_hours must be in 1..=24, got {}",
            self.min_active_hours
        );
        ensure_input!(self.min_crew >= 2, "min_crew must be at least 2");
        ensure_input!(
            self.min_link_share > 0.0 && self.min_link_share <= 1.0,
            "min_link_share must be in (0, 1], got {}",
            self.min_link_share
        );
        ensure_input!(
            self.min_device_accounts >= 2,
            "min_device_accounts must be at least 2"
        );
        Ok(())
    }
}

/// Why a reader is a harvester (a bit set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Why(pub u8);

impl Why {
    /// Heavy days with reads in nearly every hour of the day.
    pub const AROUND_THE_CLOCK: Why = Why(1);
    /// One of a crew of heavy readers sharing devices or addresses.
    pub const CREW: Why = Why(2);
    /// Reads through a vendor's reading device.
    pub const READING_DEVICE: Why = Why(4);

    /// Whether every bit of `o` is set.
    pub fn contains(self, o: Why) -> bool {
        self.0 & o.0 == o.0
    }
}

/// One harvesting account: the reads that are harvesting, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Reader {
    /// The account.
    pub account: Id,
    /// Its harvesting reads (event indices, ascending): its reads through reading devices,
    /// and, when it is a harvester on its own (around the clock or in a crew), its own reads
    /// too.
    pub events: Vec<u32>,
    /// Its heavy days.
    pub heavy_days: u32,
    /// Its largest number of reads in one day.
    pub max_reads_per_day: u32,
    /// The most distinct hours of the day it read in, over its heavy days.
    pub max_active_hours: u32,
    /// Why it is a harvester.
    pub why: Why,
}

/// Readers linked by the devices and addresses of their reads: one operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Crew {
    /// The readers, by account.
    pub readers: Vec<Reader>,
    /// The reading devices among its devices, ascending.
    pub reading_devices: Vec<Id>,
}

/// What [`harvesters`] found, with the baselines it judged against.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HarvestReport {
    /// The crews, largest first (ties by first account).
    pub crews: Vec<Crew>,
    /// Account-days with a read.
    pub reader_days: usize,
    /// The baseline: the `baseline_quantile` of reads per account-day.
    pub baseline_reads: u32,
    /// Reads that make a heavy day.
    pub heavy_reads: u32,
    /// The `baseline_quantile` of reading accounts per device.
    pub baseline_device_accounts: u32,
    /// Reading accounts that make a reading device.
    pub device_accounts: u32,
    /// The quantile the baselines were taken at.
    pub baseline_quantile: f64,
}

/// The `q` quantile (nearest rank) of `v`; 0 when empty. Reorders `v`.
fn quantile(v: &mut [u32], q: f64) -> u32 {
    if v.is_empty() {
        return 0;
    }
    let k = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
    *v.select_nth_unstable(k).1
}

/// Per-day read counts and hour masks of one time-ordered run of reads.
fn days_of(ts: &[i64], evs: &[u32], mut f: impl FnMut(u32, u32)) {
    let mut day = i64::MIN;
    let (mut n, mut hours) = (0u32, 0u32);
    for &e in evs {
        let t = ts[e as usize];
        let d = t.div_euclid(DAY);
        if d != day {
            if n > 0 {
                f(n, hours);
            }
            day = d;
            n = 0;
            hours = 0;
        }
        n += 1;
        hours |= 1 << (t.rem_euclid(DAY) / HOUR);
    }
    if n > 0 {
        f(n, hours);
    }
}

/// CSR offsets of the runs of equal `key` in `evs` (sorted by key).
fn runs(evs: &[u32], key: impl Fn(u32) -> Id) -> Vec<usize> {
    let mut off = vec![0];
    for i in 1..evs.len() {
        if key(evs[i]) != key(evs[i - 1]) {
            off.push(i);
        }
    }
    if !evs.is_empty() {
        off.push(evs.len());
    }
    off
}

fn find(p: &mut [u32], mut x: u32) -> u32 {
    while p[x as usize] != x {
        p[x as usize] = p[p[x as usize] as usize];
        x = p[x as usize];
    }
    x
}

fn union(p: &mut [u32], a: u32, b: u32) {
    let (a, b) = (find(p, a), find(p, b));
    if a != b {
        p[a.max(b) as usize] = a.min(b);
    }
}

/// Finds harvesting accounts and reading devices in `log` (see the module docs).
///
/// # Errors
/// [`crate::Error::InvalidInput`] when `cfg` is invalid.
///
/// # Complexity
/// O(n) to pick the reads, O(r log r) for the r reads; parallel.
pub fn harvesters(log: &EventLog, cfg: &HarvestConfig) -> Result<HarvestReport> {
    cfg.validate()?;
    let ts = log.ts();
    let act = log.action();
    let actor = log.actor();
    let target = log.target();
    let device = log.device();
    let ip = log.ip();

    let mut reads: Vec<u32> = (0..log.len() as u32)
        .into_par_iter()
        .filter(|&e| act[e as usize] == action::VIEW)
        .collect();
    reads.par_sort_unstable_by_key(|&e| (actor[e as usize], ts[e as usize], e));
    let acc_off = runs(&reads, |e| actor[e as usize]);
    let n_runs = acc_off.len().saturating_sub(1);

    // 1. The baseline: reads per account-day.
    let mut day_counts: Vec<u32> = (0..n_runs)
        .into_par_iter()
        .flat_map_iter(|r| {
            let mut v = Vec::new();
            days_of(ts, &reads[acc_off[r]..acc_off[r + 1]], |n, _| v.push(n));
            v
        })
        .collect();
    let reader_days = day_counts.len();
    let baseline_reads = quantile(&mut day_counts, cfg.baseline_quantile);
    drop(day_counts);
    let heavy_reads =
        ((cfg.volume_ratio * baseline_reads as f64).ceil() as u32).max(cfg.min_reads_per_day);

    // 3. Reading devices: accounts per device, and heavy device-days.
    let mut by_dev: Vec<u32> = reads
        .par_iter()
        .copied()
        .filter(|&e| device[e as usize] != NONE)
        .collect();
    by_dev.par_sort_unstable_by_key(|&e| (device[e as usize], ts[e as usize], e));
    let dev_off = runs(&by_dev, |e| device[e as usize]);
    let dev_accounts: Vec<u32> = (0..dev_off.len().saturating_sub(1))
        .into_par_iter()
        .map(|d| {
            let mut a: Vec<Id> = by_dev[dev_off[d]..dev_off[d + 1]]
                .iter()
                .map(|&e| actor[e as usize])
                .collect();
            a.sort_unstable();
            a.dedup();
            a.len() as u32
        })
        .collect();
    let baseline_device_accounts = quantile(&mut dev_accounts.clone(), cfg.baseline_quantile);
    let device_accounts = ((cfg.volume_ratio * baseline_device_accounts as f64).ceil() as u32)
        .max(cfg.min_device_accounts);
    let reading_devices: Vec<usize> = (0..dev_accounts.len())
        .into_par_iter()
        .filter(|&d| {
            if dev_accounts[d] < device_accounts {
                return false;
            }
            let mut heavy_days = 0;
            days_of(ts, &by_dev[dev_off[d]..dev_off[d + 1]], |n, _| {
                heavy_days += u32::from(n >= heavy_reads);
            });
            heavy_days >= cfg.min_days
        })
        .collect();
    // Reading device ids, ascending (the runs are in device order).
    let reading_ids: Vec<Id> = reading_devices
        .iter()
        .map(|&d| device[by_dev[dev_off[d]] as usize])
        .collect();
    let on_reading_device = |e: u32| reading_ids.binary_search(&device[e as usize]).is_ok();

    // Heavy readers, on their own reads: what a vendor read through an account's session on
    // the vendor's device is the vendor's reading, not the account's.
    struct Heavy {
        account: Id,
        own: Vec<u32>,
        heavy_days: u32,
        max_reads: u32,
        max_hours: u32,
        round_days: u32,
    }
    let heavy: Vec<Heavy> = (0..n_runs)
        .into_par_iter()
        .filter_map(|r| {
            let all = &reads[acc_off[r]..acc_off[r + 1]];
            if all.len() < (heavy_reads as usize) * (cfg.min_days as usize) {
                return None;
            }
            let own: Vec<u32> = all
                .iter()
                .copied()
                .filter(|&e| !on_reading_device(e))
                .collect();
            let (mut heavy_days, mut max_reads, mut max_hours, mut round_days) = (0, 0, 0, 0);
            days_of(ts, &own, |n, hours| {
                max_reads = max_reads.max(n);
                if n >= heavy_reads {
                    heavy_days += 1;
                    let h = hours.count_ones();
                    max_hours = max_hours.max(h);
                    if h >= cfg.min_active_hours {
                        round_days += 1;
                    }
                }
            });
            if heavy_days < cfg.min_days {
                return None;
            }
            let mut items: Vec<Id> = own.iter().map(|&e| target[e as usize]).collect();
            items.sort_unstable();
            items.dedup();
            (items.len() as f64 >= cfg.min_distinct_share * own.len() as f64).then_some(Heavy {
                account: actor[all[0] as usize],
                own,
                heavy_days,
                max_reads,
                max_hours,
                round_days,
            })
        })
        .collect();

    // 2. Crews: heavy readers and reading devices linked by the devices and addresses whose
    // traffic is mostly the heavy readers' reads. Nodes: heavy readers, then reading devices.
    let n_heavy = heavy.len();
    let n_nodes = n_heavy + reading_devices.len();
    let mut parent: Vec<u32> = (0..n_nodes as u32).collect();
    // (kind, value, node, reads) of every heavy reader's reads; kind 0 IP, 1 device.
    let mut keys: Vec<(u8, Id, u32)> = heavy
        .par_iter()
        .enumerate()
        .flat_map_iter(|(h, r)| {
            r.own
                .iter()
                .flat_map(move |&e| {
                    [
                        (0u8, ip[e as usize], h as u32),
                        (1u8, device[e as usize], h as u32),
                    ]
                })
                .filter(|k| k.1 != NONE)
        })
        .collect();
    keys.par_sort_unstable();
    // Everything each linking candidate carried: events per IP and per device.
    let mut ip_events = vec![0u32; log.ips.len()];
    let mut dev_events = vec![0u32; log.devices.len()];
    if !keys.is_empty() {
        for e in 0..log.len() {
            if ip[e] != NONE {
                ip_events[ip[e] as usize] += 1;
            }
            if device[e] != NONE {
                dev_events[device[e] as usize] += 1;
            }
        }
    }
    let mut i = 0;
    while i < keys.len() {
        let (kind, v) = (keys[i].0, keys[i].1);
        let mut j = i;
        while j < keys.len() && (keys[j].0, keys[j].1) == (kind, v) {
            j += 1;
        }
        let total = if kind == 0 {
            ip_events[v as usize]
        } else {
            dev_events[v as usize]
        };
        let distinct: Vec<u32> = {
            let mut n: Vec<u32> = keys[i..j].iter().map(|k| k.2).collect();
            n.dedup();
            n
        };
        if distinct.len() >= 2 && (j - i) as f64 >= cfg.min_link_share * total as f64 {
            for w in distinct.windows(2) {
                union(&mut parent, w[0], w[1]);
            }
        }
        i = j;
    }
    drop(keys);
    // Crews of heavy readers, by the devices and addresses their own reads dominate: a person
    // whose session a vendor also read through is not one of the vendor's readers.
    let mut crew_size = vec![0u32; n_heavy];
    let crew_root: Vec<u32> = (0..n_heavy as u32).map(|h| find(&mut parent, h)).collect();
    for &r in &crew_root {
        crew_size[r as usize] += 1;
    }
    // Accounts reading through reading devices: (account, event, device node).
    let mut through: Vec<(Id, u32, u32)> = reading_devices
        .par_iter()
        .enumerate()
        .flat_map_iter(|(k, &d)| {
            by_dev[dev_off[d]..dev_off[d + 1]]
                .iter()
                .map(move |&e| (actor[e as usize], e, (n_heavy + k) as u32))
        })
        .collect();
    through.par_sort_unstable();
    // Heavy readers that read through a reading device join its crew.
    let heavy_of = |a: Id| heavy.binary_search_by_key(&a, |h| h.account);
    for w in through.chunk_by(|x, y| x.0 == y.0) {
        let mut nodes: Vec<u32> = w.iter().map(|x| x.2).collect();
        nodes.dedup();
        if let Ok(h) = heavy_of(w[0].0) {
            nodes.push(h as u32);
        }
        for p in nodes.windows(2) {
            union(&mut parent, p[0], p[1]);
        }
    }
    let roots: Vec<u32> = (0..n_nodes as u32).map(|x| find(&mut parent, x)).collect();

    // Readers: heavy readers that qualify, then accounts through reading devices.
    let mut readers: Vec<(u32, Reader)> = Vec::new();
    for (h, hr) in heavy.iter().enumerate() {
        let root = roots[h];
        let mut why = Why::default();
        if hr.round_days >= cfg.min_days {
            why.0 |= Why::AROUND_THE_CLOCK.0;
        }
        if crew_size[crew_root[h] as usize] >= cfg.min_crew {
            why.0 |= Why::CREW.0;
        }
        let account = hr.account;
        let mut events = Vec::new();
        if why.0 != 0 {
            events.extend_from_slice(&hr.own);
        }
        let lo = through.partition_point(|x| x.0 < account);
        let hi = through.partition_point(|x| x.0 <= account);
        if lo < hi {
            why.0 |= Why::READING_DEVICE.0;
            events.extend(through[lo..hi].iter().map(|x| x.1));
        }
        if why.0 == 0 {
            continue;
        }
        events.sort_unstable();
        events.dedup();
        readers.push((
            root,
            Reader {
                account,
                events,
                heavy_days: hr.heavy_days,
                max_reads_per_day: hr.max_reads,
                max_active_hours: hr.max_hours,
                why,
            },
        ));
    }
    for w in through.chunk_by(|x, y| x.0 == y.0) {
        if heavy_of(w[0].0).is_ok() {
            continue;
        }
        let mut events: Vec<u32> = w.iter().map(|x| x.1).collect();
        events.sort_unstable();
        events.dedup();
        readers.push((
            roots[w[0].2 as usize],
            Reader {
                account: w[0].0,
                events,
                heavy_days: 0,
                max_reads_per_day: 0,
                max_active_hours: 0,
                why: Why::READING_DEVICE,
            },
        ));
    }
    readers.sort_by_key(|r| (r.0, r.1.account));
    let mut crews: Vec<Crew> = Vec::new();
    for w in readers.chunk_by(|x, y| x.0 == y.0) {
        let root = w[0].0;
        let devs: Vec<Id> = reading_ids
            .iter()
            .enumerate()
            .filter(|&(k, _)| roots[n_heavy + k] == root)
            .map(|(_, &d)| d)
            .collect();
        crews.push(Crew {
            readers: w.iter().map(|x| x.1.clone()).collect(),
            reading_devices: devs,
        });
    }
    crews.sort_by_key(|c| (std::cmp::Reverse(c.readers.len()), c.readers[0].account));
    Ok(HarvestReport {
        crews,
        reader_days,
        baseline_reads,
        heavy_reads,
        baseline_device_accounts,
        device_accounts,
        baseline_quantile: cfg.baseline_quantile,
    })
}

impl HarvestReport {
    /// One [`Signal`] per crew (reason `machine-rate-reads`), in crew order.
    pub fn signals(&self, log: &EventLog) -> Vec<Signal> {
        self.crews
            .iter()
            .map(|c| self.crew_signal(log, c))
            .collect()
    }

    fn crew_signal(&self, log: &EventLog, c: &Crew) -> Signal {
        let mut events: Vec<u32> = c
            .readers
            .iter()
            .flat_map(|r| r.events.iter().copied())
            .collect();
        events.sort_unstable();
        let accounts: Vec<Id> = c.readers.iter().map(|r| r.account).collect();
        let mut targets = distinct_of(log.target(), &events);
        targets.dedup();
        let time = events
            .iter()
            .map(|&e| log.ts()[e as usize])
            .fold(None, |acc, t| {
                Some(match acc {
                    None => (t, t),
                    Some((a, b)) => (t.min(a), t.max(b)),
                })
            });
        let ips = distinct_of(log.ip(), &events);
        let devices = distinct_of(log.device(), &events);
        let heavy: Vec<&Reader> = c
            .readers
            .iter()
            .filter(|r| r.why.contains(Why::AROUND_THE_CLOCK) || r.why.contains(Why::CREW))
            .collect();
        let mut parts = Vec::new();
        if !heavy.is_empty() {
            let max = heavy.iter().map(|r| r.max_reads_per_day).max().unwrap_or(0);
            let round = heavy
                .iter()
                .filter(|r| r.why.contains(Why::AROUND_THE_CLOCK))
                .count();
            parts.push(format!(
                "{} accounts read up to {max} items a day (a heavy day here is {} reads: {}× \
                 the {} that {} of the log's reading days stay within), {round} of them around \
                 the clock",
                heavy.len(),
                self.heavy_reads,
                fmt_ratio(self.heavy_reads, self.baseline_reads),
                self.baseline_reads,
                pct(self.baseline_quantile),
            ));
        }
        let through = c
            .readers
            .iter()
            .filter(|r| r.why.contains(Why::READING_DEVICE))
            .count();
        if !c.reading_devices.is_empty() {
            parts.push(format!(
                "{through} accounts' sessions read through {} devices each used by {}+ readers \
                 ({} of the log's devices serve at most {})",
                c.reading_devices.len(),
                self.device_accounts,
                pct(self.baseline_quantile),
                self.baseline_device_accounts,
            ));
        }
        // How shared they are: an operation's infrastructure is what several members use.
        let most_readers = |col: &[Id]| {
            let mut pairs: Vec<(Id, Id)> = events
                .iter()
                .map(|&e| (col[e as usize], log.actor()[e as usize]))
                .filter(|p| p.0 != NONE)
                .collect();
            pairs.sort_unstable();
            pairs.dedup();
            pairs
                .chunk_by(|a, b| a.0 == b.0)
                .map(<[_]>::len)
                .max()
                .unwrap_or(0)
        };
        parts.push(format!(
            "{} reads of {} items, from {} IPs and {} devices (at most {} of the accounts \
             through one IP, {} through one device)",
            events.len(),
            targets.len(),
            ips.len(),
            devices.len(),
            most_readers(log.ip()),
            most_readers(log.device()),
        ));
        let score = events.len() as f64 / accounts.len().max(1) as f64;
        Signal {
            reason: Reason::MachineRateReads,
            accounts,
            events,
            score,
            aspects: Aspects {
                targets,
                time,
                ips,
                devices,
                concentrated: Vec::new(),
            },
            summary: parts.join("; "),
        }
    }
}

fn pct(q: f64) -> String {
    format!("{}%", (q * 1000.0).round() / 10.0)
}

fn fmt_ratio(a: u32, b: u32) -> String {
    if b == 0 {
        "—".to_string()
    } else {
        format!("{:.1}", a as f64 / b as f64)
    }
}
