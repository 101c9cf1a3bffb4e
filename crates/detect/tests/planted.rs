//! Planted operations are found (recall) and the organic hard cases are not (false
//! positives): fans at a live show, a viral post, power users; and, for harvesting, a power
//! reader at work, a household tablet and a carrier NAT.

use std::collections::BTreeMap;

use lockstep_core::Id;
use lockstep_detect::dense::{FraudarConfig, MZoomConfig, PeelPolicy, fraudar, mzoom};
use lockstep_detect::lockstep::{LockstepConfig, LockstepReport, lockstep_groups};

use crate::factories::{
    DAY, FarmSpec, HOUR, MIN, World, WorldSpec, false_positives, overlap, recall, world,
};

fn union(sets: impl Iterator<Item = Vec<Id>>) -> Vec<Id> {
    let mut v: Vec<Id> = sets.flatten().collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Asserts recall of every farm, a false-positive bound on the background, and that no
/// live fan, viral liker or power user was flagged.
fn check(what: &str, w: &World, found: &[Id], min_recall: f64, max_fp_share: f64) {
    let truths: Vec<&[Id]> = w.farms.iter().map(Vec::as_slice).collect();
    for (k, farm) in w.farms.iter().enumerate() {
        let r = recall(farm, found);
        assert!(
            r >= min_recall,
            "{what}: farm {k} recall {r:.3} < {min_recall}"
        );
    }
    let planted: usize = w.farms.iter().map(Vec::len).sum();
    let fp = false_positives(&truths, found);
    let bound = (max_fp_share * (w.all_accounts - planted) as f64).floor() as usize;
    assert!(
        fp.len() <= bound,
        "{what}: {} false positives > {bound}: {fp:?}",
        fp.len()
    );
    assert_eq!(overlap(&w.fans, found), 0, "{what}: live fans flagged");
    assert_eq!(overlap(&w.power, found), 0, "{what}: power users flagged");
    let viral_fp = false_positives(&truths, &w.viral);
    assert_eq!(overlap(&viral_fp, found), 0, "{what}: viral likers flagged");
}

fn lockstep_found(r: &LockstepReport) -> Vec<Id> {
    union(r.groups.iter().map(|g| g.accounts.clone()))
}

#[test]
fn lockstep_finds_a_camouflaged_farm_and_no_hard_negative() {
    for seed in 1..=2 {
        let w = world(&WorldSpec {
            seed,
            ..WorldSpec::default()
        });
        let r = lockstep_groups(&w.log, &LockstepConfig::default()).unwrap();
        check(&format!("seed {seed}"), &w, &lockstep_found(&r), 0.9, 0.002);
        assert_eq!(r.groups.len(), 1, "seed {seed}: {:?}", r.stats);
        let g = &r.groups[0];
        assert!(g.score > 5.0 && g.median_burst_ms < 20 * MIN, "{g:?}");
    }
}

#[test]
fn lockstep_partial_participation_jitter_and_shards_on_the_same_orders() {
    let farm = FarmSpec {
        accounts: 300,
        orders: 25,
        shards: 3,
        jitter_ms: 4 * MIN,
        spread_ms: 8 * MIN,
        camouflage: 40,
        ..FarmSpec::default()
    };
    let w = world(&WorldSpec {
        seed: 7,
        farms: vec![farm],
        ..WorldSpec::default()
    });
    let r = lockstep_groups(&w.log, &LockstepConfig::default()).unwrap();
    check("3 shards", &w, &lockstep_found(&r), 0.9, 0.002);
}

#[test]
fn lockstep_shards_delivering_hours_apart_come_out_linked() {
    let farm = FarmSpec {
        accounts: 150,
        orders: 30,
        shards: 2,
        shard_delay_ms: 3 * HOUR,
        ..FarmSpec::default()
    };
    let w = world(&WorldSpec {
        seed: 11,
        farms: vec![farm],
        ..WorldSpec::default()
    });
    let r = lockstep_groups(&w.log, &LockstepConfig::default()).unwrap();
    check("delayed shards", &w, &lockstep_found(&r), 0.9, 0.002);
    assert_eq!(r.groups.len(), 2, "{:#?}", r.stats);
    assert_eq!(r.groups[0].linked, vec![1]);
    assert_eq!(r.groups[1].linked, vec![0]);
}

#[test]
fn lockstep_two_farms_are_two_groups() {
    let farms = vec![
        FarmSpec {
            accounts: 80,
            orders: 25,
            ..FarmSpec::default()
        },
        FarmSpec {
            accounts: 60,
            orders: 30,
            participation: (0.4, 0.8),
            ..FarmSpec::default()
        },
    ];
    let w = world(&WorldSpec {
        seed: 5,
        farms,
        ..WorldSpec::default()
    });
    let r = lockstep_groups(&w.log, &LockstepConfig::default()).unwrap();
    check("two farms", &w, &lockstep_found(&r), 0.9, 0.002);
    assert_eq!(r.groups.len(), 2);
    for g in &r.groups {
        let hits: Vec<usize> = w.farms.iter().map(|f| overlap(f, &g.accounts)).collect();
        assert!(
            hits.iter().filter(|&&h| h > 0).count() == 1,
            "a group mixes farms: {hits:?}"
        );
    }
}

#[test]
fn lockstep_flags_nothing_in_an_organic_world_with_hard_cases() {
    let spec = WorldSpec {
        seed: 3,
        farms: Vec::new(),
        live_fans: Some((200, 8)),
        viral_likes: 3000,
        power_users: (10, 800),
        ..WorldSpec::default()
    };
    let w = world(&spec);
    let r = lockstep_groups(&w.log, &LockstepConfig::default()).unwrap();
    assert!(
        r.groups.is_empty(),
        "{:#?}",
        r.groups
            .iter()
            .map(|g| g.to_signal(&w.log).summary)
            .collect::<Vec<_>>()
    );
    // The viral hour is too big to pair in full and is cut into chunks.
    assert!(r.stats.hot_buckets > 0, "{:?}", r.stats);
}

#[test]
fn fraudar_finds_the_farm_and_no_hard_negative() {
    for seed in 1..=3 {
        let w = world(&WorldSpec {
            seed,
            ..WorldSpec::default()
        });
        let r = fraudar(&w.log, &FraudarConfig::default()).unwrap();
        let found = union(r.blocks.iter().map(|b| b.accounts.clone()));
        check(&format!("fraudar seed {seed}"), &w, &found, 0.9, 0.005);
        let viral = w.log.targets.get("viral").unwrap();
        assert!(
            r.blocks
                .iter()
                .all(|b| b.targets.binary_search(&viral).is_err())
        );
    }
}

#[test]
fn fraudar_finds_two_farms_in_two_rounds() {
    let farms = vec![
        FarmSpec {
            accounts: 100,
            orders: 30,
            ..FarmSpec::default()
        },
        FarmSpec {
            accounts: 60,
            orders: 40,
            participation: (0.4, 0.8),
            ..FarmSpec::default()
        },
    ];
    let w = world(&WorldSpec {
        seed: 9,
        farms,
        ..WorldSpec::default()
    });
    let r = fraudar(&w.log, &FraudarConfig::default()).unwrap();
    let found = union(r.blocks.iter().map(|b| b.accounts.clone()));
    check("fraudar two farms", &w, &found, 0.9, 0.005);
    assert!(r.blocks.len() >= 2);
}

#[test]
fn mzoom_finds_the_farm_with_its_proxies_and_emulators() {
    for seed in 1..=2 {
        let w = world(&WorldSpec {
            seed,
            ..WorldSpec::default()
        });
        let r = mzoom(&w.log, &MZoomConfig::default()).unwrap();
        let found = union(r.blocks.iter().map(|b| b.accounts.clone()));
        check(&format!("mzoom seed {seed}"), &w, &found, 0.9, 0.005);
        let b = &r.blocks[0];
        assert!(
            b.ips.len() <= 6 && b.devices.len() <= 4,
            "{}",
            b.to_signal().summary
        );
        use lockstep_detect::Aspect;
        assert!(b.concentrated.contains(&Aspect::Ips) && b.concentrated.contains(&Aspect::Devices));
    }
}

#[test]
fn dcube_blocks_are_precise() {
    let w = world(&WorldSpec {
        seed: 2,
        ..WorldSpec::default()
    });
    let cfg = MZoomConfig {
        policy: PeelPolicy::DCube,
        ..MZoomConfig::default()
    };
    let r = mzoom(&w.log, &cfg).unwrap();
    let found = union(r.blocks.iter().map(|b| b.accounts.clone()));
    check("dcube", &w, &found, 0.6, 0.005);
}

/// A harvesting world: an organic background with its hard negatives, and three planted
/// harvesting operations. Each planted account's name maps to the events it must be found
/// with.
struct HarvestWorld {
    log: lockstep_core::EventLog,
    /// The emulator crew and its reads.
    crew: BTreeMap<String, Vec<u32>>,
    /// The lone around-the-clock reader and its reads.
    lone: BTreeMap<String, Vec<u32>>,
    /// The real accounts read through vendor devices, and only the reads through those.
    hijacked: BTreeMap<String, Vec<u32>>,
    /// The vendor devices.
    vendor_devices: Vec<String>,
    /// Heavy readers who are people: one at work, three behind the carrier NAT.
    power_users: Vec<String>,
    /// Everyone else: the background and the household.
    organic: Vec<String>,
}

/// Appends events to a log, returning each one's index.
struct Events {
    b: lockstep_core::EventLogBuilder,
    n: u32,
}

impl Events {
    fn push(
        &mut self,
        ts: i64,
        actor: &str,
        verb: &str,
        target: &str,
        ip: [u8; 4],
        device: &str,
    ) -> u32 {
        self.b
            .push(&lockstep_core::RawEvent {
                ip: Some(std::net::IpAddr::from(ip)),
                device: Some(device),
                ..lockstep_core::RawEvent::new(ts, actor, verb, target, self.n + 1)
            })
            .unwrap();
        self.n += 1;
        self.n - 1
    }
}

fn harvest_world(seed: u64) -> HarvestWorld {
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};

    const T0: i64 = 20_000 * DAY;
    const DAYS: i64 = 10;
    const PEOPLE: usize = 2500;
    const NAT: [u8; 4] = [100, 64, 0, 1];
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut ev = Events {
        b: lockstep_core::EventLogBuilder::new(),
        n: 0,
    };
    let at = |day: i64, hour: i64, rng: &mut SmallRng| {
        T0 + day * DAY + hour * HOUR + rng.random_range(0..HOUR)
    };
    let mut organic = Vec::new();
    // A person: a few friends' profiles a day, at waking hours, on their own phone, and a
    // like now and then.
    let person = |ev: &mut Events, rng: &mut SmallRng, name: &str, k: usize, ip, device: &str| {
        for day in 0..DAYS {
            if rng.random_range(0..7) == 0 {
                continue;
            }
            for _ in 0..rng.random_range(1..=5) {
                let friend = format!("profile{}", (k + rng.random_range(1..=8)) % PEOPLE);
                let ts = at(day, rng.random_range(7..24), rng);
                ev.push(ts, name, "view", &friend, ip, device);
            }
            if rng.random_range(0..3) == 0 {
                let post = format!("post{}", (k + rng.random_range(1..=8)) % PEOPLE);
                let ts = at(day, rng.random_range(7..24), rng);
                ev.push(ts, name, "like", &post, ip, device);
            }
        }
    };

    // The background; the first 400 behind one carrier NAT, the rest on their own address.
    for k in 0..PEOPLE {
        let name = format!("user{k}");
        let ip = if k < 400 {
            NAT
        } else {
            [10, (k / 250) as u8, (k % 250) as u8, 1]
        };
        person(&mut ev, &mut rng, &name, k, ip, &format!("phone-{name}"));
        organic.push(name);
    }
    // A household of four on one tablet.
    for k in 0..4 {
        let name = format!("home{k}");
        person(
            &mut ev,
            &mut rng,
            &name,
            k * 100,
            [192, 0, 2, 7],
            "tablet-home",
        );
        organic.push(name);
    }
    // Power users: ten times the background's reads, distinct profiles, in 9-10 working
    // hours, on their own phones; one on its own address, three (a recruiting team) behind
    // the carrier NAT, where they are a few percent of the traffic.
    let mut power_users = Vec::new();
    for k in 0..4u8 {
        let name = if k == 0 {
            "poweruser".to_string()
        } else {
            format!("recruiter{k}")
        };
        let ip = if k == 0 { [10, 250, 0, 1] } else { NAT };
        let hours = rng.random_range(9..=10);
        let mut walk = rng.random_range(0..PEOPLE);
        for day in 0..DAYS {
            for _ in 0..rng.random_range(35..=45) {
                walk = (walk + rng.random_range(1..4)) % PEOPLE;
                let ts = at(day, 9 + rng.random_range(0..hours), &mut rng);
                let device = format!("phone-{name}");
                ev.push(ts, &name, "view", &format!("profile{walk}"), ip, &device);
            }
        }
        power_users.push(name);
    }

    // (a) Five emulator accounts, ~150 distinct profiles a day each, 17 hours a day (they
    // sleep 7), on two shared emulators and a /24 nobody else uses.
    let mut crew = BTreeMap::new();
    for k in 0..5 {
        let name = format!("emu{k}");
        let mut reads = Vec::new();
        let mut walk = k * 1500;
        for day in 0..DAYS {
            for i in 0..rng.random_range(145..=155) {
                walk += 1;
                let ts = at(day, 6 + rng.random_range(0..17), &mut rng);
                let ip = [203, 0, 113, rng.random_range(1..=30)];
                let device = ["emulator-a", "emulator-b"][(i + k) % 2];
                let target = format!("profile{}", walk % PEOPLE);
                reads.push(ev.push(ts, &name, "view", &target, ip, device));
            }
        }
        crew.insert(name, reads);
    }
    // (b) One account reading ~100 distinct profiles a day, in every hour of the day.
    let mut reads = Vec::new();
    for day in 0..DAYS {
        for i in 0..rng.random_range(96..=104) {
            let ts = at(day, i % 24, &mut rng);
            let target = format!("profile{}", (day * 100 + i) as usize % PEOPLE);
            reads.push(ev.push(ts, "scraper", "view", &target, [198, 18, 0, 9], "pixel-9"));
        }
    }
    let lone = BTreeMap::from([("scraper".to_string(), reads)]);
    // (c) Forty real accounts, each with its own phone and life, whose sessions three vendor
    // devices read through: device d through accounts 12d..12d+16, ~60 reads a day each.
    let mut hijacked: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for k in 0..40 {
        let name = format!("real{k}");
        let device = format!("phone-{name}");
        person(
            &mut ev,
            &mut rng,
            &name,
            1000 + k,
            [10, 251, 0, k as u8],
            &device,
        );
        hijacked.insert(name, Vec::new());
    }
    let vendor_devices: Vec<String> = (0..3).map(|d| format!("vendor-{d}")).collect();
    for (d, device) in vendor_devices.iter().enumerate() {
        for day in 0..DAYS {
            for i in 0..rng.random_range(55..=65) {
                let name = format!("real{}", 12 * d + i % 16);
                let ts = at(day, rng.random_range(0..24), &mut rng);
                let ip = [185, 220, 101, (10 * d + rng.random_range(0..10)) as u8];
                let target = format!("profile{}", rng.random_range(0..PEOPLE));
                let e = ev.push(ts, &name, "view", &target, ip, device);
                hijacked.get_mut(&name).unwrap().push(e);
            }
        }
    }
    HarvestWorld {
        log: ev.b.finish(),
        crew,
        lone,
        hijacked,
        vendor_devices,
        power_users,
        organic,
    }
}

