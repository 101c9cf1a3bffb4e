//! Events from JSON Lines: blocks of lines parsed in parallel, pushed into the log in order.
//!
//! A reader thread cuts the file into blocks of whole lines ([`crate::lines`]). Each block is
//! split into chunks that rayon parses in parallel into compact [`Item`]s (string fields are
//! spans of the block, or of a per-chunk arena when JSON escapes had to be decoded). While the
//! pool parses block N+1, block N is interned with
//! [`lockstep_core::EventLogBuilder::push_batch`] (one task per id space), and then its lines
//! are accounted for in order: kept, rejected or blank.

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;
use std::path::Path;
use std::sync::mpsc::sync_channel;

use lockstep_core::RawEvent;
use rayon::prelude::*;
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::ctx::{Ctx, line_u32};
use crate::fields::{self, Bad};
use crate::input::open_text;
use crate::lines::{Block, Msg, read_blocks};
use crate::{Reason, Result};

/// A JSON value as far as validation needs it; strings borrow from the line when unescaped.
#[derive(Debug, Default)]
pub(crate) enum JVal<'a> {
    #[default]
    Absent,
    Null,
    Str(Cow<'a, str>),
    Int(i64),
    /// An integer above `i64::MAX`.
    Big,
    Float,
    Bool,
    Array,
    Object,
}

impl JVal<'_> {
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            JVal::Absent => "absent",
            JVal::Null => "null",
            JVal::Str(_) => "a string",
            JVal::Int(_) | JVal::Big | JVal::Float => "a number",
            JVal::Bool => "a boolean",
            JVal::Array => "an array",
            JVal::Object => "an object",
        }
    }
}

struct JValVisitor;

impl<'de> Visitor<'de> for JValVisitor {
    type Value = JVal<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(JVal::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(JVal::Str(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(JVal::Str(Cow::Owned(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(JVal::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(i64::try_from(v).map_or(JVal::Big, JVal::Int))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(JVal::Float)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(JVal::Bool)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(JVal::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(JVal::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(JVal::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(JVal::Object)
    }
}

impl<'de> Deserialize<'de> for JVal<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JValVisitor)
    }
}

/// The fields of an event, in this order.
const FIELDS: [&str; 10] = [
    "id", "ts", "actor", "action", "target", "owner", "text", "ip", "device", "client",
];
const ID: usize = 0;
const TS: usize = 1;
const ACTOR: usize = 2;
const ACTION: usize = 3;
const TARGET: usize = 4;
const OWNER: usize = 5;
const TEXT: usize = 6;
const IP: usize = 7;
const DEVICE: usize = 8;
const CLIENT: usize = 9;

/// A map key: one of [`FIELDS`], or another (ignored) field.
struct Key(Option<usize>);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(Key(FIELDS.iter().position(|f| *f == v)))
            }
        }
        d.deserialize_identifier(V)
    }
}

/// One JSON object's event fields; other fields are skipped.
#[derive(Default)]
struct JsonEvent<'a>([JVal<'a>; 10]);

impl<'de> Deserialize<'de> for JsonEvent<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JsonEvent<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut ev = JsonEvent::default();
                while let Some(Key(k)) = map.next_key::<Key>()? {
                    match k {
                        Some(i) => ev.0[i] = map.next_value()?,
                        None => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(ev)
            }
        }
        d.deserialize_map(V)
    }
}

fn wrong_type(i: usize, v: &JVal<'_>, want: &str) -> Bad {
    (
        Reason::WrongType,
        format!(
            "field `{}` must be {want}, not {}",
            FIELDS[i],
            v.type_name()
        ),
    )
}

fn opt_str<'v, 'a>(ev: &'v JsonEvent<'a>, i: usize) -> Result<Option<&'v Cow<'a, str>>, Bad> {
    match &ev.0[i] {
        JVal::Absent | JVal::Null => Ok(None),
        JVal::Str(s) if s.is_empty() => Ok(None),
        JVal::Str(s) => Ok(Some(s)),
        v => Err(wrong_type(i, v, "a string")),
    }
}

fn req_str<'v, 'a>(ev: &'v JsonEvent<'a>, i: usize) -> Result<&'v Cow<'a, str>, Bad> {
    match &ev.0[i] {
        JVal::Absent | JVal::Null => Err((
            Reason::MissingField,
            format!("required field `{}` is missing", FIELDS[i]),
        )),
        JVal::Str(s) if s.is_empty() => Err((
            Reason::MissingField,
            format!("required field `{}` is empty", FIELDS[i]),
        )),
        JVal::Str(s) => Ok(s),
        v => Err(wrong_type(i, v, "a string")),
    }
}

