//! Every planted operation has the shape its scenario promises, and the truth agrees with
//! the events.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use lockstep_core::Attestation;
use lockstep_sim::{Label, SCENARIOS, group};

use crate::common::{E, world};

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;

fn subnet(ip: &IpAddr) -> String {
    match ip {
        IpAddr::V4(v) => {
            let o = v.octets();
            format!("{}.{}.{}.0/24", o[0], o[1], o[2])
        }
        IpAddr::V6(_) => String::new(),
    }
}

#[test]
fn every_scenario_is_planted_and_the_truth_agrees() {
    let w = world();
    let ops = w.sim.operations();
    for s in SCENARIOS {
        assert!(ops.iter().any(|o| o.scenario == s), "{s} missing");
    }
    let mut events_per_op: HashMap<&str, u64> = HashMap::new();
    for (k, e) in w.events.iter().enumerate() {
        // Ids are compact and sequential: `e` and the position in base 36.
        assert_eq!(u64::from_str_radix(&e.id[1..], 36).unwrap(), k as u64);
        assert!(
            k == 0 || w.events[k - 1].ts <= e.ts,
            "events are in time order"
        );
        let a = w.sim.account(e.actor as usize);
        match &e.op {
            Some(op) => {
                *events_per_op.entry(op.as_str()).or_default() += 1;
                assert_ne!(a.label, Label::Organic, "organic account {} in {op}", a.id);
            }
            None => assert_ne!(
                a.label,
                Label::Fake,
                "fake account {} with an organic event",
                a.id
            ),
        }
    }
    for o in ops {
        assert_eq!(
            events_per_op.get(o.id.as_str()).copied().unwrap_or(0),
            o.events,
            "{}",
            o.id
        );
        assert!(o.events > 0, "{} produced nothing", o.id);
        for c in &o.customers {
            assert_eq!(w.sim.account(w.acct(c) as usize).label, Label::Organic);
        }
        for a in &o.accounts {
            assert_eq!(
                w.sim.account(w.acct(a) as usize).operation,
                Some(o.id.as_str())
            );
        }
    }
    // Operations are a small minority.
    let fake = w
        .sim
        .accounts()
        .filter(|a| a.label != Label::Organic)
        .count();
    assert!(fake * 10 < w.sim.num_accounts(), "{fake} planted accounts");
}

fn customer_targets(w: &crate::common::World, op: &str) -> BTreeSet<u32> {
    w.op(op).customers.iter().map(|c| w.acct(c)).collect()
}

#[test]
fn like_farm_delivers_tight_bursts_from_fresh_datacenter_accounts() {
    let w = world();
    let op = w.op("op-like-farm-1");
    let (start, _) = w.sim.window();
    for a in &op.accounts {
        let acc = w.sim.account(w.acct(a) as usize);
        assert_eq!(acc.label, Label::Fake);
        assert!(acc.created_at < start && acc.created_at > start - 25 * DAY);
    }
    let customers = customer_targets(w, "op-like-farm-1");
    let mut bursts: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for e in w.op_events("op-like-farm-1") {
        assert!(op.subnets.contains(&subnet(&e.ip.unwrap())), "{:?}", e.ip);
        if customers.contains(&e.owner.unwrap()) {
            assert_eq!(e.action, "like");
            bursts.entry(&e.target).or_default().push(e.ts);
        }
    }
    assert!(bursts.len() >= 5);
    let mut tight = 0;
    for ts in bursts.values() {
        let (lo, hi) = (ts.iter().min().unwrap(), ts.iter().max().unwrap());
        if ts.len() >= 50 && hi - lo <= 11 * MIN {
            tight += 1;
        }
    }
    assert!(
        tight * 2 >= bursts.len(),
        "{tight} tight of {} orders",
        bursts.len()
    );
    // Each account joins only part of the deliveries.
    let mut per: HashMap<u32, usize> = HashMap::new();
    for e in w
        .op_events("op-like-farm-1")
        .filter(|e| customers.contains(&e.owner.unwrap()))
    {
        *per.entry(e.actor).or_default() += 1;
    }
    assert!(per.len() > op.accounts.len() / 2);
    let mut bucket: HashMap<(&str, i64), BTreeSet<u32>> = HashMap::new();
    for e in w
        .op_events("op-like-farm-1")
        .filter(|e| customers.contains(&e.owner.unwrap()))
    {
        bucket
            .entry((&e.target, e.ts / (20 * MIN)))
            .or_default()
            .insert(e.actor);
    }
    assert!(bucket.values().all(|s| s.len() < op.accounts.len()));
    assert!(
        bucket
            .values()
            .filter(|s| s.len() * 2 < op.accounts.len())
            .count()
            * 2
            > bucket.len()
    );
}

