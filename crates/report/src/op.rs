//! One operation's section: the lockstep picture, why it was found, who benefited and what
//! infrastructure it used.

use lockstep_core::intern::ip_from_key;
use lockstep_core::{EventLog, Id, NONE};
use maud::{Markup, PreEscaped, html};
use serde_json::Value;

use crate::findings::{Findings, scalar};
use crate::fmt::{count, datetime, duration, truncate};
use crate::index::{OpIndex, ReportIndex};
use crate::svg::{Dot, PALETTE, colour, lockstep_svg};

/// How much of an operation the lockstep picture draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlotLimits {
    /// The most accounts (rows); those with the most flagged events are kept.
    pub max_accounts: usize,
    /// The most dots; flagged events are kept before the members' other events.
    pub max_dots: usize,
    /// The most rows of each table (beneficiaries, IPs, devices, …).
    pub max_table_rows: usize,
}

impl Default for PlotLimits {
    fn default() -> Self {
        Self {
            max_accounts: 200,
            max_dots: 5000,
            max_table_rows: 15,
        }
    }
}

/// A standalone SVG plot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plot {
    /// A file name for it, e.g. `lockstep.svg`.
    pub file_name: String,
    /// What it shows.
    pub title: String,
    /// The SVG document (with its `xmlns`, so it can be written to a file as it is).
    pub svg: String,
}

/// One operation's part of the report, reusable on its own (e.g. in an evidence bundle).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationSection {
    /// The operation id.
    pub id: String,
    /// The HTML element id of the section (`op-<n>`).
    pub anchor: String,
    /// The HTML of the section, with its plots inline. Needs the report's stylesheet
    /// ([`crate::STYLE`]) to look right.
    pub html: String,
    /// The plots of the section, also as standalone SVG documents.
    pub plots: Vec<Plot>,
}

/// What the lockstep picture drew and left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PictureStats {
    pub(crate) rows: usize,
    pub(crate) accounts: usize,
    pub(crate) dots: usize,
    pub(crate) candidates: usize,
    pub(crate) flagged_drawn: usize,
    pub(crate) flagged_candidates: usize,
    pub(crate) outside: usize,
    pub(crate) window: Option<(i64, i64)>,
}

