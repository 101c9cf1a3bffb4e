//! Hand-written JSON Lines formatting: string escaping and one object per line.

/// Appends `s` as a JSON string literal (quotes included), escaping `"`, `\` and control
/// characters.
pub(crate) fn push_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let b = s.as_bytes();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => {
                out.extend_from_slice(&b[start..i]);
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(c >> 4)]);
                out.push(HEX[usize::from(c & 0xf)]);
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&b[start..i]);
        out.extend_from_slice(esc);
        start = i + 1;
    }
    out.extend_from_slice(&b[start..]);
    out.push(b'"');
}

/// Builds one JSON object in a reused buffer: `{"k":v,...}`.
pub(crate) struct Obj<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Obj<'a> {
    pub(crate) fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Obj { out, first: true }
    }

    fn key(&mut self, k: &str) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        push_str(self.out, k);
        self.out.push(b':');
    }

    pub(crate) fn str(&mut self, k: &str, v: &str) {
        self.key(k);
        push_str(self.out, v);
    }

    pub(crate) fn opt_str(&mut self, k: &str, v: Option<&str>) {
        if let Some(v) = v {
            self.str(k, v);
        }
    }

    /// A timestamp: RFC 3339 UTC with milliseconds, or the integer outside years 0..=9999.
    pub(crate) fn ts(&mut self, k: &str, ms: i64) {
        self.key(k);
        self.out.push(b'"');
        if crate::time::format_rfc3339_ms(ms, self.out) {
            self.out.push(b'"');
        } else {
            self.out.pop();
            self.out
                .extend_from_slice(itoa::Buffer::new().format(ms).as_bytes());
        }
    }

    /// Any displayable value, written as a JSON string.
    pub(crate) fn display(&mut self, k: &str, v: impl std::fmt::Display, scratch: &mut String) {
        use std::fmt::Write;
        scratch.clear();
        let _ = write!(scratch, "{v}");
        self.str(k, scratch);
    }

    pub(crate) fn end(self) {
        self.out.extend_from_slice(b"}\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip_through_serde_json() {
        for s in [
            "plain",
            "q\"uote",
            "back\\slash",
            "nl\nand\ttab",
            "\u{1}\u{1f}\u{7f}",
            "émoji 🎉",
            "",
        ] {
            let mut out = Vec::new();
            push_str(&mut out, s);
            let back: String = serde_json::from_slice(&out).unwrap();
            assert_eq!(back, s);
        }
    }
}
