//! `lockstep appeal`: open, decide and list appeals; a granted appeal undoes the account's actions.

use std::io::Write;

use super::enforce::{StoreArgs, deliver_undos, one_of, report_undos};

/// Arguments of `lockstep appeal`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Sub,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Open an appeal for an account.
    Open {
        /// The account appealing.
        account: String,
        /// The account holder's reason, for the audit log.
        #[arg(long)]
        reason: String,
    },
    /// Grant or deny an open appeal; granting undoes every action on the account.
    Decide {
        /// The appeal id (printed by `appeal open`).
        id: i64,
        /// Grant it: undo the account's actions.
        #[arg(long)]
        grant: bool,
        /// Deny it: the actions stand.
        #[arg(long)]
        deny: bool,
        /// Why, for the audit log.
        #[arg(long)]
        reason: String,
        /// Deliver the undos now to this sink (otherwise `enforce deliver` does).
        #[arg(long, value_name = "SINK")]
        sink: Option<String>,
    },
    /// List appeals, newest first.
    List {
        /// Only open ones.
        #[arg(long)]
        open: bool,
    },
}

/// Runs `lockstep appeal`.
pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let mut store = args.store.open()?;
    let who = args.store.who();
    match args.command {
        Sub::Open { account, reason } => {
            let a = store.open_appeal(&account, &who, &reason)?;
            say!(
                "lockstep appeal open: appeal {} for {} opened by {who}",
                a.id,
                a.account
            );
        }
        Sub::Decide {
            id,
            grant,
            deny,
            reason,
            sink,
        } => {
            let grant = one_of(grant, deny)?;
            let (a, undone) = store.decide_appeal(id, grant, &who, &reason)?;
            say!(
                "lockstep appeal decide: appeal {} for {} {} by {who}",
                a.id,
                a.account,
                a.status.as_str()
            );
            if grant {
                report_undos("  undo", &undone)?;
                deliver_undos(&mut store, &undone, sink.as_deref(), &who)?;
            }
        }
        Sub::List { open } => {
            let appeals = store.appeals(open)?;
            let mut out = std::io::stdout().lock();
            for a in &appeals {
                writeln!(
                    out,
                    "{}\t{}\t{}\topened {} by {}\t{}",
                    a.id,
                    a.account,
                    a.status.as_str(),
                    a.opened_at,
                    a.opened_by,
                    a.decision_reason.as_deref().unwrap_or(&a.reason)
                )?;
            }
            writeln!(out, "{} appeals", appeals.len())?;
        }
    }
    Ok(())
}
