//! The device checks against `lockstep_detect::reference::devices` on seeded random logs with
//! a devices side table: genuine phones of a few models (mostly attested, some turned
//! sideways), rooted phones on custom ROMs, emulators stamped from a few templates and shared
//! by bot accounts, junk rows (missing fields, odd screens and OS names, builds without a
//! version), devices without a row, rows without events, events without a device, and phone,
//! web and other clients. Configs are small and random so every check fires on some seeds, and
//! every tenth seed runs the defaults. On a mismatch the assertion names the device, account
//! or cluster and both answers.

use lockstep_core::{Attestation, EventLog, EventLogBuilder, RawDevice, RawEvent};
use lockstep_detect::devices::{DeviceConfig, DeviceFlags, DeviceReport, device_checks};
use lockstep_detect::reference;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// A phone model as its genuine devices report it.
struct Model {
    name: &'static str,
    /// `brand/product/device` of its build fingerprints; `None` for a model without Android
    /// builds.
    product: Option<&'static str>,
    os: &'static [&'static str],
    screens: &'static [(u16, u16)],
}

const MODELS: [Model; 4] = [
    Model {
        name: "Pixel 7",
        product: Some("google/panther/panther"),
        os: &["Android 13", "Android 14"],
        screens: &[(1080, 2400)],
    },
    Model {
        name: "SM-G991B",
        product: Some("samsung/o1sxxx/o1s"),
        os: &["Android 14", "Android 14.1"],
        screens: &[(1080, 2400), (1440, 3200)],
    },
    Model {
        name: "moto g(8)",
        product: Some("motorola/rav/rav"),
        os: &["Android 10", "Android 11"],
        screens: &[(720, 1560)],
    },
    Model {
        name: "iPhone15,2",
        product: None,
        os: &["iOS 17.2", "iOS 16.6"],
        screens: &[(1179, 2556)],
    },
];

/// OS fields no genuine device of the models above reports. Every `Android` spelling here
/// has a capital A: the optimised code reads only that (see
/// `a_lowercase_android_os_is_read_as_android`).
const ODD_OS: [&str; 8] = [
    "Android 9",
    "Android 7.1.1",
    "Android 12",
    "iOS 17.2",
    "HarmonyOS 4.0",
    "Android 14 Go",
    "Android",
    "Android x",
];

const ODD_SCREENS: [(u16, u16); 6] = [
    (720, 1280),
    (1280, 720),
    (1080, 1920),
    (2400, 1080),
    (1, 1),
    (0, 5),
];

/// Emulator images in mixed case, each naming one image only.
const EMULATOR_BUILDS: [&str; 10] = [
    "google/sdk_gphone64_arm64/emu64a:14/UE1A.230829.036/11228894:userdebug/dev-keys",
    "Android/sdk_google_phone_arm/arm:7.1.1/NYC/1:user/release-keys",
    "google/google_sdk/x:4.4/KK/1:eng/test-keys",
    "lenovo/generic_x86_64/x:11/RSR1.201013.001/6903271:userdebug/test-keys",
    "qemu/generic/x:10",
    "Genymobile/VBOX86p/vbox86p:9/PI/1:userdebug/test-keys",
    "Goldfish/x/y:12/SP1A/1:user/release-keys",
    "unknown/RANCHU/x:13/TQ1A/1:user/release-keys",
    "Genymotion/Custom/Phone:8.0.0/OPR6/1:user/Release-Keys",
    "acme/Emulator_Phone/x:10/QQ3A/1:user/release-keys",
];

/// Builds that name no emulator and no usable version, or versions only.
const JUNK_BUILDS: [&str; 7] = [
    "nonsense",
    "a/b/c:/x",
    "a/b/c:11.0.1/x/y:user/release-keys",
    "a/b/c:R/x",
    "x:9",
    "samsung/o1sxxx/o1s:14/UP1A/eng:userdebug/TEST-KEYS",
    "brand/p/d:13/TQ/1:user/dev-keys",
];

const CLIENTS: [Option<&str>; 7] = [
    Some("android/331.0.0.17"),
    Some("ios/17.2"),
    Some("web"),
    Some("Android/331.0"),
    Some("api:1234"),
    Some("iosx"),
    None,
];

