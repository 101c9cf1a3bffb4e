//! Engagement rates: evenly spaced drips — a target's new followers (or likes) arriving at a
//! steady cadence, day and night, for days — with the accounts that make them up.
//!
//! Real engagement arrives at random and sleeps: the gaps between a target's consecutive
//! follows are spread like a Poisson process's (about a third of them within ±50 % of the
//! typical gap) and the night hours of its audience are quiet. A vendor that sells "natural
//! growth" schedules one follow every so many minutes for days: nearly every gap is the same,
//! around the clock. The detector looks at each target's events of one action in time order:
//!
//! 1. each gap is *regular* when it is within `tolerance` of the median of the `window` gaps
//!    around it (the local cadence, so a drip can start, stop and change speed);
//! 2. a *drip* is a maximal run of gaps whose surrounding `window` holds at least
//!    `min_regular_share` regular gaps (organic arrivals interleaved with the drip break a
//!    few gaps each), lasting at least `min_span_hours`, with at least `min_events` events in at
//!    least `min_hours_of_day` distinct hours of the day.
//!
//! Per target and action, data-parallel over targets; no allocation per event beyond the
//! per-target gap vectors.

use lockstep_core::{EventLog, Id, action};
use lockstep_graph::{ActionSet, GraphIndex, TimeIndexed};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::error::ensure_input;
use crate::signal::{Aspects, Reason, Signal, distinct_of, human_ms};

/// How drips are found. See each field for its default and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RatesConfig {
    /// The actions whose arrivals are timed, each on its own. Default: follow.
    pub actions: ActionSet,
    /// Gaps around each gap that give its local cadence (their median). Default 24.
    pub window: usize,
    /// A gap is regular when it is within this share of the local cadence. Default 0.5.
    pub tolerance: f64,
    /// Share of regular gaps around a gap for it to be part of a drip. Default 0.7: arrivals
    /// at random give about 0.35, a scheduler nearly 1.
    pub min_regular_share: f64,
    /// Events in a drip. Default 48: two days of one an hour.
    pub min_events: usize,
    /// Length of a drip in hours. Default 24.
    pub min_span_hours: f64,
    /// Distinct hours of the day (UTC) with drip events. Default 20: a person's audience
    /// sleeps; a scheduler does not.
    pub min_hours_of_day: u32,
}

impl Default for RatesConfig {
    fn default() -> Self {
        Self {
            actions: ActionSet::of(&[action::FOLLOW]),
            window: 24,
            tolerance: 0.5,
            min_regular_share: 0.7,
            min_events: 48,
            min_span_hours: 24.0,
            min_hours_of_day: 20,
        }
    }
}

impl RatesConfig {
    /// Checks the values.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming the first bad field.
    pub fn validate(&self) -> Result<()> {
        ensure_input!(self.window >= 2, "window must be at least 2");
        ensure_input!(
            self.tolerance > 0.0 && self.tolerance.is_finite(),
            "tolerance must be positive"
        );
        ensure_input!(
            (0.0..=1.0).contains(&self.min_regular_share),
            "min_regular_share must be in [0, 1], got {}",
            self.min_regular_share
        );
        ensure_input!(self.min_events >= 3, "min_events must be at least 3");
        ensure_input!(
            self.min_hours_of_day <= 24,
            "min_hours_of_day is at most 24"
        );
        Ok(())
    }
}

/// One drip: a target's events of one action at a steady cadence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drip {
    /// The target.
    pub target: Id,
    /// The action.
    pub action: u8,
    /// The accounts whose events make up the drip, sorted.
    pub accounts: Vec<Id>,
    /// The events, sorted by index.
    pub events: Vec<u32>,
    /// First and last event.
    pub span: (i64, i64),
    /// The median gap (ms).
    pub cadence_ms: i64,
    /// Share of the drip's gaps within tolerance of the local cadence; the
    /// [`Signal::score`].
    pub regular_share: f64,
    /// Distinct UTC hours of the day with drip events.
    pub hours_of_day: u32,
}

