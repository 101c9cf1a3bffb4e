//! Building a reviewable enforcement plan from findings and a policy, and reading it back.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;
use std::path::Path;

use lockstep_findings::{BanProfile, BanRecord};
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
    /// What the planned infrastructure blocks would touch, and what was held back.
    #[serde(default)]
    pub collateral: Collateral,
    /// Infrastructure blocks left out because of who else uses that infrastructure.
    #[serde(default)]
    pub withheld: Vec<Withheld>,
    /// The actions, grouped by operation.
    pub actions: Vec<NewAction>,
}

/// The measured collateral of a plan's infrastructure blocks (`infrastructure.csv`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Collateral {
    /// Whether the findings measured the use of the operations' infrastructure.
    pub measured: bool,
    /// Unflagged accounts (judged `ok` or `suspicious`) in `verdicts.csv`.
    pub unflagged_accounts: u64,
    /// Infrastructure blocks planned (ranges, addresses, devices, apps).
    pub blocks: u64,
    /// Unflagged accounts (judged `ok` or `suspicious`) that used a planned block's infrastructure, summed over the blocks
    /// (an upper bound on how many distinct people they touch).
    pub blocked_unflagged_accounts: u64,
    /// Their events through it.
    pub blocked_unflagged_events: u64,
    /// `blocked_unflagged_accounts / unflagged_accounts`.
    pub share: f64,
    /// Ranges narrowed to the operation's own addresses in them.
    pub narrowed: u64,
    /// Blocks withheld (listed in `withheld`).
    pub withheld: u64,
    /// Unflagged accounts (judged `ok` or `suspicious`) the withheld blocks would have touched (summed).
    pub withheld_unflagged_accounts: u64,
}

/// An infrastructure block left out of the plan, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Withheld {
    /// The action kind it would have been.
    pub kind: ActionKind,
    /// Its subject.
    pub subject: String,
    /// The operation.
    pub operation: String,
    /// Why it was left out.
    pub why: String,
    /// Accounts that used it (when measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<u64>,
    /// Unflagged accounts (judged `ok` or `suspicious`) among them (when measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unflagged_accounts: Option<u64>,
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
            if a.kind == ActionKind::BanVendor
                && let Err(e) = serde_json::from_value::<BanRecord>(a.payload.clone())
            {
                return Err(invalid_input_err!(
                    "{}: ban_vendor action {}: its payload is not a ban record: {e}",
                    path.display(),
                    a.key
                ));
            }
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

/// A field of a JSON object read as `T`, or `T`'s default when it is missing or not a `T`.
fn field<T: serde::de::DeserializeOwned + Default>(v: &serde_json::Value, name: &str) -> T {
    v.get(name)
        .and_then(|x| serde_json::from_value(x.clone()).ok())
        .unwrap_or_default()
}

