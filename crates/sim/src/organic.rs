//! Organic life, one UTC day at a time: sessions in each person's own rhythm, on their own
//! devices and networks, engaging with posts whose pull decays after they appear.
//!
//! A day is generated from its own random stream, so days can be generated in parallel and in
//! any order with identical results.

use lockstep_core::action;

use crate::catalog::HOURLY;
use crate::config::Organic;
use crate::events::{Buf, Ctx, NO_OP, NONE, tk};
use crate::rng::{Alias, Cdf, Rng, tag};
use crate::time::{DAY, HOUR, MIN, SEC};
use crate::world::{World, client, group};

/// Width of one bucket of the post pools.
const BUCKET: i64 = 2 * HOUR;
/// Posts older than this are no longer offered by the pools (their pull is below 1 %).
const POOL_AGE: i64 = 48 * HOUR;

/// Weighted posts to draw from during one bucket: per community and overall.
struct Pools {
    comm: Vec<Alias>,
    all: Alias,
}

impl Pools {
    fn build(w: &World, t: i64, half_life_h: f64, communities: usize) -> Pools {
        let p = &w.posts;
        let lo = p.created.partition_point(|&c| c < t - POOL_AGE);
        let hi = p.created.partition_point(|&c| c < t);
        let mut per: Vec<(Vec<u32>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); communities];
        let mut all = (Vec::with_capacity(hi - lo), Vec::with_capacity(hi - lo));
        let k = std::f64::consts::LN_2 / (half_life_h * HOUR as f64);
        for i in lo..hi {
            let age = (t - p.created[i]) as f64;
            let wgt = p.appeal[i] as f64 * (-k * age).exp();
            let c = p.comm[i] as usize % communities;
            per[c].0.push(i as u32);
            per[c].1.push(wgt);
            all.0.push(i as u32);
            all.1.push(wgt);
        }
        Pools {
            comm: per.into_iter().map(|(v, w)| Alias::new(&v, &w)).collect(),
            all: Alias::new(&all.0, &all.1),
        }
    }
}

/// The context (address, device, client) of a session of organic account `a` at `t`.
pub(crate) fn session_ctx(w: &World, rng: &mut Rng, a: u32, t: i64) -> Ctx {
    let ai = a as usize;
    let h = w.household[ai];
    let home = if h == NONE {
        NONE
    } else {
        w.households[h as usize].ip
    };
    let local_hour = ((t + w.tz[ai] as i64 * MIN).rem_euclid(DAY) / HOUR) as u32;
    let [d0, d1] = w.dev[ai];
    if d0 == NONE || (w.web[ai] && rng.chance(0.2)) {
        return Ctx {
            ip: home,
            device: NONE,
            client: client::WEB,
        };
    }
    let shared = if h == NONE {
        NONE
    } else {
        w.households[h as usize].shared_device
    };
    let r = rng.f64();
    let device = if shared != NONE && r < 0.12 {
        shared
    } else if d1 != NONE && r < 0.25 {
        d1
    } else {
        d0
    };
    let c = w.carrier[ai];
    let away = (7..19).contains(&local_hour);
    let ip = if w.devices.tablet[device as usize]
        || c == u8::MAX
        || !rng.chance(if away { 0.55 } else { 0.15 })
    {
        home
    } else {
        let car = &w.carriers[c as usize];
        if car.v6 {
            w.carrier_ip[ai]
        } else {
            *rng.pick(&car.pool)
        }
    };
    Ctx {
        ip,
        device,
        client: w.devices.client[device as usize],
    }
}

