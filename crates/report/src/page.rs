//! The whole page: summary, operations, corrected counts, notes on the input.

use std::collections::BTreeMap;

use lockstep_core::EventLog;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde_json::Value;

use crate::findings::{Findings, scalar};
use crate::fmt::{count, datetime, duration, truncate};
use crate::index::ReportIndex;
use crate::op::{OperationSection, PlotLimits, compact, render_operation_section, sorted};
use crate::svg::{Bar, corrections_svg};

/// The stylesheet of the report (inline; no external fonts or files).
pub const STYLE: &str = r#"
:root{--fg:#1d1d1f;--muted:#666;--line:#ddd;--accent:#4e79a7;--hot:#e15759}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);margin:0;background:#f0f1f4}
main{max-width:1040px;margin:0 auto;padding:16px 28px 48px;background:#fff;min-height:100vh}
h1{font-size:24px;margin:8px 0 2px}
h2{font-size:19px;margin:30px 0 8px;border-bottom:2px solid var(--line);padding-bottom:4px}
h3{display:inline;font-size:16px;margin:0}
h4{font-size:14px;margin:14px 0 6px}
h5{font-size:13px;margin:10px 0 4px}
table{border-collapse:collapse;margin:4px 0 8px;font-size:13px}
th,td{border-bottom:1px solid #eee;padding:3px 12px 3px 0;text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:600}
table.num td:not(:first-child),table.num th:not(:first-child){text-align:right}
table.legend td:first-child{width:18px}
.n{text-align:right}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.muted{color:var(--muted)}
.lede{color:var(--muted);margin:0 0 12px}
details.op{border:1px solid var(--line);border-radius:6px;margin:16px 0;padding:8px 16px}
details.op>summary{cursor:pointer}
details>summary{cursor:pointer}
.badges{margin-left:10px}
.badge{display:inline-block;background:#eef2f7;border-radius:10px;padding:1px 8px;margin:0 3px;font-size:12px}
.badge.hot{background:#fde8e8;color:#a11}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:0 28px}
.cards{display:flex;flex-wrap:wrap;gap:4px 40px;align-items:flex-start}
svg.plot{max-width:100%;height:auto;display:block}
figure{margin:8px 0}
figcaption,p.caption{color:var(--muted);font-size:12px;margin:4px 0 6px}
.swatch{display:inline-block;width:11px;height:11px;border-radius:50%;vertical-align:middle}
.barcell{white-space:nowrap}
.bar{display:inline-block;height:9px;background:var(--accent);margin-right:6px;vertical-align:middle}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:4px 0;font-size:13px}
dt{color:var(--muted)}
dd{margin:0}
ul.signals{margin:2px 0 8px;padding-left:18px;font-size:13px}
p.named,p.ids{font-size:13px;margin:4px 0}
nav{font-size:13px}
nav ul{margin:4px 0;padding-left:18px;columns:2}
@media print{details{break-inside:avoid}}
@media (max-width:760px){.grid{grid-template-columns:1fr}}
"#;

/// Renders the whole page.
pub(crate) fn page(
    log: &EventLog,
    findings: &Findings,
    index: &ReportIndex,
    limits: &PlotLimits,
) -> String {
    let sections: Vec<OperationSection> = (0..index.ops.len())
        .map(|k| render_operation_section(log, findings, index, k, limits))
        .collect();
    let verdicts = verdict_counts(findings);
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "lockstep report" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main {
                    h1 { "lockstep report" }
                    p.lede {
                        (count(log.len() as u64)) " events · "
                        (count(findings.verdicts.len() as u64)) " accounts judged · "
                        (count(index.ops.len() as u64)) " operations · "
                        (count(index.flagged_in_log as u64)) " flagged events"
                    }
                    nav {
                        b { "Contents" }
                        ul {
                            li { a href="#summary" { "Summary" } }
                            li { a href="#operations" { "Operations" } }
                            @for (s, o) in sections.iter().zip(&index.ops) {
                                li {
                                    a href={ "#" (s.anchor) } { code { (truncate(&s.id, 40)) } }
                                    @if !o.kind.is_empty() { " " span.muted { (o.kind) } }
                                }
                            }
                            li { a href="#corrections" { "Corrected counts" } }
                            @if !findings.bursts.is_empty() {
                                li { a href="#bursts" { "Bursts" } }
                            }
                            li { a href="#notes" { "Notes on the input" } }
                        }
                    }
                    section #summary {
                        h2 { "Summary" }
                        div.cards {
                            (run_table(log, findings, index))
                            (verdict_table(&verdicts, log))
                            (kind_table(index))
                        }
                        @if let Some(s) = &findings.summary {
                            (summary_json(s))
                        }
                    }
                    section #operations {
                        h2 { "Operations" }
                        @if index.ops.is_empty() {
                            p.muted { "No operations were found." }
                        } @else {
                            (ops_table(log, findings, index, &sections))
                            @for s in &sections {
                                (PreEscaped(&s.html))
                            }
                        }
                    }
                    section #corrections {
                        h2 { "Corrected counts" }
                        (corrections(findings))
                    }
                    @if !findings.bursts.is_empty() {
                        section #bursts {
                            h2 { "Bursts" }
                            (bursts(findings))
                        }
                    }
                    section #notes {
                        h2 { "Notes on the input" }
                        (notes(findings, index))
                    }
                }
            }
        }
    };
    markup.into_string()
}

