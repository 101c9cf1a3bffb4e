//! Reference trust: the endorsements gathered in an ordered set, each account's endorsers and
//! endorsees in ordered maps, every seed rule checked per account by direct counting, and
//! trust propagated by pulling, for each account, what each of its endorsers sends it, step
//! by step from scratch.

use std::collections::{BTreeMap, BTreeSet};

use lockstep_core::{EventLog, Id, NONE, action};

use crate::trust::TrustConfig;

const DAY_MS: f64 = 86_400_000.0;

/// [`Trust::not_seeds`]: no creation time, or created less than
/// [`TrustConfig::seed_min_age_days`] before the log's first event.
pub const TOO_YOUNG: u8 = 1;
/// [`Trust::not_seeds`]: fewer than [`TrustConfig::seed_min_endorsers`] distinct endorsers.
pub const FEW_ENDORSERS: u8 = 2;
/// [`Trust::not_seeds`]: more than [`TrustConfig::seed_max_reciprocity`] of its endorsers are
/// accounts it endorses back.
pub const RECIPROCAL: u8 = 4;
/// [`Trust::not_seeds`]: passes every other rule but is not among the
/// [`TrustConfig::seed_share`] of accounts taken, most endorsed first (ties by lower id).
pub const BELOW_CUT: u8 = 8;

/// What [`trust`] and [`trust_with_seeds`] find, as [`crate::trust::TrustReport`] plus why
/// each other account is not a seed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trust {
    /// The seeds, ascending.
    pub seeds: Vec<Id>,
    /// Per account: trust after propagation.
    pub trust: Vec<f64>,
    /// Per account: trust over distinct endorsers (0 without endorsers).
    pub normalized: Vec<f64>,
    /// Per account: the share of accounts with a lower `normalized` ([`percentiles`]).
    pub percentile: Vec<f32>,
    /// Every account that is not a seed, with the bits ([`TOO_YOUNG`], [`FEW_ENDORSERS`],
    /// [`RECIPROCAL`]) of every rule it fails, or [`BELOW_CUT`] alone. Empty for
    /// [`trust_with_seeds`].
    pub not_seeds: BTreeMap<Id, u8>,
}

/// The distinct (endorser, endorsed) pairs of [`crate::trust::endorsements`], ascending.
///
/// # Complexity
/// O(n log n) for n events.
pub fn endorsements(log: &EventLog) -> Vec<(Id, Id)> {
    let mut pairs = BTreeSet::new();
    for i in 0..log.len() {
        let (who, whom) = (log.actor()[i], log.owner()[i]);
        let endorsing = matches!(
            log.action()[i],
            action::FOLLOW | action::LIKE | action::COMMENT | action::SHARE
        );
        if endorsing && whom != NONE && whom != who {
            pairs.insert((who, whom));
        }
    }
    pairs.into_iter().collect()
}

/// The endorsement graph, both ways.
struct Graph {
    /// Every account's distinct endorsers.
    endorsed_by: BTreeMap<Id, BTreeSet<Id>>,
    /// Every account's distinct endorsees.
    endorses: BTreeMap<Id, BTreeSet<Id>>,
}

impl Graph {
    fn of(log: &EventLog) -> Graph {
        let mut g = Graph {
            endorsed_by: BTreeMap::new(),
            endorses: BTreeMap::new(),
        };
        for a in 0..log.accounts.len() as Id {
            g.endorsed_by.insert(a, BTreeSet::new());
            g.endorses.insert(a, BTreeSet::new());
        }
        for (who, whom) in endorsements(log) {
            g.endorsed_by.get_mut(&whom).unwrap().insert(who);
            g.endorses.get_mut(&who).unwrap().insert(whom);
        }
        g
    }
}

/// The iterations SybilRank runs on `accounts` accounts: ⌈log₂ accounts⌉ (0 for one account
/// or none).
pub fn default_iterations(accounts: usize) -> u32 {
    let mut k = 0;
    while (1u128 << k) < accounts as u128 {
        k += 1;
    }
    k
}

/// For each account, the share of all accounts whose score is strictly lower.
///
/// # Complexity
/// O(a²) for a accounts.
pub fn percentiles(normalized: &[f64]) -> Vec<f32> {
    let a = normalized.len();
    normalized
        .iter()
        .map(|x| {
            let lower = normalized.iter().filter(|y| *y < x).count();
            (lower as f64 / a as f64) as f32
        })
        .collect()
}

