//! Small simulated worlds with planted operations: each is found, hard negatives are not.

use std::collections::HashMap;

use lockstep_core::{EventLog, EventLogBuilder, RawEvent};
use lockstep_judge::{Policy, Verdict, scan};
use lockstep_sim::{Config, Simulation};

/// Builds the log of a simulated world in memory and returns it with each account's truth
/// (operation, or `None`) and cohort tags.
fn world(accounts: u32, days: u32, scenarios: &[&str]) -> (EventLog, Simulation) {
    let mut cfg = Config {
        seed: 3,
        accounts,
        days,
        scenarios: scenarios.iter().map(|s| s.to_string()).collect(),
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
    for a in sim.accounts() {
        let log = b.log_mut();
        let id = log.accounts.intern(a.id).unwrap();
        log.account_table
            .push(id, Some(a.created_at), std::iter::empty());
    }
    (b.finish(), sim)
}

#[test]
fn planted_farms_are_found_and_hard_negatives_are_not() {
    let (log, sim) = world(6_000, 14, &["like-farm", "vendor-app", "data-harvest"]);
    let (j, _) = scan(&log, &Policy::default()).unwrap();
    let mut per_op: HashMap<String, (usize, usize)> = HashMap::new();
    let mut hard = (0usize, 0usize);
    let mut kind = (0usize, 0usize);
    for a in sim.accounts() {
        let id = log.accounts.get(a.id).unwrap();
        let v = j.accounts[id as usize].verdict;
        match a.operation {
            Some(op) => {
                let e = per_op.entry(op.to_string()).or_default();
                e.0 += 1;
                if v.is_flagged() {
                    e.1 += 1;
                }
            }
            None => {
                if a.tags()
                    .any(|t| ["viral-liker", "live-fan", "power-user"].contains(&t))
                {
                    hard.0 += 1;
                    if v.is_flagged() {
                        hard.1 += 1;
                    }
                }
            }
        }
        if a.operation == Some("op-vendor-app-1") && v.is_flagged() {
            kind.0 += 1;
            if v == Verdict::Compromised {
                kind.1 += 1;
            }
        }
    }
    for (op, (n, found)) in &per_op {
        assert!(
            *found as f64 >= 0.8 * *n as f64,
            "{op}: {found} of {n} found"
        );
    }
    assert!(
        kind.1 as f64 >= 0.7 * kind.0 as f64,
        "{} of {} driven accounts called compromised",
        kind.1,
        kind.0
    );
    assert!(hard.0 > 100);
    assert!(
        hard.1 as f64 <= 0.005 * hard.0 as f64,
        "{} of {} hard negatives",
        hard.1,
        hard.0
    );
    let kinds: Vec<&str> = j.operations.iter().map(|o| o.kind.as_str()).collect();
    for k in ["like-farm", "vendor-app", "scraping"] {
        assert!(kinds.contains(&k), "no {k} in {kinds:?}");
    }
}
