//! `review_queue.csv` on a small simulated world: every account judged `suspicious` is queued
//! once, in rank order, with its cause, its evidence events and what would settle it; `eval`
//! reports the queue's precision at its top.

use std::collections::HashSet;

use crate::support::{ok_in as ok, small_scanned_world};

#[test]
fn every_suspicious_account_is_queued_with_its_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    small_scanned_world(dir);
    let verdicts = std::fs::read_to_string(dir.join("findings/verdicts.csv")).unwrap();
    let suspicious: HashSet<&str> = verdicts
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(1) == Some("suspicious"))
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert!(!suspicious.is_empty(), "the world has accounts in review");
    let mut r = csv::Reader::from_path(dir.join("findings/review_queue.csv")).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "rank",
            "account",
            "score",
            "cause",
            "operation",
            "evidence_events",
            "evidence_share",
            "targets",
            "days",
            "owners",
            "resolve",
            "events"
        ]
    );
    let mut queued = HashSet::new();
    let mut last_share = f64::INFINITY;
    for (k, row) in r.records().enumerate() {
        let row = row.unwrap();
        assert_eq!(row[0].parse::<usize>().unwrap(), k + 1, "ranks 1..n");
        assert!(queued.insert(row[1].to_owned()), "{} queued twice", &row[1]);
        assert!(
            [
                "weak-evidence",
                "few-repetitions",
                "no-operation",
                "own-life",
                "trusted"
            ]
            .contains(&&row[3]),
            "{:?}",
            &row[3]
        );
        let n: usize = row[5].parse().unwrap();
        let share: f64 = row[6].parse().unwrap();
        assert!(n >= 1, "{}: no evidence events", &row[1]);
        assert!(share <= last_share + 1e-9, "ranked by evidence share first");
        last_share = share;
        assert!(!row[10].is_empty(), "a sentence on what would settle it");
        assert_eq!(row[11].split(';').count(), n.min(20), "{}", &row[1]);
    }
    let queued: HashSet<&str> = queued.iter().map(String::as_str).collect();
    assert_eq!(queued, suspicious);

    let out = ok(dir, &["eval", "--truth", "world", "--findings", "findings"]);
    assert!(out.contains("Review queue (review_queue.csv)"), "{out}");
}

/// Every command that prints ends quietly when its reader stops early (`lockstep … | head`):
/// `scan` and `enforce plan` with stdout closed before they write exit 0, no panic.
#[test]
fn a_closed_stdout_ends_scan_plan_and_eval_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let ex = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let e = |f: &str| ex.join(f).to_str().unwrap().to_owned();
    let closed = |args: &[&str]| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_lockstep"))
            .args(args)
            .current_dir(dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("runs");
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(o.status.success(), "{args:?}: {:?}: {err}", o.status);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    };
    let (events, accounts, devices) = (e("events.jsonl"), e("accounts.csv"), e("devices.csv"));
    closed(&[
        "scan",
        &events,
        "--accounts",
        &accounts,
        "--devices",
        &devices,
        "--out",
        "f",
        "--max-rejected",
        "10",
    ]);
    closed(&["enforce", "plan", "--findings", "f", "--out", "plan.json"]);
    ok(
        dir,
        &["enforce", "plan", "--findings", "f", "--out", "plan.json"],
    );
}
