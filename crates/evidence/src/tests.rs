//! End-to-end tests of writing and verifying a bundle on a small hand-built world.

use std::path::{Path, PathBuf};

use lockstep_core::{EventLog, EventLogBuilder, RawEvent};

use crate::{Difference, Error, FindingsDir, WriteOptions, verify, write_bundle};

const T0: i64 = 1_772_366_400_000;
const HOUR: i64 = 3_600_000;

/// Six bots like the same four posts of `brand` minutes apart, every 8 hours; `alice` likes
/// things alone; `bot1` also has one event of its own.
fn world() -> EventLog {
    let mut b = EventLogBuilder::new();
    b.begin_source("events.jsonl");
    let mut line = 0;
    let mut push = |id: Option<&str>, ts: i64, actor: &str, target: &str, owner: &str| {
        line += 1;
        b.push(&RawEvent {
            id,
            ts,
            actor,
            action: "like",
            target,
            owner: Some(owner),
            text: None,
            ip: "203.0.113.9".parse().ok(),
            device: Some("dev1"),
            client: Some("api:app9"),
            line,
        })
        .unwrap();
    };
    for k in 0..4 {
        for bot in 0..6 {
            let id = format!("f{k}-{bot}");
            push(
                Some(&id),
                T0 + k * 8 * HOUR + bot * 1000,
                &format!("bot{bot}"),
                &format!("post{k}"),
                "brand",
            );
        }
    }
    push(Some("own-1"), T0 + 40 * HOUR, "bot1", "cats", "someone");
    push(None, T0 + 2 * HOUR, "alice", "post9", "bob");
    b.finish()
}

/// Writes the findings of [`world`] into `dir/findings`.
fn findings(dir: &Path) -> PathBuf {
    let f = dir.join("findings");
    std::fs::create_dir_all(&f).unwrap();
    let mut verdicts = String::from("account,verdict,score,operation,reasons\n");
    for bot in 0..6 {
        verdicts.push_str(&format!(
            "bot{bot},fake,0.950,op-001,lockstep-group;operation-only-activity\n"
        ));
    }
    verdicts.push_str("alice,ok,0.000,,\n");
    std::fs::write(f.join("verdicts.csv"), verdicts).unwrap();
    let mut flagged = String::from("event,operation,reasons\n");
    for k in 0..4 {
        for bot in 0..6 {
            flagged.push_str(&format!("f{k}-{bot},op-001,lockstep-group\n"));
        }
    }
    std::fs::write(f.join("flagged_events.csv"), flagged).unwrap();
    std::fs::write(
        f.join("operations.json"),
        r#"{"schema_version": 1, "policy_version": "test-1", "operations": [{
            "id": "op-001", "kind": "like-farm", "score": 0.95,
            "members": ["bot0", "bot1", "bot2", "bot3", "bot4", "bot5"],
            "suspicious": [], "beneficiaries": ["brand", "ghost"],
            "signals": [{"signal": 0, "reason": "lockstep-group", "score": 4.0, "accounts": 6,
                         "summary": "6 accounts engaged 4 targets in lockstep"},
                        {"signal": 1, "reason": "other-code", "score": 1.0, "accounts": 2,
                         "summary": "not these accounts' reason"}]}]}"#,
    )
    .unwrap();
    std::fs::write(
        f.join("summary.json"),
        r#"{"events": 26, "inputs": ["events.jsonl"]}"#,
    )
    .unwrap();
    f
}

fn opts() -> WriteOptions {
    WriteOptions {
        created: Some("2026-11-29T12:00:00.000Z".into()),
        tool: "lockstep test".into(),
        ..WriteOptions::default()
    }
}

fn setup() -> (tempfile::TempDir, EventLog, FindingsDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let log = world();
    let source = FindingsDir::read(&findings(tmp.path())).unwrap();
    let out = tmp.path().join("bundle");
    (tmp, log, source, out)
}

fn names(v: &crate::Verification) -> Vec<String> {
    v.differences.iter().map(ToString::to_string).collect()
}

