//! `drip-followers`: followers delivered over days.

use lockstep_core::action;

use super::*;
use crate::config::Config;
use crate::events::{Buf, NONE, tk};
use crate::rng::Rng;
use crate::style::Timing;
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
    let c = &cfg.drip_followers;
    let (opi, mut op, n) = open_vendor(
        w,
        cfg,
        rng,
        sh,
        ops,
        "drip-followers",
        (w.start, w.end),
        (c.accounts, 700.0),
        (c.customers, 20.0),
    );
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
    apply_style(w, rng, &mut fleet, &c.style);
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
            let span = (d * DAY as f64) as i64;
            let t = match fleet.timing {
                Timing::Own | Timing::Even => {
                    t0 + (gap * (k as f64 + c.jitter * rng.range_f64(-1.0, 1.0))) as i64
                }
                Timing::Uniform => t0 + rng.range_i64(0, span.max(1)),
                Timing::Human => human_moment(w, rng, fleet.accounts[i as usize], t0, span.max(1)),
            };
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
    pad(w, rng, buf, &fleet, paid, c.camouflage, true, true, opi);
    op.accounts = fleet.accounts;
    ops.push(op);
}
