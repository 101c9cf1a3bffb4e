//! Cases, verdicts, enforcement actions, appeals, the ban list and a hash-chained audit log,
//! in SQLite or PostgreSQL behind one interface.
//!
//! # Brief overview
//!
//! - [`Store`] is the one interface. [`Store::open`] takes an SQLite path (the default, one
//!   file, nothing to start) or a `postgres://` URL; both run the same numbered migrations
//!   (`migrations/NNNN_*.sql`, tracked in a `schema_version` table) and the same SQL.
//! - Actions ([`NewAction`], [`Action`]) carry a stable key ([`action_key`]: SHA-256 of kind,
//!   subject and operation) under a unique constraint, so recording a plan twice changes
//!   nothing. They move `pending → applied → undo_pending → undone`; [`Store::deliver`] hands
//!   pending work to a sink and marks it done in the same transaction (an outbox).
//! - Appeals ([`Appeal`]) are opened and decided; a granted one requests the undo of the
//!   account's actions. Applying a `ban_vendor` action records the vendor's fingerprints in
//!   the ban list ([`Ban`]).
//! - Every change appends an [`AuditEntry`] in the same transaction; each entry carries the
//!   SHA-256 of the one before ([`audit`] documents the canonical form), and
//!   [`Store::audit_verify`] finds the first broken link.
//!
//! `lockstep-enforce` builds plans from a scan's findings and applies them through this store;
//! the `lockstep` CLI (`enforce`, `appeal`, `audit`) is glue over both.
//!
//! # Example
//!
//! ```
//! use lockstep_store::{ActionKind, DeliveryScope, NewAction, Store};
//!
//! let mut store = Store::open_in_memory()?;
//! let ban = NewAction::new(ActionKind::BlockDevice, "dev-1", "op-1", "farm phone", Default::default());
//! let keys = vec![ban.key.clone()];
//! store.record_actions("plan-1", &[ban.clone()], 100, "ana")?;
//! store.record_actions("plan-1", &[ban], 100, "ana")?; // idempotent: nothing new
//!
//! let mut delivered = Vec::new();
//! let report = store.deliver(DeliveryScope::Keys(&keys), 100, "ana", &mut |batch| {
//!     delivered.extend(batch.iter().map(|d| d.id()));
//!     Ok(())
//! })?;
//! assert_eq!(report.applied, 1);
//! assert_eq!(delivered.len(), 1);
//! assert!(store.audit_verify()?.ok());
//! # Ok::<(), lockstep_store::Error>(())
//! ```

#[macro_use]
mod error;
pub mod audit;
mod db;
mod model;
mod store;
mod time;

pub use audit::{AuditEntry, BrokenLink, VerifyReport};
pub use db::{Backend, SCHEMA_VERSION};
pub use error::{Error, Result};
pub use model::{
    Action, ActionKind, ActionStatus, Appeal, AppealStatus, Ban, Case, NewAction, NewCase,
    NewVerdict, action_key,
};
pub use store::{
    Delivery, DeliveryOp, DeliveryReport, DeliveryScope, RecordReport, SinkError, StatusCounts,
    Store, UndoOutcome,
};
