//! The trust detector against its naive reference on seeded random logs: a few dozen
//! accounts, old, young, exactly at the age limit or without a creation time; creators with
//! audiences they seldom endorse back; rings of mutual endorsement; accounts that endorse
//! nobody; endorsements repeated under several verbs; events that endorse nothing (views,
//! reviews, other verbs, self-endorsements, no owner). Configs are small and random so that
//! each seed rule decides on some seed.

use std::collections::{BTreeMap, BTreeSet};

use lockstep_core::{EventLog, EventLogBuilder, Id, NONE, RawEvent};
use lockstep_detect::reference::trust::{
    self as reference, BELOW_CUT, FEW_ENDORSERS, RECIPROCAL, TOO_YOUNG, Trust,
};
use lockstep_detect::trust::{TrustConfig, TrustReport, endorsements, trust, trust_with_seeds};
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

const DAY: i64 = 86_400_000;
const ENDORSING: [&str; 4] = ["follow", "like", "comment", "share"];

/// One event: time, actor, verb, owner.
type Row = (i64, usize, &'static str, Option<usize>);

/// A log of accounts `a0`, `a1`, … (ids 0, 1, … in that order) and `rows`, pushed as given,
/// with creation times (`None` in the outer option: no row in the accounts table).
fn build(accounts: usize, rows: &[Row], created: &[Option<Option<i64>>]) -> EventLog {
    let mut b = EventLogBuilder::new();
    for a in 0..accounts {
        let id = b.log_mut().accounts.intern(&format!("a{a}")).unwrap();
        assert_eq!(id as usize, a);
    }
    for (k, &(ts, actor, verb, owner)) in rows.iter().enumerate() {
        let (actor, owner) = (format!("a{actor}"), owner.map(|o| format!("a{o}")));
        b.push(&RawEvent {
            owner: owner.as_deref(),
            ..RawEvent::new(ts, &actor, verb, "post", k as u32 + 1)
        })
        .unwrap();
    }
    for (a, c) in created.iter().enumerate() {
        if let Some(c) = *c {
            b.log_mut()
                .account_table
                .push(a as Id, c, std::iter::empty());
        }
    }
    b.finish()
}

/// A random log, config and list of given seeds for `seed`.
struct Case {
    log: EventLog,
    cfg: TrustConfig,
    given: Vec<Id>,
    /// The log's first event.
    start: i64,
    /// The minimum age of a seed, in milliseconds.
    min_age: i64,
}

fn case(seed: u64) -> Case {
    let mut rng = SmallRng::seed_from_u64(seed);
    let n = if rng.random_range(0..8) == 0 {
        rng.random_range(1..=4)
    } else {
        rng.random_range(5..=60)
    };
    let pick = |rng: &mut SmallRng, xs: &[f64]| xs[rng.random_range(0..xs.len())];
    let days = pick(&mut rng, &[0.0, 0.5, 1.0, 30.0, 365.0]);
    let cfg = TrustConfig {
        seed_min_age_days: days,
        seed_share: pick(&mut rng, &[0.0, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0]),
        seed_min_endorsers: rng.random_range(0..=6),
        seed_max_reciprocity: pick(&mut rng, &[0.0, 0.25, 1.0 / 3.0, 0.5, 0.7, 1.0]),
        iterations: rng.random_range(1..=8),
    };
    let start = rng.random_range(-10 * DAY..400 * DAY);
    let mut rows: Vec<Row> = vec![(start, rng.random_range(0..n), "view", None)];
    let when = |rng: &mut SmallRng| start + rng.random_range(0..3 * DAY);
    // A fifth of the accounts endorse nobody.
    let silent: Vec<bool> = (0..n).map(|_| rng.random_range(0..5) == 0).collect();
    // One to three events under random endorsing verbs.
    let endorse = |rng: &mut SmallRng, rows: &mut Vec<Row>, who: usize, whom: usize| {
        if silent[who] {
            return;
        }
        for _ in 0..rng.random_range(1..=3) {
            let verb = ENDORSING[rng.random_range(0..4)];
            rows.push((when(rng), who, verb, Some(whom)));
        }
    };
    // Creators: an audience, some of it endorsed back.
    for _ in 0..rng.random_range(0..=3) {
        let creator = rng.random_range(0..n);
        let (reach, back) = (
            pick(&mut rng, &[0.2, 0.5, 0.8]),
            pick(&mut rng, &[0.0, 0.2, 0.5, 0.8]),
        );
        for fan in 0..n {
            if fan != creator && rng.random_bool(reach) {
                endorse(&mut rng, &mut rows, fan, creator);
                if rng.random_bool(back) {
                    endorse(&mut rng, &mut rows, creator, fan);
                }
            }
        }
    }
    // Rings of (nearly) all-pairs mutual endorsement.
    for _ in 0..rng.random_range(0..=3) {
        let mut members: Vec<usize> = (0..n).collect();
        members.shuffle(&mut rng);
        members.truncate(rng.random_range(2..=8));
        for &x in &members {
            for &y in &members {
                if x != y && rng.random_range(0..10) > 0 {
                    endorse(&mut rng, &mut rows, x, y);
                }
            }
        }
    }
    // Scattered endorsements.
    for _ in 0..rng.random_range(0..=3 * n) {
        let (x, y) = (rng.random_range(0..n), rng.random_range(0..n));
        if x != y {
            endorse(&mut rng, &mut rows, x, y);
        }
    }
    // Events that endorse nobody.
    for _ in 0..rng.random_range(0..=n) {
        let (x, y) = (rng.random_range(0..n), rng.random_range(0..n));
        let t = when(&mut rng);
        rows.push(match rng.random_range(0..5) {
            0 => (t, x, ENDORSING[rng.random_range(0..4)], Some(x)),
            1 => (t, x, "view", Some(y)),
            2 => (t, x, "review", Some(y)),
            3 => (t, x, "poke", Some(y)),
            _ => (t, x, ENDORSING[rng.random_range(0..4)], None),
        });
    }
    rows.shuffle(&mut rng);
    let min_age = (days * DAY as f64) as i64;
    let created: Vec<Option<Option<i64>>> = (0..n)
        .map(|_| match rng.random_range(0..10) {
            0 => None,
            1 => Some(None),
            _ => {
                let age = match rng.random_range(0..6) {
                    0 => min_age,
                    1 => min_age - 1,
                    2 => min_age + 1,
                    3 => min_age + rng.random_range(0..400 * DAY),
                    4 => rng.random_range(0..=min_age),
                    _ => -rng.random_range(1..DAY),
                };
                Some(Some(start - age))
            }
        })
        .collect();
    let mut given: Vec<Id> = (0..n as Id)
        .filter(|_| rng.random_range(0..8) == 0)
        .collect();
    if rng.random_bool(0.3) {
        given.extend([n as Id, n as Id + 3, NONE]);
    }
    if let Some(&s) = given.first() {
        given.push(s);
    }
    given.shuffle(&mut rng);
    Case {
        log: build(n, &rows, &created),
        cfg,
        given,
        start,
        min_age,
    }
}

/// Equal, or within a relative 1e-9 (so 0 matches only 0).
fn close(x: f64, y: f64) -> bool {
    x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs())
}

