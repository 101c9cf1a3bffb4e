//! M-Zoom (Shin et al., PKDD 2016) and D-Cube (Shin et al., WSDM 2017): dense blocks of the
//! account × target × time × IP × device tensor by greedy removal of low-mass values.

use lockstep_core::{EventLog, Id};
use lockstep_graph::{ActionSet, GraphIndex, ModeKind, Tensor, TensorConfig};
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::error::ensure_input;
use crate::signal::{Aspect, Aspects, Reason, Signal, human_ms};

/// The density of a block B of a tensor R with N modes, mass M (events) and sizes |Bₙ|.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DensityMeasure {
    /// Arithmetic average mass M / (Σ|Bₙ| / N): events per value, averaged over modes.
    Arithmetic,
    /// Geometric average mass M / (Π|Bₙ|)^(1/N).
    Geometric,
    /// Suspiciousness (KL divergence of the block's mass from what the whole tensor's
    /// average predicts): M(ln(M/M_R) − 1) + M_R·Π(|Bₙ|/|Rₙ|) − M·ln Π(|Bₙ|/|Rₙ|).
    Suspiciousness,
}

/// Which values a peeling step removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PeelPolicy {
    /// D-Cube: pick the mode whose removal of all its values with at most average mass
    /// gives the densest block, remove those values (smallest mass first, checking the
    /// density after each). Few, large, data-parallel steps: O(N log L) iterations.
    DCube,
    /// M-Zoom: remove the single value with the smallest mass (over all modes) at a time.
    MZoom,
}

/// How dense tensor blocks are found. See each field for its default and why.
#[derive(Debug, Clone, PartialEq)]
pub struct MZoomConfig {
    /// The actions counted. Default: the engagement verbs.
    pub actions: ActionSet,
    /// Modes, time bucket and the coverage rule for optional modes. Default: account ×
    /// target × hour × IP × device; an IP or device mode that fewer than half the events
    /// carry is dropped, otherwise "no IP" / "no device" is one more value of the mode
    /// (it rarely ends up in a dense block: its mass is large, so it is peeled late only if
    /// the block really lives there, e.g. a farm whose client sends no device id).
    pub tensor: TensorConfig,
    /// Default [`DensityMeasure::Geometric`]. On heavy-tailed engagement the arithmetic
    /// average rewards adding any heavy user (its own IP and device cost little against its
    /// mass), so farm blocks come out padded with power users; the geometric average charges
    /// every extra IP or device multiplicatively and isolates the farm's few proxies and
    /// emulators. Suspiciousness favours the largest blocks and finds background first.
    pub density: DensityMeasure,
    /// Default [`PeelPolicy::MZoom`]: one value at a time recovers the planted farms whole,
    /// while D-Cube's batch removal drops a farm's least-used accounts with the organic ones
    /// (recall ~0.75 against ~1.0 in the planted tests). Choose [`PeelPolicy::DCube`] when its
    /// few data-parallel passes matter more than that.
    pub policy: PeelPolicy,
    /// Blocks to report at most. Default 5.
    pub max_blocks: usize,
    /// Rounds at most (blocks failing the size rules are removed but not reported).
    /// Default 10.
    pub max_rounds: usize,
    /// The fewest accounts in a reported block. Default 3.
    pub min_accounts: usize,
    /// The fewest events in a reported block. Default 20.
    pub min_mass: u64,
    /// A mode is a *concentrated aspect* of a block when the block's events per value in
    /// that mode are at least this many times the whole tensor's. Default 3.
    pub concentration_min: f64,
    /// A block is reported only if it has at least this many accounts per IP or per device
    /// (when the tensor has an account mode and an IP or device mode). Default 3: organic
    /// accounts bring their own IP and device (about one account per value even behind
    /// carrier NAT in a block), so fans at a live show, the likers of a viral post and power
    /// users form dense blocks that fail this; a farm on a few proxies or emulators passes.
    /// 0 reports every block.
    pub min_sharing: f64,
}