#[test]
fn writes_every_file_and_verifies() {
    let (_tmp, log, source, out) = setup();
    let w = write_bundle(&log, &source, "op-001", &out, &opts()).unwrap();
    assert_eq!(w.events, 25, "24 flagged likes and bot1's own event");
    assert_eq!(w.flagged, 24);
    assert_eq!(w.accounts, 6);
    assert_eq!(w.runs, 4);
    let paths: Vec<&str> = w.manifest.files.iter().map(|f| f.path.as_str()).collect();
    let mut want = vec![
        "README.md",
        "accounts.csv",
        "beneficiaries.csv",
        "events.csv",
        "flagged_events.csv",
        "plots/lockstep.svg",
        "provenance.json",
        "reasoning.json",
        "report.html",
        "timeline.csv",
    ];
    if cfg!(feature = "parquet") {
        want.insert(4, "events.parquet");
    }
    assert_eq!(paths, want);
    assert!(out.join("manifest.json").is_file() && out.join("SHA256SUMS").is_file());
    let v = verify(&out, Some(&w.manifest.bundle_sha256)).unwrap();
    assert!(v.is_intact(), "{:?}", names(&v));
    assert_eq!(v.files_checked, want.len());
    assert_eq!(v.bundle_sha256, w.manifest.bundle_sha256);
    // No temporary directory is left next to the bundle.
    let left: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn contents_say_what_the_findings_say() {
    let (_tmp, log, source, out) = setup();
    write_bundle(&log, &source, "op-001", &out, &opts()).unwrap();
    let read = |p: &str| std::fs::read_to_string(out.join(p)).unwrap();
    let events = read("events.csv");
    assert!(events.starts_with("id,ts,actor,action,target,owner,text,ip,device,client\n"));
    assert!(events.contains(
        "f0-0,2026-03-01T12:00:00.000Z,bot0,like,post0,brand,,203.0.113.9,dev1,api:app9"
    ));
    assert!(events.contains("own-1,"));
    assert!(!events.contains("alice"));
    assert_eq!(read("flagged_events.csv").lines().count(), 25);
    let accounts = read("accounts.csv");
    assert!(accounts.contains(
        "bot1,member,fake,0.950,lockstep-group;operation-only-activity,5,4,2026-03-01T12:00:01.000Z,2026-03-02T12:00:01.000Z"
    ));
    let timeline = read("timeline.csv");
    let mut lines = timeline.lines();
    assert_eq!(
        lines.next(),
        Some(
            "start,end,action,actor,target,owner,accounts,targets,events,flagged,first_event,last_event"
        )
    );
    assert_eq!(
        lines.next(),
        Some(
            "2026-03-01T12:00:00.000Z,2026-03-01T12:00:05.000Z,like,,post0,brand,6,1,6,6,f0-0,f0-5"
        )
    );
    let ben = read("beneficiaries.csv");
    assert!(ben.contains("brand,24,4,6,2026-03-01T12:00:00.000Z,2026-03-02T12:00:05.000Z,yes"));
    assert!(
        ben.contains("ghost,0,0,0,,,yes"),
        "named but without events: {ben}"
    );
    let r: serde_json::Value = serde_json::from_str(&read("reasoning.json")).unwrap();
    assert_eq!(r["policy_version"], "test-1");
    assert_eq!(r["operation"]["kind"], "like-farm");
    let a = &r["accounts"][0];
    assert_eq!(a["account"], "bot0");
    assert_eq!(a["verdict"], "fake");
    assert_eq!(
        a["signals"].as_array().unwrap().len(),
        1,
        "only its reason's signal"
    );
    assert_eq!(a["signals"][0]["reason"], "lockstep-group");
    let html = read("report.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Operation <code>op-001</code>"));
    assert!(html.contains("<svg"));
    let readme = read("README.md");
    assert!(readme.contains("# Evidence: operation `op-001`"));
    assert!(readme.contains("| `lockstep-group` | 6 | 24 |"));
    assert!(readme.contains("## Timeline"));
    let p: serde_json::Value = serde_json::from_str(&read("provenance.json")).unwrap();
    assert_eq!(p["findings"]["files"].as_array().unwrap().len(), 4);
}

