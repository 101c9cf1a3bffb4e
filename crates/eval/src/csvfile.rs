//! A forgiving CSV reader: header lookup by name, BOM and CRLF tolerated, bad rows counted.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use crate::quality::{FileReport, FileStatus};

/// How a CSV file could be opened.
pub(crate) enum Outcome {
    /// The file was read (possibly with malformed rows, which the report counts).
    Read,
    /// The file does not exist.
    Missing,
    /// The file exists but is not usable; the reason is also in the report's note.
    Unusable(String),
    /// The file exists but opening it failed.
    Failed(io::Error),
}

/// What the row callback decided about one row.
pub(crate) enum RowResult {
    /// The row was used.
    Used,
    /// The row repeats an earlier key; `true` when it also disagrees with that row.
    Duplicate(bool),
    /// The row was skipped for this reason.
    Malformed(String),
}

/// One data row, with its fields looked up by the column order the caller asked for.
pub(crate) struct Row<'a> {
    rec: &'a csv::StringRecord,
    cols: &'a [Option<usize>],
}

impl Row<'_> {
    /// The trimmed field of the `i`-th requested column; empty when the column is absent.
    pub(crate) fn get(&self, i: usize) -> &str {
        self.cols[i]
            .and_then(|c| self.rec.get(c))
            .map_or("", str::trim)
    }

    /// Whether the `i`-th requested column is in the header.
    pub(crate) fn has(&self, i: usize) -> bool {
        self.cols[i].is_some()
    }
}

/// Reads `dir/name` row by row.
///
/// `columns` names the columns the callback wants, in the order [`Row::get`] indexes them;
/// the first `required` of them must be in the header, the rest may be absent. Rows whose field
/// count differs from the header's, or that are not UTF-8, are counted as malformed without
/// reaching the callback.
pub(crate) fn read(
    dir: &Path,
    report: &mut FileReport,
    columns: &[&str],
    required: usize,
    mut on_row: impl FnMut(Row<'_>) -> RowResult,
) -> Outcome {
    let path = dir.join(&report.file);
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            report.status = FileStatus::Missing;
            return Outcome::Missing;
        }
        Err(e) => {
            report.status = FileStatus::Unusable;
            report.note = Some(format!("cannot open: {e}"));
            return Outcome::Failed(e);
        }
    };
    let mut buf = BufReader::with_capacity(1 << 16, file);
    match buf.fill_buf() {
        Ok(head) => {
            if head.starts_with(b"\xEF\xBB\xBF") {
                buf.consume(3);
            }
        }
        Err(e) => {
            report.status = FileStatus::Unusable;
            report.note = Some(format!("cannot read: {e}"));
            return Outcome::Failed(e);
        }
    }
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(buf);
    let header: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|f| f.trim().to_ascii_lowercase()).collect(),
        Err(e) => return unusable(report, format!("bad header: {e}")),
    };
    if header.iter().all(String::is_empty) {
        return unusable(report, "empty file (no header row)".to_owned());
    }
    let cols: Vec<Option<usize>> = columns
        .iter()
        .map(|name| header.iter().position(|h| h == name))
        .collect();
    let missing: Vec<&str> = columns[..required]
        .iter()
        .zip(&cols)
        .filter(|(_, c)| c.is_none())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        return unusable(
            report,
            format!(
                "header lacks column(s) {} (header: {})",
                missing.join(", "),
                header.join(",")
            ),
        );
    }
    report.status = FileStatus::Read;
    let width = header.len();
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                report.rows += 1;
                let line = rec.position().map(csv::Position::line);
                if rec.len() != width {
                    report.malformed(
                        line,
                        None,
                        format!("expected {width} fields, found {}", rec.len()),
                    );
                    continue;
                }
                match on_row(Row {
                    rec: &rec,
                    cols: &cols,
                }) {
                    RowResult::Used => {}
                    RowResult::Duplicate(conflicting) => report.duplicate(conflicting),
                    RowResult::Malformed(reason) => report.malformed(line, None, reason),
                }
            }
            Err(e) => {
                let line = e.position().map(csv::Position::line);
                if let csv::ErrorKind::Io(io) = e.kind() {
                    report.note = Some(format!(
                        "reading stopped{}: {io}",
                        line.map(|l| format!(" at line {l}")).unwrap_or_default()
                    ));
                    break;
                }
                report.rows += 1;
                let reason = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".to_owned(),
                    _ => e.to_string(),
                };
                report.malformed(line, None, reason);
            }
        }
    }
    Outcome::Read
}

fn unusable(report: &mut FileReport, reason: String) -> Outcome {
    report.status = FileStatus::Unusable;
    report.note = Some(reason.clone());
    Outcome::Unusable(reason)
}