/// A post for `a` to engage with at `t`: from its feed, its communities or what is trending.
#[inline]
fn pick_post(
    w: &World,
    pools: &Pools,
    feed: &[[u32; 2]],
    rng: &mut Rng,
    a: u32,
    t: i64,
) -> Option<u32> {
    let r = rng.f64();
    if r < 0.45 {
        let f = w.follows(a);
        if !f.is_empty() {
            let bc = &w.posts.by_owner_created;
            for _ in 0..3 {
                let b = *rng.pick(f);
                let [lo, hi] = feed[b as usize];
                let mut k = hi as usize;
                while k > lo as usize && bc[k - 1] > t {
                    k -= 1;
                }
                if k > lo as usize && bc[k - 1] >= t - 3 * DAY {
                    return Some(w.posts.by_owner[k - 1]);
                }
            }
        }
    }
    let [c1, c2] = w.comm[a as usize];
    let table = if r < 0.88 {
        let c = if rng.chance(0.7) { c1 } else { c2 } as usize;
        let pc = &pools.comm[c % pools.comm.len()];
        if pc.is_empty() { &pools.all } else { pc }
    } else {
        &pools.all
    };
    if table.is_empty() {
        return None;
    }
    Some(table.sample(rng))
}

/// An account for `a` to follow.
fn pick_follow(w: &World, rng: &mut Rng, a: u32) -> Option<u32> {
    let [c1, c2] = w.comm[a as usize];
    let c = if rng.chance(0.7) { c1 } else { c2 } as usize;
    let r = rng.f64();
    let t = if r < 0.6 {
        let (v, cdf) = &w.comm_creators[c];
        if cdf.is_empty() {
            return None;
        }
        v[cdf.sample(rng)]
    } else if r < 0.8 {
        // A friend of a friend.
        let f = w.follows(a);
        if f.is_empty() {
            return None;
        }
        let g = w.follows(*rng.pick(f));
        if g.is_empty() {
            return None;
        }
        *rng.pick(g)
    } else {
        let v = &w.comm_people[c];
        if v.is_empty() {
            return None;
        }
        *rng.pick(v)
    };
    (t != a).then_some(t)
}

