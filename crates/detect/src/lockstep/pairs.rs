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

/// Whether the accounts may form a strong pair at all: at least `min_shared_targets`
/// distinct targets.
fn eligible_accounts<G: Bipartite>(g: &G, min_shared_targets: u32) -> Vec<bool> {
    (0..g.num_accounts() as Id)
        .map(|a| g.account_targets(a).len() >= min_shared_targets as usize)
        .collect()
}

/// An index's eligible events gathered by target and by account: what every lockstep pass
/// over that index with the same `min_shared_targets` reads, whatever its buckets, so passes
/// at two time scales gather them once.
pub(crate) struct PairEvents {
    /// The eligibility they were gathered for.
    pub(crate) min_shared_targets: u32,
    /// The index's account and target id spaces, to check that a pass reads the same index.
    pub(crate) space: (usize, usize),
    eligible: Vec<bool>,
    tev: TargetEvents,
    aev: AccountEvents,
}

impl PairEvents {
    /// Gathers the events of `g`'s accounts with at least `min_shared_targets` targets.
    pub(crate) fn new<G: Bipartite + TimeIndexed + Sync>(g: &G, min_shared_targets: u32) -> Self {
        let eligible = eligible_accounts(g, min_shared_targets);
        let tev = TargetEvents::new(g, &eligible);
        let aev = AccountEvents::new(g, &eligible, &tev);
        Self {
            min_shared_targets,
            space: (g.num_accounts(), g.num_targets()),
            eligible,
            tev,
            aev,
        }
    }
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

/// Where every target's buckets start on both grids, found once: an event's bucket is then a
/// binary search in its target's short list of starts, where a search of the target's events
/// by time would read far into a hot bucket for every event of the bucket.
struct BucketStarts {
    /// Target `t`'s entries start at `at[off[t]]`: the number `k` of its buckets on grid 0,
    /// their `k` start positions (in [`TargetEvents::of`]) and its number of events; then
    /// the same list for grid 1 without the count.
    at: Vec<u32>,
    off: Vec<usize>,
}

impl BucketStarts {
    fn new(cfg: &LockstepConfig, tev: &TargetEvents) -> Self {
        let cuts = balanced_cuts(&tev.off, 8 * rayon::current_num_threads());
        // Per part of the targets: their entries, and each target's number of entries.
        let parts: Vec<(Vec<u32>, Vec<usize>)> = cuts
            .par_windows(2)
            .map(|w| {
                let (mut at, mut len) = (Vec::new(), Vec::with_capacity(w[1] - w[0]));
                let mut grid1 = Vec::new();
                for t in w[0]..w[1] {
                    let m = tev.of(t as Id);
                    if !has_large_bucket(m, cfg) {
                        len.push(0);
                        continue;
                    }
                    let from = at.len();
                    at.push(0);
                    grid1.clear();
                    for_each_bucket(m, cfg, |grid, i, _| {
                        if grid == 0 {
                            at.push(i as u32);
                        } else {
                            grid1.push(i as u32);
                        }
                    });
                    at[from] = (at.len() - from - 1) as u32;
                    at.push(m.len() as u32);
                    at.extend_from_slice(&grid1);
                    at.push(m.len() as u32);
                    len.push(at.len() - from);
                }
                (at, len)
            })
            .collect();
        let mut off = Vec::with_capacity(tev.off.len());
        off.push(0);
        let mut at = Vec::with_capacity(parts.iter().map(|p| p.0.len()).sum());
        for (a, len) in parts {
            at.extend_from_slice(&a);
            for n in len {
                off.push(off.last().copied().unwrap_or(0) + n);
            }
        }
        Self { at, off }
    }

    /// Where target `t`'s entries are in `at`: an empty range when it has no bucket larger
    /// than [`LARGE_BUCKET`].
    #[inline]
    fn range(&self, t: usize) -> (usize, usize) {
        (self.off[t], self.off[t + 1])
    }