/// One side-table row, owned.
#[derive(Clone, Default)]
struct Row {
    model: Option<String>,
    os: Option<String>,
    build: Option<String>,
    screen: Option<(u16, u16)>,
    attestation: Option<Attestation>,
}

impl Row {
    fn raw(&self) -> RawDevice<'_> {
        RawDevice {
            model: self.model.as_deref(),
            os: self.os.as_deref(),
            build: self.build.as_deref(),
            screen: self.screen,
            attestation: self.attestation,
        }
    }
}

fn pick<T: Copy>(rng: &mut SmallRng, xs: &[T]) -> T {
    xs[rng.random_range(0..xs.len())]
}

fn some<T>(rng: &mut SmallRng, one_in: u32, x: T) -> Option<T> {
    (rng.random_range(0..one_in) != 0).then_some(x)
}

/// Mostly `pass`, and any of the others.
fn attestation(rng: &mut SmallRng, pass_in_10: u32) -> Option<Attestation> {
    if rng.random_range(0..10) < pass_in_10 {
        return Some(Attestation::Pass);
    }
    pick(
        rng,
        &[
            Some(Attestation::Fail),
            Some(Attestation::None),
            Some(Attestation::Unknown),
            None,
        ],
    )
}

/// The build of a genuine device of `m` running `os`, signed with `keys`: the OS's own
/// version, or (one in twelve, or for an OS that is not Android) one of a few others.
fn genuine_build(rng: &mut SmallRng, m: &Model, os: &str, keys: &str) -> Option<String> {
    let product = m.product?;
    let version = match os.strip_prefix("Android ") {
        Some(v) if rng.random_range(0..12) != 0 => v.to_string(),
        _ => pick(rng, &["9", "12", "14.0.1", "8.1.0"]).to_string(),
    };
    Some(format!(
        "{product}:{version}/UP1A.231005.007/{}:user/{keys}",
        rng.random_range(1000..9999)
    ))
}

fn genuine(rng: &mut SmallRng) -> Row {
    let m = &MODELS[rng.random_range(0..MODELS.len())];
    let os = pick(rng, m.os);
    let (w, h) = pick(rng, m.screens);
    let screen = if rng.random_range(0..6) == 0 {
        (h, w)
    } else {
        (w, h)
    };
    Row {
        model: Some(m.name.into()),
        os: some(rng, 20, os.into()),
        build: genuine_build(rng, m, os, "release-keys"),
        screen: some(rng, 20, screen),
        attestation: attestation(rng, 9),
    }
}

/// A real person's phone on a custom ROM, sometimes with its own OS or a screen of another
/// model.
fn rooted(rng: &mut SmallRng) -> Row {
    let mut r = genuine(rng);
    let m = MODELS
        .iter()
        .find(|m| Some(m.name) == r.model.as_deref())
        .unwrap();
    let os = if rng.random_range(0..3) == 0 {
        pick(rng, &ODD_OS)
    } else {
        pick(rng, m.os)
    };
    let keys = pick(rng, &["test-keys", "dev-keys", "release-keys"]);
    r.os = Some(os.into());
    r.build = genuine_build(rng, m, os, keys);
    if rng.random_range(0..4) == 0 {
        r.screen = Some(pick(rng, &ODD_SCREENS));
    }
    r.attestation = attestation(rng, 3);
    r
}

/// An emulator template: a popular model's name on an emulator image (or a real-looking
/// build), an OS and a screen it may never have had.
fn template(rng: &mut SmallRng) -> Row {
    let m = &MODELS[rng.random_range(0..MODELS.len())];
    let os = if rng.random_range(0..3) == 0 {
        pick(rng, m.os)
    } else {
        pick(rng, &ODD_OS)
    };
    let build = if rng.random_range(0..4) == 0 {
        let keys = pick(rng, &["test-keys", "release-keys"]);
        genuine_build(rng, m, os, keys)
    } else {
        Some(pick(rng, &EMULATOR_BUILDS).into())
    };
    let screen = if rng.random_range(0..4) == 0 {
        pick(rng, m.screens)
    } else {
        pick(rng, &ODD_SCREENS)
    };
    Row {
        model: some(rng, 10, m.name.into()),
        os: Some(os.into()),
        build,
        screen: Some(screen),
        attestation: None,
    }
}

