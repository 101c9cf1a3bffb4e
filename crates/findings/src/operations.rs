//! `operations.json`: the document the scan writes, its writer, and a tolerant reader of any
//! producer's operations.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::table::Problem;

/// `operations.json`.
pub const OPERATIONS: &str = "operations.json";

/// `operations.json` as the scan writes it: `{schema_version, policy_version, operations}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OperationsFile {
    /// [`crate::SCHEMA_VERSION`] when written.
    pub schema_version: u32,
    /// The policy the judge ran under.
    pub policy_version: String,
    /// The operations, `op-001` first.
    pub operations: Vec<Operation>,
}

/// One operation of [`OperationsFile`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Operation {
    /// `op-001`, … in order of size.
    pub id: String,
    /// `like-farm`, `follower-vendor`, `comment-farm`, `vendor-app` or `scraping`.
    pub kind: String,
    /// Its score, rounded to 0.001.
    pub score: f64,
    /// Member accounts.
    pub members: Vec<String>,
    /// Members judged `fake`.
    pub fake: u64,
    /// Members judged `compromised`.
    pub compromised: u64,
    /// Accounts linked to it but only `suspicious`.
    pub suspicious: Vec<String>,
    /// The accounts it served (owners of its targets).
    pub beneficiaries: Vec<String>,
    /// Its targets.
    pub targets: Vec<String>,
    /// Accounts it scraped.
    pub victims: Vec<String>,
    /// Its first and last flagged events.
    pub time_span: TimeSpan,
    /// Its flagged events.
    pub flagged_events: u64,
    /// The infrastructure only it used.
    pub infrastructure: Infrastructure,
    /// The signals behind it.
    pub signals: Vec<SignalEntry>,
    /// What a ban of it records (the scan always writes it; absent in older files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Fingerprint>,
    /// The bans its members matched (`scan --bans`); absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ban_matches: Vec<BanMatchEntry>,
}

/// An operation's time span, as RFC 3339 and epoch milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TimeSpan {
    /// First flagged event (RFC 3339, UTC, milliseconds).
    pub start: String,
    /// Last flagged event.
    pub end: String,
    /// First flagged event (epoch ms).
    pub start_ms: i64,
    /// Last flagged event (epoch ms).
    pub end_ms: i64,
}

/// An operation's exclusive infrastructure.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Infrastructure {
    /// IP addresses.
    pub ips: Vec<String>,
    /// Subnets with how many of its addresses are in each.
    pub subnets: Vec<Subnet>,
    /// Device ids.
    pub devices: Vec<String>,
    /// Clients with how many of its events came through each.
    pub clients: Vec<ClientCount>,
}

/// A subnet of [`Infrastructure`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Subnet {
    /// CIDR.
    pub subnet: String,
    /// The operation's addresses in it.
    pub ips: u64,
}

/// A client of [`Infrastructure`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ClientCount {
    /// `android/…`, `ios/…`, `web`, `api:<app>`.
    pub client: String,
    /// The operation's events through it.
    pub events: u64,
}

/// A signal's contribution to an operation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SignalEntry {
    /// The signal's index in the judgement, or `None` for the judge's own rules.
    pub signal: Option<u64>,
    /// The reason code.
    pub reason: String,
    /// The detector's score.
    pub score: f64,
    /// Accounts in the signal.
    pub accounts: u64,
    /// The signal's one-line summary.
    pub summary: String,
}

/// A ban an operation's members matched.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BanMatchEntry {
    /// The banned operation's id (in the scan it was banned from).
    pub ban: String,
    /// The `ban_vendor` action that recorded it.
    pub action_key: String,
    /// Its kind.
    pub kind: String,
    /// Members that matched it.
    pub accounts: u64,
    /// True if ban matching created the operation.
    pub created: bool,
}

/// A device fingerprint of an operation: model, OS, build and screen joined by `|`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceFingerprint {
    /// `model|os|build|WxH` (empty parts for what the devices file does not say).
    pub fingerprint: String,
    /// The operation's devices with it.
    pub devices: usize,
    /// Devices outside the operation with it, in the log it was found in.
    pub outside_devices: usize,
}

/// An IP range an operation used, with how many accounts used it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeUse {
    /// CIDR: IPv4 /24 or IPv6 /48.
    pub range: String,
    /// The operation's accounts seen on it (any action).
    pub members: usize,
    /// Every account seen on it.
    pub accounts: usize,
}

/// An operation's delivery profile: its flagged engagement grouped by target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeliveryProfile {
    /// Targets that got at least two of its engagements (its orders).
    pub orders: usize,
    /// Median engagements per order.
    pub median_events: f64,
    /// Median minutes from an order's first engagement to its last.
    pub median_minutes: f64,
}

/// A client's share of an operation's flagged events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientShare {
    /// The client string (`android/…`, `web`, `api:<app>`).
    pub client: String,
    /// Share of the flagged events, rounded to 0.001.
    pub share: f64,
}

