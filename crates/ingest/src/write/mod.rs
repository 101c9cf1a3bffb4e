//! Writers for CONTRACT §1 files: events, accounts and devices in JSON Lines (plain or gzip),
//! CSV and Parquet. Everything written reads back through [`crate::load`] unchanged.
//!
//! Each writer has the same shape: `create(path, format)`, `write(&row)` per row, and
//! `finish()`, which must be called to flush (a writer dropped without `finish` may leave a
//! truncated file; a Parquet file without its footer is unreadable).
//!
//! | format | timestamps | absent optional fields |
//! |--------|------------|------------------------|
//! | JSON Lines | RFC 3339 UTC with milliseconds (`2026-03-01T12:00:00.123Z`) | omitted |
//! | CSV | the same text | empty cell |
//! | Parquet | `Timestamp(Millisecond, "UTC")` | null |
//!
//! Account attributes: JSON Lines writes each row's own attributes. CSV and Parquet have one
//! set of columns for the whole file: the attribute names given to
//! [`AccountWriter::create_with_attrs`], or else those of the first row written. A later row
//! may leave an attribute out (empty cell or null), but an attribute outside that set is an
//! error.

mod json;
#[cfg(feature = "parquet")]
mod parquet;

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use flate2::write::GzEncoder;
use lockstep_core::Attestation;

use crate::error::invalid_input_err;
use crate::{Error, Result};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// JSON Lines, `.jsonl`.
    Jsonl,
    /// Gzip-compressed JSON Lines, `.jsonl.gz`.
    JsonlGz,
    /// CSV with a header row, `.csv`.
    Csv,
    /// Parquet (snappy, dictionary encoding), `.parquet`. Needs the `parquet` feature.
    Parquet,
}

impl Format {
    /// Every format, in a fixed order.
    pub const ALL: [Format; 4] = [Format::Jsonl, Format::JsonlGz, Format::Csv, Format::Parquet];

    /// The file extension, without the leading dot: `jsonl`, `jsonl.gz`, `csv` or `parquet`.
    pub fn extension(&self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::JsonlGz => "jsonl.gz",
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.extension())
    }
}

impl FromStr for Format {
    type Err = Error;

    /// Parses `jsonl`, `jsonl.gz`, `csv` or `parquet` (case-insensitive).
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "jsonl" => Ok(Format::Jsonl),
            "jsonl.gz" => Ok(Format::JsonlGz),
            "csv" => Ok(Format::Csv),
            "parquet" => Ok(Format::Parquet),
            _ => Err(invalid_input_err!(
                "unknown output format `{s}`; expected one of jsonl, jsonl.gz, csv, parquet"
            )),
        }
    }
}

/// One event to write. `ts` is in epoch milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRow<'a> {
    /// The event id (written even when empty; an empty id reads back as `FILE:LINE`).
    pub id: &'a str,
    /// Milliseconds since the Unix epoch.
    pub ts: i64,
    /// The account that acted.
    pub actor: &'a str,
    /// The verb.
    pub action: &'a str,
    /// What was engaged with.
    pub target: &'a str,
    /// The account that benefits.
    pub owner: Option<&'a str>,
    /// Comment or review body.
    pub text: Option<&'a str>,
    /// The request's address.
    pub ip: Option<IpAddr>,
    /// The device id.
    pub device: Option<&'a str>,
    /// The client.
    pub client: Option<&'a str>,
}

/// One row of the accounts side file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountRow<'a> {
    /// The account id.
    pub id: &'a str,
    /// When the account was created, epoch milliseconds.
    pub created_at: Option<i64>,
    /// Profile fields (`name`, `bio`, …) as text. Not `id` or `created_at`.
    pub attrs: &'a [(&'a str, &'a str)],
}

/// One row of the devices side file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceRow<'a> {
    /// The device id.
    pub id: &'a str,
    /// Device model.
    pub model: Option<&'a str>,
    /// Operating system and version.
    pub os: Option<&'a str>,
    /// Build fingerprint.
    pub build: Option<&'a str>,
    /// Screen size in pixels, written as `WxH`.
    pub screen: Option<(u16, u16)>,
    /// Attestation result; [`Attestation::Unknown`] is written as absent.
    pub attestation: Option<Attestation>,
}

/// The byte sink of the text formats.
enum TextOut {
    Plain(BufWriter<File>),
    Gz(GzEncoder<BufWriter<File>>),
}

