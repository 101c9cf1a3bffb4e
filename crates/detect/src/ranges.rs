//! Address ranges judged against their own traffic: an IPv4 /24 (IPv6 /48) whose accounts are
//! mostly fresh and whose engagement goes mostly to targets that the rest of the platform
//! hardly engages — a datacenter range running a farm — while a carrier's NAT range (thousands
//! of long-lived people engaging whatever they like) or a household is not.
//!
//! Per range, over its engagement events:
//!
//! 1. the *accounts* that engaged from it: at least `min_accounts` of them;
//! 2. the *fresh share*: accounts created at most `fresh_days` before their first engagement
//!    in the log (from the accounts side file; an account whose creation time is unknown is
//!    not fresh, so without a side file no range is found) — at least `min_fresh_share`;
//! 3. *co-targets*: targets engaged by at least `min_co_accounts` of the range's accounts, at
//!    least `min_lift` times the share of all active accounts that engaged them. A viral post
//!    is engaged by a carrier range's people in about the proportion everyone else engages it
//!    (lift near 1); a farm's customers are engaged by most of the range and almost nobody
//!    else;
//! 4. the *concentration*: the share of the range's engagement events that go to its
//!    co-targets — at least `min_concentration`.
//!
//! A range passing all four gives one signal: its fresh accounts with at least
//! `min_account_events` events on co-targets from the range, and those events — when there
//! are at least `min_co_accounts` such accounts (a fifth rule: a range whose co-target work is
//! one or two accounts' is not a farm's). Every number is in the signal's summary, so an
//! analyst sees why.
//!
//! Data-parallel: events are grouped by range (a sequential counting sort), then each range is
//! judged on its own, in parallel.

use std::net::IpAddr;

use lockstep_core::{EventLog, Id, NONE};
use lockstep_graph::{GraphIndex, TimeIndexed};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::error::ensure_input;
use crate::signal::{Aspect, Aspects, Reason, Signal, distinct_of};

const DAY_MS: f64 = 86_400_000.0;

/// How ranges are judged. See each field for its default and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RangesConfig {
    /// Accounts that engaged from a range. Default 20: a household or a small office has
    /// fewer; a farm worth selling has more.
    pub min_accounts: usize,
    /// An account is fresh when created at most this many days before its first engagement
    /// in the log. Default 30.
    pub fresh_days: f64,
    /// Share of a range's accounts that are fresh. Default 0.5: a carrier's or an office's
    /// range is mostly people who have had their account for years.
    pub min_fresh_share: f64,
    /// Accounts of the range that engaged a target for it to be a co-target. Default 5.
    pub min_co_accounts: usize,
    /// How many times more often the range's accounts engaged a co-target than all active
    /// accounts did. Default 20.
    pub min_lift: f64,
    /// Share of the range's engagement events on co-targets. Default 0.5.
    pub min_concentration: f64,
    /// Events on co-targets (from the range) for an account to be in the signal. Default 2.
    pub min_account_events: usize,
}

impl Default for RangesConfig {
    fn default() -> Self {
        Self {
            min_accounts: 20,
            fresh_days: 30.0,
            min_fresh_share: 0.5,
            min_co_accounts: 5,
            min_lift: 20.0,
            min_concentration: 0.5,
            min_account_events: 2,
        }
    }
}

impl RangesConfig {
    /// Checks the values.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming the first bad field.
    pub fn validate(&self) -> Result<()> {
        ensure_input!(self.min_accounts >= 2, "min_accounts must be at least 2");
        ensure_input!(
            self.fresh_days >= 0.0 && self.fresh_days.is_finite(),
            "fresh_days must be a non-negative number of days"
        );
        for (name, v) in [
            ("min_fresh_share", self.min_fresh_share),
            ("min_concentration", self.min_concentration),
        ] {
            ensure_input!(
                (0.0..=1.0).contains(&v),
                "{name} must be in [0, 1], got {v}"
            );
        }
        ensure_input!(
            self.min_co_accounts >= 2,
            "min_co_accounts must be at least 2"
        );
        ensure_input!(
            self.min_lift >= 1.0 && self.min_lift.is_finite(),
            "min_lift must be at least 1"
        );
        ensure_input!(
            self.min_account_events >= 1,
            "min_account_events must be at least 1"
        );
        Ok(())
    }
}

