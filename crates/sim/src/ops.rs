//! The planted operations: each scenario adds its accounts, devices and addresses to the
//! world and its events to the shared buffer, and records what it did for the truth files.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use lockstep_core::{Attestation, action};

use crate::catalog::{
    EMULATOR_BUILDS, EMULATOR_CLAIMS, EMULATOR_SCREENS, HOURLY, MODELS, TIME_ZONES,
};
use crate::config::{Config, HarvestVia};
use crate::events::{Buf, Ctx, NONE, tk};
use crate::rng::{Cdf, Rng, tag};
use crate::time::{DAY, HOUR, MIN, SEC};
use crate::world::{Kind, Label, World, client};

/// One planted operation, as indices into the world.
#[derive(Debug, Clone)]
pub(crate) struct Op {
    pub(crate) id: String,
    pub(crate) scenario: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) returns_from: Option<usize>,
    pub(crate) accounts: Vec<u32>,
    pub(crate) customers: Vec<u32>,
    pub(crate) victims: Vec<u32>,
    pub(crate) active_from: i64,
    pub(crate) active_until: i64,
    pub(crate) banned_at: Option<i64>,
    /// Infrastructure, for world.json: /24s, client app, device fingerprints.
    pub(crate) subnets: Vec<[u8; 3]>,
    pub(crate) client: Option<String>,
}

/// The kind (CONTRACT §2) of each scenario's operations.
pub(crate) fn kind_of(scenario: &str) -> &'static str {
    match scenario {
        "like-farm" | "aged-farm" | "ban-evasion" => "like-farm",
        "emulator-botnet" | "drip-followers" => "follower-vendor",
        "comment-farm" => "comment-farm",
        "vendor-app" => "vendor-app",
        _ => "scraping",
    }
}

/// How a fleet of accounts reaches the platform.
#[derive(Debug, Clone, Default)]
struct Fleet {
    accounts: Vec<u32>,
    /// Devices per account (empty: API access, no device).
    dev: Vec<Vec<u32>>,
    /// Own (datacenter or vendor) addresses.
    own: Vec<u32>,
    /// Residential proxy exits.
    proxies: Vec<u32>,
    proxy_share: f64,
    /// A proxy is kept by an account for a whole day.
    sticky: bool,
    /// Client override (an API app, the bots' app version).
    client: Option<u16>,
}

impl Fleet {
    fn ctx(&self, w: &World, rng: &mut Rng, i: usize, t: i64) -> Ctx {
        let devs = &self.dev[i];
        let device = if devs.is_empty() {
            NONE
        } else {
            *rng.pick(devs)
        };
        let ip =
            if !self.proxies.is_empty() && (self.own.is_empty() || rng.chance(self.proxy_share)) {
                if self.sticky {
                    let k = crate::rng::mix64((i as u64) << 20 ^ (t / DAY) as u64);
                    self.proxies[(k % self.proxies.len() as u64) as usize]
                } else {
                    *rng.pick(&self.proxies)
                }
            } else {
                *rng.pick(&self.own)
            };
        let client = self.client.unwrap_or_else(|| {
            if device == NONE {
                client::WEB
            } else {
                w.devices.client[device as usize]
            }
        });
        Ctx { ip, device, client }
    }
}

/// Shared state between scenarios (so `data-harvest` can ride on the botnet or the app).
#[derive(Default)]
struct Shared {
    emu_templates: Vec<u32>,
    emu_ips: Vec<u32>,
    emu_net: Option<[u8; 3]>,
    app_client: Option<u16>,
    app_ips: Vec<u32>,
    app_nets: Vec<[u8; 3]>,
    /// Organic accounts already used as customers or compromised.
    used: Vec<bool>,
    customer_cands: Vec<u32>,
}

/// Plants `scenarios` into the world; returns the operations.
pub(crate) fn plan(
    w: &mut World,
    cfg: &Config,
    scenarios: &[&'static str],
    buf: &mut Buf,
) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut sh = Shared {
        used: vec![false; w.n_organic as usize],
        ..Shared::default()
    };
    // Customers: organic accounts with a few posts in the window, not the celebrities.
    let top: Vec<u32> = w
        .creators
        .0
        .iter()
        .copied()
        .filter(|&a| w.popularity[a as usize] > 40.0)
        .collect();
    sh.customer_cands = (0..w.n_organic)
        .filter(|&a| {
            let ps = w.posts.of(a);
            ps.iter()
                .filter(|&&p| w.posts.created[p as usize] >= w.start)
                .count()
                >= 3
                && !top.contains(&a)
        })
        .collect();
    for (k, &s) in scenarios.iter().enumerate() {
        let mut rng = Rng::stream(w.seed, tag::OPS, k as u64 + 1);
        match s {
            "like-farm" => like_farm(w, cfg, &mut rng, buf, &mut ops, &mut sh),
            "aged-farm" => aged_farm(w, cfg, &mut rng, buf, &mut ops, &mut sh),
            "emulator-botnet" => emulator_botnet(w, cfg, &mut rng, buf, &mut ops, &mut sh),
            "vendor-app" => vendor_app(w, cfg, &mut rng, buf, &mut ops, &mut sh),
            "comment-farm" => comment_farm(w, cfg, &mut rng, buf, &mut ops, &mut sh),
            "drip-followers" => drip_followers(w, cfg, &mut rng, buf, &mut ops, &mut sh),
            "data-harvest" => data_harvest(w, cfg, &mut rng, buf, &mut ops, &mut sh),
            "ban-evasion" => ban_evasion(w, cfg, &mut rng, buf, &mut ops, &mut sh),
            _ => {}
        }
    }
    ops
}

