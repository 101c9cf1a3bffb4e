//! The [`Policy`]: every threshold the judge uses, with its default and why (docs/POLICY.md).

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The version of the default policy. Every output records the version of the policy it was
/// judged under; change it whenever a default changes.
pub const DEFAULT_POLICY_VERSION: &str = "2026-12-07.4";

/// Everything the judge decides with. Loaded from TOML; every table rejects unknown keys and
/// every key is optional (a policy file names only what it changes, plus its `version`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// A name for this policy, recorded in `summary.json` and `operations.json`.
    pub version: String,
    /// Which detectors run and their main knobs.
    pub detectors: Detectors,
    /// Verdict thresholds and the repetition guard.
    pub verdict: Verdict,
    /// Adding accounts to a lockstep group's operation by what they did inside its bursts.
    pub expansion: Expansion,
    /// When dense blocks count as evidence.
    pub dense: Dense,
    /// Harvesting (the harvest detector's config).
    pub harvest: Harvest,
    /// Follower pools (the pool detector's config; its evidence weighs `rates.weight` and
    /// joins as drips do).
    pub pools: lockstep_detect::pools::PoolConfig,
    /// Template comments (near-duplicates concentrated on a few owners' posts).
    pub content: Content,
    /// Engagement rates (evenly spaced drips).
    pub rates: Rates,
    /// Bursts: hours of a target's engagement far above its own day and its peers.
    pub bursts: Bursts,
    /// Address ranges judged against their own traffic.
    pub ranges: Ranges,
    /// Infrastructure that acts together (the capture detector's config; its evidence
    /// weighs `verdict.capture_weight`).
    pub capture: lockstep_detect::capture::CaptureConfig,
    /// Telling a real person's account that a vendor drives (`compromised`) from an account
    /// that exists only for the operation (`fake`).
    pub history: History,
    /// Device and trust evidence applied after the judge (see `Corroboration`).
    pub corroboration: crate::corroborate::Corroboration,
    /// Matching a scan's accounts against banned operations (`scan --bans`; `[bans]`).
    pub bans: crate::bans::BanConfig,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            version: DEFAULT_POLICY_VERSION.to_string(),
            detectors: Detectors::default(),
            verdict: Verdict::default(),
            expansion: Expansion::default(),
            dense: Dense::default(),
            harvest: Harvest::default(),
            pools: lockstep_detect::pools::PoolConfig::default(),
            content: Content::default(),
            rates: Rates::default(),
            bursts: Bursts::default(),
            ranges: Ranges::default(),
            capture: lockstep_detect::capture::CaptureConfig::default(),
            history: History::default(),
            corroboration: crate::corroborate::Corroboration::default(),
            bans: crate::bans::BanConfig::default(),
        }
    }
}

