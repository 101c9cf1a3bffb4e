//! Parquet input through the Arrow reader, batch by batch: columns looked up by name, types
//! checked up front (a wrong type is a file-level error), nulls in a required column reject
//! the row. The "line" of a row is its 1-based row number.
//!
//! Utf8 columns of accounts, targets, verbs, addresses, devices and clients are asked for as
//! dictionaries: each dictionary value is checked and interned once (while the reader hands out
//! the same dictionary), and rows go to the log as keys through
//! [`lockstep_core::EventLogBuilder::push_columns`]. Two reader threads decode the columns
//! (one the row-wise columns, one the dictionaries). Other string types go row by row.

use std::borrow::Cow;
use std::fs::File;
use std::net::IpAddr;
use std::path::Path;
use std::sync::mpsc::sync_channel;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{
    AnyDictionaryArray, Array, ArrayRef, LargeStringArray, RecordBatch, StringArray,
    StringViewArray,
};
use arrow_schema::{DataType, TimeUnit};
use lockstep_core::{Columns, Id, Keyed, RawEvent, RowStrs};

use crate::FileKind;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use rayon::prelude::*;

use crate::ctx::{Ctx, line_u32};
use crate::error::invalid_input_err;
use crate::fields::{self, Bad};
use crate::side::{SVal, accept_row};
use crate::{Error, Reason, Result};

const BATCH_ROWS: usize = 64 * 1024;

const FIELDS: [&str; 10] = [
    "id", "ts", "actor", "action", "target", "owner", "text", "ip", "device", "client",
];
const STR_TYPES: &str = "Utf8, LargeUtf8, Utf8View, or a Dictionary of them";
const TS_TYPES: &str = "Int64 (epoch milliseconds), Timestamp (any unit), or Utf8/LargeUtf8/\
                        Utf8View (RFC 3339 or integer text)";

fn pq_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Parquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn is_str(dt: &DataType) -> bool {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(k, v) => k.is_dictionary_key_type() && is_str(v),
        _ => false,
    }
}

fn is_ts(dt: &DataType) -> bool {
    matches!(dt, DataType::Int64 | DataType::Timestamp(..)) || is_str(dt)
}

/// A string column of one batch.
enum StrCol<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
    Dict {
        dict: &'a dyn AnyDictionaryArray,
        keys: Vec<usize>,
        values: Box<StrCol<'a>>,
    },
}

impl<'a> StrCol<'a> {
    fn new(a: &'a ArrayRef) -> Option<Self> {
        Self::of(a.as_ref())
    }

    fn of(a: &'a dyn Array) -> Option<Self> {
        if let Some(s) = a.as_string_opt::<i32>() {
            Some(StrCol::Utf8(s))
        } else if let Some(s) = a.as_string_opt::<i64>() {
            Some(StrCol::Large(s))
        } else if let Some(s) = a.as_string_view_opt() {
            Some(StrCol::View(s))
        } else {
            let dict = a.as_any_dictionary_opt()?;
            let values = Box::new(StrCol::of(dict.values().as_ref())?);
            Some(StrCol::Dict {
                dict,
                keys: dict.normalized_keys(),
                values,
            })
        }
    }

    #[inline]
    fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            StrCol::Utf8(a) => (!a.is_null(i)).then(|| a.value(i)),
            StrCol::Large(a) => (!a.is_null(i)).then(|| a.value(i)),
            StrCol::View(a) => (!a.is_null(i)).then(|| a.value(i)),
            StrCol::Dict { dict, keys, values } => {
                if dict.is_null(i) {
                    None
                } else {
                    values.get(keys[i])
                }
            }
        }
    }
}

/// A timestamp column of one batch.
enum TsCol<'a> {
    /// Integer values with their unit (Int64 counts as milliseconds).
    Num {
        values: &'a [i64],
        arr: &'a dyn Array,
        unit: TimeUnit,
    },
    Text(StrCol<'a>),
}

