//! Trust propagated from long-lived, well-endorsed accounts: a counterweight that protects
//! real people, after SybilRank (Cao et al., NSDI 2012).
//!
//! SybilRank spreads trust from verified seeds with an early-terminated power iteration
//! (O(log n) steps) and ranks nodes by degree-normalised trust: fake accounts, with few edges
//! from real people, end with little. Engagement fraud breaks SybilRank's "few attack edges"
//! premise on an undirected graph — a farm follows and likes thousands of real customers — so
//! here trust flows only along *endorsements*, from the account that follows, likes, comments
//! on or shares to the account it endorses (each distinct pair once). A farm's endorsements
//! give its customers nothing they did not have and give the farm nothing: real people do not
//! endorse it. Trust that reaches an account without endorsements of its own returns to the
//! seeds (as in TrustRank), so none is lost.
//!
//! Seeds are chosen from the log itself: accounts created at least
//! [`TrustConfig::seed_min_age_days`] before the log starts that are endorsed by the most
//! distinct accounts (the top [`TrustConfig::seed_share`], at least
//! [`TrustConfig::seed_min_endorsers`] endorsers each), whose audience is not a ring of mutual
//! endorsement: at most [`TrustConfig::seed_max_reciprocity`] of their endorsers are accounts
//! they endorse back. A creator's audience follows without being followed back; a farm whose
//! members endorse each other to look popular is all reciprocity. A platform with verified
//! accounts can pass its own seeds to [`trust_with_seeds`].
//!
//! The result is *protective only*: low trust is not evidence (new real people have none),
//! high trust says an account is a real person's — so the question about it is whether
//! someone else drove it (`compromised`), never whether it is `fake`.
//!
//! # Complexity
//! O(n + E log E) to build the endorsement graph of E distinct pairs from n events, then
//! O(E) per iteration for ⌈log₂ a⌉ iterations over a accounts.

use lockstep_core::{EventLog, Id, NONE, action};
use rayon::prelude::*;

/// Thresholds of trust propagation.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustConfig {
    /// Seeds were created at least this many days before the log's first event.
    pub seed_min_age_days: f64,
    /// Seeds are this share of accounts, the most endorsed first.
    pub seed_share: f64,
    /// A seed has at least this many distinct endorsers.
    pub seed_min_endorsers: u32,
    /// At most this share of a seed's endorsers are endorsed back by it.
    pub seed_max_reciprocity: f64,
    /// Iterations; 0 means ⌈log₂(accounts)⌉ as in SybilRank.
    pub iterations: u32,
}

impl Default for TrustConfig {
    fn default() -> Self {
        TrustConfig {
            seed_min_age_days: 365.0,
            seed_share: 0.01,
            seed_min_endorsers: 10,
            seed_max_reciprocity: 0.5,
            iterations: 0,
        }
    }
}

/// Trust per account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrustReport {
    /// The seeds, sorted.
    pub seeds: Vec<Id>,
    /// Per account: trust after propagation (sums to the number of seeds).
    pub trust: Vec<f64>,
    /// Per account: trust divided by its distinct endorsers (SybilRank's ranking score; 0
    /// without endorsers).
    pub normalized: Vec<f64>,
    /// Per account: the share of accounts with a lower `normalized` score, in [0, 1].
    pub percentile: Vec<f32>,
}

