//! Engagement bursts: an hour in which a target received far more of one action than its own
//! surrounding day and its owner's other targets explain, with the accounts that make it up.
//!
//! A vendor delivers an order at once: three hundred likes within the hour on a post that
//! gets a dozen a day. Measured against the post's own history (the day around the hour) and
//! against its peers (the busiest hour of the same owner's other posts), that hour stands out
//! by an order of magnitude. The detector looks at each target's events of one action in time
//! order:
//!
//! 1. for each event, the window `[t, t + window)` holds `c` events;
//! 2. the window's *own rate* is the target's events in the `context` before and after it (the
//!    context before starts no earlier than the target's first event, the context after ends
//!    no later than the log's last), scaled to one window;
//! 3. its *peer peak* is the median, over the owner's other targets, of their busiest window
//!    of the same action (none when the owner has no other target, as for follows);
//! 4. the window is a burst window when `c ≥ min_events` and, with `c` less `z` of its
//!    standard deviations (`c − z·√c`: small counts are noisy), at least `min_ratio ×` the own
//!    rate (at least one event a window) and `min_peer_ratio ×` the peer peak; overlapping
//!    burst windows merge into one burst.
//!
//! A burst says *when* a target's engagement was anomalous, not *who* bought it: a post that
//! goes viral or a live broadcast's fans burst as well, and every burst holds the ordinary
//! people who engaged in that hour too. The judge therefore never flags anyone for a burst; it
//! marks the flagged work that fell inside one (see `lockstep-judge`).
//!
//! *Who* comes from the crowds ([`burst_crowds`]): a vendor fills order after order from one
//! pool of accounts, so the same accounts are inside bursts on many different owners' posts
//! and make up most of those bursts' crowds, while a viral post's crowd is thousands of people
//! who burst nowhere else and a streamer's fans burst on one owner's broadcasts. That is
//! evidence at the level of the group, which needs no two members to meet twice — what pair
//! co-engagement (the lockstep detector) needs, and a large pool that spreads its orders
//! thinly does not give.
//!
//! Two data-parallel steps over targets (each target's busiest window, then its windows),
//! with a sort by owner between them; O(n) per target and action after the index's time order.

use lockstep_core::{EventLog, Id, NONE};
use lockstep_graph::{ActionSet, GraphIndex, TimeIndexed};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::error::ensure_input;
use crate::rates::target_action_events;
use crate::signal::{Aspects, Reason, Signal, distinct_of, human_ms};

/// How bursts are found. See each field for its default and why.
#[derive(Debug, Clone, PartialEq)]
pub struct BurstConfig {
    /// The actions counted, each on its own. Default: the engagement verbs (like, follow,
    /// comment, share, review).
    pub actions: ActionSet,
    /// Length of a window (ms). Default one hour: vendors deliver an order within minutes to
    /// an hour.
    pub window_ms: i64,
    /// Context on each side of a window that gives the target's own rate (ms). Default 12 h:
    /// the day around it, so the hours just after a post goes up are judged against the
    /// hours that follow, not against its quiet weeks.
    pub context_ms: i64,
    /// Events in a burst window. Default 20.
    pub min_events: usize,
    /// A burst window holds at least this many times the target's own rate (and at least this
    /// many events when its surroundings are empty). Default 5.
    pub min_ratio: f64,
    /// A burst window holds at least this many times the median busiest window of the owner's
    /// other targets. Default 2.
    pub min_peer_ratio: f64,
    /// Both ratios are taken of the window's count less this many of its standard deviations
    /// (`c − z·√c`, counts being Poisson): 3.09 by default, so a window is a burst when it is
    /// above the ratios with 99.9 % confidence, and twenty likes in a small post's first hour
    /// are not one while a delivery of a hundred is.
    pub z: f64,
}

impl Default for BurstConfig {
    fn default() -> Self {
        Self {
            actions: ActionSet::engagement(),
            window_ms: 3_600_000,
            context_ms: 12 * 3_600_000,
            min_events: 20,
            min_ratio: 5.0,
            min_peer_ratio: 2.0,
            z: 3.09,
        }
    }
}

