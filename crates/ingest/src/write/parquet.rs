//! Parquet output: rows gathered into Arrow builders, written in batches of 64K rows
//! (snappy compression, dictionary encoding except for unique ids and free text). Batches are
//! encoded and written by a thread of their own, so that the caller goes on producing rows.

use std::fs::File;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use arrow_array::builder::{StringBuilder, TimestampMillisecondBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::arrow_writer::{
    ArrowColumnWriter, ArrowLeafColumn, ArrowRowGroupWriterFactory, compute_leaves,
};
use parquet::arrow::{ArrowSchemaConverter, add_encoded_arrow_schema_to_metadata};
use parquet::basic::Compression;
use parquet::errors::ParquetError;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;
use parquet::schema::types::SchemaDescriptor;

use super::EventRow;
use crate::{Error, Result};

/// Rows per record batch.
const BATCH_ROWS: usize = 64 * 1024;

/// Rows per row group.
const ROW_GROUP_ROWS: usize = 1 << 20;

/// The event columns that name an account, target, address, device, client or verb.
const KEYED: [&str; 7] = [
    "action", "actor", "target", "owner", "ip", "device", "client",
];

/// The dictionary page limit of [`KEYED`] columns (the default is 1 MiB).
const KEYED_DICTIONARY_BYTES: usize = 64 << 20;

fn pq_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Parquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// A pair of a column writer and the column of the batch it encodes.
type Job<'a> = (usize, (&'a mut ArrowColumnWriter, &'a ArrowLeafColumn));

/// Writes the batches from `rx` to `file` as Parquet: row groups of [`ROW_GROUP_ROWS`] rows,
/// the columns of each batch encoded by two threads (even and odd columns). Returns the file.
fn encode_file(
    file: File,
    schema: &SchemaRef,
    parquet_schema: SchemaDescriptor,
    mut props: WriterProperties,
    rx: Receiver<RecordBatch>,
) -> Result<File, ParquetError> {
    add_encoded_arrow_schema_to_metadata(schema, &mut props);
    let mut fw =
        SerializedFileWriter::new(file, parquet_schema.root_schema_ptr(), Arc::new(props))?;
    let factory = ArrowRowGroupWriterFactory::new(&fw, Arc::clone(schema));
    let (mut writers, mut rows, mut groups): (Option<Vec<ArrowColumnWriter>>, usize, usize) =
        (None, 0, 0);
    let flush = |fw: &mut SerializedFileWriter<File>, ws: Vec<ArrowColumnWriter>| {
        let mut rg = fw.next_row_group()?;
        for w in ws {
            w.close()?.append_to_row_group(&mut rg)?;
        }
        rg.close().map(|_| ())
    };
    for batch in rx {
        let mut offset = 0;
        while offset < batch.num_rows() {
            let ws = match &mut writers {
                Some(ws) => ws,
                None => writers.insert(factory.create_column_writers(groups)?),
            };
            let take = (ROW_GROUP_ROWS - rows).min(batch.num_rows() - offset);
            let part = batch.slice(offset, take);
            let mut leaves: Vec<ArrowLeafColumn> = Vec::with_capacity(ws.len());
            for (field, col) in schema.fields().iter().zip(part.columns()) {
                leaves.extend(compute_leaves(field, col)?);
            }
            let (mut even, mut odd): (Vec<Job<'_>>, Vec<Job<'_>>) = ws
                .iter_mut()
                .zip(&leaves)
                .enumerate()
                .partition(|(i, _)| i % 2 == 0);
            let encode = |half: &mut Vec<Job<'_>>| {
                half.iter_mut().try_for_each(|(_, (w, leaf))| w.write(leaf))
            };
            let (mine, other) = std::thread::scope(|s| {
                let other = s.spawn(|| encode(&mut odd));
                (encode(&mut even), other.join())
            });
            mine?;
            other.map_err(|_| ParquetError::General("a column encoder panicked".into()))??;
            rows += take;
            offset += take;
            if rows == ROW_GROUP_ROWS {
                flush(&mut fw, writers.take().expect("writers"))?;
                (rows, groups) = (0, groups + 1);
            }
        }
    }
    if let Some(ws) = writers.take() {
        flush(&mut fw, ws)?;
    }
    fw.into_inner()
}

enum Col {
    Str(StringBuilder),
    Ts(TimestampMillisecondBuilder),
}

/// A Parquet file of string columns and at most one timestamp column.
pub(crate) struct TablePq {
    path: PathBuf,
    schema: SchemaRef,
    /// Batches to the encoding thread; `None` once finished.
    tx: Option<SyncSender<RecordBatch>>,
    worker: Option<JoinHandle<Result<()>>>,
    cols: Vec<Col>,
    rows: usize,
}

