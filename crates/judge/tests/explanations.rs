//! The explanations a scan writes: every account's record reads back as the explanation
//! computed from the log, and every reason shows the events behind it or says why there are
//! none.

use std::collections::HashSet;

use lockstep_core::{EventLog, EventLogBuilder, Id, RawDevice, RawEvent};
use lockstep_judge::{
    EXPLANATION_EVENTS, EXPLANATIONS, Explainer, Judgement, Policy, Reasons, Verdict,
    read_explanation, scan_with_reports, write_explanations,
};
use lockstep_sim::{Config, Simulation};

/// A small simulated world with its accounts and devices side tables.
fn world() -> EventLog {
    let mut cfg = Config {
        seed: 7,
        accounts: 3_000,
        days: 8,
        scenarios: [
            "like-farm",
            "vendor-app",
            "comment-farm",
            "emulator-botnet",
            "drip-followers",
            "hijacked-harvest",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        ..Config::default()
    };
    // A small world gets small operations; give the vendor as many orders as a big one's
    // members would see.
    cfg.vendor_app.orders_per_day = 10.0;
    let sim = Simulation::new(&cfg).unwrap();
    let mut b = EventLogBuilder::new();
    b.begin_source("events.jsonl");
    let mut line = 0;
    sim.for_each_event(|row, _| {
        line += 1;
        b.push(&RawEvent {
            id: Some(row.id),
            ts: row.ts,
            actor: row.actor,
            action: row.action,
            target: row.target,
            owner: row.owner,
            text: row.text,
            ip: row.ip,
            device: row.device,
            client: row.client,
            line,
        })
        .unwrap();
    });
    let log = b.log_mut();
    for a in sim.accounts() {
        let id = log.accounts.intern(a.id).unwrap();
        log.account_table
            .push(id, Some(a.created_at), std::iter::empty());
    }
    for d in sim.devices() {
        let id = log.devices.intern(d.id).unwrap();
        log.device_table
            .push(
                id,
                &RawDevice {
                    model: Some(d.model),
                    os: Some(d.os),
                    build: Some(d.build),
                    screen: Some(d.screen),
                    attestation: Some(d.attestation),
                },
                [],
            )
            .unwrap();
    }
    b.finish()
}

fn judged(log: &EventLog) -> (Judgement, lockstep_judge::CorroborationReports) {
    let (j, _, reports) = scan_with_reports(log, &Policy::default()).unwrap();
    (j, reports)
}

#[test]
fn every_record_reads_back_as_explained() {
    let log = world();
    let (j, reports) = judged(&log);
    let policy = Policy::default();
    let x = Explainer::with_reports(&log, &j, &policy, reports);
    let dir = tempfile::tempdir().unwrap();
    let w = write_explanations(&x, dir.path()).unwrap();
    assert_eq!(w.accounts, log.accounts.len());
    assert!(dir.path().join(EXPLANATIONS).is_dir());
    // Computed once without the corroboration's reports: the same explanations.
    let fresh = Explainer::new(&log, &j, &policy);
    let mut kinds = [0usize; 4];
    for a in 0..log.accounts.len() as Id {
        let name = log.accounts.resolve(a);
        let want = x.explain(a, EXPLANATION_EVENTS);
        assert_eq!(want, fresh.explain(a, EXPLANATION_EVENTS), "{name}");
        let got = read_explanation(dir.path(), name, EXPLANATION_EVENTS)
            .unwrap()
            .unwrap_or_else(|| panic!("{name} has a record"));
        assert_eq!(got, want, "{name}");
        let mut short = want.clone();
        short.truncate(3);
        assert_eq!(
            read_explanation(dir.path(), name, 3).unwrap().unwrap(),
            short,
            "{name}"
        );
        assert!(got.shows(3));
        kinds[j.accounts[a as usize].verdict as usize] += 1;
    }
    assert!(
        kinds.iter().all(|&n| n > 0),
        "every verdict is there: {kinds:?}"
    );
    assert_eq!(
        read_explanation(dir.path(), "no-such-account", 20).unwrap(),
        None
    );
    assert_eq!(read_explanation(dir.path(), "", 20).unwrap(), None);
}

#[test]
fn every_reason_shows_its_events_or_says_why_not() {
    let log = world();
    let (j, _) = judged(&log);
    let x = Explainer::new(&log, &j, &Policy::default());
    let evidence = [
        "lockstep-group",
        "lockstep-expansion",
        "dense-subgraph",
        "dense-tensor-block",
        "machine-rate-reads",
        "content-template",
        "rate-anomaly",
        "ip-range",
        "captured-targets",
    ];
    let mut expansion_only = 0;
    for a in 0..log.accounts.len() as Id {
        let v = j.accounts[a as usize];
        if v.reasons.is_empty() {
            continue;
        }
        let e = x.explain(a, 5);
        // An account in review: its evidence is the evidence the judge recorded.
        let recorded: Option<HashSet<String>> = (v.verdict == Verdict::Suspicious)
            .then(|| j.review.binary_search_by_key(&a, |r| r.account).ok())
            .flatten()
            .map(|k| {
                j.review[k]
                    .events
                    .iter()
                    .map(|&e| log.event_id_string(e as usize).into_owned())
                    .collect()
            });
        for r in &e.reasons {
            if let Some(recorded) = &recorded
                && evidence.contains(&r.code.as_str())
            {
                for l in &r.events.shown {
                    assert!(
                        recorded.contains(&l.id),
                        "{}: {} {}",
                        e.account,
                        r.code,
                        l.id
                    );
                }
            }
            assert!(
                r.events.total > 0 || r.note.is_some(),
                "{}: {} has neither events nor a note",
                e.account,
                r.code
            );
            if evidence.contains(&r.code.as_str()) {
                assert!(
                    r.events.total > 0,
                    "{} ({}): {} has no events",
                    e.account,
                    e.verdict,
                    r.code
                );
            }
            if r.flagged {
                assert!(r.events.shown.iter().all(|l| !l.reasons.is_empty()));
            }
        }
        if v.verdict == Verdict::Suspicious && v.reasons == Reasons::LOCKSTEP_EXPANSION {
            expansion_only += 1;
            let r = &e.reasons[0];
            assert!(!r.flagged);
            assert!(r.note.as_deref().unwrap().contains("not flagged"));
            // Inside the groups' bursts on several targets and days.
            let mut targets: Vec<&str> = r.events.shown.iter().map(|l| l.target.as_str()).collect();
            targets.sort_unstable();
            targets.dedup();
            assert!(r.events.total >= 3 || targets.len() >= 2, "{e:#?}");
        }
    }
    assert!(
        expansion_only > 0,
        "the world has suspicious accounts found by expansion alone"
    );
}