/// Which detectors run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Detectors {
    /// Lockstep groups (CopyCatch / SynchroTrap). Default true.
    pub lockstep: bool,
    /// Lockstep time bucket in minutes. Default 15 (see `LockstepConfig::window_ms`).
    pub lockstep_window_minutes: f64,
    /// A group of the slow pass must have *captured* targets of at least this many distinct
    /// owners. Default 3: a slow vendor delivers to many customers; a fan club or a niche
    /// community engages the posts of one creator or a few. (Not applied to the 15-minute
    /// pass: a vendor boosting every post of one customer is a vendor too, and there the
    /// accounts' own history tells fans from a farm.)
    pub slow_min_owners: u32,
    /// A group captured a target when its members are at least this share of the accounts
    /// that engaged it. Default 0.2: an order is a large part of a small customer's
    /// audience, while a crowd's share of a viral post it happened to like is a few percent.
    pub slow_min_capture: f64,
    /// A second lockstep pass over all engagement at the scale of a slow delivery (an order
    /// spread over hours). Its groups seed operations only for accounts no earlier pass
    /// placed. Default true (since `2026-12-07.4`; docs/BENCHMARKS.md has its cost).
    pub slow_lockstep: bool,
    /// Its time bucket in hours. Default 4.
    pub slow_window_hours: f64,
    /// Its hot-bucket size (see `LockstepConfig::max_bucket`). Default 128: a four-hour bucket
    /// of a busy target is cut into time-ordered chunks of 64 and only neighbouring chunks
    /// pair, so each engagement pairs with the hundred or so around it in time — a window
    /// that narrows as the target gets busier.
    pub slow_max_bucket: u32,
    /// Lockstep groups of follows at day scale (drip-fed followers: the same accounts follow
    /// the same accounts on the same days, order after order). Default true.
    pub follow_lockstep: bool,
    /// Its time bucket in hours. Default 24.
    pub follow_window_hours: f64,
    /// A pair must share this many followed accounts, each on a different day. Default 5.
    pub follow_min_shared: u32,
    /// Fraudar dense account × target blocks. Default false: the judge uses dense blocks only
    /// to corroborate operations the lockstep and read-rate evidence already seeded, and on the
    /// measured worlds they changed no verdict (docs/QUALITY.md) while costing a quarter of a
    /// scan's time and memory. Turn on to list them among an operation's signals.
    pub fraudar: bool,
    /// M-Zoom dense account × target × time × IP × device blocks. Default false, as Fraudar.
    pub mzoom: bool,
    /// Harvesting. Default true.
    pub harvest: bool,
    /// Template comments. Default true.
    pub content: bool,
    /// Evenly spaced drips of follows. Default true.
    pub rates: bool,
    /// Bursts against a target's own rate and its peers. Default true; they never flag an
    /// account, they mark the flagged work that fell inside one (docs/POLICY.md).
    pub bursts: bool,
    /// Address ranges of fresh accounts engaging what nobody else engages. Default true.
    pub ranges: bool,
    /// Follower pools (accounts whose follows go to customers that share their followers).
    /// Default true.
    pub pools: bool,
    /// Infrastructure that acts together (a client or address range that captured several
    /// owners' targets). Default true.
    pub capture: bool,
}

impl Default for Detectors {
    fn default() -> Self {
        Self {
            lockstep: true,
            lockstep_window_minutes: 15.0,
            slow_min_owners: 3,
            slow_min_capture: 0.2,
            slow_lockstep: true,
            slow_window_hours: 4.0,
            slow_max_bucket: 128,
            follow_lockstep: true,
            follow_window_hours: 24.0,
            follow_min_shared: 5,
            fraudar: false,
            mzoom: false,
            harvest: true,
            content: true,
            rates: true,
            bursts: true,
            pools: true,
            ranges: true,
            capture: true,
        }
    }
}

/// Verdict thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Verdict {
    /// An account whose fused score reaches this is `fake` or `compromised`. Default 0.8.
    pub flag_score: f64,
    /// An account whose fused score reaches this (but not `flag_score`) is `suspicious`.
    /// Default 0.5.
    pub suspicious_score: f64,
    /// The repetition guard: an account is flagged only when its operation events touch at
    /// least this many distinct targets… Default 3: one viral post or one live broadcast is
    /// one or two targets, an operation's worker serves many orders.
    pub min_targets: u32,
    /// … on at least this many distinct UTC days. Default 2: fans of one live event or one
    /// viral evening act on one day.
    pub min_days: u32,
    /// Evidence weight of a lockstep group membership (its pairs already passed the shared
    /// targets, episodes and k-core tests). Default 0.95.
    pub lockstep_weight: f64,
    /// A lockstep group is *tight* when the median time from its first to its last event on
    /// a target is at most this many hours (a delivery takes minutes to hours). Default 12.
    pub tight_burst_hours: f64,
    /// Evidence weight of a loose lockstep group (co-engagement spread over days, e.g. a
    /// day-scale follow group): alone it makes an account `suspicious`; it needs
    /// infrastructure corroboration to flag. Default 0.6.
    pub loose_lockstep_weight: f64,
    /// Evidence weight of machine-rate reads. Default 0.95.
    pub harvest_weight: f64,
    /// Evidence weight added when an account below `flag_score` did its operation work
    /// through the operation's own infrastructure (third-party clients, IPs or devices that
    /// several members used) on at least `min_targets` targets and `min_days` days.
    /// Default 0.7.
    pub infrastructure_weight: f64,
    /// Evidence weight of working through infrastructure that acts together (a client or an
    /// address range that captured several owners' targets while carrying little of the
    /// platform's traffic; `[capture]`). Default 0.9: it flags on its own, under the
    /// repetition guard — most of several owners' engagement through one piece of
    /// infrastructure few others use is what a vendor's delivery is.
    pub capture_weight: f64,
    /// Such a capture joins the operation that at least this share of its accounts already in
    /// an operation belong to (at least three); otherwise it opens its own. Default 0.5.
    pub capture_join_share: f64,
    /// A tight lockstep group must have engaged the targets of at least this many owners to
    /// weigh `lockstep_weight`; otherwise it weighs `loose_lockstep_weight`. Default 2: a
    /// group that only ever engaged one creator's posts together is as often that creator's
    /// audience (a fan club's streaming parties) as a vendor's single customer, and only the
    /// operation's own infrastructure tells them apart.
    pub min_group_owners: u32,
}