impl<'a> TsCol<'a> {
    fn new(a: &'a ArrayRef) -> Option<Self> {
        let num = |values: &'a [i64], unit| {
            Some(TsCol::Num {
                values,
                arr: a.as_ref(),
                unit,
            })
        };
        match a.data_type() {
            DataType::Int64 => num(
                a.as_primitive::<Int64Type>().values(),
                TimeUnit::Millisecond,
            ),
            DataType::Timestamp(TimeUnit::Second, _) => num(
                a.as_primitive::<TimestampSecondType>().values(),
                TimeUnit::Second,
            ),
            DataType::Timestamp(TimeUnit::Millisecond, _) => num(
                a.as_primitive::<TimestampMillisecondType>().values(),
                TimeUnit::Millisecond,
            ),
            DataType::Timestamp(TimeUnit::Microsecond, _) => num(
                a.as_primitive::<TimestampMicrosecondType>().values(),
                TimeUnit::Microsecond,
            ),
            DataType::Timestamp(TimeUnit::Nanosecond, _) => num(
                a.as_primitive::<TimestampNanosecondType>().values(),
                TimeUnit::Nanosecond,
            ),
            _ => StrCol::new(a).map(TsCol::Text),
        }
    }

    /// `None` for null.
    #[inline]
    fn get(&self, i: usize, name: &str) -> Option<Result<i64, Bad>> {
        match self {
            TsCol::Num { values, arr, unit } => {
                if arr.is_null(i) {
                    return None;
                }
                Some(to_ms(values[i], *unit).and_then(|ms| fields::ts_ms(name, ms)))
            }
            TsCol::Text(s) => s.get(i).map(|s| fields::ts_text(name, s)),
        }
    }
}

fn to_ms(v: i64, unit: TimeUnit) -> Result<i64, Bad> {
    match unit {
        TimeUnit::Second => v.checked_mul(1000).ok_or((
            Reason::TimestampOutOfRange,
            "timestamp is outside years 1970..=9999".to_string(),
        )),
        TimeUnit::Millisecond => Ok(v),
        TimeUnit::Microsecond => Ok(v.div_euclid(1000)),
        TimeUnit::Nanosecond => Ok(v.div_euclid(1_000_000)),
    }
}