#[test]
fn members_and_suspicious_accounts_are_counted_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let f = findings(tmp.path());
    let ops = std::fs::read_to_string(f.join("operations.json")).unwrap();
    let ops = ops.replace(r#""suspicious": []"#, r#""suspicious": ["alice"]"#);
    std::fs::write(f.join("operations.json"), ops).unwrap();
    let source = FindingsDir::read(&f).unwrap();
    let out = tmp.path().join("bundle");
    let w = write_bundle(&world(), &source, "op-001", &out, &opts()).unwrap();
    assert_eq!((w.accounts, w.members), (7, 6));
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(
        readme.contains("| accounts | 7 (6 members, 1 suspicious) |"),
        "{readme}"
    );
}

#[test]
fn manifest_has_the_documented_shape() {
    let (_tmp, log, source, out) = setup();
    let w = write_bundle(&log, &source, "op-001", &out, &opts()).unwrap();
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    // serde_json's map is sorted; the file keeps this order.
    let keys: Vec<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
    let order = [
        "format",
        "schema_version",
        "operation",
        "operation_kind",
        "policy_version",
        "tool",
        "created",
        "bundle_hash_definition",
        "bundle_sha256",
        "files",
    ];
    let mut sorted = order.to_vec();
    sorted.sort_unstable();
    assert_eq!(keys, sorted);
    let text = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    let pos: Vec<usize> = order
        .iter()
        .map(|k| text.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "{pos:?}");
    assert_eq!(m["format"], "lockstep-evidence");
    assert_eq!(m["schema_version"], 1);
    assert_eq!(m["operation"], "op-001");
    assert_eq!(m["created"], "2026-11-29T12:00:00.000Z");
    for f in m["files"].as_array().unwrap() {
        let keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["bytes", "path", "sha256"]);
        assert_eq!(f["sha256"].as_str().unwrap().len(), 64);
    }
    // The bundle hash is the hash of SHA256SUMS.
    let sums = std::fs::read(out.join("SHA256SUMS")).unwrap();
    use sha2::Digest;
    assert_eq!(
        crate::manifest::hex(&sha2::Sha256::digest(&sums)),
        w.manifest.bundle_sha256
    );
}

#[test]
fn same_input_same_bytes() {
    let (tmp, log, source, out) = setup();
    let a = write_bundle(&log, &source, "op-001", &out, &opts()).unwrap();
    let b = write_bundle(&log, &source, "op-001", &tmp.path().join("b2"), &opts()).unwrap();
    assert_eq!(a.manifest.files, b.manifest.files);
    assert_eq!(a.manifest.bundle_sha256, b.manifest.bundle_sha256);
}

#[test]
fn every_change_is_named() {
    let (_tmp, log, source, out) = setup();
    let w = write_bundle(&log, &source, "op-001", &out, &opts()).unwrap();
    // One byte changed.
    let p = out.join("events.csv");
    let mut bytes = std::fs::read(&p).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 1;
    std::fs::write(&p, &bytes).unwrap();
    // A file deleted, one added, a plot changed.
    std::fs::remove_file(out.join("timeline.csv")).unwrap();
    std::fs::write(out.join("notes.txt"), "added later").unwrap();
    std::fs::write(out.join("plots/lockstep.svg"), "<svg/>").unwrap();
    let v = verify(&out, Some(&w.manifest.bundle_sha256)).unwrap();
    let got = names(&v);
    assert_eq!(got.len(), 5, "{got:#?}");
    assert!(
        got[0].starts_with("changed: events.csv: sha256 "),
        "{got:#?}"
    );
    assert_eq!(got[1], "added: notes.txt (11 bytes)");
    assert!(got[2].starts_with("changed: plots/lockstep.svg: 6 bytes, was "));
    assert_eq!(got[3], "missing: timeline.csv");
    assert!(got[4].starts_with("the bundle hash is "));
    assert!(matches!(v.differences[0], Difference::Changed { .. }));
}