impl Default for MZoomConfig {
    fn default() -> Self {
        Self {
            actions: ActionSet::engagement(),
            tensor: TensorConfig::default(),
            density: DensityMeasure::Geometric,
            policy: PeelPolicy::MZoom,
            max_blocks: 5,
            max_rounds: 10,
            min_accounts: 3,
            min_mass: 20,
            concentration_min: 3.0,
            min_sharing: 3.0,
        }
    }
}

impl MZoomConfig {
    /// Checks the values.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming the first bad field.
    pub fn validate(&self) -> Result<()> {
        let m = &self.tensor.modes;
        ensure_input!(
            !m.is_empty() && m.len() <= lockstep_graph::MAX_MODES,
            "1 to 6 modes"
        );
        let mut k = m.clone();
        k.sort_unstable();
        k.dedup();
        ensure_input!(k.len() == m.len(), "a mode appears twice");
        ensure_input!(
            self.tensor.time_bucket_ms > 0,
            "time_bucket_ms must be positive"
        );
        Ok(())
    }
}

/// The density of a block with `mass` and per-mode sizes `card`, in a tensor with
/// `whole_mass` and `whole_card`. An empty block is `-∞`.
pub fn density(
    measure: DensityMeasure,
    mass: u64,
    card: &[u64],
    whole_mass: u64,
    whole_card: &[u64],
) -> f64 {
    if mass == 0 || card.contains(&0) {
        return f64::NEG_INFINITY;
    }
    let n = card.len() as f64;
    let m = mass as f64;
    match measure {
        DensityMeasure::Arithmetic => m * n / card.iter().sum::<u64>() as f64,
        DensityMeasure::Geometric => {
            m / (card.iter().map(|&c| (c as f64).ln()).sum::<f64>() / n).exp()
        }
        DensityMeasure::Suspiciousness => {
            let mr = whole_mass as f64;
            let ln_ratio: f64 = card
                .iter()
                .zip(whole_card)
                .map(|(&c, &r)| (c as f64 / r as f64).ln())
                .sum();
            m * ((m / mr).ln() - 1.0) + mr * ln_ratio.exp() - m * ln_ratio
        }
    }
}

/// One greedy peeling of the live part of a tensor.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorPeel {
    /// The values alive at the start, per mode, sorted.
    pub initial: Vec<Vec<u32>>,
    /// (mode, value) in removal order.
    pub order: Vec<(u8, u32)>,
    /// How many removals precede the densest block.
    pub best_len: usize,
    /// Its density.
    pub best_density: f64,
    /// Its mass.
    pub best_mass: u64,
}

impl TensorPeel {
    /// Per mode, whether each value (by id) is in the densest block.
    pub fn block_members(&self, t: &Tensor) -> Vec<Vec<bool>> {
        let mut inb: Vec<Vec<bool>> = t
            .modes()
            .iter()
            .map(|m| vec![false; m.cardinality as usize])
            .collect();
        for (m, vals) in self.initial.iter().enumerate() {
            for &v in vals {
                inb[m][v as usize] = true;
            }
        }
        for &(m, v) in &self.order[..self.best_len] {
            inb[m as usize][v as usize] = false;
        }
        inb
    }
}

struct State<'t> {
    t: &'t Tensor,
    live: Vec<bool>,
    mass: Vec<Vec<u64>>,
    alive: Vec<Vec<bool>>,
    card: Vec<u64>,
    total: u64,
    order: Vec<(u8, u32)>,
}

impl State<'_> {
    /// Removes value `v` of mode `m`, calling `decreased` right after each mass decrease of
    /// another value.
    fn remove(&mut self, m: usize, v: u32, mut decreased: impl FnMut(&[Vec<u64>], (u8, u32))) {
        self.alive[m][v as usize] = false;
        self.card[m] -= 1;
        self.mass[m][v as usize] = 0;
        for &e in self.t.entries_with(m, v) {
            let e = e as usize;
            if !self.live[e] {
                continue;
            }
            self.live[e] = false;
            let c = self.t.count(e) as u64;
            self.total -= c;
            for (m2, &v2) in self.t.entry(e).iter().enumerate() {
                if m2 != m {
                    self.mass[m2][v2 as usize] -= c;
                    decreased(&self.mass, (m2 as u8, v2));
                }
            }
        }
        self.order.push((m as u8, v));
    }
}

