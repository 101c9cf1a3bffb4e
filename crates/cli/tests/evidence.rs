//! `lockstep evidence` end to end: a bundle written from a findings directory and verified;
//! every change (a byte, a file deleted or added) named; clear errors for an unknown operation,
//! missing inputs and an existing bundle; the bundle recorded in the audit log.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_lockstep");

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .env_remove("LOCKSTEP_DB")
        .args(args)
        .output()
        .expect("runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Runs and requires success; returns stdout.
fn ok(dir: &Path, args: &[&str]) -> String {
    let o = run(dir, args);
    let (out, err) = text(&o);
    assert!(
        o.status.success(),
        "{args:?}: {:?}\nstdout: {out}\nstderr: {err}",
        o.status
    );
    out
}

/// Runs and requires exit code `code`; returns stderr.
fn fails(dir: &Path, args: &[&str], code: i32) -> String {
    let o = run(dir, args);
    let (out, err) = text(&o);
    assert_eq!(
        o.status.code(),
        Some(code),
        "{args:?}\nstdout: {out}\nstderr: {err}"
    );
    err
}

const T0: i64 = 1_772_366_400_000;
const HOUR: i64 = 3_600_000;

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A small world in `dir/world/events.jsonl`: eight bots like the same five posts of two
/// brands seconds apart every nine hours, through one app; forty people like things alone
/// (some lines without an id, so their id is `events.jsonl:LINE`). Then the findings a scan
/// writes for it (CONTRACT §2) in `dir/findings`, recording the input by its absolute path.
fn world(dir: &Path) -> (PathBuf, PathBuf) {
    let w = dir.join("world");
    std::fs::create_dir_all(&w).unwrap();
    let mut rows: Vec<(i64, String)> = Vec::new();
    for k in 0..5i64 {
        for b in 0..8i64 {
            let owner = if k % 2 == 0 { "brand" } else { "shop" };
            rows.push((
                T0 + k * 9 * HOUR + b * 1500,
                format!(
                    r#"{{"id":"f{k}-{b}","ts":"{}","actor":"bot{b}","action":"like","target":"post{k}","owner":"{owner}","ip":"203.0.113.{}","device":"dev{}","client":"api:app9"}}"#,
                    rfc3339(T0 + k * 9 * HOUR + b * 1500),
                    b % 4 + 1,
                    b % 3
                ),
            ));
        }
    }
    for i in 0..40i64 {
        let ts = T0 + i * 7_919_000;
        let id = if i % 3 == 0 {
            String::new()
        } else {
            format!(r#""id":"o{i}","#)
        };
        rows.push((
            ts,
            format!(
                r#"{{{id}"ts":{ts},"actor":"user{}","action":"like","target":"p{}","owner":"own{}","ip":"198.51.100.{}","client":"android/1.0"}}"#,
                i % 17,
                i % 11,
                i % 5,
                i + 1
            ),
        ));
    }
    rows.sort();
    let events: String = rows.iter().map(|(_, l)| format!("{l}\n")).collect();
    let events_path = w.join("events.jsonl");
    std::fs::write(&events_path, events).unwrap();

    let f = dir.join("findings");
    std::fs::create_dir_all(&f).unwrap();
    let mut verdicts = String::from("account,verdict,score,operation,reasons\n");
    for b in 0..8 {
        verdicts.push_str(&format!(
            "bot{b},fake,0.950,op-001,lockstep-group;operation-only-activity\n"
        ));
    }
    for u in 0..17 {
        verdicts.push_str(&format!("user{u},ok,0.000,,\n"));
    }
    std::fs::write(f.join("verdicts.csv"), verdicts).unwrap();
    let mut flagged = String::from("event,operation,reasons\n");
    for k in 0..5 {
        for b in 0..8 {
            flagged.push_str(&format!("f{k}-{b},op-001,lockstep-group\n"));
        }
    }
    std::fs::write(f.join("flagged_events.csv"), flagged).unwrap();
    let members: Vec<String> = (0..8).map(|b| format!("\"bot{b}\"")).collect();
    std::fs::write(
        f.join("operations.json"),
        format!(
            r#"{{"schema_version": 1, "policy_version": "2026-11-29.4", "operations": [{{
              "id": "op-001", "kind": "like-farm", "score": 0.95, "members": [{}],
              "fake": 8, "compromised": 0, "suspicious": [], "beneficiaries": ["brand", "shop"],
              "targets": ["post0", "post1", "post2", "post3", "post4"],
              "infrastructure": {{"ips": ["203.0.113.1"], "devices": ["dev0"], "clients": [{{"client": "api:app9", "events": 40}}]}},
              "signals": [{{"signal": 0, "reason": "lockstep-group", "score": 5.0, "accounts": 8,
                           "summary": "8 accounts engaged 5 targets in lockstep over 1.5 d"}}]}}]}}"#,
            members.join(", ")
        ),
    )
    .unwrap();
    std::fs::write(
        f.join("corrections.csv"),
        "target,reported,fake,organic\npost0,8,8,0\n",
    )
    .unwrap();
    let ev = events_path.to_str().unwrap();
    std::fs::write(
        f.join("summary.json"),
        format!(
            r#"{{"schema_version": 1, "policy_version": "2026-11-29.4", "inputs": [{ev:?}],
               "input_files": {{"events": [{ev:?}], "accounts": null, "devices": null}},
               "events": 80}}"#
        ),
    )
    .unwrap();
    (events_path, f)
}

