//! Turns a scan's findings into an idempotent enforcement plan, applies it through the store and
//! a sink, and delivers undos.
//!
//! # Brief overview
//!
//! - [`read_findings`] reads a findings directory (CONTRACT §2: `verdicts.csv`,
//!   `flagged_events.csv`, `operations.json`, `corrections.csv`; missing optional files are
//!   noted, bad rows skipped and noted) into [`Findings`].
//! - [`build_plan`] applies a [`Policy`] (TOML, documented defaults) and writes a reviewable,
//!   deterministic [`Plan`]: engagements to remove, counts to correct, accounts to disable,
//!   challenge or secure (compromised accounts get their app tokens revoked and a password
//!   reset, never a ban), devices, IP ranges and apps to block, vendors to ban. Each action has
//!   a stable key ([`lockstep_store::action_key`]).
//! - [`apply()`] records the plan in a [`lockstep_store::Store`] and delivers it to a [`Sink`]
//!   ([`NdjsonSink`], [`WebhookSink`], [`MemorySink`]); running it again changes nothing, and a
//!   run killed at any point finishes on the next. [`deliver()`] flushes undos requested by
//!   `enforce undo` and granted appeals.
//!
//! The guarantees are spelled out in `docs/ENFORCEMENT.md`. The store itself is
//! `lockstep-store`; the `lockstep enforce` CLI is glue over both.
//!
//! # Example
//!
//! ```
//! use lockstep_enforce::{apply, build_plan, Findings, MemorySink, Policy, VerdictRow};
//! use lockstep_store::Store;
//!
//! let mut findings = Findings::default();
//! findings.verdicts.push(VerdictRow {
//!     account: "bot-1".into(), verdict: "fake".into(), score: 0.97,
//!     operation: "op-1".into(), reasons: "lockstep".into(),
//! });
//! let plan = build_plan(&findings, &Policy::default(), "example");
//! assert_eq!(plan.summary["disable_account"], 1);
//!
//! let mut store = Store::open_in_memory()?;
//! let mut sink = MemorySink::default();
//! let first = apply(&mut store, &plan, &mut sink, "ana", 100)?;
//! let again = apply(&mut store, &plan, &mut sink, "ana", 100)?;
//! assert_eq!((first.applied, again.applied, again.already_applied), (2, 0, 2));
//! assert_eq!(sink.delivered.len(), 2); // disable bot-1, ban the vendor behind op-1
//! # Ok::<(), lockstep_enforce::Error>(())
//! ```

mod apply;
mod error;
mod findings;
mod plan;
mod policy;
mod sink;

pub use apply::{ApplyReport, DEFAULT_BATCH, apply, deliver};
pub use error::{Error, Result};
pub use findings::{
    Correction, Findings, FlaggedEvent, InfraUse, Operation, VerdictRow, read_findings,
};
pub use plan::{
    Collateral, PLAN_SCHEMA_VERSION, Plan, PlanOperation, Withheld, build_plan, ip_range,
};
pub use policy::{FakeAction, Policy, SuspiciousAction};
pub use sink::{MemorySink, NdjsonSink, Sink, WebhookSink, delivery_json, open_sink};
