//! `vendor-app`: real people's accounts driven by a multi-account manager app's servers.

use lockstep_core::action;

use super::*;
use crate::config::Config;
use crate::events::{Buf, tk};
use crate::rng::Rng;
use crate::time::DAY;
use crate::world::{Label, World};

pub(super) fn plant(
    w: &mut World,
    cfg: &Config,
    rng: &mut Rng,
    buf: &mut Buf,
    ops: &mut Vec<Op>,
    sh: &mut Shared,
) {
    let c = &cfg.vendor_app;
    let from = w.start + (c.start_day * DAY as f64) as i64;
    let (opi, mut op, n) = open_vendor(
        w,
        cfg,
        rng,
        sh,
        ops,
        "vendor-app",
        (from, w.end),
        (c.accounts, 500.0),
        (c.customers, 15.0),
    );
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
    let mut fleet = Fleet {
        accounts: accounts.clone(),
        dev: vec![Vec::new(); accounts.len()],
        own: sh.app_ips.clone(),
        client: sh.app_client,
        ..Fleet::default()
    };
    apply_style(w, rng, &mut fleet, &c.style);
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
            let size = order_size(rng, &fleet, c.order_size);
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
