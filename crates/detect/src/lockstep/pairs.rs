//! The pair similarity table: partition by target, pair within time buckets, exchange by
//! first account, aggregate one range of first accounts at a time.

use std::sync::{Mutex, PoisonError};

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

/// Bins of the first-account histogram the passes are planned from.
const BINS: usize = 4096;

/// Whether the accounts may form a strong pair at all: enough distinct targets.
pub(crate) fn eligible_accounts<G: Bipartite>(g: &G, cfg: &LockstepConfig) -> Vec<bool> {
    (0..g.num_accounts() as Id)
        .map(|a| g.account_targets(a).len() >= cfg.min_shared_targets as usize)
        .collect()
}

/// Every target's eligible events as (time, account), each target's in (time, index) order,
/// gathered once: the census and every pass then read a target's events as one run of memory
/// instead of reaching into the log's columns once per event and pass (a cache miss each on a
/// large log).
struct TargetEvents {
    ev: Vec<(i64, Id)>,
    /// Per event: whether its account has other events on the same target.
    repeat: Vec<bool>,
    /// Target `t` owns `ev[off[t]..off[t + 1]]` (and the same range of `repeat`).
    off: Vec<usize>,
}

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
        let mut ev = vec![(0i64, 0 as Id); total];
        let mut repeat = vec![false; total];
        // Contiguous groups of targets with about equal events, each filling its own part.
        let groups = (8 * rayon::current_num_threads()).max(1);
        let mut cuts = vec![0usize];
        for k in 1..groups {
            let t = off.partition_point(|&o| o < total * k / groups).min(nt);
            if t > *cuts.last().expect("cuts start with 0") {
                cuts.push(t);
            }
        }
        cuts.push(nt);
        cuts.dedup();
        let mut parts = Vec::with_capacity(cuts.len());
        let (mut rest, mut rest_rep): (&mut [(i64, Id)], &mut [bool]) = (&mut ev, &mut repeat);
        for w in cuts.windows(2) {
            let n = off[w[1]] - off[w[0]];
            let (part, tail) = rest.split_at_mut(n);
            let (part_rep, tail_rep) = rest_rep.split_at_mut(n);
            parts.push((w[0], w[1], part, part_rep));
            (rest, rest_rep) = (tail, tail_rep);
        }
        parts.into_par_iter().for_each(|(t0, t1, part, part_rep)| {
            let mut k = 0;
            let mut seen: Vec<Id> = Vec::new();
            for t in t0..t1 {
                let from = k;
                let events = g.target_events(t as Id);
                for &i in events {
                    let a = actor[i as usize];
                    if eligible[a as usize] {
                        part[k] = (ts[i as usize], a);
                        k += 1;
                    }
                }
                // Accounts with several events: only where the target has fewer accounts
                // than events.
                if events.len() > g.target_accounts(t as Id).len() {
                    seen.clear();
                    seen.extend(part[from..k].iter().map(|e| e.1));
                    seen.sort_unstable();
                    for (e, r) in part[from..k].iter().zip(&mut part_rep[from..k]) {
                        let lo = seen.partition_point(|&a| a < e.1);
                        *r = seen.get(lo + 1) == Some(&e.1);
                    }
                }
            }
        });
        Self { ev, repeat, off }
    }

    /// The eligible events on target `t`, by (time, index).
    #[inline]
    fn of(&self, t: Id) -> &[(i64, Id)] {
        &self.ev[self.off[t as usize]..self.off[t as usize + 1]]
    }

    /// Per event of [`TargetEvents::of`]`(t)`: whether its account has others on `t`.
    #[inline]
    fn repeats(&self, t: Id) -> &[bool] {
        &self.repeat[self.off[t as usize]..self.off[t as usize + 1]]
    }
}