#[test]
fn harvest_finds_the_crew_the_lone_reader_and_the_vendor_and_no_person() {
    use lockstep_detect::harvest::{HarvestConfig, Why, harvesters};

    let w = harvest_world(1);
    let log = &w.log;
    let cfg = HarvestConfig::default();
    let r = harvesters(log, &cfg).unwrap();
    let account = |name: &str| log.accounts.get(name).unwrap();
    let name = |a: Id| log.accounts.resolve(a).to_string();

    // The baselines are the background's: a few reads a day, one account per device.
    assert!((4..=6).contains(&r.baseline_reads), "{r:?}");
    assert_eq!(
        r.heavy_reads,
        ((cfg.volume_ratio * f64::from(r.baseline_reads)).ceil() as u32).max(24)
    );
    assert_eq!((r.baseline_device_accounts, r.device_accounts), (1, 10));

    // Nobody but the planted accounts, in no crew.
    let found: Vec<Id> = union(
        r.crews
            .iter()
            .map(|c| c.readers.iter().map(|x| x.account).collect()),
    );
    for n in w.organic.iter().chain(&w.power_users) {
        assert!(
            found.binary_search(&account(n)).is_err(),
            "{n} is in a crew"
        );
    }

    // Exactly three crews, largest first: the vendor's forty, the emulators, the lone reader.
    let crews: Vec<Vec<String>> = r
        .crews
        .iter()
        .map(|c| c.readers.iter().map(|x| name(x.account)).collect())
        .collect();
    assert_eq!(r.crews.len(), 3, "{crews:?}");
    for (c, (planted, why)) in r.crews.iter().zip([
        (&w.hijacked, Why::READING_DEVICE),
        (&w.crew, Why::CREW),
        (&w.lone, Why::AROUND_THE_CLOCK),
    ]) {
        let mut want: Vec<(Id, &Vec<u32>)> = planted.iter().map(|(n, e)| (account(n), e)).collect();
        want.sort();
        let got: Vec<(Id, &Vec<u32>)> = c.readers.iter().map(|x| (x.account, &x.events)).collect();
        assert_eq!(got, want);
        assert!(c.readers.iter().all(|x| x.why == why), "{c:?}");
    }
    // The vendor's crew holds its three devices, and only reads through them: none of the
    // accounts' own views.
    let mut devices: Vec<Id> = w
        .vendor_devices
        .iter()
        .map(|d| log.devices.get(d).unwrap())
        .collect();
    devices.sort_unstable();
    assert_eq!(r.crews[0].reading_devices, devices);
    for x in &r.crews[0].readers {
        assert_eq!(x.heavy_days, 0);
        assert!(
            x.events
                .iter()
                .all(|&e| devices.contains(&log.device()[e as usize]))
        );
    }
    assert!(r.crews[1..].iter().all(|c| c.reading_devices.is_empty()));
    // The emulators are heavy every day but sleep; the lone reader never does.
    for x in &r.crews[1].readers {
        assert_eq!((x.heavy_days, x.max_active_hours), (10, 17), "{x:?}");
    }
    assert_eq!(r.crews[2].readers[0].max_active_hours, 24);

    // The power users were heavy readers, so they are hard negatives, not easy ones.
    let want = lockstep_detect::reference::harvest::harvesters(log, &cfg);
    for n in &w.power_users {
        assert!(want.heavy_readers.contains(&account(n)), "{n} is not heavy");
    }
    // And the reference agrees.
    let mut got: Vec<Vec<(Id, Vec<u32>, u8)>> = r
        .crews
        .iter()
        .map(|c| {
            c.readers
                .iter()
                .map(|x| (x.account, x.events.clone(), x.why.0))
                .collect()
        })
        .collect();
    got.sort();
    let want: Vec<Vec<(Id, Vec<u32>, u8)>> = want
        .crews
        .iter()
        .map(|c| {
            c.0.iter()
                .map(|x| (x.account, x.events.clone(), x.why))
                .collect()
        })
        .collect();
    assert_eq!(got, want);
    let signals = r.signals(log);
    assert_eq!(signals.len(), 3);
    // Each summary says how shared its addresses and devices are: the vendor's devices carry
    // many sessions, the lone reader's one account.
    assert!(
        signals[2]
            .summary
            .ends_with("(at most 1 of the accounts through one IP, 1 through one device)"),
        "{}",
        signals[2].summary
    );
    assert!(
        !signals[0].summary.ends_with(", 1 through one device)"),
        "{}",
        signals[0].summary
    );
}

