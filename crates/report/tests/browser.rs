//! The report in headless Chromium: it loads, its sections are in the DOM, nothing turned into
//! a script, and the screenshot is more than a blank page. Skipped with a notice when
//! `chromium` is not on `PATH`, unless `CI` is set (then it fails: `./scripts/install-deps
//! chromium` installs it).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::fixture;

/// `chromium` (or `chromium-browser`) on `PATH`.
fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Runs chromium headless on `page` with `extra` arguments and a fresh profile; returns
/// stdout. Panics on a non-zero exit or after two minutes.
fn chromium(bin: &Path, page: &Path, profile: &Path, extra: &[String]) -> String {
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,2000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(format!("file://{}", page.display()))
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start chromium");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait for chromium").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("chromium output");
    assert!(
        out.status.success(),
        "chromium exited with {}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn report_renders_in_headless_chromium() {
    let Some(bin) = find_chromium() else {
        assert!(
            !in_ci(),
            "chromium is not on PATH and CI is set: run ./scripts/install-deps chromium"
        );
        eprintln!("NOTICE: chromium is not on PATH; skipping the browser test");
        return;
    };
    let (log, truth) = fixture::log();
    let dir = tempfile::tempdir().unwrap();
    fixture::write_findings(&log, &truth, dir.path());
    let page = lockstep_report::write_report(&log, dir.path()).unwrap();

    let shot = dir.path().join("shot.png");
    chromium(
        &bin,
        &page,
        &dir.path().join("profile-shot"),
        &[format!("--screenshot={}", shot.display())],
    );
    let png = std::fs::read(&shot).expect("the screenshot was written");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    assert!(
        png.len() > 20_000,
        "screenshot of {} bytes: blank?",
        png.len()
    );

    let dom = chromium(
        &bin,
        &page,
        &dir.path().join("profile-dom"),
        &["--dump-dom".to_owned()],
    );
    for heading in [
        "Summary",
        "Operations",
        "Corrected counts",
        "Notes on the input",
        "Accounts × time",
        "Beneficiaries",
        "Infrastructure",
    ] {
        assert!(dom.contains(heading), "the DOM lacks {heading}");
    }
    assert!(dom.contains("<svg"), "no inline SVG in the DOM");
    assert!(
        !dom.contains("<script"),
        "an input string became a script element"
    );
    assert!(
        !dom.contains("<img"),
        "an input string became an img element"
    );
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}
