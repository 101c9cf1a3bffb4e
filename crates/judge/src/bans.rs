//! Permanent bans: what an operation's fingerprint is ([`fingerprints`]), and matching the
//! accounts of a new log against banned operations ([`match_bans`], a post-processing step on
//! a [`Judgement`]).
//!
//! A ban records the operation's infrastructure (device ids, device fingerprints, IP ranges,
//! third-party app ids) and its behaviour (the customers it served, its hour-of-day profile,
//! its delivery profile, its client mix). A returning vendor opens new accounts, but it keeps
//! some of its phones, its hosting ranges, its app and — above all — its customers. Matching
//! looks only at each account's earliest actions and needs at least two independent kinds of
//! evidence ([`Evidence`]), each one that a real person rarely has:
//!
//! - **device**: a device id the operation used, or a device fingerprint (model, OS, build,
//!   screen) that no device outside the operation carried when it was banned — a stock
//!   fingerprint millions of real phones share is never evidence;
//! - **network**: an address in an IP range the operation dominated when it was banned (at
//!   least [`BanConfig::range_min_members`] of its accounts and at least
//!   [`BanConfig::range_min_member_share`] of every account seen there) — a carrier's or an
//!   ISP's range that real people share is never evidence;
//! - **app**: a third-party app id (`api:<app>`) the operation ran through;
//! - **customers**: engagement with an account the operation was paid to boost.
//!
//! A real person on a range shared with a banned one, or a fan of a creator a vendor once
//! boosted, has one kind at most, and one kind is never a match. The hour-of-day profile,
//! delivery profile and client mix are recorded for the analyst and are not evidence: real
//! people share working hours, delivery bursts resemble a viral post's first hour, and client
//! versions are common.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use lockstep_core::{EventLog, Id, NONE};
use lockstep_graph::ActionSet;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::judge::{Judgement, NO_OP, Operation, OperationKind, SignalRef, Verdict};
use crate::{Error, Reasons, Result};

/// How ban matching decides. Defaults (documented in docs/POLICY.md, "Ban matching"):
/// `earliest_actions = 10`, `min_kinds = 2`, `new_accounts_only = true`,
/// `range_min_members = 20`, `range_min_member_share = 0.9`,
/// `fingerprint_max_outside_devices = 0`, `score = 0.9`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BanConfig {
    /// Only an account's first this many actions (in time order) are compared with the bans:
    /// a returning vendor is recognised by how it starts, and a person's later life never
    /// reopens the question. Default 10.
    pub earliest_actions: usize,
    /// Independent kinds of evidence ([`Evidence`]) a match needs. Default 2; lower it and a
    /// fan of a boosted creator, or a subscriber of a carrier a vendor also used, is flagged.
    pub min_kinds: usize,
    /// Only accounts whose first action comes after the banned operation's last flagged event
    /// are matched: a returning vendor opens new accounts, and an account seen before the ban
    /// was judged then (its own verdict, not its likeness to a ban, decides it). Default true.
    pub new_accounts_only: bool,
    /// A banned IP range is evidence only if at least this many of the operation's accounts
    /// used it: where a vendor runs its accounts, not a residential proxy exit it passed
    /// through. Default 20.
    pub range_min_members: usize,
    /// …and the operation's accounts were at least this share of every account seen on it when
    /// it was banned (a range real people live on says nothing). Default 0.9.
    pub range_min_member_share: f64,
    /// A banned device fingerprint is evidence only if at most this many devices outside the
    /// operation carried it when it was banned. Default 0: a fingerprint a real phone shares
    /// says nothing.
    pub fingerprint_max_outside_devices: usize,
    /// The score given to an account flagged by ban matching alone. Default 0.9.
    pub score: f32,
}

impl Default for BanConfig {
    fn default() -> Self {
        BanConfig {
            earliest_actions: 10,
            min_kinds: 2,
            new_accounts_only: true,
            range_min_members: 20,
            range_min_member_share: 0.9,
            fingerprint_max_outside_devices: 0,
            score: 0.9,
        }
    }
}

pub use lockstep_findings::{
    ClientShare, DeliveryProfile, DeviceFingerprint, Fingerprint, RangeUse,
};

/// A banned operation as matching needs it (built from the store's ban list).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BannedOperation {
    /// The banned operation's id (in the scan it was banned from).
    pub operation: String,
    /// Its kind (`like-farm`, …).
    pub kind: String,
    /// The `ban_vendor` action that recorded it.
    pub action_key: String,
    /// Device ids.
    pub devices: Vec<String>,
    /// Device fingerprints with their counts.
    pub device_fingerprints: Vec<DeviceFingerprint>,
    /// The IP ranges it was banned with (CIDR).
    pub ip_ranges: Vec<String>,
    /// How many accounts used each range when it was banned. A range without an entry here
    /// (a ban recorded before fingerprints were) counts as the operation's own: it came from
    /// the judge's exclusive infrastructure.
    pub range_use: Vec<RangeUse>,
    /// Third-party app ids.
    pub app_ids: Vec<String>,
    /// The accounts it served.
    pub customers: Vec<String>,
    /// It ran through real people's accounts: a match is `compromised`, not `fake`.
    pub through_real_accounts: bool,
    /// Its last flagged event (epoch ms) in the scan it was banned from, if known.
    pub active_until: Option<i64>,
}

/// Kinds of evidence tying an action to a banned operation (a bit set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Evidence(u8);

impl Evidence {
    /// A banned device id, or a banned fingerprint no outside device shared.
    pub const DEVICE: Evidence = Evidence(1);
    /// An address in a range the banned operation dominated.
    pub const NETWORK: Evidence = Evidence(1 << 1);
    /// A banned third-party app.
    pub const APP: Evidence = Evidence(1 << 2);
    /// Engagement with one of the banned operation's customers.
    pub const CUSTOMERS: Evidence = Evidence(1 << 3);