fn write(dir: &Path) -> PathBuf {
    world(dir);
    let out = ok(
        dir,
        &[
            "evidence",
            "op-001",
            "--findings",
            "findings",
            "--out",
            "bundle",
        ],
    );
    assert!(
        out.contains(
            "lockstep evidence: wrote bundle: 11 files, hashed in manifest.json and SHA256SUMS;"
        ),
        "{out}"
    );
    assert!(out.contains("operation op-001 (like-farm), 40 events (40 flagged), 8 member accounts, 2 beneficiaries, 5 runs"), "{out}");
    assert!(out.contains("bundle sha256 "), "{out}");
    dir.join("bundle")
}

#[test]
fn a_bundle_is_written_and_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let b = write(tmp.path());
    for f in [
        "README.md",
        "events.csv",
        "events.parquet",
        "flagged_events.csv",
        "accounts.csv",
        "reasoning.json",
        "timeline.csv",
        "beneficiaries.csv",
        "report.html",
        "plots/lockstep.svg",
        "provenance.json",
        "SHA256SUMS",
        "manifest.json",
    ] {
        assert!(b.join(f).is_file(), "{f} missing");
    }
    let out = ok(tmp.path(), &["evidence", "verify", "bundle"]);
    // It counts the files `evidence` said it wrote.
    assert!(out.starts_with("lockstep evidence verify: OK, bundle is intact: 11 files match their hashes in manifest.json and SHA256SUMS; operation op-001, policy 2026-11-29.4"), "{out}");
    // The events read back as lockstep input: a re-scan of the bundle's events works.
    let o = ok(tmp.path(), &["inspect", "bundle/events.csv"]);
    assert!(o.contains("40"), "{o}");
    // The explicit `write` form does the same.
    ok(
        tmp.path(),
        &[
            "evidence",
            "write",
            "op-001",
            "--findings",
            "findings",
            "--out",
            "b2",
        ],
    );
    let m1: serde_json::Value =
        serde_json::from_slice(&std::fs::read(b.join("manifest.json")).unwrap()).unwrap();
    let m2: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("b2/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(
        m1["files"].as_array().unwrap().len(),
        m2["files"].as_array().unwrap().len()
    );
}

