//! The fusion: signals and the log's own history → verdicts, event flags and operations.
//!
//! The judge is a sequence of data-parallel steps around small sequential cores:
//!
//! 1. *Evidence* (parallel per signal): every signal becomes `(account, source, event)`
//!    records — lockstep groups and harvesting crews directly (each seeds an operation),
//!    template comment clusters, drips, address ranges and delivery pools (each joining the
//!    engagement operation most of its known accounts belong to, or seeding its own), expansion by
//!    scanning each lockstep group's and template cluster's targets' events inside its
//!    bursts, dense blocks only when corroborated. (Bursts against a target's own rate are
//!    no evidence: after step 4 they mark the flagged work inside them, see below.)
//! 2. *Exchange by account, score* (parallel per account): records are sorted by account;
//!    each account's sources give a fused score, reasons, the repetition guard and its
//!    operation (seed).
//! 3. *Infrastructure* (sort and count): the IPs, devices and third-party clients that at
//!    least `min_infra_members` candidates used for operation work, per operation.
//! 4. *History* (parallel per account): each candidate's events are split into operation
//!    work (evidence, or through the operation's infrastructure) and its own; a long own
//!    history makes it `compromised`, none makes it `fake`. Flags follow.
//! 5. *Operations* (sequential over operations): members, targets, beneficiaries, victims,
//!    infrastructure, span, kind, score and the signals that found it.

use std::net::IpAddr;
use std::time::Instant;

use lockstep_core::{EventLog, Id, NONE, action};
use lockstep_detect::lockstep::LockstepConfig;
use lockstep_detect::ranges::network_key;
use lockstep_detect::{Aspect, Reason, Signal};
use lockstep_graph::{Bipartite, GraphIndex, TimeIndexed};
use rayon::prelude::*;

use crate::{Policy, Reasons, Result, Timings};

const DAY: i64 = 86_400_000;

pub use crate::types::{
    AccountVerdict, Judgement, NO_OP, Operation, OperationKind, ReviewCause, ReviewItem, SignalRef,
    Verdict,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Lockstep,
    /// A lockstep group at the scale of a slow delivery: the last resort (see the evidence
    /// step).
    SlowLockstep,
    Expansion,
    Fraudar,
    MZoom,
    Harvest,
    Content,
    Rate,
    Range,
    Capture,
}

impl Kind {
    fn reason(self) -> Reasons {
        match self {
            Kind::Lockstep | Kind::SlowLockstep => Reasons::LOCKSTEP_GROUP,
            Kind::Expansion => Reasons::LOCKSTEP_EXPANSION,
            Kind::Fraudar => Reasons::DENSE_SUBGRAPH,
            Kind::MZoom => Reasons::DENSE_TENSOR_BLOCK,
            Kind::Harvest => Reasons::MACHINE_RATE_READS,
            Kind::Content => Reasons::CONTENT_TEMPLATE,
            Kind::Rate => Reasons::RATE_ANOMALY,
            Kind::Range => Reasons::IP_RANGE,
            Kind::Capture => Reasons::CAPTURED_TARGETS,
        }
    }
}

#[derive(Debug, Clone)]
struct Source {
    kind: Kind,
    /// The evidence weight of a lockstep group (by its tightness) and of its expansion.
    weight: f64,
    /// The operation seed this source points at.
    seed: u32,
    /// The reason of the evidence: the kind's, or for expansion, that of the expanded
    /// signal (given to its own members' in-burst events).
    tag: Reasons,
}

/// The per-account result of the scoring step.
#[derive(Debug, Clone)]
struct Candidate {
    account: Id,
    score: f64,
    reasons: Reasons,
    guard_ok: bool,
    seed: u32,
    /// A member of a lockstep group or a harvesting crew (not only expansion or dense
    /// evidence): only these establish an operation's infrastructure.
    core: bool,
    /// Evidence events, sorted, and the reasons of each.
    events: Vec<(u32, Reasons)>,
}

/// Event indices sorted by (actor, time, index) and the CSR offsets of each account's slice:
/// a counting sort by actor (stable, so input order within an account), then each account's
/// slice sorted by time in parallel (already sorted when the input is in time order).
fn actor_csr(log: &EventLog) -> (Vec<u32>, Vec<u32>) {
    let n = log.accounts.len();
    let actor = log.actor();
    let ts = log.ts();
    let mut off = vec![0u32; n + 1];
    for &a in actor {
        off[a as usize + 1] += 1;
    }
    for i in 0..n {
        off[i + 1] += off[i];
    }
    let mut pos = off.clone();
    let mut by = vec![0u32; log.len()];
    for (e, &a) in actor.iter().enumerate() {
        by[pos[a as usize] as usize] = e as u32;
        pos[a as usize] += 1;
    }
    let mut slices: Vec<&mut [u32]> = Vec::with_capacity(n);
    let mut rest: &mut [u32] = &mut by;
    for a in 0..n {
        let (head, tail) = rest.split_at_mut((off[a + 1] - off[a]) as usize);
        slices.push(head);
        rest = tail;
    }
    slices.par_iter_mut().with_min_len(64).for_each(|s| {
        if !s.is_sorted_by_key(|&e| ts[e as usize]) {
            s.sort_unstable_by_key(|&e| (ts[e as usize], e));
        }
    });
    (by, off)
}

/// Judges a log: builds the engagement index and calls [`judge_indexed`].
///
/// # Errors
/// [`crate::Error::InvalidInput`] for a bad policy.
pub fn judge(log: &EventLog, signals: Vec<Signal>, policy: &Policy) -> Result<Judgement> {
    let g = GraphIndex::build(log, lockstep_graph::ActionSet::engagement());
    judge_indexed(log, &g, signals, policy, &mut Timings::default())
}

