//! Paths, extensions, source names, progress and the reject budget.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use lockstep_ingest::{
    Error, IngestOptions, Inputs, JsonlRejectSink, Reason, RejectBudget, total_input_bytes,
};

use crate::util::*;

#[test]
fn unknown_extension_names_the_accepted_ones() {
    let d = tempfile::tempdir().unwrap();
    let p = file(d.path(), "events.json", "{}");
    let (r, _) = try_load(&Inputs::events(&[p]), &unlimited());
    let e = r.unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)));
    let e = e.to_string();
    assert!(
        e.contains("events.json") && e.contains(".jsonl") && e.contains(".parquet"),
        "{e}"
    );
    assert!(e.contains("unknown file extension `.json`"), "{e}");
    let p = file(d.path(), "events", "{}");
    let (r, _) = try_load(&Inputs::events(&[p]), &unlimited());
    let e = r.unwrap_err().to_string();
    assert!(
        e.contains("no file extension") && e.contains(".jsonl"),
        "{e}"
    );
}

#[test]
fn directory_and_missing_path() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("x.jsonl");
    std::fs::create_dir(&dir).unwrap();
    let (r, _) = try_load(&Inputs::events(&[dir]), &unlimited());
    let e = r.unwrap_err().to_string();
    assert!(e.contains("is a directory"), "{e}");
    // A directory is named as one whatever its name, and a missing file as missing.
    let (r, _) = try_load(&Inputs::events(&[d.path().to_path_buf()]), &unlimited());
    let e = r.unwrap_err().to_string();
    assert!(e.contains("is a directory"), "{e}");
    let (r, _) = try_load(&Inputs::events(&[d.path().join("nope.txt")]), &unlimited());
    let e = r.unwrap_err().to_string();
    assert!(e.contains("no such file"), "{e}");
    let good = file(d.path(), "ok.jsonl", ev("e1", "u1"));
    let missing = d.path().join("nope.csv");
    let (r, s) = try_load(&Inputs::events(&[good, missing]), &unlimited());
    let e = r.unwrap_err().to_string();
    assert!(e.contains("nope.csv") && e.contains("no such file"), "{e}");
    assert!(s.0.is_empty());
    let acc = d.path().join("acc.jsonl");
    let (r, _) = try_load(
        &Inputs {
            events: &[],
            accounts: Some(&acc),
            devices: None,
        },
        &unlimited(),
    );
    assert!(r.unwrap_err().to_string().contains("acc.jsonl"));
}

#[test]
fn shared_base_names_use_the_path() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("a")).unwrap();
    std::fs::create_dir(d.path().join("b")).unwrap();
    let a = file(&d.path().join("a"), "e.jsonl", ev_noid("u1"));
    let b = file(
        &d.path().join("b"),
        "e.jsonl",
        format!("{}\nbad", ev_noid("u2")),
    );
    let (l, s) = load_events(&[a.clone(), b.clone()]);
    check_invariant(&l.stats, &s);
    assert_eq!(l.log.event_id_string(0), format!("{}:1", a.display()));
    assert_eq!(l.log.event_id_string(1), format!("{}:1", b.display()));
    assert_eq!(s.0[0].file, b.display().to_string());
}

#[test]
fn progress_reaches_the_total() {
    let d = tempfile::tempdir().unwrap();
    let text: String = (0..30_000)
        .map(|i| ev(&format!("e{i}"), "u") + "\n")
        .collect();
    let a = file(d.path(), "a.jsonl", &text);
    let b = gz_file(d.path(), "b.jsonl.gz", text.replace("\"e", "\"f"));
    let c = file(d.path(), "c.csv", "ts,actor,action,target\n1,a,like,p\n");
    let events = [a, b, c];
    let inputs = Inputs::events(&events);
    let total = total_input_bytes(&inputs).unwrap();
    let seen = Arc::new(AtomicU64::new(0));
    let calls = Arc::new(AtomicU64::new(0));
    let (s2, c2) = (Arc::clone(&seen), Arc::clone(&calls));
    let opts = IngestOptions {
        progress: Some(Arc::new(move |n| {
            assert!(n >= s2.load(Ordering::SeqCst) || n <= total);
            s2.fetch_max(n, Ordering::SeqCst);
            c2.fetch_add(1, Ordering::SeqCst);
        })),
        ..unlimited()
    };
    let (r, _) = try_load(&inputs, &opts);
    let l = r.unwrap();
    assert_eq!(l.log.len(), 60_001);
    assert_eq!(seen.load(Ordering::SeqCst), total);
    assert_eq!(l.stats.input_bytes, total);
    assert!(calls.load(Ordering::SeqCst) >= 3);
}

fn mixed(n_good: usize, n_bad: usize) -> String {
    let mut s = String::new();
    for i in 0..n_good {
        s += &ev(&format!("e{i}"), "u");
        s.push('\n');
    }
    for _ in 0..n_bad {
        s += "garbage\n";
    }
    s += "{\"ts\":1}\n";
    s
}

