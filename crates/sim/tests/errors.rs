//! User mistakes are one clear line; what is written reads back through `lockstep-ingest`.

use lockstep_ingest::{IngestOptions, Inputs, RejectBudget, VecRejectSink, load};
use lockstep_sim::{Config, Error, Format, simulate};

#[test]
fn unknown_scenario_lists_the_valid_ones() {
    let mut cfg = Config::default();
    cfg.scenarios = vec!["like-farm".into(), "click-farm".into()];
    let e = simulate(
        &cfg,
        &std::env::temp_dir().join("never-written"),
        Format::Jsonl,
    )
    .unwrap_err();
    assert!(matches!(e, Error::UnknownScenario(_)));
    let msg = e.to_string();
    assert!(
        msg.contains("click-farm") && msg.contains("data-harvest") && msg.contains("all"),
        "{msg}"
    );
    assert!(!msg.contains('\n'));
}

#[test]
fn bad_config_keys_and_values_are_named() {
    let e = Config::from_toml("[drip_followers]\njiter = 0.2\n").unwrap_err();
    assert!(e.to_string().contains("jiter"), "{e}");
    let e = Config::from_toml("accounts = \"many\"\n").unwrap_err();
    assert!(
        e.to_string().contains("u32") && !e.to_string().contains('\n'),
        "{e}"
    );
    let mut cfg = Config::default();
    cfg.organic.household_share = 1.5;
    let e = cfg.validate().unwrap_err();
    assert!(e.to_string().contains("organic.household_share"), "{e}");
    cfg = Config::default();
    cfg.like_farm.order_size = [400, 100];
    assert!(
        cfg.validate()
            .unwrap_err()
            .to_string()
            .contains("like_farm.order_size")
    );
    cfg = Config::default();
    cfg.start_date = "03/03/2025".into();
    assert!(
        cfg.validate()
            .unwrap_err()
            .to_string()
            .contains("start_date")
    );
}

#[test]
fn unwritable_output_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let mut cfg = Config::default();
    cfg.accounts = 200;
    cfg.days = 1;
    let e = simulate(&cfg, &file.join("sub"), Format::Jsonl).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e}");
    assert!(e.to_string().contains("a-file"), "{e}");
}

#[test]
fn written_files_read_back_without_rejections() {
    let mut cfg = Config::default();
    cfg.accounts = 1_000;
    cfg.days = 1;
    let formats: &[Format] = if cfg!(feature = "parquet") {
        &[Format::Csv, Format::Parquet, Format::JsonlGz]
    } else {
        &[Format::Csv, Format::JsonlGz]
    };
    for &f in formats {
        let dir = tempfile::tempdir().unwrap();
        let s = simulate(&cfg, dir.path(), f).unwrap();
        let events = [dir.path().join(format!("events.{}", f.extension()))];
        let mut rejected = VecRejectSink::new();
        let opts = IngestOptions {
            max_rejected: RejectBudget::Count(0),
            ..Default::default()
        };
        let loaded = load(&Inputs::events(&events), &opts, &mut rejected).unwrap();
        assert!(rejected.0.is_empty(), "{f}: {:?}", rejected.0.first());
        assert_eq!(loaded.log.len() as u64, s.events, "{f}");
    }
}
