//! Reads at machine rates: accounts that view profiles, friend lists and posts faster and
//! longer than a person can, around the clock, each item once.

use lockstep_core::{EventLog, Id, action};
use rayon::prelude::*;

use crate::policy::Harvest;

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;

/// The accounts whose reads pass every rule of `cfg`, with their read events.
///
/// # Arguments
/// * `log` — the log.
/// * `by_actor` — event indices sorted by (actor, time), and `off`, the CSR offsets of each
///   account's slice of it.
///
/// # Returns
/// `(account, read events)` pairs, sorted by account.
///
/// # Complexity
/// One parallel pass over the events, O(n); plus O(r log r) for the r reads of the few
/// accounts that pass the rate rule.
pub(crate) fn machine_rate_readers(
    log: &EventLog,
    by_actor: &[u32],
    off: &[u32],
    cfg: &Harvest,
) -> Vec<(Id, Vec<u32>)> {
    let ts = log.ts();
    let act = log.action();
    let tgt = log.target();
    (0..off.len().saturating_sub(1))
        .into_par_iter()
        .with_min_len(256)
        .filter_map(|a| {
            let evs = &by_actor[off[a] as usize..off[a + 1] as usize];
            if evs.len() < cfg.min_reads_per_day as usize {
                return None;
            }
            // Days (events are in time order) with their read counts and hour masks.
            let mut good_days = 0u32;
            let mut day = i64::MIN;
            let (mut reads, mut hours) = (0u32, 0u32);
            let mut close = |reads: u32, hours: u32| {
                if reads >= cfg.min_reads_per_day && hours.count_ones() >= cfg.min_active_hours {
                    good_days += 1;
                }
            };
            for &e in evs {
                let e = e as usize;
                if act[e] != action::VIEW {
                    continue;
                }
                let d = ts[e].div_euclid(DAY);
                if d != day {
                    close(reads, hours);
                    day = d;
                    reads = 0;
                    hours = 0;
                }
                reads += 1;
                hours |= 1 << (ts[e].rem_euclid(DAY) / HOUR);
            }
            close(reads, hours);
            if good_days < cfg.min_days {
                return None;
            }
            let views: Vec<u32> = evs
                .iter()
                .copied()
                .filter(|&e| act[e as usize] == action::VIEW)
                .collect();
            let mut targets: Vec<Id> = views.iter().map(|&e| tgt[e as usize]).collect();
            targets.sort_unstable();
            targets.dedup();
            let distinct = targets.len() as f64 / views.len().max(1) as f64;
            (distinct >= cfg.min_distinct_share).then_some((a as Id, views))
        })
        .collect()
}
