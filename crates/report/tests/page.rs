//! The page's sections, escaping, self-containment, plot caps and `write_report`.

use lockstep_core::{EventLogBuilder, RawEvent};
use lockstep_report::{
    Findings, PlotLimits, REPORT_FILE, ReportIndex, render, render_operation_section, write_report,
};

use crate::fixture::{self, HOSTILE_ACCOUNT, HOSTILE_OP};

fn small() -> (lockstep_core::EventLog, Findings, tempfile::TempDir) {
    let (log, truth) = fixture::log();
    let dir = tempfile::tempdir().unwrap();
    fixture::write_findings(&log, &truth, dir.path());
    let f = Findings::read(dir.path()).unwrap();
    (log, f, dir)
}

#[test]
fn page_has_every_section() {
    let (log, f, _dir) = small();
    let html = render(&log, &f);
    for heading in [
        "<h2>Summary</h2>",
        "<h2>Operations</h2>",
        "<h2>Corrected counts</h2>",
        "<h2>Notes on the input</h2>",
        "<h4>Accounts × time</h4>",
        "<h4>Beneficiaries</h4>",
        "<h4>Infrastructure</h4>",
        "<h4>Why</h4>",
    ] {
        assert!(html.contains(heading), "missing {heading}");
    }
    // Summary figures.
    assert!(html.contains("2024-06-test"), "policy version");
    assert!(html.contains("<th>rejected lines</th><td>3</td>"));
    assert!(html.contains("like-farm") && html.contains("follower-vendor"));
    // Both operations, their flagged counts and beneficiaries.
    assert!(html.contains("Operation <code>op-likes</code> — like-farm"));
    assert!(html.contains("12 flagged events"));
    assert!(html.contains("3 flagged events"));
    assert!(html.contains("brand&amp;co"));
    // Infrastructure from the log: the /24, the shared device, the app, the IPv6 /48.
    assert!(html.contains("10.0.0.0/24"));
    assert!(html.contains("dev-farm-1"));
    assert!(html.contains("api:boostly"));
    assert!(html.contains("2001:db8::/48"));
    // Why: signals and reason codes.
    assert!(html.contains("copycatch"));
    assert!(html.contains("shared-device"));
    // The flagged event that is not in the log, and the member that is not either.
    assert!(html.contains("events.jsonl:9999"));
    assert!(html.contains("members not in the log"));
    // Corrections chart.
    assert!(html.contains("reported vs organic engagement per target"));
    // Two lockstep pictures, one per operation.
    assert_eq!(
        html.matches("accounts × time, one dot per engagement")
            .count(),
        2
    );
}

