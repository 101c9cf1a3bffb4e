//! The audit chain: verification, and tamper detection (edit, rehashed edit, delete, reorder).

use lockstep_store::Store;
use lockstep_store::audit::{Break, GENESIS_HASH};
use serde_json::json;

/// Appends `n` entries through the store.
fn fill(store: &mut Store, n: usize) {
    for i in 0..n {
        store
            .audit_append("ana", "note", &format!("s{i}"), "why", &json!({"i": i}))
            .unwrap();
    }
}

fn broken(store: &mut Store) -> lockstep_store::BrokenLink {
    let r = store.audit_verify().unwrap();
    r.broken.expect("the tampering should be caught")
}

for_each_backend!(chain_links_each_entry_to_the_last, |store| {
    fill(&mut store, 6);
    let log = store.audit_tail(100).unwrap();
    assert_eq!(log.len(), 6);
    assert_eq!(log[0].prev_hash, GENESIS_HASH);
    for w in log.windows(2) {
        assert_eq!(w[1].prev_hash, w[0].hash);
        assert_eq!(w[1].seq, w[0].seq + 1);
    }
    let r = store.audit_verify().unwrap();
    assert!(r.ok());
    assert_eq!(r.entries, 6);
    assert_eq!(r.head, Some((6, log[5].hash.clone())));
});

for_each_backend!(edited_entry_is_caught, |store| {
    fill(&mut store, 6);
    store
        .raw_execute("UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 3")
        .unwrap();
    let b = broken(&mut store);
    assert_eq!(b.seq, 3);
    assert!(matches!(b.problem, Break::ContentChanged { .. }), "{b}");
    assert!(
        b.to_string().starts_with("entry 3: contents changed"),
        "{b}"
    );
});

for_each_backend!(edited_and_rehashed_entry_is_caught_at_the_next, |store| {
    fill(&mut store, 6);
    let mut e = store.audit_tail(100).unwrap().remove(2);
    let old_hash = e.hash.clone();
    e.actor = "mallory".into();
    e.hash = e.compute_hash();
    store
        .raw_execute(&format!(
            "UPDATE audit_log SET actor = 'mallory', hash = '{}' WHERE seq = 3",
            e.hash
        ))
        .unwrap();
    let b = broken(&mut store);
    assert_eq!(b.seq, 4);
    assert_eq!(
        b.problem,
        Break::PrevHashMismatch {
            expected: e.hash,
            found: old_hash
        }
    );
});

for_each_backend!(deleted_entry_is_caught, |store| {
    fill(&mut store, 6);
    store
        .raw_execute("DELETE FROM audit_log WHERE seq = 3")
        .unwrap();
    let b = broken(&mut store);
    assert_eq!(b.seq, 4);
    assert_eq!(
        b.problem,
        Break::SeqGap {
            expected: 3,
            found: 4
        }
    );
});

for_each_backend!(deleted_and_renumbered_entry_is_caught, |store| {
    fill(&mut store, 6);
    store
        .raw_execute(
            "DELETE FROM audit_log WHERE seq = 3; UPDATE audit_log SET seq = seq - 1 WHERE seq > 3",
        )
        .unwrap();
    let b = broken(&mut store);
    assert_eq!(b.seq, 3);
    assert!(matches!(b.problem, Break::ContentChanged { .. }), "{b}");
});

for_each_backend!(reordered_entries_are_caught, |store| {
    fill(&mut store, 6);
    store
        .raw_execute(
            "UPDATE audit_log SET seq = -3 WHERE seq = 3; \
             UPDATE audit_log SET seq = 3 WHERE seq = 5; \
             UPDATE audit_log SET seq = 5 WHERE seq = -3",
        )
        .unwrap();
    let b = broken(&mut store);
    assert_eq!(b.seq, 3);
    assert!(matches!(b.problem, Break::ContentChanged { .. }), "{b}");
});

for_each_backend!(truncated_tail_changes_the_head, |store| {
    fill(&mut store, 6);
    let head = store.audit_verify().unwrap().head.unwrap();
    store
        .raw_execute("DELETE FROM audit_log WHERE seq = 6")
        .unwrap();
    let r = store.audit_verify().unwrap();
    // The chain itself is intact; only a published head shows the loss.
    assert!(r.ok());
    assert_ne!(r.head.unwrap(), head);
});
