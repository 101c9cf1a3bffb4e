//! Detectors of bought engagement: lockstep groups, dense blocks, template comments and
//! engagement rates.
//!
//! # Brief overview
//!
//! Every detector is a pure function of an [`EventLog`](lockstep_core::EventLog) (or of a
//! prebuilt index from `lockstep-graph`) and a config, and returns a report whose findings
//! convert to [`Signal`]s: these accounts, these events, this score, because of this
//! [`Reason`], with these [`Aspects`]. Entry points come in pairs: `x(&log, &cfg)` builds the
//! index itself, `x_indexed(&index, &cfg)` reuses one so detectors can share it.
//!
//! - [`lockstep`]: groups of accounts engaging the same targets in the same time windows,
//!   repeatedly (CopyCatch / SynchroTrap) — [`lockstep::lockstep_groups`].
//! - [`dense`]: camouflage-resistant dense subgraphs of the account × target graph
//!   ([`dense::fraudar()`]) and dense blocks of the account × target × time × IP × device
//!   tensor ([`dense::mzoom()`], with the M-Zoom and D-Cube peeling rules).
//! - [`devices`]: devices that are not what they claim (emulator builds, screens and OS
//!   versions their model never had, failed attestation), per device, per account and
//!   clustered by fingerprint — [`devices::device_checks`].
//! - [`trust`]: trust propagated from long-lived, well-endorsed accounts along endorsements
//!   (after SybilRank), a counterweight that protects real people — [`trust::trust()`].
//! - [`content`]: near-duplicate comments concentrated on a few owners' posts (spun
//!   templates), by MinHash and LSH, with the template recovered —
//!   [`content::content_clusters`].
//! - [`rates`]: a target's engagement arriving at a steady cadence, day and night, for
//!   days (drip-fed followers) — [`rates::drips`].
//! - [`pools`]: follower pools — accounts giving most of their follows to customers who share
//!   their followers and whose followers they largely are (a drip vendor seen by what its
//!   followers share, not by when they follow) — [`pools::follower_pools`].
//! - [`bursts`]: an hour in which a target received far more of one action than its own
//!   surrounding day and its owner's other targets explain — [`bursts::bursts()`] — and the
//!   delivery pools among them, the same crowd inside bursts of different owners —
//!   [`bursts::burst_crowds`].
//! - [`ranges`]: address ranges (IPv4 /24, IPv6 /48) judged against their own traffic: mostly
//!   fresh accounts engaging targets the rest of the platform hardly engages —
//!   [`ranges::suspicious_ranges`].
//! - [`capture`]: infrastructure that acts together — a client or an address range through
//!   which a group made most of the engagement of several owners' targets while it carries
//!   little of the platform's traffic — [`capture::infrastructure_captures`].
//! - [`harvest`]: reads far beyond the log's own heaviest readers, around the clock or by a
//!   crew sharing devices and addresses, and reads through vendors' reading devices (hijacked
//!   sessions) — [`harvest::harvesters`].
//! - [`reference`](mod@reference): naive sequential versions of each detector that the tests hold the
//!   optimised ones to.
//!
//! Indexes: `lockstep_graph::GraphIndex` (bipartite CSR + time order) and
//! `lockstep_graph::Tensor`. The judge that fuses signals into verdicts builds on this crate.
//!
//! # Example
//!
//! ```
//! use lockstep_core::{EventLogBuilder, RawEvent};
//! use lockstep_detect::lockstep::{LockstepConfig, lockstep_groups};
//!
//! // Six accounts like the same post within two minutes, on six different days.
//! let mut b = EventLogBuilder::new();
//! for day in 0..6i64 {
//!     for m in 0..6i64 {
//!         let (actor, target) = (format!("farm{m}"), format!("order{day}"));
//!         b.push(&RawEvent { id: None, ts: day * 86_400_000 + m * 20_000, actor: &actor,
//!             action: "like", target: &target, owner: None, text: None, ip: None,
//!             device: None, client: None, line: 1 }).unwrap();
//!     }
//! }
//! let log = b.finish();
//! let report = lockstep_groups(&log, &LockstepConfig::default()).unwrap();
//! assert_eq!(report.groups.len(), 1);
//! let signal = report.groups[0].to_signal(&log);
//! assert_eq!(signal.accounts.len(), 6);
//! assert_eq!(signal.reason.code(), "lockstep-group");
//! ```

pub mod bursts;
pub mod capture;
pub mod content;
pub mod dense;
pub mod devices;
mod error;
pub mod harvest;
pub mod lockstep;
pub mod pools;
pub mod ranges;
pub mod rates;
pub mod reference;
mod signal;
pub mod trust;

pub use error::{Error, Result};
pub use signal::{Aspect, Aspects, Reason, Signal};
