//! `lockstep scan` end to end on the repository's example input: every CONTRACT §2 file
//! exists with the right header, the example's farm is found and nobody else, and bad lines
//! land in `rejected.jsonl`.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_lockstep");

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn scan(args: &[&str], out: &Path) -> std::process::Output {
    Command::new(BIN)
        .arg("scan")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .expect("runs")
}

fn first_line(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn scan_writes_every_contract_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("findings");
    let ex = examples();
    let o = scan(
        &[
            ex.join("events.jsonl").to_str().unwrap(),
            "--accounts",
            ex.join("accounts.csv").to_str().unwrap(),
            "--devices",
            ex.join("devices.csv").to_str().unwrap(),
            "--max-rejected",
            "10",
        ],
        &out,
    );
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        first_line(&out.join("verdicts.csv")),
        "account,verdict,score,operation,reasons"
    );
    assert_eq!(
        first_line(&out.join("flagged_events.csv")),
        "event,operation,reasons"
    );
    assert_eq!(
        first_line(&out.join("corrections.csv")),
        "target,reported,fake,organic"
    );
    assert!(out.join("rejected.jsonl").exists());
    let ops: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("operations.json")).unwrap())
            .unwrap();
    assert!(ops["operations"].is_array());
    assert!(ops["policy_version"].is_string());
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["schema_version"], 1);
    assert!(summary["policy_version"].is_string());
    // The example input carries a few bad lines on purpose; each is in rejected.jsonl.
    let rejected = std::fs::read_to_string(out.join("rejected.jsonl")).unwrap();
    assert!(rejected.lines().count() > 0);
    assert_eq!(
        summary["rejected"]["lines"].as_u64().unwrap(),
        rejected.lines().count() as u64
    );
    // One verdict row per account seen (actors, owners, side-file accounts).
    let rows = std::fs::read_to_string(out.join("verdicts.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert_eq!(rows as u64, summary["accounts"].as_u64().unwrap());
    // The lockstep stages say how much work they did.
    let work = &summary["work"]["detect.lockstep"];
    assert!(work["pair_records"].as_u64().unwrap() >= work["pair_targets"].as_u64().unwrap());
    assert!(work["pair_targets"].as_u64().unwrap() >= work["pairs"].as_u64().unwrap());
    assert!(work["pairs"].as_u64().unwrap() >= work["strong_pairs"].as_u64().unwrap());
    assert!(summary["work"]["detect.follow-lockstep"]["events"].is_u64());
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains(" operation"), "{stdout}");
}

/// The example's verdicts are what examples/README.md says an analyst would give: the 24 farm
/// accounts fake, in one like-farm operation serving the three customers, and everyone else —
/// the family behind one address and the fans included — ok.
#[test]
fn the_example_farm_is_found_and_nobody_else() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("findings");
    let ex = examples();
    let o = scan(
        &[
            ex.join("events.jsonl").to_str().unwrap(),
            "--accounts",
            ex.join("accounts.csv").to_str().unwrap(),
            "--devices",
            ex.join("devices.csv").to_str().unwrap(),
        ],
        &out,
    );
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let verdicts = std::fs::read_to_string(out.join("verdicts.csv")).unwrap();
    let mut wrong = Vec::new();
    let (mut fake, mut ok) = (0, 0);
    for line in verdicts.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (account, verdict, operation, reasons) = (f[0], f[1], f[3], f[4]);
        if account.starts_with("farm") {
            fake += 1;
            if verdict != "fake" || operation != "op-001" || !reasons.contains("lockstep-group") {
                wrong.push(line);
            }
        } else {
            ok += 1;
            if verdict != "ok" {
                wrong.push(line);
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "verdicts not as expected:\n{}",
        wrong.join("\n")
    );
    assert_eq!(
        (fake, ok),
        (24, 24),
        "farm and organic accounts in verdicts.csv"
    );
    // The family behind one address, and the fan who likes every post within minutes.
    for who in ["u012", "u013", "u014", "u007"] {
        assert!(
            verdicts.contains(&format!("\n{who},ok,")),
            "{who}: {verdicts}"
        );
    }

    let ops: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("operations.json")).unwrap())
            .unwrap();
    let ops = ops["operations"].as_array().unwrap();
    assert_eq!(ops.len(), 1, "{ops:#?}");
    assert_eq!(ops[0]["kind"], "like-farm");
    let mut customers: Vec<&str> = ops[0]["beneficiaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_str().unwrap())
        .collect();
    customers.sort_unstable();
    assert_eq!(customers, ["kofi.beats", "mia.fit", "rosa.bakes"]);

    // Some deliveries are bursts, each listed with the operation.
    let bursts = std::fs::read_to_string(out.join("bursts.csv")).unwrap();
    let rows: Vec<&str> = bursts.lines().skip(1).collect();
    assert!(!rows.is_empty(), "{bursts}");
    assert!(
        rows.iter().all(|r| r.split(',').nth(8) == Some("op-001")),
        "{bursts}"
    );
}

