//! A 20 000-account, 5-day world with every scenario, generated once for all tests.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::OnceLock;

use lockstep_sim::{Config, Simulation};

/// One event, owned.
#[derive(Debug, Clone)]
pub(crate) struct E {
    pub(crate) id: String,
    pub(crate) ts: i64,
    pub(crate) actor: u32,
    pub(crate) action: &'static str,
    pub(crate) target: String,
    pub(crate) owner: Option<u32>,
    pub(crate) text: Option<String>,
    pub(crate) ip: Option<IpAddr>,
    pub(crate) device: Option<String>,
    pub(crate) client: String,
    pub(crate) op: Option<String>,
}

pub(crate) struct World {
    pub(crate) sim: Simulation,
    pub(crate) events: Vec<E>,
    /// Account id → index in `sim.accounts()`.
    pub(crate) index: HashMap<String, u32>,
}

impl World {
    pub(crate) fn acct(&self, id: &str) -> u32 {
        self.index[id]
    }

    pub(crate) fn op(&self, id: &str) -> &lockstep_sim::Operation {
        self.sim
            .operations()
            .iter()
            .find(|o| o.id == id)
            .expect("operation planted")
    }

    pub(crate) fn op_events<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a E> + 'a {
        self.events
            .iter()
            .filter(move |e| e.op.as_deref() == Some(id))
    }
}

pub(crate) fn config() -> Config {
    let mut cfg = Config::default();
    cfg.accounts = 20_000;
    cfg.days = 5;
    cfg.seed = 7;
    // A scaled-down world keeps carrier NAT meaningful with a smaller pool.
    cfg.organic.cgnat_pool_size = 24;
    // A like farm of its default size, so that an order takes only part of it.
    cfg.like_farm.accounts = Some(600);
    // Enough botnet orders in five days for each bot to show its device rotation.
    cfg.emulator_botnet.orders_per_day = 8.0;
    cfg.data_harvest.start_day = 1.0;
    cfg.data_harvest.run_days = 3.0;
    cfg.vendor_app.start_day = 1.5;
    cfg.vendor_app.enroll_days = 1.0;
    cfg.hijacked_harvest.start_day = 1.0;
    cfg
}

pub(crate) fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let sim = Simulation::new(&config()).expect("valid config");
        let index: HashMap<String, u32> = sim
            .accounts()
            .enumerate()
            .map(|(i, a)| (a.id.to_string(), i as u32))
            .collect();
        let mut events = Vec::new();
        sim.for_each_event(|r, op| {
            events.push(E {
                id: r.id.to_string(),
                ts: r.ts,
                actor: index[r.actor],
                action: match r.action {
                    "like" => "like",
                    "follow" => "follow",
                    "comment" => "comment",
                    "share" => "share",
                    "view" => "view",
                    other => panic!("unexpected action {other}"),
                },
                target: r.target.to_string(),
                owner: r.owner.map(|o| index[o]),
                text: r.text.map(str::to_string),
                ip: r.ip,
                device: r.device.map(str::to_string),
                client: r.client.unwrap_or("").to_string(),
                op: op.map(str::to_string),
            });
        });
        World { sim, events, index }
    })
}