/// Renders operation `op` (an index into [`ReportIndex::ops`]).
///
/// # Panics
/// If `op` is out of range.
pub fn render_operation_section(
    log: &EventLog,
    findings: &Findings,
    index: &ReportIndex,
    op: usize,
    limits: &PlotLimits,
) -> OperationSection {
    let o = &index.ops[op];
    let json = o.json.map(|j| &findings.operations[j].fields);
    let anchor = format!("op-{op}");
    // Basis of the tables: the flagged events, or every event of the members when none is.
    let basis: Vec<u32> = if o.flagged > 0 {
        o.flagged_events().collect()
    } else {
        o.events.clone()
    };
    // Scraping reads data rather than engaging: its owners are whose data was read.
    let what = match (o.flagged > 0, o.kind.as_str()) {
        (true, "scraping") => "flagged reads",
        (true, _) => "fake engagements",
        (false, _) => "events",
    };
    let targets = top_counts(basis.iter().map(|&e| log.target()[e as usize]));
    let (svg, stats) = picture(log, index, op, &targets, limits);
    let owners = top_counts(basis.iter().map(|&e| log.owner()[e as usize]));
    let ips = top_counts(basis.iter().map(|&e| log.ip()[e as usize]));
    let devices = top_counts(basis.iter().map(|&e| log.device()[e as usize]));
    let clients = top_counts(basis.iter().map(|&e| log.client()[e as usize]));
    let nets = networks(log, &ips);
    let span = match (basis.first(), basis.last()) {
        (Some(&a), Some(&b)) => Some((log.ts()[a as usize], log.ts()[b as usize])),
        _ => None,
    };
    let n = limits.max_table_rows;
    let score = json.and_then(|j| j.get("score")).and_then(Value::as_f64);
    let members_total = o.members.len() + o.unknown_members;

    let markup = html! {
        details.op id=(anchor) open {
            summary {
                h3 {
                    "Operation " code { (o.id) }
                    @if !o.kind.is_empty() { " — " (o.kind) }
                }
                span.badges {
                    span.badge { (count(members_total as u64)) " accounts" }
                    span.badge.hot { (count(o.flagged as u64)) " flagged events" }
                    @if let Some(s) = score { span.badge { "score " (format!("{s:.2}")) } }
                }
            }
            div.why {
                h4 { "Why" }
                dl {
                    @if let Some(s) = score { dt { "score" } dd { (format!("{s:.3}")) } }
                    @if let Some((a, b)) = span {
                        dt { "time span (" (what) ")" }
                        dd { (datetime(a)) " — " (datetime(b)) " UTC (" (duration(b - a)) ")" }
                    }
                    @if let Some(ts) = json.and_then(json_time_span) {
                        dt { "time span (operations.json)" } dd { (ts) }
                    }
                    @if !o.verdicts.is_empty() {
                        dt { "members' verdicts" }
                        dd {
                            @for (i, (v, c)) in o.verdicts.iter().enumerate() {
                                @if i > 0 { ", " }
                                (if v.is_empty() { "(none)" } else { v }) ": " (count(*c as u64))
                            }
                        }
                    }
                    @if o.unknown_members > 0 {
                        dt { "members not in the log" } dd { (count(o.unknown_members as u64)) }
                    }
                }
                @if let Some(sig) = json.and_then(|j| j.get("signals")) {
                    h5 { "Signals" }
                    (signals(sig))
                }
                @if let Some(r) = json.and_then(|j| j.get("reasons")) {
                    h5 { "Reasons (operations.json)" }
                    (signals(r))
                }
                @if !o.reasons.is_empty() {
                    table.num {
                        thead { tr { th { "reason code" } th { "accounts" } th { "flagged events" } } }
                        tbody {
                            @for (code, a, e) in o.reasons.iter().take(n) {
                                tr { td { code { (code) } } td { (count(*a as u64)) } td { (count(*e as u64)) } }
                            }
                        }
                    }
                    (more(o.reasons.len(), n, "reason codes"))
                }
            }
            figure {
                h4 { "Accounts × time" }
                (PreEscaped(&svg))
                figcaption { (caption(&stats)) }
                (legend(log, &targets, &basis, what))
            }
            div.grid {
                div {
                    h4 { "Beneficiaries" }
                    (beneficiaries(log, &owners, basis.len(), what, n))
                    @if let Some(b) = json.and_then(|j| j.get("beneficiaries")) {
                        (named_list("named in operations.json", b, n))
                    }
                    @if let Some(v) = json.and_then(|j| j.get("victims")) {
                        (named_list("victims (whose data was read)", v, n))
                    }
                    @if let Some(v) = json.and_then(|j| j.get("suspicious")) {
                        (named_list("suspicious accounts the same evidence points at", v, n))
                    }
                }
                div {
                    h4 { "Infrastructure" }
                    (id_table("IP", &ips, n, |id| log.ips.resolve(id).to_string()))
                    (net_table(&nets, n))
                    (id_table("device", &devices, n, |id| device_label(log, id)))
                    (id_table("client", &clients, n, |id| log.clients.resolve(id).to_owned()))
                    @if let Some(Value::Object(infra)) = json.and_then(|j| j.get("infrastructure")) {
                        @for (k, v) in sorted(infra) {
                            (named_list(&format!("{k} (operations.json)"), v, n))
                        }
                    }
                }
            }
            (members(log, o, n * 2))
            (other_fields(json))
        }
    };
    let title = format!("accounts × time of operation {}", o.id);
    OperationSection {
        id: o.id.clone(),
        anchor,
        html: markup.into_string(),
        plots: vec![Plot {
            file_name: "lockstep.svg".to_owned(),
            title,
            svg,
        }],
    }
}

