//! `ban-evasion`: a like operation banned mid-window that comes back.

use super::*;
use crate::config::Config;
use crate::events::Buf;
use crate::rng::Rng;
use crate::style::Network;
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
    apply_style(w, rng, &mut f1, &c.style);
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
        if old_devs.is_empty() {
            // The banned operation showed no device (server calls): neither does its comeback.
            f2.dev.push(Vec::new());
            continue;
        }
        let old = *rng.pick(&old_devs);
        let d = if rng.chance(c.reuse_device_share) {
            old
        } else {
            w.clone_device(rng, old)
        };
        f2.dev.push(vec![d]);
    }
    f2.timing = f1.timing;
    f2.participation = f1.participation;
    f2.long_tail = f1.long_tail;
    if c.style.network != Network::Own {
        // The comeback keeps the network the banned operation used.
        f2.own = f1.own.clone();
        f2.proxies = f1.proxies.clone();
        f2.proxy_share = f1.proxy_share;
        f2.sticky = f1.sticky;
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
