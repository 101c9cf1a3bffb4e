//! The device and trust rules after the judge, on planted worlds: an account on a farm's
//! emulator template that worked the farm's targets joins it; a real person with one odd phone
//! who liked the same post does not.

use lockstep_core::{Attestation, EventLog, EventLogBuilder, RawDevice, RawEvent};
use lockstep_judge::{Policy, Reasons, Verdict, scan};

const REAL: &str = "samsung/o1sxxx/o1s:14/UP1A.231005.007/G991BXXU9EXA2:user/release-keys";
const EMU: &str = "google/sdk_gphone_x86/generic_x86:11/RSR1/123:userdebug/test-keys";
const DAY: i64 = 86_400_000;

fn like(b: &mut EventLogBuilder, actor: &str, target: &str, ts: i64, device: &str) {
    b.push(&RawEvent {
        id: None,
        ts,
        actor,
        action: "like",
        target,
        owner: Some("buyer"),
        text: None,
        ip: None,
        device: Some(device),
        client: Some("android/298.0"),
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

fn world() -> EventLog {
    let mut b = EventLogBuilder::new();
    // Forty people on real, attested phones, liking posts of their own.
    for i in 0..40 {
        let id = format!("phone{i}");
        for d in 0..3 {
            like(
                &mut b,
                &format!("person{i}"),
                &format!("own{i}-{d}"),
                d * DAY + i * 60_000,
                &id,
            );
        }
        device(
            &mut b,
            &id,
            "Android 14",
            REAL,
            (1080, 2400),
            Attestation::Pass,
        );
    }
    // A farm of eight on emulators stamped from one template, delivering an order a day.
    for day in 0..8i64 {
        for m in 0..8i64 {
            let id = format!("emu{m}-{day}");
            like(
                &mut b,
                &format!("farm{m}"),
                &format!("order{day}"),
                day * DAY + 3_600_000 + m * 15_000,
                &id,
            );
            device(
                &mut b,
                &id,
                "Android 9",
                EMU,
                (720, 1280),
                Attestation::Fail,
            );
        }
    }
    // A farm account that was used only once, on an order outside its burst.
    like(
        &mut b,
        "straggler",
        "order3",
        3 * DAY + 9 * 3_600_000,
        "emu-s",
    );
    device(
        &mut b,
        "emu-s",
        "Android 9",
        EMU,
        (720, 1280),
        Attestation::Fail,
    );
    // A person with a rooted phone on a custom ROM who liked the same post.
    like(
        &mut b,
        "rooted",
        "order3",
        3 * DAY + 10 * 3_600_000,
        "custom",
    );
    device(
        &mut b,
        "custom",
        "Android 14",
        "samsung/o1sxxx/o1s:14/UP1A/eng:userdebug/test-keys",
        (1080, 2400),
        Attestation::Fail,
    );
    b.finish()
}

#[test]
fn the_farms_emulator_template_brings_in_its_straggler_and_not_the_rooted_phone() {
    let log = world();
    let (j, _) = scan(&log, &Policy::default()).unwrap();
    let v = |name: &str| j.accounts[log.accounts.get(name).unwrap() as usize];
    let farm = v("farm2");
    assert_eq!(farm.verdict, Verdict::Fake);
    assert!(
        farm.reasons.contains(Reasons::EMULATED_DEVICE),
        "{}",
        farm.reasons
    );
    let s = v("straggler");
    assert_eq!(s.verdict, Verdict::Fake, "{}", s.reasons);
    assert_eq!(s.operation, farm.operation);
    assert!(
        s.reasons
            .contains(Reasons::EMULATED_DEVICE | Reasons::VENDOR_INFRASTRUCTURE)
    );
    assert_eq!(v("rooted").verdict, Verdict::Ok);
    assert_eq!(v("person3").verdict, Verdict::Ok);
    let op = &j.operations[farm.operation as usize];
    assert_eq!(op.members.len(), 9);
    assert_eq!(op.fake, 9);
    assert!(op.signals.iter().any(|s| s.reason == "emulated-device"));
    // The straggler's like is flagged for the operation.
    let e = (0..log.len())
        .find(|&e| log.actor()[e] == log.accounts.get("straggler").unwrap())
        .unwrap();
    assert_eq!(j.event_op[e], farm.operation);
}

#[test]
fn the_rules_can_be_switched_off() {
    let log = world();
    let mut p = Policy::default();
    p.corroboration.devices = false;
    let (j, _) = scan(&log, &p).unwrap();
    let s = j.accounts[log.accounts.get("straggler").unwrap() as usize];
    assert_eq!(s.verdict, Verdict::Ok);
}

/// A like farm on four shared phones, a farm account given a single order on one of them, and
/// a person on a phone of their own who liked the same post.
#[test]
fn an_account_living_on_the_farms_phones_joins_it_and_a_person_does_not() {
    let mut b = EventLogBuilder::new();
    for i in 0..40 {
        for d in 0..3 {
            like(
                &mut b,
                &format!("person{i}"),
                &format!("own{i}-{d}"),
                d * DAY + i * 60_000,
                &format!("phone{i}"),
            );
        }
    }
    for day in 0..8i64 {
        for m in 0..8i64 {
            let phone = format!("farmphone{}", m % 4);
            like(
                &mut b,
                &format!("farm{m}"),
                &format!("order{day}"),
                day * DAY + 3_600_000 + m * 15_000,
                &phone,
            );
        }
    }
    like(
        &mut b,
        "straggler",
        "order3",
        3 * DAY + 9 * 3_600_000,
        "farmphone1",
    );
    like(
        &mut b,
        "fan",
        "order3",
        3 * DAY + 10 * 3_600_000,
        "fanphone",
    );
    for k in 0..5 {
        like(
            &mut b,
            "fan",
            &format!("own{k}-0"),
            4 * DAY + k * 60_000,
            "fanphone",
        );
    }
    let log = b.finish();
    let (j, _) = scan(&log, &Policy::default()).unwrap();
    let v = |name: &str| j.accounts[log.accounts.get(name).unwrap() as usize];
    let farm = v("farm1");
    assert_eq!(farm.verdict, Verdict::Fake);
    let s = v("straggler");
    assert_eq!(s.verdict, Verdict::Fake, "{}", s.reasons);
    assert_eq!(s.operation, farm.operation);
    assert!(s.reasons.contains(Reasons::VENDOR_INFRASTRUCTURE));
    assert_eq!(v("fan").verdict, Verdict::Ok);

    let mut p = Policy::default();
    p.corroboration.infrastructure = false;
    let (j, _) = scan(&log, &p).unwrap();
    assert_eq!(
        j.accounts[log.accounts.get("straggler").unwrap() as usize].verdict,
        Verdict::Ok
    );
}