/// (id, count) of the non-[`NONE`] ids, most frequent first (ties by id): sort and scan.
pub(crate) fn top_counts(ids: impl Iterator<Item = Id>) -> Vec<(Id, usize)> {
    let mut v: Vec<Id> = ids.filter(|&i| i != NONE).collect();
    v.sort_unstable();
    let mut out: Vec<(Id, usize)> = Vec::new();
    for id in v {
        match out.last_mut() {
            Some((last, c)) if *last == id => *c += 1,
            _ => out.push((id, 1)),
        }
    }
    out.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// /24 (IPv4) or /48 (IPv6) networks of the counted IPs: (network, events, distinct IPs).
fn networks(log: &EventLog, ips: &[(Id, usize)]) -> Vec<(String, usize, usize)> {
    let mut keyed: Vec<(u128, bool, usize)> = ips
        .iter()
        .map(|&(id, c)| {
            let key = log.ips.key(id);
            let v4 = ip_from_key(key).is_ipv4();
            let mask = if v4 { !0xffu128 } else { !0u128 << 80 };
            (key & mask, v4, c)
        })
        .collect();
    keyed.sort_unstable_by_key(|k| k.0);
    let mut out: Vec<(u128, bool, usize, usize)> = Vec::new();
    for (net, v4, c) in keyed {
        match out.last_mut() {
            Some(last) if last.0 == net => {
                last.2 += c;
                last.3 += 1;
            }
            _ => out.push((net, v4, c, 1)),
        }
    }
    out.sort_unstable_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    out.into_iter()
        .map(|(net, v4, c, d)| {
            let bits = if v4 { 24 } else { 48 };
            (format!("{}/{bits}", ip_from_key(net)), c, d)
        })
        .collect()
}

fn device_label(log: &EventLog, id: Id) -> String {
    let name = log.devices.resolve(id);
    match log
        .device_table
        .row(id)
        .and_then(|r| log.device_table.model(r))
    {
        Some(model) if !model.is_empty() => format!("{name} ({model})"),
        _ => name.to_owned(),
    }
}

/// Draws the lockstep picture of operation `op`; the targets are ranked for colours.
pub(crate) fn picture(
    log: &EventLog,
    index: &ReportIndex,
    op: usize,
    targets: &[(Id, usize)],
    limits: &PlotLimits,
) -> (String, PictureStats) {
    let o = &index.ops[op];
    let ts = log.ts();
    let actor = log.actor();
    let mut stats = PictureStats::default();
    // Per account: first activity, flagged count, total (sort by (actor, position) and scan).
    let mut by_actor: Vec<(Id, u32)> = o
        .events
        .iter()
        .enumerate()
        .map(|(p, &e)| (actor[e as usize], p as u32))
        .collect();
    by_actor.sort_unstable();
    // (actor, first flagged ts or first ts, flagged, total)
    let mut accounts: Vec<(Id, i64, usize, usize)> = Vec::new();
    for &(a, p) in &by_actor {
        let e = o.events[p as usize];
        let f = o.flagged_at(p as usize);
        let t = ts[e as usize];
        match accounts.last_mut() {
            Some(acc) if acc.0 == a => {
                acc.3 += 1;
                if f {
                    if acc.2 == 0 {
                        acc.1 = t;
                    }
                    acc.2 += 1;
                }
            }
            _ => accounts.push((a, t, usize::from(f), 1)),
        }
    }
    stats.accounts = accounts.len();
    if accounts.len() > limits.max_accounts {
        accounts.sort_unstable_by(|a, b| b.2.cmp(&a.2).then(b.3.cmp(&a.3)).then(a.0.cmp(&b.0)));
        accounts.truncate(limits.max_accounts);
    }
    accounts.sort_unstable_by_key(|a| (a.1, a.0));
    stats.rows = accounts.len();
    let mut row_of: Vec<(Id, u32)> = accounts
        .iter()
        .enumerate()
        .map(|(r, a)| (a.0, r as u32))
        .collect();
    row_of.sort_unstable();
    let labels: Vec<String> = accounts
        .iter()
        .map(|a| log.accounts.resolve(a.0).to_owned())
        .collect();

    // The window: the flagged events, else every event, padded.
    let flagged: Vec<u32> = o.flagged_events().collect();
    let basis = if flagged.is_empty() {
        &o.events
    } else {
        &flagged
    };
    let (Some(&first), Some(&last)) = (basis.first(), basis.last()) else {
        return (lockstep_svg(&[], 0, &[], 0, 1), stats);
    };
    let (t0, t1) = (ts[first as usize], ts[last as usize]);
    let pad = ((t1 - t0) / 30).max(30_000);
    let (w0, w1) = (t0 - pad, t1 + pad);
    stats.window = Some((w0, w1));

    // Colours: rank of the target among the most engaged.
    let mut rank: Vec<(Id, u8)> = targets
        .iter()
        .take(PALETTE.len())
        .enumerate()
        .map(|(r, t)| (t.0, r as u8))
        .collect();
    rank.sort_unstable();
    let colour_of = |t: Id| {
        rank.binary_search_by_key(&t, |r| r.0)
            .map_or(PALETTE.len() as u8, |i| rank[i].1)
    };

    let mut solid: Vec<Dot> = Vec::new();
    let mut faint: Vec<Dot> = Vec::new();
    for (p, &e) in o.events.iter().enumerate() {
        let Ok(ri) = row_of.binary_search_by_key(&actor[e as usize], |r| r.0) else {
            continue;
        };
        let t = ts[e as usize];
        if t < w0 || t > w1 {
            stats.outside += 1;
            continue;
        }
        let dot = Dot {
            ts: t,
            row: row_of[ri].1,
            colour: colour_of(log.target()[e as usize]),
            solid: o.flagged_at(p),
        };
        if dot.solid {
            solid.push(dot);
        } else {
            faint.push(dot);
        }
    }
    stats.candidates = solid.len() + faint.len();
    stats.flagged_candidates = solid.len();
    let solid = sample(solid, limits.max_dots);
    let faint = sample(faint, limits.max_dots - solid.len());
    stats.flagged_drawn = solid.len();
    stats.dots = solid.len() + faint.len();
    let mut dots = faint;
    dots.extend(solid);
    (lockstep_svg(&dots, stats.rows, &labels, w0, w1), stats)
}

/// At most `max` of `v`, evenly spread.
fn sample<T: Copy>(v: Vec<T>, max: usize) -> Vec<T> {
    if v.len() <= max {
        return v;
    }
    (0..max).map(|i| v[i * v.len() / max]).collect()
}

fn caption(s: &PictureStats) -> Markup {
    html! {
        "Rows: " (count(s.rows as u64)) " of " (count(s.accounts as u64)) " accounts"
        @if s.rows < s.accounts { " (those with the most flagged events)" }
        ", sorted by first flagged activity. One dot per engagement, coloured by target; "
        "flagged events solid, the members' other events faint. "
        (count(s.dots as u64)) " of " (count(s.candidates as u64)) " dots drawn"
        @if s.dots < s.candidates {
            @if s.flagged_drawn < s.flagged_candidates {
                " (capped: only flagged events, " (count(s.flagged_drawn as u64)) " of "
                (count(s.flagged_candidates as u64)) " evenly sampled)"
            } @else {
                " (capped: all " (count(s.flagged_drawn as u64))
                " flagged events, then the others evenly sampled)"
            }
        }
        "."
        @if s.outside > 0 {
            " " (count(s.outside as u64)) " other events of these accounts fall outside the window."
        }
    }
}

fn legend(log: &EventLog, targets: &[(Id, usize)], basis: &[u32], what: &str) -> Markup {
    let shown = targets.len().min(PALETTE.len());
    // Owner of each legend target: the owner of its first event in the basis.
    let owner_of = |t: Id| {
        basis
            .iter()
            .find(|&&e| log.target()[e as usize] == t)
            .and_then(|&e| log.accounts.resolve_opt(log.owner()[e as usize]))
            .unwrap_or("")
    };
    let rest: usize = targets[shown..].iter().map(|t| t.1).sum();
    html! {
        table.legend {
            thead { tr { th {} th { "target" } th { "owner" } th.n { (what) } } }
            tbody {
                @for (r, (t, c)) in targets.iter().take(shown).enumerate() {
                    tr {
                        td { span.swatch style={ "background:" (colour(r as u8)) } {} }
                        td { code { (truncate(log.targets.resolve(*t), 60)) } }
                        td { code { (truncate(owner_of(*t), 40)) } }
                        td.n { (count(*c as u64)) }
                    }
                }
                @if targets.len() > shown {
                    tr {
                        td { span.swatch style={ "background:" (colour(PALETTE.len() as u8)) } {} }
                        td { (count((targets.len() - shown) as u64)) " other targets" }
                        td {}
                        td.n { (count(rest as u64)) }
                    }
                }
            }
        }
    }
}

fn beneficiaries(
    log: &EventLog,
    owners: &[(Id, usize)],
    basis: usize,
    what: &str,
    n: usize,
) -> Markup {
    html! {
        @if owners.is_empty() {
            p.muted { "No owner recorded on these events." }
        } @else {
            table.num {
                thead { tr { th { "owner" } th { (what) } th { "share" } } }
                tbody {
                    @for (id, c) in owners.iter().take(n) {
                        tr {
                            td { code { (truncate(log.accounts.resolve(*id), 60)) } }
                            td { (count(*c as u64)) }
                            td.barcell {
                                span.bar style={ "width:" (format!("{:.0}", share(*c, basis) * 0.8)) "px" } {}
                                (percent(share(*c, basis)))
                            }
                        }
                    }
                }
            }
            (more(owners.len(), n, "owners"))
        }
    }
}

/// `part / whole` in percent (0 for an empty whole).
fn share(part: usize, whole: usize) -> f64 {
    part as f64 / whole.max(1) as f64 * 100.0
}

/// A percentage for a table: `71 %`, `<1 %` for a small non-zero share.
fn percent(p: f64) -> String {
    if p > 0.0 && p < 0.5 {
        "<1 %".to_owned()
    } else {
        format!("{p:.0} %")
    }
}

fn id_table(what: &str, rows: &[(Id, usize)], n: usize, name: impl Fn(Id) -> String) -> Markup {
    html! {
        @if !rows.is_empty() {
            table.num {
                thead { tr { th { (what) " (" (count(rows.len() as u64)) ")" } th { "events" } } }
                tbody {
                    @for (id, c) in rows.iter().take(n) {
                        tr { td { code { (truncate(&name(*id), 60)) } } td { (count(*c as u64)) } }
                    }
                }
            }
            (more(rows.len(), n, "more"))
        }
    }
}

fn net_table(nets: &[(String, usize, usize)], n: usize) -> Markup {
    html! {
        @if !nets.is_empty() {
            table.num {
                thead { tr { th { "network (" (count(nets.len() as u64)) ")" } th { "events" } th { "IPs" } } }
                tbody {
                    @for (net, c, d) in nets.iter().take(n) {
                        tr { td { code { (net) } } td { (count(*c as u64)) } td { (count(*d as u64)) } }
                    }
                }
            }
            (more(nets.len(), n, "more"))
        }
    }
}

fn more(total: usize, shown: usize, what: &str) -> Markup {
    html! {
        @if total > shown {
            p.muted { "… and " (count((total - shown) as u64)) " " (what) }
        }
    }
}

fn members(log: &EventLog, o: &OpIndex, n: usize) -> Markup {
    html! {
        @if !o.members.is_empty() {
            details.members {
                summary { "Member accounts (" (count(o.members.len() as u64)) ")" }
                p.ids {
                    @for (i, &a) in o.members.iter().take(n).enumerate() {
                        @if i > 0 { " " }
                        code { (truncate(log.accounts.resolve(a), 60)) }
                    }
                    @if o.members.len() > n { " … and " (count((o.members.len() - n) as u64)) " more" }
                }
            }
        }
    }
}

/// A JSON value shown as a short list: strings and numbers as they are, objects by their id
/// and a few scalar fields.
fn named_list(title: &str, v: &Value, n: usize) -> Markup {
    let items: Vec<String> = match v {
        Value::Array(a) => a.iter().map(item).collect(),
        Value::Null => Vec::new(),
        other => vec![item(other)],
    };
    html! {
        @if !items.is_empty() {
            p.named {
                span.muted { (title) " (" (count(items.len() as u64)) "): " }
                @for (i, it) in items.iter().take(n).enumerate() {
                    @if i > 0 { ", " }
                    code { (it) }
                }
                @if items.len() > n { " … and " (count((items.len() - n) as u64)) " more" }
            }
        }
    }
}

/// One item of a list: an object as its id-like field with the rest in parentheses.
fn item(v: &Value) -> String {
    const IDS: [&str; 12] = [
        "id", "account", "owner", "target", "ip", "subnet", "range", "cidr", "prefix", "device",
        "client", "name",
    ];
    let Value::Object(o) = v else {
        return compact(v);
    };
    let Some((key, id)) = IDS
        .iter()
        .find_map(|k| o.get(*k).and_then(scalar).map(|s| (*k, s)))
    else {
        return compact(v);
    };
    let rest: serde_json::Map<String, Value> = o
        .iter()
        .filter(|(k, _)| k.as_str() != key)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if rest.is_empty() {
        truncate(&id, 160)
    } else {
        truncate(&format!("{id} ({})", compact(&Value::Object(rest))), 160)
    }
}

/// The entries of a JSON object sorted by key, whatever order the map keeps.
pub(crate) fn sorted(o: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut v: Vec<(&String, &Value)> = o.iter().collect();
    v.sort_by(|a, b| a.0.cmp(b.0));
    v
}

/// A one-line rendering of a JSON value, at most 160 characters.
pub(crate) fn compact(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Object(o) => {
            let mut parts: Vec<String> = Vec::new();
            for (k, v) in sorted(o) {
                match v {
                    Value::Array(a) => parts.push(format!("{k}: [{} items]", a.len())),
                    Value::Object(_) => parts.push(format!("{k}: {{…}}")),
                    other => parts.push(format!(
                        "{k}: {}",
                        scalar(other).unwrap_or_else(|| other.to_string())
                    )),
                }
            }
            parts.join(", ")
        }
        other => other.to_string(),
    };
    truncate(&s, 160)
}

