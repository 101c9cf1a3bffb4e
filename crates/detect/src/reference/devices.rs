//! Reference device checks: every device judged from its own row, its model's attested
//! devices found by scanning the whole side table again for each device, its phone-app use
//! found by scanning every event again; accounts recounted from every event; emulated
//! fingerprints grouped in an ordered map keyed by the fingerprint's own strings.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use lockstep_core::{Attestation, EventLog, Id, NONE};

use crate::devices::{AccountDevices, DeviceCluster, DeviceConfig, DeviceFlags, DeviceReport};

/// Whether `text` contains `part`, regardless of ASCII case.
fn mentions(text: &str, part: &str) -> bool {
    let (t, p) = (text.as_bytes(), part.as_bytes());
    t.len() >= p.len() && (0..=t.len() - p.len()).any(|k| t[k..k + p.len()].eq_ignore_ascii_case(p))
}

/// The major number of a version `MAJOR[.MINOR…]`: the text before the first dot, when it is
/// a non-empty run of ASCII digits.
fn major(version: &str) -> Option<&str> {
    let head = version.split('.').next().unwrap_or("");
    let digits = !head.is_empty() && head.chars().all(|c| c.is_ascii_digit());
    digits.then_some(head)
}

/// The Android major version of a build fingerprint `brand/product/device:VERSION/id/…`: the
/// version is what follows the first colon, up to the next slash.
fn android_of_build(build: &str) -> Option<&str> {
    let colon = build.find(':')?;
    let rest = &build[colon + 1..];
    major(rest.find('/').map_or(rest, |slash| &rest[..slash]))
}

/// The Android major version an OS field `Android VERSION` claims (the word in any ASCII
/// case); `None` for any other system.
fn android_of_os(os: &str) -> Option<&str> {
    const WORD: &str = "android ";
    let head = os.get(..WORD.len())?;
    if head.eq_ignore_ascii_case(WORD) {
        major(&os[WORD.len()..])
    } else {
        None
    }
}

/// Two screens are the same in either orientation.
fn same_screen(a: (u16, u16), b: (u16, u16)) -> bool {
    a == b || a == (b.1, b.0)
}

/// Whether any event of device `d` came through a phone app (`android/…` or `ios/…`).
fn behind_phone_app(log: &EventLog, d: Id) -> bool {
    (0..log.len()).any(|i| {
        log.device()[i] == d
            && log
                .clients
                .resolve_opt(log.client()[i])
                .is_some_and(|c| c.starts_with("android/") || c.starts_with("ios/"))
    })
}

/// The failed checks of device `d` (none without a side-table row).
fn checks(log: &EventLog, cfg: &DeviceConfig, d: Id) -> DeviceFlags {
    let t = &log.device_table;
    let mut f = DeviceFlags::default();
    let Some(row) = t.row(d) else {
        return f;
    };
    let (model, os, build, screen) = (t.model(row), t.os(row), t.build(row), t.screen(row));

    if let Some(b) = build {
        if crate::devices::EMULATOR_MARKERS
            .iter()
            .any(|image| mentions(b, image))
        {
            f |= DeviceFlags::EMULATOR_BUILD;
        }
        if mentions(b, "test-keys") || mentions(b, "dev-keys") {
            f |= DeviceFlags::UNOFFICIAL_KEYS;
        }
        if let (Some(built), Some(claimed)) = (android_of_build(b), os.and_then(android_of_os))
            && built != claimed
        {
            f |= DeviceFlags::OS_MISMATCH;
        }
    }

    // The model's attested devices, every row of the table looked at again.
    if let Some(m) = model {
        let attested: Vec<usize> = (0..t.len())
            .filter(|&r| t.attestation(r) == Attestation::Pass && t.model(r) == Some(m))
            .collect();
        if !attested.is_empty() && attested.len() >= cfg.min_attested {
            // A value is the model's when at least two attested devices, and at least the
            // share, have it.
            let vouched =
                |n: usize| n >= 2 && n as f64 >= cfg.min_reference_share * attested.len() as f64;
            if let Some(s) = screen {
                let n = attested
                    .iter()
                    .filter(|&&r| t.screen(r).is_some_and(|o| same_screen(o, s)))
                    .count();
                if !vouched(n) {
                    f |= DeviceFlags::UNSEEN_SCREEN;
                }
            }
            if let Some(o) = os {
                let n = attested.iter().filter(|&&r| t.os(r) == Some(o)).count();
                if !vouched(n) {
                    f |= DeviceFlags::UNSEEN_OS;
                }
            }
        }
    }

    if matches!(t.attestation(row), Attestation::Fail | Attestation::None)
        && behind_phone_app(log, d)
    {
        f |= DeviceFlags::NOT_ATTESTED;
    }
    f
}