/// Fuses `signals` (from any detectors) with the log's own history into a [`Judgement`].
///
/// # Arguments
/// * `log` — the log the signals were computed on.
/// * `g` — the engagement [`GraphIndex`] of `log` (shared with the detectors).
/// * `signals` — detector signals; lockstep groups seed operations, dense blocks corroborate.
/// * `policy` — every threshold.
/// * `timings` — the wall time of each step is appended.
///
/// # Returns
/// One verdict per account, flags per event, the operations.
///
/// # Errors
/// [`crate::Error::InvalidInput`] for a bad policy.
///
/// # Complexity
/// O(n log n) for the actor ordering of n events, O(n) for the history pass, plus
/// O(R log R) for R evidence records (at most the signals' events and the events on group
/// targets).
pub fn judge_indexed(
    log: &EventLog,
    g: &GraphIndex<'_>,
    signals: Vec<Signal>,
    policy: &Policy,
    timings: &mut Timings,
) -> Result<Judgement> {
    policy.validate()?;
    let t0 = Instant::now();
    let n_acc = log.accounts.len();
    let (by_actor, off) = actor_csr(log);
    timings.push("judge.order", t0.elapsed());

    // 1. Evidence.
    let t1 = Instant::now();
    let actor = log.actor();
    let mut sources: Vec<Source> = Vec::new();
    let mut records: Vec<(Id, u32, u32)> = Vec::new();
    let mut seed_of_account = vec![NONE; n_acc];
    let mut seed_signals: Vec<Vec<usize>> = Vec::new();
    // Signals whose bursts are expanded: (signal, seed, weight, reason of members' own
    // in-burst events).
    let mut expand_bases: Vec<(usize, u32, f64, Reasons)> = Vec::new();
    // A lockstep group whose median delivery fits this is tight.
    let tight = (policy.verdict.tight_burst_hours * 3.6e6) as i64;
    for (i, s) in signals.iter().enumerate() {
        if s.reason != Reason::LockstepGroup {
            continue;
        }
        // A group that only ever engaged one or two owners' targets together is, as often as
        // not, their audience (a fan club's parties); a vendor has customers. Such a group
        // weighs as a loose one: suspicious, and flagged only with the operation's own
        // infrastructure behind it.
        let weight = if median_burst_ms(log, s) <= tight
            && distinct_owners(log, &s.events) >= policy.verdict.min_group_owners as usize
        {
            policy.verdict.lockstep_weight
        } else {
            policy.verdict.loose_lockstep_weight
        };
        let (seed, src) = open_seed(&mut seed_signals, &mut sources, i, Kind::Lockstep, weight);
        expand_bases.push((i, seed, weight, Reasons::LOCKSTEP_GROUP));
        for &a in &s.accounts {
            if seed_of_account[a as usize] == NONE {
                seed_of_account[a as usize] = seed;
            }
        }
        records.extend(s.events.iter().map(|&e| (actor[e as usize], src, e)));
    }
    // Harvesting crews (the harvest detector's signals): one operation each.
    let mut harvest_seeds: Vec<u32> = Vec::new();
    for (i, s) in signals.iter().enumerate() {
        if s.reason != Reason::MachineRateReads {
            continue;
        }
        let (seed, src) = open_seed(
            &mut seed_signals,
            &mut sources,
            i,
            Kind::Harvest,
            policy.verdict.harvest_weight,
        );
        harvest_seeds.push(seed);
        for &a in &s.accounts {
            if seed_of_account[a as usize] == NONE {
                seed_of_account[a as usize] = seed;
            }
        }
        records.extend(s.events.iter().map(|&e| (actor[e as usize], src, e)));
    }
    // Template comments, drips, address ranges and delivery pools: each joins the operation
    // that most of its accounts that already belong to an operation belong to (at least three
    // of them; one for a delivery pool), or seeds one of its own (whose members then count as
    // its core).
    for (i, s) in signals.iter().enumerate() {
        // (kind, weight, join share, known accounts needed to join, whether a joined
        // signal's other accounts become the operation's): a delivery's crowd samples a few
        // of a large pool's accounts, so one member already placed links it, and its members
        // are the pool's for the next delivery to find (when all its placed members agree).
        let (kind, weight, join, min_known, adopt) = match s.reason {
            Reason::ContentTemplate => (
                Kind::Content,
                policy.content.weight,
                policy.content.join_share,
                3,
                false,
            ),
            Reason::RateAnomaly | Reason::FollowerPool => (
                Kind::Rate,
                policy.rates.weight,
                policy.rates.join_share,
                3,
                false,
            ),
            Reason::BurstCrowd => (
                Kind::Rate,
                policy.bursts.crowd_weight,
                policy.bursts.crowd_join_share,
                policy.bursts.crowd_join_min as usize,
                true,
            ),
            Reason::IpRange => (
                Kind::Range,
                policy.ranges.weight,
                policy.ranges.join_share,
                3,
                false,
            ),
            Reason::CapturedTargets => (
                Kind::Capture,
                policy.verdict.capture_weight,
                policy.verdict.capture_join_share,
                3,
                false,
            ),
            _ => continue,
        };
        if s.accounts.is_empty() {
            continue;
        }
        // The operation most of its accounts that already belong to one belong to.
        let (per_seed, known) = members_per_seed(
            &s.accounts,
            &seed_of_account,
            seed_signals.len(),
            &harvest_seeds,
        );
        let best = per_seed
            .iter()
            .enumerate()
            .max_by_key(|&(k, &c)| (c, std::cmp::Reverse(k)))
            .filter(|&(_, &c)| c >= min_known && c as f64 >= join * known as f64)
            .map(|(k, _)| k as u32);
        let seed = match best {
            Some(sd) => {
                seed_signals[sd as usize].push(i);
                // Only when every member already placed is this operation's: a delivery two
                // vendors' pools met in must not hand one pool's members to the other.
                if adopt && per_seed[sd as usize] == known {
                    for &a in &s.accounts {
                        if seed_of_account[a as usize] == NONE {
                            seed_of_account[a as usize] = sd;
                        }
                    }
                }
                sd
            }
            None => {
                let sd = seed_signals.len() as u32;
                seed_signals.push(vec![i]);
                for &a in &s.accounts {
                    if seed_of_account[a as usize] == NONE {
                        seed_of_account[a as usize] = sd;
                    }
                }
                sd
            }
        };
        if kind == Kind::Content {
            expand_bases.push((i, seed, weight, Reasons::CONTENT_TEMPLATE));
        }
        let src = sources.len() as u32;
        sources.push(Source {
            kind,
            weight,
            seed,
            tag: kind.reason(),
        });
        records.extend(s.events.iter().map(|&e| (actor[e as usize], src, e)));
    }
    // Expansion of each lockstep group and template cluster.
    if policy.expansion.enabled {
        let te = Instant::now();
        let base = sources.len() as u32;
        for &(_, seed, weight, tag) in &expand_bases {
            sources.push(Source {
                kind: Kind::Expansion,
                weight,
                seed,
                tag,
            });
        }
        let found: Vec<Vec<(Id, u32, u32)>> = expand_bases
            .par_iter()
            .enumerate()
            .map(|(k, &(i, ..))| expand(log, g, &signals[i], base + k as u32, policy))
            .collect();
        for f in found {
            records.extend(f);
        }
        timings.push("judge.expansion", te.elapsed());
    }
    // Dense blocks, when corroborated by lockstep members or readers.
    for (i, s) in signals.iter().enumerate() {
        let kind = match s.reason {
            Reason::DenseSubgraph => Kind::Fraudar,
            Reason::DenseTensorBlock => Kind::MZoom,
            _ => continue,
        };
        if s.accounts.is_empty() {
            continue;
        }
        let (per_seed, known) = members_per_seed(
            &s.accounts,
            &seed_of_account,
            seed_signals.len(),
            &harvest_seeds,
        );
        if (known as f64) < policy.dense.corroboration * s.accounts.len() as f64 {
            continue;
        }
        let Some((seed, _)) = per_seed.iter().enumerate().max_by_key(|&(k, &c)| (c, !k)) else {
            continue;
        };
        seed_signals[seed].push(i);
        let src = sources.len() as u32;
        sources.push(Source {
            kind,
            weight: policy.dense.weight,
            seed: seed as u32,
            tag: kind.reason(),
        });
        records.extend(s.events.iter().map(|&e| (actor[e as usize], src, e)));
    }
    // Lockstep at the scale of a slow delivery, last: wide buckets also pair different
    // vendors' accounts through their camouflage on popular posts, so a slow group speaks only
    // for the accounts that no other signal placed, and those seed one operation of their own;
    // an account that also qualifies for another operation's expansion goes to that operation
    // (see `score_account`). It never joins, merges or takes over what tighter evidence
    // explains.
    for (i, s) in signals.iter().enumerate() {
        if s.reason != Reason::SlowLockstepGroup {
            continue;
        }
        let free: Vec<Id> = s
            .accounts
            .iter()
            .copied()
            .filter(|&a| seed_of_account[a as usize] == NONE)
            .collect();
        // A slow pass looks for deliveries: synchrony spread over more than a tight burst is
        // not one (people who follow the same pages act alike at day scale).
        if free.len() < LockstepConfig::default().min_group_size || median_burst_ms(log, s) > tight
        {
            continue;
        }
        let (_, src) = open_seed(
            &mut seed_signals,
            &mut sources,
            i,
            Kind::SlowLockstep,
            policy.verdict.lockstep_weight,
        );
        records.extend(
            s.events
                .iter()
                .filter(|&&e| free.binary_search(&actor[e as usize]).is_ok())
                .map(|&e| (actor[e as usize], src, e)),
        );
    }
    records.par_sort_unstable();
    records.dedup();
    timings.push("judge.evidence", t1.elapsed());

    // 2. Score each account with records.
    let t2 = Instant::now();
    let starts: Vec<usize> = (0..records.len())
        .filter(|&k| k == 0 || records[k].0 != records[k - 1].0)
        .chain(std::iter::once(records.len()))
        .collect();
    let candidates: Vec<Candidate> = starts
        .par_windows(2)
        .filter_map(|w| {
            score_account(
                log,
                g,
                &records[w[0]..w[1]],
                &sources,
                &seed_of_account,
                policy,
            )
        })
        .collect();
    timings.push("judge.score", t2.elapsed());

    // 3. Operation infrastructure, from the evidence of the accounts about to be flagged.
    let t3 = Instant::now();
    let n_seeds = seed_signals.len();
    let is_third_party: Vec<bool> = (0..log.clients.len() as Id)
        .map(|c| log.clients.resolve(c).starts_with("api:"))
        .collect();
    let mut infra = infrastructure(log, &candidates, n_seeds, &is_third_party, policy);
    for s in signals
        .iter()
        .filter(|s| s.reason == Reason::CapturedTargets && !s.events.is_empty())
    {
        let e = s.events[0] as usize;
        match s.aspects.concentrated.first() {
            Some(Aspect::Clients) => infra.captured_clients.push(log.client()[e]),
            Some(Aspect::Ips) if log.ip()[e] != NONE => {
                infra
                    .captured_nets
                    .push(infra.net_of_ip[log.ip()[e] as usize]);
            }
            _ => {}
        }
    }
    infra.captured_clients.sort_unstable();
    infra.captured_nets.sort_unstable();
    timings.push("judge.infrastructure", t3.elapsed());

    // 4. History: fake or compromised; flags.
    let t4 = Instant::now();
    let decided: Vec<(AccountVerdict, Vec<(u32, Reasons)>)> = candidates
        .par_iter()
        .map(|c| decide(log, &by_actor, &off, c, &infra, policy))
        .collect();
    let mut accounts = vec![
        AccountVerdict {
            operation: NO_OP,
            ..AccountVerdict::default()
        };
        n_acc
    ];
    let mut event_seed = vec![NO_OP; log.len()];
    let mut event_reasons = vec![Reasons::default(); log.len()];
    let mut review: Vec<ReviewItem> = Vec::new();
    for (c, (v, flags)) in candidates.iter().zip(decided) {
        if v.verdict == Verdict::Suspicious {
            let cause = if v.reasons.contains(Reasons::OWN_INFRASTRUCTURE) {
                ReviewCause::OwnLife
            } else if f64::from(v.score) < policy.verdict.flag_score {
                ReviewCause::WeakEvidence
            } else if !c.guard_ok {
                ReviewCause::FewRepetitions
            } else {
                ReviewCause::NoOperation
            };
            let events: Vec<u32> = c.events.iter().map(|x| x.0).collect();
            let (targets, days) = spread(log, events.iter().copied());
            let mut owners: Vec<(bool, Id)> = events.iter().map(|&e| owner_key(log, e)).collect();
            owners.sort_unstable();
            owners.dedup();
            review.push(ReviewItem {
                account: c.account,
                cause,
                operation: if c.seed == NONE { NO_OP } else { c.seed },
                events,
                targets,
                days,
                owners: owners.len(),
            });
        }
        accounts[c.account as usize] = AccountVerdict {
            operation: if v.verdict.is_flagged() {
                c.seed
            } else {
                NO_OP
            },
            ..v
        };
        for (e, r) in flags {
            event_seed[e as usize] = c.seed;
            event_reasons[e as usize] |= r;
        }
    }
    timings.push("judge.history", t4.elapsed());

    // Bursts say when, not who: each is listed with the operation whose flagged events make
    // up at least `bursts.attach_share` of it, and that operation's events inside it carry
    // `rate-anomaly`; nobody is flagged for a burst.
    let tb = Instant::now();
    let mut bursts_of_seed: Vec<Vec<usize>> = vec![Vec::new(); seed_signals.len()];
    let mut seeds: Vec<u32> = Vec::new();
    for (i, s) in signals.iter().enumerate() {
        if s.reason != Reason::RateBurst || s.events.is_empty() {
            continue;
        }
        seeds.clear();
        seeds.extend(
            s.events
                .iter()
                .map(|&e| event_seed[e as usize])
                .filter(|&x| x != NO_OP),
        );
        seeds.sort_unstable();
        let Some((best, n)) = seeds
            .chunk_by(|a, b| a == b)
            .map(|c| (c[0], c.len()))
            .max_by_key(|&(sd, n)| (n, std::cmp::Reverse(sd)))
        else {
            continue;
        };
        if (n as f64) < policy.bursts.attach_share * s.events.len() as f64 {
            continue;
        }
        bursts_of_seed[best as usize].push(i);
        for &e in &s.events {
            if event_seed[e as usize] == best {
                event_reasons[e as usize] |= Reasons::RATE_ANOMALY;
                accounts[actor[e as usize] as usize].reasons |= Reasons::RATE_ANOMALY;
            }
        }
    }
    timings.push("judge.bursts", tb.elapsed());

    // 5. Operations.
    let t5 = Instant::now();
    let mut ops = operations(
        log,
        &signals,
        &candidates,
        &accounts,
        &event_seed,
        &infra,
        &seed_signals,
        &harvest_seeds,
        &bursts_of_seed,
        policy.history.min_infra_members as usize,
    );
    // Largest first; renumber seeds to operation indices.
    let mut order: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].is_some()).collect();
    order.sort_by_key(|&k| {
        let o = ops[k].as_ref().expect("kept");
        (
            std::cmp::Reverse(o.members.len()),
            o.members.first().copied(),
        )
    });
    let mut new_index = vec![NO_OP; ops.len()];
    let mut operations = Vec::with_capacity(order.len());
    for (n, &k) in order.iter().enumerate() {
        new_index[k] = n as u32;
        let mut o = ops[k].take().expect("kept");
        o.id = format!("op-{:03}", n + 1);
        operations.push(o);
    }
    for a in &mut accounts {
        if a.operation != NO_OP {
            a.operation = new_index[a.operation as usize];
        }
    }
    let mut burst_ops: Vec<(usize, u32)> = bursts_of_seed
        .iter()
        .enumerate()
        .filter(|&(sd, _)| new_index.get(sd).is_some_and(|&o| o != NO_OP))
        .flat_map(|(sd, bs)| {
            let op = new_index[sd];
            bs.iter().map(move |&i| (i, op))
        })
        .collect();
    burst_ops.sort_unstable();
    let event_op: Vec<u32> = event_seed
        .par_iter()
        .map(|&s| {
            if s == NO_OP {
                NO_OP
            } else {
                new_index[s as usize]
            }
        })
        .collect();
    timings.push("judge.operations", t5.elapsed());

    review.sort_by_key(|r| r.account);
    for r in &mut review {
        if r.operation != NO_OP {
            r.operation = new_index
                .get(r.operation as usize)
                .copied()
                .unwrap_or(NO_OP);
        }
    }

    Ok(Judgement {
        policy_version: policy.version.clone(),
        accounts,
        event_op,
        event_reasons,
        operations,
        signals,
        burst_ops,
        review,
    })
}