impl Default for Verdict {
    fn default() -> Self {
        Self {
            flag_score: 0.8,
            suspicious_score: 0.5,
            min_targets: 3,
            min_days: 2,
            lockstep_weight: 0.95,
            tight_burst_hours: 12.0,
            loose_lockstep_weight: 0.6,
            harvest_weight: 0.95,
            infrastructure_weight: 0.7,
            min_group_owners: 2,
            capture_weight: 0.9,
            capture_join_share: 0.5,
        }
    }
}

/// Expansion of a lockstep group (CopyCatch's own membership rule): an account that engaged
/// several of the group's targets inside the group's delivery bursts, on several days, and
/// spends a large share of its engagement there, worked for the same operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Expansion {
    /// Run it. Default true.
    pub enabled: bool,
    /// Minutes added on both sides of a burst. Default 10.
    pub slack_minutes: f64,
    /// Two of the group's events on a target more than this many minutes apart start a new
    /// burst (a second order for the same post). Default 120.
    pub burst_gap_minutes: f64,
    /// Distinct group targets engaged inside bursts. Default 3.
    pub min_targets: u32,
    /// Distinct days of those engagements. Default 2.
    pub min_days: u32,
    /// Share of the account's own engagement that falls inside the group's bursts.
    /// Default 0.25: a farm worker's camouflage is at most a few likes per paid one, while a
    /// real fan of a boosted creator spends most of their activity elsewhere.
    pub min_share: f64,
    /// Evidence weight when all rules pass. Default 0.6: alone it makes an account
    /// `suspicious` (a low-activity fan of a boosted creator can pass the share rule); it
    /// flags only with infrastructure corroboration (`verdict.infrastructure_weight`).
    pub weight: f64,
    /// Evidence weight when the targets and days rules pass but not the share rule (a real
    /// fan of a boosted creator can get there): review only. Default 0.5.
    pub weak_weight: f64,
}

impl Default for Expansion {
    fn default() -> Self {
        Self {
            enabled: true,
            slack_minutes: 10.0,
            burst_gap_minutes: 120.0,
            min_targets: 3,
            min_days: 2,
            min_share: 0.25,
            weight: 0.6,
            weak_weight: 0.5,
        }
    }
}

/// Dense blocks as evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Dense {
    /// A dense block is *corroborated* when at least this share of its accounts are already
    /// members of lockstep groups or harvesters. Default 0.5. Uncorroborated blocks
    /// (a viral post's likers are a dense block too) are never evidence on their own.
    pub corroboration: f64,
    /// In a corroborated block, a member whose block events are at least this share of its
    /// own engagement gets `weight`; other members get `weak_weight`. Default 0.5.
    pub min_share: f64,
    /// Default 0.85.
    pub weight: f64,
    /// Default 0.3 (below `suspicious_score` alone).
    pub weak_weight: f64,
}

impl Default for Dense {
    fn default() -> Self {
        Self {
            corroboration: 0.5,
            min_share: 0.5,
            weight: 0.85,
            weak_weight: 0.3,
        }
    }
}

/// Harvesting: reads far beyond the log's own heaviest readers in a shape no person keeps, and
/// reads through vendors' reading devices. The detector's own config: every field, its default
/// and why are in [`lockstep_detect::harvest::HarvestConfig`] and docs/POLICY.md.
pub type Harvest = lockstep_detect::harvest::HarvestConfig;

