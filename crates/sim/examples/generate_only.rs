//! Generates a world in memory without writing it; for measuring generation speed alone.
//!
//! Run with `cargo run --release -p lockstep-sim --example generate_only -- [ACCOUNTS] [DAYS]`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut cfg = lockstep_sim::Config::default();
    if let Some(n) = args.first() {
        cfg.accounts = n.parse()?;
    }
    if let Some(d) = args.get(1) {
        cfg.days = d.parse()?;
    }
    let t = std::time::Instant::now();
    let sim = lockstep_sim::Simulation::new(&cfg)?;
    let plan = t.elapsed();
    let mut n = 0u64;
    let mut bytes = 0usize;
    sim.for_each_event(|row, _| {
        n += 1;
        bytes += row.id.len() + row.actor.len() + row.target.len();
    });
    let all = t.elapsed();
    println!(
        "{n} events ({bytes} id bytes); plan {:.2} s, total {:.2} s, {:.0} events/s",
        plan.as_secs_f64(),
        all.as_secs_f64(),
        n as f64 / all.as_secs_f64()
    );
    Ok(())
}