#[test]
fn aged_farm_accounts_are_old_and_like_popular_content_too() {
    let w = world();
    let op = w.op("op-aged-farm-1");
    let (start, _) = w.sim.window();
    for a in &op.accounts {
        assert!(w.sim.account(w.acct(a) as usize).created_at < start - 700 * DAY);
    }
    let customers = customer_targets(w, "op-aged-farm-1");
    let ev: Vec<&E> = w.op_events("op-aged-farm-1").collect();
    let camo: Vec<&E> = ev
        .iter()
        .copied()
        .filter(|e| !customers.contains(&e.owner.unwrap()))
        .collect();
    assert!(
        camo.len() * 3 > ev.len(),
        "{} camouflage of {}",
        camo.len(),
        ev.len()
    );
    // The camouflage goes to posts that real people like a lot.
    let mut organic_likes: HashMap<&str, u32> = HashMap::new();
    for e in w
        .events
        .iter()
        .filter(|e| e.op.is_none() && e.action == "like")
    {
        *organic_likes.entry(&e.target).or_default() += 1;
    }
    let mut all: Vec<u32> = organic_likes.values().copied().collect();
    all.sort_unstable();
    let p90 = all[all.len() * 9 / 10];
    let popular = camo
        .iter()
        .filter(|e| organic_likes.get(e.target.as_str()).copied().unwrap_or(0) >= p90)
        .count();
    assert!(
        popular * 2 > camo.len(),
        "{popular} of {} camouflage likes on popular posts",
        camo.len()
    );
    // Mostly through residential proxies, delivered over hours.
    let dc = ev
        .iter()
        .filter(|e| op.subnets.contains(&subnet(&e.ip.unwrap())))
        .count();
    assert!(dc * 5 < ev.len());
}

#[test]
fn emulators_do_not_fit_the_phones_they_claim() {
    let w = world();
    let op = w.op("op-emulator-botnet-1");
    let devices: HashMap<&str, lockstep_sim::DeviceView> =
        w.sim.devices().map(|d| (d.id, d)).collect();
    let organic_screens: HashMap<&str, (u16, u16)> = w
        .events
        .iter()
        .filter(|e| e.op.is_none())
        .filter_map(|e| e.device.as_deref())
        .map(|d| (devices[d].model, devices[d].screen))
        .collect();
    let mut per_account: HashMap<u32, BTreeSet<&str>> = HashMap::new();
    type Fingerprint<'a> = (&'a str, &'a str, (u16, u16));
    let mut per_fp: HashMap<Fingerprint, BTreeSet<u32>> = HashMap::new();
    for e in w.op_events(&op.id) {
        let d = devices[e.device.as_deref().unwrap()];
        assert_ne!(d.attestation, Attestation::Pass);
        let emulator_build = ["generic", "sdk_gphone", "vbox86p", "test-keys", "dev-keys"]
            .iter()
            .any(|k| d.build.contains(k));
        let os_mismatch = !d
            .build
            .contains(&format!(":{}/", d.os.trim_start_matches("Android ")));
        let model_mismatch = !d.build.to_lowercase().contains(&d.model.to_lowercase())
            && d.build.contains("SM-G988N");
        let screen_mismatch = organic_screens.get(d.model).is_some_and(|s| *s != d.screen);
        assert!(
            emulator_build || os_mismatch || model_mismatch,
            "{} {}",
            d.model,
            d.build
        );
        assert!(screen_mismatch, "{} {:?}", d.model, d.screen);
        assert_eq!(e.client, "android/298.0.0.27");
        per_account.entry(e.actor).or_default().insert(d.id);
        per_fp
            .entry((d.model, d.build, d.screen))
            .or_default()
            .insert(e.actor);
        assert!(op.subnets.contains(&subnet(&e.ip.unwrap())));
    }
    let mean =
        per_account.values().map(|s| s.len()).sum::<usize>() as f64 / per_account.len() as f64;
    assert!(mean >= 3.0, "{mean} device ids per account");
    assert!(per_fp.values().any(|s| s.len() >= 50));
    assert!(w.op_events(&op.id).any(|e| e.action == "follow"));
}

