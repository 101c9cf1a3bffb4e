//! [`Tensor`]: the sparse engagement-count tensor (account × target × time bucket × IP ×
//! device × client) for dense-block detectors.

use std::fmt;

use lockstep_core::{EventLog, Id, NONE};
use rayon::prelude::*;

/// The most modes a tensor can have.
pub const MAX_MODES: usize = 6;

/// What a mode of the tensor indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ModeKind {
    /// The acting account.
    Account,
    /// The target.
    Target,
    /// The time bucket (see [`TensorConfig::time_bucket_ms`]).
    Time,
    /// The IP address.
    Ip,
    /// The device id.
    Device,
    /// The client.
    Client,
}

impl ModeKind {
    /// A lower-case name: `account`, `target`, `time`, `ip`, `device`, `client`.
    pub fn name(self) -> &'static str {
        match self {
            ModeKind::Account => "account",
            ModeKind::Target => "target",
            ModeKind::Time => "time",
            ModeKind::Ip => "ip",
            ModeKind::Device => "device",
            ModeKind::Client => "client",
        }
    }

    fn optional(self) -> bool {
        matches!(self, ModeKind::Ip | ModeKind::Device | ModeKind::Client)
    }
}

impl fmt::Display for ModeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One mode of a built tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode {
    /// What it indexes.
    pub kind: ModeKind,
    /// The size of its value space: the log's id space (plus one for "unknown"), or the
    /// number of time buckets.
    pub cardinality: u32,
    /// The value standing for "absent" (events without an IP, device or client), if any.
    pub unknown: Option<u32>,
}

/// How to build a [`Tensor`].
#[derive(Debug, Clone, PartialEq)]
pub struct TensorConfig {
    /// The modes, in order (at most [`MAX_MODES`], each kind once).
    pub modes: Vec<ModeKind>,
    /// Width of a time bucket in milliseconds. Buckets are aligned to multiples of the width
    /// since the epoch.
    pub time_bucket_ms: i64,
    /// An optional mode (IP, device, client) is dropped when fewer than this fraction of the
    /// events carry a value for it; otherwise a missing value is one more value of the mode
    /// ("unknown").
    pub min_coverage: f64,
}

impl Default for TensorConfig {
    /// Account × target × hour × IP × device; optional modes need half the events to carry
    /// them.
    fn default() -> Self {
        Self {
            modes: vec![
                ModeKind::Account,
                ModeKind::Target,
                ModeKind::Time,
                ModeKind::Ip,
                ModeKind::Device,
            ],
            time_bucket_ms: 3_600_000,
            min_coverage: 0.5,
        }
    }
}

/// A sparse count tensor: distinct entries (one value per mode) with event counts, the
/// events of each entry, and per mode an inverted index value → entries.
#[derive(Debug, Clone)]
pub struct Tensor {
    modes: Vec<Mode>,
    dropped: Vec<(ModeKind, f64)>,
    bucket_ms: i64,
    origin_bucket: i64,
    // Entry `e` has values `values[e * n..(e + 1) * n]`.
    values: Vec<u32>,
    counts: Vec<u32>,
    events: Vec<u32>,
    event_off: Vec<u32>,
    inv: Vec<Vec<u32>>,
    inv_off: Vec<Vec<u32>>,
}

