//! [`GraphIndex`]: the account × target bipartite CSR both ways and the time-sorted adjacency.

use std::ops::Range;

use lockstep_core::{EventLog, Id};
use rayon::prelude::*;

use crate::{ActionSet, Bipartite, TimeIndexed};

/// The account × target bipartite graph of (a subset of) a log, as CSR in both directions,
/// with each edge's events, and every account's and target's events in time order.
///
/// Built once by [`GraphIndex::build`] with sorts, a counting sort and linear scans, no
/// hashing. All
/// lists are `u32` event indices into the borrowed [`EventLog`].
///
/// # Memory
/// About 36 bytes per kept event plus 16 per edge and 16 per account and target id; while
/// it is built, 40 more per kept event (the sorted records and their time-ordered copies).
#[derive(Debug, Clone)]
pub struct GraphIndex<'a> {
    log: &'a EventLog,
    actions: ActionSet,
    // Kept events by (actor, target, ts, index); edge `e` owns
    // `edge_events[edge_event_off[e]..edge_event_off[e + 1]]`.
    edge_events: Vec<u32>,
    edge_event_off: Vec<u32>,
    edge_account: Vec<Id>,
    edge_target: Vec<Id>,
    account_edge_off: Vec<u32>,
    // Edge ids by (target, account).
    target_edge_off: Vec<u32>,
    target_edges: Vec<u32>,
    target_accounts: Vec<Id>,
    // Kept events by (actor, ts, index) and by (target, ts, index).
    account_time: Vec<u32>,
    account_time_off: Vec<u32>,
    target_time: Vec<u32>,
    target_time_off: Vec<u32>,
}

/// CSR offsets (length `n + 1`) of items grouped by key: prefix sums of the key counts.
fn offsets_of(keys: impl Iterator<Item = Id>, n: usize) -> Vec<u32> {
    let mut off = vec![0u32; n + 1];
    for k in keys {
        off[k as usize + 1] += 1;
    }
    for i in 0..n {
        off[i + 1] += off[i];
    }
    off
}

impl<'a> GraphIndex<'a> {
    /// Indexes the events of `log` whose action is in `actions`.
    ///
    /// # Arguments
    /// * `log` — the event log; the index borrows it.
    /// * `actions` — the action codes to keep ([`ActionSet::all`] for every event).
    ///
    /// # Returns
    /// The index. Accounts and targets keep their log ids; ids with no kept event have empty
    /// lists.
    ///
    /// # Complexity
    /// O(n log n) for n kept events (one parallel sort of materialised keys, then sorts of
    /// each account's and each target's events), plus O(n + accounts + targets) scans.
    pub fn build(log: &'a EventLog, actions: ActionSet) -> Self {
        let (ts, act, actor, target) = (log.ts(), log.action(), log.actor(), log.target());
        let kept: Vec<u32> = if actions.is_all() {
            (0..log.len() as u32).collect()
        } else {
            (0..log.len() as u32)
                .into_par_iter()
                .filter(|&i| actions.contains(act[i as usize]))
                .collect()
        };
        let (na, nt) = (log.accounts.len(), log.targets.len());

        // Sort materialised keys, not indices through the columns: contiguous records sort
        // without a cache miss per comparison. Everything after reads these records in order
        // and never the log's columns again.
        let mut keyed: Vec<(u64, i64, u32)> = kept
            .par_iter()
            .map(|&i| {
                let k = i as usize;
                (((actor[k] as u64) << 32) | target[k] as u64, ts[k], i)
            })
            .collect();
        drop(kept);
        keyed.par_sort_unstable();
        let account_of = |r: &(u64, i64, u32)| (r.0 >> 32) as Id;
        let target_of = |r: &(u64, i64, u32)| r.0 as Id;
        let edge_events: Vec<u32> = keyed.par_iter().map(|r| r.2).collect();
        let account_time_off = offsets_of(keyed.iter().map(account_of), na);
        let target_time_off = offsets_of(keyed.iter().map(target_of), nt);
        // Each account's events are contiguous in edge order: sort its (time, index) records.
        let mut timed: Vec<(i64, u32, Id)> = keyed
            .par_iter()
            .map(|r| (r.1, r.2, account_of(r)))
            .collect();
        timed
            .par_chunk_by_mut(|x, y| x.2 == y.2)
            .for_each(|c| c.sort_unstable());
        let account_time: Vec<u32> = timed.par_iter().map(|r| r.1).collect();
        // Bucket by target (a counting sort), then sort each target's (time, index) records.
        let mut fill = target_time_off.clone();
        for r in &keyed {
            let t = target_of(r);
            timed[fill[t as usize] as usize] = (r.1, r.2, t);
            fill[t as usize] += 1;
        }
        drop(fill);
        timed
            .par_chunk_by_mut(|x, y| x.2 == y.2)
            .for_each(|c| c.sort_unstable());
        let target_time: Vec<u32> = timed.par_iter().map(|r| r.1).collect();
        drop(timed);

        let mut edge_event_off = Vec::new();
        let mut edge_account = Vec::new();
        let mut edge_target = Vec::new();
        let mut prev = (Id::MAX, Id::MAX);
        for (k, r) in keyed.iter().enumerate() {
            let key = (account_of(r), target_of(r));
            if key != prev {
                edge_event_off.push(k as u32);
                edge_account.push(key.0);
                edge_target.push(key.1);
                prev = key;
            }
        }
        edge_event_off.push(edge_events.len() as u32);
        drop(keyed);

        let account_edge_off = offsets_of(edge_account.iter().copied(), na);
        // Counting sort of edges by target; edges are in account order, so each target's
        // edges come out in account order.
        let target_edge_off = offsets_of(edge_target.iter().copied(), nt);
        let mut fill = target_edge_off.clone();
        let mut target_edges = vec![0u32; edge_target.len()];
        for (e, &t) in edge_target.iter().enumerate() {
            target_edges[fill[t as usize] as usize] = e as u32;
            fill[t as usize] += 1;
        }
        let target_accounts = target_edges
            .iter()
            .map(|&e| edge_account[e as usize])
            .collect();

        Self {
            log,
            actions,
            edge_events,
            edge_event_off,
            edge_account,
            edge_target,
            account_edge_off,
            target_edge_off,
            target_edges,
            target_accounts,
            account_time,
            account_time_off,
            target_time,
            target_time_off,
        }
    }