/// A binary min-heap of (mode, value) keyed by (mass, mode, value) with a position index,
/// so a mass decrease is a sift-up in place (usually a no-op: heavy values sit near the
/// leaves and lose little) instead of a new entry.
struct IndexedHeap {
    heap: Vec<(u8, u32)>,
    pos: Vec<Vec<u32>>,
}

impl IndexedHeap {
    const ABSENT: u32 = u32::MAX;

    fn new(t: &Tensor) -> Self {
        let pos = t
            .modes()
            .iter()
            .map(|m| vec![Self::ABSENT; m.cardinality as usize])
            .collect();
        Self {
            heap: Vec::new(),
            pos,
        }
    }

    #[inline]
    fn key(mass: &[Vec<u64>], it: (u8, u32)) -> (u64, u8, u32) {
        (mass[it.0 as usize][it.1 as usize], it.0, it.1)
    }

    #[inline]
    fn set(&mut self, i: usize, it: (u8, u32)) {
        self.heap[i] = it;
        self.pos[it.0 as usize][it.1 as usize] = i as u32;
    }

    fn sift_up(&mut self, mass: &[Vec<u64>], mut i: usize) {
        let it = self.heap[i];
        let k = Self::key(mass, it);
        while i > 0 {
            let parent = (i - 1) / 2;
            if Self::key(mass, self.heap[parent]) <= k {
                break;
            }
            self.set(i, self.heap[parent]);
            i = parent;
        }
        self.set(i, it);
    }

    fn sift_down(&mut self, mass: &[Vec<u64>], mut i: usize) {
        let n = self.heap.len();
        let it = self.heap[i];
        let k = Self::key(mass, it);
        loop {
            let l = 2 * i + 1;
            if l >= n {
                break;
            }
            let r = l + 1;
            let c = if r < n && Self::key(mass, self.heap[r]) < Self::key(mass, self.heap[l]) {
                r
            } else {
                l
            };
            if Self::key(mass, self.heap[c]) >= k {
                break;
            }
            self.set(i, self.heap[c]);
            i = c;
        }
        self.set(i, it);
    }

    fn push(&mut self, mass: &[Vec<u64>], it: (u8, u32)) {
        self.heap.push(it);
        let i = self.heap.len() - 1;
        self.sift_up(mass, i);
    }

    fn pop(&mut self, mass: &[Vec<u64>]) -> Option<(u8, u32)> {
        let top = *self.heap.first()?;
        let last = self.heap.pop().expect("non-empty");
        self.pos[top.0 as usize][top.1 as usize] = Self::ABSENT;
        if !self.heap.is_empty() {
            self.set(0, last);
            self.sift_down(mass, 0);
        }
        Some(top)
    }

    /// Restores the order after the mass of `it` decreased.
    fn decreased(&mut self, mass: &[Vec<u64>], it: (u8, u32)) {
        let i = self.pos[it.0 as usize][it.1 as usize];
        if i != Self::ABSENT {
            self.sift_up(mass, i as usize);
        }
    }
}

