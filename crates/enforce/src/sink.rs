//! Where actions go: an NDJSON file (deduplicated, so delivery is exactly-once) or a webhook
//! (HTTP POST per action with an `Idempotency-Key` header; at-least-once).

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

use lockstep_store::{Delivery, SinkError};
use serde_json::{Value, json};

use crate::error::{Error, Result, invalid_input_err, io};

/// Receives deliveries. A sink must be idempotent per [`Delivery::id`], or tell its receiver
/// the id so the receiver can be: a batch may be handed over again after a crash.
pub trait Sink {
    /// Delivers a batch; returns only once it is durable at the receiver.
    fn deliver(&mut self, batch: &[Delivery]) -> Result<(), SinkError>;
    /// The sink, for messages.
    fn describe(&self) -> String;
}

/// The JSON a sink receives for one delivery.
pub fn delivery_json(d: &Delivery) -> Value {
    let a = &d.action;
    json!({
        "id": d.id(),
        "op": d.op,
        "key": a.key,
        "kind": a.kind,
        "subject": a.subject,
        "operation": a.operation,
        "account": a.account,
        "reason": if d.op == lockstep_store::DeliveryOp::Undo {
            a.undo_reason.clone().unwrap_or_default()
        } else {
            a.reason.clone()
        },
        "payload": a.payload,
        "plan": a.plan_id,
    })
}

/// Opens a sink from `ndjson:FILE` or `webhook:URL` (`http://…`).
pub fn open_sink(spec: &str) -> Result<Box<dyn Sink>> {
    if let Some(path) = spec.strip_prefix("ndjson:") {
        Ok(Box::new(NdjsonSink::open(Path::new(path))?))
    } else if let Some(url) = spec.strip_prefix("webhook:") {
        Ok(Box::new(WebhookSink::new(url)?))
    } else {
        Err(invalid_input_err!(
            "sink {spec:?}: use ndjson:FILE or webhook:http://HOST:PORT/PATH"
        ))
    }
}

/// Appends one JSON line per delivery to a file, skipping ids already in it.
///
/// On open it drops a torn last line (left by a crash mid-write) and reads the ids already
/// present; each batch is written and `fsync`ed before [`Sink::deliver`] returns. So after any
/// crash and rerun, every delivery id appears in the file exactly once.
#[derive(Debug)]
pub struct NdjsonSink {
    path: PathBuf,
    file: File,
    seen: HashSet<String>,
}

impl NdjsonSink {
    /// Opens (creating) the file, repairs a torn tail and loads the ids in it.
    pub fn open(path: &Path) -> Result<NdjsonSink> {
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io(path))?;
        let mut text = Vec::new();
        file.read_to_end(&mut text).map_err(io(path))?;
        let keep = match text.iter().rposition(|b| *b == b'\n') {
            Some(i) => i + 1,
            None => 0,
        };
        if keep < text.len() {
            file.set_len(keep as u64).map_err(io(path))?;
            file.seek(SeekFrom::End(0)).map_err(io(path))?;
        }
        let mut seen = HashSet::new();
        for (n, line) in BufReader::new(&text[..keep]).lines().enumerate() {
            let line = line.map_err(io(path))?;
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(&line).map_err(|e| {
                invalid_input_err!("{}:{}: not a delivery line: {e}", path.display(), n + 1)
            })?;
            if let Some(id) = v.get("id").and_then(Value::as_str) {
                seen.insert(id.to_owned());
            }
        }
        Ok(NdjsonSink {
            path: path.to_owned(),
            file,
            seen,
        })
    }

    /// Delivery ids already in the file.
    pub fn delivered(&self) -> &HashSet<String> {
        &self.seen
    }
}

