//! [`explain`]: every signal and reason behind one account's verdict, with the events behind
//! each — what an analyst reads before acting on an account, or answering its appeal.

use std::fmt;

use lockstep_core::{EventLog, Id, NONE};
use serde::Serialize;

use lockstep_detect::devices::{DeviceConfig, device_checks};
use lockstep_detect::trust::{TrustConfig, trust};

use crate::judge::{Judgement, NO_OP};
use crate::reasons::Reasons;
use crate::write::rfc3339;

/// What a reason code means, in one line an analyst can check against the events.
pub fn reason_meaning(code: &str) -> &'static str {
    match code {
        "lockstep-group" => {
            "in a lockstep group: engaged the same targets as the group's other members inside \
             the same short windows, on several occasions"
        }
        "lockstep-expansion" => {
            "engaged a lockstep group's targets inside the group's delivery bursts, repeatedly"
        }
        "dense-subgraph" => {
            "in a dense account × target block (Fraudar) that other evidence corroborates"
        }
        "dense-tensor-block" => {
            "in a dense account × target × time × IP × device block (M-Zoom) that other evidence \
             corroborates"
        }
        "machine-rate-reads" => {
            "harvesting: reads (views) far beyond the log's heaviest readers, around the clock \
             or by a crew sharing devices and addresses, or reads through a vendor's device \
             that many accounts' sessions read through"
        }
        "vendor-client" => "operation work came through a third-party client the operation uses",
        "vendor-infrastructure" => {
            "operation work came from IPs or devices that several of the operation's members share"
        }
        "own-history" => "the account has a history of its own: a real person's account",
        "operation-only-activity" => "the account does little but operation work",
        "new-account" => "created less than 30 days before its first event",
        "below-repetition-guard" => "the evidence covers too few targets or days to act on",
        "fake-account" => {
            "an event of a fake account outside the detected work (camouflage included)"
        }
        "own-infrastructure" => {
            "own history, and the evidence came through the account's own devices and networks: \
             co-behaviour, not a vendor's work"
        }
        "proxy-padding" => {
            "activity outside the operation comes from ever-changing networks (residential \
             proxies), not from a person's few home and carrier networks"
        }
        "content-template" => {
            "comments that are near-duplicates of other accounts' comments: one spun template"
        }
        "rate-anomaly" => {
            "part of a target's engagement that its own history and its peers do not explain: \
             an evenly spaced drip over days, the crowd of a delivery pool's bursts, a \
             follower pool (most of the account's follows go to customers whose followers the \
             pool largely is), or (never evidence alone) flagged work inside a burst"
        }
        "ban-match" => "matches the recorded fingerprints of a banned operation",
        "emulated-device" => {
            "the work came from emulated devices (emulator builds, screens or OS versions the \
             claimed model never had) of a fingerprint the operation's members share"
        }
        "trusted-account" => {
            "endorsements from long-lived accounts reach it: a real person's account, so not fake"
        }
        "ip-range" => {
            "a fresh account engaging from an address range (IPv4 /24, IPv6 /48) of mostly fresh \
             accounts whose engagement goes to targets the rest of the platform hardly engages"
        }
        "captured-targets" => {
            "its engagement came through a client or an address range through which a group of \
             accounts made most of the engagement of several owners' targets, while that client \
             or range carries little of the platform's traffic: infrastructure that acts together"
        }
        _ => "",
    }
}

/// One event, as the explanation shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventLine {
    /// The event's id (explicit, or `FILE:LINE`).
    pub id: String,
    /// RFC 3339 UTC.
    pub time: String,
    /// The action.
    pub action: String,
    /// The target.
    pub target: String,
    /// The target's owner, if known.
    pub owner: Option<String>,
    /// The IP address, if any.
    pub ip: Option<String>,
    /// The device, if any.
    pub device: Option<String>,
    /// The client, if any.
    pub client: Option<String>,
    /// The text (comments, reviews), if any.
    pub text: Option<String>,
    /// Why the event was flagged (empty when it was not).
    pub reasons: String,
}