fn json_ts(v: &JVal<'_>) -> Result<i64, Bad> {
    match v {
        JVal::Absent | JVal::Null => Err(fields::ts_missing("ts")),
        JVal::Int(ms) => fields::ts_ms("ts", *ms),
        JVal::Big => Err((
            Reason::TimestampOutOfRange,
            "`ts` is outside years 1970..=9999".into(),
        )),
        JVal::Float => Err((
            Reason::BadTimestamp,
            "`ts` is a number but not an integer of epoch milliseconds".into(),
        )),
        JVal::Str(s) => fields::ts_text("ts", s),
        v => Err(wrong_type(
            TS,
            v,
            "an RFC 3339 string or integer epoch milliseconds",
        )),
    }
}

/// A string of a parsed event: a span of the block, or (top bit set) of the chunk's arena.
#[derive(Debug, Clone, Copy)]
struct S {
    start: u32,
    len: u32,
}

const ARENA: u32 = 1 << 31;

/// An event parsed and checked, its strings as spans.
struct SpanEvent {
    ts: i64,
    ip: Option<IpAddr>,
    id: Option<S>,
    actor: S,
    action: S,
    target: S,
    owner: Option<S>,
    text: Option<S>,
    device: Option<S>,
    client: Option<S>,
}

/// What a line became.
enum Item {
    Event {
        /// 0-based line within the chunk.
        line: u32,
        /// The whole line, for a later rejection (duplicate id).
        raw: S,
        ev: SpanEvent,
    },
    Reject {
        line: u32,
        raw: S,
        reason: Reason,
        message: String,
    },
}

/// The parse of one chunk.
struct Chunk {
    lines: u32,
    blank: u32,
    items: Vec<Item>,
    arena: String,
}

/// Parses and checks one line (`base`: the block text, for spans).
fn parse_line(line: &str, base: usize, arena: &mut String) -> Result<SpanEvent, Bad> {
    let ev: JsonEvent<'_> = serde_json::from_str(line).map_err(|e| {
        let msg = if e.is_data() {
            "not a JSON object".to_string()
        } else {
            format!("invalid JSON: {e}")
        };
        (Reason::BadJson, msg)
    })?;
    let mut span = |s: &Cow<'_, str>| -> S {
        match s {
            Cow::Borrowed(b) => S {
                start: (b.as_ptr() as usize - base) as u32,
                len: b.len() as u32,
            },
            Cow::Owned(o) => {
                let start = arena.len() as u32 | ARENA;
                arena.push_str(o);
                S {
                    start,
                    len: o.len() as u32,
                }
            }
        }
    };
    let ts = json_ts(&ev.0[TS])?;
    let actor = span(req_str(&ev, ACTOR)?);
    let action = span(req_str(&ev, ACTION)?);
    let target = span(req_str(&ev, TARGET)?);
    let id = opt_str(&ev, ID)?.map(&mut span);
    let owner = opt_str(&ev, OWNER)?.map(&mut span);
    let text = opt_str(&ev, TEXT)?.map(&mut span);
    let ip = fields::ip(opt_str(&ev, IP)?.map(|s| s.as_ref()))?;
    let device = opt_str(&ev, DEVICE)?.map(&mut span);
    let client = opt_str(&ev, CLIENT)?.map(&mut span);
    Ok(SpanEvent {
        ts,
        ip,
        id,
        actor,
        action,
        target,
        owner,
        text,
        device,
        client,
    })
}

fn parse_chunk(text: &str, range: std::ops::Range<usize>, max_line: usize) -> Chunk {
    let base = text.as_ptr() as usize;
    let chunk_text = &text[range.clone()];
    let mut out = Chunk {
        lines: 0,
        blank: 0,
        items: Vec::with_capacity(chunk_text.len() / 160 + 1),
        arena: String::new(),
    };
    let mut pos = range.start;
    let end = range.end;
    while pos < end {
        let nl = memchr::memchr(b'\n', &text.as_bytes()[pos..end]).map_or(end, |p| pos + p);
        let line = &text[pos..nl];
        let local = out.lines;
        out.lines += 1;
        let raw = S {
            start: pos as u32,
            len: line.len() as u32,
        };
        pos = nl + 1;
        // Blank first: lines that were not UTF-8 were blanked, whatever their length.
        if line.trim_ascii().is_empty() {
            out.blank += 1;
            continue;
        }
        if line.len() > max_line {
            out.items.push(Item::Reject {
                line: local,
                raw,
                reason: Reason::LineTooLong,
                message: format!(
                    "line of {} bytes is longer than the limit of {max_line}",
                    line.len()
                ),
            });
            continue;
        }
        match parse_line(line, base, &mut out.arena) {
            Ok(ev) => out.items.push(Item::Event {
                line: local,
                raw,
                ev,
            }),
            Err((reason, message)) => out.items.push(Item::Reject {
                line: local,
                raw,
                reason,
                message,
            }),
        }
    }
    out
}

