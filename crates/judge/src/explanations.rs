//! The explanations a scan writes into its findings: every account's [`Explanation`], read
//! back one account at a time, so that `lockstep explain` answers from the findings instead
//! of scanning again.
//!
//! The directory `explanations/` holds three files (CONTRACT §4):
//!
//! - `accounts.jsonl.zst`: one JSON object per account of the log (a [`Record`]: the
//!   explanation with the events its reasons and signals list stored once, as indices into its
//!   own `events`, each reason and signal listing at most [`EXPLANATION_EVENTS`] events, all
//!   counted; empty and zero fields left out), in byte order of the account ids, in blocks of
//!   [`BLOCK_ACCOUNTS`] accounts, each block one zstd frame: `zstdcat` reads the file as JSON
//!   Lines.
//! - `index.csv` (`first_account,offset,bytes,accounts`): each block's first account, where
//!   its frame starts in the file, its size and how many accounts it holds, so that a reader
//!   decompresses the one block that can hold an account.
//! - `signals.jsonl`: the judgement's signals, line k holding signal k (`index`, `reason`,
//!   `score`, `accounts`, `summary`), which the records name by index.
//! - `fingerprints.jsonl`: the distinct device descriptions of the devices side file (model,
//!   OS, build, screen, attestation; few models and builds make few), one JSON string a line,
//!   which the records' devices name by line.
//!
//! The directory is written under a temporary name and renamed into place, so a reader sees
//! all of it or none.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lockstep_core::{Id, NONE};
use rayon::prelude::*;
use serde::ser::{SerializeMap, SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};

use crate::explain::{
    Draft, EventLine, Events, Explainer, Explanation, Gathered, InfraLine, OperationBrief, Own,
    RawHistory, ReasonLine, SignalLine, history_lines, operation_brief, reason_meaning,
};
use crate::write::rfc3339;
use crate::{Error, Result};

/// The directory of the explanations, inside a findings directory.
pub const EXPLANATIONS: &str = "explanations";
/// The records, in `explanations/`.
pub const EXPLANATIONS_ACCOUNTS: &str = "accounts.jsonl.zst";
/// The index of their blocks, in `explanations/`.
pub const EXPLANATIONS_INDEX: &str = "index.csv";
/// The signals the records name, in `explanations/`.
pub const EXPLANATIONS_SIGNALS: &str = "signals.jsonl";
/// The device descriptions the records name, in `explanations/`.
pub const EXPLANATIONS_FINGERPRINTS: &str = "fingerprints.jsonl";
/// The index's header.
pub const EXPLANATIONS_INDEX_HEADER: &str = "first_account,offset,bytes,accounts";
/// Events kept per reason and per signal of each explanation (all are counted).
pub const EXPLANATION_EVENTS: usize = 50;
/// Accounts per compressed block.
pub const BLOCK_ACCOUNTS: usize = 256;
/// Events gathered at a time: bounds the memory held.
const BATCH_EVENTS: usize = 1 << 20;
/// The zstd level of the blocks: zstd's default, several times faster than gzip's and smaller.
const LEVEL: i32 = 1;

/// One event of a [`Record`]: `[id, time (epoch milliseconds), action, target, owner, ip,
/// device, client, text, reasons]`, absent fields `null`, `reasons` the flag's codes
/// `;`-separated (empty when not flagged).
pub type RecordEvent = (
    String,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

/// A device of a [`Record`]: `[device, events, operation infrastructure, line of
/// fingerprints.jsonl or null, failed checks]`.
pub type RecordDevice = (String, usize, bool, Option<usize>, Vec<String>);

/// A reason of a [`Record`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordReason {
    /// The code.
    pub code: String,
    /// How many events are behind it.
    pub total: usize,
    /// The first of them, in time order, as indices into [`Record::events`].
    pub events: Vec<u32>,
    /// Whether they are flagged events.
    pub flagged: bool,
    /// What the code rests on besides, or instead of, events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One account's line of `accounts.jsonl.zst`: its [`Explanation`], stored compactly
/// (fields that are empty, zero or false left out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The account.
    pub account: String,
    /// The policy that judged it.
    pub policy_version: String,
    /// `ok`, `suspicious`, `fake` or `compromised`.
    pub verdict: String,
    /// The fused score.
    #[serde(default, skip_serializing_if = "is_zero_f32")]
    pub score: f32,
    /// Its operation, if flagged into one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<OperationBrief>,
    /// The verdict's reason codes with the events behind each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<RecordReason>,
    /// The signals naming it: `[signal index (a line of signals.jsonl), how many of the
    /// account's events are in it, the first of them as indices into events]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signals: Vec<(usize, usize, Vec<u32>)>,
    /// The events the reasons and signals list, each once, in log order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<RecordEvent>,
    /// Its history: `[created, first event, last event (epoch milliseconds or null), events,
    /// events per action (most first), flagged events]`.
    pub history: RawHistory,
    /// IPs it used, most used first: `[ip, events, operation infrastructure]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ips: Vec<(String, usize, bool)>,
    /// Devices it used, most used first: `[device, events, operation infrastructure, line of
    /// fingerprints.jsonl (model, OS, build, screen, attestation) or null, failed checks]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<RecordDevice>,
    /// Clients it used, most used first: `[client, events, operation infrastructure]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clients: Vec<(String, usize, bool)>,
    /// Trust percentile.
    #[serde(default, skip_serializing_if = "is_zero_f32")]
    pub trust_percentile: f32,
    /// Whether trust reached it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub trusted_by_endorsements: bool,
    /// Share of its device events from emulated devices.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub emulated_device_share: f64,
}