#[test]
fn harvest_a_vendor_reading_through_moderators_sessions_does_not_make_them_a_crew() {
    use lockstep_detect::harvest::{HarvestConfig, Why, harvesters};

    const T0: i64 = 20_000 * DAY;
    const HOUR: i64 = 3_600_000;
    let mut ev = Events {
        b: lockstep_core::EventLogBuilder::new(),
        n: 0,
    };
    let mut item = 0u32;
    let mut next = || {
        item += 1;
        format!("profile:{item}")
    };
    for d in 0..6i64 {
        // 300 people, 3 reads a day each, on their own phones.
        for p in 0..300u32 {
            for k in 0..3i64 {
                let t = T0 + d * DAY + (9 + k * 3) * HOUR + i64::from(p) * 1000;
                let (a, dev) = (format!("p{p}"), format!("phone-p{p}"));
                ev.push(
                    t,
                    &a,
                    "view",
                    &next(),
                    [10, 0, (p / 200) as u8, p as u8],
                    &dev,
                );
            }
        }
        // Three moderators, 40 distinct profiles a day in 9 working hours, each on their own
        // phone and address.
        for m in 0..3u8 {
            for k in 0..40i64 {
                let t = T0 + d * DAY + 9 * HOUR + k * 13 * 60_000;
                let (a, dev) = (format!("mod{m}"), format!("phone-mod{m}"));
                ev.push(t, &a, "view", &next(), [10, 9, 9, m], &dev);
            }
        }
        // A vendor device reads 60 a day through ten hijacked sessions and one read a day
        // through each moderator's.
        for k in 0..60i64 {
            let a = format!("p{}", k % 10);
            let t = T0 + d * DAY + k * 20 * 60_000;
            ev.push(t, &a, "view", &next(), [66, 6, 6, 6], "vendor-emu");
        }
        for m in 0..3u8 {
            let t = T0 + d * DAY + 23 * HOUR + i64::from(m) * 60_000;
            ev.push(
                t,
                &format!("mod{m}"),
                "view",
                &next(),
                [66, 6, 6, 6],
                "vendor-emu",
            );
        }
    }
    let log = ev.b.finish();
    let r = harvesters(&log, &HarvestConfig::default()).unwrap();
    assert_eq!(r.crews.len(), 1, "{:?}", r.crews);
    let emu = log.devices.get("vendor-emu").unwrap();
    assert_eq!(r.crews[0].reading_devices, vec![emu]);
    assert_eq!(r.crews[0].readers.len(), 13);
    for x in &r.crews[0].readers {
        // Only the vendor's reads, never the moderators' own work.
        assert_eq!(x.why, Why::READING_DEVICE, "{x:?}");
        assert!(x.events.iter().all(|&e| log.device()[e as usize] == emu));
    }
}

