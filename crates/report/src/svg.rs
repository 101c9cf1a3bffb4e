//! Hand-made inline SVG: the accounts × time lockstep picture, each customer's follower inflow
//! against its own past, a harvest's reads by hour of day and its victims over time, and the
//! reported-vs-organic bar chart. Every string that reaches the SVG goes through
//! [`crate::fmt::escape_into`].

use std::fmt::Write;

use crate::fmt::{count, escape_into, month_day, tick_label, truncate};

/// Colours for the most engaged targets, in rank order (Tableau 10, minus grey).
pub const PALETTE: [&str; 9] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f",
];

/// The colour of every other target.
pub const OTHER: &str = "#8c8c8c";

/// The colour of palette index `c` ([`OTHER`] past the palette).
pub fn colour(c: u8) -> &'static str {
    PALETTE.get(c as usize).copied().unwrap_or(OTHER)
}

/// One dot of the lockstep picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dot {
    /// Milliseconds since the epoch.
    pub ts: i64,
    /// The row (account), from the top.
    pub row: u32,
    /// Palette index of its target ([`PALETTE`]; anything past it is [`OTHER`]).
    pub colour: u8,
    /// Flagged (solid) or one of the members' other events (faint).
    pub solid: bool,
}

/// The width of every plot, in SVG user units (pixels at 100 %).
const WIDTH: f64 = 960.0;
/// Rows up to this many get one labelled 14-unit line each; more share 600 units.
const LABELLED_ROWS: usize = 60;

/// A "nice" tick step for a time axis spanning `span_ms`: at most about eight ticks.
pub fn tick_step(span_ms: i64) -> i64 {
    const S: i64 = 1000;
    const M: i64 = 60 * S;
    const H: i64 = 60 * M;
    const D: i64 = 24 * H;
    const STEPS: [i64; 26] = [
        S,
        2 * S,
        5 * S,
        10 * S,
        15 * S,
        30 * S,
        M,
        2 * M,
        5 * M,
        10 * M,
        15 * M,
        30 * M,
        H,
        2 * H,
        3 * H,
        6 * H,
        12 * H,
        D,
        2 * D,
        7 * D,
        14 * D,
        30 * D,
        61 * D,
        91 * D,
        182 * D,
        365 * D,
    ];
    let span = span_ms.max(1);
    for s in STEPS {
        if span / s <= 8 {
            return s;
        }
    }
    let years = span / (365 * D) / 8 + 1;
    years * 365 * D
}