fn new_op(w: &World, scenario: &'static str, n: usize, from: i64, until: i64) -> Op {
    Op {
        id: format!("op-{scenario}-{n}"),
        scenario,
        kind: kind_of(scenario),
        returns_from: None,
        accounts: Vec::new(),
        customers: Vec::new(),
        victims: Vec::new(),
        active_from: from.max(w.start),
        active_until: until.min(w.end),
        banned_at: None,
        subnets: Vec::new(),
        client: None,
    }
}

fn pick_customers(w: &World, rng: &mut Rng, sh: &mut Shared, k: u32) -> Vec<u32> {
    let free: Vec<u32> = sh
        .customer_cands
        .iter()
        .copied()
        .filter(|&a| !sh.used[a as usize])
        .collect();
    let mut out: Vec<u32> = rng
        .sample_distinct(free.len(), k as usize)
        .into_iter()
        .map(|i| free[i as usize])
        .collect();
    out.sort_unstable_by_key(|&a| w.code[a as usize]);
    for &a in &out {
        sh.used[a as usize] = true;
    }
    out
}

/// Posts of `customers` created in `[lo, hi)`.
fn customer_posts(w: &World, customers: &[u32], lo: i64, hi: i64) -> Vec<u32> {
    let mut v: Vec<u32> = customers
        .iter()
        .flat_map(|&c| w.posts.of(c).iter().copied())
        .filter(|&p| (lo..hi).contains(&w.posts.created[p as usize]))
        .collect();
    v.sort_unstable();
    v
}

/// A farm account (not organic): random zone, no organic activity.
fn farm_account(
    w: &mut World,
    rng: &mut Rng,
    created: i64,
    style: u8,
    op: u16,
    label: Label,
) -> u32 {
    let tz_cdf = Cdf::new(TIME_ZONES.iter().map(|t| t.1));
    let tz = TIME_ZONES[tz_cdf.sample(rng)].0 as i16;
    let c = [
        rng.below(w.communities) as u8,
        rng.below(w.communities) as u8,
    ];
    let a = w.push_account(
        Kind::Farm,
        created,
        tz,
        rng.range_u32(0, 120) as i16 - 60,
        0.0,
        c,
        0,
        label,
    );
    w.op[a as usize] = op;
    w.style[a as usize] = style;
    a
}

/// The vendor's working hours (UTC hour weights): a 14-hour shift at a random hour.
fn vendor_hours(rng: &mut Rng) -> [f64; 24] {
    let s = rng.below(24) as usize;
    let mut h = [0.05; 24];
    for k in 0..14 {
        h[(s + k) % 24] = 1.0;
    }
    h
}

/// When an order on post `p` starts: some time after the post appears, in working hours,
/// leaving `window` to deliver before `until`.
fn order_start(
    w: &World,
    rng: &mut Rng,
    hours: &[f64; 24],
    p: u32,
    from: i64,
    until: i64,
    window: i64,
) -> Option<i64> {
    let earliest = (w.posts.created[p as usize] + rng.range_i64(5 * MIN, 3 * HOUR)).max(from);
    for _ in 0..20 {
        let t = earliest + rng.range_i64(0, DAY);
        let h = (t.rem_euclid(DAY) / HOUR) as usize;
        if t + window < until && rng.chance(hours[h]) {
            return Some(t);
        }
    }
    None
}

/// Delivers one order: each of `who` (fleet indices) acts once within `[t, t + window)`.
#[allow(clippy::too_many_arguments)]
fn deliver(
    w: &World,
    rng: &mut Rng,
    buf: &mut Buf,
    fleet: &Fleet,
    who: &[u32],
    t: i64,
    window: i64,
    act: u8,
    tkind: u8,
    target: u32,
    owner: u32,
    op: u16,
    spun: bool,
) -> u64 {
    let mut n = 0;
    for &i in who {
        let ts = t + rng.range_i64(0, window.max(1)) + rng.range_i64(0, 3 * SEC);
        let a = fleet.accounts[i as usize];
        if w.created[a as usize] > ts {
            continue;
        }
        let ctx = fleet.ctx(w, rng, i as usize, ts);
        let text = if spun { buf.texts.spun(rng) } else { NONE };
        buf.push(ts, a, act, tkind, target, owner, text, ctx, op);
        n += 1;
    }
    n
}

