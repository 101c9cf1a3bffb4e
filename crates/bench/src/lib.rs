//! Input generators for lockstep's benchmarks: event streams of an exact size, written in any
//! CONTRACT §1 format.
//!
//! # Brief overview
//!
//! [`generate`] writes `n` events with heavy-tailed actors and targets, a realistic mix of
//! actions (one in ten a comment with text), IPv4 and IPv6 addresses, devices and clients,
//! through `lockstep_ingest::write`. Output depends only on `n` and the seed. [`ensure`]
//! generates a file once into a cache directory and reuses it, so benches do not commit data.
//!
//! # Example
//!
//! ```
//! let dir = std::env::temp_dir().join("lockstep-bench-doc");
//! let path = lockstep_bench::ensure(&dir, 1_000, lockstep_ingest::write::Format::Jsonl).unwrap();
//! assert!(path.exists());
//! ```

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use lockstep_ingest::write::{EventRow, EventWriter, Format};

/// A small, fast, seedable generator (SplitMix64); benchmarks need speed and determinism, not
/// statistical quality.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() >> 32) * n) >> 32
    }

    /// Heavy-tailed in `0..n`: small values are much more likely (log-uniform).
    pub fn skewed(&mut self, n: u64) -> u64 {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        (((n as f64 + 1.0).powf(u) - 1.0) as u64).min(n - 1)
    }
}

const WORDS: [&str; 16] = [
    "great",
    "photo",
    "love",
    "this",
    "so",
    "cool",
    "amazing",
    "where",
    "is",
    "that",
    "wow",
    "nice",
    "colours",
    "congrats",
    "beautiful",
    "light",
];

/// Writes `n` events to `path` in `format`, deterministically for a given `seed`.
///
/// # Errors
/// When the file cannot be written.
pub fn generate(path: &Path, n: u64, format: Format, seed: u64) -> lockstep_ingest::Result<()> {
    let mut rng = Rng::new(seed);
    let accounts = (n / 20).max(10);
    let targets = (n / 8).max(10);
    let t0: i64 = 1_772_323_200_000; // 2026-03-01T00:00:00Z
    let span: u64 = 14 * 86_400_000;
    let mut w = EventWriter::create(path, format)?;
    let (mut id, mut actor, mut target, mut owner, mut device, mut text) = (
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    );
    use std::fmt::Write;
    for i in 0..n {
        let a = rng.skewed(accounts);
        let t = rng.skewed(targets);
        let roll = rng.below(100);
        let action = match roll {
            0..=59 => "like",
            60..=69 => "comment",
            70..=79 => "follow",
            80..=84 => "share",
            _ => "view",
        };
        id.clear();
        actor.clear();
        target.clear();
        owner.clear();
        device.clear();
        text.clear();
        let _ = write!(id, "e{i}");
        let _ = write!(actor, "u{a}");
        if action == "follow" {
            let _ = write!(target, "u{}", t % accounts);
        } else {
            let _ = write!(target, "p{t}");
        }
        let _ = write!(owner, "u{}", t % accounts);
        let _ = write!(device, "d{}", a * 2 + rng.below(2));
        if action == "comment" {
            for k in 0..(3 + rng.below(8)) {
                if k > 0 {
                    text.push(' ');
                }
                text.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
            }
        }
        let ip = if a.is_multiple_of(10) {
            IpAddr::V6(Ipv6Addr::new(
                0x2001,
                0xdb8,
                (a >> 16) as u16,
                a as u16,
                0,
                0,
                0,
                1,
            ))
        } else {
            IpAddr::V4(Ipv4Addr::from(
                (0x0A00_0000 + (a as u32 % 0x00FF_FFFF)).to_be_bytes(),
            ))
        };
        let client = match a % 7 {
            0 => "web",
            1..=3 => "android/412.0",
            _ => "ios/312.1",
        };
        w.write(&EventRow {
            id: &id,
            ts: t0 + rng.below(span) as i64,
            actor: &actor,
            action,
            target: &target,
            owner: Some(&owner),
            text: (!text.is_empty()).then_some(text.as_str()),
            ip: Some(ip),
            device: (client != "web").then_some(device.as_str()),
            client: Some(client),
        })?;
    }
    w.finish()
}

/// The path of the `n`-event file in `format` under `dir`, generating it first if missing.
///
/// # Errors
/// When the directory or file cannot be written.
pub fn ensure(dir: &Path, n: u64, format: Format) -> lockstep_ingest::Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| lockstep_ingest::Error::io(dir, e))?;
    let path = dir.join(format!("events-{n}.{}", format.extension()));
    if !path.exists() {
        let tmp = dir.join(format!(".events-{n}.tmp.{}", format.extension()));
        generate(&tmp, n, format, 42)?;
        std::fs::rename(&tmp, &path).map_err(|e| lockstep_ingest::Error::io(&path, e))?;
    }
    Ok(path)
}