/// The accounts × time picture: one row per account (labelled when `labels` is non-empty),
/// one dot per event, x from `t0` to `t1`. Faint dots are drawn first, solid ones on top, one
/// `<path>` per colour so that thousands of dots stay small.
pub fn lockstep_svg(dots: &[Dot], rows: usize, labels: &[String], t0: i64, t1: i64) -> String {
    let rows = rows.max(1);
    let labelled = !labels.is_empty() && rows <= LABELLED_ROWS;
    let left = if labelled { 160.0 } else { 44.0 };
    let (top, right, bottom) = (8.0, 16.0, 36.0);
    let plot_w = WIDTH - left - right;
    let plot_h = if rows <= LABELLED_ROWS {
        (rows as f64 * 14.0).max(28.0)
    } else {
        600.0
    };
    let row_h = plot_h / rows as f64;
    let height = top + plot_h + bottom;
    let (t0, t1) = if t1 > t0 { (t0, t1) } else { (t0 - 1, t0 + 1) };
    let span = (t1 - t0) as f64;
    let x = |t: i64| left + (t - t0) as f64 / span * plot_w;
    let y = |r: u32| top + (f64::from(r) + 0.5) * row_h;

    let mut s = String::with_capacity(256 + dots.len() * 16);
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="plot" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-family="sans-serif" font-size="10" role="img"><title>accounts × time, one dot per engagement</title>"#
    );
    let _ = write!(
        s,
        r##"<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h:.1}" fill="#fbfbfb" stroke="#ccc"/>"##
    );
    // Time axis.
    let step = tick_step(t1 - t0);
    let mut t = t0.div_euclid(step) * step;
    if t < t0 {
        t += step;
    }
    while t <= t1 {
        let tx = x(t);
        let _ = write!(
            s,
            r##"<line x1="{tx:.1}" y1="{top}" x2="{tx:.1}" y2="{:.1}" stroke="#e4e4e4"/><text x="{tx:.1}" y="{:.1}" text-anchor="{}" fill="#444">{}</text>"##,
            top + plot_h,
            top + plot_h + 14.0,
            // Labels at the edges stay inside the picture.
            if tx > left + plot_w - 40.0 {
                "end"
            } else if tx < left + 40.0 {
                "start"
            } else {
                "middle"
            },
            tick_label(t, step)
        );
        t += step;
    }
    let _ = write!(
        s,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="#666">time (UTC)</text>"##,
        left + plot_w,
        top + plot_h + 30.0
    );
    // Rows.
    if labelled {
        for (r, label) in labels.iter().enumerate().take(rows) {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="end" dominant-baseline="middle" fill="#333">"##,
                left - 6.0,
                y(r as u32)
            );
            escape_into(&mut s, &truncate(label, 24));
            s.push_str("</text>");
        }
    } else {
        let cy = top + plot_h / 2.0;
        let _ = write!(
            s,
            r##"<text x="14" y="{cy:.1}" text-anchor="middle" fill="#666" transform="rotate(-90 14 {cy:.1})">{} accounts</text>"##,
            count(rows as u64)
        );
    }
    // Dots: faint first, then solid; one path per colour.
    let w = (row_h * 0.7).clamp(2.5, 7.0);
    for solid in [false, true] {
        let mut colours: Vec<u8> = dots
            .iter()
            .filter(|d| d.solid == solid)
            .map(|d| d.colour.min(PALETTE.len() as u8))
            .collect();
        colours.sort_unstable();
        colours.dedup();
        for c in colours {
            let _ = write!(
                s,
                r#"<path stroke="{}" stroke-width="{w:.1}" stroke-linecap="round" stroke-opacity="{}" fill="none" d=""#,
                colour(c),
                if solid { "0.9" } else { "0.3" }
            );
            for d in dots
                .iter()
                .filter(|d| d.solid == solid && d.colour.min(PALETTE.len() as u8) == c)
            {
                let _ = write!(s, "M{:.1} {:.1}h0", x(d.ts), y(d.row));
            }
            s.push_str(r#""/>"#);
        }
    }
    s.push_str("</svg>");
    s
}

/// The colour of an operation's own flagged events in the inflow and harvest plots.
const HOT: &str = "#e15759";
/// Engagement nobody was flagged for.
const ORGANIC: &str = "#c9c9c9";
/// Engagement flagged for another operation.
const ELSEWHERE: &str = "#f1a340";

/// The smallest 1, 2 or 5 × 10ⁿ that is at least `v` (1 when `v` ≤ 1): the top of an axis.
pub fn nice_ceil(v: f64) -> f64 {
    if v.is_nan() || v <= 1.0 {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|&x| x >= v)
        .unwrap_or(10.0 * p)
}

/// An axis value: a count with separators, or one decimal when it is not whole.
fn axis_value(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        count(v.round().max(0.0) as u64)
    } else {
        format!("{v:.1}")
    }
}

/// The SVG's opening tag and title.
fn open_svg(s: &mut String, height: f64, font_size: u32, title: &str) {
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="plot" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-family="sans-serif" font-size="{font_size}" role="img"><title>"#
    );
    escape_into(s, title);
    s.push_str("</title>");
}

