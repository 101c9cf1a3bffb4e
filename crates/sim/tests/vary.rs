//! `Config::vary`: the same seed draws the same vendors, different seeds different ones, every
//! draw is a valid config, and every scenario still plants work to find.

use lockstep_sim::{Config, SCENARIOS, Simulation};

fn varied(seed: u64) -> Config {
    let mut cfg = Config {
        accounts: 4_000,
        days: 7,
        seed,
        ..Config::default()
    };
    cfg.vary(seed);
    cfg
}

#[test]
fn the_same_seed_draws_the_same_vendors_and_other_seeds_differ() {
    assert_eq!(varied(3), varied(3));
    assert_ne!(varied(3).like_farm, varied(4).like_farm);
    assert_ne!(varied(3).data_harvest, varied(4).data_harvest);
}

#[test]
fn every_draw_is_valid_and_every_scenario_delivers() {
    for seed in 1..=12 {
        let cfg = varied(seed);
        cfg.validate()
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let sim = Simulation::new(&cfg).unwrap();
        for s in SCENARIOS {
            let ops: Vec<_> = sim
                .operations()
                .iter()
                .filter(|o| o.scenario == s)
                .collect();
            assert!(!ops.is_empty(), "seed {seed}: {s} not planted");
            let events: u64 = ops.iter().map(|o| o.events).sum();
            assert!(events > 0, "seed {seed}: {s} planted nothing");
        }
    }
}

#[test]
fn drawn_configs_round_trip_through_toml() {
    let cfg = varied(9);
    let text = toml::to_string(&cfg).unwrap();
    assert_eq!(Config::from_toml(&text).unwrap(), cfg);
}
