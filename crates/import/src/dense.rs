//! Dense-block detection scored against account labels: Fraudar's peeling turned into a
//! score per account, and precision at k / ROC AUC of that score (the YelpChi evaluation).

use std::path::{Path, PathBuf};

use lockstep_core::EventLog;
use lockstep_detect::dense::fraudar::{FraudarConfig, edge_weights, fraudar_indexed, peel};
use lockstep_graph::{ActionSet, Bipartite, GraphIndex};
use lockstep_ingest::{IngestOptions, Inputs, RejectBudget, VecRejectSink};
use serde::Serialize;

use crate::accounts::read_truth;
use crate::error::{Result, invalid_input_err};
use crate::metrics::{average_precision, precision_at_k, roc_auc};
use crate::out::read_summary;

/// The k of the precision-at-k table.
pub const KS: [usize; 5] = [100, 500, 1000, 2000, 5000];

/// Peel cores: for each account, the largest weighted degree at which any node had been
/// removed when the account itself was removed in one greedy peeling (the weighted analogue
/// of the k-core number). Accounts removed late, inside dense parts of the graph, score high.
/// Symmetric accounts (say, two one-review users of the same product) score the same no
/// matter how the peeling broke the tie.
///
/// # Complexity
/// O(E log V) for the peeling, then O(E) to replay it.
pub fn peel_cores<G: Bipartite>(g: &G, cfg: &FraudarConfig) -> Vec<f64> {
    let na = g.num_accounts();
    let live = vec![true; g.num_edges()];
    let weights = edge_weights(g, &live, cfg);
    let p = peel(g, &weights);
    let mut prio = vec![0u64; na + g.num_targets()];
    for a in 0..na as u32 {
        for e in g.account_edges(a) {
            prio[a as usize] += weights[e];
            prio[na + g.edge_target(e) as usize] += weights[e];
        }
    }
    let mut alive = vec![true; prio.len()];
    let mut core = vec![0f64; na];
    let mut running = 0u64;
    for &v in &p.order {
        let vi = v as usize;
        running = running.max(prio[vi]);
        alive[vi] = false;
        if vi < na {
            core[vi] = running as f64;
            for e in g.account_edges(v) {
                let t = na + g.edge_target(e) as usize;
                if alive[t] {
                    prio[t] -= weights[e];
                }
            }
        } else {
            for &e in g.target_edges((vi - na) as u32) {
                let a = g.edge_account(e as usize) as usize;
                if alive[a] {
                    prio[a] -= weights[e as usize];
                }
            }
        }
    }
    let one = lockstep_detect::dense::fraudar::WEIGHT_ONE as f64;
    core.iter().map(|c| c / one).collect()
}

/// Block ranks: Fraudar run for `cfg.max_blocks` rounds; an account in the block of round
/// r scores `rounds - r`, an account in no block 0.
///
/// # Errors
/// A bad config.
pub fn block_scores<G: Bipartite>(
    g: &G,
    cfg: &FraudarConfig,
) -> Result<(Vec<f64>, Vec<BlockInfo>)> {
    let report = fraudar_indexed(g, cfg)?;
    let mut score = vec![0f64; g.num_accounts()];
    let n = cfg.max_blocks as f64;
    let mut info = Vec::new();
    for (i, b) in report.blocks.iter().enumerate() {
        for &a in &b.accounts {
            if score[a as usize] == 0.0 {
                score[a as usize] = n - i as f64;
            }
        }
        info.push(BlockInfo {
            round: b.round,
            accounts: b.accounts.len(),
            targets: b.targets.len(),
            density: b.density,
            positive_accounts: 0,
        });
    }
    Ok((score, info))
}

/// One Fraudar block and how many of its accounts the labels call positive.
#[derive(Debug, Clone, Serialize)]
pub struct BlockInfo {
    /// The round that found it.
    pub round: usize,
    /// Accounts in it.
    pub accounts: usize,
    /// Targets in it.
    pub targets: usize,
    /// Weighted edges per node.
    pub density: f64,
    /// Accounts in it labelled positive.
    pub positive_accounts: usize,
}

/// How one account score ranks the labelled accounts.
#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    /// The score's name.
    pub score: String,
    /// What it is.
    pub description: String,
    /// ROC AUC against the account labels.
    pub roc_auc: Option<f64>,
    /// Average precision.
    pub average_precision: Option<f64>,
    /// (k, precision at k), ties spread evenly.
    pub precision_at_k: Vec<(usize, Option<f64>)>,
    /// Precision at k = the number of positives (R-precision).
    pub r_precision: Option<f64>,
    /// Accounts with a score above the minimum (for block scores: in some block).
    pub scored_above_min: usize,
}