#[test]
fn count_budget_stops_the_run() {
    let d = tempfile::tempdir().unwrap();
    let p = file(d.path(), "b.jsonl", mixed(10, 20));
    let opts = IngestOptions {
        max_rejected: RejectBudget::Count(5),
        ..Default::default()
    };
    let (r, s) = try_load(&Inputs::events(std::slice::from_ref(&p)), &opts);
    let e = r.unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)));
    let e = e.to_string();
    assert!(e.contains("6 of 16"), "{e}");
    assert!(e.contains("bad_json: 6"), "{e}");
    assert!(e.contains("budget of 5"), "{e}");
    assert_eq!(s.0.len(), 6);

    let opts = IngestOptions {
        max_rejected: RejectBudget::Count(21),
        ..Default::default()
    };
    let (r, s) = try_load(&Inputs::events(&[p]), &opts);
    let l = r.unwrap();
    check_invariant(&l.stats, &s);
    assert_eq!(l.stats.rejected, 21);
}

#[test]
fn fraction_budget_is_checked_at_the_end() {
    let d = tempfile::tempdir().unwrap();
    let p = file(d.path(), "f.jsonl", mixed(96, 3));
    let budget = |s: &str| IngestOptions {
        max_rejected: s.parse().unwrap(),
        ..Default::default()
    };
    // 4 of 100 rejected.
    let (r, s) = try_load(&Inputs::events(std::slice::from_ref(&p)), &budget("3%"));
    let e = r.unwrap_err().to_string();
    assert!(
        e.contains("4 of 100") && e.contains("bad_json: 3") && e.contains("missing_field: 1"),
        "{e}"
    );
    assert_eq!(s.0.len(), 4);
    let (r, _) = try_load(&Inputs::events(std::slice::from_ref(&p)), &budget("0.04"));
    assert!(r.is_ok());
    let (r, _) = try_load(&Inputs::events(&[p]), &budget("unlimited"));
    assert!(r.is_ok());
}

#[test]
fn fraction_budget_stops_early_on_a_flood() {
    let d = tempfile::tempdir().unwrap();
    let p = file(d.path(), "f.jsonl", mixed(100, 50_000));
    let opts = IngestOptions {
        max_rejected: RejectBudget::Fraction(0.01),
        block_bytes: 4096,
        ..Default::default()
    };
    let (r, s) = try_load(&Inputs::events(&[p]), &opts);
    let e = r.unwrap_err().to_string();
    assert!(e.contains("so far"), "{e}");
    assert!(s.0.len() < 50_000);
}

#[test]
fn jsonl_sink_writes_the_contract_shape() {
    let d = tempfile::tempdir().unwrap();
    let p = file(d.path(), "s.jsonl", "oops\n");
    let mut sink = JsonlRejectSink::new(Vec::new());
    let r = lockstep_ingest::load(&Inputs::events(&[p]), &unlimited(), &mut sink);
    assert!(r.is_ok());
    let out = String::from_utf8(sink.into_inner()).unwrap();
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["file"], "s.jsonl");
    assert_eq!(v["line"], 1);
    assert_eq!(v["reason"], Reason::BadJson.as_str());
    assert_eq!(v["raw"], "oops");
    assert!(v["message"].as_str().unwrap().contains("invalid JSON"));
    assert_eq!(v.as_object().unwrap().len(), 5);
}

#[test]
fn stats_serialise() {
    let d = tempfile::tempdir().unwrap();
    let p = file(d.path(), "s.jsonl", format!("{}\nbad\n\n", ev("e", "u")));
    let (l, s) = load_events(&[p]);
    check_invariant(&l.stats, &s);
    let v = serde_json::to_value(&l.stats).unwrap();
    assert_eq!(v["lines"], 3);
    assert_eq!(v["events"], 1);
    assert_eq!(v["rejected_by_reason"]["bad_json"], 1);
    assert_eq!(v["files"][0]["format"], "jsonl");
    assert_eq!(v["files"][0]["kind"], "events");
    assert!(v["elapsed"].is_f64());
}

#[cfg(not(feature = "parquet"))]
#[test]
fn parquet_without_the_feature() {
    let d = tempfile::tempdir().unwrap();
    let p = file(d.path(), "p.parquet", "PAR1");
    let (r, _) = try_load(&Inputs::events(std::slice::from_ref(&p)), &unlimited());
    let e = r.unwrap_err().to_string();
    assert!(
        e.contains("p.parquet") && e.contains("lacks Parquet support"),
        "{e}"
    );
    let w =
        lockstep_ingest::write::EventWriter::create(&p, lockstep_ingest::write::Format::Parquet);
    assert!(w.unwrap_err().to_string().contains("lacks Parquet support"));
}
