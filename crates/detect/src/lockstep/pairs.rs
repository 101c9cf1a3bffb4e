//! The pair similarity table: partition by target, pair within time buckets, exchange by
//! first account, aggregate each first account's records on their own.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use lockstep_core::{EventLog, Id};
use lockstep_graph::{Bipartite, GraphIndex, TimeIndexed};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{LockstepConfig, LockstepStats};
use crate::Result;

/// How similar two accounts' engagement is in time: one row of the pair table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairStat {
    /// The smaller account id.
    pub a: Id,
    /// The larger account id.
    pub b: Id,
    /// Distinct targets both engaged in a shared bucket.
    pub shared_targets: u32,
    /// Distinct episodes among those co-engagements (each counted at its earliest episode).
    pub episodes: u32,
    /// `shared_targets / (targets(a) + targets(b) − shared_targets)`, targets counted over
    /// the whole index (SynchroTrap's similarity with co-engagement as the match rule).
    pub jaccard: f64,
}

/// Whether the accounts may form a strong pair at all: enough distinct targets.
pub(crate) fn eligible_accounts<G: Bipartite>(g: &G, cfg: &LockstepConfig) -> Vec<bool> {
    (0..g.num_accounts() as Id)
        .map(|a| g.account_targets(a).len() >= cfg.min_shared_targets as usize)
        .collect()
}

/// Every target's eligible events as (time, account), each target's in (time, index) order,
/// gathered once: the census and every account then read a target's events as one run of
/// memory instead of reaching into the log's columns once per event (a cache miss each on a
/// large log).
struct TargetEvents {
    ev: Vec<Ev>,
    /// Target `t` owns `ev[off[t]..off[t + 1]]`.
    off: Vec<usize>,
}

/// One eligible event of a target: (time, account, whether the account has other events
/// on the same target). Sixteen bytes, the same as without the flag.
type Ev = (i64, Id, bool);

impl TargetEvents {
    fn new<G: TimeIndexed + Bipartite + Sync>(g: &G, eligible: &[bool]) -> Self {
        let (ts, actor) = (g.ts(), g.actor());
        let nt = g.num_targets();
        let counts: Vec<usize> = (0..nt as Id)
            .into_par_iter()
            .map(|t| {
                g.target_events(t)
                    .iter()
                    .filter(|&&i| eligible[actor[i as usize] as usize])
                    .count()
            })
            .collect();
        let mut off = Vec::with_capacity(nt + 1);
        off.push(0);
        for c in counts {
            off.push(off.last().copied().unwrap_or(0) + c);
        }
        let total = off[nt];
        let mut ev = vec![(0i64, 0 as Id, false); total];
        // Contiguous groups of targets with about equal events, each filling its own part.
        let cuts = balanced_cuts(&off, 8 * rayon::current_num_threads());
        let mut parts = Vec::with_capacity(cuts.len());
        let mut rest: &mut [Ev] = &mut ev;
        for w in cuts.windows(2) {
            let (part, tail) = rest.split_at_mut(off[w[1]] - off[w[0]]);
            parts.push((w[0], w[1], part));
            rest = tail;
        }
        parts.into_par_iter().for_each(|(t0, t1, part)| {
            let mut k = 0;
            let mut seen: Vec<Id> = Vec::new();
            for t in t0..t1 {
                let from = k;
                let events = g.target_events(t as Id);
                for &i in events {
                    let a = actor[i as usize];
                    if eligible[a as usize] {
                        part[k] = (ts[i as usize], a, false);
                        k += 1;
                    }
                }
                // Accounts with several events: only where the target has fewer accounts
                // than events.
                if events.len() > g.target_accounts(t as Id).len() {
                    seen.clear();
                    seen.extend(part[from..k].iter().map(|e| e.1));
                    seen.sort_unstable();
                    for e in &mut part[from..k] {
                        let lo = seen.partition_point(|&a| a < e.1);
                        e.2 = seen.get(lo + 1) == Some(&e.1);
                    }
                }
            }
        });
        Self { ev, off }
    }