/// The dense-block evaluation of one import.
#[derive(Debug, Clone, Serialize)]
pub struct DenseReport {
    /// Accounts with an edge.
    pub accounts: usize,
    /// Of those, labelled positive.
    pub positives: usize,
    /// Targets.
    pub targets: usize,
    /// Distinct (account, target) edges.
    pub edges: usize,
    /// One entry per score.
    pub rankings: Vec<Ranking>,
    /// Accounts with at least two distinct targets.
    pub multi_target_accounts: usize,
    /// Of those, labelled positive.
    pub multi_target_positives: usize,
    /// The same scores ranked among accounts with at least two distinct targets only.
    pub multi_target_rankings: Vec<Ranking>,
    /// The blocks of the default-config Fraudar run (what `lockstep scan` would see).
    pub default_blocks: Vec<BlockInfo>,
    /// The blocks of the ranking run.
    pub ranking_blocks: Vec<BlockInfo>,
}

/// Loads an import directory's events.
///
/// # Errors
/// An import without events, or events that do not load.
pub fn load_events(dir: &Path) -> Result<EventLog> {
    let summary = read_summary(dir)?;
    let Some(ev) = summary.files.get("events") else {
        return Err(invalid_input_err!(
            "{}: this import has no events",
            dir.display()
        ));
    };
    let events: [PathBuf; 1] = [dir.join(ev)];
    let mut rejected = VecRejectSink::new();
    let opts = IngestOptions {
        max_rejected: RejectBudget::Count(0),
        ..IngestOptions::default()
    };
    Ok(lockstep_ingest::load(&Inputs::events(&events), &opts, &mut rejected)?.log)
}

fn ranking(name: &str, description: &str, scores: &[f64], labels: &[bool]) -> Ranking {
    let positives = labels.iter().filter(|&&l| l).count();
    let min = scores.iter().copied().fold(f64::INFINITY, f64::min);
    Ranking {
        score: name.into(),
        description: description.into(),
        roc_auc: roc_auc(scores, labels),
        average_precision: average_precision(scores, labels),
        precision_at_k: KS
            .iter()
            .map(|&k| (k, precision_at_k(scores, labels, k)))
            .collect(),
        r_precision: precision_at_k(scores, labels, positives),
        scored_above_min: scores.iter().filter(|&&s| s > min).count(),
    }
}

