//! Planted operations are found (recall) and the organic hard cases are not (false
//! positives): fans at a live show, a viral post, power users.

use lockstep_core::Id;
use lockstep_detect::dense::{FraudarConfig, MZoomConfig, PeelPolicy, fraudar, mzoom};
use lockstep_detect::lockstep::{LockstepConfig, LockstepReport, lockstep_groups};

use crate::factories::{
    FarmSpec, HOUR, MIN, World, WorldSpec, false_positives, overlap, recall, world,
};

fn union(sets: impl Iterator<Item = Vec<Id>>) -> Vec<Id> {
    let mut v: Vec<Id> = sets.flatten().collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Asserts recall of every farm, a false-positive bound on the background, and that no
/// live fan, viral liker or power user was flagged.
fn check(what: &str, w: &World, found: &[Id], min_recall: f64, max_fp_share: f64) {
    let truths: Vec<&[Id]> = w.farms.iter().map(Vec::as_slice).collect();
    for (k, farm) in w.farms.iter().enumerate() {
        let r = recall(farm, found);
        assert!(
            r >= min_recall,
            "{what}: farm {k} recall {r:.3} < {min_recall}"
        );
    }
    let planted: usize = w.farms.iter().map(Vec::len).sum();
    let fp = false_positives(&truths, found);
    let bound = (max_fp_share * (w.all_accounts - planted) as f64).floor() as usize;
    assert!(
        fp.len() <= bound,
        "{what}: {} false positives > {bound}: {fp:?}",
        fp.len()
    );
    assert_eq!(overlap(&w.fans, found), 0, "{what}: live fans flagged");
    assert_eq!(overlap(&w.power, found), 0, "{what}: power users flagged");
    let viral_fp = false_positives(&truths, &w.viral);
    assert_eq!(overlap(&viral_fp, found), 0, "{what}: viral likers flagged");
}

fn lockstep_found(r: &LockstepReport) -> Vec<Id> {
    union(r.groups.iter().map(|g| g.accounts.clone()))
}

#[test]
fn lockstep_finds_a_camouflaged_farm_and_no_hard_negative() {
    for seed in 1..=2 {
        let w = world(&WorldSpec {
            seed,
            ..WorldSpec::default()
        });
        let r = lockstep_groups(&w.log, &LockstepConfig::default()).unwrap();
        check(&format!("seed {seed}"), &w, &lockstep_found(&r), 0.9, 0.002);
        assert_eq!(r.groups.len(), 1, "seed {seed}: {:?}", r.stats);
        let g = &r.groups[0];
        assert!(g.score > 5.0 && g.median_burst_ms < 20 * MIN, "{g:?}");
    }
}

#[test]
fn lockstep_partial_participation_jitter_and_shards_on_the_same_orders() {
    let farm = FarmSpec {
        accounts: 300,
        orders: 25,
        shards: 3,
        jitter_ms: 4 * MIN,
        spread_ms: 8 * MIN,
        camouflage: 40,
        ..FarmSpec::default()
    };
    let w = world(&WorldSpec {
        seed: 7,
        farms: vec![farm],
        ..WorldSpec::default()
    });
    let r = lockstep_groups(&w.log, &LockstepConfig::default()).unwrap();
    check("3 shards", &w, &lockstep_found(&r), 0.9, 0.002);
}

#[test]
fn lockstep_shards_delivering_hours_apart_come_out_linked() {
    let farm = FarmSpec {
        accounts: 150,
        orders: 30,
        shards: 2,
        shard_delay_ms: 3 * HOUR,
        ..FarmSpec::default()
    };
    let w = world(&WorldSpec {
        seed: 11,
        farms: vec![farm],
        ..WorldSpec::default()
    });
    let r = lockstep_groups(&w.log, &LockstepConfig::default()).unwrap();
    check("delayed shards", &w, &lockstep_found(&r), 0.9, 0.002);
    assert_eq!(r.groups.len(), 2, "{:#?}", r.stats);
    assert_eq!(r.groups[0].linked, vec![1]);
    assert_eq!(r.groups[1].linked, vec![0]);
}

#[test]
fn lockstep_two_farms_are_two_groups() {
    let farms = vec![
        FarmSpec {
            accounts: 80,
            orders: 25,
            ..FarmSpec::default()
        },
        FarmSpec {
            accounts: 60,
            orders: 30,
            participation: (0.4, 0.8),
            ..FarmSpec::default()
        },
    ];
    let w = world(&WorldSpec {
        seed: 5,
        farms,
        ..WorldSpec::default()
    });
    let r = lockstep_groups(&w.log, &LockstepConfig::default()).unwrap();
    check("two farms", &w, &lockstep_found(&r), 0.9, 0.002);
    assert_eq!(r.groups.len(), 2);
    for g in &r.groups {
        let hits: Vec<usize> = w.farms.iter().map(|f| overlap(f, &g.accounts)).collect();
        assert!(
            hits.iter().filter(|&&h| h > 0).count() == 1,
            "a group mixes farms: {hits:?}"
        );
    }
}

#[test]
fn lockstep_flags_nothing_in_an_organic_world_with_hard_cases() {
    let spec = WorldSpec {
        seed: 3,
        farms: Vec::new(),
        live_fans: Some((200, 8)),
        viral_likes: 3000,
        power_users: (10, 800),
        ..WorldSpec::default()
    };
    let w = world(&spec);
    let r = lockstep_groups(&w.log, &LockstepConfig::default()).unwrap();
    assert!(
        r.groups.is_empty(),
        "{:#?}",
        r.groups
            .iter()
            .map(|g| g.to_signal(&w.log).summary)
            .collect::<Vec<_>>()
    );
    // The viral hour is too big to pair in full and is cut into chunks.
    assert!(r.stats.hot_buckets > 0, "{:?}", r.stats);
}

#[test]
fn fraudar_finds_the_farm_and_no_hard_negative() {
    for seed in 1..=3 {
        let w = world(&WorldSpec {
            seed,
            ..WorldSpec::default()
        });
        let r = fraudar(&w.log, &FraudarConfig::default()).unwrap();
        let found = union(r.blocks.iter().map(|b| b.accounts.clone()));
        check(&format!("fraudar seed {seed}"), &w, &found, 0.9, 0.005);
        let viral = w.log.targets.get("viral").unwrap();
        assert!(
            r.blocks
                .iter()
                .all(|b| b.targets.binary_search(&viral).is_err())
        );
    }
}

#[test]
fn fraudar_finds_two_farms_in_two_rounds() {
    let farms = vec![
        FarmSpec {
            accounts: 100,
            orders: 30,
            ..FarmSpec::default()
        },
        FarmSpec {
            accounts: 60,
            orders: 40,
            participation: (0.4, 0.8),
            ..FarmSpec::default()
        },
    ];
    let w = world(&WorldSpec {
        seed: 9,
        farms,
        ..WorldSpec::default()
    });
    let r = fraudar(&w.log, &FraudarConfig::default()).unwrap();
    let found = union(r.blocks.iter().map(|b| b.accounts.clone()));
    check("fraudar two farms", &w, &found, 0.9, 0.005);
    assert!(r.blocks.len() >= 2);
}

#[test]
fn mzoom_finds_the_farm_with_its_proxies_and_emulators() {
    for seed in 1..=2 {
        let w = world(&WorldSpec {
            seed,
            ..WorldSpec::default()
        });
        let r = mzoom(&w.log, &MZoomConfig::default()).unwrap();
        let found = union(r.blocks.iter().map(|b| b.accounts.clone()));
        check(&format!("mzoom seed {seed}"), &w, &found, 0.9, 0.005);
        let b = &r.blocks[0];
        assert!(
            b.ips.len() <= 6 && b.devices.len() <= 4,
            "{}",
            b.to_signal().summary
        );
        use lockstep_detect::Aspect;
        assert!(b.concentrated.contains(&Aspect::Ips) && b.concentrated.contains(&Aspect::Devices));
    }
}

#[test]
fn dcube_blocks_are_precise() {
    let w = world(&WorldSpec {
        seed: 2,
        ..WorldSpec::default()
    });
    let cfg = MZoomConfig {
        policy: PeelPolicy::DCube,
        ..MZoomConfig::default()
    };
    let r = mzoom(&w.log, &cfg).unwrap();
    let found = union(r.blocks.iter().map(|b| b.accounts.clone()));
    check("dcube", &w, &found, 0.6, 0.005);
}
