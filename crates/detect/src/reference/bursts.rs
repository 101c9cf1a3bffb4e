//! Reference bursts: every window counted by scanning the whole target, every peer's busiest
//! window found the same way, targets and owners grouped in ordered maps.

use std::collections::{BTreeMap, BTreeSet};

use lockstep_core::{EventLog, Id, NONE};

use crate::bursts::{BurstConfig, BurstReport, CrowdConfig};

/// Most events in one window `[t, t + w)` starting at an event, by counting each directly.
fn busiest(times: &[i64], w: i64) -> usize {
    times
        .iter()
        .map(|&t| times.iter().filter(|&&x| x >= t && x < t + w).count())
        .max()
        .unwrap_or(0)
}

/// The bursts of [`crate::bursts::bursts`] as `(target, action, events sorted)`, sorted.
///
/// # Complexity
/// O(n²) per target and action for n events.
pub fn bursts(log: &EventLog, cfg: &BurstConfig) -> Vec<(Id, u8, Vec<u32>)> {
    // Events per (target, action) in (time, index) order, and each target's owner: the owner
    // of its first counted event.
    let mut by: BTreeMap<(Id, u8), Vec<(i64, u32)>> = BTreeMap::new();
    let mut first: BTreeMap<Id, (i64, u32, Id)> = BTreeMap::new();
    for i in 0..log.len() {
        let a = log.action()[i];
        if !cfg.actions.contains(a) {
            continue;
        }
        let (t, ts) = (log.target()[i], log.ts()[i]);
        by.entry((t, a)).or_default().push((ts, i as u32));
        let f = first.entry(t).or_insert((ts, i as u32, log.owner()[i]));
        if (ts, i as u32) < (f.0, f.1) {
            *f = (ts, i as u32, log.owner()[i]);
        }
    }
    for v in by.values_mut() {
        v.sort_unstable();
    }
    let log_end = log.ts().iter().copied().max().unwrap_or(0);
    let (w, ctx) = (cfg.window_ms, cfg.context_ms);
    let mut out = Vec::new();
    for (&(t, a), evs) in &by {
        if evs.len() < cfg.min_events {
            continue;
        }
        let times: Vec<i64> = evs.iter().map(|x| x.0).collect();
        let owner = first[&t].2;
        let peer = (owner != NONE)
            .then(|| {
                let mut others: Vec<usize> = by
                    .iter()
                    .filter(|&(&(u, b), _)| b == a && u != t && first[&u].2 == owner)
                    .map(|(_, e)| busiest(&e.iter().map(|x| x.0).collect::<Vec<_>>(), w))
                    .collect();
                others.sort_unstable();
                others.get(others.len() / 2).copied()
            })
            .flatten();
        // Qualifying windows as index ranges [i, j).
        let mut wins: Vec<(usize, usize)> = Vec::new();
        for (i, &ti) in times.iter().enumerate() {
            // The window that starts at event i: it and the later events before ti + w.
            let inside: Vec<usize> = (i..times.len()).filter(|&k| times[k] < ti + w).collect();
            let c = inside.len();
            if c < cfg.min_events {
                continue;
            }
            if let Some(p) = peer
                && cfg.lower(c) < cfg.min_peer_ratio * p.max(1) as f64
            {
                continue;
            }
            let ctx_lo = (ti - ctx).max(times[0]);
            let ctx_hi = (ti + w + ctx).min(log_end + 1).max(ti + w);
            let around = times.iter().filter(|&&x| x >= ctx_lo && x < ctx_hi).count() - c;
            let len = (ti - ctx_lo) + (ctx_hi - (ti + w));
            let rate = if len > 0 {
                around as f64 * w as f64 / len as f64
            } else {
                0.0
            };
            if cfg.lower(c) < cfg.min_ratio * rate.max(1.0) {
                continue;
            }
            wins.push((i, inside.last().map_or(i, |&k| k + 1)));
        }
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (i, j) in wins {
            match merged.last_mut() {
                Some(m) if i < m.1 => m.1 = m.1.max(j),
                _ => merged.push((i, j)),
            }
        }
        for (i, j) in merged {
            let mut e: Vec<u32> = evs[i..j].iter().map(|x| x.1).collect();
            e.sort_unstable();
            out.push((t, a, e));
        }
    }
    out.sort();
    out
}

/// The delivery pools of [`crate::bursts::burst_crowds`] as `(burst, member accounts)`,
/// sorted by burst: every set recomputed from the bursts' account lists.
pub fn crowds(log: &EventLog, report: &BurstReport, cfg: &CrowdConfig) -> Vec<(usize, Vec<Id>)> {
    let owner = |k: usize| log.owner()[report.bursts[k].events[0] as usize];
    let inside = |a: Id| -> Vec<usize> {
        (0..report.bursts.len())
            .filter(|&k| report.bursts[k].accounts.contains(&a))
            .collect()
    };
    let owners = |ks: &[usize]| -> usize {
        ks.iter()
            .map(|&k| owner(k))
            .filter(|&o| o != NONE)
            .collect::<BTreeSet<_>>()
            .len()
    };
    let all: BTreeSet<Id> = report
        .bursts
        .iter()
        .flat_map(|b| b.accounts.iter().copied())
        .collect();
    let regular: BTreeSet<Id> = all
        .iter()
        .copied()
        .filter(|&a| {
            let ks = inside(a);
            ks.len() >= cfg.min_bursts && owners(&ks) >= cfg.min_owners
        })
        .collect();
    let crowd: Vec<bool> = report
        .bursts
        .iter()
        .map(|b| {
            let n = b.accounts.iter().filter(|a| regular.contains(a)).count();
            n as f64 >= cfg.min_crowd_share * b.accounts.len() as f64
        })
        .collect();
    let member: BTreeSet<Id> = regular
        .iter()
        .copied()
        .filter(|&a| {
            let ks: Vec<usize> = inside(a).into_iter().filter(|&k| crowd[k]).collect();
            ks.len() >= cfg.min_bursts && owners(&ks) >= cfg.min_owners
        })
        .collect();
    (0..report.bursts.len())
        .filter(|&k| crowd[k])
        .map(|k| {
            let ms: Vec<Id> = report.bursts[k]
                .accounts
                .iter()
                .copied()
                .filter(|a| member.contains(a))
                .collect();
            (k, ms)
        })
        .filter(|(_, ms)| ms.len() >= cfg.min_accounts)
        .collect()
}
