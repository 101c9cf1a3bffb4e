//! Writers of the CONTRACT §2 findings files the judge owns: `verdicts.csv`,
//! `flagged_events.csv`, `operations.json` and `corrections.csv`, and of `bursts.csv` (an
//! addition, CONTRACT §4).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use lockstep_core::{EventLog, Id, NONE};
use lockstep_graph::ActionSet;
use serde::Serialize;

use crate::judge::{Judgement, NO_OP, Operation};
use crate::{Error, Result};

/// The version of the findings layout (`operations.json`, `summary.json`).
pub const SCHEMA_VERSION: u32 = 1;

/// `verdicts.csv` header.
pub const VERDICTS_HEADER: &str = "account,verdict,score,operation,reasons";
/// `flagged_events.csv` header.
pub const FLAGGED_EVENTS_HEADER: &str = "event,operation,reasons";
/// `corrections.csv` header.
pub const CORRECTIONS_HEADER: &str = "target,reported,fake,organic";
/// `bursts.csv` header.
pub const BURSTS_HEADER: &str =
    "target,owner,action,start,end,events,accounts,ratio,operation,flagged,summary,account_ids";

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::Io {
        path: path.display().to_string(),
        source: Arc::new(e),
    }
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> Error + '_ {
    move |e| Error::Io {
        path: path.display().to_string(),
        source: Arc::new(std::io::Error::other(e)),
    }
}

/// Writes `verdicts.csv`, `flagged_events.csv`, `operations.json` and `corrections.csv` of
/// `j` into `dir` (which must exist).
///
/// # Errors
/// [`Error::Io`] naming the file that failed.
pub fn write_findings(log: &EventLog, j: &Judgement, dir: &Path) -> Result<()> {
    let ((a, b), (c, (d, e))) = rayon::join(
        || {
            rayon::join(
                || write_verdicts(log, j, &dir.join("verdicts.csv")),
                || write_flagged_events(log, j, &dir.join("flagged_events.csv")),
            )
        },
        || {
            rayon::join(
                || write_operations(log, j, &dir.join("operations.json")),
                || {
                    rayon::join(
                        || write_corrections(log, j, &dir.join("corrections.csv")),
                        || write_bursts(log, j, &dir.join("bursts.csv")),
                    )
                },
            )
        },
    );
    a.and(b).and(c).and(d).and(e)
}

/// Writes `bursts.csv`: one row per burst (a target's hour far above its own rate and its
/// peers, `lockstep_detect::bursts`) with the target's owner, most events first, with the
/// operation the judge listed it with (empty when none: it was not at least
/// `bursts.attach_share` one operation's flagged work), how many of its events are flagged (for
/// any operation), and the accounts whose events fall inside it (`;`-separated, with `%` and
/// `;` inside an id written `%25` and `%3B`).
///
/// # Errors
/// [`Error::Io`].
pub fn write_bursts(log: &EventLog, j: &Judgement, path: &Path) -> Result<()> {
    let f = File::create(path).map_err(io(path))?;
    let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, f));
    w.write_record(BURSTS_HEADER.split(','))
        .map_err(csv_err(path))?;
    let mut ids = String::new();
    for (i, s) in j.signals.iter().enumerate() {
        if s.reason != lockstep_detect::Reason::RateBurst || s.events.is_empty() {
            continue;
        }
        let op = j
            .burst_ops
            .binary_search_by_key(&i, |x| x.0)
            .map_or(NO_OP, |k| j.burst_ops[k].1);
        let flagged = s
            .events
            .iter()
            .filter(|&&e| j.event_op[e as usize] != NO_OP)
            .count();
        let (start, end) = s.aspects.time.unwrap_or((0, 0));
        let first = s.events[0] as usize;
        let action = log.verbs.name(log.action()[first]);
        let owner = log.accounts.resolve_opt(log.owner()[first]).unwrap_or("");
        ids.clear();
        for (k, &a) in s.accounts.iter().enumerate() {
            if k > 0 {
                ids.push(';');
            }
            for c in log.accounts.resolve(a).chars() {
                match c {
                    '%' => ids.push_str("%25"),
                    ';' => ids.push_str("%3B"),
                    c => ids.push(c),
                }
            }
        }
        let ratio = 1.0 / (1.0 - s.score).max(1e-9);
        w.write_record([
            s.aspects
                .targets
                .first()
                .map_or("", |&t| log.targets.resolve(t)),
            owner,
            action,
            &rfc3339(start),
            &rfc3339(end),
            &s.events.len().to_string(),
            &s.accounts.len().to_string(),
            &format!("{ratio:.1}"),
            op_id(j, op),
            &flagged.to_string(),
            &s.summary,
            &ids,
        ])
        .map_err(csv_err(path))?;
    }
    w.flush().map_err(io(path))
}

