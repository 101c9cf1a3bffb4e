//! `lockstep eval`: scores a findings directory against a ground-truth directory.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

/// Arguments of `lockstep eval`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Ground-truth directory (needs truth_accounts.csv; the other truth_*.csv are optional).
    #[arg(long, value_name = "DIR")]
    truth: PathBuf,
    /// Findings directory: verdicts.csv, flagged_events.csv, operations.json (any may be
    /// missing; missing means nothing found).
    #[arg(long, value_name = "DIR")]
    findings: PathBuf,
    /// Also write the full report as pretty JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

/// Runs `lockstep eval`: prints the report table and optionally writes the JSON report.
pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let report = lockstep_eval::evaluate(&args.truth, &args.findings).with_context(|| {
        format!(
            "cannot score {} against {}",
            args.findings.display(),
            args.truth.display()
        )
    })?;
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report).context("serialising the report")?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "lockstep eval: findings {} against truth {}\n",
        args.findings.display(),
        args.truth.display()
    )?;
    out.write_all(report.render_table().as_bytes())?;
    if let Some(path) = &args.json {
        writeln!(out, "\nfull report: {}", path.display())?;
    }
    out.flush()?;
    Ok(())
}
