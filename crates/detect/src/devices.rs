//! Devices that are not what they claim: emulators and servers posing as phones.
//!
//! Each check has a reason an analyst can verify on the device row alone, and none is a verdict
//! on its own — real people root their phones, flash custom ROMs and fail attestation. The
//! checks, per device with a row in the devices side file:
//!
//! - [`DeviceFlags::EMULATOR_BUILD`] — the build fingerprint names an emulator image
//!   (`sdk_gphone`, `generic_x86`, Genymotion's `vbox86p`, `goldfish`, `ranchu`, …): what a
//!   virtual device reports, whatever model it claims.
//! - [`DeviceFlags::UNOFFICIAL_KEYS`] — a `test-keys` or `dev-keys` build: not a vendor's
//!   signed release (custom ROMs do this too, so it is weak).
//! - [`DeviceFlags::OS_MISMATCH`] — the build fingerprint's Android version is not the OS the
//!   row claims: the row is not one device's own report.
//! - [`DeviceFlags::UNSEEN_SCREEN`], [`DeviceFlags::UNSEEN_OS`] — no *attested* device of the
//!   same model (attestation `pass`: genuine hardware, vouched for by the platform) has this
//!   screen or OS. The reference is learned from the log's own attested devices, so it needs
//!   no catalogue; a model with fewer than [`DeviceConfig::min_attested`] attested devices is
//!   not judged.
//! - [`DeviceFlags::NOT_ATTESTED`] — attestation `fail` or `none` although the device's events
//!   come through a phone app (`android/…`, `ios/…` clients). About 1 % of real phones do this.
//!
//! A device is *emulated* ([`DeviceFlags::is_emulated`]) when it fails a strong check (an
//! emulator build, an OS that contradicts its own build, or a screen or OS its model never had)
//! and at least one more check of any kind. Per account, [`DeviceReport::accounts`] gives the
//! share of its events from emulated devices and how many device ids it went through; accounts
//! that share an emulated device *fingerprint* (model, OS, build, screen) are grouped in
//! [`DeviceReport::clusters`] — servers stamped from one template, the infrastructure of one
//! operation.
//!
//! # Complexity
//! O(n) over the events plus O(d log d) over the d devices; memory O(d + a) for a accounts.

use std::collections::HashMap;

use lockstep_core::{Attestation, EventLog, Id, NONE};
use rayon::prelude::*;

/// A set of device checks that failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceFlags(u8);

impl DeviceFlags {
    /// The build fingerprint names an emulator image.
    pub const EMULATOR_BUILD: DeviceFlags = DeviceFlags(1);
    /// A `test-keys` / `dev-keys` build.
    pub const UNOFFICIAL_KEYS: DeviceFlags = DeviceFlags(1 << 1);
    /// The build's Android version contradicts the claimed OS.
    pub const OS_MISMATCH: DeviceFlags = DeviceFlags(1 << 2);
    /// No attested device of the model has this screen.
    pub const UNSEEN_SCREEN: DeviceFlags = DeviceFlags(1 << 3);
    /// No attested device of the model runs this OS.
    pub const UNSEEN_OS: DeviceFlags = DeviceFlags(1 << 4);
    /// Attestation failed or missing behind a phone app.
    pub const NOT_ATTESTED: DeviceFlags = DeviceFlags(1 << 5);

    const STRONG: u8 = 1 | (1 << 2) | (1 << 3) | (1 << 4);
    const NAMES: [&'static str; 6] = [
        "emulator-build",
        "unofficial-keys",
        "os-contradicts-build",
        "screen-model-never-had",
        "os-model-never-ran",
        "not-attested",
    ];

    /// Whether no check failed.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every check of `other` failed.
    pub fn contains(self, other: DeviceFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// How many checks failed.
    pub fn count(self) -> u32 {
        self.0.count_ones()
    }

    /// A strong check and at least one more failed: not the device it claims to be.
    pub fn is_emulated(self) -> bool {
        self.0 & Self::STRONG != 0 && self.count() >= 2
    }

    /// The failed checks' names, in bit order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::NAMES
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, n)| *n)
    }
}

