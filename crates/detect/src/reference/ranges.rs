//! Reference ranges: engagement events grouped in an ordered map keyed by the range's written
//! name, every account's first engagement and every target's engagers collected over the
//! whole log, and each range's accounts, freshness, co-targets and members recounted from its
//! own events with sets and maps.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv6Addr};

use lockstep_core::{EventLog, Id, NONE};
use lockstep_graph::ActionSet;

use crate::ranges::{RangeFinding, RangesConfig, RangesReport};

const DAY_MS: f64 = 86_400_000.0;

/// How far a range got, in the order of the module docs of [`crate::ranges`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Fewer than `min_accounts` accounts: not judged.
    TooFewAccounts,
    /// A fresh share below `min_fresh_share`.
    TooFewFresh,
    /// No target passed both `min_co_accounts` and `min_lift`.
    NoCoTarget,
    /// A concentration on co-targets below `min_concentration`.
    Diffuse,
    /// It passed all four steps, but fewer than `min_co_accounts` fresh accounts have
    /// `min_account_events` co-target events from it. The module docs say such a range gives a
    /// signal; the optimised detector drops it (a rule of its own, reported as a discrepancy
    /// with its docs), and this reference follows the code so the two stay comparable.
    TooFewMembers,
    /// A signal.
    Found,
}

/// What [`suspicious_ranges`] finds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ranges {
    /// The findings and the count of judged ranges, as [`crate::ranges::suspicious_ranges`]
    /// reports them: most signal accounts first, ties by network name.
    pub report: RangesReport,
    /// Every range with an engagement event, by network name, with how far it got.
    pub verdicts: BTreeMap<String, Verdict>,
    /// Targets, over the ranges that got past the fresh share, engaged by `min_co_accounts`
    /// of a range's accounts but with a lift below `min_lift` (the tests use it to see that
    /// the lift test was taken).
    pub lift_misses: usize,
}

/// The range of an address written as the detector names it: `a.b.c.0/24` for IPv4 (an
/// IPv4-mapped IPv6 address is resolved as IPv4 by the log), the address with all but its
/// first three 16-bit groups zeroed and `/48` for IPv6.
fn range_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let net = Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0);
            format!("{net}/48")
        }
    }
}

/// The ranges of [`crate::ranges::suspicious_ranges`] over the engagement events
/// ([`ActionSet::engagement`]) of `log`, with every range's verdict.
///
/// Each account's first engagement and each target's engagers are collected over every
/// engagement event (with or without an address); each range is then judged on its own events:
/// distinct accounts, fresh ones (creation known and at most `fresh_days` days before the first
/// engagement), targets engaged by `min_co_accounts` of them at `min_lift` times the share of
/// all active accounts, the share of its events on those, and its fresh accounts with
/// `min_account_events` events on them.
///
/// `cfg` must be valid ([`RangesConfig::validate`]).
///
/// # Complexity
/// O(n log n) for the n engagement events to build the maps, plus O(m log m) per range of m
/// events; every range is judged from scratch, in one thread.
pub fn suspicious_ranges(log: &EventLog, cfg: &RangesConfig) -> Ranges {
    let (ts, actor, target, ip) = (log.ts(), log.actor(), log.target(), log.ip());
    let engagement = ActionSet::engagement();
    let engaged: Vec<usize> = (0..log.len())
        .filter(|&i| engagement.contains(log.action()[i]))
        .collect();

    // The whole log: first engagement per account, engaging accounts per target.
    let mut everyone = Everyone::default();
    for &i in &engaged {
        everyone
            .first
            .entry(actor[i])
            .and_modify(|t| *t = (*t).min(ts[i]))
            .or_insert(ts[i]);
        everyone
            .engagers
            .entry(target[i])
            .or_default()
            .insert(actor[i]);
    }

    // Engagement events with an address, by range.
    let mut by_range: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &i in &engaged {
        if ip[i] != NONE {
            by_range
                .entry(range_name(log.ips.resolve(ip[i])))
                .or_default()
                .push(i);
        }
    }

    let mut out = Ranges::default();
    for (name, events) in by_range {
        let verdict = judge(log, cfg, &everyone, &name, &events, &mut out);
        out.verdicts.insert(name, verdict);
    }
    out.report.ranges_checked = out
        .verdicts
        .values()
        .filter(|&&v| v != Verdict::TooFewAccounts)
        .count();
    // Stable: ranges with as many signal accounts stay in name order.
    out.report
        .ranges
        .sort_by_key(|f| std::cmp::Reverse(f.accounts.len()));
    out
}

