//! Writes a simulated world without the CLI; for measuring generation speed.
//!
//! Run with `cargo run --release -p lockstep-sim --example simulate -- OUT [ACCOUNTS] [DAYS] [FORMAT] [split]`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = args.first().map(String::as_str).unwrap_or("sim-out");
    let mut cfg = lockstep_sim::Config::default();
    if let Some(n) = args.get(1) {
        cfg.accounts = n.parse()?;
    }
    if let Some(d) = args.get(2) {
        cfg.days = d.parse()?;
    }
    let format: lockstep_sim::Format = args
        .get(3)
        .map(String::as_str)
        .unwrap_or("jsonl")
        .parse()
        .map_err(|_| "bad format")?;
    cfg.split_events = args.get(4).is_some_and(|s| s == "split");
    let s = lockstep_sim::simulate(&cfg, std::path::Path::new(out), format)?;
    println!(
        "{} events, {} accounts, {} devices; plan {:.2} s, write {:.2} s, {:.0} events/s",
        s.events,
        s.accounts,
        s.devices,
        s.plan_time.as_secs_f64(),
        s.write_time.as_secs_f64(),
        s.events_per_second()
    );
    for o in &s.operations {
        println!(
            "  {:<24} {:<16} {:>6} accounts {:>8} events",
            o.id, o.kind, o.accounts, o.events
        );
    }
    Ok(())
}
