//! Rejected lines: reason codes, the record written to `rejected.jsonl`, sinks, and the budget.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::str::FromStr;

use serde::Serialize;

use crate::error::invalid_input_err;
use crate::{Error, Result};

/// Why a line was rejected. The codes ([`Reason::as_str`]) are stable: scripts match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// The line is not valid UTF-8.
    NotUtf8,
    /// The line is not valid JSON, or not a JSON object.
    BadJson,
    /// The line is longer than the limit ([`crate::IngestOptions::max_line_bytes`]).
    LineTooLong,
    /// A required field is absent, null or empty.
    MissingField,
    /// A field has the wrong JSON type (for example a number where a string belongs).
    WrongType,
    /// The timestamp is neither RFC 3339 nor integer epoch milliseconds.
    BadTimestamp,
    /// The timestamp is outside years 1970..=9999.
    TimestampOutOfRange,
    /// The `ip` field is not an IPv4 or IPv6 address.
    BadIp,
    /// The explicit id was seen before; the first line with it is kept.
    DuplicateId,
    /// A CSV row has fewer or more cells than the header.
    WrongFieldCount,
    /// A CSV row that the CSV parser could not read.
    BadCsv,
    /// A device's `screen` is not `WxH` with two numbers up to 65535.
    BadScreen,
    /// A device's `attestation` is not `pass`, `fail` or `none`.
    BadAttestation,
    /// A gzip file ends early: the lines before the damage are kept; the rest of the file is
    /// lost.
    TruncatedGzip,
    /// A gzip file is corrupt (bad data or checksum): the lines before it are kept.
    BadGzip,
    /// The event could not be stored (an id space or the verb table is full).
    CapacityExceeded,
}

impl Reason {
    /// Every reason, in code order.
    pub const ALL: [Reason; 16] = [
        Reason::NotUtf8,
        Reason::BadJson,
        Reason::LineTooLong,
        Reason::MissingField,
        Reason::WrongType,
        Reason::BadTimestamp,
        Reason::TimestampOutOfRange,
        Reason::BadIp,
        Reason::DuplicateId,
        Reason::WrongFieldCount,
        Reason::BadCsv,
        Reason::BadScreen,
        Reason::BadAttestation,
        Reason::TruncatedGzip,
        Reason::BadGzip,
        Reason::CapacityExceeded,
    ];

    /// The stable code, e.g. `bad_json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NotUtf8 => "not_utf8",
            Reason::BadJson => "bad_json",
            Reason::LineTooLong => "line_too_long",
            Reason::MissingField => "missing_field",
            Reason::WrongType => "wrong_type",
            Reason::BadTimestamp => "bad_timestamp",
            Reason::TimestampOutOfRange => "timestamp_out_of_range",
            Reason::BadIp => "bad_ip",
            Reason::DuplicateId => "duplicate_id",
            Reason::WrongFieldCount => "wrong_field_count",
            Reason::BadCsv => "bad_csv",
            Reason::BadScreen => "bad_screen",
            Reason::BadAttestation => "bad_attestation",
            Reason::TruncatedGzip => "truncated_gzip",
            Reason::BadGzip => "bad_gzip",
            Reason::CapacityExceeded => "capacity_exceeded",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The most bytes of a rejected line kept in [`Rejected::raw`].
pub const RAW_LIMIT: usize = 1024;

/// One rejected line, as written to `rejected.jsonl`:
/// `{"file":…,"line":N,"reason":"<code>","message":"<text>","raw":"<line cut to 1024 bytes>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// The file's display name (its base name, or the path as given when two inputs share a
    /// base name).
    pub file: String,
    /// The 1-based line (JSON Lines), the line where the record starts (CSV), or the 1-based
    /// row (Parquet).
    pub line: u64,
    /// The reason code.
    pub reason: Reason,
    /// What was wrong, for people.
    pub message: String,
    /// The line, cut to [`RAW_LIMIT`] bytes (at a character boundary), lossy UTF-8.
    pub raw: String,
}

/// Cuts `bytes` to at most [`RAW_LIMIT`] bytes and decodes it lossily.
pub(crate) fn raw_text(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(RAW_LIMIT)];
    let s = String::from_utf8_lossy(cut);
    if bytes.len() > RAW_LIMIT {
        // Drop a trailing replacement character made by the cut itself.
        match std::str::from_utf8(cut) {
            Err(e) if e.error_len().is_none() => {
                String::from_utf8_lossy(&cut[..e.valid_up_to()]).into_owned()
            }
            _ => s.into_owned(),
        }
    } else {
        s.into_owned()
    }
}

/// Where rejected lines go.
pub trait RejectSink {
    /// Records one rejected line.
    ///
    /// # Errors
    /// When the line cannot be written; the load stops with [`Error::RejectSink`].
    fn reject(&mut self, r: &Rejected) -> io::Result<()>;

