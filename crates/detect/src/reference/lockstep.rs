//! Reference lockstep groups: the pair table by comparing every pair of events on a target,
//! the k-core by repeated scans, components by breadth-first search.

// Plain index loops read closest to the definitions the reference spells out.
#![allow(clippy::needless_range_loop)]

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use lockstep_core::{EventLog, Id};

use crate::lockstep::{LockstepConfig, LockstepGroup, PairStat};

/// Per account, its distinct targets among the kept events.
fn targets_of(log: &EventLog, cfg: &LockstepConfig) -> BTreeMap<Id, BTreeSet<Id>> {
    let mut m: BTreeMap<Id, BTreeSet<Id>> = BTreeMap::new();
    for i in 0..log.len() {
        if cfg.actions.contains(log.action()[i]) {
            m.entry(log.actor()[i]).or_default().insert(log.target()[i]);
        }
    }
    m
}

/// The pair table of [`crate::lockstep::pair_table`], by brute force over every pair of
/// events on each target.
///
/// # Arguments
/// * `log` — the event log.
/// * `cfg` — see [`LockstepConfig`].
///
/// # Returns
/// One row per co-engaging eligible pair, sorted by `(a, b)`.
///
/// # Complexity
/// O(Σ over targets of events²) with ordered maps.
pub fn pair_table(log: &EventLog, cfg: &LockstepConfig) -> Vec<PairStat> {
    let tgt = targets_of(log, cfg);
    let deg = |a: Id| tgt.get(&a).map_or(0, |s| s.len());
    let eligible = |a: Id| deg(a) >= cfg.min_shared_targets as usize;
    // Per target, eligible events sorted by (ts, index).
    let mut by_target: BTreeMap<Id, Vec<(i64, u32, Id)>> = BTreeMap::new();
    for i in 0..log.len() {
        let a = log.actor()[i];
        if cfg.actions.contains(log.action()[i]) && eligible(a) {
            by_target
                .entry(log.target()[i])
                .or_default()
                .push((log.ts()[i], i as u32, a));
        }
    }
    // (a, b) -> target -> earliest episode.
    let mut co: BTreeMap<(Id, Id), BTreeMap<Id, u32>> = BTreeMap::new();
    for (&t, evs) in by_target.iter_mut() {
        evs.sort_unstable();
        // Per grid, each event's (bucket, position in bucket, bucket size).
        let place: Vec<Vec<(i64, usize, usize)>> = (0..2)
            .map(|g| {
                let mut groups: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
                for (k, e) in evs.iter().enumerate() {
                    groups.entry(cfg.bucket(e.0, g)).or_default().push(k);
                }
                let mut place = vec![(0, 0, 0); evs.len()];
                for (b, ks) in &groups {
                    for (pos, &k) in ks.iter().enumerate() {
                        place[k] = (*b, pos, ks.len());
                    }
                }
                place
            })
            .collect();
        for i in 0..evs.len() {
            for j in i + 1..evs.len() {
                if evs[i].2 == evs[j].2 {
                    continue;
                }
                let together = (0..2).any(|g| {
                    let (bi, pi, n) = place[g][i];
                    let (bj, pj, _) = place[g][j];
                    let chunk = cfg.max_bucket / 2;
                    bi == bj && (n <= cfg.max_bucket || pj < (pi / chunk + 2) * chunk)
                });
                if together {
                    let key = (evs[i].2.min(evs[j].2), evs[i].2.max(evs[j].2));
                    let ep = cfg.episode(evs[i].0.min(evs[j].0));
                    let slot = co.entry(key).or_default().entry(t).or_insert(ep);
                    *slot = (*slot).min(ep);
                }
            }
        }
    }
    co.into_iter()
        .map(|((a, b), per_target)| {
            let shared = per_target.len() as u32;
            let episodes = per_target.values().collect::<BTreeSet<_>>().len() as u32;
            let union = deg(a) + deg(b) - shared as usize;
            PairStat {
                a,
                b,
                shared_targets: shared,
                episodes,
                jaccard: shared as f64 / union as f64,
            }
        })
        .collect()
}