    /// The eligible events on target `t`, by (time, index).
    #[inline]
    fn of(&self, t: Id) -> &[Ev] {
        &self.ev[self.off[t as usize]..self.off[t as usize + 1]]
    }
}

/// Cuts the items of a CSR offset array (`off`, one more entry than items, item `i` owning
/// `off[i]..off[i + 1]`) into at most `pieces` contiguous ranges of about equal size: the
/// ranges' bounds, from 0 to the number of items, for workers to take one range each.
fn balanced_cuts(off: &[usize], pieces: usize) -> Vec<usize> {
    let (n, total) = (
        off.len().saturating_sub(1),
        off.last().copied().unwrap_or(0),
    );
    let pieces = pieces.max(1);
    let mut cuts = vec![0usize];
    for k in 1..pieces {
        let i = off.partition_point(|&o| o < total * k / pieces).min(n);
        if i > *cuts.last().expect("cuts start with 0") {
            cuts.push(i);
        }
    }
    cuts.push(n);
    cuts.dedup();
    cuts
}

/// Calls `f(grid, start, end)` for every bucket of `m` (sorted by time), grid 0 first.
#[inline]
fn for_each_bucket(m: &[Ev], cfg: &LockstepConfig, mut f: impl FnMut(usize, usize, usize)) {
    for grid in 0..2 {
        let mut i = 0;
        while i < m.len() {
            let b = cfg.bucket(m[i].0, grid);
            let mut j = i + 1;
            while j < m.len() && cfg.bucket(m[j].0, grid) == b {
                j += 1;
            }
            f(grid, i, j);
            i = j;
        }
    }
}

/// The chunk length of a bucket of `n` events: `n`, or `max_bucket / 2` in a hot bucket.
/// Two events of a bucket pair when their chunks are the same or neighbours.
#[inline]
fn chunk_len(n: usize, cfg: &LockstepConfig) -> usize {
    if n > cfg.max_bucket {
        cfg.max_bucket / 2
    } else {
        n
    }
}

/// The positions `i..j` of the bucket on `grid` that holds position `p` of `m` (one target's
/// events sorted by time): a galloping search out from `p` on the bucket's time bounds, so a
/// small bucket costs a few reads and a hot one a logarithm.
#[inline]
fn bucket_span(m: &[Ev], cfg: &LockstepConfig, grid: usize, p: usize) -> (usize, usize) {
    let (lo_ts, hi_ts) = cfg.bucket_bounds(cfg.bucket(m[p].0, grid), grid);
    // Start: the first position of the bucket (everything before it is in earlier buckets).
    let (mut hi, mut step) = (p, 1);
    let start = loop {
        if hi == 0 {
            break 0;
        }
        let lo = hi.saturating_sub(step);
        if m[lo].0 < lo_ts {
            break lo + 1 + m[lo + 1..hi].partition_point(|e| e.0 < lo_ts);
        }
        (hi, step) = (lo, step * 2);
    };
    // End: one past the last position of the bucket.
    let (mut lo, mut step) = (p, 1);
    let end = loop {
        if lo + 1 == m.len() {
            break m.len();
        }
        let hi = (lo + step).min(m.len() - 1);
        if m[hi].0 >= hi_ts {
            break lo + 1 + m[lo + 1..hi].partition_point(|e| e.0 < hi_ts);
        }
        (lo, step) = (hi, step * 2);
    };
    (start, end)
}