    /// The bucket starts on grid 0 and on grid 1, each followed by the number of events, of
    /// the target whose entries are `at[from..to]` (a non-empty [`BucketStarts::range`]).
    #[inline]
    fn lists(&self, (from, to): (usize, usize)) -> [&[u32]; 2] {
        let e = &self.at[from..to];
        let k = e[0] as usize;
        [&e[1..k + 2], &e[k + 2..]]
    }
}

/// A bucket larger than this is found from [`BucketStarts`]; a smaller one by a galloping
/// search of its target's events ([`bucket_span`]), a few reads next to the event's own.
const LARGE_BUCKET: usize = 8;

/// Whether any bucket of `m` (one target's events sorted by time) on either grid has more
/// than [`LARGE_BUCKET`] events.
fn has_large_bucket(m: &[Ev], cfg: &LockstepConfig) -> bool {
    if m.len() <= LARGE_BUCKET {
        return false;
    }
    let mut large = false;
    for_each_bucket(m, cfg, |_, i, j| large |= j - i > LARGE_BUCKET);
    large
}

/// The positions `i..j` of the bucket that holds position `p`, from the bucket starts of one
/// grid of its target (as [`BucketStarts::lists`]).
#[inline]
fn span_in(starts: &[u32], p: usize) -> (usize, usize) {
    let k = starts.partition_point(|&s| s as usize <= p);
    (starts[k - 1] as usize, starts[k] as usize)
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

/// Writes to `out[..n]`, and returns `n`, the positions of the events `y` of `m` (one
/// target's events sorted by time) that event `x` co-engages with and whose account is
/// larger than `x`'s, in increasing order: the one place that says which pairs of events
/// make a co-engagement record. `spans` are the positions of `x`'s bucket on grid 0 and on
/// grid 1. `out` grows when it is too short.
///
/// Two events pair when their accounts differ and they share a bucket on grid 0 or grid 1;
/// in a hot bucket (more than `max_bucket` events) only when their chunks (`max_bucket / 2`
/// consecutive events) are the same or neighbours. A pair that grid 0 gives is not given
/// again by grid 1, so every pair of events is one record.
///
/// Every candidate is written and the next one overwrites it unless its account is larger:
/// in a busy bucket about half the candidates are, in no order a branch could predict.
#[inline]
fn partners(
    m: &[Ev],
    cfg: &LockstepConfig,
    spans: [(usize, usize); 2],
    x: usize,
    out: &mut Vec<u32>,
) -> usize {
    let ax = m[x].1;
    // The positions `x` pairs with on `grid`: its chunk and the neighbouring ones.
    let reach = |grid: usize| {
        let (s, e) = spans[grid];
        let c = chunk_len(e - s, cfg);
        let cx = (x - s) / c;
        (s + cx.saturating_sub(1) * c)..e.min(s + (cx + 2) * c)
    };
    let on0 = reach(0);
    let on1 = reach(1);
    // Grid 1's positions outside grid 0's: before it and after it (both ranges are runs,
    // either may be empty).
    let before = on1.start..on1.end.min(on0.start).max(on1.start);
    let after = on1.start.max(on0.end).min(on1.end)..on1.end;
    let most = before.len() + on0.len() + after.len();
    if out.len() < most {
        out.resize(most, 0);
    }
    let mut n = 0;
    for run in [before, on0, after] {
        for (y, e) in m[run.clone()].iter().enumerate() {
            out[n] = (run.start + y) as u32;
            n += usize::from(e.1 > ax);
        }
    }
    n
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
    /// Per target of the account: its events' range in `TargetEvents::ev` and its entries'
    /// range in `BucketStarts::at`.
    bounds: Vec<[usize; 4]>,
    /// Records of one target: `b << ep_bits | episode` (sorted aggregation).
    target: Vec<u64>,
    /// Records of every target of the account, one per (second account, target) (sorted
    /// aggregation).
    account: Vec<u64>,
    /// Per account of the log: its position in `partners`, or [`NO_SLOT`] (counted
    /// aggregation; empty in the sorted one). Reset after each first account.
    slot: Vec<u32>,
    /// The second accounts of the current first account (counted aggregation).
    partners: Vec<Partner>,
    /// The partners of one event (see [`partners`]).
    found: Vec<u32>,
}

/// An account that is no current first account's partner, in [`Scratch::slot`].
const NO_SLOT: u32 = u32::MAX;

/// One second account of the current first account, in the counted aggregation: its
/// targets and episodes so far, and the target whose records are still coming in.
#[derive(Debug, Clone, Copy)]
struct Partner {
    /// The second account.
    b: Id,
    /// The ordinal (from 1) of the first account's target whose records `ep` is the
    /// earliest episode of; that target is not yet in `shared` and `episodes`.
    target: u32,
    /// The earliest episode (relative to the log's first) of the records on `target`.
    ep: u32,
    /// Shared targets before `target`.
    shared: u32,
    /// The episodes (relative to the log's first) of the shared targets before `target`,
    /// one bit each, each target counted at its earliest episode.
    episodes: u64,
}

impl Partner {
    /// Adds the pending target to the counts.
    #[inline]
    fn commit(&mut self) {
        self.shared += 1;
        self.episodes |= 1 << self.ep;
    }
}

/// The most episodes (of the log's first to its last) the counted aggregation can hold: one
/// bit each in [`Partner::episodes`]. Longer logs are aggregated by sorting.
const COUNTED_EPISODES: u32 = u64::BITS;

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

/// What every account's walk reads: the index, the events by target and by account, the
/// buckets, and how records are packed and which rows are built.
struct Walk<'a, G> {
    g: &'a G,
    cfg: &'a LockstepConfig,
    tev: &'a TargetEvents,
    aev: &'a AccountEvents,
    starts: &'a BucketStarts,
    /// The log's first episode and the bits of an episode relative to it.
    ep0: u32,
    ep_bits: u32,
    /// Rows with fewer shared targets are not built.
    min_shared: u32,
}

impl<G> Walk<'_, G> {
    /// The spans of the buckets (grid 0, grid 1) of position `x` of `m`, a target's events
    /// whose bucket starts are at `starts` (its [`BucketStarts::range`]).
    #[inline]
    fn spans(&self, m: &[Ev], starts: (usize, usize), x: usize) -> [(usize, usize); 2] {
        if starts.0 == starts.1 {
            [
                bucket_span(m, self.cfg, 0, x),
                bucket_span(m, self.cfg, 1, x),
            ]
        } else {
            let bk = self.starts.lists(starts);
            [span_in(bk[0], x), span_in(bk[1], x)]
        }
    }
}

