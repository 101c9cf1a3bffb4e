//! Writing a bundle: choose the operation's events and accounts, write every file into a
//! temporary directory next to the output, hash them, then rename it into place.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use lockstep_core::{EventLog, Id, NONE};
use lockstep_ingest::write::{EventRow, EventWriter, Format};
use lockstep_report::{OpIndex, PlotLimits, ReportIndex, render_operation_section};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::error::{Error, Result, invalid_input_err, io};
use crate::manifest::{
    BUNDLE_FORMAT, BUNDLE_HASH_DEFINITION, BUNDLE_SCHEMA_VERSION, FileEntry, MANIFEST_FILE,
    Manifest, SUMS_FILE, bundle_sha256, hash_file, sums_text,
};
use crate::source::FindingsDir;
use crate::text;

/// Events of the same action on the same target closer than this belong to one run of the
/// timeline.
pub const RUN_GAP_MS: i64 = 60 * 60 * 1000;

/// How [`write_bundle`] writes.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    /// The writer recorded in the manifest, e.g. `lockstep 0.1.0`.
    pub tool: String,
    /// The creation time to record (RFC 3339); `None` for now.
    pub created: Option<String>,
    /// Replace an existing bundle at the output path.
    pub force: bool,
    /// The files the log was loaded from; each one's size and SHA-256 go into
    /// `provenance.json`.
    pub inputs: Vec<PathBuf>,
    /// Caps of the report section's plots and tables.
    pub limits: PlotLimits,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            tool: concat!("lockstep-evidence ", env!("CARGO_PKG_VERSION")).to_owned(),
            created: None,
            force: false,
            inputs: Vec::new(),
            limits: PlotLimits::default(),
        }
    }
}

/// What [`write_bundle`] wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// The bundle directory.
    pub path: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// Events in `events.csv`.
    pub events: usize,
    /// Of them, flagged for the operation.
    pub flagged: usize,
    /// Accounts in `accounts.csv`: the operation's members and the accounts the findings name
    /// as suspicious around it.
    pub accounts: usize,
    /// Of them, the operation's members.
    pub members: usize,
    /// Beneficiaries in `beneficiaries.csv`.
    pub beneficiaries: usize,
    /// Runs in `timeline.csv`.
    pub runs: usize,
    /// What the reader should know (also in `provenance.json` and `README.md`).
    pub notes: Vec<String>,
}