/// Calls `f(y)` once for every event `y` of `m` (one target's events sorted by time) that
/// event `x` co-engages with and whose account is larger than `x`'s: the one place that
/// says which pairs of events make a co-engagement record.
///
/// Two events pair when their accounts differ and they share a bucket on grid 0 or grid 1;
/// in a hot bucket (more than `max_bucket` events) only when their chunks (`max_bucket / 2`
/// consecutive events) are the same or neighbours. A pair that grid 0 gives is not given
/// again by grid 1, so every pair of events is one record.
#[inline]
fn partners(m: &[Ev], cfg: &LockstepConfig, x: usize, mut f: impl FnMut(usize)) {
    let ax = m[x].1;
    // The positions `x` pairs with on `grid`: its chunk and the neighbouring ones.
    let reach = |grid: usize| {
        let (s, e) = bucket_span(m, cfg, grid, x);
        let c = chunk_len(e - s, cfg);
        let cx = (x - s) / c;
        (s + cx.saturating_sub(1) * c)..e.min(s + (cx + 2) * c)
    };
    let on0 = reach(0);
    for y in on0.clone() {
        if m[y].1 > ax {
            f(y);
        }
    }
    for y in reach(1) {
        if m[y].1 > ax && !on0.contains(&y) {
            f(y);
        }
    }
}

/// The number of bits needed to write `x`.
#[inline]
fn bits(x: u64) -> u32 {
    u64::BITS - x.leading_zeros()
}

/// Every eligible account's events as positions in [`TargetEvents`], by account: the
/// exchange by first account, so that one account's co-engagement records are made, sorted
/// and aggregated together in a small buffer.
struct AccountEvents {
    /// `target << 32 | position in TargetEvents::ev` (so that they sort by target, then
    /// position); account `a` owns `ev[off[a]..off[a + 1]]`, in no particular order.
    ev: Vec<u64>,
    off: Vec<usize>,
}

impl AccountEvents {
    fn new<G: TimeIndexed + Bipartite + Sync>(
        g: &G,
        eligible: &[bool],
        tev: &TargetEvents,
    ) -> Self {
        let na = g.num_accounts();
        let mut off = Vec::with_capacity(na + 1);
        off.push(0usize);
        for a in 0..na {
            let n = if eligible[a] {
                g.account_events(a as Id).len()
            } else {
                0
            };
            off.push(off[a] + n);
        }
        assert_eq!(
            off[na],
            tev.ev.len(),
            "the index's account and target events differ"
        );
        let cursor: Vec<AtomicUsize> = off[..na].iter().map(|&o| AtomicUsize::new(o)).collect();
        let ev: Vec<AtomicU64> = (0..tev.ev.len()).map(|_| AtomicU64::new(0)).collect();
        (0..g.num_targets())
            .into_par_iter()
            .with_min_len(256)
            .for_each(|t| {
                let from = tev.off[t];
                for (k, e) in tev.ev[from..tev.off[t + 1]].iter().enumerate() {
                    let at = cursor[e.1 as usize].fetch_add(1, Ordering::Relaxed);
                    ev[at].store((t as u64) << 32 | (from + k) as u64, Ordering::Relaxed);
                }
            });
        // The same allocation, no longer atomic.
        let ev = ev.into_iter().map(AtomicU64::into_inner).collect();
        Self { ev, off }
    }

    fn of(&self, a: usize) -> &[u64] {
        &self.ev[self.off[a]..self.off[a + 1]]
    }
}

/// A worker's buffers, reused from one account to the next.
#[derive(Default)]
struct Scratch {
    /// The account's events as in [`AccountEvents`], sorted by (target, position).
    events: Vec<u64>,
    /// Per target of the account: its events' range in `TargetEvents::ev`.
    bounds: Vec<(usize, usize)>,
    /// Records of one target: `b << ep_bits | episode`.
    target: Vec<u64>,
    /// Records of every target of the account, one per (second account, target).
    account: Vec<u64>,
}

/// Counters and ranges of one walk over every target's events.
struct Census {
    stats: LockstepStats,
    /// Smallest and largest episode of an eligible event.
    episodes: (u32, u32),
}