/// A group of events: how many there are, and the first `limit` of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Events {
    /// How many events.
    pub total: usize,
    /// The first of them, in time order.
    pub shown: Vec<EventLine>,
}

/// A reason code on the verdict, with the account's flagged events that carry it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReasonLine {
    /// The code.
    pub code: &'static str,
    /// What it means.
    pub meaning: &'static str,
    /// The account's flagged events with this code.
    pub events: Events,
}

/// A detector signal that names the account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalLine {
    /// Index in the judgement's signals.
    pub index: usize,
    /// The detector's reason code.
    pub reason: &'static str,
    /// The detector's score.
    pub score: f64,
    /// Accounts in the signal.
    pub accounts: usize,
    /// The detector's summary.
    pub summary: String,
    /// The account's own events in the signal.
    pub events: Events,
}

/// The account's operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationBrief {
    /// `op-001`, …
    pub id: String,
    /// Its kind.
    pub kind: &'static str,
    /// Flagged members.
    pub members: usize,
    /// Of which fake.
    pub fake: usize,
    /// Of which compromised.
    pub compromised: usize,
    /// Beneficiaries (owners of the targets).
    pub beneficiaries: usize,
}

/// A piece of infrastructure the account used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InfraLine {
    /// The IP, device or client.
    pub value: String,
    /// The account's events through it.
    pub events: usize,
    /// Whether the account's operation counts it as its infrastructure.
    pub operation_infrastructure: bool,
    /// For devices with a side-file row: model, OS, build and attestation.
    pub detail: Option<String>,
    /// For devices: the device checks it fails (see `lockstep_detect::devices`).
    pub failed_checks: Vec<&'static str>,
}

/// The account's own history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountHistory {
    /// From the accounts side file.
    pub created_at: Option<String>,
    /// First event.
    pub first_event: Option<String>,
    /// Last event.
    pub last_event: Option<String>,
    /// Events.
    pub events: usize,
    /// Events per action, most first.
    pub by_action: Vec<(String, usize)>,
    /// Events the judge flagged.
    pub flagged_events: usize,
}

/// Everything behind one account's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The account.
    pub account: String,
    /// The policy that judged it.
    pub policy_version: String,
    /// `ok`, `suspicious`, `fake` or `compromised`.
    pub verdict: &'static str,
    /// The fused score in [0, 1].
    pub score: f32,
    /// Its operation, if flagged into one.
    pub operation: Option<OperationBrief>,
    /// The verdict's reason codes.
    pub reasons: Vec<ReasonLine>,
    /// The detector signals that name the account.
    pub signals: Vec<SignalLine>,
    /// The account's history.
    pub history: AccountHistory,
    /// IPs it used, most used first.
    pub ips: Vec<InfraLine>,
    /// Devices it used, most used first.
    pub devices: Vec<InfraLine>,
    /// Clients it used, most used first.
    pub clients: Vec<InfraLine>,
    /// Trust propagated from long-lived, well-endorsed accounts (see
    /// `lockstep_detect::trust`): the share of accounts with less, in [0, 1], and whether any
    /// reached it at all.
    pub trust_percentile: f32,
    /// Whether trust reached the account.
    pub trusted_by_endorsements: bool,
    /// Share of its events with a device that came from emulated devices.
    pub emulated_device_share: f64,
}

