//! [`corroborate`]: device and trust evidence applied to a [`Judgement`].
//!
//! Three rules, each with a reason an analyst can check on the evidence:
//!
//! 1. **Emulated devices** (`lockstep_detect::devices`). A flagged account whose work came from
//!    emulated devices gets the `emulated-device` reason (account and events). An account the
//!    behavioural detectors left alone joins an operation as `fake` only when *all* of these
//!    hold: at least [`Corroboration::min_emulated_share`] of its device events come from
//!    emulated devices; those devices are stamped from a fingerprint that at least
//!    [`Corroboration::min_cluster_fakes`] `fake` members of that operation also run on; and it
//!    engaged at least one of the operation's targets from them. One odd device of a real
//!    person never qualifies — it is not emulated by two independent checks, is not shared
//!    with an operation's fakes, or is not the account's whole life.
//!    Accounts on emulated fingerprints that no operation holds form one of their own when at
//!    least [`Corroboration::min_device_operation`] of them, living mostly on emulators,
//!    worked at least [`Corroboration::min_common_targets`] common targets (each engaged by at
//!    least three of them): servers stamped from one template, delivering the same orders.
//!    Fingerprint clusters that share such targets are one operation.
//! 2. **The operation's own phones and addresses.** An account the judge left alone joins an
//!    operation as `fake` when at least [`Corroboration::min_infrastructure_share`] of all its
//!    events came through the operation's infrastructure — the devices and IPs that several of
//!    its members used for its work and that are exclusive to it (`operations.json`,
//!    `infrastructure`) — and it engaged one of the operation's targets through them. An
//!    account whose life is on a farm's phones and addresses, working the farm's orders, is
//!    the farm's, however few orders it was given; a real person has a device and networks of
//!    their own. Vendor-app and scraping operations are left out (a vendor's servers drive real
//!    people's accounts, which the judge's history rule decides).
//! 3. **Trust** (`lockstep_detect::trust`). An account that trust from long-lived, widely
//!    endorsed accounts reaches, in the top [`Corroboration::trusted_share`] of all accounts,
//!    is a real person's: if the judge said `fake`, it becomes `compromised` when its work came
//!    through the operation's client or infrastructure, and `suspicious` (review) otherwise.
//!
//! All three run after the judge and before the findings are written.

use lockstep_core::{EventLog, Id, NONE, action};
use lockstep_detect::devices::{DeviceConfig, DeviceReport, device_checks};
use lockstep_detect::trust::{TrustConfig, TrustReport, trust};
use lockstep_graph::ActionSet;
use serde::{Deserialize, Serialize};

use crate::judge::{Judgement, NO_OP, Operation, OperationKind, SignalRef, Verdict, subnet};
use crate::reasons::Reasons;

/// The thresholds of [`corroborate`] (policy section `[corroboration]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Corroboration {
    /// Apply the device rule.
    pub devices: bool,
    /// Apply the trust rule.
    pub trust: bool,
    /// An account joins through its devices only when at least this share of its device
    /// events came from emulated devices.
    pub min_emulated_share: f64,
    /// … and at least this many of the operation's `fake` members run on the same emulated
    /// fingerprint.
    pub min_cluster_fakes: usize,
    /// Trusted: trust reaches the account and at most this share of accounts rank above it.
    pub trusted_share: f64,
    /// Apply the operation-infrastructure rule.
    pub infrastructure: bool,
    /// An account joins through the operation's infrastructure when at least this share of
    /// all its events came through it.
    pub min_infrastructure_share: f64,
    /// Accounts on emulated fingerprints form an operation of their own from this many.
    pub min_device_operation: usize,
    /// … when they worked at least this many common targets.
    pub min_common_targets: usize,
}

impl Default for Corroboration {
    fn default() -> Self {
        Corroboration {
            devices: true,
            trust: true,
            min_emulated_share: 0.5,
            min_cluster_fakes: 3,
            trusted_share: 0.1,
            infrastructure: true,
            min_infrastructure_share: 0.5,
            min_device_operation: 5,
            min_common_targets: 2,
        }
    }
}