/// Opens `path`, checks the columns it needs with `check`, and sends its batches from reader
/// threads to `each`. `hint` may ask for other Arrow types of the same columns (dictionaries
/// for string columns); `groups` splits the wanted columns between reader threads (each
/// decodes its own columns of every batch; the parts are joined by batch), `None` for one.
fn read_batches(
    ctx: &mut Ctx<'_>,
    path: &Path,
    wanted: impl Fn(&str) -> bool,
    check: impl FnOnce(&arrow_schema::Schema) -> Result<()>,
    hint: impl FnOnce(&arrow_schema::Schema) -> Option<arrow_schema::Schema>,
    groups: Option<&dyn Fn(&str) -> usize>,
    mut each: impl FnMut(&mut Ctx<'_>, &RecordBatch, u64) -> Result<()>,
) -> Result<()> {
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut meta =
        ArrowReaderMetadata::load(&f, ArrowReaderOptions::new()).map_err(|e| pq_err(path, e))?;
    let schema = std::sync::Arc::clone(meta.schema());
    check(&schema)?;
    if let Some(h) = hint(&schema) {
        let opts = ArrowReaderOptions::new().with_schema(std::sync::Arc::new(h));
        meta = ArrowReaderMetadata::try_new(std::sync::Arc::clone(meta.metadata()), opts)
            .map_err(|e| pq_err(path, e))?;
    }
    let schema = std::sync::Arc::clone(meta.schema());
    let roots: Vec<usize> = schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| wanted(f.name()))
        .map(|(i, _)| i)
        .collect();
    let total_rows = meta.metadata().file_metadata().num_rows().max(1) as u64;
    if ctx.file.kind == FileKind::Events {
        // The footer gives the row count: reserve so that no column grows while reading.
        let has_ids = schema.field_with_name("id").is_ok();
        let rows = total_rows as usize;
        ctx.builder
            .reserve(rows, if has_ids { rows * 12 } else { 0 });
    }
    let n_groups = match groups {
        Some(g) => roots
            .iter()
            .map(|&i| g(schema.field(i).name()) + 1)
            .max()
            .unwrap_or(1),
        None => 1,
    };
    let mut readers = Vec::with_capacity(n_groups);
    for g in 0..n_groups {
        let mine: Vec<usize> = roots
            .iter()
            .copied()
            .filter(|&i| groups.is_none_or(|f| f(schema.field(i).name()) == g))
            .collect();
        if mine.is_empty() {
            continue;
        }
        // Its own descriptor: a cloned one would share the file position.
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(file, meta.clone());
        let mask = ProjectionMask::roots(builder.parquet_schema(), mine);
        readers.push(
            builder
                .with_projection(mask)
                .with_batch_size(BATCH_ROWS)
                .build()
                .map_err(|e| pq_err(path, e))?,
        );
    }
    let bytes = ctx.file.bytes;
    // The columns in file order, for joining the parts of a batch.
    let joined = std::sync::Arc::new(schema.project(&roots).map_err(|e| pq_err(path, e))?);
    std::thread::scope(|s| {
        let rxs: Vec<_> = readers
            .into_iter()
            .map(|reader| {
                let (tx, rx) = sync_channel(2);
                s.spawn(move || {
                    for b in reader {
                        let stop = b.is_err();
                        if tx.send(b).is_err() || stop {
                            return;
                        }
                    }
                });
                rx
            })
            .collect();
        let mut row = 0u64;
        let result = (|| -> Result<()> {
            loop {
                let mut parts = Vec::with_capacity(rxs.len());
                for rx in &rxs {
                    match rx.recv() {
                        Ok(b) => parts.push(b.map_err(|e| pq_err(path, e))?),
                        Err(_) => break,
                    }
                }
                if parts.len() < rxs.len() {
                    if parts.iter().any(|p| p.num_rows() > 0) {
                        return Err(Error::Internal(format!(
                            "{}: column readers disagree on the number of rows",
                            path.display()
                        )));
                    }
                    return Ok(());
                }
                let b = if parts.len() == 1 {
                    parts.pop().expect("one part")
                } else {
                    join_parts(&joined, &parts).map_err(|e| pq_err(path, e))?
                };
                each(ctx, &b, row)?;
                row += b.num_rows() as u64;
                if let Some(cb) = &ctx.progress {
                    cb(ctx.bytes_before + bytes * row.min(total_rows) / total_rows);
                }
            }
        })();
        drop(rxs);
        result
    })
}

