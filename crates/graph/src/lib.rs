//! Index structures lockstep detectors share, built from an [`EventLog`](lockstep_core::EventLog)
//! by sorting and scanning.
//!
//! # Brief overview
//!
//! - [`GraphIndex`] holds the account × target bipartite graph of a log (optionally only some
//!   actions, see [`ActionSet`]) as CSR in both directions: distinct edges with their
//!   multiplicity and events, and every account's and every target's events in time order.
//! - [`Bipartite`] and [`TimeIndexed`] are the read-only views detectors are generic over;
//!   `GraphIndex` implements both, and a distributed runtime can implement them over its own
//!   partitions.
//! - [`Tensor`] is the sparse count tensor account × target × time bucket × IP × device
//!   (× client) that dense-block detectors peel.
//!
//! The detectors themselves live in `lockstep-detect`; the log in `lockstep-core`.
//!
//! # Example
//!
//! ```
//! use lockstep_core::{EventLogBuilder, RawEvent};
//! use lockstep_graph::{ActionSet, Bipartite, GraphIndex, TimeIndexed};
//!
//! let mut b = EventLogBuilder::new();
//! for (ts, actor, target) in [(20, "u1", "p1"), (10, "u2", "p1"), (30, "u1", "p1")] {
//!     let ev = RawEvent { id: None, ts, actor, action: "like", target, owner: None,
//!         text: None, ip: None, device: None, client: None, line: 1 };
//!     b.push(&ev).unwrap();
//! }
//! let log = b.finish();
//! let g = GraphIndex::build(&log, ActionSet::all());
//! assert_eq!(g.num_edges(), 2);
//! assert_eq!(g.target_accounts(0), &[0, 1]); // u1, u2
//! assert_eq!(g.edge_multiplicity(0), 2); // u1 liked p1 twice
//! assert_eq!(g.target_events(0), &[1, 0, 2]); // by time
//! ```

mod actions;
mod index;
mod tensor;
mod traits;

pub use actions::ActionSet;
pub use index::GraphIndex;
pub use tensor::{MAX_MODES, Mode, ModeKind, Tensor, TensorConfig};
pub use traits::{Bipartite, TimeIndexed};