#[test]
fn follower_pool_is_found_and_a_friend_circle_and_fans_are_not() {
    use lockstep_detect::pools::{PoolConfig, follower_pools};
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};

    const T0: i64 = 20_000 * DAY;
    let mut rng = SmallRng::seed_from_u64(5);
    let mut ev = Events {
        b: lockstep_core::EventLogBuilder::new(),
        n: 0,
    };
    let follow = |ev: &mut Events, rng: &mut SmallRng, a: &str, t: &str| {
        let ts = T0 + rng.random_range(0..14 * DAY);
        ev.push(ts, a, "follow", t, [10, 1, 2, 3], &format!("phone-{a}"));
    };
    // 3 000 people follow a few of 300 creators and, one in three, two celebrities.
    for p in 0..3000u32 {
        let a = format!("person{p}");
        for _ in 0..rng.random_range(1..6) {
            let c = format!("creator{}", rng.random_range(0..300u32));
            follow(&mut ev, &mut rng, &a, &c);
        }
        if p % 3 == 0 {
            follow(&mut ev, &mut rng, &a, "celebrity0");
            follow(&mut ev, &mut rng, &a, "celebrity1");
        }
    }
    // Twelve friends who all follow each other and little else.
    for i in 0..12u32 {
        for j in 0..12u32 {
            if i != j {
                follow(
                    &mut ev,
                    &mut rng,
                    &format!("friend{i}"),
                    &format!("friend{j}"),
                );
            }
        }
    }
    // A pool of 80 accounts, each following 6 of 15 customers (and a creator now and then);
    // each customer also has a few real followers.
    for m in 0..80u32 {
        let a = format!("pool{m}");
        let mut cs: Vec<u32> = (0..15).collect();
        for k in 0..6 {
            let j = rng.random_range(k..15);
            cs.swap(k, j);
            follow(&mut ev, &mut rng, &a, &format!("customer{}", cs[k]));
        }
        if m % 4 == 0 {
            let c = format!("creator{}", rng.random_range(0..300u32));
            follow(&mut ev, &mut rng, &a, &c);
        }
    }
    for c in 0..15u32 {
        for p in 0..5u32 {
            let a = format!("person{}", rng.random_range(0..3000u32) + p);
            follow(&mut ev, &mut rng, &a, &format!("customer{c}"));
        }
    }
    let log = ev.b.finish();
    let pools = follower_pools(&log, &PoolConfig::default()).unwrap();
    assert_eq!(pools.len(), 1, "{pools:?}");
    let p = &pools[0];
    let mut want: Vec<Id> = (0..80)
        .map(|m| log.accounts.get(&format!("pool{m}")).unwrap())
        .collect();
    want.sort_unstable();
    assert_eq!(p.accounts, want);
    let mut customers: Vec<Id> = (0..15)
        .map(|c| log.targets.get(&format!("customer{c}")).unwrap())
        .collect();
    customers.sort_unstable();
    assert_eq!(p.customers, customers);
    // Only the pool's follows of its customers are its evidence.
    assert_eq!(p.events.len(), 80 * 6);
    assert!(p.events.iter().all(|&e| {
        let e = e as usize;
        customers.contains(&log.target()[e]) && want.contains(&log.actor()[e])
    }));
    assert_eq!(p.to_signal(&log).reason.code(), "rate-anomaly");
}