impl Tensor {
    /// Builds the tensor of `events` (indices into `log`).
    ///
    /// # Arguments
    /// * `log` — the event log.
    /// * `events` — the event indices to count (e.g. [`crate::GraphIndex::events`]).
    /// * `cfg` — modes, time bucket, coverage rule.
    ///
    /// # Returns
    /// The tensor. Optional modes below the coverage rule are left out and listed in
    /// [`Tensor::dropped`].
    ///
    /// # Complexity
    /// O(n log n) for n events (one parallel sort of the entry keys), O(n + Σ cardinality)
    /// for the inverted indices.
    ///
    /// # Panics
    /// If `cfg.modes` is empty, longer than [`MAX_MODES`] or `cfg.time_bucket_ms <= 0`.
    pub fn build(log: &EventLog, events: &[u32], cfg: &TensorConfig) -> Self {
        assert!(
            !cfg.modes.is_empty() && cfg.modes.len() <= MAX_MODES,
            "1 to 6 modes"
        );
        assert!(cfg.time_bucket_ms > 0, "time_bucket_ms must be positive");
        let n_ev = events.len().max(1) as f64;
        let column = |k: ModeKind| -> &[Id] {
            match k {
                ModeKind::Account => log.actor(),
                ModeKind::Target => log.target(),
                ModeKind::Ip => log.ip(),
                ModeKind::Device => log.device(),
                ModeKind::Client => log.client(),
                ModeKind::Time => &[],
            }
        };
        let bucket_ms = cfg.time_bucket_ms;
        let ts = log.ts();
        let origin_bucket = events
            .iter()
            .map(|&i| ts[i as usize].div_euclid(bucket_ms))
            .min()
            .unwrap_or(0);
        let max_bucket = events
            .iter()
            .map(|&i| ts[i as usize].div_euclid(bucket_ms))
            .max()
            .unwrap_or(0);

        let mut modes = Vec::new();
        let mut dropped = Vec::new();
        for &k in &cfg.modes {
            let (cardinality, unknown) = match k {
                ModeKind::Account => (log.accounts.len() as u32, None),
                ModeKind::Target => (log.targets.len() as u32, None),
                ModeKind::Time => ((max_bucket - origin_bucket + 1) as u32, None),
                ModeKind::Ip => (log.ips.len() as u32 + 1, Some(log.ips.len() as u32)),
                ModeKind::Device => (log.devices.len() as u32 + 1, Some(log.devices.len() as u32)),
                ModeKind::Client => (log.clients.len() as u32 + 1, Some(log.clients.len() as u32)),
            };
            if k.optional() {
                let col = column(k);
                let have = events.iter().filter(|&&i| col[i as usize] != NONE).count();
                let coverage = have as f64 / n_ev;
                if coverage < cfg.min_coverage {
                    dropped.push((k, coverage));
                    continue;
                }
            }
            modes.push(Mode {
                kind: k,
                cardinality,
                unknown,
            });
        }
        let n = modes.len();

        let key = |i: u32| -> [u32; MAX_MODES] {
            let mut key = [0u32; MAX_MODES];
            for (m, mode) in modes.iter().enumerate() {
                key[m] = match mode.kind {
                    ModeKind::Time => (ts[i as usize].div_euclid(bucket_ms) - origin_bucket) as u32,
                    k => {
                        let v = column(k)[i as usize];
                        if v == NONE {
                            mode.unknown.unwrap_or(v)
                        } else {
                            v
                        }
                    }
                };
            }
            key
        };
        let mut keyed: Vec<([u32; MAX_MODES], u32)> =
            events.par_iter().map(|&i| (key(i), i)).collect();
        keyed.par_sort_unstable();

        let mut values = Vec::new();
        let mut counts: Vec<u32> = Vec::new();
        let mut event_off = Vec::new();
        let mut sorted_events = Vec::with_capacity(keyed.len());
        let mut prev: Option<[u32; MAX_MODES]> = None;
        for (k, &(kv, i)) in keyed.iter().enumerate() {
            if prev != Some(kv) {
                values.extend_from_slice(&kv[..n]);
                counts.push(0);
                event_off.push(k as u32);
                prev = Some(kv);
            }
            *counts.last_mut().expect("pushed above") += 1;
            sorted_events.push(i);
        }
        event_off.push(sorted_events.len() as u32);

        let n_entries = counts.len();
        let (inv, inv_off) = (0..n)
            .into_par_iter()
            .map(|m| {
                let card = modes[m].cardinality as usize;
                let mut off = vec![0u32; card + 1];
                for e in 0..n_entries {
                    off[values[e * n + m] as usize + 1] += 1;
                }
                for v in 0..card {
                    off[v + 1] += off[v];
                }
                let mut fill = off.clone();
                let mut list = vec![0u32; n_entries];
                for e in 0..n_entries {
                    let v = values[e * n + m] as usize;
                    list[fill[v] as usize] = e as u32;
                    fill[v] += 1;
                }
                (list, off)
            })
            .unzip();

        Self {
            modes,
            dropped,
            bucket_ms,
            origin_bucket,
            values,
            counts,
            events: sorted_events,
            event_off,
            inv,
            inv_off,
        }
    }

