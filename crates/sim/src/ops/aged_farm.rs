//! `aged-farm`: bought old accounts with padding, delivering through residential proxies.

use super::*;
use crate::config::Config;
use crate::events::Buf;
use crate::rng::Rng;
use crate::time::{DAY, HOUR};
use crate::world::{Label, World};

pub(super) fn plant(
    w: &mut World,
    cfg: &Config,
    rng: &mut Rng,
    buf: &mut Buf,
    ops: &mut Vec<Op>,
    sh: &mut Shared,
) {
    let c = &cfg.aged_farm;
    let (opi, mut op, n) = open_vendor(
        w,
        cfg,
        rng,
        sh,
        ops,
        "aged-farm",
        (w.start, w.end),
        (c.accounts, 400.0),
        (c.customers, 10.0),
    );
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
    apply_style(w, rng, &mut fleet, &c.style);
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
    pad(w, rng, buf, &fleet, paid, c.camouflage, true, false, opi);
    op.accounts = fleet.accounts;
    ops.push(op);
}
