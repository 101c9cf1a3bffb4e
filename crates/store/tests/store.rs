//! Cases, verdicts, actions, delivery, undo, appeals and bans, on every backend.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use lockstep_store::{
    ActionKind, ActionStatus, AppealStatus, Delivery, DeliveryOp, DeliveryScope, Error, NewAction,
    NewCase, NewVerdict, SCHEMA_VERSION, Store,
};
use serde_json::json;

/// A small plan: a vendor ban, a device block, two disabled accounts (one with engagement).
pub(crate) fn sample_actions(op: &str) -> Vec<NewAction> {
    vec![
        NewAction::new(
            ActionKind::BanVendor,
            op,
            op,
            "like farm",
            json!({"kind": "like-farm", "devices": ["d1"], "ip_ranges": ["10.0.0.0/24"],
                   "app_ids": ["fastlikes"], "behaviour": {"signals": ["lockstep"]}}),
        ),
        NewAction::new(ActionKind::BlockDevice, "d1", op, "farm phone", json!({})),
        NewAction::new(ActionKind::DisableAccount, "a1", op, "fake", json!({})).with_account("a1"),
        NewAction::new(ActionKind::DisableAccount, "a2", op, "fake", json!({})).with_account("a2"),
        NewAction::new(
            ActionKind::RemoveEngagement,
            "e1",
            op,
            "lockstep",
            json!({"target": "p1"}),
        )
        .with_account("a1"),
    ]
}

fn keys(actions: &[NewAction]) -> Vec<String> {
    actions.iter().map(|a| a.key.clone()).collect()
}

/// Delivers everything pending for `keys`, returning the delivery ids in order.
fn deliver_keys(store: &mut Store, keys: &[String]) -> Vec<String> {
    let mut seen = Vec::new();
    store
        .deliver(
            DeliveryScope::Keys(keys),
            2,
            "test",
            &mut |b: &[Delivery]| {
                seen.extend(b.iter().map(Delivery::id));
                Ok(())
            },
        )
        .expect("deliver");
    seen
}

fn deliver_all(store: &mut Store) -> Vec<String> {
    let mut seen = Vec::new();
    store
        .deliver(DeliveryScope::All, 2, "test", &mut |b: &[Delivery]| {
            seen.extend(b.iter().map(Delivery::id));
            Ok(())
        })
        .expect("deliver");
    seen
}

for_each_backend!(migrations_are_versioned, |store, open| {
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    drop(store);
    // Reopening runs no migration twice.
    let mut again = open();
    assert_eq!(again.schema_version().unwrap(), SCHEMA_VERSION);
});

for_each_backend!(apply_is_idempotent, |store| {
    let actions = sample_actions("op1");
    let keys = keys(&actions);
    let r = store.record_actions("plan1", &actions, 2, "ana").unwrap();
    assert_eq!((r.new, r.existing), (5, 0));
    let first = deliver_keys(&mut store, &keys);
    assert_eq!(first.len(), 5);
    let audit_len = store.audit_tail(1000).unwrap().len();

    // Twice: nothing new recorded, delivered, or logged.
    let r = store.record_actions("plan1", &actions, 2, "ana").unwrap();
    assert_eq!((r.new, r.existing), (0, 5));
    assert!(deliver_keys(&mut store, &keys).is_empty());
    assert_eq!(store.audit_tail(1000).unwrap().len(), audit_len);
    let c = store.status_counts(&keys).unwrap();
    assert_eq!((c.applied, c.pending, c.missing), (5, 0, 0));
    assert_eq!(store.audit_count("action.apply").unwrap(), 5);
    assert_eq!(store.audit_count("action.record").unwrap(), 5);

    let a = store.action(&keys[1]).unwrap().unwrap();
    assert_eq!(a.kind, ActionKind::BlockDevice);
    assert_eq!(a.status, ActionStatus::Applied);
    assert!(a.applied_at.is_some());
    assert!(store.audit_verify().unwrap().ok());
});

for_each_backend!(tampered_keys_are_refused, |store| {
    let mut a = sample_actions("op1").remove(1);
    a.subject = "d2".into();
    assert!(matches!(
        store.record_actions("p", &[a], 10, "ana"),
        Err(Error::InvalidInput(_))
    ));
});

