//! Writing a simulation: the CONTRACT §1 files through `lockstep_ingest::write`, the truth
//! CSVs and `world.json`, with days generated in parallel and written in order.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lockstep_ingest::write::{
    AccountRow, AccountWriter, DeviceRow, DeviceWriter, EventWriter, Format,
};
use rayon::prelude::*;

use crate::catalog::{BIOS, FARM_BIOS, FIRST, LAST, TOPICS};
use crate::events::NO_OP;
use crate::rng::{Rng, derive};
use crate::sim::{DayShard, RowBufs, Simulation};
use crate::time::DAY;
use crate::world::{Kind, group};
use crate::{Error, Result};

/// The version of the simulator's output layout (`world.json`, truth files).
pub const SCHEMA_VERSION: u32 = 1;

/// What one run wrote, with timings.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    /// Events written.
    pub events: u64,
    /// Accounts (organic and planted).
    pub accounts: u64,
    /// Organic accounts (including the compromised ones).
    pub organic_accounts: u64,
    /// Fake accounts.
    pub fake_accounts: u64,
    /// Compromised accounts.
    pub compromised_accounts: u64,
    /// Devices.
    pub devices: u64,
    /// Posts (including the three days before the window).
    pub posts: u64,
    /// Events produced by operations.
    pub fake_events: u64,
    /// Per operation: id, scenario, kind, accounts, events.
    pub operations: Vec<OperationSummary>,
    /// Files written, in order.
    pub files: Vec<PathBuf>,
    /// Time to plan the world (accounts, graph, posts, operations).
    #[serde(skip)]
    pub plan_time: Duration,
    /// Time to generate and write the events and side files.
    #[serde(skip)]
    pub write_time: Duration,
}

impl Summary {
    /// Total time.
    pub fn elapsed(&self) -> Duration {
        self.plan_time + self.write_time
    }

    /// Events per second over the whole run.
    pub fn events_per_second(&self) -> f64 {
        self.events as f64 / self.elapsed().as_secs_f64().max(1e-9)
    }
}

/// One operation's line in the summary.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OperationSummary {
    /// Operation id.
    pub id: String,
    /// Scenario.
    pub scenario: String,
    /// Kind.
    pub kind: String,
    /// Accounts.
    pub accounts: usize,
    /// Events.
    pub events: u64,
    /// The operation it returns from, if any.
    pub returns_from: Option<String>,
}

/// Plans the world of `cfg` and writes it to `out` in `format`.
///
/// # Errors
/// A bad config, or a file that cannot be written.
pub fn simulate(cfg: &crate::Config, out: &Path, format: Format) -> Result<Summary> {
    let t = Instant::now();
    let sim = Simulation::new(cfg)?;
    let plan_time = t.elapsed();
    let mut s = sim.write(out, format)?;
    s.plan_time = plan_time;
    Ok(s)
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    File::create(path)
        .map(|f| BufWriter::with_capacity(1 << 20, f))
        .map_err(|e| Error::io(path, e))
}

impl Simulation {
    /// Writes every file into `out` (created if missing).
    ///
    /// # Errors
    /// When a file cannot be created or written.
    pub fn write(&self, out: &Path, format: Format) -> Result<Summary> {
        let t = Instant::now();
        std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
        let ext = format.extension().to_string();
        let mut files = Vec::new();

        let accounts_path = out.join(format!("accounts.{ext}"));
        self.write_accounts(&accounts_path, format)?;
        files.push(accounts_path);
        let devices_path = out.join(format!("devices.{ext}"));
        self.write_devices(&devices_path, format)?;
        files.push(devices_path);

        let (events, fake_events, event_files) = self.write_events(out, format, &ext)?;
        files.extend(event_files.iter().cloned());
        files.push(out.join("truth_events.csv"));
        files.extend(self.write_truth(out)?);
        let summary = self.summary(events, fake_events, files.clone());
        let world_path = out.join("world.json");
        self.write_world_json(&world_path, &summary, &event_files, out)?;
        let mut summary = summary;
        summary.files.push(world_path);
        summary.write_time = t.elapsed();
        Ok(summary)
    }

    fn summary(&self, events: u64, fake_events: u64, files: Vec<PathBuf>) -> Summary {
        let w = &self.world;
        let count = |l: crate::Label| w.label.iter().filter(|&&x| x == l).count() as u64;
        Summary {
            events,
            accounts: w.n_accounts() as u64,
            organic_accounts: w.n_organic as u64,
            fake_accounts: count(crate::Label::Fake),
            compromised_accounts: count(crate::Label::Compromised),
            devices: w.devices.len() as u64,
            posts: w.posts.len() as u64,
            fake_events,
            operations: self
                .operations
                .iter()
                .map(|o| OperationSummary {
                    id: o.id.clone(),
                    scenario: o.scenario.clone(),
                    kind: o.kind.clone(),
                    accounts: o.accounts.len(),
                    events: o.events,
                    returns_from: o.returns_from.clone(),
                })
                .collect(),
            files,
            plan_time: Duration::ZERO,
            write_time: Duration::ZERO,
        }
    }