/// What [`corroborate`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CorroborationStats {
    /// Flagged accounts given `emulated-device`.
    pub annotated: usize,
    /// Accounts that joined an operation through its emulated devices.
    pub joined: usize,
    /// Operations formed by accounts on emulated fingerprints alone.
    pub device_operations: usize,
    /// Accounts that joined an operation through its exclusive phones and addresses.
    pub by_infrastructure: usize,
    /// `fake` verdicts turned `compromised` by trust.
    pub to_compromised: usize,
    /// `fake` verdicts turned `suspicious` by trust.
    pub to_suspicious: usize,
}

/// The device checks and the trust propagation the rules read (default configs), computed
/// once: [`corroborate`] computes and drops them, [`corroborate_with`] takes them from a
/// caller that keeps them (a scan's explanations show both).
#[derive(Debug, Default)]
pub struct CorroborationReports {
    /// The device checks: `None` when the device rule is off or there is no devices side file.
    pub devices: Option<DeviceReport>,
    /// Trust: `None` when the trust rule is off.
    pub trust: Option<TrustReport>,
}

impl CorroborationReports {
    /// What the rules `cfg` turns on read of `log`.
    pub fn compute(log: &EventLog, cfg: &Corroboration) -> Self {
        // The device checks and the trust propagation read only the log: both at once.
        let (devices, trust) = rayon::join(
            || {
                (cfg.devices && !log.device_table.is_empty())
                    .then(|| device_checks(log, &DeviceConfig::default()))
            },
            || cfg.trust.then(|| trust(log, &TrustConfig::default())),
        );
        CorroborationReports { devices, trust }
    }
}

/// Applies the device and trust rules (see the module docs) to `j`, keeping its operations'
/// members, counts, spans and flagged events consistent.
///
/// # Complexity
/// O(n) over the events plus the device checks' and trust propagation's costs.
pub fn corroborate(log: &EventLog, j: &mut Judgement, cfg: &Corroboration) -> CorroborationStats {
    corroborate_with(log, j, cfg, &CorroborationReports::compute(log, cfg))
}

/// [`corroborate`] with the device checks and trust of `log` already computed
/// ([`CorroborationReports::compute`]).
///
/// # Complexity
/// O(n) over the events.
pub fn corroborate_with(
    log: &EventLog,
    j: &mut Judgement,
    cfg: &Corroboration,
    reports: &CorroborationReports,
) -> CorroborationStats {
    let mut stats = CorroborationStats::default();
    let mut touched = vec![false; j.operations.len()];
    if let Some(rep) = &reports.devices {
        by_devices(log, j, cfg, rep, &mut touched, &mut stats);
        touched.resize(j.operations.len(), true);
    }
    if cfg.infrastructure {
        by_infrastructure(log, j, cfg, &mut touched, &mut stats);
    }
    if let Some(tr) = &reports.trust {
        by_trust(log, j, cfg, tr, &mut touched, &mut stats);
    }
    refresh(log, j, &touched);
    stats
}