/// Distinct (endorser, endorsed) pairs of the log, sorted: follows, likes, comments and
/// shares whose owner is another account.
pub fn endorsements(log: &EventLog) -> Vec<(Id, Id)> {
    let endorse = [action::FOLLOW, action::LIKE, action::COMMENT, action::SHARE];
    let mut pairs: Vec<(Id, Id)> = log
        .actor()
        .par_iter()
        .zip(log.owner())
        .zip(log.action())
        .filter(|((a, o), act)| **o != NONE && **a != **o && endorse.contains(act))
        .map(|((&a, &o), _)| (a, o))
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// Picks seeds (see the module docs) and propagates trust.
pub fn trust(log: &EventLog, cfg: &TrustConfig) -> TrustReport {
    let n = log.accounts.len();
    let pairs = endorsements(log);
    let mut endorsers = vec![0u32; n];
    for &(_, o) in &pairs {
        endorsers[o as usize] += 1;
    }
    let start = log.time_span().map_or(0, |(s, _)| s);
    // Whole milliseconds, rounded up: an account is never a seed while younger than the limit.
    let min_age = (cfg.seed_min_age_days * 86_400_000.0).ceil() as i64;
    let mut eligible: Vec<Id> = (0..n as Id)
        .filter(|&a| {
            endorsers[a as usize] >= cfg.seed_min_endorsers
                && log
                    .account_table
                    .created_at(a)
                    .is_some_and(|c| c <= start - min_age)
        })
        .collect();
    // Reciprocity: the endorsers of each eligible account that it endorses back — the
    // pairs whose reverse is also a pair, by merging the sorted pairs with their sorted
    // reverses (no lookups).
    let mut back = vec![0u32; n];
    let mut rev: Vec<(Id, Id)> = pairs
        .par_iter()
        .filter(|&&(_, o)| endorsers[o as usize] >= cfg.seed_min_endorsers)
        .map(|&(e, o)| (o, e))
        .collect();
    rev.par_sort_unstable();
    let (mut i, mut k) = (0, 0);
    while i < pairs.len() && k < rev.len() {
        match pairs[i].cmp(&rev[k]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => k += 1,
            std::cmp::Ordering::Equal => {
                // (o, e) endorses both ways and o is well endorsed: one reciprocal endorser of o.
                back[rev[k].0 as usize] += 1;
                i += 1;
                k += 1;
            }
        }
    }
    eligible.retain(|&a| {
        f64::from(back[a as usize]) <= cfg.seed_max_reciprocity * f64::from(endorsers[a as usize])
    });
    eligible.sort_by_key(|&a| (std::cmp::Reverse(endorsers[a as usize]), a));
    let k = ((n as f64 * cfg.seed_share).ceil() as usize).min(eligible.len());
    let mut seeds = eligible[..k].to_vec();
    seeds.sort_unstable();
    propagate(n, &pairs, &endorsers, seeds, cfg.iterations)
}

/// Propagates trust from the given seeds (e.g. a platform's verified accounts).
pub fn trust_with_seeds(log: &EventLog, seeds: &[Id], iterations: u32) -> TrustReport {
    let n = log.accounts.len();
    let pairs = endorsements(log);
    let mut endorsers = vec![0u32; n];
    for &(_, o) in &pairs {
        endorsers[o as usize] += 1;
    }
    let mut s: Vec<Id> = seeds
        .iter()
        .copied()
        .filter(|&a| (a as usize) < n)
        .collect();
    s.sort_unstable();
    s.dedup();
    propagate(n, &pairs, &endorsers, s, iterations)
}

fn propagate(
    n: usize,
    pairs: &[(Id, Id)],
    endorsers: &[u32],
    seeds: Vec<Id>,
    iterations: u32,
) -> TrustReport {
    // CSR of out-endorsements (pairs are sorted by endorser).
    let mut off = vec![0u32; n + 1];
    for &(a, _) in pairs {
        off[a as usize + 1] += 1;
    }
    for i in 0..n {
        off[i + 1] += off[i];
    }
    let mut t = vec![0.0f64; n];
    for &s in &seeds {
        t[s as usize] = 1.0;
    }
    let iters = if iterations == 0 {
        // ⌈log₂ n⌉ (0 for one account).
        (usize::BITS - (n.max(1) - 1).leading_zeros()) as usize
    } else {
        iterations as usize
    };
    let per_seed = if seeds.is_empty() {
        0.0
    } else {
        1.0 / seeds.len() as f64
    };
    let mut next = vec![0.0f64; n];
    for _ in 0..iters {
        next.iter_mut().for_each(|x| *x = 0.0);
        let mut back = 0.0;
        for a in 0..n {
            let ta = t[a];
            if ta == 0.0 {
                continue;
            }
            let (lo, hi) = (off[a] as usize, off[a + 1] as usize);
            if lo == hi {
                back += ta;
                continue;
            }
            let share = ta / (hi - lo) as f64;
            for &(_, o) in &pairs[lo..hi] {
                next[o as usize] += share;
            }
        }
        for &s in &seeds {
            next[s as usize] += back * per_seed;
        }
        std::mem::swap(&mut t, &mut next);
    }
    let normalized: Vec<f64> = t
        .iter()
        .zip(endorsers)
        .map(|(&x, &d)| if d == 0 { 0.0 } else { x / f64::from(d) })
        .collect();
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by(|&a, &b| normalized[a as usize].total_cmp(&normalized[b as usize]));
    let mut percentile = vec![0.0f32; n];
    let mut below = 0usize;
    for run in order.chunk_by(|&a, &b| normalized[a as usize] == normalized[b as usize]) {
        for &a in run {
            percentile[a as usize] = below as f32 / n.max(1) as f32;
        }
        below += run.len();
    }
    TrustReport {
        seeds,
        trust: t,
        normalized,
        percentile,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lockstep_core::{EventLogBuilder, RawEvent};
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};

    fn follow(b: &mut EventLogBuilder, a: &str, o: &str, t: i64) {
        b.push(&RawEvent {
            id: None,
            ts: t,
            actor: a,
            action: "follow",
            target: o,
            owner: Some(o),
            text: None,
            ip: None,
            device: None,
            client: None,
            line: 1,
        })
        .unwrap();
    }

    /// 300 old real accounts endorsing each other at random; a farm of 40 that endorses
    /// real customers and each other heavily, which no real account endorses.
    fn world() -> EventLog {
        let mut rng = SmallRng::seed_from_u64(7);
        let mut b = EventLogBuilder::new();
        let day = 86_400_000i64;
        let t0 = 3000 * day;
        for i in 0..300 {
            let a = format!("r{i}");
            b.log_mut().accounts.intern(&a).unwrap();
        }
        for i in 0..300 {
            for _ in 0..12 {
                let j = rng.random_range(0..300);
                if j != i {
                    follow(&mut b, &format!("r{i}"), &format!("r{j}"), t0);
                }
            }
        }
        for f in 0..40 {
            for c in 0..30 {
                follow(&mut b, &format!("f{f}"), &format!("r{c}"), t0 + 1);
            }
            for g in 0..40 {
                if g != f {
                    follow(&mut b, &format!("f{f}"), &format!("f{g}"), t0 + 2);
                }
            }
        }
        let log_mut = b.log_mut();
        for i in 0..300 {
            let a = log_mut.accounts.get(&format!("r{i}")).unwrap();
            log_mut.account_table.push(a, Some(t0 - 2000 * day), []);
        }
        for f in 0..40 {
            let a = log_mut.accounts.get(&format!("f{f}")).unwrap();
            log_mut.account_table.push(a, Some(t0 - 1500 * day), []);
        }
        b.finish()
    }

    #[test]
    fn real_accounts_rank_above_the_farm() {
        let log = world();
        let r = trust(
            &log,
            &TrustConfig {
                seed_share: 0.05,
                ..TrustConfig::default()
            },
        );
        assert!(!r.seeds.is_empty());
        // Each farm account is endorsed by 39 others, more than any real account, but all of
        // them it endorses back: a ring, never a seed, and no real account endorses it.
        let id = |s: &str| log.accounts.get(s).unwrap() as usize;
        assert!(
            r.seeds
                .iter()
                .all(|&s| log.accounts.resolve(s).starts_with('r'))
        );
        for f in 0..40 {
            assert_eq!(
                r.trust[id(&format!("f{f}"))],
                0.0,
                "no trust reaches the farm"
            );
        }
        let trusted = (0..300)
            .filter(|i| r.normalized[id(&format!("r{i}"))] > 0.0)
            .count();
        assert!(trusted > 250, "most real accounts get trust: {trusted}");
        let total: f64 = r.trust.iter().sum();
        assert!(
            (total - r.seeds.len() as f64).abs() < 1e-6,
            "trust is conserved: {total}"
        );
    }

    #[test]
    fn given_seeds_reach_only_what_they_endorse() {
        let log = world();
        let seeds = [log.accounts.get("r0").unwrap()];
        let r = trust_with_seeds(&log, &seeds, 0);
        for f in 0..40 {
            assert_eq!(
                r.trust[log.accounts.get(&format!("f{f}")).unwrap() as usize],
                0.0
            );
        }
        assert!(r.percentile.iter().all(|&p| (0.0..=1.0).contains(&p)));
    }

    /// The same propagation written as dense matrix products, on random small graphs.
    #[test]
    #[allow(clippy::needless_range_loop)] // the reference is written as the matrix formula
    fn matches_a_dense_matrix_reference() {
        let mut rng = SmallRng::seed_from_u64(11);
        for _ in 0..20 {
            let n = rng.random_range(2..30usize);
            let mut pairs: Vec<(Id, Id)> = (0..rng.random_range(0..80))
                .map(|_| (rng.random_range(0..n as Id), rng.random_range(0..n as Id)))
                .filter(|(a, b)| a != b)
                .collect();
            pairs.sort_unstable();
            pairs.dedup();
            let mut endorsers = vec![0u32; n];
            for &(_, o) in &pairs {
                endorsers[o as usize] += 1;
            }
            let seeds: Vec<Id> = (0..n as Id).filter(|_| rng.random_bool(0.2)).collect();
            let iters = rng.random_range(1..8u32);
            let got = propagate(n, &pairs, &endorsers, seeds.clone(), iters);
            // Dense: M[a][o] = 1/outdeg(a); dangling mass returns to the seeds evenly.
            let mut m = vec![vec![0.0f64; n]; n];
            for &(a, o) in &pairs {
                let out = pairs.iter().filter(|p| p.0 == a).count() as f64;
                m[a as usize][o as usize] = 1.0 / out;
            }
            let mut t = vec![0.0; n];
            for &s in &seeds {
                t[s as usize] = 1.0;
            }
            for _ in 0..iters {
                let mut nt = vec![0.0; n];
                let mut lost = 0.0;
                for a in 0..n {
                    let row_sum: f64 = m[a].iter().sum();
                    if row_sum == 0.0 {
                        lost += t[a];
                    }
                    for o in 0..n {
                        nt[o] += t[a] * m[a][o];
                    }
                }
                for &s in &seeds {
                    nt[s as usize] += lost / seeds.len() as f64;
                }
                t = nt;
            }
            for a in 0..n {
                assert!(
                    (t[a] - got.trust[a]).abs() < 1e-9,
                    "{a}: {} vs {}",
                    t[a],
                    got.trust[a]
                );
            }
        }
    }
}