/// Who benefits from event `e`: its owner `(true, owner)`, or for a target without an owner (a
/// followed account) the target itself `(false, target)`.
pub(crate) fn owner_key(log: &EventLog, e: u32) -> (bool, Id) {
    let o = log.owner()[e as usize];
    if o == NONE {
        (false, log.target()[e as usize])
    } else {
        (true, o)
    }
}

/// The distinct owners of `events`' targets (a target without an owner stands for itself).
fn distinct_owners(log: &EventLog, events: &[u32]) -> usize {
    let mut v: Vec<(bool, Id)> = events.iter().map(|&e| owner_key(log, e)).collect();
    v.sort_unstable();
    v.dedup();
    v.len()
}

/// Opens an operation seeded by signal `i`: a new seed and the evidence source that points at
/// it (tagged with `kind`'s reason). Returns `(seed, source)`.
fn open_seed(
    seed_signals: &mut Vec<Vec<usize>>,
    sources: &mut Vec<Source>,
    i: usize,
    kind: Kind,
    weight: f64,
) -> (u32, u32) {
    let seed = seed_signals.len() as u32;
    seed_signals.push(vec![i]);
    let src = sources.len() as u32;
    sources.push(Source {
        kind,
        weight,
        seed,
        tag: kind.reason(),
    });
    (seed, src)
}

