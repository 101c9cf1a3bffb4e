//! Organic events planned across days: viral posts (thousands of real likes within an hour)
//! and live broadcasts (a fan group liking a run of posts within minutes of each). They are
//! the hard negatives that look most like bought engagement.

use lockstep_core::action;

use crate::config::Organic;
use crate::events::{Buf, NO_OP, NONE, tk};
use crate::organic::session_ctx;
use crate::rng::{Cdf, Rng, tag};
use crate::time::{HOUR, MIN, SEC};
use crate::world::{Kind, World, group};

/// What the planned organic events were (for the summary and tests).
#[derive(Debug, Clone, Default)]
pub(crate) struct Specials {
    /// Viral posts and their first-hour likers.
    pub(crate) viral: Vec<(u32, u32)>,
    /// Live broadcasts: (creator, fans).
    pub(crate) live: Vec<(u32, u32)>,
}

/// Plans viral posts and live broadcasts into `buf` and tags the people who took part.
pub(crate) fn plan(w: &mut World, o: &Organic, buf: &mut Buf) -> Specials {
    let mut rng = Rng::stream(w.seed, tag::SPECIAL, 2);
    let mut out = Specials::default();
    let n = w.n_organic;
    // Who is around to like: active organic accounts by activity.
    let act = Cdf::new((0..n).map(|a| {
        if w.kind[a as usize] == Kind::Page {
            0.0
        } else {
            (w.rate[a as usize] as f64).sqrt()
        }
    }));
    let mut stamp = vec![u32::MAX; n as usize];
    let mut tagged: Vec<(u32, u16)> = Vec::new();

    // --- Viral posts.
    let n_viral = (o.viral_posts_per_week * w.days as f64 / 7.0).round() as usize;
    let cands: Vec<u32> = (0..w.posts.len() as u32)
        .filter(|&p| {
            let pi = p as usize;
            w.kind[w.posts.owner[pi] as usize] == Kind::Creator
                && w.posts.live[pi] == 0
                && w.posts.created[pi] >= w.start + 6 * HOUR
                && w.posts.created[pi] < w.end - 2 * HOUR
        })
        .collect();
    if !cands.is_empty() && !act.is_empty() {
        let cdf = Cdf::new(
            cands
                .iter()
                .map(|&p| w.popularity[w.posts.owner[p as usize] as usize] as f64 + 1.0),
        );
        let likers = ((o.viral_likers_share * n as f64).round() as u32).max(1);
        for v in 0..n_viral {
            let p = cands[cdf.sample(&mut rng)];
            let (c0, owner) = (w.posts.created[p as usize], w.posts.owner[p as usize]);
            w.posts.appeal[p as usize] *= 20.0;
            let mut first_hour = 0;
            let mut tries = 0;
            let mut k = 0;
            // The first hour: arrivals rise fast and fade (exponential, mean 18 min).
            while k < likers && tries < likers * 20 {
                tries += 1;
                let a = act.sample(&mut rng) as u32;
                if a == owner || stamp[a as usize] == v as u32 || w.created[a as usize] > c0 {
                    continue;
                }
                stamp[a as usize] = v as u32;
                k += 1;
                let d = (rng.exp(18.0 * MIN as f64) as i64).min(59 * MIN)
                    + rng.range_i64(5 * SEC, 60 * SEC);
                let t = c0 + d;
                if t >= w.end {
                    continue;
                }
                let ctx = session_ctx(w, &mut rng, a, t);
                buf.push(t, a, action::LIKE, tk::POST, p, owner, NONE, ctx, NO_OP);
                tagged.push((a, group::VIRAL_LIKER));
                first_hour += 1;
                if rng.chance(0.04) {
                    let x = if rng.chance(0.3) {
                        buf.texts.generic(&mut rng)
                    } else {
                        buf.texts
                            .organic(&mut rng, w.posts.comm[p as usize] as usize)
                    };
                    buf.push(
                        t + rng.range_i64(2 * SEC, 40 * SEC),
                        a,
                        action::COMMENT,
                        tk::POST,
                        p,
                        owner,
                        x,
                        ctx,
                        NO_OP,
                    );
                }
                if rng.chance(0.03) {
                    buf.push(
                        t + rng.range_i64(2 * SEC, 90 * SEC),
                        a,
                        action::SHARE,
                        tk::POST,
                        p,
                        owner,
                        NONE,
                        ctx,
                        NO_OP,
                    );
                }
            }
            // The long tail over the next day.
            for _ in 0..likers / 3 {
                let a = act.sample(&mut rng) as u32;
                if a == owner || stamp[a as usize] == v as u32 || w.created[a as usize] > c0 {
                    continue;
                }
                stamp[a as usize] = v as u32;
                let t = c0 + HOUR + rng.exp(6.0 * HOUR as f64) as i64;
                if t >= w.end {
                    continue;
                }
                let ctx = session_ctx(w, &mut rng, a, t);
                buf.push(t, a, action::LIKE, tk::POST, p, owner, NONE, ctx, NO_OP);
            }
            out.viral.push((p, first_hour));
        }
    }

    // --- Live broadcasts: followers of the creator like each post within minutes.
    let lives = w.lives.clone();
    for (l, &(c, _t0)) in lives.iter().enumerate() {
        let posts: Vec<u32> = w
            .posts
            .of(c)
            .iter()
            .copied()
            .filter(|&p| w.posts.live[p as usize] == l as u16 + 1)
            .collect();
        if posts.is_empty() {
            continue;
        }
        // Fans: people who follow the creator (a scan of the graph), else its community.
        let mut fans: Vec<u32> = (0..n)
            .filter(|&a| {
                w.kind[a as usize] == Kind::Person && w.follows(a).binary_search(&c).is_ok()
            })
            .collect();
        if fans.len() < o.live_fans[0] as usize {
            let comm = w.comm[c as usize][0] as usize;
            fans.extend(w.comm_people[comm].iter().copied().filter(|&a| a != c));
            fans.sort_unstable();
            fans.dedup();
        }
        let k = rng.range_u32(o.live_fans[0], o.live_fans[1]) as usize;
        let pick = rng.sample_distinct(fans.len(), k);
        let created0 = w.posts.created[posts[0] as usize];
        let chosen: Vec<u32> = pick
            .iter()
            .map(|&i| fans[i as usize])
            .filter(|&a| w.created[a as usize] < created0)
            .collect();
        for &a in &chosen {
            let ctx = session_ctx(w, &mut rng, a, created0);
            let keen = rng.range_f64(0.7, 0.97);
            for &p in &posts {
                if !rng.chance(keen) {
                    continue;
                }
                let t = w.posts.created[p as usize]
                    + rng.range_i64(15 * SEC, 4 * MIN)
                    + (rng.exp(40.0 * SEC as f64) as i64);
                if t >= w.end {
                    continue;
                }
                buf.push(t, a, action::LIKE, tk::POST, p, c, NONE, ctx, NO_OP);
                if rng.chance(0.12) {
                    let x = if rng.chance(0.5) {
                        buf.texts.generic(&mut rng)
                    } else {
                        buf.texts
                            .organic(&mut rng, w.posts.comm[p as usize] as usize)
                    };
                    buf.push(
                        t + rng.range_i64(3 * SEC, 60 * SEC),
                        a,
                        action::COMMENT,
                        tk::POST,
                        p,
                        c,
                        x,
                        ctx,
                        NO_OP,
                    );
                }
            }
            tagged.push((a, group::LIVE_FAN));
        }
        out.live.push((c, chosen.len() as u32));
    }
    for (a, g) in tagged {
        w.groups[a as usize] |= g;
    }
    out
}