/// A `ban_vendor` payload: the operation's [`BanRecord`], from its `operations.json` entry and
/// the `fingerprint` the scan wrote there (when present). An operation run through real
/// people's accounts records no devices, device fingerprints or IP ranges (they are the
/// victims'), unless `block_infra`; devices and apps that real people also used (`allowed`
/// says no) are not recorded either.
fn ban_payload(
    o: &Operation,
    apps: &[String],
    ranges: &[String],
    block_infra: bool,
    through_real: bool,
    allowed: &dyn Fn(&str, &str) -> bool,
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
    let mut record = BanRecord {
        kind: o.kind.clone(),
        app_ids: union(apps, strings(fp.get("app_ids"))),
        customers: strings(fp.get("customers")),
        profile: BanProfile {
            hours: field(&fp, "hours"),
            delivery: field(&fp, "delivery"),
            clients: field(&fp, "clients"),
            through_real_accounts: through_real,
            ..BanProfile::default()
        },
        behaviour,
        ..BanRecord::default()
    };
    record
        .app_ids
        .retain(|a| allowed("client", &format!("api:{a}")));
    if block_infra {
        record.devices = union(&o.devices, strings(fp.get("devices")));
        record.devices.retain(|d| allowed("device", d));
        record.ip_ranges = ranges.to_vec();
        record.device_fingerprints = field(&fp, "device_fingerprints");
        record.profile.ip_ranges = field(&fp, "ip_ranges");
    }
    serde_json::to_value(&record).unwrap_or_else(|_| json!({}))
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
    let mut cands: Vec<Cand> = Vec::new();
    #[allow(clippy::type_complexity)]
    let mut ops_kind_reason: HashMap<String, (String, Vec<String>, Vec<String>, bool, bool)> =
        HashMap::new();
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
        let cand = |kind: ActionKind, subject: &str, mkind: &'static str, payload| Cand {
            kind,
            subject: subject.to_owned(),
            operation: o.id.clone(),
            reason: match kind {
                ActionKind::BlockApp => format!("third-party app used by {kind_reason} {}", o.id),
                ActionKind::BlockDevice => format!("device used by {kind_reason} {}", o.id),
                _ => format!("addresses used by {kind_reason} {}", o.id),
            },
            payload,
            measure: (mkind, subject.to_owned()),
        };
        for app in &apps {
            cands.push(cand(
                ActionKind::BlockApp,
                app,
                "client",
                json!({"client": format!("api:{app}")}),
            ));
            cands.last_mut().expect("just pushed").measure.1 = format!("api:{app}");
        }
        if block_infra {
            for r in &ranges {
                let ips: Vec<&String> = o
                    .ips
                    .iter()
                    .filter(|ip| {
                        ip_range(ip, policy.ipv4_prefix, policy.ipv6_prefix).as_ref() == Some(r)
                    })
                    .collect();
                cands.push(cand(
                    ActionKind::BlockIpRange,
                    r,
                    "ip_range",
                    json!({ "ips": ips }),
                ));
            }
            for d in &o.devices {
                cands.push(cand(ActionKind::BlockDevice, d, "device", json!({})));
            }
        }
        ops_kind_reason.insert(
            o.id.clone(),
            (kind_reason, apps, ranges, block_infra, through_real),
        );
        plan_ops.push(PlanOperation {
            id: o.id.clone(),
            kind: o.kind.clone(),
            accounts: m.len() as u64,
            through_real_accounts: through_real,
            score: o.score,
        });
    }

    // Infrastructure: every block weighed against who else used it.
    let ok_total = findings
        .verdicts
        .iter()
        .filter(|v| v.verdict == "ok" || v.verdict == "suspicious")
        .count() as u64;
    let decided = decide_blocks(findings, policy, &ops, cands, ok_total, &mut notes);
    let enabled = |k: ActionKind| match k {
        ActionKind::BlockApp => policy.block_apps,
        ActionKind::BlockIpRange => policy.block_ip_ranges,
        ActionKind::BlockDevice => policy.block_devices,
        _ => true,
    };
    for o in ops.values() {
        let Some((kind_reason, apps, _, block_infra, through_real)) = ops_kind_reason.get(&o.id)
        else {
            continue;
        };
        if policy.ban_vendors {
            let passed = |kind: &str, key: &str| {
                decided
                    .passed
                    .contains(&(o.id.clone(), kind.to_owned(), key.to_owned()))
            };
            let ranges: Vec<String> = decided
                .planned
                .iter()
                .filter(|c| c.operation == o.id && c.kind == ActionKind::BlockIpRange)
                .map(|c| c.subject.clone())
                .collect();
            actions.push(NewAction::new(
                ActionKind::BanVendor,
                &o.id,
                &o.id,
                format!("vendor behind {kind_reason} {}", o.id),
                ban_payload(o, apps, &ranges, *block_infra, *through_real, &passed),
            ));
        }
    }
    for c in decided.planned {
        if enabled(c.kind) {
            actions.push(NewAction::new(
                c.kind,
                &c.subject,
                &c.operation,
                c.reason,
                c.payload,
            ));
        }
    }
    let collateral = decided.collateral;
    let withheld = decided.withheld;

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
            notes.push("no account for the flagged events (neither an actor column in flagged_events.csv nor flagged_event_accounts.csv): a granted appeal restores the account but not its removed engagement".into());
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
        collateral,
        withheld,
        actions,
    }
}