/// Writes the evidence bundle of `operation` to `out`.
///
/// `log` must hold the events the findings were computed from (at least every event flagged
/// for the operation). The bundle is written into a temporary directory next to `out` and
/// renamed into place at the end, so `out` is either the complete bundle or untouched.
///
/// # Errors
/// - [`Error::InvalidInput`]: the findings do not name `operation`; some of its flagged
///   events are not in `log` (the wrong event files); `out` has no file name; `out` exists
///   and is not a bundle (even with `force`).
/// - [`Error::Exists`]: `out` exists and `force` is off.
/// - [`Error::Io`], [`Error::Ingest`]: writing failed (the temporary directory is removed).
pub fn write_bundle(
    log: &EventLog,
    source: &FindingsDir,
    operation: &str,
    out: &Path,
    opts: &WriteOptions,
) -> Result<Written> {
    source.require_operation(operation)?;
    check_output(out, opts.force)?;
    let index = ReportIndex::build(log, &source.findings);
    let k = index
        .ops
        .iter()
        .position(|o| o.id == operation)
        .ok_or_else(|| invalid_input_err!("operation {operation:?}: not in the findings"))?;
    let o = &index.ops[k];
    let flagged_rows = flagged_rows(source, o, log)?;
    let created = opts.created.clone().unwrap_or_else(now_rfc3339);
    let tmp = temp_path(out, "tmp")?;
    std::fs::create_dir(&tmp).map_err(io(&tmp))?;
    let result = (|| {
        let w = write_files(log, source, &index, k, &flagged_rows, &tmp, opts, &created)?;
        place(&tmp, out, opts.force)?;
        Ok(Written {
            path: out.to_path_buf(),
            ..w
        })
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// Checks that a bundle can be written at `out`: an existing output is refused unless
/// `force`, and something that is not a bundle (an empty directory counts as one) is never
/// replaced. [`write_bundle`] checks this itself; call it first to fail before loading events.
///
/// # Errors
/// [`Error::Exists`], or [`Error::InvalidInput`] for a path without a file name or an
/// existing non-bundle.
pub fn check_output(out: &Path, force: bool) -> Result<()> {
    if out.file_name().is_none() {
        return Err(invalid_input_err!(
            "{}: the bundle needs a directory name of its own",
            out.display()
        ));
    }
    let Ok(meta) = std::fs::symlink_metadata(out) else {
        return Ok(());
    };
    if !force {
        return Err(Error::Exists(out.to_path_buf()));
    }
    let is_bundle = meta.is_dir()
        && (out.join(MANIFEST_FILE).is_file()
            || std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_none()));
    if !is_bundle {
        return Err(invalid_input_err!(
            "{} exists and is not an evidence bundle (no {MANIFEST_FILE}); not replacing it",
            out.display()
        ));
    }
    Ok(())
}

/// `.NAME.KIND-PID-NANOS` next to `out`.
fn temp_path(out: &Path, kind: &str) -> Result<PathBuf> {
    let name = out
        .file_name()
        .ok_or_else(|| invalid_input_err!("{}: no file name", out.display()))?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(invalid_input_err!(
            "{}: the directory to write the bundle into does not exist",
            parent.display()
        ));
    }
    Ok(parent.join(format!(
        ".{}.{kind}-{}-{nanos}",
        name.to_string_lossy(),
        std::process::id()
    )))
}

/// Renames the finished `tmp` to `out`, moving an existing bundle aside first (`force`).
fn place(tmp: &Path, out: &Path, force: bool) -> Result<()> {
    if std::fs::symlink_metadata(out).is_ok() {
        if !force {
            return Err(Error::Exists(out.to_path_buf()));
        }
        let old = temp_path(out, "old")?;
        std::fs::rename(out, &old).map_err(io(out))?;
        if let Err(e) = std::fs::rename(tmp, out) {
            let _ = std::fs::rename(&old, out);
            return Err(io(out)(e));
        }
        std::fs::remove_dir_all(&old).map_err(io(&old))?;
        return Ok(());
    }
    std::fs::rename(tmp, out).map_err(io(out))
}

fn now_rfc3339() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    text::rfc3339(ms)
}

/// One row of the findings' `flagged_events.csv` for an event of the bundle.
struct FlagRow<'a> {
    event: u32,
    operation: &'a str,
    reasons: &'a str,
}

/// The operation's flagged events with their findings rows; an error when some flagged event
/// the findings attribute to it is not in the log.
fn flagged_rows<'a>(
    source: &'a FindingsDir,
    o: &'a OpIndex,
    log: &EventLog,
) -> Result<Vec<FlagRow<'a>>> {
    let f = &source.findings;
    let by_id: HashMap<&str, (&str, &str)> = f
        .flagged
        .iter()
        .map(|r| {
            (
                &*r.event,
                (f.labels.name(r.operation), f.labels.name(r.reasons)),
            )
        })
        .collect();
    let mut rows = Vec::with_capacity(o.flagged);
    let mut found: BTreeSet<String> = BTreeSet::new();
    for e in o.flagged_events() {
        let id = log.event_id_string(e as usize);
        let (operation, reasons) = by_id.get(&*id).copied().unwrap_or((&o.id, ""));
        rows.push(FlagRow {
            event: e,
            operation,
            reasons,
        });
        found.insert(id.into_owned());
    }
    let named: BTreeSet<&str> = f
        .flagged
        .iter()
        .filter(|r| f.labels.name(r.operation) == o.id)
        .map(|r| &*r.event)
        .collect();
    let missing: Vec<&str> = named
        .iter()
        .copied()
        .filter(|id| !found.contains(*id))
        .collect();
    if !missing.is_empty() {
        let shown = missing
            .iter()
            .take(3)
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        return Err(invalid_input_err!(
            "{} of the {} events that {}/flagged_events.csv flags for {} are not in the event files read (e.g. {shown}); load the files the scan read (--events FILE…)",
            missing.len(),
            named.len(),
            source.dir.display(),
            o.id
        ));
    }
    Ok(rows)
}

