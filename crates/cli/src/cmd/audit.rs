//! `lockstep audit`: verify the hash-chained audit log and show its latest entries.

use std::io::Write;

use anyhow::bail;

use super::enforce::{StoreArgs, redact};

/// Arguments of `lockstep audit`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Sub,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Walk the chain; report the first broken link (exit code 1) or the head hash.
    Verify {
        /// Also require this head hash (published earlier) to be in the chain, to catch a
        /// truncated tail.
        #[arg(long, value_name = "HASH")]
        expect_head: Option<String>,
    },
    /// Print the latest entries, oldest first.
    Show {
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// As JSON lines.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `lockstep audit`.
pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let mut store = args.store.open()?;
    match args.command {
        Sub::Verify { expect_head } => {
            let r = store.audit_verify()?;
            if let Some(b) = &r.broken {
                eprintln!(
                    "lockstep audit verify: BROKEN in {}: {b}",
                    redact(&args.store.target())
                );
                std::process::exit(1);
            }
            if let Some(h) = expect_head
                && store.audit_entry_by_hash(&h)?.is_none()
            {
                bail!(
                    "the expected head {h} is not in the chain: entries were removed from its end"
                );
            }
            match &r.head {
                Some((seq, hash)) => say!(
                    "lockstep audit verify: OK, {} entries; head: entry {seq} hash {hash}",
                    r.entries
                ),
                None => say!("lockstep audit verify: OK, the log is empty"),
            }
        }
        Sub::Show { limit, json } => {
            let mut out = std::io::stdout().lock();
            for e in store.audit_tail(limit)? {
                if json {
                    writeln!(out, "{}", serde_json::to_string(&e)?)?;
                } else {
                    writeln!(
                        out,
                        "{:>6}  {}  {:<12} {:<20} {}  {}  {}",
                        e.seq,
                        e.time,
                        e.actor,
                        e.action,
                        short(&e.subject),
                        e.reason,
                        e.payload
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// A 64-hex action key shortened to 12 digits; anything else as is.
fn short(s: &str) -> &str {
    if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        &s[..12]
    } else {
        s
    }
}
