//! The `lockstep` command line: finds bought engagement in a platform's event log.
//!
//! Glue only: each subcommand lives in `cmd/<name>.rs` and calls the library crates.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `println!` that returns the write's error instead of panicking, so a closed stdout
/// (`lockstep … | head`) ends the command quietly (see `is_broken_pipe`). For functions that
/// return `anyhow::Result`.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*)?;
    }};
}

#[allow(unsafe_code)]
mod alloc;
mod cmd;
mod progress;

#[global_allocator]
static GLOBAL: alloc::HugePages = alloc::HugePages;

/// Finds bought engagement (likes, follows, comments, reviews) and automated data harvesting
/// in a platform's event log, with the accounts, devices and apps behind it.
#[derive(Debug, Parser)]
#[command(
    name = "lockstep",
    version,
    long_about = None,
    after_help = "Examples:\n  \
        lockstep demo\n  \
        lockstep scan events.jsonl --accounts accounts.csv --devices devices.csv --out findings\n  \
        lockstep explain ACCOUNT --findings findings"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load event files and print a summary: events per action, distinct ids, time span,
    /// rejected lines by reason, memory used.
    Inspect(cmd::inspect::Args),
    /// Detect, judge and write verdicts, flagged events, operations, corrections, a summary
    /// and the report (CONTRACT §2).
    Scan(cmd::scan::Command),
    /// Simulate a platform with every planted operation, scan it, score the scan against the
    /// truth and print the headline.
    Demo(cmd::demo::Args),
    /// Write a simulated platform with planted fraud operations and its ground truth.
    Simulate(cmd::simulate::Args),
    /// Score a findings directory against a simulator's (or an importer's) ground truth.
    Eval(cmd::eval::Args),
    /// Plan, apply and undo enforcement actions from a findings directory.
    Enforce(cmd::enforce::Args),
    /// Open, decide and list appeals against enforcement actions.
    Appeal(cmd::appeal::Args),
    /// Verify and show the hash-chained audit log.
    Audit(cmd::audit::Args),
    /// Write and verify the evidence bundle of one operation.
    Evidence(cmd::evidence::Args),
    /// Print every signal and reason behind one account's verdict, with the events behind each.
    Explain(cmd::explain::Args),
    /// Convert a public labelled data set to event-log files and truth files.
    Import(cmd::import::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Inspect(args) => cmd::inspect::run(args),
        Command::Scan(args) => cmd::scan::run(args),
        Command::Demo(args) => cmd::demo::run(args),
        Command::Simulate(args) => cmd::simulate::run(args),
        Command::Eval(args) => cmd::eval::run(args),
        Command::Enforce(args) => cmd::enforce::run(args),
        Command::Appeal(args) => cmd::appeal::run(args),
        Command::Audit(args) => cmd::audit::run(args),
        Command::Evidence(args) => cmd::evidence::run(args),
        Command::Explain(args) => cmd::explain::run(args),
        Command::Import(args) => cmd::import::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let _ = std::io::stdout().flush();
            eprintln!("lockstep: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// A closed stdout (`lockstep … | head`) is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
