//! Throughput of the writers and of `load`, per format, and of pushing events into the core
//! log: `cargo bench -p lockstep-ingest --bench throughput` (`LOCKSTEP_TP_EVENTS` sets the
//! event count, default 3 000 000). A measurement, not a test: it prints rates and asserts
//! nothing about them.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use lockstep_ingest::write::{EventRow, EventWriter, Format};
use lockstep_ingest::{IngestOptions, Inputs, NullRejectSink, load};

/// CPU seconds (user + system) used by this process so far, from `/proc/self/stat`.
fn cpu_secs() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = s.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = after
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // Fields 14 and 15 of the line (utime, stime), in clock ticks of 1/100 s.
    f.get(11)
        .zip(f.get(12))
        .map_or(0.0, |(u, s)| (u + s) / 100.0)
}

fn main() {
    throughput();
    core_push_rate();
}

fn throughput() {
    let n: usize = std::env::var("LOCKSTEP_TP_EVENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3_000_000);
    if let Ok(path) = std::env::var("LOCKSTEP_TP_FILE") {
        // Load only, for measuring with an outside tool (`/usr/bin/time`, `perf stat`).
        let files = [std::path::PathBuf::from(path)];
        let t = Instant::now();
        let l = load(
            &Inputs::events(&files),
            &IngestOptions::default(),
            &mut NullRejectSink,
        )
        .unwrap();
        let s = t.elapsed().as_secs_f64();
        println!(
            "load: {} events in {s:.2} s = {:.2} M events/s",
            l.log.len(),
            l.log.len() as f64 / s / 1e6
        );
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let actions = ["like", "follow", "comment", "share", "view"];
    for format in Format::ALL {
        if format == Format::Parquet && !cfg!(feature = "parquet") {
            continue;
        }
        if let Ok(only) = std::env::var("LOCKSTEP_TP_FORMAT")
            && only != format.extension()
        {
            continue;
        }
        let p = d.path().join(format!("tp.{}", format.extension()));
        let t = Instant::now();
        let mut w = EventWriter::create(&p, format).unwrap();
        let (mut id, mut actor, mut target, mut owner, mut device) = (
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        );
        for i in 0..n {
            use std::fmt::Write;
            for s in [&mut id, &mut actor, &mut target, &mut owner, &mut device] {
                s.clear();
            }
            let _ = write!(id, "e{i}");
            let _ = write!(actor, "u{}", (i * 7919) % 100_000);
            let _ = write!(target, "p{}", (i * 104_729) % 200_000);
            let _ = write!(owner, "u{}", (i * 31) % 5_000);
            let _ = write!(device, "d{}", (i * 13) % 50_000);
            w.write(&EventRow {
                id: &id,
                ts: 1_772_366_400_123 + i as i64 * 17,
                actor: &actor,
                action: actions[i % actions.len()],
                target: &target,
                owner: Some(&owner),
                text: None,
                ip: Some(IpAddr::V4(Ipv4Addr::from(
                    0xcb00_7100u32 + (i as u32 % 60_000),
                ))),
                device: Some(&device),
                client: Some("android/412.0"),
            })
            .unwrap();
        }
        w.finish().unwrap();
        let write_s = t.elapsed().as_secs_f64();
        let bytes = std::fs::metadata(&p).unwrap().len();

        let t = Instant::now();
        let cpu = cpu_secs();
        if let Ok(keep) = std::env::var("LOCKSTEP_TP_KEEP") {
            std::fs::copy(&p, std::path::Path::new(&keep).join(p.file_name().unwrap())).unwrap();
        }
        let files = [p];
        let l = load(
            &Inputs::events(&files),
            &IngestOptions::default(),
            &mut NullRejectSink,
        )
        .unwrap();
        let read_s = t.elapsed().as_secs_f64();
        let read_cpu = cpu_secs() - cpu;
        assert_eq!(l.log.len(), n);
        println!(
            "{format:>8}: {n} events, {:.0} MB; write {:.2} M events/s; load {:.2} M events/s \
             wall ({:.0} MB/s), {:.2} s CPU = {:.2} M events per CPU-second",
            bytes as f64 / 1e6,
            n as f64 / write_s / 1e6,
            n as f64 / read_s / 1e6,
            bytes as f64 / read_s / 1e6,
            read_cpu,
            n as f64 / read_cpu.max(1e-9) / 1e6,
        );
    }
}

fn core_push_rate() {
    let n = 1_000_000usize;
    let rows: Vec<[String; 5]> = (0..n)
        .map(|i| {
            [
                format!("e{i}"),
                format!("u{}", (i * 7919) % 100_000),
                format!("p{}", (i * 104_729) % 200_000),
                format!("u{}", (i * 31) % 5_000),
                format!("d{}", (i * 13) % 50_000),
            ]
        })
        .collect();
    for explicit in [false, true] {
        let t = Instant::now();
        let mut b = lockstep_core::EventLogBuilder::new();
        for (i, r) in rows.iter().enumerate() {
            b.push(&lockstep_core::RawEvent {
                id: explicit.then_some(r[0].as_str()),
                ts: i as i64,
                actor: &r[1],
                action: "like",
                target: &r[2],
                owner: Some(&r[3]),
                text: None,
                ip: Some(IpAddr::V4(Ipv4Addr::from(
                    0xcb00_7100u32 + (i as u32 % 60_000),
                ))),
                device: Some(&r[4]),
                client: Some("android/412.0"),
                line: i as u32 + 1,
            })
            .unwrap();
        }
        let s = t.elapsed().as_secs_f64();
        println!(
            "core push (explicit ids: {explicit}): {:.2} M events/s",
            n as f64 / s / 1e6
        );
    }
}