fn by_infrastructure(
    log: &EventLog,
    j: &mut Judgement,
    cfg: &Corroboration,
    touched: &mut [bool],
    stats: &mut CorroborationStats,
) {
    // Which operation each IP and device is infrastructure of (the first, if several).
    let mut ip_op = vec![NO_OP; log.ips.len()];
    let mut dev_op = vec![NO_OP; log.devices.len()];
    for (k, o) in j.operations.iter().enumerate() {
        if matches!(o.kind, OperationKind::VendorApp | OperationKind::Scraping) {
            continue;
        }
        for &ip in &o.ips {
            if ip_op[ip as usize] == NO_OP {
                ip_op[ip as usize] = k as u32;
            }
        }
        for &d in &o.devices {
            if dev_op[d as usize] == NO_OP {
                dev_op[d as usize] = k as u32;
            }
        }
    }
    let (actor, ip, device) = (log.actor(), log.ip(), log.device());
    let infra_op = |e: usize| {
        let d = device[e];
        if d != NONE && dev_op[d as usize] != NO_OP {
            return dev_op[d as usize];
        }
        let i = ip[e];
        if i != NONE { ip_op[i as usize] } else { NO_OP }
    };
    // Per account: events, events through one operation's infrastructure (the first seen),
    // and whether one of them engaged that operation's targets.
    let n_acc = log.accounts.len();
    let mut total = vec![0u32; n_acc];
    let mut first = vec![i64::MAX; n_acc];
    let mut through = vec![0u32; n_acc];
    let mut op_of = vec![NO_OP; n_acc];
    let mut worked = vec![false; n_acc];
    let engagement = ActionSet::engagement();
    // One byte per account, read once per event: a fraction of the verdicts' memory.
    let flagged: Vec<bool> = j.accounts.iter().map(|v| v.verdict.is_flagged()).collect();
    for (e, &a) in actor.iter().enumerate() {
        let a = a as usize;
        total[a] += 1;
        first[a] = first[a].min(log.ts()[e]);
        if flagged[a] {
            continue;
        }
        let op = infra_op(e);
        if op == NO_OP || (op_of[a] != NO_OP && op_of[a] != op) {
            continue;
        }
        op_of[a] = op;
        through[a] += 1;
        if engagement.contains(log.action()[e])
            && j.operations[op as usize]
                .targets
                .binary_search(&log.target()[e])
                .is_ok()
        {
            worked[a] = true;
        }
    }
    let joins: Vec<bool> = (0..n_acc)
        .map(|a| {
            op_of[a] != NO_OP
                && worked[a]
                && f64::from(through[a]) >= cfg.min_infrastructure_share * f64::from(total[a])
        })
        .collect();
    if !joins.iter().any(|&x| x) {
        return;
    }
    for (e, &a) in actor.iter().enumerate() {
        let a = a as usize;
        if !joins[a] || j.event_op[e] != NO_OP {
            continue;
        }
        let op = op_of[a];
        j.event_op[e] = op;
        let on_target = infra_op(e) == op
            && engagement.contains(log.action()[e])
            && j.operations[op as usize]
                .targets
                .binary_search(&log.target()[e])
                .is_ok();
        j.event_reasons[e] |= if on_target {
            Reasons::VENDOR_INFRASTRUCTURE
        } else {
            Reasons::FAKE_ACCOUNT
        };
    }
    for (a, &join) in joins.iter().enumerate() {
        if !join {
            continue;
        }
        let op = op_of[a];
        let v = &mut j.accounts[a];
        // Created less than 30 days before its first event (as the judge's `new-account`).
        let new = log
            .account_table
            .created_at(a as Id)
            .is_some_and(|c| first[a] - c < 30 * 86_400_000);
        v.verdict = Verdict::Fake;
        v.operation = op;
        v.score = v.score.max(0.8);
        v.reasons = (v.reasons & Reasons::CONTENT_TEMPLATE)
            | Reasons::VENDOR_INFRASTRUCTURE
            | Reasons::OPERATION_ONLY
            | if new {
                Reasons::NEW_ACCOUNT
            } else {
                Reasons::default()
            };
        touched[op as usize] = true;
        stats.by_infrastructure += 1;
    }
}