/// `text` at (`x`, `y`), escaped, with extra attributes.
fn text(s: &mut String, x: f64, y: f64, attrs: &str, text: &str) {
    let _ = write!(s, r#"<text x="{x:.1}" y="{y:.1}" {attrs}>"#);
    escape_into(s, text);
    s.push_str("</text>");
}

/// A legend entry at (`x`, `y`): a swatch (`line`: a short line instead of a square) and its
/// label. Returns the x after it.
fn legend_entry(s: &mut String, x: f64, y: f64, colour: &str, style: Swatch, label: &str) -> f64 {
    match style {
        Swatch::Box => {
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{:.1}" width="12" height="10" fill="{colour}"/>"#,
                y - 9.0
            );
        }
        Swatch::Line => {
            let _ = write!(
                s,
                r#"<line x1="{x:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{colour}" stroke-width="2"/><circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{colour}"/>"#,
                y - 4.0,
                x + 14.0,
                y - 4.0,
                x + 7.0,
                y - 4.0
            );
        }
        Swatch::Dashed => {
            let _ = write!(
                s,
                r#"<line x1="{x:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{colour}" stroke-width="1.5" stroke-dasharray="4 3"/>"#,
                y - 4.0,
                x + 16.0,
                y - 4.0
            );
        }
    }
    text(s, x + 20.0, y, r##"fill="#333""##, label);
    // Roughly 6 units per character at font size 11.
    x + 20.0 + label.chars().count() as f64 * 6.0 + 18.0
}

/// How a legend entry is drawn.
#[derive(Clone, Copy)]
enum Swatch {
    Box,
    Line,
    Dashed,
}

/// One customer's panel of the follower-inflow plot.
#[derive(Debug, Clone, PartialEq)]
pub struct InflowPanel {
    /// The customer (the followed account).
    pub label: String,
    /// Per time bucket from the plot's start: follows nobody was flagged for, this operation's
    /// flagged follows, and follows flagged for other operations.
    pub buckets: Vec<[u64; 3]>,
    /// Its own past: the median bucket before the operation's first follow of it, or (with
    /// too little past in the log) the median of its follows nobody was flagged for.
    pub baseline: Option<f64>,
    /// Whether `baseline` is the median bucket before the operation reached it.
    pub baseline_before: bool,
}

/// Small multiples, two to a row: each customer's follows per bucket (`bucket_ms` from `t0`),
/// stacked — nobody's flagged grey, this operation's red, other operations' orange — with its
/// own past as a dashed line. `unit` names the bucket (`day`).
pub fn inflow_svg(panels: &[InflowPanel], t0: i64, bucket_ms: i64, unit: &str) -> String {
    const COLS: usize = 2;
    const GAP: f64 = 28.0;
    const LEGEND: f64 = 24.0;
    let (left, right, title_h, plot_h, bottom) = (46.0, 8.0, 20.0, 84.0, 34.0);
    let panel_w = (WIDTH - GAP) / COLS as f64;
    let panel_h = title_h + plot_h + bottom;
    let rows = panels.len().div_ceil(COLS).max(1);
    let height = LEGEND + rows as f64 * panel_h;
    let mut s = String::new();
    open_svg(
        &mut s,
        height,
        10,
        &format!("follows per {unit} received by each customer, against its own past"),
    );
    let elsewhere = panels.iter().any(|p| p.buckets.iter().any(|b| b[2] > 0));
    s.push_str(r#"<g font-size="11">"#);
    let mut x = 0.0;
    x = legend_entry(
        &mut s,
        x,
        14.0,
        HOT,
        Swatch::Box,
        "this operation's follows",
    );
    if elsewhere {
        x = legend_entry(
            &mut s,
            x,
            14.0,
            ELSEWHERE,
            Swatch::Box,
            "another operation's",
        );
    }
    x = legend_entry(
        &mut s,
        x,
        14.0,
        ORGANIC,
        Swatch::Box,
        "follows nobody was flagged for",
    );
    legend_entry(
        &mut s,
        x,
        14.0,
        "#333",
        Swatch::Dashed,
        &format!("its usual {unit} (median)"),
    );
    s.push_str("</g>");
    for (k, p) in panels.iter().enumerate() {
        let ox = (k % COLS) as f64 * (panel_w + GAP);
        let oy = LEGEND + (k / COLS) as f64 * panel_h;
        let (px, py) = (ox + left, oy + title_h);
        let pw = panel_w - left - right;
        let n = p.buckets.len().max(1);
        let bw = pw / n as f64;
        let bought: u64 = p.buckets.iter().map(|b| b[1]).sum();
        let top = p
            .buckets
            .iter()
            .map(|b| b.iter().sum::<u64>() as f64)
            .fold(p.baseline.unwrap_or(0.0), f64::max);
        let ymax = nice_ceil(top);
        let y = |v: f64| py + plot_h - v / ymax * plot_h;
        // Title: the customer, its bought follows and its past.
        let _ = write!(
            s,
            r##"<text x="{px:.1}" y="{:.1}" fill="#333"><tspan font-weight="bold">"##,
            oy + 13.0
        );
        escape_into(&mut s, &truncate(&p.label, 28));
        let _ = write!(s, "</tspan> · {} flagged", count(bought));
        if let Some(b) = p.baseline {
            let what = if p.baseline_before {
                "before"
            } else {
                "unflagged"
            };
            let _ = write!(s, " · {what}: {} a {unit}", axis_value(b));
        }
        s.push_str("</text>");
        let _ = write!(
            s,
            r##"<rect x="{px:.1}" y="{py:.1}" width="{pw:.1}" height="{plot_h}" fill="#fbfbfb" stroke="#ccc"/>"##
        );
        // y axis: 0, half and the top.
        for v in [0.0, ymax / 2.0, ymax] {
            let yy = y(v);
            let _ = write!(
                s,
                r##"<line x1="{px:.1}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#e4e4e4"/>"##,
                px + pw
            );
            text(
                &mut s,
                px - 4.0,
                yy + 3.0,
                r##"text-anchor="end" fill="#444""##,
                &axis_value(v),
            );
        }
        let cy = py + plot_h / 2.0;
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{cy:.1}" text-anchor="middle" fill="#666" transform="rotate(-90 {:.1} {cy:.1})">follows</text>"##,
            ox + 9.0,
            ox + 9.0
        );
        // Bars, stacked from the bottom: organic, elsewhere, this operation's.
        for (i, b) in p.buckets.iter().enumerate() {
            let bx = px + i as f64 * bw + bw * 0.1;
            let w = (bw * 0.8).max(1.0);
            let mut base = 0.0;
            let _ = write!(s, "<g><title>{}: ", month_day(t0 + i as i64 * bucket_ms));
            let _ = write!(
                s,
                "{} this operation's, {} another's, {} nobody's flagged</title>",
                count(b[1]),
                count(b[2]),
                count(b[0])
            );
            for (v, c) in [(b[0], ORGANIC), (b[2], ELSEWHERE), (b[1], HOT)] {
                if v == 0 {
                    continue;
                }
                let (y1, y0) = (y(base + v as f64), y(base));
                let _ = write!(
                    s,
                    r#"<rect x="{bx:.1}" y="{y1:.1}" width="{w:.1}" height="{:.1}" fill="{c}"/>"#,
                    (y0 - y1).max(0.5)
                );
                base += v as f64;
            }
            s.push_str("</g>");
        }
        if let Some(b) = p.baseline {
            let yb = y(b);
            let _ = write!(
                s,
                r##"<line x1="{px:.1}" y1="{yb:.1}" x2="{:.1}" y2="{yb:.1}" stroke="#333" stroke-width="1.5" stroke-dasharray="4 3"/>"##,
                px + pw
            );
        }
        // x axis: about six labels.
        let step = n.div_ceil(6).max(1);
        for i in (0..n).step_by(step) {
            text(
                &mut s,
                px + (i as f64 + 0.5) * bw,
                py + plot_h + 13.0,
                r##"text-anchor="middle" fill="#444""##,
                &month_day(t0 + i as i64 * bucket_ms),
            );
        }
        text(
            &mut s,
            px + pw,
            py + plot_h + 26.0,
            r##"text-anchor="end" fill="#666""##,
            &format!("{unit} (UTC)"),
        );
    }
    s.push_str("</svg>");
    s
}

/// A harvest's reads by hour of day (UTC): the operation's as bars, the log's reads nobody was
/// flagged for as a line, each in percent of its own total, and the flat share of a reader that
/// never sleeps as a dashed line.
pub fn hours_svg(op: &[u64; 24], others: &[u64; 24]) -> String {
    let (left, right, top, plot_h, bottom) = (56.0, 16.0, 30.0, 150.0, 40.0);
    let height = top + plot_h + bottom;
    let plot_w = WIDTH - left - right;
    let share = |v: &[u64; 24]| -> [f64; 24] {
        let total = v.iter().sum::<u64>().max(1) as f64;
        v.map(|x| x as f64 / total * 100.0)
    };
    let (a, b) = (share(op), share(others));
    let ymax = nice_ceil(
        a.iter()
            .chain(&b)
            .copied()
            .fold(100.0 / 24.0, f64::max)
            .max(1.0),
    );
    let slot = plot_w / 24.0;
    let y = |v: f64| top + plot_h - v / ymax * plot_h;
    let mut s = String::new();
    open_svg(
        &mut s,
        height,
        10,
        "reads by hour of day (UTC): the operation's against the reads nobody was flagged for",
    );
    s.push_str(r#"<g font-size="11">"#);
    let mut x = left;
    x = legend_entry(
        &mut s,
        x,
        14.0,
        HOT,
        Swatch::Box,
        &format!("this operation's reads ({})", count(op.iter().sum())),
    );
    x = legend_entry(
        &mut s,
        x,
        14.0,
        "#333",
        Swatch::Line,
        &format!(
            "reads nobody was flagged for ({})",
            count(others.iter().sum())
        ),
    );
    legend_entry(
        &mut s,
        x,
        14.0,
        "#888",
        Swatch::Dashed,
        "the same every hour",
    );
    s.push_str("</g>");
    let _ = write!(
        s,
        r##"<rect x="{left}" y="{top}" width="{plot_w:.1}" height="{plot_h}" fill="#fbfbfb" stroke="#ccc"/>"##
    );
    for k in 0..=4 {
        let v = ymax * f64::from(k) / 4.0;
        let yy = y(v);
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#e4e4e4"/>"##,
            left + plot_w
        );
        text(
            &mut s,
            left - 4.0,
            yy + 3.0,
            r##"text-anchor="end" fill="#444""##,
            &format!("{} %", axis_value(v)),
        );
    }
    let cy = top + plot_h / 2.0;
    let _ = write!(
        s,
        r##"<text x="14" y="{cy:.1}" text-anchor="middle" fill="#666" transform="rotate(-90 14 {cy:.1})">share of the reads</text>"##
    );
    for (h, &v) in a.iter().enumerate() {
        let bx = left + h as f64 * slot + slot * 0.15;
        let _ = write!(
            s,
            r#"<rect x="{bx:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{HOT}" fill-opacity="0.85"><title>{h:02}:00–{h:02}:59: {} reads ({v:.1} %)</title></rect>"#,
            y(v),
            slot * 0.7,
            top + plot_h - y(v),
            count(op[h])
        );
        text(
            &mut s,
            left + (h as f64 + 0.5) * slot,
            top + plot_h + 13.0,
            r##"text-anchor="middle" fill="#444""##,
            &format!("{h:02}"),
        );
    }
    let even = y(100.0 / 24.0);
    let _ = write!(
        s,
        r##"<line x1="{left}" y1="{even:.1}" x2="{:.1}" y2="{even:.1}" stroke="#888" stroke-dasharray="4 3"/>"##,
        left + plot_w
    );
    s.push_str(r##"<polyline fill="none" stroke="#333" stroke-width="2" points=""##);
    for (h, &v) in b.iter().enumerate() {
        let _ = write!(s, "{:.1},{:.1} ", left + (h as f64 + 0.5) * slot, y(v));
    }
    s.push_str(r#""/>"#);
    for (h, &v) in b.iter().enumerate() {
        let _ = write!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="#333"><title>{h:02}:00–{h:02}:59: {} other reads ({v:.1} %)</title></circle>"##,
            left + (h as f64 + 0.5) * slot,
            y(v),
            count(others[h])
        );
    }
    text(
        &mut s,
        left + plot_w,
        top + plot_h + 30.0,
        r##"text-anchor="end" fill="#666""##,
        "hour of day (UTC)",
    );
    s.push_str("</svg>");
    s
}

/// A harvest over time, two panels on one time axis: its reads per bucket (`bucket_ms` from
/// `t0`; `unit` names it, e.g. `hour`), and how many accounts' data it had read by the end of
/// each (`victims`, cumulative).
pub fn victims_svg(reads: &[u64], victims: &[u64], t0: i64, bucket_ms: i64, unit: &str) -> String {
    let (left, right, top) = (64.0, 120.0, 6.0);
    let (title_h, h1, gap, h2, bottom) = (16.0, 90.0, 14.0, 110.0, 36.0);
    let plot_w = WIDTH - left - right;
    let y1 = top + title_h;
    let y2 = y1 + h1 + gap + title_h;
    let height = y2 + h2 + bottom;
    let n = reads.len().max(1);
    let t1 = t0 + n as i64 * bucket_ms;
    let x = |t: i64| left + (t - t0) as f64 / (t1 - t0).max(1) as f64 * plot_w;
    let mut s = String::new();
    open_svg(
        &mut s,
        height,
        10,
        &format!("reads per {unit} and the accounts whose data was read so far"),
    );
    // Time grid and labels through both panels.
    let step = tick_step(t1 - t0);
    let mut t = t0.div_euclid(step) * step;
    if t < t0 {
        t += step;
    }
    while t <= t1 {
        let tx = x(t);
        for (py, ph) in [(y1, h1), (y2, h2)] {
            let _ = write!(
                s,
                r##"<line x1="{tx:.1}" y1="{py:.1}" x2="{tx:.1}" y2="{:.1}" stroke="#e4e4e4"/>"##,
                py + ph
            );
        }
        text(
            &mut s,
            tx,
            y2 + h2 + 14.0,
            &format!(
                r##"text-anchor="{}" fill="#444""##,
                if tx > left + plot_w - 40.0 {
                    "end"
                } else if tx < left + 40.0 {
                    "start"
                } else {
                    "middle"
                }
            ),
            &tick_label(t, step),
        );
        t += step;
    }
    text(
        &mut s,
        left + plot_w,
        y2 + h2 + 30.0,
        r##"text-anchor="end" fill="#666""##,
        "time (UTC)",
    );
    let bw = plot_w / n as f64;
    // Panel 1: reads per bucket.
    let rmax = nice_ceil(reads.iter().copied().max().unwrap_or(0) as f64);
    text(
        &mut s,
        left,
        y1 - 5.0,
        r##"fill="#333" font-size="11""##,
        &format!("flagged reads per {unit}"),
    );
    let _ = write!(
        s,
        r##"<rect x="{left}" y="{y1:.1}" width="{plot_w:.1}" height="{h1}" fill="none" stroke="#ccc"/>"##
    );
    for v in [0.0, rmax / 2.0, rmax] {
        let yy = y1 + h1 - v / rmax * h1;
        text(
            &mut s,
            left - 4.0,
            yy + 3.0,
            r##"text-anchor="end" fill="#444""##,
            &axis_value(v),
        );
    }
    let _ = write!(s, r#"<path fill="{}" d=""#, PALETTE[0]);
    for (i, &r) in reads.iter().enumerate() {
        if r == 0 {
            continue;
        }
        let h = r as f64 / rmax * h1;
        let _ = write!(
            s,
            "M{:.1} {:.1}h{:.2}v{:.1}h-{:.2}z",
            left + i as f64 * bw,
            y1 + h1 - h,
            bw.max(0.6),
            h,
            bw.max(0.6)
        );
    }
    s.push_str(r#""/>"#);
    // Panel 2: accounts read so far.
    let last = victims.last().copied().unwrap_or(0);
    let vmax = nice_ceil(last as f64);
    text(
        &mut s,
        left,
        y2 - 5.0,
        r##"fill="#333" font-size="11""##,
        "accounts whose data it had read so far",
    );
    let _ = write!(
        s,
        r##"<rect x="{left}" y="{y2:.1}" width="{plot_w:.1}" height="{h2}" fill="none" stroke="#ccc"/>"##
    );
    for v in [0.0, vmax / 2.0, vmax] {
        let yy = y2 + h2 - v / vmax * h2;
        text(
            &mut s,
            left - 4.0,
            yy + 3.0,
            r##"text-anchor="end" fill="#444""##,
            &axis_value(v),
        );
    }
    let yv = |v: u64| y2 + h2 - v as f64 / vmax * h2;
    let _ = write!(
        s,
        r#"<path fill="{HOT}" fill-opacity="0.15" stroke="{HOT}" stroke-width="2" d="M{left:.1} {:.1}"#,
        y2 + h2
    );
    for (i, &v) in victims.iter().enumerate() {
        let _ = write!(s, "L{:.1} {:.1}", left + (i + 1) as f64 * bw, yv(v));
    }
    let _ = write!(s, r#"V{:.1}z"/>"#, y2 + h2);
    text(
        &mut s,
        left + plot_w + 6.0,
        yv(last) + 4.0,
        &format!(r#"fill="{HOT}" font-weight="bold""#),
        &format!("{} accounts", count(last)),
    );
    s.push_str("</svg>");
    s
}

/// One bar of the corrections chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// The target.
    pub label: String,
    /// Engagement before removal.
    pub reported: u64,
    /// Engagement left after removal.
    pub organic: u64,
}

/// Horizontal bars: reported (grey) behind organic (blue), numbers at the right.
pub fn corrections_svg(bars: &[Bar]) -> String {
    let (left, top, row_h, num_w) = (210.0, 26.0, 22.0, 230.0);
    let plot_w = WIDTH - left - num_w;
    let height = top + row_h * bars.len() as f64 + 8.0;
    let max = bars
        .iter()
        .map(|b| b.reported.max(b.organic))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="plot" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-family="sans-serif" font-size="11" role="img"><title>reported vs organic engagement per target</title><rect x="{left}" y="6" width="12" height="10" fill="#c9c9c9"/><text x="{:.1}" y="15" fill="#333">reported</text><rect x="{:.1}" y="6" width="12" height="10" fill="#4e79a7"/><text x="{:.1}" y="15" fill="#333">organic (fake removed)</text>"##,
        left + 16.0,
        left + 90.0,
        left + 106.0
    );
    for (i, b) in bars.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let wr = b.reported as f64 / max * plot_w;
        let wo = b.organic as f64 / max * plot_w;
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" dominant-baseline="middle" fill="#333">"##,
            left - 6.0,
            y + row_h / 2.0 - 1.0
        );
        escape_into(&mut s, &truncate(&b.label, 30));
        let _ = write!(
            s,
            r##"</text><rect x="{left}" y="{:.1}" width="{wr:.1}" height="{:.1}" fill="#c9c9c9"/><rect x="{left}" y="{:.1}" width="{wo:.1}" height="{:.1}" fill="#4e79a7"/><text x="{:.1}" y="{:.1}" dominant-baseline="middle" fill="#333">{} → {} (−{})</text>"##,
            y + 2.0,
            row_h - 6.0,
            y + 2.0,
            row_h - 6.0,
            left + plot_w + 8.0,
            y + row_h / 2.0 - 1.0,
            count(b.reported),
            count(b.organic),
            count(b.reported.saturating_sub(b.organic)),
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_steps_give_a_handful_of_ticks() {
        assert_eq!(tick_step(60_000), 10_000);
        assert_eq!(tick_step(3_600_000), 10 * 60_000);
        assert_eq!(tick_step(86_400_000), 3 * 3_600_000);
        assert_eq!(tick_step(30 * 86_400_000), 7 * 86_400_000);
        for span in [1, 999, 1_000_000, 1 << 40, i64::MAX / 4] {
            assert!(span / tick_step(span) <= 8, "{span}");
        }
    }

    #[test]
    fn lockstep_svg_groups_dots_by_colour_and_escapes_labels() {
        let dots = [
            Dot {
                ts: 0,
                row: 0,
                colour: 0,
                solid: true,
            },
            Dot {
                ts: 500,
                row: 1,
                colour: 0,
                solid: true,
            },
            Dot {
                ts: 1000,
                row: 1,
                colour: 200,
                solid: false,
            },
        ];
        let labels = vec!["<script>alert(1)</script>".to_owned(), "b".to_owned()];
        let s = lockstep_svg(&dots, 2, &labels, 0, 1000);
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        assert!(!s.contains("<script>"));
        assert!(s.contains("&lt;script&gt;"));
        // Two paths: one faint grey, one solid blue with two dots.
        assert_eq!(s.matches("<path").count(), 2);
        assert!(s.contains(r##"stroke="#4e79a7""##));
        assert!(s.contains(r##"stroke="#8c8c8c""##));
        assert_eq!(s.matches("h0").count(), 3);
        // The first dot is at the left edge, the faint one at the right edge.
        assert!(s.contains("M160.0 15.0h0"), "{s}");
        assert!(s.contains("M944.0 29.0h0"), "{s}");
    }

    #[test]
    fn many_rows_are_not_labelled() {
        let labels: Vec<String> = (0..100).map(|i| format!("acct{i}")).collect();
        let s = lockstep_svg(&[], 100, &labels, 0, 0);
        assert!(!s.contains("acct1"));
        assert!(s.contains("100 accounts"));
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_ceil(0.0), 1.0);
        assert_eq!(nice_ceil(f64::NAN), 1.0);
        assert_eq!(nice_ceil(3.0), 5.0);
        assert_eq!(nice_ceil(10.0), 10.0);
        assert_eq!(nice_ceil(11.0), 20.0);
        assert_eq!(nice_ceil(117_987.0), 200_000.0);
        assert_eq!(axis_value(2.5), "2.5");
        assert_eq!(axis_value(50_000.0), "50,000");
    }

    #[test]
    fn inflow_panels_escape_labels_and_draw_the_baseline() {
        let panel = InflowPanel {
            label: "<b>cust</b>".into(),
            buckets: vec![[2, 0, 0], [2, 0, 0], [1, 9, 3]],
            baseline: Some(2.0),
            baseline_before: true,
        };
        let s = inflow_svg(&[panel.clone(), panel], 0, 86_400_000, "day");
        assert!(!s.contains("<b>") && s.contains("&lt;b&gt;cust&lt;/b&gt;"));
        assert!(s.contains("· 9 flagged · before: 2 a day"));
        // One baseline per panel, at 2 of a 20-follow axis.
        assert_eq!(s.matches(r#"stroke-dasharray="4 3""#).count(), 3, "{s}");
        assert!(
            s.contains("another operation&#39;s"),
            "orange appears in the legend"
        );
        assert!(s.contains("01-03: 9 this operation's, 3 another's, 1 nobody's"));
    }

    #[test]
    fn victims_are_counted_up_to_the_last_bucket() {
        let s = victims_svg(&[10, 0, 5], &[8, 8, 12], 0, 3_600_000, "hour");
        assert!(s.contains("12 accounts"));
        assert!(s.contains("flagged reads per hour"));
        // Two bars: the empty bucket draws none.
        assert_eq!(s.matches("h258.67v").count(), 2, "{s}");
        // The area climbs to 12 at the end of the last bucket, on an axis of 20.
        assert!(s.contains("L840.0 186.0V252.0z"), "{s}");
    }

    #[test]
    fn hours_are_shares_of_their_own_totals() {
        let mut op = [10u64; 24];
        op[3] = 0;
        let mut others = [0u64; 24];
        others[12] = 7;
        let s = hours_svg(&op, &others);
        assert!(s.contains("03:00–03:59: 0 reads (0.0 %)"));
        assert!(s.contains("12:00–12:59: 7 other reads (100.0 %)"));
        assert!(s.contains("this operation&#39;s reads (230)"));
    }

    #[test]
    fn corrections_svg_scales_to_the_largest() {
        let bars = [
            Bar {
                label: "p<1>".into(),
                reported: 100,
                organic: 10,
            },
            Bar {
                label: "p2".into(),
                reported: 50,
                organic: 50,
            },
        ];
        let s = corrections_svg(&bars);
        assert!(s.contains("p&lt;1&gt;"));
        assert!(s.contains("100 → 10 (−90)"));
        assert!(s.contains(r#"width="520.0""#), "{s}");
        assert!(s.contains(r#"width="52.0""#), "{s}");
        assert!(s.contains(r#"width="260.0""#), "{s}");
    }
}
