//! Side files (accounts, devices): one row's fields, from any format, into the side tables.

use std::borrow::Cow;
use std::path::Path;
use std::sync::mpsc::sync_channel;

use lockstep_core::{Attestation, RawDevice};

use crate::ctx::Ctx;
use crate::fields::{self, Bad, quote};
use crate::input::open_text;
use crate::lines::{Msg, read_blocks};
use crate::{FileKind, Reason, Result};

/// A side-file value.
#[derive(Debug, Clone)]
pub(crate) enum SVal<'a> {
    /// Absent, null or empty.
    Absent,
    /// Text.
    Str(Cow<'a, str>),
    /// An integer (a number of JSON, an integer column of Parquet).
    Int(i64),
    /// A timestamp in epoch milliseconds (a Parquet timestamp or date column).
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    Ms(i64),
    /// Any other value, rendered as text, with its type for messages.
    Text(String, &'static str),
}

impl SVal<'_> {
    fn type_name(&self) -> &'static str {
        match self {
            SVal::Absent => "absent",
            SVal::Str(_) => "a string",
            SVal::Int(_) => "a number",
            SVal::Ms(_) => "a timestamp",
            SVal::Text(_, t) => t,
        }
    }

    /// The value as attribute text; `None` when absent.
    fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            SVal::Absent => None,
            SVal::Str(s) if s.is_empty() => None,
            SVal::Str(s) => Some(Cow::Borrowed(s.as_ref())),
            SVal::Int(i) => Some(Cow::Owned(i.to_string())),
            SVal::Ms(ms) => Some(Cow::Owned(crate::time::format_ts(*ms))),
            SVal::Text(s, _) => Some(Cow::Borrowed(s)),
        }
    }
}

fn wrong(name: &str, v: &SVal<'_>, want: &str) -> Bad {
    (
        Reason::WrongType,
        format!("field `{name}` must be {want}, not {}", v.type_name()),
    )
}

fn id_of<'v>(v: Option<&'v SVal<'_>>) -> Result<&'v str, Bad> {
    match v {
        None | Some(SVal::Absent) => fields::required("id", None),
        Some(SVal::Str(s)) => fields::required("id", Some(s)),
        Some(v) => Err(wrong("id", v, "a string")),
    }
}

fn created_at(v: Option<&SVal<'_>>) -> Result<Option<i64>, Bad> {
    match v {
        None | Some(SVal::Absent) => Ok(None),
        Some(SVal::Str(s)) if s.is_empty() => Ok(None),
        Some(SVal::Str(s)) => fields::ts_text("created_at", s).map(Some),
        Some(SVal::Int(ms) | SVal::Ms(ms)) => fields::ts_ms("created_at", *ms).map(Some),
        Some(v) => Err(wrong(
            "created_at",
            v,
            "an RFC 3339 string or integer epoch milliseconds",
        )),
    }
}

/// Adds one side-file row (its fields by name) to the table of the current file's kind.
/// `raw` renders the row for a rejection.
pub(crate) fn accept_row(
    ctx: &mut Ctx<'_>,
    line: u64,
    row: &[(&str, SVal<'_>)],
    raw: impl FnOnce() -> String,
) -> Result<()> {
    let res = match ctx.file.kind {
        FileKind::Accounts => account(ctx, row),
        FileKind::Devices => device(ctx, row),
        FileKind::Events => Err((Reason::BadJson, "not a side file".into())),
    };
    match res {
        Ok(Ok(true)) => {
            ctx.kept();
            Ok(())
        }
        Ok(Ok(false)) => {
            let id = row
                .iter()
                .find(|(k, _)| *k == "id")
                .and_then(|(_, v)| v.text().map(|s| s.into_owned()))
                .unwrap_or_default();
            let what = if ctx.file.kind == FileKind::Accounts {
                "account"
            } else {
                "device"
            };
            let msg = format!(
                "duplicate {what} id {} (the first row with it is kept)",
                quote(&id)
            );
            ctx.reject_text(line, Reason::DuplicateId, msg, raw())
        }
        Ok(Err(fatal)) => Err(fatal),
        Err((reason, message)) => ctx.reject_text(line, reason, message, raw()),
    }
}

type RowResult = Result<Result<bool>, Bad>;

fn account(ctx: &mut Ctx<'_>, row: &[(&str, SVal<'_>)]) -> RowResult {
    let get = |k: &str| row.iter().find(|(n, _)| *n == k).map(|(_, v)| v);
    let id = id_of(get("id"))?;
    let created = created_at(get("created_at"))?;
    let attrs: Vec<(&str, Cow<'_, str>)> = row
        .iter()
        .filter(|(k, _)| *k != "id" && *k != "created_at")
        .filter_map(|(k, v)| Some((*k, v.text()?)))
        .collect();
    let log = ctx.builder.log_mut();
    let acc = match log.accounts.intern(id) {
        Ok(a) => a,
        Err(e) => return Ok(Err(e.into())),
    };
    Ok(Ok(log.account_table.push(
        acc,
        created,
        attrs.iter().map(|(k, v)| (*k, v.as_ref())),
    )))
}

const DEVICE_FIELDS: [&str; 6] = ["id", "model", "os", "build", "screen", "attestation"];

fn device(ctx: &mut Ctx<'_>, row: &[(&str, SVal<'_>)]) -> RowResult {
    let get = |k: &str| row.iter().find(|(n, _)| *n == k).map(|(_, v)| v);
    let id = id_of(get("id"))?;
    let text = |k: &str| get(k).and_then(|v| v.text());
    let (model, os, build) = (text("model"), text("os"), text("build"));
    let screen = match get("screen") {
        None | Some(SVal::Absent) => None,
        Some(SVal::Str(s)) if s.is_empty() => None,
        Some(SVal::Str(s)) => Some(fields::screen(s)?),
        Some(v) => return Err(wrong("screen", v, "a string `WxH`")),
    };
    let attestation = match get("attestation") {
        None | Some(SVal::Absent) => None,
        Some(SVal::Str(s)) if s.is_empty() => None,
        Some(SVal::Str(s)) => Some(Attestation::parse(s).ok_or_else(|| {
            (
                Reason::BadAttestation,
                format!("`attestation` {} is not pass, fail or none", quote(s)),
            )
        })?),
        Some(v) => return Err(wrong("attestation", v, "a string")),
    };
    let attrs: Vec<(&str, Cow<'_, str>)> = row
        .iter()
        .filter(|(k, _)| !DEVICE_FIELDS.contains(k))
        .filter_map(|(k, v)| Some((*k, v.text()?)))
        .collect();
    let raw = RawDevice {
        model: model.as_deref(),
        os: os.as_deref(),
        build: build.as_deref(),
        screen,
        attestation,
    };
    let log = ctx.builder.log_mut();
    let dev = match log.devices.intern(id) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e.into())),
    };
    Ok(log
        .device_table
        .push(dev, &raw, attrs.iter().map(|(k, v)| (*k, v.as_ref())))
        .map_err(Into::into))
}