/// Any field from anywhere, or missing.
fn junk(rng: &mut SmallRng) -> Row {
    let m = &MODELS[rng.random_range(0..MODELS.len())];
    let model = pick(rng, &[Some(m.name), Some("Unknown Phone"), Some(""), None]);
    let (odd, usual) = (pick(rng, &ODD_OS), pick(rng, m.os));
    let os = pick(rng, &[Some(odd), Some(usual), None]);
    let build = match rng.random_range(0..4) {
        0 => Some(pick(rng, &EMULATOR_BUILDS).to_string()),
        1 => Some(pick(rng, &JUNK_BUILDS).to_string()),
        2 => genuine_build(rng, m, os.unwrap_or("Android 11"), "release-keys"),
        _ => None,
    };
    let (odd, usual) = (pick(rng, &ODD_SCREENS), pick(rng, m.screens));
    let screen = pick(rng, &[Some(odd), Some(usual), None]);
    Row {
        model: model.map(Into::into),
        os: os.map(Into::into),
        build,
        screen,
        attestation: attestation(rng, 5),
    }
}

/// Adds `row` for device `id`, interning the id (a second row for a device is refused).
fn add_row(b: &mut EventLogBuilder, id: &str, row: &Row) {
    let log = b.log_mut();
    let d = log.devices.intern(id).unwrap();
    log.device_table.push(d, &row.raw(), []).unwrap();
}

/// A random log and config for `seed`.
fn case(seed: u64) -> (EventLog, DeviceConfig) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let n_dev = rng.random_range(30..=90usize);
    let templates: Vec<Row> = (0..rng.random_range(1..=3))
        .map(|_| template(&mut rng))
        .collect();
    // Devices: (id, row, template) — `None` template for the non-emulator devices.
    let mut devices: Vec<(String, Row, Option<usize>)> = Vec::new();
    for i in 0..n_dev {
        let id = format!("dev{i}");
        let (row, tpl) = match rng.random_range(0..100) {
            0..60 => (genuine(&mut rng), None),
            60..70 => (rooted(&mut rng), None),
            70..85 => {
                let k = rng.random_range(0..templates.len());
                let mut r = templates[k].clone();
                r.attestation = attestation(&mut rng, 2);
                (r, Some(k))
            }
            85..97 => (junk(&mut rng), None),
            _ => (Row::default(), None),
        };
        devices.push((id, row, tpl));
    }

    let mut b = EventLogBuilder::new();
    // Half the rows before the events, the rest after; now and then a second, refused row.
    let early: Vec<bool> = (0..n_dev).map(|_| rng.random_range(0..2) == 0).collect();
    for (k, (id, row, _)) in devices.iter().enumerate() {
        if early[k] {
            add_row(&mut b, id, row);
        }
    }

    let n_acc = rng.random_range(15..=40usize);
    let mut line = 0u32;
    for a in 0..n_acc {
        let actor = format!("acc{a}");
        let bot_of = (rng.random_range(0..3) == 0).then(|| rng.random_range(0..templates.len()));
        // A bot's devices are its template's; a person's are the other devices, and now and
        // then an emulator.
        let pool: Vec<usize> = (0..n_dev)
            .filter(|&k| {
                devices[k].2 == bot_of || (bot_of.is_none() && rng.random_range(0..8) == 0)
            })
            .collect();
        let mut home: Vec<usize> = Vec::new();
        if !pool.is_empty() {
            for _ in 0..rng.random_range(1..=4) {
                home.push(pick(&mut rng, &pool));
            }
        }
        let client = if bot_of.is_some() && rng.random_range(0..5) != 0 {
            Some("android/298.0.0.27")
        } else {
            pick(&mut rng, &CLIENTS)
        };
        for _ in 0..rng.random_range(1..=12) {
            let device = match rng.random_range(0..20) {
                0..2 => None,
                2 => Some(format!("norow{}", rng.random_range(0..4))),
                3..5 => Some(devices[rng.random_range(0..n_dev)].0.clone()),
                _ if !home.is_empty() => Some(devices[pick(&mut rng, &home)].0.clone()),
                _ => None,
            };
            let client = if rng.random_range(0..8) == 0 {
                pick(&mut rng, &CLIENTS)
            } else {
                client
            };
            line += 1;
            b.push(&RawEvent {
                device: device.as_deref(),
                client,
                owner: Some("owner"),
                ..RawEvent::new(
                    i64::from(line) * 1000,
                    &actor,
                    pick(&mut rng, &["like", "follow", "view"]),
                    "post",
                    line,
                )
            })
            .unwrap();
        }
    }
    for (k, (id, row, _)) in devices.iter().enumerate() {
        if !early[k] {
            add_row(&mut b, id, row);
        }
        if rng.random_range(0..20) == 0 {
            add_row(&mut b, id, &junk(&mut rng));
        }
    }

    let cfg = if seed.is_multiple_of(10) {
        DeviceConfig::default()
    } else {
        DeviceConfig {
            min_attested: rng.random_range(1..=6),
            min_reference_share: pick(&mut rng, &[0.0, 0.05, 0.1, 0.2, 0.25, 1.0 / 3.0, 0.5]),
            min_cluster_accounts: rng.random_range(1..=4),
        }
    };
    (b.finish(), cfg)
}

