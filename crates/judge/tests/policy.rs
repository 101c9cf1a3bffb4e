//! Policy files.

use lockstep_judge::{DEFAULT_POLICY_VERSION, Policy};

#[test]
fn default_policy_has_a_version_and_validates() {
    let p = Policy::default();
    assert_eq!(p.version, DEFAULT_POLICY_VERSION);
    p.validate().unwrap();
}

#[test]
fn a_file_names_only_what_it_changes() {
    let p = Policy::from_toml("version = \"strict-1\"\n[verdict]\nmin_days = 4\n").unwrap();
    assert_eq!(p.version, "strict-1");
    assert_eq!(p.verdict.min_days, 4);
    assert_eq!(p.verdict.min_targets, Policy::default().verdict.min_targets);
}

#[test]
fn unknown_keys_and_bad_values_are_errors() {
    for bad in [
        "versio = \"x\"",
        "[verdict]\nmin_dayz = 1",
        "[nonsense]\nx = 1",
        "[verdict]\nflag_score = 1.5",
        "[verdict]\nflag_score = 0.4\nsuspicious_score = 0.6",
        "version = \"\"",
    ] {
        assert!(Policy::from_toml(bad).is_err(), "accepted {bad:?}");
    }
}

#[test]
fn bad_range_and_home_values_name_their_key() {
    for (bad, key) in [
        ("[ranges]\nmin_lift = 0.5", "ranges.min_lift"),
        ("[ranges]\nmin_fresh_share = 2.0", "ranges.min_fresh_share"),
        (
            "[history]\nhome_min_work_share = 2.0",
            "history.home_min_work_share",
        ),
    ] {
        let e = Policy::from_toml(bad).expect_err(bad).to_string();
        assert!(e.contains(key), "{bad:?}: {e}");
        assert_eq!(e.matches("invalid input").count(), 1, "{e}");
    }
}

#[test]
fn ban_matching_is_under_the_policy() {
    let p =
        Policy::from_toml("version = \"bans-3\"\n[bans]\nmin_kinds = 3\nearliest_actions = 5\n")
            .unwrap();
    assert_eq!((p.bans.min_kinds, p.bans.earliest_actions), (3, 5));
    assert_eq!(
        p.bans.range_min_members,
        Policy::default().bans.range_min_members
    );
    for bad in [
        "[bans]\nmin_kind = 3",
        "[bans]\nmin_kinds = 0",
        "[bans]\nrange_min_member_share = 2.0",
        "[bans]\nscore = -0.1",
    ] {
        let e = Policy::from_toml(bad).expect_err(bad).to_string();
        assert!(e.contains("bans") || e.contains("min_kind"), "{bad}: {e}");
    }
}
