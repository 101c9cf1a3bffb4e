//! `lockstep evidence`: write the evidence bundle of one operation, and verify a bundle.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use lockstep_evidence::{AUDIT_ACTION, FindingsDir, WriteOptions, check_output, verify};
use lockstep_ingest::{Inputs, NullRejectSink, RejectBudget};
use lockstep_store::Store;
use serde_json::json;

use super::enforce::redact;
use crate::progress;

/// Arguments of `lockstep evidence`: `evidence OPERATION --findings DIR --out BUNDLE`, or a
/// subcommand.
#[derive(Debug, clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Examples:\n  lockstep evidence op-001 --findings findings --out evidence-op-001\n  lockstep evidence verify evidence-op-001"
)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Option<Sub>,
    #[command(flatten)]
    write: Box<WriteArgs>,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Write the bundle of one operation (the same as `evidence OPERATION …`).
    Write(Box<WriteArgs>),
    /// Recompute every hash of a bundle; name each file changed, missing or added (exit code
    /// 1), or confirm it is intact.
    Verify(VerifyArgs),
}

#[derive(Debug, clap::Args)]
struct WriteArgs {
    /// The operation id, as in operations.json (e.g. op-001).
    #[arg(value_name = "OPERATION", required = true)]
    operation: Option<String>,
    /// The findings directory (the --out of `lockstep scan`).
    #[arg(long, value_name = "DIR", required = true)]
    findings: Option<PathBuf>,
    /// The bundle directory to write (must not exist, unless --force).
    #[arg(long, value_name = "BUNDLE", required = true)]
    out: Option<PathBuf>,
    /// The event files the scan read [default: the inputs recorded in the findings'
    /// summary.json].
    #[arg(long, value_name = "FILE", num_args = 1..)]
    events: Vec<PathBuf>,
    /// The accounts side file (with --events).
    #[arg(long, value_name = "F", requires = "events")]
    accounts: Option<PathBuf>,
    /// The devices side file (with --events; gives the device models in the report).
    #[arg(long, value_name = "F", requires = "events")]
    devices: Option<PathBuf>,
    /// Stop when more input lines than this are rejected (the scan already listed them in
    /// rejected.jsonl).
    #[arg(long, value_name = "N|FRACTION", default_value = "unlimited")]
    max_rejected: RejectBudget,
    /// Replace an existing bundle at --out.
    #[arg(long)]
    force: bool,
    /// Record the bundle (its hash) in this store's audit log: an SQLite path or a
    /// postgres:// URL.
    #[arg(long, value_name = "URL_OR_PATH")]
    db: Option<String>,
    /// Who is writing, for the audit log [default: $USER].
    #[arg(long, value_name = "NAME", requires = "db")]
    who: Option<String>,
    /// Why, for the audit log.
    #[arg(long, value_name = "TEXT", requires = "db")]
    reason: Option<String>,
}

#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// The bundle directory.
    #[arg(value_name = "BUNDLE")]
    bundle: PathBuf,
    /// Also require this bundle hash (published or filed when the bundle was written).
    #[arg(long, value_name = "SHA256")]
    expect: Option<String>,
    /// Also require the bundle hash to be recorded in this store's audit log, and the chain
    /// to verify.
    #[arg(long, value_name = "URL_OR_PATH")]
    db: Option<String>,
}

/// Runs `lockstep evidence`.
pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Some(Sub::Verify(v)) => run_verify(v),
        Some(Sub::Write(w)) => run_write(*w),
        None => run_write(*args.write),
    }
}

fn open_store(target: &str) -> anyhow::Result<Store> {
    Store::open(target).with_context(|| format!("cannot open the store {}", redact(target)))
}