/// How many of `accounts` already belong to each engagement operation (by seed), and how many
/// belong to one at all. Harvesting crews are not counted: engagement evidence (a template,
/// a drip, a delivery's crowd, a dense block) joins the operation that sold engagement, never
/// a crew that only read, even where a vendor reads through the same accounts.
fn members_per_seed(
    accounts: &[Id],
    seed_of_account: &[u32],
    n_seeds: usize,
    harvest_seeds: &[u32],
) -> (Vec<usize>, usize) {
    let mut per_seed = vec![0usize; n_seeds];
    for &a in accounts {
        let sd = seed_of_account[a as usize];
        if sd != NONE && !harvest_seeds.contains(&sd) {
            per_seed[sd as usize] += 1;
        }
    }
    let known = per_seed.iter().sum();
    (per_seed, known)
}

/// CopyCatch's membership rule applied around a found group: the events of any account on
/// the group's targets inside the group's bursts (widened by the slack). Returns
/// `(account, source, event)` records; qualification is decided per account later.
fn expand(
    log: &EventLog,
    g: &GraphIndex<'_>,
    s: &Signal,
    src: u32,
    policy: &Policy,
) -> Vec<(Id, u32, u32)> {
    let ts = log.ts();
    let tgt = log.target();
    let actor = log.actor();
    let slack = (policy.expansion.slack_minutes * 60_000.0) as i64;
    let gap = (policy.expansion.burst_gap_minutes * 60_000.0) as i64;
    let mut evs: Vec<(Id, i64)> = s
        .events
        .iter()
        .map(|&e| (tgt[e as usize], ts[e as usize]))
        .collect();
    evs.sort_unstable();
    let mut out = Vec::new();
    let mut k = 0;
    while k < evs.len() {
        let t = evs[k].0;
        let mut end = k;
        while end < evs.len() && evs[end].0 == t {
            end += 1;
        }
        // Bursts of this target.
        let mut windows: Vec<(i64, i64)> = Vec::new();
        for &(_, x) in &evs[k..end] {
            match windows.last_mut() {
                Some(w) if x - w.1 <= gap => w.1 = x,
                _ => windows.push((x, x)),
            }
        }
        if (t as usize) < g.num_targets() {
            let tev = g.target_events(t);
            for (lo, hi) in windows {
                let (lo, hi) = (lo - slack, hi + slack);
                let first = tev.partition_point(|&e| ts[e as usize] < lo);
                for &e in &tev[first..] {
                    if ts[e as usize] > hi {
                        break;
                    }
                    out.push((actor[e as usize], src, e));
                }
            }
        }
        k = end;
    }
    out
}

/// Distinct targets and days of a set of events.
fn spread(log: &EventLog, events: impl Iterator<Item = u32>) -> (usize, usize) {
    let mut t: Vec<Id> = Vec::new();
    let mut d: Vec<i64> = Vec::new();
    for e in events {
        t.push(log.target()[e as usize]);
        d.push(log.ts()[e as usize].div_euclid(DAY));
    }
    t.sort_unstable();
    t.dedup();
    d.sort_unstable();
    d.dedup();
    (t.len(), d.len())
}