    /// Flushes buffered lines; called once at the end of a load, and before it stops on an
    /// error.
    ///
    /// # Errors
    /// When flushing fails.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes rejected lines as JSON Lines (the `rejected.jsonl` of CONTRACT §1).
#[derive(Debug)]
pub struct JsonlRejectSink<W: Write> {
    w: W,
}

impl<W: Write> JsonlRejectSink<W> {
    /// A sink writing to `w` (wrap a file in a `BufWriter`).
    pub fn new(w: W) -> Self {
        JsonlRejectSink { w }
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.w
    }
}

impl<W: Write> RejectSink for JsonlRejectSink<W> {
    fn reject(&mut self, r: &Rejected) -> io::Result<()> {
        serde_json::to_writer(&mut self.w, r)?;
        self.w.write_all(b"\n")
    }

    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

/// Keeps rejected lines in memory (for tests and small inputs).
#[derive(Debug, Clone, Default)]
pub struct VecRejectSink(pub Vec<Rejected>);

impl VecRejectSink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many lines were rejected for `reason`.
    pub fn count(&self, reason: Reason) -> usize {
        self.0.iter().filter(|r| r.reason == reason).count()
    }
}

impl RejectSink for VecRejectSink {
    fn reject(&mut self, r: &Rejected) -> io::Result<()> {
        self.0.push(r.clone());
        Ok(())
    }
}

/// Discards rejected lines (they are still counted in the stats).
#[derive(Debug, Clone, Copy, Default)]
pub struct NullRejectSink;

impl RejectSink for NullRejectSink {
    fn reject(&mut self, _: &Rejected) -> io::Result<()> {
        Ok(())
    }
}

/// How many rejected lines a run tolerates (`--max-rejected`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RejectBudget {
    /// At most this many rejected lines; checked as lines are read.
    Count(u64),
    /// At most this fraction (0..=1) of the lines read; checked at the end, and early once
    /// 10 000 lines are read and twice the fraction is already exceeded.
    Fraction(f64),
    /// No limit.
    Unlimited,
}

impl Default for RejectBudget {
    /// One percent.
    fn default() -> Self {
        RejectBudget::Fraction(0.01)
    }
}

impl std::fmt::Display for RejectBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RejectBudget::Count(n) => write!(f, "{n}"),
            RejectBudget::Fraction(x) => write!(f, "{}%", x * 100.0),
            RejectBudget::Unlimited => f.write_str("unlimited"),
        }
    }
}

impl FromStr for RejectBudget {
    type Err = Error;

    /// Accepts a count (`100`), a percentage (`0.5%`), a fraction below 1 written with a
    /// decimal point (`0.01`), or `unlimited`.
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        let bad = || {
            invalid_input_err!(
                "bad reject budget `{s}`: expected a count (100), a percentage (0.5%), a \
                 fraction below 1 (0.01) or `unlimited`"
            )
        };
        if t.eq_ignore_ascii_case("unlimited") {
            return Ok(RejectBudget::Unlimited);
        }
        if let Some(p) = t.strip_suffix('%') {
            let x: f64 = p.trim().parse().map_err(|_| bad())?;
            if !(0.0..=100.0).contains(&x) {
                return Err(bad());
            }
            return Ok(RejectBudget::Fraction(x / 100.0));
        }
        if t.contains('.') {
            let x: f64 = t.parse().map_err(|_| bad())?;
            if !(0.0..1.0).contains(&x) {
                return Err(bad());
            }
            return Ok(RejectBudget::Fraction(x));
        }
        t.parse::<u64>().map(RejectBudget::Count).map_err(|_| bad())
    }
}

impl RejectBudget {
    /// Whether `rejected` out of `lines` is over budget now, mid-run.
    pub(crate) fn exceeded_early(&self, rejected: u64, lines: u64) -> bool {
        match *self {
            RejectBudget::Count(n) => rejected > n,
            RejectBudget::Fraction(x) => {
                lines >= 10_000 && (rejected as f64) > 2.0 * x * lines as f64
            }
            RejectBudget::Unlimited => false,
        }
    }

    /// Whether `rejected` out of `lines` is over budget at the end of the run.
    pub(crate) fn exceeded_final(&self, rejected: u64, lines: u64) -> bool {
        match *self {
            RejectBudget::Count(n) => rejected > n,
            RejectBudget::Fraction(x) => rejected > 0 && (rejected as f64) > x * lines as f64,
            RejectBudget::Unlimited => false,
        }
    }
}

/// The message of a run stopped by its budget, ending with `hint` (where the lines are).
pub(crate) fn budget_message(
    budget: &RejectBudget,
    rejected: u64,
    lines: u64,
    by_reason: &BTreeMap<String, u64>,
    early: bool,
    hint: Option<&str>,
) -> String {
    let mut top: Vec<(&String, &u64)> = by_reason.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let top: Vec<String> = top
        .iter()
        .take(5)
        .map(|(r, n)| format!("{r}: {n}"))
        .collect();
    format!(
        "too many rejected lines: {rejected} of {lines} lines read{} were rejected, over the \
         --max-rejected budget of {budget}; top reasons: {}{}",
        if early { " so far" } else { "" },
        top.join(", "),
        hint.map_or(String::new(), |h| format!("; {h}"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_parses() {
        assert_eq!(
            "100".parse::<RejectBudget>().unwrap(),
            RejectBudget::Count(100)
        );
        assert_eq!(
            "0.5%".parse::<RejectBudget>().unwrap(),
            RejectBudget::Fraction(0.005)
        );
        assert_eq!(
            "0.01".parse::<RejectBudget>().unwrap(),
            RejectBudget::Fraction(0.01)
        );
        assert_eq!(
            "Unlimited".parse::<RejectBudget>().unwrap(),
            RejectBudget::Unlimited
        );
        for bad in ["", "1.5", "-3", "x", "200%", "1e3"] {
            assert!(bad.parse::<RejectBudget>().is_err(), "{bad}");
        }
    }

    #[test]
    fn raw_is_cut_at_a_char_boundary() {
        let s = "é".repeat(600); // 1200 bytes
        let r = raw_text(s.as_bytes());
        assert!(r.len() <= RAW_LIMIT);
        assert!(!r.contains('\u{fffd}'));
        assert_eq!(raw_text(b"a\xffb"), "a\u{fffd}b");
    }

    #[test]
    fn codes_are_distinct() {
        let codes: std::collections::HashSet<_> = Reason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(codes.len(), Reason::ALL.len());
    }
}