fn is_zero_f32(x: &f32) -> bool {
    *x == 0.0
}

fn is_zero_f64(x: &f64) -> bool {
    *x == 0.0
}

fn is_false(x: &bool) -> bool {
    !*x
}

/// What [`write_explanations`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExplanationsWritten {
    /// Accounts explained.
    pub accounts: usize,
    /// Size of the three files.
    pub bytes: u64,
    /// JSON of the records before compression.
    pub raw_bytes: u64,
    /// Blocks.
    pub blocks: usize,
}

fn io_error(path: &Path, e: impl Into<std::io::Error>) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source: Arc::new(e.into()),
    }
}

fn read_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::InvalidInput(format!("cannot read {}: {e}", path.display()))
}

/// Shown through its `Display`: written without an intermediate `String`.
struct Shown<T>(T);

impl<T: std::fmt::Display> Serialize for Shown<T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// Account `a`'s [`Record`], written straight from the log and the judgement (no
/// intermediate strings): what [`Record`] reads back.
struct RecordOut<'x, 'a> {
    x: &'x Explainer<'a>,
    a: Id,
    d: Draft<'x>,
    /// Every event the reasons and signals list, once, in log order.
    listed: Vec<u32>,
}

impl<'x, 'a> RecordOut<'x, 'a> {
    fn new(x: &'x Explainer<'a>, a: Id, rows: &[Own]) -> Self {
        let d = x.draft(a, rows);
        let cap = EXPLANATION_EVENTS;
        let mut listed: Vec<u32> = d
            .reasons
            .iter()
            .flat_map(|r| r.events.iter().take(cap).copied())
            .chain(
                d.signals
                    .iter()
                    .flat_map(|&(_, evs)| evs.iter().take(cap).copied()),
            )
            .collect();
        listed.sort_unstable();
        listed.dedup();
        RecordOut { x, a, d, listed }
    }

    /// The first [`EXPLANATION_EVENTS`] of `evs` as indices into `listed`.
    fn refs(&self, evs: &[u32]) -> Vec<u32> {
        evs.iter()
            .take(EXPLANATION_EVENTS)
            .map(|e| self.listed.binary_search(e).expect("listed") as u32)
            .collect()
    }
}

/// A [`RecordReason`] borrowed.
#[derive(Serialize)]
struct ReasonOut<'r> {
    code: &'r str,
    total: usize,
    events: Vec<u32>,
    flagged: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'r str>,
}

/// One event of a record: a [`RecordEvent`].
struct EventOut<'x>(&'x lockstep_core::EventLog, &'x crate::Judgement, u32);

impl Serialize for EventOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let (log, i) = (self.0, self.2 as usize);
        let r = log.get(i);
        fn opt(v: Option<&str>) -> Option<&str> {
            v.filter(|s| !s.is_empty())
        }
        let mut t = s.serialize_tuple(10)?;
        t.serialize_element(&log.event_id_string(i))?;
        t.serialize_element(&r.ts)?;
        t.serialize_element(log.verbs.name(r.action))?;
        t.serialize_element(log.targets.resolve(r.target))?;
        t.serialize_element(&opt(log.accounts.resolve_opt(r.owner)))?;
        t.serialize_element(&(r.ip != NONE).then(|| Shown(log.ips.resolve(r.ip))))?;
        t.serialize_element(&opt(log.devices.resolve_opt(r.device)))?;
        t.serialize_element(&opt(log.clients.resolve_opt(r.client)))?;
        t.serialize_element(&opt(Some(r.text)))?;
        t.serialize_element(&Shown(self.1.event_reasons[i]))?;
        t.end()
    }
}

