//! Small formatting helpers: escaping, counts with separators, UTC timestamps, truncation.

use std::fmt::Write;

/// Appends `s` to `out` with the five XML special characters escaped, so it is safe as text or
/// as a quoted attribute value in HTML and SVG.
pub fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// `s` with the XML special characters escaped (see [`escape_into`]).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// `n` with thousands separators: `12,345`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// At most `max` characters of `s`, with `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_owned(),
        Some(_) => {
            let cut = s
                .char_indices()
                .nth(max.saturating_sub(1))
                .map_or(s.len(), |(i, _)| i);
            format!("{}…", &s[..cut])
        }
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's
/// `civil_from_days`).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The parts of a millisecond timestamp, UTC: (year, month, day, hour, minute, second).
fn parts(ms: i64) -> (i64, u32, u32, u32, u32, u32) {
    let secs = ms.div_euclid(1000);
    let (y, mo, d) = civil(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400) as u32;
    (y, mo, d, sod / 3600, sod / 60 % 60, sod % 60)
}

/// A millisecond timestamp as `YYYY-MM-DD HH:MM:SS` UTC.
pub fn datetime(ms: i64) -> String {
    let (y, mo, d, h, mi, s) = parts(ms);
    let mut out = String::with_capacity(19);
    let _ = write!(out, "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}");
    out
}

/// A tick label for a time axis whose ticks are `step_ms` apart.
pub fn tick_label(ms: i64, step_ms: i64) -> String {
    let (y, mo, d, h, mi, s) = parts(ms);
    if step_ms >= 86_400_000 {
        format!("{y:04}-{mo:02}-{d:02}")
    } else if step_ms >= 60_000 {
        format!("{mo:02}-{d:02} {h:02}:{mi:02}")
    } else {
        format!("{h:02}:{mi:02}:{s:02}")
    }
}

/// A millisecond timestamp as `MM-DD` (UTC): a day on a short axis.
pub fn month_day(ms: i64) -> String {
    let (_, mo, d, ..) = parts(ms);
    format!("{mo:02}-{d:02}")
}

/// A duration in milliseconds, roughly: `45 s`, `12 min`, `3.5 h`, `6.2 days`.
pub fn duration(ms: i64) -> String {
    let s = ms as f64 / 1000.0;
    if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 172_800.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.1} days", s / 86_400.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<script>alert("x&'y")</script>"#),
            "&lt;script&gt;alert(&quot;x&amp;&#39;y&quot;)&lt;/script&gt;"
        );
        assert_eq!(escape("a\u{0}b"), "a\u{FFFD}b");
    }

    #[test]
    fn counts_and_truncation() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdefg", 6), "abcde…");
        assert_eq!(truncate("ééééééé", 3), "éé…");
    }

    #[test]
    fn datetimes_are_utc() {
        assert_eq!(datetime(0), "1970-01-01 00:00:00");
        assert_eq!(datetime(1_700_000_000_000), "2023-11-14 22:13:20");
        assert_eq!(datetime(-1000), "1969-12-31 23:59:59");
        assert_eq!(datetime(951_782_400_000), "2000-02-29 00:00:00");
        assert_eq!(tick_label(1_700_000_000_000, 86_400_000), "2023-11-14");
        assert_eq!(tick_label(1_700_000_000_000, 3_600_000), "11-14 22:13");
        assert_eq!(month_day(1_700_000_000_000), "11-14");
        assert_eq!(duration(30_000), "30 s");
        assert_eq!(duration(3 * 86_400_000), "3.0 days");
    }
}
