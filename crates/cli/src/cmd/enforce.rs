//! `lockstep enforce`: build a plan from findings, apply it, undo actions, flush the outbox.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use lockstep_enforce::{DEFAULT_BATCH, Plan, Policy};
use lockstep_store::{DeliveryScope, Store, UndoOutcome};

/// Where the store is and who is acting: shared by `enforce`, `appeal` and `audit`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct StoreArgs {
    /// The store: an SQLite file path or a postgres:// URL [default: $LOCKSTEP_DB, else
    /// lockstep.db in the current directory].
    #[arg(long, value_name = "URL_OR_PATH", global = true)]
    db: Option<String>,
    /// Who is acting, for the audit log [default: $USER].
    #[arg(long, value_name = "NAME", global = true)]
    who: Option<String>,
}

impl StoreArgs {
    /// The store target after `--db`, `$LOCKSTEP_DB` and the default.
    pub(crate) fn target(&self) -> String {
        self.db
            .clone()
            .or_else(|| std::env::var("LOCKSTEP_DB").ok().filter(|s| !s.is_empty()))
            .unwrap_or_else(|| "lockstep.db".to_owned())
    }

    /// Opens the store, bringing its schema up to date.
    pub(crate) fn open(&self) -> anyhow::Result<Store> {
        let target = self.target();
        Store::open(&target).with_context(|| format!("cannot open the store {}", redact(&target)))
    }

    /// The acting person.
    pub(crate) fn who(&self) -> String {
        self.who
            .clone()
            .or_else(|| std::env::var("USER").ok().filter(|s| !s.is_empty()))
            .unwrap_or_else(|| "unknown".to_owned())
    }
}

/// A store target for messages, without a URL's password.
pub(crate) fn redact(target: &str) -> String {
    match (target.find("://"), target.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &target[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &target[..s + 3], &target[at..])
        }
        _ => target.to_owned(),
    }
}

/// Arguments of `lockstep enforce`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Sub,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Build a reviewable action plan from a findings directory.
    Plan {
        /// Findings directory (verdicts.csv, flagged_events.csv, operations.json,
        /// corrections.csv; missing files are noted).
        #[arg(long, value_name = "DIR")]
        findings: PathBuf,
        /// Policy file (TOML); the documented defaults when absent.
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
        /// Where to write the plan (JSON).
        #[arg(long, value_name = "PLAN.json")]
        out: PathBuf,
    },
    /// Apply a plan idempotently: record each action, deliver it, mark it applied.
    Apply {
        /// The plan written by `enforce plan`.
        #[arg(value_name = "PLAN")]
        plan: PathBuf,
        /// Where actions go: ndjson:FILE or webhook:http://HOST:PORT/PATH.
        #[arg(long, value_name = "SINK")]
        sink: String,
        /// Actions per transaction.
        #[arg(long, default_value_t = DEFAULT_BATCH, value_name = "N")]
        batch: usize,
    },
    /// Undo one action (by key) or every action of a case (by operation id).
    Undo {
        /// An action key (64 hex digits) or a case (operation) id.
        #[arg(value_name = "ACTION_KEY|CASE")]
        target: String,
        /// Why, for the audit log.
        #[arg(long)]
        reason: String,
        /// Deliver the undos now to this sink (otherwise `enforce deliver` does).
        #[arg(long, value_name = "SINK")]
        sink: Option<String>,
    },
    /// Deliver everything pending in the store (applies and undos) to a sink.
    Deliver {
        /// Where actions go: ndjson:FILE or webhook:http://HOST:PORT/PATH.
        #[arg(long, value_name = "SINK")]
        sink: String,
        /// Actions per transaction.
        #[arg(long, default_value_t = DEFAULT_BATCH, value_name = "N")]
        batch: usize,
    },
    /// List banned vendors and their fingerprints.
    Bans {
        /// Include lifted bans.
        #[arg(long)]
        all: bool,
    },
}