/// A sequence written from an iterator that can be made again.
struct SeqOut<F>(F);

impl<F, I> Serialize for SeqOut<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

impl Serialize for RecordOut<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let (x, d) = (self.x, &self.d);
        let (log, j) = (x.log(), x.judgement());
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("account", log.accounts.resolve(self.a))?;
        m.serialize_entry("policy_version", &j.policy_version)?;
        m.serialize_entry("verdict", d.verdict)?;
        if d.score != 0.0 {
            m.serialize_entry("score", &d.score)?;
        }
        if let Some(o) = d.op {
            m.serialize_entry("operation", &operation_brief(o))?;
        }
        if !d.reasons.is_empty() {
            let reasons: Vec<ReasonOut<'_>> = d
                .reasons
                .iter()
                .map(|r| ReasonOut {
                    code: r.code,
                    total: r.events.len(),
                    events: self.refs(&r.events),
                    flagged: r.flagged,
                    note: r.note.as_deref(),
                })
                .collect();
            m.serialize_entry("reasons", &reasons)?;
        }
        if !d.signals.is_empty() {
            let signals: Vec<(usize, usize, Vec<u32>)> = d
                .signals
                .iter()
                .map(|&(k, evs)| (k, evs.len(), self.refs(evs)))
                .collect();
            m.serialize_entry("signals", &signals)?;
        }
        if !self.listed.is_empty() {
            m.serialize_entry(
                "events",
                &SeqOut(|| self.listed.iter().map(|&e| EventOut(log, j, e))),
            )?;
        }
        m.serialize_entry(
            "history",
            &(
                d.created,
                d.first,
                d.last,
                d.events,
                &d.by_action,
                d.flagged,
            ),
        )?;
        if !d.ips.is_empty() {
            m.serialize_entry(
                "ips",
                &SeqOut(|| {
                    d.ips
                        .iter()
                        .map(|&(ip, n, mine)| (Shown(log.ips.resolve(ip)), n, mine))
                }),
            )?;
        }
        if !d.devices.is_empty() {
            m.serialize_entry(
                "devices",
                &SeqOut(|| {
                    d.devices.iter().map(|&(dev, n, mine)| {
                        (
                            log.devices.resolve(dev),
                            n,
                            mine,
                            x.fingerprint(dev),
                            SeqOut(move || x.failed_checks(dev)),
                        )
                    })
                }),
            )?;
        }
        if !d.clients.is_empty() {
            m.serialize_entry(
                "clients",
                &SeqOut(|| {
                    d.clients
                        .iter()
                        .map(|&(c, n, mine)| (log.clients.resolve(c), n, mine))
                }),
            )?;
        }
        if d.trust_percentile != 0.0 {
            m.serialize_entry("trust_percentile", &d.trust_percentile)?;
        }
        if d.trusted_by_endorsements {
            m.serialize_entry("trusted_by_endorsements", &true)?;
        }
        if d.emulated_device_share != 0.0 {
            m.serialize_entry("emulated_device_share", &d.emulated_device_share)?;
        }
        m.end()
    }
}