/// Fuses one account's records (all for the same account, sorted by source) into a score.
fn score_account(
    log: &EventLog,
    g: &GraphIndex<'_>,
    recs: &[(Id, u32, u32)],
    sources: &[Source],
    seed_of_account: &[u32],
    policy: &Policy,
) -> Option<Candidate> {
    let a = recs[0].0;
    let engagement = if (a as usize) < g.num_accounts() {
        g.account_events(a).len().max(1)
    } else {
        1
    };
    let own_seed = seed_of_account[a as usize];
    let mut keep = 1.0f64; // Π (1 − p)
    let mut reasons = Reasons::default();
    let mut events: Vec<(u32, Reasons)> = Vec::new();
    // (not slow, p, targets, seed) for accounts without a seed
    let mut best: Option<(bool, f64, usize, u32)> = None;
    // Items a harvesting crew read through this account: not co-behaviour, so not subject to
    // the repetition guard's days (see below).
    let mut harvest_targets = 0usize;
    let mut k = 0;
    while k < recs.len() {
        let src = recs[k].1;
        let mut end = k;
        while end < recs.len() && recs[end].1 == src {
            end += 1;
        }
        let chunk = &recs[k..end];
        k = end;
        let s = &sources[src as usize];
        let (targets, days) = spread(log, chunk.iter().map(|r| r.2));
        let share = chunk.len() as f64 / engagement as f64;
        let p = match s.kind {
            Kind::Lockstep
            | Kind::SlowLockstep
            | Kind::Harvest
            | Kind::Content
            | Kind::Rate
            | Kind::Range
            | Kind::Capture => s.weight,
            Kind::Expansion => {
                if own_seed == s.seed {
                    // A member's own in-burst events: more of the same evidence.
                    events.extend(chunk.iter().map(|r| (r.2, s.tag)));
                    continue;
                }
                if own_seed != NONE {
                    continue;
                }
                let x = &policy.expansion;
                if targets < x.min_targets as usize || days < x.min_days as usize {
                    continue;
                }
                if share >= x.min_share {
                    x.weight.min(s.weight)
                } else {
                    x.weak_weight.min(s.weight)
                }
            }
            Kind::Fraudar | Kind::MZoom => {
                if share >= policy.dense.min_share {
                    policy.dense.weight
                } else {
                    policy.dense.weak_weight
                }
            }
        };
        if p <= 0.0 {
            continue;
        }
        keep *= 1.0 - p;
        if s.kind == Kind::Harvest {
            harvest_targets = harvest_targets.max(targets);
        }
        let r = s.kind.reason();
        reasons |= r;
        events.extend(chunk.iter().map(|x| (x.2, r)));
        // The operation of an account that seeds none: the strongest evidence's, and a slow
        // lockstep group's only when nothing else points anywhere.
        let rank = (s.kind != Kind::SlowLockstep, p, targets);
        if own_seed == NONE && best.is_none_or(|b| rank > (b.0, b.1, b.2)) {
            best = Some((rank.0, p, targets, s.seed));
        }
    }
    if events.is_empty() {
        return None;
    }
    events.sort_unstable_by_key(|x| x.0);
    let mut merged: Vec<(u32, Reasons)> = Vec::with_capacity(events.len());
    for (e, r) in events {
        match merged.last_mut() {
            Some(m) if m.0 == e => m.1 |= r,
            _ => merged.push((e, r)),
        }
    }
    let (targets, days) = spread(log, merged.iter().map(|x| x.0));
    // The guard's days protect people who act alike on one occasion (fans of one live event).
    // Harvesting evidence is no coincidence of timing — a crew read these items through the
    // account — so it needs the targets but not the days.
    let guard_ok = (targets >= policy.verdict.min_targets as usize
        && days >= policy.verdict.min_days as usize)
        || harvest_targets >= policy.verdict.min_targets as usize;
    let seed = if own_seed != NONE {
        own_seed
    } else {
        best.map_or(NONE, |b| b.3)
    };
    let mut score = 1.0 - keep;
    if !guard_ok {
        reasons |= Reasons::BELOW_REPETITION;
        score = score.min(policy.verdict.flag_score - 0.01);
    }
    Some(Candidate {
        account: a,
        score,
        reasons,
        guard_ok,
        seed,
        core: own_seed != NONE,
        events: merged,
    })
}

/// Per operation seed: the IPs, devices and third-party clients that at least
/// `min_infra_members` candidates used for operation work, at least one of them a core member
/// (of a lockstep group, or a reader), and that are exclusive to them, each sorted. Two fans in
/// one household, both only expansion candidates, must not corroborate each other.
#[derive(Debug, Default)]
struct Infra {
    ips: Vec<Vec<Id>>,
    /// Networks (IPv4 /24, IPv6 /48) as dense ids of `net_of_ip`.
    nets: Vec<Vec<Id>>,
    devices: Vec<Vec<Id>>,
    clients: Vec<Vec<Id>>,
    /// The network id of each IP id.
    net_of_ip: Vec<Id>,
    /// Clients and networks (dense ids) that captured several owners' targets: the
    /// infrastructure of whichever operation their members were placed in (a farm split over
    /// several groups shares one range, so no single group is its exclusive user).
    captured_clients: Vec<Id>,
    captured_nets: Vec<Id>,
}

fn infrastructure(
    log: &EventLog,
    cands: &[Candidate],
    n_seeds: usize,
    third_party: &[bool],
    policy: &Policy,
) -> Infra {
    let min = policy.history.min_infra_members as usize;
    let actor = log.actor();
    let floor = policy.verdict.suspicious_score;
    // Each IP's network as a dense id.
    let (_, net_of_ip) = lockstep_detect::ranges::network_ids(log);
    let ip_col = log.ip();
    let net = |e: usize| {
        let ip = ip_col[e];
        if ip == NONE {
            NONE
        } else {
            net_of_ip[ip as usize]
        }
    };
    // `homes`: whether the value can be a household's (an address, a network, a device; not
    // an app).
    let collect =
        |get: &(dyn Fn(usize) -> Id + Sync), only: Option<&[bool]>, homes: bool| -> Vec<Vec<Id>> {
            let mut keys: Vec<(u32, Id, Id, bool)> = cands
                .par_iter()
                .filter(|c| c.score >= floor && c.guard_ok && c.seed != NONE)
                .flat_map_iter(|c| {
                    let mut v: Vec<(u32, Id, Id, bool)> = c
                        .events
                        .iter()
                        .map(|&(e, _)| get(e as usize))
                        .filter(|&x| x != NONE && only.is_none_or(|o| o[x as usize]))
                        .map(|x| (c.seed, x, c.account, c.core))
                        .collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                })
                .collect();
            keys.par_sort_unstable();
            // (seed, value, members) with at least `min` members.
            let mut shared: Vec<(u32, Id, usize)> = Vec::new();
            let mut k = 0;
            while k < keys.len() {
                let mut end = k;
                while end < keys.len() && (keys[end].0, keys[end].1) == (keys[k].0, keys[k].1) {
                    end += 1;
                }
                if end - k >= min && keys[k..end].iter().any(|x| x.3) {
                    shared.push((keys[k].0, keys[k].1, end - k));
                }
                k = end;
            }
            // Exclusivity: of everyone who used the value anywhere in the log, how many are
            // the operation's members. A carrier-NAT address or a popular scheduling app is
            // shared by many people and is no operation's infrastructure.
            let mut values: Vec<Id> = shared.iter().map(|x| x.1).collect();
            values.sort_unstable();
            values.dedup();
            // Each value's position in `values`, by value: one read per event of the log
            // instead of a binary search.
            let mut slot = vec![u32::MAX; values.last().map_or(0, |&v| v as usize + 1)];
            for (k, &v) in values.iter().enumerate() {
                slot[v as usize] = k as u32;
            }
            let slot_of = |x: Id| slot.get(x as usize).copied().filter(|&k| k != u32::MAX);
            let mut users: Vec<(u32, Id)> = (0..log.len())
                .into_par_iter()
                .with_min_len(1 << 14)
                .filter_map(|e| slot_of(get(e)).map(|v| (v, actor[e])))
                .collect();
            let mut n_events = vec![0usize; values.len()];
            for &(v, _) in &users {
                n_events[v as usize] += 1;
            }
            users.par_sort_unstable();
            users.dedup();
            let mut n_users = vec![0usize; values.len()];
            for &(v, _) in &users {
                n_users[v as usize] += 1;
            }
            // Operation work (candidates' evidence events) on each value.
            let mut n_work = vec![0usize; values.len()];
            for c in cands
                .iter()
                .filter(|c| homes && c.score >= floor && c.guard_ok && c.seed != NONE)
            {
                for &(e, _) in &c.events {
                    if let Some(v) = slot_of(get(e as usize)) {
                        n_work[v as usize] += 1;
                    }
                }
            }
            let home = &policy.history;
            let mut out = vec![Vec::new(); n_seeds];
            for (seed, x, members) in shared {
                let v = slot_of(x).expect("collected") as usize;
                // A household's address or shared tablet: a few people whose own lives make up
                // most of its traffic. That one of them was hijacked does not make it the
                // vendor's.
                let is_home = homes
                    && n_users[v] <= home.home_max_users as usize
                    && (n_work[v] as f64) < home.home_min_work_share * n_events[v] as f64;
                if !is_home && members as f64 >= home.min_infra_exclusive * n_users[v] as f64 {
                    out[seed as usize].push(x);
                }
            }
            out
        };
    let (ip, dev, cli) = (log.ip(), log.device(), log.client());
    Infra {
        ips: collect(&|e| ip[e], None, true),
        nets: collect(&net, None, true),
        devices: collect(&|e| dev[e], None, true),
        clients: collect(&|e| cli[e], Some(third_party), false),
        net_of_ip,
        captured_clients: Vec::new(),
        captured_nets: Vec::new(),
    }
}