impl BurstConfig {
    /// Checks the values.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming the first bad field.
    pub fn validate(&self) -> Result<()> {
        ensure_input!(self.window_ms >= 1, "window_ms must be at least 1");
        ensure_input!(self.context_ms >= 1, "context_ms must be at least 1");
        ensure_input!(self.min_events >= 2, "min_events must be at least 2");
        ensure_input!(
            self.min_ratio >= 1.0 && self.min_ratio.is_finite(),
            "min_ratio must be at least 1, got {}",
            self.min_ratio
        );
        ensure_input!(
            self.min_peer_ratio >= 0.0 && self.min_peer_ratio.is_finite(),
            "min_peer_ratio must be non-negative, got {}",
            self.min_peer_ratio
        );
        ensure_input!(
            self.z >= 0.0 && self.z.is_finite(),
            "z must be non-negative, got {}",
            self.z
        );
        Ok(())
    }

    /// The window's count less `z` standard deviations, which both ratios are taken of.
    pub fn lower(&self, c: usize) -> f64 {
        let c = c as f64;
        c - self.z * c.sqrt()
    }
}

/// One burst: a target's events of one action that its own rate and its peers do not explain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Burst {
    /// The target.
    pub target: Id,
    /// The action.
    pub action: u8,
    /// The accounts whose events fall inside the burst, sorted.
    pub accounts: Vec<Id>,
    /// The events inside the burst, sorted by index.
    pub events: Vec<u32>,
    /// First and last event.
    pub span: (i64, i64),
    /// Most events in one window of the burst.
    pub peak: u32,
    /// The target's own rate (events per window) around that busiest window.
    pub own_rate: f64,
    /// The median busiest window of the owner's other targets, if it has any.
    pub peer_peak: Option<u32>,
}

impl Burst {
    /// The busiest window against the target's own rate (at least one event a window).
    pub fn ratio(&self) -> f64 {
        f64::from(self.peak) / self.own_rate.max(1.0)
    }

    /// This burst as a [`Signal`] with reason [`Reason::RateBurst`]; its score is the share
    /// of the busiest window that the own rate does not explain.
    pub fn to_signal(&self, log: &EventLog, window_ms: i64, context_ms: i64) -> Signal {
        let peers = match self.peer_peak {
            Some(p) => format!(
                ", {p} in the busiest {} of the owner's other posts (median)",
                human_ms(window_ms)
            ),
            None => String::new(),
        };
        Signal {
            reason: Reason::RateBurst,
            accounts: self.accounts.clone(),
            events: self.events.clone(),
            score: 1.0 - 1.0 / self.ratio().max(1.0),
            aspects: Aspects {
                targets: vec![self.target],
                time: Some(self.span),
                ips: distinct_of(log.ip(), &self.events),
                devices: distinct_of(log.device(), &self.events),
                concentrated: Vec::new(),
            },
            summary: format!(
                "{} {} events on {} within {} from {} accounts, {} in one {}: {:.0}× the \
                 target's own rate in the {} before and after it ({:.1} per {}){peers} — a \
                 burst (it says when, not who: viral posts and live events burst too)",
                self.events.len(),
                log.verbs.name(self.action),
                log.targets.resolve(self.target),
                human_ms(self.span.1 - self.span.0),
                self.accounts.len(),
                self.peak,
                human_ms(window_ms),
                self.ratio(),
                human_ms(context_ms),
                self.own_rate,
                human_ms(window_ms),
            ),
        }
    }
}

/// The bursts found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BurstReport {
    /// The bursts, most events first.
    pub bursts: Vec<Burst>,
    /// Target × action pairs with at least `min_events` events (the others cannot burst).
    pub targets_checked: usize,
    /// The window the bursts were measured in (ms).
    pub window_ms: i64,
    /// The context on each side of a window that gave the own rate (ms).
    pub context_ms: i64,
}

impl BurstReport {
    /// The bursts as signals.
    pub fn signals(&self, log: &EventLog) -> Vec<Signal> {
        self.bursts
            .iter()
            .map(|b| b.to_signal(log, self.window_ms, self.context_ms))
            .collect()
    }
}

/// Finds bursts. Builds a [`GraphIndex`] of `cfg.actions` and calls [`bursts_indexed`].
///
/// # Errors
/// [`crate::Error::InvalidInput`] for a bad config.
pub fn bursts(log: &EventLog, cfg: &BurstConfig) -> Result<BurstReport> {
    cfg.validate()?;
    let g = GraphIndex::build(log, cfg.actions);
    bursts_indexed(&g, cfg)
}

