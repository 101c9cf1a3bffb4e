//! Runs the detectors a [`Policy`] enables over one shared index and collects their signals.

use std::time::Instant;

use lockstep_core::{EventLog, action};
use lockstep_detect::Signal;
use lockstep_detect::dense::{FraudarConfig, MZoomConfig, fraudar_indexed, mzoom_indexed};
use lockstep_detect::lockstep::{LockstepConfig, lockstep_groups_indexed};
use lockstep_graph::{ActionSet, GraphIndex, Tensor};

use crate::{Policy, Result, Timings};

/// Runs lockstep groups, Fraudar and M-Zoom (as enabled by `policy.detectors`) on the
/// engagement index `g` and returns their signals, lockstep first.
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
    let mut signals = Vec::new();
    if policy.detectors.lockstep {
        let t = Instant::now();
        let cfg = LockstepConfig {
            window_ms: ((policy.detectors.lockstep_window_minutes * 60_000.0) as i64).max(2),
            ..LockstepConfig::default()
        };
        let r = lockstep_groups_indexed(g, &cfg)?;
        signals.extend(r.signals(log));
        timings.push("detect.lockstep", t.elapsed());
    }
    if policy.detectors.follow_lockstep {
        let t = Instant::now();
        let follows = ActionSet::of(&[action::FOLLOW]);
        let fg = GraphIndex::build(log, follows);
        let day = (policy.detectors.follow_window_hours * 3_600_000.0) as i64;
        let cfg = LockstepConfig {
            actions: follows,
            window_ms: day.max(2),
            episode_ms: day.max(1),
            min_shared_targets: policy.detectors.follow_min_shared,
            min_episodes: policy.detectors.follow_min_shared,
            ..LockstepConfig::default()
        };
        let r = lockstep_groups_indexed(&fg, &cfg)?;
        signals.extend(r.signals(log));
        timings.push("detect.follow-lockstep", t.elapsed());
    }
    if policy.detectors.fraudar {
        let t = Instant::now();
        let r = fraudar_indexed(g, &FraudarConfig::default())?;
        signals.extend(r.signals(log));
        timings.push("detect.fraudar", t.elapsed());
    }
    if policy.detectors.mzoom {
        let t = Instant::now();
        let cfg = MZoomConfig::default();
        let tensor = Tensor::build(log, g.events(), &cfg.tensor);
        let r = mzoom_indexed(&tensor, &cfg)?;
        signals.extend(r.signals());
        timings.push("detect.mzoom", t.elapsed());
    }
    Ok(signals)
}
