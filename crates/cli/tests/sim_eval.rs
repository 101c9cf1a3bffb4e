//! `lockstep simulate`, `lockstep inspect` and `lockstep eval` end to end, as a user runs them.

use std::path::Path;
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

/// Writes findings that say exactly what the truth says.
fn findings_from_truth(truth: &Path, out: &Path) {
    std::fs::create_dir_all(out).unwrap();
    let mut verdicts = String::from("account,verdict,score,operation,reasons\n");
    let accounts = std::fs::read_to_string(truth.join("truth_accounts.csv")).unwrap();
    for line in accounts.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let verdict = if f[1] == "organic" { "ok" } else { f[1] };
        verdicts.push_str(&format!("{},{verdict},1,{},\n", f[0], f[2]));
    }
    std::fs::write(out.join("verdicts.csv"), verdicts).unwrap();
    let mut flagged = String::from("event,operation,reasons\n");
    let events = std::fs::read_to_string(truth.join("truth_events.csv")).unwrap();
    for line in events.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[1] == "1" {
            flagged.push_str(&format!("{},{},\n", f[0], f[2]));
        }
    }
    std::fs::write(out.join("flagged_events.csv"), flagged).unwrap();
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn simulate_then_eval_the_truth_and_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let world = dir.path().join("world");
    let w = world.to_str().unwrap();
    let out = lockstep(&[
        "simulate",
        "--out",
        w,
        "--accounts",
        "3000",
        "--days",
        "2",
        "--seed",
        "7",
        "--scenario",
        "all",
        "--format",
        "jsonl",
    ]);
    ok(&out);
    for f in [
        "events.jsonl",
        "accounts.jsonl",
        "devices.jsonl",
        "truth_accounts.csv",
        "truth_events.csv",
    ] {
        assert!(world.join(f).exists(), "{f} missing");
    }

    // The world loads with nothing rejected.
    let inspect = ok(&lockstep(&[
        "inspect",
        world.join("events.jsonl").to_str().unwrap(),
        "--accounts",
        world.join("accounts.jsonl").to_str().unwrap(),
        "--devices",
        world.join("devices.jsonl").to_str().unwrap(),
        "--json",
    ]));
    let summary: serde_json::Value = serde_json::from_str(&inspect).unwrap();
    assert_eq!(summary["rejected"], 0, "{inspect}");
    assert!(summary["events"].as_u64().unwrap() > 10_000);

    // The truth scored against itself is perfect.
    let perfect = dir.path().join("perfect");
    findings_from_truth(&world, &perfect);
    let report = dir.path().join("perfect.json");
    ok(&lockstep(&[
        "eval",
        "--truth",
        w,
        "--findings",
        perfect.to_str().unwrap(),
        "--json",
        report.to_str().unwrap(),
    ]));
    let r = json(&report);
    let text = r.to_string();
    assert!(text.contains("\"f1\":1.0"), "{text}");
    assert!(!text.contains("NaN"));

    // Nothing found: recall 0, no crash.
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let table = ok(&lockstep(&[
        "eval",
        "--truth",
        w,
        "--findings",
        empty.to_str().unwrap(),
    ]));
    assert!(table.contains("account recall     0.000"), "{table}");

    // Unknown accounts and events are reported, not fatal.
    let odd = dir.path().join("odd");
    std::fs::create_dir_all(&odd).unwrap();
    std::fs::write(
        odd.join("verdicts.csv"),
        "account,verdict,score,operation,reasons\nnobody,fake,1,,\n",
    )
    .unwrap();
    std::fs::write(
        odd.join("flagged_events.csv"),
        "event,operation,reasons\nno-such-event,,\n",
    )
    .unwrap();
    let table = ok(&lockstep(&[
        "eval",
        "--truth",
        w,
        "--findings",
        odd.to_str().unwrap(),
    ]));
    assert!(table.contains("unknown accounts: 1"), "{table}");
}

#[test]
fn same_seed_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let out = dir.path().join(name);
        ok(&lockstep(&[
            "simulate",
            "--out",
            out.to_str().unwrap(),
            "--accounts",
            "1500",
            "--days",
            "1",
            "--seed",
            "3",
            "--scenario",
            "like-farm,comment-farm",
            "--format",
            "csv",
        ]));
        std::fs::read(out.join("events.csv")).unwrap()
    };
    assert_eq!(run("a"), run("b"));
}

#[test]
fn user_mistakes_are_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<Vec<String>> = vec![
        vec![
            "simulate".into(),
            "--out".into(),
            dir.path().join("x").display().to_string(),
            "--scenario".into(),
            "no-such".into(),
        ],
        vec![
            "inspect".into(),
            dir.path().join("missing.jsonl").display().to_string(),
        ],
        vec!["inspect".into(), dir.path().display().to_string()],
        vec![
            "eval".into(),
            "--truth".into(),
            dir.path().join("none").display().to_string(),
            "--findings".into(),
            dir.path().display().to_string(),
        ],
    ];
    for args in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = lockstep(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("lockstep: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
    // A bad file extension names the accepted ones.
    let bad = dir.path().join("events.txt");
    std::fs::write(&bad, "x\n").unwrap();
    let out = lockstep(&["inspect", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".jsonl"));
}

#[test]
fn help_says_what_lockstep_does() {
    let out = ok(&lockstep(&["--help"]));
    assert!(out.contains("Finds bought engagement"), "{out}");
    assert!(!out.contains("glue"), "{out}");
}

#[test]
fn reject_budget_stops_a_mostly_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("e.jsonl");
    let mut s = String::new();
    for i in 0..50 {
        if i % 2 == 0 {
            s.push_str(&format!(
                "{{\"ts\":{},\"actor\":\"a\",\"action\":\"like\",\"target\":\"t\"}}\n",
                1_700_000_000_000i64 + i
            ));
        } else {
            s.push_str("not json\n");
        }
    }
    std::fs::write(&f, s).unwrap();
    let rejected = dir.path().join("rejected.jsonl");
    let out = lockstep(&[
        "inspect",
        f.to_str().unwrap(),
        "--rejected",
        rejected.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("25"), "{err}");
    assert!(
        err.contains(rejected.to_str().unwrap()),
        "names where they are: {err}"
    );
    // Every rejected line was still written, with its reason.
    let lines = std::fs::read_to_string(&rejected).unwrap();
    assert!(
        lines.lines().count() >= 1 && lines.contains("bad_json"),
        "{lines}"
    );
    // Without --rejected, nothing is written, and the message says how to get them.
    let out = lockstep(&["inspect", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("rejected.jsonl") && err.contains("--rejected FILE"),
        "{err}"
    );
    // With a budget that allows it, the good half loads.
    let out = ok(&lockstep(&[
        "inspect",
        f.to_str().unwrap(),
        "--max-rejected",
        "unlimited",
        "--json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["events"], 25);
    assert_eq!(v["rejected"], 25);
}