/// Most events in one window `[x, x + w)` over `times` (sorted).
pub(crate) fn busiest_window(times: &[i64], w: i64) -> u32 {
    let mut best = 0;
    let mut j = 0;
    for i in 0..times.len() {
        while j < times.len() && times[j] < times[i].saturating_add(w) {
            j += 1;
        }
        best = best.max(j - i);
    }
    best as u32
}

/// The median of the peaks of `peers` (sorted by `peak`) with one occurrence of `own` left
/// out; `None` when nothing is left. O(log P).
pub(crate) fn peer_median<T>(peers: &[T], peak: impl Fn(&T) -> u32, own: u32) -> Option<u32> {
    let rest = peers.len().checked_sub(1).filter(|&r| r > 0)?;
    let pos = peers.partition_point(|p| peak(p) < own);
    let k = rest / 2;
    Some(peak(if k < pos { &peers[k] } else { &peers[k + 1] }))
}

/// Finds bursts in each target's events, per action of `cfg.actions`.
///
/// # Arguments
/// * `g` — an index whose events include `cfg.actions` (others are skipped).
/// * `cfg` — see [`BurstConfig`].
///
/// # Returns
/// The bursts with their accounts and events.
///
/// # Complexity
/// O(n) per pass over n events (two passes, parallel over targets) plus O(T log T) for the
/// sort of T target busiest windows by owner.
///
/// # Errors
/// [`crate::Error::InvalidInput`] for a bad config.
pub fn bursts_indexed(g: &GraphIndex<'_>, cfg: &BurstConfig) -> Result<BurstReport> {
    cfg.validate()?;
    let log = g.log();
    let nt = log.targets.len() as Id;
    let owner_col = log.owner();
    let ts = log.ts();
    let actions: Vec<u8> = (0..=u8::MAX)
        .filter(|&a| cfg.actions.contains(a) && g.actions().contains(a))
        .collect();
    let owner_of = |t: Id| {
        g.target_events(t)
            .first()
            .map_or(NONE, |&e| owner_col[e as usize])
    };
    // 1. Each owned target's busiest window per action, grouped by (owner, action).
    let mut peaks: Vec<(Id, u8, u32)> = (0..nt)
        .into_par_iter()
        .with_min_len(256)
        .map_init(
            || (Vec::new(), Vec::new()),
            |(evs, times): &mut (Vec<u32>, Vec<i64>), t| {
                let owner = owner_of(t);
                if owner == NONE || g.target_events(t).is_empty() {
                    return Vec::new();
                }
                let mut out = Vec::new();
                for &a in &actions {
                    target_action_events(g, t, a, evs, times);
                    if evs.is_empty() {
                        continue;
                    }
                    out.push((owner, a, busiest_window(times, cfg.window_ms)));
                }
                out
            },
        )
        .flatten_iter()
        .collect();
    peaks.par_sort_unstable();
    let peers_of = |owner: Id, a: u8| -> &[(Id, u8, u32)] {
        let lo = peaks.partition_point(|x| (x.0, x.1) < (owner, a));
        let hi = peaks.partition_point(|x| (x.0, x.1) <= (owner, a));
        &peaks[lo..hi]
    };
    let log_end = ts.par_iter().copied().max().unwrap_or(0);

    // 2. Each target's windows against its own rate and its peers.
    let found: Vec<(usize, Vec<Burst>)> = (0..nt)
        .into_par_iter()
        .with_min_len(256)
        .map_init(
            || (Vec::new(), Vec::new()),
            |(evs, times): &mut (Vec<u32>, Vec<i64>), t| {
                let mut out = Vec::new();
                let mut checked = 0;
                if g.target_events(t).len() < cfg.min_events {
                    return (0, out);
                }
                let owner = owner_of(t);
                for &a in &actions {
                    target_action_events(g, t, a, evs, times);
                    if evs.len() < cfg.min_events {
                        continue;
                    }
                    checked += 1;
                    let peer = if owner == NONE {
                        None
                    } else {
                        let own = busiest_window(times, cfg.window_ms);
                        peer_median(peers_of(owner, a), |x| x.2, own)
                    };
                    for w in burst_windows(times, peer, log_end, cfg) {
                        out.push(describe(log, t, a, evs, w, peer));
                    }
                }
                (checked, out)
            },
        )
        .collect();
    let mut report = BurstReport {
        window_ms: cfg.window_ms,
        context_ms: cfg.context_ms,
        ..BurstReport::default()
    };
    for (c, b) in found {
        report.targets_checked += c;
        report.bursts.extend(b);
    }
    report.bursts.sort_by(|a, b| {
        b.events
            .len()
            .cmp(&a.events.len())
            .then(a.target.cmp(&b.target))
            .then(a.action.cmp(&b.action))
            .then(a.span.cmp(&b.span))
    });
    Ok(report)
}