for_each_backend!(failed_sink_leaves_actions_pending, |store| {
    let actions = sample_actions("op1");
    let keys = keys(&actions);
    store.record_actions("plan1", &actions, 10, "ana").unwrap();
    let err = store
        .deliver(DeliveryScope::Keys(&keys), 10, "ana", &mut |_| {
            Err("webhook down".into())
        })
        .unwrap_err();
    assert!(err.to_string().contains("webhook down"), "{err}");
    assert_eq!(store.status_counts(&keys).unwrap().pending, 5);
    assert_eq!(store.audit_count("action.apply").unwrap(), 0);
    assert_eq!(deliver_keys(&mut store, &keys).len(), 5);
});

for_each_backend!(cases_and_verdicts, |store| {
    let case = NewCase {
        id: "op1".into(),
        kind: "like-farm".into(),
        details: json!({"accounts": 2}),
    };
    assert_eq!(
        store
            .open_cases(std::slice::from_ref(&case), "ana", "scan")
            .unwrap(),
        1
    );
    assert_eq!(store.open_cases(&[case], "ana", "scan").unwrap(), 0);
    let c = store.case("op1").unwrap().unwrap();
    assert_eq!((c.kind.as_str(), c.status.as_str()), ("like-farm", "open"));
    assert_eq!(c.details, json!({"accounts": 2}));

    let v = NewVerdict {
        account: "a1".into(),
        verdict: "fake".into(),
        score: 0.9,
        operation: "op1".into(),
        reasons: "lockstep;dense".into(),
    };
    assert_eq!(
        store
            .record_verdicts("p1", std::slice::from_ref(&v), "ana")
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .record_verdicts("p1", std::slice::from_ref(&v), "ana")
            .unwrap(),
        0
    );
    assert_eq!(store.verdicts("a1").unwrap(), vec![v]);
});

for_each_backend!(undo_one_action_and_a_case, |store| {
    let actions = sample_actions("op1");
    let keys = keys(&actions);
    store
        .open_cases(
            &[NewCase {
                id: "op1".into(),
                kind: "like-farm".into(),
                details: json!({}),
            }],
            "ana",
            "scan",
        )
        .unwrap();
    store.record_actions("plan1", &actions, 10, "ana").unwrap();
    deliver_keys(&mut store, &keys);

    let out = store
        .request_undo(&keys[1..2], "bo", "shared family phone")
        .unwrap();
    assert!(out[0].changed);
    assert_eq!(out[0].before, ActionStatus::Applied);
    // Asking again changes nothing.
    assert!(!store.request_undo(&keys[1..2], "bo", "again").unwrap()[0].changed);
    assert_eq!(deliver_all(&mut store), vec![format!("undo:{}", keys[1])]);
    let a = store.action(&keys[1]).unwrap().unwrap();
    assert_eq!(a.status, ActionStatus::Undone);
    assert_eq!(a.undo_reason.as_deref(), Some("shared family phone"));

    // Re-applying the plan does not revive an undone action.
    store.record_actions("plan1", &actions, 10, "ana").unwrap();
    assert!(deliver_keys(&mut store, &keys).is_empty());

    // Undo the whole case: the four live actions, and the ban is lifted.
    assert_eq!(store.bans(false).unwrap().len(), 1);
    let out = store.undo_case("op1", "bo", "wrong operation").unwrap();
    assert_eq!(out.iter().filter(|o| o.changed).count(), 4);
    assert_eq!(deliver_all(&mut store).len(), 4);
    assert_eq!(store.case("op1").unwrap().unwrap().status, "reversed");
    assert!(store.bans(false).unwrap().is_empty());
    assert!(store.bans(true).unwrap()[0].lifted_at.is_some());
    assert!(matches!(
        store.undo_case("nope", "bo", "x"),
        Err(Error::NotFound(_))
    ));
    assert!(store.audit_verify().unwrap().ok());
});

