//! `emulator-botnet`: servers posing as Android phones; follows and likes.

use lockstep_core::action;

use super::*;
use crate::config::Config;
use crate::events::{Buf, tk};
use crate::rng::Rng;
use crate::time::{DAY, HOUR};
use crate::world::{Label, World, client};

pub(super) fn plant(
    w: &mut World,
    cfg: &Config,
    rng: &mut Rng,
    buf: &mut Buf,
    ops: &mut Vec<Op>,
    sh: &mut Shared,
) {
    let c = &cfg.emulator_botnet;
    let (opi, mut op, n) = open_vendor(
        w,
        cfg,
        rng,
        sh,
        ops,
        "emulator-botnet",
        (w.start, w.end),
        (c.accounts, 800.0),
        (c.customers, 15.0),
    );
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
    apply_style(w, rng, &mut fleet, &c.style);
    let hours = vendor_hours(rng);
    let win = minutes(c.delivery_minutes);
    let days = (w.end - w.start) as f64 / DAY as f64;
    let posts = customer_posts(w, &op.customers, w.start - DAY, w.end);
    let mut paid = 0;
    for _ in 0..n_orders(rng, c.orders_per_day * cfg.world_scale() * days) {
        let size = order_size(rng, &fleet, c.order_size);
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
    pad(w, rng, buf, &fleet, paid, c.camouflage, false, true, opi);
    op.accounts = fleet.accounts;
    ops.push(op);
}