fn by_devices(
    log: &EventLog,
    j: &mut Judgement,
    cfg: &Corroboration,
    rep: &DeviceReport,
    touched: &mut [bool],
    stats: &mut CorroborationStats,
) {
    let device = log.device();
    // 1. Flagged accounts' work from emulated devices.
    for (e, &d) in device.iter().enumerate() {
        if d != NONE && j.event_op[e] != NO_OP && rep.flags[d as usize].is_emulated() {
            j.event_reasons[e] |= Reasons::EMULATED_DEVICE;
        }
    }
    for (a, v) in j.accounts.iter_mut().enumerate() {
        if v.verdict.is_flagged() && rep.accounts[a].emulated_share() >= cfg.min_emulated_share {
            v.reasons |= Reasons::EMULATED_DEVICE;
            stats.annotated += 1;
        }
    }
    // 2. Accounts on an operation's emulated fingerprint.
    let engagement = ActionSet::engagement();
    let actor = log.actor();
    let mut joined: Vec<(Id, u32)> = Vec::new();
    for c in &rep.clusters {
        let mut fakes = vec![0usize; j.operations.len()];
        for &a in &c.accounts {
            let v = j.accounts[a as usize];
            if v.verdict == Verdict::Fake && v.operation != NO_OP {
                fakes[v.operation as usize] += 1;
            }
        }
        let Some((op, &n)) = fakes.iter().enumerate().max_by_key(|&(k, &n)| (n, !k)) else {
            continue;
        };
        if n < cfg.min_cluster_fakes {
            continue;
        }
        let o = &j.operations[op];
        let mut covered = false;
        // The cluster's events by account (one sort, no rescan per account).
        let mut by_actor: Vec<(Id, u32)> =
            c.events.iter().map(|&e| (actor[e as usize], e)).collect();
        by_actor.sort_unstable();
        for run in by_actor.chunk_by(|x, y| x.0 == y.0) {
            let a = run[0].0;
            let v = j.accounts[a as usize];
            if v.verdict.is_flagged()
                || rep.accounts[a as usize].emulated_share() < cfg.min_emulated_share
            {
                continue;
            }
            // Its work from these devices on the operation's targets.
            let work: Vec<u32> = run
                .iter()
                .map(|x| x.1)
                .filter(|&e| {
                    let i = e as usize;
                    engagement.contains(log.action()[i])
                        && o.targets.binary_search(&log.target()[i]).is_ok()
                })
                .collect();
            if work.is_empty() {
                continue;
            }
            covered = true;
            joined.push((a, op as u32));
            for e in work {
                j.event_op[e as usize] = op as u32;
                j.event_reasons[e as usize] |=
                    Reasons::EMULATED_DEVICE | Reasons::VENDOR_INFRASTRUCTURE;
            }
        }
        if covered {
            let summary = format!(
                "{} accounts on {} device ids of one emulated fingerprint ({}): {}",
                c.accounts.len(),
                c.devices.len(),
                c.flags.names().collect::<Vec<_>>().join(", "),
                c.fingerprint
            );
            let op = &mut j.operations[op];
            if !op.signals.iter().any(|s| s.summary == summary) {
                op.signals.push(SignalRef {
                    signal: None,
                    reason: "emulated-device",
                    score: 1.0,
                    accounts: c.accounts.len(),
                    summary,
                });
            }
        }
    }
    seed_from_devices(log, j, cfg, rep, &mut joined, stats);
    joined.sort_unstable();
    joined.dedup_by_key(|x| x.0);
    // Every event of a fake account is fake engagement or its camouflage: one pass.
    let mut op_of = vec![NO_OP; log.accounts.len()];
    for &(a, op) in &joined {
        op_of[a as usize] = op;
    }
    if !joined.is_empty() {
        for (e, &a) in actor.iter().enumerate() {
            let op = op_of[a as usize];
            if op != NO_OP && j.event_op[e] == NO_OP {
                j.event_op[e] = op;
                j.event_reasons[e] |= Reasons::FAKE_ACCOUNT;
            }
        }
    }
    for &(a, op) in &joined {
        let v = &mut j.accounts[a as usize];
        v.verdict = Verdict::Fake;
        v.operation = op;
        v.score = v.score.max(0.8);
        v.reasons = Reasons::EMULATED_DEVICE
            | Reasons::VENDOR_INFRASTRUCTURE
            | Reasons::OPERATION_ONLY
            | (v.reasons & Reasons::NEW_ACCOUNT);
        if (op as usize) < touched.len() {
            touched[op as usize] = true;
            stats.joined += 1;
        }
    }
}