/// Asserts the optimised report matches the reference: seeds exactly, trust and scores
/// within a relative 1e-9, percentiles exactly as the reference computes them from the
/// optimised scores (near-ties may order differently under rounding).
fn same(what: &str, got: &TrustReport, want: &Trust) {
    assert_eq!(got.seeds, want.seeds, "{what}: seeds");
    let n = want.trust.len();
    assert_eq!(
        (got.trust.len(), got.normalized.len(), got.percentile.len()),
        (n, n, n),
        "{what}: lengths"
    );
    for a in 0..n {
        assert!(
            close(got.trust[a], want.trust[a]) && close(got.normalized[a], want.normalized[a]),
            "{what}: account {a}: trust {} vs {}, normalized {} vs {}",
            got.trust[a],
            want.trust[a],
            got.normalized[a],
            want.normalized[a]
        );
    }
    assert_eq!(
        got.percentile,
        reference::percentiles(&got.normalized),
        "{what}: percentiles"
    );
    let total: f64 = want.trust.iter().sum();
    let seeds = want.seeds.len() as f64;
    assert!(
        (total - seeds).abs() <= 1e-9 * seeds.max(1.0),
        "{what}: trust {total} is not conserved over {seeds} seeds"
    );
}

#[test]
fn trust_matches_reference() {
    // How often each case arose, over all seeds.
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut count = |what, yes: bool| *seen.entry(what).or_default() += usize::from(yes);
    for seed in 0..400 {
        let Case {
            log,
            cfg,
            given,
            start,
            min_age,
        } = case(seed);
        let what = format!("seed {seed} {cfg:?}");
        let pairs = endorsements(&log);
        assert_eq!(pairs, reference::endorsements(&log), "{what}: endorsements");
        let want = reference::trust(&log, &cfg);
        same(&what, &trust(&log, &cfg), &want);
        let given_want = reference::trust_with_seeds(&log, &given, cfg.iterations);
        same(
            &format!("{what}, given seeds {given:?}"),
            &trust_with_seeds(&log, &given, cfg.iterations),
            &given_want,
        );

        // The reference's own account: every account a seed or rejected, never both.
        let n = log.accounts.len();
        assert_eq!(want.seeds.len() + want.not_seeds.len(), n, "{what}");
        assert!(want.seeds.iter().all(|s| !want.not_seeds.contains_key(s)));

        let set: BTreeSet<(Id, Id)> = pairs.iter().copied().collect();
        let endorsers = |a: Id| set.iter().filter(|p| p.1 == a).count();
        let endorsed_back = |a: Id| {
            set.iter()
                .filter(|p| p.1 == a && set.contains(&(a, p.0)))
                .count()
        };
        let endorses_nobody = |a: Id| !set.iter().any(|p| p.0 == a);
        let age = |a: Id| log.account_table.created_at(a).map(|c| start - c);
        let last_seed = want.seeds.iter().map(|&s| endorsers(s)).min();
        for (&a, &why) in &want.not_seeds {
            count("rejected: no creation time", age(a).is_none());
            count(
                "rejected only as too young",
                why == TOO_YOUNG && age(a).is_some(),
            );
            count(
                "rejected only as too young, 1 ms short",
                why == TOO_YOUNG && age(a) == Some(min_age - 1),
            );
            count("rejected only for few endorsers", why == FEW_ENDORSERS);
            count("rejected only as reciprocal", why == RECIPROCAL);
            count("rejected only below the cut", why == BELOW_CUT);
            count(
                "below the cut, tied with the last seed",
                why == BELOW_CUT && Some(endorsers(a)) == last_seed,
            );
        }
        for &s in &want.seeds {
            let (d, back) = (endorsers(s), endorsed_back(s));
            count("seeds", true);
            count("seed exactly at the minimum age", age(s) == Some(min_age));
            count(
                "seed exactly at the maximum reciprocity",
                back > 0 && back as f64 / d as f64 == cfg.seed_max_reciprocity,
            );
            count("seed without endorsers", d == 0);
            count("seed that endorses nobody", endorses_nobody(s));
        }
        count("no seeds", want.seeds.is_empty());
        count(
            "trust reaching an account that endorses nobody",
            (0..n as Id).any(|a| {
                endorses_nobody(a) && !want.seeds.contains(&a) && want.trust[a as usize] > 0.0
            }),
        );
        count(
            "endorsements repeated",
            (0..log.len()).any(|i| {
                (0..i).any(|j| {
                    (log.actor()[i], log.owner()[i]) == (log.actor()[j], log.owner()[j])
                        && set.contains(&(log.actor()[i], log.owner()[i]))
                })
            }),
        );
        count(
            "given seeds repeated or not accounts",
            given.len() > given_want.seeds.len(),
        );
    }
    eprintln!("{seen:#?}");
    for (what, k) in &seen {
        assert!(*k > 0, "never seen: {what}");
    }
}