/// One day of organic life (without the viral posts and live broadcasts, which are planned
/// across days). Events are not sorted.
pub(crate) fn day(w: &World, o: &Organic, day: u32) -> Buf {
    let t0 = w.start + day as i64 * DAY;
    let t1 = t0 + DAY;
    let nc = w.communities as usize;
    let pools: Vec<Pools> = (0..DAY / BUCKET)
        .map(|b| Pools::build(w, t0 + b * BUCKET, o.engagement_half_life_hours, nc))
        .collect();
    // Per account, its posts of the last three days and this one (a range of `by_owner`).
    let bc = &w.posts.by_owner_created;
    let off = &w.posts.by_owner_off;
    let feed: Vec<[u32; 2]> = (0..w.n_organic as usize)
        .map(|o| {
            let (s, e) = (off[o] as usize, off[o + 1] as usize);
            let v = &bc[s..e];
            [
                (s + v.partition_point(|&c| c < t0 - 3 * DAY)) as u32,
                (s + v.partition_point(|&c| c < t1)) as u32,
            ]
        })
        .collect();
    let hourly = Cdf::new(HOURLY);
    let mix = o.action_mix;
    let mut generic_mix = mix;
    generic_mix[2] *= 3.0;
    let mix_cdf = Cdf::new(mix);
    let generic_cdf = Cdf::new(generic_mix);
    let mut rng = Rng::stream(w.seed, tag::DAY, day as u64);
    // Weekends are a little busier.
    let weekday = ((t0 / DAY) + 4).rem_euclid(7);
    let wk = if weekday == 0 || weekday == 6 {
        1.12
    } else {
        0.97
    };
    let gap_mu = o.action_gap_seconds.max(1.0).ln();
    let mut buf = Buf::default();
    let est = (w.n_organic as f64 * o.mean_actions_per_day * 1.05) as usize;
    buf.evs.reserve(est);

    for a in 0..w.n_organic {
        let ai = a as usize;
        if w.created[ai] >= t1 {
            continue;
        }
        let mut n = rng.poisson(w.rate[ai] as f64 * wk);
        if n == 0 {
            continue;
        }
        let generic = w.groups[ai] & group::GENERIC_COMMENTER != 0;
        let aps = o.actions_per_session * (1.0 + w.rate[ai] as f64 / 60.0);
        while n > 0 {
            let len = (1 + rng.poisson(aps - 1.0)).min(n);
            n -= len;
            let local = w.local_time(&mut rng, &hourly, a);
            let mut t = w.utc_in_day(t0, local, a);
            if t < w.created[ai] {
                continue;
            }
            let ctx = session_ctx(w, &mut rng, a, t);
            for _ in 0..len {
                if t >= t1 {
                    break;
                }
                let pools = &pools[((t - t0) / BUCKET) as usize];
                let act = if generic {
                    generic_cdf.sample(&mut rng)
                } else {
                    mix_cdf.sample(&mut rng)
                };
                match act {
                    // view
                    0 => {
                        let f = w.follows(a);
                        let r = rng.f64();
                        if !f.is_empty() && r < 0.35 {
                            let b = *rng.pick(f);
                            buf.push(t, a, action::VIEW, tk::ACCOUNT, b, b, NONE, ctx, NO_OP);
                        } else if !f.is_empty() && r < 0.42 {
                            let b = *rng.pick(f);
                            buf.push(t, a, action::VIEW, tk::FRIENDS, b, b, NONE, ctx, NO_OP);
                        } else if let Some(p) = pick_post(w, pools, &feed, &mut rng, a, t) {
                            let owner = w.posts.owner[p as usize];
                            buf.push(t, a, action::VIEW, tk::POST, p, owner, NONE, ctx, NO_OP);
                        }
                    }
                    // like, comment, share
                    1..=3 => {
                        if let Some(p) = pick_post(w, pools, &feed, &mut rng, a, t) {
                            let owner = w.posts.owner[p as usize];
                            if owner != a {
                                let (code, text) = match act {
                                    1 => (action::LIKE, NONE),
                                    2 => {
                                        let g = if generic {
                                            0.7
                                        } else {
                                            o.generic_comment_share
                                        };
                                        let x = if rng.chance(g) {
                                            buf.texts.generic(&mut rng)
                                        } else {
                                            buf.texts.organic(
                                                &mut rng,
                                                w.posts.comm[p as usize] as usize,
                                            )
                                        };
                                        (action::COMMENT, x)
                                    }
                                    _ => (action::SHARE, NONE),
                                };
                                buf.push(t, a, code, tk::POST, p, owner, text, ctx, NO_OP);
                            }
                        }
                    }
                    // follow
                    _ => {
                        if let Some(b) = pick_follow(w, &mut rng, a) {
                            buf.push(t, a, action::FOLLOW, tk::ACCOUNT, b, b, NONE, ctx, NO_OP);
                        }
                    }
                }
                t += (rng.lognormal(gap_mu, 0.9) * SEC as f64) as i64 + 1;
            }
        }
    }

    // Creators' scheduling tools: replies and shares on the quarter hour, from the cloud.
    for &a in &w.creators.0 {
        let ai = a as usize;
        let app = w.api_app[ai];
        if app == u8::MAX || w.created[ai] >= t0 {
            continue;
        }
        let k = rng.poisson(3.0);
        let ips = &w.scheduler_ips[app as usize];
        for _ in 0..k {
            let t = t0 + rng.below(96) as i64 * 15 * MIN + rng.range_i64(200, 4 * SEC);
            let Some(p) = w.posts.latest_before(a, t) else {
                continue;
            };
            if w.posts.created[p as usize] < t - 7 * DAY {
                continue;
            }
            let ctx = Ctx {
                ip: *rng.pick(ips),
                device: NONE,
                client: client::SCHEDULER0 + app as u16,
            };
            if rng.chance(0.6) {
                let x = buf.texts.reply(&mut rng, w.posts.comm[p as usize] as usize);
                buf.push(t, a, action::COMMENT, tk::POST, p, a, x, ctx, NO_OP);
            } else {
                buf.push(t, a, action::SHARE, tk::POST, p, a, NONE, ctx, NO_OP);
            }
        }
    }
    buf
}
