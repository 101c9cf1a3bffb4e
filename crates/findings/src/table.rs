//! The CSV files: one writer and one tolerant reader for every row type.

use std::fmt;
use std::io::{self, Read};
use std::path::Path;

/// Something a reader could not read, or read only in part: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file name, e.g. `verdicts.csv`.
    pub file: String,
    /// The 1-based line of a CSV file (the header is line 1).
    pub line: Option<u64>,
    /// The JSON path of an `operations.json` entry, e.g. `operations[3].members`.
    pub path: Option<String>,
    /// The 0-based index of that entry in the operations array.
    pub entry: Option<u64>,
    /// Why.
    pub reason: String,
    /// Whether the row or entry was left out (`false`: it was read, this part of it was not).
    pub skipped: bool,
}

impl Problem {
    /// A problem with line `line` of `file`.
    pub fn at_line(file: &str, line: u64, reason: impl Into<String>, skipped: bool) -> Self {
        Self {
            file: file.to_owned(),
            line: Some(line),
            path: None,
            entry: None,
            reason: reason.into(),
            skipped,
        }
    }

    /// A problem with the JSON value at `path`, inside entry `entry`, of `file`.
    pub fn at_path(
        file: &str,
        entry: usize,
        path: String,
        reason: impl Into<String>,
        skipped: bool,
    ) -> Self {
        Self {
            file: file.to_owned(),
            line: None,
            path: Some(path),
            entry: Some(entry as u64),
            reason: reason.into(),
            skipped,
        }
    }

    /// A problem with `file` as a whole.
    pub fn file(file: &str, reason: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line: None,
            path: None,
            entry: None,
            reason: reason.into(),
            skipped: true,
        }
    }
}

impl fmt::Display for Problem {
    /// `file:line: reason`, `file: path: reason` or `file: reason`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, &self.path) {
            (Some(l), _) => write!(f, "{}:{l}: {}", self.file, self.reason),
            (None, Some(p)) => write!(f, "{}: {p}: {}", self.file, self.reason),
            (None, None) => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

/// The fields of one CSV record, by the columns a row type asks for.
#[derive(Debug)]
pub struct Fields<'a> {
    values: &'a [Option<&'a str>],
}

impl<'a> Fields<'a> {
    /// The trimmed field of the `i`-th column of [`CsvRow::COLUMNS`] followed by
    /// [`CsvRow::EXTRA`]; `None` when the file has no such column.
    pub fn opt(&self, i: usize) -> Option<&'a str> {
        self.values.get(i).copied().flatten()
    }

    /// The same, empty when the file has no such column.
    pub fn get(&self, i: usize) -> &'a str {
        self.opt(i).unwrap_or("")
    }
}

/// A row of one of the findings CSV files.
pub trait CsvRow: Sized {
    /// The file name, e.g. `verdicts.csv`.
    const FILE: &'static str;
    /// The columns, in the order the writer writes them (the header).
    const COLUMNS: &'static [&'static str];
    /// How many of the first [`CsvRow::COLUMNS`] a file must have to be read at all.
    const REQUIRED: usize;
    /// Columns other producers may add that the reader takes too (never written).
    const EXTRA: &'static [&'static str] = &[];

    /// Writes the row as one record.
    ///
    /// # Errors
    /// What the CSV writer returns.
    fn write_record<W: io::Write>(
        &self,
        w: &mut csv::Writer<W>,
        buf: &mut String,
    ) -> csv::Result<()>;

    /// Reads a row from its fields. `Err` leaves the row out, with that reason; a reason
    /// pushed on `partial` keeps the row and notes what of it could not be read.
    ///
    /// # Errors
    /// Why the row cannot be read.
    fn from_fields(f: &Fields<'_>, partial: &mut Vec<String>) -> Result<Self, String>;
}

/// Writes findings rows of any [`CsvRow`] type, as the CSV writer does with its defaults
/// (fields quoted only where needed, `\n` after each record).
#[derive(Debug)]
pub struct Writer<W: io::Write> {
    w: csv::Writer<W>,
    buf: String,
}

fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl<W: io::Write> Writer<W> {
    /// A writer that starts with the header of `R`.
    ///
    /// # Errors
    /// What writing the header to `w` returns.
    pub fn new<R: CsvRow>(w: W) -> io::Result<Self> {
        let mut this = Self::without_header(w);
        this.w.write_record(R::COLUMNS).map_err(csv_io)?;
        Ok(this)
    }

    /// A writer of rows only (for a part of a file formatted on its own).
    pub fn without_header(w: W) -> Self {
        Self {
            w: csv::WriterBuilder::new().has_headers(false).from_writer(w),
            buf: String::new(),
        }
    }

    /// Writes one row.
    ///
    /// # Errors
    /// What writing to the underlying writer returns.
    pub fn write<R: CsvRow>(&mut self, row: &R) -> io::Result<()> {
        row.write_record(&mut self.w, &mut self.buf).map_err(csv_io)
    }

    /// Flushes and returns the underlying writer.
    ///
    /// # Errors
    /// What flushing returns.
    pub fn finish(self) -> io::Result<W> {
        self.w.into_inner().map_err(|e| {
            let kind = e.error().kind();
            io::Error::new(kind, e.error().to_string())
        })
    }
}

/// Writes `rows` with a header to `w` (one file's worth).
///
/// # Errors
/// What writing returns.
pub fn write_all<'r, R: CsvRow + 'r, W: io::Write>(
    w: W,
    rows: impl IntoIterator<Item = &'r R>,
) -> io::Result<W> {
    let mut out = Writer::new::<R>(w)?;
    for r in rows {
        out.write(r)?;
    }
    out.finish()
}