/// One account of the operation.
#[derive(Serialize)]
struct AccountJson<'a> {
    account: &'a str,
    role: &'static str,
    verdict: &'a str,
    score: Option<f64>,
    reasons: Vec<&'a str>,
    signals: Vec<&'a Value>,
    events: usize,
    flagged_events: usize,
    first_flagged: Option<String>,
    last_flagged: Option<String>,
}

/// `reasoning.json`, fields in this order.
#[derive(Serialize)]
struct Reasoning<'a> {
    schema_version: u32,
    operation: Value,
    policy_version: &'a str,
    verdicts: Vec<Value>,
    reason_codes: Vec<Value>,
    accounts: &'a [AccountJson<'a>],
}

/// `provenance.json`, fields in this order.
#[derive(Serialize)]
struct Provenance<'a> {
    schema_version: u32,
    operation: &'a str,
    operation_kind: &'a str,
    policy_version: &'a str,
    tool: &'a str,
    created: &'a str,
    findings: Value,
    inputs: Vec<Value>,
    events_loaded: usize,
    notes: &'a [String],
}

/// One run of the timeline.
pub(crate) struct Run {
    pub(crate) start: i64,
    pub(crate) end: i64,
    pub(crate) action: String,
    /// The one actor, empty when several.
    pub(crate) actor: String,
    /// The one target, empty when several.
    pub(crate) target: String,
    /// The one owner, empty when several or none.
    pub(crate) owner: String,
    pub(crate) accounts: usize,
    pub(crate) targets: usize,
    pub(crate) events: usize,
    pub(crate) flagged: usize,
    pub(crate) first_event: String,
    pub(crate) last_event: String,
}

/// One beneficiary.
pub(crate) struct Beneficiary {
    pub(crate) name: String,
    pub(crate) engagements: usize,
    pub(crate) targets: usize,
    pub(crate) accounts: usize,
    pub(crate) first: Option<i64>,
    pub(crate) last: Option<i64>,
    pub(crate) named: bool,
}