/// A strong check (emulator build, OS against build, unseen screen, unseen OS) and at least
/// one more failed.
fn emulated(f: DeviceFlags) -> bool {
    let strong = [
        DeviceFlags::EMULATOR_BUILD,
        DeviceFlags::OS_MISMATCH,
        DeviceFlags::UNSEEN_SCREEN,
        DeviceFlags::UNSEEN_OS,
    ];
    strong.iter().any(|&s| f.contains(s)) && f.count() >= 2
}

/// Model, OS, build and screen of a device row, as owned values.
type Fingerprint = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<(u16, u16)>,
);

/// The accounts, devices, events and failed checks seen on one emulated fingerprint.
#[derive(Default)]
struct Group {
    devices: BTreeSet<Id>,
    accounts: BTreeSet<Id>,
    events: Vec<u32>,
    flags: DeviceFlags,
}

/// The device checks of [`crate::devices::device_checks`], as the same [`DeviceReport`]:
/// failed checks per device id, per-account summaries, and the clusters of accounts on one
/// emulated fingerprint (the devices, accounts and events that carried them, largest first,
/// ties by fingerprint text).
///
/// A model is judged with at least `min_attested` attested devices and at least one; an OS
/// field claims Android in any case (`android 14`).
///
/// # Complexity
/// O(d · (r + n)) for d device ids, r side-table rows and n events (each device rescans the
/// table and the log), plus O(a · n) for a accounts, plus O(n log n) for the clusters.
pub fn device_checks(log: &EventLog, cfg: &DeviceConfig) -> DeviceReport {
    let flags: Vec<DeviceFlags> = (0..log.devices.len() as Id)
        .map(|d| checks(log, cfg, d))
        .collect();

    // Each account: every event looked at again.
    let accounts: Vec<AccountDevices> = (0..log.accounts.len() as Id)
        .map(|a| {
            let mut s = AccountDevices::default();
            let mut used: BTreeSet<Id> = BTreeSet::new();
            for i in 0..log.len() {
                let d = log.device()[i];
                if log.actor()[i] != a || d == NONE {
                    continue;
                }
                let f = flags[d as usize];
                s.events += 1;
                s.emulated_events += u32::from(emulated(f));
                s.flags |= f;
                used.insert(d);
            }
            s.device_ids = used.len() as u32;
            s
        })
        .collect();

    // Events from emulated devices, grouped by the devices' fingerprints.
    let t = &log.device_table;
    let mut groups: BTreeMap<Fingerprint, Group> = BTreeMap::new();
    for i in 0..log.len() {
        let d = log.device()[i];
        if d == NONE || !emulated(flags[d as usize]) {
            continue;
        }
        let row = t.row(d).expect("a device with failed checks has a row");
        let key = (
            t.model(row).map(str::to_owned),
            t.os(row).map(str::to_owned),
            t.build(row).map(str::to_owned),
            t.screen(row),
        );
        let g = groups.entry(key).or_default();
        g.devices.insert(d);
        g.accounts.insert(log.actor()[i]);
        g.events.push(i as u32);
        g.flags |= flags[d as usize];
    }
    let mut clusters: Vec<DeviceCluster> = groups
        .into_iter()
        .filter(|(_, g)| g.accounts.len() >= cfg.min_cluster_accounts)
        .map(|((model, os, build, screen), g)| {
            let (w, h) = screen.unwrap_or((0, 0));
            let name = |s: Option<String>| s.unwrap_or_else(|| "?".to_owned());
            DeviceCluster {
                fingerprint: format!("{} · {} · {} · {w}x{h}", name(model), name(os), name(build)),
                flags: g.flags,
                devices: g.devices.into_iter().collect(),
                accounts: g.accounts.into_iter().collect(),
                events: g.events,
            }
        })
        .collect();
    clusters.sort_by_key(|c| (Reverse(c.accounts.len()), c.fingerprint.clone()));

    DeviceReport {
        flags,
        accounts,
        clusters,
    }
}
