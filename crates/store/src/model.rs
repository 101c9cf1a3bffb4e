//! The records the store keeps: actions and their kinds, cases, verdicts, appeals and bans.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// What an enforcement action does. The string forms are stable (they go into keys, plans,
/// sinks and the audit log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// Remove one fake engagement event (subject: the event id).
    RemoveEngagement,
    /// Show a target's corrected counts (subject: the target).
    CorrectCount,
    /// Challenge an account (captcha, phone or ID check) (subject: the account).
    ChallengeAccount,
    /// Disable an account that exists to sell engagement (subject: the account).
    DisableAccount,
    /// Secure a real person's compromised account: revoke the operation's third-party app
    /// tokens and force a password reset; never a ban (subject: the account).
    SecureAccount,
    /// Block a device id (subject: the device).
    BlockDevice,
    /// Block an IP range, IPv4 /24 or IPv6 /48 by default (subject: the CIDR).
    BlockIpRange,
    /// Block a third-party app id, an `api:<app>` client (subject: the app id).
    BlockApp,
    /// Ban the vendor behind an operation and record its fingerprints (subject: the operation).
    BanVendor,
}

impl ActionKind {
    /// Every kind, in the order a plan lists them within an operation.
    pub const ALL: [ActionKind; 9] = [
        ActionKind::BanVendor,
        ActionKind::BlockApp,
        ActionKind::BlockIpRange,
        ActionKind::BlockDevice,
        ActionKind::DisableAccount,
        ActionKind::SecureAccount,
        ActionKind::ChallengeAccount,
        ActionKind::RemoveEngagement,
        ActionKind::CorrectCount,
    ];

    /// The stable string form, e.g. `disable_account`.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::RemoveEngagement => "remove_engagement",
            ActionKind::CorrectCount => "correct_count",
            ActionKind::ChallengeAccount => "challenge_account",
            ActionKind::DisableAccount => "disable_account",
            ActionKind::SecureAccount => "secure_account",
            ActionKind::BlockDevice => "block_device",
            ActionKind::BlockIpRange => "block_ip_range",
            ActionKind::BlockApp => "block_app",
            ActionKind::BanVendor => "ban_vendor",
        }
    }
}

impl std::fmt::Display for ActionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ActionKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        ActionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| invalid_input_err!("unknown action kind {s:?}"))
    }
}

/// The stable key of an action: lowercase hex SHA-256 of `kind`, `subject` and `operation`
/// joined by `\n` (`operation` is empty for an action outside any operation).
pub fn action_key(kind: ActionKind, subject: &str, operation: &str) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_str().as_bytes());
    h.update(b"\n");
    h.update(subject.as_bytes());
    h.update(b"\n");
    h.update(operation.as_bytes());
    hex(&h.finalize())
}

/// Lowercase hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Where an action is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// Recorded, not yet confirmed delivered.
    Pending,
    /// Delivered to the sink and marked applied.
    Applied,
    /// An undo was requested and is not yet confirmed delivered.
    UndoPending,
    /// The undo was delivered; the action no longer holds.
    Undone,
}

impl ActionStatus {
    /// The stable string form stored in the `status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Pending => "pending",
            ActionStatus::Applied => "applied",
            ActionStatus::UndoPending => "undo_pending",
            ActionStatus::Undone => "undone",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "pending" => ActionStatus::Pending,
            "applied" => ActionStatus::Applied,
            "undo_pending" => ActionStatus::UndoPending,
            "undone" => ActionStatus::Undone,
            other => {
                return Err(internal_err!(
                    "unknown action status {other:?} in the store"
                ));
            }
        })
    }
}

impl std::fmt::Display for ActionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An action to record (from a plan).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAction {
    /// [`action_key`] of kind, subject and operation.
    pub key: String,
    /// What it does.
    pub kind: ActionKind,
    /// What it acts on: an event, account, device, CIDR, app id, target or operation.
    pub subject: String,
    /// The operation it belongs to, or empty.
    #[serde(default)]
    pub operation: String,
    /// The account whose appeal can undo it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Why, in words and reason codes.
    #[serde(default)]
    pub reason: String,
    /// Kind-specific details handed to the sink.
    #[serde(default)]
    pub payload: serde_json::Value,
}

impl NewAction {
    /// Builds an action and its key.
    pub fn new(
        kind: ActionKind,
        subject: impl Into<String>,
        operation: impl Into<String>,
        reason: impl Into<String>,
        payload: serde_json::Value,
    ) -> NewAction {
        let subject = subject.into();
        let operation = operation.into();
        NewAction {
            key: action_key(kind, &subject, &operation),
            kind,
            subject,
            operation,
            account: None,
            reason: reason.into(),
            payload,
        }
    }

    /// Sets the account an appeal by that account can undo this action for.
    pub fn with_account(mut self, account: impl Into<String>) -> NewAction {
        self.account = Some(account.into());
        self
    }