/// How delivery pools are found among the bursts. See each field for its default and why.
#[derive(Debug, Clone, PartialEq)]
pub struct CrowdConfig {
    /// Bursts an account engaged inside, and distinct owners of their targets, for it to be a
    /// *regular*. Default 3 each: one viral evening or one creator's live broadcasts are one
    /// owner; a delivery pool serves many customers.
    pub min_bursts: usize,
    /// Distinct owners of those bursts' targets. Default 3.
    pub min_owners: usize,
    /// A burst is a *crowd burst* when at least this share of its accounts are regulars.
    /// Default 0.5: a viral post's crowd is thousands of people who burst nowhere else, a
    /// delivery's crowd is the pool.
    pub min_crowd_share: f64,
    /// Accounts in a pool for it to be reported. Default 5.
    pub min_accounts: usize,
}

impl Default for CrowdConfig {
    fn default() -> Self {
        Self {
            min_bursts: 3,
            min_owners: 3,
            min_crowd_share: 0.5,
            min_accounts: 5,
        }
    }
}

impl CrowdConfig {
    /// Checks the values.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming the first bad field.
    pub fn validate(&self) -> Result<()> {
        ensure_input!(self.min_bursts >= 2, "crowd min_bursts must be at least 2");
        ensure_input!(self.min_owners >= 2, "crowd min_owners must be at least 2");
        ensure_input!(
            self.min_crowd_share > 0.0 && self.min_crowd_share <= 1.0,
            "crowd min_crowd_share must be in (0, 1], got {}",
            self.min_crowd_share
        );
        ensure_input!(
            self.min_accounts >= 2,
            "crowd min_accounts must be at least 2"
        );
        Ok(())
    }
}

/// One crowd burst of a delivery pool: the pool members among its accounts (regulars inside
/// several crowd bursts on different owners' targets) and their events in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Crowd {
    /// The burst (index into [`BurstReport::bursts`]).
    pub burst: usize,
    /// The pool members among its accounts, sorted.
    pub accounts: Vec<Id>,
    /// Their events inside the burst, sorted.
    pub events: Vec<u32>,
    /// The most crowd bursts one of its members was inside (this one included).
    pub most_bursts: usize,
    /// The most distinct owners of those bursts' targets one of its members reached.
    pub most_owners: usize,
}

impl Crowd {
    /// This crowd as a [`Signal`] with reason [`Reason::BurstCrowd`]; its score is the share
    /// of the burst's accounts that are pool members.
    pub fn to_signal(&self, log: &EventLog, report: &BurstReport) -> Signal {
        let b = &report.bursts[self.burst];
        let share = self.accounts.len() as f64 / b.accounts.len().max(1) as f64;
        Signal {
            reason: Reason::BurstCrowd,
            accounts: self.accounts.clone(),
            events: self.events.clone(),
            score: share,
            aspects: Aspects {
                targets: vec![b.target],
                time: Some(b.span),
                ips: distinct_of(log.ip(), &self.events),
                devices: distinct_of(log.device(), &self.events),
                concentrated: Vec::new(),
            },
            summary: format!(
                "{} of the {} accounts inside a burst on {} ({:.0}× its own rate) each engaged \
                 inside several bursts on different owners' targets whose crowds were \
                 mostly such accounts (one of them inside {} such bursts on {} owners' targets): \
                 the same crowd arriving at different people's posts, burst after burst — a \
                 delivery pool",
                self.accounts.len(),
                b.accounts.len(),
                log.targets.resolve(b.target),
                b.ratio(),
                self.most_bursts,
                self.most_owners,
            ),
        }
    }
}

