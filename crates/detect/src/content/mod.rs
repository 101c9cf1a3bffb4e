//! Template comments: near-duplicate comments that many accounts post on the same owners'
//! posts (spun templates of comment farms), with the template recovered.
//!
//! The detector is data-parallel steps around small sequential cores:
//!
//! 1. *Normalise and deduplicate* (parallel per comment, then one sort): each comment's
//!    tokens (lower-case words, emoji as tokens, punctuation dropped) are hashed; comments with
//!    fewer than `min_words` words are left out (two words — "nice pic", "love this" — are
//!    what anyone writes); the rest are grouped by their normalised text.
//! 2. *MinHash and LSH*: each distinct text's set of words gets a MinHash
//!    signature; texts sharing a band bucket are candidate pairs, verified by exact Jaccard
//!    similarity; connected components of similar texts are the clusters (a spun template's
//!    variants differ one slot at a time and chain together).
//! 3. *Concentration* (one sort by cluster, owner, account): a cluster is a vendor's template
//!    on an owner when at least `min_accounts` distinct accounts posted it on that owner's
//!    posts, they are at least `min_owner_share` of all comments the owner received, and that
//!    share is at least `min_lift` times the cluster's share of all comments. Real
//!    people's stock phrases ("honestly the best football account on here") are written by
//!    many accounts, but they spread over the owners in proportion to how much each is
//!    commented on: no owner's comments are a tenth one phrase. A bought order puts dozens of
//!    copies under a modest account's post.
//! 4. A cluster is evidence when it is concentrated on at least `min_owners` owners and
//!    `min_targets` posts: a vendor serves several customers with the same templates.

mod lsh;
mod template;
mod text;

use lockstep_core::{EventLog, Id, NONE, action};
use lockstep_graph::ActionSet;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::error::ensure_input;
use crate::signal::{Aspects, Reason, Signal, distinct_of, human_ms};

pub(crate) use text::{jaccard, shingles, token_hashes, token_strings};

/// How template comments are found. See each field for its default and why.
#[derive(Debug, Clone, PartialEq)]
pub struct ContentConfig {
    /// The actions whose text is read. Default: comment and review.
    pub actions: ActionSet,
    /// Comments with fewer words are left out. Default 3: "nice pic", "love this", "so
    /// cool 🔥" are what real people write everywhere; a template needs room to vary.
    pub min_words: usize,
    /// Two texts are near-duplicates when the Jaccard similarity of their word sets is at
    /// least this. Default 0.5: two variants of a four-slot template that differ in one slot.
    pub min_jaccard: f64,
    /// LSH bands. Default 24.
    pub bands: usize,
    /// Signature values per band. Default 3: with 24 bands a pair at Jaccard 0.5 is a
    /// candidate with probability 0.96, at 0.7 with 0.99996.
    pub rows: usize,
    /// A band bucket with more texts is compared by sorted neighbourhood only. Default 64.
    pub max_bucket: usize,
    /// Distinct accounts that posted a cluster on one owner's posts. Default 5.
    pub min_accounts: usize,
    /// … and their comments' share of all comments the owner received. Default 0.1.
    pub min_owner_share: f64,
    /// … and that share must be at least this many times the cluster's share of all
    /// comments. Default 10: a phrase that is a large part of what everyone writes is
    /// language, not an order.
    pub min_lift: f64,
    /// Owners on which a cluster must be concentrated. Default 2: a vendor serves several
    /// customers with the same templates.
    pub min_owners: usize,
    /// Distinct posts of those owners with copies. Default 3.
    pub min_targets: usize,
}

impl Default for ContentConfig {
    fn default() -> Self {
        Self {
            actions: ActionSet::of(&[action::COMMENT, action::REVIEW]),
            min_words: 3,
            min_jaccard: 0.5,
            bands: 24,
            rows: 3,
            max_bucket: 64,
            min_accounts: 5,
            min_owner_share: 0.1,
            min_lift: 10.0,
            min_owners: 2,
            min_targets: 3,
        }
    }
}

