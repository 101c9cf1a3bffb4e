//! `lockstep demo`: simulate a platform with every planted operation, scan it, score the scan
//! against the truth, and print the headline.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use lockstep_ingest::RejectBudget;
use lockstep_sim::{Config, Format};

use crate::cmd::scan;

/// Arguments of `lockstep demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Output directory: the simulated world goes to `DIR/world`, the findings (with
    /// report.html) to `DIR/findings`, the scores to `DIR/eval.json` and `DIR/eval.txt`.
    #[arg(long, value_name = "DIR", default_value = "lockstep-demo")]
    out: PathBuf,
    /// Master seed of the simulation.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Organic accounts (fake accounts come on top; about 60 events per account over 14
    /// days).
    #[arg(long, default_value_t = 50_000)]
    accounts: u32,
}

/// Runs `lockstep demo`.
pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let world = args.out.join("world");
    let findings = args.out.join("findings");
    let cfg = Config {
        seed: args.seed,
        accounts: args.accounts,
        scenarios: vec!["all".into()],
        ..Config::default()
    };
    eprintln!(
        "simulating {} organic accounts over {} days with every planted operation…",
        cfg.accounts, cfg.days
    );
    let s = lockstep_sim::simulate(&cfg, &world, Format::Jsonl)
        .with_context(|| format!("cannot simulate into {}", world.display()))?;
    let sim_secs = started.elapsed().as_secs_f64();
    say!(
        "simulated {} events, {} accounts ({} fake, {} compromised) in {:.1} s → {}",
        s.events,
        s.accounts,
        s.fake_accounts,
        s.compromised_accounts,
        sim_secs,
        world.display()
    );

    let scan_args = scan::Args {
        files: vec![world.join("events.jsonl")],
        accounts: Some(world.join("accounts.jsonl")),
        devices: Some(world.join("devices.jsonl")),
        policy: None,
        max_rejected: RejectBudget::default(),
        out: findings.clone(),
    };
    let outcome = scan::scan(&scan_args)?;
    say!();
    scan::print_summary(&outcome, &findings)?;

    let report = lockstep_eval::evaluate(&world, &findings).context("cannot score the scan")?;
    let json = serde_json::to_string_pretty(&report).context("serialising the scores")?;
    std::fs::write(args.out.join("eval.json"), json + "\n")
        .with_context(|| format!("cannot write {}", args.out.join("eval.json").display()))?;
    std::fs::write(args.out.join("eval.txt"), report.render_table())
        .with_context(|| format!("cannot write {}", args.out.join("eval.txt").display()))?;

    let mut out = std::io::stdout().lock();
    let pct = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{:.3}", v));
    let a = &report.accounts;
    writeln!(out, "\nagainst the planted truth")?;
    writeln!(
        out,
        "  accounts   precision {}  recall {}  F1 {}  organic false-positive rate {}",
        pct(a.precision),
        pct(a.recall),
        pct(a.f1),
        a.organic_fpr
            .map_or("n/a".to_string(), |v| format!("{:.4}%", 100.0 * v))
    )?;
    if let Some(e) = &report.events {
        writeln!(
            out,
            "  events     precision {}  recall {}  F1 {}",
            pct(e.precision),
            pct(e.recall),
            pct(e.f1)
        )?;
    }
    writeln!(
        out,
        "  fake vs compromised right for {} of true positives",
        pct(report.right_kind.share)
    )?;
    writeln!(out, "  recall per scenario")?;
    for sc in &report.scenarios {
        writeln!(
            out,
            "    {:<18} accounts {:>6}  events {:>6}",
            sc.scenario,
            pct(sc.account_recall),
            pct(sc.event_recall)
        )?;
    }
    if let Some(groups) = &report.groups {
        writeln!(out, "  hard negatives flagged")?;
        for g in groups {
            writeln!(
                out,
                "    {:<18} {:>5} of {:>6}",
                g.group, g.organic_flagged, g.organic
            )?;
        }
    }
    let html = findings.join("report.html");
    if html.exists() {
        writeln!(out, "\nreport: {}", html.display())?;
    }
    writeln!(
        out,
        "full scores: {} (table in {}); total {:.1} s",
        args.out.join("eval.json").display(),
        args.out.join("eval.txt").display(),
        started.elapsed().as_secs_f64()
    )?;
    out.flush()?;
    Ok(())
}