    /// Checks that the key matches kind, subject and operation.
    pub fn check_key(&self) -> Result<()> {
        let want = action_key(self.kind, &self.subject, &self.operation);
        if want != self.key {
            return Err(invalid_input_err!(
                "action {} ({} {}): key does not match kind, subject and operation (want {want})",
                self.key,
                self.kind,
                self.subject
            ));
        }
        Ok(())
    }
}

/// An action as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    /// Stable key.
    pub key: String,
    /// What it does.
    pub kind: ActionKind,
    /// What it acts on.
    pub subject: String,
    /// The operation, or empty.
    pub operation: String,
    /// The account it concerns, if any.
    pub account: Option<String>,
    /// Why.
    pub reason: String,
    /// Kind-specific details.
    pub payload: serde_json::Value,
    /// The plan that first recorded it.
    pub plan_id: String,
    /// Where it is in its life.
    pub status: ActionStatus,
    /// When it was recorded.
    pub recorded_at: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When it was marked applied.
    pub applied_at: Option<String>,
    /// Why it was undone, if it was.
    pub undo_reason: Option<String>,
    /// When the undo was delivered.
    pub undone_at: Option<String>,
}

/// A case to open: one operation under review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCase {
    /// The operation id.
    pub id: String,
    /// The operation's kind, e.g. `like-farm`.
    pub kind: String,
    /// Summary details (counts, score, span).
    pub details: serde_json::Value,
}

/// A case as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// The operation id.
    pub id: String,
    /// The operation's kind.
    pub kind: String,
    /// `open`, `actioned` or `reversed`.
    pub status: String,
    /// When it was opened.
    pub opened_at: String,
    /// Who opened it.
    pub opened_by: String,
    /// Summary details.
    pub details: serde_json::Value,
}

/// A verdict on one account, as recorded from a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewVerdict {
    /// The account.
    pub account: String,
    /// `ok`, `suspicious`, `fake` or `compromised`.
    pub verdict: String,
    /// Score in [0, 1].
    pub score: f64,
    /// The operation (case), or empty.
    #[serde(default)]
    pub operation: String,
    /// `;`-separated reason codes.
    #[serde(default)]
    pub reasons: String,
}

/// An appeal's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealStatus {
    /// Waiting for a decision.
    Open,
    /// Granted: the account's actions were undone.
    Granted,
    /// Denied: the actions stand.
    Denied,
}

impl AppealStatus {
    /// The stable string form.
    pub fn as_str(self) -> &'static str {
        match self {
            AppealStatus::Open => "open",
            AppealStatus::Granted => "granted",
            AppealStatus::Denied => "denied",
        }
    }
    pub(crate) fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "open" => AppealStatus::Open,
            "granted" => AppealStatus::Granted,
            "denied" => AppealStatus::Denied,
            other => {
                return Err(internal_err!(
                    "unknown appeal status {other:?} in the store"
                ));
            }
        })
    }
}

/// An appeal as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Appeal {
    /// Its id.
    pub id: i64,
    /// The account appealing.
    pub account: String,
    /// Open, granted or denied.
    pub status: AppealStatus,
    /// Why the account holder appeals.
    pub reason: String,
    /// Who opened it.
    pub opened_by: String,
    /// When.
    pub opened_at: String,
    /// Who decided it.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<String>,
    /// Why it was decided so.
    pub decision_reason: Option<String>,
}

/// A banned vendor and the fingerprints to recognise it by.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ban {
    /// The operation id.
    pub operation: String,
    /// The operation's kind.
    pub kind: String,
    /// The `ban_vendor` action that recorded it.
    pub action_key: String,
    /// Device ids.
    pub devices: Vec<String>,
    /// IP ranges (CIDR).
    pub ip_ranges: Vec<String>,
    /// Third-party app ids.
    pub app_ids: Vec<String>,
    /// Behaviour fingerprint (JSON object: kind, signals, sizes, span…).
    pub behaviour: serde_json::Value,
    /// Device fingerprints: model, OS, build and screen, with the operation's devices with it
    /// and the devices outside it at ban time.
    pub device_fingerprints: Vec<lockstep_findings::DeviceFingerprint>,
    /// The accounts the operation served (owners of what it engaged with).
    pub customers: Vec<String>,
    /// The rest of its behaviour: IP ranges with account counts, hours, delivery, clients,
    /// whether it ran through real people's accounts (empty for bans recorded before schema 2).
    pub profile: lockstep_findings::BanProfile,
    /// When.
    pub banned_at: String,
    /// Who.
    pub banned_by: String,
    /// When the ban was lifted (undone), if it was.
    pub lifted_at: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_strings() {
        for k in ActionKind::ALL {
            assert_eq!(k.as_str().parse::<ActionKind>().unwrap(), k);
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
    }

    #[test]
    fn keys_are_stable_and_separate_fields() {
        let a = action_key(ActionKind::BlockDevice, "d1", "op1");
        assert_eq!(a, action_key(ActionKind::BlockDevice, "d1", "op1"));
        assert_ne!(a, action_key(ActionKind::BlockDevice, "d1\nop1", ""));
        assert_eq!(a.len(), 64);
    }
}