#[test]
fn an_edited_manifest_or_sums_file_is_named() {
    let (_tmp, log, source, out) = setup();
    write_bundle(&log, &source, "op-001", &out, &opts()).unwrap();
    let mp = out.join("manifest.json");
    let original = std::fs::read_to_string(&mp).unwrap();
    // Another operation id: provenance.json (hashed) disagrees.
    std::fs::write(&mp, original.replace("\"op-001\"", "\"op-999\"")).unwrap();
    let got = names(&verify(&out, None).unwrap());
    assert_eq!(
        got,
        ["changed: manifest.json: operation is \"op-999\", provenance.json says \"op-001\""]
    );
    // A file's recorded hash changed: the manifest no longer hashes to its bundle hash, and
    // the file no longer matches.
    let m: crate::Manifest = serde_json::from_str(&original).unwrap();
    let first = &m.files[0].sha256;
    std::fs::write(&mp, original.replacen(first.as_str(), &"0".repeat(64), 1)).unwrap();
    let got = names(&verify(&out, None).unwrap());
    assert!(
        got[0].starts_with("changed: manifest.json: its bundle_sha256"),
        "{got:#?}"
    );
    assert!(got[1].starts_with("changed: SHA256SUMS"), "{got:#?}");
    assert!(got[2].starts_with("changed: README.md"), "{got:#?}");
    // The manifest gone or garbage.
    std::fs::write(&mp, "{").unwrap();
    let got = names(&verify(&out, None).unwrap());
    assert!(
        got[0].starts_with("manifest.json: not a bundle manifest"),
        "{got:#?}"
    );
    std::fs::remove_file(&mp).unwrap();
    let got = names(&verify(&out, None).unwrap());
    assert_eq!(
        got,
        ["manifest.json: missing: nothing can be verified without it"]
    );
    // SHA256SUMS alone edited.
    std::fs::write(&mp, &original).unwrap();
    assert!(verify(&out, None).unwrap().is_intact());
    std::fs::write(out.join("SHA256SUMS"), "x").unwrap();
    let got = names(&verify(&out, None).unwrap());
    assert_eq!(got.len(), 1);
    assert!(got[0].starts_with("changed: SHA256SUMS"));
}

#[test]
fn a_manifest_cannot_point_outside_the_bundle() {
    let (tmp, log, source, out) = setup();
    write_bundle(&log, &source, "op-001", &out, &opts()).unwrap();
    std::fs::write(tmp.path().join("secret"), "s").unwrap();
    let mp = out.join("manifest.json");
    let text = std::fs::read_to_string(&mp).unwrap();
    std::fs::write(&mp, text.replacen("\"README.md\"", "\"../secret\"", 1)).unwrap();
    let got = names(&verify(&out, None).unwrap());
    assert!(
        got.iter()
            .any(|g| g.contains("\"../secret\", a path outside the bundle")),
        "{got:#?}"
    );
    assert!(got.iter().any(|g| g
        == &format!(
            "added: README.md ({} bytes)",
            std::fs::metadata(out.join("README.md")).unwrap().len()
        )));
}

#[test]
fn existing_output_needs_force_and_must_be_a_bundle() {
    let (tmp, log, source, out) = setup();
    write_bundle(&log, &source, "op-001", &out, &opts()).unwrap();
    let e = write_bundle(&log, &source, "op-001", &out, &opts()).unwrap_err();
    assert!(matches!(e, Error::Exists(_)));
    assert!(e.to_string().contains("already exists; pass --force"));
    std::fs::write(out.join("notes.txt"), "x").unwrap();
    let force = WriteOptions {
        force: true,
        ..opts()
    };
    write_bundle(&log, &source, "op-001", &out, &force).unwrap();
    assert!(!out.join("notes.txt").exists(), "replaced as a whole");
    assert!(verify(&out, None).unwrap().is_intact());
    // Something that is not a bundle is never replaced.
    let other = tmp.path().join("home");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("precious.txt"), "x").unwrap();
    let e = write_bundle(&log, &source, "op-001", &other, &force).unwrap_err();
    assert!(e.to_string().contains("is not an evidence bundle"), "{e}");
    assert!(other.join("precious.txt").exists());
}

