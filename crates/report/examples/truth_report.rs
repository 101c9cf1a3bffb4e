//! Renders `report.html` for a simulator directory (`lockstep simulate --out SIM`), using its
//! ground truth as the findings: a way to see the report, and to time it, without a scan.
//!
//! Run with `cargo run --release -p lockstep-report --example truth_report -- SIM OUT`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use lockstep_ingest::{IngestOptions, Inputs, VecRejectSink, load};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [sim, out] = &args[..] else {
        eprintln!("usage: truth_report SIM_DIR OUT_DIR");
        std::process::exit(2);
    };
    let (sim, out) = (Path::new(sim), Path::new(out));
    std::fs::create_dir_all(out).expect("create OUT_DIR");

    // # Step 1: load the events.
    let t = Instant::now();
    let mut events: Vec<PathBuf> = std::fs::read_dir(sim)
        .expect("read SIM_DIR")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("events") && n.contains(".jsonl"))
        })
        .collect();
    events.sort();
    let devices = sim.join("devices.jsonl");
    let inputs = Inputs {
        events: &events,
        accounts: None,
        devices: devices.exists().then_some(devices.as_path()),
    };
    let mut rejected = VecRejectSink::new();
    let loaded = load(&inputs, &IngestOptions::default(), &mut rejected).expect("load");
    let log = loaded.log;
    eprintln!("loaded {} events in {:.2?}", log.len(), t.elapsed());

    // # Step 2: the truth as findings files.
    let truth_accounts = std::fs::read_to_string(sim.join("truth_accounts.csv")).unwrap();
    let mut verdicts = String::from("account,verdict,score,operation,reasons\n");
    let mut members: HashMap<String, Vec<String>> = HashMap::new();
    for line in truth_accounts.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (verdict, score, reasons) = match f[1] {
            "fake" => ("fake", "0.95", "lockstep;shared-infrastructure"),
            "compromised" => ("compromised", "0.8", "vendor-app"),
            _ => ("ok", "0.02", ""),
        };
        let _ = writeln!(verdicts, "{},{verdict},{score},{},{reasons}", f[0], f[2]);
        if !f[2].is_empty() {
            members
                .entry(f[2].to_owned())
                .or_default()
                .push(f[0].to_owned());
        }
    }
    std::fs::write(out.join("verdicts.csv"), verdicts).unwrap();

    let truth_events = std::fs::read_to_string(sim.join("truth_events.csv")).unwrap();
    let mut flagged = String::from("event,operation,reasons\n");
    let mut fake_ids: HashMap<&str, ()> = HashMap::new();
    for line in truth_events.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[1] == "1" {
            let _ = writeln!(flagged, "{},{},lockstep", f[0], f[2]);
            fake_ids.insert(f[0], ());
        }
    }
    std::fs::write(out.join("flagged_events.csv"), flagged).unwrap();

    let ops = std::fs::read_to_string(sim.join("truth_operations.csv")).unwrap();
    let mut json = Vec::new();
    for line in ops.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        json.push(serde_json::json!({
            "id": f[0], "kind": f[2], "accounts": members.get(f[0]).cloned().unwrap_or_default(),
            "score": 0.9, "signals": [{"detector": "truth", "scenario": f[1]}],
        }));
    }
    std::fs::write(
        out.join("operations.json"),
        serde_json::to_string_pretty(&json).unwrap(),
    )
    .unwrap();

    // Corrections: per target, reported and fake engagement (views excluded).
    let mut per_target: HashMap<u32, (u64, u64)> = HashMap::new();
    for i in 0..log.len() {
        if log.action()[i] == lockstep_core::action::VIEW {
            continue;
        }
        let e = per_target.entry(log.target()[i]).or_default();
        e.0 += 1;
        if fake_ids.contains_key(&*log.event_id_string(i)) {
            e.1 += 1;
        }
    }
    let mut corrections = String::from("target,reported,fake,organic\n");
    let mut rows: Vec<_> = per_target.into_iter().filter(|r| r.1.1 > 0).collect();
    rows.sort_unstable();
    for (t, (r, f)) in rows {
        let _ = writeln!(corrections, "{},{r},{f},{}", log.targets.resolve(t), r - f);
    }
    std::fs::write(out.join("corrections.csv"), corrections).unwrap();
    std::fs::write(
        out.join("summary.json"),
        serde_json::json!({
            "schema_version": 1, "policy_version": "truth", "rejected_lines": rejected.0.len(),
            "counts": {"events": log.len()},
        })
        .to_string(),
    )
    .unwrap();

    // # Step 3: the report, timed by part.
    let t = Instant::now();
    let findings = lockstep_report::Findings::read(out).expect("read findings");
    let read = t.elapsed();
    let t = Instant::now();
    let index = lockstep_report::ReportIndex::build(&log, &findings);
    let indexed = t.elapsed();
    let t = Instant::now();
    let html = lockstep_report::render(&log, &findings);
    let rendered = t.elapsed();
    let t = Instant::now();
    let path = lockstep_report::write_report(&log, out).expect("write report");
    eprintln!(
        "read findings {read:.2?}, index {indexed:.2?} ({} operations), render with index \
         {rendered:.2?} ({} bytes); write_report {:.2?}: {}",
        index.ops.len(),
        html.len(),
        t.elapsed(),
        path.display()
    );
}
