//! What the follower-inflow and harvest plots draw, gathered from the log: each customer's
//! follows per day against its own past, and a harvest's reads by hour of day and over time
//! with the accounts whose data it read.

use lockstep_core::{EventLog, Id, NONE, action};

use crate::index::ReportIndex;
use crate::svg::InflowPanel;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;

/// The beneficiary of event `e`: its owner `(true, owner)`, or for a target without an owner
/// the target itself `(false, target)`.
fn owner_key(log: &EventLog, e: u32) -> (bool, Id) {
    let o = log.owner()[e as usize];
    if o == NONE {
        (false, log.target()[e as usize])
    } else {
        (true, o)
    }
}

fn key_name(log: &EventLog, k: (bool, Id)) -> &str {
    if k.0 {
        log.accounts.resolve(k.1)
    } else {
        log.targets.resolve(k.1)
    }
}

/// The median of `v` (the mean of the two middle values for an even count).
fn median(mut v: Vec<u64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m] as f64
    } else {
        (v[m - 1] + v[m]) as f64 / 2.0
    })
}

/// The follower-inflow plot of one operation: its customers with the most flagged follows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Inflow {
    /// One panel per customer shown.
    pub(crate) panels: Vec<InflowPanel>,
    /// The start of the first bucket.
    pub(crate) t0: i64,
    /// The bucket: a day, or a week for logs longer than 120 days.
    pub(crate) bucket_ms: i64,
    /// `day` or `week`.
    pub(crate) unit: &'static str,
    /// Customers with flagged follows in all.
    pub(crate) customers: usize,
}

/// Buckets of a customer's own past needed before the operation reached it for the past to be
/// its baseline.
pub(crate) const MIN_PAST: usize = 3;

/// Each of the `max` customers (followed accounts) with the most of `basis`'s follows: its
/// follows per day over the whole log, split into this operation's flagged follows (`op`),
/// other operations' and nobody's, with its own past as the baseline. `None` when `basis` has
/// no follows.
///
/// # Complexity
/// One pass over the log's action column, with a binary search among the `max` customers for
/// each follow.
pub(crate) fn inflow(
    log: &EventLog,
    index: &ReportIndex,
    op: usize,
    basis: &[u32],
    max: usize,
) -> Option<Inflow> {
    let mut keys: Vec<(bool, Id)> = basis
        .iter()
        .filter(|&&e| log.action()[e as usize] == action::FOLLOW)
        .map(|&e| owner_key(log, e))
        .collect();
    keys.sort_unstable();
    let mut counts: Vec<((bool, Id), usize)> = Vec::new();
    for k in keys {
        match counts.last_mut() {
            Some(c) if c.0 == k => c.1 += 1,
            _ => counts.push((k, 1)),
        }
    }
    if counts.is_empty() {
        return None;
    }
    let customers = counts.len();
    counts.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts.truncate(max);
    let (a, b) = log.time_span()?;
    let (bucket_ms, unit) = if b - a <= 120 * DAY {
        (DAY, "day")
    } else {
        (WEEK, "week")
    };
    let t0 = a.div_euclid(bucket_ms) * bucket_ms;
    let n = ((b - t0) / bucket_ms + 1) as usize;
    let mut shown: Vec<((bool, Id), usize)> =
        counts.iter().enumerate().map(|(i, c)| (c.0, i)).collect();
    shown.sort_unstable();
    let mut buckets = vec![vec![[0u64; 3]; n]; counts.len()];
    let mut first = vec![i64::MAX; counts.len()];
    let (acts, ts) = (log.action(), log.ts());
    for e in 0..log.len() {
        if acts[e] != action::FOLLOW {
            continue;
        }
        let Ok(k) = shown.binary_search_by_key(&owner_key(log, e as u32), |s| s.0) else {
            continue;
        };
        let p = shown[k].1;
        let t = ts[e];
        let i = ((t - t0) / bucket_ms) as usize;
        let class = if index.is_flagged_for(e as u32, op) {
            first[p] = first[p].min(t);
            1
        } else if index.is_flagged(e as u32) {
            2
        } else {
            0
        };
        buckets[p][i.min(n - 1)][class] += 1;
    }
    let mut panels = Vec::with_capacity(counts.len());
    for (p, (key, _)) in counts.iter().enumerate() {
        let b = std::mem::take(&mut buckets[p]);
        let past = if first[p] == i64::MAX {
            0
        } else {
            ((first[p] - t0) / bucket_ms) as usize
        };
        let (baseline, from_past) = if past >= MIN_PAST {
            (
                median(b[..past].iter().map(|x| x.iter().sum()).collect()),
                true,
            )
        } else {
            (median(b.iter().map(|x| x[0]).collect()), false)
        };
        panels.push(InflowPanel {
            label: key_name(log, *key).to_owned(),
            buckets: b,
            baseline,
            baseline_before: from_past,
        });
    }
    Some(Inflow {
        panels,
        t0,
        bucket_ms,
        unit,
        customers,
    })
}