/// The seeds [`crate::trust::trust`] picks and the trust it propagates from them.
///
/// # Complexity
/// O(n log n) for the graph of n events, O(a log a + E log E) for the seed rules over a
/// accounts and E distinct endorsements, then O((a + E) log E) per iteration, plus O(a²) for
/// the percentiles.
pub fn trust(log: &EventLog, cfg: &TrustConfig) -> Trust {
    let g = Graph::of(log);
    let accounts = log.accounts.len();
    let start = log.ts().iter().copied().min().unwrap_or(0);
    let mut not_seeds = BTreeMap::new();
    let mut candidates = Vec::new();
    for (&a, endorsers) in &g.endorsed_by {
        let mut why = 0;
        let old_enough = log.account_table.created_at(a).is_some_and(|created| {
            let age_ms = (i128::from(start) - i128::from(created)) as f64;
            age_ms >= cfg.seed_min_age_days * DAY_MS
        });
        if !old_enough {
            why |= TOO_YOUNG;
        }
        if endorsers.len() < cfg.seed_min_endorsers as usize {
            why |= FEW_ENDORSERS;
        }
        let endorsed_back = endorsers.intersection(&g.endorses[&a]).count();
        let share_back = if endorsers.is_empty() {
            0.0
        } else {
            endorsed_back as f64 / endorsers.len() as f64
        };
        if share_back > cfg.seed_max_reciprocity {
            why |= RECIPROCAL;
        }
        if why == 0 {
            candidates.push((std::cmp::Reverse(endorsers.len()), a));
        } else {
            not_seeds.insert(a, why);
        }
    }
    candidates.sort();
    let take = (cfg.seed_share * accounts as f64).ceil() as usize;
    let mut seeds = BTreeSet::new();
    for (rank, &(_, a)) in candidates.iter().enumerate() {
        if rank < take {
            seeds.insert(a);
        } else {
            not_seeds.insert(a, BELOW_CUT);
        }
    }
    let mut t = propagate(&g, &seeds, cfg.iterations);
    t.not_seeds = not_seeds;
    t
}

/// The trust [`crate::trust::trust_with_seeds`] propagates from `seeds` (ids that are not
/// accounts of the log are ignored, repeats count once).
///
/// # Complexity
/// As [`trust`], without the seed rules.
pub fn trust_with_seeds(log: &EventLog, seeds: &[Id], iterations: u32) -> Trust {
    let g = Graph::of(log);
    let seeds: BTreeSet<Id> = seeds
        .iter()
        .copied()
        .filter(|s| g.endorsed_by.contains_key(s))
        .collect();
    propagate(&g, &seeds, iterations)
}

/// Each seed starts with 1; each step every account splits its trust evenly among the
/// accounts it endorses, and the trust of accounts that endorse nobody is split evenly among
/// the seeds.
fn propagate(g: &Graph, seeds: &BTreeSet<Id>, iterations: u32) -> Trust {
    let accounts = g.endorsed_by.len();
    let steps = if iterations == 0 {
        default_iterations(accounts)
    } else {
        iterations
    };
    let mut trust: BTreeMap<Id, f64> = g
        .endorsed_by
        .keys()
        .map(|&a| (a, if seeds.contains(&a) { 1.0 } else { 0.0 }))
        .collect();
    for _ in 0..steps {
        let returned: f64 = g
            .endorses
            .iter()
            .filter(|(_, endorsees)| endorsees.is_empty())
            .map(|(a, _)| trust[a])
            .sum();
        trust = g
            .endorsed_by
            .iter()
            .map(|(&a, endorsers)| {
                let mut x: f64 = endorsers
                    .iter()
                    .map(|e| trust[e] / g.endorses[e].len() as f64)
                    .sum();
                if seeds.contains(&a) {
                    x += returned / seeds.len() as f64;
                }
                (a, x)
            })
            .collect();
    }
    let normalized: Vec<f64> = g
        .endorsed_by
        .iter()
        .map(|(a, endorsers)| {
            if endorsers.is_empty() {
                0.0
            } else {
                trust[a] / endorsers.len() as f64
            }
        })
        .collect();
    Trust {
        seeds: seeds.iter().copied().collect(),
        trust: trust.into_values().collect(),
        percentile: percentiles(&normalized),
        normalized,
        not_seeds: BTreeMap::new(),
    }
}
