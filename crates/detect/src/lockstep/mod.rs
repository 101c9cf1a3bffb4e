//! Lockstep groups: accounts that engage the same targets inside the same time windows,
//! repeatedly (after CopyCatch, Beutel et al. WWW 2013, and SynchroTrap, Cao et al. CCS 2014).
//!
//! The detector is three data-parallel steps around a small sequential core:
//!
//! 1. *Partition by target, pair within buckets* ([`pair_table_indexed`]): each target's events
//!    are cut into time buckets on two grids offset by half a window, so two engagements less
//!    than half a window apart always share a bucket. Every pair of distinct eligible accounts
//!    in a bucket is a co-engagement; hot buckets are cut into time-ordered chunks and only
//!    neighbouring chunks pair, so a viral post costs O(n · chunk) instead of O(n²). A pair
//!    of events in the same bucket on both grids is one co-engagement: grid 1 only adds the
//!    pairs grid 0 did not make (without hot buckets, those across its two grid-0 buckets).
//! 2. *Exchange by first account, aggregate*: every eligible event is also listed under its
//!    account. Each account, independently of the others, walks its events' buckets and
//!    makes the co-engagements with larger accounts; each is counted on the spot against
//!    its second account (found through a table indexed by account; in a log of more than
//!    64 episodes, packed `u64` keys deduplicated per (pair, target) and one small sort of
//!    that account's keys instead), which gives each of its pairs the number of shared
//!    targets, of distinct episodes (coarse time slots) they were shared in, and its
//!    SynchroTrap-style Jaccard similarity. Only the rows that pass the thresholds are
//!    built; the full table never exists and nothing is sorted globally. The events by
//!    target and by account do not depend on the buckets: passes at several time scales
//!    over one index gather them once ([`LockstepEvents`]).
//! 3. *Cluster* (sequential): pairs above the thresholds form a graph; its k-core is split into
//!    connected components with union-find; each component is then described by the targets
//!    and events it acted on in lockstep.

mod cluster;
mod copycatch;
mod pairs;

use lockstep_graph::ActionSet;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::error::ensure_input;

pub use copycatch::{
    LockstepEvents, LockstepGroup, LockstepReport, lockstep_groups, lockstep_groups_indexed,
    lockstep_groups_shared,
};
pub use pairs::{PairStat, pair_table, pair_table_indexed};

/// How lockstep groups are found. See each field for its default and why.
#[derive(Debug, Clone, PartialEq)]
pub struct LockstepConfig {
    /// The actions that count as engagement. Default: like, follow, comment, share, review
    /// (reads are for the harvesting detectors).
    pub actions: ActionSet,
    /// Width of a time bucket (ms). Default 15 min: vendors deliver an order within minutes;
    /// with the half-shifted second grid, engagements up to 7.5 min apart always pair and up
    /// to 15 min apart may, which absorbs queueing jitter without pairing a whole evening.
    pub window_ms: i64,
    /// Width of an episode (ms), the coarse slot used to count *repeated* co-engagement.
    /// Default 6 h: a live broadcast (a few hours at most) touches at most two episodes.
    pub episode_ms: i64,
    /// A pair must share at least this many distinct targets in-window. Default 3: with
    /// orders using 30–60 % of a farm, two members share about a fifth of the orders, so
    /// 3 is reached after ~15 orders, while two organic accounts almost never do.
    pub min_shared_targets: u32,
    /// A pair's shared targets must fall in at least this many distinct episodes. Default 3,
    /// one more than a single live broadcast can span: fans co-engaging once never qualify.
    pub min_episodes: u32,
    /// A pair's Jaccard similarity (shared targets over the union of their targets) must be
    /// at least this. Default 0.05: low enough for farm accounts that pad their history with
    /// camouflage likes (their similarity is ~0.1), high enough to drop power users who meet
    /// everyone somewhere.
    pub min_jaccard: f64,
    /// A bucket with more events than this is hot: it is cut into chunks of half this size
    /// and only neighbouring chunks pair. Default 512 (at most ~131 000 pairs per bucket).
    /// Hot buckets are counted in [`LockstepStats::hot_buckets`].
    pub max_bucket: usize,
    /// k of the k-core: each member must be strongly paired with at least this many others of
    /// its group. Default 3: a farm member is strongly paired with dozens, a chance pair of
    /// organic accounts with one.
    pub min_degree: usize,
    /// The smallest group reported. Default 5.
    pub min_group_size: usize,
    /// A target belongs to a group when at least this many members engaged it in lockstep.
    /// Default 3.
    pub min_target_members: usize,
    /// … and at least this share of the group. Default 0.1: a delivery uses a sizeable part of
    /// the farm, a camouflage like on a viral post only a couple of members.
    pub min_target_share: f64,
    /// Two groups are linked (shards of one operation) when they share at least this share
    /// of the smaller one's targets. Default 0.5.
    pub link_min_share: f64,
}

impl Default for LockstepConfig {
    fn default() -> Self {
        Self {
            actions: ActionSet::engagement(),
            window_ms: 15 * 60_000,
            episode_ms: 6 * 3_600_000,
            min_shared_targets: 3,
            min_episodes: 3,
            min_jaccard: 0.05,
            max_bucket: 512,
            min_degree: 3,
            min_group_size: 5,
            min_target_members: 3,
            min_target_share: 0.1,
            link_min_share: 0.5,
        }
    }
}

