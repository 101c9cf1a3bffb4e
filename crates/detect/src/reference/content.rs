//! Reference template clusters: every pair of distinct texts compared by exact Jaccard
//! similarity, clusters by breadth-first search; the concentration step is shared.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::content::{
    ContentConfig, ContentStats, TemplateCluster, concentrated_clusters, jaccard, shingles,
    token_hashes,
};
use lockstep_core::EventLog;

/// The clusters of [`crate::content::content_clusters`], with every pair of distinct texts
/// compared (no MinHash, no LSH).
///
/// # Complexity
/// O(d²) Jaccard checks for d distinct texts.
pub fn content_clusters(log: &EventLog, cfg: &ContentConfig) -> Vec<TemplateCluster> {
    let mut comments = Vec::new();
    // Normalised text (as its token hashes) → events.
    let mut by_text: BTreeMap<Vec<u64>, Vec<u32>> = BTreeMap::new();
    let mut buf = Vec::new();
    for i in 0..log.len() {
        if !cfg.actions.contains(log.action()[i]) || log.text(i).is_empty() {
            continue;
        }
        comments.push(i as u32);
        if token_hashes(log.text(i), &mut buf) >= cfg.min_words {
            by_text.entry(buf.clone()).or_default().push(i as u32);
        }
    }
    let texts: Vec<(&Vec<u64>, &Vec<u32>)> = by_text.iter().collect();
    let sets: Vec<Vec<u64>> = texts.iter().map(|t| shingles(t.0)).collect();
    let n = texts.len();
    let mut adj: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    for a in 0..n {
        for b in a + 1..n {
            if jaccard(&sets[a], &sets[b]) >= cfg.min_jaccard {
                adj[a].insert(b);
                adj[b].insert(a);
            }
        }
    }
    let mut comp = vec![usize::MAX; n];
    let mut next = 0;
    for s in 0..n {
        if comp[s] != usize::MAX {
            continue;
        }
        let mut q = VecDeque::from([s]);
        comp[s] = next;
        while let Some(x) = q.pop_front() {
            for &y in &adj[x] {
                if comp[y] == usize::MAX {
                    comp[y] = next;
                    q.push_back(y);
                }
            }
        }
        next += 1;
    }
    let clustered: Vec<(u32, u32)> = texts
        .iter()
        .enumerate()
        .flat_map(|(t, x)| x.1.iter().map(move |&e| (e, t)))
        .map(|(e, t)| (e, comp[t] as u32))
        .collect();
    concentrated_clusters(
        log,
        &comments,
        clustered.into_iter(),
        cfg,
        &mut ContentStats::default(),
    )
}