impl ContentConfig {
    /// Checks the values.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming the first bad field.
    pub fn validate(&self) -> Result<()> {
        ensure_input!(
            (0.0..=1.0).contains(&self.min_jaccard) && self.min_jaccard > 0.0,
            "min_jaccard must be in (0, 1], got {}",
            self.min_jaccard
        );
        ensure_input!(
            self.bands >= 1 && self.rows >= 1,
            "bands and rows must be positive"
        );
        ensure_input!(self.max_bucket >= 2, "max_bucket must be at least 2");
        ensure_input!(
            (0.0..=1.0).contains(&self.min_owner_share),
            "min_owner_share must be in [0, 1], got {}",
            self.min_owner_share
        );
        ensure_input!(self.min_accounts >= 2, "min_accounts must be at least 2");
        Ok(())
    }
}

/// A template cluster: near-duplicate comments concentrated on a few owners' posts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateCluster {
    /// The accounts that posted it on the owners it is concentrated on, sorted.
    pub accounts: Vec<Id>,
    /// Their comments there, sorted by index.
    pub events: Vec<u32>,
    /// The posts, sorted.
    pub targets: Vec<Id>,
    /// The owners it is concentrated on, sorted.
    pub owners: Vec<Id>,
    /// Distinct normalised texts among the events.
    pub variants: usize,
    /// The recovered template, e.g. `{great|amazing} {post|pic} {🔥|}`.
    pub template: String,
    /// The mean, over its owners, of the cluster's share of the comments they received; the
    /// [`Signal::score`].
    pub score: f64,
    /// First and last event.
    pub span: (i64, i64),
}

impl TemplateCluster {
    /// This cluster as a [`Signal`] with reason [`Reason::ContentTemplate`].
    pub fn to_signal(&self, log: &EventLog) -> Signal {
        Signal {
            reason: Reason::ContentTemplate,
            accounts: self.accounts.clone(),
            events: self.events.clone(),
            score: self.score,
            aspects: Aspects {
                targets: self.targets.clone(),
                time: Some(self.span),
                ips: distinct_of(log.ip(), &self.events),
                devices: distinct_of(log.device(), &self.events),
                concentrated: Vec::new(),
            },
            summary: format!(
                "template \"{}\": {} accounts posted {} copies ({} variants) on {} posts of {} \
                 owners over {} ({:.0}% of the comments those owners received)",
                self.template,
                self.accounts.len(),
                self.events.len(),
                self.variants,
                self.targets.len(),
                self.owners.len(),
                human_ms(self.span.1 - self.span.0),
                100.0 * self.score,
            ),
        }
    }
}

/// Counters of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentStats {
    /// Events with text of the configured actions.
    pub comments: usize,
    /// Of those, long enough to compare.
    pub eligible: usize,
    /// Distinct normalised texts among them.
    pub distinct_texts: usize,
    /// Candidate pairs from the LSH buckets that were checked (summed over bands; a pair
    /// already in one cluster is not checked again).
    pub candidate_pairs: usize,
    /// Checked pairs that were near-duplicates (each joined two clusters).
    pub similar_pairs: usize,
    /// Band buckets compared by sorted neighbourhood only.
    pub hot_buckets: usize,
    /// Clusters of near-duplicates (connected components, singletons included).
    pub clusters: usize,
    /// Cluster × owner pairs passing the concentration test.
    pub concentrated: usize,
}

/// The template clusters found and the run's counters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContentReport {
    /// The clusters, most accounts first.
    pub clusters: Vec<TemplateCluster>,
    /// What each step did.
    pub stats: ContentStats,
}

impl ContentReport {
    /// The clusters as signals.
    pub fn signals(&self, log: &EventLog) -> Vec<Signal> {
        self.clusters.iter().map(|c| c.to_signal(log)).collect()
    }
}

/// The owner of event `i`: its `owner`, else its target (as an id in its own space, offset
/// past the accounts so the two never meet).
#[inline]
pub(crate) fn owner_key(log: &EventLog, i: usize) -> u64 {
    let o = log.owner()[i];
    if o != NONE {
        u64::from(o)
    } else {
        (1u64 << 32) | u64::from(log.target()[i])
    }
}