/// (verdict, accounts), in the contract's order first, then any other verdict by name.
fn verdict_counts(f: &Findings) -> Vec<(String, usize)> {
    let mut by_label = vec![0usize; f.labels.len()];
    for v in &f.verdicts {
        by_label[v.verdict as usize] += 1;
    }
    let order = |v: &str| {
        ["fake", "compromised", "suspicious", "ok"]
            .iter()
            .position(|x| *x == v)
            .unwrap_or(4)
    };
    let mut out: Vec<(String, usize)> = by_label
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(l, c)| (f.labels.name(l as u32).to_owned(), *c))
        .collect();
    out.sort_by(|a, b| order(&a.0).cmp(&order(&b.0)).then(a.0.cmp(&b.0)));
    out
}

/// The value at the first of `paths` (dotted) present in `v`.
fn lookup<'a>(v: &'a Value, paths: &[&str]) -> Option<&'a Value> {
    paths.iter().find_map(|p| {
        p.split('.')
            .try_fold(v, |v, k| v.get(k))
            .filter(|v| !v.is_null())
    })
}

/// A summary value for display: a scalar as it is; an object by its count-like field, else
/// compacted.
fn show(v: &Value) -> String {
    if let Value::Object(o) = v
        && let Some(c) = ["count", "total", "lines", "rows"]
            .iter()
            .find_map(|k| o.get(*k).and_then(scalar))
    {
        return c;
    }
    match v {
        Value::Number(n) => n.as_u64().map_or_else(|| n.to_string(), count),
        other => scalar(other).unwrap_or_else(|| compact(other)),
    }
}

fn run_table(log: &EventLog, f: &Findings, index: &ReportIndex) -> Markup {
    let s = f.summary.as_ref();
    let policy = s.and_then(|s| {
        lookup(
            s,
            &[
                "policy_version",
                "policy.version",
                "policy.name",
                "policy",
                "config.policy_version",
            ],
        )
    });
    let schema = s.and_then(|s| lookup(s, &["schema_version", "schema"]));
    let rejected = s.and_then(|s| {
        lookup(
            s,
            &[
                "rejected_lines",
                "rejected",
                "counts.rejected",
                "counts.rejected_lines",
                "input.rejected",
                "ingest.rejected",
            ],
        )
    });
    let sources: Vec<&str> = log.sources().iter().map(|s| s.name.as_str()).collect();
    html! {
        table {
            tbody {
                tr { th { "events" } td { (count(log.len() as u64)) } }
                @if let Some((a, b)) = log.time_span() {
                    tr { th { "time span" } td { (datetime(a)) " — " (datetime(b)) " UTC (" (duration(b - a)) ")" } }
                }
                tr { th { "accounts in the log" } td { (count(log.accounts.len() as u64)) } }
                tr { th { "targets" } td { (count(log.targets.len() as u64)) } }
                tr { th { "flagged events" } td {
                    (count(index.flagged_in_log as u64))
                    @if index.flagged_missing > 0 {
                        " (" (count(index.flagged_missing as u64)) " not in the log)"
                    }
                } }
                tr { th { "policy version" } td { (policy.map_or("—".to_owned(), show)) } }
                tr { th { "rejected lines" } td { (rejected.map_or("—".to_owned(), show)) } }
                @if let Some(v) = schema { tr { th { "schema version" } td { (show(v)) } } }
                @if !sources.is_empty() {
                    tr { th { "sources" } td {
                        @for (i, s) in sources.iter().take(5).enumerate() {
                            @if i > 0 { ", " }
                            code { (truncate(s, 60)) }
                        }
                        @if sources.len() > 5 { " … and " (sources.len() - 5) " more" }
                    } }
                }
            }
        }
    }
}

