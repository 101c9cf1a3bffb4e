//! Building a reviewable enforcement plan from findings and a policy, and reading it back.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;
use std::path::Path;

use lockstep_store::{ActionKind, NewAction, NewCase, NewVerdict};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::{Result, invalid_input_err, io};
use crate::findings::{Correction, Findings, Operation};
use crate::policy::{FakeAction, Policy, SuspiciousAction};

/// The plan format version this build writes and the newest it reads.
pub const PLAN_SCHEMA_VERSION: u32 = 1;

/// One operation as the plan sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanOperation {
    /// Operation id; also the case id.
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// Member accounts (from `operations.json` and `verdicts.csv`).
    pub accounts: u64,
    /// True if it ran through real people's (compromised) accounts: its devices and IPs are
    /// the victims' and are not blocked unless the policy says so.
    pub through_real_accounts: bool,
    /// Its score, if the findings gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// A reviewable enforcement plan: what would be done, and why. Deterministic: the same findings
/// and policy give the same plan, byte for byte.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// [`PLAN_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// SHA-256 of the policy version and every action key, in order.
    pub plan_id: String,
    /// The findings directory it was built from.
    pub findings: String,
    /// The policy's `version`.
    pub policy_version: String,
    /// The whole policy used.
    pub policy: Policy,
    /// Actions per kind.
    pub summary: BTreeMap<String, u64>,
    /// The operations (cases).
    pub operations: Vec<PlanOperation>,
    /// Verdicts on the accounts acted on, recorded by `apply`.
    pub verdicts: Vec<NewVerdict>,
    /// Corrected engagement counts per target.
    pub corrections: Vec<Correction>,
    /// What was missing, skipped or withheld, one line each.
    pub notes: Vec<String>,
    /// The actions, grouped by operation.
    pub actions: Vec<NewAction>,
}

impl Plan {
    /// The action keys, in plan order.
    pub fn keys(&self) -> Vec<String> {
        self.actions.iter().map(|a| a.key.clone()).collect()
    }

    /// The cases to open for this plan's operations.
    pub fn cases(&self) -> Vec<NewCase> {
        self.operations
            .iter()
            .map(|o| NewCase {
                id: o.id.clone(),
                kind: o.kind.clone(),
                details: json!({
                    "accounts": o.accounts,
                    "through_real_accounts": o.through_real_accounts,
                    "score": o.score,
                    "plan": self.plan_id,
                }),
            })
            .collect()
    }

    /// Writes the plan as pretty JSON.
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| invalid_input_err!("plan does not serialise: {e}"))?;
        text.push('\n');
        std::fs::write(path, text).map_err(io(path))
    }

    /// Reads a plan and checks its version and every action key.
    pub fn read(path: &Path) -> Result<Plan> {
        let text = std::fs::read(path).map_err(io(path))?;
        let plan: Plan = serde_json::from_slice(&text)
            .map_err(|e| invalid_input_err!("{}: not a plan: {e}", path.display()))?;
        if plan.schema_version > PLAN_SCHEMA_VERSION {
            return Err(invalid_input_err!(
                "{}: plan schema_version {} is newer than this build's {PLAN_SCHEMA_VERSION}",
                path.display(),
                plan.schema_version
            ));
        }
        for a in &plan.actions {
            a.check_key()
                .map_err(|e| invalid_input_err!("{}: {e}", path.display()))?;
        }
        Ok(plan)
    }
}

/// The range containing an IP address (or a CIDR's address): IPv4 to `v4` bits, IPv6 to `v6`
/// bits, e.g. `203.0.113.0/24`, `2001:db8:1::/48`. `None` if it is not an address.
pub fn ip_range(ip: &str, v4: u8, v6: u8) -> Option<String> {
    let addr = ip.split('/').next()?.trim();
    let addr = addr.trim_start_matches('[').trim_end_matches(']');
    match addr.parse::<IpAddr>().ok()? {
        IpAddr::V4(a) => {
            let bits = u32::from(a) & (u32::MAX.checked_shl(32 - u32::from(v4)).unwrap_or(0));
            Some(format!("{}/{v4}", std::net::Ipv4Addr::from(bits)))
        }
        IpAddr::V6(a) => {
            let bits = u128::from(a) & (u128::MAX.checked_shl(128 - u32::from(v6)).unwrap_or(0));
            Some(format!("{}/{v6}", std::net::Ipv6Addr::from(bits)))
        }
    }
}

