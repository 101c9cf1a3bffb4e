//! `lockstep import` on small slices of the real data sets (skipped with a message when the
//! data is absent), `--evaluate` end to end, `lockstep eval` on the truth it writes, and user
//! mistakes.

use std::path::PathBuf;
use std::process::{Command, Output};

fn lockstep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(args)
        .output()
        .expect("run lockstep")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "lockstep failed ({:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8 stdout")
}

/// `$LOCKSTEP_REAL_DATA`, or `<repo root>/../shared/data/real`; `None` (with a message) when
/// it is absent or lacks `name`.
fn data_set(name: &str) -> Option<PathBuf> {
    let root = std::env::var_os("LOCKSTEP_REAL_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/real")
        });
    let dir = root.join(name);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: no real data at {} (set LOCKSTEP_REAL_DATA)",
            dir.display()
        );
        None
    }
}

fn s(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn yelpchi_slice_imports_evaluates_and_scores_with_eval() {
    let Some(src) = data_set("yelpchi-ugfraud-graph") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("y");
    let stdout = ok(&lockstep(&[
        "import",
        "yelpchi",
        s(&src),
        "--out",
        s(&out),
        "--limit",
        "6000",
        "--evaluate",
    ]));
    assert!(stdout.contains("6000 rows read, 0 rejected"), "{stdout}");
    assert!(stdout.contains("peel-core (lockstep weights)"), "{stdout}");
    assert!(stdout.contains("label: Yelp filter"), "{stdout}");
    for f in [
        "events.jsonl",
        "truth_accounts.csv",
        "truth_events.csv",
        "import.json",
        "evaluation.json",
        "rejected.jsonl",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("import.json")).unwrap()).unwrap();
    assert_eq!(summary["kind"], "yelpchi");
    assert_eq!(summary["events"], 6000);
    // `lockstep eval` reads the truth: a findings directory with nothing flagged scores recall 0.
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let eval = ok(&lockstep(&[
        "eval",
        "--truth",
        s(&out),
        "--findings",
        s(&empty),
    ]));
    assert!(eval.contains("account recall"), "{eval}");
}

#[test]
fn youtube_slice_scans_per_video() {
    let Some(src) = data_set("youtube-spam-collection") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("yt");
    let stdout = ok(&lockstep(&[
        "import",
        "youtube",
        s(&src),
        "--out",
        s(&out),
        "--limit",
        "60",
        "--evaluate",
    ]));
    assert!(stdout.contains("no-timestamp"), "{stdout}");
    for video in ["Youtube01-Psy", "Youtube05-Shakira", "all"] {
        assert!(stdout.contains(video), "{video} missing:\n{stdout}");
    }
    assert!(out.join("findings/verdicts.csv").is_file());
    let ev: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("evaluation.json")).unwrap())
            .unwrap();
    assert_eq!(ev["kind"], "youtube");
    assert!(ev["result"]["per_video"].is_array());
}

#[test]
fn srf_and_instafake_cross_validate() {
    for (kind, dir, limit) in [
        ("srf", "srf-instagram-fake-followers", "400"),
        ("instafake", "instafake-fake-v1.0", "150"),
    ] {
        let Some(src) = data_set(dir) else { return };
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join(kind);
        let stdout = ok(&lockstep(&[
            "import",
            kind,
            s(&src),
            "--out",
            s(&out),
            "--limit",
            limit,
            "--evaluate",
        ]));
        assert!(
            stdout.contains("5-fold stratified cross-validation"),
            "{stdout}"
        );
        assert!(stdout.contains("pooled"), "{stdout}");
        // The out-of-fold verdicts score with `lockstep eval`.
        let cv = out.join("cv");
        let eval = ok(&lockstep(&[
            "eval",
            "--truth",
            s(&out),
            "--findings",
            s(&cv),
        ]));
        assert!(eval.contains("account precision"), "{eval}");
        // No usernames anywhere in the output directory.
        let accounts = std::fs::read_to_string(out.join("accounts.jsonl")).unwrap();
        assert!(!accounts.contains("instagram.com"));
    }
}

#[test]
fn voterfraud_and_followers_slices_run_the_pipeline() {
    for (kind, dir, limit, expect) in [
        (
            "voterfraud",
            "voterfraud2020-retweets-partial",
            "200",
            "verdicts by status",
        ),
        (
            "followers",
            "followeranalyzer-sample-unlabeled",
            "500",
            "unlabelled: observations only",
        ),
    ] {
        let Some(src) = data_set(dir) else { return };
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join(kind);
        let stdout = ok(&lockstep(&[
            "import",
            kind,
            s(&src),
            "--out",
            s(&out),
            "--limit",
            limit,
            "--evaluate",
            "--format",
            "parquet",
        ]));
        assert!(stdout.contains(expect), "{stdout}");
        assert!(out.join("events.parquet").is_file());
        assert!(out.join("findings/summary.json").is_file());
    }
}

#[test]
fn user_mistakes_are_one_line_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let r = lockstep(&["import", "yelpchi", s(tmp.path()), "--out", s(&out)]);
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("not a YelpChi directory (no metadata.gz"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let r = lockstep(&["import", "tiktok", s(tmp.path()), "--out", s(&out)]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("expected one of yelpchi"));
    let r = lockstep(&[
        "import",
        "srf",
        s(&tmp.path().join("missing")),
        "--out",
        s(&out),
    ]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("no such file or directory"));
}