    const NAMES: [&'static str; 4] = ["device", "network", "app", "customers"];

    /// How many kinds are set.
    pub fn kinds(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether every kind of `other` is set.
    pub fn contains(self, other: Evidence) -> bool {
        self.0 & other.0 == other.0
    }

    /// The kinds' names, in bit order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::NAMES
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, n)| *n)
    }
}

impl std::ops::BitOr for Evidence {
    type Output = Evidence;
    fn bitor(self, o: Evidence) -> Evidence {
        Evidence(self.0 | o.0)
    }
}

impl std::ops::BitOrAssign for Evidence {
    fn bitor_assign(&mut self, o: Evidence) {
        self.0 |= o.0;
    }
}

impl std::fmt::Display for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, n) in self.names().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            f.write_str(n)?;
        }
        Ok(())
    }
}

/// One account matched to a ban.
#[derive(Debug, Clone, PartialEq)]
pub struct BanMatch {
    /// The account.
    pub account: Id,
    /// Index into the bans given to [`match_bans`].
    pub ban: usize,
    /// The event at which the evidence first reached [`BanConfig::min_kinds`].
    pub event: u32,
    /// That event's place among the account's actions in time order (1 = its first).
    pub ordinal: usize,
    /// The kinds of evidence seen up to that event.
    pub evidence: Evidence,
    /// The operation the account is in after matching (index into
    /// [`Judgement::operations`]).
    pub operation: u32,
}

/// An operation of the judgement whose members matched a ban.
#[derive(Debug, Clone, PartialEq)]
pub struct BanLink {
    /// Index into [`Judgement::operations`].
    pub operation: u32,
    /// Index into the bans.
    pub ban: usize,
    /// Its members that matched.
    pub accounts: usize,
    /// True if ban matching created the operation (its members were not flagged otherwise).
    pub created: bool,
}

/// What [`match_bans`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BanMatches {
    /// Every matched account, in account id order.
    pub matches: Vec<BanMatch>,
    /// Operations linked to bans, in operation order.
    pub links: Vec<BanLink>,
}

/// The range of `ip`: IPv4 /24, IPv6 /48 (what `enforce plan` blocks by default).
fn range_of(ip: IpAddr) -> String {
    lockstep_detect::ranges::network_of(ip)
}

/// A parsed CIDR: network bits and prefix length, IPv4 as IPv4-mapped IPv6.
#[derive(Debug, Clone, Copy)]
struct Cidr {
    net: u128,
    mask: u128,
}

fn mapped(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(a) => u128::from(a.to_ipv6_mapped()),
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => u128::from(v4.to_ipv6_mapped()),
            None => u128::from(a),
        },
    }
}

impl Cidr {
    fn parse(s: &str) -> Option<Cidr> {
        let (addr, len) = s.trim().split_once('/')?;
        let ip: IpAddr = addr.parse().ok()?;
        let len: u32 = len.parse().ok()?;
        let bits = match ip {
            IpAddr::V4(_) if len <= 32 => 96 + len,
            IpAddr::V6(_) if len <= 128 => len,
            _ => return None,
        };
        let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
        Some(Cidr {
            net: mapped(ip) & mask,
            mask,
        })
    }
    fn contains(&self, ip: IpAddr) -> bool {
        mapped(ip) & self.mask == self.net
    }
}