#[test]
fn vendor_app_drives_real_accounts_with_organic_history() {
    let w = world();
    let op = w.op("op-vendor-app-1");
    let first: HashMap<u32, i64> = w.op_events(&op.id).fold(HashMap::new(), |mut m, e| {
        let t = m.entry(e.actor).or_insert(i64::MAX);
        *t = (*t).min(e.ts);
        m
    });
    assert!(first.len() > 50);
    let mut with_history = 0;
    let mut alongside = 0;
    for (&a, &t) in &first {
        assert_eq!(w.sim.account(a as usize).label, Label::Compromised);
        let org: Vec<i64> = w
            .events
            .iter()
            .filter(|e| e.actor == a && e.op.is_none())
            .map(|e| e.ts)
            .collect();
        if org.iter().any(|&x| x < t) {
            with_history += 1;
        }
        if org.iter().any(|&x| x > t) {
            alongside += 1;
        }
    }
    assert!(
        with_history * 10 > first.len() * 9,
        "{with_history} of {}",
        first.len()
    );
    assert!(alongside * 2 > first.len());
    for e in w.op_events(&op.id) {
        assert_eq!(e.client, "api:multiacct-pro");
        assert!(e.device.is_none());
        assert!(op.subnets.contains(&subnet(&e.ip.unwrap())));
    }
}

#[test]
fn comment_farm_posts_spun_templates() {
    let w = world();
    let comments: Vec<&str> = w
        .op_events("op-comment-farm-1")
        .filter(|e| e.action == "comment")
        .map(|e| e.text.as_deref().unwrap())
        .collect();
    assert!(comments.len() > 100);
    let starts = [
        "Great",
        "Amazing",
        "Awesome",
        "Incredible",
        "Fantastic",
        "Love",
        "Loving",
        "Really",
        "So",
        "Super",
        "Wow",
        "Omg",
        "Damn",
        "Nice",
        "Cool",
        "This",
        "Your",
    ];
    for c in &comments {
        assert!(starts.iter().any(|s| c.starts_with(s)), "{c}");
        assert!(!c.contains('{') && !c.contains('|'));
    }
    // Every one is a spin of a handful of templates: few distinct openings.
    let openings: BTreeSet<&str> = comments
        .iter()
        .map(|c| c.split([' ', ',', '!']).next().unwrap())
        .collect();
    assert!(openings.len() <= starts.len());
}

