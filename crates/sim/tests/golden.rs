//! Same seed and options → byte-identical output, whatever the thread count or file split.

use std::path::Path;

use lockstep_sim::{Config, Format, simulate};
use sha2::{Digest, Sha256};

fn small() -> Config {
    let mut cfg = Config::default();
    cfg.accounts = 1_500;
    cfg.days = 2;
    cfg.seed = 2025;
    cfg
}

/// `name  sha256` for every file in `dir`, sorted by name.
fn digests(dir: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut out = String::new();
    for n in names {
        let bytes = std::fs::read(dir.join(&n)).unwrap();
        let h = Sha256::digest(&bytes);
        let hex: String = h.iter().map(|b| format!("{b:02x}")).collect();
        out.push_str(&format!("{hex}  {n}\n"));
    }
    out
}

/// The committed hashes of the small world. Set `LOCKSTEP_BLESS=1` to rewrite them after an
/// intended change to the simulator, and review the diff.
#[test]
fn golden_small_world() {
    let dir = tempfile::tempdir().unwrap();
    simulate(&small(), dir.path(), Format::Jsonl).unwrap();
    let got = digests(dir.path());
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/small-jsonl.sha256");
    if std::env::var_os("LOCKSTEP_BLESS").is_some() {
        std::fs::write(&golden, &got).unwrap();
    }
    let want = std::fs::read_to_string(&golden)
        .expect("golden file (run with LOCKSTEP_BLESS=1 to create it)");
    assert!(
        want == got,
        "output changed; if intended, rerun with LOCKSTEP_BLESS=1 and commit\n--- want\n{want}--- got\n{got}"
    );
}

#[test]
fn two_runs_are_byte_identical_and_thread_count_does_not_matter() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    simulate(&small(), a.path(), Format::Csv).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    pool.install(|| simulate(&small(), b.path(), Format::Csv))
        .unwrap();
    assert_eq!(digests(a.path()), digests(b.path()));
}

#[test]
fn split_files_concatenate_to_the_single_file() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    simulate(&small(), a.path(), Format::Jsonl).unwrap();
    let mut cfg = small();
    cfg.split_events = true;
    let s = simulate(&cfg, b.path(), Format::Jsonl).unwrap();
    let single = std::fs::read(a.path().join("events.jsonl")).unwrap();
    let mut joined = Vec::new();
    for d in 0..cfg.days {
        joined.extend(std::fs::read(b.path().join(format!("events-{d:03}.jsonl"))).unwrap());
    }
    assert_eq!(single.len(), joined.len());
    assert!(single == joined);
    assert_eq!(
        s.events as usize,
        single.iter().filter(|&&c| c == b'\n').count()
    );
    let t1 = std::fs::read(a.path().join("truth_events.csv")).unwrap();
    let t2 = std::fs::read(b.path().join("truth_events.csv")).unwrap();
    assert!(t1 == t2);
}

#[test]
fn another_seed_gives_another_world() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    simulate(&small(), a.path(), Format::Jsonl).unwrap();
    let mut cfg = small();
    cfg.seed += 1;
    simulate(&cfg, b.path(), Format::Jsonl).unwrap();
    assert_ne!(
        std::fs::read(a.path().join("events.jsonl")).unwrap(),
        std::fs::read(b.path().join("events.jsonl")).unwrap()
    );
}