/// Delivery pools among `report`'s bursts: *regulars* are accounts inside at least
/// `min_bursts` bursts on targets of at least `min_owners` owners; a *crowd burst* has at
/// least `min_crowd_share` regulars among its accounts; a regular inside at least
/// `min_bursts` crowd bursts of `min_owners` owners is a pool member. Returns, per crowd burst
/// with at least `min_accounts` members, its members and their events in it — one signal per
/// delivery, which the judge joins into operations by majority, as it does drips, so that two
/// vendors' pools that met in one customer's post stay two.
///
/// # Complexity
/// O(M log M) for M burst memberships (sorted by account), sequential: bursts are few.
///
/// # Errors
/// [`crate::Error::InvalidInput`] for a bad config.
pub fn burst_crowds(log: &EventLog, report: &BurstReport, cfg: &CrowdConfig) -> Result<Vec<Crowd>> {
    cfg.validate()?;
    let bursts = &report.bursts;
    let owner: Vec<Id> = bursts
        .iter()
        .map(|b| b.events.first().map_or(NONE, |&e| log.owner()[e as usize]))
        .collect();
    // (account, burst), by account.
    let mut member: Vec<(Id, u32)> = bursts
        .iter()
        .enumerate()
        .flat_map(|(k, b)| b.accounts.iter().map(move |&a| (a, k as u32)))
        .collect();
    member.sort_unstable();
    let runs: Vec<&[(Id, u32)]> = member.chunk_by(|x, y| x.0 == y.0).collect();
    let mut scratch: Vec<Id> = Vec::new();
    let mut spread = |ks: &mut dyn Iterator<Item = u32>| -> (usize, usize) {
        scratch.clear();
        let mut n = 0;
        for k in ks {
            n += 1;
            scratch.push(owner[k as usize]);
        }
        scratch.sort_unstable();
        scratch.dedup();
        scratch.retain(|&o| o != NONE);
        (n, scratch.len())
    };
    let regular: Vec<bool> = runs
        .iter()
        .map(|r| {
            let (n, o) = spread(&mut r.iter().map(|x| x.1));
            n >= cfg.min_bursts && o >= cfg.min_owners
        })
        .collect();
    let mut regulars = vec![0usize; bursts.len()];
    for (r, &is) in runs.iter().zip(&regular) {
        if is {
            for x in *r {
                regulars[x.1 as usize] += 1;
            }
        }
    }
    let crowd: Vec<bool> = bursts
        .iter()
        .zip(&regulars)
        .map(|(b, &n)| {
            !b.accounts.is_empty() && n as f64 >= cfg.min_crowd_share * b.accounts.len() as f64
        })
        .collect();
    // Members per crowd burst, with the crowd bursts and owners each member was inside.
    let mut per_burst: Vec<Vec<(Id, usize, usize)>> = vec![Vec::new(); bursts.len()];
    let mut mine: Vec<u32> = Vec::new();
    for (r, &is) in runs.iter().zip(&regular) {
        if !is {
            continue;
        }
        mine.clear();
        mine.extend(r.iter().map(|x| x.1).filter(|&k| crowd[k as usize]));
        let (n, o) = spread(&mut mine.iter().copied());
        if n < cfg.min_bursts || o < cfg.min_owners {
            continue;
        }
        for &k in &mine {
            per_burst[k as usize].push((r[0].0, n, o));
        }
    }
    let act = log.actor();
    let mut out = Vec::new();
    for (k, ms) in per_burst.into_iter().enumerate() {
        if ms.len() < cfg.min_accounts {
            continue;
        }
        // Accounts arrive sorted (runs are by account).
        let accounts: Vec<Id> = ms.iter().map(|x| x.0).collect();
        let events: Vec<u32> = bursts[k]
            .events
            .iter()
            .copied()
            .filter(|&e| accounts.binary_search(&act[e as usize]).is_ok())
            .collect();
        out.push(Crowd {
            burst: k,
            accounts,
            events,
            most_bursts: ms.iter().map(|x| x.1).max().unwrap_or(0),
            most_owners: ms.iter().map(|x| x.2).max().unwrap_or(0),
        });
    }
    out.sort_by(|a, b| {
        b.accounts
            .len()
            .cmp(&a.accounts.len())
            .then(a.burst.cmp(&b.burst))
    });
    Ok(out)
}

/// A merged run of burst windows over one target's sorted times: events `[lo, hi)`, the
/// busiest window's count and the own rate around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Window {
    pub lo: usize,
    pub hi: usize,
    pub peak: u32,
    pub own_rate: f64,
}