/// A device's fingerprint from the devices side file, or `None` when the file does not
/// describe it.
fn device_fingerprint(log: &EventLog, device: Id) -> Option<String> {
    let t = &log.device_table;
    let row = t.row(device)?;
    let screen = t.screen(row).map(|(w, h)| format!("{w}x{h}"));
    let parts = [t.model(row), t.os(row), t.build(row), screen.as_deref()];
    if parts.iter().all(Option::is_none) {
        return None;
    }
    Some(parts.map(|p| p.unwrap_or("")).join("|"))
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Every operation's fingerprint, in operation order.
///
/// # Arguments
/// - `log`: the log the judgement was made on (with its devices side table, if any).
/// - `j`: the judgement.
///
/// # Returns
/// One [`Fingerprint`] per operation of `j`.
///
/// # Complexity
/// O(events + devices) plus sorting each operation's flagged events.
pub fn fingerprints(log: &EventLog, j: &Judgement) -> Vec<Fingerprint> {
    let n_ops = j.operations.len();
    let mut by_op: Vec<Vec<u32>> = vec![Vec::new(); n_ops];
    for (e, &op) in j.event_op.iter().enumerate() {
        if op != NO_OP && (op as usize) < n_ops {
            by_op[op as usize].push(e as u32);
        }
    }
    // Devices per fingerprint over every device the log's events used.
    let mut used = vec![false; log.devices.len()];
    for &d in log.device() {
        if d != NONE {
            used[d as usize] = true;
        }
    }
    let fp_of: Vec<Option<String>> = (0..log.devices.len())
        .map(|d| {
            if used[d] {
                device_fingerprint(log, d as Id)
            } else {
                None
            }
        })
        .collect();
    let mut fp_total: HashMap<&str, usize> = HashMap::new();
    for f in fp_of.iter().flatten() {
        *fp_total.entry(f).or_default() += 1;
    }
    // The ranges (networks) of every operation, numbered in the order the operations' events
    // first use them, then one pass over the log for the accounts on each.
    let (nets, net_of_ip) = lockstep_detect::ranges::network_ids(log);
    let net_of = |e: u32| {
        let ip = log.ip()[e as usize];
        if ip == NONE {
            NONE
        } else {
            net_of_ip[ip as usize]
        }
    };
    let mut range_ix: Vec<u32> = vec![u32::MAX; nets.len()];
    let mut ranges: Vec<u32> = Vec::new();
    for evs in &by_op {
        for &e in evs {
            let n = net_of(e);
            if n != NONE && range_ix[n as usize] == u32::MAX {
                range_ix[n as usize] = ranges.len() as u32;
                ranges.push(n);
            }
        }
    }
    // (range, account) for every event on one of those ranges, sorted and deduplicated: the
    // accounts of range `r` are `range_accounts[range_off[r]..range_off[r + 1]]`, sorted.
    let mut range_accounts: Vec<(u32, Id)> = (0..log.len() as u32)
        .into_par_iter()
        .with_min_len(1 << 14)
        .filter_map(|e| {
            let n = net_of(e);
            (n != NONE && range_ix[n as usize] != u32::MAX)
                .then(|| (range_ix[n as usize], log.actor()[e as usize]))
        })
        .collect();
    range_accounts.par_sort_unstable();
    range_accounts.dedup();
    let mut range_off = vec![0usize; ranges.len() + 1];
    for &(r, _) in &range_accounts {
        range_off[r as usize + 1] += 1;
    }
    for r in 0..ranges.len() {
        range_off[r + 1] += range_off[r];
    }
    let eng = ActionSet::engagement();

    j.operations
        .iter()
        .zip(&by_op)
        .map(|(o, evs)| {
            let members: HashSet<Id> = o.members.iter().copied().collect();
            let mut devices: Vec<Id> = evs
                .iter()
                .map(|&e| log.device()[e as usize])
                .filter(|&d| d != NONE)
                .collect();
            devices.sort_unstable();
            devices.dedup();
            let mut fps: BTreeMap<&str, usize> = BTreeMap::new();
            for &d in &devices {
                if let Some(f) = &fp_of[d as usize] {
                    *fps.entry(f).or_default() += 1;
                }
            }
            let mut device_fingerprints: Vec<DeviceFingerprint> = fps
                .into_iter()
                .map(|(f, n)| DeviceFingerprint {
                    fingerprint: f.to_owned(),
                    devices: n,
                    outside_devices: fp_total.get(f).copied().unwrap_or(n).saturating_sub(n),
                })
                .collect();
            device_fingerprints.sort_by_key(|f| std::cmp::Reverse(f.devices));

            let mut op_ranges: Vec<u32> = evs
                .iter()
                .map(|&e| net_of(e))
                .filter(|&n| n != NONE)
                .map(|n| range_ix[n as usize])
                .collect();
            op_ranges.sort_unstable();
            op_ranges.dedup();
            let ip_ranges = op_ranges
                .iter()
                .map(|&ix| {
                    let ix = ix as usize;
                    let accts = &range_accounts[range_off[ix]..range_off[ix + 1]];
                    RangeUse {
                        range: lockstep_detect::ranges::network_name(nets[ranges[ix] as usize]),
                        members: accts.iter().filter(|a| members.contains(&a.1)).count(),
                        accounts: accts.len(),
                    }
                })
                .collect();

            let mut clients: HashMap<Id, usize> = HashMap::new();
            let mut hours = vec![0u64; 24];
            let mut per_target: HashMap<Id, (usize, i64, i64)> = HashMap::new();
            for &e in evs {
                let e = e as usize;
                let c = log.client()[e];
                if c != NONE {
                    *clients.entry(c).or_default() += 1;
                }
                let ts = log.ts()[e];
                hours[(ts.rem_euclid(86_400_000) / 3_600_000) as usize] += 1;
                if eng.contains(log.action()[e]) {
                    let t = per_target.entry(log.target()[e]).or_insert((0, ts, ts));
                    t.0 += 1;
                    t.1 = t.1.min(ts);
                    t.2 = t.2.max(ts);
                }
            }
            let orders: Vec<&(usize, i64, i64)> =
                per_target.values().filter(|t| t.0 >= 2).collect();
            let mut sizes: Vec<f64> = orders.iter().map(|t| t.0 as f64).collect();
            let mut mins: Vec<f64> = orders
                .iter()
                .map(|t| (t.2 - t.1) as f64 / 60_000.0)
                .collect();
            let delivery = DeliveryProfile {
                orders: orders.len(),
                median_events: median(&mut sizes),
                median_minutes: (median(&mut mins) * 10.0).round() / 10.0,
            };
            let total = evs.len().max(1) as f64;
            let mut clients: Vec<(Id, usize)> = clients.into_iter().collect();
            clients.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let mut app_ids: Vec<String> = clients
                .iter()
                .filter_map(|&(c, _)| log.clients.resolve(c).strip_prefix("api:"))
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect();
            app_ids.sort();
            Fingerprint {
                devices: devices
                    .iter()
                    .map(|&d| log.devices.resolve(d).to_owned())
                    .collect(),
                device_fingerprints,
                ip_ranges,
                app_ids,
                customers: o
                    .beneficiaries
                    .iter()
                    .map(|&a| log.accounts.resolve(a).to_owned())
                    .collect(),
                hours,
                delivery,
                clients: clients
                    .iter()
                    .map(|&(c, n)| ClientShare {
                        client: log.clients.resolve(c).to_owned(),
                        share: (n as f64 / total * 1000.0).round() / 1000.0,
                    })
                    .collect(),
            }
        })
        .collect()
}

/// One ban resolved against a log's id spaces.
struct Resolved {
    devices: HashSet<Id>,
    fingerprints: HashSet<String>,
    ranges: Vec<Cidr>,
    apps: HashSet<Id>,
    customers: HashSet<Id>,
}

fn resolve(log: &EventLog, b: &BannedOperation, cfg: &BanConfig) -> Resolved {
    let use_of: HashMap<&str, &RangeUse> =
        b.range_use.iter().map(|r| (r.range.as_str(), r)).collect();
    let dominated = |r: &RangeUse| {
        r.members >= cfg.range_min_members
            && r.members as f64 >= cfg.range_min_member_share * r.accounts.max(1) as f64
    };
    let mut ranges: Vec<Cidr> = Vec::new();
    for r in &b.ip_ranges {
        let ok = use_of.get(r.as_str()).is_none_or(|u| dominated(u));
        if ok && let Some(c) = Cidr::parse(r) {
            ranges.push(c);
        }
    }
    for r in &b.range_use {
        if dominated(r)
            && !b.ip_ranges.contains(&r.range)
            && let Some(c) = Cidr::parse(&r.range)
        {
            ranges.push(c);
        }
    }
    Resolved {
        devices: b
            .devices
            .iter()
            .filter_map(|d| log.devices.get(d))
            .collect(),
        fingerprints: b
            .device_fingerprints
            .iter()
            .filter(|f| f.outside_devices <= cfg.fingerprint_max_outside_devices)
            .map(|f| f.fingerprint.clone())
            .collect(),
        ranges,
        apps: b
            .app_ids
            .iter()
            .filter_map(|a| log.clients.get(&format!("api:{a}")))
            .collect(),
        customers: b
            .customers
            .iter()
            .filter_map(|c| log.accounts.get(c))
            .collect(),
    }
}

/// The evidence one event carries against one ban.
fn evidence(log: &EventLog, e: usize, r: &Resolved, eng: &ActionSet) -> Evidence {
    let mut ev = Evidence::default();
    let d = log.device()[e];
    if d != NONE
        && (r.devices.contains(&d)
            || (!r.fingerprints.is_empty()
                && device_fingerprint(log, d).is_some_and(|f| r.fingerprints.contains(&f))))
    {
        ev |= Evidence::DEVICE;
    }
    let ip = log.ip()[e];
    if ip != NONE && !r.ranges.is_empty() {
        let addr = log.ips.resolve(ip);
        if r.ranges.iter().any(|c| c.contains(addr)) {
            ev |= Evidence::NETWORK;
        }
    }
    let c = log.client()[e];
    if c != NONE && r.apps.contains(&c) {
        ev |= Evidence::APP;
    }
    let owner = log.owner()[e];
    if owner != NONE
        && owner != log.actor()[e]
        && eng.contains(log.action()[e])
        && r.customers.contains(&owner)
    {
        ev |= Evidence::CUSTOMERS;
    }
    ev
}

fn kind_of(s: &str) -> OperationKind {
    match s {
        "follower-vendor" => OperationKind::FollowerVendor,
        "comment-farm" => OperationKind::CommentFarm,
        "vendor-app" => OperationKind::VendorApp,
        "scraping" => OperationKind::Scraping,
        _ => OperationKind::LikeFarm,
    }
}

/// Matches every account's earliest actions against the bans and writes the matches into the
/// judgement: reason `ban-match` on the account and its flagged events; an account the judge
/// did not flag becomes `fake` (`compromised` for a ban of an operation that ran through real
/// people's accounts) in a new operation per ban, `op-ban-001`, …, whose events are flagged.
/// Accounts the judge already flagged keep their verdict and operation.
///
/// # Arguments
/// - `log`, `j`: the log and the judge's verdicts on it (changed in place).
/// - `bans`: the banned operations (lifted bans left out by the caller).
/// - `cfg`: the thresholds.
///
/// # Returns
/// The matches (which event, which ordinal, which evidence) and the operations linked to bans.
///
/// # Complexity
/// O(events log events) for the actor order, then O(accounts × bans × `earliest_actions`).
pub fn match_bans(
    log: &EventLog,
    j: &mut Judgement,
    bans: &[BannedOperation],
    cfg: &BanConfig,
) -> BanMatches {
    let mut out = BanMatches::default();
    if bans.is_empty() || log.is_empty() {
        return out;
    }
    let resolved: Vec<Resolved> = bans.iter().map(|b| resolve(log, b, cfg)).collect();
    let eng = ActionSet::engagement();
    let order = log.by_actor_time();
    let actor = log.actor();
    let need = cfg.min_kinds.max(1);

    // First match per account: the earliest ordinal over the bans.
    let mut found: Vec<(Id, usize, u32, usize, Evidence)> = Vec::new();
    let mut i = 0;
    while i < order.len() {
        let a = actor[order[i] as usize];
        let mut k = i;
        while k < order.len() && actor[order[k] as usize] == a {
            k += 1;
        }
        let first = &order[i..k.min(i + cfg.earliest_actions)];
        let first_ts = log.ts()[order[i] as usize];
        let mut best: Option<(usize, usize, u32, Evidence)> = None;
        for (b, r) in resolved.iter().enumerate() {
            if cfg.new_accounts_only && bans[b].active_until.is_some_and(|until| first_ts <= until)
            {
                continue;
            }
            let mut seen = Evidence::default();
            for (n, &e) in first.iter().enumerate() {
                seen |= evidence(log, e as usize, r, &eng);
                if seen.kinds() >= need {
                    if best.is_none_or(|x| n + 1 < x.0) {
                        best = Some((n + 1, b, e, seen));
                    }
                    break;
                }
            }
        }
        if let Some((ordinal, b, e, ev)) = best {
            found.push((a, b, e, ordinal, ev));
        }
        i = k;
    }
    if found.is_empty() {
        return out;
    }

    // Accounts the judge did not flag go into one new operation per ban.
    let mut new_op_of: HashMap<usize, u32> = HashMap::new();
    let mut new_members: BTreeMap<u32, Vec<Id>> = BTreeMap::new();
    let mut linked: BTreeMap<(u32, usize), (usize, bool)> = BTreeMap::new();
    let mut account_events: HashMap<Id, Vec<u32>> = HashMap::new();
    {
        let want: HashSet<Id> = found.iter().map(|f| f.0).collect();
        for &e in &order {
            let a = actor[e as usize];
            if want.contains(&a) {
                account_events.entry(a).or_default().push(e);
            }
        }
    }
    for &(a, b, e, ordinal, ev) in &found {
        let v = &mut j.accounts[a as usize];
        let op = if v.verdict.is_flagged() && v.operation != NO_OP {
            v.reasons |= Reasons::BAN_MATCH;
            for &x in &account_events[&a] {
                if j.event_op[x as usize] != NO_OP {
                    j.event_reasons[x as usize] |= Reasons::BAN_MATCH;
                }
            }
            let l = linked.entry((v.operation, b)).or_insert((0, false));
            l.0 += 1;
            v.operation
        } else {
            let op = *new_op_of.entry(b).or_insert_with(|| {
                let ix = (j.operations.len() + new_members.len()) as u32;
                new_members.insert(ix, Vec::new());
                ix
            });
            new_members.entry(op).or_default().push(a);
            let through_real = bans[b].through_real_accounts;
            v.verdict = if through_real {
                Verdict::Compromised
            } else {
                Verdict::Fake
            };
            v.score = v.score.max(cfg.score);
            v.reasons |= Reasons::BAN_MATCH;
            v.operation = op;
            let r = &resolved[b];
            for &x in &account_events[&a] {
                let x = x as usize;
                if j.event_op[x] != NO_OP {
                    continue;
                }
                // A fake account's every event is the operation's; a real person's only those
                // carrying the banned operation's infrastructure.
                let own = evidence(log, x, r, &eng);
                if !through_real || own.contains(Evidence::APP) || own.contains(Evidence::DEVICE) {
                    j.event_op[x] = op;
                    j.event_reasons[x] |= Reasons::BAN_MATCH;
                }
            }
            let l = linked.entry((op, b)).or_insert((0, true));
            l.0 += 1;
            op
        };
        out.matches.push(BanMatch {
            account: a,
            ban: b,
            event: e,
            ordinal,
            evidence: ev,
            operation: op,
        });
    }

    // The new operations, numbered in the order they were created.
    let base = j.operations.len();
    let ban_of: HashMap<u32, usize> = new_op_of.iter().map(|(&b, &o)| (o, b)).collect();
    let mut per_op_events: Vec<Vec<u32>> = vec![Vec::new(); new_members.len()];
    for (e, &op) in j.event_op.iter().enumerate() {
        if op != NO_OP && (op as usize) >= base {
            per_op_events[op as usize - base].push(e as u32);
        }
    }
    for (&ix, members) in &new_members {
        let b = ban_of[&ix];
        let ban = &bans[b];
        let r = &resolved[b];
        let mut members = members.clone();
        members.sort_unstable();
        let evs = &per_op_events[ix as usize - base];
        let mut targets: Vec<Id> = Vec::new();
        let mut beneficiaries: Vec<Id> = Vec::new();
        let mut ips: Vec<Id> = Vec::new();
        let mut devices: Vec<Id> = Vec::new();
        let mut clients: HashMap<Id, usize> = HashMap::new();
        let mut span = (i64::MAX, i64::MIN);
        for &e in evs {
            let e = e as usize;
            if eng.contains(log.action()[e]) {
                targets.push(log.target()[e]);
                let o = log.owner()[e];
                if o != NONE && r.customers.contains(&o) {
                    beneficiaries.push(o);
                }
            }
            let ip = log.ip()[e];
            if ip != NONE && r.ranges.iter().any(|c| c.contains(log.ips.resolve(ip))) {
                ips.push(ip);
            }
            if log.device()[e] != NONE {
                devices.push(log.device()[e]);
            }
            if log.client()[e] != NONE {
                *clients.entry(log.client()[e]).or_default() += 1;
            }
            span = (span.0.min(log.ts()[e]), span.1.max(log.ts()[e]));
        }
        for v in [&mut targets, &mut beneficiaries, &mut ips, &mut devices] {
            v.sort_unstable();
            v.dedup();
        }
        let mut subnets: BTreeMap<String, usize> = BTreeMap::new();
        for &ip in &ips {
            *subnets.entry(range_of(log.ips.resolve(ip))).or_default() += 1;
        }
        let mut clients: Vec<(Id, usize)> = clients.into_iter().collect();
        clients.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let score = members
            .iter()
            .map(|&a| f64::from(j.accounts[a as usize].score))
            .sum::<f64>()
            / members.len().max(1) as f64;
        let compromised = members
            .iter()
            .filter(|&&a| j.accounts[a as usize].verdict == Verdict::Compromised)
            .count();
        let mut kinds = Evidence::default();
        for m in out.matches.iter().filter(|m| m.operation == ix) {
            kinds |= m.evidence;
        }
        let mut summary = String::new();
        let _ = write!(
            summary,
            "{} accounts match the ban on {} ({}) within their first {} actions; evidence: {}",
            members.len(),
            ban.operation,
            if ban.kind.is_empty() {
                "operation"
            } else {
                &ban.kind
            },
            cfg.earliest_actions,
            kinds
        );
        let n_ops = j.operations.len();
        j.operations.push(Operation {
            id: format!("op-ban-{:03}", n_ops - base + 1),
            kind: kind_of(&ban.kind),
            fake: members.len() - compromised,
            compromised,
            members: members.clone(),
            suspicious: Vec::new(),
            targets,
            beneficiaries,
            victims: Vec::new(),
            ips,
            subnets: subnets.into_iter().collect(),
            devices,
            joint_ips: Vec::new(),
            joint_devices: Vec::new(),
            clients,
            span: if evs.is_empty() { (0, 0) } else { span },
            events: evs.len(),
            score,
            signals: vec![SignalRef {
                signal: None,
                reason: "ban-match",
                score: 1.0,
                accounts: members.len(),
                summary,
            }],
        });
    }
    out.links = linked
        .into_iter()
        .map(|((operation, ban), (accounts, created))| BanLink {
            operation,
            ban,
            accounts,
            created,
        })
        .collect();
    out
}

/// `ban_matches.csv` header.
pub const BAN_MATCHES_HEADER: &str = "account,ban,action_key,operation,ordinal,event,evidence";

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::Io {
        path: path.display().to_string(),
        source: Arc::new(e),
    }
}

