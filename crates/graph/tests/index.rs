//! `GraphIndex` and `Tensor` on random logs agree with naive maps.

use std::collections::BTreeMap;

use lockstep_core::{EventLog, EventLogBuilder, RawEvent};
use lockstep_graph::{
    ActionSet, Bipartite, GraphIndex, ModeKind, Tensor, TensorConfig, TimeIndexed,
};
use proptest::prelude::*;

const VERBS: [&str; 3] = ["like", "follow", "view"];

fn build(rows: &[(i64, u8, u8, u8, Option<u8>)]) -> EventLog {
    let mut b = EventLogBuilder::new();
    for (k, &(ts, a, verb, t, ip)) in rows.iter().enumerate() {
        let (actor, target) = (format!("a{a}"), format!("t{t}"));
        b.push(&RawEvent {
            id: None,
            ts,
            actor: &actor,
            action: VERBS[verb as usize % 3],
            target: &target,
            owner: None,
            text: None,
            ip: ip.map(|x| std::net::IpAddr::from([10, 0, 0, x])),
            device: None,
            client: None,
            line: k as u32 + 1,
        })
        .unwrap();
    }
    b.finish()
}

proptest! {
    #[test]
    fn index_matches_naive(
        rows in prop::collection::vec((0i64..50, 0u8..8, 0u8..3, 0u8..6, prop::option::of(0u8..3)), 0..80),
        only_likes in any::<bool>(),
    ) {
        let log = build(&rows);
        let actions = if only_likes { ActionSet::of(&[0]) } else { ActionSet::all() };
        let g = GraphIndex::build(&log, actions);
        let keep = |i: usize| actions.contains(log.action()[i]);
        // (account, target) -> events sorted by (ts, i)
        let mut edges: BTreeMap<(u32, u32), Vec<u32>> = BTreeMap::new();
        for i in (0..log.len()).filter(|&i| keep(i)) {
            edges.entry((log.actor()[i], log.target()[i])).or_default().push(i as u32);
        }
        for v in edges.values_mut() {
            v.sort_by_key(|&i| (log.ts()[i as usize], i));
        }
        prop_assert_eq!(g.num_edges(), edges.len());
        for (e, ((a, t), evs)) in edges.iter().enumerate() {
            prop_assert_eq!((g.edge_account(e), g.edge_target(e)), (*a, *t));
            prop_assert_eq!(g.edge_events(e), &evs[..]);
        }
        for a in 0..g.num_accounts() as u32 {
            let want: Vec<u32> = edges.keys().filter(|k| k.0 == a).map(|k| k.1).collect();
            prop_assert_eq!(g.account_targets(a), &want[..]);
            let mut evs: Vec<u32> = (0..log.len() as u32).filter(|&i| keep(i as usize) && log.actor()[i as usize] == a).collect();
            evs.sort_by_key(|&i| (log.ts()[i as usize], i));
            prop_assert_eq!(g.account_events(a), &evs[..]);
        }
        for t in 0..g.num_targets() as u32 {
            let want: Vec<u32> = edges.keys().filter(|k| k.1 == t).map(|k| k.0).collect();
            prop_assert_eq!(g.target_accounts(t), &want[..]);
            for &e in g.target_edges(t) {
                prop_assert_eq!(g.edge_target(e as usize), t);
            }
            let mut evs: Vec<u32> = (0..log.len() as u32).filter(|&i| keep(i as usize) && log.target()[i as usize] == t).collect();
            evs.sort_by_key(|&i| (log.ts()[i as usize], i));
            prop_assert_eq!(g.target_events(t), &evs[..]);
        }

        // The tensor's entries partition the kept events and count them.
        let cfg = TensorConfig { time_bucket_ms: 10, min_coverage: 0.0, ..TensorConfig::default() };
        let tensor = Tensor::build(&log, g.events(), &cfg);
        prop_assert_eq!(tensor.total_mass() as usize, g.num_events());
        let mut seen = Vec::new();
        for e in 0..tensor.num_entries() {
            prop_assert_eq!(tensor.count(e) as usize, tensor.entry_events(e).len());
            for &i in tensor.entry_events(e) {
                let i = i as usize;
                prop_assert_eq!(tensor.entry(e)[0], log.actor()[i]);
                prop_assert_eq!(tensor.entry(e)[1], log.target()[i]);
                prop_assert_eq!(tensor.bucket_start(tensor.entry(e)[2]), log.ts()[i].div_euclid(10) * 10);
                seen.push(i as u32);
            }
            for m in 0..tensor.num_modes() {
                prop_assert!(tensor.entries_with(m, tensor.entry(e)[m]).contains(&(e as u32)));
            }
        }
        seen.sort_unstable();
        let mut kept: Vec<u32> = g.events().to_vec();
        kept.sort_unstable();
        prop_assert_eq!(seen, kept);
        prop_assert!(tensor.mode_of(ModeKind::Device).is_some());
    }
}