/// The rows of account `a` (as first account): every co-engagement record of its events,
/// deduplicated per (second account, target) keeping the earliest episode, then counted per
/// second account. Rows with fewer than `min_shared` shared targets are not built; the others
/// go to `rows` when `keep` accepts them, in order of the second account.
fn account_rows<G: Bipartite>(
    w: &Walk<'_, G>,
    a: Id,
    keep: &impl Fn(&PairStat) -> bool,
    s: &mut Scratch,
    st: &mut LockstepStats,
    rows: &mut Vec<PairStat>,
) {
    let (cfg, tev) = (w.cfg, w.tev);
    s.events.clear();
    s.events.extend_from_slice(w.aev.of(a as usize));
    s.events.sort_unstable();
    // Every target's bounds and the account's first event on it, read before the walk: loads
    // that do not wait for each other, so the processor overlaps their cache misses instead
    // of taking them one at a time inside the walk.
    s.bounds.clear();
    let mut touched = 0i64;
    let same_target = |x: &u64, y: &u64| x >> 32 == y >> 32;
    for group in s.events.chunk_by(same_target) {
        let t = (group[0] >> 32) as usize;
        let (from, to) = w.starts.range(t);
        s.bounds.push([tev.off[t], tev.off[t + 1], from, to]);
        touched ^= tev.ev[group[0] as u32 as usize].0;
        if from < to {
            touched ^= w.starts.at[from] as i64;
        }
    }
    std::hint::black_box(touched);
    if !s.slot.is_empty() {
        return counted_rows(w, a, keep, s, st, rows);
    }
    let (ep0, ep_bits) = (w.ep0, w.ep_bits);
    s.account.clear();
    for (group, &[base, end, from, to]) in s.events.chunk_by(same_target).zip(&s.bounds) {
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
            let n = partners(m, cfg, w.spans(m, (from, to), x), x, &mut s.found);
            for &y in &s.found[..n] {
                let y = y as usize;
                let ep = if m[y].0 >= ep_start {
                    ep_x
                } else {
                    cfg.episode(m[y].0)
                };
                s.target
                    .push((m[y].1 as u64) << ep_bits | (ep - ep0) as u64);
                repeated |= m[y].2;
            }
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
        if shared < w.min_shared {
            continue;
        }
        let episodes = 1 + run.windows(2).filter(|w| w[0] != w[1]).count() as u32;
        let row = pair_stat(w.g, a, (run[0] >> ep_bits) as Id, shared, episodes);
        if keep(&row) {
            rows.push(row);
        }
    }
}

