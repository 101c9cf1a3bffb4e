//! CSV input (events and side files): header row, columns in any order, unknown columns
//! ignored, quoted newlines allowed. Line numbers are the physical line where a record starts.

use std::borrow::Cow;
use std::path::Path;

use csv::ByteRecord;
use lockstep_core::RawEvent;

use crate::ctx::{Ctx, line_u32};
use crate::error::invalid_input_err;
use crate::fields::{self, Bad};
use crate::input::{ReadFailure, classify, open_text};
use crate::side::{SVal, accept_row};
use crate::{FileKind, Reason, Result};

const FIELDS: [&str; 10] = [
    "id", "ts", "actor", "action", "target", "owner", "text", "ip", "device", "client",
];
const REQUIRED: [usize; 4] = [1, 2, 3, 4];

/// The record as text for a rejection: its cells joined by commas.
fn raw_record(rec: &ByteRecord) -> String {
    let mut v = Vec::new();
    for (i, f) in rec.iter().enumerate() {
        if i > 0 {
            v.push(b',');
        }
        v.extend_from_slice(f);
        if v.len() > crate::reject::RAW_LIMIT {
            break;
        }
    }
    crate::reject::raw_text(&v)
}

fn cell<'r>(rec: &'r ByteRecord, col: Option<usize>, name: &str) -> Result<Option<&'r str>, Bad> {
    match col.and_then(|c| rec.get(c)) {
        None => Ok(None),
        Some(b) => std::str::from_utf8(b).map(Some).map_err(|_| {
            (
                Reason::NotUtf8,
                format!("column `{name}` is not valid UTF-8"),
            )
        }),
    }
}

fn event<'r>(
    rec: &'r ByteRecord,
    cols: &[Option<usize>; 10],
    line: u32,
) -> Result<RawEvent<'r>, Bad> {
    let c = |k: usize| cell(rec, cols[k], FIELDS[k]);
    let ts = match c(1)? {
        Some(s) if !s.is_empty() => fields::ts_text("ts", s)?,
        _ => return Err(fields::ts_missing("ts")),
    };
    let actor = fields::required("actor", c(2)?)?;
    let action = fields::required("action", c(3)?)?;
    let target = fields::required("target", c(4)?)?;
    let id = fields::optional(c(0)?);
    let owner = fields::optional(c(5)?);
    let text = fields::optional(c(6)?);
    let ip = fields::ip(c(7)?)?;
    Ok(RawEvent {
        id,
        ts,
        actor,
        action,
        target,
        owner,
        text,
        ip,
        device: fields::optional(c(8)?),
        client: fields::optional(c(9)?),
        line,
    })
}

/// Reads one CSV file (events or a side file, by the current file's kind).
pub(crate) fn read(ctx: &mut Ctx<'_>, path: &Path, gzip: bool) -> Result<()> {
    let reader = open_text(path, gzip, ctx.progress.clone(), ctx.bytes_before)?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .buffer_capacity(1 << 20)
        .from_reader(reader);
    let mut rec = ByteRecord::new();
    let mut last_line = 0u64;
    // Returns false at the end of the file or after damage.
    let mut next = |ctx: &mut Ctx<'_>, rec: &mut ByteRecord, last_line: &mut u64| -> Result<bool> {
        loop {
            match rdr.read_byte_record(rec) {
                Ok(more) => {
                    if more {
                        *last_line = rec.position().map_or(*last_line + 1, |p| p.line());
                    }
                    return Ok(more);
                }
                Err(e) => {
                    let line = e.position().map_or(*last_line + 1, |p| p.line());
                    match e.into_kind() {
                        csv::ErrorKind::Io(io) => match classify(path, gzip, io) {
                            ReadFailure::Gzip(reason, message) => {
                                ctx.lines(1, 0);
                                ctx.reject_text(line, reason, message, String::new())?;
                                return Ok(false);
                            }
                            ReadFailure::Fatal(e) => return Err(e),
                        },
                        other => {
                            ctx.lines(1, 0);
                            let msg = format!("unreadable CSV record: {other:?}");
                            ctx.reject_text(line, Reason::BadCsv, msg, String::new())?;
                            *last_line = line;
                        }
                    }
                }
            }
        }
    };
    // The header.
    if !next(ctx, &mut rec, &mut last_line)? {
        return Ok(());
    }
    let header: Vec<String> = rec
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = String::from_utf8_lossy(h);
            let h = if i == 0 {
                h.trim_start_matches('\u{feff}')
            } else {
                &h
            };
            h.trim().to_string()
        })
        .collect();
    let width = header.len();
    let col = |name: &str| header.iter().position(|h| h == name);
    match ctx.file.kind {
        FileKind::Events => {
            let cols: [Option<usize>; 10] = std::array::from_fn(|k| col(FIELDS[k]));
            if let Some(&k) = REQUIRED.iter().find(|&&k| cols[k].is_none()) {
                return Err(invalid_input_err!(
                    "{}: the CSV header lacks the required column `{}` (header: {})",
                    path.display(),
                    FIELDS[k],
                    header.join(",")
                ));
            }
            while next(ctx, &mut rec, &mut last_line)? {
                ctx.lines(1, 0);
                let line = last_line;
                if rec.len() != width {
                    let msg = format!("row has {} cells, the header has {width}", rec.len());
                    ctx.reject_text(line, Reason::WrongFieldCount, msg, raw_record(&rec))?;
                    continue;
                }
                match event(&rec, &cols, line_u32(line)?) {
                    Ok(ev) => ctx.push_event(&ev, || raw_record(&rec))?,
                    Err((reason, msg)) => ctx.reject_text(line, reason, msg, raw_record(&rec))?,
                }
            }
        }
        FileKind::Accounts | FileKind::Devices => {
            if col("id").is_none() {
                return Err(invalid_input_err!(
                    "{}: the CSV header lacks the required column `id` (header: {})",
                    path.display(),
                    header.join(",")
                ));
            }
            while next(ctx, &mut rec, &mut last_line)? {
                ctx.lines(1, 0);
                let line = last_line;
                if rec.len() != width {
                    let msg = format!("row has {} cells, the header has {width}", rec.len());
                    ctx.reject_text(line, Reason::WrongFieldCount, msg, raw_record(&rec))?;
                    continue;
                }
                let mut row: Vec<(&str, SVal<'_>)> = Vec::with_capacity(width);
                let mut bad = None;
                for (name, cellb) in header.iter().zip(rec.iter()) {
                    match std::str::from_utf8(cellb) {
                        Ok("") => row.push((name, SVal::Absent)),
                        Ok(s) => row.push((name, SVal::Str(Cow::Borrowed(s)))),
                        Err(_) => {
                            bad = Some(format!("column `{name}` is not valid UTF-8"));
                            break;
                        }
                    }
                }
                match bad {
                    Some(msg) => ctx.reject_text(line, Reason::NotUtf8, msg, raw_record(&rec))?,
                    None => accept_row(ctx, line, &row, || raw_record(&rec))?,
                }
            }
        }
    }
    Ok(())
}
