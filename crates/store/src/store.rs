//! [`Store`]: the one interface over both backends.

use std::path::Path;

use serde_json::json;

use crate::audit::{self, AuditEntry, VerifyReport};
use crate::db::{self, Backend, Conn, Row, Tx, Value};
use crate::model::{
    Action, ActionKind, ActionStatus, Appeal, AppealStatus, Ban, Case, NewAction, NewCase,
    NewVerdict,
};
use crate::{Error, Result};

/// Whether a delivery applies an action or reverses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryOp {
    /// Carry the action out.
    Apply,
    /// Reverse it.
    Undo,
}

impl DeliveryOp {
    /// `apply` or `undo`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryOp::Apply => "apply",
            DeliveryOp::Undo => "undo",
        }
    }
}

/// One message for a sink: an action to apply or to undo.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Apply or undo.
    pub op: DeliveryOp,
    /// The action as stored.
    pub action: Action,
}

impl Delivery {
    /// `apply:<key>` or `undo:<key>`: what a sink deduplicates on.
    pub fn id(&self) -> String {
        format!("{}:{}", self.op.as_str(), self.action.key)
    }
}

/// The error type a sink callback returns.
pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

/// Which pending work [`Store::deliver`] picks up.
#[derive(Debug, Clone, Copy)]
pub enum DeliveryScope<'a> {
    /// Pending applies and undos of these keys only (one plan, or the actions just undone).
    Keys(&'a [String]),
    /// Every pending apply and undo in the store (the outbox).
    All,
}

/// What [`Store::record_actions`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordReport {
    /// Actions newly recorded.
    pub new: u64,
    /// Actions whose key was already in the store.
    pub existing: u64,
}

/// What [`Store::deliver`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Actions delivered and marked applied by this call.
    pub applied: u64,
    /// Undos delivered and marked undone by this call.
    pub undone: u64,
}

/// Action counts by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    /// Recorded, not yet delivered.
    pub pending: u64,
    /// Applied.
    pub applied: u64,
    /// Undo requested, not yet delivered.
    pub undo_pending: u64,
    /// Undone.
    pub undone: u64,
    /// Not in the store at all.
    pub missing: u64,
}

/// What an undo request did to one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoOutcome {
    /// The action.
    pub key: String,
    /// Its status before the request.
    pub before: ActionStatus,
    /// True if the request changed it (false if it was already undone or being undone).
    pub changed: bool,
}

/// Cases, verdicts, actions, appeals, bans and the audit log, on SQLite or PostgreSQL.
///
/// Every method that changes state runs in one transaction that excludes other writers and
/// appends to the audit log in that same transaction, so the log and the state never disagree.
pub struct Store {
    conn: Conn,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend())
            .finish()
    }
}

/// Now, as RFC 3339 UTC with milliseconds.
pub(crate) fn now() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    crate::time::rfc3339_millis(ms)
}

const ACTION_COLUMNS: &str = "key, kind, subject, operation, account, reason, payload, plan_id, status, \
     recorded_at, recorded_by, applied_at, undo_reason, undone_at";

fn action_from_row(r: &Row) -> Result<Action> {
    Ok(Action {
        key: r[0].text()?.to_owned(),
        kind: r[1].text()?.parse()?,
        subject: r[2].text()?.to_owned(),
        operation: r[3].text()?.to_owned(),
        account: r[4].opt_text()?,
        reason: r[5].text()?.to_owned(),
        payload: serde_json::from_str(r[6].text()?)?,
        plan_id: r[7].text()?.to_owned(),
        status: ActionStatus::parse(r[8].text()?)?,
        recorded_at: r[9].text()?.to_owned(),
        recorded_by: r[10].text()?.to_owned(),
        applied_at: r[11].opt_text()?,
        undo_reason: r[12].opt_text()?,
        undone_at: r[13].opt_text()?,
    })
}

const APPEAL_COLUMNS: &str =
    "id, account, status, reason, opened_by, opened_at, decided_by, decided_at, decision_reason";