/// Writes `ban_matches.csv`: one row per matched account — the ban (its operation id and
/// action key), the operation the account is in now, the ordinal and id of the action at which
/// the evidence sufficed, and the kinds of evidence.
///
/// # Errors
/// [`Error::Io`].
pub fn write_ban_matches(
    log: &EventLog,
    j: &Judgement,
    bans: &[BannedOperation],
    m: &BanMatches,
    path: &Path,
) -> Result<()> {
    let f = std::fs::File::create(path).map_err(io(path))?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(f));
    let csv_err = |e: csv::Error| io(path)(std::io::Error::other(e));
    w.write_record(BAN_MATCHES_HEADER.split(','))
        .map_err(csv_err)?;
    for x in &m.matches {
        let b = &bans[x.ban];
        w.write_record([
            log.accounts.resolve(x.account),
            &b.operation,
            &b.action_key,
            &j.operations[x.operation as usize].id,
            &x.ordinal.to_string(),
            &log.event_id_string(x.event as usize),
            &x.evidence.to_string(),
        ])
        .map_err(csv_err)?;
    }
    let mut inner = w.into_inner().map_err(|e| io(path)(e.into_error()))?;
    inner.flush().map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lockstep_core::{EventLogBuilder, RawDevice, RawEvent};

    const MIN: i64 = 60_000;
    const DAY: i64 = 86_400_000;

    struct Ev<'a> {
        ts: i64,
        actor: &'a str,
        target: &'a str,
        owner: &'a str,
        ip: &'a str,
        device: &'a str,
    }

    fn log_of(events: &[Ev<'_>], devices: &[(&str, &str)]) -> EventLog {
        let mut b = EventLogBuilder::new();
        for (i, e) in events.iter().enumerate() {
            b.push(&RawEvent {
                id: None,
                ts: e.ts,
                actor: e.actor,
                action: "like",
                target: e.target,
                owner: Some(e.owner),
                text: None,
                ip: e.ip.parse().ok(),
                device: (!e.device.is_empty()).then_some(e.device),
                client: Some("android/300"),
                line: i as u32 + 1,
            })
            .unwrap();
        }
        for (id, model) in devices {
            let log = b.log_mut();
            let d = log.devices.intern(id).unwrap();
            let raw = RawDevice {
                model: Some(model),
                os: Some("14"),
                build: Some("stock"),
                screen: Some((1080, 2400)),
                attestation: None,
            };
            log.device_table.push(d, &raw, []).unwrap();
        }
        b.finish()
    }

    fn ok_judgement(log: &EventLog) -> Judgement {
        Judgement {
            policy_version: "test".into(),
            accounts: vec![Default::default(); log.accounts.len()],
            event_op: vec![NO_OP; log.len()],
            event_reasons: vec![Reasons::default(); log.len()],
            operations: Vec::new(),
            signals: Vec::new(),
            burst_ops: Vec::new(),
            review: Vec::new(),
        }
    }

    /// A farm banned from `10.9.9.0/24` (its own), phones `f1`, `f2`, customers `c1`, `c2`;
    /// carrier range `100.64.0.0/24` it also used but shared with real people.
    fn ban() -> BannedOperation {
        BannedOperation {
            operation: "op-003".into(),
            kind: "like-farm".into(),
            action_key: "k".into(),
            devices: vec!["f1".into(), "f2".into()],
            device_fingerprints: vec![DeviceFingerprint {
                fingerprint: "Rare X1|14|stock|1080x2400".into(),
                devices: 1,
                outside_devices: 0,
            }],
            ip_ranges: vec!["10.9.9.0/24".into(), "100.64.0.0/24".into()],
            range_use: vec![
                RangeUse {
                    range: "10.9.9.0/24".into(),
                    members: 40,
                    accounts: 40,
                },
                RangeUse {
                    range: "100.64.0.0/24".into(),
                    members: 5,
                    accounts: 900,
                },
            ],
            app_ids: vec![],
            customers: vec!["c1".into(), "c2".into()],
            through_real_accounts: false,
            active_until: Some(5 * DAY),
        }
    }

    #[test]
    fn returning_accounts_are_caught_and_real_people_are_not() {
        let t0 = 10 * DAY;
        let mut ev = Vec::new();
        // Returning vendor: new ids on the banned range liking the customers' posts.
        for (i, a) in ["r1", "r2", "r3"].iter().enumerate() {
            let t = t0 + i as i64 * MIN;
            ev.push(Ev {
                ts: t,
                actor: a,
                target: "p1",
                owner: "c1",
                ip: "10.9.9.20",
                device: "new1",
            });
            ev.push(Ev {
                ts: t + MIN,
                actor: a,
                target: "p2",
                owner: "c2",
                ip: "10.9.9.21",
                device: "new1",
            });
        }
        // A returning account on a banned phone whose first action is camouflage.
        ev.push(Ev {
            ts: t0,
            actor: "r4",
            target: "pop",
            owner: "star",
            ip: "10.9.9.30",
            device: "f1",
        });
        ev.push(Ev {
            ts: t0 + MIN,
            actor: "r4",
            target: "p1",
            owner: "c1",
            ip: "10.9.9.30",
            device: "f1",
        });
        // A clone of a rare banned fingerprint serving a customer from a home network.
        ev.push(Ev {
            ts: t0,
            actor: "r5",
            target: "p2",
            owner: "c2",
            ip: "192.0.2.7",
            device: "clone",
        });
        // A real person on the shared carrier range who likes the customers' posts.
        ev.push(Ev {
            ts: t0,
            actor: "fan",
            target: "p1",
            owner: "c1",
            ip: "100.64.0.9",
            device: "ph",
        });
        ev.push(Ev {
            ts: t0 + MIN,
            actor: "fan",
            target: "p2",
            owner: "c2",
            ip: "100.64.0.9",
            device: "ph",
        });
        // A real person with a phone of a common model, liking a customer at home.
        ev.push(Ev {
            ts: t0,
            actor: "fan2",
            target: "p1",
            owner: "c1",
            ip: "192.0.2.8",
            device: "ph2",
        });
        // Someone on the banned range liking other posts only (one kind).
        ev.push(Ev {
            ts: t0,
            actor: "dc",
            target: "pop",
            owner: "star",
            ip: "10.9.9.99",
            device: "",
        });
        // A returning account whose evidence comes only after its earliest actions.
        for n in 0..10 {
            ev.push(Ev {
                ts: t0 + n * MIN,
                actor: "late",
                target: "pop",
                owner: "star",
                ip: "192.0.2.9",
                device: "",
            });
        }
        ev.push(Ev {
            ts: t0 + 11 * MIN,
            actor: "late",
            target: "p1",
            owner: "c1",
            ip: "10.9.9.40",
            device: "",
        });
        let log = log_of(
            &ev,
            &[
                ("clone", "Rare X1"),
                ("ph", "Pixel 7"),
                ("ph2", "Rare X1 Pro"),
            ],
        );
        let mut j = ok_judgement(&log);
        let bans = [ban()];
        let m = match_bans(&log, &mut j, &bans, &BanConfig::default());
        let name = |a: Id| log.accounts.resolve(a).to_owned();
        let mut got: Vec<(String, usize, String)> = m
            .matches
            .iter()
            .map(|x| (name(x.account), x.ordinal, x.evidence.to_string()))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("r1".into(), 1, "network;customers".into()),
                ("r2".into(), 1, "network;customers".into()),
                ("r3".into(), 1, "network;customers".into()),
                ("r4".into(), 1, "device;network".into()),
                ("r5".into(), 1, "device;customers".into()),
            ]
        );
        let v = |s: &str| j.accounts[log.accounts.get(s).unwrap() as usize];
        for a in ["fan", "fan2", "dc", "late"] {
            assert_eq!(v(a).verdict, Verdict::Ok, "{a}");
        }
        assert_eq!(v("r1").verdict, Verdict::Fake);
        assert!(v("r1").reasons.contains(Reasons::BAN_MATCH));
        assert_eq!(j.operations.len(), 1);
        let op = &j.operations[0];
        assert_eq!(op.id, "op-ban-001");
        assert_eq!(op.members.len(), 5);
        assert_eq!(op.signals[0].reason, "ban-match");
        // Every event of the matched fake accounts is flagged, camouflage included.
        let r4 = log.accounts.get("r4").unwrap();
        for e in 0..log.len() {
            let flagged = j.event_op[e] != NO_OP;
            let returning = name(log.actor()[e]).starts_with('r');
            assert_eq!(flagged, returning, "event {e}");
            if log.actor()[e] == r4 {
                assert!(j.event_reasons[e].contains(Reasons::BAN_MATCH));
            }
        }
        assert_eq!(m.links.len(), 1);
        assert!(m.links[0].created);
    }

    #[test]
    fn accounts_seen_before_the_ban_are_not_matched() {
        // The same returning pattern, but the account was active while the banned operation
        // was: it was judged then.
        let ev = [
            Ev {
                ts: 4 * DAY,
                actor: "old",
                target: "q",
                owner: "z",
                ip: "192.0.2.1",
                device: "",
            },
            Ev {
                ts: 6 * DAY,
                actor: "old",
                target: "p1",
                owner: "c1",
                ip: "10.9.9.1",
                device: "",
            },
            Ev {
                ts: 6 * DAY,
                actor: "new",
                target: "p1",
                owner: "c1",
                ip: "10.9.9.2",
                device: "",
            },
        ];
        let log = log_of(&ev, &[]);
        let mut j = ok_judgement(&log);
        let m = match_bans(&log, &mut j, &[ban()], &BanConfig::default());
        let got: Vec<&str> = m
            .matches
            .iter()
            .map(|x| log.accounts.resolve(x.account))
            .collect();
        assert_eq!(got, ["new"]);
        let all = BanConfig {
            new_accounts_only: false,
            ..BanConfig::default()
        };
        assert_eq!(
            match_bans(&log, &mut ok_judgement(&log), &[ban()], &all)
                .matches
                .len(),
            2
        );
    }

    #[test]
    fn one_kind_is_never_enough_and_configs_change_it() {
        // A real person liking two customers' posts from home: one kind, however often.
        let ev = [
            Ev {
                ts: 10 * DAY,
                actor: "p",
                target: "p1",
                owner: "c1",
                ip: "192.0.2.1",
                device: "",
            },
            Ev {
                ts: 10 * DAY + MIN,
                actor: "p",
                target: "p2",
                owner: "c2",
                ip: "192.0.2.1",
                device: "",
            },
        ];
        let log = log_of(&ev, &[]);
        let mut j = ok_judgement(&log);
        let m = match_bans(&log, &mut j, &[ban()], &BanConfig::default());
        assert!(m.matches.is_empty());
        let cfg = BanConfig {
            min_kinds: 1,
            ..BanConfig::default()
        };
        let m = match_bans(&log, &mut j, &[ban()], &cfg);
        assert_eq!(
            m.matches.len(),
            1,
            "one kind suffices only when configured so"
        );
    }

    #[test]
    fn a_range_real_people_shared_is_not_evidence() {
        let mut b = ban();
        b.range_use[0].accounts = 200; // the farm was 40 of 200 accounts there
        let ev = [Ev {
            ts: 10 * DAY,
            actor: "x",
            target: "p1",
            owner: "c1",
            ip: "10.9.9.5",
            device: "",
        }];
        let log = log_of(&ev, &[]);
        let mut j = ok_judgement(&log);
        assert!(
            match_bans(&log, &mut j, &[b], &BanConfig::default())
                .matches
                .is_empty()
        );
        // A legacy ban without range counts trusts its ranges.
        let mut legacy = ban();
        legacy.range_use.clear();
        let m = match_bans(&log, &mut j, &[legacy], &BanConfig::default());
        assert_eq!(m.matches.len(), 1);
    }

    #[test]
    fn accounts_the_judge_flagged_keep_their_operation() {
        let ev = [
            Ev {
                ts: 10 * DAY,
                actor: "a",
                target: "p1",
                owner: "c1",
                ip: "10.9.9.1",
                device: "",
            },
            Ev {
                ts: 10 * DAY + 1,
                actor: "b",
                target: "p1",
                owner: "c1",
                ip: "10.9.9.2",
                device: "",
            },
        ];
        let log = log_of(&ev, &[]);
        let mut j = ok_judgement(&log);
        let a = log.accounts.get("a").unwrap();
        j.accounts[a as usize].verdict = Verdict::Fake;
        j.accounts[a as usize].operation = 0;
        j.event_op[0] = 0;
        j.operations.push(Operation {
            id: "op-001".into(),
            kind: OperationKind::LikeFarm,
            members: vec![a],
            fake: 1,
            compromised: 0,
            suspicious: vec![],
            targets: vec![],
            beneficiaries: vec![],
            victims: vec![],
            ips: vec![],
            subnets: vec![],
            devices: vec![],
            joint_ips: vec![],
            joint_devices: vec![],
            clients: vec![],
            span: (0, 0),
            events: 1,
            score: 0.9,
            signals: vec![],
        });
        let m = match_bans(&log, &mut j, &[ban()], &BanConfig::default());
        assert_eq!(m.matches.len(), 2);
        assert_eq!(j.accounts[a as usize].operation, 0);
        assert!(j.event_reasons[0].contains(Reasons::BAN_MATCH));
        assert_eq!(j.operations.len(), 2);
        assert_eq!(
            m.links
                .iter()
                .map(|l| (l.operation, l.created))
                .collect::<Vec<_>>(),
            [(0, false), (1, true)]
        );
        // The operations file gets the link and the fingerprints.
        let f = fingerprints(&log, &j);
        let doc = crate::operations_file(&log, &j, &f, &[ban()], &m);
        assert_eq!(doc.operations[0].ban_matches[0].ban, "op-003");
        assert!(doc.operations[1].ban_matches[0].created);
        assert_eq!(
            doc.operations[0].fingerprint.as_ref().unwrap().ip_ranges[0].range,
            "10.9.9.0/24"
        );
    }

    #[test]
    fn fingerprints_count_ranges_devices_and_customers() {
        let ev = [
            Ev {
                ts: 3 * 3_600_000,
                actor: "a",
                target: "p1",
                owner: "c1",
                ip: "10.9.9.1",
                device: "d1",
            },
            Ev {
                ts: 3 * 3_600_000 + 2 * MIN,
                actor: "b",
                target: "p1",
                owner: "c1",
                ip: "10.9.9.2",
                device: "d2",
            },
            Ev {
                ts: 5,
                actor: "x",
                target: "q",
                owner: "z",
                ip: "10.9.9.3",
                device: "d3",
            },
        ];
        let log = log_of(&ev, &[("d1", "M"), ("d2", "M"), ("d3", "M")]);
        let mut j = ok_judgement(&log);
        let (a, b) = (
            log.accounts.get("a").unwrap(),
            log.accounts.get("b").unwrap(),
        );
        j.event_op[0] = 0;
        j.event_op[1] = 0;
        j.operations.push(Operation {
            id: "op-001".into(),
            kind: OperationKind::LikeFarm,
            members: vec![a, b],
            fake: 2,
            compromised: 0,
            suspicious: vec![],
            targets: vec![],
            beneficiaries: vec![log.accounts.get("c1").unwrap()],
            victims: vec![],
            ips: vec![],
            subnets: vec![],
            devices: vec![],
            joint_ips: vec![],
            joint_devices: vec![],
            clients: vec![],
            span: (0, 0),
            events: 2,
            score: 0.9,
            signals: vec![],
        });
        let f = &fingerprints(&log, &j)[0];
        assert_eq!(f.devices, ["d1", "d2"]);
        assert_eq!(
            f.device_fingerprints,
            [DeviceFingerprint {
                fingerprint: "M|14|stock|1080x2400".into(),
                devices: 2,
                outside_devices: 1
            }]
        );
        assert_eq!(
            f.ip_ranges,
            [RangeUse {
                range: "10.9.9.0/24".into(),
                members: 2,
                accounts: 3
            }]
        );
        assert_eq!(f.customers, ["c1"]);
        assert_eq!(f.hours[3], 2);
        assert_eq!(f.delivery.orders, 1);
        assert_eq!(f.delivery.median_minutes, 2.0);
        assert_eq!(f.clients[0].share, 1.0);
    }

    #[test]
    fn cidrs_and_ranges() {
        let c = Cidr::parse("10.9.9.0/24").unwrap();
        assert!(c.contains("10.9.9.200".parse().unwrap()));
        assert!(!c.contains("10.9.8.1".parse().unwrap()));
        assert!(c.contains("::ffff:10.9.9.1".parse().unwrap()));
        let v6 = Cidr::parse("2001:db8:1::/48").unwrap();
        assert!(v6.contains("2001:db8:1:ff::1".parse().unwrap()));
        assert_eq!(
            range_of("2001:db8:1:ff::1".parse().unwrap()),
            "2001:db8:1::/48"
        );
        assert_eq!(range_of("10.9.9.7".parse().unwrap()), "10.9.9.0/24");
        assert!(Cidr::parse("nonsense").is_none());
    }
}
