//! Field checks shared by every format: required strings, timestamps, IP addresses.

use std::net::IpAddr;

use crate::reject::Reason;
use crate::time::{self, TsError};

/// A field that made its line rejected: the reason and a message for people.
pub(crate) type Bad = (Reason, String);

/// Cuts a value for quoting in a message.
pub(crate) fn quote(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    format!("{out:?}")
}

/// A required string: absent, null and empty are all `missing_field`.
#[inline]
pub(crate) fn required<'a>(name: &str, v: Option<&'a str>) -> Result<&'a str, Bad> {
    match v {
        Some(s) if !s.is_empty() => Ok(s),
        Some(_) => Err((
            Reason::MissingField,
            format!("required field `{name}` is empty"),
        )),
        None => Err((
            Reason::MissingField,
            format!("required field `{name}` is missing"),
        )),
    }
}

/// An optional string: empty counts as absent.
#[inline]
pub(crate) fn optional(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.is_empty())
}

fn ts_bad(e: TsError, shown: &str) -> Bad {
    match e {
        TsError::Unparseable => (
            Reason::BadTimestamp,
            format!("`ts` {shown} is neither RFC 3339 nor integer epoch milliseconds"),
        ),
        TsError::OutOfRange => (
            Reason::TimestampOutOfRange,
            format!("`ts` {shown} is outside years 1970..=9999"),
        ),
    }
}

/// A timestamp given as text (RFC 3339 or integer epoch milliseconds).
#[inline]
pub(crate) fn ts_text(name: &str, s: &str) -> Result<i64, Bad> {
    time::parse_ts_text(s).map_err(|e| {
        let (r, m) = ts_bad(e, &quote(s));
        (r, m.replacen("`ts`", &format!("`{name}`"), 1))
    })
}

/// A timestamp given as epoch milliseconds.
#[inline]
pub(crate) fn ts_ms(name: &str, ms: i64) -> Result<i64, Bad> {
    time::check_range(ms).map_err(|e| {
        let (r, m) = ts_bad(e, &ms.to_string());
        (r, m.replacen("`ts`", &format!("`{name}`"), 1))
    })
}

/// The `ts` field is required.
pub(crate) fn ts_missing(name: &str) -> Bad {
    (
        Reason::MissingField,
        format!("required field `{name}` is missing"),
    )
}

/// An optional IP address: empty counts as absent.
#[inline]
pub(crate) fn ip(v: Option<&str>) -> Result<Option<IpAddr>, Bad> {
    match v {
        Some(s) if !s.is_empty() => s.parse::<IpAddr>().map(Some).map_err(|_| {
            (
                Reason::BadIp,
                format!("`ip` {} is not an IPv4 or IPv6 address", quote(s)),
            )
        }),
        _ => Ok(None),
    }
}

/// `WxH` → (W, H).
pub(crate) fn screen(s: &str) -> Result<(u16, u16), Bad> {
    let parsed = s
        .split_once(['x', 'X', '×'])
        .and_then(|(w, h)| Some((w.trim().parse().ok()?, h.trim().parse().ok()?)));
    parsed.ok_or_else(|| {
        (
            Reason::BadScreen,
            format!("`screen` {} is not WxH (two numbers up to 65535)", quote(s)),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks() {
        assert_eq!(required("actor", Some("a")), Ok("a"));
        assert_eq!(
            required("actor", Some("")).unwrap_err().0,
            Reason::MissingField
        );
        assert_eq!(
            ip(Some("::ffff:1.2.3.4")).unwrap().unwrap().to_string(),
            "::ffff:1.2.3.4"
        );
        assert_eq!(ip(Some("1.2.3")).unwrap_err().0, Reason::BadIp);
        assert_eq!(ip(Some("")), Ok(None));
        assert_eq!(screen("1080x2400"), Ok((1080, 2400)));
        assert_eq!(screen("1080x99999").unwrap_err().0, Reason::BadScreen);
        assert!(
            ts_text("created_at", "x")
                .unwrap_err()
                .1
                .contains("`created_at`")
        );
    }
}
