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