/// Whether event `i` came through operation `s`'s infrastructure: its third-party clients
/// ([`Reasons::VENDOR_CLIENT`]) or its shared IPs and devices
/// ([`Reasons::VENDOR_INFRASTRUCTURE`]).
fn through_infra(log: &EventLog, i: usize, infra: &Infra, s: usize) -> Reasons {
    let mut r = Reasons::default();
    let (c, ip, d) = (log.client()[i], log.ip()[i], log.device()[i]);
    if c != NONE
        && (infra.clients[s].binary_search(&c).is_ok()
            || infra.captured_clients.binary_search(&c).is_ok())
    {
        r |= Reasons::VENDOR_CLIENT;
    }
    if (ip != NONE
        && (infra.ips[s].binary_search(&ip).is_ok()
            || infra.nets[s]
                .binary_search(&infra.net_of_ip[ip as usize])
                .is_ok()
            || infra
                .captured_nets
                .binary_search(&infra.net_of_ip[ip as usize])
                .is_ok()))
        || (d != NONE && infra.devices[s].binary_search(&d).is_ok())
    {
        r |= Reasons::VENDOR_INFRASTRUCTURE;
    }
    r
}

/// The verdict of one candidate and the events it flags.
fn decide(
    log: &EventLog,
    by_actor: &[u32],
    off: &[u32],
    c: &Candidate,
    infra: &Infra,
    policy: &Policy,
) -> (AccountVerdict, Vec<(u32, Reasons)>) {
    let v = &policy.verdict;
    let mut reasons = c.reasons;
    if c.score < v.suspicious_score {
        return (
            AccountVerdict {
                verdict: Verdict::Ok,
                score: c.score as f32,
                operation: NO_OP,
                reasons: Reasons::default(),
            },
            Vec::new(),
        );
    }
    let mut score = c.score;
    if score < v.flag_score && c.guard_ok && c.seed != NONE {
        // Corroboration by infrastructure: evidence that came through the operation's own
        // third-party clients, IPs or devices, on enough targets and days.
        let s = c.seed as usize;
        let via: Vec<u32> = c
            .events
            .iter()
            .map(|x| x.0)
            .filter(|&e| through_infra(log, e as usize, infra, s) != Reasons::default())
            .collect();
        let (targets, days) = spread(log, via.iter().copied());
        if targets >= v.min_targets as usize && days >= v.min_days as usize {
            score = 1.0 - (1.0 - score) * (1.0 - v.infrastructure_weight);
            for &e in &via {
                reasons |= through_infra(log, e as usize, infra, s);
            }
        }
    }
    let c = &Candidate {
        score,
        reasons,
        ..c.clone()
    };
    if c.score < v.flag_score || !c.guard_ok || c.seed == NONE {
        return (
            AccountVerdict {
                verdict: Verdict::Suspicious,
                score: c.score as f32,
                operation: NO_OP,
                reasons,
            },
            Vec::new(),
        );
    }
    let s = c.seed as usize;
    let a = c.account as usize;
    let evs = &by_actor[off[a] as usize..off[a + 1] as usize];
    let mut driven: Vec<(u32, Reasons)> = Vec::new();
    let mut own = 0usize;
    let mut own_nets: Vec<u64> = Vec::new();
    let mut own_before = 0usize;
    let mut first_driven = i64::MAX;
    for &e in evs {
        let i = e as usize;
        let mut r = through_infra(log, i, infra, s);
        if let Ok(k) = c.events.binary_search_by_key(&e, |x| x.0) {
            r |= c.events[k].1;
        }
        if r.is_empty() {
            own += 1;
            if log.ip()[i] != NONE {
                own_nets.push(network_key(log.ips.resolve(log.ip()[i])));
            }
            if log.ts()[i] < first_driven {
                own_before += 1;
            }
        } else {
            first_driven = first_driven.min(log.ts()[i]);
            driven.push((e, r));
        }
    }
    let h = &policy.history;
    // Reads that came through the operation are left out of the account's total: a session
    // the vendor reads through makes hundreds of reads in the time its owner makes a few
    // posts, so their count says how hard the vendor read, not whose account it is.
    let driven_reads = driven
        .iter()
        .filter(|x| log.action()[x.0 as usize] == action::VIEW)
        .count();
    let total = (evs.len() - driven_reads).max(1);
    let aged = match log.account_table.created_at(c.account) {
        Some(created) => first_driven.saturating_sub(created) as f64 >= h.min_age_days * DAY as f64,
        None => own_before > 0,
    };
    // A person's own activity comes from a few networks (home, carrier, work); a bought
    // account's padding through residential proxies comes from a different network each time.
    own_nets.sort_unstable();
    let mut runs: Vec<usize> = Vec::new();
    let mut k = 0;
    while k < own_nets.len() {
        let mut end = k;
        while end < own_nets.len() && own_nets[end] == own_nets[k] {
            end += 1;
        }
        runs.push(end - k);
        k = end;
    }
    runs.sort_unstable_by(|a, b| b.cmp(a));
    let top: usize = runs.iter().take(h.home_networks as usize).sum();
    let stable = own_nets.is_empty() || top as f64 >= h.min_home_share * own_nets.len() as f64;
    let real_person = own >= h.min_own_events as usize
        && own as f64 / total as f64 >= h.min_own_share
        && aged
        && stable;
    if !stable {
        reasons |= Reasons::PROXY_PADDING;
    }
    let through_vendor = driven
        .iter()
        .filter(|x| {
            c.events.binary_search_by_key(&x.0, |y| y.0).is_ok()
                && !(x.1 & (Reasons::VENDOR_CLIENT | Reasons::VENDOR_INFRASTRUCTURE)).is_empty()
        })
        .count();
    if real_person && (through_vendor as f64) < h.min_vendor_share * c.events.len() as f64 {
        // A person with a life of their own whose "operation work" came through their own
        // devices and networks: co-behaviour, not a hijacked account. Review only.
        return (
            AccountVerdict {
                verdict: Verdict::Suspicious,
                score: c.score.min(v.flag_score - 0.01) as f32,
                operation: NO_OP,
                reasons: reasons | Reasons::OWN_HISTORY | Reasons::OWN_INFRASTRUCTURE,
            },
            Vec::new(),
        );
    }
    if real_person {
        reasons |= Reasons::OWN_HISTORY;
        for (_, r) in &driven {
            reasons |= *r & (Reasons::VENDOR_CLIENT | Reasons::VENDOR_INFRASTRUCTURE);
        }
        (
            AccountVerdict {
                verdict: Verdict::Compromised,
                score: c.score as f32,
                operation: c.seed,
                reasons,
            },
            driven,
        )
    } else {
        reasons |= Reasons::OPERATION_ONLY;
        if let Some(created) = log.account_table.created_at(c.account)
            && (first_driven.min(log.ts()[evs[0] as usize]) - created) < 30 * DAY
        {
            reasons |= Reasons::NEW_ACCOUNT;
        }
        let flags = evs
            .iter()
            .map(|&e| {
                let r = c
                    .events
                    .binary_search_by_key(&e, |x| x.0)
                    .map_or(Reasons::FAKE_ACCOUNT, |k| c.events[k].1);
                (e, r)
            })
            .collect();
        (
            AccountVerdict {
                verdict: Verdict::Fake,
                score: c.score as f32,
                operation: c.seed,
                reasons,
            },
            flags,
        )
    }
}