/// Operations of accounts on emulated fingerprints that no operation holds (module docs,
/// rule 1). New operations are appended to `j.operations` with their members' work flagged;
/// their members are pushed to `joined` (which finishes them as `fake`).
fn seed_from_devices(
    log: &EventLog,
    j: &mut Judgement,
    cfg: &Corroboration,
    rep: &DeviceReport,
    joined: &mut Vec<(Id, u32)>,
    stats: &mut CorroborationStats,
) {
    let engagement = ActionSet::engagement();
    let (actor, target) = (log.actor(), log.target());
    let first_new = j.operations.len();
    for c in &rep.clusters {
        let free: Vec<Id> = c
            .accounts
            .iter()
            .copied()
            .filter(|&a| {
                !j.accounts[a as usize].verdict.is_flagged()
                    && joined.binary_search_by_key(&a, |x| x.0).is_err()
                    && rep.accounts[a as usize].emulated_share() >= cfg.min_emulated_share
            })
            .collect();
        if free.len() < cfg.min_device_operation {
            continue;
        }
        // Targets engaged from the cluster's devices by at least three free accounts.
        let mut at: Vec<(Id, Id)> = c
            .events
            .iter()
            .map(|&e| e as usize)
            .filter(|&i| {
                engagement.contains(log.action()[i]) && free.binary_search(&actor[i]).is_ok()
            })
            .map(|i| (target[i], actor[i]))
            .collect();
        at.sort_unstable();
        at.dedup();
        let common: Vec<Id> = at
            .chunk_by(|x, y| x.0 == y.0)
            .filter(|run| run.len() >= 3)
            .map(|run| run[0].0)
            .collect();
        if common.len() < cfg.min_common_targets {
            continue;
        }
        let work: Vec<u32> = c
            .events
            .iter()
            .copied()
            .filter(|&e| {
                let i = e as usize;
                engagement.contains(log.action()[i])
                    && free.binary_search(&actor[i]).is_ok()
                    && common.binary_search(&target[i]).is_ok()
            })
            .collect();
        let mut members: Vec<Id> = work.iter().map(|&e| actor[e as usize]).collect();
        members.sort_unstable();
        members.dedup();
        if members.len() < cfg.min_device_operation {
            continue;
        }
        // One operation per set of orders: join a device operation formed above that worked
        // one of the same targets.
        let existing = (first_new..j.operations.len()).find(|&k| {
            common
                .iter()
                .any(|t| j.operations[k].targets.binary_search(t).is_ok())
        });
        let op = match existing {
            Some(k) => k,
            None => {
                j.operations.push(Operation {
                    id: format!("op-{:03}", j.operations.len() + 1),
                    kind: OperationKind::LikeFarm,
                    members: Vec::new(),
                    fake: 0,
                    compromised: 0,
                    suspicious: Vec::new(),
                    targets: Vec::new(),
                    beneficiaries: Vec::new(),
                    victims: Vec::new(),
                    ips: Vec::new(),
                    subnets: Vec::new(),
                    devices: Vec::new(),
                    joint_ips: Vec::new(),
                    joint_devices: Vec::new(),
                    clients: Vec::new(),
                    span: (0, 0),
                    events: 0,
                    score: 0.0,
                    signals: Vec::new(),
                });
                stats.device_operations += 1;
                j.operations.len() - 1
            }
        };
        for &e in &work {
            j.event_op[e as usize] = op as u32;
            j.event_reasons[e as usize] |=
                Reasons::EMULATED_DEVICE | Reasons::VENDOR_INFRASTRUCTURE;
        }
        for &a in &members {
            joined.push((a, op as u32));
        }
        joined.sort_unstable();
        let o = &mut j.operations[op];
        o.targets.extend(work.iter().map(|&e| target[e as usize]));
        o.targets.sort_unstable();
        o.targets.dedup();
        o.devices.extend(&c.devices);
        o.devices.sort_unstable();
        o.devices.dedup();
        o.signals.push(SignalRef {
            signal: None,
            reason: "emulated-device",
            score: 1.0,
            accounts: members.len(),
            summary: format!(
                "{} accounts on {} device ids of one emulated fingerprint ({}), working {} common \
                 targets: {}",
                members.len(),
                c.devices.len(),
                c.flags.names().collect::<Vec<_>>().join(", "),
                common.len(),
                c.fingerprint
            ),
        });
    }
    // What the new operations are: beneficiaries, infrastructure, kind — one pass.
    let n_new = j.operations.len() - first_new;
    if n_new == 0 {
        return;
    }
    let mut owners: Vec<Vec<Id>> = vec![Vec::new(); n_new];
    let mut ips: Vec<Vec<(Id, Id)>> = vec![Vec::new(); n_new];
    let mut clients: Vec<Vec<Id>> = vec![Vec::new(); n_new];
    let mut per_action = vec![[0usize; 256]; n_new];
    for (e, &o) in j.event_op.iter().enumerate() {
        if o == NO_OP
            || (o as usize) < first_new
            || !j.event_reasons[e].contains(Reasons::EMULATED_DEVICE)
        {
            continue;
        }
        let k = o as usize - first_new;
        per_action[k][log.action()[e] as usize] += 1;
        if log.owner()[e] != NONE {
            owners[k].push(log.owner()[e]);
        }
        if log.ip()[e] != NONE {
            ips[k].push((log.ip()[e], actor[e]));
        }
        if log.client()[e] != NONE {
            clients[k].push(log.client()[e]);
        }
    }
    for k in 0..n_new {
        let o = &mut j.operations[first_new + k];
        let mut ow = std::mem::take(&mut owners[k]);
        ow.sort_unstable();
        ow.dedup();
        ow.retain(|x| joined.binary_search_by_key(x, |y| y.0).is_err());
        o.beneficiaries = ow;
        let mut ip = std::mem::take(&mut ips[k]);
        ip.sort_unstable();
        ip.dedup();
        // IPs at least two members used.
        o.ips = ip
            .chunk_by(|x, y| x.0 == y.0)
            .filter(|run| run.len() >= 2)
            .map(|run| run[0].0)
            .collect();
        let mut nets: Vec<String> = o
            .ips
            .iter()
            .map(|&ip| subnet(log.ips.resolve(ip)))
            .collect();
        nets.sort();
        o.subnets = nets
            .chunk_by(|a, b| a == b)
            .map(|run| (run[0].clone(), run.len()))
            .collect();
        o.subnets
            .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut cl = std::mem::take(&mut clients[k]);
        cl.sort_unstable();
        o.clients = cl
            .chunk_by(|a, b| a == b)
            .map(|run| (run[0], run.len()))
            .collect();
        o.clients.sort_by_key(|x| (std::cmp::Reverse(x.1), x.0));
        let pa = &per_action[k];
        let likes = pa[action::LIKE as usize] + pa[action::SHARE as usize];
        let follows = pa[action::FOLLOW as usize];
        let comments = pa[action::COMMENT as usize] + pa[action::REVIEW as usize];
        o.kind = if follows >= likes && follows >= comments {
            OperationKind::FollowerVendor
        } else if comments >= likes {
            OperationKind::CommentFarm
        } else {
            OperationKind::LikeFarm
        };
    }
}

