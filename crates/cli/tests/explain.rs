//! `lockstep explain` end to end on a small simulated world: a flagged account's reasons,
//! signals and events, agreement with the recorded verdict, JSON output, and user mistakes.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_lockstep");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("runs")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Simulates and scans a small world with a like farm and a vendor app; returns the
/// findings directory.
fn world(dir: &Path) -> std::path::PathBuf {
    let w = dir.join("world");
    let f = dir.join("findings");
    let p = |x: &Path| x.to_str().unwrap().to_string();
    ok(&run(&[
        "simulate",
        "--out",
        &p(&w),
        "--accounts",
        "3000",
        "--days",
        "8",
        "--seed",
        "7",
        "--scenario",
        "like-farm,vendor-app",
    ]));
    ok(&run(&[
        "scan",
        &p(&w.join("events.jsonl")),
        "--accounts",
        &p(&w.join("accounts.jsonl")),
        "--devices",
        &p(&w.join("devices.jsonl")),
        "--out",
        &p(&f),
    ]));
    f
}

/// The first account of `verdicts.csv` with this verdict.
fn first_with(findings: &Path, verdict: &str) -> Option<String> {
    std::fs::read_to_string(findings.join("verdicts.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .find(|l| l.split(',').nth(1) == Some(verdict))
        .map(|l| l.split(',').next().unwrap().to_string())
}

#[test]
fn explains_flagged_and_ok_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let f = world(dir.path());
    let fs = f.to_str().unwrap();

    let fake = first_with(&f, "fake").expect("the like farm is found");
    let out = ok(&run(&["explain", &fake, "--findings", fs, "--limit", "2"]));
    assert!(out.contains(&format!("account {fake}: fake")), "{out}");
    assert!(out.contains("lockstep-group — "), "{out}");
    assert!(out.contains("signals:\n  #"), "a signal names it: {out}");
    assert!(
        out.contains("… and "),
        "events beyond the limit are counted: {out}"
    );
    assert!(out.contains("matches the recorded verdict"), "{out}");

    if let Some(c) = first_with(&f, "compromised") {
        let out = ok(&run(&["explain", &c, "--findings", fs]));
        assert!(out.contains("own-history — "), "{out}");
        assert!(out.contains("operation infrastructure"), "{out}");
    }

    let ok_acc = first_with(&f, "ok").unwrap();
    let out = ok(&run(&["explain", &ok_acc, "--findings", fs, "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["verdict"], "ok");
    assert_eq!(v["account"], ok_acc.as_str());
    assert!(v["reasons"].as_array().unwrap().is_empty());
    assert!(v["history"]["events"].as_u64().unwrap() > 0);
}

#[test]
fn user_mistakes_are_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = world(dir.path());
    let o = run(&[
        "explain",
        "no-such-account",
        "--findings",
        f.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("does not act in these events"), "{err}");

    let o = run(&["explain", "x", "--findings", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("is") && err.contains("a findings directory"),
        "{err}"
    );

    let o = run(&["explain", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no events"));
}