/// Template comments: near-duplicate comments (MinHash over word sets, LSH) that many
/// accounts post on a few owners' posts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Content {
    /// Comments with fewer words are not evidence. Default 3: "nice pic", "love this" are
    /// what anyone writes.
    pub min_words: u32,
    /// Two comments are near-duplicates at this Jaccard similarity of their words.
    /// Default 0.5: variants of a spun template that differ in one slot.
    pub min_jaccard: f64,
    /// Distinct accounts that posted a cluster under one owner's posts. Default 5.
    pub min_accounts: u32,
    /// … and their share of all comments that owner received. Default 0.1: real people's
    /// stock phrases spread over owners as comments do; no owner's comments are a tenth one
    /// phrase unless it was ordered.
    pub min_owner_share: f64,
    /// … and at least this many times the cluster's share of all comments. Default 10: a
    /// phrase that is a large part of what everyone writes is language, not an order.
    pub min_lift: f64,
    /// Owners the cluster is concentrated on. Default 2: a vendor serves several customers.
    pub min_owners: u32,
    /// Posts of those owners with copies. Default 3.
    pub min_targets: u32,
    /// Evidence weight of posting a vendor's template. Default 0.9.
    pub weight: f64,
    /// A cluster joins the operation that at least this share of its accounts already in an
    /// operation belong to (and at least three); otherwise it seeds an operation of its own.
    /// Default 0.5.
    pub join_share: f64,
}

impl Default for Content {
    fn default() -> Self {
        Self {
            min_words: 3,
            min_jaccard: 0.5,
            min_accounts: 5,
            min_owner_share: 0.1,
            min_lift: 10.0,
            min_owners: 2,
            min_targets: 3,
            weight: 0.9,
            join_share: 0.5,
        }
    }
}

/// Engagement rates: a target's follows arriving at a steady cadence, day and night, for days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rates {
    /// Gaps around each gap whose median is the local cadence. Default 24.
    pub window: u32,
    /// A gap is regular within this share of the local cadence. Default 0.5.
    pub tolerance: f64,
    /// Share of regular gaps around a gap for it to be part of a drip. Default 0.7: arrivals
    /// at random give about 0.35.
    pub min_regular_share: f64,
    /// Events in a drip. Default 48.
    pub min_events: u32,
    /// Length of a drip in hours. Default 24.
    pub min_span_hours: f64,
    /// Distinct UTC hours of the day with drip events. Default 20: audiences sleep.
    pub min_hours_of_day: u32,
    /// Evidence weight of being one of a drip's accounts. Default 0.9.
    pub weight: f64,
    /// A drip joins the operation that at least this share of its accounts already in an
    /// operation belong to (an earlier drip of the same vendor, a lockstep group; at least
    /// three); otherwise it seeds its own. Default 0.5.
    pub join_share: f64,
}

impl Default for Rates {
    fn default() -> Self {
        Self {
            window: 24,
            tolerance: 0.5,
            min_regular_share: 0.7,
            min_events: 48,
            min_span_hours: 24.0,
            min_hours_of_day: 20,
            weight: 0.9,
            join_share: 0.5,
        }
    }
}