/// An account created 0 ms before the log starts, with `seed_min_age_days` at 10⁻⁸ days
/// (0.864 ms), should not be a seed; `trust.rs` truncates the age to whole milliseconds
/// (`as i64` at `let min_age = …`), so any account younger than a fractional limit by less
/// than a millisecond passes.
#[test]
fn fractional_minimum_age_is_not_rounded_down() {
    let rows = [
        (0, 0, "follow", Some(1)),
        (0, 1, "follow", Some(0)),
        (0, 0, "view", None),
    ];
    let log = build(2, &rows, &[Some(Some(0)), Some(Some(-DAY))]);
    let cfg = TrustConfig {
        seed_min_age_days: 1e-8,
        seed_share: 1.0,
        seed_min_endorsers: 1,
        seed_max_reciprocity: 1.0,
        iterations: 1,
    };
    same(
        "fractional age",
        &trust(&log, &cfg),
        &reference::trust(&log, &cfg),
    );
}

/// `iterations: 0` should run ⌈log₂ accounts⌉ steps; `trust.rs` runs ⌊log₂ accounts⌋ + 1,
/// one more whenever the number of accounts is a power of two (two accounts endorsing each
/// other, seeded at `a0`: one step leaves the trust at `a1`, two bring it back).
#[test]
fn default_iterations_match_reference() {
    let rows = [(0, 0, "follow", Some(1)), (0, 1, "follow", Some(0))];
    let log = build(2, &rows, &[]);
    same(
        "two accounts",
        &trust_with_seeds(&log, &[0], 0),
        &reference::trust_with_seeds(&log, &[0], 0),
    );
    for seed in 0..400 {
        let Case {
            log,
            mut cfg,
            given,
            ..
        } = case(seed);
        cfg.iterations = 0;
        let what = format!("seed {seed} {cfg:?}, {} accounts", log.accounts.len());
        same(&what, &trust(&log, &cfg), &reference::trust(&log, &cfg));
        same(
            &what,
            &trust_with_seeds(&log, &given, 0),
            &reference::trust_with_seeds(&log, &given, 0),
        );
    }
}