/// What a ban of an operation records: its infrastructure and its behaviour. Written into
/// `operations.json` as each operation's `fingerprint`, carried by `enforce plan` into the
/// `ban_vendor` action, and kept in the store's ban list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// Every device of its flagged events.
    pub devices: Vec<String>,
    /// Their fingerprints, most devices first.
    pub device_fingerprints: Vec<DeviceFingerprint>,
    /// IP ranges (IPv4 /24, IPv6 /48) of its flagged events, with account counts.
    pub ip_ranges: Vec<RangeUse>,
    /// Third-party app ids (`api:<app>` clients) of its flagged events.
    pub app_ids: Vec<String>,
    /// The accounts it served (the operation's beneficiaries).
    pub customers: Vec<String>,
    /// Its flagged events per UTC hour of day (24 counts).
    pub hours: Vec<u64>,
    /// Its delivery profile.
    pub delivery: DeliveryProfile,
    /// Its client mix, most used first.
    pub clients: Vec<ClientShare>,
}

/// What a ban of an operation records, as one typed record: built by `enforce plan` (the
/// `ban_vendor` action's payload), kept by the store's ban list, and read back by ban matching
/// (`scan --bans`). Every field is optional on reading (a record written before a field
/// existed reads it as empty).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BanRecord {
    /// The operation's kind (`like-farm`, …).
    pub kind: String,
    /// Device ids no real person shared.
    pub devices: Vec<String>,
    /// IP ranges (CIDR) no real person shared.
    pub ip_ranges: Vec<String>,
    /// Third-party app ids.
    pub app_ids: Vec<String>,
    /// Device fingerprints with their counts.
    pub device_fingerprints: Vec<DeviceFingerprint>,
    /// The accounts it served.
    pub customers: Vec<String>,
    /// Its behaviour: what the analyst reads, not evidence.
    pub profile: BanProfile,
    /// Everything else `operations.json` said of it (kind, signals, sizes, span…).
    pub behaviour: Value,
}

/// The behaviour part of a [`BanRecord`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BanProfile {
    /// The IP ranges of its flagged events, with account counts at ban time (what decides
    /// whether a range is evidence: one real people share is not).
    pub ip_ranges: Vec<RangeUse>,
    /// Its flagged events per UTC hour of day.
    pub hours: Vec<u64>,
    /// Its delivery profile.
    pub delivery: DeliveryProfile,
    /// Its client mix.
    pub clients: Vec<ClientShare>,
    /// It ran through real people's accounts (a match is `compromised`, not `fake`).
    pub through_real_accounts: bool,
}

/// Writes `doc` as `operations.json`: pretty-printed, keys in alphabetical order at every
/// level, and a final newline.
///
/// These are the bytes the scan has always written: it wrote the document, read it back
/// into a `serde_json::Value` and wrote that again. The document still passes through its
/// JSON text and a `Value`, because both shape the bytes: the `Value`'s maps order the keys,
/// and serde_json's default number parser can move the last digit of a float (a signal
/// score `0.9614223414961424` comes back `0.9614223414961423`).
///
/// # Errors
/// What writing to `w` returns.
pub fn write_operations<W: Write>(mut w: W, doc: &OperationsFile) -> io::Result<W> {
    let text = serde_json::to_vec(doc).map_err(io::Error::other)?;
    let v: Value = serde_json::from_slice(&text).map_err(io::Error::other)?;
    serde_json::to_writer_pretty(&mut w, &v).map_err(io::Error::other)?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(w)
}

/// One operation as [`read_operations`] found it in any producer's file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OperationEntry {
    /// Its position in the operations array.
    pub index: usize,
    /// Its id (a string or a number in the file), trimmed.
    pub id: String,
    /// Its kind, when it has one.
    pub kind: Option<String>,
    /// Its score, when it is a number.
    pub score: Option<f64>,
    /// Member accounts, from `accounts` then `members`, in file order.
    pub members: Vec<String>,
    /// `beneficiaries`.
    pub beneficiaries: Vec<String>,
    /// `victims`.
    pub victims: Vec<String>,
    /// IP addresses or ranges: `ips`, `ip`, `ip_ranges`, in `infrastructure` or at the top.
    pub ips: Vec<String>,
    /// Device ids: `devices`, `device`, in `infrastructure` or at the top.
    pub devices: Vec<String>,
    /// Clients: `clients`, `client`, then app ids (`apps`, `app_ids`) as `api:<app>`.
    pub clients: Vec<String>,
    /// The whole JSON object.
    pub fields: Map<String, Value>,
}

/// What a tolerant read of `operations.json` found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OperationsRead {
    /// `schema_version`, when the file is an object that has one.
    pub schema_version: Option<u64>,
    /// `policy_version`, likewise.
    pub policy_version: Option<String>,
    /// The entries read, in file order.
    pub operations: Vec<OperationEntry>,
    /// Entries entries left out or read in part, each with its JSON path.
    pub problems: Vec<Problem>,
    /// Set when the file could not be read at all (not JSON, no operations array).
    pub unusable: Option<Problem>,
    /// Entries met, read or not.
    pub entries: usize,
}