    /// Accounts in the order of their ids (which reveals nothing).
    fn account_order(&self) -> Vec<u32> {
        let mut v: Vec<u32> = (0..self.world.n_accounts()).collect();
        v.sort_unstable_by_key(|&a| self.world.code[a as usize]);
        v
    }

    fn write_accounts(&self, path: &Path, format: Format) -> Result<()> {
        let w = &self.world;
        let mut indeg = vec![0u32; w.n_accounts() as usize];
        for &b in &w.fol {
            indeg[b as usize] += 1;
        }
        let mut wr = AccountWriter::create_with_attrs(
            path,
            format,
            &["name", "bio", "followers", "following", "posts"],
        )
        .map_err(|e| Error::write(path, e))?;
        let (mut name, mut bio, mut fo, mut fg, mut po) = (
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        );
        for a in self.account_order() {
            let ai = a as usize;
            let mut rng = Rng::new(derive(w.seed, 0x9e0f, a as u64));
            name.clear();
            bio.clear();
            let first = FIRST[rng.index(FIRST.len())];
            let last = LAST[rng.index(LAST.len())];
            let topic = TOPICS[w.comm[ai][0] as usize % TOPICS.len()].0;
            let age_days = ((w.end - w.created[ai]) / DAY).max(0) as f64;
            let (followers, following, posts) = match (w.kind[ai], w.style[ai]) {
                (Kind::Farm, st) => {
                    if rng.chance(0.5) {
                        let _ = write!(
                            name,
                            "{}_{}{}",
                            first.to_lowercase(),
                            last.to_lowercase(),
                            rng.range_u32(10, 9999)
                        );
                    } else {
                        let _ = write!(name, "{first} {last}");
                    }
                    bio.push_str(FARM_BIOS[rng.index(FARM_BIOS.len())]);
                    match st {
                        2 => (
                            rng.range_u32(40, 600) as u64,
                            rng.range_u32(100, 900) as u64,
                            rng.range_u32(5, 80) as u64,
                        ),
                        3 => (
                            rng.range_u32(0, 80) as u64,
                            rng.range_u32(800, 5000) as u64,
                            rng.range_u32(0, 6) as u64,
                        ),
                        _ => (
                            rng.range_u32(0, 30) as u64,
                            rng.range_u32(50, 900) as u64,
                            rng.range_u32(0, 3) as u64,
                        ),
                    }
                }
                (kind, _) => {
                    match kind {
                        Kind::Page => {
                            let _ = write!(
                                name,
                                "{} {}",
                                last,
                                ["Studio", "Co.", "Kitchen", "Club", "Official", "Store"]
                                    [rng.index(6)]
                            );
                        }
                        _ if rng.chance(0.3) => {
                            let _ =
                                write!(name, "{}.{}", first.to_lowercase(), last.to_lowercase());
                        }
                        _ => {
                            let _ = write!(name, "{first} {last}");
                        }
                    }
                    let tpl = BIOS[rng.index(BIOS.len())];
                    bio.push_str(&tpl.replace("{topic}", topic).replace("{emoji}", "✨"));
                    let window_posts = w.posts.of(a).len() as f64;
                    let past = match kind {
                        Kind::Creator | Kind::Page => age_days * 0.8,
                        _ => age_days * 0.04 * (w.rate[ai] as f64 / 5.0).min(4.0),
                    };
                    let f = indeg[ai] as u64 * 3
                        + (w.popularity[ai] as f64 * 60.0) as u64
                        + rng.below(40) as u64;
                    let out = w.follows(a).len() as u64;
                    (
                        f,
                        out + rng.below(out as u32 + 1) as u64,
                        (window_posts + past) as u64,
                    )
                }
            };
            fo.clear();
            fg.clear();
            po.clear();
            let _ = write!(fo, "{followers}");
            let _ = write!(fg, "{following}");
            let _ = write!(po, "{posts}");
            let attrs = [
                ("name", name.as_str()),
                ("bio", bio.as_str()),
                ("followers", fo.as_str()),
                ("following", fg.as_str()),
                ("posts", po.as_str()),
            ];
            wr.write(&AccountRow {
                id: w.ids.get(a),
                created_at: Some(w.created[ai]),
                attrs: &attrs,
            })
            .map_err(|e| Error::write(path, e))?;
        }
        wr.finish().map_err(|e| Error::write(path, e))?;
        Ok(())
    }

