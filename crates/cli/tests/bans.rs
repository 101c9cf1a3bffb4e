//! Permanent bans end to end: scan the events before a ban, apply enforcement (which records
//! the banned operations' fingerprints), then scan everything with `--bans` and check that the
//! returning vendor's new accounts are matched and no real person is.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_lockstep");

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("LOCKSTEP_DB")
        .env("USER", "tester")
        .output()
        .expect("run lockstep")
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let o = run(dir, args);
    assert!(
        o.status.success(),
        "lockstep {args:?} failed:\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// RFC 3339 UTC with milliseconds, as the simulator writes `ts`.
fn rfc3339(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

/// Rows of a CSV file as header → value maps (no quoted commas in these files' used columns).
fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut rd = csv::Reader::from_path(path).unwrap();
    let headers = rd.headers().unwrap().clone();
    rd.records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

#[test]
fn banned_vendor_returning_with_new_accounts_is_matched() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A small world whose like farm is banned at 45 % of the window and comes back with new
    // accounts on the same /24, some of the same phones, the same customers and hours.
    std::fs::write(
        dir.join("world.toml"),
        "seed = 1\naccounts = 3000\ndays = 8\nscenarios = [\"ban-evasion\"]\n\n\
         [ban_evasion]\ncustomers = 8\naccounts = 60\ncomeback_accounts = 60\n\
         orders_per_day = 100\norder_size = [20, 50]\n",
    )
    .unwrap();
    ok(dir, &["simulate", "--config", "world.toml", "--out", "w"]);

    // The events before the ban.
    let world: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("w/world.json")).unwrap()).unwrap();
    let ban_ms = world["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["banned_at"].as_i64())
        .min()
        .expect("a banned operation");
    let ban_ts = rfc3339(ban_ms);
    let events = std::fs::read_to_string(dir.join("w/events.jsonl")).unwrap();
    let before: String = events
        .lines()
        .take_while(|l| {
            let e: serde_json::Value = serde_json::from_str(l).unwrap();
            e["ts"].as_str().unwrap() < ban_ts.as_str()
        })
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!before.is_empty() && before.len() < events.len());
    std::fs::write(dir.join("before.jsonl"), before).unwrap();
    let side = [
        "--accounts",
        "w/accounts.jsonl",
        "--devices",
        "w/devices.jsonl",
    ];

    // Scan it, plan, apply: the ban list records the operation's fingerprints.
    let mut args = vec!["scan", "before.jsonl"];
    args.extend(side);
    args.extend(["--out", "before"]);
    ok(dir, &args);
    let ops: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("before/operations.json")).unwrap())
            .unwrap();
    let ops = ops["operations"].as_array().unwrap();
    assert!(!ops.is_empty(), "the farm is found before the ban");
    for o in ops {
        let fp = &o["fingerprint"];
        assert!(
            fp["ip_ranges"].as_array().is_some_and(|r| !r.is_empty()),
            "{o}"
        );
        assert_eq!(fp["hours"].as_array().map(Vec::len), Some(24));
    }
    std::fs::write(
        dir.join("enforce.toml"),
        "remove_engagement = false\ncorrect_counts = false\n",
    )
    .unwrap();
    ok(
        dir,
        &[
            "enforce",
            "plan",
            "--findings",
            "before",
            "--policy",
            "enforce.toml",
            "--out",
            "plan.json",
        ],
    );
    ok(
        dir,
        &[
            "enforce",
            "apply",
            "plan.json",
            "--sink",
            "ndjson:actions.ndjson",
            "--db",
            "bans.db",
        ],
    );
    let listed = ok(dir, &["enforce", "bans", "--db", "bans.db"]);
    assert!(listed.contains("customers"), "{listed}");

    // Scan everything against the ban list.
    let mut args = vec!["scan", "w/events.jsonl"];
    args.extend(side);
    args.extend(["--bans", "bans.db", "--out", "after"]);
    let out = ok(dir, &args);
    assert!(out.contains("ban list: "), "{out}");

    let truth: HashMap<String, (String, String)> = csv_rows(&dir.join("w/truth_accounts.csv"))
        .into_iter()
        .map(|r| {
            (
                r["account"].clone(),
                (r["label"].clone(), r["operation"].clone()),
            )
        })
        .collect();
    let returning: HashSet<&String> = truth
        .iter()
        .filter(|(_, (_, op))| op == "op-ban-evasion-2")
        .map(|(a, _)| a)
        .collect();
    let matches = csv_rows(&dir.join("after/ban_matches.csv"));
    let early: HashSet<&String> = matches
        .iter()
        .filter(|m| m["ordinal"].parse::<usize>().unwrap() <= 5)
        .map(|m| &m["account"])
        .filter(|a| returning.contains(a))
        .collect();
    assert!(
        early.len() * 10 >= returning.len() * 9,
        "{} of {} returning accounts matched within 5 actions",
        early.len(),
        returning.len()
    );
    for m in &matches {
        assert_ne!(
            truth[&m["account"]].0, "organic",
            "an organic account matched a ban: {m:?}"
        );
        assert!(m["evidence"].contains(';'), "two kinds of evidence: {m:?}");
    }
    // Verdicts say `ban-match`; the operations file says which ban.
    let verdicts = csv_rows(&dir.join("after/verdicts.csv"));
    let ban_flagged: Vec<_> = verdicts
        .iter()
        .filter(|v| v["reasons"].split(';').any(|r| r == "ban-match"))
        .collect();
    assert_eq!(ban_flagged.len(), matches.len());
    assert!(ban_flagged.iter().all(|v| v["verdict"] == "fake"));
    let ops: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("after/operations.json")).unwrap()).unwrap();
    let linked: Vec<&serde_json::Value> = ops["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o.get("ban_matches").is_some())
        .collect();
    assert!(!linked.is_empty());
    let bans = ok(dir, &["enforce", "bans", "--db", "bans.db"]);
    for o in linked {
        let ban = o["ban_matches"][0]["ban"].as_str().unwrap();
        assert!(bans.contains(ban), "{ban} is a recorded ban");
    }
}
