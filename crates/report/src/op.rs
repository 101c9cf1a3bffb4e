//! One operation's section: why it was found, its plots (the lockstep picture; a follower
//! vendor's customers' inflow; a harvest's hours and victims), who benefited or whose data was
//! read, and what infrastructure it used.

use std::collections::HashSet;

use lockstep_core::intern::ip_from_key;
use lockstep_core::{EventLog, Id, NONE, action};
use maud::{Markup, PreEscaped, html};
use serde_json::Value;

use crate::activity;
use crate::findings::{Findings, scalar};
use crate::fmt::{count, datetime, duration, truncate};
use crate::index::{OpIndex, ReportIndex};
use crate::svg::{Dot, PALETTE, colour, hours_svg, inflow_svg, lockstep_svg, victims_svg};

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
/// An operation whose events are mostly reads (a harvest) is drawn as its reads by hour of day
/// and the accounts whose data it read over time; one whose events are mostly follows gets each
/// customer's follower inflow against its own past before the accounts × time picture.
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
    let flagged = o.flagged > 0;
    let basis: Vec<u32> = if flagged {
        o.flagged_events().collect()
    } else {
        o.events.clone()
    };
    // Reads (of profiles, friend lists, posts) harm whose data was read; the rest of the
    // engagement benefits the owners of what was engaged with.
    let (reads, engagements): (Vec<u32>, Vec<u32>) = basis
        .iter()
        .partition(|&&e| log.action()[e as usize] == action::VIEW);
    let follows = engagements
        .iter()
        .filter(|&&e| log.action()[e as usize] == action::FOLLOW)
        .count();
    let harvest = reads.len() * 2 > basis.len();
    let drip = !harvest && follows * 2 > basis.len();
    let words = Words::new(flagged);
    let targets = top_counts(basis.iter().map(|&e| log.target()[e as usize]));
    let n = limits.max_table_rows;
    let score = json.and_then(|j| j.get("score")).and_then(Value::as_f64);
    let members_total = o.members.len() + o.unknown_members;
    let span = match (basis.first(), basis.last()) {
        (Some(&a), Some(&b)) => Some((log.ts()[a as usize], log.ts()[b as usize])),
        _ => None,
    };

    // The plots, in the order they are shown.
    let mut figures: Vec<Markup> = Vec::new();
    let mut plots: Vec<Plot> = Vec::new();
    let named_beneficiaries = json
        .and_then(|j| j.get("beneficiaries"))
        .and_then(Value::as_array)
        .map(Vec::len);
    if drip && let Some(inf) = activity::inflow(log, index, op, &basis, 6) {
        let svg = inflow_svg(&inf.panels, inf.t0, inf.bucket_ms, inf.unit);
        figures.push(html! {
            figure {
                h4 { "Follower inflow per customer" }
                (PreEscaped(&svg))
                figcaption { (inflow_caption(&inf, named_beneficiaries)) }
            }
        });
        plots.push(Plot {
            file_name: "inflow.svg".to_owned(),
            title: format!(
                "follows per {} of the customers of operation {}",
                inf.unit, o.id
            ),
            svg,
        });
    }
    if harvest {
        let (mine, others) = activity::reads_by_hour(log, index, &reads);
        let svg = hours_svg(&mine, &others);
        figures.push(html! {
            figure {
                h4 { "Reads by hour of day" }
                (PreEscaped(&svg))
                figcaption { (hours_caption(&mine, &others, words)) }
            }
        });
        plots.push(Plot {
            file_name: "reads-by-hour.svg".to_owned(),
            title: format!("reads by hour of day of operation {}", o.id),
            svg,
        });
        if let Some(h) = activity::harvest(log, &reads) {
            let svg = victims_svg(&h.reads, &h.victims, h.t0, h.bucket_ms, h.unit);
            figures.push(html! {
                figure {
                    h4 { "Reads and victims over time" }
                    (PreEscaped(&svg))
                    figcaption { (harvest_caption(log, &h, &reads, words)) }
                }
            });
            plots.push(Plot {
                file_name: "victims.svg".to_owned(),
                title: format!("reads and victims over time of operation {}", o.id),
                svg,
            });
        }
    } else {
        let (svg, stats) = picture(log, index, op, &targets, limits);
        figures.push(html! {
            figure {
                h4 { "Accounts × time" }
                (PreEscaped(&svg))
                figcaption { (caption(&stats)) }
                (legend(log, &targets, &basis, words.events))
            }
        });
        plots.push(Plot {
            file_name: "lockstep.svg".to_owned(),
            title: format!("accounts × time of operation {}", o.id),
            svg,
        });
    }

    let owners_of = |events: &[u32]| top_counts(events.iter().map(|&e| log.owner()[e as usize]));
    let named_victims = json
        .and_then(|j| j.get("victims"))
        .is_some_and(|v| !is_empty_list(v));
    let victims_block = html! {
        h4 { "Whose data was read" }
        @if reads.is_empty() {
            p.muted { "None of these events is a read." }
        } @else {
            p.muted {
                "The accounts whose profiles, friend lists or posts the " (count(reads.len() as u64))
                " " (words.reads) " read: victims, not customers."
            }
            (owner_table(log, "account read", &owners_of(&reads), reads.len(), words.reads, n))
        }
        @if let Some(v) = json.and_then(|j| j.get("victims")) {
            (named_list("victims named in operations.json", v, n))
        }
    };
    let named_benef = json.and_then(|j| j.get("beneficiaries"));
    let benef_block = html! {
        h4 { "Beneficiaries" }
        @if engagements.is_empty() {
            p.muted {
                @if harvest {
                    "None in the log: a harvest reads, and the data serves whoever bought it."
                } @else {
                    "No engagement among these events."
                }
                @if named_benef.is_some_and(|b| b.as_array().is_some_and(Vec::is_empty)) {
                    " operations.json names none."
                }
            }
        } @else {
            @if !reads.is_empty() {
                p.muted {
                    "Not reads: " (count(engagements.len() as u64)) " of the "
                    (count(basis.len() as u64)) " " (words.events) " ("
                    (action_mix(log, &engagements)) "); below, the owners of what they engaged "
                    "with. The reads are under “Whose data was read”."
                }
            }
            (owner_table(log, "owner", &owners_of(&engagements), engagements.len(), words.engagements, n))
        }
        @if let Some(b) = named_benef {
            (named_list("named in operations.json", b, n))
        }
    };
    let named = NamedInfra::of(json);
    let ips = counts_with_accounts(log, &basis, log.ip());
    let devices = counts_with_accounts(log, &basis, log.device());
    let clients = counts_with_accounts(log, &basis, log.client());
    let nets = networks(log, &basis, &ips);
    let marks = |set| named.present.then_some(set);
    let ip_name = |id: Id| log.ips.resolve(id).to_string();
    let device = |id: Id| device_label(log, id);
    let device_name = |id: Id| log.devices.resolve(id).to_owned();
    let client_name = |id: Id| log.clients.resolve(id).to_owned();

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
                        dt { "time span (" (words.events) ")" }
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
                (reason_table(o, n))
            }
            @for f in &figures { (f) }
            div.grid {
                div {
                    @if harvest {
                        (victims_block) (benef_block)
                    } @else {
                        (benef_block)
                        @if !reads.is_empty() || named_victims {
                            (victims_block)
                        }
                    }
                    @if let Some(v) = json.and_then(|j| j.get("suspicious")) {
                        (named_list("suspicious accounts the same evidence points at", v, n))
                    }
                }
                div {
                    h4 { "Infrastructure" }
                    p.muted {
                        "What the " (count(basis.len() as u64)) " " (words.events)
                        " came through, from the log: each address, network, device and client "
                        "with the accounts that used it for them and its events."
                        @if named.present {
                            " ✓ named: in operations.json's infrastructure of the operation ("
                            (named.summary()) "): what several members used for its work and "
                            "few others did."
                        }
                    }
                    (infra_table("IP", &ips, n, marks(&named.ips), ip_name, ip_name))
                    (net_table(&nets, n, marks(&named.nets)))
                    (infra_table("device", &devices, n, marks(&named.devices), device, device_name))
                    (infra_table("client", &clients, n, marks(&named.clients), client_name, client_name))
                    (named.unmatched(log, &ips, &nets, &devices, &clients, n))
                }
            }
            (members(log, o, n * 2))
            (other_fields(json))
        }
    };
    OperationSection {
        id: o.id.clone(),
        anchor,
        html: markup.into_string(),
        plots,
    }
}