/// Splits `text` into chunks of about `size` bytes at line ends and parses them in parallel.
fn parse_block(text: &str, max_line: usize) -> Vec<Chunk> {
    let size = (text.len() / 32).clamp(64 << 10, 1 << 20);
    let b = text.as_bytes();
    let mut ranges = Vec::new();
    let mut start = 0;
    while start < b.len() {
        let probe = (start + size).min(b.len());
        let end = memchr::memchr(b'\n', &b[probe..]).map_or(b.len(), |p| probe + p + 1);
        ranges.push(start..end);
        start = end;
    }
    ranges
        .into_par_iter()
        .map(|r| parse_chunk(text, r, max_line))
        .collect()
}

#[inline]
fn get<'a>(s: S, text: &'a str, arena: &'a str) -> &'a str {
    let (start, len) = (s.start as usize, s.len as usize);
    if s.start & ARENA != 0 {
        let start = (s.start & !ARENA) as usize;
        &arena[start..start + len]
    } else {
        &text[start..start + len]
    }
}

/// Interns one parsed block into the log (its id spaces in parallel), then accounts for its
/// lines in order.
fn consume(
    ctx: &mut Ctx<'_>,
    block: &Block,
    chunks: &[Chunk],
    first_line: &mut u64,
    gzip: bool,
    spare: &mut Spare,
) -> Result<()> {
    let text = block.text.as_str();
    // All events of the block, in order.
    let n_events: usize = chunks
        .iter()
        .map(|c| {
            c.items
                .iter()
                .filter(|i| matches!(i, Item::Event { .. }))
                .count()
        })
        .sum();
    let mut raws = reuse(std::mem::take(&mut spare.raws));
    raws.reserve(n_events);
    let mut chunk_first = *first_line;
    for c in chunks {
        for item in &c.items {
            if let Item::Event { line, ev, .. } = item {
                let g = |s: S| get(s, text, &c.arena);
                raws.push(RawEvent {
                    id: ev.id.map(g),
                    ts: ev.ts,
                    actor: g(ev.actor),
                    action: g(ev.action),
                    target: g(ev.target),
                    owner: ev.owner.map(g),
                    text: ev.text.map(g),
                    ip: ev.ip,
                    device: ev.device.map(g),
                    client: ev.client.map(g),
                    line: line_u32(chunk_first + u64::from(*line) + 1)?,
                });
            }
        }
        chunk_first += u64::from(c.lines);
    }
    if *first_line == 0 && !gzip {
        // The first block of a plain file tells its rows per byte: reserve for the rest so
        // that no column grows (and no id index rehashes) while the file is read.
        let scale = ctx.file.bytes as f64 / text.len().max(1) as f64;
        if scale > 1.5 {
            let id_bytes: usize = raws.iter().filter_map(|r| r.id).map(str::len).sum();
            ctx.builder.reserve(
                (raws.len() as f64 * (scale - 1.0)) as usize,
                (id_bytes as f64 * (scale - 1.0)) as usize,
            );
        }
    }
    let mut results_vec = std::mem::take(&mut spare.results);
    ctx.push_events(&raws, &mut results_vec)?;
    spare.raws = reuse(raws);
    let mut results = results_vec.drain(..);

    // Every line, in order: kept, rejected, or blank.
    let mut bad = block.not_utf8.iter().peekable();
    let mut chunk_first = *first_line;
    let (mut lines, mut blank) = (0u64, 0u64);
    for c in chunks {
        lines += u64::from(c.lines);
        blank += u64::from(c.blank);
        // Lines are counted as they are reached, so that a budget check sees them.
        let mut counted = 0u32;
        for item in &c.items {
            let local = match item {
                Item::Event { line, .. } | Item::Reject { line, .. } => *line,
            };
            ctx.lines(u64::from(local + 1 - counted), 0);
            counted = local + 1;
            let abs = chunk_first + u64::from(local) + 1;
            while let Some((idx, raw)) = bad.next_if(|(idx, _)| *first_line + idx + 1 < abs) {
                ctx.reject_text(
                    *first_line + idx + 1,
                    Reason::NotUtf8,
                    "line is not valid UTF-8".into(),
                    raw.clone(),
                )?;
            }
            match item {
                Item::Event { raw, .. } => {
                    let r = results.next().unwrap_or(Ok(()));
                    ctx.settle(abs, r, || {
                        crate::reject::raw_text(get(*raw, text, &c.arena).as_bytes())
                    })?;
                }
                Item::Reject {
                    raw,
                    reason,
                    message,
                    ..
                } => {
                    let r = get(*raw, text, &c.arena);
                    ctx.reject(abs, *reason, message.clone(), r.as_bytes())?;
                }
            }
        }
        ctx.lines(u64::from(c.lines - counted), 0);
        chunk_first += u64::from(c.lines);
    }
    for (idx, raw) in bad {
        ctx.reject_text(
            *first_line + idx + 1,
            Reason::NotUtf8,
            "line is not valid UTF-8".into(),
            raw.clone(),
        )?;
    }
    // Not-UTF-8 lines were blanked, and so parsed as blank: they are rejected instead.
    ctx.lines(0, blank - block.not_utf8.len() as u64);
    *first_line += lines;
    drop(results);
    spare.results = results_vec;
    Ok(())
}