/// Peels the live entries of `t` greedily and returns the densest block seen.
///
/// # Arguments
/// * `t` — the tensor.
/// * `live` — which entries take part (entries of earlier blocks are not live).
/// * `measure`, `policy` — density and removal rule.
/// * `whole_mass`, `whole_card` — the reference tensor for [`DensityMeasure::Suspiciousness`].
///
/// # Returns
/// The removal order and the densest prefix. Ties go to the smaller mass, then mode, then
/// value (M-Zoom), or to the smaller mode (D-Cube's mode choice).
///
/// # Complexity
/// D-Cube: O(N · E + iterations · Σ live values) with O(N log L) iterations. M-Zoom:
/// O(N · E log V) with an indexed heap (decrease-key in place).
pub fn peel_tensor(
    t: &Tensor,
    live: &[bool],
    measure: DensityMeasure,
    policy: PeelPolicy,
    whole_mass: u64,
    whole_card: &[u64],
) -> TensorPeel {
    let mut mass: Vec<Vec<u64>> = t
        .modes()
        .iter()
        .map(|m| vec![0; m.cardinality as usize])
        .collect();
    let mut total = 0;
    for e in (0..t.num_entries()).filter(|&e| live[e]) {
        let c = t.count(e) as u64;
        total += c;
        for (m, &v) in t.entry(e).iter().enumerate() {
            mass[m][v as usize] += c;
        }
    }
    let initial: Vec<Vec<u32>> = mass
        .iter()
        .map(|ms| {
            (0..ms.len() as u32)
                .filter(|&v| ms[v as usize] > 0)
                .collect()
        })
        .collect();
    let alive: Vec<Vec<bool>> = mass
        .iter()
        .map(|ms| ms.iter().map(|&x| x > 0).collect())
        .collect();
    let card: Vec<u64> = initial.iter().map(|v| v.len() as u64).collect();
    let mut s = State {
        t,
        live: live.to_vec(),
        mass,
        alive,
        card,
        total,
        order: Vec::new(),
    };
    let mut best_density = density(measure, s.total, &s.card, whole_mass, whole_card);
    let (mut best_len, mut best_mass) = (0, s.total);
    let mut note = |s: &State<'_>| {
        let d = density(measure, s.total, &s.card, whole_mass, whole_card);
        if d > best_density {
            (best_density, best_len, best_mass) = (d, s.order.len(), s.total);
        }
    };
    match policy {
        PeelPolicy::DCube => {
            let mut vals = initial.clone();
            let mut below: Vec<(u64, u32)> = Vec::new();
            while s.total > 0 {
                let mut pick = (f64::NEG_INFINITY, usize::MAX);
                for (m, vs) in vals.iter_mut().enumerate() {
                    vs.retain(|&v| s.alive[m][v as usize]);
                    let (mut dm, mut dc) = (0u64, 0u64);
                    for &v in vs.iter() {
                        let x = s.mass[m][v as usize];
                        if x as u128 * s.card[m] as u128 <= s.total as u128 {
                            dm += x;
                            dc += 1;
                        }
                    }
                    let mut card = s.card.clone();
                    card[m] -= dc;
                    let d = density(measure, s.total - dm, &card, whole_mass, whole_card);
                    if pick.1 == usize::MAX || d > pick.0 {
                        pick = (d, m);
                    }
                }
                let m = pick.1;
                below.clear();
                below.extend(
                    vals[m]
                        .iter()
                        .map(|&v| (s.mass[m][v as usize], v))
                        .filter(|&(x, _)| x as u128 * s.card[m] as u128 <= s.total as u128),
                );
                below.sort_unstable();
                for &(_, v) in &below {
                    s.remove(m, v, |_, _| {});
                    note(&s);
                }
            }
        }
        PeelPolicy::MZoom => {
            let mut heap = IndexedHeap::new(t);
            for (m, vs) in initial.iter().enumerate() {
                for &v in vs {
                    heap.push(&s.mass, (m as u8, v));
                }
            }
            while s.total > 0 {
                let Some((m, v)) = heap.pop(&s.mass) else {
                    break;
                };
                s.remove(m as usize, v, |mass, it| heap.decreased(mass, it));
                note(&s);
            }
        }
    }
    TensorPeel {
        initial,
        order: s.order,
        best_len,
        best_density,
        best_mass,
    }
}

/// How one mode of a block compares with the whole tensor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ModeShare {
    /// The mode.
    pub aspect: Aspect,
    /// Values of the mode in the block.
    pub block: usize,
    /// Values of the mode in the whole tensor.
    pub whole: usize,
    /// The block's events per value of this mode over the whole tensor's:
    /// `(M_B / |Bₙ|) / (M_R / |Rₙ|)`. High means many events squeezed into few values
    /// (27 accounts on 3 IPs); low means the block spreads over this mode.
    pub concentration: f64,
}