fn verdict_table(verdicts: &[(String, usize)], log: &EventLog) -> Markup {
    let judged: usize = verdicts.iter().map(|v| v.1).sum();
    html! {
        table.num {
            thead { tr { th { "accounts by verdict" } th { "accounts" } th { "share" } } }
            tbody {
                @if verdicts.is_empty() {
                    tr { td.muted colspan="3" { "no verdicts.csv" } }
                }
                @for (v, c) in verdicts {
                    tr {
                        td { (if v.is_empty() { "(empty)" } else { v }) }
                        td { (count(*c as u64)) }
                        td { (format!("{:.1} %", *c as f64 / judged.max(1) as f64 * 100.0)) }
                    }
                }
                @if log.accounts.len() > judged && judged > 0 {
                    tr.muted {
                        td { "no verdict (owners, side file)" }
                        td { (count((log.accounts.len() - judged) as u64)) }
                        td {}
                    }
                }
            }
        }
    }
}

fn kind_table(index: &ReportIndex) -> Markup {
    // kind → (operations, accounts, flagged events)
    let mut kinds: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for o in &index.ops {
        let k = kinds.entry(o.kind.as_str()).or_default();
        k.0 += 1;
        k.1 += o.members.len() + o.unknown_members;
        k.2 += o.flagged;
    }
    html! {
        table.num {
            thead { tr { th { "operations by kind" } th { "operations" } th { "accounts" } th { "flagged events" } } }
            tbody {
                @if kinds.is_empty() { tr { td.muted colspan="4" { "none" } } }
                @for (k, (n, a, e)) in &kinds {
                    tr {
                        td { (if k.is_empty() { "(unknown)" } else { k }) }
                        td { (count(*n as u64)) }
                        td { (count(*a as u64)) }
                        td { (count(*e as u64)) }
                    }
                }
            }
        }
    }
}

fn summary_json(s: &Value) -> Markup {
    let mut rows: Vec<(String, String)> = Vec::new();
    if let Value::Object(o) = s {
        for (k, v) in sorted(o) {
            match v {
                Value::Object(inner) if !inner.is_empty() => {
                    for (k2, v2) in sorted(inner) {
                        rows.push((format!("{k}.{k2}"), compact(v2)));
                    }
                }
                other => rows.push((k.clone(), compact(other))),
            }
        }
    } else {
        rows.push(("(value)".to_owned(), compact(s)));
    }
    html! {
        details.summaryjson {
            summary { "Everything in summary.json (" (rows.len()) " fields)" }
            table {
                tbody {
                    @for (k, v) in rows.iter().take(200) {
                        tr { th { code { (k) } } td { code { (v) } } }
                    }
                }
            }
        }
    }
}

fn ops_table(
    log: &EventLog,
    f: &Findings,
    index: &ReportIndex,
    sections: &[OperationSection],
) -> Markup {
    html! {
        table.ops {
            thead { tr {
                th { "operation" } th { "kind" } th.n { "accounts" } th.n { "flagged events" }
                th.n { "score" } th { "first flagged (UTC)" } th.n { "span" }
            } }
            tbody {
                @for (k, (o, s)) in index.ops.iter().zip(sections).enumerate() {
                    @let span = first_last_flagged(log, index, k);
                    @let score = o.json.and_then(|j| f.operations[j].fields.get("score")).and_then(Value::as_f64);
                    tr {
                        td { a href={ "#" (s.anchor) } { code { (truncate(&o.id, 40)) } } }
                        td { (o.kind) }
                        td.n { (count((o.members.len() + o.unknown_members) as u64)) }
                        td.n { (count(o.flagged as u64)) }
                        td.n { @if let Some(x) = score { (format!("{x:.2}")) } }
                        @if let Some((a, b)) = span {
                            td { (datetime(a)) } td.n { (duration(b - a)) }
                        } @else { td {} td {} }
                    }
                }
            }
        }
    }
}

/// The first and last flagged event time of operation `k`.
fn first_last_flagged(log: &EventLog, index: &ReportIndex, k: usize) -> Option<(i64, i64)> {
    let o = &index.ops[k];
    let first = (0..o.events.len()).find(|&p| o.flagged_at(p))?;
    let last = (0..o.events.len()).rev().find(|&p| o.flagged_at(p))?;
    let (first, last) = (o.events[first], o.events[last]);
    Some((log.ts()[first as usize], log.ts()[last as usize]))
}

