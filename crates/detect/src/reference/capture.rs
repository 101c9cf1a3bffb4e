//! Naive infrastructure capture: for every key, recount everything from the raw events with
//! ordered maps (same definitions as [`crate::capture`]).

use std::collections::{BTreeMap, BTreeSet};

use lockstep_core::{EventLog, Id, NONE, action};

use crate::capture::{CaptureConfig, KeyKind};
use crate::ranges::{network_key, network_name};

/// One capture: (kind, key name, members, captured targets, members' captured events).
pub type RefCapture = (KeyKind, String, Vec<Id>, Vec<Id>, Vec<u32>);

/// The captures of `log`, ordered like [`crate::capture::infrastructure_captures`].
pub fn captures(log: &EventLog, cfg: &CaptureConfig) -> Vec<RefCapture> {
    let mut out = Vec::new();
    let engagement: Vec<u32> = (0..log.len() as u32)
        .filter(|&e| log.action()[e as usize] != action::VIEW)
        .collect();
    let total = engagement.len();
    let mut on_target: BTreeMap<Id, usize> = BTreeMap::new();
    for &e in &engagement {
        *on_target.entry(log.target()[e as usize]).or_default() += 1;
    }
    for kind in [KeyKind::Client, KeyKind::Network] {
        if (kind == KeyKind::Client && !cfg.clients) || (kind == KeyKind::Network && !cfg.networks)
        {
            continue;
        }
        // Key name of each engagement event.
        let key_of = |e: u32| -> Option<String> {
            match kind {
                KeyKind::Client => Some(log.clients.resolve(log.client()[e as usize]).to_string()),
                KeyKind::Network => {
                    let ip = log.ip()[e as usize];
                    (ip != NONE).then(|| network_name(network_key(log.ips.resolve(ip))))
                }
            }
        };
        let mut by_key: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for &e in &engagement {
            if let Some(k) = key_of(e) {
                by_key.entry(k).or_default().push(e);
            }
        }
        let mut found = Vec::new();
        for (key, evs) in by_key {
            let share = evs.len() as f64 / total as f64;
            if evs.len() < cfg.min_co_accounts as usize || share * cfg.min_lift >= 1.0 {
                continue;
            }
            let need = cfg.min_capture.max(cfg.min_lift * share);
            // Per target: the key's events and distinct accounts.
            let mut per_t: BTreeMap<Id, (usize, BTreeSet<Id>)> = BTreeMap::new();
            for &e in &evs {
                let x = per_t.entry(log.target()[e as usize]).or_default();
                x.0 += 1;
                x.1.insert(log.actor()[e as usize]);
            }
            let captured: BTreeSet<Id> = per_t
                .iter()
                .filter(|(t, (n, accs))| {
                    accs.len() >= cfg.min_co_accounts as usize
                        && *n as f64 >= need * on_target[t] as f64
                })
                .map(|(t, _)| *t)
                .collect();
            if captured.is_empty() {
                continue;
            }
            let on: Vec<u32> = evs
                .iter()
                .copied()
                .filter(|&e| captured.contains(&log.target()[e as usize]))
                .collect();
            if (on.len() as f64) < cfg.min_concentration * evs.len() as f64 {
                continue;
            }
            let owners: BTreeSet<Id> = on.iter().map(|&e| log.owner()[e as usize]).collect();
            if owners.len() < cfg.min_owners as usize {
                continue;
            }
            let mut members = Vec::new();
            let mut events = Vec::new();
            let accounts: BTreeSet<Id> = evs.iter().map(|&e| log.actor()[e as usize]).collect();
            for a in accounts {
                let mine: Vec<u32> = evs
                    .iter()
                    .copied()
                    .filter(|&e| log.actor()[e as usize] == a)
                    .collect();
                let mine_on: Vec<u32> = mine.iter().copied().filter(|e| on.contains(e)).collect();
                if mine_on.len() >= cfg.min_account_events as usize
                    && mine_on.len() as f64 >= cfg.min_member_share * mine.len() as f64
                {
                    members.push(a);
                    events.extend(mine_on);
                }
            }
            if members.len() < cfg.min_co_accounts as usize {
                continue;
            }
            events.sort_unstable();
            found.push((kind, key, members, captured.into_iter().collect(), events));
        }
        found.sort_by(|a: &RefCapture, b: &RefCapture| {
            (std::cmp::Reverse(a.2.len()), &a.1).cmp(&(std::cmp::Reverse(b.2.len()), &b.1))
        });
        out.extend(found);
    }
    out
}