/// Camouflage: `count` likes of popular posts (and follows of popular accounts when
/// `follows`), in human hours when `human`.
#[allow(clippy::too_many_arguments)]
fn camouflage(
    w: &World,
    rng: &mut Rng,
    buf: &mut Buf,
    fleet: &Fleet,
    count: u64,
    from: i64,
    until: i64,
    human: bool,
    follows: bool,
    op: u16,
) {
    if fleet.accounts.is_empty() || until <= from {
        return;
    }
    let hourly = Cdf::new(HOURLY);
    let days = ((until - from) / DAY).max(1) as u32;
    for _ in 0..count {
        let i = rng.index(fleet.accounts.len());
        let a = fleet.accounts[i];
        let t = if human {
            let local = w.local_time(rng, &hourly, a);
            w.utc_in_day(
                from - from.rem_euclid(DAY) + rng.below(days + 1) as i64 * DAY,
                local,
                a,
            )
        } else {
            rng.range_i64(from, until)
        };
        if t < from || t >= until || t < w.created[a as usize] + HOUR {
            continue;
        }
        let ctx = fleet.ctx(w, rng, i, t);
        if follows && rng.chance(0.5) && !w.creators.1.is_empty() {
            let c = w.creators.0[w.creators.1.sample(rng)];
            buf.push(t, a, action::FOLLOW, tk::ACCOUNT, c, c, NONE, ctx, op);
        } else if let Some(p) = w.posts.popular_at(rng, t, 36 * HOUR) {
            buf.push(
                t,
                a,
                action::LIKE,
                tk::POST,
                p,
                w.posts.owner[p as usize],
                NONE,
                ctx,
                op,
            );
        }
    }
}

/// Phone-farm devices: real models (attestation passes), `per` accounts on each.
fn phone_farm(w: &mut World, rng: &mut Rng, accounts: usize, per: u32) -> Vec<Vec<u32>> {
    let cdf = Cdf::new(MODELS.iter().map(|m| {
        if m.tablet || !m.android {
            0.0
        } else {
            m.weight
        }
    }));
    let mut devs = Vec::new();
    let mut out = Vec::with_capacity(accounts);
    for i in 0..accounts {
        if i % per as usize == 0 {
            let m = cdf.sample(rng);
            devs.push(w.add_real_device(rng, m, false));
        }
        out.push(vec![*devs.last().expect("one device")]);
    }
    out
}

/// One real device per account (bought accounts come with a phone each).
fn own_phones(w: &mut World, rng: &mut Rng, accounts: usize) -> Vec<Vec<u32>> {
    let cdf = Cdf::new(MODELS.iter().map(|m| if m.tablet { 0.0 } else { m.weight }));
    (0..accounts)
        .map(|_| {
            let m = cdf.sample(rng);
            vec![w.add_real_device(rng, m, false)]
        })
        .collect()
}

/// A like-selling operation's orders over `[from, until)`: returns paid events.
#[allow(clippy::too_many_arguments)]
fn like_orders(
    w: &World,
    rng: &mut Rng,
    buf: &mut Buf,
    fleet: &Fleet,
    shards: &[std::ops::Range<usize>],
    posts: &[u32],
    per_day: f64,
    size: [u32; 2],
    window_ms: [i64; 2],
    hours: &[f64; 24],
    from: i64,
    until: i64,
    op: u16,
    spun: bool,
) -> u64 {
    if posts.is_empty() || fleet.accounts.is_empty() || until <= from {
        return 0;
    }
    let days = (until - from) as f64 / DAY as f64;
    let n_orders = n_orders(rng, per_day * days);
    let mut paid = 0;
    for _ in 0..n_orders {
        let p = *rng.pick(posts);
        let window = rng.range_i64(window_ms[0], window_ms[1].max(window_ms[0] + 1));
        let Some(t) = order_start(w, rng, hours, p, from, until, window) else {
            continue;
        };
        // Accounts available at `t`, from one shard (or all when the order is too big).
        let shard = &shards[rng.index(shards.len())];
        let n = rng.range_u32(size[0], size[1]) as usize;
        let mut pool: Vec<u32> = if n <= shard.len() {
            shard.clone().map(|i| i as u32).collect()
        } else {
            (0..fleet.accounts.len() as u32).collect()
        };
        pool.retain(|&i| w.created[fleet.accounts[i as usize] as usize] + HOUR < t);
        if pool.is_empty() {
            continue;
        }
        let who: Vec<u32> = rng
            .sample_distinct(pool.len(), n)
            .into_iter()
            .map(|k| pool[k as usize])
            .collect();
        let act = if spun { action::COMMENT } else { action::LIKE };
        paid += deliver(
            w,
            rng,
            buf,
            fleet,
            &who,
            t,
            window,
            act,
            tk::POST,
            p,
            w.posts.owner[p as usize],
            op,
            spun,
        );
    }
    paid
}

/// Orders in a span: Poisson around the rate, but at least two, so that a planted operation
/// always has deliveries to find, however small the world.
fn n_orders(rng: &mut Rng, expected: f64) -> u32 {
    if expected <= 0.0 {
        0
    } else {
        rng.poisson(expected).max(2)
    }
}

fn minutes(r: [f64; 2]) -> [i64; 2] {
    [(r[0] * MIN as f64) as i64, (r[1] * MIN as f64) as i64]
}