/// Bursts: an hour of a target's engagement of one action far above its own rate in the day
/// around it and above its owner's other targets' busiest hours. A burst says when, not who
/// (a viral post bursts too), so it is never evidence against an account: flagged work inside
/// a burst carries `rate-anomaly` as well, and the burst is listed with the operation whose
/// work it mostly is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Bursts {
    /// Length of a window in minutes. Default 60.
    pub window_minutes: f64,
    /// Context on each side of a window that gives the target's own rate, in hours. Default
    /// 12.
    pub context_hours: f64,
    /// Events in a burst window. Default 20.
    pub min_events: u32,
    /// A burst window holds this many times the target's own rate. Default 5.
    pub min_ratio: f64,
    /// … and this many times the median busiest window of the owner's other targets.
    /// Default 2.
    pub min_peer_ratio: f64,
    /// Standard deviations taken off a window's count before the ratios (Poisson counts).
    /// Default 3.09 (99.9 % one-sided).
    pub z: f64,
    /// A burst is listed with the operation whose flagged events make up at least this share
    /// of it; that operation's events inside it carry `rate-anomaly`. Default 0.5.
    pub attach_share: f64,
    /// Delivery pools (evidence): accounts inside several bursts of different owners whose
    /// crowds are mostly such accounts. Default true.
    pub crowds: bool,
    /// Bursts, and distinct owners of their targets, an account must be inside to be a
    /// regular (and crowd bursts to be a pool member). Default 3 each.
    pub crowd_min_bursts: u32,
    /// See `crowd_min_bursts`. Default 3.
    pub crowd_min_owners: u32,
    /// Share of a burst's accounts that are regulars for it to be a crowd burst. Default 0.5.
    pub crowd_min_share: f64,
    /// Members of a pool for it to be evidence. Default 5.
    pub crowd_min_accounts: u32,
    /// Evidence weight of being a pool member. Default 0.9: flags with the repetition guard.
    pub crowd_weight: f64,
    /// A delivery's crowd joins the operation that at least this share of its accounts
    /// already in an operation belong to (at least `crowd_join_min` of them), and its other
    /// members become that operation's; otherwise it seeds its own. Default 0.5.
    pub crowd_join_share: f64,
    /// Default 1: a delivery samples a few of a large pool's accounts (two given deliveries
    /// of a 17 000-account pool share two or three), so one member already placed is the
    /// link; the share rule decides between operations.
    pub crowd_join_min: u32,
}

impl Default for Bursts {
    fn default() -> Self {
        let d = lockstep_detect::bursts::BurstConfig::default();
        Self {
            window_minutes: d.window_ms as f64 / 60_000.0,
            context_hours: d.context_ms as f64 / 3_600_000.0,
            min_events: d.min_events as u32,
            min_ratio: d.min_ratio,
            min_peer_ratio: d.min_peer_ratio,
            z: d.z,
            attach_share: 0.5,
            crowds: true,
            crowd_min_bursts: 3,
            crowd_min_owners: 3,
            crowd_min_share: 0.5,
            crowd_min_accounts: 5,
            crowd_weight: 0.9,
            crowd_join_share: 0.5,
            crowd_join_min: 1,
        }
    }
}

impl Bursts {
    /// The detector's config.
    pub fn config(&self) -> lockstep_detect::bursts::BurstConfig {
        lockstep_detect::bursts::BurstConfig {
            window_ms: (self.window_minutes * 60_000.0) as i64,
            context_ms: (self.context_hours * 3_600_000.0) as i64,
            min_events: self.min_events as usize,
            min_ratio: self.min_ratio,
            min_peer_ratio: self.min_peer_ratio,
            z: self.z,
            ..lockstep_detect::bursts::BurstConfig::default()
        }
    }

    /// Checks the values, naming the policy key of the first bad one.
    ///
    /// # Errors
    /// [`Error::InvalidInput`].
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::InvalidInput(format!("bursts.{m}")));
        if !(self.window_minutes * 60_000.0 >= 1.0 && self.window_minutes.is_finite()) {
            return bad("window_minutes must be a positive number of minutes");
        }
        if !(self.context_hours * 3_600_000.0 >= 1.0 && self.context_hours.is_finite()) {
            return bad("context_hours must be a positive number of hours");
        }
        if self.min_events < 2 {
            return bad("min_events must be at least 2");
        }
        if !(self.min_ratio >= 1.0 && self.min_ratio.is_finite()) {
            return bad("min_ratio must be at least 1");
        }
        if !(self.min_peer_ratio >= 0.0 && self.min_peer_ratio.is_finite()) {
            return bad("min_peer_ratio must be non-negative");
        }
        if !(self.z >= 0.0 && self.z.is_finite()) {
            return bad("z must be non-negative");
        }
        if self.crowd_min_bursts < 2 || self.crowd_min_owners < 2 {
            return bad("crowd_min_bursts and crowd_min_owners must be at least 2");
        }
        if !(self.crowd_min_share > 0.0 && self.crowd_min_share <= 1.0) {
            return bad("crowd_min_share must be in (0, 1]");
        }
        if self.crowd_min_accounts < 2 {
            return bad("crowd_min_accounts must be at least 2");
        }
        if self.crowd_join_min < 1 {
            return bad("crowd_join_min must be at least 1");
        }
        Ok(())
    }

    /// The delivery-pool config.
    pub fn crowd_config(&self) -> lockstep_detect::bursts::CrowdConfig {
        lockstep_detect::bursts::CrowdConfig {
            min_bursts: self.crowd_min_bursts as usize,
            min_owners: self.crowd_min_owners as usize,
            min_crowd_share: self.crowd_min_share,
            min_accounts: self.crowd_min_accounts as usize,
        }
    }
}

