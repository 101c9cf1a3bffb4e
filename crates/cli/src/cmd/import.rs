//! `lockstep import`: converts a public labelled data set to event-log and truth files, and
//! with `--evaluate` runs what applies to it and scores the result against its labels.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use lockstep_import::metrics::fmt3;
use lockstep_import::{Format, Kind, Options, Summary};
use lockstep_ingest::RejectBudget;
use serde_json::json;

use crate::cmd::scan;

/// Arguments of `lockstep import`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The data set: yelpchi, youtube, srf, instafake, voterfraud or followers.
    #[arg(value_name = "KIND", value_parser = parse_kind)]
    kind: Kind,
    /// The data set's directory as shipped (e.g. ../shared/data/real/yelpchi-ugfraud-graph),
    /// or its one file for one-file data sets.
    #[arg(value_name = "PATH")]
    path: PathBuf,
    /// Output directory: events, accounts, truth_*.csv, rejected.jsonl, import.json.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Format of the events and accounts files: jsonl, jsonl.gz, csv or parquet.
    #[arg(long, value_name = "FMT", default_value = "jsonl", value_parser = parse_format)]
    format: Format,
    /// Read at most N data rows of each source file.
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Also run what applies to this data set (Fraudar ranking, `lockstep scan`, or
    /// cross-validated account scoring), score it against the labels, print the numbers and
    /// write DIR/evaluation.json (scans go to DIR/findings).
    #[arg(long)]
    evaluate: bool,
    /// With --evaluate on srf or instafake: also fit the model on all accounts of this other
    /// import directory and score this one's (the features both have).
    #[arg(long, value_name = "DIR", requires = "evaluate")]
    train_on: Option<PathBuf>,
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    s.parse().map_err(|e: lockstep_import::Error| e.to_string())
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse().map_err(|e: lockstep_ingest::Error| e.to_string())
}

/// Runs `lockstep import`.
pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let opts = Options {
        format: args.format,
        limit: args.limit,
    };
    let s = lockstep_import::import(args.kind, &args.path, &args.out, &opts)
        .with_context(|| format!("cannot import {} as {}", args.path.display(), args.kind))?;
    print_summary(&s, &args.out)?;
    if args.evaluate {
        evaluate(args.kind, &args.out, &s, args.train_on.as_deref())?;
    }
    Ok(())
}

fn print_summary(s: &Summary, out: &Path) -> anyhow::Result<()> {
    let mut o = std::io::stdout().lock();
    writeln!(o, "imported {} ({})", s.kind, s.data_set)?;
    writeln!(
        o,
        "  {} rows read, {} rejected{}",
        s.rows_read,
        s.rows_rejected,
        if s.rows_rejected > 0 {
            format!(
                " ({})",
                s.rejected_by_reason
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            String::new()
        }
    )?;
    writeln!(
        o,
        "  {} events ({} labelled positive), {} accounts ({} labelled positive)",
        s.events, s.positive_events, s.accounts, s.positive_accounts
    )?;
    writeln!(o, "  label: {}", s.label_type)?;
    writeln!(o, "  → {}", out.display())?;
    o.flush()?;
    Ok(())
}

/// The scan of an import's events (and accounts file) into `DIR/findings`.
fn scan_import(dir: &Path, s: &Summary) -> anyhow::Result<PathBuf> {
    let findings = dir.join("findings");
    let events = s
        .files
        .get("events")
        .with_context(|| format!("{}: this import has no events to scan", dir.display()))?;
    let args = scan::Args {
        files: vec![dir.join(events)],
        accounts: s.files.get("accounts").map(|a| dir.join(a)),
        devices: None,
        policy: None,
        max_rejected: RejectBudget::default(),
        out: findings.clone(),
    };
    let o = scan::scan(&args)?;
    scan::print_summary(&o, &findings)?;
    Ok(findings)
}

/// Reason codes in a findings directory's verdicts and flagged events, with counts.
fn reasons(findings: &Path) -> anyhow::Result<BTreeMap<String, u64>> {
    let mut m = BTreeMap::new();
    for (file, col) in [("verdicts.csv", 4), ("flagged_events.csv", 2)] {
        let path = findings.join(file);
        if !path.exists() {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut rdr = csv_lines(&text);
        rdr.next();
        for line in rdr {
            if let Some(r) = line.get(col) {
                for code in r.split(';').filter(|c| !c.is_empty()) {
                    *m.entry(format!("{file}: {code}")).or_insert(0) += 1;
                }
            }
        }
    }
    Ok(m)
}

/// Splits CSV text into rows of fields (quotes honoured), enough for findings files.
fn csv_lines(text: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    text.lines().map(|line| {
        let mut fields = Vec::new();
        let (mut cur, mut quoted) = (String::new(), false);
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    cur.push('"');
                    chars.next();
                }
                '"' => quoted = !quoted,
                ',' if !quoted => fields.push(std::mem::take(&mut cur)),
                c => cur.push(c),
            }
        }
        fields.push(cur);
        fields
    })
}

