//! Orders: when a vendor works, when an order starts, how it is delivered, and the padding
//! (camouflage) around paid engagement.

use lockstep_core::action;

use super::*;
use crate::catalog::HOURLY;
use crate::events::{Buf, NONE, tk};
use crate::rng::{Cdf, Rng};
use crate::style::Timing;
use crate::time::{DAY, HOUR, MIN, SEC};
use crate::world::World;

/// The vendor's working hours (UTC hour weights): a 14-hour shift at a random hour.
pub(super) fn vendor_hours(rng: &mut Rng) -> [f64; 24] {
    let s = rng.below(24) as usize;
    let mut h = [0.05; 24];
    for k in 0..14 {
        h[(s + k) % 24] = 1.0;
    }
    h
}

/// When an order on post `p` starts: some time after the post appears, in working hours,
/// leaving `window` to deliver before `until`.
pub(super) fn order_start(
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

/// A moment in `[t, t + window)` weighted by account `a`'s daily rhythm: a vendor imitating
/// people does not act at night.
pub(super) fn human_moment(w: &World, rng: &mut Rng, a: u32, t: i64, window: i64) -> i64 {
    let top = HOURLY.iter().copied().fold(0.0, f64::max);
    let mut ts = t + rng.range_i64(0, window);
    for _ in 0..12 {
        if rng.chance(HOURLY[w.local_hour(a, ts)] / top) {
            break;
        }
        ts = t + rng.range_i64(0, window);
    }
    ts
}

/// Delivers one order: each of `who` (fleet indices) acts once within `[t, t + window)`, at
/// the moments the fleet's timing says.
#[allow(clippy::too_many_arguments)]
pub(super) fn deliver(
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
    for (k, &i) in who.iter().enumerate() {
        let ts = match fleet.timing {
            Timing::Own | Timing::Uniform => t + rng.range_i64(0, window.max(1)),
            Timing::Even => {
                let step = window.max(1) as f64 / who.len() as f64;
                t + (step * (k as f64 + 0.5 + 0.2 * rng.range_f64(-1.0, 1.0))) as i64
            }
            Timing::Human => human_moment(w, rng, fleet.accounts[i as usize], t, window.max(1)),
        } + rng.range_i64(0, 3 * SEC);
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
pub(super) fn camouflage(
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
        } else if let Some(p) = if fleet.long_tail > 0.0 && rng.chance(fleet.long_tail) {
            w.posts.community_at(rng, t, 36 * HOUR, w.comm[a as usize])
        } else {
            w.posts.popular_at(rng, t, 36 * HOUR)
        } {
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

/// Padding over the whole window: `ratio` actions per paid one (see [`camouflage`]).
#[allow(clippy::too_many_arguments)]
pub(super) fn pad(
    w: &World,
    rng: &mut Rng,
    buf: &mut Buf,
    fleet: &Fleet,
    paid: u64,
    ratio: f64,
    human: bool,
    follows: bool,
    op: u16,
) {
    let count = (paid as f64 * ratio).round() as u64;
    camouflage(
        w, rng, buf, fleet, count, w.start, w.end, human, follows, op,
    );
}

/// A like-selling operation's orders over `[from, until)`: returns paid events.
#[allow(clippy::too_many_arguments)]
pub(super) fn like_orders(
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
        let n = order_size(rng, fleet, size);
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

/// Accounts serving one order: the fleet's participation share when its style sets one,
/// otherwise the scenario's order size.
pub(super) fn order_size(rng: &mut Rng, fleet: &Fleet, size: [u32; 2]) -> usize {
    match fleet.participation {
        Some([lo, hi]) => {
            let share = rng.range_f64(lo, hi.max(lo));
            ((share * fleet.accounts.len() as f64).round() as usize).max(1)
        }
        None => rng.range_u32(size[0], size[1]) as usize,
    }
}

/// When account `a` sleeps `sleep_hours` a night from 23:00 in its own rhythm and `t` falls in
/// that sleep: the moment it wakes.
pub(super) fn asleep_until(w: &World, a: u32, t: i64, sleep_hours: f64) -> Option<i64> {
    if sleep_hours <= 0.0 {
        return None;
    }
    let h = (w.local_hour(a, t) + 24 - 23) % 24;
    let into = h as f64 + (t.rem_euclid(HOUR) as f64 / HOUR as f64);
    (into < sleep_hours).then(|| t + ((sleep_hours - into) * HOUR as f64) as i64 + 1)
}