impl TextOut {
    fn create(path: &Path, gzip: bool) -> Result<Self> {
        let f = File::create(path).map_err(|e| Error::io(path, e))?;
        let w = BufWriter::with_capacity(1 << 20, f);
        Ok(if gzip {
            TextOut::Gz(GzEncoder::new(w, flate2::Compression::fast()))
        } else {
            TextOut::Plain(w)
        })
    }

    fn write_all(&mut self, b: &[u8]) -> std::io::Result<()> {
        match self {
            TextOut::Plain(w) => w.write_all(b),
            TextOut::Gz(w) => w.write_all(b),
        }
    }

    fn finish(self) -> std::io::Result<()> {
        let w = match self {
            TextOut::Plain(w) => w,
            TextOut::Gz(w) => w.finish()?,
        };
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    }
}

/// Writes JSON Lines, batching small writes through a reused line buffer.
struct JsonlOut {
    path: PathBuf,
    out: TextOut,
    buf: Vec<u8>,
    scratch: String,
}

impl JsonlOut {
    fn create(path: &Path, gzip: bool) -> Result<Self> {
        Ok(JsonlOut {
            path: path.to_path_buf(),
            out: TextOut::create(path, gzip)?,
            buf: Vec::with_capacity(1 << 16),
            scratch: String::new(),
        })
    }

    /// Writes the buffer out once it holds a good batch of lines.
    fn maybe_flush(&mut self) -> Result<()> {
        if self.buf.len() >= 1 << 16 {
            self.out
                .write_all(&self.buf)
                .map_err(|e| Error::io(&self.path, e))?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> Result<()> {
        let path = self.path;
        self.out
            .write_all(&self.buf)
            .map_err(|e| Error::io(&path, e))?;
        self.out.finish().map_err(|e| Error::io(&path, e))
    }
}

/// Writes CSV through the `csv` crate (which quotes as needed).
struct CsvOut {
    path: PathBuf,
    w: csv::Writer<File>,
    scratch: String,
}

impl CsvOut {
    fn create(path: &Path) -> Result<Self> {
        let f = File::create(path).map_err(|e| Error::io(path, e))?;
        Ok(CsvOut {
            path: path.to_path_buf(),
            w: csv::WriterBuilder::new()
                .buffer_capacity(1 << 20)
                .from_writer(f),
            scratch: String::new(),
        })
    }

    fn field(&mut self, v: &[u8]) -> Result<()> {
        self.w.write_field(v).map_err(|e| csv_err(&self.path, e))
    }

    fn opt(&mut self, v: Option<&str>) -> Result<()> {
        self.field(v.unwrap_or("").as_bytes())
    }

    fn ts(&mut self, ms: Option<i64>) -> Result<()> {
        self.scratch.clear();
        if let Some(ms) = ms {
            self.scratch.push_str(&crate::time::format_ts(ms));
        }
        let s = std::mem::take(&mut self.scratch);
        let r = self.field(s.as_bytes());
        self.scratch = s;
        r
    }

    fn display(&mut self, v: Option<impl std::fmt::Display>) -> Result<()> {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        if let Some(v) = v {
            let _ = write!(s, "{v}");
        }
        let r = self.field(s.as_bytes());
        self.scratch = s;
        r
    }

    fn end_row(&mut self) -> Result<()> {
        self.w
            .write_record(None::<&[u8]>)
            .map_err(|e| csv_err(&self.path, e))
    }

    fn header(&mut self, names: &[&str]) -> Result<()> {
        self.w
            .write_record(names)
            .map_err(|e| csv_err(&self.path, e))
    }

    fn finish(self) -> Result<()> {
        let path = self.path;
        let f = self
            .w
            .into_inner()
            .map_err(|e| Error::io(&path, std::io::Error::other(e.to_string())))?;
        f.sync_all().map_err(|e| Error::io(&path, e))
    }
}

fn csv_err(path: &Path, e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => Error::io(path, e),
        other => Error::io(path, std::io::Error::other(format!("{other:?}"))),
    }
}

#[cfg(not(feature = "parquet"))]
fn no_parquet(path: &Path) -> Error {
    invalid_input_err!(
        "{}: this build of lockstep lacks Parquet support (built without the `parquet` feature)",
        path.display()
    )
}

/// The column names of the events file, in the order written.
pub const EVENT_COLUMNS: [&str; 10] = [
    "id", "ts", "actor", "action", "target", "owner", "text", "ip", "device", "client",
];

/// The column names of the devices file, in the order written.
pub const DEVICE_COLUMNS: [&str; 6] = ["id", "model", "os", "build", "screen", "attestation"];

enum EventOut {
    Jsonl(JsonlOut),
    Csv(CsvOut),
    #[cfg(feature = "parquet")]
    Parquet(parquet::EventPq),
}

/// Writes events in one [`Format`].
pub struct EventWriter {
    out: EventOut,
}

impl std::fmt::Debug for EventWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventWriter").finish_non_exhaustive()
    }
}