#[expect(
    clippy::too_many_arguments,
    reason = "one call site; the parts of one bundle"
)]
fn write_files(
    log: &EventLog,
    source: &FindingsDir,
    index: &ReportIndex,
    k: usize,
    flag_rows: &[FlagRow<'_>],
    dir: &Path,
    opts: &WriteOptions,
    created: &str,
) -> Result<Written> {
    let f = &source.findings;
    let o = &index.ops[k];
    let op_json: Option<&Map<String, Value>> = o.json.map(|j| &f.operations[j].fields);
    let policy_version = source
        .policy_version
        .clone()
        .unwrap_or_else(|| "unknown".to_owned());
    let mut notes: Vec<String> = Vec::new();

    // Flags of the operation, by event.
    let flag_of: HashMap<u32, &str> = flag_rows.iter().map(|r| (r.event, r.reasons)).collect();
    // The timeline's and the beneficiaries' basis: the flagged events, or every event of the
    // members when none is flagged.
    let basis: Vec<u32> = if o.flagged > 0 {
        o.flagged_events().collect()
    } else {
        notes.push(format!(
            "no event is flagged for {}: the timeline and beneficiaries count every event of its accounts",
            o.id
        ));
        o.events.clone()
    };

    // 1. Events, CONTRACT §1, in time order.
    write_events(log, &o.events, &dir.join("events.csv"), Format::Csv)?;
    if cfg!(feature = "parquet") {
        write_events(log, &o.events, &dir.join("events.parquet"), Format::Parquet)?;
    } else {
        notes.push("built without Parquet support: no events.parquet".to_owned());
    }
    write_flagged(flag_rows, log, &dir.join("flagged_events.csv"))?;

    // 2. Accounts and their reasoning.
    let accounts = accounts(log, source, o, op_json, &flag_of);
    if o.unknown_members > 0 {
        notes.push(format!(
            "{} of the operation's accounts named by the findings have no event in the files read",
            o.unknown_members
        ));
    }
    write_accounts_csv(&accounts, &dir.join("accounts.csv"))?;
    let reason_codes: Vec<Value> = o
        .reasons
        .iter()
        .map(|r| {
            json!({"code": r.code, "accounts": r.accounts, "flagged_events": r.events,
                   "flagged_event_accounts": r.event_accounts})
        })
        .collect();
    let reasoning = Reasoning {
        schema_version: BUNDLE_SCHEMA_VERSION,
        operation: op_json.map_or_else(
            || json!({"id": o.id, "kind": o.kind}),
            |m| Value::Object(m.clone()),
        ),
        policy_version: &policy_version,
        verdicts: o
            .verdicts
            .iter()
            .map(|(v, n)| json!({"verdict": v, "accounts": n}))
            .collect(),
        reason_codes,
        accounts: &accounts,
    };
    write_json(&dir.join("reasoning.json"), &reasoning)?;

    // 3. Timeline and beneficiaries.
    let runs = runs(log, &basis, &flag_of, o.kind == "scraping");
    write_timeline(&runs, &dir.join("timeline.csv"))?;
    let beneficiaries = beneficiaries(log, &basis, op_json);
    write_beneficiaries(&beneficiaries, &dir.join("beneficiaries.csv"))?;

    // 4. The report section and its plots.
    let section = render_operation_section(log, f, index, k, &opts.limits);
    let plots_dir = dir.join("plots");
    let mut plot_files = Vec::new();
    for p in &section.plots {
        let name = safe_file_name(&p.file_name);
        if plot_files.is_empty() {
            std::fs::create_dir(&plots_dir).map_err(io(&plots_dir))?;
        }
        let path = plots_dir.join(&name);
        std::fs::write(&path, &p.svg).map_err(io(&path))?;
        plot_files.push((format!("plots/{name}"), p.title.clone()));
    }
    let html = text::report_page(o, &policy_version, created, &section.html);
    let report = dir.join("report.html");
    std::fs::write(&report, html).map_err(io(&report))?;

    // 5. Provenance.
    let mut inputs = Vec::new();
    for p in &opts.inputs {
        let (bytes, sha256) = hash_file(p)?;
        inputs.push(json!({"path": p.display().to_string(), "bytes": bytes, "sha256": sha256}));
    }
    if let Some(n) = source.scanned_events()
        && n != log.len() as u64
    {
        notes.push(format!(
            "the scan read {n} events; the files read for this bundle hold {}",
            log.len()
        ));
    }
    notes.extend(f.notes.iter().map(|n| format!("findings: {n}")));
    let provenance = Provenance {
        schema_version: BUNDLE_SCHEMA_VERSION,
        operation: &o.id,
        operation_kind: &o.kind,
        policy_version: &policy_version,
        tool: &opts.tool,
        created,
        findings: json!({
            "dir": source.dir.display().to_string(),
            "files": source.files,
        }),
        inputs,
        events_loaded: log.len(),
        notes: &notes,
    };
    write_json(&dir.join("provenance.json"), &provenance)?;

    // 6. README.md, then the sums and the manifest.
    let members = accounts.iter().filter(|a| a.role == "member").count();
    let counts = text::Counts {
        events: o.events.len(),
        flagged: o.flagged,
        accounts: accounts.len(),
        members,
        members_missing: o.unknown_members,
    };
    let readme = text::readme(&text::Readme {
        operation: &o.id,
        kind: &o.kind,
        policy_version: &policy_version,
        created,
        tool: &opts.tool,
        findings: &source.dir,
        score: op_json.and_then(|j| j.get("score")).and_then(Value::as_f64),
        counts,
        verdicts: &o.verdicts,
        reasons: &o.reasons,
        beneficiaries: &beneficiaries,
        runs: &runs,
        plots: &plot_files,
        notes: &notes,
    });
    let readme_path = dir.join("README.md");
    std::fs::write(&readme_path, readme).map_err(io(&readme_path))?;

    let files = list_files(dir)?;
    let sums = dir.join(SUMS_FILE);
    std::fs::write(&sums, sums_text(&files)).map_err(io(&sums))?;
    let manifest = Manifest {
        format: BUNDLE_FORMAT.to_owned(),
        schema_version: BUNDLE_SCHEMA_VERSION,
        operation: o.id.clone(),
        operation_kind: o.kind.clone(),
        policy_version,
        tool: opts.tool.clone(),
        created: created.to_owned(),
        bundle_hash_definition: BUNDLE_HASH_DEFINITION.to_owned(),
        bundle_sha256: bundle_sha256(&files),
        files,
    };
    write_json(&dir.join(MANIFEST_FILE), &manifest)?;
    sync_dir(dir);
    Ok(Written {
        path: dir.to_path_buf(),
        manifest,
        events: o.events.len(),
        flagged: o.flagged,
        accounts: accounts.len(),
        members,
        beneficiaries: beneficiaries.len(),
        runs: runs.len(),
        notes,
    })
}

/// A plot's file name reduced to `[A-Za-z0-9._-]`, never starting with a dot.
fn safe_file_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_start_matches('.');
    if s.is_empty() {
        "plot.svg".to_owned()
    } else {
        s.to_owned()
    }
}

