//! Calendar arithmetic the simulator needs: dates to epoch milliseconds, and constants.

/// One second in milliseconds.
pub(crate) const SEC: i64 = 1000;
/// One minute in milliseconds.
pub(crate) const MIN: i64 = 60 * SEC;
/// One hour in milliseconds.
pub(crate) const HOUR: i64 = 60 * MIN;
/// One day in milliseconds.
pub(crate) const DAY: i64 = 24 * HOUR;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses `YYYY-MM-DD` to epoch milliseconds at midnight UTC.
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    let mut it = s.trim().splitn(3, '-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if !(1970..=2200).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d) * DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2025-03-03"), Some(1_740_960_000_000));
        assert_eq!(parse_date("2025-13-01"), None);
        assert_eq!(parse_date("soon"), None);
    }
}