impl TablePq {
    /// Columns `names`, all Utf8 except `ts_col` (a UTC millisecond timestamp). Column 0 and
    /// the timestamp are non-null when `required` says so.
    fn create_with(
        path: &Path,
        names: &[&str],
        ts_col: Option<usize>,
        required: &[usize],
    ) -> Result<Self> {
        let fields: Vec<Field> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let dt = if Some(i) == ts_col {
                    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
                } else {
                    DataType::Utf8
                };
                Field::new(*n, dt, !required.contains(&i))
            })
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let mut props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_dictionary_enabled(true)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS));
        for unique in ["id", "text"] {
            if names.contains(&unique) {
                props = props.set_column_dictionary_enabled(ColumnPath::from(unique), false);
            }
        }
        for (i, name) in names.iter().enumerate() {
            if Some(i) != ts_col {
                // Min/max of string columns cost a comparison per row and prune nothing that
                // lockstep reads by; times keep theirs.
                props = props.set_column_statistics_enabled(
                    ColumnPath::from(*name),
                    EnabledStatistics::None,
                );
            }
        }
        if let Some(ts) = ts_col {
            // Times are nearly all distinct: a dictionary would only be given up.
            props = props.set_column_dictionary_enabled(ColumnPath::from(names[ts]), false);
        }
        for keyed in KEYED {
            if names.contains(&keyed) {
                // Room for a whole row group's dictionary, so that no column chunk falls back
                // to plain pages: readers then get every value of a chunk once.
                props = props.set_column_dictionary_page_size_limit(
                    ColumnPath::from(keyed),
                    KEYED_DICTIONARY_BYTES,
                );
            }
        }
        let f = File::create(path).map_err(|e| Error::io(path, e))?;
        let parquet_schema = ArrowSchemaConverter::new()
            .convert(&schema)
            .map_err(|e| pq_err(path, e))?;
        let (tx, rx) = sync_channel::<RecordBatch>(2);
        let (owned, file_schema) = (path.to_path_buf(), Arc::clone(&schema));
        let props = props.build();
        let worker = std::thread::Builder::new()
            .name("parquet-writer".into())
            .spawn(move || -> Result<()> {
                let f = encode_file(f, &file_schema, parquet_schema, props, rx)
                    .map_err(|e| pq_err(&owned, e))?;
                f.sync_all().map_err(|e| Error::io(&owned, e))
            })
            .map_err(|e| Error::io(path, e))?;
        let cols = (0..names.len())
            .map(|i| {
                if Some(i) == ts_col {
                    Col::Ts(
                        TimestampMillisecondBuilder::with_capacity(BATCH_ROWS).with_timezone("UTC"),
                    )
                } else {
                    Col::Str(StringBuilder::with_capacity(BATCH_ROWS, BATCH_ROWS * 8))
                }
            })
            .collect();
        Ok(TablePq {
            path: path.to_path_buf(),
            schema,
            tx: Some(tx),
            worker: Some(worker),
            cols,
            rows: 0,
        })
    }

    /// Columns `names`: column 0 (`id`) required, `ts_col` a nullable timestamp.
    pub(crate) fn create(path: &Path, names: &[&str], ts_col: Option<usize>) -> Result<Self> {
        Self::create_with(path, names, ts_col, &[0])
    }

    #[inline]
    pub(crate) fn str(&mut self, i: usize, v: Option<&str>) {
        if let Col::Str(b) = &mut self.cols[i] {
            b.append_option(v);
        }
    }

    #[inline]
    pub(crate) fn ts(&mut self, i: usize, v: Option<i64>) {
        if let Col::Ts(b) = &mut self.cols[i] {
            b.append_option(v);
        }
    }

    pub(crate) fn end_row(&mut self) -> Result<()> {
        self.rows += 1;
        if self.rows >= BATCH_ROWS {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn flush_batch(&mut self) -> Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let arrays: Vec<ArrayRef> = self
            .cols
            .iter_mut()
            .map(|c| -> ArrayRef {
                match c {
                    Col::Str(b) => Arc::new(b.finish()),
                    Col::Ts(b) => Arc::new(b.finish().with_timezone("UTC")),
                }
            })
            .collect();
        let batch = RecordBatch::try_new(Arc::clone(&self.schema), arrays)
            .map_err(|e| pq_err(&self.path, e))?;
        self.rows = 0;
        let sent = self.tx.as_ref().is_some_and(|tx| tx.send(batch).is_ok());
        if sent { Ok(()) } else { self.join() }
    }

    /// Stops the encoding thread and returns how it ended.
    fn join(&mut self) -> Result<()> {
        self.tx = None;
        match self.worker.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(Error::Internal(format!(
                "{}: the Parquet encoding thread panicked",
                self.path.display()
            ))),
            None => Err(Error::Internal(format!(
                "{}: written to after an error",
                self.path.display()
            ))),
        }
    }

    pub(crate) fn finish(mut self) -> Result<()> {
        self.flush_batch()?;
        self.join()
    }
}

/// The events file: [`super::EVENT_COLUMNS`], `ts` a timestamp.
pub(crate) struct EventPq {
    t: TablePq,
    ip: String,
}

impl EventPq {
    pub(crate) fn create(path: &Path) -> Result<Self> {
        Ok(EventPq {
            t: TablePq::create_with(path, &super::EVENT_COLUMNS, Some(1), &[0, 1, 2, 3, 4])?,
            ip: String::new(),
        })
    }

    pub(crate) fn write(&mut self, r: &EventRow<'_>) -> Result<()> {
        use std::fmt::Write;
        let t = &mut self.t;
        t.str(0, Some(r.id));
        t.ts(1, Some(r.ts));
        t.str(2, Some(r.actor));
        t.str(3, Some(r.action));
        t.str(4, Some(r.target));
        t.str(5, r.owner);
        t.str(6, r.text);
        let ip = r.ip.map(|ip| {
            self.ip.clear();
            match ip {
                IpAddr::V4(v4) => {
                    // The same text as `Display`, without the formatting machinery.
                    for (k, o) in v4.octets().into_iter().enumerate() {
                        if k > 0 {
                            self.ip.push('.');
                        }
                        self.ip.push_str(itoa::Buffer::new().format(o));
                    }
                }
                IpAddr::V6(_) => {
                    let _ = write!(self.ip, "{ip}");
                }
            }
            self.ip.as_str()
        });
        t.str(7, ip);
        t.str(8, r.device);
        t.str(9, r.client);
        t.end_row()
    }

    pub(crate) fn finish(self) -> Result<()> {
        self.t.finish()
    }
}
