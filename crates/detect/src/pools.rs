//! Follower pools: the accounts a follower vendor drips onto its customers, found by what
//! their followers share rather than by when they follow.
//!
//! A vendor that sells "natural growth" follows each customer from its pool at random moments
//! over days, each pool account serving several customers. No two pool accounts need to follow
//! in the same hour, nor even the same customers (each follows a handful of dozens), so pair
//! methods see little. The customers' side shows it: two customers of one pool share a large
//! part of their followers, and the pool is a large part of each one's followers. The detector:
//!
//! 1. **Customers that share followers.** For every two accounts followed by a same account
//!    (accounts that follow more than `max_follows` are left out: a person who follows
//!    thousands links everyone), the followers they share. Two targets x and y are *linked*
//!    when they share at least `min_shared` such followers and `shared ≥ min_jaccard ·
//!    (followers(x) + followers(y) − shared)`, followers counting everyone (so a heavy
//!    follower of both makes a link harder, never easier). Linked targets form components
//!    (union-find).
//! 2. **The pool** of a component of at least `min_customers` targets: the accounts that follow
//!    at least `min_customers` of them with at least `min_pool_share` of all their follows —
//!    a person follows friends, creators and brands besides; a pool account follows customers.
//!    Targets of the component are never its pool, nor are accounts one of its targets
//!    follows (friends who follow each other are a circle or a community, not a pool and its
//!    customers: a customer does not follow the accounts it bought), and a pool has at least
//!    `min_customers` accounts.
//! 3. **Capture.** A target is *captured* when the pool is at least `min_capture` of its
//!    followers: an order is a large part of a small customer's audience, while fans who
//!    follow the same celebrities are a sliver of theirs. A component with `min_customers`
//!    captured targets is a pool: its accounts, with their follows of the captured targets.
//!
//! # Complexity
//! One parallel pass to pick the follows, a sort of the (account, target) pairs, and the
//! target pairs of each account: O(n + Σ d²) for accounts following d ≤ `max_follows`
//! targets, sorted once in parallel.

use lockstep_core::{EventLog, Id, action};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::error::ensure_input;
use crate::signal::{Aspects, Reason, Signal, distinct_of};

/// How follower pools are found. See each field for its default and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PoolConfig {
    /// Accounts that follow more targets than this link none (they still can be pool
    /// members). Default 200: a person who follows thousands links everyone, and the pairs of
    /// their follows would cost d².
    pub max_follows: u32,
    /// Followers two targets must share to be linked. Default 10.
    pub min_shared: u32,
    /// … and their share of the two targets' followers together (Jaccard). Default 0.2.
    pub min_jaccard: f64,
    /// Customers (targets) a pool serves, and targets a pool account follows. Default 3: a
    /// vendor has several customers; a pool account serves several.
    pub min_customers: u32,
    /// Share of a pool account's follows that go to the component's targets. Default 0.5.
    pub min_pool_share: f64,
    /// Share of a target's followers that are the pool for it to be captured. Default 0.2.
    pub min_capture: f64,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            max_follows: 200,
            min_shared: 10,
            min_jaccard: 0.2,
            min_customers: 3,
            min_pool_share: 0.5,
            min_capture: 0.2,
        }
    }
}

impl PoolConfig {
    /// Checks the values.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming the first bad field.
    pub fn validate(&self) -> Result<()> {
        ensure_input!(self.max_follows >= 2, "max_follows must be at least 2");
        ensure_input!(self.min_shared >= 1, "min_shared must be at least 1");
        ensure_input!(self.min_customers >= 2, "min_customers must be at least 2");
        for (name, v) in [
            ("min_jaccard", self.min_jaccard),
            ("min_pool_share", self.min_pool_share),
            ("min_capture", self.min_capture),
        ] {
            ensure_input!(
                (0.0..=1.0).contains(&v),
                "{name} must be in [0, 1], got {v}"
            );
        }
        Ok(())
    }
}