/// A range's network as a `u64` key: the top 24 bits of an IPv4 address, the top 48 of an
/// IPv6 one (tagged so the two never collide).
pub fn network_key(ip: IpAddr) -> u64 {
    match ip {
        IpAddr::V4(v) => u64::from(u32::from(v) >> 8),
        IpAddr::V6(v) => (1 << 50) | ((u128::from(v) >> 80) as u64),
    }
}

/// The networks of `log`'s IPs: their distinct keys, sorted, and each IP id's index into them.
pub fn network_ids(log: &EventLog) -> (Vec<u64>, Vec<Id>) {
    let keys: Vec<u64> = (0..log.ips.len() as Id)
        .map(|i| network_key(log.ips.resolve(i)))
        .collect();
    let mut nets = keys.clone();
    nets.par_sort_unstable();
    nets.dedup();
    let net_of_ip = keys
        .iter()
        .map(|k| nets.binary_search(k).map_or(NONE, |i| i as Id))
        .collect();
    (nets, net_of_ip)
}

/// A network key as `a.b.c.0/24`, or an IPv6 /48 in its canonical text (RFC 5952, as
/// `2001:db8::/48`).
pub fn network_name(key: u64) -> String {
    if key >> 50 == 1 {
        let bits = u128::from(key & ((1 << 48) - 1)) << 80;
        format!("{}/48", std::net::Ipv6Addr::from(bits))
    } else {
        let k = key as u32;
        format!("{}.{}.{}.0/24", (k >> 16) & 0xff, (k >> 8) & 0xff, k & 0xff)
    }
}

/// The /24 (IPv4) or /48 (IPv6) network of `ip`, as [`network_name`] writes it.
pub fn network_of(ip: IpAddr) -> String {
    network_name(network_key(ip))
}

/// One range that its own traffic gives away.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RangeFinding {
    /// `a.b.c.0/24` or `x:y:z::/48`.
    pub network: String,
    /// Accounts that engaged from it.
    pub range_accounts: usize,
    /// Distinct devices behind its engagement.
    pub range_devices: usize,
    /// Its engagement events.
    pub range_events: usize,
    /// Share of its accounts that are fresh.
    pub fresh_share: f64,
    /// The freshness limit it was judged with (`RangesConfig::fresh_days`).
    pub fresh_days: f64,
    /// Median days from an account's creation to its first engagement, over its accounts
    /// with a known creation time.
    pub median_age_days: f64,
    /// Its co-targets, sorted.
    pub co_targets: Vec<Id>,
    /// The smallest lift among the co-targets.
    pub min_lift: f64,
    /// Share of its engagement events on co-targets.
    pub concentration: f64,
    /// The fresh accounts in the signal, sorted.
    pub accounts: Vec<Id>,
    /// Their co-target events from the range, sorted.
    pub events: Vec<u32>,
    /// First and last of those events.
    pub span: (i64, i64),
}

impl RangeFinding {
    /// The finding as a [`Signal`].
    pub fn to_signal(&self, log: &EventLog) -> Signal {
        Signal {
            reason: Reason::IpRange,
            accounts: self.accounts.clone(),
            events: self.events.clone(),
            score: self.concentration,
            aspects: Aspects {
                targets: self.co_targets.clone(),
                time: Some(self.span),
                ips: distinct_of(log.ip(), &self.events),
                devices: distinct_of(log.device(), &self.events),
                concentrated: vec![Aspect::Ips, Aspect::Targets],
            },
            summary: format!(
                "{}: {} accounts on {} devices engaged from this range, {:.0}% of them created \
                 at most {:.0} days before their first action (median {:.1} d); {:.0}% of its {} \
                 engagements went to {} targets each engaged by several of them at ≥ {:.0}× \
                 the rate of everyone else",
                self.network,
                self.range_accounts,
                self.range_devices,
                100.0 * self.fresh_share,
                self.fresh_days,
                self.median_age_days,
                100.0 * self.concentration,
                self.range_events,
                self.co_targets.len(),
                self.min_lift,
            ),
        }
    }
}

/// The ranges found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RangesReport {
    /// The ranges, most accounts first.
    pub ranges: Vec<RangeFinding>,
    /// Ranges with at least `min_accounts` accounts (the others are not judged).
    pub ranges_checked: usize,
}

impl RangesReport {
    /// The ranges as signals.
    pub fn signals(&self, log: &EventLog) -> Vec<Signal> {
        self.ranges.iter().map(|r| r.to_signal(log)).collect()
    }
}