/// Counts the buckets of every target and finds the episode range.
fn census<G: Bipartite + Sync>(g: &G, cfg: &LockstepConfig, tev: &TargetEvents) -> Census {
    let zero = || Census {
        stats: LockstepStats::default(),
        episodes: (u32::MAX, 0),
    };
    (0..g.num_targets() as Id)
        .into_par_iter()
        .fold(zero, |mut c, t| {
            let m = tev.of(t);
            if m.len() < 2 {
                return c;
            }
            // Times are sorted, so the first and last events have the extreme episodes, unless
            // episode numbers wrap (times before 1970, or past `u32::MAX` episodes): then
            // every event's is looked at, so that no record's episode falls outside the range.
            let (first, last) = (cfg.episode(m[0].0), cfg.episode(m[m.len() - 1].0));
            let (e0, e1) = if m[0].0 >= 0 && first <= last && last < u32::MAX {
                (first, last)
            } else {
                m.iter().fold((u32::MAX, 0), |(lo, hi), e| {
                    let p = cfg.episode(e.0);
                    (lo.min(p), hi.max(p))
                })
            };
            c.episodes = (c.episodes.0.min(e0), c.episodes.1.max(e1));
            for_each_bucket(m, cfg, |_, i, j| {
                c.stats.buckets += 1;
                if j - i > cfg.max_bucket {
                    c.stats.hot_buckets += 1;
                    c.stats.hot_bucket_events += j - i;
                }
            });
            c
        })
        .reduce(zero, |mut x, y| {
            x.stats = x.stats.add(y.stats);
            x.episodes = (
                x.episodes.0.min(y.episodes.0),
                x.episodes.1.max(y.episodes.1),
            );
            x
        })
}

/// The rows of account `a` (as first account): every co-engagement record of its events,
/// deduplicated per (second account, target) keeping the earliest episode, then counted per
/// second account. Rows with fewer than `min_shared` shared targets are not built; the others
/// go to `rows` when `keep` accepts them, in order of the second account.
#[allow(clippy::too_many_arguments)]
fn account_rows<G: Bipartite>(
    g: &G,
    cfg: &LockstepConfig,
    tev: &TargetEvents,
    aev: &AccountEvents,
    a: Id,
    (ep0, ep_bits): (u32, u32),
    min_shared: u32,
    keep: &impl Fn(&PairStat) -> bool,
    s: &mut Scratch,
    st: &mut LockstepStats,
    rows: &mut Vec<PairStat>,
) {
    s.events.clear();
    s.events.extend_from_slice(aev.of(a as usize));
    s.events.sort_unstable();
    // Every target's bounds and the account's first event on it, read before the walk: loads
    // that do not wait for each other, so the processor overlaps their cache misses instead
    // of taking them one at a time inside the walk.
    s.bounds.clear();
    let mut touched = 0i64;
    let same_target = |x: &u64, y: &u64| x >> 32 == y >> 32;
    for group in s.events.chunk_by(same_target) {
        let t = (group[0] >> 32) as usize;
        s.bounds.push((tev.off[t], tev.off[t + 1]));
        touched ^= tev.ev[group[0] as u32 as usize].0;
    }
    std::hint::black_box(touched);
    s.account.clear();
    for (group, &(base, end)) in s.events.chunk_by(same_target).zip(&s.bounds) {
        let m = &tev.ev[base..end];
        if m.len() < 2 {
            continue;
        }
        s.target.clear();
        // A second account is recorded twice on this target only when one of the two has
        // several events on it.
        let mut repeated = group.len() > 1;
        for &k in group {
            let x = k as u32 as usize - base;
            // A record's episode is its earlier event's: `x`'s, or an earlier one's when that
            // lies before the start of `x`'s episode.
            let ep_x = cfg.episode(m[x].0);
            let ep_start = cfg.episode_start(m[x].0);
            partners(m, cfg, x, |y| {
                let ep = if m[y].0 >= ep_start {
                    ep_x
                } else {
                    cfg.episode(m[y].0)
                };
                s.target
                    .push((m[y].1 as u64) << ep_bits | (ep - ep0) as u64);
                repeated |= m[y].2;
            });
        }
        st.pair_records += s.target.len();
        if repeated {
            // Sorted by (second account, episode): the first of each account is the earliest.
            s.target.sort_unstable();
            s.target.dedup_by_key(|r| *r >> ep_bits);
        }
        st.pair_targets += s.target.len();
        s.account.extend_from_slice(&s.target);
    }
    st.max_account_records = st.max_account_records.max(s.account.len());
    s.account.sort_unstable();
    for run in s.account.chunk_by(|x, y| x >> ep_bits == y >> ep_bits) {
        st.pairs += 1;
        let shared = run.len() as u32;
        if shared < min_shared {
            continue;
        }
        let episodes = 1 + run.windows(2).filter(|w| w[0] != w[1]).count() as u32;
        let row = pair_stat(g, a, (run[0] >> ep_bits) as Id, shared, episodes);
        if keep(&row) {
            rows.push(row);
        }
    }
}