#[test]
fn the_manifest_lists_every_file_with_its_hash() {
    let tmp = tempfile::tempdir().unwrap();
    let b = write(tmp.path());
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(b.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["format"], "lockstep-evidence");
    assert_eq!(m["schema_version"], 1);
    assert_eq!(m["operation"], "op-001");
    assert_eq!(m["operation_kind"], "like-farm");
    assert_eq!(m["policy_version"], "2026-11-29.4");
    assert!(m["tool"].as_str().unwrap().starts_with("lockstep "));
    assert!(m["created"].as_str().unwrap().ends_with('Z'));
    assert!(
        m["bundle_hash_definition"]
            .as_str()
            .unwrap()
            .starts_with("SHA-256 of SHA256SUMS")
    );
    let paths: Vec<&str> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "README.md",
            "accounts.csv",
            "beneficiaries.csv",
            "events.csv",
            "events.parquet",
            "flagged_events.csv",
            "plots/lockstep.svg",
            "provenance.json",
            "reasoning.json",
            "report.html",
            "timeline.csv"
        ]
    );
    for f in m["files"].as_array().unwrap() {
        let p = b.join(f["path"].as_str().unwrap());
        assert_eq!(
            f["bytes"].as_u64().unwrap(),
            std::fs::metadata(&p).unwrap().len()
        );
        assert_eq!(f["sha256"].as_str().unwrap().len(), 64);
    }
    // SHA256SUMS is in `sha256sum -c` format, one line per listed file.
    let sums = std::fs::read_to_string(b.join("SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), paths.len());
    assert!(sums.lines().all(|l| l.len() > 66 && &l[64..66] == "  "));
    // Provenance records the input file and the findings files with their hashes.
    let p: serde_json::Value =
        serde_json::from_slice(&std::fs::read(b.join("provenance.json")).unwrap()).unwrap();
    assert!(
        p["inputs"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with("events.jsonl")
    );
    assert_eq!(p["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(p["findings"]["files"].as_array().unwrap().len(), 5);
    assert_eq!(p["events_loaded"], 80);
}

#[test]
fn one_changed_byte_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let b = write(tmp.path());
    let p = b.join("accounts.csv");
    let mut bytes = std::fs::read(&p).unwrap();
    let i = bytes.iter().position(|&c| c == b'5').unwrap();
    bytes[i] = b'6';
    std::fs::write(&p, &bytes).unwrap();
    let err = fails(tmp.path(), &["evidence", "verify", "bundle"], 1);
    assert!(
        err.starts_with("lockstep evidence verify: CHANGED: bundle (1 difference)"),
        "{err}"
    );
    assert!(err.contains("\n  changed: accounts.csv: sha256 "), "{err}");
}

#[test]
fn deleted_and_added_files_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let b = write(tmp.path());
    std::fs::remove_file(b.join("plots/lockstep.svg")).unwrap();
    std::fs::write(b.join("plots/extra.svg"), "<svg/>").unwrap();
    std::fs::write(b.join("memo.txt"), "added").unwrap();
    let err = fails(tmp.path(), &["evidence", "verify", "bundle"], 1);
    assert!(err.contains("(3 differences)"), "{err}");
    assert!(err.contains("  added: memo.txt (5 bytes)"), "{err}");
    assert!(err.contains("  added: plots/extra.svg (6 bytes)"), "{err}");
    assert!(err.contains("  missing: plots/lockstep.svg"), "{err}");
    // A deleted manifest is named too, not a crash.
    std::fs::remove_file(b.join("manifest.json")).unwrap();
    let err = fails(tmp.path(), &["evidence", "verify", "bundle"], 1);
    assert!(err.contains("manifest.json: missing"), "{err}");
    // Garbage instead of a manifest.
    std::fs::write(b.join("manifest.json"), [0xff, 0xfe, 0x00]).unwrap();
    let err = fails(tmp.path(), &["evidence", "verify", "bundle"], 1);
    assert!(
        err.contains("manifest.json: not a bundle manifest"),
        "{err}"
    );
}

#[test]
fn a_published_hash_is_checked() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path());
    let out = ok(tmp.path(), &["evidence", "verify", "bundle"]);
    let hash = out
        .lines()
        .find_map(|l| l.strip_prefix("bundle sha256 "))
        .unwrap()
        .to_owned();
    ok(
        tmp.path(),
        &["evidence", "verify", "bundle", "--expect", &hash],
    );
    let err = fails(
        tmp.path(),
        &["evidence", "verify", "bundle", "--expect", &"0".repeat(64)],
        1,
    );
    assert!(
        err.contains(&format!("the bundle hash is {hash}, not the expected")),
        "{err}"
    );
}

#[test]
fn user_mistakes_are_one_line_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let (events, _) = world(d);
    // An operation the findings do not name.
    let err = fails(
        d,
        &["evidence", "op-404", "--findings", "findings", "--out", "b"],
        2,
    );
    assert_eq!(
        err,
        "lockstep: operation \"op-404\" is not in findings; its operations are: op-001\n"
    );
    assert!(!d.join("b").exists());
    // Not a findings directory.
    let err = fails(
        d,
        &["evidence", "op-001", "--findings", "world", "--out", "b"],
        2,
    );
    assert!(err.contains("not a findings directory"), "{err}");
    // The recorded input is gone: say so and how to fix it.
    std::fs::rename(&events, d.join("moved.jsonl")).unwrap();
    let err = fails(
        d,
        &["evidence", "op-001", "--findings", "findings", "--out", "b"],
        2,
    );
    assert!(
        err.contains("which is not here") && err.contains("--events"),
        "{err}"
    );
    // Given explicitly, it works.
    ok(
        d,
        &[
            "evidence",
            "op-001",
            "--findings",
            "findings",
            "--out",
            "b",
            "--events",
            "moved.jsonl",
        ],
    );
    // Other events than the scan's: the operation's flagged events are not in them.
    std::fs::write(
        d.join("other.jsonl"),
        r#"{"id":"x","ts":0,"actor":"a","action":"like","target":"t"}"#,
    )
    .unwrap();
    let err = fails(
        d,
        &[
            "evidence",
            "op-001",
            "--findings",
            "findings",
            "--out",
            "c",
            "--events",
            "other.jsonl",
        ],
        2,
    );
    assert!(err.contains("40 of the 40 events that findings/flagged_events.csv flags for op-001 are not in the event files read"), "{err}");
    assert!(!d.join("c").exists());
    // An existing bundle needs --force.
    let err = fails(
        d,
        &[
            "evidence",
            "op-001",
            "--findings",
            "findings",
            "--out",
            "b",
            "--events",
            "moved.jsonl",
        ],
        2,
    );
    assert!(
        err.contains("b already exists; pass --force to replace it"),
        "{err}"
    );
    ok(
        d,
        &[
            "evidence",
            "op-001",
            "--findings",
            "findings",
            "--out",
            "b",
            "--events",
            "moved.jsonl",
            "--force",
        ],
    );
    ok(d, &["evidence", "verify", "b"]);
    // Verifying something that is not there.
    let err = fails(d, &["evidence", "verify", "nowhere"], 2);
    assert!(err.contains("nowhere: not a directory"), "{err}");
    // Usage errors from the parser.
    let err = fails(d, &["evidence"], 2);
    assert!(err.contains("required"), "{err}");
    let err = fails(d, &["evidence", "verify"], 2);
    assert!(err.contains("<BUNDLE>"), "{err}");
    let err = fails(d, &["evidence", "op-001", "--out", "x"], 2);
    assert!(err.contains("--findings"), "{err}");
}