impl Drip {
    /// This drip as a [`Signal`] with reason [`Reason::RateAnomaly`].
    pub fn to_signal(&self, log: &EventLog) -> Signal {
        Signal {
            reason: Reason::RateAnomaly,
            accounts: self.accounts.clone(),
            events: self.events.clone(),
            score: self.regular_share,
            aspects: Aspects {
                targets: vec![self.target],
                time: Some(self.span),
                ips: distinct_of(log.ip(), &self.events),
                devices: distinct_of(log.device(), &self.events),
                concentrated: Vec::new(),
            },
            summary: format!(
                "{} {} events on {} arrived one every {} for {} from {} accounts, in {} hours \
                 of the day ({:.0}% of gaps within tolerance of the cadence): an evenly spaced drip",
                self.events.len(),
                log.verbs.name(self.action),
                log.targets.resolve(self.target),
                human_ms(self.cadence_ms),
                human_ms(self.span.1 - self.span.0),
                self.accounts.len(),
                self.hours_of_day,
                100.0 * self.regular_share,
            ),
        }
    }
}

/// The drips found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RatesReport {
    /// The drips, most events first.
    pub drips: Vec<Drip>,
    /// Targets with at least `min_events` events of an action (the others cannot drip).
    pub targets_checked: usize,
}

impl RatesReport {
    /// The drips as signals.
    pub fn signals(&self, log: &EventLog) -> Vec<Signal> {
        self.drips.iter().map(|d| d.to_signal(log)).collect()
    }
}

/// Finds drips. Builds a [`GraphIndex`] of `cfg.actions` and calls [`drips_indexed`].
///
/// # Errors
/// [`crate::Error::InvalidInput`] for a bad config.
pub fn drips(log: &EventLog, cfg: &RatesConfig) -> Result<RatesReport> {
    cfg.validate()?;
    let g = GraphIndex::build(log, cfg.actions);
    drips_indexed(&g, cfg)
}

/// Finds evenly spaced drips in each target's events, per action of `cfg.actions`.
///
/// # Arguments
/// * `g` — an index whose events include `cfg.actions` (others are skipped).
/// * `cfg` — see [`RatesConfig`].
///
/// # Returns
/// The drips with their accounts and events.
///
/// # Complexity
/// O(n · w log w) for n events and a window of w gaps, parallel over targets.
///
/// # Errors
/// [`crate::Error::InvalidInput`] for a bad config.
pub fn drips_indexed(g: &GraphIndex<'_>, cfg: &RatesConfig) -> Result<RatesReport> {
    cfg.validate()?;
    let log = g.log();
    let nt = log.targets.len();
    let found: Vec<(usize, Vec<Drip>)> = (0..nt as Id)
        .into_par_iter()
        .with_min_len(256)
        .map_init(
            || (Vec::new(), Vec::new()),
            |(times, evs): &mut (Vec<i64>, Vec<u32>), t| {
                let mut out = Vec::new();
                let mut checked = 0;
                let all = g.target_events(t);
                if all.len() < cfg.min_events {
                    return (0, out);
                }
                for a in 0..=u8::MAX {
                    if !cfg.actions.contains(a) {
                        continue;
                    }
                    target_action_events(g, t, a, evs, times);
                    if evs.len() < cfg.min_events {
                        continue;
                    }
                    checked += 1;
                    for (lo, hi) in drip_runs(times, cfg) {
                        out.push(describe(log, t, a, &evs[lo..=hi], times, lo, hi, cfg));
                    }
                }
                (checked, out)
            },
        )
        .collect();
    let mut report = RatesReport::default();
    for (c, d) in found {
        report.targets_checked += c;
        report.drips.extend(d);
    }
    report
        .drips
        .retain(|d| d.hours_of_day >= cfg.min_hours_of_day && d.events.len() >= cfg.min_events);
    report.drips.sort_by(|a, b| {
        b.events
            .len()
            .cmp(&a.events.len())
            .then(a.target.cmp(&b.target))
    });
    Ok(report)
}