    /// The log this index reads.
    pub fn log(&self) -> &'a EventLog {
        self.log
    }

    /// The action codes kept.
    pub fn actions(&self) -> ActionSet {
        self.actions
    }

    /// The kept events, in (account, target, time, index) order.
    pub fn events(&self) -> &[u32] {
        &self.edge_events
    }

    /// The number of kept events.
    pub fn num_events(&self) -> usize {
        self.edge_events.len()
    }

    /// The number of accounts with at least one kept event.
    pub fn active_accounts(&self) -> usize {
        self.account_edge_off
            .windows(2)
            .filter(|w| w[1] > w[0])
            .count()
    }

    /// The number of distinct targets of account `a` (its degree).
    #[inline]
    pub fn account_degree(&self, a: Id) -> usize {
        let a = a as usize;
        (self.account_edge_off[a + 1] - self.account_edge_off[a]) as usize
    }

    /// The number of distinct accounts of target `t` (its degree).
    #[inline]
    pub fn target_degree(&self, t: Id) -> usize {
        let t = t as usize;
        (self.target_edge_off[t + 1] - self.target_edge_off[t]) as usize
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        4 * (self.edge_events.capacity()
            + self.edge_event_off.capacity()
            + self.edge_account.capacity()
            + self.edge_target.capacity()
            + self.account_edge_off.capacity()
            + self.target_edge_off.capacity()
            + self.target_edges.capacity()
            + self.target_accounts.capacity()
            + self.account_time.capacity()
            + self.account_time_off.capacity()
            + self.target_time.capacity()
            + self.target_time_off.capacity())
    }
}

impl Bipartite for GraphIndex<'_> {
    fn num_accounts(&self) -> usize {
        self.account_edge_off.len() - 1
    }
    fn num_targets(&self) -> usize {
        self.target_edge_off.len() - 1
    }
    fn num_edges(&self) -> usize {
        self.edge_account.len()
    }
    #[inline]
    fn account_edges(&self, a: Id) -> Range<usize> {
        let a = a as usize;
        self.account_edge_off[a] as usize..self.account_edge_off[a + 1] as usize
    }
    #[inline]
    fn account_targets(&self, a: Id) -> &[Id] {
        &self.edge_target[self.account_edges(a)]
    }
    #[inline]
    fn target_edges(&self, t: Id) -> &[u32] {
        let t = t as usize;
        &self.target_edges[self.target_edge_off[t] as usize..self.target_edge_off[t + 1] as usize]
    }
    #[inline]
    fn target_accounts(&self, t: Id) -> &[Id] {
        let t = t as usize;
        &self.target_accounts
            [self.target_edge_off[t] as usize..self.target_edge_off[t + 1] as usize]
    }
    #[inline]
    fn edge_account(&self, e: usize) -> Id {
        self.edge_account[e]
    }
    #[inline]
    fn edge_target(&self, e: usize) -> Id {
        self.edge_target[e]
    }
    #[inline]
    fn edge_events(&self, e: usize) -> &[u32] {
        &self.edge_events[self.edge_event_off[e] as usize..self.edge_event_off[e + 1] as usize]
    }
}

impl TimeIndexed for GraphIndex<'_> {
    fn ts(&self) -> &[i64] {
        self.log.ts()
    }
    fn actor(&self) -> &[Id] {
        self.log.actor()
    }
    fn target(&self) -> &[Id] {
        self.log.target()
    }
    #[inline]
    fn account_events(&self, a: Id) -> &[u32] {
        let a = a as usize;
        &self.account_time[self.account_time_off[a] as usize..self.account_time_off[a + 1] as usize]
    }
    #[inline]
    fn target_events(&self, t: Id) -> &[u32] {
        let t = t as usize;
        &self.target_time[self.target_time_off[t] as usize..self.target_time_off[t + 1] as usize]
    }
}

