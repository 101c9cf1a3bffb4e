//! `infrastructure_use` on a planted log: a farm on a datacenter range of its own that also
//! passes through a residential range real people live on, checked against a naive count over
//! every event.

use std::collections::HashSet;

use lockstep_core::{EventLog, EventLogBuilder, NONE, RawEvent};
use lockstep_judge::{KeyKind, Policy, Verdict, infrastructure_use, scan};

const DAY: i64 = 86_400_000;

/// One like of `target` (owned by `owner`) through `(ip, device, client)`.
fn push(b: &mut EventLogBuilder, ts: i64, who: (&str, &str, &str), via: (&str, &str, &str)) {
    let (actor, target, owner) = who;
    let (ip, device, client) = via;
    b.push(&RawEvent {
        id: None,
        ts,
        actor,
        action: "like",
        target,
        owner: Some(owner),
        text: None,
        ip: Some(ip.parse().unwrap()),
        device: Some(device),
        client: Some(client),
        line: 1,
    })
    .unwrap();
}

fn planted() -> EventLog {
    let mut b = EventLogBuilder::new();
    // Twelve farm accounts like each order within two minutes, eight orders for four buyers
    // on eight days, from 198.51.100.0/24; farm-0 and farm-1 work through a residential
    // proxy exit in 203.0.113.0/24 on the last four days.
    for day in 0..8i64 {
        let buyer = format!("buyer{}", day % 4);
        let target = format!("order{day}");
        for m in 0..12i64 {
            let ip = if m < 2 && day >= 4 {
                "203.0.113.200".to_owned()
            } else {
                format!("198.51.100.{}", 10 + m % 3)
            };
            push(
                &mut b,
                day * DAY + m * 9_000,
                (&format!("farm{m}"), &target, &buyer),
                (&ip, &format!("farm-phone-{m}"), "android/400.0"),
            );
        }
    }
    // Thirty people at home in 203.0.113.0/24, each liking a few posts of their own on their
    // own phones, at their own hours.
    for p in 0..30i64 {
        for k in 0..4i64 {
            let ts = (k * 2 + p % 2) * DAY + (8 + p % 12) * 3_600_000 + p * 60_000;
            push(
                &mut b,
                ts,
                (
                    &format!("person{p}"),
                    &format!("post{}", (p * 7 + k) % 40),
                    &format!("creator{}", (p + k) % 9),
                ),
                (
                    &format!("203.0.113.{}", 1 + p),
                    &format!("phone-{p}"),
                    "android/412.0",
                ),
            );
        }
    }
    b.finish()
}

#[test]
fn the_farms_own_range_touches_no_one_and_the_shared_one_touches_the_residents() {
    let log = planted();
    let (j, _) = scan(&log, &Policy::default()).unwrap();
    let farm = log.accounts.get("farm5").unwrap();
    assert_eq!(j.accounts[farm as usize].verdict, Verdict::Fake);
    for p in 0..30 {
        let a = log.accounts.get(&format!("person{p}")).unwrap();
        assert_eq!(j.accounts[a as usize].verdict, Verdict::Ok, "person{p}");
    }
    let rows = infrastructure_use(&log, &j);
    let row = |kind: KeyKind, key: &str| {
        rows.iter()
            .find(|r| r.kind == kind && r.key == key)
            .unwrap_or_else(|| panic!("no row for {key}: {rows:#?}"))
    };
    let own = row(KeyKind::IpRange, "198.51.100.0/24");
    assert_eq!(
        (own.accounts, own.unflagged_accounts, own.unflagged_events),
        (12, 0, 0)
    );
    let shared = row(KeyKind::IpRange, "203.0.113.0/24");
    assert_eq!(
        (shared.accounts, shared.members, shared.unflagged_accounts),
        (32, 2, 30)
    );
    assert_eq!(shared.unflagged_events, 120);
    let exit = row(KeyKind::Ip, "203.0.113.200");
    assert_eq!((exit.accounts, exit.unflagged_accounts), (2, 0));
    assert_eq!(row(KeyKind::Device, "farm-phone-3").unflagged_accounts, 0);

    // Every row against a naive count over every event.
    for r in &rows {
        let o = &j.operations[r.operation as usize];
        let members: HashSet<u32> = o.members.iter().copied().collect();
        let matches = |e: usize| {
            let ip = log.ip()[e];
            match r.kind {
                KeyKind::Ip => ip != NONE && log.ips.resolve(ip).to_string() == r.key,
                KeyKind::IpRange => {
                    ip != NONE && lockstep_detect::ranges::network_of(log.ips.resolve(ip)) == r.key
                }
                KeyKind::Device => {
                    let d = log.device()[e];
                    d != NONE && log.devices.resolve(d) == r.key
                }
                KeyKind::Client => {
                    let c = log.client()[e];
                    c != NONE && log.clients.resolve(c) == r.key
                }
            }
        };
        let (mut accounts, mut events, mut unflagged_events) = (HashSet::new(), 0, 0);
        for e in 0..log.len() {
            if matches(e) {
                let a = log.actor()[e];
                accounts.insert(a);
                events += 1;
                if !j.accounts[a as usize].verdict.is_flagged() {
                    unflagged_events += 1;
                }
            }
        }
        let ok = accounts
            .iter()
            .filter(|&&a| !j.accounts[a as usize].verdict.is_flagged())
            .count() as u64;
        let mem = accounts.iter().filter(|a| members.contains(a)).count() as u64;
        assert_eq!(
            (
                r.accounts,
                r.events,
                r.members,
                r.unflagged_accounts,
                r.unflagged_events
            ),
            (accounts.len() as u64, events, mem, ok, unflagged_events),
            "{r:?}"
        );
    }
}
