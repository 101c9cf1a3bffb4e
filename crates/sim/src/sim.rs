//! [`Simulation`]: a planned world whose events are generated day by day on demand, and the
//! views of its accounts, devices, operations and events.

use std::ops::Range;

use lockstep_core::Attestation;
use lockstep_core::action::KNOWN_VERBS;
use lockstep_ingest::write::EventRow;
use rayon::prelude::*;

use crate::cohorts;
use crate::config::Config;
use crate::events::{Buf, Ev, NO_OP, NONE, SHARED_TEXT, tk};
use crate::ops::{self, Op};
use crate::special::{self, Specials};
use crate::time::DAY;
use crate::world::{Label, World, group};
use crate::{Result, organic};

/// A planted operation, as the truth files describe it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Operation {
    /// Operation id, e.g. `op-like-farm-1`.
    pub id: String,
    /// The scenario that planted it.
    pub scenario: String,
    /// CONTRACT §2 kind: `like-farm`, `follower-vendor`, `comment-farm`, `vendor-app`,
    /// `scraping`.
    pub kind: String,
    /// The operation this one comes back from after a ban.
    pub returns_from: Option<String>,
    /// Its accounts (fake, or compromised for `vendor-app`).
    pub accounts: Vec<String>,
    /// The vendor's customers: owners of the boosted posts or followed accounts.
    pub customers: Vec<String>,
    /// Accounts whose data it read (`data-harvest`).
    pub victims: Vec<String>,
    /// Events it produced (engagement, camouflage, reads).
    pub events: u64,
    /// First moment it may act (epoch ms).
    pub active_from: i64,
    /// Moment it stops (epoch ms): the window's end, or its ban.
    pub active_until: i64,
    /// When it was banned, if it was.
    pub banned_at: Option<i64>,
    /// The datacenter or vendor /24s it sends from (`a.b.c.0/24`).
    pub subnets: Vec<String>,
    /// The client it uses when that identifies it (`api:<app>`, the bots' app version).
    pub client: Option<String>,
}

/// One account of the world.
#[derive(Debug, Clone, Copy)]
pub struct AccountView<'a> {
    /// Account id.
    pub id: &'a str,
    /// Creation time (epoch ms).
    pub created_at: i64,
    /// Ground-truth label.
    pub label: Label,
    /// The operation it belongs to or is driven by.
    pub operation: Option<&'a str>,
    /// Cohort tags, bits of [`group`].
    pub groups: u16,
}

impl AccountView<'_> {
    /// Whether the account carries cohort tag `bit` (a [`group`] constant).
    pub fn has(&self, bit: u16) -> bool {
        self.groups & bit != 0
    }

    /// The cohort tags' names.
    pub fn tags(&self) -> impl Iterator<Item = &'static str> + '_ {
        group::NAMES
            .iter()
            .enumerate()
            .filter(move |(k, _)| self.groups & (1 << k) != 0)
            .map(|(_, n)| *n)
    }
}

/// One device of the world.
#[derive(Debug, Clone, Copy)]
pub struct DeviceView<'a> {
    /// Device id.
    pub id: &'a str,
    /// Reported model.
    pub model: &'a str,
    /// Reported OS and version.
    pub os: &'a str,
    /// Reported build fingerprint.
    pub build: &'a str,
    /// Reported screen.
    pub screen: (u16, u16),
    /// Attestation result.
    pub attestation: Attestation,
}

/// A planned organic event that looks like fraud: a viral post or a live broadcast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    /// The creator.
    pub owner: String,
    /// The posts involved with their creation times (one for a viral post).
    pub posts: Vec<(String, i64)>,
    /// People taking part (first-hour likers of a viral post, fans at a live broadcast).
    pub people: u32,
}

/// One day of events, merged and sorted by time.
pub(crate) struct DayShard {
    pub(crate) day: u32,
    pub(crate) buf: Buf,
}

/// A fully planned world. Events are generated day by day, on demand, from per-day random
/// streams: [`Simulation::for_each_event`] and the writers see the same events.
pub struct Simulation {
    pub(crate) cfg: Config,
    pub(crate) scenarios: Vec<&'static str>,
    pub(crate) world: World,
    pub(crate) ops: Vec<Op>,
    pub(crate) operations: Vec<Operation>,
    /// Planned (cross-day) events, sorted by time; texts shared by all days.
    pub(crate) extra: Buf,
    pub(crate) extra_days: Vec<Range<usize>>,
    pub(crate) specials: Specials,
}

impl std::fmt::Debug for Simulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation")
            .field("accounts", &self.world.n_accounts())
            .field("posts", &self.world.posts.len())
            .field("scenarios", &self.scenarios)
            .finish_non_exhaustive()
    }
}