/// The explanation a record holds, with the signals it names from `signals` (by index) and
/// at most `limit` events per reason and signal.
fn explanation(
    r: Record,
    signals: &[Option<SignalLine>],
    fingerprints: &[Option<String>],
    limit: usize,
) -> Result<Explanation> {
    let line = |k: u32| -> Option<EventLine> {
        let e = r.events.get(k as usize)?;
        Some(EventLine {
            id: e.0.clone(),
            time: rfc3339(e.1),
            action: e.2.clone(),
            target: e.3.clone(),
            owner: e.4.clone(),
            ip: e.5.clone(),
            device: e.6.clone(),
            client: e.7.clone(),
            text: e.8.clone(),
            reasons: e.9.clone(),
        })
    };
    let bad = || Error::InvalidInput(format!("the record of {} is damaged", r.account));
    let events = |total: usize, refs: &[u32]| -> Result<Events> {
        Ok(Events {
            total,
            shown: refs
                .iter()
                .take(limit)
                .map(|&k| line(k).ok_or_else(bad))
                .collect::<Result<_>>()?,
        })
    };
    let reasons = r
        .reasons
        .iter()
        .map(|x| {
            Ok(ReasonLine {
                meaning: reason_meaning(&x.code).to_string(),
                code: x.code.clone(),
                events: events(x.total, &x.events)?,
                flagged: x.flagged,
                note: x.note.clone(),
            })
        })
        .collect::<Result<_>>()?;
    let signal_lines = r
        .signals
        .iter()
        .map(|(k, total, refs)| {
            let mut s = signals.get(*k).cloned().flatten().ok_or_else(|| {
                Error::InvalidInput(format!(
                    "the record of {} names signal {k}, which {EXPLANATIONS_SIGNALS} does not hold",
                    r.account
                ))
            })?;
            s.events = events(*total, refs)?;
            Ok(s)
        })
        .collect::<Result<_>>()?;
    let long = |v: Vec<(String, usize, bool)>| -> Vec<InfraLine> {
        v.into_iter()
            .map(|(value, events, op)| InfraLine {
                value,
                events,
                operation_infrastructure: op,
                detail: None,
                failed_checks: Vec::new(),
            })
            .collect()
    };
    let devices = r
        .devices
        .into_iter()
        .map(|(value, events, op, fp, failed_checks)| {
            let detail = match fp {
                Some(k) => Some(fingerprints.get(k).cloned().flatten().ok_or_else(|| {
                    Error::InvalidInput(format!(
                        "the record of {} names fingerprint {k}, which \
                         {EXPLANATIONS_FINGERPRINTS} does not hold",
                        r.account
                    ))
                })?),
                None => None,
            };
            Ok(InfraLine {
                value,
                events,
                operation_infrastructure: op,
                detail,
                failed_checks,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Explanation {
        reasons,
        signals: signal_lines,
        account: r.account,
        policy_version: r.policy_version,
        verdict: r.verdict,
        score: r.score,
        operation: r.operation,
        history: history_lines(&r.history),
        ips: long(r.ips),
        devices,
        clients: long(r.clients),
        trust_percentile: r.trust_percentile,
        trusted_by_endorsements: r.trusted_by_endorsements,
        emulated_device_share: r.emulated_device_share,
    })
}

/// Writes every account's explanation into `dir/explanations/` (see the module docs),
/// replacing what is there. Blocks are built and compressed in parallel, a batch at a time.
///
/// # Errors
/// [`Error::Io`] naming the file that failed.
///
/// # Complexity
/// One [`Explainer::explain`] per account, plus O(a log a) to order the a account ids.
pub fn write_explanations(x: &Explainer<'_>, dir: &Path) -> Result<ExplanationsWritten> {
    let log = x.log();
    let j = x.judgement();
    let tmp = dir.join(format!("{EXPLANATIONS}.tmp"));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| io_error(&tmp, e))?;
    }
    std::fs::create_dir_all(&tmp).map_err(|e| io_error(&tmp, e))?;

    // The signals, one line each.
    let sig_path = tmp.join(EXPLANATIONS_SIGNALS);
    let mut sig = BufWriter::new(File::create(&sig_path).map_err(|e| io_error(&sig_path, e))?);
    for k in 0..j.signals.len() {
        serde_json::to_writer(&mut sig, &SignalEntry::from(x.signal_line(k)))
            .map_err(|e| io_error(&sig_path, e))?;
        sig.write_all(b"\n").map_err(|e| io_error(&sig_path, e))?;
    }
    sig.flush().map_err(|e| io_error(&sig_path, e))?;
    // The device descriptions, one line each.
    let fp_path = tmp.join(EXPLANATIONS_FINGERPRINTS);
    let mut fp = BufWriter::new(File::create(&fp_path).map_err(|e| io_error(&fp_path, e))?);
    for d in x.fingerprints() {
        serde_json::to_writer(&mut fp, d).map_err(|e| io_error(&fp_path, e))?;
        fp.write_all(b"\n").map_err(|e| io_error(&fp_path, e))?;
    }
    fp.flush().map_err(|e| io_error(&fp_path, e))?;

    let mut ids: Vec<Id> = (0..log.accounts.len() as Id).collect();
    ids.par_sort_unstable_by(|&a, &b| log.accounts.resolve(a).cmp(log.accounts.resolve(b)));
    let path = tmp.join(EXPLANATIONS_ACCOUNTS);
    let index_path = tmp.join(EXPLANATIONS_INDEX);
    let mut out = BufWriter::with_capacity(
        1 << 20,
        File::create(&path).map_err(|e| io_error(&path, e))?,
    );
    let mut index = csv::Writer::from_path(&index_path)
        .map_err(|e| io_error(&index_path, std::io::Error::other(e)))?;
    let index_err = |e: csv::Error| io_error(&index_path, std::io::Error::other(e));
    index
        .write_record(EXPLANATIONS_INDEX_HEADER.split(','))
        .map_err(index_err)?;
    let mut written = ExplanationsWritten {
        accounts: ids.len(),
        bytes: 0,
        raw_bytes: 0,
        blocks: 0,
    };
    let mut offset = 0u64;
    // Batches of whole blocks holding about BATCH_EVENTS events, each gathered by one pass
    // over the log into memory reused from batch to batch.
    let mut batches: Vec<&[Id]> = Vec::new();
    let (mut start, mut events) = (0, 0);
    for (k, block) in ids.chunks(BLOCK_ACCOUNTS).enumerate() {
        events += block.iter().map(|&a| x.events_of(a)).sum::<usize>();
        let end = k * BLOCK_ACCOUNTS + block.len();
        if events >= BATCH_EVENTS || end == ids.len() {
            batches.push(&ids[start..end]);
            (start, events) = (end, 0);
        }
    }
    let mut gathered = Gathered::default();
    for batch in batches {
        x.gather(batch, &mut gathered);
        let g = &gathered;
        let blocks: Vec<(Vec<u8>, u64)> = batch
            .par_chunks(BLOCK_ACCOUNTS)
            .enumerate()
            .map(|(b, block)| {
                let mut raw = Vec::with_capacity(block.len() * 512);
                for (i, &a) in block.iter().enumerate() {
                    let r = RecordOut::new(x, a, g.rows(b * BLOCK_ACCOUNTS + i));
                    serde_json::to_writer(&mut raw, &r).expect("a record serialises");
                    raw.push(b'\n');
                }
                let z = zstd::bulk::compress(&raw, LEVEL).expect("compressing in memory");
                (z, raw.len() as u64)
            })
            .collect();
        for (block, (gz, raw)) in batch.chunks(BLOCK_ACCOUNTS).zip(blocks) {
            out.write_all(&gz).map_err(|e| io_error(&path, e))?;
            index
                .write_record([
                    log.accounts.resolve(block[0]),
                    &offset.to_string(),
                    &gz.len().to_string(),
                    &block.len().to_string(),
                ])
                .map_err(index_err)?;
            offset += gz.len() as u64;
            written.raw_bytes += raw;
            written.blocks += 1;
        }
    }
    out.flush().map_err(|e| io_error(&path, e))?;
    drop(out);
    index.flush().map_err(|e| io_error(&index_path, e))?;
    drop(index);
    for p in [&path, &index_path, &sig_path, &fp_path] {
        written.bytes += std::fs::metadata(p).map_err(|e| io_error(p, e))?.len();
    }

    let dest = dir.join(EXPLANATIONS);
    if dest.exists() {
        std::fs::remove_dir_all(&dest).map_err(|e| io_error(&dest, e))?;
    }
    std::fs::rename(&tmp, &dest).map_err(|e| io_error(&dest, e))?;
    Ok(written)
}

/// A line of `signals.jsonl`: a [`SignalLine`] without events.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SignalEntry {
    index: usize,
    reason: String,
    score: f64,
    accounts: usize,
    summary: String,
}

