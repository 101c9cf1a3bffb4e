//! Reference follower pools: each target's followers and each account's follows in ordered
//! sets, every pair of targets compared by intersecting their followers, components found
//! breadth-first over the explicit graph of linked targets, and each component's pool,
//! customers and evidence recounted from those sets and from the whole log.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use lockstep_core::{EventLog, Id, action};

use crate::pools::{Pool, PoolConfig};

/// What became of one component of linked targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Fewer than `min_customers` targets.
    TooSmall,
    /// Fewer than `min_customers` pool accounts (after leaving out the component's targets).
    FewAccounts,
    /// Fewer than `min_customers` captured targets.
    FewCustomers,
    /// A pool.
    Pool,
}

/// One component of linked targets and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Its targets, ascending.
    pub targets: Vec<Id>,
    /// Accounts that gave enough of their follows to it but are one of its targets (and so
    /// are not its pool), ascending.
    pub excluded: Vec<Id>,
    /// What became of it.
    pub outcome: Outcome,
}

/// What [`follower_pools`] finds, with the steps that led there.
#[derive(Debug, Clone, PartialEq)]
pub struct Pools {
    /// The pools as [`crate::pools::follower_pools`] returns them.
    pub pools: Vec<Pool>,
    /// Linked target pairs `(x, y)` with `x < y`, ascending.
    pub linked: Vec<(Id, Id)>,
    /// Every component of linked targets, by smallest target.
    pub components: Vec<Component>,
    /// Accounts following more than `max_follows` distinct targets (they link nothing),
    /// ascending.
    pub uncapped: Vec<Id>,
}

/// The follower pools of [`crate::pools::follower_pools`] (`cfg` assumed valid).
///
/// # Complexity
/// O(T² · F log F) for T followed targets of at most F followers each (every pair of
/// targets intersected), plus O(C · A · d) for C components, A accounts following d targets,
/// plus O(n log P) per pool for its evidence.
pub fn follower_pools(log: &EventLog, cfg: &PoolConfig) -> Pools {
    let (act, actor, target) = (log.action(), log.actor(), log.target());

    // Distinct follows, both ways round.
    let mut followers: BTreeMap<Id, BTreeSet<Id>> = BTreeMap::new();
    let mut follows: BTreeMap<Id, BTreeSet<Id>> = BTreeMap::new();
    for i in 0..log.len() {
        if act[i] == action::FOLLOW {
            followers.entry(target[i]).or_default().insert(actor[i]);
            follows.entry(actor[i]).or_default().insert(target[i]);
        }
    }
    // Accounts whose shared follows count: at least two targets, at most `max_follows`.
    let linking: BTreeSet<Id> = follows
        .iter()
        .filter(|(_, ts)| ts.len() >= 2 && ts.len() <= cfg.max_follows as usize)
        .map(|(&a, _)| a)
        .collect();
    let uncapped: Vec<Id> = follows
        .iter()
        .filter(|(_, ts)| ts.len() > cfg.max_follows as usize)
        .map(|(&a, _)| a)
        .collect();

    // 1. Every pair of targets: their shared linking followers, against all their followers.
    let targets: Vec<Id> = followers.keys().copied().collect();
    let mut adj: BTreeMap<Id, BTreeSet<Id>> = BTreeMap::new();
    let mut linked = Vec::new();
    for (i, &x) in targets.iter().enumerate() {
        for &y in &targets[i + 1..] {
            let (fx, fy) = (&followers[&x], &followers[&y]);
            let shared = fx.intersection(fy).filter(|a| linking.contains(a)).count();
            // `followers` counts every follower, linking or not.
            let together = fx.len() + fy.len() - shared;
            if shared >= cfg.min_shared as usize
                && shared as f64 >= cfg.min_jaccard * together as f64
            {
                linked.push((x, y));
                adj.entry(x).or_default().insert(y);
                adj.entry(y).or_default().insert(x);
            }
        }
    }

    // Components, breadth-first from each linked target in ascending order.
    let mut seen: BTreeSet<Id> = BTreeSet::new();
    let mut comps: Vec<BTreeSet<Id>> = Vec::new();
    for &start in adj.keys() {
        if !seen.insert(start) {
            continue;
        }
        let mut comp = BTreeSet::from([start]);
        let mut queue = VecDeque::from([start]);
        while let Some(x) = queue.pop_front() {
            for &y in &adj[&x] {
                if seen.insert(y) {
                    comp.insert(y);
                    queue.push_back(y);
                }
            }
        }
        comps.push(comp);
    }

    // The account a target is, if one has its name.
    let account_of = |t: Id| log.accounts.get(log.targets.resolve(t));
    let mut components = Vec::new();
    let mut pools = Vec::new();
    for comp in comps {
        let mut c = Component {
            targets: comp.iter().copied().collect(),
            excluded: Vec::new(),
            outcome: Outcome::TooSmall,
        };
        if comp.len() < cfg.min_customers as usize {
            components.push(c);
            continue;
        }
        // 2. The pool: accounts giving enough of their follows to the component, unless they
        // are one of its targets or one of its targets follows them.
        let comp_accounts: BTreeSet<Id> = comp.iter().filter_map(|&t| account_of(t)).collect();
        let mut pool: BTreeSet<Id> = BTreeSet::new();
        for (&a, ts) in &follows {
            let inside = ts.iter().filter(|t| comp.contains(t)).count();
            if inside >= cfg.min_customers as usize
                && inside as f64 >= cfg.min_pool_share * ts.len() as f64
            {
                // Followed by one of the component's targets (a community, not a pool).
                let followed_back = log.targets.get(log.accounts.resolve(a)).is_some_and(|x| {
                    comp_accounts
                        .iter()
                        .any(|ta| follows.get(ta).is_some_and(|f| f.contains(&x)))
                });
                if comp_accounts.contains(&a) || followed_back {
                    c.excluded.push(a);
                } else {
                    pool.insert(a);
                }
            }
        }
        if pool.len() < cfg.min_customers as usize {
            c.outcome = Outcome::FewAccounts;
            components.push(c);
            continue;
        }
        // 3. Capture: the targets (not themselves pool accounts) whose followers are enough
        // pool.
        let mut customers = Vec::new();
        let mut shares = Vec::new();
        for &t in &comp {
            if account_of(t).is_some_and(|a| pool.contains(&a)) {
                continue;
            }
            let all = &followers[&t];
            let of_pool = all.iter().filter(|a| pool.contains(a)).count();
            let share = of_pool as f64 / all.len() as f64;
            if share >= cfg.min_capture {
                customers.push(t);
                shares.push(share);
            }
        }
        if customers.len() < cfg.min_customers as usize {
            c.outcome = Outcome::FewCustomers;
            components.push(c);
            continue;
        }
        c.outcome = Outcome::Pool;
        components.push(c);
        let events: Vec<u32> = (0..log.len())
            .filter(|&i| {
                act[i] == action::FOLLOW
                    && pool.contains(&actor[i])
                    && customers.contains(&target[i])
            })
            .map(|i| i as u32)
            .collect();
        let mut sum = 0.0;
        for s in &shares {
            sum += s;
        }
        pools.push(Pool {
            accounts: pool.into_iter().collect(),
            capture: sum / customers.len() as f64,
            customers,
            events,
        });
    }
    // Largest first, ties by first account (then by smallest target of the component: the
    // sort is stable).
    pools.sort_by(|p, q| {
        q.accounts
            .len()
            .cmp(&p.accounts.len())
            .then(p.accounts[0].cmp(&q.accounts[0]))
    });
    Pools {
        pools,
        linked,
        components,
        uncapped,
    }
}