impl Sink for NdjsonSink {
    fn deliver(&mut self, batch: &[Delivery]) -> Result<(), SinkError> {
        let mut buf = Vec::new();
        let mut ids = Vec::new();
        for d in batch {
            let id = d.id();
            if self.seen.contains(&id) || ids.contains(&id) {
                continue;
            }
            serde_json::to_writer(&mut buf, &delivery_json(d))?;
            buf.push(b'\n');
            ids.push(id);
        }
        if !buf.is_empty() {
            self.file.write_all(&buf)?;
            self.file.sync_data()?;
            self.seen.extend(ids);
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!("ndjson:{}", self.path.display())
    }
}

/// POSTs each delivery as JSON to an `http://` URL, with header `Idempotency-Key: <id>`.
/// A non-2xx answer fails the batch (nothing in it is marked). HTTPS needs a TLS-terminating
/// proxy in front: this client speaks plain HTTP/1.1 only.
#[derive(Debug)]
pub struct WebhookSink {
    url: String,
    host: String,
    port: u16,
    path: String,
    timeout: Duration,
}

impl WebhookSink {
    /// Parses `http://HOST[:PORT][/PATH]`.
    pub fn new(url: &str) -> Result<WebhookSink> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            invalid_input_err!(
                "webhook {url:?}: only http:// URLs (put a TLS proxy in front for https)"
            )
        })?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (
                h,
                p.parse::<u16>()
                    .map_err(|_| invalid_input_err!("webhook {url:?}: bad port {p:?}"))?,
            ),
            _ => (authority, 80),
        };
        if host.is_empty() {
            return Err(invalid_input_err!("webhook {url:?}: no host"));
        }
        Ok(WebhookSink {
            url: url.to_owned(),
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            port,
            path: path.to_owned(),
            timeout: Duration::from_secs(30),
        })
    }

    fn post(&self, id: &str, body: &[u8]) -> Result<(), SinkError> {
        let addr = (self.host.as_str(), self.port)
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| format!("{}: host does not resolve", self.host))?;
        let mut s = TcpStream::connect_timeout(&addr, self.timeout)?;
        s.set_read_timeout(Some(self.timeout))?;
        s.set_write_timeout(Some(self.timeout))?;
        let host = if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        };
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nIdempotency-Key: {id}\r\nUser-Agent: lockstep/{}\r\nConnection: close\r\n\r\n",
            self.path,
            body.len(),
            env!("CARGO_PKG_VERSION"),
        );
        s.write_all(head.as_bytes())?;
        s.write_all(body)?;
        s.flush()?;
        let mut status = String::new();
        BufReader::new(&mut s).read_line(&mut status)?;
        let code = status
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| format!("{}: not an HTTP answer: {status:?}", self.url))?;
        if !(200..300).contains(&code) {
            return Err(format!("{}: HTTP {code} for {id}", self.url).into());
        }
        Ok(())
    }
}

impl Sink for WebhookSink {
    fn deliver(&mut self, batch: &[Delivery]) -> Result<(), SinkError> {
        for d in batch {
            let body = serde_json::to_vec(&delivery_json(d))?;
            self.post(&d.id(), &body)?;
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!("webhook:{}", self.url)
    }
}

/// Wraps a sink error with the sink's name.
pub(crate) fn sink_err(sink: &dyn Sink, e: impl std::fmt::Display) -> Error {
    Error::Sink {
        sink: sink.describe(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_parse() {
        let w = WebhookSink::new("http://127.0.0.1:8080/hook").unwrap();
        assert_eq!(
            (w.host.as_str(), w.port, w.path.as_str()),
            ("127.0.0.1", 8080, "/hook")
        );
        let w = WebhookSink::new("http://[::1]:9/").unwrap();
        assert_eq!((w.host.as_str(), w.port), ("::1", 9));
        let w = WebhookSink::new("http://localhost").unwrap();
        assert_eq!((w.port, w.path.as_str()), (80, "/"));
        assert!(WebhookSink::new("https://example.invalid/").is_err());
        assert!(open_sink("kafka:x").is_err());
    }
}

/// Keeps deliveries in memory (for embedding and tests).
#[derive(Debug, Default)]
pub struct MemorySink {
    /// Every delivery handed over, as [`delivery_json`], in order.
    pub delivered: Vec<Value>,
}

impl Sink for MemorySink {
    fn deliver(&mut self, batch: &[Delivery]) -> Result<(), SinkError> {
        self.delivered.extend(batch.iter().map(delivery_json));
        Ok(())
    }

    fn describe(&self) -> String {
        "memory".to_owned()
    }
}

#[cfg(test)]
mod ndjson_tests {
    use lockstep_store::{Action, ActionKind, ActionStatus, DeliveryOp};

    use super::*;

    fn delivery(key: &str) -> Delivery {
        Delivery {
            op: DeliveryOp::Apply,
            action: Action {
                key: key.into(),
                kind: ActionKind::BlockDevice,
                subject: "d".into(),
                operation: "op".into(),
                account: None,
                reason: String::new(),
                payload: json!({}),
                plan_id: "p".into(),
                status: ActionStatus::Pending,
                recorded_at: String::new(),
                recorded_by: String::new(),
                applied_at: None,
                undo_reason: None,
                undone_at: None,
            },
        }
    }

    #[test]
    fn torn_tail_is_dropped_and_known_ids_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.ndjson");
        let mut sink = NdjsonSink::open(&path).unwrap();
        sink.deliver(&[delivery("k1"), delivery("k2")]).unwrap();
        drop(sink);
        // A crash mid-write leaves half a line.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"id":"apply:k3","op":"ap"#).unwrap();
        drop(f);

        let mut sink = NdjsonSink::open(&path).unwrap();
        assert_eq!(sink.delivered().len(), 2);
        sink.deliver(&[delivery("k2"), delivery("k3"), delivery("k3")])
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let ids: Vec<String> = text
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(ids, ["apply:k1", "apply:k2", "apply:k3"]);
    }
}