for_each_backend!(appeals_undo_the_accounts_actions, |store| {
    let actions = sample_actions("op1");
    let keys = keys(&actions);
    store.record_actions("plan1", &actions, 10, "ana").unwrap();
    deliver_keys(&mut store, &keys);

    let appeal = store
        .open_appeal("a1", "support", "I am a real person")
        .unwrap();
    assert_eq!(appeal.status, AppealStatus::Open);
    assert!(matches!(
        store.open_appeal("a1", "support", "again"),
        Err(Error::Conflict(_))
    ));
    let (decided, undone) = store
        .decide_appeal(appeal.id, true, "cy", "verified ID")
        .unwrap();
    assert_eq!(decided.status, AppealStatus::Granted);
    // a1's account action and its removed engagement, not a2's or the infrastructure.
    let mut got: Vec<&str> = undone.iter().map(|u| u.key.as_str()).collect();
    got.sort();
    let mut want = vec![keys[2].as_str(), keys[4].as_str()];
    want.sort();
    assert_eq!(got, want);
    let delivered = deliver_all(&mut store);
    assert_eq!(delivered.len(), 2);
    assert!(delivered.iter().all(|d| d.starts_with("undo:")));
    for a in store.actions_for_account("a1").unwrap() {
        assert_eq!(a.status, ActionStatus::Undone);
        assert!(a.undo_reason.unwrap().contains("verified ID"));
    }
    assert_eq!(
        store.action(&keys[3]).unwrap().unwrap().status,
        ActionStatus::Applied
    );
    assert!(matches!(
        store.decide_appeal(appeal.id, false, "cy", "changed my mind"),
        Err(Error::Conflict(_))
    ));

    // A denied appeal undoes nothing.
    let a2 = store.open_appeal("a2", "support", "please").unwrap();
    let (d, undone) = store
        .decide_appeal(a2.id, false, "cy", "farm account")
        .unwrap();
    assert_eq!(d.status, AppealStatus::Denied);
    assert!(undone.is_empty());
    assert!(deliver_all(&mut store).is_empty());
    assert!(matches!(
        store.decide_appeal(999, true, "cy", "x"),
        Err(Error::NotFound(_))
    ));
    assert_eq!(store.appeals(false).unwrap().len(), 2);
    assert!(store.appeals(true).unwrap().is_empty());
    let log = store.audit_for(&appeal.id.to_string()).unwrap();
    let steps: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(steps, ["appeal.open", "appeal.grant"]);
    assert_eq!(log[1].actor, "cy");
    assert_eq!(log[1].reason, "verified ID");
    assert!(store.audit_verify().unwrap().ok());
});

for_each_backend!(ban_records_fingerprints, |store| {
    let actions = sample_actions("op1");
    store.record_actions("plan1", &actions, 10, "ana").unwrap();
    deliver_keys(&mut store, &keys(&actions));
    let bans = store.bans(false).unwrap();
    assert_eq!(bans.len(), 1);
    let b = &bans[0];
    assert_eq!(b.operation, "op1");
    assert_eq!(b.kind, "like-farm");
    assert_eq!(b.devices, ["d1"]);
    assert_eq!(b.ip_ranges, ["10.0.0.0/24"]);
    assert_eq!(b.app_ids, ["fastlikes"]);
    assert_eq!(b.behaviour, json!({"signals": ["lockstep"]}));
    assert_eq!(b.banned_by, "test");
    // A payload without schema-2 fingerprints records empty ones.
    assert!(b.device_fingerprints.is_empty() && b.customers.is_empty());
    assert_eq!(b.profile, lockstep_findings::BanProfile::default());
});

