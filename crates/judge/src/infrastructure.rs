//! How the whole log used each piece of every operation's infrastructure ([`infrastructure_use`]):
//! the accounts and events through each of its addresses, address ranges, devices and
//! third-party clients, and how many of those accounts the judgement calls `ok`. Written as
//! `infrastructure.csv`; `enforce plan` weighs every block against it, so that blocking a
//! range a farm passed through does not lock out the real people who live on it.

use lockstep_core::{EventLog, Id, NONE};
use rayon::prelude::*;

use crate::judge::Judgement;

/// What kind of infrastructure a [`KeyUse`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyKind {
    /// One address.
    Ip,
    /// An IPv4 /24 or IPv6 /48 (the ranges `enforce plan` blocks by default).
    IpRange,
    /// A device id.
    Device,
    /// A third-party client (`api:<app>`).
    Client,
}

impl KeyKind {
    /// The name written in `infrastructure.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Ip => "ip",
            KeyKind::IpRange => "ip_range",
            KeyKind::Device => "device",
            KeyKind::Client => "client",
        }
    }
}

/// One piece of one operation's infrastructure and its use over the whole log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUse {
    /// Index into [`Judgement::operations`].
    pub operation: u32,
    /// Its kind.
    pub kind: KeyKind,
    /// The address, range, device id or client, as written.
    pub key: String,
    /// Accounts with an event through it.
    pub accounts: u64,
    /// Events through it.
    pub events: u64,
    /// The operation's members among the accounts.
    pub members: u64,
    /// Accounts not flagged (judged [`Ok`](crate::Verdict::Ok) or [`Suspicious`](crate::Verdict::Suspicious)) among them: the
    /// people a block would touch that the findings do not act on.
    pub unflagged_accounts: u64,
    /// Their events through it.
    pub unflagged_events: u64,
}