/// A device's id and row, for messages.
fn describe(log: &EventLog, d: usize) -> String {
    let t = &log.device_table;
    let id = log.devices.resolve(d as u32);
    match t.row(d as u32) {
        None => format!("{id} (no row)"),
        Some(r) => format!(
            "{id} model {:?} os {:?} build {:?} screen {:?} attestation {:?}",
            t.model(r),
            t.os(r),
            t.build(r),
            t.screen(r),
            t.attestation(r)
        ),
    }
}

fn names(f: DeviceFlags) -> Vec<&'static str> {
    f.names().collect()
}

/// Asserts the optimised report equals the reference, naming the first difference.
fn same(what: &str, log: &EventLog, got: &DeviceReport, want: &DeviceReport) {
    assert_eq!(
        got.flags.len(),
        log.devices.len(),
        "{what}: flags per device id"
    );
    assert_eq!(got.accounts.len(), log.accounts.len(), "{what}: accounts");
    for d in 0..want.flags.len() {
        assert_eq!(
            names(got.flags[d]),
            names(want.flags[d]),
            "{what}: device {} (optimised left, reference right)",
            describe(log, d)
        );
    }
    for (a, (g, w)) in got.accounts.iter().zip(&want.accounts).enumerate() {
        assert_eq!(
            g,
            w,
            "{what}: account {} (optimised left, reference right)",
            log.accounts.resolve(a as u32)
        );
    }
    let fingerprints = |r: &DeviceReport| -> Vec<(usize, String)> {
        r.clusters
            .iter()
            .map(|c| (c.accounts.len(), c.fingerprint.clone()))
            .collect()
    };
    assert_eq!(
        fingerprints(got),
        fingerprints(want),
        "{what}: clusters (accounts, fingerprint), optimised left"
    );
    for (g, w) in got.clusters.iter().zip(&want.clusters) {
        assert_eq!(g, w, "{what}: cluster {} (optimised left)", w.fingerprint);
    }
    assert_eq!(got, want, "{what}");
}

/// How often each outcome occurred over all seeds.
#[derive(Debug, Default)]
struct Seen {
    checks: [usize; 6],
    emulated: usize,
    flagged_not_emulated: usize,
    unflagged_with_row: usize,
    partly_emulated_accounts: usize,
    fully_emulated_accounts: usize,
    clusters: usize,
    multi_device_clusters: usize,
    several_clusters: usize,
    default_configs: usize,
}

