//! The planted operations: each scenario adds its accounts, devices and addresses to the
//! world and its events to the shared buffer, and records what it did for the truth files.
//!
//! One file per scenario; `fleet` and `orders` hold what scenarios share.

mod fleet;
mod orders;

mod aged_farm;
mod ban_evasion;
mod comment_farm;
mod data_harvest;
mod drip_followers;
mod emulator_botnet;
mod hijacked_harvest;
mod like_farm;
mod vendor_app;

use fleet::*;
use orders::*;

use crate::config::Config;
use crate::events::Buf;
use crate::rng::{Rng, tag};
use crate::time::MIN;
use crate::world::World;

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

/// Shared state between scenarios (so `data-harvest` can ride on the botnet or the app).
#[derive(Default)]
pub(super) struct Shared {
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
            "like-farm" => like_farm::plant(w, cfg, &mut rng, buf, &mut ops, &mut sh),
            "aged-farm" => aged_farm::plant(w, cfg, &mut rng, buf, &mut ops, &mut sh),
            "emulator-botnet" => emulator_botnet::plant(w, cfg, &mut rng, buf, &mut ops, &mut sh),
            "vendor-app" => vendor_app::plant(w, cfg, &mut rng, buf, &mut ops, &mut sh),
            "comment-farm" => comment_farm::plant(w, cfg, &mut rng, buf, &mut ops, &mut sh),
            "drip-followers" => drip_followers::plant(w, cfg, &mut rng, buf, &mut ops, &mut sh),
            "data-harvest" => data_harvest::plant(w, cfg, &mut rng, buf, &mut ops, &mut sh),
            "hijacked-harvest" => hijacked_harvest::plant(w, cfg, &mut rng, buf, &mut ops, &mut sh),
            "ban-evasion" => ban_evasion::plant(w, cfg, &mut rng, buf, &mut ops, &mut sh),
            _ => {}
        }
    }
    ops
}

pub(super) fn new_op(w: &World, scenario: &'static str, n: usize, from: i64, until: i64) -> Op {
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

/// The prologue every vendor shares: its operation (numbered after those already planted,
/// active over `span`), its number of accounts and its customers, sizes given per 50 000
/// organic accounts unless the config sets them.
#[allow(clippy::too_many_arguments)]
pub(super) fn open_vendor(
    w: &World,
    cfg: &Config,
    rng: &mut Rng,
    sh: &mut Shared,
    ops: &[Op],
    scenario: &'static str,
    span: (i64, i64),
    accounts: (Option<u32>, f64),
    customers: (Option<u32>, f64),
) -> (u16, Op, usize) {
    let opi = ops.len() as u16;
    let mut op = new_op(w, scenario, 1, span.0, span.1);
    let n = cfg.scaled(accounts.0, accounts.1, 20) as usize;
    op.customers = pick_customers(w, rng, sh, cfg.scaled(customers.0, customers.1, 2));
    (opi, op, n)
}

pub(super) fn pick_customers(w: &World, rng: &mut Rng, sh: &mut Shared, k: u32) -> Vec<u32> {
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
pub(super) fn customer_posts(w: &World, customers: &[u32], lo: i64, hi: i64) -> Vec<u32> {
    let mut v: Vec<u32> = customers
        .iter()
        .flat_map(|&c| w.posts.of(c).iter().copied())
        .filter(|&p| (lo..hi).contains(&w.posts.created[p as usize]))
        .collect();
    v.sort_unstable();
    v
}

/// Orders in a span: Poisson around the rate, but at least two, so that a planted operation
/// always has deliveries to find, however small the world.
pub(super) fn n_orders(rng: &mut Rng, expected: f64) -> u32 {
    if expected <= 0.0 {
        0
    } else {
        rng.poisson(expected).max(2)
    }
}

pub(super) fn minutes(r: [f64; 2]) -> [i64; 2] {
    [(r[0] * MIN as f64) as i64, (r[1] * MIN as f64) as i64]
}

pub(super) fn split(n: usize, k: usize) -> Vec<std::ops::Range<usize>> {
    let k = k.clamp(1, n.max(1));
    (0..k).map(|s| s * n / k..(s + 1) * n / k).collect()
}