/// Calls `f(grid, start, end)` for every bucket of `m` (sorted by time), grid 0 first.
#[inline]
fn for_each_bucket(m: &[(i64, Id)], cfg: &LockstepConfig, mut f: impl FnMut(usize, usize, usize)) {
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

/// The grid-0 bucket of every event of one target, as its `(start, end)` positions, so that a
/// grid-1 bucket can skip the pairs grid 0 already gave.
#[derive(Default)]
struct Grid0 {
    spans: Vec<(u32, u32)>,
}

impl Grid0 {
    /// Records bucket `i..j` of grid 0 (`len` is the target's event count).
    #[inline]
    fn note(&mut self, len: usize, i: usize, j: usize) {
        if i == 0 {
            self.spans.clear();
            self.spans.resize(len, (0, 0));
        }
        self.spans[i..j].fill((i as u32, j as u32));
    }

    /// For a grid-1 bucket `i..j` where grid 0 paired everything (no hot bucket on either
    /// grid): the position `p` where its grid-0 bucket changes, so that exactly the pairs
    /// across `i..p` × `p..j` are new. A grid-1 bucket overlaps at most two grid-0 buckets.
    #[inline]
    fn split(&self, cfg: &LockstepConfig, i: usize, j: usize) -> Option<usize> {
        if j - i > cfg.max_bucket {
            return None;
        }
        let (s0, e0) = self.spans[i];
        if (e0 - s0) as usize > cfg.max_bucket {
            return None;
        }
        let p = (e0 as usize).min(j);
        if p < j {
            let (s1, e1) = self.spans[p];
            // By the grids' geometry `p..j` lies in one grid-0 bucket; checked, not assumed.
            if (e1 - s1) as usize > cfg.max_bucket || self.spans[j - 1].0 != s1 {
                return None;
            }
        }
        Some(p)
    }

    /// Whether events `x` and `y` (positions in the target's events) were paired on grid 0:
    /// the same bucket, and in a hot bucket the same or neighbouring chunks.
    #[inline]
    fn paired(&self, cfg: &LockstepConfig, x: usize, y: usize) -> bool {
        let (s, e) = self.spans[x];
        if self.spans[y].0 != s {
            return false;
        }
        let c = chunk_len((e - s) as usize, cfg);
        let s = s as usize;
        ((x - s) / c).abs_diff((y - s) / c) <= 1
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

/// Calls `f(x, y)` once for every co-engagement record bucket `i..j` of `grid` adds (`m` is
/// one target's events sorted by time), from the event `x` of the smaller account
/// (`m[x].1 < m[y].1`), for the events `x` whose account `take` accepts. The one place that
/// says which pairs a bucket gives, for the census and the passes alike.
///
/// Two events of a bucket pair when their accounts differ and, in a hot bucket (more than
/// `max_bucket` events), when their chunks (`max_bucket / 2` consecutive events) are the
/// same or neighbours. Grid 1 gives only the pairs grid 0 did not; when neither grid's
/// bucket is hot, those are exactly the pairs across its two grid-0 buckets. Grid 0's
/// buckets must come first (they are noted in `g0`).
#[inline]
#[allow(clippy::too_many_arguments)]
fn bucket_records(
    m: &[(i64, Id)],
    cfg: &LockstepConfig,
    g0: &mut Grid0,
    grid: usize,
    (i, j): (usize, usize),
    take: impl Fn(Id) -> bool,
    mut f: impl FnMut(usize, usize),
) {
    if grid == 0 {
        g0.note(m.len(), i, j);
    } else if let Some(p) = g0.split(cfg, i, j) {
        for (xs, ys) in [(i..p, p..j), (p..j, i..p)] {
            for x in xs {
                let ax = m[x].1;
                if take(ax) {
                    for y in ys.clone() {
                        if m[y].1 > ax {
                            f(x, y);
                        }
                    }
                }
            }
        }
        return;
    }
    let chunk = chunk_len(j - i, cfg);
    for x in i..j {
        let ax = m[x].1;
        if !take(ax) {
            continue;
        }
        let cx = (x - i) / chunk;
        let from = i + cx.saturating_sub(1) * chunk;
        let to = j.min(i + (cx + 2) * chunk);
        for (y, &(_, ay)) in m.iter().enumerate().take(to).skip(from) {
            if ay > ax && (grid == 0 || !g0.paired(cfg, x, y)) {
                f(x, y);
            }
        }
    }
}

/// The number of bits needed to write `x`.
#[inline]
fn bits(x: u64) -> u32 {
    u64::BITS - x.leading_zeros()
}

/// The first pass over the targets: counters, the episode range and a histogram of the first
/// (smaller) account of every co-engagement record.
struct Census {
    stats: LockstepStats,
    /// Records per bin of first accounts (`a >> shift`).
    bins: Vec<u64>,
    /// Smallest and largest episode of an eligible event.
    episodes: (u32, u32),
}

impl Census {
    fn new() -> Self {
        Self {
            stats: LockstepStats::default(),
            bins: vec![0; BINS],
            episodes: (u32::MAX, 0),
        }
    }

    fn merge(mut self, o: Self) -> Self {
        self.stats = self.stats.add(o.stats);
        for (x, y) in self.bins.iter_mut().zip(&o.bins) {
            *x += y;
        }
        self.episodes = (
            self.episodes.0.min(o.episodes.0),
            self.episodes.1.max(o.episodes.1),
        );
        self
    }
}

/// Counts the buckets and co-engagement records of every target, by first account.
fn census<G>(g: &G, cfg: &LockstepConfig, tev: &TargetEvents, shift: u32) -> Census
where
    G: TimeIndexed + Bipartite + Sync,
{
    (0..g.num_targets() as Id)
        .into_par_iter()
        .fold(
            || (Census::new(), Grid0::default()),
            |(mut c, mut g0), t| {
                let m = tev.of(t);
                if m.len() < 2 {
                    return (c, g0);
                }
                // Times are sorted: the first and last events have the extreme episodes.
                let (e0, e1) = (cfg.episode(m[0].0), cfg.episode(m[m.len() - 1].0));
                c.episodes = (c.episodes.0.min(e0), c.episodes.1.max(e1));
                for_each_bucket(m, cfg, |grid, i, j| {
                    c.stats.buckets += 1;
                    if j - i > cfg.max_bucket {
                        c.stats.hot_buckets += 1;
                        c.stats.hot_bucket_events += j - i;
                    }
                    bucket_records(
                        m,
                        cfg,
                        &mut g0,
                        grid,
                        (i, j),
                        |_| true,
                        |x, _| {
                            c.stats.pair_records += 1;
                            c.bins[(m[x].1 >> shift) as usize] += 1;
                        },
                    );
                });
                (c, g0)
            },
        )
        .map(|(c, _)| c)
        .reduce(Census::new, Census::merge)
}

/// How co-engagement records are packed into one `u64` that sorts by (a, b, episode): the
/// first account relative to its pass, the second account, the episode relative to the
/// first episode of the log.
#[derive(Debug, Clone, Copy)]
struct Packing {
    ep0: u32,
    ep_bits: u32,
    /// `ep_bits` + bits of an account id: where the first account starts.
    a_shift: u32,
}

impl Packing {
    /// The widest account range one pass may cover.
    fn max_width(&self) -> u64 {
        1u64.checked_shl(64 - self.a_shift).unwrap_or(u64::MAX)
    }

    #[inline]
    fn pack(&self, a_rel: u64, b: Id, ep: u32) -> u64 {
        a_rel.checked_shl(self.a_shift).unwrap_or(0)
            | (b as u64) << self.ep_bits
            | (ep - self.ep0) as u64
    }

    /// The pair part of a key (without the episode).
    #[inline]
    fn pair(&self, key: u64) -> u64 {
        key >> self.ep_bits
    }

    #[inline]
    fn unpack_pair(&self, key: u64, lo: u64) -> (Id, Id) {
        let a = lo + key.checked_shr(self.a_shift).unwrap_or(0);
        let b_mask = (1u64 << (self.a_shift - self.ep_bits)) - 1;
        (a as Id, ((key >> self.ep_bits) & b_mask) as Id)
    }
}

/// Cuts the first-account id space into ranges of at most `budget` records (as counted by
/// the census; one bin over budget is a range of its own) and at most `max_width` ids.
fn plan(bins: &[u64], shift: u32, accounts: u64, budget: u64, max_width: u64) -> Vec<(u64, u64)> {
    let mut ranges = Vec::new();
    let mut lo = 0u64;
    let mut load = 0u64;
    for (k, &n) in bins.iter().enumerate() {
        let start = (k as u64) << shift;
        if start >= accounts {
            break;
        }
        if start > lo && load + n > budget {
            ranges.push((lo, start));
            lo = start;
            load = 0;
        }
        load += n;
    }
    ranges.push((lo, accounts));
    ranges
        .into_iter()
        .flat_map(|(lo, hi)| {
            (lo..hi)
                .step_by(max_width.min(usize::MAX as u64) as usize)
                .map(move |s| (s, hi.min(s.saturating_add(max_width))))
        })
        .collect()
}

/// Emits, for target `t`, the co-engagement records whose first account lies in `lo..hi`,
/// deduplicated per pair (earliest episode kept).
///
/// Each event `x` of an account in the range visits the events it pairs with in its bucket
/// (its chunk and the neighbouring ones) and keeps those of larger accounts, so a pass costs
/// its own records, not the whole table.
#[allow(clippy::too_many_arguments)]
fn emit_target<G: TimeIndexed + Bipartite>(
    g: &G,
    t: Id,
    cfg: &LockstepConfig,
    tev: &TargetEvents,
    (lo, hi): (u64, u64),
    pk: Packing,
    g0: &mut Grid0,
    out: &mut Vec<u64>,
    repeated: &mut Vec<u64>,
) {
    // Skip targets none of whose accounts is in range without reading their events.
    let accts = g.target_accounts(t);
    let k = accts.partition_point(|&a| (a as u64) < lo);
    if k == accts.len() || accts[k] as u64 >= hi {
        return;
    }
    let m = tev.of(t);
    if m.len() < 2 {
        return;
    }
    let in_range = |a: Id| (lo..hi).contains(&(a as u64));
    let record =
        |x: usize, y: usize| pk.pack(m[x].1 as u64 - lo, m[y].1, cfg.episode(m[x.min(y)].0));
    // With one event per account on the target, every record is a distinct pair already
    // (grid 1 skips what grid 0 paired): nothing to deduplicate.
    if g.target_events(t).len() == accts.len() {
        for_each_bucket(m, cfg, |grid, i, j| {
            bucket_records(m, cfg, g0, grid, (i, j), in_range, |x, y| {
                out.push(record(x, y))
            });
        });
        return;
    }
    // Only a pair with an account that engaged the target more than once can be recorded
    // twice: those records are sorted and deduplicated on their own, the rest go straight out.
    let rep = tev.repeats(t);
    repeated.clear();
    for_each_bucket(m, cfg, |grid, i, j| {
        bucket_records(m, cfg, g0, grid, (i, j), in_range, |x, y| {
            if rep[x] || rep[y] {
                repeated.push(record(x, y));
            } else {
                out.push(record(x, y));
            }
        });
    });
    repeated.sort_unstable();
    for (k, &r) in repeated.iter().enumerate() {
        if k == 0 || pk.pair(repeated[k - 1]) != pk.pair(r) {
            out.push(r);
        }
    }
}

/// Records a worker collects before appending them to the pass's buffer.
const SINK_BATCH: usize = 1 << 16;

/// A worker's records on their way to the pass's buffer; whatever is left is appended when the
/// worker's share of the targets is done (on drop).
struct Sink<'a> {
    out: Vec<u64>,
    to: &'a Mutex<Vec<u64>>,
}

impl Sink<'_> {
    fn flush(&mut self) {
        if !self.out.is_empty() {
            self.to
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend_from_slice(&self.out);
            self.out.clear();
        }
    }
}

impl Drop for Sink<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}