impl EventWriter {
    /// Creates (or truncates) `path` and writes events to it in `format`.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be created; [`Error::InvalidInput`] for Parquet in a
    /// build without the `parquet` feature.
    pub fn create(path: &Path, format: Format) -> Result<Self> {
        let out = match format {
            Format::Jsonl | Format::JsonlGz => {
                EventOut::Jsonl(JsonlOut::create(path, format == Format::JsonlGz)?)
            }
            Format::Csv => {
                let mut c = CsvOut::create(path)?;
                c.header(&EVENT_COLUMNS)?;
                EventOut::Csv(c)
            }
            #[cfg(feature = "parquet")]
            Format::Parquet => EventOut::Parquet(parquet::EventPq::create(path)?),
            #[cfg(not(feature = "parquet"))]
            Format::Parquet => return Err(no_parquet(path)),
        };
        Ok(EventWriter { out })
    }

    /// Writes one event.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Parquet`] when writing fails.
    pub fn write(&mut self, row: &EventRow<'_>) -> Result<()> {
        match &mut self.out {
            EventOut::Jsonl(j) => {
                let mut o = json::Obj::new(&mut j.buf);
                o.str("id", row.id);
                o.ts("ts", row.ts);
                o.str("actor", row.actor);
                o.str("action", row.action);
                o.str("target", row.target);
                o.opt_str("owner", row.owner);
                o.opt_str("text", row.text);
                if let Some(ip) = row.ip {
                    o.display("ip", ip, &mut j.scratch);
                }
                o.opt_str("device", row.device);
                o.opt_str("client", row.client);
                o.end();
                j.maybe_flush()
            }
            EventOut::Csv(c) => {
                c.field(row.id.as_bytes())?;
                c.ts(Some(row.ts))?;
                c.field(row.actor.as_bytes())?;
                c.field(row.action.as_bytes())?;
                c.field(row.target.as_bytes())?;
                c.opt(row.owner)?;
                c.opt(row.text)?;
                c.display(row.ip)?;
                c.opt(row.device)?;
                c.opt(row.client)?;
                c.end_row()
            }
            #[cfg(feature = "parquet")]
            EventOut::Parquet(p) => p.write(row),
        }
    }

    /// Flushes and closes the file.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Parquet`] when writing fails.
    pub fn finish(self) -> Result<()> {
        match self.out {
            EventOut::Jsonl(j) => j.finish(),
            EventOut::Csv(c) => c.finish(),
            #[cfg(feature = "parquet")]
            EventOut::Parquet(p) => p.finish(),
        }
    }
}

enum SideOut {
    Jsonl(JsonlOut),
    Csv(CsvOut),
    #[cfg(feature = "parquet")]
    Parquet(parquet::TablePq),
}

/// The attribute columns of an accounts file, fixed by `create_with_attrs` or the first row.
struct AttrCols {
    names: Option<Vec<String>>,
    values: Vec<Option<usize>>,
}

impl AttrCols {
    /// The position of each row attribute's column; errors on names outside the set.
    fn place(&mut self, path: &Path, attrs: &[(&str, &str)]) -> Result<()> {
        let names = self
            .names
            .get_or_insert_with(|| attrs.iter().map(|(k, _)| k.to_string()).collect());
        self.values.clear();
        self.values.resize(names.len(), None);
        for (i, (k, _)) in attrs.iter().enumerate() {
            let Some(col) = names.iter().position(|n| n == k) else {
                return Err(invalid_input_err!(
                    "{}: account attribute `{k}` is not one of the columns of this file ({}); \
                     give every name to AccountWriter::create_with_attrs",
                    path.display(),
                    names.join(", ")
                ));
            };
            self.values[col] = Some(i);
        }
        Ok(())
    }
}