/// Flushes the bundle's files to disk (best effort: what matters is that a reader never sees
/// a half-written bundle, which the rename gives).
fn sync_dir(dir: &Path) {
    if let Ok(files) = list_paths(dir) {
        for (p, _) in files {
            if let Ok(f) = File::open(&p) {
                let _ = f.sync_all();
            }
        }
    }
}

/// Every file under `dir`, recursively (symbolic links not followed), with whether it is a
/// regular file.
fn list_paths(dir: &Path) -> Result<Vec<(PathBuf, bool)>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(io(&d))? {
            let entry = entry.map_err(io(&d))?;
            let p = entry.path();
            let t = entry.file_type().map_err(io(&p))?;
            if t.is_dir() {
                stack.push(p);
            } else {
                out.push((p, t.is_file()));
            }
        }
    }
    Ok(out)
}

/// The `sha256` of an entry that is not a regular file (a symbolic link, a device): never
/// followed, never equal to a recorded hash.
pub(crate) const NOT_A_FILE: &str = "(not a regular file)";

/// The files of a bundle directory as manifest entries (sorted by path), without
/// `manifest.json` and `SHA256SUMS`.
pub(crate) fn list_files(dir: &Path) -> Result<Vec<FileEntry>> {
    let mut files = Vec::new();
    for (p, regular) in list_paths(dir)? {
        let rel = rel_path(dir, &p);
        if rel == MANIFEST_FILE || rel == SUMS_FILE {
            continue;
        }
        let (bytes, sha256) = if regular {
            hash_file(&p)?
        } else {
            (0, NOT_A_FILE.to_owned())
        };
        files.push(FileEntry {
            path: rel,
            bytes,
            sha256,
        });
    }
    files.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    Ok(files)
}

