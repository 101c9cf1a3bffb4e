//! Runs the detectors a [`Policy`] enables over one shared index and collects their signals.

use std::cell::OnceCell;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use lockstep_core::{EventLog, action};
use lockstep_detect::bursts::{burst_crowds, bursts_indexed};
use lockstep_detect::capture::infrastructure_captures;
use lockstep_detect::content::{ContentConfig, content_clusters};
use lockstep_detect::dense::{FraudarConfig, MZoomConfig, fraudar_indexed, mzoom_indexed};
use lockstep_detect::harvest::harvesters;
use lockstep_detect::lockstep::{
    LockstepConfig, LockstepEvents, lockstep_groups_indexed, lockstep_groups_shared,
};
use lockstep_detect::pools::follower_pools;
use lockstep_detect::ranges::suspicious_ranges;
use lockstep_detect::rates::{RatesConfig, drips_indexed};
use lockstep_detect::{Reason, Signal};
use lockstep_graph::{ActionSet, GraphIndex, Tensor};

use crate::{Policy, Result, Timings};

type Run = Result<(Vec<Signal>, Vec<(&'static str, Duration)>)>;

fn timed(name: &'static str, enabled: bool, f: impl FnOnce() -> Result<Vec<Signal>>) -> Run {
    if !enabled {
        return Ok((Vec::new(), Vec::new()));
    }
    let t = Instant::now();
    let s = f()?;
    Ok((s, vec![(name, t.elapsed())]))
}

/// Runs lockstep groups (at delivery scale, at the scale of a slow delivery, and for follows
/// at day scale), Fraudar, M-Zoom, template comments, drips, address ranges, bursts,
/// harvesting and follower pools (as enabled by `policy.detectors`) on the engagement index
/// `g` and returns their signals in that order.
///
/// The three lockstep passes run one after the other; Fraudar and M-Zoom (off by default, see
/// `docs/POLICY.md`) run side by side, so their stage timings overlap.
///
/// # Arguments
/// * `log` — the log `g` indexes.
/// * `g` — a [`GraphIndex`] of the engagement actions.
/// * `policy` — which detectors run.
/// * `timings` — each detector's wall time is appended.
///
/// # Errors
/// A detector's [`lockstep_detect::Error`].
///
/// # Complexity
/// The sum of the detectors' costs (see their docs); each is data-parallel.
pub fn run_detectors(
    log: &EventLog,
    g: &GraphIndex<'_>,
    policy: &Policy,
    timings: &mut Timings,
) -> Result<Vec<Signal>> {
    let d = &policy.detectors;
    let work = Mutex::new(Vec::new());
    let note = |stage: &str, c: Vec<(&'static str, u64)>| {
        work.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((stage.to_string(), c));
    };
    // A slow group that captured the targets of a few owners only is a community: wide
    // buckets pair fans of one creator as readily as a vendor's accounts.
    let many_customers =
        |s: &Signal| captured_owners(log, g, s, d.slow_min_capture) >= d.slow_min_owners;
    // The delivery-scale and slow-delivery passes read the same events of the same index
    // (their eligibility is the same): gathered by the first, kept for the second.
    let events = OnceCell::new();
    let lockstep_events = || {
        events.get_or_init(|| LockstepEvents::new(g, LockstepConfig::default().min_shared_targets))
    };
    let lockstep = || {
        timed("detect.lockstep", d.lockstep, || {
            let cfg = LockstepConfig {
                window_ms: ((d.lockstep_window_minutes * 60_000.0) as i64).max(2),
                ..LockstepConfig::default()
            };
            let r = lockstep_groups_shared(g, lockstep_events(), &cfg)?;
            note("detect.lockstep", r.stats.counters());
            Ok(r.signals(log))
        })
    };
    let slow = || {
        timed("detect.slow-lockstep", d.slow_lockstep, || {
            let w = ((d.slow_window_hours * 3_600_000.0) as i64).max(2);
            let cfg = LockstepConfig {
                window_ms: w,
                episode_ms: w.max(LockstepConfig::default().episode_ms),
                max_bucket: (d.slow_max_bucket as usize).max(2),
                ..LockstepConfig::default()
            };
            let r = lockstep_groups_shared(g, lockstep_events(), &cfg)?;
            note("detect.slow-lockstep", r.stats.counters());
            Ok(r.signals(log)
                .into_iter()
                .filter(|s| many_customers(s))
                .map(|mut s| {
                    s.reason = Reason::SlowLockstepGroup;
                    s
                })
                .collect())
        })
    };
    let follow = || {
        timed("detect.follow-lockstep", d.follow_lockstep, || {
            let follows = ActionSet::of(&[action::FOLLOW]);
            let fg = GraphIndex::build(log, follows);
            let day = (d.follow_window_hours * 3_600_000.0) as i64;
            let cfg = LockstepConfig {
                actions: follows,
                window_ms: day.max(2),
                episode_ms: day.max(1),
                min_shared_targets: d.follow_min_shared,
                min_episodes: d.follow_min_shared,
                ..LockstepConfig::default()
            };
            let r = lockstep_groups_indexed(&fg, &cfg)?;
            note("detect.follow-lockstep", r.stats.counters());
            Ok(r.signals(log))
        })
    };
    let fraudar = || {
        timed("detect.fraudar", d.fraudar, || {
            Ok(fraudar_indexed(g, &FraudarConfig::default())?.signals(log))
        })
    };
    let mzoom = || {
        timed("detect.mzoom", d.mzoom, || {
            let cfg = MZoomConfig::default();
            let tensor = Tensor::build(log, g.events(), &cfg.tensor);
            Ok(mzoom_indexed(&tensor, &cfg)?.signals())
        })
    };
    let content = || {
        timed("detect.content", d.content, || {
            let c = &policy.content;
            let cfg = ContentConfig {
                min_words: c.min_words as usize,
                min_jaccard: c.min_jaccard,
                min_accounts: c.min_accounts as usize,
                min_owner_share: c.min_owner_share,
                min_lift: c.min_lift,
                min_owners: c.min_owners as usize,
                min_targets: c.min_targets as usize,
                ..ContentConfig::default()
            };
            Ok(content_clusters(log, &cfg)?.signals(log))
        })
    };
    let rates = || {
        timed("detect.rates", d.rates, || {
            let r = &policy.rates;
            let cfg = RatesConfig {
                window: r.window as usize,
                tolerance: r.tolerance,
                min_regular_share: r.min_regular_share,
                min_events: r.min_events as usize,
                min_span_hours: r.min_span_hours,
                min_hours_of_day: r.min_hours_of_day,
                ..RatesConfig::default()
            };
            Ok(drips_indexed(g, &cfg)?.signals(log))
        })
    };
    let bursts = || {
        timed("detect.bursts", d.bursts, || {
            let r = bursts_indexed(g, &policy.bursts.config())?;
            let mut out = r.signals(log);
            if policy.bursts.crowds {
                let crowds = burst_crowds(log, &r, &policy.bursts.crowd_config())?;
                out.extend(crowds.iter().map(|c| c.to_signal(log, &r)));
            }
            Ok(out)
        })
    };
    let pools = || {
        timed("detect.pools", d.pools, || {
            Ok(follower_pools(log, &policy.pools)?
                .iter()
                .map(|p| p.to_signal(log))
                .collect())
        })
    };
    let harvest = || {
        timed("detect.harvest", d.harvest, || {
            Ok(harvesters(log, &policy.harvest)?.signals(log))
        })
    };
    let capture = || {
        timed("detect.capture", d.capture, || {
            Ok(infrastructure_captures(log, &policy.capture)?
                .iter()
                .map(|c| c.to_signal(log))
                .collect())
        })
    };
    let ranges = || {
        timed("detect.ranges", d.ranges, || {
            Ok(suspicious_ranges(g, &policy.ranges.config())?.signals(log))
        })
    };
    // The lockstep passes run one after the other (each is parallel inside); the dense
    // detectors, whose peeling is sequential, run side by side.
    let a = lockstep();
    let a2 = slow();
    drop(events);
    let b = follow();
    let (c, e) = rayon::join(fraudar, mzoom);
    let (f, (h, (k, (m, (v, (p, x)))))) = rayon::join(content, || {
        rayon::join(rates, || {
            rayon::join(ranges, || {
                rayon::join(bursts, || {
                    rayon::join(harvest, || rayon::join(pools, capture))
                })
            })
        })
    });
    let mut signals = Vec::new();
    for r in [a, a2, b, c, e, f, h, k, m, v, p, x] {
        let (s, t) = r?;
        signals.extend(s);
        for (name, d) in t {
            timings.push(name, d);
        }
    }
    timings
        .work
        .extend(work.into_inner().unwrap_or_else(PoisonError::into_inner));
    Ok(signals)
}

/// The distinct owners of the targets a signal's accounts *captured*: targets where they are
/// at least `min_capture` of all the accounts that engaged the target in `g`.
fn captured_owners(log: &EventLog, g: &GraphIndex<'_>, s: &Signal, min_capture: f64) -> u32 {
    // (target, account) of the signal's events, distinct.
    let mut ta: Vec<(u32, u32)> = s
        .events
        .iter()
        .map(|&e| (log.target()[e as usize], log.actor()[e as usize]))
        .collect();
    ta.sort_unstable();
    ta.dedup();
    // The owner of each target from the signal's events on it (a target without an owner, a
    // followed account, stands for itself).
    let mut owner_of: Vec<(u32, (bool, u32))> = s
        .events
        .iter()
        .map(|&e| (log.target()[e as usize], crate::judge::owner_key(log, e)))
        .collect();
    owner_of.sort_unstable();
    owner_of.dedup_by_key(|x| x.0);
    let mut owners: Vec<(bool, u32)> = Vec::new();
    for run in ta.chunk_by(|x, y| x.0 == y.0) {
        let t = run[0].0;
        if (run.len() as f64) < min_capture * g.target_degree(t) as f64 {
            continue;
        }
        if let Ok(k) = owner_of.binary_search_by_key(&t, |x| x.0) {
            owners.push(owner_of[k].1);
        }
    }
    owners.sort_unstable();
    owners.dedup();
    owners.len() as u32
}