/// Judges every range of the events `g` indexes (its actions should be the engagement ones).
///
/// # Arguments
/// * `g` — the engagement index.
/// * `cfg` — see [`RangesConfig`].
///
/// # Returns
/// The ranges whose own traffic gives them away.
///
/// # Complexity
/// O(n) to group n events by range, then O(m log m) per range of m events, in parallel.
///
/// # Errors
/// [`crate::Error::InvalidInput`] for a bad config.
pub fn suspicious_ranges(g: &GraphIndex<'_>, cfg: &RangesConfig) -> Result<RangesReport> {
    cfg.validate()?;
    let log = g.log();
    let (nets, net_of_ip) = network_ids(log);
    // Engagement events grouped by network (counting sort, events in index order).
    let ip = log.ip();
    let net_of = |e: u32| {
        let i = ip[e as usize];
        if i == NONE {
            NONE
        } else {
            net_of_ip[i as usize]
        }
    };
    let mut off = vec![0u32; nets.len() + 1];
    for &e in g.events() {
        let n = net_of(e);
        if n != NONE {
            off[n as usize + 1] += 1;
        }
    }
    for i in 0..nets.len() {
        off[i + 1] += off[i];
    }
    let mut pos = off.clone();
    let mut by_net = vec![0u32; off[nets.len()] as usize];
    for &e in g.events() {
        let n = net_of(e);
        if n != NONE {
            by_net[pos[n as usize] as usize] = e;
            pos[n as usize] += 1;
        }
    }
    drop(pos);
    let active = g.active_accounts().max(1) as f64;
    let judged: Vec<(bool, Option<RangeFinding>)> = (0..nets.len())
        .into_par_iter()
        .with_min_len(64)
        .map(|n| {
            let events = &by_net[off[n] as usize..off[n + 1] as usize];
            judge_range(g, nets[n], events, active, cfg)
        })
        .collect();
    let ranges_checked = judged.iter().filter(|j| j.0).count();
    let mut ranges: Vec<RangeFinding> = judged.into_iter().filter_map(|j| j.1).collect();
    ranges.sort_by(|a, b| {
        b.accounts
            .len()
            .cmp(&a.accounts.len())
            .then_with(|| a.network.cmp(&b.network))
    });
    Ok(RangesReport {
        ranges,
        ranges_checked,
    })
}

