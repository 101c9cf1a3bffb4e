//! Organic cohorts that act alike for reasons of their own: the hard negatives a detector
//! must leave alone. People whose work is reading profiles (recruiters, moderators), niche
//! communities that like nearly every post of their few pages, fan clubs that hold
//! "streaming parties" at an announced time, and families that share one tablet.

use lockstep_core::action;

use crate::config::{Organic, REFERENCE_ACCOUNTS};
use crate::events::{Buf, NO_OP, NONE, tk};
use crate::organic::session_ctx;
use crate::rng::{Cdf, Rng, tag};
use crate::time::{DAY, HOUR, MIN, SEC};
use crate::world::{Kind, World, group};

/// How many of a cohort a world of this size gets: `per_reference` per 50 000 accounts, at
/// least one when the knob is above zero.
fn how_many(w: &World, per_reference: f64) -> usize {
    if per_reference <= 0.0 {
        return 0;
    }
    ((per_reference * w.n_organic as f64 / REFERENCE_ACCOUNTS).round() as usize).max(1)
}

/// Active people (not pages or creators) that could belong to a cohort.
fn people(w: &World, min_rate: f32) -> Vec<u32> {
    (0..w.n_organic)
        .filter(|&a| w.kind[a as usize] == Kind::Person && w.rate[a as usize] >= min_rate)
        .collect()
}

/// Plans every cohort into `buf` and tags its members.
pub(crate) fn plan(w: &mut World, o: &Organic, buf: &mut Buf) {
    let mut tagged: Vec<(u32, u16)> = Vec::new();
    heavy_readers(w, o, buf, &mut tagged);
    niche_communities(w, o, buf, &mut tagged);
    fan_clubs(w, o, buf, &mut tagged);
    let shared: Vec<bool> = w
        .households
        .iter()
        .map(|h| h.shared_device != NONE)
        .collect();
    for a in 0..w.n_organic as usize {
        let h = w.household[a];
        if h != NONE && shared[h as usize] {
            tagged.push((a as u32, group::SHARED_TABLET));
        }
    }
    for (a, g) in tagged {
        w.groups[a as usize] |= g;
    }
}

/// Recruiters and moderators: hundreds of profile reads on each working day, in working hours
/// of their own time zone, each profile read about once, some friend lists and posts.
fn heavy_readers(w: &World, o: &Organic, buf: &mut Buf, tagged: &mut Vec<(u32, u16)>) {
    let mut rng = Rng::stream(w.seed, tag::SPECIAL, 3);
    let cands = people(w, 1.0);
    let k = how_many(w, o.heavy_readers).min(cands.len());
    let n = w.n_organic;
    for i in rng.sample_distinct(cands.len(), k) {
        let a = cands[i as usize];
        tagged.push((a, group::HEAVY_READER));
        let tz = w.tz[a as usize] as i64 * MIN;
        for d in 0..w.days as i64 {
            let day = w.start + d * DAY;
            // 2025-03-03 and every date's weekday from the epoch (a Thursday).
            let weekday = (day / DAY + 3).rem_euclid(7);
            if weekday >= 5 {
                continue;
            }
            let reads = rng.range_u32(o.heavy_reader_reads[0], o.heavy_reader_reads[1]);
            // 09:00 to 18:00 local.
            let open = day + 9 * HOUR - tz;
            for _ in 0..reads {
                let t = open + rng.range_i64(0, 9 * HOUR);
                if t < w.start || t >= w.end {
                    continue;
                }
                let v = rng.below(n);
                if v == a {
                    continue;
                }
                let ctx = session_ctx(w, &mut rng, a, t);
                buf.push(t, a, action::VIEW, tk::ACCOUNT, v, v, NONE, ctx, NO_OP);
                if rng.chance(0.1) {
                    let t2 = t + rng.range_i64(5 * SEC, 60 * SEC);
                    buf.push(t2, a, action::VIEW, tk::FRIENDS, v, v, NONE, ctx, NO_OP);
                }
                if rng.chance(0.2)
                    && let Some(p) = w.posts.latest_before(v, t)
                {
                    let t2 = t + rng.range_i64(5 * SEC, 90 * SEC);
                    buf.push(t2, a, action::VIEW, tk::POST, p, v, NONE, ctx, NO_OP);
                }
            }
        }
    }
}

