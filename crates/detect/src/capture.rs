//! Infrastructure that acts together: a client id or an address range through which a group
//! of accounts makes up most of the engagement of several owners' targets, and which carries
//! little else. Such infrastructure starts an operation on its own evidence, whatever the
//! timing of the deliveries (a vendor that spreads each order over a day escapes every window)
//! and whatever the age of its accounts.
//!
//! Each piece of infrastructure (a *key*: a client string, or an IPv4 /24 / IPv6 /48) is
//! judged against the log's own engagement (likes, follows, comments, shares, reviews):
//!
//! 1. the key's *share* of all engagement events, `s`. Keys carrying more than
//!    `1 / min_lift` of all engagement (the official apps, a carrier's whole NAT pool) cannot
//!    capture anything by the next rule and are skipped;
//! 2. a target is *captured* by the key when at least `min_co_accounts` distinct accounts
//!    engaged it through the key and the key's share of the target's engagement events is at
//!    least `min_capture` and at least `min_lift × s`: a customer's post liked mostly through
//!    one app or one range, which carries a sliver of the platform's traffic. An old app
//!    version or a carrier range is used for a target in about the proportion it is used
//!    everywhere (lift near 1);
//! 3. the key's captured targets belong to at least `min_owners` owners (a vendor has
//!    customers; a household liking a relative's posts has one), and at least
//!    `min_concentration` of the key's engagement goes to them (padding on popular posts
//!    dilutes a farm's key; an ordinary range or app has next to nothing captured);
//! 4. the *members*: accounts with at least `min_account_events` events through the key on
//!    captured targets, making at least `min_member_share` of their engagement through the
//!    key (a person on a shared range who liked a captured post once is not a member); at
//!    least `min_co_accounts` of them.
//!
//! A key passing all four gives one signal: its members and their captured events through
//! the key. The summary says every number, so an analyst sees why.
//!
//! # Complexity
//! Per key kind: one parallel pass to count engagement per key and per target, a parallel
//! sort of the eligible keys' (key, target, account, event) rows, and a scan of each key's run.

use lockstep_core::{EventLog, Id, NONE, action};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::error::ensure_input;
use crate::ranges::{network_ids, network_name};
use crate::signal::{Aspect, Aspects, Reason, Signal, distinct_of};

/// How infrastructure capture is judged. See each field for its default and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaptureConfig {
    /// Distinct accounts through the key on a target for it to be captured, and members a
    /// key needs. Default 5: acting together takes a group; a household is smaller.
    pub min_co_accounts: u32,
    /// The key's share of a target's engagement events for it to be captured. Default 0.5:
    /// most of the target's engagement came through this one key.
    pub min_capture: f64,
    /// … and at least this many times the key's share of all engagement. Default 10.
    pub min_lift: f64,
    /// Owners of a key's captured targets. Default 3: a vendor has several customers.
    pub min_owners: u32,
    /// Share of the key's engagement events on its captured targets. Default 0.2: a farm
    /// padding three popular likes per paid one still spends a quarter on its customers; an
    /// ordinary app or range spends next to nothing on targets it captures.
    pub min_concentration: f64,
    /// Captured events through the key for an account to be a member. Default 2.
    pub min_account_events: u32,
    /// … making at least this share of the account's engagement through the key.
    /// Default 0.2.
    pub min_member_share: f64,
    /// Judge client strings. Default true.
    pub clients: bool,
    /// Judge address ranges (IPv4 /24, IPv6 /48). Default true.
    pub networks: bool,
}

impl Default for CaptureConfig {
    fn default() -> Self {
        Self {
            min_co_accounts: 5,
            min_capture: 0.5,
            min_lift: 10.0,
            min_owners: 3,
            min_concentration: 0.2,
            min_account_events: 2,
            min_member_share: 0.2,
            clients: true,
            networks: true,
        }
    }
}

impl CaptureConfig {
    /// Checks the values.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming the first bad field.
    pub fn validate(&self) -> Result<()> {
        ensure_input!(
            self.min_co_accounts >= 2,
            "min_co_accounts must be at least 2"
        );
        ensure_input!(self.min_owners >= 1, "min_owners must be at least 1");
        ensure_input!(
            self.min_account_events >= 1,
            "min_account_events must be at least 1"
        );
        ensure_input!(
            self.min_lift >= 1.0 && self.min_lift.is_finite(),
            "min_lift must be at least 1, got {}",
            self.min_lift
        );
        for (name, v) in [
            ("min_capture", self.min_capture),
            ("min_concentration", self.min_concentration),
            ("min_member_share", self.min_member_share),
        ] {
            ensure_input!(
                (0.0..=1.0).contains(&v),
                "{name} must be in [0, 1], got {v}"
            );
        }
        Ok(())
    }
}