fn event_line(log: &EventLog, j: &Judgement, e: u32) -> EventLine {
    let i = e as usize;
    let r = log.get(i);
    let opt = |v: Option<&str>| v.filter(|s| !s.is_empty()).map(str::to_string);
    EventLine {
        id: log.event_id_string(i).into_owned(),
        time: rfc3339(r.ts),
        action: log.verbs.name(r.action).to_string(),
        target: log.targets.resolve(r.target).to_string(),
        owner: opt(log.accounts.resolve_opt(r.owner)),
        ip: (r.ip != NONE).then(|| log.ips.resolve(r.ip).to_string()),
        device: opt(log.devices.resolve_opt(r.device)),
        client: opt(log.clients.resolve_opt(r.client)),
        text: opt(Some(r.text)),
        reasons: j
            .event_reasons
            .get(i)
            .copied()
            .unwrap_or_default()
            .to_string(),
    }
}

fn events(log: &EventLog, j: &Judgement, evs: &[u32], limit: usize) -> Events {
    Events {
        total: evs.len(),
        shown: evs
            .iter()
            .take(limit)
            .map(|&e| event_line(log, j, e))
            .collect(),
    }
}

/// Counts of `col` over `evs`, most first (ties by id), `NONE` skipped.
fn tally(col: &[Id], evs: &[u32]) -> Vec<(Id, usize)> {
    let mut v: Vec<Id> = evs
        .iter()
        .map(|&e| col[e as usize])
        .filter(|&x| x != NONE)
        .collect();
    v.sort_unstable();
    let mut out: Vec<(Id, usize)> = Vec::new();
    for x in v {
        match out.last_mut() {
            Some((y, n)) if *y == x => *n += 1,
            _ => out.push((x, 1)),
        }
    }
    out.sort_by_key(|&(x, n)| (std::cmp::Reverse(n), x));
    out
}

