//! Reading a text file as large blocks of whole lines, on a thread of its own.
//!
//! The reader fills a buffer of about `block_bytes`, cuts it after its last newline and sends
//! the whole lines on as one [`Block`]; the partial line moves to the next buffer. A line that
//! grows past the line limit without a newline is reported as [`Msg::Lost`] and skipped up to
//! its newline with a small buffer, so no line is ever held whole when it is too long. Lines
//! that are not UTF-8 are reported in the block and blanked, so that the rest of the block can
//! be handled as one `&str`.

use std::io::Read;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender};

use crate::input::{ReadFailure, classify};
use crate::reject::raw_text;
use crate::{Error, Reason};

/// A run of whole lines (the last one may lack its newline at the end of the file).
pub(crate) struct Block {
    /// The lines, UTF-8; lines that were not are blanked with spaces.
    pub(crate) text: String,
    /// Lines that were not UTF-8: (0-based line index in the block, lossy raw text).
    pub(crate) not_utf8: Vec<(u64, String)>,
}

/// What the reader thread sends.
pub(crate) enum Msg {
    /// Whole lines.
    Block(Block),
    /// One line that is not in any block: too long, or the damaged tail of a gzip stream.
    Lost {
        reason: Reason,
        message: String,
        raw: String,
    },
    /// The file cannot be read; nothing follows.
    Fail(Error),
}

fn make_block(bytes: Vec<u8>) -> Block {
    match String::from_utf8(bytes) {
        Ok(text) => Block {
            text,
            not_utf8: Vec::new(),
        },
        Err(e) => {
            let mut v = e.into_bytes();
            let mut not_utf8 = Vec::new();
            let mut start = 0;
            let mut idx = 0u64;
            while start < v.len() {
                let end = memchr::memchr(b'\n', &v[start..]).map_or(v.len(), |p| start + p);
                let line = &mut v[start..end];
                if std::str::from_utf8(line).is_err() {
                    not_utf8.push((idx, raw_text(line)));
                    line.fill(b' ');
                }
                idx += 1;
                start = end + 1;
            }
            let text = String::from_utf8(v)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            Block { text, not_utf8 }
        }
    }
}

/// Reads `r` to the end, sending blocks. Returns when done, on a read error, or when the
/// receiver hangs up.
pub(crate) fn read_blocks(
    mut r: impl Read,
    path: &Path,
    gzip: bool,
    block_bytes: usize,
    max_line: usize,
    tx: SyncSender<Msg>,
    recycle: Option<Receiver<String>>,
) {
    let block = block_bytes.max(1 << 10);
    let send = |m: Msg| tx.send(m).is_ok();
    let fail = |e: std::io::Error, rest: &[u8]| -> Msg {
        match classify(path, gzip, e) {
            ReadFailure::Gzip(reason, message) => Msg::Lost {
                reason,
                message,
                raw: raw_text(rest),
            },
            ReadFailure::Fatal(e) => Msg::Fail(e),
        }
    };
    let mut buf: Vec<u8> = Vec::with_capacity(block + (1 << 16));
    let mut target = block;
    loop {
        let want = target.saturating_sub(buf.len()) as u64;
        let res = (&mut r).take(want).read_to_end(&mut buf);
        let eof = matches!(res, Ok(n) if (n as u64) < want);
        if let Err(e) = res {
            // Whole lines before the damage are kept; the partial line is the lost one.
            let cut = memchr::memrchr(b'\n', &buf).map_or(0, |p| p + 1);
            let rest = buf.split_off(cut);
            if !buf.is_empty() && !send(Msg::Block(make_block(buf))) {
                return;
            }
            send(fail(e, &rest));
            return;
        }
        if eof {
            if !buf.is_empty() {
                send(Msg::Block(make_block(buf)));
            }
            return;
        }
        match memchr::memrchr(b'\n', &buf) {
            Some(p) => {
                // A block the consumer is done with, if any: its pages are already mapped.
                let mut next = match recycle.as_ref().and_then(|r| r.try_recv().ok()) {
                    Some(old) => {
                        let mut v = old.into_bytes();
                        v.clear();
                        v.reserve(block + (1 << 16));
                        v
                    }
                    None => Vec::with_capacity(block + (1 << 16)),
                };
                next.extend_from_slice(&buf[p + 1..]);
                buf.truncate(p + 1);
                if !send(Msg::Block(make_block(std::mem::replace(&mut buf, next)))) {
                    return;
                }
                target = block;
            }
            None if buf.len() > max_line => {
                // One line, too long: report it from its start and skip to its newline.
                let raw = raw_text(&buf);
                buf.clear();
                buf.shrink_to(block + (1 << 16));
                let mut chunk = vec![0u8; 1 << 16];
                let lost = |raw| Msg::Lost {
                    reason: Reason::LineTooLong,
                    message: format!("line longer than the limit of {max_line} bytes; skipped"),
                    raw,
                };
                loop {
                    match r.read(&mut chunk) {
                        Ok(0) => {
                            send(lost(raw));
                            return;
                        }
                        Ok(n) => {
                            if let Some(q) = memchr::memchr(b'\n', &chunk[..n]) {
                                buf.extend_from_slice(&chunk[q + 1..n]);
                                break;
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            if send(lost(raw)) {
                                send(fail(e, b""));
                            }
                            return;
                        }
                    }
                }
                if !send(lost(raw)) {
                    return;
                }
                target = block;
            }
            None => {
                // A long line still within the limit: read on.
                target = (target + block)
                    .min(max_line.saturating_add(1))
                    .max(buf.len() + 1);
            }
        }
    }
}
