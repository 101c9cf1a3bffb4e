//! What several of these tests need: running the binary in a directory, and a small simulated
//! world with a like farm and a vendor app, scanned.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_lockstep");

/// Runs `lockstep ARGS` in `dir` and returns its stdout, failing the test on a non-zero exit.
pub(crate) fn ok_in(dir: &Path, args: &[&str]) -> String {
    let o = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("LOCKSTEP_DB")
        .env("USER", "tester")
        .output()
        .expect("runs");
    assert!(
        o.status.success(),
        "lockstep {args:?} failed:\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Simulates `dir/world` (3 000 accounts over 8 days, seed 7, a like farm and a vendor app) and
/// scans it into `dir/findings`.
pub(crate) fn small_scanned_world(dir: &Path) {
    ok_in(
        dir,
        &[
            "simulate",
            "--out",
            "world",
            "--accounts",
            "3000",
            "--days",
            "8",
            "--seed",
            "7",
            "--scenario",
            "like-farm,vendor-app",
        ],
    );
    ok_in(
        dir,
        &[
            "scan",
            "world/events.jsonl",
            "--accounts",
            "world/accounts.jsonl",
            "--devices",
            "world/devices.jsonl",
            "--out",
            "findings",
        ],
    );
}