/// One line for an operation's delivery-pool signals (one per delivery).
fn crowds_ref(signals: &[Signal], of_seed: &[usize]) -> Option<SignalRef> {
    let crowds: Vec<&Signal> = of_seed
        .iter()
        .map(|&i| &signals[i])
        .filter(|s| s.reason == Reason::BurstCrowd)
        .collect();
    if crowds.is_empty() {
        return None;
    }
    let mut accounts: Vec<Id> = crowds
        .iter()
        .flat_map(|s| s.accounts.iter().copied())
        .collect();
    accounts.sort_unstable();
    accounts.dedup();
    let mut targets: Vec<Id> = crowds
        .iter()
        .flat_map(|s| s.aspects.targets.iter().copied())
        .collect();
    targets.sort_unstable();
    targets.dedup();
    let share = crowds.iter().map(|s| s.score).sum::<f64>() / crowds.len() as f64;
    Some(SignalRef {
        signal: None,
        reason: Reason::BurstCrowd.code(),
        score: share,
        accounts: accounts.len(),
        summary: format!(
            "a delivery pool: {} accounts, each inside several bursts on different owners' \
             targets whose crowds were mostly such accounts, made up {:.0}% of the \
             crowds of {} of its deliveries on {} targets",
            accounts.len(),
            100.0 * share,
            crowds.len(),
            targets.len(),
        ),
    })
}

/// One line for an operation's bursts: how many, on how many targets, how far above their
/// targets' own rate, and how many members engaged inside them.
fn bursts_ref(signals: &[Signal], bursts: &[usize], members: &[Id]) -> Option<SignalRef> {
    if bursts.is_empty() {
        return None;
    }
    // A burst's score is 1 − 1/ratio.
    let mut ratios: Vec<f64> = bursts
        .iter()
        .map(|&i| 1.0 / (1.0 - signals[i].score).max(1e-9))
        .collect();
    ratios.sort_by(f64::total_cmp);
    let mut targets: Vec<Id> = bursts
        .iter()
        .flat_map(|&i| signals[i].aspects.targets.iter().copied())
        .collect();
    targets.sort_unstable();
    targets.dedup();
    let mut inside: Vec<Id> = bursts
        .iter()
        .flat_map(|&i| signals[i].accounts.iter().copied())
        .filter(|a| members.binary_search(a).is_ok())
        .collect();
    inside.sort_unstable();
    inside.dedup();
    let events: usize = bursts.iter().map(|&i| signals[i].events.len()).sum();
    let median = ratios[ratios.len() / 2];
    Some(SignalRef {
        signal: None,
        reason: Reason::RateBurst.code(),
        score: 1.0 - 1.0 / median,
        accounts: inside.len(),
        summary: format!(
            "{} of its deliveries were bursts on {} targets ({} events, {} of its members): \
             {:.0}–{:.0}× (median {:.0}×) the target's own rate around them",
            bursts.len(),
            targets.len(),
            events,
            inside.len(),
            ratios[0],
            ratios[ratios.len() - 1],
            median,
        ),
    })
}

/// The median, over a signal's targets, of the time from its first to its last event there.
fn median_burst_ms(log: &EventLog, s: &Signal) -> i64 {
    let mut evs: Vec<(Id, i64)> = s
        .events
        .iter()
        .map(|&e| (log.target()[e as usize], log.ts()[e as usize]))
        .collect();
    evs.sort_unstable();
    let mut bursts: Vec<i64> = Vec::new();
    let mut k = 0;
    while k < evs.len() {
        let mut end = k;
        while end < evs.len() && evs[end].0 == evs[k].0 {
            end += 1;
        }
        bursts.push(evs[end - 1].1 - evs[k].1);
        k = end;
    }
    if bursts.is_empty() {
        return 0;
    }
    bursts.sort_unstable();
    bursts[bursts.len() / 2]
}

pub(crate) fn subnet(ip: IpAddr) -> String {
    lockstep_detect::ranges::network_of(ip)
}

/// Per seed: the IPs and devices that another seed with flagged members holds as its
/// infrastructure and that at least `min` of this seed's flagged members used for its
/// evidence ([`Operation::joint_ips`], [`Operation::joint_devices`]), each sorted.
///
/// # Complexity
/// One pass over the members' evidence events, then a sort of the (value, account) pairs that
/// land on another seed's infrastructure.
fn joint_infrastructure(
    log: &EventLog,
    infra: &Infra,
    members: &[Vec<Id>],
    evidence: &[Vec<u32>],
    min: usize,
) -> (Vec<Vec<Id>>, Vec<Vec<Id>>) {
    let joint = |held_by: &[Vec<Id>], n_values: usize, col: &[Id]| -> Vec<Vec<Id>> {
        // Which seeds (with members) hold each value: usually none, rarely more than one.
        let mut holders: Vec<(Id, u32)> = held_by
            .iter()
            .enumerate()
            .filter(|(s, _)| !members[*s].is_empty())
            .flat_map(|(s, vals)| vals.iter().map(move |&v| (v, s as u32)))
            .collect();
        holders.sort_unstable();
        let mut held = vec![false; n_values];
        for &(v, _) in &holders {
            held[v as usize] = true;
        }
        (0..held_by.len())
            .map(|s| {
                if members[s].is_empty() {
                    return Vec::new();
                }
                let mut used: Vec<(Id, Id)> = evidence[s]
                    .iter()
                    .map(|&e| (col[e as usize], log.actor()[e as usize]))
                    .filter(|&(v, _)| v != NONE && held[v as usize])
                    .filter(|&(v, _)| held_by[s].binary_search(&v).is_err())
                    .filter(|&(v, _)| {
                        let k = holders.partition_point(|h| h.0 < v);
                        holders[k..]
                            .iter()
                            .take_while(|h| h.0 == v)
                            .any(|h| h.1 as usize != s)
                    })
                    .collect();
                used.sort_unstable();
                used.dedup();
                used.chunk_by(|a, b| a.0 == b.0)
                    .filter(|run| run.len() >= min.max(1))
                    .map(|run| run[0].0)
                    .collect()
            })
            .collect()
    };
    (
        joint(&infra.ips, log.ips.len(), log.ip()),
        joint(&infra.devices, log.devices.len(), log.device()),
    )
}