/// The events of target `t` with action `a`, in time order, into `evs`, and their times into
/// `times` (both cleared first).
pub(crate) fn target_action_events(
    g: &GraphIndex<'_>,
    t: Id,
    a: u8,
    evs: &mut Vec<u32>,
    times: &mut Vec<i64>,
) {
    let log = g.log();
    let act = log.action();
    evs.clear();
    evs.extend(
        g.target_events(t)
            .iter()
            .copied()
            .filter(|&e| act[e as usize] == a),
    );
    times.clear();
    times.extend(evs.iter().map(|&e| log.ts()[e as usize]));
}

#[allow(clippy::too_many_arguments)]
fn describe(
    log: &EventLog,
    t: Id,
    a: u8,
    evs: &[u32],
    times: &[i64],
    lo: usize,
    hi: usize,
    cfg: &RatesConfig,
) -> Drip {
    let mut gaps: Vec<i64> = times[lo..=hi].windows(2).map(|w| w[1] - w[0]).collect();
    let regular = regular_flags(&times[lo..=hi], cfg);
    let share = regular.iter().filter(|&&r| r).count() as f64 / regular.len().max(1) as f64;
    gaps.sort_unstable();
    let cadence = gaps.get(gaps.len() / 2).copied().unwrap_or(0);
    let mut hours = 0u32;
    for &x in &times[lo..=hi] {
        hours |= 1 << (x.rem_euclid(86_400_000) / 3_600_000);
    }
    let mut accounts: Vec<Id> = evs.iter().map(|&e| log.actor()[e as usize]).collect();
    accounts.sort_unstable();
    accounts.dedup();
    let mut events = evs.to_vec();
    events.sort_unstable();
    Drip {
        target: t,
        action: a,
        accounts,
        events,
        span: (times[lo], times[hi]),
        cadence_ms: cadence,
        regular_share: share,
        hours_of_day: hours.count_ones(),
    }
}

/// Per gap of `times` (sorted), whether it is within tolerance of the median of the
/// `window` gaps centred on it.
pub(crate) fn regular_flags(times: &[i64], cfg: &RatesConfig) -> Vec<bool> {
    let gaps: Vec<i64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let n = gaps.len();
    let half = cfg.window / 2;
    let mut scratch: Vec<i64> = Vec::with_capacity(cfg.window + 1);
    (0..n)
        .map(|i| {
            let (lo, hi) = window_of(i, n, half);
            scratch.clear();
            scratch.extend_from_slice(&gaps[lo..hi]);
            let k = scratch.len() / 2;
            let (_, m, _) = scratch.select_nth_unstable(k);
            let m = *m as f64;
            (gaps[i] as f64 - m).abs() <= cfg.tolerance * m && m > 0.0
        })
        .collect()
}

/// The window `[lo, hi)` of gaps centred on gap `i` of `n`, shifted inside at the ends.
#[inline]
fn window_of(i: usize, n: usize, half: usize) -> (usize, usize) {
    let w = (2 * half + 1).min(n);
    let lo = i.saturating_sub(half).min(n - w);
    (lo, lo + w)
}

