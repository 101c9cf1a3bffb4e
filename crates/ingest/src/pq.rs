//! Parquet input through the Arrow reader, batch by batch: columns looked up by name, types
//! checked up front (a wrong type is a file-level error), nulls in a required column reject
//! the row. The "line" of a row is its 1-based row number.

use std::borrow::Cow;
use std::fs::File;
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
use lockstep_core::RawEvent;

use crate::FileKind;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
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

/// Opens `path`, checks the columns it needs with `check`, and sends its batches from a
/// reader thread to `each`.
fn read_batches(
    ctx: &mut Ctx<'_>,
    path: &Path,
    wanted: impl Fn(&str) -> bool,
    check: impl FnOnce(&arrow_schema::Schema) -> Result<()>,
    mut each: impl FnMut(&mut Ctx<'_>, &RecordBatch, u64) -> Result<()>,
) -> Result<()> {
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(f).map_err(|e| pq_err(path, e))?;
    let schema = std::sync::Arc::clone(builder.schema());
    check(&schema)?;
    let roots: Vec<usize> = schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| wanted(f.name()))
        .map(|(i, _)| i)
        .collect();
    let total_rows = builder.metadata().file_metadata().num_rows().max(1) as u64;
    if ctx.file.kind == FileKind::Events {
        // The footer gives the row count: reserve so that no column grows while reading.
        let has_ids = schema.field_with_name("id").is_ok();
        let rows = total_rows as usize;
        ctx.builder
            .reserve(rows, if has_ids { rows * 12 } else { 0 });
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| pq_err(path, e))?;
    let bytes = ctx.file.bytes;
    std::thread::scope(|s| {
        let (tx, rx) = sync_channel(2);
        s.spawn(move || {
            for b in reader {
                let stop = b.is_err();
                if tx.send(b).is_err() || stop {
                    return;
                }
            }
        });
        let mut row = 0u64;
        let result = (|| -> Result<()> {
            for b in &rx {
                let b = b.map_err(|e| pq_err(path, e))?;
                each(ctx, &b, row)?;
                row += b.num_rows() as u64;
                if let Some(cb) = &ctx.progress {
                    cb(ctx.bytes_before + bytes * row.min(total_rows) / total_rows);
                }
            }
            Ok(())
        })();
        drop(rx);
        result
    })
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
    read_batches(
        ctx,
        path,
        |n| FIELDS.contains(&n),
        check,
        |ctx, b, first_row| {
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
        },
    )
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