    fn write_devices(&self, path: &Path, format: Format) -> Result<()> {
        let d = &self.world.devices;
        let mut order: Vec<u32> = (0..d.len() as u32).collect();
        order.sort_unstable_by_key(|&i| d.id[i as usize]);
        let mut wr = DeviceWriter::create(path, format).map_err(|e| Error::write(path, e))?;
        for i in order {
            let v = self.device(i as usize);
            wr.write(&DeviceRow {
                id: v.id,
                model: Some(v.model),
                os: Some(v.os),
                build: Some(v.build),
                screen: Some(v.screen),
                attestation: Some(v.attestation),
            })
            .map_err(|e| Error::write(path, e))?;
        }
        wr.finish().map_err(|e| Error::write(path, e))?;
        Ok(())
    }

    /// Writes one day's events (ids from `first`) and returns its truth lines and counts.
    fn write_day(
        &self,
        sh: &DayShard,
        first: u64,
        wr: &mut EventWriter,
        path: &Path,
    ) -> Result<(Vec<u8>, u64)> {
        let mut truth = Vec::with_capacity(sh.buf.evs.len() * 12);
        let mut bufs = RowBufs::default();
        let mut fake = 0;
        for (k, e) in sh.buf.evs.iter().enumerate() {
            let row = self.row(&sh.buf, e, first + k as u64, &mut bufs);
            wr.write(&row).map_err(|err| Error::write(path, err))?;
            truth.extend_from_slice(row.id.as_bytes());
            if e.op == NO_OP {
                truth.extend_from_slice(b",0,\n");
            } else {
                fake += 1;
                truth.extend_from_slice(b",1,");
                truth.extend_from_slice(self.ops[e.op as usize].id.as_bytes());
                truth.push(b'\n');
            }
        }
        Ok((truth, fake))
    }

    fn write_events(
        &self,
        out: &Path,
        format: Format,
        ext: &str,
    ) -> Result<(u64, u64, Vec<PathBuf>)> {
        let days = self.world.days;
        let split = self.cfg.split_events;
        let truth_path = out.join("truth_events.csv");
        let mut truth = create(&truth_path)?;
        truth
            .write_all(b"event,fake,operation\n")
            .map_err(|e| Error::io(&truth_path, e))?;
        let single = out.join(format!("events.{ext}"));
        let day_path = |d: u32| out.join(format!("events-{d:03}.{ext}"));
        let files: Vec<PathBuf> = if split {
            (0..days).map(day_path).collect()
        } else {
            vec![single.clone()]
        };
        let threads = rayon::current_num_threads().max(1);
        let (tx, rx) = std::sync::mpsc::sync_channel::<DayShard>(threads);
        let mut seq = 0u64;
        let mut fake = 0u64;
        std::thread::scope(|s| -> Result<()> {
            s.spawn(move || {
                let all: Vec<u32> = (0..days).collect();
                for chunk in all.chunks(threads) {
                    let shards: Vec<DayShard> = chunk.par_iter().map(|&d| self.day(d)).collect();
                    for sh in shards {
                        if tx.send(sh).is_err() {
                            return;
                        }
                    }
                }
            });
            let mut finish_truth =
                |t: Vec<u8>, f: u64, truth: &mut BufWriter<File>| -> Result<()> {
                    fake += f;
                    truth.write_all(&t).map_err(|e| Error::io(&truth_path, e))
                };
            if split {
                let mut pending = VecDeque::new();
                for sh in rx {
                    let first = seq;
                    seq += sh.buf.evs.len() as u64;
                    let path = day_path(sh.day);
                    pending.push_back(s.spawn(move || -> Result<(Vec<u8>, u64)> {
                        let mut wr = EventWriter::create(&path, format)
                            .map_err(|e| Error::write(&path, e))?;
                        let r = self.write_day(&sh, first, &mut wr, &path)?;
                        wr.finish().map_err(|e| Error::write(&path, e))?;
                        Ok(r)
                    }));
                    while pending.len() >= threads {
                        let h = pending.pop_front().expect("non-empty");
                        let (t, f) = h
                            .join()
                            .map_err(|_| Error::Internal("an event writer panicked".into()))??;
                        finish_truth(t, f, &mut truth)?;
                    }
                }
                for h in pending {
                    let (t, f) = h
                        .join()
                        .map_err(|_| Error::Internal("an event writer panicked".into()))??;
                    finish_truth(t, f, &mut truth)?;
                }
            } else {
                let mut wr =
                    EventWriter::create(&single, format).map_err(|e| Error::write(&single, e))?;
                for sh in rx {
                    let (t, f) = self.write_day(&sh, seq, &mut wr, &single)?;
                    seq += sh.buf.evs.len() as u64;
                    finish_truth(t, f, &mut truth)?;
                }
                wr.finish().map_err(|e| Error::write(&single, e))?;
            }
            Ok(())
        })?;
        truth.flush().map_err(|e| Error::io(&truth_path, e))?;
        Ok((seq, fake, files))
    }

