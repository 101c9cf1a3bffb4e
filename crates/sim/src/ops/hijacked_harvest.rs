//! `hijacked-harvest`: the vendor replays the sessions of real people who gave it their login
//! on its own emulators and reads, through each session, the profiles, friend lists and posts
//! of that person's friends (and their friends). The people read are the victims; the people
//! whose sessions were used are compromised, and their own activity goes on as before.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use lockstep_core::action;

use super::*;
use crate::config::Config;
use crate::events::{Buf, NONE, tk};
use crate::rng::Rng;
use crate::time::DAY;
use crate::world::{Label, World, client};

pub(super) fn plant(
    w: &mut World,
    cfg: &Config,
    rng: &mut Rng,
    buf: &mut Buf,
    ops: &mut Vec<Op>,
    sh: &mut Shared,
) {
    let c = &cfg.hijacked_harvest;
    let opi = ops.len() as u16;
    let from = w.start + (c.start_day * DAY as f64) as i64;
    let until = from + (c.run_days * DAY as f64) as i64;
    let mut op = new_op(w, "hijacked-harvest", 1, from, until);
    let (from, until) = (op.active_from, op.active_until);
    let n = cfg.scaled(c.accounts, 40.0, 6) as usize;
    let net = w.dc_subnet(rng);
    op.subnets.push(net);
    let emulators = emulator_templates(w, rng, c.emulators, 0.5);
    if !c.spoof_client {
        op.client = Some(w.clients[client::BOT as usize].clone());
    }
    let sessions = pick_victim_accounts(w, rng, sh, n, from);
    for &a in &sessions {
        w.label[a as usize] = Label::Compromised;
        w.op[a as usize] = opi;
    }
    let fleet = Fleet {
        own: w.subnet_ips(rng, net, c.ips, 2, 254),
        dev: sessions
            .iter()
            .map(|_| {
                let k = rng.range_u32(1, 2) as usize;
                (0..k).map(|_| *rng.pick(&emulators)).collect()
            })
            .collect(),
        accounts: sessions,
        client: (!c.spoof_client).then_some(client::BOT),
        ..Fleet::default()
    };
    if fleet.accounts.is_empty() || until <= from {
        op.accounts = fleet.accounts;
        ops.push(op);
        return;
    }
    // Each session walks its owner's friends, then their friends: profile, friend list and
    // the latest post of each, at its own rate.
    let mut read = vec![false; w.n_organic as usize];
    let mut heap = BinaryHeap::new();
    let mut gaps = Vec::with_capacity(fleet.accounts.len());
    // Per session: its frontier and the step on the current person.
    let mut frontier: Vec<std::collections::VecDeque<u32>> = Vec::new();
    let mut seen: Vec<std::collections::HashSet<u32>> = Vec::new();
    let mut state: Vec<(u32, u32)> = vec![(NONE, 0); fleet.accounts.len()];
    for (i, &a) in fleet.accounts.iter().enumerate() {
        let gap = DAY as f64 / rng.range_f64(c.reads_per_day[0], c.reads_per_day[1]);
        gaps.push(gap);
        frontier.push(w.follows(a).iter().copied().collect());
        seen.push(
            std::iter::once(a)
                .chain(w.follows(a).iter().copied())
                .collect(),
        );
        heap.push(Reverse((from + rng.range_i64(0, gap as i64 + 1), i as u32)));
    }
    while let Some(Reverse((t, i))) = heap.pop() {
        if t >= until {
            continue;
        }
        let iu = i as usize;
        let a = fleet.accounts[iu];
        if let Some(wake) = asleep_until(w, a, t, c.sleep_hours) {
            heap.push(Reverse((wake, i)));
            continue;
        }
        let (mut v, mut step) = state[iu];
        if v == NONE || step >= 3 {
            let Some(next) = frontier[iu].pop_front() else {
                continue; // this session has read everyone it can reach
            };
            v = next;
            step = 0;
            if !read[v as usize] {
                read[v as usize] = true;
                op.victims.push(v);
            }
            for &f in w.follows(v) {
                if (f as usize) < read.len() && seen[iu].insert(f) {
                    frontier[iu].push_back(f);
                }
            }
        }
        let ctx = fleet.ctx(w, rng, iu, t);
        match step {
            0 => buf.push(t, a, action::VIEW, tk::ACCOUNT, v, v, NONE, ctx, opi),
            1 => buf.push(t, a, action::VIEW, tk::FRIENDS, v, v, NONE, ctx, opi),
            _ => {
                if let Some(p) = w.posts.latest_before(v, t) {
                    buf.push(t, a, action::VIEW, tk::POST, p, v, NONE, ctx, opi);
                }
            }
        }
        state[iu] = (v, step + 1);
        let next = t + (gaps[iu] * rng.range_f64(0.5, 1.5)) as i64;
        heap.push(Reverse((next.max(t + 1), i)));
    }
    op.victims.sort_unstable_by_key(|&a| w.code[a as usize]);
    op.accounts = fleet.accounts;
    ops.push(op);
}