/// Joins the column groups of one batch into a batch of `schema`'s columns.
fn join_parts(
    schema: &arrow_schema::SchemaRef,
    parts: &[RecordBatch],
) -> std::result::Result<RecordBatch, arrow_schema::ArrowError> {
    let cols = schema
        .fields()
        .iter()
        .map(|f| {
            parts
                .iter()
                .find_map(|p| p.column_by_name(f.name()).cloned())
                .ok_or_else(|| arrow_schema::ArrowError::SchemaError(f.name().clone()))
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    RecordBatch::try_new(std::sync::Arc::clone(schema), cols)
}

/// The rows in `path`'s footer, and whether it has an `id` column: what [`crate::load`]
/// reserves for before reading, so that the log's columns and duplicate-id index are sized
/// once for all the Parquet files rather than grown (and rehashed) file by file. Any error is
/// left for the read itself to report.
pub(crate) fn footer_rows(path: &Path) -> Option<(usize, bool)> {
    let f = File::open(path).ok()?;
    let meta = ArrowReaderMetadata::load(&f, ArrowReaderOptions::new()).ok()?;
    let rows = usize::try_from(meta.metadata().file_metadata().num_rows()).ok()?;
    Some((rows, meta.schema().field_with_name("id").is_ok()))
}

/// Reads the events of one Parquet file.
pub(crate) fn read_events(ctx: &mut Ctx<'_>, path: &Path) -> Result<()> {
    let check = |schema: &arrow_schema::Schema| -> Result<()> {
        for (k, name) in FIELDS.iter().enumerate() {
            match schema.field_with_name(name) {
                Err(_) if (1..=4).contains(&k) => {
                    let cols: Vec<&str> =
                        schema.fields().iter().map(|f| f.name().as_str()).collect();
                    return Err(invalid_input_err!(
                        "{}: required column `{name}` is missing (columns: {})",
                        path.display(),
                        cols.join(", ")
                    ));
                }
                Err(_) => {}
                Ok(f) => {
                    let (ok, accepted) = if k == 1 {
                        (is_ts(f.data_type()), TS_TYPES)
                    } else {
                        (is_str(f.data_type()), STR_TYPES)
                    };
                    if !ok {
                        return Err(invalid_input_err!(
                            "{}: column `{name}` has type {}; accepted types: {accepted}",
                            path.display(),
                            f.data_type()
                        ));
                    }
                }
            }
        }
        Ok(())
    };
    let mut caches: [KeyCache; KEYED.len()] = Default::default();
    read_batches(
        ctx,
        path,
        |n| FIELDS.contains(&n),
        check,
        dictionary_hint,
        // Two readers: the row-wise columns, and the dictionary-encoded ones.
        Some(&|n: &str| usize::from(KEYED.contains(&n))),
        |ctx, b, first_row| {
            if push_keyed(ctx, b, first_row, &mut caches)? {
                Ok(())
            } else {
                push_rows(ctx, b, first_row)
            }
        },
    )
}

/// The string columns read as dictionaries: each value is checked and interned once per
/// dictionary, not once per row.
const KEYED: [&str; 7] = [
    "action", "actor", "target", "owner", "ip", "device", "client",
];

/// `schema` with the Utf8 columns of [`KEYED`] asked for as `Dictionary(Int32, Utf8)`, which
/// the Parquet reader returns without materialising strings when a column chunk is
/// dictionary-encoded. `None` when nothing changes.
fn dictionary_hint(schema: &arrow_schema::Schema) -> Option<arrow_schema::Schema> {
    let mut changed = false;
    let fields: Vec<arrow_schema::FieldRef> = schema
        .fields()
        .iter()
        .map(|f| {
            if KEYED.contains(&f.name().as_str()) && f.data_type() == &DataType::Utf8 {
                changed = true;
                std::sync::Arc::new(f.as_ref().clone().with_data_type(DataType::Dictionary(
                    Box::new(DataType::Int32),
                    Box::new(DataType::Utf8),
                )))
            } else {
                std::sync::Arc::clone(f)
            }
        })
        .collect();
    changed.then(|| arrow_schema::Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// What is known about one dictionary of a [`KEYED`] column: kept across batches while the
/// reader hands out the same dictionary.
#[derive(Default)]
struct KeyCache {
    dict: Option<ArrayRef>,
    /// Interned id (or verb code) per key, [`lockstep_core::NONE`] for not yet.
    ids: Vec<Id>,
    /// Per key: the parsed address, once checked (`ip` column only).
    ips: Vec<Option<Result<Option<IpAddr>, ()>>>,
}

/// A [`KEYED`] column of one batch: keys (negative for null) into a string dictionary.
struct KeyCol<'a> {
    keys: Cow<'a, [i32]>,
    values: &'a StringArray,
}

impl<'a> KeyCol<'a> {
    /// The column, if it is a `Dictionary(Int32, Utf8)`; resets `cache` when its dictionary
    /// is not the one of the previous batch.
    fn new(a: &'a ArrayRef, cache: &mut KeyCache) -> Option<Self> {
        let d = a.as_dictionary_opt::<Int32Type>()?;
        let values = d.values().as_string_opt::<i32>()?;
        if !cache
            .dict
            .as_ref()
            .is_some_and(|c| std::sync::Arc::ptr_eq(c, d.values()))
        {
            cache.dict = Some(std::sync::Arc::clone(d.values()));
            cache.ids.clear();
            cache.ips.clear();
        }
        let k = d.keys();
        let keys = if k.null_count() == 0 {
            Cow::Borrowed(k.values().as_ref())
        } else {
            Cow::Owned(k.iter().map(|x| x.unwrap_or(-1)).collect())
        };
        Some(KeyCol { keys, values })
    }

    #[inline]
    fn get(&self, i: usize) -> Option<&'a str> {
        let k = self.keys[i];
        (k >= 0).then(|| self.value(k as usize)).flatten()
    }

    #[inline]
    fn value(&self, k: usize) -> Option<&'a str> {
        (!self.values.is_null(k)).then(|| self.values.value(k))
    }
}

/// Checks and pushes one batch whose [`KEYED`] columns are all dictionaries (see
/// [`dictionary_hint`]) through [`lockstep_core::EventLogBuilder::push_columns`]. Returns
/// `false`, having done nothing, when a column has another type.
fn push_keyed(
    ctx: &mut Ctx<'_>,
    b: &RecordBatch,
    first_row: u64,
    caches: &mut [KeyCache; KEYED.len()],
) -> Result<bool> {
    let n = b.num_rows();
    let mut cols: [Option<KeyCol<'_>>; KEYED.len()] = Default::default();
    for ((name, cache), col) in KEYED.iter().zip(caches.iter_mut()).zip(&mut cols) {
        if let Some(a) = b.column_by_name(name) {
            match KeyCol::new(a, cache) {
                Some(c) => *col = Some(c),
                None => return Ok(false),
            }
        }
    }
    let [action, actor, target, owner, ip, device, client] = &cols;
    let (Some(action), Some(actor), Some(target)) = (action, actor, target) else {
        return Err(Error::Internal("a required column vanished".into()));
    };
    let ts = b
        .column_by_name("ts")
        .and_then(TsCol::new)
        .ok_or_else(|| Error::Internal("ts column vanished".into()))?;
    let id = b.column_by_name("id").and_then(StrCol::new);
    let text = b.column_by_name("text").and_then(StrCol::new);
    let first_line = line_u32(first_row + 1)?;
    line_u32(first_row + n as u64)?;

    // Every row is checked in the order the row-wise reader checks its fields.
    let ip_cache = &mut caches[4].ips;
    let mut ts_ms = vec![0i64; n];
    let mut rows: Vec<u32> = Vec::with_capacity(n);
    let mut bad: Vec<(u32, Bad)> = Vec::new();
    for (i, t) in ts_ms.iter_mut().enumerate() {
        let mut check = || -> Result<i64, Bad> {
            let t = ts
                .get(i, "ts")
                .unwrap_or_else(|| Err(fields::ts_missing("ts")))?;
            fields::required("actor", actor.get(i))?;
            fields::required("action", action.get(i))?;
            fields::required("target", target.get(i))?;
            if let Some(ip) = ip {
                let k = ip.keys[i];
                if k >= 0 {
                    let k = k as usize;
                    if k >= ip_cache.len() {
                        ip_cache.resize(k + 1, None);
                    }
                    if ip_cache[k].is_none() {
                        ip_cache[k] = Some(fields::ip(ip.value(k)).map_err(|_| ()));
                    }
                    if let Some(Err(())) = ip_cache[k] {
                        fields::ip(ip.value(k))?;
                    }
                }
            }
            Ok(t)
        };
        match check() {
            Ok(v) => {
                *t = v;
                rows.push(i as u32);
            }
            Err(e) => bad.push((i as u32, e)),
        }
    }

    fn strs<'a>(c: &KeyCol<'a>) -> impl Fn(usize) -> Option<&'a str> + Sync + 'a {
        let v = c.values;
        move |k: usize| (!v.is_null(k)).then(|| v.value(k))
    }
    let (f_action, f_actor, f_target) = (strs(action), strs(actor), strs(target));
    let f_owner = owner.as_ref().map(strs);
    let f_device = device.as_ref().map(strs);
    let f_client = client.as_ref().map(strs);
    let f_id = |i: usize| id.as_ref().and_then(|c| c.get(i));
    let f_text = |i: usize| text.as_ref().and_then(|c| c.get(i));
    let [
        c_action,
        c_actor,
        c_target,
        c_owner,
        c_ip,
        c_device,
        c_client,
    ] = caches;
    let ip_cache = &c_ip.ips;
    let f_ip = |k: usize| {
        ip_cache
            .get(k)
            .copied()
            .flatten()
            .and_then(|r| r.ok())
            .flatten()
    };
    fn keyed<'b>(c: &'b KeyCol<'_>) -> &'b [i32] {
        &c.keys
    }
    let mut batch = Columns {
        rows: &rows,
        first_line,
        ts: &ts_ms,
        id: id.as_ref().map(|_| &f_id as RowStrs<'_, '_>),
        action: Keyed {
            keys: keyed(action),
            value: &f_action,
            ids: &mut c_action.ids,
        },
        actor: Keyed {
            keys: keyed(actor),
            value: &f_actor,
            ids: &mut c_actor.ids,
        },
        target: Keyed {
            keys: keyed(target),
            value: &f_target,
            ids: &mut c_target.ids,
        },
        owner: owner.as_ref().zip(f_owner.as_ref()).map(|(c, f)| Keyed {
            keys: keyed(c),
            value: f,
            ids: &mut c_owner.ids,
        }),
        text: text.as_ref().map(|_| &f_text as RowStrs<'_, '_>),
        ip: ip.as_ref().map(|c| Keyed {
            keys: keyed(c),
            value: &f_ip,
            ids: &mut c_ip.ids,
        }),
        device: device.as_ref().zip(f_device.as_ref()).map(|(c, f)| Keyed {
            keys: keyed(c),
            value: f,
            ids: &mut c_device.ids,
        }),
        client: client.as_ref().zip(f_client.as_ref()).map(|(c, f)| Keyed {
            keys: keyed(c),
            value: f,
            ids: &mut c_client.ids,
        }),
    };
    let mut results = std::mem::take(&mut ctx.results);
    ctx.builder
        .push_columns(&mut batch, &mut results)
        .map_err(Error::Core)?;

    // Every row accounted for in order: kept or rejected.
    if bad.is_empty() && results.iter().all(|r| r.is_ok()) {
        ctx.results = results;
        ctx.lines(n as u64, 0);
        ctx.kept_many(n as u64);
        return Ok(true);
    }
    let mut results = results.into_iter();
    let mut bad = bad.into_iter().peekable();
    for i in 0..n {
        let line = first_row + i as u64 + 1;
        ctx.lines(1, 0);
        match bad.next_if(|(r, _)| *r as usize == i) {
            Some((_, (reason, msg))) => ctx.reject_text(line, reason, msg, raw_row(b, i))?,
            None => {
                let r = results.next().unwrap_or(Ok(()));
                ctx.settle(line, r, || raw_row(b, i))?;
            }
        }
    }
    Ok(true)
}

/// Checks and pushes one batch row by row (columns of any accepted type).
fn push_rows(ctx: &mut Ctx<'_>, b: &RecordBatch, first_row: u64) -> Result<()> {
    let col = |name: &str| b.column_by_name(name);
    let s = |name: &str| col(name).and_then(StrCol::new);
    let ts = col("ts")
        .and_then(TsCol::new)
        .ok_or_else(|| Error::Internal("ts column vanished".into()))?;
    let (id, actor, action, target) = (s("id"), s("actor"), s("action"), s("target"));
    let (owner, text, ip, device, client) =
        (s("owner"), s("text"), s("ip"), s("device"), s("client"));
    fn get<'a>(c: &Option<StrCol<'a>>, i: usize) -> Option<&'a str> {
        c.as_ref().and_then(|c| c.get(i))
    }
    let build = |i: usize| -> Result<RawEvent<'_>, Bad> {
        let ts = ts
            .get(i, "ts")
            .unwrap_or_else(|| Err(fields::ts_missing("ts")))?;
        Ok(RawEvent {
            id: fields::optional(get(&id, i)),
            ts,
            actor: fields::required("actor", get(&actor, i))?,
            action: fields::required("action", get(&action, i))?,
            target: fields::required("target", get(&target, i))?,
            owner: fields::optional(get(&owner, i)),
            text: fields::optional(get(&text, i)),
            ip: fields::ip(get(&ip, i))?,
            device: fields::optional(get(&device, i)),
            client: fields::optional(get(&client, i)),
            line: 0,
        })
    };
    // Rows are checked in parallel, then the batch is interned (in parallel by id
    // space), then every row is accounted for in order.
    let mut evs: Vec<Result<RawEvent<'_>, Bad>> = Vec::new();
    (0..b.num_rows())
        .into_par_iter()
        .map(build)
        .collect_into_vec(&mut evs);
    let mut raws = Vec::with_capacity(evs.len());
    for (i, e) in evs.iter_mut().enumerate() {
        if let Ok(ev) = e {
            ev.line = line_u32(first_row + i as u64 + 1)?;
            raws.push(*ev);
        }
    }
    let mut results = Vec::with_capacity(raws.len());
    ctx.push_events(&raws, &mut results)?;
    let mut results = results.into_iter();
    for (i, e) in evs.into_iter().enumerate() {
        let line = first_row + i as u64 + 1;
        ctx.lines(1, 0);
        match e {
            Ok(_) => {
                let r = results.next().unwrap_or(Ok(()));
                ctx.settle(line, r, || raw_row(b, i))?;
            }
            Err((reason, msg)) => ctx.reject_text(line, reason, msg, raw_row(b, i))?,
        }
    }
    Ok(())
}