/// What a tolerant read of one CSV file found.
#[derive(Debug, Clone, PartialEq)]
pub struct Table<R> {
    /// The rows read, each with its 1-based line number (the header is line 1).
    pub rows: Vec<(u64, R)>,
    /// Rows left out or read in part, in file order.
    pub problems: Vec<Problem>,
    /// Set when the file could not be read at all (no header, required columns missing, or
    /// reading failed before the first row); then `rows` is empty.
    pub unusable: Option<Problem>,
    /// The header as read (trimmed, lowercased).
    pub columns: Vec<String>,
    /// Data records met, read or not.
    pub records: u64,
}

impl<R> Default for Table<R> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            problems: Vec::new(),
            unusable: None,
            columns: Vec::new(),
            records: 0,
        }
    }
}

impl<R> Table<R> {
    /// The rows without their line numbers.
    pub fn into_rows(self) -> impl Iterator<Item = R> {
        self.rows.into_iter().map(|(_, r)| r)
    }

    /// Whether the header has `column` (case-insensitive).
    pub fn has_column(&self, column: &str) -> bool {
        self.columns.iter().any(|c| c.eq_ignore_ascii_case(column))
    }
}

/// Reads the CSV content of `R::FILE` from `r`.
///
/// Tolerant: a UTF-8 byte-order mark is skipped, columns are found by header name
/// (case-insensitive, trimmed) in any order, fields are trimmed, columns the reader does not
/// know are ignored. A record whose field count differs from the header's, that is not UTF-8
/// or that [`CsvRow::from_fields`] refuses is left out with a [`Problem`] naming its line;
/// the rows around it are still read.
pub fn read<R: CsvRow>(r: impl Read) -> Table<R> {
    read_named(R::FILE, r)
}

/// As [`read`], naming the file `file` in problems.
pub fn read_named<R: CsvRow>(file: &str, r: impl Read) -> Table<R> {
    let mut rows = Vec::new();
    let t = read_each::<R>(file, r, |line, row| rows.push((line, row)));
    Table {
        rows,
        problems: t.problems,
        unusable: t.unusable,
        columns: t.columns,
        records: t.records,
    }
}

/// As [`read_named`], handing each row with its line to `each` instead of collecting them
/// (the returned table has no rows).
pub fn read_each<R: CsvRow>(file: &str, r: impl Read, mut each: impl FnMut(u64, R)) -> Table<()> {
    let mut t = Table::default();
    let mut r = io::BufReader::with_capacity(1 << 16, r);
    match io::BufRead::fill_buf(&mut r) {
        Ok(head) => {
            if head.starts_with(b"\xEF\xBB\xBF") {
                io::BufRead::consume(&mut r, 3);
            }
        }
        Err(e) => {
            t.unusable = Some(Problem::file(file, format!("cannot read: {e}")));
            return t;
        }
    }
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(r);
    let header = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            t.unusable = Some(Problem::file(file, format!("bad header: {e}")));
            return t;
        }
    };
    t.columns = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_ascii_lowercase())
        .collect();
    if t.columns.iter().all(String::is_empty) {
        t.unusable = Some(Problem::file(file, "empty file (no header row)"));
        return t;
    }
    let wanted: Vec<&str> = R::COLUMNS.iter().chain(R::EXTRA).copied().collect();
    let cols: Vec<Option<usize>> = wanted
        .iter()
        .map(|w| t.columns.iter().position(|c| c.eq_ignore_ascii_case(w)))
        .collect();
    let missing: Vec<&str> = wanted[..R::REQUIRED]
        .iter()
        .zip(&cols)
        .filter(|(_, c)| c.is_none())
        .map(|(w, _)| *w)
        .collect();
    if !missing.is_empty() {
        t.unusable = Some(Problem::at_line(
            file,
            1,
            format!(
                "header lacks column(s) {} (header: {})",
                missing.join(", "),
                t.columns.join(",")
            ),
            true,
        ));
        return t;
    }
    let width = t.columns.len();
    let mut rec = csv::ByteRecord::new();
    let mut partial = Vec::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                if let csv::ErrorKind::Io(io) = e.kind() {
                    t.problems.push(Problem::at_line(
                        file,
                        line,
                        format!("reading stopped: {io}"),
                        true,
                    ));
                    break;
                }
                t.records += 1;
                t.problems
                    .push(Problem::at_line(file, line, e.to_string(), true));
                continue;
            }
        }
        t.records += 1;
        let line = rec.position().map_or(0, csv::Position::line);
        if rec.len() != width {
            t.problems.push(Problem::at_line(
                file,
                line,
                format!("expected {width} fields, found {}", rec.len()),
                true,
            ));
            continue;
        }
        let mut utf8 = true;
        let values: Vec<Option<&str>> = (cols.iter().map(|c| {
            let b = c.and_then(|c| rec.get(c))?;
            let s = std::str::from_utf8(b);
            utf8 &= s.is_ok();
            s.ok().map(str::trim)
        }))
        .collect();
        if !utf8 {
            t.problems
                .push(Problem::at_line(file, line, "not valid UTF-8", true));
            continue;
        }
        partial.clear();
        match R::from_fields(&Fields { values: &values }, &mut partial) {
            Ok(row) => {
                for p in partial.drain(..) {
                    t.problems.push(Problem::at_line(file, line, p, false));
                }
                each(line, row);
            }
            Err(reason) => t.problems.push(Problem::at_line(file, line, reason, true)),
        }
    }
    t
}

/// Reads `dir/R::FILE`; `Ok(None)` when the file does not exist.
///
/// # Errors
/// When the file exists but cannot be opened.
pub fn read_file<R: CsvRow>(dir: &Path) -> io::Result<Option<Table<R>>> {
    match std::fs::File::open(dir.join(R::FILE)) {
        Ok(f) => Ok(Some(read(f))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}
