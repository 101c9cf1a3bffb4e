//! The human-readable rendering of a [`Report`]: aligned plain-text tables.

use std::fmt::Write as _;

use crate::quality::FileStatus;
use crate::report::{Confusion, RecoveryMetrics, Report, ratio};

/// Column alignment.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

/// A plain-text table: a header row and rows, each column padded to its widest cell.
struct Table {
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table whose header is `cols`; each column is `(title, alignment)`.
    fn new(cols: &[(&str, Align)]) -> Self {
        Table {
            align: cols.iter().map(|c| c.1).collect(),
            rows: vec![cols.iter().map(|c| c.0.to_owned()).collect()],
        }
    }

    fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.align.len());
        self.rows.push(cells);
    }

    /// Appends the table to `out`, each line indented by two spaces.
    fn write(&self, out: &mut String) {
        let n = self.align.len();
        let widths: Vec<usize> = (0..n)
            .map(|c| {
                self.rows
                    .iter()
                    .map(|r| r[c].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in &self.rows {
            let mut line = String::from(" ");
            for (c, cell) in row.iter().enumerate() {
                let pad = widths[c] - cell.chars().count();
                line.push(' ');
                if self.align[c] == Align::Right {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(' ', pad));
                }
                if c + 1 < n {
                    line.push(' ');
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
}

use Align::{Left as L, Right as R};

/// A ratio with three decimals, or `n/a`.
fn pct(r: Option<f64>) -> String {
    r.map_or_else(|| "n/a".to_owned(), |r| format!("{r:.3}"))
}

/// An optional count, or `n/a`.
fn num(n: Option<u64>) -> String {
    n.map_or_else(|| "n/a".to_owned(), |n| n.to_string())
}

fn opt(s: Option<&str>) -> String {
    s.unwrap_or("-").to_owned()
}

fn section(out: &mut String, title: &str) {
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(title);
    out.push('\n');
}

fn confusion_line(c: &Confusion) -> String {
    format!(
        "TP {}  FP {}  FN {}  TN {}",
        c.true_positives, c.false_positives, c.false_negatives, c.true_negatives
    )
}

fn recovery(out: &mut String, title: &str, what: &str, m: &RecoveryMetrics) {
    section(out, title);
    let mut t = Table::new(&[("operation", L), (what, R), ("named", R), ("share", R)]);
    for r in &m.per_operation {
        t.row(vec![
            r.operation.clone(),
            r.truth.to_string(),
            r.named.to_string(),
            pct(r.share),
        ]);
    }
    t.row(vec![
        "(all, distinct)".to_owned(),
        m.truth.to_string(),
        m.named.to_string(),
        pct(m.share),
    ]);
    t.write(out);
    let _ = writeln!(
        out,
        "  findings name {} distinct {what}, {} of them true (precision {})",
        m.findings_named,
        m.findings_named_true,
        pct(m.precision)
    );
}

impl Report {
    /// Renders the report as aligned plain-text tables: the headline numbers, accounts,
    /// per-operation and per-scenario recall, hard-negative groups, victims, beneficiaries and
    /// data-quality warnings.
    ///
    /// The text holds no directory paths, so it is stable across machines.
    pub fn render_table(&self) -> String {
        let mut out = String::new();
        let a = &self.accounts;

        section(&mut out, "Headline");
        let mut t = Table::new(&[("metric", L), ("value", R), ("detail", L)]);
        let c = &a.confusion;
        t.row(vec![
            "account precision".into(),
            pct(a.precision),
            format!("{} of {} flagged accounts", c.true_positives, a.flagged),
        ]);
        t.row(vec![
            "account recall".into(),
            pct(a.recall),
            format!(
                "{} of {} fake or compromised accounts",
                c.true_positives, a.positives
            ),
        ]);
        t.row(vec!["account F1".into(), pct(a.f1), String::new()]);
        t.row(vec![
            "organic FPR".into(),
            pct(a.organic_fpr),
            format!(
                "{} of {} organic accounts flagged",
                a.organic_flagged, a.organic
            ),
        ]);
        let rk = &self.right_kind;
        t.row(vec![
            "right kind".into(),
            pct(rk.share),
            format!(
                "{} of {} true positives (fake vs compromised)",
                rk.right, rk.true_positives
            ),
        ]);
        match &self.events {
            Some(e) => {
                let c = &e.confusion;
                t.row(vec![
                    "event precision".into(),
                    pct(e.precision),
                    format!("{} of {} flagged events", c.true_positives, e.flagged),
                ]);
                t.row(vec![
                    "event recall".into(),
                    pct(e.recall),
                    format!("{} of {} fake events", c.true_positives, e.positives),
                ]);
                t.row(vec!["event F1".into(), pct(e.f1), String::new()]);
            }
            None => {
                for m in ["event precision", "event recall", "event F1"] {
                    t.row(vec![
                        m.into(),
                        "n/a".into(),
                        "the truth has no truth_events.csv".into(),
                    ]);
                }
            }
        }
        t.write(&mut out);

        section(&mut out, "Accounts");
        let _ = writeln!(
            out,
            "  {} truth accounts ({} fake or compromised, {} organic); {}",
            a.truth_accounts,
            a.positives,
            a.organic,
            confusion_line(&a.confusion)
        );
        let s = &a.suspicious;
        let _ = writeln!(
            out,
            "  suspicious (not flagged): {} (organic {}, fake {}, compromised {}, unknown {})",
            s.total(),
            s.organic,
            s.fake,
            s.compromised,
            s.unknown
        );
        if let Some(e) = &self.events {
            let _ = writeln!(
                out,
                "  events: {} in truth, {} fake; {}",
                e.truth_events,
                e.positives,
                confusion_line(&e.confusion)
            );
        }
        let k = &rk.confusion;
        let mut t = Table::new(&[("truth \\ verdict", L), ("fake", R), ("compromised", R)]);
        t.row(vec![
            "fake".into(),
            k.fake_as_fake.to_string(),
            k.fake_as_compromised.to_string(),
        ]);
        t.row(vec![
            "compromised".into(),
            k.compromised_as_fake.to_string(),
            k.compromised_as_compromised.to_string(),
        ]);
        t.write(&mut out);

        section(&mut out, "Operations");
        if self.operations.is_empty() {
            out.push_str("  none in the truth\n");
        } else {
            let mut t = Table::new(&[
                ("operation", L),
                ("scenario", L),
                ("kind", L),
                ("accounts", R),
                ("flagged", R),
                ("acct recall", R),
                ("events", R),
                ("flagged", R),
                ("event recall", R),
                ("best match", L),
                ("share", R),
                ("purity", R),
            ]);
            for o in &self.operations {
                let best = o.matches.first();
                t.row(vec![
                    o.operation.clone(),
                    opt(o.scenario.as_deref()),
                    opt(o.kind.as_deref()),
                    o.accounts.to_string(),
                    o.accounts_flagged.to_string(),
                    pct(o.account_recall),
                    num(o.events),
                    num(o.events_flagged),
                    pct(o.event_recall),
                    best.map_or_else(
                        || "-".to_owned(),
                        |m| {
                            let more = o.matches.len() - 1;
                            if more > 0 {
                                format!("{} (+{more})", m.operation)
                            } else {
                                m.operation.clone()
                            }
                        },
                    ),
                    pct(best.and_then(|m| m.share)),
                    pct(best.and_then(|m| m.purity)),
                ]);
            }
            t.write(&mut out);
        }

        section(&mut out, "Scenarios");
        if self.scenarios.is_empty() {
            out.push_str("  n/a (the truth has no truth_operations.csv)\n");
        } else {
            let mut t = Table::new(&[
                ("scenario", L),
                ("ops", R),
                ("accounts", R),
                ("acct recall", R),
                ("mean op recall", R),
                ("events", R),
                ("event recall", R),
            ]);
            for s in &self.scenarios {
                t.row(vec![
                    s.scenario.clone(),
                    s.operations.to_string(),
                    s.accounts.to_string(),
                    pct(s.account_recall),
                    pct(s.mean_operation_recall),
                    num(s.events),
                    pct(s.event_recall),
                ]);
            }
            t.write(&mut out);
        }

        section(&mut out, "Hard-negative groups");
        match &self.groups {
            None => out.push_str("  n/a (truth_accounts.csv has no groups column)\n"),
            Some(g) if g.is_empty() => out.push_str("  none tagged\n"),
            Some(g) => {
                let mut t = Table::new(&[
                    ("group", L),
                    ("members", R),
                    ("flagged", R),
                    ("share", R),
                    ("suspicious", R),
                    ("organic", R),
                    ("organic flagged", R),
                    ("organic FPR", R),
                ]);
                for g in g {
                    t.row(vec![
                        g.group.clone(),
                        g.members.to_string(),
                        g.flagged.to_string(),
                        pct(g.share_flagged),
                        g.suspicious.to_string(),
                        g.organic.to_string(),
                        g.organic_flagged.to_string(),
                        pct(g.organic_fpr),
                    ]);
                }
                t.write(&mut out);
            }
        }

        if let Some(b) = &self.bursts {
            section(&mut out, "Bursts (bursts.csv; never evidence on their own)");
            let _ = writeln!(
                out,
                "  {} bursts, {} mostly fake or compromised accounts; {} listed with an \
                 operation, {} of them mostly fake or compromised accounts",
                b.bursts, b.mostly_operation, b.listed, b.listed_mostly_operation
            );
            let mut t = Table::new(&[
                ("scenario or group", L),
                ("accounts", R),
                ("in a burst", R),
                ("share", R),
                ("in a listed burst", R),
                ("share", R),
            ]);
            for c in &b.cohorts {
                t.row(vec![
                    c.cohort.clone(),
                    c.accounts.to_string(),
                    c.in_burst.to_string(),
                    pct(ratio(c.in_burst, c.accounts)),
                    c.in_listed.to_string(),
                    pct(ratio(c.in_listed, c.accounts)),
                ]);
            }
            t.write(&mut out);
        }

        if let Some(r) = &self.review {
            section(&mut out, "Review queue (review_queue.csv)");
            let _ = writeln!(
                out,
                "  {} accounts queued, {} of them fake or compromised",
                r.queued, r.positive
            );
            let mut t = Table::new(&[("top", L), ("fake or compromised", R), ("precision", R)]);
            for (k, p, share) in &r.precision_at {
                t.row(vec![k.to_string(), p.to_string(), pct(*share)]);
            }
            t.write(&mut out);
            let mut t = Table::new(&[("cause", L), ("queued", R), ("fake or compromised", R)]);
            for (c, n, p) in &r.causes {
                t.row(vec![c.clone(), n.to_string(), p.to_string()]);
            }
            t.write(&mut out);
        }

        match &self.victims {
            Some(m) => recovery(&mut out, "Scraping victims", "victims", m),
            None => {
                section(&mut out, "Scraping victims");
                out.push_str("  n/a (the truth has no truth_victims.csv)\n");
            }
        }
        match &self.beneficiaries {
            Some(m) => recovery(&mut out, "Beneficiaries", "beneficiaries", m),
            None => {
                section(&mut out, "Beneficiaries");
                out.push_str("  n/a (the truth has no truth_beneficiaries.csv)\n");
            }
        }

        section(&mut out, "Data quality");
        let dq = &self.data_quality;
        let mut t = Table::new(&[
            ("file", L),
            ("status", L),
            ("rows", R),
            ("malformed", R),
            ("duplicates", R),
        ]);
        for f in &dq.files {
            let present = f.status == FileStatus::Read;
            t.row(vec![
                f.display_name(),
                f.status.as_str().to_owned(),
                if present {
                    f.rows.to_string()
                } else {
                    "-".into()
                },
                if present {
                    f.malformed.to_string()
                } else {
                    "-".into()
                },
                if present {
                    f.duplicates.to_string()
                } else {
                    "-".into()
                },
            ]);
        }
        t.write(&mut out);
        let examples: Vec<String> = dq
            .files
            .iter()
            .flat_map(|f| {
                f.examples
                    .iter()
                    .map(move |e| format!("{} {}: {}", f.display_name(), e.location(), e.reason))
            })
            .collect();
        if !examples.is_empty() {
            out.push_str("  malformed rows (first few per file):\n");
            for e in examples {
                let _ = writeln!(out, "    {e}");
            }
        }
        if dq.warnings.is_empty() {
            out.push_str("  no warnings\n");
        } else {
            out.push_str("  warnings:\n");
            for w in &dq.warnings {
                let _ = writeln!(out, "    - {w}");
            }
        }
        out
    }
}