/// The burst windows of `times` (sorted), overlapping ones merged.
pub(crate) fn burst_windows(
    times: &[i64],
    peer: Option<u32>,
    log_end: i64,
    cfg: &BurstConfig,
) -> Vec<Window> {
    let n = times.len();
    let (w, ctx) = (cfg.window_ms, cfg.context_ms);
    let first = times.first().copied().unwrap_or(0);
    let peer_need = peer.map_or(0.0, |p| cfg.min_peer_ratio * f64::from(p.max(1)));
    let mut out: Vec<Window> = Vec::new();
    let (mut j, mut lo, mut hi) = (0usize, 0usize, 0usize);
    for i in 0..n {
        let end = times[i].saturating_add(w);
        while j < n && times[j] < end {
            j += 1;
        }
        let c = j - i;
        if c < cfg.min_events || cfg.lower(c) < peer_need {
            continue;
        }
        let ctx_lo = times[i].saturating_sub(ctx).max(first);
        let ctx_hi = end
            .saturating_add(ctx)
            .min(log_end.saturating_add(1))
            .max(end);
        while lo < n && times[lo] < ctx_lo {
            lo += 1;
        }
        hi = hi.max(j);
        while hi < n && times[hi] < ctx_hi {
            hi += 1;
        }
        let around = (hi - lo - c) as f64;
        let len = (times[i] - ctx_lo) + (ctx_hi - end);
        let own_rate = if len > 0 {
            around * w as f64 / len as f64
        } else {
            0.0
        };
        if cfg.lower(c) < cfg.min_ratio * own_rate.max(1.0) {
            continue;
        }
        match out.last_mut() {
            Some(b) if i < b.hi => {
                b.hi = b.hi.max(j);
                if c as u32 > b.peak {
                    b.peak = c as u32;
                    b.own_rate = own_rate;
                }
            }
            _ => out.push(Window {
                lo: i,
                hi: j,
                peak: c as u32,
                own_rate,
            }),
        }
    }
    out
}

fn describe(log: &EventLog, t: Id, a: u8, evs: &[u32], w: Window, peer: Option<u32>) -> Burst {
    let part = &evs[w.lo..w.hi];
    let ts = log.ts();
    let mut accounts: Vec<Id> = part.iter().map(|&e| log.actor()[e as usize]).collect();
    accounts.sort_unstable();
    accounts.dedup();
    let mut events = part.to_vec();
    events.sort_unstable();
    Burst {
        target: t,
        action: a,
        accounts,
        events,
        span: (ts[part[0] as usize], ts[part[part.len() - 1] as usize]),
        peak: w.peak,
        own_rate: w.own_rate,
        peer_peak: peer,
    }
}