#[test]
fn bad_lines_are_rejected_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let mut text = std::fs::read_to_string(examples().join("events.jsonl")).unwrap();
    text.push_str(
        "{\"ts\": \"not a time\", \"actor\": \"x\", \"action\": \"like\", \"target\": \"p\"}\n",
    );
    text.push_str("this is not json\n");
    std::fs::write(&events, text).unwrap();
    let out = dir.path().join("findings");
    let o = scan(&[events.to_str().unwrap(), "--max-rejected", "20"], &out);
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let rejected = std::fs::read_to_string(out.join("rejected.jsonl")).unwrap();
    assert!(rejected.contains("not a time"), "{rejected}");
    assert!(rejected.contains("this is not json"), "{rejected}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        summary["rejected"]["lines"].as_u64().unwrap(),
        rejected.lines().count() as u64
    );

    // Over budget: exit 2 with one clear line, rejected lines still written.
    let out2 = dir.path().join("findings2");
    let o = scan(&[events.to_str().unwrap(), "--max-rejected", "1"], &out2);
    assert_eq!(o.status.code(), Some(2));
    assert!(out2.join("rejected.jsonl").exists());
}

#[test]
fn a_bad_policy_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "version = \"x\"\n[verdict]\nflag_scor = 0.9\n").unwrap();
    let ex = examples();
    let o = scan(
        &[
            ex.join("events.jsonl").to_str().unwrap(),
            "--policy",
            policy.to_str().unwrap(),
            "--max-rejected",
            "unlimited",
        ],
        &dir.path().join("f"),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("flag_scor"), "{err}");
}

/// A missing file, a directory or a file of unknown format is named, and nothing is written:
/// no output directory is left behind by a run that never read anything.
#[test]
fn bad_inputs_are_named_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("findings");
    let txt = dir.path().join("events.txt");
    std::fs::write(&txt, "{}\n").unwrap();
    let good = examples().join("events.jsonl");
    let missing = dir.path().join("missing.jsonl");
    let cases: [(Vec<&str>, &[&str]); 4] = [
        (
            vec![missing.to_str().unwrap()],
            &["missing.jsonl: no such file"],
        ),
        (vec![dir.path().to_str().unwrap()], &["is a directory"]),
        (
            vec![txt.to_str().unwrap()],
            &["unknown file extension `.txt`", ".jsonl"],
        ),
        (
            vec![good.to_str().unwrap(), "--accounts", "no-accounts.csv"],
            &["no-accounts.csv: no such file"],
        ),
    ];
    for (args, want) in cases {
        let o = scan(&args, &out);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        for w in want {
            assert!(err.contains(w), "{args:?}: {err}");
        }
        assert!(!out.exists(), "{args:?} created {}", out.display());
    }
}

/// An input with no event in it is not an error, but it is said.
#[test]
fn an_empty_input_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let o = scan(&[empty.to_str().unwrap()], &dir.path().join("f"));
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warning: 0 events read from") && err.contains("empty.jsonl"),
        "{err}"
    );
}