impl From<SignalLine> for SignalEntry {
    fn from(s: SignalLine) -> Self {
        SignalEntry {
            index: s.index,
            reason: s.reason,
            score: s.score,
            accounts: s.accounts,
            summary: s.summary,
        }
    }
}

/// One row of `index.csv`.
#[derive(Debug, Deserialize)]
struct BlockRow {
    first_account: String,
    offset: u64,
    bytes: u64,
    accounts: usize,
}

/// The explanations directory of the findings directory `dir`.
pub fn explanations_dir(dir: &Path) -> PathBuf {
    dir.join(EXPLANATIONS)
}

/// The record of `account` in the findings directory `dir`, as [`write_explanations`]
/// wrote it, or `None` when there is none. Reads the index and decompresses one block.
///
/// # Errors
/// [`Error::InvalidInput`] when the files cannot be read or are not what
/// [`write_explanations`] writes.
pub fn read_record(dir: &Path, account: &str) -> Result<Option<Record>> {
    let dir = explanations_dir(dir);
    let index_path = dir.join(EXPLANATIONS_INDEX);
    let mut rdr = csv::Reader::from_path(&index_path).map_err(|e| read_error(&index_path, e))?;
    let header = rdr.headers().map_err(|e| read_error(&index_path, e))?;
    if header.iter().collect::<Vec<_>>().join(",") != EXPLANATIONS_INDEX_HEADER {
        return Err(read_error(
            &index_path,
            format!("the header is not `{EXPLANATIONS_INDEX_HEADER}`"),
        ));
    }
    // The last block whose first account is not after `account`.
    let mut found: Option<BlockRow> = None;
    for row in rdr.deserialize::<BlockRow>() {
        let row = row.map_err(|e| read_error(&index_path, e))?;
        if row.first_account.as_str() > account {
            break;
        }
        found = Some(row);
    }
    let Some(block) = found else {
        return Ok(None);
    };
    let path = dir.join(EXPLANATIONS_ACCOUNTS);
    let at = |e: &dyn std::fmt::Display| {
        read_error(&path, format!("the block at byte {}: {e}", block.offset))
    };
    let mut f = File::open(&path).map_err(|e| read_error(&path, e))?;
    f.seek(SeekFrom::Start(block.offset)).map_err(|e| at(&e))?;
    let mut gz = Vec::with_capacity(block.bytes as usize);
    f.take(block.bytes)
        .read_to_end(&mut gz)
        .map_err(|e| at(&e))?;
    if gz.len() as u64 != block.bytes {
        return Err(at(&format!(
            "cut short ({} of {} bytes)",
            gz.len(),
            block.bytes
        )));
    }
    let text = zstd::stream::decode_all(&gz[..]).map_err(|e| at(&e))?;
    let text = String::from_utf8(text).map_err(|e| at(&e))?;
    #[derive(Deserialize)]
    struct Key {
        account: String,
    }
    let mut lines = 0;
    for line in text.lines() {
        lines += 1;
        let key: Key = serde_json::from_str(line).map_err(|e| at(&e))?;
        if key.account == account {
            return serde_json::from_str(line).map(Some).map_err(|e| at(&e));
        }
    }
    if lines != block.accounts {
        return Err(at(&format!(
            "it holds {lines} accounts, the index says {}",
            block.accounts
        )));
    }
    Ok(None)
}

