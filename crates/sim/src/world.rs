//! The static world: accounts, households, networks, devices, the follow graph and the posts.
//!
//! Built once, before any event: the organic population first, then the operations append
//! their own accounts, devices and addresses. Everything is flat vectors indexed by dense
//! `u32`s; ids are scrambled so that neither the order nor the kind of an account shows in it.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use lockstep_core::Attestation;
use rayon::prelude::*;

use crate::catalog::{
    self, ANDROID_VERSIONS, BOT_APP_VERSION, CARRIER_V4, CARRIER_V6, HOME_V4, HOME_V6, HOURLY,
    IOS_VERSIONS, MODELS, SCHEDULER_APPS, TIME_ZONES,
};
use crate::config::Config;
use crate::events::NONE;
use crate::rng::{Cdf, Rng, Scramble, derive, tag};
use crate::time::{DAY, HOUR, MIN};

/// What an account is in the organic world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Person,
    Creator,
    Page,
    /// Created by an operation.
    Farm,
}

/// The ground-truth label of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    /// A real person, creator or page, acting on their own.
    Organic,
    /// An account that exists to sell engagement.
    Fake,
    /// A real account (partly) driven by someone else.
    Compromised,
}

impl Label {
    /// The truth file's word.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Organic => "organic",
            Label::Fake => "fake",
            Label::Compromised => "compromised",
        }
    }
}

/// Cohort tags of organic accounts (bits of [`crate::AccountView::groups`]).
pub mod group {
    /// Liked a viral post within its first hour.
    pub const VIRAL_LIKER: u16 = 1;
    /// Took part in a live broadcast's fan group.
    pub const LIVE_FAN: u16 = 2;
    /// Very heavy but human.
    pub const POWER_USER: u16 = 4;
    /// Created in the 30 days before the window ends.
    pub const NEW_REAL: u16 = 8;
    /// On a carrier-grade NAT (shares addresses with thousands).
    pub const CGNAT: u16 = 16;
    /// Shares a home address (and maybe a tablet) with other account holders.
    pub const HOUSEHOLD: u16 = 32;
    /// Writes mostly short generic comments.
    pub const GENERIC_COMMENTER: u16 = 64;
    /// Uses a legitimate scheduling tool (`api:<tool>`).
    pub const API_USER: u16 = 128;
    /// Reads hundreds of profiles on working days, in working hours (recruiter, moderator).
    pub const HEAVY_READER: u16 = 256;
    /// Likes nearly every post of a few small pages within hours (a niche community).
    pub const NICHE_COMMUNITY: u16 = 512;
    /// Took part in a fan club's streaming party (likes, shares and replays at an announced
    /// time).
    pub const FAN_CLUB: u16 = 1024;
    /// Lives in a household whose members share one tablet.
    pub const SHARED_TABLET: u16 = 2048;
    /// The tags' names, bit 0 first.
    pub const NAMES: [&str; 12] = [
        "viral-liker",
        "live-fan",
        "power-user",
        "new-real",
        "cgnat",
        "household",
        "generic-commenter",
        "api-user",
        "heavy-reader",
        "niche-community",
        "fan-club",
        "shared-tablet",
    ];
}

/// A fixed-width string table (ids of one kind all have the same length).
#[derive(Debug, Clone, Default)]
pub(crate) struct FixedStr {
    bytes: String,
    width: usize,
}

impl FixedStr {
    fn new(width: usize) -> Self {
        Self {
            bytes: String::new(),
            width,
        }
    }
    fn push(&mut self, s: &str) {
        debug_assert_eq!(s.len(), self.width);
        self.bytes.push_str(s);
    }
    /// String `i`.
    #[inline]
    pub(crate) fn get(&self, i: u32) -> &str {
        let a = i as usize * self.width;
        &self.bytes[a..a + self.width]
    }
}

/// A deduplicating table of short strings (device models, OS names, builds).
#[derive(Debug, Clone, Default)]
pub(crate) struct Strings {
    list: Vec<String>,
    map: BTreeMap<String, u32>,
}

impl Strings {
    pub(crate) fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.map.get(s) {
            return i;
        }
        self.list.push(s.to_string());
        self.map.insert(s.to_string(), (self.list.len() - 1) as u32);
        (self.list.len() - 1) as u32
    }
    pub(crate) fn get(&self, i: u32) -> &str {
        &self.list[i as usize]
    }
}

/// A mobile carrier.
#[derive(Debug, Clone)]
pub(crate) struct Carrier {
    /// IPv6-only: each device gets its own stable address (no NAT).
    pub(crate) v6: bool,
    /// The CGNAT pool: indices into [`World::ips`].
    pub(crate) pool: Vec<u32>,
    pub(crate) prefix6: [u16; 2],
}

/// Devices, one row per device id.
#[derive(Debug, Clone, Default)]
pub(crate) struct Devices {
    pub(crate) id: Vec<u64>,
    pub(crate) model: Vec<u32>,
    pub(crate) os: Vec<u32>,
    pub(crate) build: Vec<u32>,
    pub(crate) screen: Vec<(u16, u16)>,
    pub(crate) attestation: Vec<Attestation>,
    /// The app client this device runs (index into [`World::clients`]).
    pub(crate) client: Vec<u16>,
    /// A tablet (stays at home).
    pub(crate) tablet: Vec<bool>,
    pub(crate) strings: Strings,
    pub(crate) ids: FixedStr,
}