/// Address ranges (IPv4 /24, IPv6 /48) judged against their own traffic: mostly fresh accounts
/// whose engagement goes mostly to targets that the rest of the platform hardly engages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Ranges {
    /// Accounts that engaged from the range. Default 20.
    pub min_accounts: u32,
    /// An account is fresh when created at most this many days before its first engagement
    /// (needs `created_at` in the accounts file). Default 30.
    pub fresh_days: f64,
    /// Share of the range's accounts that are fresh. Default 0.5: a carrier's NAT range is
    /// mostly people who have had their accounts for years.
    pub min_fresh_share: f64,
    /// Accounts of the range that engaged a target for it to count as a co-target. Default 5.
    pub min_co_accounts: u32,
    /// … at least this many times the share of all active accounts that engaged it. Default
    /// 20: a viral post is engaged by a range's people about as often as by everyone else.
    pub min_lift: f64,
    /// Share of the range's engagement on co-targets. Default 0.5.
    pub min_concentration: f64,
    /// Co-target events from the range for an account to be in the signal. Default 2.
    pub min_account_events: u32,
    /// Evidence weight of being one of such a range's fresh accounts. Default 0.6: alone it
    /// makes an account `suspicious`; with any other evidence (a lockstep group, a template,
    /// a drip, the operation's infrastructure) it flags.
    pub weight: f64,
    /// A range joins the operation that at least this share of its accounts already in an
    /// operation belong to (at least three); otherwise it seeds its own. Default 0.5.
    pub join_share: f64,
}

impl Default for Ranges {
    fn default() -> Self {
        Self {
            min_accounts: 20,
            fresh_days: 30.0,
            min_fresh_share: 0.5,
            min_co_accounts: 5,
            min_lift: 20.0,
            min_concentration: 0.5,
            min_account_events: 2,
            weight: 0.6,
            join_share: 0.5,
        }
    }
}

impl Ranges {
    /// The detector's configuration.
    pub fn config(&self) -> lockstep_detect::ranges::RangesConfig {
        lockstep_detect::ranges::RangesConfig {
            min_accounts: self.min_accounts as usize,
            fresh_days: self.fresh_days,
            min_fresh_share: self.min_fresh_share,
            min_co_accounts: self.min_co_accounts as usize,
            min_lift: self.min_lift,
            min_concentration: self.min_concentration,
            min_account_events: self.min_account_events as usize,
        }
    }
}

/// Fake vs compromised, from the account's own history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct History {
    /// Own events (not through the operation's infrastructure: its third-party clients, or
    /// IPs and devices that several members used for operation work) needed to call the
    /// account a real person's. Default 10.
    pub min_own_events: u32,
    /// … and their share of the account's events. Default 0.2: aged farm accounts pad with
    /// camouflage, but through the farm's own proxies and phones.
    pub min_own_share: f64,
    /// When the accounts file gives `created_at`, the account must predate its first
    /// operation event by at least this many days (without it: have own events before
    /// it). Default 7: an account opened the week its operation work began is nobody's
    /// long-standing account.
    pub min_age_days: f64,
    /// An IP, device or third-party client counts as the operation's infrastructure when at
    /// least this many members used it for operation events… Default 2.
    pub min_infra_members: u32,
    /// … and those members are at least this share of everyone who used it in the log.
    /// Default 0.5: a carrier-NAT address or a popular scheduling app serves many people.
    pub min_infra_exclusive: f64,
    /// A `compromised` verdict needs at least this share of the account's operation
    /// evidence to have come through the operation's infrastructure; a person with an own
    /// history whose evidence came through their own devices and networks is only
    /// `suspicious`. Default 0.5.
    pub min_vendor_share: f64,
    /// A real person's own events come from a few networks: the `home_networks` most used
    /// networks (IPv4 /24, IPv6 /48) of the account's own events must carry at least
    /// `min_home_share` of them. Padding sent through residential proxies (a new exit for
    /// every request) fails this. Default 3…
    pub home_networks: u32,
    /// … and 0.5.
    pub min_home_share: f64,
    /// An IP or device used by at most this many accounts in the log… Default 5 (a
    /// household).
    pub home_max_users: u32,
    /// … whose operation work is less than this share of its events is a home, never an
    /// operation's infrastructure: one hijacked member of a household does not make the
    /// family's address the vendor's. Default 0.5.
    pub home_min_work_share: f64,
}