/// Runs the dense-block scores on an import's events and ranks its labelled accounts.
///
/// Scores (fixed in advance, none fitted to labels): the peel core under lockstep's default
/// weighting and under the paper's (column-only) weighting; the block rank of a 10-round
/// Fraudar run with no density floor under each weighting; and, for reference, the account's
/// number of distinct targets.
///
/// # Errors
/// As [`load_events`]; a missing truth.
pub fn evaluate(dir: &Path) -> Result<DenseReport> {
    let log = load_events(dir)?;
    let truth = read_truth(dir)?;
    let g = GraphIndex::build(&log, ActionSet::engagement());
    let na = g.num_accounts();
    let mut keep = Vec::new();
    let mut labels = Vec::new();
    for a in 0..na {
        if g.account_edges(a as u32).is_empty() {
            continue;
        }
        let id = log.accounts.resolve(a as u32);
        let Some(&l) = truth.get(id) else { continue };
        keep.push(a);
        labels.push(l);
    }
    let pick = |s: &[f64]| -> Vec<f64> { keep.iter().map(|&a| s[a]).collect() };
    let lockstep_cfg = FraudarConfig::default();
    let paper_cfg = FraudarConfig {
        row_weighting: false,
        ..FraudarConfig::default()
    };
    let ranking_cfg = |base: &FraudarConfig| FraudarConfig {
        max_blocks: 10,
        max_rounds: 10,
        min_density: 0.0,
        ..base.clone()
    };
    let (lockstep_blocks, mut lockstep_info) = block_scores(&g, &ranking_cfg(&lockstep_cfg))?;
    let (paper_blocks, _) = block_scores(&g, &ranking_cfg(&paper_cfg))?;
    let degree: Vec<f64> = (0..na)
        .map(|a| g.account_edges(a as u32).len() as f64)
        .collect();
    let scores: [(&str, &str, Vec<f64>); 5] = [
        (
            "peel-core (lockstep weights)",
            "largest weighted degree removed before the account, one greedy peeling, row and column weights",
            peel_cores(&g, &lockstep_cfg),
        ),
        (
            "peel-core (paper weights)",
            "as above with the paper's column-only weights 1/ln(deg+5)",
            peel_cores(&g, &paper_cfg),
        ),
        (
            "block rank (lockstep weights)",
            "10 Fraudar rounds without a density floor; block of round r scores 10-r, no block 0",
            lockstep_blocks,
        ),
        (
            "block rank (paper weights)",
            "as above with column-only weights",
            paper_blocks,
        ),
        (
            "distinct targets (reference)",
            "the account's number of distinct targets: no detector, a baseline",
            degree.clone(),
        ),
    ];
    let mut rankings = Vec::new();
    for (name, desc, s) in &scores {
        rankings.push(ranking(name, desc, &pick(s), &labels));
    }
    // The same scores among accounts with at least two distinct targets: one-target accounts
    // are most of many review graphs, and peeling cannot tell them apart.
    let multi: Vec<usize> = (0..keep.len())
        .filter(|&i| degree[keep[i]] >= 2.0)
        .collect();
    let multi_labels: Vec<bool> = multi.iter().map(|&i| labels[i]).collect();
    let mut multi_rankings = Vec::new();
    for (name, desc, s) in &scores {
        let sc: Vec<f64> = multi.iter().map(|&i| s[keep[i]]).collect();
        multi_rankings.push(ranking(name, desc, &sc, &multi_labels));
    }
    // Label counts of the ranking run's blocks.
    let report = fraudar_indexed(&g, &ranking_cfg(&lockstep_cfg))?;
    for (info, b) in lockstep_info.iter_mut().zip(&report.blocks) {
        info.positive_accounts = b
            .accounts
            .iter()
            .filter(|&&a| truth.get(log.accounts.resolve(a)).copied().unwrap_or(false))
            .count();
    }
    let default_report = fraudar_indexed(&g, &lockstep_cfg)?;
    let default_blocks = default_report
        .blocks
        .iter()
        .map(|b| BlockInfo {
            round: b.round,
            accounts: b.accounts.len(),
            targets: b.targets.len(),
            density: b.density,
            positive_accounts: b
                .accounts
                .iter()
                .filter(|&&a| truth.get(log.accounts.resolve(a)).copied().unwrap_or(false))
                .count(),
        })
        .collect();
    Ok(DenseReport {
        accounts: keep.len(),
        positives: labels.iter().filter(|&&l| l).count(),
        targets: g.num_targets(),
        edges: g.num_edges(),
        rankings,
        multi_target_accounts: multi.len(),
        multi_target_positives: multi_labels.iter().filter(|&&l| l).count(),
        multi_target_rankings: multi_rankings,
        default_blocks,
        ranking_blocks: lockstep_info,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lockstep_core::{EventLogBuilder, RawEvent};

    fn log(edges: &[(&str, &str)]) -> EventLog {
        let mut b = EventLogBuilder::new();
        for (i, (a, t)) in edges.iter().enumerate() {
            b.push(&RawEvent {
                id: None,
                ts: 0,
                actor: a,
                action: "review",
                target: t,
                owner: None,
                text: None,
                ip: None,
                device: None,
                client: None,
                line: i as u32 + 1,
            })
            .unwrap();
        }
        b.finish()
    }

    #[test]
    fn a_dense_block_outscores_the_fringe() {
        let mut edges = Vec::new();
        let (farm, items) = (["f1", "f2", "f3", "f4", "f5"], ["i1", "i2", "i3", "i4"]);
        for f in farm {
            for i in items {
                edges.push((f, i));
            }
        }
        for (k, u) in ["o1", "o2", "o3", "o4", "o5", "o6"].iter().enumerate() {
            edges.push((u, ["p1", "p2", "p3"][k % 3]));
        }
        let log = log(&edges);
        let g = GraphIndex::build(&log, ActionSet::engagement());
        let core = peel_cores(&g, &FraudarConfig::default());
        let id = |s: &str| log.accounts.get(s).unwrap() as usize;
        for f in farm {
            for o in ["o1", "o4", "o6"] {
                assert!(core[id(f)] > core[id(o)], "{f} vs {o}");
            }
        }
        // Symmetric fringe accounts tie exactly.
        assert_eq!(core[id("o1")], core[id("o4")]);
    }
}