/// A pair row from its counts.
pub(crate) fn pair_stat<G: Bipartite>(g: &G, a: Id, b: Id, shared: u32, episodes: u32) -> PairStat {
    let union = g.account_targets(a).len() + g.account_targets(b).len() - shared as usize;
    PairStat {
        a,
        b,
        shared_targets: shared,
        episodes,
        jaccard: shared as f64 / union as f64,
    }
}

/// The rows of the pair table with at least `min_shared` shared targets that `keep`
/// accepts, sorted by `(a, b)`, and the run's counters.
///
/// Every target's eligible events are gathered by target (sorted by time) and, as
/// positions, by account. Then each eligible account `a`, on its own and in parallel with
/// the others, makes the co-engagement records of its events with events of larger
/// accounts (see [`partners`]), deduplicates them per (second account, target), sorts them
/// by second account and counts each run: the aggregation happens in a buffer the size of
/// one account's records, so the table is never materialised and nothing is sorted
/// globally.
pub(crate) fn pair_table_with_stats<G>(
    g: &G,
    cfg: &LockstepConfig,
    min_shared: u32,
    keep: impl Fn(&PairStat) -> bool + Sync,
) -> (Vec<PairStat>, LockstepStats)
where
    G: Bipartite + TimeIndexed + Sync,
{
    let eligible = eligible_accounts(g, cfg);
    let tev = TargetEvents::new(g, &eligible);
    let c = census(g, cfg, &tev);
    let mut st = LockstepStats {
        eligible_accounts: eligible.iter().filter(|&&e| e).count(),
        ..c.stats
    };
    if c.episodes.0 > c.episodes.1 {
        return (Vec::new(), st);
    }
    let ep = (c.episodes.0, bits((c.episodes.1 - c.episodes.0) as u64));
    let aev = AccountEvents::new(g, &eligible, &tev);
    // Contiguous ranges of accounts with about equal events, many more than workers so that a
    // busy range does not hold the others up; results come back in account order.
    let cuts = balanced_cuts(&aev.off, 32 * rayon::current_num_threads());
    let parts: Vec<(Vec<PairStat>, LockstepStats)> = cuts
        .par_windows(2)
        .map(|w| {
            let (mut s, mut st, mut rows) =
                (Scratch::default(), LockstepStats::default(), Vec::new());
            for a in (w[0]..w[1]).filter(|&a| eligible[a]) {
                account_rows(
                    g, cfg, &tev, &aev, a as Id, ep, min_shared, &keep, &mut s, &mut st, &mut rows,
                );
            }
            (rows, st)
        })
        .collect();
    let mut rows = Vec::with_capacity(parts.iter().map(|p| p.0.len()).sum());
    for (r, s) in parts {
        rows.extend_from_slice(&r);
        st.pair_records += s.pair_records;
        st.pair_targets += s.pair_targets;
        st.pairs += s.pairs;
        st.max_account_records = st.max_account_records.max(s.max_account_records);
    }
    (rows, st)
}