/// A side-file column of one batch, as values.
struct AnyCol<'a> {
    name: &'a str,
    get: Box<dyn Fn(usize) -> SVal<'a> + 'a>,
}

fn prim<'a, T>(
    a: &'a ArrayRef,
    conv: impl Fn(T::Native) -> SVal<'a> + 'a,
) -> Box<dyn Fn(usize) -> SVal<'a> + 'a>
where
    T: arrow_array::ArrowPrimitiveType,
{
    let p = a.as_primitive::<T>();
    Box::new(move |i| {
        if p.is_null(i) {
            SVal::Absent
        } else {
            conv(p.value(i))
        }
    })
}

/// A reader of values for a side-file column, or `None` for a type that cannot be kept.
fn any_col<'a>(a: &'a ArrayRef) -> Option<Box<dyn Fn(usize) -> SVal<'a> + 'a>> {
    use DataType as D;
    let int = |v: i64| SVal::Int(v);
    Some(match a.data_type() {
        dt if is_str(dt) => {
            let s = StrCol::new(a)?;
            Box::new(move |i| {
                s.get(i)
                    .map_or(SVal::Absent, |s| SVal::Str(Cow::Borrowed(s)))
            })
        }
        D::Int8 => prim::<Int8Type>(a, move |v| int(v.into())),
        D::Int16 => prim::<Int16Type>(a, move |v| int(v.into())),
        D::Int32 => prim::<Int32Type>(a, move |v| int(v.into())),
        D::Int64 => prim::<Int64Type>(a, int),
        D::UInt8 => prim::<UInt8Type>(a, move |v| int(v.into())),
        D::UInt16 => prim::<UInt16Type>(a, move |v| int(v.into())),
        D::UInt32 => prim::<UInt32Type>(a, move |v| int(v.into())),
        D::UInt64 => prim::<UInt64Type>(a, |v| {
            i64::try_from(v).map_or_else(|_| SVal::Text(v.to_string(), "a number"), SVal::Int)
        }),
        D::Float32 | D::Float64 => {
            let f = a.as_primitive_opt::<arrow_array::types::Float64Type>();
            let g = a.as_primitive_opt::<arrow_array::types::Float32Type>();
            Box::new(move |i| {
                if a.is_null(i) {
                    return SVal::Absent;
                }
                let v = f.map(|f| f.value(i)).or(g.map(|g| f64::from(g.value(i))));
                v.map_or(SVal::Absent, |v| SVal::Text(v.to_string(), "a number"))
            })
        }
        D::Boolean => {
            let b = a.as_boolean();
            Box::new(move |i| {
                if b.is_null(i) {
                    SVal::Absent
                } else {
                    SVal::Text(b.value(i).to_string(), "a boolean")
                }
            })
        }
        D::Timestamp(..) => match TsCol::new(a)? {
            TsCol::Num { values, arr, unit } => Box::new(move |i| {
                if arr.is_null(i) {
                    SVal::Absent
                } else {
                    // Out of range values go on, so that the row check reports them.
                    to_ms(values[i], unit).map_or(SVal::Ms(i64::MIN), SVal::Ms)
                }
            }),
            TsCol::Text(_) => return None,
        },
        D::Date32 => prim::<Date32Type>(a, |d| SVal::Ms(i64::from(d) * 86_400_000)),
        D::Date64 => prim::<Date64Type>(a, SVal::Ms),
        _ => return None,
    })
}