#[allow(clippy::too_many_arguments)]
fn operations(
    log: &EventLog,
    signals: &[Signal],
    cands: &[Candidate],
    accounts: &[AccountVerdict],
    event_seed: &[u32],
    infra: &Infra,
    seed_signals: &[Vec<usize>],
    harvest_seeds: &[u32],
    bursts_of_seed: &[Vec<usize>],
    min_infra_members: usize,
) -> Vec<Option<Operation>> {
    let n_seeds = seed_signals.len();
    let mut members: Vec<Vec<Id>> = vec![Vec::new(); n_seeds];
    let mut suspicious: Vec<Vec<Id>> = vec![Vec::new(); n_seeds];
    let mut score_sum = vec![0.0f64; n_seeds];
    let mut evidence: Vec<Vec<u32>> = vec![Vec::new(); n_seeds];
    for c in cands {
        if c.seed == NONE {
            continue;
        }
        let v = accounts[c.account as usize];
        let s = c.seed as usize;
        if v.verdict.is_flagged() {
            members[s].push(c.account);
            score_sum[s] += c.score;
            evidence[s].extend(c.events.iter().map(|x| x.0));
        } else if v.verdict == Verdict::Suspicious {
            suspicious[s].push(c.account);
        }
    }
    // Flagged events per seed: count and span.
    let mut n_events = vec![0usize; n_seeds];
    let mut span = vec![(i64::MAX, i64::MIN); n_seeds];
    for (e, &s) in event_seed.iter().enumerate() {
        if s != NO_OP {
            n_events[s as usize] += 1;
            let t = log.ts()[e];
            let sp = &mut span[s as usize];
            sp.0 = sp.0.min(t);
            sp.1 = sp.1.max(t);
        }
    }
    let (joint_ips, joint_devices) =
        joint_infrastructure(log, infra, &members, &evidence, min_infra_members);
    (0..n_seeds)
        .map(|s| {
            if members[s].is_empty() {
                return None;
            }
            let mut m = members[s].clone();
            m.sort_unstable();
            let mut sus = suspicious[s].clone();
            sus.sort_unstable();
            let fake = m
                .iter()
                .filter(|&&a| accounts[a as usize].verdict == Verdict::Fake)
                .count();
            let compromised = m.len() - fake;
            let ev = &evidence[s];
            let mut per_action = [0usize; 6];
            let mut targets = Vec::new();
            let mut benef = Vec::new();
            let mut victims = Vec::new();
            let mut clients: Vec<Id> = Vec::new();
            for &e in ev {
                let e = e as usize;
                let a = log.action()[e];
                if (a as usize) < 6 {
                    per_action[a as usize] += 1;
                }
                let owner = log.owner()[e];
                if a == action::VIEW {
                    if owner != NONE {
                        victims.push(owner);
                    }
                } else {
                    targets.push(log.target()[e]);
                    if owner != NONE && m.binary_search(&owner).is_err() {
                        benef.push(owner);
                    }
                }
                if log.client()[e] != NONE {
                    clients.push(log.client()[e]);
                }
            }
            for v in [&mut targets, &mut benef, &mut victims] {
                v.sort_unstable();
                v.dedup();
            }
            clients.sort_unstable();
            let mut client_counts: Vec<(Id, usize)> = Vec::new();
            for c in clients {
                match client_counts.last_mut() {
                    Some(x) if x.0 == c => x.1 += 1,
                    _ => client_counts.push((c, 1)),
                }
            }
            client_counts.sort_by_key(|x| (std::cmp::Reverse(x.1), x.0));
            let kind = if harvest_seeds.contains(&(s as u32))
                || per_action[action::VIEW as usize] * 2 > ev.len()
            {
                OperationKind::Scraping
            } else if compromised * 2 > m.len() {
                OperationKind::VendorApp
            } else {
                let likes = per_action[action::LIKE as usize] + per_action[action::SHARE as usize];
                let follows = per_action[action::FOLLOW as usize];
                let comments =
                    per_action[action::COMMENT as usize] + per_action[action::REVIEW as usize];
                if follows >= likes && follows >= comments {
                    OperationKind::FollowerVendor
                } else if comments >= likes {
                    OperationKind::CommentFarm
                } else {
                    OperationKind::LikeFarm
                }
            };
            let mut subnets: Vec<(String, usize)> = Vec::new();
            let mut nets: Vec<String> = infra.ips[s]
                .iter()
                .chain(&joint_ips[s])
                .map(|&ip| subnet(log.ips.resolve(ip)))
                .collect();
            nets.sort();
            for n in nets {
                match subnets.last_mut() {
                    Some(x) if x.0 == n => x.1 += 1,
                    _ => subnets.push((n, 1)),
                }
            }
            subnets.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            // Delivery pools come one signal per delivery; the operation lists them as one.
            let mut sigs: Vec<SignalRef> = seed_signals[s]
                .iter()
                .filter(|&&i| signals[i].reason != Reason::BurstCrowd)
                .map(|&i| SignalRef {
                    signal: Some(i),
                    reason: signals[i].reason.code(),
                    score: signals[i].score,
                    accounts: signals[i].accounts.len(),
                    summary: signals[i].summary.clone(),
                })
                .collect();
            let expanded = m
                .iter()
                .filter(|&&a| {
                    let r = accounts[a as usize].reasons;
                    r.contains(Reasons::LOCKSTEP_EXPANSION) && !r.contains(Reasons::LOCKSTEP_GROUP)
                })
                .count();
            if expanded > 0 {
                sigs.push(SignalRef {
                    signal: None,
                    reason: "lockstep-expansion",
                    score: expanded as f64,
                    accounts: expanded,
                    summary: format!(
                        "{expanded} more accounts engaged the group's targets inside its \
                         delivery bursts on several days"
                    ),
                });
            }
            if let Some(r) = crowds_ref(signals, &seed_signals[s]) {
                sigs.push(r);
            }
            if let Some(r) = bursts_ref(signals, &bursts_of_seed[s], &m) {
                sigs.push(r);
            }
            Some(Operation {
                id: String::new(),
                kind,
                fake,
                compromised,
                score: score_sum[s] / m.len() as f64,
                members: m,
                suspicious: sus,
                targets,
                beneficiaries: benef,
                victims,
                ips: infra.ips[s].clone(),
                subnets,
                devices: infra.devices[s].clone(),
                joint_ips: joint_ips[s].clone(),
                joint_devices: joint_devices[s].clone(),
                clients: client_counts,
                span: span[s],
                events: n_events[s],
                signals: sigs,
            })
        })
        .collect()
}