impl Devices {
    pub(crate) fn len(&self) -> usize {
        self.id.len()
    }
}

/// A household: a home address shared by its members, maybe a shared tablet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Household {
    pub(crate) ip: u32,
    pub(crate) shared_device: u32,
    pub(crate) size: u8,
}

/// Posts, sorted by creation time.
#[derive(Debug, Clone, Default)]
pub(crate) struct Posts {
    pub(crate) owner: Vec<u32>,
    pub(crate) created: Vec<i64>,
    pub(crate) comm: Vec<u8>,
    pub(crate) appeal: Vec<f32>,
    /// Live broadcast number + 1, or 0.
    pub(crate) live: Vec<u16>,
    /// Per owner, post indices in creation order (CSR over accounts).
    pub(crate) by_owner_off: Vec<u32>,
    pub(crate) by_owner: Vec<u32>,
    /// Creation times in `by_owner` order.
    pub(crate) by_owner_created: Vec<i64>,
    /// The most appealing posts (top 5 %), in creation order: what camouflage likes.
    pub(crate) popular: Vec<u32>,
    pub(crate) ids: FixedStr,
}

impl Posts {
    pub(crate) fn len(&self) -> usize {
        self.owner.len()
    }

    /// Posts of `owner`, oldest first.
    #[inline]
    pub(crate) fn of(&self, owner: u32) -> &[u32] {
        let o = owner as usize;
        if o + 1 >= self.by_owner_off.len() {
            return &[];
        }
        &self.by_owner[self.by_owner_off[o] as usize..self.by_owner_off[o + 1] as usize]
    }

    /// The latest post of `owner` created at or before `t`.
    #[inline]
    pub(crate) fn latest_before(&self, owner: u32, t: i64) -> Option<u32> {
        let ps = self.of(owner);
        let k = ps.partition_point(|&p| self.created[p as usize] <= t);
        (k > 0).then(|| ps[k - 1])
    }

    /// An ordinary post created in `[t - window, t)`, of community `comm` when one of a few
    /// draws finds one (padding that looks like an interest rather than a trend).
    pub(crate) fn community_at(
        &self,
        rng: &mut Rng,
        t: i64,
        window: i64,
        comm: [u8; 2],
    ) -> Option<u32> {
        let hi = self.created.partition_point(|&c| c < t);
        let lo = self.created.partition_point(|&c| c < t - window);
        if hi <= lo {
            return None;
        }
        let mut p = (lo + rng.index(hi - lo)) as u32;
        for _ in 0..8 {
            if comm.contains(&self.comm[p as usize]) {
                break;
            }
            p = (lo + rng.index(hi - lo)) as u32;
        }
        Some(p)
    }

    /// A popular post created in `[t - window, t)`, if any.
    pub(crate) fn popular_at(&self, rng: &mut Rng, t: i64, window: i64) -> Option<u32> {
        let hi = self
            .popular
            .partition_point(|&p| self.created[p as usize] < t);
        let lo = self
            .popular
            .partition_point(|&p| self.created[p as usize] < t - window);
        (hi > lo).then(|| self.popular[lo + rng.index(hi - lo)])
    }
}

/// The whole static world.
#[derive(Debug, Clone)]
pub(crate) struct World {
    pub(crate) seed: u64,
    pub(crate) start: i64,
    pub(crate) end: i64,
    pub(crate) days: u32,
    pub(crate) n_organic: u32,
    pub(crate) communities: u32,

    // Accounts (organic first, then operations').
    pub(crate) code: Vec<u64>,
    pub(crate) created: Vec<i64>,
    pub(crate) kind: Vec<Kind>,
    pub(crate) tz: Vec<i16>,
    /// Personal shift of the daily rhythm, minutes.
    pub(crate) chrono: Vec<i16>,
    pub(crate) rate: Vec<f32>,
    pub(crate) comm: Vec<[u8; 2]>,
    pub(crate) popularity: Vec<f32>,
    pub(crate) household: Vec<u32>,
    pub(crate) dev: Vec<[u32; 2]>,
    pub(crate) carrier: Vec<u8>,
    /// The account's own IPv6 carrier address, if its carrier is IPv6-only.
    pub(crate) carrier_ip: Vec<u32>,
    pub(crate) web: Vec<bool>,
    pub(crate) groups: Vec<u16>,
    pub(crate) label: Vec<Label>,
    pub(crate) op: Vec<u16>,
    /// Scheduling tool (index into [`SCHEDULER_APPS`]) or `u8::MAX`.
    pub(crate) api_app: Vec<u8>,
    /// Profile style of farm accounts: 0 organic, 1 fresh farm, 2 aged, 3 follow farm.
    pub(crate) style: Vec<u8>,
    pub(crate) ids: FixedStr,
    scramble: Scramble,
    post_scramble: Scramble,
    device_key: u64,