/// A candidate infrastructure block.
struct Cand {
    kind: ActionKind,
    subject: String,
    operation: String,
    reason: String,
    payload: serde_json::Value,
    /// Its row in `infrastructure.csv`: kind and key.
    measure: (&'static str, String),
}

/// The blocks decided on.
struct Decided {
    /// Planned, with their collateral in the payload.
    planned: Vec<Cand>,
    /// (operation, kind, key) of measured infrastructure that passed the per-block limits (what
    /// a ban may record).
    passed: HashSet<(String, String, String)>,
    withheld: Vec<Withheld>,
    collateral: Collateral,
}

fn collateral_json(u: &crate::findings::InfraUse) -> serde_json::Value {
    json!({
        "accounts": u.accounts,
        "events": u.events,
        "members": u.members,
        "unflagged_accounts": u.unflagged_accounts,
        "unflagged_events": u.unflagged_events,
    })
}

/// Weighs every candidate block against the use `infrastructure.csv` measured: a block passes
/// if at most `max_collateral_accounts` unflagged accounts (judged `ok` or `suspicious`) used it and they were at most
/// `max_collateral_share` of its accounts; a range that fails is narrowed to the operation's
/// own addresses in it that pass; then, if all planned blocks together touch more than
/// `max_total_collateral` of the `ok` accounts, those that touch the most are withheld.
fn decide_blocks(
    findings: &Findings,
    policy: &Policy,
    ops: &BTreeMap<String, Operation>,
    cands: Vec<Cand>,
    ok_total: u64,
    notes: &mut Vec<String>,
) -> Decided {
    use crate::findings::InfraUse;
    let measured = findings.infrastructure.is_some();
    let uses: HashMap<(&str, &str, &str), &InfraUse> = findings
        .infrastructure
        .iter()
        .flatten()
        .map(|u| ((&*u.operation, &*u.kind, &*u.key), u))
        .collect();
    let passes = |u: &InfraUse| {
        u.unflagged_accounts <= policy.max_collateral_accounts
            && u.unflagged_accounts as f64 <= policy.max_collateral_share * u.accounts.max(1) as f64
    };
    let mut d = Decided {
        planned: Vec::new(),
        passed: HashSet::new(),
        withheld: Vec::new(),
        collateral: Collateral {
            measured,
            unflagged_accounts: ok_total,
            ..Collateral::default()
        },
    };
    for u in findings.infrastructure.iter().flatten() {
        if passes(u) {
            d.passed.insert((
                u.operation.to_string(),
                u.kind.to_string(),
                u.key.to_string(),
            ));
        }
    }
    // Per operation: (withheld, narrowed ranges, addresses planned in their place, ok accounts held back).
    let mut per_op: BTreeMap<String, (u64, u64, u64, u64)> = BTreeMap::new();
    // (planned index, ok accounts, ok events) of measured planned blocks.
    let mut costs: Vec<(usize, u64, u64)> = Vec::new();
    for mut c in cands {
        let u = uses
            .get(&(c.operation.as_str(), c.measure.0, c.measure.1.as_str()))
            .copied();
        match u {
            Some(u) if passes(u) => {
                d.passed.insert((
                    c.operation.clone(),
                    c.measure.0.to_owned(),
                    c.measure.1.clone(),
                ));
                if let Some(p) = c.payload.as_object_mut() {
                    p.insert("collateral".into(), collateral_json(u));
                }
                costs.push((d.planned.len(), u.unflagged_accounts, u.unflagged_events));
                d.planned.push(c);
                continue;
            }
            None if policy.unmeasured_blocks => {
                d.planned.push(c);
                continue;
            }
            _ => {}
        }
        // Narrow a range to the operation's own addresses in it whose use passes.
        let e = per_op.entry(c.operation.clone()).or_default();
        if c.kind == ActionKind::BlockIpRange {
            let mut narrowed = 0;
            for ip in strings(c.payload.get("ips")) {
                let Some(u) = uses
                    .get(&(c.operation.as_str(), "ip", ip.as_str()))
                    .copied()
                else {
                    continue;
                };
                if !passes(u) {
                    continue;
                }
                let Some(subject) = ip_range(&ip, 32, 128) else {
                    continue;
                };
                d.passed
                    .insert((c.operation.clone(), "ip".to_owned(), ip.clone()));
                costs.push((d.planned.len(), u.unflagged_accounts, u.unflagged_events));
                d.planned.push(Cand {
                    kind: ActionKind::BlockIpRange,
                    subject,
                    operation: c.operation.clone(),
                    reason: format!("{} (narrowed from {})", c.reason, c.subject),
                    payload: json!({"ips": [ip], "narrowed_from": c.subject, "collateral": collateral_json(u)}),
                    measure: ("ip", ip.clone()),
                });
                narrowed += 1;
            }
            if narrowed > 0 {
                e.1 += 1;
                e.2 += narrowed;
                d.collateral.narrowed += 1;
            }
        }
        e.0 += 1;
        e.3 += u.map_or(0, |u| u.unflagged_accounts);
        d.collateral.withheld += 1;
        d.collateral.withheld_unflagged_accounts += u.map_or(0, |u| u.unflagged_accounts);
        d.withheld.push(Withheld {
            kind: c.kind,
            subject: c.subject.clone(),
            operation: c.operation.clone(),
            why: match u {
                Some(u) => format!(
                    "used by {} unflagged accounts ({:.1}% of its {} accounts; limits {} and {:.1}%)",
                    u.unflagged_accounts,
                    100.0 * u.unflagged_accounts as f64 / u.accounts.max(1) as f64,
                    u.accounts,
                    policy.max_collateral_accounts,
                    100.0 * policy.max_collateral_share
                ),
                None => "its use is not measured in the findings (no infrastructure.csv row); unmeasured_blocks = false".to_owned(),
            },
            accounts: u.map(|u| u.accounts),
            unflagged_accounts: u.map(|u| u.unflagged_accounts),
        });
    }
    // The plan's total: withhold the blocks that touch the most until within the limit.
    let cap = (policy.max_total_collateral * ok_total as f64).floor() as u64;
    let mut total: u64 = costs.iter().map(|c| c.1).sum();
    if total > cap {
        costs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut drop = HashSet::new();
        for &(i, ok, _) in &costs {
            if total <= cap || ok == 0 {
                break;
            }
            total -= ok;
            drop.insert(i);
        }
        let mut kept = Vec::new();
        for (i, c) in std::mem::take(&mut d.planned).into_iter().enumerate() {
            if !drop.contains(&i) {
                kept.push(c);
                continue;
            }
            let ok = c.payload["collateral"]["unflagged_accounts"]
                .as_u64()
                .unwrap_or(0);
            d.collateral.withheld += 1;
            d.collateral.withheld_unflagged_accounts += ok;
            per_op.entry(c.operation.clone()).or_default().0 += 1;
            d.withheld.push(Withheld {
                kind: c.kind,
                subject: c.subject,
                operation: c.operation,
                why: format!(
                    "the plan's blocks together would touch more than {:.2}% of the {ok_total} unflagged accounts",
                    100.0 * policy.max_total_collateral
                ),
                accounts: c.payload["collateral"]["accounts"].as_u64(),
                unflagged_accounts: Some(ok),
            });
        }
        d.planned = kept;
        notes.push(format!(
            "{} blocks withheld to keep the plan's collateral within max_total_collateral ({:.2}% of {ok_total} unflagged accounts)",
            drop.len(),
            100.0 * policy.max_total_collateral
        ));
    }
    for c in &d.planned {
        d.collateral.blocks += 1;
        d.collateral.blocked_unflagged_accounts += c.payload["collateral"]["unflagged_accounts"]
            .as_u64()
            .unwrap_or(0);
        d.collateral.blocked_unflagged_events += c.payload["collateral"]["unflagged_events"]
            .as_u64()
            .unwrap_or(0);
    }
    d.collateral.share = if ok_total == 0 {
        0.0
    } else {
        d.collateral.blocked_unflagged_accounts as f64 / ok_total as f64
    };
    if !measured && d.collateral.withheld > 0 {
        notes.push(format!(
            "no infrastructure.csv in the findings: {} infrastructure blocks withheld because who else uses them is unknown (rescan, or set unmeasured_blocks = true)",
            d.collateral.withheld
        ));
    }
    for (op, (w, n, a, ok)) in per_op {
        if w == 0 {
            continue;
        }
        let kind = ops.get(&op).map_or("", |o| o.kind.as_str());
        let mut line = format!(
            "operation {op}{}{kind}: {w} infrastructure blocks withheld (would touch {ok} unflagged accounts, summed)",
            if kind.is_empty() { "" } else { " " }
        );
        if n > 0 {
            line.push_str(&format!(
                "; {n} of its ranges narrowed to {a} of its own addresses"
            ));
        }
        notes.push(line);
    }
    d
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

    /// `infrastructure.csv` rows for every piece of the operations' infrastructure, used by
    /// their members only.
    fn measured(mut f: Findings) -> Findings {
        let mut rows = Vec::new();
        let mut row = |op: &str, kind: &str, key: String| {
            rows.push(crate::findings::InfraUse {
                operation: op.to_owned().into(),
                kind: kind.to_owned().into(),
                key: key.into(),
                accounts: 2,
                events: 10,
                members: 2,
                unflagged_accounts: 0,
                unflagged_events: 0,
            })
        };
        for o in &f.operations {
            for ip in &o.ips {
                row(&o.id, "ip", ip.clone());
                row(&o.id, "ip_range", ip_range(ip, 24, 48).unwrap());
            }
            let fp = &o.behaviour["fingerprint"]["devices"];
            let mut devices = o.devices.clone();
            devices.extend(strings(Some(fp)));
            devices.sort();
            devices.dedup();
            for d in devices {
                row(&o.id, "device", d);
            }
            for c in o.clients.iter().filter(|c| c.starts_with("api:")) {
                row(&o.id, "client", c.clone());
            }
        }
        f.infrastructure = Some(rows);
        f
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
        let f = measured(Findings {
            operations: vec![op("app-op", "vendor-app")],
            verdicts: vec![
                verdict("v1", "compromised", "app-op"),
                verdict("v2", "compromised", "app-op"),
            ],
            ..Findings::default()
        });
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
        let f = measured(Findings {
            operations: vec![op("farm", "like-farm")],
            verdicts: vec![
                verdict("v1", "fake", "farm"),
                verdict("v2", "suspicious", "farm"),
                verdict("ok1", "ok", ""),
            ],
            ..Findings::default()
        });
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
        let f = measured(Findings {
            operations: vec![farm, app],
            ..Findings::default()
        });
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
    /// A farm on a datacenter range of its own and on a residential range shared with 300
    /// people; a phone of its own and a tablet a family also uses; an app of its own.
    fn shared_farm() -> Findings {
        let mut o = op("farm", "like-farm");
        o.ips = vec![
            "198.51.100.7".into(),
            "198.51.100.8".into(),
            "203.0.113.40".into(),
            "203.0.113.41".into(),
        ];
        o.devices = vec!["farm-phone".into(), "family-tablet".into()];
        o.clients = vec!["api:autolike".into()];
        let u = |kind: &'static str, key: &'static str, accounts, unflagged_accounts| {
            crate::findings::InfraUse {
                operation: "farm".into(),
                kind: kind.into(),
                key: key.into(),
                accounts,
                events: accounts * 10,
                members: accounts - unflagged_accounts,
                unflagged_accounts,
                unflagged_events: unflagged_accounts * 10,
            }
        };
        let mut verdicts: Vec<_> = (0..20)
            .map(|i| verdict(&format!("f{i}"), "fake", "farm"))
            .collect();
        verdicts.extend((0..2000).map(|i| verdict(&format!("p{i}"), "ok", "")));
        Findings {
            operations: vec![o],
            verdicts,
            infrastructure: Some(vec![
                u("ip_range", "198.51.100.0/24", 20, 0),
                u("ip", "198.51.100.7", 10, 0),
                u("ip", "198.51.100.8", 10, 0),
                u("ip_range", "203.0.113.0/24", 320, 300),
                // One proxy exit only the farm used, one a hundred people share.
                u("ip", "203.0.113.40", 8, 0),
                u("ip", "203.0.113.41", 110, 100),
                u("device", "farm-phone", 1, 0),
                u("device", "family-tablet", 5, 4),
                u("client", "api:autolike", 20, 0),
            ]),
            ..Findings::default()
        }
    }

    #[test]
    fn blocks_that_would_touch_real_people_are_narrowed_or_withheld() {
        let plan = build_plan(&shared_farm(), &Policy::default(), "t");
        let blocked: Vec<(&str, &str)> = plan
            .actions
            .iter()
            .filter(|a| {
                matches!(
                    a.kind,
                    ActionKind::BlockIpRange | ActionKind::BlockDevice | ActionKind::BlockApp
                )
            })
            .map(|a| (a.kind.as_str(), a.subject.as_str()))
            .collect();
        assert_eq!(
            blocked,
            [
                ("block_app", "autolike"),
                ("block_ip_range", "198.51.100.0/24"),
                ("block_ip_range", "203.0.113.40/32"),
                ("block_device", "farm-phone"),
            ]
        );
        let withheld: Vec<&str> = plan.withheld.iter().map(|w| w.subject.as_str()).collect();
        assert_eq!(withheld, ["203.0.113.0/24", "family-tablet"]);
        assert!(plan.withheld[0].why.contains("300 unflagged accounts"));
        assert_eq!(plan.collateral.blocked_unflagged_accounts, 0);
        assert_eq!(plan.collateral.withheld_unflagged_accounts, 304);
        assert_eq!(plan.collateral.narrowed, 1);
        assert_eq!(plan.collateral.unflagged_accounts, 2000);
        // The ban records only what no real person shares.
        let ban = plan
            .actions
            .iter()
            .find(|a| a.kind == ActionKind::BanVendor)
            .unwrap();
        assert_eq!(ban.payload["devices"], json!(["farm-phone"]));
        assert_eq!(
            ban.payload["ip_ranges"],
            json!(["198.51.100.0/24", "203.0.113.40/32"])
        );
        assert!(plan.notes.iter().any(|n| n.contains("narrowed")));
    }

    #[test]
    fn the_plans_total_collateral_stays_within_its_limit() {
        let mut f = shared_farm();
        // The tablet's four people now pass the per-block limits (4 of 100 accounts)…
        for u in f.infrastructure.as_mut().unwrap() {
            if u.key == "family-tablet" {
                u.accounts = 100;
            }
        }
        let loose = Policy {
            max_total_collateral: 0.01,
            ..Policy::default()
        };
        let loose = build_plan(&f, &loose, "t");
        assert!(loose.actions.iter().any(|a| a.subject == "family-tablet"));
        assert_eq!(loose.collateral.blocked_unflagged_accounts, 4);
        // …but not the default plan limit, 0.1% of 2 000 people (2 accounts).
        let plan = build_plan(&f, &Policy::default(), "t");
        assert!(plan.withheld.iter().any(|w| w.subject == "family-tablet"));
        assert_eq!(plan.collateral.blocked_unflagged_accounts, 0);
        assert!(plan.collateral.share <= 0.001);
    }

    #[test]
    fn unmeasured_infrastructure_is_not_blocked_unless_the_policy_says_so() {
        let mut f = shared_farm();
        f.infrastructure = None;
        let plan = build_plan(&f, &Policy::default(), "t");
        assert!(
            !plan
                .actions
                .iter()
                .any(|a| matches!(a.kind, ActionKind::BlockIpRange | ActionKind::BlockDevice))
        );
        assert!(
            plan.notes
                .iter()
                .any(|n| n.contains("no infrastructure.csv"))
        );
        let open = Policy {
            unmeasured_blocks: true,
            ..Policy::default()
        };
        let plan = build_plan(&f, &open, "t");
        assert_eq!(plan.summary.get("block_ip_range"), Some(&2));
        assert_eq!(plan.summary.get("block_device"), Some(&2));
    }
}