impl std::ops::BitOrAssign for DeviceFlags {
    fn bitor_assign(&mut self, o: DeviceFlags) {
        self.0 |= o.0;
    }
}

impl std::ops::BitOr for DeviceFlags {
    type Output = DeviceFlags;
    fn bitor(self, o: DeviceFlags) -> DeviceFlags {
        DeviceFlags(self.0 | o.0)
    }
}

/// Thresholds of the device checks.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceConfig {
    /// A model needs this many attested devices (and at least one) before its screens and OS
    /// versions are a reference.
    pub min_attested: usize,
    /// A screen or OS counts as the model's when at least this share of its attested devices
    /// (and at least two) have it, so one odd attested device does not vouch for a value.
    pub min_reference_share: f64,
    /// Accounts sharing one emulated fingerprint form a cluster from this many.
    pub min_cluster_accounts: usize,
}

impl Default for DeviceConfig {
    fn default() -> Self {
        DeviceConfig {
            min_attested: 20,
            min_reference_share: 0.005,
            min_cluster_accounts: 5,
        }
    }
}

/// What the device checks say about one account.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AccountDevices {
    /// Its events with a device.
    pub events: u32,
    /// Of which from emulated devices.
    pub emulated_events: u32,
    /// Distinct device ids it used.
    pub device_ids: u32,
    /// The union of its devices' failed checks.
    pub flags: DeviceFlags,
}

impl AccountDevices {
    /// Share of its device events that came from emulated devices (0 without device events).
    pub fn emulated_share(&self) -> f64 {
        if self.events == 0 {
            0.0
        } else {
            f64::from(self.emulated_events) / f64::from(self.events)
        }
    }
}

/// Accounts whose events came from devices stamped from one emulated fingerprint.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceCluster {
    /// Model, OS, build and screen of the fingerprint, for people.
    pub fingerprint: String,
    /// The failed checks.
    pub flags: DeviceFlags,
    /// Device ids with this fingerprint, sorted.
    pub devices: Vec<Id>,
    /// Accounts that used them, sorted.
    pub accounts: Vec<Id>,
    /// Their events from those devices, sorted.
    pub events: Vec<u32>,
}

/// The device checks over a log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeviceReport {
    /// Per device id: the failed checks (empty without a side-file row).
    pub flags: Vec<DeviceFlags>,
    /// Per account id.
    pub accounts: Vec<AccountDevices>,
    /// Emulated fingerprints shared by at least `min_cluster_accounts` accounts, largest first.
    pub clusters: Vec<DeviceCluster>,
}

/// Fragments of the build fingerprints of emulator images (compared regardless of ASCII case);
/// the reference checks use the same list.
pub(crate) const EMULATOR_MARKERS: [&str; 10] = [
    "sdk_gphone",
    "sdk_google",
    "google_sdk",
    "generic_x86",
    "generic/",
    "vbox86",
    "goldfish",
    "ranchu",
    "genymotion",
    "emulator",
];

/// The Android major version in a build fingerprint `brand/product/device:VERSION/id/…`.
fn build_android_version(build: &str) -> Option<&str> {
    let after = build.split_once(':')?.1;
    let v = after.split('/').next()?;
    let major = v.split('.').next()?;
    (!major.is_empty() && major.bytes().all(|b| b.is_ascii_digit())).then_some(major)
}

/// The major version in an OS field like `Android 13` or `android 13` (None for other
/// systems).
fn claimed_android_version(os: &str) -> Option<&str> {
    let rest = os
        .get(..8)
        .filter(|p| p.eq_ignore_ascii_case("android "))
        .map(|_| &os[8..])?;
    let major = rest.split('.').next()?;
    (!major.is_empty() && major.bytes().all(|b| b.is_ascii_digit())).then_some(major)
}

