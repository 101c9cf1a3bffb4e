//! Hand-made inline SVG: the accounts × time lockstep picture and the reported-vs-organic bar
//! chart. Every string that reaches the SVG goes through [`crate::fmt::escape_into`].

use std::fmt::Write;

use crate::fmt::{count, escape_into, tick_label, truncate};

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