#[test]
fn device_checks_match_reference() {
    const FLAGS: [DeviceFlags; 6] = [
        DeviceFlags::EMULATOR_BUILD,
        DeviceFlags::UNOFFICIAL_KEYS,
        DeviceFlags::OS_MISMATCH,
        DeviceFlags::UNSEEN_SCREEN,
        DeviceFlags::UNSEEN_OS,
        DeviceFlags::NOT_ATTESTED,
    ];
    let mut seen = Seen::default();
    for seed in 0..300 {
        let (log, cfg) = case(seed);
        let got = device_checks(&log, &cfg);
        let want = reference::devices::device_checks(&log, &cfg);
        same(&format!("seed {seed}, {cfg:?}"), &log, &got, &want);

        seen.default_configs += usize::from(cfg == DeviceConfig::default());
        for (d, &f) in got.flags.iter().enumerate() {
            for (k, &flag) in FLAGS.iter().enumerate() {
                seen.checks[k] += usize::from(f.contains(flag));
            }
            if f.is_emulated() {
                seen.emulated += 1;
            } else if !f.is_empty() {
                seen.flagged_not_emulated += 1;
            } else if log.device_table.row(d as u32).is_some() {
                seen.unflagged_with_row += 1;
            }
        }
        for a in &got.accounts {
            if a.emulated_events > 0 && a.emulated_events < a.events {
                seen.partly_emulated_accounts += 1;
            } else if a.emulated_events > 0 {
                seen.fully_emulated_accounts += 1;
            }
        }
        seen.clusters += got.clusters.len();
        seen.multi_device_clusters += got.clusters.iter().filter(|c| c.devices.len() > 1).count();
        seen.several_clusters += usize::from(got.clusters.len() > 1);
        assert!(
            got.clusters
                .windows(2)
                .all(|w| w[0].accounts.len() >= w[1].accounts.len()),
            "seed {seed}: clusters largest first"
        );
    }
    for (k, &n) in seen.checks.iter().enumerate() {
        assert!(
            n >= 20,
            "{} fired {n} times: {seen:?}",
            FLAGS[k].names().next().unwrap()
        );
    }
    for n in [
        seen.emulated,
        seen.flagged_not_emulated,
        seen.unflagged_with_row,
        seen.partly_emulated_accounts,
        seen.fully_emulated_accounts,
        seen.clusters,
        seen.multi_device_clusters,
        seen.several_clusters,
        seen.default_configs,
    ] {
        assert!(n >= 5, "{seen:?}");
    }
}

/// A log of one device row and one event through `client`.
fn one_device(row: &Row, client: &str) -> EventLog {
    let mut b = EventLogBuilder::new();
    b.push(&RawEvent {
        device: Some("d"),
        client: Some(client),
        ..RawEvent::new(0, "a", "like", "p", 1)
    })
    .unwrap();
    add_row(&mut b, "d", row);
    b.finish()
}

/// A model needs at least one attested device to be judged, whatever `min_attested` says:
/// with none there is nothing to learn its screens and OS versions from.
#[test]
fn a_model_without_attested_devices_is_never_judged() {
    let row = Row {
        model: Some("SM-G991B".into()),
        os: Some("Android 9".into()),
        build: None,
        screen: Some((720, 1280)),
        attestation: Some(Attestation::Fail),
    };
    let log = one_device(&row, "web");
    let cfg = DeviceConfig {
        min_attested: 0,
        ..DeviceConfig::default()
    };
    let want = reference::devices::device_checks(&log, &cfg);
    assert!(!want.flags[0].contains(DeviceFlags::UNSEEN_SCREEN));
    assert_eq!(
        names(device_checks(&log, &cfg).flags[0]),
        names(want.flags[0])
    );
}

/// An OS field `android 13` (as the ingest tests load it) claims Android 13, which a build of
/// Android 14 contradicts; the optimised code reads only `Android …`.
#[test]
fn a_lowercase_android_os_is_read_as_android() {
    let row = Row {
        model: Some("SM-G991B".into()),
        os: Some("android 13".into()),
        build: Some("samsung/o1sxxx/o1s:14/UP1A.231005.007/1:user/release-keys".into()),
        screen: Some((1080, 2400)),
        attestation: Some(Attestation::Pass),
    };
    let log = one_device(&row, "android/331.0");
    let cfg = DeviceConfig::default();
    let want = reference::devices::device_checks(&log, &cfg);
    assert_eq!(want.flags[0], DeviceFlags::OS_MISMATCH);
    assert_eq!(
        names(device_checks(&log, &cfg).flags[0]),
        names(want.flags[0])
    );
}