fn like_farm(
    w: &mut World,
    cfg: &Config,
    rng: &mut Rng,
    buf: &mut Buf,
    ops: &mut Vec<Op>,
    sh: &mut Shared,
) {
    let c = &cfg.like_farm;
    let opi = ops.len() as u16;
    let mut op = new_op(w, "like-farm", 1, w.start, w.end);
    let n = cfg.scaled(c.accounts, 600.0, 20) as usize;
    op.customers = pick_customers(w, rng, sh, cfg.scaled(c.customers, 12.0, 2));
    for _ in 0..c.subnets {
        op.subnets.push(w.dc_subnet(rng));
    }
    let mut fleet = Fleet::default();
    for net in op.subnets.clone() {
        fleet.own.extend(w.subnet_ips(rng, net, 60, 2, 254));
    }
    for _ in 0..n {
        let created = w.start
            - rng.range_u32(c.created_days_before[0], c.created_days_before[1]) as i64 * DAY
            - rng.range_i64(0, DAY);
        fleet
            .accounts
            .push(farm_account(w, rng, created, 1, opi, Label::Fake));
    }
    fleet.dev = phone_farm(w, rng, n, c.accounts_per_device);
    let shards = split(n, c.shards as usize);
    let posts = customer_posts(w, &op.customers, w.start - DAY, w.end);
    let hours = vendor_hours(rng);
    let paid = like_orders(
        w,
        rng,
        buf,
        &fleet,
        &shards,
        &posts,
        c.orders_per_day * cfg.world_scale(),
        c.order_size,
        minutes(c.delivery_minutes),
        &hours,
        w.start,
        w.end,
        opi,
        false,
    );
    camouflage(
        w,
        rng,
        buf,
        &fleet,
        (paid as f64 * c.camouflage).round() as u64,
        w.start,
        w.end,
        false,
        false,
        opi,
    );
    op.accounts = fleet.accounts;
    ops.push(op);
}

fn split(n: usize, k: usize) -> Vec<std::ops::Range<usize>> {
    let k = k.clamp(1, n.max(1));
    (0..k).map(|s| s * n / k..(s + 1) * n / k).collect()
}

fn aged_farm(
    w: &mut World,
    cfg: &Config,
    rng: &mut Rng,
    buf: &mut Buf,
    ops: &mut Vec<Op>,
    sh: &mut Shared,
) {
    let c = &cfg.aged_farm;
    let opi = ops.len() as u16;
    let mut op = new_op(w, "aged-farm", 1, w.start, w.end);
    let n = cfg.scaled(c.accounts, 400.0, 20) as usize;
    op.customers = pick_customers(w, rng, sh, cfg.scaled(c.customers, 10.0, 2));
    let net = w.dc_subnet(rng);
    op.subnets.push(net);
    let mut fleet = Fleet {
        own: w.subnet_ips(rng, net, 30, 2, 254),
        proxy_share: c.proxy_share,
        ..Fleet::default()
    };
    fleet.proxies = (0..c.proxy_pool).map(|_| w.proxy_ip()).collect();
    for _ in 0..n {
        let years = rng.range_f64(c.age_years[0], c.age_years[1]);
        let created = w.start - (years * 365.25 * DAY as f64) as i64;
        fleet
            .accounts
            .push(farm_account(w, rng, created, 2, opi, Label::Fake));
    }
    fleet.dev = own_phones(w, rng, n);
    let posts = customer_posts(w, &op.customers, w.start - DAY, w.end);
    let hours = vendor_hours(rng);
    let win = [
        (c.delivery_hours[0] * HOUR as f64) as i64,
        (c.delivery_hours[1] * HOUR as f64) as i64,
    ];
    let paid = like_orders(
        w,
        rng,
        buf,
        &fleet,
        &split(n, 1),
        &posts,
        c.orders_per_day * cfg.world_scale(),
        c.order_size,
        win,
        &hours,
        w.start,
        w.end,
        opi,
        false,
    );
    camouflage(
        w,
        rng,
        buf,
        &fleet,
        (paid as f64 * c.camouflage).round() as u64,
        w.start,
        w.end,
        true,
        false,
        opi,
    );
    op.accounts = fleet.accounts;
    ops.push(op);
}

/// Emulator device templates: claimed model, a build that does not fit it, a screen it never
/// had, failed or missing attestation.
fn emulator_templates(w: &mut World, rng: &mut Rng, k: u32, fail_share: f64) -> Vec<u32> {
    (0..k)
        .map(|i| {
            let claim = EMULATOR_CLAIMS[i as usize % EMULATOR_CLAIMS.len()];
            let (os, build) = EMULATOR_BUILDS[rng.index(EMULATOR_BUILDS.len())];
            let screen = EMULATOR_SCREENS[rng.index(EMULATOR_SCREENS.len())];
            let att = if rng.chance(fail_share) {
                Attestation::Fail
            } else {
                Attestation::None
            };
            w.add_device(rng, claim, os, build, screen, att, client::BOT, false)
        })
        .collect()
}

