//! The optimised detectors against `lockstep_detect::reference` on seeded random worlds.
//! On a mismatch the assertion prints what only one side found.

use std::collections::BTreeMap;

use lockstep_detect::dense::fraudar::{FraudarConfig, edge_weights, fraudar_indexed, peel};
use lockstep_detect::dense::mzoom::{
    DensityMeasure, MZoomConfig, PeelPolicy, density, mzoom_indexed, peel_tensor,
};
use lockstep_detect::lockstep::{LockstepConfig, PairStat, lockstep_groups, pair_table};
use lockstep_detect::reference;
use lockstep_graph::{ActionSet, GraphIndex, Tensor, TensorConfig};

use crate::factories::{DAY, FarmSpec, World, WorldSpec, world};

/// A small world: one farm, the hard cases, a few thousand events.
fn small(seed: u64) -> World {
    world(&WorldSpec {
        seed,
        days: 6,
        accounts: 300,
        targets: 150,
        events: 2500,
        farms: vec![FarmSpec {
            accounts: 40,
            orders: 12,
            camouflage: 4,
            ..FarmSpec::default()
        }],
        live_fans: Some((20, 4)),
        viral_likes: 150,
        power_users: (2, 120),
        ..WorldSpec::default()
    })
}

/// A tiny world for the reference tensor peel, which recomputes every mass per removal.
fn tiny(seed: u64) -> World {
    world(&WorldSpec {
        seed,
        days: 2,
        accounts: 100,
        targets: 50,
        events: 700,
        farms: vec![FarmSpec {
            accounts: 20,
            orders: 8,
            camouflage: 3,
            ..FarmSpec::default()
        }],
        live_fans: Some((10, 3)),
        viral_likes: 40,
        power_users: (1, 60),
        ..WorldSpec::default()
    })
}

/// Asserts two pair tables are equal, printing the rows only one side has.
fn same_table(what: &str, got: &[PairStat], want: &[PairStat]) {
    if got == want {
        return;
    }
    let g: BTreeMap<(u32, u32), &PairStat> = got.iter().map(|p| ((p.a, p.b), p)).collect();
    let w: BTreeMap<(u32, u32), &PairStat> = want.iter().map(|p| ((p.a, p.b), p)).collect();
    let only_got: Vec<_> = g
        .iter()
        .filter(|(k, v)| w.get(*k) != Some(*v))
        .take(10)
        .collect();
    let only_want: Vec<_> = w
        .iter()
        .filter(|(k, v)| g.get(*k) != Some(*v))
        .take(10)
        .collect();
    panic!(
        "{what}: pair tables differ ({} vs {} rows)\nonly optimised:\n{only_got:#?}\nonly reference:\n{only_want:#?}",
        got.len(),
        want.len()
    );
}

#[test]
fn lockstep_pair_table_matches_reference() {
    for seed in 0..4 {
        let w = small(seed);
        // A small bucket cap makes hot buckets common, so the chunked pairing is checked too.
        for max_bucket in [16, 512] {
            let cfg = LockstepConfig {
                max_bucket,
                window_ms: 30 * 60_000,
                ..LockstepConfig::default()
            };
            let got = pair_table(&w.log, &cfg).unwrap();
            let want = reference::lockstep::pair_table(&w.log, &cfg);
            same_table(
                &format!("seed {seed}, max_bucket {max_bucket}"),
                &got,
                &want,
            );
            assert!(!got.is_empty());
        }
    }
}