fn op_id(j: &Judgement, op: u32) -> &str {
    if op == NO_OP {
        ""
    } else {
        &j.operations[op as usize].id
    }
}

/// Writes `verdicts.csv`: one row per account id of the log.
///
/// # Errors
/// [`Error::Io`].
pub fn write_verdicts(log: &EventLog, j: &Judgement, path: &Path) -> Result<()> {
    let f = File::create(path).map_err(io(path))?;
    let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, f));
    w.write_record(VERDICTS_HEADER.split(','))
        .map_err(csv_err(path))?;
    let mut score = String::new();
    let mut reasons = String::new();
    for (a, v) in j.accounts.iter().enumerate() {
        use std::fmt::Write as _;
        score.clear();
        let _ = write!(score, "{:.3}", v.score);
        reasons.clear();
        let _ = write!(reasons, "{}", v.reasons);
        w.write_record([
            log.accounts.resolve(a as Id),
            v.verdict.as_str(),
            &score,
            op_id(j, v.operation),
            &reasons,
        ])
        .map_err(csv_err(path))?;
    }
    w.flush().map_err(io(path))
}

/// Writes `flagged_events.csv`: one row per flagged event, in log order.
///
/// # Errors
/// [`Error::Io`].
pub fn write_flagged_events(log: &EventLog, j: &Judgement, path: &Path) -> Result<()> {
    use rayon::prelude::*;
    let f = File::create(path).map_err(io(path))?;
    let mut w = BufWriter::with_capacity(1 << 20, f);
    w.write_all(FLAGGED_EVENTS_HEADER.as_bytes())
        .and_then(|()| w.write_all(b"\n"))
        .map_err(io(path))?;
    // The rows of consecutive ranges of events are formatted in parallel, a group of ranges at
    // a time, and written in order: the same bytes as one writer, in a fraction of the time
    // for the millions of rows of a large log.
    const RANGE: usize = 1 << 16;
    const GROUP: usize = 64 * RANGE;
    let n = j.event_op.len();
    for group in (0..n).step_by(GROUP) {
        let parts: Vec<std::result::Result<Vec<u8>, csv::Error>> = (group..n.min(group + GROUP))
            .step_by(RANGE)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|from| {
                let mut c = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(Vec::new());
                let mut reasons = String::new();
                for e in from..n.min(from + RANGE) {
                    let op = j.event_op[e];
                    if op == NO_OP {
                        continue;
                    }
                    use std::fmt::Write as _;
                    reasons.clear();
                    let _ = write!(reasons, "{}", j.event_reasons[e]);
                    c.write_record([&*log.event_id_string(e), op_id(j, op), &reasons])?;
                }
                c.into_inner().map_err(|e| e.into_error().into())
            })
            .collect();
        for part in parts {
            w.write_all(&part.map_err(csv_err(path))?)
                .map_err(io(path))?;
        }
    }
    w.flush().map_err(io(path))
}

/// Engagement counts per target: `(target, reported, fake)` for every target with at least
/// one engagement event, in id order.
pub fn corrections(log: &EventLog, j: &Judgement) -> Vec<(Id, u64, u64)> {
    let eng = ActionSet::engagement();
    let mut reported = vec![0u64; log.targets.len()];
    let mut fake = vec![0u64; log.targets.len()];
    for e in 0..log.len() {
        if !eng.contains(log.action()[e]) {
            continue;
        }
        let t = log.target()[e] as usize;
        reported[t] += 1;
        if j.event_op[e] != NO_OP {
            fake[t] += 1;
        }
    }
    (0..log.targets.len())
        .filter(|&t| reported[t] > 0)
        .map(|t| (t as Id, reported[t], fake[t]))
        .collect()
}

