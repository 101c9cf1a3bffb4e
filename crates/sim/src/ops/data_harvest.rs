//! `data-harvest`: automated reads walking the social graph.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use lockstep_core::action;

use super::*;
use crate::config::{Config, HarvestVia};
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
    let c = &cfg.data_harvest;
    let opi = ops.len() as u16;
    let from = w.start + (c.start_day * DAY as f64) as i64;
    let until = from + (c.run_days * DAY as f64) as i64;
    let mut op = new_op(w, "data-harvest", 1, from, until);
    let (from, until) = (op.active_from, op.active_until);
    let n = cfg.scaled(c.accounts, 16.0, 4) as usize;
    let mut fleet = Fleet::default();
    match c.via {
        HarvestVia::Emulator => {
            if sh.emu_templates.is_empty() {
                sh.emu_templates = emulator_templates(w, rng, 4, 0.6);
                let net = w.dc_subnet(rng);
                sh.emu_net = Some(net);
                sh.emu_ips = w.subnet_ips(rng, net, 6, 2, 254);
            }
            op.subnets.extend(sh.emu_net);
            op.client = Some(w.clients[client::BOT as usize].clone());
            fleet.own = sh.emu_ips.clone();
            fleet.client = Some(client::BOT);
            for _ in 0..n {
                let created = w.start - rng.range_i64(3 * DAY, 30 * DAY);
                fleet
                    .accounts
                    .push(farm_account(w, rng, created, 3, opi, Label::Fake));
                let tpl = *rng.pick(&sh.emu_templates);
                let devs = (0..3).map(|_| w.clone_device(rng, tpl)).collect();
                fleet.dev.push(devs);
            }
        }
        HarvestVia::VendorApp => {
            vendor_infra(w, rng, sh, &cfg.vendor_app.app_id, cfg.vendor_app.infra_ips);
            op.subnets = sh.app_nets.clone();
            op.client = Some(format!("api:{}", cfg.vendor_app.app_id));
            fleet.own = sh.app_ips.clone();
            fleet.client = sh.app_client;
            fleet.accounts = pick_victim_accounts(w, rng, sh, n, from);
            fleet.dev = vec![Vec::new(); fleet.accounts.len()];
            for &a in &fleet.accounts {
                w.label[a as usize] = Label::Compromised;
                w.op[a as usize] = opi;
            }
        }
    }
    apply_style(w, rng, &mut fleet, &c.style);
    if fleet.accounts.is_empty() || until <= from {
        op.accounts = fleet.accounts;
        ops.push(op);
        return;
    }
    // A shared crawl frontier: breadth-first over follows from a few seeds, then id
    // enumeration once the reachable graph is exhausted.
    let norg = w.n_organic as usize;
    let mut visited = vec![false; norg];
    let mut queue = std::collections::VecDeque::new();
    let mut by_id: Vec<u32> = (0..w.n_organic).collect();
    if c.walk {
        for _ in 0..3 {
            let s = rng.below(w.n_organic);
            if !visited[s as usize] {
                visited[s as usize] = true;
                queue.push_back(s);
            }
        }
        by_id.sort_unstable_by_key(|&a| w.code[a as usize]);
    } else {
        // No graph walk: profiles in a random order.
        rng.shuffle(&mut by_id);
    }
    let mut enum_cursor = 0usize;
    let gap = DAY as f64 / c.reads_per_day.max(1e-3);
    let mut heap = BinaryHeap::new();
    // Per account: (victim, step).
    let mut state: Vec<(u32, u32)> = vec![(NONE, 0); fleet.accounts.len()];
    for i in 0..fleet.accounts.len() {
        heap.push(Reverse((from + rng.range_i64(0, gap as i64 + 1), i as u32)));
    }
    let post_steps = c.posts_per_victim;
    while let Some(Reverse((t, i))) = heap.pop() {
        if t >= until {
            continue;
        }
        let iu = i as usize;
        let (mut v, mut step) = state[iu];
        let a = fleet.accounts[iu];
        if let Some(wake) = asleep_until(w, a, t, c.sleep_hours) {
            heap.push(Reverse((wake, i)));
            continue;
        }
        let ctx = fleet.ctx(w, rng, iu, t);
        let mut done = false;
        // One read per tick: the next step on the current victim, or the next victim.
        loop {
            if v == NONE || step >= 2 + post_steps {
                let next = queue.pop_front().or_else(|| {
                    while enum_cursor < by_id.len() && visited[by_id[enum_cursor] as usize] {
                        enum_cursor += 1;
                    }
                    by_id
                        .get(enum_cursor)
                        .copied()
                        .inspect(|&a| visited[a as usize] = true)
                });
                let Some(nv) = next else {
                    done = true;
                    break;
                };
                v = nv;
                step = 0;
                op.victims.push(v);
                for &f in w.follows(v).iter().filter(|_| c.walk) {
                    if !visited[f as usize] {
                        visited[f as usize] = true;
                        queue.push_back(f);
                    }
                }
            }
            match step {
                0 => buf.push(t, a, action::VIEW, tk::ACCOUNT, v, v, NONE, ctx, opi),
                1 => buf.push(t, a, action::VIEW, tk::FRIENDS, v, v, NONE, ctx, opi),
                k => {
                    let ps = w.posts.of(v);
                    let n_before = ps.partition_point(|&p| w.posts.created[p as usize] <= t);
                    let j = (k - 2) as usize;
                    if j >= n_before {
                        step = 2 + post_steps;
                        continue;
                    }
                    buf.push(
                        t,
                        a,
                        action::VIEW,
                        tk::POST,
                        ps[n_before - 1 - j],
                        v,
                        NONE,
                        ctx,
                        opi,
                    );
                }
            }
            break;
        }
        if done {
            break;
        }
        state[iu] = (v, step + 1);
        let next = t + (gap * (1.0 + c.jitter * rng.range_f64(-1.0, 1.0))) as i64;
        heap.push(Reverse((next.max(t + 1), i)));
    }
    op.accounts = fleet.accounts;
    ops.push(op);
}