#[test]
fn wrong_operation_or_wrong_events_are_clear_errors() {
    let (tmp, log, source, out) = setup();
    let e = write_bundle(&log, &source, "op-404", &out, &opts()).unwrap_err();
    assert!(
        e.to_string().contains("operation \"op-404\" is not in")
            && e.to_string().contains("op-001"),
        "{e}"
    );
    assert!(!out.exists());
    // A log without the flagged events (other files).
    let mut b = EventLogBuilder::new();
    b.begin_source("other.jsonl");
    b.push(&RawEvent {
        id: Some("f0-0"),
        ts: T0,
        actor: "bot0",
        action: "like",
        target: "post0",
        owner: None,
        text: None,
        ip: None,
        device: None,
        client: None,
        line: 1,
    })
    .unwrap();
    let small = b.finish();
    let e = write_bundle(&small, &source, "op-001", &out, &opts()).unwrap_err();
    assert!(
        e.to_string().contains("23 of the 24 events")
            && e.to_string().contains("not in the event files read"),
        "{e}"
    );
    assert!(!out.exists());
    let left = std::fs::read_dir(tmp.path()).unwrap().count();
    assert_eq!(
        left, 1,
        "only the findings directory; no temporary directory left"
    );
    // Not a findings directory.
    let e = FindingsDir::read(tmp.path()).unwrap_err();
    assert!(e.to_string().contains("not a findings directory"), "{e}");
}

#[test]
fn recorded_inputs_are_sorted_into_events_and_side_files() {
    let (tmp, _log, _source, _out) = setup();
    let f = tmp.path().join("findings");
    std::fs::write(
        f.join("summary.json"),
        r#"{"inputs": ["w/events-000.jsonl", "w/events-001.jsonl", "w/accounts.jsonl", "w/devices.csv"]}"#,
    )
    .unwrap();
    let r = FindingsDir::read(&f).unwrap().recorded_inputs().unwrap();
    assert_eq!(r.events.len(), 2);
    assert_eq!(r.accounts.as_deref(), Some(Path::new("w/accounts.jsonl")));
    assert_eq!(r.devices.as_deref(), Some(Path::new("w/devices.csv")));
    std::fs::write(
        f.join("summary.json"),
        r#"{"inputs": ["x"], "input_files": {"events": ["a.csv"], "accounts": null, "devices": "d.csv"}}"#,
    )
    .unwrap();
    let r = FindingsDir::read(&f).unwrap().recorded_inputs().unwrap();
    assert_eq!(r.events, [PathBuf::from("a.csv")]);
    assert_eq!(r.accounts, None);
    assert_eq!(r.devices.as_deref(), Some(Path::new("d.csv")));
    std::fs::remove_file(f.join("summary.json")).unwrap();
    let e = FindingsDir::read(&f)
        .unwrap()
        .recorded_inputs()
        .unwrap_err();
    assert!(
        e.to_string().contains("pass the event files with --events"),
        "{e}"
    );
}

#[test]
fn scraping_reads_are_grouped_by_account_and_owners_are_not_customers() {
    let (tmp, log, _source, out) = setup();
    let f = tmp.path().join("findings");
    let ops = std::fs::read_to_string(f.join("operations.json")).unwrap();
    std::fs::write(
        f.join("operations.json"),
        ops.replace("like-farm", "scraping"),
    )
    .unwrap();
    let source = FindingsDir::read(&f).unwrap();
    let w = write_bundle(&log, &source, "op-001", &out, &opts()).unwrap();
    // Each bot's likes are 8 hours apart: one run per bot and post, each naming its actor.
    assert_eq!(w.runs, 24);
    let timeline = std::fs::read_to_string(out.join("timeline.csv")).unwrap();
    assert!(
        timeline.contains(",like,bot0,post0,brand,1,1,1,1,f0-0,f0-0\n"),
        "{timeline}"
    );
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(readme.contains("## Whose data was read"));
    assert!(!readme.contains("## Beneficiaries"));
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_named_not_followed() {
    let (tmp, log, source, out) = setup();
    write_bundle(&log, &source, "op-001", &out, &opts()).unwrap();
    let same = tmp.path().join("same.csv");
    std::fs::copy(out.join("timeline.csv"), &same).unwrap();
    std::fs::remove_file(out.join("timeline.csv")).unwrap();
    std::os::unix::fs::symlink(&same, out.join("timeline.csv")).unwrap();
    std::os::unix::fs::symlink(tmp.path(), out.join("elsewhere")).unwrap();
    let got = names(&verify(&out, None).unwrap());
    assert_eq!(
        got,
        [
            "added: elsewhere (a symbolic link or another non-regular file)",
            "changed: timeline.csv: now a symbolic link or another non-regular file"
        ]
    );
}