fn check_attr_names<'a>(path: &Path, names: impl IntoIterator<Item = &'a str>) -> Result<()> {
    for k in names {
        if k == "id" || k == "created_at" || k.is_empty() {
            return Err(invalid_input_err!(
                "{}: `{k}` cannot be an account attribute name",
                path.display()
            ));
        }
    }
    Ok(())
}

/// Writes the accounts side file in one [`Format`].
pub struct AccountWriter {
    path: PathBuf,
    format: Format,
    out: Option<SideOut>,
    cols: AttrCols,
}

impl std::fmt::Debug for AccountWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountWriter")
            .field("path", &self.path)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl AccountWriter {
    /// Creates (or truncates) `path`. For CSV and Parquet the attribute columns are those of
    /// the first row written.
    ///
    /// # Errors
    /// As [`EventWriter::create`].
    pub fn create(path: &Path, format: Format) -> Result<Self> {
        Self::new(path, format, None)
    }

    /// Creates (or truncates) `path` with a fixed set of attribute columns (used by CSV and
    /// Parquet; JSON Lines writes each row's own attributes but still checks them against
    /// this set).
    ///
    /// # Errors
    /// As [`EventWriter::create`]; [`Error::InvalidInput`] for the names `id` or `created_at`.
    pub fn create_with_attrs(path: &Path, format: Format, attrs: &[&str]) -> Result<Self> {
        check_attr_names(path, attrs.iter().copied())?;
        Self::new(
            path,
            format,
            Some(attrs.iter().map(|s| s.to_string()).collect()),
        )
    }

    fn new(path: &Path, format: Format, names: Option<Vec<String>>) -> Result<Self> {
        let mut w = AccountWriter {
            path: path.to_path_buf(),
            format,
            out: None,
            cols: AttrCols {
                names,
                values: Vec::new(),
            },
        };
        if matches!(format, Format::Jsonl | Format::JsonlGz) {
            w.out = Some(SideOut::Jsonl(JsonlOut::create(
                path,
                format == Format::JsonlGz,
            )?));
        } else if w.cols.names.is_some() {
            w.open_table()?;
        } else {
            // Create the file now so that errors show early; the header waits for the first row.
            File::create(path).map_err(|e| Error::io(path, e))?;
        }
        Ok(w)
    }

    fn open_table(&mut self) -> Result<()> {
        let names = self.cols.names.clone().unwrap_or_default();
        let mut cols: Vec<&str> = vec!["id", "created_at"];
        cols.extend(names.iter().map(String::as_str));
        self.out = Some(match self.format {
            Format::Csv => {
                let mut c = CsvOut::create(&self.path)?;
                c.header(&cols)?;
                SideOut::Csv(c)
            }
            #[cfg(feature = "parquet")]
            Format::Parquet => {
                SideOut::Parquet(parquet::TablePq::create(&self.path, &cols, Some(1))?)
            }
            #[cfg(not(feature = "parquet"))]
            Format::Parquet => return Err(no_parquet(&self.path)),
            Format::Jsonl | Format::JsonlGz => {
                return Err(Error::Internal("JSON Lines needs no table".into()));
            }
        });
        Ok(())
    }

    /// Writes one account.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an attribute named `id` or `created_at`, or (CSV, Parquet)
    /// one outside the file's columns; [`Error::Io`] or [`Error::Parquet`] when writing fails.
    pub fn write(&mut self, row: &AccountRow<'_>) -> Result<()> {
        check_attr_names(&self.path, row.attrs.iter().map(|(k, _)| *k))?;
        let is_json = matches!(self.format, Format::Jsonl | Format::JsonlGz);
        if !is_json || self.cols.names.is_some() {
            self.cols.place(&self.path, row.attrs)?;
        }
        if self.out.is_none() {
            self.open_table()?;
        }
        let Some(out) = self.out.as_mut() else {
            return Err(Error::Internal("account writer without output".into()));
        };
        match out {
            SideOut::Jsonl(j) => {
                let mut o = json::Obj::new(&mut j.buf);
                o.str("id", row.id);
                if let Some(t) = row.created_at {
                    o.ts("created_at", t);
                }
                for (k, v) in row.attrs {
                    o.str(k, v);
                }
                o.end();
                j.maybe_flush()
            }
            SideOut::Csv(c) => {
                c.field(row.id.as_bytes())?;
                c.ts(row.created_at)?;
                for slot in &self.cols.values {
                    c.opt(slot.map(|i| row.attrs[i].1))?;
                }
                c.end_row()
            }
            #[cfg(feature = "parquet")]
            SideOut::Parquet(p) => {
                p.str(0, Some(row.id));
                p.ts(1, row.created_at);
                for (k, slot) in self.cols.values.iter().enumerate() {
                    p.str(2 + k, slot.map(|i| row.attrs[i].1));
                }
                p.end_row()
            }
        }
    }

    /// Flushes and closes the file (writing the header of an empty CSV or Parquet file).
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Parquet`] when writing fails.
    pub fn finish(mut self) -> Result<()> {
        if self.out.is_none() {
            self.cols.names.get_or_insert_with(Vec::new);
            self.open_table()?;
        }
        finish_side(self.out)
    }
}

fn finish_side(out: Option<SideOut>) -> Result<()> {
    match out {
        Some(SideOut::Jsonl(j)) => j.finish(),
        Some(SideOut::Csv(c)) => c.finish(),
        #[cfg(feature = "parquet")]
        Some(SideOut::Parquet(p)) => p.finish(),
        None => Ok(()),
    }
}

/// `WxH`.
struct Screen((u16, u16));

impl std::fmt::Display for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}", self.0.0, self.0.1)
    }
}

fn attestation_text(a: Option<Attestation>) -> Option<&'static str> {
    a.filter(|a| *a != Attestation::Unknown)
        .map(Attestation::as_str)
}

/// Writes the devices side file in one [`Format`].
pub struct DeviceWriter {
    out: SideOut,
}

impl std::fmt::Debug for DeviceWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceWriter").finish_non_exhaustive()
    }
}

impl DeviceWriter {
    /// Creates (or truncates) `path`; the columns are [`DEVICE_COLUMNS`].
    ///
    /// # Errors
    /// As [`EventWriter::create`].
    pub fn create(path: &Path, format: Format) -> Result<Self> {
        let out = match format {
            Format::Jsonl | Format::JsonlGz => {
                SideOut::Jsonl(JsonlOut::create(path, format == Format::JsonlGz)?)
            }
            Format::Csv => {
                let mut c = CsvOut::create(path)?;
                c.header(&DEVICE_COLUMNS)?;
                SideOut::Csv(c)
            }
            #[cfg(feature = "parquet")]
            Format::Parquet => {
                SideOut::Parquet(parquet::TablePq::create(path, &DEVICE_COLUMNS, None)?)
            }
            #[cfg(not(feature = "parquet"))]
            Format::Parquet => return Err(no_parquet(path)),
        };
        Ok(DeviceWriter { out })
    }

    /// Writes one device.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Parquet`] when writing fails.
    pub fn write(&mut self, row: &DeviceRow<'_>) -> Result<()> {
        let screen = row.screen.map(Screen);
        let att = attestation_text(row.attestation);
        match &mut self.out {
            SideOut::Jsonl(j) => {
                let mut o = json::Obj::new(&mut j.buf);
                o.str("id", row.id);
                o.opt_str("model", row.model);
                o.opt_str("os", row.os);
                o.opt_str("build", row.build);
                if let Some(s) = screen {
                    o.display("screen", s, &mut j.scratch);
                }
                o.opt_str("attestation", att);
                o.end();
                j.maybe_flush()
            }
            SideOut::Csv(c) => {
                c.field(row.id.as_bytes())?;
                c.opt(row.model)?;
                c.opt(row.os)?;
                c.opt(row.build)?;
                c.display(screen)?;
                c.opt(att)?;
                c.end_row()
            }
            #[cfg(feature = "parquet")]
            SideOut::Parquet(p) => {
                p.str(0, Some(row.id));
                p.str(1, row.model);
                p.str(2, row.os);
                p.str(3, row.build);
                let s = screen.map(|s| s.to_string());
                p.str(4, s.as_deref());
                p.str(5, att);
                p.end_row()
            }
        }
    }

    /// Flushes and closes the file.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Parquet`] when writing fails.
    pub fn finish(self) -> Result<()> {
        finish_side(Some(self.out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_parses_and_names_extension() {
        for f in Format::ALL {
            assert_eq!(f.extension().parse::<Format>().unwrap(), f);
        }
        let e = "xml".parse::<Format>().unwrap_err().to_string();
        assert!(e.contains("jsonl.gz"), "{e}");
    }
}