/// `p` relative to `dir`, `/`-separated.
pub(crate) fn rel_path(dir: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(dir).unwrap_or(p);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn write_json(path: &Path, v: &impl Serialize) -> Result<()> {
    let f = File::create(path).map_err(io(path))?;
    let mut w = BufWriter::new(f);
    serde_json::to_writer_pretty(&mut w, v).map_err(|e| io(path)(std::io::Error::other(e)))?;
    w.write_all(b"\n").map_err(io(path))?;
    w.flush().map_err(io(path))
}

fn csv_writer(path: &Path) -> Result<csv::Writer<BufWriter<File>>> {
    let f = File::create(path).map_err(io(path))?;
    Ok(csv::Writer::from_writer(BufWriter::new(f)))
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> Error + '_ {
    move |e| io(path)(std::io::Error::other(e))
}

fn write_events(log: &EventLog, events: &[u32], path: &Path, format: Format) -> Result<()> {
    let mut w = EventWriter::create(path, format)?;
    for &e in events {
        let e = e as usize;
        let text = log.text(e);
        let id = log.event_id_string(e);
        w.write(&EventRow {
            id: &id,
            ts: log.ts()[e],
            actor: log.accounts.resolve(log.actor()[e]),
            action: log.verbs.name(log.action()[e]),
            target: log.targets.resolve(log.target()[e]),
            owner: log.accounts.resolve_opt(log.owner()[e]),
            text: (!text.is_empty()).then_some(text),
            ip: (log.ip()[e] != NONE).then(|| log.ips.resolve(log.ip()[e])),
            device: log.devices.resolve_opt(log.device()[e]),
            client: log.clients.resolve_opt(log.client()[e]),
        })?;
    }
    w.finish()?;
    Ok(())
}

fn write_flagged(rows: &[FlagRow<'_>], log: &EventLog, path: &Path) -> Result<()> {
    let mut w = csv_writer(path)?;
    let err = csv_err(path);
    w.write_record(["event", "operation", "reasons"])
        .map_err(&err)?;
    for r in rows {
        let id = log.event_id_string(r.event as usize);
        w.write_record([&*id, r.operation, r.reasons])
            .map_err(&err)?;
    }
    w.flush().map_err(io(path))
}

/// The operation's accounts: its members (operations.json and verdicts.csv), then the
/// accounts operations.json names as `suspicious`, each with its verdict row and counts.
fn accounts<'a>(
    log: &EventLog,
    source: &'a FindingsDir,
    o: &OpIndex,
    op_json: Option<&'a Map<String, Value>>,
    flag_of: &HashMap<u32, &str>,
) -> Vec<AccountJson<'a>> {
    let f = &source.findings;
    let mut roles: BTreeMap<&str, &'static str> = BTreeMap::new();
    let json_op = o.json.map(|j| &f.operations[j]);
    for m in json_op.iter().flat_map(|j| j.members.iter()) {
        roles.insert(m, "member");
    }
    for v in &f.verdicts {
        if f.labels.name(v.operation) == o.id {
            roles.insert(&v.account, "member");
        }
    }
    if let Some(Value::Array(s)) = op_json.and_then(|j| j.get("suspicious")) {
        for a in s.iter().filter_map(Value::as_str) {
            roles.entry(a).or_insert("suspicious");
        }
    }
    let verdict_of: HashMap<&str, &lockstep_report::VerdictRow> = f
        .verdicts
        .iter()
        .filter(|v| roles.contains_key(&*v.account))
        .map(|v| (&*v.account, v))
        .collect();
    // Counts per actor over the bundle's events.
    let mut per: HashMap<Id, (usize, usize, Option<i64>, Option<i64>)> = HashMap::new();
    for &e in &o.events {
        let c = per.entry(log.actor()[e as usize]).or_default();
        c.0 += 1;
        if flag_of.contains_key(&e) {
            let ts = log.ts()[e as usize];
            c.1 += 1;
            c.2 = Some(c.2.map_or(ts, |t: i64| t.min(ts)));
            c.3 = Some(c.3.map_or(ts, |t: i64| t.max(ts)));
        }
    }
    let signals: Vec<&Value> = match op_json.and_then(|j| j.get("signals")) {
        Some(Value::Array(a)) => a.iter().collect(),
        _ => Vec::new(),
    };
    roles
        .into_iter()
        .map(|(name, role)| {
            let v = verdict_of.get(name);
            let reasons: Vec<&str> = v
                .map(|v| f.labels.name(v.reasons))
                .unwrap_or("")
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            let sig = signals
                .iter()
                .copied()
                .filter(|s| {
                    s.get("reason")
                        .and_then(Value::as_str)
                        .is_some_and(|r| reasons.contains(&r))
                })
                .collect();
            let c = log
                .accounts
                .get(name)
                .and_then(|id| per.get(&id))
                .copied()
                .unwrap_or_default();
            AccountJson {
                account: name,
                role,
                verdict: v.map_or("", |v| f.labels.name(v.verdict)),
                score: v
                    .and_then(|v| v.score)
                    .map(|s| (f64::from(s) * 1000.0).round() / 1000.0),
                reasons,
                signals: sig,
                events: c.0,
                flagged_events: c.1,
                first_flagged: c.2.map(text::rfc3339),
                last_flagged: c.3.map(text::rfc3339),
            }
        })
        .collect()
}