/// Signals or reasons: a list of codes, or of objects shown by their name, score and reason.
fn signals(v: &Value) -> Markup {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    html! {
        ul.signals {
            @for it in items.iter().take(30) {
                li {
                    @match it {
                        Value::Object(o) => {
                            @let (name, text, rest) = signal_parts(o);
                            @if let Some(name) = &name { b { (name) } " " }
                            @if let Some(text) = &text { (truncate(text, 300)) " " }
                            span.muted { (rest) }
                        }
                        other => { code { (compact(other)) } }
                    }
                }
            }
            @if items.len() > 30 { li.muted { "… and " (items.len() - 30) " more" } }
        }
    }
}

/// A signal object as its name (the first name-like key), its one-line explanation (the first
/// text-like key) and the rest, compacted (nulls left out).
fn signal_parts(o: &serde_json::Map<String, Value>) -> (Option<String>, Option<String>, String) {
    const NAMES: [&str; 6] = ["detector", "name", "reason", "code", "kind", "family"];
    const TEXTS: [&str; 7] = [
        "summary",
        "description",
        "explanation",
        "because",
        "message",
        "detail",
        "reason",
    ];
    let find = |keys: &[&'static str], skip: Option<&str>| {
        keys.iter()
            .copied()
            .filter(|k| Some(*k) != skip)
            .find(|k| o.get(*k).and_then(scalar).is_some())
    };
    let name_key = find(&NAMES, None);
    let text_key = find(&TEXTS, name_key);
    let get = |k: Option<&str>| k.and_then(|k| o.get(k)).and_then(scalar);
    let rest: serde_json::Map<String, Value> = o
        .iter()
        .filter(|(k, v)| {
            Some(k.as_str()) != name_key && Some(k.as_str()) != text_key && !v.is_null()
        })
        .map(|(k, v)| match v.as_f64() {
            Some(x) if v.is_f64() => (k.clone(), Value::String(format!("{x:.2}"))),
            _ => (k.clone(), v.clone()),
        })
        .collect();
    (get(name_key), get(text_key), compact(&Value::Object(rest)))
}