    pub(crate) households: Vec<Household>,
    pub(crate) ips: Vec<IpAddr>,
    pub(crate) carriers: Vec<Carrier>,
    /// Cloud addresses of each scheduling tool.
    pub(crate) scheduler_ips: Vec<Vec<u32>>,
    pub(crate) devices: Devices,
    pub(crate) clients: Vec<String>,

    /// Follow graph over organic accounts (CSR).
    pub(crate) fol_off: Vec<u32>,
    pub(crate) fol: Vec<u32>,
    pub(crate) posts: Posts,

    /// Per community, creators and pages with popularity weights.
    pub(crate) comm_creators: Vec<(Vec<u32>, Cdf)>,
    /// Per community, ordinary people.
    pub(crate) comm_people: Vec<Vec<u32>>,
    /// All creators and pages by popularity.
    pub(crate) creators: (Vec<u32>, Cdf),
    /// Live broadcasts: (creator, start time).
    pub(crate) lives: Vec<(u32, i64)>,
    /// Datacenter /24s handed out so far (so operations do not collide by chance).
    dc_next: u32,
    proxy_next: u32,
}

/// Client indices of the fixed part of the client table.
pub(crate) mod client {
    pub(crate) const WEB: u16 = 8;
    pub(crate) const BOT: u16 = 9;
    pub(crate) const SCHEDULER0: u16 = 10;
}

