//! Reference drips: each gap's local cadence by sorting its whole window, each window's
//! regular gaps counted directly, targets and actions grouped in ordered maps.

use std::collections::BTreeMap;

use lockstep_core::{EventLog, Id};

use crate::rates::RatesConfig;

/// The drips of [`crate::rates::drips`] as `(target, action, events sorted)`, sorted.
///
/// # Complexity
/// O(n · w log w) for n events and a window of w gaps, plus O(n · w) for the counts.
pub fn drips(log: &EventLog, cfg: &RatesConfig) -> Vec<(Id, u8, Vec<u32>)> {
    let mut by: BTreeMap<(Id, u8), Vec<(i64, u32)>> = BTreeMap::new();
    for i in 0..log.len() {
        let a = log.action()[i];
        if cfg.actions.contains(a) {
            by.entry((log.target()[i], a))
                .or_default()
                .push((log.ts()[i], i as u32));
        }
    }
    let mut out = Vec::new();
    for ((t, a), mut evs) in by {
        if evs.len() < cfg.min_events {
            continue;
        }
        evs.sort_unstable();
        let n = evs.len() - 1;
        let gaps: Vec<i64> = evs.windows(2).map(|w| w[1].0 - w[0].0).collect();
        let half = cfg.window / 2;
        let w = (2 * half + 1).min(n);
        let window = |i: usize| {
            let lo = i.saturating_sub(half).min(n - w);
            lo..lo + w
        };
        let regular: Vec<bool> = (0..n)
            .map(|i| {
                let mut v: Vec<i64> = gaps[window(i)].to_vec();
                v.sort_unstable();
                let m = v[v.len() / 2] as f64;
                m > 0.0 && (gaps[i] as f64 - m).abs() <= cfg.tolerance * m
            })
            .collect();
        let in_drip: Vec<bool> = (0..n)
            .map(|i| {
                let r = window(i);
                let len = r.len();
                let c = r.filter(|&k| regular[k]).count();
                c as f64 >= cfg.min_regular_share * len as f64
            })
            .collect();
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
            let (lo, hi) = (i, j + 1);
            let span = evs[hi].0 - evs[lo].0;
            let hours: std::collections::BTreeSet<i64> = evs[lo..=hi]
                .iter()
                .map(|e| e.0.rem_euclid(86_400_000) / 3_600_000)
                .collect();
            if hi - lo + 1 >= cfg.min_events
                && span >= (cfg.min_span_hours * 3_600_000.0) as i64
                && hours.len() as u32 >= cfg.min_hours_of_day
            {
                let mut e: Vec<u32> = evs[lo..=hi].iter().map(|x| x.1).collect();
                e.sort_unstable();
                out.push((t, a, e));
            }
            i = j + 1;
        }
    }
    out.sort();
    out
}
