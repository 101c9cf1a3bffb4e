//! Applying a plan through the store and a sink, and flushing the store's outbox.

use lockstep_store::{DeliveryReport, DeliveryScope, Store};

use crate::error::{Error, Result};
use crate::plan::Plan;
use crate::sink::{Sink, sink_err};

/// Actions per transaction unless told otherwise.
pub const DEFAULT_BATCH: usize = 256;

/// What [`apply`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Actions in the plan.
    pub actions: u64,
    /// Actions recorded in the store for the first time by this run.
    pub recorded: u64,
    /// Actions delivered and marked applied by this run.
    pub applied: u64,
    /// Actions that were already applied before this run.
    pub already_applied: u64,
    /// Actions left alone because they were undone (or are being undone).
    pub undone: u64,
}

impl std::fmt::Display for ApplyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} new, {} already applied",
            self.applied, self.already_applied
        )?;
        if self.undone > 0 {
            write!(f, ", {} undone (left undone)", self.undone)?;
        }
        write!(f, " ({} actions in the plan)", self.actions)
    }
}

/// Applies a plan, idempotently and crash-safely:
///
/// 1. opens the plan's cases and records its verdicts;
/// 2. records every action as `pending` under its key (`batch` per transaction; a key already
///    in the store is left as it is);
/// 3. delivers the plan's `pending` actions to the sink and marks them `applied`, `batch` per
///    transaction (see [`Store::deliver`]).
///
/// Killed at any point and run again, it finishes the job: each action is recorded and marked
/// applied once; the sink sees a delivery again only for the batch in flight at the kill.
pub fn apply(
    store: &mut Store,
    plan: &Plan,
    sink: &mut dyn Sink,
    who: &str,
    batch: usize,
) -> Result<ApplyReport> {
    let keys = plan.keys();
    store.open_cases(&plan.cases(), who, &format!("plan {}", plan.plan_id))?;
    store.record_verdicts(&plan.plan_id, &plan.verdicts, who)?;
    let recorded = store.record_actions(&plan.plan_id, &plan.actions, batch, who)?;
    let before = store.status_counts(&keys)?;
    let delivered = deliver(store, DeliveryScope::Keys(&keys), sink, who, batch)?;
    Ok(ApplyReport {
        actions: keys.len() as u64,
        recorded: recorded.new,
        applied: delivered.applied,
        already_applied: before.applied,
        undone: before.undo_pending + before.undone,
    })
}

/// Delivers pending work in `scope` to the sink.
pub fn deliver(
    store: &mut Store,
    scope: DeliveryScope<'_>,
    sink: &mut dyn Sink,
    who: &str,
    batch: usize,
) -> Result<DeliveryReport> {
    let mut cb = |b: &[lockstep_store::Delivery]| sink.deliver(b);
    match store.deliver(scope, batch, who, &mut cb) {
        Ok(r) => Ok(r),
        Err(lockstep_store::Error::External(e)) => Err(sink_err(sink, e)),
        Err(e) => Err(Error::Store(e)),
    }
}