impl Simulation {
    /// Plans the world of `cfg`: the organic population, its graph and posts, the viral
    /// posts and live broadcasts, and every planted operation.
    ///
    /// # Errors
    /// [`crate::Error::Config`] or [`crate::Error::UnknownScenario`] for a bad config.
    pub fn new(cfg: &Config) -> Result<Self> {
        cfg.validate()?;
        let scenarios = cfg.scenario_set()?;
        let mut world = World::organic(cfg);
        let mut extra = Buf::default();
        let specials = special::plan(&mut world, &cfg.organic, &mut extra);
        cohorts::plan(&mut world, &cfg.organic, &mut extra);
        let ops = ops::plan(&mut world, cfg, &scenarios, &mut extra);
        for e in &mut extra.evs {
            if e.text != NONE {
                e.text |= SHARED_TEXT;
            }
        }
        extra.evs.sort_by_key(|e| e.ts);
        let extra_days = (0..world.days as i64)
            .map(|d| {
                let (t0, t1) = (world.start + d * DAY, world.start + (d + 1) * DAY);
                extra.evs.partition_point(|e| e.ts < t0)..extra.evs.partition_point(|e| e.ts < t1)
            })
            .collect();
        let mut counts = vec![0u64; ops.len()];
        for e in &extra.evs {
            if e.op != NO_OP && e.ts >= world.start && e.ts < world.end {
                counts[e.op as usize] += 1;
            }
        }
        let ids = |v: &[u32]| {
            v.iter()
                .map(|&a| world.ids.get(a).to_string())
                .collect::<Vec<_>>()
        };
        let operations = ops
            .iter()
            .zip(&counts)
            .map(|(o, &n)| Operation {
                id: o.id.clone(),
                scenario: o.scenario.to_string(),
                kind: o.kind.to_string(),
                returns_from: o.returns_from.map(|k| ops[k].id.clone()),
                accounts: ids(&o.accounts),
                customers: ids(&o.customers),
                victims: ids(&o.victims),
                events: n,
                active_from: o.active_from,
                active_until: o.active_until,
                banned_at: o.banned_at,
                subnets: o
                    .subnets
                    .iter()
                    .map(|s| format!("{}.{}.{}.0/24", s[0], s[1], s[2]))
                    .collect(),
                client: o.client.clone(),
            })
            .collect();
        Ok(Self {
            cfg: cfg.clone(),
            scenarios,
            world,
            ops,
            operations,
            extra,
            extra_days,
            specials,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The observed window `[start, end)` in epoch milliseconds.
    pub fn window(&self) -> (i64, i64) {
        (self.world.start, self.world.end)
    }

    /// The scenarios planted.
    pub fn scenarios(&self) -> &[&'static str] {
        &self.scenarios
    }

    /// The planted operations, in plant order.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// Number of accounts (organic and planted).
    pub fn num_accounts(&self) -> usize {
        self.world.n_accounts() as usize
    }

    /// Number of devices.
    pub fn num_devices(&self) -> usize {
        self.world.devices.len()
    }

    /// Number of posts (including the three days before the window).
    pub fn num_posts(&self) -> usize {
        self.world.posts.len()
    }

    /// Account `i` (`i < num_accounts()`), in internal order.
    pub fn account(&self, i: usize) -> AccountView<'_> {
        let w = &self.world;
        let op = w.op[i];
        AccountView {
            id: w.ids.get(i as u32),
            created_at: w.created[i],
            label: w.label[i],
            operation: (op != NO_OP).then(|| self.ops[op as usize].id.as_str()),
            groups: w.groups[i],
        }
    }

    /// All accounts, in internal order.
    pub fn accounts(&self) -> impl Iterator<Item = AccountView<'_>> + '_ {
        (0..self.num_accounts()).map(|i| self.account(i))
    }

    /// Device `i` (`i < num_devices()`).
    pub fn device(&self, i: usize) -> DeviceView<'_> {
        let d = &self.world.devices;
        DeviceView {
            id: d.ids.get(i as u32),
            model: d.strings.get(d.model[i]),
            os: d.strings.get(d.os[i]),
            build: d.strings.get(d.build[i]),
            screen: d.screen[i],
            attestation: d.attestation[i],
        }
    }

    /// All devices.
    pub fn devices(&self) -> impl Iterator<Item = DeviceView<'_>> + '_ {
        (0..self.num_devices()).map(|i| self.device(i))
    }

    /// The viral posts (with their first-hour likers).
    pub fn viral_posts(&self) -> Vec<Highlight> {
        let w = &self.world;
        self.specials
            .viral
            .iter()
            .map(|&(p, n)| Highlight {
                owner: w.ids.get(w.posts.owner[p as usize]).to_string(),
                posts: vec![(w.posts.ids.get(p).to_string(), w.posts.created[p as usize])],
                people: n,
            })
            .collect()
    }

    /// The live broadcasts (with their fans).
    pub fn live_broadcasts(&self) -> Vec<Highlight> {
        let w = &self.world;
        self.specials
            .live
            .iter()
            .enumerate()
            .map(|(l, &(c, n))| Highlight {
                owner: w.ids.get(c).to_string(),
                posts: w
                    .posts
                    .of(c)
                    .iter()
                    .filter(|&&p| w.posts.live[p as usize] == l as u16 + 1)
                    .map(|&p| (w.posts.ids.get(p).to_string(), w.posts.created[p as usize]))
                    .collect(),
                people: n,
            })
            .collect()
    }

    /// Day `d`'s events: organic life merged with the planned events, sorted by time (ties
    /// in generation order).
    pub(crate) fn day(&self, d: u32) -> DayShard {
        let mut buf = organic::day(&self.world, &self.cfg.organic, d);
        buf.evs
            .extend_from_slice(&self.extra.evs[self.extra_days[d as usize].clone()]);
        // Sort by (time, generation order): unique keys, so the order is fully determined.
        let mut keys: Vec<(i64, u32)> = buf
            .evs
            .iter()
            .enumerate()
            .map(|(i, e)| (e.ts, i as u32))
            .collect();
        keys.sort_unstable();
        buf.evs = keys.iter().map(|&(_, i)| buf.evs[i as usize]).collect();
        DayShard { day: d, buf }
    }

    /// Calls `f` on every event in time order, with the id it gets in the output and the
    /// operation that produced it (`None` for organic events). Generates days in parallel,
    /// a few at a time.
    pub fn for_each_event(&self, mut f: impl FnMut(&EventRow<'_>, Option<&str>)) {
        let mut seq = 0u64;
        let mut bufs = RowBufs::default();
        let days: Vec<u32> = (0..self.world.days).collect();
        for chunk in days.chunks(rayon::current_num_threads().max(1)) {
            let shards: Vec<DayShard> = chunk.par_iter().map(|&d| self.day(d)).collect();
            for sh in &shards {
                for e in &sh.buf.evs {
                    let op = (e.op != NO_OP).then(|| self.ops[e.op as usize].id.as_str());
                    let row = self.row(&sh.buf, e, seq, &mut bufs);
                    f(&row, op);
                    seq += 1;
                }
            }
        }
    }

    /// The output row of `e` (id from `seq`), using `bufs` for the strings it must build.
    #[inline]
    pub(crate) fn row<'a>(
        &'a self,
        day: &'a Buf,
        e: &Ev,
        seq: u64,
        bufs: &'a mut RowBufs,
    ) -> EventRow<'a> {
        let w = &self.world;
        bufs.id.clear();
        bufs.id.push('e');
        crate::rng::push_base36(&mut bufs.id, seq, 1);
        w.account_id_into(e.actor, &mut bufs.actor);
        match e.tkind {
            tk::POST => w.post_id_into(e.target, &mut bufs.target),
            tk::ACCOUNT => w.account_id_into(e.target, &mut bufs.target),
            _ => {
                w.account_id_into(e.target, &mut bufs.target);
                bufs.target.insert_str(0, "friends:");
            }
        }
        let owner = if e.owner == NONE {
            false
        } else if e.owner == e.target && e.tkind != tk::POST {
            bufs.owner.clear();
            bufs.owner.push_str(&bufs.target[bufs.target.len() - 9..]);
            true
        } else {
            w.account_id_into(e.owner, &mut bufs.owner);
            true
        };
        let device = e.device != NONE;
        if device {
            w.device_id_into(e.device, &mut bufs.device);
        }
        let text = if e.text == NONE {
            None
        } else if e.text & SHARED_TEXT != 0 {
            Some(self.extra.texts.get(e.text & !SHARED_TEXT))
        } else {
            Some(day.texts.get(e.text))
        };
        EventRow {
            id: &bufs.id,
            ts: e.ts,
            actor: &bufs.actor,
            action: KNOWN_VERBS[e.action as usize],
            target: &bufs.target,
            owner: owner.then_some(bufs.owner.as_str()),
            text,
            ip: (e.ip != NONE).then(|| w.ips[e.ip as usize]),
            device: device.then_some(bufs.device.as_str()),
            client: Some(w.clients[e.client as usize].as_str()),
        }
    }
}

/// Reusable string buffers for building rows.
#[derive(Debug, Default)]
pub(crate) struct RowBufs {
    pub(crate) id: String,
    pub(crate) actor: String,
    pub(crate) target: String,
    pub(crate) owner: String,
    pub(crate) device: String,
}