#[cfg(test)]
mod tests {
    use lockstep_core::{EventLogBuilder, RawEvent};

    use super::*;

    fn log(rows: &[(i64, &str, &str, &str)]) -> EventLog {
        let mut b = EventLogBuilder::new();
        for (k, &(ts, actor, action, target)) in rows.iter().enumerate() {
            b.push(&RawEvent::new(ts, actor, action, target, k as u32 + 1))
                .unwrap();
        }
        b.finish()
    }

    #[test]
    fn csr_both_ways_with_multiplicity() {
        // a0 = u1, a1 = u2; t0 = p1, t1 = p2.
        let l = log(&[
            (30, "u1", "like", "p1"),
            (10, "u2", "like", "p2"),
            (20, "u1", "like", "p1"),
            (5, "u1", "like", "p2"),
            (7, "u2", "view", "p1"),
        ]);
        let g = GraphIndex::build(&l, ActionSet::all());
        assert_eq!(g.num_edges(), 4);
        assert_eq!(g.account_targets(0), &[0, 1]);
        assert_eq!(g.target_accounts(0), &[0, 1]);
        let e = g.account_edges(0).start;
        assert_eq!(g.edge_multiplicity(e), 2);
        assert_eq!(g.edge_events(e), &[2, 0]);
        assert_eq!(g.account_events(0), &[3, 2, 0]);
        assert_eq!(g.target_events(0), &[4, 2, 0]);

        let g = GraphIndex::build(&l, ActionSet::engagement());
        assert_eq!(g.num_events(), 4);
        assert_eq!(g.target_accounts(0), &[0]);
        assert_eq!(g.account_events(1), &[1]);
        assert_eq!(g.target_degree(1), 2);
        assert_eq!(g.active_accounts(), 2);
    }

    #[test]
    fn lists_match_their_definitions_on_random_logs() {
        // A small linear congruential generator: enough to vary the inputs.
        let mut s = 7u64;
        let mut next = |k: u64| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) % k
        };
        let actions = ["like", "view", "follow"];
        for n in [0usize, 1, 5, 60, 400] {
            let mut b = EventLogBuilder::new();
            for k in 0..n {
                let (a, t) = (format!("u{}", next(9)), format!("p{}", next(7)));
                let ev = RawEvent::new(
                    next(20) as i64,
                    &a,
                    actions[next(3) as usize],
                    &t,
                    k as u32 + 1,
                );
                b.push(&ev).unwrap();
            }
            let l = b.finish();
            let g = GraphIndex::build(&l, ActionSet::engagement());
            let kept: Vec<usize> = (0..l.len())
                .filter(|&i| ActionSet::engagement().contains(l.action()[i]))
                .collect();
            let by_time = |mut v: Vec<u32>| {
                v.sort_by_key(|&i| (l.ts()[i as usize], i));
                v
            };
            for a in 0..l.accounts.len() as Id {
                let mine: Vec<u32> = kept
                    .iter()
                    .filter(|&&i| l.actor()[i] == a)
                    .map(|&i| i as u32)
                    .collect();
                assert_eq!(
                    g.account_events(a),
                    by_time(mine.clone()),
                    "n {n}, account {a}"
                );
                let mut targets: Vec<Id> = mine.iter().map(|&i| l.target()[i as usize]).collect();
                targets.sort_unstable();
                targets.dedup();
                assert_eq!(g.account_targets(a), targets);
                for e in g.account_edges(a) {
                    let t = g.edge_target(e);
                    assert_eq!(g.edge_account(e), a);
                    let on_t: Vec<u32> = mine
                        .iter()
                        .copied()
                        .filter(|&i| l.target()[i as usize] == t)
                        .collect();
                    assert_eq!(g.edge_events(e), by_time(on_t));
                }
            }
            for t in 0..l.targets.len() as Id {
                let theirs: Vec<u32> = kept
                    .iter()
                    .filter(|&&i| l.target()[i] == t)
                    .map(|&i| i as u32)
                    .collect();
                let mut accounts: Vec<Id> = theirs.iter().map(|&i| l.actor()[i as usize]).collect();
                accounts.sort_unstable();
                accounts.dedup();
                assert_eq!(g.target_accounts(t), accounts, "n {n}, target {t}");
                assert_eq!(g.target_events(t), by_time(theirs));
            }
            assert_eq!(g.num_events(), kept.len());
        }
    }

    #[test]
    fn empty_log() {
        let l = EventLog::default();
        let g = GraphIndex::build(&l, ActionSet::all());
        assert_eq!(
            (g.num_edges(), g.num_accounts(), g.num_targets()),
            (0, 0, 0)
        );
    }
}