/// Runs `lockstep enforce`.
pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let store_args = args.store;
    match args.command {
        Sub::Plan {
            findings,
            policy,
            out,
        } => plan(&findings, policy.as_deref(), &out),
        Sub::Apply { plan, sink, batch } => {
            let plan = Plan::read(&plan)?;
            let mut store = store_args.open()?;
            let mut sink = lockstep_enforce::open_sink(&sink)?;
            let report = lockstep_enforce::apply(
                &mut store,
                &plan,
                sink.as_mut(),
                &store_args.who(),
                batch,
            )?;
            say!(
                "lockstep enforce apply: {report}; {} recorded now; store {}, sink {}",
                report.recorded,
                redact(&store_args.target()),
                sink.describe()
            );
            Ok(())
        }
        Sub::Undo {
            target,
            reason,
            sink,
        } => {
            let mut store = store_args.open()?;
            let who = store_args.who();
            let is_key = target.len() == 64 && target.bytes().all(|b| b.is_ascii_hexdigit());
            let outcomes = if is_key && store.action(&target)?.is_some() {
                store.request_undo(std::slice::from_ref(&target), &who, &reason)?
            } else {
                store
                    .undo_case(&target, &who, &reason)
                    .with_context(|| format!("cannot undo {target}"))?
            };
            report_undos("lockstep enforce undo", &outcomes)?;
            deliver_undos(&mut store, &outcomes, sink.as_deref(), &who)
        }
        Sub::Deliver { sink, batch } => {
            let mut store = store_args.open()?;
            let mut sink = lockstep_enforce::open_sink(&sink)?;
            let r = lockstep_enforce::deliver(
                &mut store,
                DeliveryScope::All,
                sink.as_mut(),
                &store_args.who(),
                batch,
            )?;
            say!(
                "lockstep enforce deliver: {} applied, {} undone, to {}",
                r.applied,
                r.undone,
                sink.describe()
            );
            Ok(())
        }
        Sub::Bans { all } => {
            let mut store = store_args.open()?;
            let bans = store.bans(all)?;
            let mut out = std::io::stdout().lock();
            for b in &bans {
                writeln!(
                    out,
                    "{}\t{}\tbanned {} by {}{}\tdevices {}\tdevice fingerprints {}\tip ranges {}\tapps {}\tcustomers {}",
                    b.operation,
                    if b.kind.is_empty() { "-" } else { &b.kind },
                    b.banned_at,
                    b.banned_by,
                    b.lifted_at
                        .as_ref()
                        .map(|t| format!(", lifted {t}"))
                        .unwrap_or_default(),
                    b.devices.len(),
                    b.device_fingerprints.len(),
                    b.ip_ranges.join(","),
                    b.app_ids.join(","),
                    b.customers.len(),
                )?;
            }
            writeln!(out, "{} bans", bans.len())?;
            Ok(())
        }
    }
}

fn plan(
    findings: &std::path::Path,
    policy: Option<&std::path::Path>,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let policy = match policy {
        Some(p) => Policy::load(p)?,
        None => Policy::default(),
    };
    let f = lockstep_enforce::read_findings(findings)?;
    let plan = lockstep_enforce::build_plan(&f, &policy, &findings.display().to_string());
    plan.write(out)?;
    say!(
        "lockstep enforce plan: {} actions for {} operations (policy {}), plan {} written to {}",
        plan.actions.len(),
        plan.operations.len(),
        plan.policy_version,
        &plan.plan_id[..12],
        out.display()
    );
    for (kind, n) in &plan.summary {
        say!("  {kind:<18} {n}");
    }
    for note in &plan.notes {
        say!("  note: {note}");
    }
    Ok(())
}

/// Prints what an undo request changed.
pub(crate) fn report_undos(what: &str, outcomes: &[UndoOutcome]) -> anyhow::Result<()> {
    let changed = outcomes.iter().filter(|o| o.changed).count();
    say!(
        "{what}: {changed} undo(s) requested, {} already undone",
        outcomes.len() - changed
    );
    Ok(())
}

/// Delivers the requested undos now if a sink was given, or says how to.
pub(crate) fn deliver_undos(
    store: &mut Store,
    outcomes: &[UndoOutcome],
    sink: Option<&str>,
    who: &str,
) -> anyhow::Result<()> {
    let keys: Vec<String> = outcomes.iter().map(|o| o.key.clone()).collect();
    match sink {
        Some(spec) => {
            let mut sink = lockstep_enforce::open_sink(spec)?;
            let r = lockstep_enforce::deliver(
                store,
                DeliveryScope::Keys(&keys),
                sink.as_mut(),
                who,
                DEFAULT_BATCH,
            )?;
            say!("  {} undo(s) delivered to {}", r.undone, sink.describe());
        }
        None if outcomes.iter().any(|o| o.changed) => {
            say!("  deliver them with: lockstep enforce deliver --sink ndjson:FILE|webhook:URL");
        }
        None => {}
    }
    Ok(())
}

/// Fails unless exactly one of the flags is set.
pub(crate) fn one_of(grant: bool, deny: bool) -> anyhow::Result<bool> {
    match (grant, deny) {
        (true, false) => Ok(true),
        (false, true) => Ok(false),
        _ => bail!("give exactly one of --grant and --deny"),
    }
}