/// The groups of [`crate::lockstep::lockstep_groups`], from the brute-force pair table.
///
/// # Arguments
/// * `log` — the event log.
/// * `cfg` — see [`LockstepConfig`].
///
/// # Returns
/// The groups, ordered as the optimised version orders them.
///
/// # Complexity
/// O(Σ over targets of events² + groups · events · targets).
pub fn lockstep_groups(log: &EventLog, cfg: &LockstepConfig) -> Vec<LockstepGroup> {
    let table = pair_table(log, cfg);
    let strong: Vec<&PairStat> = table.iter().filter(|p| cfg.is_strong(p)).collect();
    let mut alive: BTreeSet<Id> = strong.iter().flat_map(|p| [p.a, p.b]).collect();
    loop {
        let mut deg: BTreeMap<Id, usize> = BTreeMap::new();
        for p in &strong {
            if alive.contains(&p.a) && alive.contains(&p.b) {
                *deg.entry(p.a).or_default() += 1;
                *deg.entry(p.b).or_default() += 1;
            }
        }
        let drop: Vec<Id> = alive
            .iter()
            .copied()
            .filter(|a| deg.get(a).copied().unwrap_or(0) < cfg.min_degree)
            .collect();
        if drop.is_empty() {
            break;
        }
        for a in drop {
            alive.remove(&a);
        }
    }
    let mut adj: BTreeMap<Id, Vec<Id>> = BTreeMap::new();
    for p in &strong {
        if alive.contains(&p.a) && alive.contains(&p.b) {
            adj.entry(p.a).or_default().push(p.b);
            adj.entry(p.b).or_default().push(p.a);
        }
    }
    let mut seen = BTreeSet::new();
    let mut components = Vec::new();
    for &s in &alive {
        if !seen.insert(s) {
            continue;
        }
        let mut comp = vec![s];
        let mut queue = VecDeque::from([s]);
        while let Some(v) = queue.pop_front() {
            for &u in adj.get(&v).map(Vec::as_slice).unwrap_or(&[]) {
                if seen.insert(u) {
                    comp.push(u);
                    queue.push_back(u);
                }
            }
        }
        comp.sort_unstable();
        if comp.len() >= cfg.min_group_size {
            components.push(comp);
        }
    }

    let mut groups = Vec::new();
    for members in components {
        let set: BTreeSet<Id> = members.iter().copied().collect();
        // target -> member events (ts, index, account)
        let mut on: BTreeMap<Id, Vec<(i64, u32, Id)>> = BTreeMap::new();
        for i in 0..log.len() {
            if cfg.actions.contains(log.action()[i]) && set.contains(&log.actor()[i]) {
                on.entry(log.target()[i]).or_default().push((
                    log.ts()[i],
                    i as u32,
                    log.actor()[i],
                ));
            }
        }
        let quorum = cfg.target_quorum(members.len());
        let (mut targets, mut events, mut bursts) = (Vec::new(), Vec::new(), Vec::new());
        let mut per_member: BTreeMap<Id, usize> = BTreeMap::new();
        for (t, evs) in on {
            let lock: Vec<&(i64, u32, Id)> = evs
                .iter()
                .filter(|e| {
                    evs.iter().any(|f| {
                        f.2 != e.2 && (0..2).any(|g| cfg.bucket(f.0, g) == cfg.bucket(e.0, g))
                    })
                })
                .collect();
            let who: BTreeSet<Id> = lock.iter().map(|e| e.2).collect();
            if who.len() < quorum {
                continue;
            }
            targets.push(t);
            for a in who {
                *per_member.entry(a).or_default() += 1;
            }
            events.extend(lock.iter().map(|e| e.1));
            let lo = lock.iter().map(|e| e.0).min().unwrap_or(0);
            let hi = lock.iter().map(|e| e.0).max().unwrap_or(0);
            bursts.push(hi - lo);
        }
        if targets.len() < cfg.min_shared_targets as usize {
            continue;
        }
        events.sort_unstable();
        bursts.sort_unstable();
        let span_lo = events
            .iter()
            .map(|&i| log.ts()[i as usize])
            .min()
            .unwrap_or(0);
        let span_hi = events
            .iter()
            .map(|&i| log.ts()[i as usize])
            .max()
            .unwrap_or(0);
        let inner: Vec<&&PairStat> = strong
            .iter()
            .filter(|p| set.contains(&p.a) && set.contains(&p.b))
            .collect();
        let n = members.len();
        groups.push(LockstepGroup {
            score: per_member.values().sum::<usize>() as f64 / n as f64,
            accounts: members,
            targets,
            events,
            span: (span_lo, span_hi),
            median_burst_ms: bursts[bursts.len() / 2],
            strong_pairs: inner.len(),
            pair_density: inner.len() as f64 / (n * (n - 1) / 2) as f64,
            mean_jaccard: inner.iter().map(|p| p.jaccard).sum::<f64>() / inner.len().max(1) as f64,
            linked: Vec::new(),
        });
    }
    groups.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(x.accounts[0].cmp(&y.accounts[0]))
    });
    for x in 0..groups.len() {
        for y in x + 1..groups.len() {
            let tx: BTreeSet<Id> = groups[x].targets.iter().copied().collect();
            let common = groups[y].targets.iter().filter(|t| tx.contains(t)).count();
            let smaller = groups[x].targets.len().min(groups[y].targets.len());
            if common > 0 && common as f64 >= cfg.link_min_share * smaller as f64 {
                groups[x].linked.push(y);
                groups[y].linked.push(x);
            }
        }
    }
    groups
}