fn emulator_botnet(
    w: &mut World,
    cfg: &Config,
    rng: &mut Rng,
    buf: &mut Buf,
    ops: &mut Vec<Op>,
    sh: &mut Shared,
) {
    let c = &cfg.emulator_botnet;
    let opi = ops.len() as u16;
    let mut op = new_op(w, "emulator-botnet", 1, w.start, w.end);
    let n = cfg.scaled(c.accounts, 800.0, 20) as usize;
    op.customers = pick_customers(w, rng, sh, cfg.scaled(c.customers, 15.0, 2));
    let net = w.dc_subnet(rng);
    op.subnets.push(net);
    op.client = Some(w.clients[client::BOT as usize].clone());
    let templates = emulator_templates(w, rng, c.fingerprints, c.attestation_fail_share);
    let mut fleet = Fleet {
        own: w.subnet_ips(rng, net, c.datacenter_ips.min(250), 2, 254),
        client: Some(client::BOT),
        ..Fleet::default()
    };
    for _ in 0..n {
        let created = w.start - rng.range_i64(5 * DAY, 60 * DAY);
        let a = farm_account(w, rng, created, 3, opi, Label::Fake);
        fleet.accounts.push(a);
        // Device ids rotate: several per account, each a copy of one of the templates.
        let k = rng
            .range_u32(c.device_ids_per_account[0], c.device_ids_per_account[1])
            .max(1);
        let main = *rng.pick(&templates);
        let devs = (0..k)
            .map(|_| {
                let tpl = if rng.chance(0.8) {
                    main
                } else {
                    *rng.pick(&templates)
                };
                w.clone_device(rng, tpl)
            })
            .collect();
        fleet.dev.push(devs);
    }
    sh.emu_templates = templates;
    sh.emu_ips = fleet.own.clone();
    sh.emu_net = Some(net);
    let hours = vendor_hours(rng);
    let win = minutes(c.delivery_minutes);
    let days = (w.end - w.start) as f64 / DAY as f64;
    let posts = customer_posts(w, &op.customers, w.start - DAY, w.end);
    let mut paid = 0;
    for _ in 0..n_orders(rng, c.orders_per_day * cfg.world_scale() * days) {
        let size = rng.range_u32(c.order_size[0], c.order_size[1]) as usize;
        let window = rng.range_i64(win[0], win[1].max(win[0] + 1));
        let who: Vec<u32> = rng.sample_distinct(n, size);
        if rng.chance(c.like_share) && !posts.is_empty() {
            let p = *rng.pick(&posts);
            let Some(t) = order_start(w, rng, &hours, p, w.start, w.end, window) else {
                continue;
            };
            paid += deliver(
                w,
                rng,
                buf,
                &fleet,
                &who,
                t,
                window,
                action::LIKE,
                tk::POST,
                p,
                w.posts.owner[p as usize],
                opi,
                false,
            );
        } else if !op.customers.is_empty() {
            let cust = *rng.pick(&op.customers);
            let mut t = rng.range_i64(w.start, w.end - window);
            for _ in 0..20 {
                if rng.chance(hours[(t.rem_euclid(DAY) / HOUR) as usize]) {
                    break;
                }
                t = rng.range_i64(w.start, w.end - window);
            }
            paid += deliver(
                w,
                rng,
                buf,
                &fleet,
                &who,
                t,
                window,
                action::FOLLOW,
                tk::ACCOUNT,
                cust,
                cust,
                opi,
                false,
            );
        }
    }
    camouflage(
        w,
        rng,
        buf,
        &fleet,
        (paid as f64 * c.camouflage).round() as u64,
        w.start,
        w.end,
        false,
        true,
        opi,
    );
    op.accounts = fleet.accounts;
    ops.push(op);
}

/// Real, active organic people not yet used by another operation.
fn pick_victim_accounts(
    w: &World,
    rng: &mut Rng,
    sh: &mut Shared,
    k: usize,
    before: i64,
) -> Vec<u32> {
    let cands: Vec<u32> = (0..w.n_organic)
        .filter(|&a| {
            let ai = a as usize;
            w.kind[ai] == Kind::Person
                && !sh.used[ai]
                && w.rate[ai] >= 1.0
                && w.created[ai] < before
                && w.label[ai] == Label::Organic
        })
        .collect();
    let mut out: Vec<u32> = rng
        .sample_distinct(cands.len(), k)
        .into_iter()
        .map(|i| cands[i as usize])
        .collect();
    out.sort_unstable_by_key(|&a| w.code[a as usize]);
    for &a in &out {
        sh.used[a as usize] = true;
    }
    out
}

fn vendor_infra(w: &mut World, rng: &mut Rng, sh: &mut Shared, app_id: &str, ips: u32) {
    if sh.app_client.is_some() {
        return;
    }
    sh.app_client = Some(w.add_client(&format!("api:{app_id}")));
    for k in 0..2 {
        let net = w.dc_subnet(rng);
        sh.app_nets.push(net);
        let m = ips / 2 + if k == 0 { ips % 2 } else { 0 };
        let v = w.subnet_ips(rng, net, m.clamp(1, 250), 2, 254);
        sh.app_ips.extend(v);
    }
}