fn by_trust(
    log: &EventLog,
    j: &mut Judgement,
    cfg: &Corroboration,
    tr: &TrustReport,
    touched: &mut [bool],
    stats: &mut CorroborationStats,
) {
    let min_pct = (1.0 - cfg.trusted_share) as f32;
    let actor = log.actor();
    let mut demoted: Vec<Id> = Vec::new();
    for (a, v) in j.accounts.iter_mut().enumerate() {
        if v.verdict != Verdict::Fake || tr.trust[a] <= 0.0 || tr.percentile[a] < min_pct {
            continue;
        }
        v.reasons |= Reasons::TRUSTED_ACCOUNT | Reasons::OWN_HISTORY;
        v.reasons = v.reasons & !Reasons::OPERATION_ONLY;
        if !(v.reasons & (Reasons::VENDOR_CLIENT | Reasons::VENDOR_INFRASTRUCTURE)).is_empty() {
            v.verdict = Verdict::Compromised;
            stats.to_compromised += 1;
        } else {
            v.verdict = Verdict::Suspicious;
            stats.to_suspicious += 1;
        }
        if v.operation != NO_OP {
            touched[v.operation as usize] = true;
        }
        demoted.push(a as Id);
    }
    if demoted.is_empty() {
        return;
    }
    demoted.sort_unstable();
    // A real person's own events are not fake: keep only the events flagged as operation
    // work (not `fake-account` camouflage); a person sent to review keeps none, and the
    // events it was flagged for become its evidence in the review queue.
    let mut evidence: Vec<Vec<u32>> = vec![Vec::new(); demoted.len()];
    for (e, &a) in actor.iter().enumerate() {
        if j.event_op[e] == NO_OP {
            continue;
        }
        let Ok(k) = demoted.binary_search(&a) else {
            continue;
        };
        let v = j.accounts[a as usize];
        let r = j.event_reasons[e];
        let camouflage = (r & !Reasons::FAKE_ACCOUNT).is_empty();
        if v.verdict == Verdict::Suspicious || camouflage {
            if v.verdict == Verdict::Suspicious && !camouflage {
                evidence[k].push(e as u32);
            }
            j.event_op[e] = NO_OP;
            j.event_reasons[e] = Reasons::default();
        }
    }
    for (k, &a) in demoted.iter().enumerate() {
        let v = &mut j.accounts[a as usize];
        if v.verdict == Verdict::Suspicious {
            let events = std::mem::take(&mut evidence[k]);
            let mut targets: Vec<Id> = events.iter().map(|&e| log.target()[e as usize]).collect();
            targets.sort_unstable();
            targets.dedup();
            let mut days: Vec<i64> = events
                .iter()
                .map(|&e| log.ts()[e as usize].div_euclid(86_400_000))
                .collect();
            days.sort_unstable();
            days.dedup();
            let mut owners: Vec<(bool, Id)> = events
                .iter()
                .map(|&e| crate::judge::owner_key(log, e))
                .collect();
            owners.sort_unstable();
            owners.dedup();
            let item = crate::judge::ReviewItem {
                account: a,
                cause: crate::judge::ReviewCause::Trusted,
                operation: v.operation,
                events,
                targets: targets.len(),
                days: days.len(),
                owners: owners.len(),
            };
            match j.review.binary_search_by_key(&a, |r| r.account) {
                Ok(i) => j.review[i] = item,
                Err(i) => j.review.insert(i, item),
            }
            if v.operation != NO_OP {
                let op = &mut j.operations[v.operation as usize];
                if let Err(k) = op.suspicious.binary_search(&a) {
                    op.suspicious.insert(k, a);
                }
            }
            v.operation = NO_OP;
        }
    }
}

