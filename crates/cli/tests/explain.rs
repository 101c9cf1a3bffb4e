//! `lockstep explain` end to end on a small simulated world: a flagged account's reasons,
//! signals and events, agreement with the recorded verdict, JSON output, the same answer from
//! the findings as from scanning again, findings of an older scan, the options a scan records,
//! and user mistakes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

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
    first_where(findings, |v, _| v == verdict)
}

/// The first account of `verdicts.csv` whose verdict and reasons pass `keep`.
fn first_where(findings: &Path, keep: impl Fn(&str, &str) -> bool) -> Option<String> {
    std::fs::read_to_string(findings.join("verdicts.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .find(|l| {
            let f: Vec<&str> = l.split(',').collect();
            keep(f[1], f[4])
        })
        .map(|l| l.split(',').next().unwrap().to_string())
}

/// Runs `lockstep explain` with `args` and returns its stdout, stderr and how long it took.
fn explain(args: &[&str]) -> (String, String, Duration) {
    let t = Instant::now();
    let o = run(&[&["explain"], args].concat());
    let took = t.elapsed();
    let out = ok(&o);
    (out, String::from_utf8_lossy(&o.stderr).into_owned(), took)
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

/// Bursts mark the flagged work inside them and flag nobody: every flagged account whose
/// verdict carries `rate-anomaly` here (a world without drips, whose small farms' pairs meet
/// often enough that delivery pools add no one) has lockstep evidence too, the farm's
/// deliveries are bursts listed with its operation, the live broadcast's fans burst with
/// nobody flagged, and the report shows them.
#[test]
fn bursts_mark_operation_work_and_flag_nobody() {
    let dir = tempfile::tempdir().unwrap();
    let f = world(dir.path());
    let bursts = std::fs::read_to_string(f.join("bursts.csv")).unwrap();
    let mut lines = bursts.lines();
    assert_eq!(
        lines.next(),
        Some(
            "target,owner,action,start,end,events,accounts,ratio,operation,flagged,summary,account_ids"
        )
    );
    let mut rdr = csv::Reader::from_reader(bursts.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert!(
        rows.iter().any(
            |r| !r[8].is_empty() && r[9].parse::<usize>().unwrap() * 2 >= r[5].parse().unwrap()
        ),
        "a delivery is a burst of its operation: {bursts}"
    );
    assert!(
        rows.iter().any(|r| r[8].is_empty()),
        "organic bursts (the live broadcast) are listed with no operation"
    );
    for r in &rows {
        assert_eq!(
            r[6].parse::<usize>().unwrap(),
            r[11].split(';').count(),
            "the accounts inside are listed"
        );
    }
    let verdicts = std::fs::read_to_string(f.join("verdicts.csv")).unwrap();
    // Flagged accounts marked `rate-anomaly` all have lockstep evidence: a burst alone flags
    // nobody. (A follower pool shares the code; in this small world it sends to review, never
    // flags, a few members of a community who follow the same few accounts and little else.)
    let marked: Vec<&str> = verdicts
        .lines()
        .filter(|l| {
            l.contains("rate-anomaly") && (l.contains(",fake,") || l.contains(",compromised,"))
        })
        .collect();
    assert!(!marked.is_empty());
    for l in marked {
        assert!(l.contains("lockstep-"), "a burst alone flags nobody: {l}");
    }
    let flagged = std::fs::read_to_string(f.join("flagged_events.csv")).unwrap();
    assert!(flagged.contains("rate-anomaly"));
    let ops = std::fs::read_to_string(f.join("operations.json")).unwrap();
    assert!(ops.contains("of its deliveries were bursts"), "{ops}");
    let report = std::fs::read_to_string(f.join("report.html")).unwrap();
    assert!(report.contains("id=\"bursts\""));
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

    // Answered at once from verdicts.csv, with the account meant.
    let fake = first_with(&f, "fake").unwrap();
    let mut typo = fake.clone();
    let last = typo.pop().unwrap();
    typo.push(if last == 'x' { 'y' } else { 'x' });
    let t = Instant::now();
    let o = run(&["explain", &typo, "--findings", f.to_str().unwrap()]);
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("verdicts.csv has no row for it"), "{err}");
    assert!(err.contains(&format!("did you mean {fake:?}?")), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

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

/// A reader that stops early (`lockstep explain … | head`) ends the run quietly: exit 0, no
/// panic.
#[test]
fn a_closed_stdout_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let ex = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let f = dir.path().join("findings");
    let p = |x: &Path| x.to_str().unwrap().to_string();
    ok(&run(&[
        "scan",
        &p(&ex.join("events.jsonl")),
        "--accounts",
        &p(&ex.join("accounts.csv")),
        "--devices",
        &p(&ex.join("devices.csv")),
        "--out",
        &p(&f),
    ]));
    for extra in [&[][..], &["--recompute"][..]] {
        let mut child = Command::new(BIN)
            .args(["explain", "farm07", "--findings", &p(&f)])
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("runs");
        // Closed at once: before explain writes a byte, or while it does.
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{:?}: {err}", o.status);
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// The findings answer as scanning again does, for an account of every verdict and one that
/// only the lockstep expansion found, in text and JSON; scanning again is what `--recompute`,
/// or event files instead of `--findings`, do.
#[test]
fn findings_answer_as_scanning_again_does() {
    let dir = tempfile::tempdir().unwrap();
    let f = world(dir.path());
    let fs = f.to_str().unwrap();
    let w = dir.path().join("world");
    let p = |x: PathBuf| x.to_str().unwrap().to_string();
    let (events, accounts, devices) = (
        p(w.join("events.jsonl")),
        p(w.join("accounts.jsonl")),
        p(w.join("devices.jsonl")),
    );
    let mut picked: Vec<String> = ["fake", "compromised", "suspicious", "ok"]
        .iter()
        .filter_map(|v| first_with(&f, v))
        .collect();
    let expanded = first_where(&f, |v, r| v == "suspicious" && r == "lockstep-expansion")
        .expect("an account only the expansion found");
    picked.push(expanded.clone());
    for acc in &picked {
        let (fast, err, took) = explain(&[acc, "--findings", fs]);
        assert!(err.is_empty(), "no note, no re-run: {err}");
        assert!(took < Duration::from_secs(5), "{acc}: {took:?}");
        let (again, _, _) = explain(&[acc, "--findings", fs, "--recompute"]);
        assert_eq!(fast, again, "{acc}");
        let (bare, _, _) = explain(&[acc, &events, "--accounts", &accounts, "--devices", &devices]);
        assert!(fast.starts_with(&bare), "{acc}:\n{fast}\n---\n{bare}");
        assert!(fast.contains("matches the recorded verdict"), "{fast}");
        let (fast, _, _) = explain(&[acc, "--findings", fs, "--json", "--limit", "3"]);
        let (again, _, _) = explain(&[
            acc,
            "--findings",
            fs,
            "--json",
            "--limit",
            "3",
            "--recompute",
        ]);
        assert_eq!(fast, again, "{acc}");
    }
    // The expansion's events, though none is flagged.
    let (out, _, _) = explain(&[&expanded, "--findings", fs]);
    let at = out.find("lockstep-expansion — ").unwrap();
    let section = &out[at..out.find("\nsignals").unwrap()];
    assert!(section.contains("not flagged"), "{section}");
    assert!(section.contains("events behind it:\n      20"), "{section}");
}

/// Findings without explanations (an older scan's) are explained by scanning again on the
/// recorded inputs, with a note saying why; so is a `--limit` above what the findings keep.
#[test]
fn older_findings_are_explained_by_scanning_again() {
    let dir = tempfile::tempdir().unwrap();
    let f = world(dir.path());
    let fs = f.to_str().unwrap();
    let acc = first_with(&f, "fake").unwrap();
    let (want, _, _) = explain(&[&acc, "--findings", fs, "--json"]);

    // An account with more than the 50 events the findings keep behind a reason or signal.
    let verdicts = std::fs::read_to_string(f.join("verdicts.csv")).unwrap();
    let many = verdicts
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .find(|a| {
            let (out, _, _) = explain(&[a, "--findings", fs, "--json", "--limit", "1"]);
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            v["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .chain(v["signals"].as_array().unwrap())
                .any(|g| g["events"]["total"].as_u64().unwrap() > 60)
        })
        .expect("an account with many events behind a reason");
    let (out, err, _) = explain(&[many, "--findings", fs, "--limit", "60", "--json"]);
    assert!(err.contains("more events than the findings keep"), "{err}");
    assert!(out.matches("\"time\"").count() > 50);
    let (_, err, _) = explain(&[many, "--findings", fs, "--limit", "50"]);
    assert!(err.is_empty(), "{err}");

    // What an older lockstep wrote: no explanations, and a summary that records neither them
    // nor the options.
    std::fs::remove_dir_all(f.join("explanations")).unwrap();
    let path = f.join("summary.json");
    let mut summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let m = summary.as_object_mut().unwrap();
    m.remove("explanations").unwrap();
    m.remove("options").unwrap();
    std::fs::write(&path, serde_json::to_string_pretty(&summary).unwrap()).unwrap();
    let (got, err, _) = explain(&[&acc, "--findings", fs, "--json"]);
    assert!(
        err.contains("records no explanations") && err.contains("re-running the scan"),
        "{err}"
    );
    assert_eq!(got, want);
}

/// A scan records every option it ran with; explaining from its findings needs none of them
/// again, even when scanning again: here the input needs `--max-rejected` and a policy file.
#[test]
fn explain_needs_no_option_again() {
    let dir = tempfile::tempdir().unwrap();
    let ex = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "version = \"test-policy\"\n").unwrap();
    // The example's events with more bad lines than the default budget (1%) lets through.
    let events = dir.path().join("events.jsonl");
    let mut text = std::fs::read_to_string(ex.join("events.jsonl")).unwrap();
    text.push_str(&"{\"not\": \"an event\"}\n".repeat(20));
    std::fs::write(&events, text).unwrap();
    let f = dir.path().join("findings");
    let p = |x: &Path| x.to_str().unwrap().to_string();
    let mut scan = vec![
        "scan".to_string(),
        p(&events),
        "--accounts".into(),
        p(&ex.join("accounts.csv")),
        "--devices".into(),
        p(&ex.join("devices.csv")),
        "--policy".into(),
        p(&policy),
        "--out".into(),
        p(&f),
    ];
    fn args(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    assert!(!run(&args(&scan)).status.success(), "the budget stops it");
    scan.extend(["--max-rejected".into(), "30".into()]);
    ok(&run(&args(&scan)));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(f.join("summary.json")).unwrap()).unwrap();
    let o = &summary["options"];
    assert_eq!(o["max_rejected"], "30");
    assert_eq!(o["policy"], p(&policy).as_str());
    assert_eq!(o["policy_version"], "test-policy");
    assert!(o["bans"].is_null());
    assert_eq!(summary["explanations"]["dir"], "explanations");
    let rows = std::fs::read_to_string(f.join("verdicts.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert_eq!(summary["explanations"]["accounts"], rows);

    let fs = p(&f);
    let acc = first_where(&f, |v, _| v != "ok")
        .or_else(|| first_with(&f, "ok"))
        .unwrap();
    let (fast, _, _) = explain(&[&acc, "--findings", &fs]);
    assert!(fast.contains("policy test-policy"), "{fast}");
    let (again, err, _) = explain(&[&acc, "--findings", &fs, "--recompute"]);
    assert_eq!(fast, again);
    assert!(!err.contains("warning"), "{err}");
}