/// A dense block of the engagement tensor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensorBlock {
    /// Accounts, sorted (empty when the tensor has no account mode).
    pub accounts: Vec<Id>,
    /// Targets, sorted.
    pub targets: Vec<Id>,
    /// Start of the first and end of the last time bucket.
    pub time: Option<(i64, i64)>,
    /// Number of time buckets.
    pub time_buckets: usize,
    /// IPs, sorted ("no IP" not listed).
    pub ips: Vec<Id>,
    /// Devices, sorted ("no device" not listed).
    pub devices: Vec<Id>,
    /// Clients, sorted.
    pub clients: Vec<Id>,
    /// Events in the block.
    pub mass: u64,
    /// The configured density; the [`Signal::score`].
    pub density: f64,
    /// The arithmetic average mass, whatever the configured measure: events per value.
    pub arithmetic_density: f64,
    /// Per mode, how concentrated the block is.
    pub modes: Vec<ModeShare>,
    /// The modes whose concentration is at least `concentration_min`, most concentrated
    /// first.
    pub concentrated: Vec<Aspect>,
    /// The events, sorted by index.
    pub events: Vec<u32>,
    /// Accounts per IP in the block (IP-less events count as one IP), if both modes exist.
    pub accounts_per_ip: Option<f64>,
    /// Accounts per device in the block, if both modes exist.
    pub accounts_per_device: Option<f64>,
    /// The round (0-based) that found it.
    pub round: usize,
}

impl TensorBlock {
    /// Whether the block passes the sharing rule of [`MZoomConfig::min_sharing`].
    pub fn shares_infrastructure(&self, min_sharing: f64) -> bool {
        match (self.accounts_per_ip, self.accounts_per_device) {
            (None, None) => true,
            (ip, dev) => ip.unwrap_or(0.0).max(dev.unwrap_or(0.0)) >= min_sharing,
        }
    }

    /// This block as a [`Signal`] with reason [`Reason::DenseTensorBlock`].
    pub fn to_signal(&self) -> Signal {
        let mut parts = vec![
            format!("{} accounts", self.accounts.len()),
            format!("{} targets", self.targets.len()),
        ];
        for ms in &self.modes {
            match ms.aspect {
                Aspect::Ips => parts.push(format!("{} IPs", ms.block)),
                Aspect::Devices => parts.push(format!("{} devices", ms.block)),
                Aspect::Clients => parts.push(format!("{} clients", ms.block)),
                _ => {}
            }
        }
        let span = self
            .time
            .map(|(a, b)| format!(" in {}", human_ms(b - a)))
            .unwrap_or_default();
        let conc: Vec<&str> = self.concentrated.iter().map(|a| aspect_name(*a)).collect();
        Signal {
            reason: Reason::DenseTensorBlock,
            accounts: self.accounts.clone(),
            events: self.events.clone(),
            score: self.density,
            aspects: Aspects {
                targets: self.targets.clone(),
                time: self.time,
                ips: self.ips.clone(),
                devices: self.devices.clone(),
                concentrated: self.concentrated.clone(),
            },
            summary: format!(
                "{}{}; {} events, density {:.1}{}",
                parts.join(" × "),
                span,
                self.mass,
                self.density,
                if conc.is_empty() {
                    String::new()
                } else {
                    format!("; concentrated in {}", conc.join(", "))
                },
            ),
        }
    }
}

fn aspect_name(a: Aspect) -> &'static str {
    match a {
        Aspect::Accounts => "accounts",
        Aspect::Targets => "targets",
        Aspect::Time => "time",
        Aspect::Ips => "IPs",
        Aspect::Devices => "devices",
        Aspect::Clients => "clients",
    }
}

pub(crate) fn aspect_of(k: ModeKind) -> Aspect {
    match k {
        ModeKind::Account => Aspect::Accounts,
        ModeKind::Target => Aspect::Targets,
        ModeKind::Time => Aspect::Time,
        ModeKind::Ip => Aspect::Ips,
        ModeKind::Device => Aspect::Devices,
        ModeKind::Client => Aspect::Clients,
    }
}

