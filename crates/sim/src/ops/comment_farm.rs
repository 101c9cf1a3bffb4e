//! `comment-farm`: spun template comments on customers' posts.

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
    let c = &cfg.comment_farm;
    let (opi, mut op, n) = open_vendor(
        w,
        cfg,
        rng,
        sh,
        ops,
        "comment-farm",
        (w.start, w.end),
        (c.accounts, 300.0),
        (c.customers, 10.0),
    );
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
    apply_style(w, rng, &mut fleet, &c.style);
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
    pad(w, rng, buf, &fleet, paid, c.camouflage, true, false, opi);
    op.accounts = fleet.accounts;
    ops.push(op);
}
