//! The append-only, hash-chained audit log: entries, their canonical form, and verification.
//!
//! Each entry's `hash` is the lowercase hex SHA-256 of its canonical serialisation, the compact
//! JSON array
//!
//! ```text
//! [seq, time, actor, action, subject, reason, payload, prev_hash]
//! ```
//!
//! where `seq` is a number, every other field a JSON string (`payload` is the stored JSON text,
//! as a string), and `prev_hash` is the previous entry's `hash` (64 zeros for entry 1). Anyone
//! with the database can recompute the chain, e.g. in Python with
//! `json.dumps([...], separators=(",", ":"), ensure_ascii=False)`.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::Result;
use crate::db::{Row, Tx, Value};
use crate::model::hex;

/// `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When (RFC 3339, UTC, milliseconds).
    pub time: String,
    /// Who did it.
    pub actor: String,
    /// What was done, e.g. `action.apply`, `appeal.grant`.
    pub action: String,
    /// What it was done to: an action key, account, appeal id, operation.
    pub subject: String,
    /// Why, in the actor's words.
    pub reason: String,
    /// Details, canonical JSON text.
    pub payload: String,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

impl AuditEntry {
    /// The canonical serialisation the hash covers.
    pub fn canonical(&self) -> String {
        canonical(
            self.seq,
            &self.time,
            &self.actor,
            &self.action,
            &self.subject,
            &self.reason,
            &self.payload,
            &self.prev_hash,
        )
    }

    /// The hash this entry should carry, recomputed from its fields.
    pub fn compute_hash(&self) -> String {
        sha256_hex(self.canonical().as_bytes())
    }
}

#[expect(clippy::too_many_arguments, reason = "one argument per hashed field")]
fn canonical(
    seq: i64,
    time: &str,
    actor: &str,
    action: &str,
    subject: &str,
    reason: &str,
    payload: &str,
    prev_hash: &str,
) -> String {
    serde_json::to_string(&(
        seq, time, actor, action, subject, reason, payload, prev_hash,
    ))
    .expect("a tuple of strings and a number serialises")
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub(crate) const COLUMNS: &str =
    "seq, time, actor, action, subject, reason, payload, prev_hash, hash";

pub(crate) fn from_row(r: &Row) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r[0].int()?,
        time: r[1].text()?.to_owned(),
        actor: r[2].text()?.to_owned(),
        action: r[3].text()?.to_owned(),
        subject: r[4].text()?.to_owned(),
        reason: r[5].text()?.to_owned(),
        payload: r[6].text()?.to_owned(),
        prev_hash: r[7].text()?.to_owned(),
        hash: r[8].text()?.to_owned(),
    })
}

/// Appends one entry inside the caller's write transaction.
pub(crate) fn append(
    tx: &mut dyn Tx,
    time: &str,
    actor: &str,
    action: &str,
    subject: &str,
    reason: &str,
    payload: &serde_json::Value,
) -> Result<AuditEntry> {
    let last = tx.query(
        "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
        &[],
    )?;
    let (seq, prev_hash) = match last.first() {
        Some(r) => (r[0].int()? + 1, r[1].text()?.to_owned()),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let mut e = AuditEntry {
        seq,
        time: time.to_owned(),
        actor: actor.to_owned(),
        action: action.to_owned(),
        subject: subject.to_owned(),
        reason: reason.to_owned(),
        payload: payload.to_string(),
        prev_hash,
        hash: String::new(),
    };
    e.hash = e.compute_hash();
    tx.exec(
        &format!("INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"),
        &[
            Value::Int(e.seq),
            e.time.as_str().into(),
            e.actor.as_str().into(),
            e.action.as_str().into(),
            e.subject.as_str().into(),
            e.reason.as_str().into(),
            e.payload.as_str().into(),
            e.prev_hash.as_str().into(),
            e.hash.as_str().into(),
        ],
    )?;
    Ok(e)
}

/// How the chain breaks at an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Break {
    /// The entry's fields no longer hash to its stored hash: it was changed.
    ContentChanged {
        /// Hash recomputed from the fields.
        expected: String,
        /// Hash stored in the entry.
        found: String,
    },
    /// The entry's `prev_hash` is not the previous entry's hash: an entry before it was
    /// changed, removed or moved.
    PrevHashMismatch {
        /// The previous entry's hash (or the genesis hash).
        expected: String,
        /// The entry's `prev_hash`.
        found: String,
    },
    /// Sequence numbers jump or repeat: entries were removed or moved.
    SeqGap {
        /// The sequence number that should come next.
        expected: i64,
        /// The one found.
        found: i64,
    },
}