/// Recomputes members, counts, flagged events and spans of the touched operations, in one
/// pass over the accounts and one over the events.
fn refresh(log: &EventLog, j: &mut Judgement, touched: &[bool]) {
    if !touched.iter().any(|&t| t) {
        return;
    }
    let n_ops = j.operations.len();
    let mut members: Vec<Vec<Id>> = vec![Vec::new(); n_ops];
    let mut counts = vec![(0usize, 0usize, 0.0f64); n_ops];
    for (a, v) in j.accounts.iter().enumerate() {
        let k = v.operation as usize;
        if v.operation == NO_OP || !touched[k] || !v.verdict.is_flagged() {
            continue;
        }
        members[k].push(a as Id);
        let c = &mut counts[k];
        c.2 += f64::from(v.score);
        if v.verdict == Verdict::Fake {
            c.0 += 1;
        } else {
            c.1 += 1;
        }
    }
    let mut spans = vec![(0usize, i64::MAX, i64::MIN); n_ops];
    for (e, &o) in j.event_op.iter().enumerate() {
        if o != NO_OP && touched[o as usize] {
            let sp = &mut spans[o as usize];
            sp.0 += 1;
            sp.1 = sp.1.min(log.ts()[e]);
            sp.2 = sp.2.max(log.ts()[e]);
        }
    }
    for (k, op) in j.operations.iter_mut().enumerate() {
        if !touched[k] {
            continue;
        }
        op.members = std::mem::take(&mut members[k]);
        (op.fake, op.compromised) = (counts[k].0, counts[k].1);
        op.score = if op.members.is_empty() {
            0.0
        } else {
            counts[k].2 / op.members.len() as f64
        };
        let accounts = &j.accounts;
        op.suspicious
            .retain(|&a| accounts[a as usize].verdict == Verdict::Suspicious);
        op.events = spans[k].0;
        if spans[k].0 > 0 {
            op.span = (spans[k].1, spans[k].2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_from_empty_toml() {
        let c: Corroboration = toml::from_str("").unwrap();
        assert_eq!(c, Corroboration::default());
        let c: Corroboration = toml::from_str("trust = false").unwrap();
        assert!(!c.trust);
        assert!(toml::from_str::<Corroboration>("nope = 1").is_err());
    }
}