/// Writes `corrections.csv`.
///
/// # Errors
/// [`Error::Io`].
pub fn write_corrections(log: &EventLog, j: &Judgement, path: &Path) -> Result<()> {
    let f = File::create(path).map_err(io(path))?;
    let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, f));
    w.write_record(CORRECTIONS_HEADER.split(','))
        .map_err(csv_err(path))?;
    let mut b = [
        itoa::Buffer::new(),
        itoa::Buffer::new(),
        itoa::Buffer::new(),
    ];
    for (t, rep, fake) in corrections(log, j) {
        let [x, y, z] = &mut b;
        w.write_record([
            log.targets.resolve(t),
            x.format(rep),
            y.format(fake),
            z.format(rep - fake),
        ])
        .map_err(csv_err(path))?;
    }
    w.flush().map_err(io(path))
}

#[derive(Serialize)]
struct OpsFile<'a> {
    schema_version: u32,
    policy_version: &'a str,
    operations: Vec<OpJson<'a>>,
}

#[derive(Serialize)]
struct SpanJson {
    start: String,
    end: String,
    start_ms: i64,
    end_ms: i64,
}

#[derive(Serialize)]
struct InfraJson<'a> {
    ips: Vec<String>,
    subnets: Vec<SubnetJson<'a>>,
    devices: Vec<&'a str>,
    clients: Vec<ClientJson<'a>>,
}

#[derive(Serialize)]
struct SubnetJson<'a> {
    subnet: &'a str,
    ips: usize,
}

#[derive(Serialize)]
struct ClientJson<'a> {
    client: &'a str,
    events: usize,
}

#[derive(Serialize)]
struct OpJson<'a> {
    id: &'a str,
    kind: &'static str,
    score: f64,
    members: Vec<&'a str>,
    fake: usize,
    compromised: usize,
    suspicious: Vec<&'a str>,
    beneficiaries: Vec<&'a str>,
    targets: Vec<&'a str>,
    victims: Vec<&'a str>,
    time_span: SpanJson,
    flagged_events: usize,
    infrastructure: InfraJson<'a>,
    signals: &'a [crate::judge::SignalRef],
}

pub(crate) fn rfc3339(ms: i64) -> String {
    // Civil-from-days (Howard Hinnant), UTC, millisecond precision.
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

fn op_json<'a>(log: &'a EventLog, o: &'a Operation) -> OpJson<'a> {
    let acc = |v: &[Id]| -> Vec<&'a str> {
        v.iter()
            .filter(|&&a| a != NONE)
            .map(|&a| log.accounts.resolve(a))
            .collect()
    };
    OpJson {
        id: &o.id,
        kind: o.kind.as_str(),
        score: (o.score * 1000.0).round() / 1000.0,
        members: acc(&o.members),
        fake: o.fake,
        compromised: o.compromised,
        suspicious: acc(&o.suspicious),
        beneficiaries: acc(&o.beneficiaries),
        targets: o.targets.iter().map(|&t| log.targets.resolve(t)).collect(),
        victims: acc(&o.victims),
        time_span: SpanJson {
            start: rfc3339(o.span.0),
            end: rfc3339(o.span.1),
            start_ms: o.span.0,
            end_ms: o.span.1,
        },
        flagged_events: o.events,
        infrastructure: InfraJson {
            ips: o
                .ips
                .iter()
                .map(|&i| log.ips.resolve(i).to_string())
                .collect(),
            subnets: o
                .subnets
                .iter()
                .map(|(s, n)| SubnetJson { subnet: s, ips: *n })
                .collect(),
            devices: o.devices.iter().map(|&d| log.devices.resolve(d)).collect(),
            clients: o
                .clients
                .iter()
                .map(|&(c, n)| ClientJson {
                    client: log.clients.resolve(c),
                    events: n,
                })
                .collect(),
        },
        signals: &o.signals,
    }
}

/// Writes `operations.json`: `{schema_version, policy_version, operations: [...]}`.
///
/// # Errors
/// [`Error::Io`].
pub fn write_operations(log: &EventLog, j: &Judgement, path: &Path) -> Result<()> {
    let f = File::create(path).map_err(io(path))?;
    let mut w = BufWriter::new(f);
    let file = OpsFile {
        schema_version: SCHEMA_VERSION,
        policy_version: &j.policy_version,
        operations: j.operations.iter().map(|o| op_json(log, o)).collect(),
    };
    serde_json::to_writer_pretty(&mut w, &file).map_err(|e| io(path)(std::io::Error::other(e)))?;
    w.write_all(b"\n").map_err(io(path))?;
    w.flush().map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn times() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_740_960_000_231), "2025-03-03T00:00:00.231Z");
    }
}