/// Explains the verdict on `account`: its reasons with the flagged events behind each, the
/// detector signals that name it with its events in each, its history and the
/// infrastructure it used (marking what its operation counts as the operation's own).
///
/// # Arguments
/// * `log`, `j` — the log and the judgement made on it.
/// * `account` — the account's id in `log`.
/// * `limit` — at most this many events are listed per group (all are counted).
///
/// # Complexity
/// O(n) over the log's events plus O(S) over the signals' events.
pub fn explain(log: &EventLog, j: &Judgement, account: Id, limit: usize) -> Explanation {
    let v = j.accounts[account as usize];
    let dev = device_checks(log, &DeviceConfig::default());
    let tr = trust(log, &TrustConfig::default());
    let actor = log.actor();
    let ts = log.ts();
    let mut own: Vec<u32> = (0..log.len() as u32)
        .filter(|&e| actor[e as usize] == account)
        .collect();
    own.sort_by_key(|&e| (ts[e as usize], e));
    let flagged: Vec<u32> = own
        .iter()
        .copied()
        .filter(|&e| !j.event_reasons[e as usize].is_empty())
        .collect();

    let reasons = v
        .reasons
        .codes()
        .map(|code| {
            let bit = Reasons::from_code(code);
            let evs: Vec<u32> = flagged
                .iter()
                .copied()
                .filter(|&e| bit.is_some_and(|b| j.event_reasons[e as usize].contains(b)))
                .collect();
            ReasonLine {
                code,
                meaning: reason_meaning(code),
                events: events(log, j, &evs, limit),
            }
        })
        .collect();

    let signals = j
        .signals
        .iter()
        .enumerate()
        .filter(|(_, s)| s.accounts.binary_search(&account).is_ok())
        .map(|(k, s)| {
            let mut evs: Vec<u32> = s
                .events
                .iter()
                .copied()
                .filter(|&e| actor[e as usize] == account)
                .collect();
            evs.sort_by_key(|&e| (ts[e as usize], e));
            SignalLine {
                index: k,
                reason: s.reason.code(),
                score: s.score,
                accounts: s.accounts.len(),
                summary: s.summary.clone(),
                events: events(log, j, &evs, limit),
            }
        })
        .collect();

    let op = (v.operation != NO_OP).then(|| &j.operations[v.operation as usize]);
    let operation = op.map(|o| OperationBrief {
        id: o.id.clone(),
        kind: o.kind.as_str(),
        members: o.members.len(),
        fake: o.fake,
        compromised: o.compromised,
        beneficiaries: o.beneficiaries.len(),
    });

    let mut per_action = [0usize; 256];
    for &e in &own {
        per_action[log.action()[e as usize] as usize] += 1;
    }
    let mut by_action: Vec<(String, usize)> = per_action
        .iter()
        .enumerate()
        .filter(|&(_, &n)| n > 0)
        .map(|(a, &n)| (log.verbs.name(a as u8).to_string(), n))
        .collect();
    by_action.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let history = AccountHistory {
        created_at: log.account_table.created_at(account).map(rfc3339),
        first_event: own.first().map(|&e| rfc3339(ts[e as usize])),
        last_event: own.last().map(|&e| rfc3339(ts[e as usize])),
        events: own.len(),
        by_action,
        flagged_events: flagged.len(),
    };

    let ips = tally(log.ip(), &own)
        .into_iter()
        .map(|(ip, n)| InfraLine {
            value: log.ips.resolve(ip).to_string(),
            events: n,
            operation_infrastructure: op.is_some_and(|o| {
                o.ips.binary_search(&ip).is_ok() || o.joint_ips.binary_search(&ip).is_ok()
            }),
            detail: None,
            failed_checks: Vec::new(),
        })
        .collect();
    let devices = tally(log.device(), &own)
        .into_iter()
        .map(|(d, n)| InfraLine {
            value: log.devices.resolve(d).to_string(),
            events: n,
            operation_infrastructure: op.is_some_and(|o| {
                o.devices.binary_search(&d).is_ok() || o.joint_devices.binary_search(&d).is_ok()
            }),
            detail: log.device_table.row(d).map(|r| {
                let t = &log.device_table;
                let (w, h) = t.screen(r).unwrap_or((0, 0));
                format!(
                    "{} · {} · build {} · screen {w}x{h} · attestation {}",
                    t.model(r).unwrap_or("?"),
                    t.os(r).unwrap_or("?"),
                    t.build(r).unwrap_or("?"),
                    t.attestation(r).as_str()
                )
            }),
            failed_checks: dev.flags[d as usize].names().collect(),
        })
        .collect();
    let clients = tally(log.client(), &own)
        .into_iter()
        .map(|(c, n)| InfraLine {
            value: log.clients.resolve(c).to_string(),
            events: n,
            // First-party apps carry everyone's traffic; only a third-party client the
            // operation's work came through is its infrastructure.
            operation_infrastructure: log.clients.resolve(c).starts_with("api:")
                && op.is_some_and(|o| o.clients.iter().any(|&(x, _)| x == c)),
            detail: None,
            failed_checks: Vec::new(),
        })
        .collect();

    Explanation {
        account: log.accounts.resolve(account).to_string(),
        policy_version: j.policy_version.clone(),
        verdict: v.verdict.as_str(),
        score: v.score,
        operation,
        reasons,
        signals,
        history,
        ips,
        devices,
        clients,
        trust_percentile: tr.percentile[account as usize],
        trusted_by_endorsements: tr.trust[account as usize] > 0.0,
        emulated_device_share: dev.accounts[account as usize].emulated_share(),
    }
}

fn write_events(f: &mut fmt::Formatter<'_>, ev: &Events, indent: &str) -> fmt::Result {
    for e in &ev.shown {
        write!(f, "{indent}{}  {:<7} {}", e.time, e.action, e.target)?;
        if let Some(o) = &e.owner {
            write!(f, " (of {o})")?;
        }
        for (k, v) in [("ip", &e.ip), ("device", &e.device), ("client", &e.client)] {
            if let Some(v) = v {
                write!(f, "  {k} {v}")?;
            }
        }
        write!(f, "  [{}]", e.id)?;
        if let Some(t) = &e.text {
            let short: String = t.chars().take(80).collect();
            write!(f, "  \"{short}\"")?;
        }
        writeln!(f)?;
    }
    if ev.total > ev.shown.len() {
        writeln!(f, "{indent}… and {} more", ev.total - ev.shown.len())?;
    }
    Ok(())
}