/// The similarity of every pair of accounts that co-engaged at least one target, from a log.
///
/// # Arguments
/// * `log` — the event log; `cfg.actions` selects the events.
/// * `cfg` — window, episode, bucket cap, eligibility.
///
/// # Returns
/// As [`pair_table_indexed`].
///
/// # Complexity
/// O(n log n) to index n events, then as [`pair_table_indexed`].
///
/// # Errors
/// [`crate::Error::InvalidInput`] for a bad config.
pub fn pair_table(log: &EventLog, cfg: &LockstepConfig) -> Result<Vec<PairStat>> {
    cfg.validate()?;
    let g = GraphIndex::build(log, cfg.actions);
    Ok(pair_table_with_stats(&g, cfg, 1, |_| true).0)
}

/// The similarity of every pair of eligible accounts that co-engaged at least one target.
///
/// Two events on a target co-engage when their accounts differ, both accounts are eligible
/// (at least `min_shared_targets` distinct targets) and the events share a bucket of width
/// `window_ms` on either grid (grid 1 shifted by half a window); in a hot bucket (more than
/// `max_bucket` eligible events) they must also lie in the same or neighbouring chunks of
/// `max_bucket / 2` consecutive events.
///
/// # Arguments
/// * `g` — the index (its action filter decides which events count).
/// * `cfg` — window, episode, bucket cap, `min_shared_targets` for eligibility.
///
/// # Returns
/// One row per pair, sorted by `(a, b)`.
///
/// # Errors
/// [`crate::Error::InvalidInput`] for a bad config.
///
/// # Complexity
/// R ≤ Σ over buckets of min(n², n · max_bucket) co-engagement records, each made once
/// from the event of its smaller account (which reads the candidates of its bucket chunk,
/// about 2R reads in all); sorting is O(R log r) for r the most records of one account, in
/// a buffer that stays in the cache for all but the busiest accounts.
/// Memory: 25 bytes per eligible event (by target and by account), 8 bytes per record of
/// the busiest account per worker, plus the rows returned.
pub fn pair_table_indexed<G>(g: &G, cfg: &LockstepConfig) -> Result<Vec<PairStat>>
where
    G: Bipartite + TimeIndexed + Sync,
{
    cfg.validate()?;
    Ok(pair_table_with_stats(g, cfg, 1, |_| true).0)
}

#[cfg(test)]
mod tests {
    use lockstep_core::{EventLogBuilder, RawEvent};

    use super::*;

    /// The pairs of events of `m` (one target's events sorted by time), as accounts.
    fn pairs_of(m: &[Ev], cfg: &LockstepConfig) -> Vec<(Id, Id)> {
        let mut out = Vec::new();
        for x in 0..m.len() {
            partners(m, cfg, x, |y| out.push((m[x].1, m[y].1)));
        }
        out
    }

    #[test]
    fn buckets_pair_distinct_accounts_and_hot_buckets_pair_neighbour_chunks() {
        let cfg = LockstepConfig {
            max_bucket: 4,
            ..LockstepConfig::default()
        };
        assert_eq!(
            pairs_of(&[(0, 1, true), (1, 2, false), (2, 1, true)], &cfg),
            vec![(1, 2), (1, 2)]
        );
        // 6 events > 4: chunks of 2; event 0 pairs with 1, 2, 3 but not 4, 5.
        let m: Vec<Ev> = (0..6).map(|k| (k as i64, k as Id, false)).collect();
        let out = pairs_of(&m, &cfg);
        assert!(out.contains(&(0, 3)));
        assert!(!out.contains(&(0, 4)));
        assert!(out.contains(&(2, 5)));
        assert!(out.contains(&(4, 5)));
    }

    #[test]
    fn bucket_spans_are_the_runs_of_equal_buckets() {
        let cfg = LockstepConfig {
            window_ms: 10,
            ..LockstepConfig::default()
        };
        let times = [
            0, 1, 1, 9, 10, 14, 15, 15, 16, 29, 30, 100, 101, 102, 103, 104, 105,
        ];
        let m: Vec<Ev> = times.iter().map(|&t| (t, 0, false)).collect();
        for grid in 0..2 {
            for p in 0..m.len() {
                let b = cfg.bucket(m[p].0, grid);
                let want_start = m.iter().position(|e| cfg.bucket(e.0, grid) == b).unwrap();
                let want_end = m.iter().rposition(|e| cfg.bucket(e.0, grid) == b).unwrap() + 1;
                assert_eq!(
                    bucket_span(&m, &cfg, grid, p),
                    (want_start, want_end),
                    "grid {grid}, p {p}"
                );
            }
        }
    }