fn write_rankings(
    o: &mut impl Write,
    rankings: &[lockstep_import::dense::Ranking],
) -> anyhow::Result<()> {
    write!(
        o,
        "  {:<32} {:>7} {:>7} {:>7}",
        "account score", "ROC AUC", "AP", "R-prec"
    )?;
    for k in lockstep_import::dense::KS {
        write!(o, " {:>7}", format!("P@{k}"))?;
    }
    writeln!(o)?;
    for rk in rankings {
        write!(
            o,
            "  {:<32} {:>7} {:>7} {:>7}",
            rk.score,
            fmt3(rk.roc_auc),
            fmt3(rk.average_precision),
            fmt3(rk.r_precision)
        )?;
        for (_, p) in &rk.precision_at_k {
            write!(o, " {:>7}", fmt3(*p))?;
        }
        writeln!(o)?;
    }
    Ok(())
}

fn evaluate(kind: Kind, dir: &Path, s: &Summary, train_on: Option<&Path>) -> anyhow::Result<()> {
    let mut o = std::io::stdout().lock();
    writeln!(o, "\nevaluation (label: {})", s.label_type)?;
    let body = match kind {
        Kind::Yelpchi => {
            let r = lockstep_import::dense::evaluate(dir).context("dense-block evaluation")?;
            writeln!(
                o,
                "  {} users with a review ({} positive), {} products, {} edges",
                r.accounts, r.positives, r.targets, r.edges
            )?;
            write_rankings(&mut o, &r.rankings)?;
            writeln!(
                o,
                "  among the {} users with at least 2 products ({} positive):",
                r.multi_target_accounts, r.multi_target_positives
            )?;
            write_rankings(&mut o, &r.multi_target_rankings)?;
            writeln!(
                o,
                "  default-config Fraudar blocks (what a scan would see):"
            )?;
            if r.default_blocks.is_empty() {
                writeln!(o, "    none above the default density floor")?;
            }
            for b in &r.default_blocks {
                writeln!(
                    o,
                    "    round {}: {} users × {} products, density {:.2}, {} users positive",
                    b.round, b.accounts, b.targets, b.density, b.positive_accounts
                )?;
            }
            serde_json::to_value(&r)?
        }
        Kind::Srf | Kind::Instafake => {
            let t = lockstep_import::accounts::load(dir).context("loading the accounts")?;
            let (r, prob) =
                lockstep_import::accounts::cross_validate(&t, lockstep_import::accounts::FOLDS)?;
            let cv = dir.join("cv");
            lockstep_import::accounts::write_verdicts(&cv, &t, &prob)?;
            writeln!(
                o,
                "  logistic regression, {}-fold stratified cross-validation, threshold {}",
                r.folds,
                lockstep_import::accounts::THRESHOLD
            )?;
            writeln!(
                o,
                "  {} accounts, {} labelled fake",
                r.accounts, r.positives
            )?;
            writeln!(
                o,
                "  {:<8} {:>9} {:>9} {:>9} {:>5} {:>5} {:>5}",
                "fold", "precision", "recall", "F1", "TP", "FP", "FN"
            )?;
            for (i, p) in r.per_fold.iter().enumerate() {
                writeln!(
                    o,
                    "  {:<8} {:>9} {:>9} {:>9} {:>5} {:>5} {:>5}",
                    i + 1,
                    fmt3(p.precision),
                    fmt3(p.recall),
                    fmt3(p.f1),
                    p.tp,
                    p.fp,
                    p.fn_
                )?;
            }
            let p = &r.pooled;
            writeln!(
                o,
                "  {:<8} {:>9} {:>9} {:>9} {:>5} {:>5} {:>5}",
                "pooled",
                fmt3(p.precision),
                fmt3(p.recall),
                fmt3(p.f1),
                p.tp,
                p.fp,
                p.fn_
            )?;
            let m = &r.fold_mean_sd;
            writeln!(
                o,
                "  fold mean ± sd: precision {:.3} ± {:.3}, recall {:.3} ± {:.3}, F1 {:.3} ± {:.3}",
                m.precision.0, m.precision.1, m.recall.0, m.recall.1, m.f1.0, m.f1.1
            )?;
            writeln!(
                o,
                "  out-of-fold ROC AUC {}, average precision {}",
                fmt3(r.roc_auc),
                fmt3(r.average_precision)
            )?;
            writeln!(
                o,
                "  out-of-fold verdicts: {} (lockstep eval --truth {} --findings {})",
                cv.display(),
                dir.display(),
                cv.display()
            )?;
            let mut v = serde_json::to_value(&r)?;
            if let Some(other) = train_on {
                let train = lockstep_import::accounts::load(other)
                    .with_context(|| format!("loading the accounts of {}", other.display()))?;
                let x = lockstep_import::accounts::transfer(&train, &t)?;
                let from = lockstep_import::read_summary(other)?;
                writeln!(
                    o,
                    "  trained on all of {} ({} accounts, {} fake; label: {}), scored here: precision {} recall {} F1 {}, ROC AUC {}, AP {} ({} features: {})",
                    from.kind,
                    x.train.0,
                    x.train.1,
                    from.label_type,
                    fmt3(x.prf.precision),
                    fmt3(x.prf.recall),
                    fmt3(x.prf.f1),
                    fmt3(x.roc_auc),
                    fmt3(x.average_precision),
                    x.features.len(),
                    x.features.join(", ")
                )?;
                v["transfer"] = serde_json::to_value(&x)?;
            }
            v
        }
        Kind::Youtube => {
            drop(o);
            let findings = scan_import(dir, s)?;
            let mut o = std::io::stdout().lock();
            let per = lockstep_import::findings::per_target(dir, &findings)?;
            writeln!(
                o,
                "  comments flagged by lockstep scan, per video (label: hand-labelled spam comment)"
            )?;
            writeln!(
                o,
                "  {:<22} {:>6} {:>6} {:>8} {:>9} {:>7}",
                "video", "events", "spam", "flagged", "precision", "recall"
            )?;
            for t in &per {
                writeln!(
                    o,
                    "  {:<22} {:>6} {:>6} {:>8} {:>9} {:>7}",
                    t.target,
                    t.events,
                    t.positives,
                    t.prf.tp + t.prf.fp,
                    fmt3(t.prf.precision),
                    fmt3(t.prf.recall)
                )?;
            }
            let rs = reasons(&findings)?;
            writeln!(
                o,
                "  reason codes in the findings: {}",
                if rs.is_empty() {
                    "none".to_owned()
                } else {
                    rs.iter()
                        .map(|(k, v)| format!("{k} ×{v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            )?;
            let eval = lockstep_eval::evaluate(dir, &findings)?;
            let a = &eval.accounts;
            writeln!(
                o,
                "  authors (label: any spam comment): precision {} recall {} ({} flagged of {}, {} positive)",
                fmt3(a.precision),
                fmt3(a.recall),
                a.flagged,
                a.truth_accounts,
                a.positives
            )?;
            let c = lockstep_import::content::evaluate(dir).context("template-comment detector")?;
            writeln!(
                o,
                "  template-comment detector alone (default config): {} comments, {} long enough, {} distinct texts, {} similar pairs, {} clusters, {} concentrated",
                c.stats.comments,
                c.stats.eligible,
                c.stats.distinct_texts,
                c.stats.similar_pairs,
                c.stats.clusters,
                c.stats.concentrated
            )?;
            for t in &c.per_target {
                writeln!(
                    o,
                    "  {:<22} {:>6} {:>6} {:>8} {:>9} {:>7}",
                    t.target,
                    t.events,
                    t.positives,
                    t.prf.tp + t.prf.fp,
                    fmt3(t.prf.precision),
                    fmt3(t.prf.recall)
                )?;
            }
            json!({"per_video": per, "reasons": rs, "eval": eval, "content_detector": c})
        }
        Kind::Voterfraud => {
            drop(o);
            let findings = scan_import(dir, s)?;
            let mut o = std::io::stdout().lock();
            let g = lockstep_import::findings::by_group(dir, &findings)?;
            writeln!(
                o,
                "  verdicts by status in users-5.csv (weak label: suspended)"
            )?;
            for (group, counts) in &g.by_group {
                writeln!(
                    o,
                    "    {:<16} {}",
                    group,
                    counts
                        .iter()
                        .map(|(k, v)| format!("{k} {v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )?;
            }
            writeln!(
                o,
                "  base rate suspended {}; flagged {} accounts, of which suspended {} (lift {}); recall of suspended {}",
                fmt3(g.base_rate),
                g.flagged,
                fmt3(g.flagged_prf.precision),
                g.lift.map_or("n/a".into(), |l| format!("{l:.2}×")),
                fmt3(g.flagged_prf.recall)
            )?;
            writeln!(
                o,
                "  any verdict but ok: {} accounts, suspended share {}",
                g.any_verdict,
                fmt3(g.any_verdict_positive_share)
            )?;
            let d = lockstep_import::dense::evaluate(dir).context("dense-block evaluation")?;
            writeln!(
                o,
                "  dense-block scores against the weak label ({} retweeters, {} suspended; {} tweets, {} edges):",
                d.accounts, d.positives, d.targets, d.edges
            )?;
            write_rankings(&mut o, &d.rankings)?;
            writeln!(
                o,
                "  among the {} retweeters of at least 2 tweets ({} suspended):",
                d.multi_target_accounts, d.multi_target_positives
            )?;
            write_rankings(&mut o, &d.multi_target_rankings)?;
            for b in &d.default_blocks {
                writeln!(
                    o,
                    "  default-config Fraudar block, round {}: {} accounts × {} tweets, density {:.2}, {} suspended",
                    b.round, b.accounts, b.targets, b.density, b.positive_accounts
                )?;
            }
            for b in &d.ranking_blocks {
                writeln!(
                    o,
                    "  ranking-run block, round {}: {} accounts × {} tweets, density {:.2}, {} suspended",
                    b.round, b.accounts, b.targets, b.density, b.positive_accounts
                )?;
            }
            json!({"groups": g, "reasons": reasons(&findings)?, "dense": d})
        }
        Kind::Followers => {
            drop(o);
            let findings = scan_import(dir, s)?;
            let mut o = std::io::stdout().lock();
            let f = lockstep_import::findings::followers(dir, &findings)?;
            writeln!(o, "  unlabelled: observations only")?;
            writeln!(
                o,
                "  {} followers; verdicts {}",
                f.followers,
                f.verdicts
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
            writeln!(
                o,
                "  accounts at most 30 days old at their inferred follow time: {} ({:.1}%); longest run of consecutive such follows: {} starting at follow #{}",
                f.young_at_follow,
                100.0 * f.young_at_follow as f64 / f.followers.max(1) as f64,
                f.longest_young_run.0,
                f.longest_young_run.1
            )?;
            writeln!(
                o,
                "  accounts with a verdict other than ok: {} ({} of them young at follow)",
                f.any_verdict, f.any_verdict_young
            )?;
            json!({"followers": f, "reasons": reasons(&findings)?})
        }
    };
    let path = dir.join("evaluation.json");
    let doc = json!({
        "kind": kind.name(),
        "data_set": s.data_set,
        "label_type": s.label_type,
        "rows_read": s.rows_read,
        "limit_note": "see import.json per_file for rows read per source file",
        "result": body,
    });
    std::fs::write(&path, serde_json::to_string_pretty(&doc)? + "\n")
        .with_context(|| format!("cannot write {}", path.display()))?;
    say!("  full results: {}", path.display());
    Ok(())
}