fn appeal_from_row(r: &Row) -> Result<Appeal> {
    Ok(Appeal {
        id: r[0].int()?,
        account: r[1].text()?.to_owned(),
        status: AppealStatus::parse(r[2].text()?)?,
        reason: r[3].text()?.to_owned(),
        opened_by: r[4].text()?.to_owned(),
        opened_at: r[5].text()?.to_owned(),
        decided_by: r[6].opt_text()?,
        decided_at: r[7].opt_text()?,
        decision_reason: r[8].opt_text()?,
    })
}

/// `$from, $from+1, …` for `n` parameters.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Opens `target`: a `postgres://` or `postgresql://` URL, or an SQLite file path (created
    /// if missing). Brings the schema up to date.
    pub fn open(target: &str) -> Result<Store> {
        if target.starts_with("postgres://") || target.starts_with("postgresql://") {
            Store::open_postgres(target)
        } else {
            Store::open_sqlite(Path::new(target))
        }
    }

    /// Opens (creating if needed) an SQLite store file.
    pub fn open_sqlite(path: &Path) -> Result<Store> {
        Store::init(Conn::open_sqlite(path)?)
    }

    /// Opens a throwaway SQLite store in memory.
    pub fn open_in_memory() -> Result<Store> {
        Store::init(Conn::open_sqlite_memory()?)
    }

    /// Opens a PostgreSQL store at `url`.
    pub fn open_postgres(url: &str) -> Result<Store> {
        Store::init(Conn::open_postgres(url, None)?)
    }

    /// Opens a PostgreSQL store in its own schema (created if missing), e.g. one per test or
    /// per tenant. `schema` is letters, digits and `_`.
    pub fn open_postgres_in_schema(url: &str, schema: &str) -> Result<Store> {
        Store::init(Conn::open_postgres(url, Some(schema))?)
    }

    fn init(mut conn: Conn) -> Result<Store> {
        db::migrate(&mut conn, &now())?;
        Ok(Store { conn })
    }

    /// Which backend this store runs on.
    pub fn backend(&self) -> Backend {
        self.conn.backend()
    }

    /// The schema version in the database.
    pub fn schema_version(&mut self) -> Result<i64> {
        self.conn.read(|tx| {
            let rows = tx.query("SELECT MAX(version) FROM schema_version", &[])?;
            rows.first()
                .and_then(|r| r.first())
                .map_or(Ok(0), Value::int)
        })
    }

    /// Runs SQL directly, bypassing the audit log. For repairs by hand and for tests that
    /// tamper with the log; never used by lockstep itself.
    pub fn raw_execute(&mut self, sql: &str) -> Result<()> {
        self.conn.raw(sql)
    }

    // ---- cases and verdicts ----

    /// Opens cases that are not open yet; returns how many were new.
    pub fn open_cases(&mut self, cases: &[NewCase], who: &str, reason: &str) -> Result<u64> {
        let t = now();
        self.conn.write(|tx| {
            let mut new = 0;
            for c in cases {
                let n = tx.exec(
                    "INSERT INTO cases (id, kind, status, opened_at, opened_by, details) \
                     VALUES ($1, $2, 'open', $3, $4, $5) ON CONFLICT (id) DO NOTHING",
                    &[
                        c.id.as_str().into(),
                        c.kind.as_str().into(),
                        t.as_str().into(),
                        who.into(),
                        c.details.to_string().into(),
                    ],
                )?;
                if n == 1 {
                    new += 1;
                    audit::append(
                        tx,
                        &t,
                        who,
                        "case.open",
                        &c.id,
                        reason,
                        &json!({"kind": c.kind, "details": c.details}),
                    )?;
                }
            }
            Ok(new)
        })
    }

    /// The case with this id.
    pub fn case(&mut self, id: &str) -> Result<Option<Case>> {
        self.conn.read(|tx| {
            let rows = tx.query(
                "SELECT id, kind, status, opened_at, opened_by, details FROM cases WHERE id = $1",
                &[id.into()],
            )?;
            rows.first()
                .map(|r| {
                    Ok(Case {
                        id: r[0].text()?.to_owned(),
                        kind: r[1].text()?.to_owned(),
                        status: r[2].text()?.to_owned(),
                        opened_at: r[3].text()?.to_owned(),
                        opened_by: r[4].text()?.to_owned(),
                        details: serde_json::from_str(r[5].text()?)?,
                    })
                })
                .transpose()
        })
    }

    /// Records (or updates) verdicts from a plan; one audit entry per call.
    pub fn record_verdicts(
        &mut self,
        plan_id: &str,
        verdicts: &[NewVerdict],
        who: &str,
    ) -> Result<u64> {
        let t = now();
        self.conn.write(|tx| {
            let mut changed = 0;
            for v in verdicts {
                changed += tx.exec(
                    "INSERT INTO verdicts (account, case_id, verdict, score, reasons, plan_id, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (account, case_id) DO UPDATE SET verdict = excluded.verdict, \
                     score = excluded.score, reasons = excluded.reasons, plan_id = excluded.plan_id, \
                     recorded_at = excluded.recorded_at \
                     WHERE verdicts.verdict <> excluded.verdict OR verdicts.score <> excluded.score \
                     OR verdicts.reasons <> excluded.reasons",
                    &[
                        v.account.as_str().into(),
                        v.operation.as_str().into(),
                        v.verdict.as_str().into(),
                        v.score.into(),
                        v.reasons.as_str().into(),
                        plan_id.into(),
                        t.as_str().into(),
                    ],
                )?;
            }
            if changed > 0 {
                audit::append(
                    tx,
                    &t,
                    who,
                    "verdicts.record",
                    plan_id,
                    "verdicts from the plan",
                    &json!({"changed": changed}),
                )?;
            }
            Ok(changed)
        })
    }

    /// The verdicts recorded on an account, one per case.
    pub fn verdicts(&mut self, account: &str) -> Result<Vec<NewVerdict>> {
        self.conn.read(|tx| {
            tx.query(
                "SELECT account, verdict, score, case_id, reasons FROM verdicts WHERE account = $1 ORDER BY case_id",
                &[account.into()],
            )?
            .iter()
            .map(|r| {
                Ok(NewVerdict {
                    account: r[0].text()?.to_owned(),
                    verdict: r[1].text()?.to_owned(),
                    score: r[2].real()?,
                    operation: r[3].text()?.to_owned(),
                    reasons: r[4].text()?.to_owned(),
                })
            })
            .collect()
        })
    }

    // ---- actions ----

    /// Records actions as `pending`, `batch` per transaction; a key already in the store is
    /// left as it is. Each new action gets an `action.record` audit entry.
    pub fn record_actions(
        &mut self,
        plan_id: &str,
        actions: &[NewAction],
        batch: usize,
        who: &str,
    ) -> Result<RecordReport> {
        for a in actions {
            a.check_key()?;
            // A ban is recorded when it is applied; refuse a payload that is not a ban record
            // now, before anything is written, rather than then.
            if a.kind == ActionKind::BanVendor {
                ban_record(&a.key, &a.payload)?;
            }
        }
        let mut report = RecordReport::default();
        for chunk in actions.chunks(batch.max(1)) {
            let t = now();
            // Skip, with one query, the keys already recorded (the common case on a rerun).
            let params: Vec<Value> = chunk.iter().map(|a| (&a.key).into()).collect();
            let known: std::collections::HashSet<String> = self.conn.read(|tx| {
                tx.query(
                    &format!(
                        "SELECT key FROM actions WHERE key IN ({})",
                        placeholders(1, chunk.len())
                    ),
                    &params,
                )?
                .iter()
                .map(|r| r[0].text().map(str::to_owned))
                .collect()
            })?;
            if known.len() == chunk.len() {
                report.existing += chunk.len() as u64;
                continue;
            }
            let (new, existing) = self.conn.write(|tx| {
                let (mut new, mut existing) = (0, 0);
                for a in chunk {
                    if known.contains(&a.key) {
                        existing += 1;
                        continue;
                    }
                    let n = tx.exec(
                        "INSERT INTO actions (key, kind, subject, operation, account, reason, payload, \
                         plan_id, status, recorded_at, recorded_by) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10) \
                         ON CONFLICT (key) DO NOTHING",
                        &[
                            a.key.as_str().into(),
                            a.kind.as_str().into(),
                            a.subject.as_str().into(),
                            a.operation.as_str().into(),
                            a.account.as_deref().into(),
                            a.reason.as_str().into(),
                            a.payload.to_string().into(),
                            plan_id.into(),
                            t.as_str().into(),
                            who.into(),
                        ],
                    )?;
                    if n == 1 {
                        new += 1;
                        audit::append(
                            tx,
                            &t,
                            who,
                            "action.record",
                            &a.key,
                            &a.reason,
                            &json!({
                                "kind": a.kind, "subject": a.subject, "operation": a.operation,
                                "account": a.account, "plan": plan_id,
                            }),
                        )?;
                    } else {
                        existing += 1;
                    }
                }
                Ok((new, existing))
            })?;
            report.new += new;
            report.existing += existing;
        }
        Ok(report)
    }

    /// Counts `keys` by status (keys not in the store count as `missing`).
    pub fn status_counts(&mut self, keys: &[String]) -> Result<StatusCounts> {
        let mut c = StatusCounts::default();
        self.conn.read(|tx| {
            for chunk in keys.chunks(500) {
                let params: Vec<Value> = chunk.iter().map(Into::into).collect();
                let rows = tx.query(
                    &format!(
                        "SELECT status, COUNT(*) FROM actions WHERE key IN ({}) GROUP BY status",
                        placeholders(1, chunk.len())
                    ),
                    &params,
                )?;
                let mut found = 0;
                for r in rows {
                    let n = r[1].int()? as u64;
                    found += n;
                    match ActionStatus::parse(r[0].text()?)? {
                        ActionStatus::Pending => c.pending += n,
                        ActionStatus::Applied => c.applied += n,
                        ActionStatus::UndoPending => c.undo_pending += n,
                        ActionStatus::Undone => c.undone += n,
                    }
                }
                c.missing += chunk.len() as u64 - found;
            }
            Ok(())
        })?;
        Ok(c)
    }

    /// Delivers pending work to `sink`, `batch` actions per transaction, and marks it done.
    ///
    /// Each batch runs in one writer-exclusive transaction: read the pending rows, hand them to
    /// the sink, mark them applied (or undone) with one audit entry each, commit. If the sink
    /// fails, nothing in the batch is marked and the error is returned; if the process dies
    /// after the sink returned but before the commit, the batch is delivered again on the next
    /// run — so sinks see at-least-once delivery, keyed by [`Delivery::id`], and the store
    /// exactly-once state changes.
    pub fn deliver(
        &mut self,
        scope: DeliveryScope<'_>,
        batch: usize,
        who: &str,
        sink: &mut dyn FnMut(&[Delivery]) -> Result<(), SinkError>,
    ) -> Result<DeliveryReport> {
        let batch = batch.max(1);
        let mut report = DeliveryReport::default();
        match scope {
            DeliveryScope::Keys(keys) => {
                for chunk in keys.chunks(batch) {
                    let r = self.deliver_batch(Some(chunk), batch, who, sink)?;
                    report.applied += r.applied;
                    report.undone += r.undone;
                }
            }
            DeliveryScope::All => loop {
                let r = self.deliver_batch(None, batch, who, sink)?;
                if r.applied + r.undone == 0 {
                    break;
                }
                report.applied += r.applied;
                report.undone += r.undone;
            },
        }
        Ok(report)
    }

    fn deliver_batch(
        &mut self,
        keys: Option<&[String]>,
        limit: usize,
        who: &str,
        sink: &mut dyn FnMut(&[Delivery]) -> Result<(), SinkError>,
    ) -> Result<DeliveryReport> {
        self.conn.write(|tx| {
            let rows = match keys {
                Some(keys) => {
                    let params: Vec<Value> = keys.iter().map(Into::into).collect();
                    tx.query(
                        &format!(
                            "SELECT {ACTION_COLUMNS} FROM actions WHERE status IN ('pending', 'undo_pending') AND key IN ({}) ORDER BY key",
                            placeholders(1, keys.len())
                        ),
                        &params,
                    )?
                }
                None => tx.query(
                    &format!(
                        "SELECT {ACTION_COLUMNS} FROM actions WHERE status IN ('pending', 'undo_pending') ORDER BY key LIMIT $1"
                    ),
                    &[Value::Int(limit as i64)],
                )?,
            };
            let deliveries = rows
                .iter()
                .map(|r| {
                    let action = action_from_row(r)?;
                    let op = if action.status == ActionStatus::Pending {
                        DeliveryOp::Apply
                    } else {
                        DeliveryOp::Undo
                    };
                    Ok(Delivery { op, action })
                })
                .collect::<Result<Vec<_>>>()?;
            let mut report = DeliveryReport::default();
            if deliveries.is_empty() {
                return Ok(report);
            }
            sink(&deliveries).map_err(Error::External)?;
            let t = now();
            for d in &deliveries {
                let a = &d.action;
                match d.op {
                    DeliveryOp::Apply => {
                        tx.exec(
                            "UPDATE actions SET status = 'applied', applied_at = $2 WHERE key = $1 AND status = 'pending'",
                            &[a.key.as_str().into(), t.as_str().into()],
                        )?;
                        if a.kind == ActionKind::BanVendor {
                            record_ban(tx, a, &t, who)?;
                        }
                        audit::append(
                            tx,
                            &t,
                            who,
                            "action.apply",
                            &a.key,
                            &a.reason,
                            &json!({"kind": a.kind, "subject": a.subject, "operation": a.operation}),
                        )?;
                        report.applied += 1;
                    }
                    DeliveryOp::Undo => {
                        tx.exec(
                            "UPDATE actions SET status = 'undone', undone_at = $2 WHERE key = $1 AND status = 'undo_pending'",
                            &[a.key.as_str().into(), t.as_str().into()],
                        )?;
                        if a.kind == ActionKind::BanVendor {
                            tx.exec(
                                "UPDATE bans SET lifted_at = $2 WHERE action_key = $1 AND lifted_at IS NULL",
                                &[a.key.as_str().into(), t.as_str().into()],
                            )?;
                        }
                        audit::append(
                            tx,
                            &t,
                            who,
                            "action.undo",
                            &a.key,
                            a.undo_reason.as_deref().unwrap_or(""),
                            &json!({"kind": a.kind, "subject": a.subject, "operation": a.operation}),
                        )?;
                        report.undone += 1;
                    }
                }
            }
            Ok(report)
        })
    }

    /// The action with this key.
    pub fn action(&mut self, key: &str) -> Result<Option<Action>> {
        self.conn.read(|tx| {
            tx.query(
                &format!("SELECT {ACTION_COLUMNS} FROM actions WHERE key = $1"),
                &[key.into()],
            )?
            .first()
            .map(action_from_row)
            .transpose()
        })
    }

    /// Actions concerning an account (as subject or as the account field).
    pub fn actions_for_account(&mut self, account: &str) -> Result<Vec<Action>> {
        self.conn.read(|tx| {
            tx.query(
                &format!(
                    "SELECT {ACTION_COLUMNS} FROM actions WHERE account = $1 ORDER BY kind, subject"
                ),
                &[account.into()],
            )?
            .iter()
            .map(action_from_row)
            .collect()
        })
    }

    /// Actions of one operation (case).
    pub fn actions_for_operation(&mut self, operation: &str) -> Result<Vec<Action>> {
        self.conn.read(|tx| {
            tx.query(
                &format!(
                    "SELECT {ACTION_COLUMNS} FROM actions WHERE operation = $1 ORDER BY kind, subject"
                ),
                &[operation.into()],
            )?
            .iter()
            .map(action_from_row)
            .collect()
        })
    }

    /// Requests the undo of actions: `pending` and `applied` ones become `undo_pending` (their
    /// undo is delivered by [`Store::deliver`]); others are left alone. One audit entry per
    /// changed action.
    pub fn request_undo(
        &mut self,
        keys: &[String],
        who: &str,
        reason: &str,
    ) -> Result<Vec<UndoOutcome>> {
        let t = now();
        self.conn
            .write(|tx| undo_in_tx(tx, keys, &t, who, reason, "action.undo_request"))
    }

    /// Requests the undo of every live action of an operation and marks its case `reversed`.
    pub fn undo_case(&mut self, case: &str, who: &str, reason: &str) -> Result<Vec<UndoOutcome>> {
        let t = now();
        self.conn.write(|tx| {
            let keys = live_keys(tx, "operation", case)?;
            let known = tx.query("SELECT id FROM cases WHERE id = $1", &[case.into()])?;
            if keys.is_empty() && known.is_empty() {
                return Err(Error::NotFound(format!("no case or action {case:?}")));
            }
            let out = undo_in_tx(tx, &keys, &t, who, reason, "action.undo_request")?;
            if tx.exec(
                "UPDATE cases SET status = 'reversed' WHERE id = $1 AND status <> 'reversed'",
                &[case.into()],
            )? > 0
            {
                audit::append(
                    tx,
                    &t,
                    who,
                    "case.reverse",
                    case,
                    reason,
                    &json!({"actions": keys.len()}),
                )?;
            }
            Ok(out)
        })
    }

    // ---- appeals ----

    /// Opens an appeal for an account. Fails with [`Error::Conflict`] if one is already open.
    pub fn open_appeal(&mut self, account: &str, who: &str, reason: &str) -> Result<Appeal> {
        if account.is_empty() {
            return Err(invalid_input_err!("an appeal needs an account"));
        }
        let t = now();
        self.conn.write(|tx| {
            let open = tx.query(
                "SELECT id FROM appeals WHERE account = $1 AND status = 'open'",
                &[account.into()],
            )?;
            if let Some(r) = open.first() {
                return Err(Error::Conflict(format!(
                    "account {account:?} already has open appeal {}",
                    r[0].int()?
                )));
            }
            let rows = tx.query(
                &format!(
                    "INSERT INTO appeals (account, status, reason, opened_by, opened_at) \
                     VALUES ($1, 'open', $2, $3, $4) RETURNING {APPEAL_COLUMNS}"
                ),
                &[account.into(), reason.into(), who.into(), t.as_str().into()],
            )?;
            let appeal = appeal_from_row(
                rows.first()
                    .ok_or_else(|| internal_err!("INSERT … RETURNING returned no row"))?,
            )?;
            audit::append(
                tx,
                &t,
                who,
                "appeal.open",
                &appeal.id.to_string(),
                reason,
                &json!({"account": account}),
            )?;
            Ok(appeal)
        })
    }

    /// Decides an open appeal. Granting it requests the undo of every live action on the
    /// account (delivered by [`Store::deliver`]).
    pub fn decide_appeal(
        &mut self,
        id: i64,
        grant: bool,
        who: &str,
        reason: &str,
    ) -> Result<(Appeal, Vec<UndoOutcome>)> {
        let t = now();
        self.conn.write(|tx| {
            let rows = tx.query(
                &format!("SELECT {APPEAL_COLUMNS} FROM appeals WHERE id = $1"),
                &[Value::Int(id)],
            )?;
            let mut appeal = appeal_from_row(
                rows.first()
                    .ok_or_else(|| Error::NotFound(format!("appeal {id}")))?,
            )?;
            if appeal.status != AppealStatus::Open {
                return Err(Error::Conflict(format!(
                    "appeal {id} was already {} by {} at {}",
                    appeal.status.as_str(),
                    appeal.decided_by.as_deref().unwrap_or("?"),
                    appeal.decided_at.as_deref().unwrap_or("?")
                )));
            }
            let status = if grant {
                AppealStatus::Granted
            } else {
                AppealStatus::Denied
            };
            tx.exec(
                "UPDATE appeals SET status = $2, decided_by = $3, decided_at = $4, decision_reason = $5 WHERE id = $1",
                &[
                    Value::Int(id),
                    status.as_str().into(),
                    who.into(),
                    t.as_str().into(),
                    reason.into(),
                ],
            )?;
            appeal.status = status;
            appeal.decided_by = Some(who.to_owned());
            appeal.decided_at = Some(t.clone());
            appeal.decision_reason = Some(reason.to_owned());
            let keys = if grant {
                live_keys(tx, "account", &appeal.account)?
            } else {
                Vec::new()
            };
            audit::append(
                tx,
                &t,
                who,
                if grant { "appeal.grant" } else { "appeal.deny" },
                &id.to_string(),
                reason,
                &json!({"account": appeal.account, "undo": keys}),
            )?;
            let undone = undo_in_tx(
                tx,
                &keys,
                &t,
                who,
                &format!("appeal {id} granted: {reason}"),
                "action.undo_request",
            )?;
            Ok((appeal, undone))
        })
    }

    /// Appeals, newest first; only open ones if `open_only`.
    pub fn appeals(&mut self, open_only: bool) -> Result<Vec<Appeal>> {
        self.conn.read(|tx| {
            let filter = if open_only {
                "WHERE status = 'open'"
            } else {
                ""
            };
            tx.query(
                &format!("SELECT {APPEAL_COLUMNS} FROM appeals {filter} ORDER BY id DESC"),
                &[],
            )?
            .iter()
            .map(appeal_from_row)
            .collect()
        })
    }

    // ---- bans ----

    /// Banned vendors; lifted bans too if `include_lifted`.
    pub fn bans(&mut self, include_lifted: bool) -> Result<Vec<Ban>> {
        self.conn.read(|tx| {
            let filter = if include_lifted {
                ""
            } else {
                "WHERE lifted_at IS NULL"
            };
            tx.query(
                &format!(
                    "SELECT operation, kind, action_key, devices, ip_ranges, app_ids, behaviour, \
                     banned_at, banned_by, lifted_at, device_fingerprints, customers, profile \
                     FROM bans {filter} ORDER BY operation"
                ),
                &[],
            )?
            .iter()
            .map(|r| {
                Ok(Ban {
                    operation: r[0].text()?.to_owned(),
                    kind: r[1].text()?.to_owned(),
                    action_key: r[2].text()?.to_owned(),
                    devices: serde_json::from_str(r[3].text()?)?,
                    ip_ranges: serde_json::from_str(r[4].text()?)?,
                    app_ids: serde_json::from_str(r[5].text()?)?,
                    behaviour: serde_json::from_str(r[6].text()?)?,
                    device_fingerprints: serde_json::from_str(r[10].text()?)?,
                    customers: serde_json::from_str(r[11].text()?)?,
                    profile: serde_json::from_str(r[12].text()?)?,
                    banned_at: r[7].text()?.to_owned(),
                    banned_by: r[8].text()?.to_owned(),
                    lifted_at: r[9].opt_text()?,
                })
            })
            .collect()
        })
    }

    // ---- audit ----

    /// Appends an entry to the audit log (for steps outside the store's own methods).
    pub fn audit_append(
        &mut self,
        who: &str,
        action: &str,
        subject: &str,
        reason: &str,
        payload: &serde_json::Value,
    ) -> Result<AuditEntry> {
        let t = now();
        self.conn
            .write(|tx| audit::append(tx, &t, who, action, subject, reason, payload))
    }

    /// The last `limit` entries, oldest first.
    pub fn audit_tail(&mut self, limit: usize) -> Result<Vec<AuditEntry>> {
        self.conn.read(|tx| {
            let mut v = tx
                .query(
                    &format!(
                        "SELECT {} FROM audit_log ORDER BY seq DESC LIMIT $1",
                        audit::COLUMNS
                    ),
                    &[Value::Int(limit as i64)],
                )?
                .iter()
                .map(audit::from_row)
                .collect::<Result<Vec<_>>>()?;
            v.reverse();
            Ok(v)
        })
    }

    /// Entries about one subject (an action key, an appeal id…), oldest first.
    pub fn audit_for(&mut self, subject: &str) -> Result<Vec<AuditEntry>> {
        self.conn.read(|tx| {
            tx.query(
                &format!(
                    "SELECT {} FROM audit_log WHERE subject = $1 ORDER BY seq",
                    audit::COLUMNS
                ),
                &[subject.into()],
            )?
            .iter()
            .map(audit::from_row)
            .collect()
        })
    }

    /// Counts audit entries by `action` (e.g. how many `action.apply`).
    pub fn audit_count(&mut self, action: &str) -> Result<u64> {
        self.conn.read(|tx| {
            let rows = tx.query(
                "SELECT COUNT(*) FROM audit_log WHERE action = $1",
                &[action.into()],
            )?;
            Ok(rows.first().map_or(Ok(0), |r| r[0].int())? as u64)
        })
    }

    /// The entry with this hash, if the chain has one (to check a published head).
    pub fn audit_entry_by_hash(&mut self, hash: &str) -> Result<Option<AuditEntry>> {
        self.conn.read(|tx| {
            tx.query(
                &format!("SELECT {} FROM audit_log WHERE hash = $1", audit::COLUMNS),
                &[hash.into()],
            )?
            .first()
            .map(audit::from_row)
            .transpose()
        })
    }

    /// Walks the chain and reports the first broken link.
    pub fn audit_verify(&mut self) -> Result<VerifyReport> {
        self.conn.read(audit::verify)
    }
}