/// Which kind of infrastructure a key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyKind {
    /// A client string.
    Client,
    /// An IPv4 /24 or IPv6 /48.
    Network,
}

/// One piece of infrastructure that captured several owners' targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Capture {
    /// Client or network.
    pub kind: KeyKind,
    /// The client string, or the network as `a.b.c.0/24`.
    pub key: String,
    /// The members, ascending.
    pub accounts: Vec<Id>,
    /// The captured targets, ascending.
    pub targets: Vec<Id>,
    /// Owners of the captured targets.
    pub owners: usize,
    /// The members' captured events through the key, ascending.
    pub events: Vec<u32>,
    /// Distinct accounts with engagement through the key.
    pub key_accounts: usize,
    /// The key's engagement events.
    pub key_events: usize,
    /// The key's share of all engagement events.
    pub key_share: f64,
    /// Share of the key's engagement on captured targets.
    pub concentration: f64,
    /// The key's share of the captured targets' engagement (all of it together).
    pub capture: f64,
}

/// The engagement events of `log` (every action but a view).
fn engagement(log: &EventLog) -> Vec<u32> {
    let act = log.action();
    (0..log.len() as u32)
        .into_par_iter()
        .filter(|&e| act[e as usize] != action::VIEW)
        .collect()
}

/// Finds infrastructure that acts together in `log` (see the module docs). Captures come by
/// kind (clients first), then by members (most first), then by key.
///
/// # Errors
/// [`crate::Error::InvalidInput`] when `cfg` is invalid.
pub fn infrastructure_captures(log: &EventLog, cfg: &CaptureConfig) -> Result<Vec<Capture>> {
    cfg.validate()?;
    let eng = engagement(log);
    if eng.is_empty() {
        return Ok(Vec::new());
    }
    let target = log.target();
    // Engagement events per target.
    let mut per_target = vec![0u32; log.targets.len()];
    for &e in &eng {
        per_target[target[e as usize] as usize] += 1;
    }
    let mut out = Vec::new();
    if cfg.clients {
        let client = log.client();
        let keys: Vec<Id> = eng.iter().map(|&e| client[e as usize]).collect();
        let name = |k: Id| log.clients.resolve(k).to_string();
        out.extend(captures_of(
            log,
            cfg,
            &eng,
            &keys,
            log.clients.len(),
            &per_target,
            KeyKind::Client,
            &name,
        ));
    }
    if cfg.networks {
        let (nets, net_of_ip) = network_ids(log);
        let ip = log.ip();
        let keys: Vec<Id> = eng
            .iter()
            .map(|&e| {
                let i = ip[e as usize];
                if i == NONE {
                    NONE
                } else {
                    net_of_ip[i as usize]
                }
            })
            .collect();
        let name = |k: Id| network_name(nets[k as usize]);
        out.extend(captures_of(
            log,
            cfg,
            &eng,
            &keys,
            nets.len(),
            &per_target,
            KeyKind::Network,
            &name,
        ));
    }
    out.sort_by(|a, b| {
        (a.kind, std::cmp::Reverse(a.accounts.len()), &a.key).cmp(&(
            b.kind,
            std::cmp::Reverse(b.accounts.len()),
            &b.key,
        ))
    });
    Ok(out)
}

/// The captures of one key kind: `keys[i]` is the key of engagement event `eng[i]`.
#[allow(clippy::too_many_arguments)]
fn captures_of(
    log: &EventLog,
    cfg: &CaptureConfig,
    eng: &[u32],
    keys: &[Id],
    n_keys: usize,
    per_target: &[u32],
    kind: KeyKind,
    name: &(dyn Fn(Id) -> String + Sync),
) -> Vec<Capture> {
    let (actor, target) = (log.actor(), log.target());
    let total = eng.len() as f64;
    let mut per_key = vec![0u32; n_keys];
    for &k in keys {
        if k != NONE {
            per_key[k as usize] += 1;
        }
    }
    // Keys that could capture: a share of all engagement under 1 / min_lift.
    let eligible = |k: Id| {
        k != NONE && {
            let n = per_key[k as usize];
            n >= cfg.min_co_accounts && f64::from(n) * cfg.min_lift < total
        }
    };
    let mut rows: Vec<(Id, Id, Id, u32)> = eng
        .par_iter()
        .zip(keys.par_iter())
        .filter(|&(_, &k)| eligible(k))
        .map(|(&e, &k)| (k, target[e as usize], actor[e as usize], e))
        .collect();
    rows.par_sort_unstable();
    let runs: Vec<&[(Id, Id, Id, u32)]> = rows.chunk_by(|a, b| a.0 == b.0).collect();
    runs.par_iter()
        .filter_map(|run| judge_key(log, cfg, run, per_key[run[0].0 as usize], total, per_target))
        .map(|(c, k)| Capture {
            kind,
            key: name(k),
            ..c
        })
        .collect()
}

