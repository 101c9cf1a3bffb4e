//! The bundle's human-readable files: `README.md` and the `report.html` page around the
//! report's operation section; and the time format they share.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, SecondsFormat};
use lockstep_report::fmt::escape;
use lockstep_report::{OpIndex, ReasonCount};

use crate::bundle::{Beneficiary, Run};
use crate::manifest::{MANIFEST_FILE, SUMS_FILE};

/// Runs shown in `README.md`; `timeline.csv` has them all.
pub(crate) const README_RUNS: usize = 60;
/// Beneficiaries shown in `README.md`.
pub(crate) const README_BENEFICIARIES: usize = 30;

/// Epoch milliseconds as RFC 3339 UTC with milliseconds (`2026-03-01T12:00:00.000Z`).
pub(crate) fn rfc3339(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_else(|| ms.to_string())
}

/// The page around the operation section: the report's stylesheet and a heading.
pub(crate) fn report_page(o: &OpIndex, policy: &str, created: &str, section: &str) -> String {
    let mut s = String::with_capacity(section.len() + 4096);
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    let _ = write!(
        s,
        "<title>Evidence: operation {}</title><style>{}</style></head><body><main>",
        escape(&o.id),
        lockstep_report::STYLE
    );
    let _ = write!(
        s,
        "<h1>Evidence: operation <code>{}</code></h1><p class=\"lede\">{}policy {} · bundle written {} · see README.md, and manifest.json for the SHA-256 of every file</p>",
        escape(&o.id),
        if o.kind.is_empty() {
            String::new()
        } else {
            format!("{} · ", escape(&o.kind))
        },
        escape(policy),
        escape(created),
    );
    s.push_str(section);
    s.push_str("</main></body></html>\n");
    s
}

/// Counts for the README.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Counts {
    pub(crate) events: usize,
    pub(crate) flagged: usize,
    pub(crate) accounts: usize,
    pub(crate) members: usize,
    pub(crate) members_missing: usize,
}

/// What the README says.
pub(crate) struct Readme<'a> {
    pub(crate) operation: &'a str,
    pub(crate) kind: &'a str,
    pub(crate) policy_version: &'a str,
    pub(crate) created: &'a str,
    pub(crate) tool: &'a str,
    pub(crate) findings: &'a Path,
    pub(crate) score: Option<f64>,
    pub(crate) counts: Counts,
    pub(crate) verdicts: &'a [(String, usize)],
    pub(crate) reasons: &'a [ReasonCount],
    pub(crate) beneficiaries: &'a [Beneficiary],
    pub(crate) runs: &'a [Run],
    pub(crate) plots: &'a [(String, String)],
    pub(crate) notes: &'a [String],
}

