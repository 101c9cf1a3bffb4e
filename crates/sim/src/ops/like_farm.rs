//! `like-farm`: fresh accounts on datacenter addresses delivering likes in tight bursts.

use super::*;
use crate::config::Config;
use crate::events::Buf;
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
    let c = &cfg.like_farm;
    let (opi, mut op, n) = open_vendor(
        w,
        cfg,
        rng,
        sh,
        ops,
        "like-farm",
        (w.start, w.end),
        (c.accounts, 600.0),
        (c.customers, 12.0),
    );
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
    apply_style(w, rng, &mut fleet, &c.style);
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
    pad(w, rng, buf, &fleet, paid, c.camouflage, false, false, opi);
    op.accounts = fleet.accounts;
    ops.push(op);
}