/// The explanation of `account` in the findings directory `dir` (see [`read_record`]), with
/// at most `limit` events per reason and signal, or `None` when there is none.
///
/// # Errors
/// As [`read_record`]; [`Error::InvalidInput`] when `signals.jsonl` does not hold a signal
/// the record names.
pub fn read_explanation(dir: &Path, account: &str, limit: usize) -> Result<Option<Explanation>> {
    let Some(r) = read_record(dir, account)? else {
        return Ok(None);
    };
    let edir = explanations_dir(dir);
    let signals: Vec<Option<SignalLine>> = read_lines(
        &edir.join(EXPLANATIONS_SIGNALS),
        r.signals.iter().map(|s| s.0),
        |s: SignalEntry| SignalLine {
            index: s.index,
            reason: s.reason,
            score: s.score,
            accounts: s.accounts,
            summary: s.summary,
            events: Events {
                total: 0,
                shown: Vec::new(),
            },
        },
    )?;
    let fingerprints: Vec<Option<String>> = read_lines(
        &edir.join(EXPLANATIONS_FINGERPRINTS),
        r.devices.iter().filter_map(|d| d.3),
        |s: String| s,
    )?;
    explanation(r, &signals, &fingerprints, limit).map(Some)
}

/// Lines `wanted` (0-based) of the JSON Lines file `path`, each read as `T` and made a `U`;
/// the other lines are `None`. Reads no further than the last line wanted.
fn read_lines<T: serde::de::DeserializeOwned, U>(
    path: &Path,
    wanted: impl Iterator<Item = usize>,
    make: impl Fn(T) -> U,
) -> Result<Vec<Option<U>>> {
    let mut wanted: Vec<usize> = wanted.collect();
    wanted.sort_unstable();
    wanted.dedup();
    let Some(&last) = wanted.last() else {
        return Ok(Vec::new());
    };
    let mut out: Vec<Option<U>> = (0..=last).map(|_| None).collect();
    let f = File::open(path).map_err(|e| read_error(path, e))?;
    for (k, line) in BufReader::new(f).lines().enumerate().take(last + 1) {
        let line = line.map_err(|e| read_error(path, e))?;
        if wanted.binary_search(&k).is_ok() {
            let v: T = serde_json::from_str(&line)
                .map_err(|e| read_error(path, format!("line {}: {e}", k + 1)))?;
            out[k] = Some(make(v));
        }
    }
    Ok(out)
}