fn run_write(a: WriteArgs) -> anyhow::Result<()> {
    let (Some(operation), Some(findings), Some(out)) = (a.operation, a.findings, a.out) else {
        bail!("usage: lockstep evidence OPERATION --findings DIR --out BUNDLE");
    };
    let source = FindingsDir::read(&findings)?;
    source.require_operation(&operation)?;
    check_output(&out, a.force)?;
    let mut store = a.db.as_deref().map(open_store).transpose()?;

    let (events, accounts, devices) = if a.events.is_empty() {
        let r = source.recorded_inputs()?;
        for p in r.events.iter().chain(&r.accounts).chain(&r.devices) {
            if !p.is_file() {
                bail!(
                    "the scan read {} (recorded in {}), which is not here (a relative path is relative to where the scan ran); pass the event files with --events FILE…",
                    p.display(),
                    findings.join("summary.json").display()
                );
            }
        }
        (r.events, r.accounts, r.devices)
    } else {
        (a.events, a.accounts, a.devices)
    };
    let inputs = Inputs {
        events: &events,
        accounts: accounts.as_deref(),
        devices: devices.as_deref(),
    };
    let loaded = progress::load(&inputs, a.max_rejected, &mut NullRejectSink, None)
        .context("cannot load the events")?;
    let mut files = events.clone();
    files.extend(accounts.iter().cloned());
    files.extend(devices.iter().cloned());
    let opts = WriteOptions {
        tool: format!("lockstep {}", env!("CARGO_PKG_VERSION")),
        force: a.force,
        inputs: files,
        ..WriteOptions::default()
    };
    let sp = progress::spinner("writing the bundle");
    let written = lockstep_evidence::write_bundle(&loaded.log, &source, &operation, &out, &opts);
    sp.finish_and_clear();
    let w = written.with_context(|| format!("cannot write the bundle {}", out.display()))?;
    let m = &w.manifest;
    let accounts = if w.members == w.accounts {
        format!("{} member accounts", w.members)
    } else {
        format!(
            "{} member accounts and {} suspicious",
            w.members,
            w.accounts - w.members
        )
    };
    // The files counted are those the manifest lists, as `evidence verify` counts them.
    say!(
        "lockstep evidence: wrote {}: {} files, hashed in manifest.json and SHA256SUMS; operation {}{}, {} events ({} flagged), {accounts}, {} {}, {} runs; policy {}",
        out.display(),
        m.files.len(),
        m.operation,
        if m.operation_kind.is_empty() {
            String::new()
        } else {
            format!(" ({})", m.operation_kind)
        },
        w.events,
        w.flagged,
        w.beneficiaries,
        if m.operation_kind == "scraping" {
            "owners whose data was read"
        } else {
            "beneficiaries"
        },
        w.runs,
        m.policy_version
    );
    for n in &w.notes {
        say!("  note: {n}");
    }
    say!("bundle sha256 {}", m.bundle_sha256);
    if let (Some(store), Some(target)) = (store.as_mut(), a.db.as_deref()) {
        let who = a
            .who
            .or_else(|| std::env::var("USER").ok().filter(|s| !s.is_empty()))
            .unwrap_or_else(|| "unknown".to_owned());
        let bundle = std::path::absolute(&out).unwrap_or_else(|_| out.clone());
        let payload = json!({
            "bundle": bundle.display().to_string(),
            "bundle_sha256": m.bundle_sha256,
            "files": m.files.len(),
            "operation_kind": m.operation_kind,
            "policy_version": m.policy_version,
            "created": m.created,
            "tool": m.tool,
        });
        let reason = a
            .reason
            .unwrap_or_else(|| "evidence bundle written".to_owned());
        let e = store
            .audit_append(&who, AUDIT_ACTION, &m.operation, &reason, &payload)
            .with_context(|| {
                format!(
                    "the bundle is written, but recording it in the audit log of {} failed",
                    redact(target)
                )
            })?;
        say!(
            "recorded in the audit log of {}: entry {} ({AUDIT_ACTION}), hash {}",
            redact(target),
            e.seq,
            e.hash
        );
    }
    Ok(())
}

fn run_verify(a: VerifyArgs) -> anyhow::Result<()> {
    let v = verify(&a.bundle, a.expect.as_deref())?;
    let mut problems: Vec<String> = v.differences.iter().map(ToString::to_string).collect();
    let mut recorded = None;
    if let Some(target) = a.db.as_deref() {
        // Verifying reads a store; it never creates one.
        if !target.contains("://") && !Path::new(target).is_file() {
            bail!("no store at {target}: --db names the store the bundle was recorded in");
        }
        let mut store = open_store(target)?;
        let chain = store.audit_verify()?;
        if let Some(b) = &chain.broken {
            problems.push(format!(
                "the audit log of {} is broken: {b}",
                redact(target)
            ));
        }
        let op = v.manifest.as_ref().map_or("", |m| m.operation.as_str());
        let entry = store.audit_for(op)?.into_iter().find(|e| {
            e.action == AUDIT_ACTION
                && serde_json::from_str::<serde_json::Value>(&e.payload)
                    .ok()
                    .and_then(|p| p.get("bundle_sha256")?.as_str().map(str::to_owned))
                    .is_some_and(|h| h == v.bundle_sha256)
        });
        match entry {
            Some(e) => {
                recorded = Some(format!(
                    "recorded in the audit log of {}: entry {} at {} by {}",
                    redact(target),
                    e.seq,
                    e.time,
                    e.actor
                ))
            }
            None => problems.push(format!(
                "the bundle hash {} is not recorded in the audit log of {}",
                v.bundle_sha256,
                redact(target)
            )),
        }
    }
    let bundle = a.bundle.display();
    if problems.is_empty() {
        let m = v.manifest.as_ref();
        say!(
            "lockstep evidence verify: OK, {bundle} is intact: {} files match their hashes in manifest.json and SHA256SUMS; operation {}, policy {}, written {}",
            v.files_checked,
            m.map_or("", |m| m.operation.as_str()),
            m.map_or("", |m| m.policy_version.as_str()),
            m.map_or("", |m| m.created.as_str()),
        );
        say!("bundle sha256 {}", v.bundle_sha256);
        if let Some(r) = recorded {
            say!("{r}");
        }
        return Ok(());
    }
    let what = if v.is_intact() {
        "NOT RECORDED"
    } else {
        "CHANGED"
    };
    print_problems(what, &a.bundle, &problems, &v.bundle_sha256);
    std::process::exit(1);
}

fn print_problems(what: &str, bundle: &Path, problems: &[String], hash: &str) {
    eprintln!(
        "lockstep evidence verify: {what}: {} ({} difference{})",
        bundle.display(),
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems {
        eprintln!("  {p}");
    }
    eprintln!("  the files as they are now hash to {hash}");
}