impl Default for History {
    fn default() -> Self {
        Self {
            min_own_events: 10,
            min_own_share: 0.2,
            min_age_days: 7.0,
            min_infra_members: 2,
            min_infra_exclusive: 0.5,
            min_vendor_share: 0.5,
            home_networks: 3,
            min_home_share: 0.5,
            home_max_users: 5,
            home_min_work_share: 0.5,
        }
    }
}

impl Policy {
    /// Parses a TOML policy; unknown keys are errors.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] with the parser's message, or a value out of range.
    pub fn from_toml(text: &str) -> Result<Self> {
        let p: Policy = toml::from_str(text).map_err(|e| Error::InvalidInput(e.to_string()))?;
        p.validate()?;
        Ok(p)
    }

    /// Checks ranges.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the first bad key.
    pub fn validate(&self) -> Result<()> {
        let unit = |name: &str, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(Error::InvalidInput(format!(
                    "{name} must be in [0, 1], got {v}"
                )))
            }
        };
        if self.version.trim().is_empty() {
            return Err(Error::InvalidInput("version must not be empty".into()));
        }
        unit("verdict.flag_score", self.verdict.flag_score)?;
        unit("verdict.suspicious_score", self.verdict.suspicious_score)?;
        unit("verdict.lockstep_weight", self.verdict.lockstep_weight)?;
        unit("verdict.harvest_weight", self.verdict.harvest_weight)?;
        unit(
            "verdict.infrastructure_weight",
            self.verdict.infrastructure_weight,
        )?;
        unit(
            "detectors.slow_min_capture",
            self.detectors.slow_min_capture,
        )?;
        unit("expansion.min_share", self.expansion.min_share)?;
        unit("expansion.weight", self.expansion.weight)?;
        unit("expansion.weak_weight", self.expansion.weak_weight)?;
        unit("dense.corroboration", self.dense.corroboration)?;
        unit(
            "bans.range_min_member_share",
            self.bans.range_min_member_share,
        )?;
        unit("bans.score", f64::from(self.bans.score))?;
        if self.bans.min_kinds == 0 || self.bans.earliest_actions == 0 {
            return Err(Error::InvalidInput(
                "bans.min_kinds and bans.earliest_actions must be at least 1".into(),
            ));
        }
        unit("dense.min_share", self.dense.min_share)?;
        unit("dense.weight", self.dense.weight)?;
        unit("dense.weak_weight", self.dense.weak_weight)?;
        self.harvest
            .validate()
            .map_err(|e| Error::InvalidInput(format!("harvest: {e}")))?;
        self.pools
            .validate()
            .map_err(|e| Error::InvalidInput(format!("pools: {e}")))?;
        unit("history.min_own_share", self.history.min_own_share)?;
        unit(
            "history.min_infra_exclusive",
            self.history.min_infra_exclusive,
        )?;
        unit("history.min_vendor_share", self.history.min_vendor_share)?;
        unit("history.min_home_share", self.history.min_home_share)?;
        unit(
            "history.home_min_work_share",
            self.history.home_min_work_share,
        )?;
        unit(
            "verdict.loose_lockstep_weight",
            self.verdict.loose_lockstep_weight,
        )?;
        unit("content.min_jaccard", self.content.min_jaccard)?;
        unit("content.min_owner_share", self.content.min_owner_share)?;
        unit("content.weight", self.content.weight)?;
        unit("content.join_share", self.content.join_share)?;
        unit("rates.min_regular_share", self.rates.min_regular_share)?;
        unit("rates.weight", self.rates.weight)?;
        unit("rates.join_share", self.rates.join_share)?;
        unit("ranges.weight", self.ranges.weight)?;
        unit("ranges.join_share", self.ranges.join_share)?;
        unit("verdict.capture_weight", self.verdict.capture_weight)?;
        unit(
            "verdict.capture_join_share",
            self.verdict.capture_join_share,
        )?;
        self.capture.validate().map_err(|e| match e {
            lockstep_detect::Error::InvalidInput(m) => Error::InvalidInput(format!("capture.{m}")),
            other => Error::InvalidInput(format!("capture: {other}")),
        })?;
        unit("bursts.attach_share", self.bursts.attach_share)?;
        self.bursts.validate()?;
        unit("bursts.crowd_weight", self.bursts.crowd_weight)?;
        unit("bursts.crowd_join_share", self.bursts.crowd_join_share)?;

        self.bursts.crowd_config().validate().map_err(|e| match e {
            lockstep_detect::Error::InvalidInput(m) => Error::InvalidInput(format!("bursts.{m}")),
            other => Error::InvalidInput(format!("bursts: {other}")),
        })?;
        self.bursts.config().validate().map_err(|e| match e {
            lockstep_detect::Error::InvalidInput(m) => Error::InvalidInput(format!("bursts.{m}")),
            other => Error::InvalidInput(format!("bursts: {other}")),
        })?;
        self.ranges.config().validate().map_err(|e| match e {
            lockstep_detect::Error::InvalidInput(m) => Error::InvalidInput(format!("ranges.{m}")),
            other => Error::InvalidInput(format!("ranges: {other}")),
        })?;
        if self.content.min_jaccard <= 0.0 {
            return Err(Error::InvalidInput(
                "content.min_jaccard must be positive".into(),
            ));
        }
        if self.rates.window < 2 || self.rates.min_events < 3 || self.rates.min_hours_of_day > 24 {
            return Err(Error::InvalidInput(
                "rates.window must be ≥ 2, rates.min_events ≥ 3, rates.min_hours_of_day ≤ 24"
                    .into(),
            ));
        }
        if self.content.min_accounts < 2 {
            return Err(Error::InvalidInput(
                "content.min_accounts must be at least 2".into(),
            ));
        }
        if self.verdict.suspicious_score > self.verdict.flag_score {
            return Err(Error::InvalidInput(
                "verdict.suspicious_score must not exceed verdict.flag_score".into(),
            ));
        }
        if self.detectors.slow_window_hours.is_nan() || self.detectors.slow_window_hours < 0.1 {
            return Err(Error::InvalidInput(
                "detectors.slow_window_hours must be at least 0.1".into(),
            ));
        }
        if self.detectors.lockstep_window_minutes.is_nan()
            || self.detectors.lockstep_window_minutes < 0.1
        {
            return Err(Error::InvalidInput(
                "detectors.lockstep_window_minutes must be at least 0.1".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_roundtrip_and_unknown_keys_fail() {
        let p = Policy::default();
        let text = toml::to_string(&p).unwrap();
        assert_eq!(Policy::from_toml(&text).unwrap(), p);
        let partial = Policy::from_toml("version = \"x\"\n[verdict]\nmin_days = 3\n").unwrap();
        assert_eq!(partial.verdict.min_days, 3);
        assert_eq!(partial.verdict.min_targets, 3);
        assert!(Policy::from_toml("version = \"x\"\nbogus = 1\n").is_err());
        assert!(Policy::from_toml("[verdict]\nflag_scor = 1\n").is_err());
        assert!(Policy::from_toml("[verdict]\nflag_score = 2.0\n").is_err());
        let e = Policy::from_toml("[bursts]\nwindow_minutes = 0\n").unwrap_err();
        assert!(e.to_string().contains("bursts.window_minutes"), "{e}");
        let e = Policy::from_toml("[bursts]\ncrowd_min_share = 1.5\n").unwrap_err();
        assert!(e.to_string().contains("bursts.crowd_min_share"), "{e}");
    }
}
