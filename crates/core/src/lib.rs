//! The data model of lockstep: ids, interners, the columnar [`EventLog`] and its side tables.
//!
//! # Brief overview
//!
//! Every string in the input (account, target, device, client) is interned once into a dense
//! `u32` [`Id`] of its own id space; IP addresses are normalised and interned too. The
//! [`EventLog`] holds one flat column per field, filled by an [`EventLogBuilder`] from
//! [`RawEvent`]s that a reader (see the `lockstep-ingest` crate) decoded. Detectors read the
//! columns as slices and sorted permutations ([`EventLog::by_actor_time`],
//! [`EventLog::by_target_time`]); no detector allocates per event or touches strings.
//!
//! This crate does no I/O.
//!
//! # Example
//!
//! ```
//! use lockstep_core::{EventLogBuilder, RawEvent, action};
//!
//! let mut b = EventLogBuilder::new();
//! b.begin_source("events.jsonl");
//! let ev = RawEvent {
//!     id: None, ts: 1_700_000_000_000, actor: "alice", action: "like", target: "post1",
//!     owner: Some("bob"), text: None, ip: "10.0.0.1".parse().ok(), device: None,
//!     client: Some("web"), line: 1,
//! };
//! b.push(&ev).unwrap();
//! let log = b.finish();
//! assert_eq!(log.len(), 1);
//! assert_eq!(log.action()[0], action::LIKE);
//! assert_eq!(log.accounts.resolve(log.actor()[0]), "alice");
//! assert_eq!(log.event_id_string(0), "events.jsonl:1");
//! ```

pub mod action;
mod columns;
mod error;
pub mod intern;
mod log;
pub mod side;
mod strcol;

pub use columns::{Columns, Keyed, RowStrs};
pub use error::{Error, Result};
pub use intern::{Id, Interner, IpInterner, NONE};
pub use log::{
    EventId, EventLog, EventLogBuilder, EventRef, MemoryUse, PushError, RawEvent, Source,
};
pub use side::{AccountTable, Attestation, DeviceTable, RawDevice};
pub use strcol::StrColumn;