fn vendor_app(
    w: &mut World,
    cfg: &Config,
    rng: &mut Rng,
    buf: &mut Buf,
    ops: &mut Vec<Op>,
    sh: &mut Shared,
) {
    let c = &cfg.vendor_app;
    let opi = ops.len() as u16;
    let from = w.start + (c.start_day * DAY as f64) as i64;
    let mut op = new_op(w, "vendor-app", 1, from, w.end);
    let n = cfg.scaled(c.accounts, 500.0, 20) as usize;
    op.customers = pick_customers(w, rng, sh, cfg.scaled(c.customers, 15.0, 2));
    vendor_infra(w, rng, sh, &c.app_id, c.infra_ips);
    op.subnets = sh.app_nets.clone();
    op.client = Some(format!("api:{}", c.app_id));
    let accounts = pick_victim_accounts(w, rng, sh, n, w.start);
    // Each person hands over the login at some point after the vendor starts.
    let enrolled: Vec<i64> = accounts
        .iter()
        .map(|_| from + (rng.f64() * c.enroll_days * DAY as f64) as i64)
        .collect();
    for &a in &accounts {
        w.label[a as usize] = Label::Compromised;
        w.op[a as usize] = opi;
    }
    let fleet = Fleet {
        accounts: accounts.clone(),
        dev: vec![Vec::new(); accounts.len()],
        own: sh.app_ips.clone(),
        client: sh.app_client,
        ..Fleet::default()
    };
    let posts = customer_posts(w, &op.customers, from - DAY, w.end);
    let hours = vendor_hours(rng);
    let win = minutes(c.delivery_minutes);
    if !posts.is_empty() && !accounts.is_empty() && w.end > from {
        let days = (w.end - from) as f64 / DAY as f64;
        for _ in 0..n_orders(rng, c.orders_per_day * cfg.world_scale() * days) {
            let p = *rng.pick(&posts);
            let window = rng.range_i64(win[0], win[1].max(win[0] + 1));
            let Some(t) = order_start(w, rng, &hours, p, from, w.end, window) else {
                continue;
            };
            let pool: Vec<u32> = (0..accounts.len() as u32)
                .filter(|&i| {
                    enrolled[i as usize] < t && accounts[i as usize] != w.posts.owner[p as usize]
                })
                .collect();
            if pool.is_empty() {
                continue;
            }
            let size = rng.range_u32(c.order_size[0], c.order_size[1]) as usize;
            let who: Vec<u32> = rng
                .sample_distinct(pool.len(), size)
                .into_iter()
                .map(|k| pool[k as usize])
                .collect();
            deliver(
                w,
                rng,
                buf,
                &fleet,
                &who,
                t,
                window,
                action::LIKE,
                tk::POST,
                p,
                w.posts.owner[p as usize],
                opi,
                false,
            );
        }
    }
    op.accounts = accounts;
    ops.push(op);
}

fn comment_farm(
    w: &mut World,
    cfg: &Config,
    rng: &mut Rng,
    buf: &mut Buf,
    ops: &mut Vec<Op>,
    sh: &mut Shared,
) {
    let c = &cfg.comment_farm;
    let opi = ops.len() as u16;
    let mut op = new_op(w, "comment-farm", 1, w.start, w.end);
    let n = cfg.scaled(c.accounts, 300.0, 20) as usize;
    op.customers = pick_customers(w, rng, sh, cfg.scaled(c.customers, 10.0, 2));
    let net = w.dc_subnet(rng);
    op.subnets.push(net);
    let mut fleet = Fleet {
        own: w.subnet_ips(rng, net, 24, 2, 254),
        proxy_share: c.proxy_share,
        ..Fleet::default()
    };
    fleet.proxies = (0..800).map(|_| w.proxy_ip()).collect();
    for _ in 0..n {
        let created = w.start - rng.range_i64(10 * DAY, 120 * DAY);
        fleet
            .accounts
            .push(farm_account(w, rng, created, 1, opi, Label::Fake));
    }
    fleet.dev = phone_farm(w, rng, n, 4);
    let posts = customer_posts(w, &op.customers, w.start - DAY, w.end);
    let hours = vendor_hours(rng);
    let paid = like_orders(
        w,
        rng,
        buf,
        &fleet,
        &split(n, 1),
        &posts,
        c.orders_per_day * cfg.world_scale(),
        c.order_size,
        minutes(c.delivery_minutes),
        &hours,
        w.start,
        w.end,
        opi,
        true,
    );
    camouflage(
        w,
        rng,
        buf,
        &fleet,
        (paid as f64 * c.camouflage).round() as u64,
        w.start,
        w.end,
        true,
        false,
        opi,
    );
    op.accounts = fleet.accounts;
    ops.push(op);
}