/// Finds template comment clusters.
///
/// # Arguments
/// * `log` — the event log (its text column is read).
/// * `cfg` — see [`ContentConfig`] for each default and why.
///
/// # Returns
/// The clusters (accounts, comments, posts, owners, recovered template) and counters.
///
/// # Complexity
/// O(c log c) for c comments (tokenising is linear in their text), O(d · b · r) for the
/// signatures of d distinct texts, O(b · d log d) for the bands and O(p) Jaccard checks of p
/// candidate pairs (bounded by `max_bucket` per bucket).
///
/// # Errors
/// [`crate::Error::InvalidInput`] for a bad config.
pub fn content_clusters(log: &EventLog, cfg: &ContentConfig) -> Result<ContentReport> {
    cfg.validate()?;
    let mut stats = ContentStats::default();
    let act = log.action();
    // 1. Normalise: (text key, event) for every eligible comment.
    let comment_events: Vec<u32> = (0..log.len() as u32)
        .into_par_iter()
        .with_min_len(1 << 14)
        .filter(|&i| cfg.actions.contains(act[i as usize]) && !log.text(i as usize).is_empty())
        .collect();
    stats.comments = comment_events.len();
    let mut keyed: Vec<(u64, u32)> = comment_events
        .par_iter()
        .with_min_len(1 << 12)
        .map_init(Vec::new, |buf, &i| {
            let words = token_hashes(log.text(i as usize), buf);
            if words < cfg.min_words {
                None
            } else {
                Some((text::text_key(buf), i))
            }
        })
        .flatten()
        .collect();
    stats.eligible = keyed.len();
    keyed.par_sort_unstable();
    // Distinct texts: the first event of each key is its representative.
    let mut text_of_event: Vec<(u32, u32)> = Vec::with_capacity(keyed.len()); // (event, text)
    let mut reps: Vec<u32> = Vec::new();
    for (k, &(key, e)) in keyed.iter().enumerate() {
        if k == 0 || keyed[k - 1].0 != key {
            reps.push(e);
        }
        text_of_event.push((e, reps.len() as u32 - 1));
    }
    drop(keyed);
    stats.distinct_texts = reps.len();
    let sets_vec: Vec<Vec<u64>> = reps
        .par_iter()
        .with_min_len(256)
        .map_init(Vec::new, |buf, &e| {
            token_hashes(log.text(e as usize), buf);
            shingles(buf)
        })
        .collect();
    let mut sets = lsh::ShingleSets::default();
    sets.off.push(0);
    for s in &sets_vec {
        sets.flat.extend_from_slice(s);
        sets.off.push(sets.flat.len() as u32);
    }
    drop(sets_vec);
    // 2. Near-duplicate pairs and clusters.
    let (comp, ls) = lsh::similar_components(&sets, cfg);
    stats.candidate_pairs = ls.candidate_pairs;
    stats.similar_pairs = ls.similar_pairs;
    stats.hot_buckets = ls.hot_buckets;
    stats.clusters = comp.iter().copied().max().map_or(0, |m| m as usize + 1);
    drop(sets);
    let clusters = concentrated_clusters(
        log,
        &comment_events,
        text_of_event.iter().map(|&(e, t)| (e, comp[t as usize])),
        cfg,
        &mut stats,
    );
    Ok(ContentReport { clusters, stats })
}

