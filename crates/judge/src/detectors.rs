//! Runs the detectors a [`Policy`] enables over one shared index and collects their signals.

use std::time::{Duration, Instant};

use lockstep_core::{EventLog, action};
use lockstep_detect::Signal;
use lockstep_detect::dense::{FraudarConfig, MZoomConfig, fraudar_indexed, mzoom_indexed};
use lockstep_detect::lockstep::{LockstepConfig, lockstep_groups_indexed};
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

/// Runs lockstep groups (at delivery scale, and for follows at day scale), Fraudar and M-Zoom
/// (as enabled by `policy.detectors`) on the engagement index `g` and returns their signals in
/// that order.
///
/// The two lockstep passes run one after the other; Fraudar and M-Zoom (off by default, see
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
    let lockstep = || {
        timed("detect.lockstep", d.lockstep, || {
            let cfg = LockstepConfig {
                window_ms: ((d.lockstep_window_minutes * 60_000.0) as i64).max(2),
                ..LockstepConfig::default()
            };
            Ok(lockstep_groups_indexed(g, &cfg)?.signals(log))
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
            Ok(lockstep_groups_indexed(&fg, &cfg)?.signals(log))
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
    // The two lockstep passes run one after the other (each is parallel inside and its pair
    // table is the largest allocation of a scan); the dense detectors, whose peeling is
    // sequential, run side by side.
    let a = lockstep();
    let b = follow();
    let (c, e) = rayon::join(fraudar, mzoom);
    let mut signals = Vec::new();
    for r in [a, b, c, e] {
        let (s, t) = r?;
        signals.extend(s);
        for (name, d) in t {
            timings.push(name, d);
        }
    }
    Ok(signals)
}