/// Vectors kept from one block to the next, so that their pages are mapped once.
#[derive(Default)]
struct Spare {
    raws: Vec<RawEvent<'static>>,
    results: Vec<Result<(), lockstep_core::PushError>>,
}

/// `v`, emptied, for borrows of another block (the allocation is kept).
fn reuse<'b>(mut v: Vec<RawEvent<'_>>) -> Vec<RawEvent<'b>> {
    v.clear();
    v.into_iter().map(|_| unreachable!("emptied")).collect()
}

/// Reads the events of one JSON Lines file into `ctx`.
pub(crate) fn read_events(ctx: &mut Ctx<'_>, path: &Path, gzip: bool) -> Result<()> {
    let reader = open_text(path, gzip, ctx.progress.clone(), ctx.bytes_before)?;
    let (max_line, block_bytes) = (ctx.max_line, ctx.block_bytes);
    std::thread::scope(|s| {
        let (tx, rx) = sync_channel::<Msg>(1);
        // Consumed blocks go back to the reader to be filled again.
        let (back, recycle) = sync_channel::<String>(2);
        s.spawn(move || read_blocks(reader, path, gzip, block_bytes, max_line, tx, Some(recycle)));
        let give_back = |b: Block| {
            let _ = back.try_send(b.text);
        };
        let mut line = 0u64;
        let mut spare = Spare::default();
        let mut pending: Option<(Block, Vec<Chunk>)> = None;
        let result = (|| -> Result<()> {
            for msg in &rx {
                match msg {
                    Msg::Block(b) => {
                        let mut parsed = Vec::new();
                        let mut done = Ok(());
                        rayon::in_place_scope(|scope| {
                            scope.spawn(|_| parsed = parse_block(&b.text, max_line));
                            if let Some((pb, pc)) = pending.take() {
                                done = consume(ctx, &pb, &pc, &mut line, gzip, &mut spare);
                                give_back(pb);
                            }
                        });
                        done?;
                        pending = Some((b, parsed));
                    }
                    Msg::Lost {
                        reason,
                        message,
                        raw,
                    } => {
                        if let Some((pb, pc)) = pending.take() {
                            consume(ctx, &pb, &pc, &mut line, gzip, &mut spare)?;
                        }
                        line += 1;
                        ctx.lines(1, 0);
                        ctx.reject_text(line, reason, message, raw)?;
                    }
                    Msg::Fail(e) => return Err(e),
                }
            }
            if let Some((pb, pc)) = pending.take() {
                consume(ctx, &pb, &pc, &mut line, gzip, &mut spare)?;
            }
            Ok(())
        })();
        // Hang up so that the reader stops if we stopped early.
        drop(rx);
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<(), Bad> {
        let mut arena = String::new();
        parse_line(line, line.as_ptr() as usize, &mut arena).map(|_| ())
    }

    #[test]
    fn reasons() {
        let ok = r#"{"ts":"2026-03-01T12:00:00Z","actor":"a","action":"like","target":"p"}"#;
        assert!(parse(ok).is_ok());
        let r = |l: &str| parse(l).unwrap_err();
        assert_eq!(r("{").0, Reason::BadJson);
        assert_eq!(r("[1,2]").0, Reason::BadJson);
        assert_eq!(
            r(r#"{"ts":1,"actor":5,"action":"x","target":"y"}"#).1,
            "field `actor` must be a string, not a number"
        );
        assert_eq!(
            r(r#"{"ts":1,"action":"x","target":"y"}"#).0,
            Reason::MissingField
        );
        assert_eq!(
            r(r#"{"ts":1.5,"actor":"a","action":"x","target":"y"}"#).0,
            Reason::BadTimestamp
        );
        assert_eq!(
            r(r#"{"ts":-1,"actor":"a","action":"x","target":"y"}"#).0,
            Reason::TimestampOutOfRange
        );
        assert_eq!(
            r(r#"{"ts":true,"actor":"a","action":"x","target":"y"}"#).0,
            Reason::WrongType
        );
        assert_eq!(
            r(r#"{"ts":1,"actor":"a","action":"x","target":"y","ip":"1.2.3"}"#).0,
            Reason::BadIp
        );
        assert!(
            parse(r#"{"ts":"1","actor":"a","action":"x","target":"y","extra":{"k":[1]}}"#).is_ok()
        );
    }
}