    fn write_truth(&self, out: &Path) -> Result<Vec<PathBuf>> {
        let w = &self.world;
        let mut files = Vec::new();
        let mut put = |name: &str, body: &str| -> Result<()> {
            let p = out.join(name);
            std::fs::write(&p, body).map_err(|e| Error::io(&p, e))?;
            files.push(p);
            Ok(())
        };
        let mut s = String::from("account,label,operation,groups\n");
        for a in self.account_order() {
            let v = self.account(a as usize);
            let _ = write!(
                s,
                "{},{},{},",
                v.id,
                v.label.as_str(),
                v.operation.unwrap_or("")
            );
            let mut first = true;
            for t in v.tags() {
                if !first {
                    s.push(';');
                }
                first = false;
                s.push_str(t);
            }
            s.push('\n');
        }
        put("truth_accounts.csv", &s)?;

        let mut s = String::from("operation,scenario,kind,accounts,events,returns_from\n");
        for o in &self.operations {
            let _ = writeln!(
                s,
                "{},{},{},{},{},{}",
                o.id,
                o.scenario,
                o.kind,
                o.accounts.len(),
                o.events,
                o.returns_from.as_deref().unwrap_or("")
            );
        }
        put("truth_operations.csv", &s)?;

        let mut s = String::from("operation,account\n");
        for o in &self.operations {
            for v in &o.victims {
                let _ = writeln!(s, "{},{v}", o.id);
            }
        }
        put("truth_victims.csv", &s)?;

        let mut s = String::from("operation,owner\n");
        for o in &self.operations {
            for c in &o.customers {
                let _ = writeln!(s, "{},{c}", o.id);
            }
        }
        put("truth_beneficiaries.csv", &s)?;
        let _ = w;
        Ok(files)
    }

    fn write_world_json(
        &self,
        path: &Path,
        summary: &Summary,
        event_files: &[PathBuf],
        out: &Path,
    ) -> Result<()> {
        let w = &self.world;
        let rel = |p: &PathBuf| p.strip_prefix(out).unwrap_or(p).display().to_string();
        let mut per_scenario = serde_json::Map::new();
        for &sc in &self.scenarios {
            let ops: Vec<&crate::Operation> = self
                .operations
                .iter()
                .filter(|o| o.scenario == sc)
                .collect();
            per_scenario.insert(
                sc.to_string(),
                serde_json::json!({
                    "operations": ops.len(),
                    "accounts": ops.iter().map(|o| o.accounts.len()).sum::<usize>(),
                    "events": ops.iter().map(|o| o.events).sum::<u64>(),
                }),
            );
        }
        let mut tags = serde_json::Map::new();
        for (k, name) in group::NAMES.iter().enumerate() {
            let n = w.groups.iter().filter(|&&g| g & (1 << k) != 0).count();
            tags.insert(name.to_string(), n.into());
        }
        let ops: Vec<serde_json::Value> = self
            .operations
            .iter()
            .map(|o| {
                serde_json::json!({
                    "id": o.id, "scenario": o.scenario, "kind": o.kind,
                    "returns_from": o.returns_from,
                    "accounts": o.accounts.len(), "customers": o.customers.len(),
                    "victims": o.victims.len(), "events": o.events,
                    "active_from": o.active_from, "active_until": o.active_until,
                    "banned_at": o.banned_at, "subnets": o.subnets, "client": o.client,
                })
            })
            .collect();
        let doc = serde_json::json!({
            "schema_version": SCHEMA_VERSION,
            "seed": self.cfg.seed,
            "window": { "start": w.start, "end": w.end, "days": w.days },
            "scenarios": self.scenarios,
            "counts": {
                "events": summary.events,
                "fake_events": summary.fake_events,
                "accounts": summary.accounts,
                "organic_accounts": summary.organic_accounts,
                "fake_accounts": summary.fake_accounts,
                "compromised_accounts": summary.compromised_accounts,
                "devices": summary.devices,
                "posts": summary.posts,
                "ips": w.ips.len(),
                "per_scenario": per_scenario,
                "cohorts": tags,
                "viral_posts": self.specials.viral.len(),
                "live_broadcasts": self.specials.live.len(),
            },
            "operations": ops,
            "event_files": event_files.iter().map(rel).collect::<Vec<_>>(),
            "config": self.cfg,
        });
        let mut f = create(path)?;
        serde_json::to_writer_pretty(&mut f, &doc)
            .map_err(|e| Error::io(path, std::io::Error::other(e)))?;
        f.write_all(b"\n")
            .and_then(|_| f.flush())
            .map_err(|e| Error::io(path, e))
    }
}