/// Counters of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MZoomStats {
    /// Distinct tensor entries.
    pub entries: usize,
    /// Events in the tensor.
    pub mass: u64,
    /// Optional modes dropped for low coverage, with the coverage seen.
    pub dropped_modes: Vec<(Aspect, f64)>,
    /// Rounds run.
    pub rounds: usize,
}

/// The blocks found and the counters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MZoomReport {
    /// The blocks, in the order found.
    pub blocks: Vec<TensorBlock>,
    /// Counters.
    pub stats: MZoomStats,
}

impl MZoomReport {
    /// The blocks as signals.
    pub fn signals(&self) -> Vec<Signal> {
        self.blocks.iter().map(TensorBlock::to_signal).collect()
    }
}

/// Finds dense tensor blocks in a log: builds the [`Tensor`] of `cfg.actions` and calls
/// [`mzoom_indexed`].
///
/// # Arguments
/// * `log` — the event log.
/// * `cfg` — see [`MZoomConfig`]; `cfg.tensor` shapes the tensor.
///
/// # Returns
/// As [`mzoom_indexed`].
///
/// # Complexity
/// O(n log n) to index n events and build the tensor, then as [`mzoom_indexed`].
///
/// # Errors
/// [`crate::Error::InvalidInput`] for a bad config.
pub fn mzoom(log: &EventLog, cfg: &MZoomConfig) -> Result<MZoomReport> {
    cfg.validate()?;
    let g = GraphIndex::build(log, cfg.actions);
    let t = Tensor::build(log, g.events(), &cfg.tensor);
    mzoom_indexed(&t, cfg)
}