fn write_infra(
    f: &mut fmt::Formatter<'_>,
    title: &str,
    v: &[InfraLine],
    limit: usize,
) -> fmt::Result {
    if v.is_empty() {
        return Ok(());
    }
    writeln!(f, "  {title}:")?;
    for x in v.iter().take(limit) {
        write!(f, "    {:<40} {:>6} events", x.value, x.events)?;
        if x.operation_infrastructure {
            write!(f, "  operation infrastructure")?;
        }
        if let Some(d) = &x.detail {
            write!(f, "  ({d})")?;
        }
        if !x.failed_checks.is_empty() {
            write!(f, "  fails: {}", x.failed_checks.join(", "))?;
        }
        writeln!(f)?;
    }
    if v.len() > limit {
        writeln!(f, "    … and {} more", v.len() - limit)?;
    }
    Ok(())
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "account {}: {} (score {:.3}, policy {})",
            self.account, self.verdict, self.score, self.policy_version
        )?;
        match &self.operation {
            Some(o) => writeln!(
                f,
                "operation {} ({}): {} members ({} fake, {} compromised), {} beneficiaries",
                o.id, o.kind, o.members, o.fake, o.compromised, o.beneficiaries
            )?,
            None => writeln!(f, "operation: none")?,
        }
        let h = &self.history;
        writeln!(f, "\nhistory:")?;
        writeln!(
            f,
            "  created {} · first event {} · last event {}",
            h.created_at.as_deref().unwrap_or("unknown"),
            h.first_event.as_deref().unwrap_or("-"),
            h.last_event.as_deref().unwrap_or("-")
        )?;
        let acts: Vec<String> = h
            .by_action
            .iter()
            .map(|(a, n)| format!("{n} {a}"))
            .collect();
        writeln!(
            f,
            "  {} events ({}), {} flagged",
            h.events,
            acts.join(", "),
            h.flagged_events
        )?;
        if self.trusted_by_endorsements {
            writeln!(
                f,
                "  trust: reached by endorsements from long-lived accounts; more than {:.0}% of accounts",
                f64::from(self.trust_percentile) * 100.0
            )?;
        } else {
            writeln!(
                f,
                "  trust: none reached it (new or unendorsed accounts have none; not evidence)"
            )?;
        }
        if self.emulated_device_share > 0.0 {
            writeln!(
                f,
                "  {:.0}% of its device events came from emulated devices",
                self.emulated_device_share * 100.0
            )?;
        }
        if self.reasons.is_empty() {
            writeln!(f, "\nreasons: none")?;
        } else {
            writeln!(f, "\nreasons:")?;
        }
        for r in &self.reasons {
            writeln!(f, "  {} — {}", r.code, r.meaning)?;
            if r.events.total > 0 {
                writeln!(f, "    {} flagged events:", r.events.total)?;
                write_events(f, &r.events, "      ")?;
            }
        }
        if self.signals.is_empty() {
            writeln!(f, "\nsignals: none name this account")?;
        } else {
            writeln!(f, "\nsignals:")?;
        }
        for s in &self.signals {
            writeln!(
                f,
                "  #{} {} (score {:.3}, {} accounts): {}",
                s.index, s.reason, s.score, s.accounts, s.summary
            )?;
            writeln!(f, "    this account's {} events in it:", s.events.total)?;
            write_events(f, &s.events, "      ")?;
        }
        writeln!(f, "\ninfrastructure:")?;
        write_infra(f, "IPs", &self.ips, 10)?;
        write_infra(f, "devices", &self.devices, 10)?;
        write_infra(f, "clients", &self.clients, 10)?;
        Ok(())
    }
}