#[cfg(test)]
mod tests {
    use lockstep_core::{EventLogBuilder, RawEvent};
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};

    use super::*;

    const H: i64 = 3_600_000;
    const D: i64 = 86_400_000;

    #[test]
    fn peer_median_leaves_one_own_out() {
        assert_eq!(peer_median(&[5], |&p| p, 5), None);
        assert_eq!(peer_median(&[3, 5], |&p| p, 5), Some(3));
        assert_eq!(peer_median(&[3, 5, 9], |&p| p, 5), Some(9));
        assert_eq!(peer_median(&[3, 5, 9], |&p| p, 3), Some(9));
        assert_eq!(peer_median(&[3, 5, 9, 11], |&p| p, 11), Some(5));
        assert_eq!(busiest_window(&[0, 10, 20, 100], 25), 3);
        assert_eq!(busiest_window(&[], 25), 0);
    }

    fn like(b: &mut EventLogBuilder, ts: i64, actor: &str, target: &str, owner: &str) {
        b.push(&RawEvent {
            owner: Some(owner),
            ..RawEvent::new(ts, actor, "like", target, 1)
        })
        .unwrap();
    }

    /// 40 creators with 6 posts each: likes arrive at random over each post's first two days,
    /// most in its first hours (as real audiences do), one post in each world goes viral
    /// (thousands of likes over a day); a vendor delivers 150 likes within 20 minutes to 5
    /// customers' posts, at a random hour.
    fn world(seed: u64) -> (EventLog, Vec<String>) {
        let mut rng = SmallRng::seed_from_u64(seed);
        let mut b = EventLogBuilder::new();
        let mut bought = Vec::new();
        for c in 0..40 {
            let owner = format!("creator{c}");
            let audience = rng.random_range(5..80);
            for p in 0..6 {
                let target = format!("post{c}.{p}");
                let posted = rng.random_range(0..10 * D);
                let viral = c == 0 && p == 0;
                let n = if viral {
                    4000
                } else {
                    rng.random_range(0..audience)
                };
                for _ in 0..n {
                    // Decaying arrivals: exponential with a mean of 6 h (a day for the viral one).
                    let mean = if viral { 24.0 } else { 6.0 };
                    let u: f64 = rng.random_range(1e-9..1.0);
                    let dt = (-u.ln() * mean * H as f64) as i64;
                    let a = format!("person{}", rng.random_range(0..20_000));
                    like(&mut b, posted + dt, &a, &target, &owner);
                }
                if c >= 35 && p == 3 {
                    let at = posted + rng.random_range(0..2 * D);
                    for k in 0..150 {
                        let a = format!("farm{}", rng.random_range(0..400));
                        like(&mut b, at + k * 8_000, &a, &target, &owner);
                    }
                    bought.push(target);
                }
            }
        }
        (b.finish(), bought)
    }

    #[test]
    fn planted_deliveries_found_organic_decay_not_and_reference_agrees() {
        let cfg = BurstConfig::default();
        for seed in 0..4 {
            let (log, bought) = world(seed);
            let r = bursts(&log, &cfg).unwrap();
            let mut found: Vec<&str> = r
                .bursts
                .iter()
                .map(|b| log.targets.resolve(b.target))
                .filter(|t| *t != "post0.0")
                .collect();
            found.sort_unstable();
            let mut want: Vec<&str> = bought.iter().map(String::as_str).collect();
            want.sort_unstable();
            assert_eq!(
                found, want,
                "seed {seed}: only the deliveries (and the viral post)"
            );
            for b in &r.bursts {
                let farm = b
                    .accounts
                    .iter()
                    .filter(|&&a| log.accounts.resolve(a).starts_with("farm"))
                    .count();
                if log.targets.resolve(b.target) != "post0.0" {
                    assert!(farm * 10 >= b.accounts.len() * 8, "seed {seed}: {b:?}");
                    assert!(b.ratio() >= 5.0);
                }
                assert_eq!(
                    b.to_signal(&log, cfg.window_ms, cfg.context_ms)
                        .reason
                        .code(),
                    "rate-anomaly"
                );
            }
            let mut mine: Vec<(Id, u8, Vec<u32>)> = r
                .bursts
                .iter()
                .map(|b| (b.target, b.action, b.events.clone()))
                .collect();
            mine.sort();
            assert_eq!(
                mine,
                crate::reference::bursts::bursts(&log, &cfg),
                "seed {seed}"
            );
        }
    }

    /// A pool of 60 accounts delivers 40 likes within ten minutes to 12 customers' posts
    /// (each of another owner) on quiet days; a live streamer's 300 fans like each of its 6
    /// broadcasts within minutes (one owner, whose other posts are quiet); a viral post gets 3 000 likes in an hour
    /// from people of whom a hundred also liked one or two other viral posts.
    fn crowd_world(seed: u64) -> EventLog {
        let mut rng = SmallRng::seed_from_u64(seed);
        let mut b = EventLogBuilder::new();
        for c in 0..12 {
            let (owner, target) = (format!("customer{c}"), format!("order{c}"));
            for k in 0..10 {
                like(
                    &mut b,
                    c * D + k * 2 * H,
                    &format!("friend{c}.{k}"),
                    &target,
                    &owner,
                );
            }
            let at = c * D + 5 * H + rng.random_range(0..H);
            for k in 0..40 {
                let a = format!("pool{}", rng.random_range(0..60));
                like(&mut b, at + k * 15_000, &a, &target, &owner);
            }
        }
        // The streamer's everyday posts keep its median busiest hour low, so its broadcasts
        // are bursts: what keeps the fans out of a pool is that they are one owner's.
        for p in 0..12 {
            for k in 0..6 {
                let ts = p * D + k * 3 * H;
                like(
                    &mut b,
                    ts,
                    &format!("fan{k}"),
                    &format!("post{p}"),
                    "streamer",
                );
            }
        }
        for s in 0..6 {
            let target = format!("broadcast{s}");
            for f in 0..300 {
                if rng.random_bool(0.8) {
                    let ts = s * D + 20 * H + rng.random_range(0..600_000);
                    like(&mut b, ts, &format!("fan{f}"), &target, "streamer");
                }
            }
        }
        for v in 0..3 {
            let target = format!("viral{v}");
            for p in 0..3000 {
                let who = if p < 100 {
                    format!("fan_of_virals{p}")
                } else {
                    format!("v{v}.{p}")
                };
                let ts = v * 3 * D + 9 * H + rng.random_range(0..H);
                like(&mut b, ts, &who, &target, &format!("celebrity{v}"));
            }
        }
        b.finish()
    }

    #[test]
    fn a_delivery_pool_is_found_fans_and_viral_crowds_are_not() {
        for seed in 0..3 {
            let log = crowd_world(seed);
            let r = bursts(&log, &BurstConfig::default()).unwrap();
            let crowds = burst_crowds(&log, &r, &CrowdConfig::default()).unwrap();
            let mut found: Vec<&str> = crowds
                .iter()
                .flat_map(|c| c.accounts.iter().map(|&a| log.accounts.resolve(a)))
                .collect();
            found.sort_unstable();
            found.dedup();
            assert!(
                found.len() >= 50,
                "seed {seed}: most of the pool: {found:?}"
            );
            assert!(
                found.iter().all(|a| a.starts_with("pool")),
                "seed {seed}: only the pool: {found:?}"
            );
            for c in &crowds {
                let s = c.to_signal(&log, &r);
                assert_eq!(s.reason.code(), "rate-anomaly");
                assert!(
                    log.targets
                        .resolve(r.bursts[c.burst].target)
                        .starts_with("order")
                );
                assert!(
                    c.events
                        .iter()
                        .all(|&e| c.accounts.binary_search(&log.actor()[e as usize]).is_ok())
                );
            }
            let mut mine: Vec<(usize, Vec<Id>)> = crowds
                .iter()
                .map(|c| (c.burst, c.accounts.clone()))
                .collect();
            mine.sort();
            let cfg = CrowdConfig::default();
            assert_eq!(
                mine,
                crate::reference::bursts::crowds(&log, &r, &cfg),
                "seed {seed}"
            );
            // The broadcasts and the viral posts are bursts, but their crowds are no pool.
            let broadcasts = r
                .bursts
                .iter()
                .filter(|b| log.targets.resolve(b.target).starts_with("broadcast"))
                .count();
            assert!(broadcasts >= 3, "seed {seed}: {broadcasts}");
            assert!(
                r.bursts
                    .iter()
                    .any(|b| log.targets.resolve(b.target).starts_with("viral"))
            );
        }
        assert!(
            CrowdConfig {
                min_owners: 1,
                ..CrowdConfig::default()
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn a_target_judged_against_its_own_day_and_its_peers() {
        // One post whose audience is 30 likes an hour for three days: an hour with 60 more
        // is no burst.
        let mut b = EventLogBuilder::new();
        for k in 0..(72 * 30) {
            like(&mut b, k * (H / 30), &format!("p{k}"), "busy", "big");
        }
        for k in 0..60 {
            like(&mut b, 36 * H + k * 60_000, &format!("q{k}"), "busy", "big");
        }
        // A creator whose posts peak at 40 an hour: 60 in an hour is below twice that.
        for p in 0..3 {
            for k in 0..40 {
                like(
                    &mut b,
                    p * D + k * 60_000,
                    &format!("f{k}"),
                    &format!("peer{p}"),
                    "pop",
                );
            }
        }
        for k in 0..60 {
            like(&mut b, 5 * D + k * 50_000, &format!("g{k}"), "peer9", "pop");
        }
        let log = b.finish();
        let r = bursts(&log, &BurstConfig::default()).unwrap();
        assert!(r.bursts.is_empty(), "{:?}", r.bursts);
        // Without the peers, the creator's posts would each be a burst of their own.
        let alone = BurstConfig {
            min_peer_ratio: 0.0,
            ..BurstConfig::default()
        };
        let r = bursts(&log, &alone).unwrap();
        let mut t: Vec<&str> = r
            .bursts
            .iter()
            .map(|b| log.targets.resolve(b.target))
            .collect();
        t.sort_unstable();
        assert_eq!(t, ["peer0", "peer1", "peer2", "peer9"]);
        assert!(
            BurstConfig {
                min_ratio: 0.5,
                ..BurstConfig::default()
            }
            .validate()
            .is_err()
        );
    }
}