impl World {
    /// Builds the organic world of `cfg`.
    pub(crate) fn organic(cfg: &Config) -> World {
        let o = &cfg.organic;
        let seed = cfg.seed;
        let start = crate::time::parse_date(&cfg.start_date).expect("validated");
        let end = start + cfg.days as i64 * DAY;
        let n = cfg.accounts;
        let mut rng = Rng::stream(seed, tag::ACCOUNTS, 0);
        let mut clients: Vec<String> = ANDROID_VERSIONS
            .iter()
            .chain(IOS_VERSIONS)
            .map(|v| v.0.to_string())
            .collect();
        clients.push("web".into());
        clients.push(BOT_APP_VERSION.into());
        clients.extend(SCHEDULER_APPS.iter().map(|s| s.to_string()));

        let mut w = World {
            seed,
            start,
            end,
            days: cfg.days,
            n_organic: n,
            communities: o.communities,
            code: Vec::new(),
            created: Vec::new(),
            kind: Vec::new(),
            tz: Vec::new(),
            chrono: Vec::new(),
            rate: Vec::new(),
            comm: Vec::new(),
            popularity: Vec::new(),
            household: Vec::new(),
            dev: Vec::new(),
            carrier: Vec::new(),
            carrier_ip: Vec::new(),
            web: Vec::new(),
            groups: Vec::new(),
            label: Vec::new(),
            op: Vec::new(),
            api_app: Vec::new(),
            style: Vec::new(),
            ids: FixedStr::new(9),
            scramble: Scramble::new(derive(seed, tag::IDS, 0)),
            post_scramble: Scramble::new(derive(seed, tag::IDS, 1)),
            device_key: derive(seed, tag::IDS, 2),
            households: Vec::new(),
            ips: Vec::new(),
            carriers: Vec::new(),
            scheduler_ips: Vec::new(),
            devices: Devices {
                ids: FixedStr::new(16),
                ..Devices::default()
            },
            clients,
            fol_off: Vec::new(),
            fol: Vec::new(),
            posts: Posts::default(),
            comm_creators: Vec::new(),
            comm_people: Vec::new(),
            creators: (Vec::new(), Cdf::default()),
            lives: Vec::new(),
            dc_next: 0,
            proxy_next: 0,
        };

        // --- Accounts: kind, community, popularity, age, activity.
        let comm_cdf = Cdf::new((0..o.communities).map(|c| 1.0 / (c as f64 + 1.0).powf(0.8)));
        let act_sigma = o.activity_sigma;
        let act_mu = o.mean_actions_per_day.ln() - act_sigma * act_sigma / 2.0;
        let mut creator_list = Vec::new();
        for a in 0..n {
            let r = rng.f64();
            let kind = if r < o.page_share {
                Kind::Page
            } else if r < o.page_share + o.creator_share {
                Kind::Creator
            } else {
                Kind::Person
            };
            let c1 = comm_cdf.sample(&mut rng) as u8;
            let c2 = comm_cdf.sample(&mut rng) as u8;
            let age_days = if rng.chance(o.new_account_share) {
                // Created in the 30 days before the window ends.
                None
            } else {
                Some(
                    (30f64.ln()
                        + rng.f64() * ((o.max_account_age_days.max(31) as f64).ln() - 30f64.ln()))
                    .exp(),
                )
            };
            let created = match age_days {
                None => end - rng.range_i64(DAY, 30 * DAY),
                Some(d) => start - (d * DAY as f64) as i64 - rng.range_i64(0, DAY),
            };
            let dormant = kind == Kind::Person && rng.chance(o.dormant_share);
            let rate = match kind {
                _ if dormant => 0.03,
                Kind::Page => 2.0 + rng.f64() * 3.0,
                Kind::Creator => {
                    (rng.lognormal(act_mu, act_sigma) * 1.5).min(o.max_actions_per_day)
                }
                _ => rng.lognormal(act_mu, act_sigma).min(o.max_actions_per_day),
            };
            let mut groups = 0;
            if created >= end - 30 * DAY {
                groups |= group::NEW_REAL;
            }
            if rate >= o.power_user_actions_per_day {
                groups |= group::POWER_USER;
            }
            if kind == Kind::Person && !dormant && rng.chance(o.generic_commenter_share) {
                groups |= group::GENERIC_COMMENTER;
            }
            let api = if matches!(kind, Kind::Creator | Kind::Page) && rng.chance(o.api_user_share)
            {
                groups |= group::API_USER;
                rng.below(SCHEDULER_APPS.len() as u32) as u8
            } else {
                u8::MAX
            };
            if matches!(kind, Kind::Creator | Kind::Page) {
                creator_list.push(a);
            }
            w.push_account(
                kind,
                created,
                0,
                rng.range_u32(0, 180) as i16 - 90,
                rate as f32,
                [c1, c2],
                groups,
                Label::Organic,
            );
            *w.api_app.last_mut().expect("pushed") = api;
        }
        // Creator popularity: Zipf by a random rank.
        rng.shuffle(&mut creator_list);
        for (rank, &a) in creator_list.iter().enumerate() {
            let p = 1.0 / (rank as f64 + 1.0).powf(o.popularity_exponent);
            w.popularity[a as usize] = (p * 1000.0) as f32
                * if w.kind[a as usize] == Kind::Page {
                    0.5
                } else {
                    1.0
                };
        }
        for a in 0..n as usize {
            if w.kind[a] == Kind::Person {
                w.popularity[a] = (0.02 * rng.lognormal(0.0, 1.0)) as f32;
            }
        }

        // --- Households, time zones, home addresses.
        let sizes: Vec<f64> = (2..=o.household_size_max)
            .map(|s| 0.55f64.powi(s as i32 - 2))
            .collect();
        let mean_size: f64 = sizes
            .iter()
            .enumerate()
            .map(|(k, p)| (k as f64 + 2.0) * p)
            .sum::<f64>()
            / sizes.iter().sum::<f64>();
        let hs = o.household_share.min(0.99);
        let p_start = hs / (mean_size - hs * (mean_size - 1.0));
        let tz_cdf = Cdf::new(TIME_ZONES.iter().map(|t| t.1));
        let mut a = 0u32;
        while a < n {
            let size = if w.kind[a as usize] == Kind::Person && rng.chance(p_start) {
                2 + rng.weighted(&sizes) as u32
            } else {
                1
            };
            let h = w.households.len() as u32;
            let ip = w.home_ip(&mut rng, o.ipv6_home_share);
            let tz = TIME_ZONES[tz_cdf.sample(&mut rng)].0 as i16;
            let mut members = 0u8;
            let mut b = a;
            while b < n && (b - a) < size {
                if b > a && w.kind[b as usize] != Kind::Person {
                    break;
                }
                w.household[b as usize] = h;
                w.tz[b as usize] = tz;
                members += 1;
                b += 1;
            }
            w.households.push(Household {
                ip,
                shared_device: NONE,
                size: members,
            });
            if members >= 2 {
                for m in a..b {
                    w.groups[m as usize] |= group::HOUSEHOLD;
                }
            }
            a = b;
        }

        // --- Carriers and their CGNAT pools.
        for c in 0..o.carriers as usize {
            let v6 = o.carriers >= 2 && c == o.carriers as usize - 1;
            let block = CARRIER_V4[c % CARRIER_V4.len()];
            let key = rng.u64() as u16 | 1;
            let pool = (0..o.cgnat_pool_size)
                .map(|k| {
                    let host =
                        spread16(k as u16 + (c as u16 / CARRIER_V4.len() as u16) * 4096, key);
                    w.add_ip(IpAddr::V4(Ipv4Addr::new(
                        block[0],
                        block[1],
                        (host >> 8) as u8,
                        host as u8,
                    )))
                })
                .collect();
            w.carriers.push(Carrier {
                v6,
                pool,
                prefix6: CARRIER_V6[c % CARRIER_V6.len()],
            });
        }
        let carrier_cdf = Cdf::new((0..o.carriers).map(|c| 0.6f64.powi(c as i32)));
        for a in 0..n as usize {
            if w.kind[a] == Kind::Person && rng.chance(o.mobile_data_share) {
                let c = carrier_cdf.sample(&mut rng);
                w.carrier[a] = c as u8;
                if w.carriers[c].v6 {
                    let p = w.carriers[c].prefix6;
                    let x = rng.u64();
                    let y = rng.u64();
                    w.carrier_ip[a] = w.add_ip(IpAddr::V6(Ipv6Addr::new(
                        p[0],
                        p[1],
                        (x >> 48) as u16,
                        (x >> 32) as u16,
                        (y >> 48) as u16,
                        (y >> 32) as u16,
                        (y >> 16) as u16,
                        y as u16,
                    )));
                } else {
                    w.groups[a] |= group::CGNAT;
                }
            }
        }

        // --- Scheduling tools' cloud addresses.
        for (k, _) in SCHEDULER_APPS.iter().enumerate() {
            let b = catalog::CLOUD_V4[k % catalog::CLOUD_V4.len()];
            let third = rng.below(256) as u8;
            let ips = (0..8)
                .map(|_| {
                    w.add_ip(IpAddr::V4(Ipv4Addr::new(
                        b[0],
                        b[1],
                        third,
                        10 + rng.below(200) as u8,
                    )))
                })
                .collect();
            w.scheduler_ips.push(ips);
        }

        // --- Devices.
        let mut drng = Rng::stream(seed, tag::DEVICES, 0);
        let phone_cdf = Cdf::new(MODELS.iter().map(|m| if m.tablet { 0.0 } else { m.weight }));
        let tablet_cdf = Cdf::new(
            MODELS
                .iter()
                .map(|m| if m.tablet { m.weight } else { m.weight * 0.1 }),
        );
        for a in 0..n as usize {
            let person = w.kind[a] != Kind::Page;
            if person {
                let m = phone_cdf.sample(&mut drng);
                w.dev[a][0] = w.add_real_device(&mut drng, m, true);
                if drng.chance(o.second_device_share) {
                    let m = tablet_cdf.sample(&mut drng);
                    w.dev[a][1] = w.add_real_device(&mut drng, m, true);
                }
            }
            w.web[a] = !person || drng.chance(o.web_share);
        }
        for h in 0..w.households.len() {
            if w.households[h].size >= 2 && drng.chance(o.shared_device_share) {
                let m = tablet_cdf.sample(&mut drng);
                let d = w.add_real_device(&mut drng, m, true);
                w.devices.tablet[d as usize] = true;
                w.households[h].shared_device = d;
            }
        }

        // --- Community indices.
        let nc = o.communities as usize;
        let mut cc: Vec<Vec<u32>> = vec![Vec::new(); nc];
        w.comm_people = vec![Vec::new(); nc];
        for a in 0..n {
            let c = w.comm[a as usize][0] as usize;
            if w.kind[a as usize] == Kind::Person {
                w.comm_people[c].push(a);
            } else {
                cc[c].push(a);
            }
        }
        w.comm_creators = cc
            .into_iter()
            .map(|v| {
                let cdf = Cdf::new(v.iter().map(|&a| w.popularity[a as usize] as f64));
                (v, cdf)
            })
            .collect();
        let cdf = Cdf::new(
            creator_list
                .iter()
                .map(|&a| w.popularity[a as usize] as f64),
        );
        w.creators = (creator_list, cdf);

        w.build_follows(cfg);
        w.build_posts(cfg);
        w
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_account(
        &mut self,
        kind: Kind,
        created: i64,
        tz: i16,
        chrono: i16,
        rate: f32,
        comm: [u8; 2],
        groups: u16,
        label: Label,
    ) -> u32 {
        let a = self.code.len() as u32;
        let code = self.scramble.apply(a as u64);
        let mut s = String::with_capacity(9);
        s.push('u');
        crate::rng::push_base36(&mut s, code, 8);
        self.ids.push(&s);
        self.code.push(code);
        self.created.push(created);
        self.kind.push(kind);
        self.tz.push(tz);
        self.chrono.push(chrono);
        self.rate.push(rate);
        self.comm.push(comm);
        self.popularity.push(0.0);
        self.household.push(NONE);
        self.dev.push([NONE, NONE]);
        self.carrier.push(u8::MAX);
        self.carrier_ip.push(NONE);
        self.web.push(false);
        self.groups.push(groups);
        self.label.push(label);
        self.op.push(crate::events::NO_OP);
        self.api_app.push(u8::MAX);
        self.style.push(0);
        a
    }

    /// The 64-bit id of device `d` (a bijection of the index: unique, random-looking).
    #[inline]
    fn device_code(&self, d: u32) -> u64 {
        crate::rng::mix64(d as u64 ^ self.device_key)
    }

    /// Writes account `a`'s id into `out` (computed, so a row needs no table look-up).
    #[inline]
    pub(crate) fn account_id_into(&self, a: u32, out: &mut String) {
        out.clear();
        out.push('u');
        crate::rng::push_base36(out, self.scramble.apply(a as u64), 8);
    }

    /// Writes post `p`'s id into `out`.
    #[inline]
    pub(crate) fn post_id_into(&self, p: u32, out: &mut String) {
        out.clear();
        out.push('p');
        crate::rng::push_base36(out, self.post_scramble.apply(p as u64), 8);
    }

    /// Writes device `d`'s id into `out`.
    #[inline]
    pub(crate) fn device_id_into(&self, d: u32, out: &mut String) {
        out.clear();
        crate::rng::push_hex(out, self.device_code(d), 16);
    }

    pub(crate) fn n_accounts(&self) -> u32 {
        self.code.len() as u32
    }

    pub(crate) fn add_ip(&mut self, ip: IpAddr) -> u32 {
        self.ips.push(ip);
        (self.ips.len() - 1) as u32
    }

    fn home_ip(&mut self, rng: &mut Rng, v6_share: f64) -> u32 {
        let h = self.households.len() as u32;
        if rng.chance(v6_share) {
            let p = HOME_V6[rng.index(HOME_V6.len())];
            let x = rng.u64();
            let y = rng.u64();
            return self.add_ip(IpAddr::V6(Ipv6Addr::new(
                p[0],
                p[1],
                (x >> 48) as u16,
                (x >> 32) as u16,
                (y >> 48) as u16,
                (y >> 32) as u16,
                (y >> 16) as u16,
                y as u16,
            )));
        }
        let blocks = HOME_V4.len() as u32;
        let b = HOME_V4[(h % blocks) as usize];
        // Households take hosts from the bottom half of a keyed permutation of each /16,
        // proxies from the top half, so they never collide by chance.
        let host = spread16(((h / blocks) % 32_768) as u16, 0x5bd1 ^ (h % blocks) as u16);
        self.add_ip(IpAddr::V4(Ipv4Addr::new(
            b[0],
            b[1],
            (host >> 8) as u8,
            host as u8,
        )))
    }

    /// A residential proxy exit address (a home range, never a simulated household's).
    pub(crate) fn proxy_ip(&mut self) -> u32 {
        let k = self.proxy_next;
        self.proxy_next += 1;
        let blocks = HOME_V4.len() as u32;
        let b = HOME_V4[((k * 7 + 3) % blocks) as usize];
        let host = spread16(
            32_768 + ((k / blocks) % 32_768) as u16,
            0x5bd1 ^ ((k * 7 + 3) % blocks) as u16,
        );
        self.add_ip(IpAddr::V4(Ipv4Addr::new(
            b[0],
            b[1],
            (host >> 8) as u8,
            host as u8,
        )))
    }

    /// A fresh datacenter /24 (three octets), distinct from those handed out before.
    pub(crate) fn dc_subnet(&mut self, rng: &mut Rng) -> [u8; 3] {
        let k = self.dc_next;
        self.dc_next += 1;
        let b = catalog::DATACENTER_V4[(k as usize) % catalog::DATACENTER_V4.len()];
        let third = ((k / catalog::DATACENTER_V4.len() as u32) * 37 + rng.below(37)) % 256;
        [b[0], b[1], third as u8]
    }

    /// `n` addresses in the /24 `net`, hosts from `lo..=hi`.
    pub(crate) fn subnet_ips(
        &mut self,
        rng: &mut Rng,
        net: [u8; 3],
        n: u32,
        lo: u8,
        hi: u8,
    ) -> Vec<u32> {
        let hosts = rng.sample_distinct((hi - lo) as usize + 1, n as usize);
        hosts
            .into_iter()
            .map(|h| {
                self.add_ip(IpAddr::V4(Ipv4Addr::new(
                    net[0],
                    net[1],
                    net[2],
                    lo + h as u8,
                )))
            })
            .collect()
    }

    fn new_device_id(&mut self, _rng: &mut Rng) -> u32 {
        let d = self.devices.id.len() as u32;
        let id = self.device_code(d);
        let mut s = String::with_capacity(16);
        crate::rng::push_hex(&mut s, id, 16);
        self.devices.ids.push(&s);
        self.devices.id.push(id);
        d
    }

    /// A real device of catalogue model `m` (builds weighted toward the newest).
    pub(crate) fn add_real_device(&mut self, rng: &mut Rng, m: usize, honest: bool) -> u32 {
        let model = &MODELS[m];
        let nb = model.builds.len();
        let bi = if nb == 1 {
            0
        } else if rng.chance(0.65) {
            nb - 1
        } else {
            rng.index(nb)
        };
        let b = &model.builds[bi];
        let att = if !honest {
            Attestation::Pass
        } else {
            match rng.below(1000) {
                0..=7 => Attestation::Fail,
                8..=11 => Attestation::None,
                _ => Attestation::Pass,
            }
        };
        let versions = if model.android {
            ANDROID_VERSIONS
        } else {
            IOS_VERSIONS
        };
        let vi = rng.weighted(&versions.iter().map(|v| v.1).collect::<Vec<_>>());
        let client = if model.android {
            vi
        } else {
            ANDROID_VERSIONS.len() + vi
        } as u16;
        let (os, fp) = (model.os(b), model.fingerprint(b));
        self.add_device(
            rng,
            model.model,
            &os,
            &fp,
            model.screen,
            att,
            client,
            model.tablet,
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_device(
        &mut self,
        rng: &mut Rng,
        model: &str,
        os: &str,
        build: &str,
        screen: (u16, u16),
        att: Attestation,
        client: u16,
        tablet: bool,
    ) -> u32 {
        let d = self.new_device_id(rng);
        let dv = &mut self.devices;
        let (m, o, b) = (
            dv.strings.intern(model),
            dv.strings.intern(os),
            dv.strings.intern(build),
        );
        dv.model.push(m);
        dv.os.push(o);
        dv.build.push(b);
        dv.screen.push(screen);
        dv.attestation.push(att);
        dv.client.push(client);
        dv.tablet.push(tablet);
        d
    }

    /// Another device id with exactly the fingerprint of device `d` (model, OS, build,
    /// screen, attestation, client).
    pub(crate) fn clone_device(&mut self, rng: &mut Rng, d: u32) -> u32 {
        let n = self.new_device_id(rng);
        let dv = &mut self.devices;
        let i = d as usize;
        dv.model.push(dv.model[i]);
        dv.os.push(dv.os[i]);
        dv.build.push(dv.build[i]);
        dv.screen.push(dv.screen[i]);
        dv.attestation.push(dv.attestation[i]);
        dv.client.push(dv.client[i]);
        dv.tablet.push(dv.tablet[i]);
        n
    }

    /// Adds a client string (e.g. `api:<app>`) and returns its index.
    pub(crate) fn add_client(&mut self, s: &str) -> u16 {
        if let Some(i) = self.clients.iter().position(|c| c == s) {
            return i as u16;
        }
        self.clients.push(s.to_string());
        (self.clients.len() - 1) as u16
    }

    fn build_follows(&mut self, cfg: &Config) {
        let o = &cfg.organic;
        let n = self.n_organic as usize;
        const CHUNK: usize = 4096;
        let lists: Vec<(Vec<u32>, Vec<u32>)> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|chunk| {
                let mut rng = Rng::stream(self.seed, tag::FOLLOWS, chunk as u64);
                let mut off = Vec::with_capacity(CHUNK);
                let mut out = Vec::new();
                let mut mine = Vec::new();
                for a in chunk * CHUNK..((chunk + 1) * CHUNK).min(n) {
                    mine.clear();
                    let dormant = self.rate[a] < 0.1;
                    let median = if dormant {
                        o.follows_median * 0.3
                    } else {
                        o.follows_median
                    };
                    let k =
                        (rng.lognormal(median.max(1.0).ln(), 0.9).round() as usize).clamp(1, 3000);
                    // Household members follow each other.
                    let h = self.household[a];
                    if h != NONE && self.households[h as usize].size >= 2 {
                        for b in a.saturating_sub(12)..(a + 12).min(n) {
                            if b != a && self.household[b] == h {
                                mine.push(b as u32);
                            }
                        }
                    }
                    let [c1, c2] = self.comm[a];
                    for _ in 0..k {
                        let r = rng.f64();
                        let c = if rng.chance(0.7) { c1 } else { c2 } as usize;
                        let t = if r < 0.45 {
                            let (v, cdf) = &self.comm_creators[c];
                            if cdf.is_empty() {
                                continue;
                            } else {
                                v[cdf.sample(&mut rng)]
                            }
                        } else if r < 0.55 {
                            if self.creators.1.is_empty() {
                                continue;
                            } else {
                                self.creators.0[self.creators.1.sample(&mut rng)]
                            }
                        } else {
                            let v = &self.comm_people[c];
                            if v.is_empty() { continue } else { *rng.pick(v) }
                        };
                        if t as usize != a {
                            mine.push(t);
                        }
                    }
                    mine.sort_unstable();
                    mine.dedup();
                    off.push(mine.len() as u32);
                    out.extend_from_slice(&mine);
                }
                (off, out)
            })
            .collect();
        self.fol_off = Vec::with_capacity(n + 1);
        self.fol_off.push(0);
        let mut total = 0u32;
        for (off, out) in lists {
            for k in off {
                total += k;
                self.fol_off.push(total);
            }
            self.fol.extend_from_slice(&out);
        }
    }

    /// Accounts `a` follows (organic accounts only).
    #[inline]
    pub(crate) fn follows(&self, a: u32) -> &[u32] {
        let a = a as usize;
        if a + 1 >= self.fol_off.len() {
            return &[];
        }
        &self.fol[self.fol_off[a] as usize..self.fol_off[a + 1] as usize]
    }

    /// A local time of day for account `a` (ms after local midnight) from the daily rhythm.
    #[inline]
    pub(crate) fn local_time(&self, rng: &mut Rng, hourly: &Cdf, a: u32) -> i64 {
        let h = hourly.sample(rng) as i64;
        let t = h * HOUR + rng.range_i64(0, HOUR) + self.chrono[a as usize] as i64 * MIN;
        t.rem_euclid(DAY)
    }

    /// The hour (0–23) account `a`'s own daily rhythm places UTC time `t` in.
    #[inline]
    pub(crate) fn local_hour(&self, a: u32, t: i64) -> usize {
        let ai = a as usize;
        let local = t + (self.tz[ai] as i64 - self.chrono[ai] as i64) * MIN;
        (local.rem_euclid(DAY) / HOUR) as usize
    }

    /// The UTC time in UTC day `[t0, t0 + DAY)` at which account `a`'s clock shows `local`.
    #[inline]
    pub(crate) fn utc_in_day(&self, t0: i64, local: i64, a: u32) -> i64 {
        let t = local - self.tz[a as usize] as i64 * MIN;
        t0 + t.rem_euclid(DAY)
    }

    fn build_posts(&mut self, cfg: &Config) {
        let o = &cfg.organic;
        let n = self.n_organic as usize;
        let hourly = Cdf::new(HOURLY);
        let from = self.start - 3 * DAY;
        let span_days = (self.end - from) as f64 / DAY as f64;
        const CHUNK: usize = 4096;
        // (created, owner, comm, appeal, live)
        type P = (i64, u32, u8, f32, u16);
        let mut all: Vec<P> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .flat_map_iter(|chunk| {
                let mut rng = Rng::stream(self.seed, tag::POSTS, chunk as u64);
                let mut out = Vec::new();
                for a in chunk * CHUNK..((chunk + 1) * CHUNK).min(n) {
                    let rate = match self.kind[a] {
                        Kind::Creator => o.creator_posts_per_day * rng.lognormal(-0.2, 0.6),
                        Kind::Page => o.page_posts_per_day * rng.lognormal(-0.1, 0.4),
                        _ => {
                            let act = (self.rate[a] as f64 / o.mean_actions_per_day).min(4.0);
                            o.person_posts_per_day * act * rng.lognormal(-0.5, 1.0)
                        }
                    };
                    let k = rng.poisson(rate * span_days);
                    for _ in 0..k {
                        let day = rng.below(span_days.ceil() as u32) as i64;
                        let local = self.local_time(&mut rng, &hourly, a as u32);
                        let t = self.utc_in_day(from + day * DAY, local, a as u32);
                        if t < self.created[a] || t >= self.end {
                            continue;
                        }
                        let base = self.popularity[a] as f64 + 0.05;
                        let appeal = (base * rng.lognormal(0.0, 0.7)) as f32;
                        let comm = if rng.chance(0.85) {
                            self.comm[a][0]
                        } else {
                            self.comm[a][1]
                        };
                        out.push((t, a as u32, comm, appeal, 0));
                    }
                }
                out
            })
            .collect();
        // Live broadcasts: a creator posts a run of posts in an evening.
        let mut rng = Rng::stream(self.seed, tag::SPECIAL, 1);
        let n_live = (o.live_events_per_week * self.days as f64 / 7.0).round() as usize;
        if !self.creators.1.is_empty() {
            for l in 0..n_live {
                let c = self.creators.0[self.creators.1.sample(&mut rng)];
                let day = rng.below(self.days) as i64;
                let local = 19 * HOUR + rng.range_i64(0, 3 * HOUR);
                let t0 = self.utc_in_day(self.start + day * DAY, local, c);
                let k = rng.range_u32(o.live_posts[0], o.live_posts[1]).max(1);
                let mut t = t0;
                let appeal = (self.popularity[c as usize] as f64 + 0.05) as f32;
                for _ in 0..k {
                    if t >= self.end {
                        break;
                    }
                    out_push(
                        &mut all,
                        (t, c, self.comm[c as usize][0], appeal, l as u16 + 1),
                    );
                    t += rng.range_i64(6 * MIN, 15 * MIN);
                }
                self.lives.push((c, t0));
            }
        }
        all.sort_by_key(|p| (p.0, p.1));
        let scramble = self.post_scramble;
        let p = &mut self.posts;
        p.ids = FixedStr::new(9);
        let mut s = String::with_capacity(9);
        for (i, &(t, a, c, ap, live)) in all.iter().enumerate() {
            p.created.push(t);
            p.owner.push(a);
            p.comm.push(c);
            p.appeal.push(ap);
            p.live.push(live);
            s.clear();
            s.push('p');
            crate::rng::push_base36(&mut s, scramble.apply(i as u64), 8);
            p.ids.push(&s);
        }
        // Per-owner index (counting sort keeps creation order).
        let mut cnt = vec![0u32; n + 1];
        for &a in &p.owner {
            cnt[a as usize + 1] += 1;
        }
        for i in 0..n {
            cnt[i + 1] += cnt[i];
        }
        p.by_owner_off = cnt.clone();
        p.by_owner = vec![0; p.owner.len()];
        for (i, &a) in p.owner.iter().enumerate() {
            p.by_owner[cnt[a as usize] as usize] = i as u32;
            cnt[a as usize] += 1;
        }
        p.by_owner_created = p.by_owner.iter().map(|&i| p.created[i as usize]).collect();
        // Popular: the top 5 % by appeal.
        if !p.appeal.is_empty() {
            let mut ap: Vec<f32> = p.appeal.clone();
            let k = ap.len() * 95 / 100;
            let kk = k.min(ap.len() - 1);
            let (_, th, _) = ap.select_nth_unstable_by(kk, |a, b| a.total_cmp(b));
            let th = *th;
            p.popular = (0..p.len() as u32)
                .filter(|&i| p.appeal[i as usize] >= th)
                .collect();
        }
    }
}

fn out_push<T>(v: &mut Vec<T>, x: T) {
    v.push(x);
}

/// A keyed bijection on `u16` (odd multiply, xor, rotate): spreads sequential host numbers.
#[inline]
pub(crate) fn spread16(x: u16, key: u16) -> u16 {
    let y = x.wrapping_mul(0x9E37 | 1) ^ key;
    y.rotate_left(7).wrapping_mul(0x2F4B | 1)
}