/// Every operation's infrastructure and how the log used it: each operation's addresses and
/// their ranges (IPv4 /24, IPv6 /48), its devices (its own and those behind its flagged
/// events) and its `api:` clients, in operation order and, within one, by kind and key.
///
/// # Complexity
/// One parallel pass over the events, then a sort of the (key, account) pairs of the events
/// that touch any operation's infrastructure.
pub fn infrastructure_use(log: &EventLog, j: &Judgement) -> Vec<KeyUse> {
    // Number the keys of interest: addresses, then ranges, then devices, then clients.
    let (nets, net_of_ip) = lockstep_detect::ranges::network_ids(log);
    let mut ip_key = vec![u32::MAX; log.ips.len()];
    let mut net_key = vec![u32::MAX; nets.len()];
    let mut dev_key = vec![u32::MAX; log.devices.len()];
    let mut client_key = vec![u32::MAX; log.clients.len()];
    // (kind, id in its space) of every key, in numbering order.
    let mut keys: Vec<(KeyKind, Id)> = Vec::new();
    let number = |table: &mut Vec<u32>, kind: KeyKind, id: Id, keys: &mut Vec<(KeyKind, Id)>| {
        if let Some(slot) = table.get_mut(id as usize)
            && *slot == u32::MAX
        {
            *slot = keys.len() as u32;
            keys.push((kind, id));
        }
    };
    // The devices behind each operation's flagged events (what a ban of it records), beyond
    // the exclusive ones the judge lists.
    let mut op_devices: Vec<(u32, Id)> = j
        .event_op
        .iter()
        .zip(log.device())
        .filter(|&(&op, &d)| op != crate::judge::NO_OP && d != NONE)
        .map(|(&op, &d)| (op, d))
        .collect();
    op_devices.sort_unstable();
    op_devices.dedup();
    for &(_, d) in &op_devices {
        number(&mut dev_key, KeyKind::Device, d, &mut keys);
    }
    for o in &j.operations {
        for &ip in o.ips.iter().chain(&o.joint_ips) {
            if ip == NONE {
                continue;
            }
            number(&mut ip_key, KeyKind::Ip, ip, &mut keys);
            let n = net_of_ip[ip as usize];
            if n != NONE {
                number(&mut net_key, KeyKind::IpRange, n, &mut keys);
            }
        }
        for &d in o.devices.iter().chain(&o.joint_devices) {
            if d != NONE {
                number(&mut dev_key, KeyKind::Device, d, &mut keys);
            }
        }
        for &(c, _) in &o.clients {
            if c != NONE && log.clients.resolve(c).starts_with("api:") {
                number(&mut client_key, KeyKind::Client, c, &mut keys);
            }
        }
    }
    if keys.is_empty() {
        return Vec::new();
    }
    // (key, account) for every event through a key of interest, one pair per key it touches.
    let (ips, devs, clients, actors) = (log.ip(), log.device(), log.client(), log.actor());
    let mut pairs: Vec<(u32, Id)> = (0..log.len())
        .into_par_iter()
        .with_min_len(1 << 14)
        .fold(Vec::new, |mut out, e| {
            let a = actors[e];
            let ip = ips[e];
            if ip != NONE {
                let k = ip_key[ip as usize];
                if k != u32::MAX {
                    out.push((k, a));
                }
                let n = net_of_ip[ip as usize];
                if n != NONE && net_key[n as usize] != u32::MAX {
                    out.push((net_key[n as usize], a));
                }
            }
            let d = devs[e];
            if d != NONE && dev_key[d as usize] != u32::MAX {
                out.push((dev_key[d as usize], a));
            }
            let c = clients[e];
            if c != NONE && client_key[c as usize] != u32::MAX {
                out.push((client_key[c as usize], a));
            }
            out
        })
        .reduce(Vec::new, |mut a, mut b| {
            if a.len() < b.len() {
                std::mem::swap(&mut a, &mut b);
            }
            a.extend(b);
            a
        });
    pairs.par_sort_unstable();
    let ok = |a: Id| {
        j.accounts
            .get(a as usize)
            .is_none_or(|v| !v.verdict.is_flagged())
    };
    // Per key: its distinct accounts (sorted, as a slice of `pairs` after a dedup pass) and
    // its event counts.
    #[derive(Default, Clone, Copy)]
    struct Count {
        events: u64,
        unflagged_events: u64,
        start: usize,
        end: usize,
    }
    let mut counts = vec![Count::default(); keys.len()];
    let mut accounts: Vec<Id> = Vec::with_capacity(pairs.len() / 4);
    let mut i = 0;
    while i < pairs.len() {
        let k = pairs[i].0 as usize;
        let start = accounts.len();
        let mut c = Count::default();
        while i < pairs.len() && pairs[i].0 as usize == k {
            let a = pairs[i].1;
            let mut n = 0;
            while i < pairs.len() && pairs[i] == (k as u32, a) {
                n += 1;
                i += 1;
            }
            c.events += n;
            if ok(a) {
                c.unflagged_events += n;
            }
            accounts.push(a);
        }
        c.start = start;
        c.end = accounts.len();
        counts[k] = c;
    }

    let name = |kind: KeyKind, id: Id| match kind {
        KeyKind::Ip => log.ips.resolve(id).to_string(),
        KeyKind::IpRange => lockstep_detect::ranges::network_name(nets[id as usize]),
        KeyKind::Device => log.devices.resolve(id).to_owned(),
        KeyKind::Client => log.clients.resolve(id).to_owned(),
    };
    let mut out = Vec::new();
    for (oi, o) in j.operations.iter().enumerate() {
        let mut members: Vec<Id> = o.members.clone();
        members.sort_unstable();
        let mut mine: Vec<u32> = Vec::new();
        for &ip in o.ips.iter().chain(&o.joint_ips) {
            if ip == NONE {
                continue;
            }
            mine.push(ip_key[ip as usize]);
            let n = net_of_ip[ip as usize];
            if n != NONE {
                mine.push(net_key[n as usize]);
            }
        }
        mine.extend(
            o.devices
                .iter()
                .chain(&o.joint_devices)
                .filter(|&&d| d != NONE)
                .map(|&d| dev_key[d as usize]),
        );
        let from = op_devices.partition_point(|x| (x.0 as usize) < oi);
        mine.extend(
            op_devices[from..]
                .iter()
                .take_while(|x| x.0 as usize == oi)
                .map(|&(_, d)| dev_key[d as usize]),
        );
        mine.extend(
            o.clients
                .iter()
                .filter(|&&(c, _)| c != NONE)
                .map(|&(c, _)| client_key[c as usize]),
        );
        mine.retain(|&k| k != u32::MAX);
        mine.sort_unstable();
        mine.dedup();
        let mut rows: Vec<KeyUse> = mine
            .into_iter()
            .map(|k| {
                let (kind, id) = keys[k as usize];
                let c = counts[k as usize];
                let accts = &accounts[c.start..c.end];
                KeyUse {
                    operation: oi as u32,
                    kind,
                    key: name(kind, id),
                    accounts: accts.len() as u64,
                    events: c.events,
                    members: accts
                        .iter()
                        .filter(|a| members.binary_search(a).is_ok())
                        .count() as u64,
                    unflagged_accounts: accts.iter().filter(|&&a| ok(a)).count() as u64,
                    unflagged_events: c.unflagged_events,
                }
            })
            .collect();
        rows.sort_by(|a, b| (a.kind, &a.key).cmp(&(b.kind, &b.key)));
        out.extend(rows);
    }
    out
}
