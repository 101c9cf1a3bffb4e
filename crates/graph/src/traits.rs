//! The read-only traits detectors are generic over.

use std::ops::Range;

use lockstep_core::Id;

/// The account × target bipartite graph: distinct (account, target) edges, each with its
/// multiplicity and its events.
///
/// Edges are numbered `0..num_edges()` in (account, target) order, so an account's edges are a
/// contiguous range and its targets come out sorted.
pub trait Bipartite {
    /// The size of the account id space (accounts with no edge included).
    fn num_accounts(&self) -> usize;
    /// The size of the target id space.
    fn num_targets(&self) -> usize;
    /// The number of distinct (account, target) edges.
    fn num_edges(&self) -> usize;
    /// The edge ids of account `a`, in target order.
    fn account_edges(&self, a: Id) -> Range<usize>;
    /// The distinct targets of account `a`, sorted.
    fn account_targets(&self, a: Id) -> &[Id];
    /// The edge ids of target `t`, in account order.
    fn target_edges(&self, t: Id) -> &[u32];
    /// The distinct accounts of target `t`, sorted.
    fn target_accounts(&self, t: Id) -> &[Id];
    /// The account end of edge `e`.
    fn edge_account(&self, e: usize) -> Id;
    /// The target end of edge `e`.
    fn edge_target(&self, e: usize) -> Id;
    /// The event indices of edge `e`, in time order.
    fn edge_events(&self, e: usize) -> &[u32];
    /// How many events edge `e` carries.
    fn edge_multiplicity(&self, e: usize) -> u32 {
        self.edge_events(e).len() as u32
    }
}

/// Per-account and per-target event lists in time order.
pub trait TimeIndexed {
    /// The log's time column, indexed by event index.
    fn ts(&self) -> &[i64];
    /// The log's actor column, indexed by event index.
    fn actor(&self) -> &[Id];
    /// The log's target column, indexed by event index.
    fn target(&self) -> &[Id];
    /// The events of account `a`, sorted by (time, index).
    fn account_events(&self, a: Id) -> &[u32];
    /// The events on target `t`, sorted by (time, index).
    fn target_events(&self, t: Id) -> &[u32];
}
