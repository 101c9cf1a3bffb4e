//! [`Signal`]: what a detector says about a set of accounts and events, and why.

use lockstep_core::Id;
use serde::{Deserialize, Serialize};

/// Why a detector emitted a signal: a stable reason code (see [`Reason::code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Accounts that engaged the same targets inside the same time windows, repeatedly
    /// (lockstep groups, after CopyCatch and SynchroTrap).
    LockstepGroup,
    /// A camouflage-resistant dense block of the account × target graph (Fraudar).
    DenseSubgraph,
    /// A dense block of the account × target × time × IP × device tensor (M-Zoom / D-Cube).
    DenseTensorBlock,
    /// Near-duplicate comments (one spun template) that many accounts posted on a few
    /// owners' posts.
    ContentTemplate,
    /// Engagement of a target that its own history and its peers do not explain: an evenly
    /// spaced drip over days.
    RateAnomaly,
    /// An hour of a target's engagement far above its own rate in the day around it and its
    /// owner's other targets' busiest hours. Says when, not who (viral posts burst too), so
    /// the judge only marks flagged work inside it; shares the code `rate-anomaly`.
    RateBurst,
    /// A delivery pool: accounts that each engaged inside several bursts on different owners'
    /// targets, in bursts whose crowds are mostly such accounts. Evidence; shares the code
    /// `rate-anomaly`.
    BurstCrowd,
    /// An address range (IPv4 /24, IPv6 /48) of mostly fresh accounts whose engagement goes
    /// to targets the rest of the platform hardly engages.
    IpRange,
    /// A follower pool: accounts giving most of their follows to customers who share their
    /// followers with each other and whose followers the pool largely is. Shares the code
    /// `rate-anomaly` (the drip family).
    FollowerPool,
    /// A lockstep group found at the scale of a slow delivery (buckets of hours): the judge's
    /// last resort, speaking only for accounts no other evidence explains. Shares the code
    /// `lockstep-group`.
    SlowLockstepGroup,
    /// Reads (views) far beyond the log's heaviest readers in a shape no person keeps, or
    /// through a vendor's reading device (harvesting).
    MachineRateReads,
    /// A client or address range through which a group of accounts made most of the
    /// engagement of several owners' targets, while it carries little of the platform's
    /// traffic (infrastructure that acts together).
    CapturedTargets,
}

impl Reason {
    /// The reason code written to `verdicts.csv` and `flagged_events.csv`.
    pub fn code(self) -> &'static str {
        match self {
            Reason::LockstepGroup | Reason::SlowLockstepGroup => "lockstep-group",
            Reason::DenseSubgraph => "dense-subgraph",
            Reason::DenseTensorBlock => "dense-tensor-block",
            Reason::ContentTemplate => "content-template",
            Reason::RateAnomaly | Reason::RateBurst | Reason::BurstCrowd | Reason::FollowerPool => {
                "rate-anomaly"
            }
            Reason::IpRange => "ip-range",
            Reason::MachineRateReads => "machine-rate-reads",
            Reason::CapturedTargets => "captured-targets",
        }
    }
}

/// An aspect of the events a signal covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Aspect {
    /// The acting accounts.
    Accounts,
    /// The targets engaged.
    Targets,
    /// The time window.
    Time,
    /// The IP addresses.
    Ips,
    /// The devices.
    Devices,
    /// The clients.
    Clients,
}

/// The aspects of a signal's events: what they hit, when, and from where.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Aspects {
    /// Distinct targets, sorted.
    pub targets: Vec<Id>,
    /// First and last event time (ms since the epoch), if any event.
    pub time: Option<(i64, i64)>,
    /// Distinct IP ids, sorted (events without an IP are not listed).
    pub ips: Vec<Id>,
    /// Distinct device ids, sorted (events without a device are not listed).
    pub devices: Vec<Id>,
    /// The aspects that make the block unusual (e.g. few IPs for many accounts), most
    /// concentrated first; empty when the detector does not rank them.
    pub concentrated: Vec<Aspect>,
}

/// One finding of one detector: these accounts, these events, this score, because of this.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// Why.
    pub reason: Reason,
    /// The accounts, sorted.
    pub accounts: Vec<Id>,
    /// The event indices that make up the finding, sorted.
    pub events: Vec<u32>,
    /// The detector's score; its meaning is given by `reason` (see each detector's docs) and
    /// spelled out in `summary`.
    pub score: f64,
    /// Targets, time window, IPs, devices.
    pub aspects: Aspects,
    /// One line a person can read, e.g. "27 accounts × 12 targets in 40 min; …".
    pub summary: String,
}

/// Distinct non-[`NONE`](lockstep_core::NONE) values of `col` at `events`, sorted.
pub(crate) fn distinct_of(col: &[Id], events: &[u32]) -> Vec<Id> {
    let mut v: Vec<Id> = events
        .iter()
        .map(|&i| col[i as usize])
        .filter(|&x| x != lockstep_core::NONE)
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// A duration in ms as `40 s`, `12 min`, `3.5 h` or `2.0 d`.
pub(crate) fn human_ms(ms: i64) -> String {
    let s = ms as f64 / 1000.0;
    if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 172_800.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.1} d", s / 86_400.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_durations() {
        assert_eq!(Reason::LockstepGroup.code(), "lockstep-group");
        assert_eq!(human_ms(40_000), "40 s");
        assert_eq!(human_ms(40 * 60_000), "40 min");
        assert_eq!(human_ms(5 * 3_600_000), "5.0 h");
        assert_eq!(human_ms(3 * 86_400_000), "3.0 d");
        assert_eq!(
            distinct_of(&[3, lockstep_core::NONE, 1, 3], &[0, 1, 2, 3]),
            vec![1, 3]
        );
    }
}