fn json_val(v: &serde_json::Value) -> SVal<'_> {
    use serde_json::Value;
    match v {
        Value::Null => SVal::Absent,
        Value::String(s) => SVal::Str(Cow::Borrowed(s)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SVal::Int(i),
            None => SVal::Text(n.to_string(), "a number"),
        },
        Value::Bool(b) => SVal::Text(b.to_string(), "a boolean"),
        Value::Array(_) => SVal::Text(v.to_string(), "an array"),
        Value::Object(_) => SVal::Text(v.to_string(), "an object"),
    }
}

fn json_line(ctx: &mut Ctx<'_>, line_no: u64, line: &str) -> Result<()> {
    if line.len() > ctx.max_line {
        let msg = format!(
            "line of {} bytes is longer than the limit of {}",
            line.len(),
            ctx.max_line
        );
        return ctx.reject(line_no, Reason::LineTooLong, msg, line.as_bytes());
    }
    let map: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(line) {
        Ok(m) => m,
        Err(e) => {
            let msg = if e.is_data() {
                "not a JSON object".to_string()
            } else {
                format!("invalid JSON: {e}")
            };
            return ctx.reject(line_no, Reason::BadJson, msg, line.as_bytes());
        }
    };
    let row: Vec<(&str, SVal<'_>)> = map.iter().map(|(k, v)| (k.as_str(), json_val(v))).collect();
    accept_row(ctx, line_no, &row, || {
        crate::reject::raw_text(line.as_bytes())
    })
}

/// Reads a side file in JSON Lines, one line at a time.
pub(crate) fn read_jsonl(ctx: &mut Ctx<'_>, path: &Path, gzip: bool) -> Result<()> {
    let reader = open_text(path, gzip, ctx.progress.clone(), ctx.bytes_before)?;
    let (max_line, block_bytes) = (ctx.max_line, ctx.block_bytes);
    std::thread::scope(|s| {
        let (tx, rx) = sync_channel::<Msg>(1);
        s.spawn(move || read_blocks(reader, path, gzip, block_bytes, max_line, tx, None));
        let mut line = 0u64;
        let result = (|| -> Result<()> {
            for msg in &rx {
                match msg {
                    Msg::Block(b) => {
                        let mut bad = b.not_utf8.iter().peekable();
                        let first = line;
                        for (i, l) in b.text.split_inclusive('\n').enumerate() {
                            line = first + i as u64 + 1;
                            ctx.lines(1, 0);
                            if let Some((_, raw)) = bad.next_if(|(idx, _)| *idx == i as u64) {
                                let msg = "line is not valid UTF-8".to_string();
                                ctx.reject_text(line, Reason::NotUtf8, msg, raw.clone())?;
                            } else if l.trim_ascii().is_empty() {
                                ctx.lines(0, 1);
                            } else {
                                json_line(ctx, line, l.trim_end_matches(['\n', '\r']))?;
                            }
                        }
                    }
                    Msg::Lost {
                        reason,
                        message,
                        raw,
                    } => {
                        line += 1;
                        ctx.lines(1, 0);
                        ctx.reject_text(line, reason, message, raw)?;
                    }
                    Msg::Fail(e) => return Err(e),
                }
            }
            Ok(())
        })();
        drop(rx);
        result
    })
}