/// Checks that need only the row itself.
fn row_flags(build: Option<&str>, os: Option<&str>) -> DeviceFlags {
    let mut f = DeviceFlags::default();
    if let Some(b) = build {
        let lb = b.to_ascii_lowercase();
        if EMULATOR_MARKERS.iter().any(|m| lb.contains(m)) {
            f |= DeviceFlags::EMULATOR_BUILD;
        }
        if lb.contains("test-keys") || lb.contains("dev-keys") {
            f |= DeviceFlags::UNOFFICIAL_KEYS;
        }
        if let (Some(bv), Some(ov)) = (
            build_android_version(b),
            os.and_then(claimed_android_version),
        ) && bv != ov
        {
            f |= DeviceFlags::OS_MISMATCH;
        }
    }
    f
}

/// Runs the device checks.
///
/// # Arguments
/// * `log` — events with their `device` and `client` columns, and the devices side table.
/// * `cfg` — thresholds.
///
/// # Returns
/// Per-device flags, per-account summaries, and clusters of accounts on one emulated
/// fingerprint.
pub fn device_checks(log: &EventLog, cfg: &DeviceConfig) -> DeviceReport {
    let t = &log.device_table;
    let n_dev = log.devices.len();
    // Which devices speak through a phone app.
    let phone_client: Vec<bool> = (0..log.clients.len() as Id)
        .map(|c| {
            let s = log.clients.resolve(c);
            s.starts_with("android/") || s.starts_with("ios/")
        })
        .collect();
    let mut via_phone_app = vec![false; n_dev];
    for (&d, &c) in log.device().iter().zip(log.client()) {
        if d != NONE && c != NONE && phone_client[c as usize] {
            via_phone_app[d as usize] = true;
        }
    }

    // The reference: screens and OS versions of attested devices, per model.
    #[derive(Default)]
    struct Reference<'a> {
        attested: usize,
        screens: HashMap<(u16, u16), usize>,
        os: HashMap<&'a str, usize>,
    }
    let mut refs: HashMap<&str, Reference<'_>> = HashMap::new();
    for row in 0..t.len() {
        if t.attestation(row) != Attestation::Pass {
            continue;
        }
        let Some(model) = t.model(row) else { continue };
        let r = refs.entry(model).or_default();
        r.attested += 1;
        if let Some(s) = t.screen(row) {
            *r.screens.entry(norm_screen(s)).or_default() += 1;
        }
        if let Some(os) = t.os(row) {
            *r.os.entry(os).or_default() += 1;
        }
    }

    let mut flags = vec![DeviceFlags::default(); n_dev];
    for row in 0..t.len() {
        let d = t.devices()[row] as usize;
        let mut f = row_flags(t.build(row), t.os(row));
        if let Some(model) = t.model(row)
            && let Some(r) = refs.get(model)
            && r.attested >= cfg.min_attested
        {
            let need = ((r.attested as f64 * cfg.min_reference_share).ceil() as usize).max(2);
            if let Some(s) = t.screen(row)
                && r.screens.get(&norm_screen(s)).copied().unwrap_or(0) < need
            {
                f |= DeviceFlags::UNSEEN_SCREEN;
            }
            if let Some(os) = t.os(row)
                && r.os.get(os).copied().unwrap_or(0) < need
            {
                f |= DeviceFlags::UNSEEN_OS;
            }
        }
        if via_phone_app.get(d).copied().unwrap_or(false)
            && matches!(t.attestation(row), Attestation::Fail | Attestation::None)
        {
            f |= DeviceFlags::NOT_ATTESTED;
        }
        flags[d] = f;
    }

    // Per account: events, emulated events, distinct device ids.
    let n_acc = log.accounts.len();
    let mut accounts = vec![AccountDevices::default(); n_acc];
    let mut pairs: Vec<(Id, Id)> = Vec::new();
    for (&a, &d) in log.actor().iter().zip(log.device()) {
        if d == NONE {
            continue;
        }
        let s = &mut accounts[a as usize];
        s.events += 1;
        let f = flags[d as usize];
        s.flags |= f;
        if f.is_emulated() {
            s.emulated_events += 1;
        }
        pairs.push((a, d));
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    for &(a, _) in &pairs {
        accounts[a as usize].device_ids += 1;
    }

    // Clusters: accounts on devices of one emulated fingerprint.
    let mut fp_of_device: Vec<u32> = vec![u32::MAX; n_dev];
    let mut fps: HashMap<FingerprintKey<'_>, u32> = HashMap::new();
    let mut fp_names: Vec<(String, DeviceFlags)> = Vec::new();
    for row in 0..t.len() {
        let d = t.devices()[row] as usize;
        if !flags[d].is_emulated() {
            continue;
        }
        let key = (t.model(row), t.os(row), t.build(row), t.screen(row));
        let next = fps.len() as u32;
        let k = *fps.entry(key).or_insert_with(|| {
            let (w, h) = key.3.unwrap_or((0, 0));
            fp_names.push((
                format!(
                    "{} · {} · {} · {w}x{h}",
                    key.0.unwrap_or("?"),
                    key.1.unwrap_or("?"),
                    key.2.unwrap_or("?")
                ),
                DeviceFlags::default(),
            ));
            next
        });
        fp_names[k as usize].1 |= flags[d];
        fp_of_device[d] = k;
    }
    let mut by_fp: Vec<(u32, Id, Id, u32)> = Vec::new(); // (fingerprint, account, device, event)
    for (e, (&a, &d)) in log.actor().iter().zip(log.device()).enumerate() {
        if d != NONE && fp_of_device[d as usize] != u32::MAX {
            by_fp.push((fp_of_device[d as usize], a, d, e as u32));
        }
    }
    by_fp.par_sort_unstable();
    let mut clusters = Vec::new();
    for run in by_fp.chunk_by(|x, y| x.0 == y.0) {
        let mut accs: Vec<Id> = run.iter().map(|x| x.1).collect();
        accs.sort_unstable();
        accs.dedup();
        if accs.len() < cfg.min_cluster_accounts {
            continue;
        }
        let mut devs: Vec<Id> = run.iter().map(|x| x.2).collect();
        devs.sort_unstable();
        devs.dedup();
        let mut events: Vec<u32> = run.iter().map(|x| x.3).collect();
        events.sort_unstable();
        let (name, f) = fp_names[run[0].0 as usize].clone();
        clusters.push(DeviceCluster {
            fingerprint: name,
            flags: f,
            devices: devs,
            accounts: accs,
            events,
        });
    }
    clusters.sort_by(|a, b| {
        b.accounts
            .len()
            .cmp(&a.accounts.len())
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
    DeviceReport {
        flags,
        accounts,
        clusters,
    }
}

/// Model, OS, build and screen of a device row.
type FingerprintKey<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<(u16, u16)>,
);

/// Screens compare regardless of orientation.
fn norm_screen((w, h): (u16, u16)) -> (u16, u16) {
    (w.min(h), w.max(h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lockstep_core::{EventLogBuilder, RawDevice, RawEvent};

    const REAL_BUILD: &str =
        "samsung/o1sxxx/o1s:14/UP1A.231005.007/G991BXXU9EXA2:user/release-keys";

    fn push(b: &mut EventLogBuilder, actor: &str, device: &str, client: &str, t: i64) {
        b.push(&RawEvent {
            id: None,
            ts: t,
            actor,
            action: "like",
            target: "p1",
            owner: None,
            text: None,
            ip: None,
            device: Some(device),
            client: Some(client),
            line: 1,
        })
        .unwrap();
    }

    fn device(
        b: &mut EventLogBuilder,
        id: &str,
        os: &str,
        build: &str,
        screen: (u16, u16),
        att: Attestation,
    ) {
        let log = b.log_mut();
        let d = log.devices.intern(id).unwrap();
        log.device_table
            .push(
                d,
                &RawDevice {
                    model: Some("SM-G991B"),
                    os: Some(os),
                    build: Some(build),
                    screen: Some(screen),
                    attestation: Some(att),
                },
                [],
            )
            .unwrap();
    }

    /// 100 real phones of one model; a real person with a rooted phone on a custom ROM; six
    /// servers stamped from one emulator template claiming the same model.
    fn world() -> EventLog {
        let mut b = EventLogBuilder::new();
        for i in 0..100 {
            let id = format!("real{i}");
            push(&mut b, &format!("person{i}"), &id, "android/331.0", i);
            device(
                &mut b,
                &id,
                "Android 14",
                REAL_BUILD,
                (1080, 2400),
                Attestation::Pass,
            );
        }
        push(&mut b, "rooted", "custom", "android/331.0", 500);
        device(
            &mut b,
            "custom",
            "Android 14",
            "samsung/o1sxxx/o1s:14/UP1A/eng:userdebug/test-keys",
            (1080, 2400),
            Attestation::Fail,
        );
        for i in 0..6 {
            for k in 0..3 {
                let id = format!("emu{i}-{k}");
                push(
                    &mut b,
                    &format!("bot{i}"),
                    &id,
                    "android/298.0",
                    1000 + i * 10 + k,
                );
                device(
                    &mut b,
                    &id,
                    "Android 9",
                    "google/sdk_gphone_x86/generic_x86:11/RSR1/123:userdebug/test-keys",
                    (720, 1280),
                    Attestation::Fail,
                );
            }
        }
        b.finish()
    }

    #[test]
    fn emulators_are_found_and_the_rooted_phone_is_not() {
        let log = world();
        let r = device_checks(&log, &DeviceConfig::default());
        let f = |id: &str| r.flags[log.devices.get(id).unwrap() as usize];
        assert!(f("real3").is_empty());
        let rooted = f("custom");
        assert!(rooted.contains(DeviceFlags::UNOFFICIAL_KEYS | DeviceFlags::NOT_ATTESTED));
        assert!(
            !rooted.is_emulated(),
            "one odd phone is not an emulator: {rooted:?}"
        );
        let emu = f("emu2-1");
        for flag in [
            DeviceFlags::EMULATOR_BUILD,
            DeviceFlags::UNOFFICIAL_KEYS,
            DeviceFlags::OS_MISMATCH,
            DeviceFlags::UNSEEN_SCREEN,
            DeviceFlags::UNSEEN_OS,
            DeviceFlags::NOT_ATTESTED,
        ] {
            assert!(emu.contains(flag), "{flag:?} in {emu:?}");
        }
        assert!(emu.is_emulated());
        let bot = r.accounts[log.accounts.get("bot4").unwrap() as usize];
        assert_eq!((bot.device_ids, bot.emulated_events), (3, 3));
        assert_eq!(bot.emulated_share(), 1.0);
        let person = r.accounts[log.accounts.get("rooted").unwrap() as usize];
        assert_eq!(person.emulated_share(), 0.0);
        assert_eq!(r.clusters.len(), 1);
        assert_eq!(r.clusters[0].accounts.len(), 6);
        assert_eq!(r.clusters[0].devices.len(), 18);
        assert_eq!(r.clusters[0].events.len(), 18);
        assert!(r.clusters[0].fingerprint.contains("sdk_gphone"));
    }

    #[test]
    fn a_model_with_few_attested_devices_is_not_judged_by_reference() {
        let mut b = EventLogBuilder::new();
        for i in 0..5 {
            let id = format!("d{i}");
            push(&mut b, "a", &id, "android/1", i);
            device(
                &mut b,
                &id,
                "Android 14",
                REAL_BUILD,
                (1080, 2400),
                Attestation::Pass,
            );
        }
        push(&mut b, "b", "odd", "android/1", 9);
        device(
            &mut b,
            "odd",
            "Android 13",
            "samsung/x/y:13/Z/1:user/release-keys",
            (720, 1280),
            Attestation::Pass,
        );
        let log = b.finish();
        let r = device_checks(&log, &DeviceConfig::default());
        assert!(r.flags[log.devices.get("odd").unwrap() as usize].is_empty());
    }

    #[test]
    fn versions_parse() {
        assert_eq!(build_android_version(REAL_BUILD), Some("14"));
        assert_eq!(build_android_version("a/b/c:11.0.1/x"), Some("11"));
        assert_eq!(build_android_version("nonsense"), None);
        assert_eq!(claimed_android_version("Android 13"), Some("13"));
        assert_eq!(claimed_android_version("iOS 17.2"), None);
        assert_eq!(
            row_flags(Some(REAL_BUILD), Some("Android 13")),
            DeviceFlags::OS_MISMATCH
        );
        assert!(row_flags(None, None).is_empty());
    }
}