#[test]
fn the_audit_log_ties_the_bundle_to_the_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    world(d);
    let out = ok(
        d,
        &[
            "evidence",
            "op-001",
            "--findings",
            "findings",
            "--out",
            "bundle",
            "--db",
            "store.db",
            "--who",
            "ana",
            "--reason",
            "case 2026-17",
        ],
    );
    assert!(
        out.contains("recorded in the audit log of store.db: entry 1 (evidence.write)"),
        "{out}"
    );
    let hash = out
        .lines()
        .find_map(|l| l.strip_prefix("bundle sha256 "))
        .unwrap()
        .to_owned();
    let shown = ok(d, &["audit", "show", "--json", "--db", "store.db"]);
    let e: serde_json::Value = serde_json::from_str(shown.lines().next().unwrap()).unwrap();
    assert_eq!(e["action"], "evidence.write");
    assert_eq!(e["subject"], "op-001");
    assert_eq!(e["actor"], "ana");
    assert_eq!(e["reason"], "case 2026-17");
    let payload: serde_json::Value = serde_json::from_str(e["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["bundle_sha256"], hash.as_str());
    ok(d, &["audit", "verify", "--db", "store.db"]);
    let out = ok(d, &["evidence", "verify", "bundle", "--db", "store.db"]);
    // Another store: intact files, but not recorded there; a missing store is not created.
    ok(d, &["audit", "verify", "--db", "other.db"]);
    let err = fails(d, &["evidence", "verify", "bundle", "--db", "other.db"], 1);
    assert!(
        err.starts_with("lockstep evidence verify: NOT RECORDED: bundle (1 difference)"),
        "{err}"
    );
    let err = fails(
        d,
        &["evidence", "verify", "bundle", "--db", "nowhere.db"],
        2,
    );
    assert!(err.contains("no store at nowhere.db"), "{err}");
    assert!(!d.join("nowhere.db").exists());
    assert!(
        out.contains("recorded in the audit log of store.db: entry 1"),
        "{out}"
    );
    // A changed bundle no longer matches the recorded hash.
    std::fs::write(d.join("bundle/timeline.csv"), "x").unwrap();
    let err = fails(d, &["evidence", "verify", "bundle", "--db", "store.db"], 1);
    assert!(err.contains("changed: timeline.csv"), "{err}");
    assert!(
        err.contains("is not recorded in the audit log of store.db"),
        "{err}"
    );
}

/// Simulate → scan → evidence → verify on a simulated world with a planted scraping operation
/// and a like farm: the bundle of every operation the scan finds verifies. Slow in a debug
/// build (about a minute), so run on demand:
/// `cargo test -p lockstep --test tests evidence -- --ignored`.
#[test]
#[ignore]
fn every_operation_of_a_simulated_scan_gets_a_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(
        d,
        &[
            "simulate",
            "--out",
            "world",
            "--accounts",
            "6000",
            "--days",
            "14",
            "--seed",
            "3",
            "--scenario",
            "like-farm,vendor-app,data-harvest",
        ],
    );
    ok(
        d,
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
    let ops: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("findings/operations.json")).unwrap())
            .unwrap();
    let ops = ops["operations"].as_array().unwrap();
    assert!(!ops.is_empty(), "the scan found no operation");
    for op in ops {
        let id = op["id"].as_str().unwrap();
        let out = format!("ev-{id}");
        let o = ok(
            d,
            &["evidence", id, "--findings", "findings", "--out", &out],
        );
        assert!(o.contains("bundle sha256"), "{o}");
        let flagged = op["flagged_events"].as_u64().unwrap();
        let rows = std::fs::read_to_string(d.join(&out).join("flagged_events.csv"))
            .unwrap()
            .lines()
            .count() as u64;
        assert_eq!(
            rows - 1,
            flagged,
            "{id}: every flagged event is in the bundle"
        );
        ok(d, &["evidence", "verify", &out]);
    }
}
