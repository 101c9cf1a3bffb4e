//! The template-comment detector of `lockstep-detect` run on its own over an import, its
//! clusters' events scored against the event labels (the YouTube evaluation).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use lockstep_detect::content::{ContentConfig, ContentStats, content_clusters};
use serde::Serialize;

use crate::dense::load_events;
use crate::error::{Result, invalid_input_err};
use crate::findings::TargetScore;
use crate::metrics::Prf;
use crate::out::TRUTH_EVENTS;

/// One template cluster and its labels.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterInfo {
    /// Distinct accounts.
    pub accounts: usize,
    /// Comments in it.
    pub events: usize,
    /// Of those, labelled positive.
    pub positive_events: usize,
    /// Targets with copies.
    pub targets: usize,
    /// Distinct texts.
    pub variants: usize,
}

/// What the template-comment detector finds in an import.
#[derive(Debug, Clone, Serialize)]
pub struct ContentEval {
    /// The detector's counters.
    pub stats: ContentStats,
    /// The clusters it reports.
    pub clusters: Vec<ClusterInfo>,
    /// The clusters' comments against the event labels, per target and over all.
    pub per_target: Vec<TargetScore>,
}

/// Runs [`content_clusters`] with its default config on an import's events and scores the
/// comments in its clusters against `truth_events.csv`.
///
/// # Errors
/// An import without events or event truth; a detector error.
pub fn evaluate(dir: &Path) -> Result<ContentEval> {
    let log = load_events(dir)?;
    let path = dir.join(TRUTH_EVENTS);
    let mut rdr = csv::Reader::from_path(&path)
        .map_err(|e| invalid_input_err!("{}: cannot read the event truth: {e}", path.display()))?;
    let mut truth: HashMap<String, bool> = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| invalid_input_err!("{}: {e}", path.display()))?;
        truth.insert(rec[0].to_owned(), &rec[1] == "1");
    }
    let report = content_clusters(&log, &ContentConfig::default())?;
    let mut flagged = vec![false; log.len()];
    let label = |i: usize| truth.get(log.event_id_string(i).as_ref()).copied();
    let mut clusters = Vec::new();
    for c in &report.clusters {
        for &e in &c.events {
            flagged[e as usize] = true;
        }
        clusters.push(ClusterInfo {
            accounts: c.accounts.len(),
            events: c.events.len(),
            positive_events: c
                .events
                .iter()
                .filter(|&&e| label(e as usize) == Some(true))
                .count(),
            targets: c.targets.len(),
            variants: c.variants,
        });
    }
    let mut by_target: BTreeMap<String, Vec<(bool, bool)>> = BTreeMap::new();
    for (i, &f) in flagged.iter().enumerate() {
        let Some(l) = label(i) else { continue };
        let target = log.targets.resolve(log.get(i).target).to_owned();
        by_target.entry(target).or_default().push((f, l));
    }
    let mut per_target = Vec::new();
    let mut all = Vec::new();
    for (target, pairs) in by_target {
        all.extend_from_slice(&pairs);
        per_target.push(score(target, &pairs));
    }
    per_target.push(score("all".into(), &all));
    Ok(ContentEval {
        stats: report.stats,
        clusters,
        per_target,
    })
}

fn score(target: String, pairs: &[(bool, bool)]) -> TargetScore {
    TargetScore {
        target,
        events: pairs.len() as u64,
        positives: pairs.iter().filter(|p| p.1).count() as u64,
        prf: Prf::from_pairs(pairs.iter().copied()),
    }
}