/// A time value from operations.json: epoch milliseconds or seconds, or a string as it is.
fn json_time(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => {
            let x = n.as_f64()?;
            let ms = if x.abs() > 1e11 { x } else { x * 1000.0 };
            Some(format!("{} UTC", datetime(ms as i64)))
        }
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// The time span of an operation object: `time_span` (object with first/last or start/end, or
/// a two-element array), or top-level `first`/`last` or `start`/`end`.
fn json_time_span(j: &serde_json::Map<String, Value>) -> Option<String> {
    let pair = |o: &serde_json::Map<String, Value>| -> Option<(String, String)> {
        for (a, b) in [
            ("first", "last"),
            ("start", "end"),
            ("from", "to"),
            ("min", "max"),
        ] {
            if let (Some(x), Some(y)) = (o.get(a).and_then(json_time), o.get(b).and_then(json_time))
            {
                return Some((x, y));
            }
        }
        None
    };
    let (a, b) = match j.get("time_span") {
        Some(Value::Object(o)) => pair(o)?,
        Some(Value::Array(a)) if a.len() == 2 => (json_time(&a[0])?, json_time(&a[1])?),
        Some(other @ Value::String(_)) => return json_time(other),
        _ => pair(j)?,
    };
    Some(format!("{a} — {b}"))
}

/// Fields of the operation object that no other part of the section shows.
fn other_fields(json: Option<&serde_json::Map<String, Value>>) -> Markup {
    const SHOWN: [&str; 17] = [
        "id",
        "kind",
        "accounts",
        "members",
        "beneficiaries",
        "infrastructure",
        "time_span",
        "first",
        "last",
        "start",
        "end",
        "from",
        "to",
        "score",
        "signals",
        "reasons",
        "targets",
    ];
    let rest: Vec<(&String, &Value)> = json
        .map(|j| {
            j.iter()
                .filter(|(k, _)| !SHOWN.contains(&k.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let targets = json.and_then(|j| j.get("targets"));
    html! {
        @if !rest.is_empty() || targets.is_some() {
            details.other {
                summary { "Other fields of operations.json" }
                @if let Some(t) = targets { (named_list("targets", t, 20)) }
                @if !rest.is_empty() {
                    dl {
                        @for (k, v) in rest {
                            dt { (k) } dd { code { (compact(v)) } }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_counts_sorts_by_count_then_id_and_skips_none() {
        let got = top_counts([3, 1, 3, NONE, 2, 1, 3].into_iter());
        assert_eq!(got, [(3, 3), (1, 2), (2, 1)]);
    }

    #[test]
    fn sample_spreads_evenly() {
        assert_eq!(sample((0..10).collect(), 5), [0, 2, 4, 6, 8]);
        assert_eq!(sample(vec![1, 2], 5), [1, 2]);
        assert!(sample(vec![1, 2], 0).is_empty());
    }

    #[test]
    fn json_time_spans_in_several_shapes() {
        let j = |s: &str| serde_json::from_str::<serde_json::Map<String, Value>>(s).unwrap();
        assert_eq!(
            json_time_span(&j(
                r#"{"time_span": {"first": 1700000000000, "last": 1700000060}}"#
            )),
            Some("2023-11-14 22:13:20 UTC — 2023-11-14 22:14:20 UTC".into())
        );
        assert_eq!(
            json_time_span(&j(r#"{"time_span": ["a", "b"]}"#)),
            Some("a — b".into())
        );
        assert_eq!(
            json_time_span(&j(r#"{"start": "x", "end": "y"}"#)),
            Some("x — y".into())
        );
        assert_eq!(json_time_span(&j(r#"{"id": 1}"#)), None);
    }

    #[test]
    fn compact_shows_objects_briefly() {
        let v: Value =
            serde_json::from_str(r#"{"a": 1, "b": [1,2], "c": {"d": 1}, "e": "x"}"#).unwrap();
        assert_eq!(compact(&v), "a: 1, b: [2 items], c: {…}, e: x");
        assert_eq!(compact(&Value::String("<b>".into())), "<b>");
    }
}
