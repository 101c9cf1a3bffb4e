//! The rendered page of the small fixture against `tests/golden/small.html`. Run with
//! `LOCKSTEP_BLESS=1` to rewrite the file after an intended change, and review the diff.

use std::path::PathBuf;

use lockstep_report::{Findings, render};

use crate::fixture;

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/small.html")
}

#[test]
fn small_report_matches_golden() {
    let (log, truth) = fixture::log();
    let dir = tempfile::tempdir().unwrap();
    fixture::write_findings(&log, &truth, dir.path());
    let got = render(&log, &Findings::read(dir.path()).unwrap());
    // One element per line keeps the golden file's diffs readable.
    let got = got.replace("><", ">\n<") + "\n";
    let path = golden_path();
    if std::env::var_os("LOCKSTEP_BLESS").is_some_and(|v| !v.is_empty() && v != "0") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &got).unwrap();
        eprintln!("wrote {}", path.display());
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with LOCKSTEP_BLESS=1 to create it",
            path.display()
        )
    });
    if got != want {
        let (g, w): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
        let at = g
            .iter()
            .zip(&w)
            .position(|(a, b)| a != b)
            .unwrap_or(g.len().min(w.len()));
        let lo = at.saturating_sub(3);
        panic!(
            "report differs from {} at line {}\n--- expected\n{}\n--- got\n{}\n\
             (LOCKSTEP_BLESS=1 rewrites the file after an intended change)",
            path.display(),
            at + 1,
            w[lo..(at + 4).min(w.len())].join("\n"),
            g[lo..(at + 4).min(g.len())].join("\n"),
        );
    }
}