/// [`account_rows`] after its prologue, when the log's episodes fit [`COUNTED_EPISODES`]:
/// each record goes straight to its second account's [`Partner`] (found through
/// `Scratch::slot`), which keeps the earliest episode of the target being walked and counts
/// the targets and episodes before it. No record is stored and nothing is sorted but the
/// rows kept; the counts, rows and counters are those of the sorted aggregation.
fn counted_rows<G: Bipartite>(
    w: &Walk<'_, G>,
    a: Id,
    keep: &impl Fn(&PairStat) -> bool,
    s: &mut Scratch,
    st: &mut LockstepStats,
    rows: &mut Vec<PairStat>,
) {
    let (cfg, tev, ep0) = (w.cfg, w.tev, w.ep0);
    let (mut records, mut pair_targets) = (0usize, 0usize);
    let mut ordinal = 0u32;
    let (slot, seen, found) = (&mut s.slot, &mut s.partners, &mut s.found);
    let same_target = |x: &u64, y: &u64| x >> 32 == y >> 32;
    for (group, &[base, end, from, to]) in s.events.chunk_by(same_target).zip(&s.bounds) {
        let m = &tev.ev[base..end];
        if m.len() < 2 {
            continue;
        }
        ordinal += 1;
        for &k in group {
            let x = k as u32 as usize - base;
            // A record's episode is its earlier event's (see `account_rows`).
            let ep_x = cfg.episode(m[x].0) - ep0;
            let ep_start = cfg.episode_start(m[x].0);
            let n = partners(m, cfg, w.spans(m, (from, to), x), x, found);
            records += n;
            for &y in &found[..n] {
                let y = y as usize;
                let ep = if m[y].0 >= ep_start {
                    ep_x
                } else {
                    cfg.episode(m[y].0) - ep0
                };
                let b = m[y].1;
                let at = &mut slot[b as usize];
                if *at == NO_SLOT {
                    *at = seen.len() as u32;
                    seen.push(Partner {
                        b,
                        target: ordinal,
                        ep,
                        shared: 0,
                        episodes: 0,
                    });
                    pair_targets += 1;
                } else {
                    let p = &mut seen[*at as usize];
                    if p.target != ordinal {
                        p.commit();
                        (p.target, p.ep) = (ordinal, ep);
                        pair_targets += 1;
                    } else if ep < p.ep {
                        p.ep = ep;
                    }
                }
            }
        }
    }
    st.pair_records += records;
    st.pair_targets += pair_targets;
    st.max_account_records = st.max_account_records.max(pair_targets);
    st.pairs += seen.len();
    let first = rows.len();
    for p in seen.iter_mut() {
        p.commit();
        slot[p.b as usize] = NO_SLOT;
        if p.shared >= w.min_shared {
            let row = pair_stat(w.g, a, p.b, p.shared, p.episodes.count_ones());
            if keep(&row) {
                rows.push(row);
            }
        }
    }
    seen.clear();
    rows[first..].sort_unstable_by_key(|r| r.b);
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
/// accounts (see [`partners`]) and counts them per second account: each record updates
/// that account's [`Partner`] — the earliest episode on the target being walked, the
/// targets and the episodes (one bit each) before it — found through a table indexed by
/// account. When the log's episodes do not fit the bits, the records are deduplicated per
/// (second account, target), sorted by second account and each run counted instead. Either
/// way the aggregation happens in buffers the size of one account's partners, so the table
/// is never materialised and nothing is sorted globally.
pub(crate) fn pair_table_with_stats<G>(
    g: &G,
    cfg: &LockstepConfig,
    min_shared: u32,
    keep: impl Fn(&PairStat) -> bool + Sync,
) -> (Vec<PairStat>, LockstepStats)
where
    G: Bipartite + TimeIndexed + Sync,
{
    let ev = PairEvents::new(g, cfg.min_shared_targets);
    pair_table_of(g, &ev, cfg, min_shared, keep, true)
}

/// [`pair_table_with_stats`] on events gathered already (for `cfg.min_shared_targets`, from
/// `g`); with `counted` false every account is aggregated by sorting.
pub(crate) fn pair_table_of<G>(
    g: &G,
    ev: &PairEvents,
    cfg: &LockstepConfig,
    min_shared: u32,
    keep: impl Fn(&PairStat) -> bool + Sync,
    counted: bool,
) -> (Vec<PairStat>, LockstepStats)
where
    G: Bipartite + TimeIndexed + Sync,
{
    debug_assert_eq!(ev.min_shared_targets, cfg.min_shared_targets);
    debug_assert_eq!(ev.space, (g.num_accounts(), g.num_targets()));
    let (eligible, tev, aev) = (&ev.eligible, &ev.tev, &ev.aev);
    let c = census(g, cfg, tev);
    let mut st = LockstepStats {
        eligible_accounts: eligible.iter().filter(|&&e| e).count(),
        ..c.stats
    };
    if c.episodes.0 > c.episodes.1 {
        return (Vec::new(), st);
    }
    let starts = BucketStarts::new(cfg, tev);
    let walk = Walk {
        g,
        cfg,
        tev,
        aev,
        starts: &starts,
        ep0: c.episodes.0,
        ep_bits: bits((c.episodes.1 - c.episodes.0) as u64),
        min_shared,
    };
    // Contiguous ranges of accounts with about equal events, many more than workers so that a
    // busy range does not hold the others up; results come back in account order.
    let cuts = balanced_cuts(&aev.off, 32 * rayon::current_num_threads());
    // Counted aggregation when every episode has its bit, sorted otherwise.
    let counted = counted && c.episodes.1 - c.episodes.0 < COUNTED_EPISODES;
    let scratch = || Scratch {
        slot: if counted {
            vec![NO_SLOT; g.num_accounts()]
        } else {
            Vec::new()
        },
        ..Scratch::default()
    };
    let parts: Vec<(Vec<PairStat>, LockstepStats)> = cuts
        .par_windows(2)
        .map_init(scratch, |s, w| {
            let (mut st, mut rows) = (LockstepStats::default(), Vec::new());
            for a in (w[0]..w[1]).filter(|&a| eligible[a]) {
                account_rows(&walk, a as Id, &keep, s, &mut st, &mut rows);
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
/// about 2R reads in all) and counted in O(1); an event's bucket is a galloping search or,
/// in a target with buckets of more than a few dozen events, a binary search of the
/// target's bucket starts. In a log of more than 64 episodes, O(R log r) to sort instead,
/// for r the most records of one account.
/// Memory: 25 bytes per eligible event (by target and by account), 4 bytes per bucket of
/// the targets with large buckets, and per worker 4 bytes per account of the index plus 24
/// bytes per partner of the busiest account (8 bytes per record when sorting), plus the
/// rows returned.
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
            let spans = [bucket_span(m, cfg, 0, x), bucket_span(m, cfg, 1, x)];
            let mut found = Vec::new();
            let n = partners(m, cfg, spans, x, &mut found);
            out.extend(found[..n].iter().map(|&y| (m[x].1, m[y as usize].1)));
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

    #[test]
    fn bucket_starts_give_the_spans_of_the_galloping_search() {
        // 3 000 likes on 12 posts in 66 minutes: buckets of ten minutes hold dozens.
        for (seed, window_ms) in [(1, 600_000), (2, 60_000), (3, 7_000_000)] {
            let log = random_log(seed, 3_000);
            let cfg = LockstepConfig {
                window_ms,
                min_shared_targets: 1,
                ..LockstepConfig::default()
            };
            let g = GraphIndex::build(&log, cfg.actions);
            let ev = PairEvents::new(&g, cfg.min_shared_targets);
            let starts = BucketStarts::new(&cfg, &ev.tev);
            let mut large = 0;
            for t in 0..g.num_targets() {
                let m = ev.tev.of(t as Id);
                let range = starts.range(t);
                assert_eq!(range.0 < range.1, has_large_bucket(m, &cfg), "target {t}");
                if range.0 == range.1 {
                    continue;
                }
                large += 1;
                for (grid, list) in starts.lists(range).into_iter().enumerate() {
                    for p in 0..m.len() {
                        assert_eq!(
                            span_in(list, p),
                            bucket_span(m, &cfg, grid, p),
                            "seed {seed}, target {t}, grid {grid}, p {p}"
                        );
                    }
                }
            }
            assert!(large > 0, "seed {seed}: no target with a large bucket");
        }
    }

    #[test]
    fn counted_and_sorted_aggregation_give_the_reference_table() {
        // Large buckets (found from the bucket starts), hot ones (8) or not (1000), and
        // episodes that fit the counted aggregation's bits (400 s) or not (10 s).
        for (seed, (max_bucket, episode_ms)) in (10..16).zip(
            [(8, 400_000), (1000, 400_000), (8, 10_000)]
                .into_iter()
                .cycle(),
        ) {
            let log = random_log(seed, 2_000);
            let cfg = LockstepConfig {
                window_ms: 600_000,
                episode_ms,
                max_bucket,
                min_shared_targets: 2,
                ..LockstepConfig::default()
            };
            let g = GraphIndex::build(&log, cfg.actions);
            let ev = PairEvents::new(&g, cfg.min_shared_targets);
            let (counted, st) = pair_table_of(&g, &ev, &cfg, 1, |_| true, true);
            let (sorted, st_sorted) = pair_table_of(&g, &ev, &cfg, 1, |_| true, false);
            assert_eq!(counted, sorted, "seed {seed}");
            assert_eq!(st, st_sorted, "seed {seed}");
            assert_eq!(
                counted,
                crate::reference::lockstep::pair_table(&log, &cfg),
                "seed {seed}"
            );
            assert!(counted.iter().any(|p| p.episodes > 1), "seed {seed}");
        }
    }
}