/// Facts over every engagement event of the log.
#[derive(Default)]
struct Everyone {
    /// Each active account's first engagement time.
    first: BTreeMap<Id, i64>,
    /// Each engaged target's engaging accounts.
    engagers: BTreeMap<Id, BTreeSet<Id>>,
}

/// Judges the range `name` from its engagement `events` (ascending indices); a finding goes
/// to `out.report.ranges`.
fn judge(
    log: &EventLog,
    cfg: &RangesConfig,
    everyone: &Everyone,
    name: &str,
    events: &[usize],
    out: &mut Ranges,
) -> Verdict {
    let (ts, actor, target, device) = (log.ts(), log.actor(), log.target(), log.device());

    // 1. Accounts.
    let accounts: BTreeSet<Id> = events.iter().map(|&i| actor[i]).collect();
    if accounts.len() < cfg.min_accounts {
        return Verdict::TooFewAccounts;
    }
    let n = accounts.len() as f64;

    // 2. Freshness: days from creation to the first engagement anywhere in the log.
    let age_days: BTreeMap<Id, f64> = accounts
        .iter()
        .filter_map(|&a| {
            let created = log.account_table.created_at(a)?;
            Some((a, (everyone.first[&a] - created) as f64 / DAY_MS))
        })
        .collect();
    let fresh: BTreeSet<Id> = age_days
        .iter()
        .filter(|&(_, &d)| d <= cfg.fresh_days)
        .map(|(&a, _)| a)
        .collect();
    let fresh_share = fresh.len() as f64 / n;
    if fresh_share < cfg.min_fresh_share {
        return Verdict::TooFewFresh;
    }

    // 3. Co-targets: the range's accounts per target against everyone's.
    let mut here: BTreeMap<Id, BTreeSet<Id>> = BTreeMap::new();
    for &i in events {
        here.entry(target[i]).or_default().insert(actor[i]);
    }
    let mut lifts: BTreeMap<Id, f64> = BTreeMap::new();
    for (&t, who) in &here {
        if who.len() < cfg.min_co_accounts {
            continue;
        }
        let share_here = who.len() as f64 / n;
        let share_everywhere = everyone.engagers[&t].len() as f64 / everyone.first.len() as f64;
        let lift = share_here / share_everywhere;
        if lift >= cfg.min_lift {
            lifts.insert(t, lift);
        } else {
            out.lift_misses += 1;
        }
    }
    if lifts.is_empty() {
        return Verdict::NoCoTarget;
    }

    // 4. Concentration.
    let on_co: Vec<usize> = events
        .iter()
        .copied()
        .filter(|i| lifts.contains_key(&target[*i]))
        .collect();
    let concentration = on_co.len() as f64 / events.len() as f64;
    if concentration < cfg.min_concentration {
        return Verdict::Diffuse;
    }

    // The signal: fresh accounts with enough co-target events from the range.
    let mut per_account: BTreeMap<Id, Vec<usize>> = BTreeMap::new();
    for &i in &on_co {
        if fresh.contains(&actor[i]) {
            per_account.entry(actor[i]).or_default().push(i);
        }
    }
    per_account.retain(|_, evs| evs.len() >= cfg.min_account_events);
    if per_account.len() < cfg.min_co_accounts {
        return Verdict::TooFewMembers;
    }
    let mut member_events: Vec<u32> = per_account.values().flatten().map(|&i| i as u32).collect();
    member_events.sort_unstable();
    let times: Vec<i64> = member_events.iter().map(|&i| ts[i as usize]).collect();
    let span = (
        *times.iter().min().expect("a member has events"),
        *times.iter().max().expect("a member has events"),
    );
    // The median as the detectors take it: the middle one, the upper of two.
    let mut ages: Vec<f64> = age_days.values().copied().collect();
    ages.sort_by(f64::total_cmp);
    let median_age_days = ages[ages.len() / 2];
    let devices: BTreeSet<Id> = events
        .iter()
        .map(|&i| device[i])
        .filter(|&d| d != NONE)
        .collect();
    out.report.ranges.push(RangeFinding {
        network: name.to_string(),
        range_accounts: accounts.len(),
        range_devices: devices.len(),
        range_events: events.len(),
        fresh_share,
        fresh_days: cfg.fresh_days,
        median_age_days,
        co_targets: lifts.keys().copied().collect(),
        min_lift: lifts.values().copied().fold(f64::INFINITY, f64::min),
        concentration,
        accounts: per_account.keys().copied().collect(),
        events: member_events,
        span,
    });
    Verdict::Found
}