fn drip_followers(
    w: &mut World,
    cfg: &Config,
    rng: &mut Rng,
    buf: &mut Buf,
    ops: &mut Vec<Op>,
    sh: &mut Shared,
) {
    let c = &cfg.drip_followers;
    let opi = ops.len() as u16;
    let mut op = new_op(w, "drip-followers", 1, w.start, w.end);
    let n = cfg.scaled(c.accounts, 700.0, 20) as usize;
    op.customers = pick_customers(w, rng, sh, cfg.scaled(c.customers, 20.0, 2));
    let mut fleet = Fleet {
        proxy_share: 1.0,
        sticky: true,
        ..Fleet::default()
    };
    fleet.proxies = (0..c.proxy_pool).map(|_| w.proxy_ip()).collect();
    for _ in 0..n {
        let created = w.start - rng.range_i64(30 * DAY, 365 * DAY);
        fleet
            .accounts
            .push(farm_account(w, rng, created, 3, opi, Label::Fake));
    }
    fleet.dev = own_phones(w, rng, n);
    let window_days = (w.end - w.start) as f64 / DAY as f64;
    let mut paid = 0u64;
    for &cust in &op.customers.clone() {
        let f = rng
            .range_u32(c.followers_per_customer[0], c.followers_per_customer[1])
            .min(n as u32) as usize;
        let d = rng
            .range_f64(c.drip_days[0], c.drip_days[1])
            .min(window_days - 0.25)
            .max(0.25);
        let t0 = w.start + (rng.f64() * (window_days - d) * DAY as f64) as i64;
        let gap = d * DAY as f64 / f.max(1) as f64;
        let who = rng.sample_distinct(n, f);
        for (k, &i) in who.iter().enumerate() {
            let t = t0 + (gap * (k as f64 + c.jitter * rng.range_f64(-1.0, 1.0))) as i64;
            let t = t.clamp(w.start, w.end - 1);
            let ctx = fleet.ctx(w, rng, i as usize, t);
            buf.push(
                t,
                fleet.accounts[i as usize],
                action::FOLLOW,
                tk::ACCOUNT,
                cust,
                cust,
                NONE,
                ctx,
                opi,
            );
            paid += 1;
        }
    }
    camouflage(
        w,
        rng,
        buf,
        &fleet,
        (paid as f64 * c.camouflage).round() as u64,
        w.start,
        w.end,
        true,
        true,
        opi,
    );
    op.accounts = fleet.accounts;
    ops.push(op);
}

fn data_harvest(
    w: &mut World,
    cfg: &Config,
    rng: &mut Rng,
    buf: &mut Buf,
    ops: &mut Vec<Op>,
    sh: &mut Shared,
) {
    let c = &cfg.data_harvest;
    let opi = ops.len() as u16;
    let from = w.start + (c.start_day * DAY as f64) as i64;
    let until = from + (c.run_days * DAY as f64) as i64;
    let mut op = new_op(w, "data-harvest", 1, from, until);
    let (from, until) = (op.active_from, op.active_until);
    let n = cfg.scaled(c.accounts, 16.0, 4) as usize;
    let mut fleet = Fleet::default();
    match c.via {
        HarvestVia::Emulator => {
            if sh.emu_templates.is_empty() {
                sh.emu_templates = emulator_templates(w, rng, 4, 0.6);
                let net = w.dc_subnet(rng);
                sh.emu_net = Some(net);
                sh.emu_ips = w.subnet_ips(rng, net, 6, 2, 254);
            }
            op.subnets.extend(sh.emu_net);
            op.client = Some(w.clients[client::BOT as usize].clone());
            fleet.own = sh.emu_ips.clone();
            fleet.client = Some(client::BOT);
            for _ in 0..n {
                let created = w.start - rng.range_i64(3 * DAY, 30 * DAY);
                fleet
                    .accounts
                    .push(farm_account(w, rng, created, 3, opi, Label::Fake));
                let tpl = *rng.pick(&sh.emu_templates);
                let devs = (0..3).map(|_| w.clone_device(rng, tpl)).collect();
                fleet.dev.push(devs);
            }
        }
        HarvestVia::VendorApp => {
            vendor_infra(w, rng, sh, &cfg.vendor_app.app_id, cfg.vendor_app.infra_ips);
            op.subnets = sh.app_nets.clone();
            op.client = Some(format!("api:{}", cfg.vendor_app.app_id));
            fleet.own = sh.app_ips.clone();
            fleet.client = sh.app_client;
            fleet.accounts = pick_victim_accounts(w, rng, sh, n, from);
            fleet.dev = vec![Vec::new(); fleet.accounts.len()];
            for &a in &fleet.accounts {
                w.label[a as usize] = Label::Compromised;
                w.op[a as usize] = opi;
            }
        }
    }
    if fleet.accounts.is_empty() || until <= from {
        op.accounts = fleet.accounts;
        ops.push(op);
        return;
    }
    // A shared crawl frontier: breadth-first over follows from a few seeds, then id
    // enumeration once the reachable graph is exhausted.
    let norg = w.n_organic as usize;
    let mut visited = vec![false; norg];
    let mut queue = std::collections::VecDeque::new();
    for _ in 0..3 {
        let s = rng.below(w.n_organic);
        if !visited[s as usize] {
            visited[s as usize] = true;
            queue.push_back(s);
        }
    }
    let mut by_id: Vec<u32> = (0..w.n_organic).collect();
    by_id.sort_unstable_by_key(|&a| w.code[a as usize]);
    let mut enum_cursor = 0usize;
    let gap = DAY as f64 / c.reads_per_day.max(1e-3);
    let mut heap = BinaryHeap::new();
    // Per account: (victim, step).
    let mut state: Vec<(u32, u32)> = vec![(NONE, 0); fleet.accounts.len()];
    for i in 0..fleet.accounts.len() {
        heap.push(Reverse((from + rng.range_i64(0, gap as i64 + 1), i as u32)));
    }
    let post_steps = c.posts_per_victim;
    while let Some(Reverse((t, i))) = heap.pop() {
        if t >= until {
            continue;
        }
        let iu = i as usize;
        let (mut v, mut step) = state[iu];
        let a = fleet.accounts[iu];
        let ctx = fleet.ctx(w, rng, iu, t);
        let mut done = false;
        // One read per tick: the next step on the current victim, or the next victim.
        loop {
            if v == NONE || step >= 2 + post_steps {
                let next = queue.pop_front().or_else(|| {
                    while enum_cursor < by_id.len() && visited[by_id[enum_cursor] as usize] {
                        enum_cursor += 1;
                    }
                    by_id
                        .get(enum_cursor)
                        .copied()
                        .inspect(|&a| visited[a as usize] = true)
                });
                let Some(nv) = next else {
                    done = true;
                    break;
                };
                v = nv;
                step = 0;
                op.victims.push(v);
                for &f in w.follows(v) {
                    if !visited[f as usize] {
                        visited[f as usize] = true;
                        queue.push_back(f);
                    }
                }
            }
            match step {
                0 => buf.push(t, a, action::VIEW, tk::ACCOUNT, v, v, NONE, ctx, opi),
                1 => buf.push(t, a, action::VIEW, tk::FRIENDS, v, v, NONE, ctx, opi),
                k => {
                    let ps = w.posts.of(v);
                    let n_before = ps.partition_point(|&p| w.posts.created[p as usize] <= t);
                    let j = (k - 2) as usize;
                    if j >= n_before {
                        step = 2 + post_steps;
                        continue;
                    }
                    buf.push(
                        t,
                        a,
                        action::VIEW,
                        tk::POST,
                        ps[n_before - 1 - j],
                        v,
                        NONE,
                        ctx,
                        opi,
                    );
                }
            }
            break;
        }
        if done {
            break;
        }
        state[iu] = (v, step + 1);
        let next = t + (gap * (1.0 + c.jitter * rng.range_f64(-1.0, 1.0))) as i64;
        heap.push(Reverse((next.max(t + 1), i)));
    }
    op.accounts = fleet.accounts;
    ops.push(op);
}