/// Keys of `pending` or `applied` actions whose `column` (account or operation) is `value`.
fn live_keys(tx: &mut dyn Tx, column: &str, value: &str) -> Result<Vec<String>> {
    tx.query(
        &format!(
            "SELECT key FROM actions WHERE {column} = $1 AND status IN ('pending', 'applied') ORDER BY key"
        ),
        &[value.into()],
    )?
    .iter()
    .map(|r| r[0].text().map(str::to_owned))
    .collect()
}

fn undo_in_tx(
    tx: &mut dyn Tx,
    keys: &[String],
    t: &str,
    who: &str,
    reason: &str,
    audit_action: &str,
) -> Result<Vec<UndoOutcome>> {
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let rows = tx.query(
            "SELECT status FROM actions WHERE key = $1",
            &[key.as_str().into()],
        )?;
        let before = ActionStatus::parse(
            rows.first()
                .ok_or_else(|| Error::NotFound(format!("action {key}")))?[0]
                .text()?,
        )?;
        let changed = matches!(before, ActionStatus::Pending | ActionStatus::Applied);
        if changed {
            tx.exec(
                "UPDATE actions SET status = 'undo_pending', undo_requested_at = $2, undo_reason = $3 WHERE key = $1",
                &[key.as_str().into(), t.into(), reason.into()],
            )?;
            audit::append(
                tx,
                t,
                who,
                audit_action,
                key,
                reason,
                &json!({"before": before}),
            )?;
        }
        out.push(UndoOutcome {
            key: key.clone(),
            before,
            changed,
        });
    }
    Ok(out)
}