fn write_accounts_csv(accounts: &[AccountJson<'_>], path: &Path) -> Result<()> {
    let mut w = csv_writer(path)?;
    let err = csv_err(path);
    w.write_record([
        "account",
        "role",
        "verdict",
        "score",
        "reasons",
        "events",
        "flagged_events",
        "first_flagged",
        "last_flagged",
    ])
    .map_err(&err)?;
    for a in accounts {
        w.write_record([
            a.account,
            a.role,
            a.verdict,
            &a.score.map(|s| format!("{s:.3}")).unwrap_or_default(),
            &a.reasons.join(";"),
            &a.events.to_string(),
            &a.flagged_events.to_string(),
            a.first_flagged.as_deref().unwrap_or(""),
            a.last_flagged.as_deref().unwrap_or(""),
        ])
        .map_err(&err)?;
    }
    w.flush().map_err(io(path))
}

/// Groups `basis` (sorted by time) into runs: events at most [`RUN_GAP_MS`] apart with the
/// same action and the same target — or, for reads (`by_actor`, scraping), the same actor;
/// sorted by start.
fn runs(log: &EventLog, basis: &[u32], flag_of: &HashMap<u32, &str>, by_actor: bool) -> Vec<Run> {
    let mut by_key: BTreeMap<(u8, Id), Vec<u32>> = BTreeMap::new();
    for &e in basis {
        let i = e as usize;
        let who = if by_actor {
            log.actor()[i]
        } else {
            log.target()[i]
        };
        by_key.entry((log.action()[i], who)).or_default().push(e);
    }
    // The one value of a column in a run, or "" when it has several (or none).
    fn single(ids: &BTreeSet<Id>, resolve: impl Fn(Id) -> Option<String>) -> String {
        match ids.iter().next() {
            Some(&id) if ids.len() == 1 => resolve(id).unwrap_or_default(),
            _ => String::new(),
        }
    }
    let mut out = Vec::new();
    for ((action, _), events) in by_key {
        let mut start = 0;
        for i in 1..=events.len() {
            let split = i == events.len()
                || log.ts()[events[i] as usize] - log.ts()[events[i - 1] as usize] > RUN_GAP_MS;
            if !split {
                continue;
            }
            let part = &events[start..i];
            start = i;
            let col = |c: &[Id]| -> BTreeSet<Id> { part.iter().map(|&e| c[e as usize]).collect() };
            let (actors, targets, owners) = (col(log.actor()), col(log.target()), col(log.owner()));
            let (first, last) = (part[0] as usize, part[part.len() - 1] as usize);
            out.push(Run {
                start: log.ts()[first],
                end: log.ts()[last],
                action: log.verbs.name(action).to_owned(),
                actor: single(&actors, |a| Some(log.accounts.resolve(a).to_owned())),
                target: single(&targets, |t| Some(log.targets.resolve(t).to_owned())),
                owner: single(&owners, |o| log.accounts.resolve_opt(o).map(str::to_owned)),
                accounts: actors.len(),
                targets: targets.len(),
                events: part.len(),
                flagged: part.iter().filter(|e| flag_of.contains_key(e)).count(),
                first_event: log.event_id_string(first).into_owned(),
                last_event: log.event_id_string(last).into_owned(),
            });
        }
    }
    out.sort_by(|a, b| {
        (a.start, a.end, &a.actor, &a.target).cmp(&(b.start, b.end, &b.actor, &b.target))
    });
    out
}

fn write_timeline(runs: &[Run], path: &Path) -> Result<()> {
    let mut w = csv_writer(path)?;
    let err = csv_err(path);
    w.write_record([
        "start",
        "end",
        "action",
        "actor",
        "target",
        "owner",
        "accounts",
        "targets",
        "events",
        "flagged",
        "first_event",
        "last_event",
    ])
    .map_err(&err)?;
    for b in runs {
        w.write_record([
            &text::rfc3339(b.start),
            &text::rfc3339(b.end),
            &b.action,
            &b.actor,
            &b.target,
            &b.owner,
            &b.accounts.to_string(),
            &b.targets.to_string(),
            &b.events.to_string(),
            &b.flagged.to_string(),
            &b.first_event,
            &b.last_event,
        ])
        .map_err(&err)?;
    }
    w.flush().map_err(io(path))
}

/// Owners of the basis events' targets with counts, plus those `operations.json` names;
/// most engagements first.
fn beneficiaries(
    log: &EventLog,
    basis: &[u32],
    op_json: Option<&Map<String, Value>>,
) -> Vec<Beneficiary> {
    struct Acc {
        n: usize,
        targets: BTreeSet<Id>,
        actors: BTreeSet<Id>,
        first: i64,
        last: i64,
    }
    let mut by: BTreeMap<&str, Acc> = BTreeMap::new();
    for &e in basis {
        let i = e as usize;
        let Some(owner) = log.accounts.resolve_opt(log.owner()[i]) else {
            continue;
        };
        let ts = log.ts()[i];
        let a = by.entry(owner).or_insert(Acc {
            n: 0,
            targets: BTreeSet::new(),
            actors: BTreeSet::new(),
            first: ts,
            last: ts,
        });
        a.n += 1;
        a.targets.insert(log.target()[i]);
        a.actors.insert(log.actor()[i]);
        a.first = a.first.min(ts);
        a.last = a.last.max(ts);
    }
    let named: BTreeSet<String> = match op_json.and_then(|j| j.get("beneficiaries")) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                Value::Object(o) => o
                    .get("id")
                    .or_else(|| o.get("account"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                _ => None,
            })
            .collect(),
        _ => BTreeSet::new(),
    };
    let mut out: Vec<Beneficiary> = by
        .iter()
        .map(|(name, a)| Beneficiary {
            name: (*name).to_owned(),
            engagements: a.n,
            targets: a.targets.len(),
            accounts: a.actors.len(),
            first: Some(a.first),
            last: Some(a.last),
            named: named.contains(*name),
        })
        .collect();
    for n in &named {
        if !by.contains_key(n.as_str()) {
            out.push(Beneficiary {
                name: n.clone(),
                engagements: 0,
                targets: 0,
                accounts: 0,
                first: None,
                last: None,
                named: true,
            });
        }
    }
    out.sort_by(|a, b| b.engagements.cmp(&a.engagements).then(a.name.cmp(&b.name)));
    out
}

fn write_beneficiaries(list: &[Beneficiary], path: &Path) -> Result<()> {
    let mut w = csv_writer(path)?;
    let err = csv_err(path);
    w.write_record([
        "beneficiary",
        "engagements",
        "targets",
        "accounts",
        "first",
        "last",
        "named_by_findings",
    ])
    .map_err(&err)?;
    for b in list {
        w.write_record([
            b.name.as_str(),
            &b.engagements.to_string(),
            &b.targets.to_string(),
            &b.accounts.to_string(),
            &b.first.map(text::rfc3339).unwrap_or_default(),
            &b.last.map(text::rfc3339).unwrap_or_default(),
            if b.named { "yes" } else { "no" },
        ])
        .map_err(&err)?;
    }
    w.flush().map_err(io(path))
}