#[test]
fn lockstep_groups_match_reference() {
    for seed in 0..4 {
        let w = small(seed);
        let cfg = LockstepConfig {
            min_episodes: 2,
            ..LockstepConfig::default()
        };
        let got = lockstep_groups(&w.log, &cfg).unwrap().groups;
        let want = reference::lockstep::lockstep_groups(&w.log, &cfg);
        let only = |a: &[lockstep_detect::lockstep::LockstepGroup],
                    b: &[lockstep_detect::lockstep::LockstepGroup]| {
            a.iter()
                .filter(|x| !b.iter().any(|y| y.accounts == x.accounts))
                .map(|x| x.accounts.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            got.len(),
            want.len(),
            "seed {seed}: only optimised {:?}, only reference {:?}",
            only(&got, &want),
            only(&want, &got)
        );
        assert!(
            !got.is_empty(),
            "seed {seed}: the planted farm should be found"
        );
        for (g, r) in got.iter().zip(&want) {
            assert_eq!(g.accounts, r.accounts, "seed {seed}");
            assert_eq!(g.targets, r.targets, "seed {seed}");
            assert_eq!(g.events, r.events, "seed {seed}");
            assert_eq!(
                (g.span, g.score, g.median_burst_ms),
                (r.span, r.score, r.median_burst_ms)
            );
            assert_eq!(
                (g.strong_pairs, g.pair_density, &g.linked),
                (r.strong_pairs, r.pair_density, &r.linked)
            );
            assert!((g.mean_jaccard - r.mean_jaccard).abs() < 1e-9);
        }
    }
}

#[test]
fn fraudar_peel_order_and_blocks_match_reference() {
    for seed in 0..3 {
        let w = small(seed);
        let g = GraphIndex::build(&w.log, ActionSet::engagement());
        for row_weighting in [false, true] {
            let cfg = FraudarConfig {
                row_weighting,
                min_density: 0.0,
                max_blocks: 3,
                ..FraudarConfig::default()
            };
            let weights = edge_weights(
                &g,
                &vec![true; lockstep_graph::Bipartite::num_edges(&g)],
                &cfg,
            );
            let got = peel(&g, &weights);
            let want = reference::fraudar::peel(&g, &weights);
            if got != want {
                let k = got.order.iter().zip(&want.order).position(|(a, b)| a != b);
                panic!(
                    "seed {seed}: peels differ at step {k:?}; best {} vs {}, mass {} vs {}",
                    got.best_removed, want.best_removed, got.best_mass, want.best_mass
                );
            }
            let got = fraudar_indexed(&g, &cfg).unwrap();
            let want = reference::fraudar::fraudar(&g, &cfg);
            assert_eq!(got, want, "seed {seed}, row weighting {row_weighting}");
            assert!(!got.blocks.is_empty());
        }
    }
}

#[test]
fn mzoom_and_dcube_peels_match_reference() {
    for seed in 0..2 {
        let w = tiny(seed);
        let g = GraphIndex::build(&w.log, ActionSet::engagement());
        let tcfg = TensorConfig {
            time_bucket_ms: DAY / 4,
            ..TensorConfig::default()
        };
        let t = Tensor::build(&w.log, g.events(), &tcfg);
        let live = vec![true; t.num_entries()];
        let mass = t.total_mass();
        let card: Vec<u64> = (0..t.num_modes())
            .map(|m| {
                (0..t.modes()[m].cardinality)
                    .filter(|&v| !t.entries_with(m, v).is_empty())
                    .count() as u64
            })
            .collect();
        for measure in [
            DensityMeasure::Arithmetic,
            DensityMeasure::Geometric,
            DensityMeasure::Suspiciousness,
        ] {
            for policy in [PeelPolicy::MZoom, PeelPolicy::DCube] {
                let got = peel_tensor(&t, &live, measure, policy, mass, &card);
                let want = reference::mzoom::peel_tensor(&t, &live, measure, policy, mass, &card);
                if got != want {
                    let k = got.order.iter().zip(&want.order).position(|(a, b)| a != b);
                    panic!(
                        "seed {seed} {measure:?} {policy:?}: peels differ at step {k:?}: {:?} vs {:?}; best {} vs {}",
                        k.map(|k| got.order[k]),
                        k.map(|k| want.order[k]),
                        got.best_len,
                        want.best_len
                    );
                }
                assert!(got.best_density >= density(measure, mass, &card, mass, &card));
            }
        }
        let cfg = MZoomConfig {
            tensor: tcfg,
            max_rounds: 4,
            min_sharing: 0.0,
            ..MZoomConfig::default()
        };
        let got = mzoom_indexed(&t, &cfg).unwrap();
        assert_eq!(got, reference::mzoom::mzoom(&t, &cfg), "seed {seed}");
        assert!(
            !got.blocks.is_empty(),
            "seed {seed}: the planted farm should be found"
        );
    }
}

mod random {
    //! Tiny random logs and configs, where edge cases (ties, bucket edges, one-event buckets,
    //! every bucket hot) are common.

    use lockstep_core::{EventLog, EventLogBuilder, RawEvent};
    use proptest::prelude::*;

    use super::*;

    fn build(rows: &[(i64, u8, u8, u8, u8)]) -> EventLog {
        let mut b = EventLogBuilder::new();
        for (k, &(ts, a, t, ip, dev)) in rows.iter().enumerate() {
            let (actor, target, device) = (format!("a{a}"), format!("t{t}"), format!("d{dev}"));
            b.push(&RawEvent {
                id: None,
                ts,
                actor: &actor,
                action: "like",
                target: &target,
                owner: None,
                text: None,
                ip: Some(std::net::IpAddr::from([10, 0, 0, ip])),
                device: Some(&device),
                client: None,
                line: k as u32 + 1,
            })
            .unwrap();
        }
        b.finish()
    }

    fn rows() -> impl Strategy<Value = Vec<(i64, u8, u8, u8, u8)>> {
        prop::collection::vec((0i64..400, 0u8..12, 0u8..6, 0u8..3, 0u8..4), 0..120)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn pair_table(rows in rows(), window in 2i64..120, episode in 1i64..200, max_bucket in 2usize..8, min_shared in 1u32..3) {
            let log = build(&rows);
            let cfg = LockstepConfig {
                window_ms: window,
                episode_ms: episode,
                max_bucket,
                min_shared_targets: min_shared,
                ..LockstepConfig::default()
            };
            let got = lockstep_detect::lockstep::pair_table(&log, &cfg).unwrap();
            same_table("random", &got, &reference::lockstep::pair_table(&log, &cfg));
        }

        #[test]
        fn groups(rows in rows(), window in 2i64..120, k in 1usize..3) {
            let log = build(&rows);
            let cfg = LockstepConfig {
                window_ms: window,
                episode_ms: 50,
                min_shared_targets: 2,
                min_episodes: 1,
                min_degree: k,
                min_group_size: 2,
                min_target_members: 2,
                ..LockstepConfig::default()
            };
            let got: Vec<_> = lockstep_groups(&log, &cfg).unwrap().groups.into_iter().map(|g| (g.accounts, g.targets, g.events, g.linked)).collect();
            let want: Vec<_> = reference::lockstep::lockstep_groups(&log, &cfg).into_iter().map(|g| (g.accounts, g.targets, g.events, g.linked)).collect();
            prop_assert_eq!(got, want);
        }

        #[test]
        fn fraudar(rows in rows(), row_weighting in any::<bool>()) {
            let log = build(&rows);
            let g = GraphIndex::build(&log, ActionSet::all());
            let cfg = FraudarConfig { row_weighting, min_density: 0.0, min_accounts: 1, min_targets: 1, ..FraudarConfig::default() };
            prop_assert_eq!(fraudar_indexed(&g, &cfg).unwrap(), reference::fraudar::fraudar(&g, &cfg));
        }

        #[test]
        fn tensor_peels(rows in rows(), bucket in 1i64..200, dcube in any::<bool>(), measure in 0usize..3) {
            let log = build(&rows);
            let g = GraphIndex::build(&log, ActionSet::all());
            let tensor = TensorConfig { time_bucket_ms: bucket, ..TensorConfig::default() };
            let t = Tensor::build(&log, g.events(), &tensor);
            let cfg = MZoomConfig {
                tensor,
                density: [DensityMeasure::Arithmetic, DensityMeasure::Geometric, DensityMeasure::Suspiciousness][measure],
                policy: if dcube { PeelPolicy::DCube } else { PeelPolicy::MZoom },
                min_sharing: 0.0,
                min_mass: 1,
                min_accounts: 1,
                ..MZoomConfig::default()
            };
            prop_assert_eq!(mzoom_indexed(&t, &cfg).unwrap(), reference::mzoom::mzoom(&t, &cfg));
        }
    }
}

mod harvest {
    //! Small seeded logs of reads: a few dozen accounts over a few days (starting the day
    //! before 1970, so days and hours of negative times are checked too), some reading
    //! heavily in a few hours or around the clock, devices and addresses shared at random,
    //! vendor devices read through by several accounts, and other actions that only add to an
    //! address's or a device's traffic. Configs are small and random so every branch
    //! (around the clock, crews, reading devices, heavy readers that only read through
    //! them, dropped heavy readers) is taken on some seed.

    use std::net::IpAddr;

    use lockstep_core::{EventLog, EventLogBuilder, RawEvent};
    use lockstep_detect::harvest::{HarvestConfig, HarvestReport, Why, harvesters};
    use lockstep_detect::reference::harvest::{Harvest, Reader};
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::factories::HOUR;

    struct Log {
        b: EventLogBuilder,
        line: u32,
    }

    impl Log {
        fn push(
            &mut self,
            ts: i64,
            actor: &str,
            verb: &str,
            target: &str,
            ip: Option<u8>,
            device: Option<&str>,
        ) {
            self.line += 1;
            self.b
                .push(&RawEvent {
                    ip: ip.map(|x| IpAddr::from([10, 0, 0, x])),
                    device,
                    ..RawEvent::new(ts, actor, verb, target, self.line)
                })
                .unwrap();
        }
    }

    /// A random log and config for `seed`.
    fn case(seed: u64) -> (EventLog, HarvestConfig) {
        let mut rng = SmallRng::seed_from_u64(seed);
        let days = rng.random_range(2..=4i64);
        let accounts = rng.random_range(20..=40usize);
        let (ips, devices) = (rng.random_range(4..=14u8), rng.random_range(4..=14u32));
        let mut log = Log {
            b: EventLogBuilder::new(),
            line: 0,
        };
        // Mostly its own; sometimes another one; sometimes none.
        let pick_ip = |rng: &mut SmallRng, home: Option<u8>| match rng.random_range(0..20) {
            0 => None,
            1..=2 => Some(rng.random_range(0..ips)),
            _ => home,
        };
        let pick_device = |rng: &mut SmallRng, home: &Option<String>| match rng.random_range(0..20)
        {
            0 => None,
            1..=2 => Some(format!("d{}", rng.random_range(0..devices))),
            _ => home.clone(),
        };
        for a in 0..accounts {
            let actor = format!("a{a}");
            // 0 normal, 1 heavy in a few hours, 2 heavy around the clock.
            let kind = [0, 0, 0, 1, 1, 2][rng.random_range(0..6)];
            let home_ip = (rng.random_range(0..10) > 0).then(|| rng.random_range(0..ips));
            let home_dev =
                (rng.random_range(0..10) > 0).then(|| format!("d{}", rng.random_range(0..devices)));
            let first_hour = rng.random_range(0..20i64);
            for day in -1..days - 1 {
                if rng.random_range(0..5) == 0 {
                    continue;
                }
                let n = match kind {
                    0 => rng.random_range(0..=5),
                    _ => rng.random_range(3..=16),
                };
                for _ in 0..n {
                    let h = match kind {
                        0 => rng.random_range(8..22),
                        1 => first_hour + rng.random_range(0..4),
                        _ => rng.random_range(0..24),
                    };
                    let t = match kind {
                        0 => format!("t{}", rng.random_range(0..6)),
                        _ => format!("t{}", rng.random_range(0..300)),
                    };
                    let ts = day * DAY + h * HOUR + rng.random_range(0..HOUR);
                    let (ip, dev) = (pick_ip(&mut rng, home_ip), pick_device(&mut rng, &home_dev));
                    log.push(ts, &actor, "view", &t, ip, dev.as_deref());
                }
                if rng.random_range(0..3) == 0 {
                    let ip = pick_ip(&mut rng, home_ip);
                    let dev = pick_device(&mut rng, &home_dev);
                    let ts = day * DAY + rng.random_range(0..DAY);
                    log.push(ts, &actor, "like", "t1", ip, dev.as_deref());
                }
            }
        }
        // Vendor devices reading through several accounts' sessions.
        for v in 0..rng.random_range(0..=3) {
            let dev = format!("v{v}");
            let through: Vec<usize> = (0..rng.random_range(2..=8))
                .map(|_| rng.random_range(0..accounts))
                .collect();
            for day in -1..days - 1 {
                for _ in 0..rng.random_range(0..=16) {
                    let actor = format!("a{}", through[rng.random_range(0..through.len())]);
                    let ts = day * DAY + rng.random_range(0..DAY);
                    let t = format!("t{}", rng.random_range(0..300));
                    let ip = (rng.random_range(0..4) > 0).then(|| 200 + v as u8);
                    log.push(ts, &actor, "view", &t, ip, Some(&dev));
                }
            }
        }
        // Traffic that is not reads, from accounts that read nothing.
        for k in 0..rng.random_range(0..=30) {
            let ip = Some(rng.random_range(0..ips));
            let dev = format!("d{}", rng.random_range(0..devices));
            let ts = rng.random_range(-DAY..(days - 1) * DAY);
            log.push(ts, &format!("other{k}"), "like", "t0", ip, Some(&dev));
        }
        let cfg = HarvestConfig {
            baseline_quantile: [0.5, 0.75, 0.9, 1.0][rng.random_range(0..4)],
            volume_ratio: [0.5, 1.0, 1.5, 2.0][rng.random_range(0..4)],
            min_reads_per_day: rng.random_range(1..=6),
            min_days: rng.random_range(1..=3),
            min_distinct_share: [0.0, 0.5, 0.7, 0.9][rng.random_range(0..4)],
            min_active_hours: rng.random_range(4..=12),
            min_crew: rng.random_range(2..=3),
            min_link_share: [0.1, 0.3, 0.5, 0.8, 1.0][rng.random_range(0..5)],
            min_device_accounts: rng.random_range(2..=4),
        };
        (log.b.finish(), cfg)
    }

    /// The optimised report in the reference's shape.
    fn shape(r: &HarvestReport) -> Harvest {
        let mut crews: Vec<(Vec<Reader>, Vec<u32>)> = r
            .crews
            .iter()
            .map(|c| {
                let readers = c
                    .readers
                    .iter()
                    .map(|x| Reader {
                        account: x.account,
                        events: x.events.clone(),
                        why: x.why.0,
                        heavy_days: x.heavy_days,
                        max_reads_per_day: x.max_reads_per_day,
                        max_active_hours: x.max_active_hours,
                    })
                    .collect();
                (readers, c.reading_devices.clone())
            })
            .collect();
        crews.sort();
        Harvest {
            crews,
            reader_days: r.reader_days,
            baseline_reads: r.baseline_reads,
            heavy_reads: r.heavy_reads,
            baseline_device_accounts: r.baseline_device_accounts,
            device_accounts: r.device_accounts,
            heavy_readers: Vec::new(),
        }
    }

    #[test]
    fn harvesters_match_reference() {
        // How often each branch was taken, over all seeds.
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for seed in 0..400 {
            let (log, cfg) = case(seed);
            let report = harvesters(&log, &cfg).unwrap();
            let got = shape(&report);
            let mut want = reference::harvest::harvesters(&log, &cfg);
            let heavy_readers = std::mem::take(&mut want.heavy_readers);
            if got != want {
                let only = |a: &Harvest, b: &Harvest| {
                    a.crews
                        .iter()
                        .filter(|c| !b.crews.contains(c))
                        .cloned()
                        .collect::<Vec<_>>()
                };
                panic!(
                    "seed {seed} {cfg:?}\nbaselines {:?} vs {:?}\nonly optimised: {:#?}\nonly reference: {:#?}",
                    (
                        got.reader_days,
                        got.baseline_reads,
                        got.heavy_reads,
                        got.baseline_device_accounts,
                        got.device_accounts
                    ),
                    (
                        want.reader_days,
                        want.baseline_reads,
                        want.heavy_reads,
                        want.baseline_device_accounts,
                        want.device_accounts
                    ),
                    only(&got, &want),
                    only(&want, &got)
                );
            }
            // Crews come largest first, ties by first account; readers by account.
            for w in report.crews.windows(2) {
                let key = |c: &lockstep_detect::harvest::Crew| {
                    (std::cmp::Reverse(c.readers.len()), c.readers[0].account)
                };
                assert!(key(&w[0]) < key(&w[1]), "seed {seed}: crew order");
            }
            assert_eq!(report.signals(&log).len(), report.crews.len());
            let harvesting: Vec<u32> = want
                .crews
                .iter()
                .flat_map(|c| c.0.iter().filter(|r| r.heavy_days > 0).map(|r| r.account))
                .collect();
            assert!(harvesting.iter().all(|a| heavy_readers.contains(a)));
            *seen.entry("heavy readers dropped").or_default() +=
                heavy_readers.len() - harvesting.len();
            for (readers, devices) in &want.crews {
                let heavy = readers.iter().filter(|r| r.heavy_days > 0).count();
                *seen.entry("crews").or_default() += 1;
                *seen.entry("crews of heavy readers only").or_default() += usize::from(
                    devices.is_empty() && readers.iter().all(|r| Why(r.why).contains(Why::CREW)),
                );
                *seen.entry("crews with reading devices").or_default() +=
                    usize::from(!devices.is_empty());
                *seen.entry("crews with two reading devices").or_default() +=
                    usize::from(devices.len() >= 2);
                *seen
                    .entry("crews of heavy readers and reading devices")
                    .or_default() += usize::from(heavy > 0 && !devices.is_empty());
                for r in readers {
                    let why = Why(r.why);
                    *seen.entry("around the clock").or_default() +=
                        usize::from(why.contains(Why::AROUND_THE_CLOCK));
                    *seen.entry("crew").or_default() += usize::from(why.contains(Why::CREW));
                    *seen.entry("reading device").or_default() +=
                        usize::from(why.contains(Why::READING_DEVICE));
                    *seen
                        .entry("heavy, only through reading devices")
                        .or_default() +=
                        usize::from(r.heavy_days > 0 && why == Why::READING_DEVICE);
                    *seen.entry("heavy and through reading devices").or_default() += usize::from(
                        r.heavy_days > 0
                            && why.0 != Why::READING_DEVICE.0
                            && why.contains(Why::READING_DEVICE),
                    );
                    *seen.entry("around the clock alone").or_default() +=
                        usize::from(why == Why::AROUND_THE_CLOCK);
                    *seen
                        .entry("through reading devices, not heavy")
                        .or_default() += usize::from(r.heavy_days == 0);
                }
            }
        }
        for (what, n) in &seen {
            assert!(*n > 0, "no seed had {what}: {seen:?}");
        }
        assert_eq!(seen.len(), 13, "{seen:?}");
    }
}

mod pools {
    //! Small seeded logs of follows: a few dozen accounts following a few dozen targets, some
    //! targets named like accounts (a followed person), repeated follows and likes that must
    //! not count, people who follow many targets, up to three planted pools (often of one size)
    //! whose members are sometimes also their customers, and a friend circle whose members
    //! follow each other. Configs are small and random so every branch (linked pairs,
    //! components too small, too few pool accounts, too few customers, targets left out of
    //! their pool, accounts above `max_follows`, pools tied on size) is taken on some seed.

    use lockstep_core::{EventLog, EventLogBuilder, RawEvent};
    use lockstep_detect::pools::{Pool, PoolConfig, follower_pools};
    use lockstep_detect::reference::pools::{Outcome, Pools};
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};

    use super::*;

    struct Log {
        b: EventLogBuilder,
        line: u32,
        /// Follows so far, to repeat some.
        follows: Vec<(String, String)>,
    }

    impl Log {
        fn push(&mut self, rng: &mut SmallRng, actor: &str, verb: &str, target: &str) {
            self.line += 1;
            let ts = rng.random_range(0..7 * DAY);
            self.b
                .push(&RawEvent::new(ts, actor, verb, target, self.line))
                .unwrap();
        }

        fn follow(&mut self, rng: &mut SmallRng, actor: &str, target: &str) {
            self.push(rng, actor, "follow", target);
            self.follows.push((actor.to_owned(), target.to_owned()));
        }
    }

    /// `k` distinct picks from `from`.
    fn pick<T: Clone>(rng: &mut SmallRng, from: &[T], k: usize) -> Vec<T> {
        let mut v = from.to_vec();
        let k = k.min(v.len());
        for i in 0..k {
            let j = rng.random_range(i..v.len());
            v.swap(i, j);
        }
        v.truncate(k);
        v
    }

    /// A random log and config for `seed`.
    fn case(seed: u64) -> (EventLog, PoolConfig) {
        let mut rng = SmallRng::seed_from_u64(seed);
        let accounts = rng.random_range(20..=60usize);
        let n_targets = rng.random_range(10..=30usize);
        let mut log = Log {
            b: EventLogBuilder::new(),
            line: 0,
            follows: Vec::new(),
        };
        // Mostly their own names; sometimes an account's (a person followed).
        let names: Vec<String> = (0..n_targets)
            .map(|j| {
                if rng.random_range(0..4) == 0 {
                    format!("a{}", rng.random_range(0..accounts))
                } else {
                    format!("t{j}")
                }
            })
            .collect();
        let people: Vec<String> = (0..accounts).map(|a| format!("a{a}")).collect();
        // Organic follows: a few each, many for some.
        for a in &people {
            let n = match rng.random_range(0..10) {
                0 => rng.random_range(5..=n_targets),
                1..=2 => 0,
                _ => rng.random_range(1..=4),
            };
            for t in pick(&mut rng, &names, n) {
                log.follow(&mut rng, a, &t);
            }
        }
        // Planted pools: members following several of their customers, a stray follow now
        // and then. Customers and members are drawn from everyone, so a member is sometimes
        // one of its customers.
        let mut size = rng.random_range(2..=8);
        for p in 0..rng.random_range(0..=3) {
            // Customers among the targets, or of their own that only the pool follows.
            let n = rng.random_range(2..=6);
            let customers = if rng.random_range(0..2) == 0 {
                pick(&mut rng, &names, n)
            } else {
                (0..n).map(|c| format!("p{p}c{c}")).collect()
            };
            // Often as many members as the last pool, so pools tie on size.
            if rng.random_range(0..2) == 0 {
                size = rng.random_range(2..=8);
            }
            let members = pick(&mut rng, &people, size);
            for m in &members {
                let k = rng.random_range(2..=customers.len());
                for c in pick(&mut rng, &customers, k) {
                    log.follow(&mut rng, m, &c);
                }
                if rng.random_range(0..3) == 0 {
                    let t = names[rng.random_range(0..n_targets)].clone();
                    log.follow(&mut rng, m, &t);
                }
            }
        }
        // A friend circle: each follows (nearly) all the others, by their account names.
        if rng.random_range(0..3) > 0 {
            let n = rng.random_range(3..=6);
            let circle = pick(&mut rng, &people, n);
            for a in &circle {
                for b in &circle {
                    if a != b && rng.random_range(0..6) > 0 {
                        log.follow(&mut rng, a, b);
                    }
                }
            }
        }
        // Repeated follows and likes, which change no follower count.
        for _ in 0..rng.random_range(0..=log.follows.len() / 4) {
            let (a, t) = log.follows[rng.random_range(0..log.follows.len())].clone();
            log.follow(&mut rng, &a, &t);
        }
        for _ in 0..rng.random_range(0..=60) {
            let a = people[rng.random_range(0..accounts)].clone();
            let t = names[rng.random_range(0..n_targets)].clone();
            log.push(&mut rng, &a, "like", &t);
        }
        let cfg = PoolConfig {
            max_follows: if rng.random_range(0..3) == 0 {
                rng.random_range(2..=4)
            } else {
                200
            },
            min_shared: rng.random_range(1..=4),
            min_jaccard: [0.0, 0.1, 0.2, 0.3, 0.5][rng.random_range(0..5)],
            min_customers: rng.random_range(2..=3),
            min_pool_share: [0.0, 0.3, 0.5, 0.7, 1.0][rng.random_range(0..5)],
            min_capture: [0.0, 0.2, 0.4, 0.6, 0.9][rng.random_range(0..5)],
        };
        (log.b.finish(), cfg)
    }

    #[test]
    fn follower_pools_match_reference() {
        // How often each branch was taken, over all seeds.
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for seed in 0..400 {
            let (log, cfg) = case(seed);
            let got = follower_pools(&log, &cfg).unwrap();
            let want: Pools = reference::pools::follower_pools(&log, &cfg);
            if got != want.pools {
                let only = |a: &[Pool], b: &[Pool]| {
                    a.iter()
                        .filter(|p| !b.contains(p))
                        .cloned()
                        .collect::<Vec<_>>()
                };
                panic!(
                    "seed {seed} {cfg:?}\norder {:?} vs {:?}\nonly optimised: {:#?}\nonly reference: {:#?}\ncomponents {:?}",
                    got.iter().map(|p| p.accounts.clone()).collect::<Vec<_>>(),
                    want.pools
                        .iter()
                        .map(|p| p.accounts.clone())
                        .collect::<Vec<_>>(),
                    only(&got, &want.pools),
                    only(&want.pools, &got),
                    want.components
                );
            }
            // Largest first, ties by first account.
            for w in got.windows(2) {
                let key = |p: &Pool| (std::cmp::Reverse(p.accounts.len()), p.accounts[0]);
                assert!(key(&w[0]) <= key(&w[1]), "seed {seed}: pool order");
            }
            *seen.entry("linked pairs").or_default() += want.linked.len();
            *seen.entry("accounts above max_follows").or_default() += want.uncapped.len();
            *seen.entry("pools tied on size").or_default() += got
                .windows(2)
                .filter(|w| w[0].accounts.len() == w[1].accounts.len())
                .count();
            for c in &want.components {
                let what = match c.outcome {
                    Outcome::TooSmall => "components below min_customers",
                    Outcome::FewAccounts => "dropped for too few pool accounts",
                    Outcome::FewCustomers => "dropped for too few customers",
                    Outcome::Pool => "pools",
                };
                *seen.entry(what).or_default() += 1;
                *seen.entry("targets excluded as pool accounts").or_default() += c.excluded.len();
                *seen
                    .entry("pools beside targets excluded as pool accounts")
                    .or_default() +=
                    usize::from(c.outcome == Outcome::Pool && !c.excluded.is_empty());
            }
            for p in &got {
                *seen.entry("pool accounts above max_follows").or_default() += p
                    .accounts
                    .iter()
                    .filter(|a| want.uncapped.contains(a))
                    .count();
                let comp = want
                    .components
                    .iter()
                    .find(|c| c.targets.contains(&p.customers[0]))
                    .unwrap();
                *seen.entry("component targets not captured").or_default() +=
                    comp.targets.len() - p.customers.len();
                *seen.entry("repeated follows in evidence").or_default() += usize::from(
                    p.events.len()
                        > p.events
                            .iter()
                            .map(|&e| (log.actor()[e as usize], log.target()[e as usize]))
                            .collect::<std::collections::BTreeSet<_>>()
                            .len(),
                );
            }
        }
        for (what, n) in &seen {
            assert!(*n > 0, "no seed had {what}: {seen:?}");
        }
        assert_eq!(seen.len(), 12, "{seen:?}");
    }
}