#[test]
fn every_input_string_is_escaped() {
    let (log, f, _dir) = small();
    let html = render(&log, &f);
    assert!(!html.contains("<script"), "a script element got through");
    assert!(!html.contains("<img"), "an img element got through");
    assert!(
        !html.contains("<b>boostly"),
        "markup in an unknown field got through"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("&lt;b&gt;boostly&lt;/b&gt;"));
    // The hostile operation id never becomes an element id or a link target.
    assert!(html.contains(r##"href="#op-1""##));
    let _ = (HOSTILE_ACCOUNT, HOSTILE_OP);
}

#[test]
fn page_is_self_contained() {
    let (log, f, _dir) = small();
    let html = render(&log, &f);
    for bad in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "@import",
        "url(",
        "<link",
        "<script",
        "<iframe",
    ] {
        assert!(!html.contains(bad), "found {bad}");
    }
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
}

#[test]
fn operation_section_stands_alone() {
    let (log, f, _dir) = small();
    let index = ReportIndex::build(&log, &f);
    assert_eq!(index.ops.len(), 2);
    assert_eq!(index.ops[0].flagged, 12);
    assert_eq!(index.ops[0].members.len(), 4);
    assert_eq!(index.ops[0].unknown_members, 1);
    assert_eq!(index.ops[1].id, HOSTILE_OP);
    assert_eq!(index.ops[1].flagged, 3);
    assert_eq!(index.flagged_in_log, 15);
    assert_eq!(index.flagged_missing, 1);
    let s = render_operation_section(&log, &f, &index, 0, &PlotLimits::default());
    assert_eq!(s.id, "op-likes");
    assert_eq!(s.anchor, "op-0");
    assert!(s.html.starts_with(r#"<details class="op" id="op-0" open>"#));
    assert_eq!(s.plots.len(), 1);
    let svg = &s.plots[0].svg;
    assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg""#));
    assert!(s.html.contains(svg.as_str()));
    // 12 flagged dots, 4 faint ones in the window; the 4 early likes are outside it.
    assert_eq!(svg.matches("h0").count(), 16);
    assert!(
        s.html
            .contains("4 other events of these accounts fall outside the window")
    );
}

#[test]
fn flagged_events_without_operation_go_to_the_actors_operation() {
    let (log, truth) = fixture::log();
    let mut f = Findings::new();
    f.read_operations(br#"[{"id": "op-likes", "accounts": ["bot1", "bot2"]}]"#);
    for (i, op) in truth.iter().enumerate() {
        if op.is_some() {
            f.push_flagged(&log.event_id_string(i), "", "x");
        }
    }
    let index = ReportIndex::build(&log, &f);
    assert_eq!(index.ops.len(), 1);
    assert_eq!(index.ops[0].flagged, 6);
    assert_eq!(index.flagged_in_log, 15);
}

#[test]
fn operations_named_only_in_the_csv_files_get_a_section() {
    let (log, _) = fixture::log();
    let mut f = Findings::new();
    f.push_verdict("f1", "fake", Some(0.9), "op-csv", "burst");
    f.push_flagged("ev-f1", "op-csv", "burst");
    let html = render(&log, &f);
    assert!(html.contains("Operation <code>op-csv</code>"));
    assert!(html.contains("operations.json: missing") || f.notes.is_empty());
}

#[test]
fn big_operations_are_capped_with_a_note() {
    // 300 accounts × 30 events each, all flagged: 9,000 events.
    let mut b = EventLogBuilder::new();
    b.begin_source("big.jsonl");
    let names: Vec<String> = (0..300).map(|i| format!("acct{i:03}")).collect();
    let mut line = 0;
    for k in 0..30 {
        for (a, name) in names.iter().enumerate() {
            line += 1;
            b.push(&RawEvent {
                id: None,
                ts: 1_700_000_000_000 + k * 60_000 + a as i64 * 10,
                actor: name,
                action: "like",
                target: &format!("t{}", k % 12),
                owner: Some("o"),
                text: None,
                ip: None,
                device: None,
                client: None,
                line,
            })
            .unwrap();
        }
    }
    let log = b.finish();
    let mut f = Findings::new();
    f.set_operations_json(&serde_json::json!([{ "id": "big", "accounts": names }]));
    for i in 0..log.len() {
        f.push_flagged(&log.event_id_string(i), "big", "lockstep");
    }
    let index = ReportIndex::build(&log, &f);
    let s = render_operation_section(&log, &f, &index, 0, &PlotLimits::default());
    let svg = &s.plots[0].svg;
    assert_eq!(svg.matches("h0").count(), 5000);
    assert!(svg.contains("200 accounts"));
    assert!(
        s.html
            .contains("Rows: 200 of 300 accounts (those with the most flagged events)")
    );
    assert!(s.html.contains(
        "5,000 of 6,000 dots drawn (capped: only flagged events, 5,000 of 6,000 evenly sampled)"
    ));
    // Nine coloured targets and the rest in grey.
    assert!(s.html.contains("3 other targets"));
}

#[test]
fn write_report_writes_into_the_findings_directory() {
    let (log, truth) = fixture::log();
    let dir = tempfile::tempdir().unwrap();
    fixture::write_findings(&log, &truth, dir.path());
    let path = write_report(&log, dir.path()).unwrap();
    assert_eq!(path, dir.path().join(REPORT_FILE));
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("op-likes"));
    // An empty directory still gets a report, listing what is missing.
    let empty = tempfile::tempdir().unwrap();
    let html = std::fs::read_to_string(write_report(&log, empty.path()).unwrap()).unwrap();
    assert!(html.contains("verdicts.csv: missing"));
    assert!(html.contains("No operations were found."));
    // Not a directory: an error.
    assert!(write_report(&log, &dir.path().join("nope")).is_err());
}