#[test]
fn drip_followers_arrive_evenly() {
    let w = world();
    let op = w.op("op-drip-followers-1");
    let mut per: BTreeMap<u32, Vec<i64>> = BTreeMap::new();
    let customers = customer_targets(w, &op.id);
    for e in w
        .op_events(&op.id)
        .filter(|e| e.action == "follow" && customers.contains(&e.owner.unwrap()))
    {
        per.entry(e.owner.unwrap()).or_default().push(e.ts);
    }
    assert!(!per.is_empty());
    for (c, mut ts) in per {
        ts.sort_unstable();
        if ts.len() < 20 {
            continue;
        }
        let gaps: Vec<f64> = ts.windows(2).map(|p| (p[1] - p[0]) as f64).collect();
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let sd = (gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / gaps.len() as f64).sqrt();
        assert!(
            sd / mean < 0.3,
            "customer {c}: gaps vary by {:.2}",
            sd / mean
        );
    }
}

#[test]
fn harvesters_read_far_more_profiles_than_anyone() {
    let w = world();
    let op = w.op("op-data-harvest-1");
    let mut distinct: HashMap<u32, BTreeSet<&str>> = HashMap::new();
    for e in w
        .events
        .iter()
        .filter(|e| e.action == "view" && e.target.starts_with('u'))
    {
        distinct.entry(e.actor).or_default().insert(&e.target);
    }
    let harvesters: BTreeSet<u32> = op.accounts.iter().map(|a| w.acct(a)).collect();
    // Anyone but the harvesters, the sessions another harvest drives, and the people whose
    // work is reading profiles (a hard negative of their own, tested below).
    let max_organic = distinct
        .iter()
        .filter(|(a, _)| {
            let v = w.sim.account(**a as usize);
            !harvesters.contains(a) && v.label == Label::Organic && !v.has(group::HEAVY_READER)
        })
        .map(|(_, s)| s.len())
        .max()
        .unwrap();
    let min_harvest = harvesters
        .iter()
        .map(|a| distinct.get(a).map_or(0, |s| s.len()))
        .min()
        .unwrap();
    assert!(
        min_harvest > 5 * max_organic,
        "harvesters {min_harvest}, organic max {max_organic}"
    );
    // Victims are exactly the accounts whose profile was read.
    let read: BTreeSet<&str> = w
        .op_events(&op.id)
        .filter(|e| e.target.starts_with('u'))
        .map(|e| e.target.as_str())
        .collect();
    let victims: BTreeSet<&str> = op.victims.iter().map(String::as_str).collect();
    assert!(read.is_subset(&victims));
    assert!(victims.len() > 2_000);
    assert!(
        w.op_events(&op.id)
            .any(|e| e.target.starts_with("friends:"))
    );
    assert!(w.op_events(&op.id).any(|e| e.target.starts_with('p')));
    // Machine rhythm: gaps between one account's reads barely vary.
    let a = *harvesters.iter().next().unwrap();
    let ts: Vec<i64> = w
        .op_events(&op.id)
        .filter(|e| e.actor == a)
        .map(|e| e.ts)
        .collect();
    let gaps: Vec<f64> = ts.windows(2).map(|p| (p[1] - p[0]) as f64).collect();
    let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
    assert!(gaps.iter().all(|g| (g - mean).abs() < 0.1 * mean));
}

#[test]
fn ban_evasion_comes_back_on_the_same_infrastructure() {
    let w = world();
    let first = w.op("op-ban-evasion-1");
    let back = w.op("op-ban-evasion-2");
    assert_eq!(back.returns_from.as_deref(), Some("op-ban-evasion-1"));
    let ban = first.banned_at.unwrap();
    assert!(w.op_events(&first.id).all(|e| e.ts < ban));
    for a in &back.accounts {
        assert!(w.sim.account(w.acct(a) as usize).created_at > ban);
    }
    assert!(w.op_events(&back.id).all(|e| e.ts > ban));
    assert_eq!(first.customers, back.customers);
    let nets = |op: &str| {
        w.op_events(op)
            .map(|e| subnet(&e.ip.unwrap()))
            .collect::<BTreeSet<_>>()
    };
    assert!(!nets(&first.id).is_disjoint(&nets(&back.id)));
    let devs = |op: &str| {
        w.op_events(op)
            .filter_map(|e| e.device.clone())
            .collect::<BTreeSet<_>>()
    };
    assert!(!devs(&first.id).is_disjoint(&devs(&back.id)));
    assert!(w.op_events(&back.id).count() > 100);
}