fn corrections(f: &Findings) -> Markup {
    let mut rows: Vec<&crate::findings::Correction> =
        f.corrections.iter().filter(|c| c.fake > 0).collect();
    rows.sort_by(|a, b| b.fake.cmp(&a.fake).then_with(|| a.target.cmp(&b.target)));
    let total_fake: u64 = rows.iter().map(|c| c.fake).sum();
    let top: Vec<&crate::findings::Correction> = rows.iter().take(20).copied().collect();
    let bars: Vec<Bar> = top
        .iter()
        .map(|c| Bar {
            label: c.target.clone(),
            reported: c.reported,
            organic: c.organic,
        })
        .collect();
    html! {
        @if rows.is_empty() {
            p.muted {
                @if f.corrections.is_empty() { "No corrections.csv rows." }
                @else { "No target lost any engagement (" (count(f.corrections.len() as u64)) " targets listed)." }
            }
        } @else {
            p {
                (count(total_fake)) " fake engagements removed from "
                (count(rows.len() as u64)) " targets. The " (top.len())
                " most affected, by fake count:"
            }
            (PreEscaped(corrections_svg(&bars)))
            table.num {
                thead { tr { th { "target" } th { "reported" } th { "fake" } th { "organic" } th { "fake share" } } }
                tbody {
                    @for c in &top {
                        tr {
                            td { code { (truncate(&c.target, 60)) } }
                            td { (count(c.reported)) }
                            td { (count(c.fake)) }
                            td { (count(c.organic)) }
                            td { (format!("{:.0} %", c.fake as f64 / c.reported.max(1) as f64 * 100.0)) }
                        }
                    }
                }
            }
        }
    }
}

/// The bursts: how many, how many are mostly an operation's flagged work, and the largest.
fn bursts(f: &Findings) -> Markup {
    let mut rows: Vec<&crate::findings::BurstRow> = f.bursts.iter().collect();
    rows.sort_by(|a, b| {
        b.events
            .cmp(&a.events)
            .then_with(|| a.target.cmp(&b.target))
    });
    let work = rows.iter().filter(|b| !b.operation.is_empty()).count();
    html! {
        p {
            (count(rows.len() as u64)) " bursts: windows (an hour by default) in which a target "
            "received far more of one action than its own surrounding hours and its owner's other "
            "posts explain (" code { "bursts.csv" } "). "
            (count(work as u64)) " of them are mostly an operation's flagged work and are listed "
            "with it; the others — "
            "viral posts, live events, and deliveries nobody was flagged for — are shown for "
            "context: a burst says when, not who, and flags no one."
        }
        table.num {
            thead { tr {
                th { "target" } th { "action" } th { "start (UTC)" } th { "events" }
                th { "accounts" } th { "× own rate" } th { "operation" } th { "flagged" }
            } }
            tbody {
                @for b in rows.iter().take(25) {
                    tr {
                        td { code { (truncate(&b.target, 40)) } }
                        td { (b.action) }
                        td { (b.start) }
                        td { (count(b.events)) }
                        td { (count(b.accounts)) }
                        td { (format!("{:.0}", b.ratio)) }
                        td { @if b.operation.is_empty() { span.muted { "—" } } @else { code { (b.operation) } } }
                        td { (format!("{:.0} %", b.flagged as f64 / b.events.max(1) as f64 * 100.0)) }
                    }
                }
            }
        }
        @if rows.len() > 25 {
            p.muted { "The 25 with the most events of " (count(rows.len() as u64)) "." }
        }
    }
}

fn notes(f: &Findings, index: &ReportIndex) -> Markup {
    html! {
        @if f.notes.is_empty() && index.flagged_missing == 0 {
            p.muted { "Every findings file was read without problems." }
        } @else {
            ul {
                @for n in &f.notes { li { (n) } }
                @if index.flagged_missing > 0 {
                    li {
                        "flagged_events.csv: " (count(index.flagged_missing as u64))
                        (if index.flagged_missing == 1 { " row names an event" } else { " rows name events" })
                        " that " (if index.flagged_missing == 1 { "is" } else { "are" }) " not in the log, e.g. "
                        @for (i, e) in index.flagged_missing_examples.iter().enumerate() {
                            @if i > 0 { ", " }
                            code { (truncate(e, 60)) }
                        }
                    }
                }
            }
        }
    }
}