/// A string (trimmed, not empty) or a number, as an id.
pub fn scalar_id(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads `operations.json` content of any producer: an array of operations, or an object with
/// an `operations` array. An entry is an object with an `id` (string or number); lists of ids
/// are arrays (or one value) of strings, numbers, or objects carrying the id under a known
/// key. An entry without an id is left out and an id list item that is not an id is skipped,
/// each with a [`Problem`] naming its JSON path.
pub fn read_operations(bytes: &[u8]) -> OperationsRead {
    read_operations_named(OPERATIONS, bytes)
}

/// As [`read_operations`], naming the file `file` in problems.
pub fn read_operations_named(file: &str, bytes: &[u8]) -> OperationsRead {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match serde_json::from_slice(bytes) {
        Ok(v) => read_operations_value(file, v),
        Err(e) => OperationsRead {
            unusable: Some(Problem::file(file, format!("not JSON: {e}"))),
            ..OperationsRead::default()
        },
    }
}

/// As [`read_operations_named`], from parsed JSON.
pub fn read_operations_value(file: &str, value: Value) -> OperationsRead {
    let mut out = OperationsRead::default();
    let (entries, prefix) = match value {
        Value::Array(a) => (a, ""),
        Value::Object(mut o) => {
            out.schema_version = o.get("schema_version").and_then(Value::as_u64);
            out.policy_version = o
                .get("policy_version")
                .and_then(Value::as_str)
                .map(str::to_owned);
            match o.remove("operations") {
                Some(Value::Array(a)) => (a, "operations"),
                _ => {
                    out.unusable = Some(Problem::file(
                        file,
                        "a JSON object without an `operations` array",
                    ));
                    return out;
                }
            }
        }
        _ => {
            out.unusable = Some(Problem::file(
                file,
                "neither a JSON array nor an object with `operations`",
            ));
            return out;
        }
    };
    out.entries = entries.len();
    for (index, entry) in entries.into_iter().enumerate() {
        let at = format!("{prefix}[{index}]");
        let Value::Object(obj) = entry else {
            out.problems
                .push(Problem::at_path(file, index, at, "not a JSON object", true));
            continue;
        };
        let Some(id) = obj.get("id").and_then(scalar_id) else {
            out.problems.push(Problem::at_path(
                file,
                index,
                at,
                "no `id` (string or number)",
                true,
            ));
            continue;
        };
        let mut ids = |v: Option<&Value>, path: String, keys: &[&str]| -> Vec<String> {
            let (items, one) = match v {
                None | Some(Value::Null) => return Vec::new(),
                Some(Value::Array(a)) => (a.as_slice(), false),
                Some(other) => (std::slice::from_ref(other), true),
            };
            let mut got = Vec::with_capacity(items.len());
            let mut bad = 0usize;
            for item in items {
                let id = match item {
                    Value::Object(o) => keys.iter().find_map(|k| o.get(*k).and_then(scalar_id)),
                    other => scalar_id(other),
                };
                match id {
                    Some(id) => got.push(id),
                    None => bad += 1,
                }
            }
            if bad > 0 {
                let what = if one {
                    "not an id nor an array of ids".to_owned()
                } else {
                    format!("{bad} item(s) are not ids")
                };
                out.problems
                    .push(Problem::at_path(file, index, path, what, false));
            }
            got
        };
        let field = |name: &str| format!("{at}.{name}");
        let mut members = Vec::new();
        for name in ["accounts", "members"] {
            members.extend(ids(obj.get(name), field(name), &["id", "account"]));
        }
        let beneficiaries = ids(
            obj.get("beneficiaries"),
            field("beneficiaries"),
            &["id", "owner", "account"],
        );
        let victims = ids(obj.get("victims"), field("victims"), &["id", "account"]);
        let infra = obj.get("infrastructure");
        let mut infra_ids = |names: &[&str], keys: &[&str]| {
            let mut v = Vec::new();
            for n in names {
                v.extend(ids(
                    infra.and_then(|i| i.get(*n)),
                    format!("{at}.infrastructure.{n}"),
                    keys,
                ));
                v.extend(ids(obj.get(*n), field(n), keys));
            }
            v
        };
        let ips = infra_ids(&["ips", "ip", "ip_ranges"], &["ip", "id", "range"]);
        let devices = infra_ids(&["devices", "device"], &["device", "id"]);
        let mut clients = infra_ids(&["clients", "client"], &["client", "id"]);
        for app in infra_ids(&["apps", "app_ids"], &["app", "id"]) {
            clients.push(if app.starts_with("api:") {
                app
            } else {
                format!("api:{app}")
            });
        }
        out.operations.push(OperationEntry {
            index,
            kind: obj.get("kind").and_then(scalar_id),
            score: obj.get("score").and_then(Value::as_f64),
            id,
            members,
            beneficiaries,
            victims,
            ips,
            devices,
            clients,
            fields: obj,
        });
    }
    out
}