/// Finds several dense blocks of the engagement tensor: peel (see [`peel_tensor`]), take the
/// densest block, remove its entries, repeat.
///
/// # Arguments
/// * `t` — the tensor (its modes decide what a block spans; `cfg.tensor` and `cfg.actions`
///   are only used by [`mzoom`]).
/// * `cfg` — see [`MZoomConfig`].
///
/// # Returns
/// Blocks with at least `min_accounts` accounts and `min_mass` events that pass the
/// sharing rule, each with its density, sizes and the concentration of each mode versus the
/// whole tensor.
///
/// # Errors
/// [`crate::Error::InvalidInput`] for a bad config.
///
/// # Complexity
/// `max_rounds` times [`peel_tensor`].
pub fn mzoom_indexed(t: &Tensor, cfg: &MZoomConfig) -> Result<MZoomReport> {
    cfg.validate()?;
    let mut live = vec![true; t.num_entries()];
    let whole_mass = t.total_mass();
    let whole_card: Vec<u64> = (0..t.num_modes())
        .map(|m| {
            (0..t.modes()[m].cardinality)
                .filter(|&v| !t.entries_with(m, v).is_empty())
                .count() as u64
        })
        .collect();
    let mut report = MZoomReport::default();
    report.stats.entries = t.num_entries();
    report.stats.mass = whole_mass;
    report.stats.dropped_modes = t
        .dropped()
        .iter()
        .map(|&(k, c)| (aspect_of(k), c))
        .collect();
    while report.blocks.len() < cfg.max_blocks && report.stats.rounds < cfg.max_rounds {
        let round = report.stats.rounds;
        report.stats.rounds += 1;
        let p = peel_tensor(t, &live, cfg.density, cfg.policy, whole_mass, &whole_card);
        if p.order.is_empty() || p.best_mass == 0 {
            break;
        }
        let inb = p.block_members(t);
        let mut events = Vec::new();
        for (e, alive) in live.iter_mut().enumerate() {
            if *alive
                && t.entry(e)
                    .iter()
                    .enumerate()
                    .all(|(m, &v)| inb[m][v as usize])
            {
                *alive = false;
                events.extend_from_slice(t.entry_events(e));
            }
        }
        let block = describe_block(t, &inb, events, &p, &whole_card, whole_mass, cfg, round);
        let accounts_ok =
            t.mode_of(ModeKind::Account).is_none() || block.accounts.len() >= cfg.min_accounts;
        if accounts_ok && block.mass >= cfg.min_mass && block.shares_infrastructure(cfg.min_sharing)
        {
            report.blocks.push(block);
        }
    }
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn describe_block(
    t: &Tensor,
    inb: &[Vec<bool>],
    mut events: Vec<u32>,
    p: &TensorPeel,
    whole_card: &[u64],
    whole_mass: u64,
    cfg: &MZoomConfig,
    round: usize,
) -> TensorBlock {
    events.sort_unstable();
    let values = |m: usize| -> Vec<Id> {
        let unknown = t.modes()[m].unknown;
        (0..inb[m].len() as u32)
            .filter(|&v| inb[m][v as usize] && Some(v) != unknown)
            .collect()
    };
    let of = |k: ModeKind| t.mode_of(k).map(values).unwrap_or_default();
    let card: Vec<u64> = inb
        .iter()
        .map(|b| b.iter().filter(|&&x| x).count() as u64)
        .collect();
    let mass = p.best_mass;
    let mut modes: Vec<ModeShare> = t
        .modes()
        .iter()
        .enumerate()
        .map(|(m, mode)| ModeShare {
            aspect: aspect_of(mode.kind),
            block: card[m] as usize,
            whole: whole_card[m] as usize,
            concentration: (mass as f64 / card[m].max(1) as f64)
                / (whole_mass as f64 / whole_card[m].max(1) as f64),
        })
        .collect();
    let time_vals = t.mode_of(ModeKind::Time).map(|m| {
        let v: Vec<u32> = (0..inb[m].len() as u32)
            .filter(|&v| inb[m][v as usize])
            .collect();
        v
    });
    let time = time_vals.as_ref().and_then(|v| {
        Some((
            t.bucket_start(*v.first()?),
            t.bucket_start(*v.last()?) + t.bucket_ms(),
        ))
    });
    let mut concentrated: Vec<&ModeShare> = modes
        .iter()
        .filter(|s| s.concentration >= cfg.concentration_min)
        .collect();
    concentrated.sort_by(|a, b| b.concentration.total_cmp(&a.concentration));
    let concentrated = concentrated.iter().map(|s| s.aspect).collect();
    modes.sort_by_key(|s| s.aspect);
    let per = |k: ModeKind| -> Option<f64> {
        let a = card[t.mode_of(ModeKind::Account)?];
        Some(a as f64 / card[t.mode_of(k)?].max(1) as f64)
    };
    TensorBlock {
        accounts_per_ip: per(ModeKind::Ip),
        accounts_per_device: per(ModeKind::Device),
        accounts: of(ModeKind::Account),
        targets: of(ModeKind::Target),
        time,
        time_buckets: time_vals.map(|v| v.len()).unwrap_or(0),
        ips: of(ModeKind::Ip),
        devices: of(ModeKind::Device),
        clients: of(ModeKind::Client),
        mass,
        density: p.best_density,
        arithmetic_density: density(
            DensityMeasure::Arithmetic,
            mass,
            &card,
            whole_mass,
            whole_card,
        ),
        modes,
        concentrated,
        events,
        round,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn densities() {
        let whole = [10u64, 10];
        assert_eq!(
            density(DensityMeasure::Arithmetic, 20, &[2, 2], 100, &whole),
            10.0
        );
        assert_eq!(
            density(DensityMeasure::Geometric, 20, &[4, 1], 100, &whole),
            10.0
        );
        // The whole tensor is not suspicious; an over-full block is.
        let s = density(DensityMeasure::Suspiciousness, 100, &whole, 100, &whole);
        assert!(s.abs() < 1e-9);
        assert!(density(DensityMeasure::Suspiciousness, 50, &[2, 2], 100, &whole) > 10.0);
        assert_eq!(
            density(DensityMeasure::Arithmetic, 0, &[2, 2], 100, &whole),
            f64::NEG_INFINITY
        );
    }
}