/// The first broken link of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    /// Sequence number of the entry where the chain breaks.
    pub seq: i64,
    /// How.
    #[serde(flatten)]
    pub problem: Break,
}

impl std::fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.problem {
            Break::ContentChanged { expected, found } => write!(
                f,
                "entry {}: contents changed: its fields hash to {expected}, the stored hash is {found}",
                self.seq
            ),
            Break::PrevHashMismatch { expected, found } => write!(
                f,
                "entry {}: prev_hash expected {expected} (the previous entry's hash), found {found}: an earlier entry was changed, removed or moved",
                self.seq
            ),
            Break::SeqGap { expected, found } => write!(
                f,
                "entry {found}: expected entry {expected} here: entries were removed or moved"
            ),
        }
    }
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Entries read.
    pub entries: u64,
    /// The last entry's sequence number and hash (publish it to detect a truncated tail).
    pub head: Option<(i64, String)>,
    /// The first broken link, if any.
    pub broken: Option<BrokenLink>,
}

impl VerifyReport {
    /// True if the chain verified.
    pub fn ok(&self) -> bool {
        self.broken.is_none()
    }
}

/// Walks the whole chain in `seq` order, a page at a time, and stops at the first break.
pub(crate) fn verify(tx: &mut dyn Tx) -> Result<VerifyReport> {
    const PAGE: i64 = 10_000;
    let mut report = VerifyReport {
        entries: 0,
        head: None,
        broken: None,
    };
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut expected_seq = 1;
    let mut after = i64::MIN;
    loop {
        let rows = tx.query(
            &format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"),
            &[Value::Int(after), Value::Int(PAGE)],
        )?;
        let n = rows.len();
        for r in &rows {
            let e = from_row(r)?;
            report.entries += 1;
            let problem = if e.seq != expected_seq {
                Some(Break::SeqGap {
                    expected: expected_seq,
                    found: e.seq,
                })
            } else if e.compute_hash() != e.hash {
                Some(Break::ContentChanged {
                    expected: e.compute_hash(),
                    found: e.hash.clone(),
                })
            } else if e.prev_hash != prev_hash {
                Some(Break::PrevHashMismatch {
                    expected: prev_hash.clone(),
                    found: e.prev_hash.clone(),
                })
            } else {
                None
            };
            if let Some(problem) = problem {
                report.broken = Some(BrokenLink {
                    seq: e.seq,
                    problem,
                });
                report.head = Some((e.seq, e.hash));
                return Ok(report);
            }
            expected_seq += 1;
            after = e.seq;
            prev_hash = e.hash.clone();
            report.head = Some((e.seq, e.hash));
        }
        if (n as i64) < PAGE {
            return Ok(report);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_is_a_compact_json_array() {
        let e = AuditEntry {
            seq: 7,
            time: "2025-01-02T03:04:05.006Z".into(),
            actor: "ana".into(),
            action: "appeal.grant".into(),
            subject: "3".into(),
            reason: "said \"sorry\"".into(),
            payload: r#"{"a":1}"#.into(),
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        };
        assert_eq!(
            e.canonical(),
            format!(
                r#"[7,"2025-01-02T03:04:05.006Z","ana","appeal.grant","3","said \"sorry\"","{{\"a\":1}}","{GENESIS_HASH}"]"#
            )
        );
        assert_eq!(e.compute_hash().len(), 64);
    }
}
