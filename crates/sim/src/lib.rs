//! A simulated social platform: realistic organic life with planted fraud operations, and the
//! exact ground truth of what was planted.
//!
//! # Brief overview
//!
//! A [`Config`] (every knob has a default; TOML files override any of them) describes the
//! world. [`Simulation::new`] plans it: organic accounts (people, creators, pages) with
//! communities, heavy-tailed activity and popularity, time zones, households, carriers and
//! devices; the follow graph and the posts; the organic events that look most like fraud
//! (viral posts, live broadcasts); and each planted operation of [`SCENARIOS`], which adds its
//! own accounts, devices, addresses and events. Organic events are then generated one day at
//! a time from per-day random streams, so days are generated in parallel and the output does
//! not depend on the number of threads.
//!
//! [`simulate`] (or [`Simulation::write`]) writes the CONTRACT §1 files through
//! `lockstep_ingest::write` — `events.<ext>` (or one file per day), `accounts.<ext>`,
//! `devices.<ext>` — plus the truth files (`truth_accounts.csv`, `truth_events.csv`,
//! `truth_operations.csv`, `truth_victims.csv`, `truth_beneficiaries.csv`) and `world.json`.
//! [`Simulation::for_each_event`] yields the same rows in memory. `docs/SIMULATOR.md` in the
//! repository describes the model, every scenario and every knob.
//!
//! Sibling crates: `lockstep-core` (the data model), `lockstep-ingest` (readers and writers).
//!
//! # Example
//!
//! ```
//! use lockstep_sim::{Config, Simulation};
//!
//! let mut cfg = Config::default();
//! cfg.accounts = 2_000;
//! cfg.days = 1;
//! cfg.scenarios = vec!["like-farm".into()];
//! cfg.like_farm.orders_per_day = 200.0; // per 50 000 accounts: 8 a day here
//! let sim = Simulation::new(&cfg).unwrap();
//! let mut events = 0;
//! let mut fake = 0;
//! sim.for_each_event(|row, op| {
//!     events += 1;
//!     if op.is_some() {
//!         fake += 1;
//!         assert_eq!(row.action, "like");
//!     }
//! });
//! assert!(events > 5_000 && fake > 0);
//! assert_eq!(sim.operations()[0].id, "op-like-farm-1");
//! ```

mod catalog;
mod cohorts;
mod config;
mod error;
mod events;
mod ops;
mod organic;
mod output;
mod rng;
mod sim;
mod special;
mod style;
mod text;
mod time;
mod vary;
mod world;

pub use config::{
    AgedFarm, BanEvasion, CommentFarm, Config, DataHarvest, DripFollowers, EmulatorBotnet,
    HarvestVia, HijackedHarvest, LikeFarm, Organic, REFERENCE_ACCOUNTS, SCENARIOS, VendorApp,
};
pub use error::{Error, Result};
pub use lockstep_ingest::write::{EventRow, Format};
pub use output::{OperationSummary, SCHEMA_VERSION, Summary, simulate};
pub use sim::{AccountView, DeviceView, Highlight, Operation, Simulation};
pub use style::{DeviceMode, Network, Style, Timing};
pub use world::{Label, group};