#[test]
fn beneficiaries_and_compromised_labels_are_consistent() {
    let w = world();
    for o in w.sim.operations() {
        for e in w.op_events(&o.id) {
            assert!(w.acct(w.sim.account(e.actor as usize).id) == e.actor);
        }
    }
    let compromised = w
        .sim
        .accounts()
        .filter(|a| a.label == Label::Compromised)
        .count();
    assert_eq!(
        compromised,
        w.op("op-vendor-app-1").accounts.len() + w.op("op-hijacked-harvest-1").accounts.len()
    );
}

#[test]
fn hijacked_sessions_read_their_owners_friends_from_the_vendors_emulators() {
    let w = world();
    let op = w.op("op-hijacked-harvest-1");
    assert!(op.accounts.len() >= 6);
    let sessions: BTreeSet<u32> = op.accounts.iter().map(|a| w.acct(a)).collect();
    for &s in &sessions {
        assert_eq!(w.sim.account(s as usize).label, Label::Compromised);
    }
    let reads: Vec<&E> = w.op_events(&op.id).collect();
    assert!(reads.len() > 500, "{} reads", reads.len());
    // Every read is a view, from a device the sessions' owners never use themselves.
    let own_devices: BTreeSet<&str> = w
        .events
        .iter()
        .filter(|e| e.op.is_none() && sessions.contains(&e.actor))
        .filter_map(|e| e.device.as_deref())
        .collect();
    for e in &reads {
        assert_eq!(e.action, "view");
        assert!(sessions.contains(&e.actor));
        let d = e.device.as_deref().expect("replayed on a device");
        assert!(
            !own_devices.contains(d),
            "read from the owner's own device {d}"
        );
    }
    // The sessions' owners go on with their own lives.
    assert!(
        w.events
            .iter()
            .filter(|e| e.op.is_none() && sessions.contains(&e.actor))
            .count()
            > 10
    );
    // Victims are the people whose profiles were read.
    let read: BTreeSet<&str> = reads
        .iter()
        .filter(|e| e.target.starts_with('u'))
        .map(|e| e.target.as_str())
        .collect();
    let victims: BTreeSet<&str> = op.victims.iter().map(String::as_str).collect();
    assert_eq!(read, victims);
}

#[test]
fn heavy_readers_read_on_working_days_in_working_hours() {
    let w = world();
    let readers: BTreeSet<u32> = w
        .sim
        .accounts()
        .enumerate()
        .filter(|(_, a)| a.has(group::HEAVY_READER))
        .map(|(i, _)| i as u32)
        .collect();
    assert!(!readers.is_empty());
    let mut per_day: HashMap<(u32, i64), usize> = HashMap::new();
    for e in w
        .events
        .iter()
        .filter(|e| readers.contains(&e.actor) && e.action == "view" && e.target.starts_with('u'))
    {
        *per_day.entry((e.actor, e.ts.div_euclid(DAY))).or_default() += 1;
    }
    assert!(per_day.values().any(|&n| n >= 100), "{per_day:?}");
}

#[test]
fn hard_negative_cohorts_are_planted_and_tagged() {
    let w = world();
    for bit in [
        group::HEAVY_READER,
        group::NICHE_COMMUNITY,
        group::FAN_CLUB,
        group::SHARED_TABLET,
    ] {
        let n = w.sim.accounts().filter(|a| a.has(bit)).count();
        assert!(n > 0, "no account tagged {bit}");
        assert!(
            w.sim
                .accounts()
                .filter(|a| a.has(bit))
                .all(|a| a.label != Label::Fake),
            "a fake account in cohort {bit}"
        );
    }
}