/// A row rendered as a JSON object, for a rejection.
fn raw_row(b: &RecordBatch, i: usize) -> String {
    let mut m = serde_json::Map::new();
    for (f, a) in b.schema_ref().fields().iter().zip(b.columns()) {
        let v = match any_col(a).map(|g| g(i)) {
            None | Some(SVal::Absent) => serde_json::Value::Null,
            Some(v) => match v {
                SVal::Str(s) => s.into_owned().into(),
                SVal::Int(n) => n.into(),
                SVal::Ms(ms) => crate::time::format_ts(ms).into(),
                SVal::Text(t, _) => t.into(),
                SVal::Absent => serde_json::Value::Null,
            },
        };
        m.insert(f.name().clone(), v);
    }
    crate::reject::raw_text(serde_json::Value::Object(m).to_string().as_bytes())
}

/// Reads a side file in Parquet.
pub(crate) fn read_side(ctx: &mut Ctx<'_>, path: &Path) -> Result<()> {
    let check = |schema: &arrow_schema::Schema| -> Result<()> {
        match schema.field_with_name("id") {
            Err(_) => Err(invalid_input_err!(
                "{}: required column `id` is missing",
                path.display()
            )),
            Ok(f) if !is_str(f.data_type()) => Err(invalid_input_err!(
                "{}: column `id` has type {}; accepted types: {STR_TYPES}",
                path.display(),
                f.data_type()
            )),
            Ok(_) => Ok(()),
        }
    };
    let mut noted = false;
    read_batches(
        ctx,
        path,
        |_| true,
        check,
        |_| None,
        None,
        |ctx, b, first_row| {
            let schema = b.schema();
            let mut cols: Vec<AnyCol<'_>> = Vec::new();
            let mut skipped = Vec::new();
            for (f, a) in schema.fields().iter().zip(b.columns()) {
                match any_col(a) {
                    Some(get) => cols.push(AnyCol {
                        name: f.name(),
                        get,
                    }),
                    None => skipped.push(format!("`{}` ({})", f.name(), f.data_type())),
                }
            }
            if !skipped.is_empty() && !noted {
                noted = true;
                ctx.file.notes.push(format!(
                    "columns of types that cannot be kept as text were ignored: {}",
                    skipped.join(", ")
                ));
            }
            let mut row: Vec<(&str, SVal<'_>)> = Vec::with_capacity(cols.len());
            for i in 0..b.num_rows() {
                let line = first_row + i as u64 + 1;
                ctx.lines(1, 0);
                row.clear();
                row.extend(cols.iter().map(|c| (c.name, (c.get)(i))));
                accept_row(ctx, line, &row, || raw_row(b, i))?;
            }
            Ok(())
        },
    )
}