    /// The modes, in order.
    pub fn modes(&self) -> &[Mode] {
        &self.modes
    }

    /// The number of modes.
    pub fn num_modes(&self) -> usize {
        self.modes.len()
    }

    /// Optional modes left out for low coverage, with the coverage seen.
    pub fn dropped(&self) -> &[(ModeKind, f64)] {
        &self.dropped
    }

    /// The position of mode `kind`, if present.
    pub fn mode_of(&self, kind: ModeKind) -> Option<usize> {
        self.modes.iter().position(|m| m.kind == kind)
    }

    /// The number of distinct entries.
    pub fn num_entries(&self) -> usize {
        self.counts.len()
    }

    /// The values of entry `e`, one per mode.
    #[inline]
    pub fn entry(&self, e: usize) -> &[u32] {
        let n = self.modes.len();
        &self.values[e * n..(e + 1) * n]
    }

    /// The event count of entry `e`.
    #[inline]
    pub fn count(&self, e: usize) -> u32 {
        self.counts[e]
    }

    /// The event indices of entry `e`.
    pub fn entry_events(&self, e: usize) -> &[u32] {
        &self.events[self.event_off[e] as usize..self.event_off[e + 1] as usize]
    }

    /// The entries with value `v` in mode `m`.
    #[inline]
    pub fn entries_with(&self, m: usize, v: u32) -> &[u32] {
        let off = &self.inv_off[m];
        &self.inv[m][off[v as usize] as usize..off[v as usize + 1] as usize]
    }

    /// The total event count.
    pub fn total_mass(&self) -> u64 {
        self.counts.iter().map(|&c| c as u64).sum()
    }

    /// The start (ms since the epoch) of time-mode value `v`.
    pub fn bucket_start(&self, v: u32) -> i64 {
        (self.origin_bucket + v as i64) * self.bucket_ms
    }

    /// The width of a time bucket in milliseconds.
    pub fn bucket_ms(&self) -> i64 {
        self.bucket_ms
    }
}

#[cfg(test)]
mod tests {
    use lockstep_core::{EventLogBuilder, RawEvent};

    use super::*;

    #[test]
    fn entries_count_events_and_unknown_is_a_value() {
        let mut b = EventLogBuilder::new();
        let rows = [
            (0, "u1", "p1", Some("10.0.0.1")),
            (10, "u1", "p1", Some("10.0.0.1")),
            (3_600_000, "u1", "p1", Some("10.0.0.1")),
            (20, "u2", "p1", None),
        ];
        for (k, &(ts, actor, target, ip)) in rows.iter().enumerate() {
            b.push(&RawEvent {
                id: None,
                ts,
                actor,
                action: "like",
                target,
                owner: None,
                text: None,
                ip: ip.map(|s| s.parse().unwrap()),
                device: None,
                client: None,
                line: k as u32 + 1,
            })
            .unwrap();
        }
        let log = b.finish();
        let t = Tensor::build(&log, &[0, 1, 2, 3], &TensorConfig::default());
        // Device has no value at all: dropped. IP is present on 3/4 events: kept.
        assert_eq!(t.dropped().len(), 1);
        assert_eq!(t.dropped()[0].0, ModeKind::Device);
        assert_eq!(t.num_modes(), 4);
        assert_eq!(t.num_entries(), 3);
        assert_eq!(t.total_mass(), 4);
        assert_eq!(t.entry(0), &[0, 0, 0, 0]);
        assert_eq!(t.count(0), 2);
        assert_eq!(t.entry_events(0), &[0, 1]);
        let ip = t.mode_of(ModeKind::Ip).unwrap();
        assert_eq!(t.entries_with(ip, t.modes()[ip].unknown.unwrap()), &[2]);
        assert_eq!(t.bucket_start(1), 3_600_000);
    }
}