/// The ban record of a `ban_vendor` action's payload.
fn ban_record(key: &str, payload: &serde_json::Value) -> Result<lockstep_findings::BanRecord> {
    serde_json::from_value(payload.clone()).map_err(|e| {
        invalid_input_err!("ban_vendor action {key}: its payload is not a ban record: {e}")
    })
}

fn record_ban(tx: &mut dyn Tx, a: &Action, t: &str, who: &str) -> Result<()> {
    let r = ban_record(&a.key, &a.payload)?;
    let behaviour = if r.behaviour.is_object() {
        r.behaviour.to_string()
    } else {
        "{}".to_owned()
    };
    tx.exec(
        "INSERT INTO bans (operation, kind, action_key, devices, ip_ranges, app_ids, behaviour, banned_at, banned_by, \
         device_fingerprints, customers, profile) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (operation) DO UPDATE SET action_key = excluded.action_key, devices = excluded.devices, \
         ip_ranges = excluded.ip_ranges, app_ids = excluded.app_ids, behaviour = excluded.behaviour, \
         banned_at = excluded.banned_at, banned_by = excluded.banned_by, lifted_at = NULL, \
         device_fingerprints = excluded.device_fingerprints, customers = excluded.customers, \
         profile = excluded.profile",
        &[
            a.subject.as_str().into(),
            r.kind.as_str().into(),
            a.key.as_str().into(),
            serde_json::to_string(&r.devices)?.into(),
            serde_json::to_string(&r.ip_ranges)?.into(),
            serde_json::to_string(&r.app_ids)?.into(),
            behaviour.into(),
            t.into(),
            who.into(),
            serde_json::to_string(&r.device_fingerprints)?.into(),
            serde_json::to_string(&r.customers)?.into(),
            serde_json::to_string(&r.profile)?.into(),
        ],
    )?;
    Ok(())
}