impl LockstepConfig {
    /// Checks the values.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming the first bad field.
    pub fn validate(&self) -> Result<()> {
        ensure_input!(
            self.window_ms >= 2,
            "window_ms must be at least 2, got {}",
            self.window_ms
        );
        ensure_input!(
            self.episode_ms >= 1,
            "episode_ms must be positive, got {}",
            self.episode_ms
        );
        ensure_input!(
            self.max_bucket >= 2,
            "max_bucket must be at least 2, got {}",
            self.max_bucket
        );
        ensure_input!(
            self.min_shared_targets >= 1,
            "min_shared_targets must be at least 1"
        );
        ensure_input!(
            (0.0..=1.0).contains(&self.min_jaccard),
            "min_jaccard must be in [0, 1], got {}",
            self.min_jaccard
        );
        ensure_input!(
            (0.0..=1.0).contains(&self.min_target_share),
            "min_target_share must be in [0, 1], got {}",
            self.min_target_share
        );
        ensure_input!(
            self.min_group_size >= 2,
            "min_group_size must be at least 2"
        );
        Ok(())
    }

    /// The bucket of `ts` on grid `g` (0 or 1; grid 1 is shifted by half a window).
    #[inline]
    pub fn bucket(&self, ts: i64, g: usize) -> i64 {
        (ts - g as i64 * (self.window_ms / 2)).div_euclid(self.window_ms)
    }

    /// The times of bucket `b` on grid `g`: `start..end`, the times whose
    /// [`LockstepConfig::bucket`] is `b`.
    #[inline]
    pub fn bucket_bounds(&self, b: i64, g: usize) -> (i64, i64) {
        let start = b
            .saturating_mul(self.window_ms)
            .saturating_add(g as i64 * (self.window_ms / 2));
        (start, start.saturating_add(self.window_ms))
    }

    /// The first time of the episode of `ts`.
    #[inline]
    pub fn episode_start(&self, ts: i64) -> i64 {
        ts.div_euclid(self.episode_ms)
            .saturating_mul(self.episode_ms)
    }

    /// The episode of `ts`.
    #[inline]
    pub fn episode(&self, ts: i64) -> u32 {
        ts.div_euclid(self.episode_ms) as u32
    }

    /// Whether a pair passes the similarity thresholds.
    #[inline]
    pub fn is_strong(&self, p: &PairStat) -> bool {
        p.shared_targets >= self.min_shared_targets
            && p.episodes >= self.min_episodes
            && p.jaccard >= self.min_jaccard
    }

    /// How many lockstep members a target of a group of `n` needs.
    pub fn target_quorum(&self, n: usize) -> usize {
        self.min_target_members
            .max((self.min_target_share * n as f64).ceil() as usize)
            .max(2)
    }
}

/// Counters of one run: how much work each step did and what it left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockstepStats {
    /// Events in the index.
    pub events: usize,
    /// Accounts with at least `min_shared_targets` distinct targets (the others cannot form
    /// a strong pair and are skipped).
    pub eligible_accounts: usize,
    /// Non-empty (target, grid, bucket) buckets.
    pub buckets: usize,
    /// Buckets over `max_bucket` events, paired chunk-wise.
    pub hot_buckets: usize,
    /// Events in hot buckets.
    pub hot_bucket_events: usize,
    /// Co-engagement records before deduplication: one per pair of events paired in a
    /// bucket of grid 0, or of grid 1 when grid 0 did not already pair them.
    pub pair_records: usize,
    /// Distinct (pair, target) co-engagements.
    pub pair_targets: usize,
    /// The most distinct (pair, target) co-engagements of one first account (the buffer,
    /// 8 bytes each, that aggregating one account by sorting needs).
    pub max_account_records: usize,
    /// Distinct account pairs with a co-engagement.
    pub pairs: usize,
    /// Pairs above the thresholds.
    pub strong_pairs: usize,
    /// Accounts left in the k-core.
    pub core_accounts: usize,
    /// Groups reported.
    pub groups: usize,
}

impl LockstepStats {
    /// The counters by name, for a run's summary.
    pub fn counters(&self) -> Vec<(&'static str, u64)> {
        [
            ("events", self.events),
            ("eligible_accounts", self.eligible_accounts),
            ("buckets", self.buckets),
            ("hot_buckets", self.hot_buckets),
            ("hot_bucket_events", self.hot_bucket_events),
            ("pair_records", self.pair_records),
            ("pair_targets", self.pair_targets),
            ("max_account_records", self.max_account_records),
            ("pairs", self.pairs),
            ("strong_pairs", self.strong_pairs),
            ("core_accounts", self.core_accounts),
            ("groups", self.groups),
        ]
        .into_iter()
        .map(|(k, v)| (k, v as u64))
        .collect()
    }

    fn add(mut self, o: Self) -> Self {
        self.buckets += o.buckets;
        self.hot_buckets += o.hot_buckets;
        self.hot_bucket_events += o.hot_bucket_events;
        self.pair_records += o.pair_records;
        self
    }
}