/// Judges one key from its rows (sorted by target, account, event).
fn judge_key(
    log: &EventLog,
    cfg: &CaptureConfig,
    run: &[(Id, Id, Id, u32)],
    key_events: u32,
    total: f64,
    per_target: &[u32],
) -> Option<(Capture, Id)> {
    let key = run[0].0;
    let share = f64::from(key_events) / total;
    let need = cfg.min_capture.max(cfg.min_lift * share);
    let owner = log.owner();
    // 2. Captured targets.
    let mut captured: Vec<Id> = Vec::new();
    let mut captured_events = 0usize;
    let mut captured_all = 0u64;
    for t_run in run.chunk_by(|a, b| a.1 == b.1) {
        let t = t_run[0].1;
        let accounts = 1 + t_run.windows(2).filter(|w| w[0].2 != w[1].2).count();
        if accounts < cfg.min_co_accounts as usize {
            continue;
        }
        let all = per_target[t as usize];
        if t_run.len() as f64 >= need * f64::from(all) {
            captured.push(t);
            captured_events += t_run.len();
            captured_all += u64::from(all);
        }
    }
    if captured.is_empty() {
        return None;
    }
    // 3. Owners and concentration.
    let concentration = captured_events as f64 / f64::from(key_events);
    if concentration < cfg.min_concentration {
        return None;
    }
    let mut owners: Vec<Id> = run
        .iter()
        .filter(|r| captured.binary_search(&r.1).is_ok())
        .map(|r| owner[r.3 as usize])
        .collect();
    owners.sort_unstable();
    owners.dedup();
    if owners.len() < cfg.min_owners as usize {
        return None;
    }
    // 4. Members.
    let mut by_account: Vec<(Id, bool, u32)> = run
        .iter()
        .map(|r| (r.2, captured.binary_search(&r.1).is_ok(), r.3))
        .collect();
    by_account.sort_unstable();
    let mut accounts: Vec<Id> = Vec::new();
    let mut events: Vec<u32> = Vec::new();
    let mut key_accounts = 0usize;
    for a_run in by_account.chunk_by(|a, b| a.0 == b.0) {
        key_accounts += 1;
        let on = a_run.iter().filter(|r| r.1).count();
        if on >= cfg.min_account_events as usize
            && on as f64 >= cfg.min_member_share * a_run.len() as f64
        {
            accounts.push(a_run[0].0);
            events.extend(a_run.iter().filter(|r| r.1).map(|r| r.2));
        }
    }
    if accounts.len() < cfg.min_co_accounts as usize {
        return None;
    }
    events.sort_unstable();
    Some((
        Capture {
            kind: KeyKind::Client,
            key: String::new(),
            accounts,
            targets: captured,
            owners: owners.len(),
            events,
            key_accounts,
            key_events: key_events as usize,
            key_share: share,
            concentration,
            capture: captured_events as f64 / captured_all.max(1) as f64,
        },
        key,
    ))
}

impl Capture {
    /// The capture as a [`Signal`] (reason `captured-targets`).
    pub fn to_signal(&self, log: &EventLog) -> Signal {
        let time = self
            .events
            .iter()
            .map(|&e| log.ts()[e as usize])
            .fold(None, |acc: Option<(i64, i64)>, t| {
                Some(acc.map_or((t, t), |(a, b)| (a.min(t), b.max(t))))
            });
        let what = match self.kind {
            KeyKind::Client => "client",
            KeyKind::Network => "address range",
        };
        Signal {
            reason: Reason::CapturedTargets,
            accounts: self.accounts.clone(),
            events: self.events.clone(),
            score: self.capture,
            aspects: Aspects {
                targets: self.targets.clone(),
                time,
                ips: distinct_of(log.ip(), &self.events),
                devices: distinct_of(log.device(), &self.events),
                // The kind of key: every event of the signal came through this one client or
                // this one range (the judge counts it as the operation's infrastructure).
                concentrated: vec![match self.kind {
                    KeyKind::Client => Aspect::Clients,
                    KeyKind::Network => Aspect::Ips,
                }],
            },
            summary: format!(
                "{what} {}: {} of its {} accounts made {:.0}% of the engagement of {} targets \
                 of {} owners ({} events), while it carries {:.2}% of all engagement; {:.0}% \
                 of its engagement went to those targets",
                self.key,
                self.accounts.len(),
                self.key_accounts,
                100.0 * self.capture,
                self.targets.len(),
                self.owners,
                self.events.len(),
                100.0 * self.key_share,
                100.0 * self.concentration
            ),
        }
    }
}