/// One follower pool.
#[derive(Debug, Clone, PartialEq)]
pub struct Pool {
    /// The pool's accounts, ascending.
    pub accounts: Vec<Id>,
    /// The captured targets (the customers), ascending.
    pub customers: Vec<Id>,
    /// The pool's follow events of its customers, ascending.
    pub events: Vec<u32>,
    /// The pool's share of the customers' followers (mean over customers).
    pub capture: f64,
}

fn find(p: &mut [u32], mut x: u32) -> u32 {
    while p[x as usize] != x {
        p[x as usize] = p[p[x as usize] as usize];
        x = p[x as usize];
    }
    x
}

/// Finds follower pools in `log` (see the module docs). Pools come largest first, ties by
/// first account, then by their smallest target (an account can be in two pools when
/// `min_pool_share` ≤ 0.5).
///
/// # Errors
/// [`crate::Error::InvalidInput`] when `cfg` is invalid.
pub fn follower_pools(log: &EventLog, cfg: &PoolConfig) -> Result<Vec<Pool>> {
    cfg.validate()?;
    let act = log.action();
    let actor = log.actor();
    let target = log.target();
    // The follow events; their distinct (account, target) pairs, and the same by target.
    let follows: Vec<u32> = (0..log.len() as u32)
        .into_par_iter()
        .filter(|&e| act[e as usize] == action::FOLLOW)
        .collect();
    let mut at: Vec<(Id, Id)> = follows
        .par_iter()
        .map(|&e| (actor[e as usize], target[e as usize]))
        .collect();
    at.par_sort_unstable();
    at.dedup();
    if at.is_empty() {
        return Ok(Vec::new());
    }
    let mut ta: Vec<(Id, Id)> = at.par_iter().map(|&(a, t)| (t, a)).collect();
    ta.par_sort_unstable();
    let n_t = log.targets.len();
    let mut followers = vec![0u32; n_t];
    for &(t, _) in &ta {
        followers[t as usize] += 1;
    }
    // 1. Target pairs by shared followers.
    let runs: Vec<&[(Id, Id)]> = at.chunk_by(|x, y| x.0 == y.0).collect();
    let mut pairs: Vec<u64> = runs
        .par_iter()
        .filter(|r| r.len() >= 2 && r.len() <= cfg.max_follows as usize)
        .flat_map_iter(|r| {
            (0..r.len()).flat_map(move |i| {
                (i + 1..r.len()).map(move |j| (u64::from(r[i].1) << 32) | u64::from(r[j].1))
            })
        })
        .collect();
    pairs.par_sort_unstable();
    let mut parent: Vec<u32> = (0..n_t as u32).collect();
    let mut linked = vec![false; n_t];
    for run in pairs.chunk_by(|x, y| x == y) {
        let shared = run.len() as u32;
        if shared < cfg.min_shared {
            continue;
        }
        let (x, y) = ((run[0] >> 32) as u32, run[0] as u32);
        let union = followers[x as usize] + followers[y as usize] - shared;
        if f64::from(shared) < cfg.min_jaccard * f64::from(union) {
            continue;
        }
        linked[x as usize] = true;
        linked[y as usize] = true;
        let (rx, ry) = (find(&mut parent, x), find(&mut parent, y));
        if rx != ry {
            parent[rx.max(ry) as usize] = rx.min(ry);
        }
    }
    drop(pairs);
    // Components of linked targets, with at least `min_customers` targets.
    let mut comp_of = vec![u32::MAX; n_t];
    let mut comps: Vec<Vec<Id>> = Vec::new();
    let mut index_of_root = std::collections::BTreeMap::new();
    for t in 0..n_t as u32 {
        if !linked[t as usize] {
            continue;
        }
        let r = find(&mut parent, t);
        let k = *index_of_root.entry(r).or_insert_with(|| {
            comps.push(Vec::new());
            comps.len() - 1
        });
        comps[k].push(t);
    }
    for (k, c) in comps.iter().enumerate() {
        if c.len() >= cfg.min_customers as usize {
            for &t in c {
                comp_of[t as usize] = k as u32;
            }
        }
    }
    // 2. Pool accounts: per account, its follows into each component.
    let mut members: Vec<(u32, Id)> = runs
        .par_iter()
        .flat_map_iter(|r| {
            let a = r[0].0;
            let mut ks: Vec<u32> = r
                .iter()
                .map(|x| comp_of[x.1 as usize])
                .filter(|&k| k != u32::MAX)
                .collect();
            ks.sort_unstable();
            let total = r.len();
            let mut out = Vec::new();
            for run in ks.chunk_by(|x, y| x == y) {
                let n = run.len();
                if n >= cfg.min_customers as usize && n as f64 >= cfg.min_pool_share * total as f64
                {
                    out.push((run[0], a));
                }
            }
            out.into_iter()
        })
        .collect();
    members.par_sort_unstable();
    // The accounts each target is, if any (targets are named like accounts when followed).
    let account_of = |t: Id| log.accounts.get(log.targets.resolve(t));
    let mut pools = Vec::new();
    for run in members.chunk_by(|x, y| x.0 == y.0) {
        let k = run[0].0 as usize;
        let comp = &comps[k];
        let targets_as_accounts: Vec<Id> = {
            let mut v: Vec<Id> = comp.iter().filter_map(|&t| account_of(t)).collect();
            v.sort_unstable();
            v
        };
        // Followed back by one of the component's targets: a customer does not follow the
        // accounts it bought, people in a community do follow each other.
        let followed_back = |a: Id| {
            log.targets.get(log.accounts.resolve(a)).is_some_and(|x| {
                targets_as_accounts
                    .iter()
                    .any(|&ta| at.binary_search(&(ta, x)).is_ok())
            })
        };
        let pool: Vec<Id> = run
            .iter()
            .map(|x| x.1)
            .filter(|&a| targets_as_accounts.binary_search(&a).is_err() && !followed_back(a))
            .collect();
        if pool.len() < cfg.min_customers as usize {
            continue;
        }
        // 3. Capture.
        let mut customers = Vec::new();
        let mut capture_sum = 0.0;
        for &t in comp {
            let lo = ta.partition_point(|x| x.0 < t);
            let hi = ta.partition_point(|x| x.0 <= t);
            let inside = ta[lo..hi]
                .iter()
                .filter(|x| pool.binary_search(&x.1).is_ok())
                .count();
            let share = inside as f64 / (hi - lo).max(1) as f64;
            if share >= cfg.min_capture {
                customers.push(t);
                capture_sum += share;
            }
        }
        if customers.len() < cfg.min_customers as usize {
            continue;
        }
        pools.push(Pool {
            capture: capture_sum / customers.len() as f64,
            accounts: pool,
            customers,
            events: Vec::new(),
        });
    }
    // The pools' follow events of their customers.
    pools.par_iter_mut().for_each(|p| {
        p.events = follows
            .iter()
            .copied()
            .filter(|&e| {
                let e = e as usize;
                p.customers.binary_search(&target[e]).is_ok()
                    && p.accounts.binary_search(&actor[e]).is_ok()
            })
            .collect();
    });
    pools.sort_by_key(|p| (std::cmp::Reverse(p.accounts.len()), p.accounts[0]));
    Ok(pools)
}

impl Pool {
    /// The pool as a [`Signal`] (reason `rate-anomaly`: the drip family).
    pub fn to_signal(&self, log: &EventLog) -> Signal {
        let time = self
            .events
            .iter()
            .map(|&e| log.ts()[e as usize])
            .fold(None, |acc: Option<(i64, i64)>, t| {
                Some(acc.map_or((t, t), |(a, b)| (a.min(t), b.max(t))))
            });
        Signal {
            reason: Reason::FollowerPool,
            accounts: self.accounts.clone(),
            events: self.events.clone(),
            score: self.capture,
            aspects: Aspects {
                targets: self.customers.clone(),
                time,
                ips: distinct_of(log.ip(), &self.events),
                devices: distinct_of(log.device(), &self.events),
                concentrated: Vec::new(),
            },
            summary: format!(
                "a follower pool: {} accounts, each giving most of its follows to {} customers \
                 who share their followers with each other, and making up {:.0}% of those \
                 customers' followers on average ({} follows)",
                self.accounts.len(),
                self.customers.len(),
                100.0 * self.capture,
                self.events.len()
            ),
        }
    }
}