/// Reads by hour of day (UTC): those of `reads` and every read of the log nobody was flagged
/// for.
///
/// # Complexity
/// One pass over the log's action column.
pub(crate) fn reads_by_hour(
    log: &EventLog,
    index: &ReportIndex,
    reads: &[u32],
) -> ([u64; 24], [u64; 24]) {
    let hour = |t: i64| (t.rem_euclid(DAY) / HOUR) as usize;
    let ts = log.ts();
    let mut op = [0u64; 24];
    for &e in reads {
        op[hour(ts[e as usize])] += 1;
    }
    let mut others = [0u64; 24];
    for (e, &a) in log.action().iter().enumerate() {
        if a == action::VIEW && !index.is_flagged(e as u32) {
            others[hour(ts[e])] += 1;
        }
    }
    (op, others)
}

/// A harvest over time: its reads per bucket and, at the end of each, how many accounts it had
/// read the data of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Harvest {
    /// Reads per bucket.
    pub(crate) reads: Vec<u64>,
    /// Accounts read so far at the end of each bucket.
    pub(crate) victims: Vec<u64>,
    /// The start of the first bucket.
    pub(crate) t0: i64,
    /// The bucket: an hour, 6 hours, a day or a week, for at most about 400 of them.
    pub(crate) bucket_ms: i64,
    /// Its name: `hour`, `6 hours`, `day`, `week`.
    pub(crate) unit: &'static str,
}

/// `reads` (in time order) per bucket, with the accounts whose data they read (the owners of
/// what was read) counted as they first appear. `None` without reads.
///
/// # Complexity
/// One pass over `reads`, with a bit per account of the log.
pub(crate) fn harvest(log: &EventLog, reads: &[u32]) -> Option<Harvest> {
    let ts = log.ts();
    let (&first, &last) = (reads.first()?, reads.last()?);
    let (a, b) = (ts[first as usize], ts[last as usize]);
    let (bucket_ms, unit) = [
        (HOUR, "hour"),
        (6 * HOUR, "6 hours"),
        (DAY, "day"),
        (WEEK, "week"),
    ]
    .into_iter()
    .find(|&(s, _)| (b - a) / s < 400)
    .unwrap_or((WEEK, "week"));
    let t0 = a.div_euclid(bucket_ms) * bucket_ms;
    let n = ((b - t0) / bucket_ms + 1) as usize;
    let mut out = Harvest {
        reads: vec![0; n],
        victims: vec![0; n],
        t0,
        bucket_ms,
        unit,
    };
    let mut seen = vec![false; log.accounts.len()];
    let mut so_far = 0u64;
    let mut next = 0usize;
    for &e in reads {
        let i = (((ts[e as usize] - t0) / bucket_ms) as usize).min(n - 1);
        while next < i {
            out.victims[next] = so_far;
            next += 1;
        }
        out.reads[i] += 1;
        let o = log.owner()[e as usize];
        if o != NONE && !std::mem::replace(&mut seen[o as usize], true) {
            so_far += 1;
        }
    }
    for v in &mut out.victims[next..] {
        *v = so_far;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5, 1, 3]), Some(3.0));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2.5));
    }
}
