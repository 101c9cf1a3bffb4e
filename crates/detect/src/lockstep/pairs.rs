//! The pair similarity table: partition by target, pair within time buckets, exchange by
//! pair, aggregate.

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

/// One co-engagement: (a, b, episode), a < b.
pub(crate) type Rec = (Id, Id, u32);

/// Whether the accounts may form a strong pair at all: enough distinct targets.
pub(crate) fn eligible_accounts<G: Bipartite>(g: &G, cfg: &LockstepConfig) -> Vec<bool> {
    (0..g.num_accounts() as Id)
        .map(|a| g.account_targets(a).len() >= cfg.min_shared_targets as usize)
        .collect()
}

/// Emits the co-engagements of one bucket (events sorted by time).
///
/// Events `x < y` pair when their accounts differ and, in a hot bucket (more than
/// `max_bucket` events), when `y` lies in `x`'s chunk or the next one (chunks of
/// `max_bucket / 2` consecutive events).
#[inline]
fn emit_bucket(m: &[(i64, Id)], cfg: &LockstepConfig, out: &mut Vec<Rec>) {
    let n = m.len();
    let chunk = if n > cfg.max_bucket {
        cfg.max_bucket / 2
    } else {
        n
    };
    for x in 0..n {
        let (tx, ax) = m[x];
        let ep = cfg.episode(tx);
        let end = n.min((x / chunk + 2) * chunk);
        for &(_, ay) in &m[x + 1..end] {
            if ax != ay {
                out.push((ax.min(ay), ax.max(ay), ep));
            }
        }
    }
}

/// Emits the co-engagements on target `t`, deduplicated per pair (earliest episode kept).
fn emit_target<G: TimeIndexed>(
    g: &G,
    t: Id,
    cfg: &LockstepConfig,
    eligible: &[bool],
    m: &mut Vec<(i64, Id)>,
    out: &mut Vec<Rec>,
    st: &mut LockstepStats,
) {
    let (ts, actor) = (g.ts(), g.actor());
    m.clear();
    m.extend(
        g.target_events(t)
            .iter()
            .map(|&i| (ts[i as usize], actor[i as usize]))
            .filter(|&(_, a)| eligible[a as usize]),
    );
    if m.len() < 2 {
        return;
    }
    let start = out.len();
    for grid in 0..2 {
        let mut i = 0;
        while i < m.len() {
            let b = cfg.bucket(m[i].0, grid);
            let mut j = i + 1;
            while j < m.len() && cfg.bucket(m[j].0, grid) == b {
                j += 1;
            }
            st.buckets += 1;
            if j - i > cfg.max_bucket {
                st.hot_buckets += 1;
                st.hot_bucket_events += j - i;
            }
            emit_bucket(&m[i..j], cfg, out);
            i = j;
        }
    }
    st.pair_records += out.len() - start;
    let tail = &mut out[start..];
    tail.sort_unstable();
    let mut w = start;
    for r in start..out.len() {
        if w == start || (out[w - 1].0, out[w - 1].1) != (out[r].0, out[r].1) {
            out[w] = out[r];
            w += 1;
        }
    }
    out.truncate(w);
}

/// Aggregates sorted, per-target-deduplicated co-engagements into pair rows.
fn aggregate<G: Bipartite>(g: &G, recs: &[Rec]) -> Vec<PairStat> {
    let mut rows = Vec::new();
    let mut i = 0;
    while i < recs.len() {
        let (a, b, mut ep) = recs[i];
        let mut episodes = 1;
        let mut j = i + 1;
        while j < recs.len() && (recs[j].0, recs[j].1) == (a, b) {
            if recs[j].2 != ep {
                episodes += 1;
                ep = recs[j].2;
            }
            j += 1;
        }
        let shared = (j - i) as u32;
        rows.push(pair_stat(g, a, b, shared, episodes));
        i = j;
    }
    rows
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

/// The pair table and the run's counters.
pub(crate) fn pair_table_with_stats<G>(
    g: &G,
    cfg: &LockstepConfig,
) -> (Vec<PairStat>, LockstepStats)
where
    G: Bipartite + TimeIndexed + Sync,
{
    let eligible = eligible_accounts(g, cfg);
    let parts: Vec<(Vec<Rec>, LockstepStats)> = (0..g.num_targets() as Id)
        .into_par_iter()
        .fold(
            || (Vec::new(), Vec::new(), LockstepStats::default()),
            |(mut out, mut m, mut st), t| {
                emit_target(g, t, cfg, &eligible, &mut m, &mut out, &mut st);
                (out, m, st)
            },
        )
        .map(|(out, _, st)| (out, st))
        .collect();
    let mut st = LockstepStats {
        eligible_accounts: eligible.iter().filter(|&&e| e).count(),
        ..LockstepStats::default()
    };
    let mut recs = Vec::with_capacity(parts.iter().map(|p| p.0.len()).sum());
    for (p, s) in parts {
        recs.extend_from_slice(&p);
        st = st.add(s);
    }
    st.pair_targets = recs.len();
    recs.par_sort_unstable();
    let rows = aggregate(g, &recs);
    st.pairs = rows.len();
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
    Ok(pair_table_with_stats(&g, cfg).0)
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
/// O(Σ over buckets of min(n², n · max_bucket)) pair records, then one parallel sort of
/// them: O(R log R). Memory 12 bytes per distinct (pair, target).
pub fn pair_table_indexed<G>(g: &G, cfg: &LockstepConfig) -> Result<Vec<PairStat>>
where
    G: Bipartite + TimeIndexed + Sync,
{
    cfg.validate()?;
    Ok(pair_table_with_stats(g, cfg).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_pair_distinct_accounts_and_hot_buckets_pair_neighbour_chunks() {
        let cfg = LockstepConfig {
            max_bucket: 4,
            ..LockstepConfig::default()
        };
        let mut out = Vec::new();
        emit_bucket(&[(0, 1), (1, 2), (2, 1)], &cfg, &mut out);
        assert_eq!(out, vec![(1, 2, 0), (1, 2, 0)]);
        out.clear();
        // 6 events > 4: chunks of 2; event 0 pairs with 1, 2, 3 but not 4, 5.
        let m: Vec<(i64, Id)> = (0..6).map(|k| (k as i64, k as Id)).collect();
        emit_bucket(&m, &cfg, &mut out);
        assert!(out.contains(&(0, 3, 0)));
        assert!(!out.contains(&(0, 4, 0)));
        assert!(out.contains(&(2, 5, 0)));
        assert!(out.contains(&(4, 5, 0)));
    }

    #[test]
    fn grids_overlap_by_half_a_window() {
        let cfg = LockstepConfig::default();
        let w = cfg.window_ms;
        // Across a grid-0 edge, but inside one grid-1 bucket.
        assert_ne!(cfg.bucket(w - 1, 0), cfg.bucket(w + 1, 0));
        assert_eq!(cfg.bucket(w - 1, 1), cfg.bucket(w + 1, 1));
    }
}