/// Aggregates sorted, per-target-deduplicated records of one pass into the rows `keep`
/// accepts; returns them and the number of distinct pairs.
fn aggregate<G: Bipartite + Sync>(
    g: &G,
    recs: &[u64],
    pk: Packing,
    lo: u64,
    keep: &(impl Fn(&PairStat) -> bool + Sync),
) -> (Vec<PairStat>, usize) {
    // Cut into pieces at pair boundaries and scan them in parallel.
    let pieces = 4 * rayon::current_num_threads();
    let mut cuts = vec![0];
    for k in 1..pieces {
        let mut c = recs.len() * k / pieces;
        while c > 0 && c < recs.len() && pk.pair(recs[c - 1]) == pk.pair(recs[c]) {
            c += 1;
        }
        if c > *cuts.last().expect("cuts start with 0") {
            cuts.push(c);
        }
    }
    cuts.push(recs.len());
    let parts: Vec<(Vec<PairStat>, usize)> = cuts
        .par_windows(2)
        .map(|w| {
            let recs = &recs[w[0]..w[1]];
            let (mut rows, mut pairs) = (Vec::new(), 0);
            for run in recs.chunk_by(|x, y| pk.pair(*x) == pk.pair(*y)) {
                let episodes = 1 + run.windows(2).filter(|w| w[0] != w[1]).count() as u32;
                let (a, b) = pk.unpack_pair(run[0], lo);
                let row = pair_stat(g, a, b, run.len() as u32, episodes);
                pairs += 1;
                if keep(&row) {
                    rows.push(row);
                }
            }
            (rows, pairs)
        })
        .collect();
    let mut rows = Vec::with_capacity(parts.iter().map(|p| p.0.len()).sum());
    let mut pairs = 0;
    for (r, n) in parts {
        rows.extend_from_slice(&r);
        pairs += n;
    }
    (rows, pairs)
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

/// The rows of the pair table `keep` accepts, sorted by `(a, b)`, and the run's counters.
///
/// A pair of events that shares a bucket on both grids gives one record, not two: grid 1
/// skips the pairs grid 0 gave (the record would be the same, so the table is too).
///
/// Step 1 (census) pairs every bucket once to count the records by first account; the first
/// account id space is then cut into ranges of at most `cfg.pass_records` records. Step 2
/// runs once per range: every target emits the records whose first account is in the range,
/// packed into `u64` keys and deduplicated per target; one parallel sort of the range's keys
/// and a scan aggregate them per pair. At most one range's records exist at a time.
pub(crate) fn pair_table_with_stats<G>(
    g: &G,
    cfg: &LockstepConfig,
    keep: impl Fn(&PairStat) -> bool + Sync,
) -> (Vec<PairStat>, LockstepStats)
where
    G: Bipartite + TimeIndexed + Sync,
{
    let eligible = eligible_accounts(g, cfg);
    let accounts = g.num_accounts() as u64;
    let shift = (0..32)
        .find(|&s| (accounts >> s) < BINS as u64)
        .unwrap_or(32);
    let tev = TargetEvents::new(g, &eligible);
    let c = census(g, cfg, &tev, shift);
    let mut st = LockstepStats {
        eligible_accounts: eligible.iter().filter(|&&e| e).count(),
        ..c.stats
    };
    if st.pair_records == 0 {
        return (Vec::new(), st);
    }
    let ep_bits = bits((c.episodes.1 - c.episodes.0) as u64);
    let pk = Packing {
        ep0: c.episodes.0,
        ep_bits,
        a_shift: ep_bits + bits(accounts - 1),
    };
    let ranges = plan(
        &c.bins,
        shift,
        accounts,
        cfg.pass_records as u64,
        pk.max_width(),
    );
    st.passes = ranges.len();
    // One buffer for every pass, as large as the census says the largest pass needs: the
    // workers append to it in small batches, so a pass's records exist once, not also in
    // per-worker parts.
    let records_in = |(lo, hi): (u64, u64)| -> u64 {
        let (first, last) = ((lo >> shift) as usize, ((hi - 1) >> shift) as usize);
        c.bins[first..=last.min(BINS - 1)].iter().sum()
    };
    let cap = ranges.iter().map(|&r| records_in(r)).max().unwrap_or(0);
    let mut recs: Vec<u64> = Vec::with_capacity(cap as usize);
    let mut rows = Vec::new();
    for (lo, hi) in ranges {
        recs.clear();
        let shared = Mutex::new(recs);
        (0..g.num_targets() as Id).into_par_iter().for_each_init(
            || {
                let sink = Sink {
                    out: Vec::new(),
                    to: &shared,
                };
                (sink, Grid0::default(), Vec::new())
            },
            |(sink, g0, repeated), t| {
                emit_target(g, t, cfg, &tev, (lo, hi), pk, g0, &mut sink.out, repeated);
                if sink.out.len() >= SINK_BATCH {
                    sink.flush();
                }
            },
        );
        recs = shared.into_inner().unwrap_or_else(PoisonError::into_inner);
        st.pair_targets += recs.len();
        recs.par_sort_unstable();
        let (r, pairs) = aggregate(g, &recs, pk, lo, &keep);
        st.pairs += pairs;
        rows.extend_from_slice(&r);
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
    Ok(pair_table_with_stats(&g, cfg, |_| true).0)
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
/// * `cfg` — window, episode, bucket cap, `min_shared_targets` for eligibility,
///   `pass_records` for the memory of one aggregation pass.
///
/// # Returns
/// One row per pair, sorted by `(a, b)`.
///
/// # Errors
/// [`crate::Error::InvalidInput`] for a bad config.
///
/// # Complexity
/// R ≤ Σ over buckets of min(n², n · max_bucket) co-engagement records are enumerated once
/// to count them, then about twice more over the passes (each record is reached from both
/// of its events), plus one walk of each target's events per pass whose accounts reach
/// into the pass's range (the eligible events are gathered once, by target, into one flat
/// array); sorting is O(R log R) in pieces of at most `pass_records`.
/// Memory: 16 bytes per eligible event, 8 bytes per distinct (pair, target) of one pass,
/// plus the rows returned.
pub fn pair_table_indexed<G>(g: &G, cfg: &LockstepConfig) -> Result<Vec<PairStat>>
where
    G: Bipartite + TimeIndexed + Sync,
{
    cfg.validate()?;
    Ok(pair_table_with_stats(g, cfg, |_| true).0)
}

#[cfg(test)]
mod tests {
    use lockstep_core::{EventLogBuilder, RawEvent};

    use super::*;

    /// The pairs one grid-0 bucket holding all of `m` gives.
    fn pairs_of(m: &[(i64, Id)], cfg: &LockstepConfig) -> Vec<(Id, Id)> {
        let mut out = Vec::new();
        let mut g0 = Grid0::default();
        bucket_records(
            m,
            cfg,
            &mut g0,
            0,
            (0, m.len()),
            |_| true,
            |x, y| out.push((m[x].1, m[y].1)),
        );
        out
    }

    #[test]
    fn buckets_pair_distinct_accounts_and_hot_buckets_pair_neighbour_chunks() {
        let cfg = LockstepConfig {
            max_bucket: 4,
            ..LockstepConfig::default()
        };
        assert_eq!(
            pairs_of(&[(0, 1), (1, 2), (2, 1)], &cfg),
            vec![(1, 2), (1, 2)]
        );
        // 6 events > 4: chunks of 2; event 0 pairs with 1, 2, 3 but not 4, 5.
        let m: Vec<(i64, Id)> = (0..6).map(|k| (k as i64, k as Id)).collect();
        let out = pairs_of(&m, &cfg);
        assert!(out.contains(&(0, 3)));
        assert!(!out.contains(&(0, 4)));
        assert!(out.contains(&(2, 5)));
        assert!(out.contains(&(4, 5)));
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
        let (rows, st) = pair_table_with_stats(&g, &cfg, |_| true);
        // u1–u2 on grid 0 (not again on grid 1), u1–u3 and u2–u3 on grid 1.
        assert_eq!(st.pair_records, 3);
        assert_eq!(st.pair_targets, 3);
        assert_eq!(rows, crate::reference::lockstep::pair_table(&log, &cfg));
    }

    #[test]
    fn grids_overlap_by_half_a_window() {
        let cfg = LockstepConfig::default();
        let w = cfg.window_ms;
        // Across a grid-0 edge, but inside one grid-1 bucket.
        assert_ne!(cfg.bucket(w - 1, 0), cfg.bucket(w + 1, 0));
        assert_eq!(cfg.bucket(w - 1, 1), cfg.bucket(w + 1, 1));
    }

    #[test]
    fn packed_keys_sort_by_pair_then_episode() {
        let pk = Packing {
            ep0: 7,
            ep_bits: 3,
            a_shift: 3 + 20,
        };
        let k = pk.pack(5, 1 << 19, 9);
        assert_eq!(pk.unpack_pair(k, 100), (105, 1 << 19));
        assert!(pk.pack(5, 6, 14) < pk.pack(5, 7, 7));
        assert!(pk.pack(5, (1 << 20) - 1, 14) < pk.pack(6, 0, 7));
        assert_eq!(pk.pair(pk.pack(1, 2, 7)), pk.pair(pk.pack(1, 2, 14)));
        // No room left for the first account: one account per pass.
        let full = Packing {
            ep0: 0,
            ep_bits: 32,
            a_shift: 64,
        };
        assert_eq!(full.max_width(), 1);
        let k = full.pack(0, u32::MAX - 1, u32::MAX);
        assert_eq!(full.unpack_pair(k, 9), (9, u32::MAX - 1));
    }

    #[test]
    fn plans_respect_the_budget_and_the_width() {
        assert_eq!(
            plan(&[5, 5, 5, 5], 2, 16, 10, 1 << 20),
            vec![(0, 8), (8, 16)]
        );
        // A bin over budget is a range of its own; the last range ends at the id space.
        assert_eq!(
            plan(&[3, 20, 3, 0], 2, 14, 10, 1 << 20),
            vec![(0, 4), (4, 8), (8, 14)]
        );
        assert_eq!(
            plan(&[1, 1], 3, 16, 100, 5),
            vec![(0, 5), (5, 10), (10, 15), (15, 16)]
        );
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
    fn many_passes_give_the_one_pass_table() {
        // Hot buckets everywhere (6), some (12), none (1000): both ways grid 1 skips what
        // grid 0 paired.
        for (seed, max_bucket) in (0..9).zip([6, 12, 1000].into_iter().cycle()) {
            let log = random_log(seed, 600);
            let one = LockstepConfig {
                window_ms: 600_000,
                episode_ms: 400_000,
                max_bucket,
                min_shared_targets: 2,
                ..LockstepConfig::default()
            };
            let g = GraphIndex::build(&log, one.actions);
            let (want, want_st) = pair_table_with_stats(&g, &one, |_| true);
            assert!(!want.is_empty());
            assert_eq!(want, crate::reference::lockstep::pair_table(&log, &one));
            for budget in [1, 7, 100] {
                let cfg = LockstepConfig {
                    pass_records: budget,
                    ..one.clone()
                };
                let (got, st) = pair_table_with_stats(&g, &cfg, |_| true);
                assert_eq!(got, want, "seed {seed}, budget {budget}");
                // The same work, in more passes.
                assert!(st.passes >= want_st.passes, "seed {seed}, budget {budget}");
                let st = LockstepStats {
                    passes: want_st.passes,
                    ..st
                };
                assert_eq!(st, want_st, "seed {seed}, budget {budget}");
                let strong: Vec<_> = want.iter().filter(|p| p.shared_targets >= 3).collect();
                let (got, _) = pair_table_with_stats(&g, &cfg, |p| p.shared_targets >= 3);
                assert_eq!(got.iter().collect::<Vec<_>>(), strong);
            }
        }
    }
}