/// The words for the counts of one section: its events are flagged, or (when nothing is) they
/// are every event of its members.
#[derive(Debug, Clone, Copy)]
struct Words {
    events: &'static str,
    reads: &'static str,
    engagements: &'static str,
}

impl Words {
    fn new(flagged: bool) -> Self {
        if flagged {
            Words {
                events: "flagged events",
                reads: "flagged reads",
                engagements: "fake engagements",
            }
        } else {
            Words {
                events: "events",
                reads: "reads",
                engagements: "engagements",
            }
        }
    }
}

/// `17 like, 5 follow, 2 share`: the actions of `events`, most frequent first.
fn action_mix(log: &EventLog, events: &[u32]) -> String {
    let mut by: Vec<(usize, &str)> =
        top_counts(events.iter().map(|&e| Id::from(log.action()[e as usize])))
            .into_iter()
            .map(|(a, c)| (c, log.verbs.name(a as u8)))
            .collect();
    by.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    by.iter()
        .map(|(c, a)| format!("{} {a}", count(*c as u64)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a JSON value is an empty list (or null).
fn is_empty_list(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.is_empty(),
        Value::Null => true,
        _ => false,
    }
}

/// The reason codes of the operation, each with the members whose verdict gives it, the flagged
/// events that give it and the accounts that made those, and a caption saying which codes
/// describe accounts only and which events only.
fn reason_table(o: &OpIndex, n: usize) -> Markup {
    let only_accounts: Vec<&str> = o
        .reasons
        .iter()
        .filter(|r| r.events == 0)
        .map(|r| r.code.as_str())
        .collect();
    let only_events: Vec<&str> = o
        .reasons
        .iter()
        .filter(|r| r.accounts == 0)
        .map(|r| r.code.as_str())
        .collect();
    let cell = |v: usize| {
        if v == 0 {
            "—".to_owned()
        } else {
            count(v as u64)
        }
    };
    html! {
        @if !o.reasons.is_empty() {
            table.num.reasons {
                thead { tr {
                    th { "reason code" }
                    th { "members whose verdict gives it" }
                    th { "flagged events that give it" }
                    th { "accounts that made those" }
                } }
                tbody {
                    @for r in o.reasons.iter().take(n) {
                        tr {
                            td { code { (r.code) } }
                            td { (cell(r.accounts)) }
                            td { (cell(r.events)) }
                            td { (cell(r.event_accounts)) }
                        }
                    }
                }
            }
            (more(o.reasons.len(), n, "reason codes"))
            p.muted.caption {
                "Members: the operation's accounts whose verdict (verdicts.csv) gives the code; "
                "flagged events: its events in flagged_events.csv that give it, and how many "
                "accounts made them. — : not given there."
                @if !only_accounts.is_empty() {
                    " Given only to accounts here, describing the account: "
                    @for (i, c) in only_accounts.iter().enumerate() {
                        @if i > 0 { ", " }
                        code { (c) }
                    }
                    "."
                }
                @if !only_events.is_empty() {
                    " Given only to events here, describing the event: "
                    @for (i, c) in only_events.iter().enumerate() {
                        @if i > 0 { ", " }
                        code { (c) }
                    }
                    " — their accounts are counted under the codes of their own verdicts."
                }
            }
        }
    }
}

fn inflow_caption(inf: &activity::Inflow, named: Option<usize>) -> Markup {
    let fallback = inf.panels.iter().any(|p| !p.baseline_before);
    let elsewhere = inf
        .panels
        .iter()
        .any(|p| p.buckets.iter().any(|b| b[2] > 0));
    html! {
        "Follows received per " (inf.unit) " (UTC), over the whole log, by the accounts that "
        "received the most of its flagged follows (" (count(inf.panels.len() as u64)) " of the "
        (count(inf.customers as u64)) " it followed"
        @if let Some(b) = named { "; beneficiaries in operations.json: " (count(b as u64)) }
        "): "
        "this operation's flagged follows in red, on top of "
        @if elsewhere { "follows flagged for another operation (orange) and " }
        "follows nobody was flagged for (grey). The dashed line is the customer's usual "
        (inf.unit) ": the median of its " (inf.unit) "s before the operation's first follow of it"
        @if fallback {
            " (\u{201c}unflagged\u{201d}: with fewer than " (activity::MIN_PAST) " of those in the log, "
            "the median of its follows nobody was flagged for)"
        }
        ". A bought drip stands well above it for days on end."
    }
}

fn hours_caption(mine: &[u64; 24], others: &[u64; 24], words: Words) -> Markup {
    let ratio = |v: &[u64; 24]| {
        let (lo, hi) = (
            v.iter().copied().min().unwrap_or(0),
            v.iter().copied().max().unwrap_or(0),
        );
        lo as f64 / hi.max(1) as f64 * 100.0
    };
    html! {
        "When the " (count(mine.iter().sum())) " " (words.reads) " happened, by hour of day (UTC), "
        "in percent of them (bars), against the " (count(others.iter().sum()))
        " reads of the log nobody was flagged for (line). People read in their waking hours; "
        "a machine reads around the clock. This operation's quietest hour has "
        (format!("{:.0}", ratio(mine))) " % as many reads as its busiest; for the others it is "
        (format!("{:.0}", ratio(others))) " %."
    }
}

fn harvest_caption(log: &EventLog, h: &activity::Harvest, reads: &[u32], words: Words) -> Markup {
    let victims = h.victims.last().copied().unwrap_or(0);
    let end = reads.last().map_or(0, |&e| log.ts()[e as usize]);
    html! {
        "Top: the " (words.reads) " per " (h.unit) " (UTC). Bottom: how many accounts' profiles, "
        "friend lists or posts it had read so far (the owners of what it read): "
        (count(victims)) " by " (datetime(end)) " UTC, "
        (percent(share(victims as usize, log.accounts.len()))) " of the log's "
        (count(log.accounts.len() as u64)) " accounts."
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

/// (id, events, distinct accounts) of the non-[`NONE`] values of `col` over `events`, most
/// events first (ties by id): one sort of (value, account) pairs.
pub(crate) fn counts_with_accounts(
    log: &EventLog,
    events: &[u32],
    col: &[Id],
) -> Vec<(Id, usize, usize)> {
    let mut v: Vec<(Id, Id)> = events
        .iter()
        .map(|&e| (col[e as usize], log.actor()[e as usize]))
        .filter(|p| p.0 != NONE)
        .collect();
    v.sort_unstable();
    let mut out: Vec<(Id, usize, usize)> = Vec::new();
    let mut last: Option<(Id, Id)> = None;
    for p in v {
        match out.last_mut() {
            Some(r) if r.0 == p.0 => {
                r.1 += 1;
                if last != Some(p) {
                    r.2 += 1;
                }
            }
            _ => out.push((p.0, 1, 1)),
        }
        last = Some(p);
    }
    out.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// One /24 (IPv4) or /48 (IPv6) network of an operation's events.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Network {
    name: String,
    events: usize,
    accounts: usize,
    ips: usize,
}

/// The /24 (IPv4) or /48 (IPv6) networks of `events`' IPs, most events first; `ips` are their
/// addresses as [`counts_with_accounts`] gives them.
fn networks(log: &EventLog, events: &[u32], ips: &[(Id, usize, usize)]) -> Vec<Network> {
    let net_of = |id: Id| {
        let key = log.ips.key(id);
        let v4 = ip_from_key(key).is_ipv4();
        let mask = if v4 { !0xffu128 } else { !0u128 << 80 };
        (key & mask, v4)
    };
    // (network, account) of every event with an address, and (network) of each address.
    let mut pairs: Vec<((u128, bool), Id)> = events
        .iter()
        .filter(|&&e| log.ip()[e as usize] != NONE)
        .map(|&e| (net_of(log.ip()[e as usize]), log.actor()[e as usize]))
        .collect();
    pairs.sort_unstable();
    let mut addrs: Vec<(u128, bool)> = ips.iter().map(|r| net_of(r.0)).collect();
    addrs.sort_unstable();
    let mut out: Vec<((u128, bool), usize, usize)> = Vec::new();
    let mut last: Option<((u128, bool), Id)> = None;
    for p in pairs {
        match out.last_mut() {
            Some(r) if r.0 == p.0 => {
                r.1 += 1;
                if last != Some(p) {
                    r.2 += 1;
                }
            }
            _ => out.push((p.0, 1, 1)),
        }
        last = Some(p);
    }
    out.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out.into_iter()
        .map(|((net, v4), events, accounts)| {
            let bits = if v4 { 24 } else { 48 };
            let lo = addrs.partition_point(|a| *a < (net, v4));
            let hi = addrs.partition_point(|a| *a <= (net, v4));
            Network {
                name: format!("{}/{bits}", ip_from_key(net)),
                events,
                accounts,
                ips: hi - lo,
            }
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

/// Owners (of what was engaged with, or whose data was read) with their counts and share of
/// `total` events; the first column is headed `who`.
fn owner_table(
    log: &EventLog,
    who: &str,
    owners: &[(Id, usize)],
    total: usize,
    what: &str,
    n: usize,
) -> Markup {
    html! {
        @if owners.is_empty() {
            p.muted { "No owner recorded on these events." }
        } @else {
            table.num {
                thead { tr { th { (who) } th { (what) } th { "share" } } }
                tbody {
                    @for (id, c) in owners.iter().take(n) {
                        tr {
                            td { code { (truncate(log.accounts.resolve(*id), 60)) } }
                            td { (count(*c as u64)) }
                            td.barcell {
                                span.bar style={ "width:" (format!("{:.0}", share(*c, total) * 0.8)) "px" } {}
                                (percent(share(*c, total)))
                            }
                        }
                    }
                }
            }
            (more(owners.len(), n, "more"))
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

/// What `operations.json` names as an operation's infrastructure, by kind, as written.
#[derive(Debug, Default)]
struct NamedInfra {
    /// Whether the operation has an `infrastructure` object at all.
    present: bool,
    ips: HashSet<String>,
    nets: HashSet<String>,
    devices: HashSet<String>,
    clients: HashSet<String>,
    /// Lists under other keys, shown as they are.
    other: Vec<(String, Value)>,
}

impl NamedInfra {
    const IPS: [&'static str; 2] = ["ips", "ip"];
    const NETS: [&'static str; 6] = [
        "subnets",
        "ip_ranges",
        "ranges",
        "networks",
        "cidrs",
        "nets",
    ];
    const DEVICES: [&'static str; 1] = ["devices"];
    const CLIENTS: [&'static str; 2] = ["clients", "apps"];

    fn of(json: Option<&serde_json::Map<String, Value>>) -> Self {
        let Some(Value::Object(infra)) = json.and_then(|j| j.get("infrastructure")) else {
            return Self::default();
        };
        let mut out = Self {
            present: true,
            ..Self::default()
        };
        for (k, v) in sorted(infra) {
            let set = if Self::IPS.contains(&k.as_str()) {
                &mut out.ips
            } else if Self::NETS.contains(&k.as_str()) {
                &mut out.nets
            } else if Self::DEVICES.contains(&k.as_str()) {
                &mut out.devices
            } else if Self::CLIENTS.contains(&k.as_str()) {
                &mut out.clients
            } else {
                out.other.push((k.clone(), v.clone()));
                continue;
            };
            let items: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                Value::Null => Vec::new(),
                other => vec![other],
            };
            set.extend(items.into_iter().filter_map(item_key));
        }
        out
    }

    /// `12 IPs, 1 network, 0 devices, 1 client`.
    fn summary(&self) -> String {
        let n = |c: usize, one: &str, many: &str| {
            format!("{} {}", count(c as u64), if c == 1 { one } else { many })
        };
        [
            n(self.ips.len(), "IP", "IPs"),
            n(self.nets.len(), "network", "networks"),
            n(self.devices.len(), "device", "devices"),
            n(self.clients.len(), "client", "clients"),
        ]
        .join(", ")
    }

    /// What `operations.json` names that none of the tables shows, and its other lists.
    fn unmatched(
        &self,
        log: &EventLog,
        ips: &[(Id, usize, usize)],
        nets: &[Network],
        devices: &[(Id, usize, usize)],
        clients: &[(Id, usize, usize)],
        n: usize,
    ) -> Markup {
        let rest = |named: &HashSet<String>, shown: Vec<String>| -> Vec<String> {
            let shown: HashSet<String> = shown.into_iter().collect();
            let mut v: Vec<String> = named.difference(&shown).cloned().collect();
            v.sort();
            v
        };
        let lists = [
            (
                "IPs",
                rest(
                    &self.ips,
                    ips.iter()
                        .map(|r| log.ips.resolve(r.0).to_string())
                        .collect(),
                ),
            ),
            (
                "networks",
                rest(&self.nets, nets.iter().map(|r| r.name.clone()).collect()),
            ),
            (
                "devices",
                rest(
                    &self.devices,
                    devices
                        .iter()
                        .map(|r| log.devices.resolve(r.0).to_owned())
                        .collect(),
                ),
            ),
            (
                "clients",
                rest(
                    &self.clients,
                    clients
                        .iter()
                        .map(|r| log.clients.resolve(r.0).to_owned())
                        .collect(),
                ),
            ),
        ];
        html! {
            @for (what, items) in &lists {
                @if !items.is_empty() {
                    (named_list(
                        &format!("{what} named in operations.json that none of these events came through"),
                        &Value::Array(items.iter().cloned().map(Value::String).collect()),
                        n,
                    ))
                }
            }
            @for (k, v) in &self.other {
                (named_list(&format!("{k} (operations.json)"), v, n))
            }
        }
    }
}

/// The id of a list item of `operations.json`: a string or number as it is, an object by its
/// id-like field.
fn item_key(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => ITEM_IDS.iter().find_map(|k| o.get(*k).and_then(scalar)),
        other => scalar(other),
    }
}

/// One kind of infrastructure: each value with the accounts that used it for these events and
/// how many events came through it; ✓ where `named` (by operations.json) holds its key.
fn infra_table(
    what: &str,
    rows: &[(Id, usize, usize)],
    n: usize,
    named: Option<&HashSet<String>>,
    label: impl Fn(Id) -> String,
    key: impl Fn(Id) -> String,
) -> Markup {
    html! {
        @if !rows.is_empty() {
            table.num {
                thead { tr {
                    th { (what) " (" (count(rows.len() as u64)) ")" }
                    th { "accounts" }
                    th { "events" }
                    @if named.is_some() { th { "named" } }
                } }
                tbody {
                    @for (id, c, a) in rows.iter().take(n) {
                        tr {
                            td { code { (truncate(&label(*id), 60)) } }
                            td { (count(*a as u64)) }
                            td { (count(*c as u64)) }
                            @if let Some(named) = named {
                                td { @if named.contains(&key(*id)) { "✓" } }
                            }
                        }
                    }
                }
            }
            (more(rows.len(), n, "more"))
        }
    }
}

fn net_table(nets: &[Network], n: usize, named: Option<&HashSet<String>>) -> Markup {
    html! {
        @if !nets.is_empty() {
            table.num {
                thead { tr {
                    th { "network (" (count(nets.len() as u64)) ")" }
                    th { "accounts" }
                    th { "events" }
                    th { "IPs" }
                    @if named.is_some() { th { "named" } }
                } }
                tbody {
                    @for net in nets.iter().take(n) {
                        tr {
                            td { code { (net.name) } }
                            td { (count(net.accounts as u64)) }
                            td { (count(net.events as u64)) }
                            td { (count(net.ips as u64)) }
                            @if let Some(named) = named {
                                td { @if named.contains(&net.name) { "✓" } }
                            }
                        }
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

/// The id-like fields of a list item object, in the order they are looked for.
const ITEM_IDS: [&str; 12] = [
    "id", "account", "owner", "target", "ip", "subnet", "range", "cidr", "prefix", "device",
    "client", "name",
];

/// One item of a list: an object as its id-like field with the rest in parentheses.
fn item(v: &Value) -> String {
    let Value::Object(o) = v else {
        return compact(v);
    };
    let Some((key, id)) = ITEM_IDS
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
    const SHOWN: [&str; 19] = [
        "id",
        "kind",
        "accounts",
        "members",
        "beneficiaries",
        "victims",
        "suspicious",
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
