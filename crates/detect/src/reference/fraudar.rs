//! Reference Fraudar: the node to remove found by a linear scan, degrees recomputed by
//! scanning the edge list.

// Plain index loops read closest to the definitions the reference spells out.
#![allow(clippy::needless_range_loop)]

use lockstep_core::Id;
use lockstep_graph::Bipartite;

use crate::dense::fraudar::{
    DenseBlock, FraudarConfig, FraudarReport, Peel, WEIGHT_ONE, edge_weight,
};

/// [`crate::dense::fraudar::peel`] by linear scans: O(V² + V·E).
///
/// # Arguments
/// * `g` — the graph.
/// * `weights` — per-edge weight, 0 for a dead edge.
///
/// # Returns
/// The same [`Peel`] as the optimised version.
///
/// # Complexity
/// O(V² + V · E).
pub fn peel<G: Bipartite>(g: &G, weights: &[u64]) -> Peel {
    let na = g.num_accounts();
    let n = na + g.num_targets();
    let ends = |e: usize| (g.edge_account(e) as usize, na + g.edge_target(e) as usize);
    let mut prio = vec![0u64; n];
    for e in 0..g.num_edges() {
        let (a, t) = ends(e);
        prio[a] += weights[e];
        prio[t] += weights[e];
    }
    let mut alive: Vec<bool> = prio.iter().map(|&p| p > 0).collect();
    let start_mass: u64 = weights.iter().sum();
    let (mut mass, mut size) = (start_mass, alive.iter().filter(|&&a| a).count());
    let (mut best_mass, mut best_size, mut best_removed) = (mass, size, 0);
    let mut order = Vec::new();
    while let Some(v) = (0..n).filter(|&v| alive[v]).min_by_key(|&v| (prio[v], v)) {
        alive[v] = false;
        mass -= prio[v];
        size -= 1;
        order.push(v as u32);
        for e in 0..g.num_edges() {
            let (a, t) = ends(e);
            let other = if a == v {
                t
            } else if t == v {
                a
            } else {
                continue;
            };
            if alive[other] {
                prio[other] -= weights[e];
            }
        }
        if size > 0 && (mass as u128) * (best_size as u128) > (best_mass as u128) * (size as u128) {
            (best_mass, best_size, best_removed) = (mass, size, order.len());
        }
    }
    Peel {
        order,
        best_removed,
        best_mass,
        start_mass,
    }
}

/// [`crate::dense::fraudar::fraudar_indexed`] with the reference peel and weights counted
/// from the edge list.
///
/// # Arguments
/// * `g` — the graph.
/// * `cfg` — see [`FraudarConfig`].
///
/// # Returns
/// The same report as the optimised version.
///
/// # Complexity
/// O(rounds · (V² + V · E)).
pub fn fraudar<G: Bipartite>(g: &G, cfg: &FraudarConfig) -> FraudarReport {
    let na = g.num_accounts();
    let mut live = vec![true; g.num_edges()];
    let mut report = FraudarReport::default();
    report.stats.edges = g.num_edges();
    while report.blocks.len() < cfg.max_blocks && report.stats.rounds < cfg.max_rounds {
        let mut deg = vec![0usize; g.num_targets()];
        let mut adeg = vec![0usize; g.num_accounts()];
        for e in (0..g.num_edges()).filter(|&e| live[e]) {
            deg[g.edge_target(e) as usize] += 1;
            adeg[g.edge_account(e) as usize] += 1;
        }
        let weights: Vec<u64> = (0..g.num_edges())
            .map(|e| {
                let (a, t) = (g.edge_account(e) as usize, g.edge_target(e) as usize);
                if live[e] {
                    edge_weight(deg[t], adeg[a], cfg)
                } else {
                    0
                }
            })
            .collect();
        let p = peel(g, &weights);
        let round = report.stats.rounds;
        if round == 0 {
            report.stats.graph_density =
                p.start_mass as f64 / WEIGHT_ONE as f64 / p.order.len().max(1) as f64;
        }
        report.stats.rounds += 1;
        if p.order.is_empty() {
            break;
        }
        let block = &p.order[p.best_removed..];
        let density = p.best_mass as f64 / WEIGHT_ONE as f64 / block.len() as f64;
        let mut accounts: Vec<Id> = block
            .iter()
            .filter(|&&v| (v as usize) < na)
            .copied()
            .collect();
        let mut targets: Vec<Id> = block
            .iter()
            .filter(|&&v| (v as usize) >= na)
            .map(|&v| v - na as u32)
            .collect();
        accounts.sort_unstable();
        targets.sort_unstable();
        let (mut events, mut edges) = (Vec::new(), 0);
        for e in 0..g.num_edges() {
            if live[e]
                && accounts.binary_search(&g.edge_account(e)).is_ok()
                && targets.binary_search(&g.edge_target(e)).is_ok()
            {
                live[e] = false;
                edges += 1;
                events.extend_from_slice(g.edge_events(e));
            }
        }
        if density < cfg.min_density {
            break;
        }
        if accounts.len() >= cfg.min_accounts && targets.len() >= cfg.min_targets {
            events.sort_unstable();
            let lift = density / report.stats.graph_density.max(f64::MIN_POSITIVE);
            report.blocks.push(DenseBlock {
                accounts,
                targets,
                events,
                edges,
                density,
                lift,
                round,
            });
        }
    }
    report
}