/// Judges one range from its engagement `events`: (whether it was judged, the finding).
fn judge_range(
    g: &GraphIndex<'_>,
    net: u64,
    events: &[u32],
    active: f64,
    cfg: &RangesConfig,
) -> (bool, Option<RangeFinding>) {
    let log = g.log();
    let (actor, target) = (log.actor(), log.target());
    if events.len() < cfg.min_accounts {
        return (false, None);
    }
    let mut accounts: Vec<Id> = events.iter().map(|&e| actor[e as usize]).collect();
    accounts.sort_unstable();
    accounts.dedup();
    if accounts.len() < cfg.min_accounts {
        return (false, None);
    }
    // Freshness: days from creation to the first engagement in the log.
    let fresh_ms = cfg.fresh_days * DAY_MS;
    let mut ages: Vec<f64> = Vec::with_capacity(accounts.len());
    let fresh: Vec<bool> = accounts
        .iter()
        .map(|&a| {
            let first = g.account_events(a).first().map(|&e| log.ts()[e as usize]);
            match (log.account_table.created_at(a), first) {
                (Some(c), Some(f)) => {
                    let age = (f - c) as f64;
                    ages.push(age / DAY_MS);
                    age <= fresh_ms
                }
                _ => false,
            }
        })
        .collect();
    let n_fresh = fresh.iter().filter(|&&f| f).count();
    let fresh_share = n_fresh as f64 / accounts.len() as f64;
    if fresh_share < cfg.min_fresh_share {
        return (true, None);
    }
    // Co-targets: distinct accounts per target in the range, against everyone.
    let mut pairs: Vec<(Id, Id)> = events
        .iter()
        .map(|&e| (target[e as usize], actor[e as usize]))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let n = accounts.len() as f64;
    let mut co_targets: Vec<Id> = Vec::new();
    let mut min_lift = f64::INFINITY;
    for run in pairs.chunk_by(|a, b| a.0 == b.0) {
        if run.len() < cfg.min_co_accounts {
            continue;
        }
        let t = run[0].0;
        let here = run.len() as f64 / n;
        let everywhere = g.target_degree(t).max(1) as f64 / active;
        let lift = here / everywhere;
        if lift >= cfg.min_lift {
            co_targets.push(t);
            min_lift = min_lift.min(lift);
        }
    }
    if co_targets.is_empty() {
        return (true, None);
    }
    let on_co = |e: u32| co_targets.binary_search(&target[e as usize]).is_ok();
    let co_events = events.iter().filter(|&&e| on_co(e)).count();
    let concentration = co_events as f64 / events.len() as f64;
    if concentration < cfg.min_concentration {
        return (true, None);
    }
    // The fresh accounts with enough co-target events from the range.
    let mut rows: Vec<(Id, u32)> = events
        .iter()
        .filter(|&&e| on_co(e))
        .map(|&e| (actor[e as usize], e))
        .collect();
    rows.sort_unstable();
    let mut members: Vec<Id> = Vec::new();
    let mut member_events: Vec<u32> = Vec::new();
    for run in rows.chunk_by(|a, b| a.0 == b.0) {
        let a = run[0].0;
        let k = accounts.binary_search(&a).expect("an account of the range");
        if fresh[k] && run.len() >= cfg.min_account_events {
            members.push(a);
            member_events.extend(run.iter().map(|r| r.1));
        }
    }
    if members.len() < cfg.min_co_accounts {
        return (true, None);
    }
    member_events.sort_unstable();
    let ts = log.ts();
    let (lo, hi) = member_events
        .iter()
        .map(|&e| ts[e as usize])
        .fold((i64::MAX, i64::MIN), |(l, h), t| (l.min(t), h.max(t)));
    ages.sort_unstable_by(f64::total_cmp);
    let median_age_days = ages.get(ages.len() / 2).copied().unwrap_or(f64::NAN);
    let range_devices = distinct_of(log.device(), events).len();
    (
        true,
        Some(RangeFinding {
            network: network_name(net),
            range_accounts: accounts.len(),
            range_devices,
            range_events: events.len(),
            fresh_share,
            fresh_days: cfg.fresh_days,
            median_age_days,
            co_targets,
            min_lift,
            concentration,
            accounts: members,
            events: member_events,
            span: (lo, hi),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_keys_and_names() {
        let v4: IpAddr = "203.0.113.77".parse().expect("ip");
        assert_eq!(network_name(network_key(v4)), "203.0.113.0/24");
        let v6: IpAddr = "2001:db8:42:7::1".parse().expect("ip");
        assert_eq!(network_name(network_key(v6)), "2001:db8:42::/48");
        // Canonical text: a zero group is compressed, and the rest of the /48 is dropped.
        let v6: IpAddr = "2001:db8:0:ffff::9".parse().expect("ip");
        assert_eq!(network_of(v6), "2001:db8::/48");
        let v6: IpAddr = "fe80:1:2:3::".parse().expect("ip");
        assert_eq!(network_of(v6), "fe80:1:2::/48");
        let other: IpAddr = "203.0.114.1".parse().expect("ip");
        assert_ne!(network_key(v4), network_key(other));
    }

    use lockstep_core::{EventLogBuilder, RawEvent, action};
    use lockstep_graph::ActionSet;
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};

    const DAY: i64 = 86_400_000;
    const T0: i64 = 3000 * DAY;

    fn like(b: &mut EventLogBuilder, a: &str, t: &str, ts: i64, ip: &str) {
        b.push(&RawEvent {
            id: None,
            ts,
            actor: a,
            action: "like",
            target: t,
            owner: None,
            text: None,
            ip: Some(ip.parse().expect("ip")),
            device: None,
            client: None,
            line: 1,
        })
        .expect("push");
    }

    /// A carrier NAT range (400 people with old accounts, each liking posts of their own
    /// choice, 150 of them a viral post), 30 fresh people who joined on the carrier this month,
    /// a household, and a datacenter /24 where 40 fresh accounts like 12 customers' posts.
    fn world() -> EventLog {
        let mut rng = SmallRng::seed_from_u64(11);
        let mut b = EventLogBuilder::new();
        let mut created: Vec<(String, i64)> = Vec::new();
        for i in 0..400 {
            let a = format!("p{i}");
            for k in 0..20 {
                let t = format!("post{}", rng.random_range(0..20_000));
                let ip = format!("100.64.9.{}", rng.random_range(1..255));
                like(&mut b, &a, &t, T0 + k * DAY / 3, &ip);
            }
            if i < 150 {
                like(&mut b, &a, "viral", T0 + DAY, "100.64.9.7");
            }
            created.push((a, T0 - rng.random_range(200..3000) * DAY));
        }
        for i in 0..30 {
            let a = format!("n{i}");
            for k in 0..6 {
                let t = format!("post{}", rng.random_range(0..20_000));
                like(&mut b, &a, &t, T0 + k * DAY / 2, "100.64.9.40");
            }
            like(&mut b, &a, "viral", T0 + DAY, "100.64.9.41");
            created.push((a, T0 - 3 * DAY));
        }
        for i in 0..4 {
            let a = format!("h{i}");
            for k in 0..10 {
                like(
                    &mut b,
                    &a,
                    &format!("post{k}"),
                    T0 + k * DAY,
                    "198.51.100.20",
                );
            }
            created.push((a, T0 - 2 * DAY));
        }
        // Everyone else on the platform, on other networks, so that customer posts are rare.
        for i in 0..2000 {
            let a = format!("o{i}");
            let t = format!("post{}", rng.random_range(0..20_000));
            like(
                &mut b,
                &a,
                &t,
                T0 + DAY,
                &format!("10.{}.{}.1", i / 250, i % 250),
            );
        }
        for f in 0..40 {
            let a = format!("f{f}");
            for c in 0..12 {
                if rng.random_bool(0.8) {
                    let ip = format!("203.0.113.{}", rng.random_range(1..20));
                    like(&mut b, &a, &format!("cust{c}"), T0 + c * DAY / 4, &ip);
                }
            }
            created.push((a, T0 - rng.random_range(1..10) * DAY));
        }
        let log = b.log_mut();
        for (a, c) in created {
            let id = log.accounts.get(&a).expect("interned");
            log.account_table.push(id, Some(c), []);
        }
        b.finish()
    }

    #[test]
    fn the_datacenter_range_is_found_and_the_carrier_and_household_are_not() {
        let log = world();
        let g = GraphIndex::build(&log, ActionSet::of(&[action::LIKE]));
        let r = suspicious_ranges(&g, &RangesConfig::default()).expect("ranges");
        assert_eq!(r.ranges.len(), 1, "{:#?}", r.ranges);
        let f = &r.ranges[0];
        assert_eq!(f.network, "203.0.113.0/24");
        let names: Vec<&str> = f
            .accounts
            .iter()
            .map(|&a| log.accounts.resolve(a))
            .collect();
        assert!(names.iter().all(|n| n.starts_with('f')), "{names:?}");
        assert!(names.len() >= 35, "{} of 40 farm accounts", names.len());
        assert_eq!(f.fresh_share, 1.0);
        assert!(
            f.co_targets
                .iter()
                .all(|&t| log.targets.resolve(t).starts_with("cust"))
        );
        // Naive recount of the finding's events: every co-target like of a member from the range.
        let mut want: Vec<u32> = (0..log.len() as u32)
            .filter(|&e| {
                let e = e as usize;
                f.accounts.binary_search(&log.actor()[e]).is_ok()
                    && f.co_targets.binary_search(&log.target()[e]).is_ok()
                    && network_key(log.ips.resolve(log.ip()[e]))
                        == network_key("203.0.113.1".parse().expect("ip"))
            })
            .collect();
        want.sort_unstable();
        assert_eq!(f.events, want);
        // The carrier range (430 accounts) was judged and let go; the household is too small.
        assert_eq!(r.ranges_checked, 2);
        let s = f.to_signal(&log);
        assert_eq!(s.reason, Reason::IpRange);
        assert!(s.summary.contains("203.0.113.0/24"), "{}", s.summary);
    }

    #[test]
    fn without_creation_times_no_range_is_found() {
        let mut log = world();
        log.account_table = lockstep_core::AccountTable::default();
        let g = GraphIndex::build(&log, ActionSet::of(&[action::LIKE]));
        let r = suspicious_ranges(&g, &RangesConfig::default()).expect("ranges");
        assert!(r.ranges.is_empty());
    }

    #[test]
    fn bad_config_is_refused() {
        let cfg = RangesConfig {
            min_lift: 0.5,
            ..RangesConfig::default()
        };
        assert!(cfg.validate().is_err());
        assert!(RangesConfig::default().validate().is_ok());
    }
}
