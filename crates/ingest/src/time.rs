//! Timestamps: RFC 3339 parsing and formatting, epoch milliseconds, the accepted range.

/// The earliest accepted instant: 1970-01-01T00:00:00Z, in epoch milliseconds.
pub const MIN_TS: i64 = 0;
/// The latest accepted instant: 9999-12-31T23:59:59.999Z, in epoch milliseconds.
pub const MAX_TS: i64 = 253_402_300_799_999;

/// Why a timestamp was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TsError {
    /// Not RFC 3339 and not an integer.
    Unparseable,
    /// Parsed, but outside years 1970..=9999.
    OutOfRange,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number since 1970-01-01 (Howard Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

#[inline]
fn digits<const N: usize>(b: &[u8], at: usize) -> Option<u32> {
    let mut v = 0u32;
    for &c in b.get(at..at + N)? {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// The common shape `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)`, without allocation. `None` sends
/// the caller to the general parser.
fn parse_rfc3339_fast(s: &[u8]) -> Option<i64> {
    if s.len() < 20 || s[4] != b'-' || s[7] != b'-' || s[13] != b':' || s[16] != b':' {
        return None;
    }
    if !matches!(s[10], b'T' | b't' | b' ') {
        return None;
    }
    let y = i64::from(digits::<4>(s, 0)?);
    let mo = digits::<2>(s, 5)?;
    let d = digits::<2>(s, 8)?;
    let h = digits::<2>(s, 11)?;
    let mi = digits::<2>(s, 14)?;
    let sec = digits::<2>(s, 17)?;
    if !(1..=12).contains(&mo)
        || d == 0
        || d > days_in_month(y, mo)
        || h > 23
        || mi > 59
        || sec > 59
    {
        return None;
    }
    let mut i = 19;
    let mut ms = 0u32;
    if s[i] == b'.' {
        i += 1;
        let start = i;
        while i < s.len() && s[i].is_ascii_digit() {
            if i - start < 3 {
                ms = ms * 10 + u32::from(s[i] - b'0');
            }
            i += 1;
        }
        let n = i - start;
        if n == 0 {
            return None;
        }
        for _ in n..3 {
            ms *= 10;
        }
    }
    let offset_min: i64 = match s.get(i)? {
        b'Z' | b'z' if i + 1 == s.len() => 0,
        &sign @ (b'+' | b'-') if i + 6 == s.len() && s[i + 3] == b':' => {
            let oh = digits::<2>(s, i + 1)?;
            let om = digits::<2>(s, i + 4)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let o = i64::from(oh * 60 + om);
            if sign == b'-' { -o } else { o }
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo, d);
    let secs = days * 86_400 + i64::from(h * 3600 + mi * 60 + sec) - offset_min * 60;
    Some(secs * 1000 + i64::from(ms))
}

/// Parses an RFC 3339 timestamp with any offset into epoch milliseconds (fractions below a
/// millisecond are truncated).
pub(crate) fn parse_rfc3339(s: &str) -> Option<i64> {
    if let Some(ms) = parse_rfc3339_fast(s.as_bytes()) {
        return Some(ms);
    }
    // Leap seconds and other rare shapes.
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// Checks that `ms` is within years 1970..=9999.
#[inline]
pub(crate) fn check_range(ms: i64) -> Result<i64, TsError> {
    if (MIN_TS..=MAX_TS).contains(&ms) {
        Ok(ms)
    } else {
        Err(TsError::OutOfRange)
    }
}

/// Parses a timestamp given as text: RFC 3339, or an integer of epoch milliseconds.
pub(crate) fn parse_ts_text(s: &str) -> Result<i64, TsError> {
    let t = s.trim();
    let b = t.as_bytes();
    let int_like = !b.is_empty()
        && b.iter()
            .enumerate()
            .all(|(i, &c)| c.is_ascii_digit() || (i == 0 && c == b'-' && b.len() > 1));
    if int_like {
        return match t.parse::<i64>() {
            Ok(ms) => check_range(ms),
            Err(_) => Err(TsError::OutOfRange),
        };
    }
    match parse_rfc3339(t) {
        Some(ms) => check_range(ms),
        None => Err(TsError::Unparseable),
    }
}

/// Formats epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ` into `out`. Returns `false` (and
/// writes nothing) outside years 0..=9999.
pub(crate) fn format_rfc3339_ms(ms: i64, out: &mut Vec<u8>) -> bool {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, mo, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return false;
    }
    let rem = rem as u32;
    let (h, mi, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    let y = y as u32;
    let b = [
        b'0' + (y / 1000) as u8,
        b'0' + (y / 100 % 10) as u8,
        b'0' + (y / 10 % 10) as u8,
        b'0' + (y % 10) as u8,
        b'-',
        b'0' + (mo / 10) as u8,
        b'0' + (mo % 10) as u8,
        b'-',
        b'0' + (d / 10) as u8,
        b'0' + (d % 10) as u8,
        b'T',
        b'0' + (h / 10) as u8,
        b'0' + (h % 10) as u8,
        b':',
        b'0' + (mi / 10) as u8,
        b'0' + (mi % 10) as u8,
        b':',
        b'0' + (s / 10) as u8,
        b'0' + (s % 10) as u8,
        b'.',
        b'0' + (milli / 100) as u8,
        b'0' + (milli / 10 % 10) as u8,
        b'0' + (milli % 10) as u8,
        b'Z',
    ];
    out.extend_from_slice(&b);
    true
}

/// Formats epoch milliseconds as RFC 3339 (UTC, milliseconds), or as the integer when the
/// year is outside 0..=9999.
pub(crate) fn format_ts(ms: i64) -> String {
    let mut v = Vec::with_capacity(24);
    if format_rfc3339_ms(ms, &mut v) {
        String::from_utf8(v).unwrap_or_default()
    } else {
        ms.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_ms(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn fast_path_agrees_with_chrono() {
        for s in [
            "2026-03-01T12:00:00.123Z",
            "2026-03-01T12:00:00Z",
            "2026-03-01T12:00:00+05:30",
            "2026-03-01T12:00:00.5-08:00",
            "2024-02-29T23:59:59.999999999+00:00",
            "1970-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999Z",
            "2000-01-01 00:00:00z",
        ] {
            assert_eq!(parse_rfc3339_fast(s.as_bytes()), Some(chrono_ms(s)), "{s}");
        }
    }

    #[test]
    fn rejects_bad_dates() {
        for s in [
            "2023-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-03-01T24:00:00Z",
            "x",
            "",
        ] {
            assert_eq!(parse_rfc3339(s), None, "{s}");
        }
        // A leap second goes to the general parser.
        assert!(parse_rfc3339("2016-12-31T23:59:60Z").is_some());
    }

    #[test]
    fn text_timestamps() {
        assert_eq!(parse_ts_text("1700000000000"), Ok(1_700_000_000_000));
        assert_eq!(parse_ts_text("-5"), Err(TsError::OutOfRange));
        assert_eq!(
            parse_ts_text("99999999999999999999"),
            Err(TsError::OutOfRange)
        );
        assert_eq!(
            parse_ts_text("1969-12-31T23:59:59Z"),
            Err(TsError::OutOfRange)
        );
        assert_eq!(parse_ts_text("1970-01-01T01:00:00+01:00"), Ok(0));
        assert_eq!(parse_ts_text("soon"), Err(TsError::Unparseable));
        assert_eq!(parse_ts_text("-"), Err(TsError::Unparseable));
    }

    #[test]
    fn format_round_trips() {
        for ms in [0, 1, 999, 1_772_366_400_123, MAX_TS, 951_782_400_000] {
            let s = format_ts(ms);
            assert_eq!(parse_rfc3339(&s), Some(ms), "{s}");
        }
        assert_eq!(format_ts(1_772_366_400_123), "2026-03-01T12:00:00.123Z");
        assert_eq!(format_ts(MAX_TS + 1), (MAX_TS + 1).to_string());
    }

    proptest::proptest! {
        #[test]
        fn civil_round_trip(days in -800_000i64..3_000_000) {
            let (y, m, d) = civil_from_days(days);
            proptest::prop_assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