    /// Pushes a like of `target` by `actor` at `ts` as input line `line + 1`.
    fn like(b: &mut EventLogBuilder, ts: i64, actor: &str, target: &str, line: usize) {
        b.push(&RawEvent::new(ts, actor, "like", target, line as u32 + 1))
            .unwrap();
    }

    #[test]
    fn a_pair_in_both_grids_is_one_record() {
        let cfg = LockstepConfig {
            min_shared_targets: 1,
            ..LockstepConfig::default()
        };
        let w = cfg.window_ms;
        let mut b = EventLogBuilder::new();
        // Two events a minute apart, both inside one grid-0 and one grid-1 bucket; a third
        // across the grid-0 edge pairs on grid 1 only.
        for (line, (ts, actor)) in [(w / 2 + 1, "u1"), (w / 2 + 60_001, "u2"), (w + 10, "u3")]
            .into_iter()
            .enumerate()
        {
            like(&mut b, ts, actor, "p", line);
        }
        let log = b.finish();
        assert_eq!(cfg.bucket(w / 2 + 1, 0), cfg.bucket(w / 2 + 60_001, 0));
        assert_eq!(cfg.bucket(w / 2 + 1, 1), cfg.bucket(w / 2 + 60_001, 1));
        assert_ne!(cfg.bucket(w / 2 + 1, 0), cfg.bucket(w + 10, 0));
        assert_eq!(cfg.bucket(w / 2 + 1, 1), cfg.bucket(w + 10, 1));
        let g = GraphIndex::build(&log, cfg.actions);
        let (rows, st) = pair_table_with_stats(&g, &cfg, 1, |_| true);
        // u1–u2 on grid 0 (not again on grid 1), u1–u3 and u2–u3 on grid 1.
        assert_eq!(st.pair_records, 3);
        assert_eq!(st.pair_targets, 3);
        assert_eq!(rows, crate::reference::lockstep::pair_table(&log, &cfg));
    }

    #[test]
    fn bucket_bounds_and_episode_starts_agree_with_the_divisions() {
        let cfg = LockstepConfig {
            window_ms: 7,
            episode_ms: 25,
            ..LockstepConfig::default()
        };
        for ts in 0..200i64 {
            for g in 0..2 {
                let b = cfg.bucket(ts, g);
                let (lo, hi) = cfg.bucket_bounds(b, g);
                assert!((lo..hi).contains(&ts), "ts {ts}, grid {g}");
                assert_eq!(cfg.bucket(lo, g), b);
                assert_eq!(cfg.bucket(hi - 1, g), b);
                assert_eq!(cfg.bucket(hi, g), b + 1);
            }
            let s = cfg.episode_start(ts);
            assert!(s <= ts && cfg.episode(s) == cfg.episode(ts));
            assert_ne!(cfg.episode(s - 1), cfg.episode(ts));
        }
    }

    #[test]
    fn times_before_1970_and_tiny_episodes_do_not_break_the_packing() {
        let mut b = EventLogBuilder::new();
        // Each target's three likes straddle 1970 (episode −1, stored as `u32::MAX`, then 0),
        // or lie so late that a 1 ms episode number wraps.
        let times = [-1i64, -60_000, 5_000_000_000_000, (u32::MAX as i64) - 1];
        for (k, &ts) in times.iter().enumerate() {
            for (j, actor) in ["u1", "u2", "u3"].into_iter().enumerate() {
                like(&mut b, ts + j as i64, actor, &format!("p{k}"), 3 * k + j);
            }
        }
        let log = b.finish();
        for episode_ms in [1, 6 * 3_600_000] {
            let cfg = LockstepConfig {
                episode_ms,
                min_shared_targets: 1,
                ..LockstepConfig::default()
            };
            let g = GraphIndex::build(&log, cfg.actions);
            let (rows, st) = pair_table_with_stats(&g, &cfg, 1, |_| true);
            assert_eq!(rows.len(), 3, "episode_ms {episode_ms}");
            assert!(rows.iter().all(|p| p.shared_targets == 4));
            assert_eq!(st.pair_targets, 12);
        }
    }