fn ban_evasion(
    w: &mut World,
    cfg: &Config,
    rng: &mut Rng,
    buf: &mut Buf,
    ops: &mut Vec<Op>,
    sh: &mut Shared,
) {
    let c = &cfg.ban_evasion;
    let ban = w.start + (c.ban_at * (w.end - w.start) as f64) as i64;
    let op1i = ops.len() as u16;
    let op2i = op1i + 1;
    let mut op1 = new_op(w, "ban-evasion", 1, w.start, ban);
    op1.banned_at = Some(ban);
    let mut op2 = new_op(w, "ban-evasion", 2, ban, w.end);
    op2.returns_from = Some(op1i as usize);
    let n1 = cfg.scaled(c.accounts, 300.0, 10) as usize;
    let n2 = cfg.scaled(c.comeback_accounts, 300.0, 10) as usize;
    let customers = pick_customers(w, rng, sh, cfg.scaled(c.customers, 8.0, 2));
    op1.customers = customers.clone();
    op2.customers = customers.clone();
    let net = w.dc_subnet(rng);
    op1.subnets.push(net);
    op2.subnets.push(net);
    let hours = vendor_hours(rng);
    let win = minutes(c.delivery_minutes);
    let posts = customer_posts(w, &customers, w.start - DAY, w.end);

    // The first operation, until the ban.
    let mut f1 = Fleet {
        own: w.subnet_ips(rng, net, 40, 10, 120),
        ..Fleet::default()
    };
    for _ in 0..n1 {
        let created = w.start - rng.range_i64(3 * DAY, 40 * DAY);
        f1.accounts
            .push(farm_account(w, rng, created, 1, op1i, Label::Fake));
    }
    f1.dev = phone_farm(w, rng, n1, 6);
    like_orders(
        w,
        rng,
        buf,
        &f1,
        &split(n1, 2),
        &posts,
        c.orders_per_day * cfg.world_scale(),
        c.order_size,
        win,
        &hours,
        w.start,
        ban,
        op1i,
        false,
    );

    // The comeback: new accounts after the ban, same /24, some of the same phones, the same
    // customers and the same working hours.
    let mut f2 = Fleet {
        own: w.subnet_ips(rng, net, 40, 100, 250),
        ..Fleet::default()
    };
    let old_devs: Vec<u32> = {
        let mut v: Vec<u32> = f1.dev.iter().flatten().copied().collect();
        v.dedup();
        v
    };
    let mut first = i64::MAX;
    for _ in 0..n2 {
        let after = rng.range_f64(c.comeback_after_days[0], c.comeback_after_days[1]);
        let created = ban + (after * DAY as f64) as i64;
        first = first.min(created);
        f2.accounts
            .push(farm_account(w, rng, created, 1, op2i, Label::Fake));
        let old = *rng.pick(&old_devs);
        let d = if rng.chance(c.reuse_device_share) {
            old
        } else {
            w.clone_device(rng, old)
        };
        f2.dev.push(vec![d]);
    }
    if first < w.end {
        like_orders(
            w,
            rng,
            buf,
            &f2,
            &split(n2, 2),
            &posts,
            c.orders_per_day * cfg.world_scale(),
            c.order_size,
            win,
            &hours,
            first + 2 * HOUR,
            w.end,
            op2i,
            false,
        );
    }
    op2.active_from = first.min(w.end);
    op1.accounts = f1.accounts;
    op2.accounts = f2.accounts;
    ops.push(op1);
    ops.push(op2);
}