/// A niche community: a few dozen people who like nearly every post of the same three to
/// five small pages within hours of it appearing, every day of the window.
fn niche_communities(w: &World, o: &Organic, buf: &mut Buf, tagged: &mut Vec<(u32, u16)>) {
    let mut rng = Rng::stream(w.seed, tag::SPECIAL, 4);
    // Small pages and creators with posts in the window, by community.
    let small: Vec<u32> = (0..w.n_organic)
        .filter(|&a| {
            let ai = a as usize;
            matches!(w.kind[ai], Kind::Page | Kind::Creator)
                && w.popularity[ai] < 20.0
                && w.posts
                    .of(a)
                    .iter()
                    .any(|&p| w.posts.created[p as usize] >= w.start)
        })
        .collect();
    if small.len() < 3 {
        return;
    }
    for _ in 0..how_many(w, o.niche_communities) {
        let first = *rng.pick(&small);
        let comm = w.comm[first as usize][0];
        let mut pages: Vec<u32> = small
            .iter()
            .copied()
            .filter(|&p| w.comm[p as usize][0] == comm && p != first)
            .collect();
        rng.shuffle(&mut pages);
        pages.truncate(rng.range_u32(2, 4) as usize);
        pages.push(first);
        let pool: Vec<u32> = w.comm_people[comm as usize]
            .iter()
            .copied()
            .filter(|&a| w.kind[a as usize] == Kind::Person && !pages.contains(&a))
            .collect();
        let pool = if pool.len() < o.niche_members[0] as usize {
            people(w, 0.5)
        } else {
            pool
        };
        // Members by activity, as for every organic cohort: the keen are mostly the active.
        let m = rng.range_u32(o.niche_members[0], o.niche_members[1]) as usize;
        let cdf = Cdf::new(pool.iter().map(|&a| (w.rate[a as usize] as f64).sqrt()));
        let mut members: Vec<u32> = Vec::with_capacity(m);
        for _ in 0..m * 20 {
            if members.len() >= m.min(pool.len()) {
                break;
            }
            let a = pool[cdf.sample(&mut rng)];
            if !members.contains(&a) {
                members.push(a);
            }
        }
        for &a in &members {
            tagged.push((a, group::NICHE_COMMUNITY));
            let keen = rng.range_f64(0.75, 0.98);
            for &page in &pages {
                for &p in w.posts.of(page) {
                    let c0 = w.posts.created[p as usize];
                    if c0 < w.start || !rng.chance(keen) {
                        continue;
                    }
                    let t =
                        c0 + rng.range_i64(2 * MIN, 20 * MIN) + rng.exp(90.0 * MIN as f64) as i64;
                    if t >= w.end || t < w.created[a as usize] {
                        continue;
                    }
                    let ctx = session_ctx(w, &mut rng, a, t);
                    buf.push(t, a, action::LIKE, tk::POST, p, page, NONE, ctx, NO_OP);
                    if rng.chance(0.1) {
                        let x = buf.texts.organic(&mut rng, comm as usize);
                        let t2 = t + rng.range_i64(5 * SEC, 3 * MIN);
                        buf.push(t2, a, action::COMMENT, tk::POST, p, page, x, ctx, NO_OP);
                    }
                }
            }
        }
    }
}

/// A fan club's streaming parties: the club announces a time and its members like, share,
/// comment on and replay a creator's new post within the same half hour.
fn fan_clubs(w: &World, o: &Organic, buf: &mut Buf, tagged: &mut Vec<(u32, u16)>) {
    let mut rng = Rng::stream(w.seed, tag::SPECIAL, 5);
    let parties = (o.streaming_parties_per_week * w.days as f64 / 7.0).round() as usize;
    if parties == 0 || w.creators.0.is_empty() {
        return;
    }
    let clubs = parties.clamp(1, 3);
    let all = people(w, 0.3);
    let mut club: Vec<(u32, Vec<u32>)> = Vec::new();
    for _ in 0..clubs {
        let c = w.creators.0[w.creators.1.sample(&mut rng)];
        if club.iter().any(|(x, _)| *x == c) {
            continue;
        }
        let mut pool: Vec<u32> = w.comm_people[w.comm[c as usize][0] as usize]
            .iter()
            .copied()
            .filter(|&a| w.kind[a as usize] == Kind::Person)
            .collect();
        if pool.len() < o.fan_club_members[1] as usize {
            pool = all.clone();
        }
        let m = rng.range_u32(o.fan_club_members[0], o.fan_club_members[1]) as usize;
        let members = rng
            .sample_distinct(pool.len(), m)
            .into_iter()
            .map(|i| pool[i as usize])
            .collect();
        club.push((c, members));
    }
    for k in 0..parties {
        let (c, members) = &club[k % club.len()];
        let posts: Vec<u32> = w
            .posts
            .of(*c)
            .iter()
            .copied()
            .filter(|&p| {
                let t = w.posts.created[p as usize];
                t >= w.start && t < w.end - 8 * HOUR
            })
            .collect();
        if posts.is_empty() {
            continue;
        }
        let p = *rng.pick(&posts);
        let at = w.posts.created[p as usize] + rng.range_i64(HOUR, 6 * HOUR);
        let turnout = rng.range_f64(0.6, 0.95);
        for &a in members {
            if !rng.chance(turnout) || w.created[a as usize] > at {
                continue;
            }
            tagged.push((a, group::FAN_CLUB));
            let t = at + rng.range_i64(0, 30 * MIN);
            let ctx = session_ctx(w, &mut rng, a, t);
            for r in 0..rng.range_u32(1, 4) {
                let tv = t + r as i64 * rng.range_i64(2 * MIN, 5 * MIN);
                buf.push(tv, a, action::VIEW, tk::POST, p, *c, NONE, ctx, NO_OP);
            }
            buf.push(
                t + 20 * SEC,
                a,
                action::LIKE,
                tk::POST,
                p,
                *c,
                NONE,
                ctx,
                NO_OP,
            );
            if rng.chance(0.5) {
                let t2 = t + rng.range_i64(30 * SEC, 5 * MIN);
                buf.push(t2, a, action::SHARE, tk::POST, p, *c, NONE, ctx, NO_OP);
            }
            if rng.chance(0.3) {
                let x = buf.texts.generic(&mut rng);
                let t2 = t + rng.range_i64(30 * SEC, 8 * MIN);
                buf.push(t2, a, action::COMMENT, tk::POST, p, *c, x, ctx, NO_OP);
            }
        }
    }
}