/// Text as a Markdown code span that is safe inside a table cell.
fn code(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| match c {
            '`' => '\'',
            '|' => '¦',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    format!("`{clean}`")
}

/// `README.md`.
pub(crate) fn readme(r: &Readme<'_>) -> String {
    let mut s = String::new();
    let c = r.counts;
    let _ = writeln!(s, "# Evidence: operation {}\n", code(r.operation));
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(s, "| operation | {} |", code(r.operation));
    if !r.kind.is_empty() {
        let _ = writeln!(s, "| kind | {} |", r.kind);
    }
    if let Some(score) = r.score {
        let _ = writeln!(s, "| score | {score:.3} |");
    }
    let _ = writeln!(s, "| policy version | {} |", code(r.policy_version));
    let _ = writeln!(
        s,
        "| findings | {} |",
        code(&r.findings.display().to_string())
    );
    let _ = writeln!(s, "| written | {} by {} |", r.created, r.tool);
    let _ = writeln!(
        s,
        "| events | {} ({} flagged for the operation) |",
        c.events, c.flagged
    );
    let _ = writeln!(
        s,
        "| accounts | {} ({} members, {} suspicious) |",
        c.accounts,
        c.members,
        c.accounts - c.members
    );
    if c.members_missing > 0 {
        let _ = writeln!(
            s,
            "| accounts without events in the files read | {} |",
            c.members_missing
        );
    }
    if !r.verdicts.is_empty() {
        let v: Vec<String> = r
            .verdicts
            .iter()
            .map(|(v, n)| format!("{}: {n}", if v.is_empty() { "(none)" } else { v }))
            .collect();
        let _ = writeln!(s, "| verdicts | {} |", v.join(", "));
    }
    s.push('\n');

    s.push_str("## Why\n\n");
    if r.reasons.is_empty() {
        s.push_str("The findings give no reason codes.\n\n");
    } else {
        s.push_str(
            "| reason code | members whose verdict gives it | flagged events that give it | \
             accounts that made those |\n|---|---:|---:|---:|\n",
        );
        let cell = |n: usize| {
            if n == 0 {
                "—".to_owned()
            } else {
                n.to_string()
            }
        };
        for rc in r.reasons {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                code(&rc.code),
                cell(rc.accounts),
                cell(rc.events),
                cell(rc.event_accounts)
            );
        }
        s.push_str(
            "\nA code given only to accounts (— under events) describes the account; one given \
             only to events (— under members, e.g. `fake-account`) describes those events, whose \
             accounts are counted under the codes of their own verdicts.\n\n",
        );
    }
    s.push_str(
        "Each account's verdict, score, reason codes and the signals behind them are in \
         `reasoning.json` (and, flat, `accounts.csv`); the reason codes are defined in the \
         policy documentation of the version above. `report.html` shows the operation as the \
         scan's report does, with its plots (`plots/`).\n\n",
    );

    let reads = r.kind == "scraping";
    if reads {
        s.push_str("## Whose data was read\n\n");
    } else {
        s.push_str("## Beneficiaries\n\n");
    }
    if r.beneficiaries.is_empty() {
        s.push_str("No event of the operation names an owner.\n\n");
    } else {
        s.push_str(if reads {
            "A scraping operation has no customers on the platform: these are the owners of \
             the profiles, lists and posts it read (`beneficiaries.csv`; `engagements` counts \
             reads).\n\n"
        } else {
            "Who the engagement was bought for: the owners of the engaged targets.\n\n"
        });
        let _ = writeln!(
            s,
            "| {} | {} | targets | accounts | named by the findings |\n|---|---:|---:|---:|---|",
            if reads { "owner" } else { "beneficiary" },
            if reads { "reads" } else { "engagements" }
        );
        for b in r.beneficiaries.iter().take(README_BENEFICIARIES) {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                code(&b.name),
                b.engagements,
                b.targets,
                b.accounts,
                if b.named { "yes" } else { "no" }
            );
        }
        if r.beneficiaries.len() > README_BENEFICIARIES {
            let _ = writeln!(
                s,
                "\n… and {} more in `beneficiaries.csv`.",
                r.beneficiaries.len() - README_BENEFICIARIES
            );
        }
        s.push('\n');
    }

    s.push_str("## Timeline\n\n");
    if r.runs.is_empty() {
        s.push_str("No events.\n\n");
    } else {
        let _ = writeln!(
            s,
            "Runs: events at most an hour apart with the same action and the same {}; UTC; \
             a column is empty when the run has several values. {} run{} in all, in \
             `timeline.csv`.\n",
            if reads { "account" } else { "target" },
            r.runs.len(),
            if r.runs.len() == 1 { "" } else { "s" }
        );
        s.push_str("| start | end | action | actor | target | owner | accounts | targets | events | flagged |\n|---|---|---|---|---|---|---:|---:|---:|---:|\n");
        let opt = |v: &str| if v.is_empty() { String::new() } else { code(v) };
        for b in r.runs.iter().take(README_RUNS) {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                rfc3339(b.start),
                rfc3339(b.end),
                b.action,
                opt(&b.actor),
                opt(&b.target),
                opt(&b.owner),
                b.accounts,
                b.targets,
                b.events,
                b.flagged
            );
        }
        if r.runs.len() > README_RUNS {
            let _ = writeln!(
                s,
                "\n… and {} more in `timeline.csv`.",
                r.runs.len() - README_RUNS
            );
        }
        s.push('\n');
    }

    if !r.notes.is_empty() {
        s.push_str("## Notes\n\n");
        for n in r.notes {
            let _ = writeln!(s, "- {n}");
        }
        s.push('\n');
    }

    s.push_str("## Files\n\n| file | content |\n|---|---|\n");
    let mut files: Vec<(String, String)> = vec![
        ("README.md".into(), "this page".into()),
        (
            "events.csv".into(),
            "every event of the operation's accounts and every event flagged for it, by time (the input format of lockstep: `lockstep scan events.csv` reads it)".into(),
        ),
        ("events.parquet".into(), "the same rows as Parquet".into()),
        (
            "flagged_events.csv".into(),
            "`event,operation,reasons`: the findings' rows for the flagged events above".into(),
        ),
        (
            "accounts.csv".into(),
            "one row per account: role, verdict, score, reason codes, events, flagged events, first and last flagged".into(),
        ),
        (
            "reasoning.json".into(),
            "the operation as the findings give it, the policy version, and per account its verdict, score, reason codes and signals".into(),
        ),
        ("timeline.csv".into(), "the runs above, all of them".into()),
        (
            "beneficiaries.csv".into(),
            "the beneficiaries above, all of them, with first and last engagement".into(),
        ),
        (
            "report.html".into(),
            "the operation's section of the report, self-contained (open it in a browser; prints well)".into(),
        ),
    ];
    for (p, t) in r.plots {
        files.push((p.clone(), format!("plot: {t}")));
    }
    files.extend([
        (
            "provenance.json".into(),
            "where it came from: the findings files and the input files with their SHA-256, the tool, notes".into(),
        ),
        (
            SUMS_FILE.into(),
            "the SHA-256 of every file above (`sha256sum -c SHA256SUMS`)".into(),
        ),
        (
            MANIFEST_FILE.into(),
            "sizes and SHA-256 of every file, the bundle hash, operation, policy version, tool, time".into(),
        ),
    ]);
    for (p, t) in files {
        let _ = writeln!(s, "| `{p}` | {t} |");
    }
    s.push_str(
        "\n## Checking this bundle\n\n\
         `lockstep evidence verify DIR` recomputes every hash and names each file changed, \
         missing or added. Without lockstep: `sha256sum -c SHA256SUMS` checks every file, and \
         `sha256sum SHA256SUMS` prints the bundle hash, which must equal `bundle_sha256` in \
         `manifest.json` (and the hash published or recorded in the audit log when the bundle \
         was written).\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_code_spans() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_740_960_000_231), "2025-03-03T00:00:00.231Z");
        assert_eq!(code("a|b`c\nd"), "`a¦b'c d`");
    }
}