for_each_backend!(ban_records_behaviour_fingerprints, |store| {
    let ban = NewAction::new(
        ActionKind::BanVendor,
        "op7",
        "op7",
        "like farm",
        json!({
            "kind": "like-farm", "devices": ["d1", "d2"], "ip_ranges": ["203.0.113.0/24"],
            "app_ids": [], "behaviour": {"signals": ["lockstep"]},
            "device_fingerprints": [
                {"fingerprint": "Pixel 7|14|google/panther|1080x2400", "devices": 2, "outside_devices": 0}
            ],
            "customers": ["c1", "c2"],
            "profile": {"hours": [0, 1, 2], "ip_ranges": [{"range": "203.0.113.0/24", "members": 9, "accounts": 9}],
                        "through_real_accounts": false},
        }),
    );
    store
        .record_actions("plan7", std::slice::from_ref(&ban), 10, "ana")
        .unwrap();
    deliver_keys(&mut store, std::slice::from_ref(&ban.key));
    let b = &store.bans(false).unwrap()[0];
    assert_eq!(b.devices, ["d1", "d2"]);
    assert_eq!(b.device_fingerprints.len(), 1);
    assert_eq!(b.device_fingerprints[0].outside_devices, 0);
    assert_eq!(b.customers, ["c1", "c2"]);
    assert_eq!(b.profile.hours, [0, 1, 2]);
    assert_eq!(b.profile.ip_ranges[0].members, 9);
    assert!(store.audit_verify().unwrap().ok());

    // A payload that is not a ban record is refused when the plan is recorded, before
    // anything is written, with the action named.
    let bad = NewAction::new(
        ActionKind::BanVendor,
        "op8",
        "op8",
        "like farm",
        json!({"kind": "like-farm", "customers": ["c1", 3]}),
    );
    let e = store
        .record_actions("plan8", std::slice::from_ref(&bad), 10, "ana")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&bad.key) && e.contains("not a ban record"),
        "{e}"
    );
    assert!(store.action(&bad.key).unwrap().is_none());
});

for_each_backend!(schema_1_store_upgrades_with_its_bans, |store, open| {
    // Take the store back to schema 1 (as an older build left it) with a ban in it.
    let actions = sample_actions("op1");
    store.record_actions("plan1", &actions, 10, "ana").unwrap();
    deliver_keys(&mut store, &keys(&actions));
    store
        .raw_execute(
            "ALTER TABLE bans DROP COLUMN device_fingerprints; \
             ALTER TABLE bans DROP COLUMN customers; ALTER TABLE bans DROP COLUMN profile; \
             DELETE FROM schema_version WHERE version > 1",
        )
        .unwrap();
    assert_eq!(store.schema_version().unwrap(), 1);
    drop(store);
    // Opening it migrates to the current schema; the old ban reads with empty fingerprints.
    let mut again = open();
    assert_eq!(again.schema_version().unwrap(), SCHEMA_VERSION);
    let b = &again.bans(false).unwrap()[0];
    assert_eq!((b.operation.as_str(), b.devices.len()), ("op1", 1));
    assert!(b.device_fingerprints.is_empty() && b.customers.is_empty());
    assert_eq!(b.profile, lockstep_findings::BanProfile::default());
    assert!(again.audit_verify().unwrap().ok());
});

for_each_backend!(concurrent_appliers_apply_each_action_once, |store, open| {
    // 200 actions, applied by four connections at once.
    let actions: Vec<NewAction> = (0..200)
        .map(|i| {
            NewAction::new(
                ActionKind::BlockDevice,
                format!("d{i}"),
                "op",
                "",
                json!({}),
            )
        })
        .collect();
    let keys = keys(&actions);
    drop(store);
    let seen: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    let open = Arc::new(Mutex::new(open));
    std::thread::scope(|s| {
        for w in 0..4 {
            let (actions, keys, seen) = (&actions, &keys, Arc::clone(&seen));
            let mut st = (open.lock().unwrap())();
            s.spawn(move || {
                let who = format!("worker{w}");
                st.record_actions("plan", actions, 7, &who).unwrap();
                st.deliver(DeliveryScope::Keys(keys), 7, &who, &mut |b| {
                    let mut seen = seen.lock().unwrap();
                    for d in b {
                        assert_eq!(d.op, DeliveryOp::Apply);
                        *seen.entry(d.id()).or_default() += 1;
                    }
                    Ok(())
                })
                .unwrap();
            });
        }
    });
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 200);
    assert!(seen.values().all(|&n| n == 1), "delivered twice: {seen:?}");
    let mut store = (open.lock().unwrap())();
    assert_eq!(store.status_counts(&keys).unwrap().applied, 200);
    assert_eq!(store.audit_count("action.record").unwrap(), 200);
    assert_eq!(store.audit_count("action.apply").unwrap(), 200);
    assert!(store.audit_verify().unwrap().ok());
});
