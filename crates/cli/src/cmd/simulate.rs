//! `lockstep simulate`: writes a simulated platform with planted operations and its truth.

use std::path::PathBuf;

use anyhow::Context as _;
use lockstep_sim::{Config, Format};

/// Arguments of `lockstep simulate`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Output directory (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Organic accounts [default: 50000, or the config file's].
    #[arg(long)]
    accounts: Option<u32>,
    /// Days in the window [default: 14, or the config file's].
    #[arg(long)]
    days: Option<u32>,
    /// Master seed [default: 42, or the config file's].
    #[arg(long)]
    seed: Option<u64>,
    /// Scenarios to plant, comma-separated: `all`, `none`, or names among like-farm,
    /// aged-farm, emulator-botnet, vendor-app, comment-farm, drip-followers, data-harvest,
    /// ban-evasion, hijacked-harvest [default: all, or the config file's].
    #[arg(long, value_delimiter = ',')]
    scenario: Option<Vec<String>>,
    /// Output format: jsonl, jsonl.gz, csv or parquet.
    #[arg(long, default_value = "jsonl")]
    format: String,
    /// TOML file overriding any knob of the simulator (see `docs/SIMULATOR.md`).
    #[arg(long)]
    config: Option<PathBuf>,
    /// One events file per day (`events-000.<ext>`, …), written in parallel.
    #[arg(long)]
    split: bool,
    /// Vendors that vary: draw every scenario's working style (delivery spread,
    /// participation, timing, network, devices, client, ages, padding, harvest rate and
    /// rhythm) and the hard negatives' sizes from the ranges in `docs/SIMULATOR.md`, per
    /// seed. The draw is written to `world.json` under `config`.
    #[arg(long)]
    vary: bool,
}

/// Runs `lockstep simulate`.
pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let mut cfg = match &args.config {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            Config::from_toml(&text).with_context(|| format!("in {}", p.display()))?
        }
        None => Config::default(),
    };
    if let Some(n) = args.accounts {
        cfg.accounts = n;
    }
    if let Some(d) = args.days {
        cfg.days = d;
    }
    if let Some(s) = args.seed {
        cfg.seed = s;
    }
    if let Some(s) = args.scenario {
        cfg.scenarios = s;
    }
    if args.split {
        cfg.split_events = true;
    }
    if args.vary {
        cfg.vary(cfg.seed);
    }
    let format: Format = args.format.parse().map_err(|_| {
        anyhow::anyhow!(
            "unknown format `{}`; valid: jsonl, jsonl.gz, csv, parquet",
            args.format
        )
    })?;
    let s = lockstep_sim::simulate(&cfg, &args.out, format)?;
    say!(
        "wrote {} events, {} accounts ({} fake, {} compromised), {} devices to {}",
        s.events,
        s.accounts,
        s.fake_accounts,
        s.compromised_accounts,
        s.devices,
        args.out.display()
    );
    if !s.operations.is_empty() {
        say!(
            "{:<26} {:<16} {:>9} {:>10}",
            "operation",
            "kind",
            "accounts",
            "events"
        );
        for o in &s.operations {
            let back = o
                .returns_from
                .as_deref()
                .map(|r| format!("  (returns from {r})"))
                .unwrap_or_default();
            say!(
                "{:<26} {:<16} {:>9} {:>10}{back}",
                o.id,
                o.kind,
                o.accounts,
                o.events
            );
        }
    }
    say!(
        "fake events {} ({:.2} %); planned in {:.2} s, written in {:.2} s: {:.0} events/s",
        s.fake_events,
        100.0 * s.fake_events as f64 / s.events.max(1) as f64,
        s.plan_time.as_secs_f64(),
        s.write_time.as_secs_f64(),
        s.events_per_second()
    );
    Ok(())
}