/// The strings of a JSON array field (others skipped).
fn strings(v: Option<&serde_json::Value>) -> Vec<String> {
    v.and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A `ban_vendor` payload: the operation's infrastructure and behaviour, from its
/// `operations.json` entry and the `fingerprint` the scan wrote there (when present). An
/// operation run through real people's accounts records no devices, device fingerprints or
/// IP ranges (they are the victims'), unless `block_infra`.
fn ban_payload(
    o: &Operation,
    apps: &[String],
    ranges: &[String],
    block_infra: bool,
    through_real: bool,
) -> serde_json::Value {
    let mut behaviour = o.behaviour.clone();
    let fp = behaviour
        .as_object_mut()
        .and_then(|b| b.remove("fingerprint"))
        .unwrap_or_else(|| json!({}));
    let union = |a: &[String], b: Vec<String>| {
        let mut v: Vec<String> = a.iter().cloned().chain(b).collect();
        v.sort();
        v.dedup();
        v
    };
    let (devices, ip_ranges, device_fingerprints, range_use) = if block_infra {
        (
            union(&o.devices, strings(fp.get("devices"))),
            ranges.to_vec(),
            fp.get("device_fingerprints").cloned().unwrap_or(json!([])),
            fp.get("ip_ranges").cloned().unwrap_or(json!([])),
        )
    } else {
        (Vec::new(), Vec::new(), json!([]), json!([]))
    };
    json!({
        "kind": o.kind,
        "devices": devices,
        "ip_ranges": ip_ranges,
        "app_ids": union(apps, strings(fp.get("app_ids"))),
        "device_fingerprints": device_fingerprints,
        "customers": strings(fp.get("customers")),
        "profile": {
            "ip_ranges": range_use,
            "hours": fp.get("hours").cloned().unwrap_or(json!([])),
            "delivery": fp.get("delivery").cloned().unwrap_or(json!({})),
            "clients": fp.get("clients").cloned().unwrap_or(json!([])),
            "through_real_accounts": through_real,
        },
        "behaviour": behaviour,
    })
}

/// Builds the plan. `label` names the findings (usually the directory path).
pub fn build_plan(findings: &Findings, policy: &Policy, label: &str) -> Plan {
    let mut notes = findings.notes.clone();
    let verdict_of: HashMap<&str, &crate::findings::VerdictRow> = findings
        .verdicts
        .iter()
        .map(|v| (v.account.as_str(), v))
        .collect();

    // Operations: from operations.json, plus any named only in verdicts or flagged events.
    let mut ops: BTreeMap<String, Operation> = BTreeMap::new();
    for o in &findings.operations {
        ops.entry(o.id.clone()).or_insert_with(|| o.clone());
    }
    let named = findings
        .verdicts
        .iter()
        .filter(|v| v.verdict != "ok")
        .map(|v| &v.operation)
        .chain(findings.flagged.iter().map(|e| &e.operation));
    for id in named.filter(|id| !id.is_empty()) {
        ops.entry(id.clone()).or_insert_with(|| Operation {
            id: id.clone(),
            kind: String::new(),
            accounts: Vec::new(),
            ips: Vec::new(),
            devices: Vec::new(),
            clients: Vec::new(),
            score: None,
            behaviour: json!({}),
        });
    }
    let mut members: HashMap<&str, HashSet<&str>> = HashMap::new();
    for o in ops.values() {
        members
            .entry(&o.id)
            .or_default()
            .extend(o.accounts.iter().map(String::as_str));
    }
    for v in &findings.verdicts {
        if !v.operation.is_empty() {
            members.entry(&v.operation).or_default().insert(&v.account);
        }
    }

    let mut actions: Vec<NewAction> = Vec::new();
    let mut plan_ops = Vec::new();
    let mut apps_of: HashMap<&str, Vec<String>> = HashMap::new();
    for o in ops.values() {
        let m = members.get(o.id.as_str()).cloned().unwrap_or_default();
        let judged: Vec<&str> = m
            .iter()
            .filter_map(|a| verdict_of.get(a).map(|v| v.verdict.as_str()))
            .collect();
        let compromised = judged.iter().filter(|v| **v == "compromised").count();
        let through_real = o.kind == "vendor-app"
            || (!judged.is_empty()
                && compromised as f64 / judged.len() as f64 >= policy.victim_share);
        let apps: Vec<String> = o
            .clients
            .iter()
            .filter_map(|c| c.strip_prefix("api:"))
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect();
        apps_of.insert(&o.id, apps.clone());
        let mut ranges: Vec<String> = Vec::new();
        for ip in &o.ips {
            match ip_range(ip, policy.ipv4_prefix, policy.ipv6_prefix) {
                Some(r) => ranges.push(r),
                None => notes.push(format!("operation {}: {ip:?} is not an IP address", o.id)),
            }
        }
        ranges.sort();
        ranges.dedup();
        let block_infra = !through_real || policy.block_victim_infrastructure;
        if through_real
            && !policy.block_victim_infrastructure
            && !(o.devices.is_empty() && ranges.is_empty())
        {
            notes.push(format!(
                "operation {}: runs through real people's accounts; its {} devices and {} IP ranges are theirs and are not blocked (block_victim_infrastructure = false)",
                o.id,
                o.devices.len(),
                ranges.len()
            ));
        }
        let kind_reason = if o.kind.is_empty() {
            "operation".to_owned()
        } else {
            o.kind.clone()
        };
        if policy.ban_vendors {
            actions.push(NewAction::new(
                ActionKind::BanVendor,
                &o.id,
                &o.id,
                format!("vendor behind {kind_reason} {}", o.id),
                ban_payload(o, &apps, &ranges, block_infra, through_real),
            ));
        }
        if policy.block_apps {
            for app in &apps {
                actions.push(NewAction::new(
                    ActionKind::BlockApp,
                    app,
                    &o.id,
                    format!("third-party app used by {kind_reason} {}", o.id),
                    json!({"client": format!("api:{app}")}),
                ));
            }
        }
        if block_infra && policy.block_ip_ranges {
            for r in &ranges {
                actions.push(NewAction::new(
                    ActionKind::BlockIpRange,
                    r,
                    &o.id,
                    format!("addresses used by {kind_reason} {}", o.id),
                    json!({"ips": o.ips.iter().filter(|ip| ip_range(ip, policy.ipv4_prefix, policy.ipv6_prefix).as_ref() == Some(r)).collect::<Vec<_>>()}),
                ));
            }
        }
        if block_infra && policy.block_devices {
            for d in &o.devices {
                actions.push(NewAction::new(
                    ActionKind::BlockDevice,
                    d,
                    &o.id,
                    format!("device used by {kind_reason} {}", o.id),
                    json!({}),
                ));
            }
        }
        plan_ops.push(PlanOperation {
            id: o.id.clone(),
            kind: o.kind.clone(),
            accounts: m.len() as u64,
            through_real_accounts: through_real,
            score: o.score,
        });
    }

    // Accounts.
    let mut verdicts = Vec::new();
    let mut below = 0;
    for v in &findings.verdicts {
        if v.verdict == "ok" {
            continue;
        }
        if v.score < policy.min_score {
            below += 1;
            continue;
        }
        let reason = format!("{}: {}", v.verdict, v.reasons);
        let action = match v.verdict.as_str() {
            "fake" => Some(match policy.fake {
                FakeAction::Disable => NewAction::new(
                    ActionKind::DisableAccount,
                    &v.account,
                    &v.operation,
                    reason,
                    json!({"score": v.score}),
                ),
                FakeAction::Challenge => NewAction::new(
                    ActionKind::ChallengeAccount,
                    &v.account,
                    &v.operation,
                    reason,
                    json!({"score": v.score}),
                ),
            }),
            "compromised" if policy.secure_compromised => Some(NewAction::new(
                ActionKind::SecureAccount,
                &v.account,
                &v.operation,
                reason,
                json!({
                    "revoke_app_tokens": apps_of.get(v.operation.as_str()).cloned().unwrap_or_default(),
                    "force_password_reset": true,
                    "score": v.score,
                }),
            )),
            "suspicious" if policy.suspicious == SuspiciousAction::Challenge => {
                Some(NewAction::new(
                    ActionKind::ChallengeAccount,
                    &v.account,
                    &v.operation,
                    reason,
                    json!({"score": v.score}),
                ))
            }
            _ => None,
        };
        if let Some(a) = action {
            actions.push(a.with_account(&v.account));
        }
        verdicts.push(NewVerdict {
            account: v.account.clone(),
            verdict: v.verdict.clone(),
            score: v.score,
            operation: v.operation.clone(),
            reasons: v.reasons.clone(),
        });
    }
    if below > 0 {
        notes.push(format!(
            "{below} accounts scored below min_score {} were left alone",
            policy.min_score
        ));
    }

    // Engagement.
    if policy.remove_engagement {
        for e in &findings.flagged {
            let mut a = NewAction::new(
                ActionKind::RemoveEngagement,
                &e.event,
                &e.operation,
                format!("fake engagement: {}", e.reasons),
                json!({"target": e.target, "reasons": e.reasons}),
            );
            if let Some(actor) = &e.actor {
                a = a.with_account(actor);
            }
            actions.push(a);
        }
        if !findings.flagged.is_empty() && findings.flagged.iter().all(|e| e.actor.is_none()) {
            notes.push("flagged_events.csv has no actor column: a granted appeal restores the account but not its removed engagement".into());
        }
    }
    if policy.correct_counts {
        for c in &findings.corrections {
            actions.push(NewAction::new(
                ActionKind::CorrectCount,
                &c.target,
                "",
                format!("{} of {} engagements were fake", c.fake, c.reported),
                json!({"reported": c.reported, "fake": c.fake, "organic": c.organic}),
            ));
        }
    }

    // Stable order, one action per key.
    let rank = |k: ActionKind| ActionKind::ALL.iter().position(|x| *x == k).unwrap_or(0);
    actions.sort_by(|a, b| {
        (&a.operation, rank(a.kind), &a.subject).cmp(&(&b.operation, rank(b.kind), &b.subject))
    });
    let before = actions.len();
    let mut seen = HashSet::new();
    actions.retain(|a| seen.insert(a.key.clone()));
    if actions.len() < before {
        notes.push(format!(
            "{} duplicate actions dropped",
            before - actions.len()
        ));
    }

    let mut summary = BTreeMap::new();
    for a in &actions {
        *summary.entry(a.kind.as_str().to_owned()).or_insert(0) += 1;
    }
    let mut h = Sha256::new();
    h.update(policy.version.as_bytes());
    for a in &actions {
        h.update(b"\n");
        h.update(a.key.as_bytes());
    }
    let plan_id = h
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();

    Plan {
        schema_version: PLAN_SCHEMA_VERSION,
        plan_id,
        findings: label.to_owned(),
        policy_version: policy.version.clone(),
        policy: policy.clone(),
        summary,
        operations: plan_ops,
        verdicts,
        corrections: if policy.correct_counts {
            findings.corrections.clone()
        } else {
            Vec::new()
        },
        notes,
        actions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_mask_to_the_prefix() {
        assert_eq!(ip_range("203.0.113.77", 24, 48).unwrap(), "203.0.113.0/24");
        assert_eq!(ip_range("203.0.113.77/32", 16, 48).unwrap(), "203.0.0.0/16");
        assert_eq!(
            ip_range("2001:db8:1:2::5", 24, 48).unwrap(),
            "2001:db8:1::/48"
        );
        assert_eq!(ip_range("[::1]", 24, 128).unwrap(), "::1/128");
        assert!(ip_range("not-an-ip", 24, 48).is_none());
    }

    fn op(id: &str, kind: &str) -> Operation {
        Operation {
            id: id.into(),
            kind: kind.into(),
            accounts: vec!["v1".into(), "v2".into()],
            ips: vec!["192.0.2.10".into(), "192.0.2.99".into()],
            devices: vec!["phone-1".into()],
            clients: vec!["api:autolike".into(), "ios/17".into()],
            score: Some(0.8),
            behaviour: json!({"kind": kind}),
        }
    }

    fn verdict(account: &str, verdict: &str, operation: &str) -> crate::findings::VerdictRow {
        crate::findings::VerdictRow {
            account: account.into(),
            verdict: verdict.into(),
            score: 0.9,
            operation: operation.into(),
            reasons: "r".into(),
        }
    }

    #[test]
    fn victims_infrastructure_is_not_blocked_and_they_are_secured_not_banned() {
        let f = Findings {
            operations: vec![op("app-op", "vendor-app")],
            verdicts: vec![
                verdict("v1", "compromised", "app-op"),
                verdict("v2", "compromised", "app-op"),
            ],
            ..Findings::default()
        };
        let plan = build_plan(&f, &Policy::default(), "t");
        let kinds: Vec<ActionKind> = plan.actions.iter().map(|a| a.kind).collect();
        assert_eq!(
            kinds,
            [
                ActionKind::BanVendor,
                ActionKind::BlockApp,
                ActionKind::SecureAccount,
                ActionKind::SecureAccount
            ]
        );
        assert_eq!(plan.actions[0].payload["devices"], json!([]));
        assert_eq!(plan.actions[0].payload["app_ids"], json!(["autolike"]));
        assert_eq!(
            plan.actions[2].payload["revoke_app_tokens"],
            json!(["autolike"])
        );
        assert!(plan.operations[0].through_real_accounts);
        assert!(plan.notes.iter().any(|n| n.contains("not blocked")));
    }

    #[test]
    fn farm_infrastructure_is_blocked_and_policy_decides_suspicious() {
        let f = Findings {
            operations: vec![op("farm", "like-farm")],
            verdicts: vec![
                verdict("v1", "fake", "farm"),
                verdict("v2", "suspicious", "farm"),
                verdict("ok1", "ok", ""),
            ],
            ..Findings::default()
        };
        let plan = build_plan(&f, &Policy::default(), "t");
        assert_eq!(plan.summary.get("block_ip_range"), Some(&1), "one /24");
        assert_eq!(plan.summary.get("block_device"), Some(&1));
        assert_eq!(plan.summary.get("disable_account"), Some(&1));
        assert_eq!(plan.summary.get("challenge_account"), None);
        let strict = Policy {
            suspicious: SuspiciousAction::Challenge,
            ..Policy::default()
        };
        let plan2 = build_plan(&f, &strict, "t");
        assert_eq!(plan2.summary.get("challenge_account"), Some(&1));
        assert_ne!(plan.plan_id, plan2.plan_id);
        // Deterministic.
        assert_eq!(plan, build_plan(&f, &Policy::default(), "t"));
    }

    #[test]
    fn a_ban_records_the_scans_fingerprint() {
        let fp = json!({
            "devices": ["phone-1", "phone-2"],
            "device_fingerprints": [{"fingerprint": "M|14|b|1x2", "devices": 2, "outside_devices": 0}],
            "ip_ranges": [{"range": "192.0.2.0/24", "members": 2, "accounts": 2}],
            "app_ids": [], "customers": ["c1", "c2"], "hours": [1, 2],
            "delivery": {"orders": 3, "median_events": 40.0, "median_minutes": 6.0},
            "clients": [{"client": "ios/17", "share": 1.0}],
        });
        let mut farm = op("farm", "like-farm");
        farm.behaviour = json!({"kind": "like-farm", "fingerprint": fp});
        let mut app = op("app-op", "vendor-app");
        app.behaviour = json!({"kind": "vendor-app", "fingerprint": fp});
        let f = Findings {
            operations: vec![farm, app],
            ..Findings::default()
        };
        let plan = build_plan(&f, &Policy::default(), "t");
        let ban = |id: &str| {
            plan.actions
                .iter()
                .find(|a| a.kind == ActionKind::BanVendor && a.subject == id)
                .unwrap()
                .payload
                .clone()
        };
        let b = ban("farm");
        assert_eq!(b["devices"], json!(["phone-1", "phone-2"]));
        assert_eq!(b["device_fingerprints"][0]["devices"], 2);
        assert_eq!(b["customers"], json!(["c1", "c2"]));
        assert_eq!(b["profile"]["ip_ranges"][0]["members"], 2);
        assert_eq!(b["profile"]["delivery"]["orders"], 3);
        assert_eq!(b["profile"]["through_real_accounts"], false);
        assert_eq!(b["behaviour"], json!({"kind": "like-farm"}));
        // Through real people's accounts: their phones and networks are not recorded.
        let b = ban("app-op");
        assert_eq!(b["devices"], json!([]));
        assert_eq!(b["device_fingerprints"], json!([]));
        assert_eq!(b["profile"]["ip_ranges"], json!([]));
        assert_eq!(b["customers"], json!(["c1", "c2"]));
        assert_eq!(b["profile"]["through_real_accounts"], true);
    }
}