/// Maximal runs `(first event, last event)` of drip gaps that last long enough.
pub(crate) fn drip_runs(times: &[i64], cfg: &RatesConfig) -> Vec<(usize, usize)> {
    let regular = regular_flags(times, cfg);
    let n = regular.len();
    if n == 0 {
        return Vec::new();
    }
    let mut prefix = vec![0u32; n + 1];
    for i in 0..n {
        prefix[i + 1] = prefix[i] + u32::from(regular[i]);
    }
    let half = cfg.window / 2;
    let in_drip: Vec<bool> = (0..n)
        .map(|i| {
            let (lo, hi) = window_of(i, n, half);
            f64::from(prefix[hi] - prefix[lo]) >= cfg.min_regular_share * (hi - lo) as f64
        })
        .collect();
    let min_span = (cfg.min_span_hours * 3_600_000.0) as i64;
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        if !in_drip[i] {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < n && in_drip[j + 1] {
            j += 1;
        }
        // Gaps i..=j join events i..=j+1.
        let (lo, hi) = (i, j + 1);
        if hi - lo + 1 >= cfg.min_events && times[hi] - times[lo] >= min_span {
            out.push((lo, hi));
        }
        i = j + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_cadence_is_a_drip_random_is_not() {
        let cfg = RatesConfig::default();
        // One every 20 minutes ± 2 for 3 days.
        let steady: Vec<i64> = (0..216i64)
            .map(|k| k * 1_200_000 + (k * 7919 % 240_000) - 120_000)
            .collect();
        let runs = drip_runs(&steady, &cfg);
        assert_eq!(runs.len(), 1);
        assert!(runs[0].1 - runs[0].0 >= 200, "{runs:?}");
        // Exponential gaps of mean 20 minutes from a fixed pseudo-random sequence.
        let mut x: u64 = 12345;
        let mut t = 0i64;
        let random: Vec<i64> = (0..216)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = ((x >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
                t += (-u.ln() * 1_200_000.0) as i64;
                t
            })
            .collect();
        assert!(drip_runs(&random, &cfg).is_empty());
    }

    /// Organic follows: bursts in each target's evening, quiet nights; a drip vendor's 40
    /// accounts follow 3 customers one every 30 minutes (±10 %) for 3 days.
    fn world(seed: u64) -> EventLog {
        use lockstep_core::{EventLogBuilder, RawEvent};
        use rand::rngs::SmallRng;
        use rand::{Rng, SeedableRng};
        let mut rng = SmallRng::seed_from_u64(seed);
        let mut b = EventLogBuilder::new();
        let follow = |b: &mut EventLogBuilder, ts: i64, actor: &str, target: &str| {
            b.push(&RawEvent {
                id: None,
                ts,
                actor,
                action: "follow",
                target,
                owner: Some(target),
                text: None,
                ip: None,
                device: None,
                client: None,
                line: 1,
            })
            .unwrap();
        };
        for t in 0..30 {
            for day in 0..5i64 {
                for _ in 0..rng.random_range(5..60) {
                    let ts = day * 86_400_000 + 17 * 3_600_000 + rng.random_range(0..6 * 3_600_000);
                    let a = format!("person{}", rng.random_range(0..3000));
                    follow(&mut b, ts, &a, &format!("creator{t}"));
                }
            }
        }
        for c in 0..3 {
            let start = rng.random_range(0..86_400_000i64);
            for k in 0..144i64 {
                let ts = start + k * 1_800_000 + rng.random_range(-180_000..180_000);
                let a = format!("drip{}", rng.random_range(0..40));
                follow(&mut b, ts, &a, &format!("customer{c}"));
            }
        }
        b.finish()
    }

    #[test]
    fn planted_drips_found_evening_crowds_not_and_reference_agrees() {
        for seed in 0..3 {
            let log = world(seed);
            let r = drips(&log, &RatesConfig::default()).unwrap();
            assert_eq!(r.drips.len(), 3, "seed {seed}");
            for d in &r.drips {
                assert!(log.targets.resolve(d.target).starts_with("customer"));
                assert!(d.events.len() >= 140, "{}", d.events.len());
                for &a in &d.accounts {
                    assert!(log.accounts.resolve(a).starts_with("drip"));
                }
                assert_eq!(d.to_signal(&log).reason.code(), "rate-anomaly");
            }
            let mut mine: Vec<(Id, u8, Vec<u32>)> = r
                .drips
                .iter()
                .map(|d| (d.target, d.action, d.events.clone()))
                .collect();
            mine.sort();
            assert_eq!(
                mine,
                crate::reference::rates::drips(&log, &RatesConfig::default())
            );
        }
    }
}