/// Step 3 and 4, shared with the reference: from `(event, cluster)` of every eligible comment
/// to the concentrated clusters. `comment_events` are all comments with text (their owners'
/// totals are the denominators).
pub(crate) fn concentrated_clusters(
    log: &EventLog,
    comment_events: &[u32],
    clustered: impl Iterator<Item = (u32, u32)>,
    cfg: &ContentConfig,
    stats: &mut ContentStats,
) -> Vec<TemplateCluster> {
    // Comments each owner received.
    let mut per_owner: Vec<u64> = comment_events
        .iter()
        .map(|&e| owner_key(log, e as usize))
        .collect();
    per_owner.par_sort_unstable();
    let received = |o: u64| {
        let lo = per_owner.partition_point(|&x| x < o);
        let hi = per_owner.partition_point(|&x| x <= o);
        hi - lo
    };
    let actor = log.actor();
    // (cluster, owner, account, event)
    let mut recs: Vec<(u32, u64, Id, u32)> = clustered
        .map(|(e, c)| (c, owner_key(log, e as usize), actor[e as usize], e))
        .collect();
    recs.par_sort_unstable();
    // Each cluster's share of all comments.
    let total = comment_events.len().max(1) as f64;
    let mut size: Vec<u32> = Vec::new();
    for r in &recs {
        let c = r.0 as usize;
        if size.len() <= c {
            size.resize(c + 1, 0);
        }
        size[c] += 1;
    }
    // Concentrated (cluster, owner) runs.
    let mut kept: Vec<(u32, u64, usize, usize, f64)> = Vec::new(); // cluster, owner, lo, hi, share
    let mut k = 0;
    while k < recs.len() {
        let mut end = k + 1;
        while end < recs.len() && (recs[end].0, recs[end].1) == (recs[k].0, recs[k].1) {
            end += 1;
        }
        let run = &recs[k..end];
        let accounts = 1 + run.windows(2).filter(|w| w[0].2 != w[1].2).count();
        if accounts >= cfg.min_accounts {
            let share = accounts as f64 / received(run[0].1).max(1) as f64;
            let base = f64::from(size[run[0].0 as usize]) / total;
            if share >= cfg.min_owner_share && share >= cfg.min_lift * base {
                kept.push((run[0].0, run[0].1, k, end, share));
            }
        }
        k = end;
    }
    stats.concentrated = kept.len();
    // Clusters with enough owners and posts.
    let mut out = Vec::new();
    let mut k = 0;
    while k < kept.len() {
        let mut end = k + 1;
        while end < kept.len() && kept[end].0 == kept[k].0 {
            end += 1;
        }
        let runs = &kept[k..end];
        k = end;
        if runs.len() < cfg.min_owners {
            continue;
        }
        let mut events: Vec<u32> = runs
            .iter()
            .flat_map(|r| recs[r.2..r.3].iter().map(|x| x.3))
            .collect();
        events.sort_unstable();
        let mut targets: Vec<Id> = events.iter().map(|&e| log.target()[e as usize]).collect();
        targets.sort_unstable();
        targets.dedup();
        if targets.len() < cfg.min_targets {
            continue;
        }
        let mut accounts: Vec<Id> = events.iter().map(|&e| actor[e as usize]).collect();
        accounts.sort_unstable();
        accounts.dedup();
        let mut owners: Vec<Id> = events
            .iter()
            .map(|&e| log.owner()[e as usize])
            .filter(|&o| o != NONE)
            .collect();
        owners.sort_unstable();
        owners.dedup();
        let ts = log.ts();
        let span = events.iter().fold((i64::MAX, i64::MIN), |s, &e| {
            (s.0.min(ts[e as usize]), s.1.max(ts[e as usize]))
        });
        // Variants: distinct token sequences with their copies.
        let mut texts: Vec<Vec<String>> = events
            .iter()
            .map(|&e| token_strings(log.text(e as usize)))
            .collect();
        texts.sort_unstable();
        let mut variants: Vec<(Vec<String>, usize)> = Vec::new();
        for t in texts {
            match variants.last_mut() {
                Some(v) if v.0 == t => v.1 += 1,
                _ => variants.push((t, 1)),
            }
        }
        let score = runs.iter().map(|r| r.4).sum::<f64>() / runs.len() as f64;
        out.push(TemplateCluster {
            accounts,
            events,
            targets,
            owners,
            variants: variants.len(),
            template: template::recover(&variants),
            score,
            span,
        });
    }
    out.sort_by(|a, b| {
        b.accounts
            .len()
            .cmp(&a.accounts.len())
            .then_with(|| a.events.cmp(&b.events))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use lockstep_core::{EventLogBuilder, RawEvent};
    use rand::rngs::SmallRng as StdRng;
    use rand::{Rng, SeedableRng};

    const SPUN: [&[&[&str]]; 3] = [
        &[
            &["So", "Super", "Really"],
            &["inspiring", "cool", "creative"],
            &["!", " ✨", ""],
            &[" Keep"],
            &[" it up", " going", " shining"],
        ],
        &[
            &["Nice", "Cool", "Great"],
            &[" work", " job", " vibes"],
            &["!", " 👏"],
            &[" Check", " Visit"],
            &[" my page", " my profile"],
            &[" too", " for more"],
        ],
        &[
            &["This", "Your post"],
            &[" made my day", " deserves more likes", " is everything"],
            &["!", " 😍", ""],
        ],
    ];
    const GENERIC: [&str; 6] = [
        "nice",
        "wow 🔥",
        "love this",
        "so cool!",
        "honestly the best football account on here",
        "years into football and this still amazes me",
    ];

    fn spin(rng: &mut StdRng, t: usize) -> String {
        SPUN[t]
            .iter()
            .map(|slot| slot[rng.random_range(0..slot.len())])
            .collect()
    }

    /// A seeded world: 200 organic accounts comment on 60 owners' posts (generic phrases,
    /// stock phrases and diverse texts); 30 farm accounts post spun templates in orders of
    /// 12 on 4 customers' posts.
    fn world(seed: u64) -> (EventLog, Vec<String>) {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut b = EventLogBuilder::new();
        let mut farm = Vec::new();
        let push =
            |b: &mut EventLogBuilder, ts: i64, actor: &str, post: &str, owner: &str, text: &str| {
                b.push(&RawEvent {
                    id: None,
                    ts,
                    actor,
                    action: "comment",
                    target: post,
                    owner: Some(owner),
                    text: Some(text),
                    ip: None,
                    device: None,
                    client: None,
                    line: 1,
                })
                .unwrap();
            };
        for k in 0..4000i64 {
            let a = format!("person{}", rng.random_range(0..200));
            let o = rng.random_range(0..60);
            let post = format!("post{o}-{}", rng.random_range(0..5));
            let text = if rng.random_bool(0.5) {
                GENERIC[rng.random_range(0..GENERIC.len())].to_string()
            } else {
                format!(
                    "the {} at the end is {} {}",
                    ["goal", "pass", "save", "run"][rng.random_range(0..4)],
                    ["wild", "clean", "unreal"][rng.random_range(0..3)],
                    rng.random_range(0..500)
                )
            };
            push(&mut b, k * 300_000, &a, &post, &format!("owner{o}"), &text);
        }
        for order in 0..16i64 {
            let c = order % 4;
            let post = format!("custpost{c}-{order}");
            for m in 0..12i64 {
                let a = format!("farm{}", rng.random_range(0..30));
                farm.push(a.clone());
                let t = rng.random_range(0..3);
                let text = spin(&mut rng, t);
                push(
                    &mut b,
                    order * 70_000_000 + m * 60_000,
                    &a,
                    &post,
                    &format!("customer{c}"),
                    &text,
                );
            }
        }
        farm.sort();
        farm.dedup();
        (b.finish(), farm)
    }

    #[test]
    fn planted_templates_found_generic_comments_not() {
        for seed in 0..4 {
            let (log, farm) = world(seed);
            let r = content_clusters(&log, &ContentConfig::default()).unwrap();
            assert!(!r.clusters.is_empty(), "seed {seed}: {:?}", r.stats);
            let mut found: Vec<String> = Vec::new();
            for c in &r.clusters {
                for &a in &c.accounts {
                    let name = log.accounts.resolve(a).to_string();
                    assert!(
                        name.starts_with("farm"),
                        "seed {seed}: organic {name} in {}",
                        c.template
                    );
                    found.push(name);
                }
                assert!(c.template.contains('{'), "{}", c.template);
            }
            found.sort();
            found.dedup();
            assert!(
                found.len() * 10 >= farm.len() * 9,
                "seed {seed}: {} of {}",
                found.len(),
                farm.len()
            );
            // The reference (all pairs, exact Jaccard) agrees.
            let reference =
                crate::reference::content::content_clusters(&log, &ContentConfig::default());
            assert_eq!(r.clusters, reference, "seed {seed}");
        }
    }

    #[test]
    fn template_of_a_cluster_is_recovered() {
        let (log, _) = world(7);
        let r = content_clusters(&log, &ContentConfig::default()).unwrap();
        let all: Vec<&str> = r.clusters.iter().map(|c| c.template.as_str()).collect();
        assert!(
            all.iter()
                .any(|t| t.contains("keep") && t.contains("{inspiring|") || t.contains("keep {")),
            "{all:?}"
        );
        let s = r.clusters[0].to_signal(&log);
        assert_eq!(s.reason.code(), "content-template");
        assert!(s.summary.contains(&r.clusters[0].template));
    }
}