    #[test]
    fn balanced_cuts_cover_every_item_once_in_order() {
        // Items of sizes 5, 0, 1, 9, 1, 0: offsets 0 5 5 6 15 16 16.
        let off = [0, 5, 5, 6, 15, 16, 16];
        for pieces in [0, 1, 2, 3, 6, 50] {
            let cuts = balanced_cuts(&off, pieces);
            assert_eq!((cuts[0], *cuts.last().unwrap()), (0, 6), "pieces {pieces}");
            assert!(cuts.windows(2).all(|w| w[0] < w[1]), "pieces {pieces}");
            assert!(cuts.len() <= pieces.max(1) + 1);
        }
        assert_eq!(balanced_cuts(&[0], 4), vec![0]);
    }

    #[test]
    fn grids_overlap_by_half_a_window() {
        let cfg = LockstepConfig::default();
        let w = cfg.window_ms;
        // Across a grid-0 edge, but inside one grid-1 bucket.
        assert_ne!(cfg.bucket(w - 1, 0), cfg.bucket(w + 1, 0));
        assert_eq!(cfg.bucket(w - 1, 1), cfg.bucket(w + 1, 1));
    }

    fn random_log(seed: u64, n: usize) -> EventLog {
        // A small linear congruential generator: enough to vary the inputs.
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut next = |k: u64| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) % k
        };
        let mut b = EventLogBuilder::new();
        for line in 0..n {
            let (ts, actor, target) = (next(4_000) as i64 * 1_000, next(40), next(12));
            like(
                &mut b,
                ts,
                &format!("u{actor}"),
                &format!("p{target}"),
                line,
            );
        }
        b.finish()
    }

    #[test]
    fn the_table_is_the_reference_table_with_hot_buckets_or_without() {
        // Hot buckets everywhere (6), some (12), none (1000): both ways grid 1 skips what
        // grid 0 paired.
        for (seed, max_bucket) in (0..9).zip([6, 12, 1000].into_iter().cycle()) {
            let log = random_log(seed, 600);
            let cfg = LockstepConfig {
                window_ms: 600_000,
                episode_ms: 400_000,
                max_bucket,
                min_shared_targets: 2,
                ..LockstepConfig::default()
            };
            let g = GraphIndex::build(&log, cfg.actions);
            let (all, st) = pair_table_with_stats(&g, &cfg, 1, |_| true);
            assert!(!all.is_empty());
            assert_eq!(
                all,
                crate::reference::lockstep::pair_table(&log, &cfg),
                "seed {seed}"
            );
            assert_eq!(st.pairs, all.len());
            assert_eq!(
                st.pair_targets,
                all.iter().map(|p| p.shared_targets as usize).sum::<usize>()
            );
            assert!(st.pair_records >= st.pair_targets);
            // Fewer shared targets than asked for: not built; `keep` filters the rest.
            let strong: Vec<_> = all.iter().filter(|p| p.shared_targets >= 3).collect();
            let (got, st3) = pair_table_with_stats(&g, &cfg, 3, |_| true);
            assert_eq!(got.iter().collect::<Vec<_>>(), strong, "seed {seed}");
            assert_eq!(st3, st, "the same work whatever is kept");
            let (got, _) = pair_table_with_stats(&g, &cfg, 1, |p| p.shared_targets >= 3);
            assert_eq!(got.iter().collect::<Vec<_>>(), strong, "seed {seed}");
        }
    }
}
