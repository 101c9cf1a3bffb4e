//! Unit tests of every importer on small slices of the real data sets (skipped, with a
//! message, when the data is not there), and of their errors on wrong paths and formats.

use std::path::PathBuf;

use super::*;

/// `$LOCKSTEP_REAL_DATA`, or `<repo root>/../shared/data/real`.
fn real_data() -> Option<PathBuf> {
    let dir = std::env::var_os("LOCKSTEP_REAL_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/real")
        });
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: no real data at {} (set LOCKSTEP_REAL_DATA)",
            dir.display()
        );
        None
    }
}

/// Imports the first `limit` rows of each file of `kind`; `None` when the data is absent.
fn slice(kind: Kind, limit: usize) -> Option<(tempfile::TempDir, Summary)> {
    let src = real_data()?.join(kind.default_dir());
    if !src.is_dir() {
        eprintln!("skipped: {} is missing", src.display());
        return None;
    }
    let out = tempfile::tempdir().unwrap();
    let opts = Options {
        format: Format::Jsonl,
        limit: Some(limit),
    };
    let s = import(kind, &src, out.path(), &opts).unwrap();
    Some((out, s))
}

fn lines(path: &std::path::Path) -> usize {
    std::fs::read_to_string(path).unwrap().lines().count()
}

#[test]
fn yelpchi_slice() {
    // The file is grouped by product; the first product's filtered reviews start after
    // line 4 710, so the slice must be a little longer than that.
    let Some((out, s)) = slice(Kind::Yelpchi, 6000) else {
        return;
    };
    assert_eq!(s.rows_read, 6000);
    assert_eq!(s.events + s.rows_rejected, 6000);
    assert_eq!(s.rows_rejected, 0);
    assert_eq!(lines(&out.path().join(TRUTH_EVENTS)), 6001);
    assert_eq!(
        lines(&out.path().join(TRUTH_ACCOUNTS)) as u64,
        s.accounts + 1
    );
    assert!(s.positive_events > 0 && s.positive_events < 6000);
    // The dense evaluation runs and ranks every user.
    let r = dense::evaluate(out.path()).unwrap();
    assert_eq!(r.accounts as u64, s.accounts);
    assert!(r.rankings.iter().all(|k| k.roc_auc.is_some()));
}

#[test]
fn youtube_slice_rejects_rows_without_a_date() {
    let Some((out, s)) = slice(Kind::Youtube, 300) else {
        return;
    };
    assert_eq!(s.per_file.len(), 5);
    assert_eq!(s.rows_read, 1500);
    // Eminem's first 300 rows include spam rows without a DATE.
    assert!(
        s.rejected_by_reason
            .get("no-timestamp")
            .copied()
            .unwrap_or(0)
            > 0
    );
    assert_eq!(s.events + s.rows_rejected, 1500);
    let rejected = std::fs::read_to_string(out.path().join(REJECTED_FILE)).unwrap();
    // Only Eminem's undated rows, and a comment id that occurs twice in the data.
    assert!(
        rejected.lines().all(|l| (l.contains("Youtube04-Eminem.csv")
            && l.contains("no-timestamp"))
            || l.contains("duplicate-id")),
        "{rejected}"
    );
    let log = dense::load_events(out.path()).unwrap();
    assert_eq!(log.len() as u64, s.events);
    assert_eq!(log.targets.len(), 5);
}

#[test]
fn srf_slice_keeps_no_usernames() {
    let Some((out, s)) = slice(Kind::Srf, 200) else {
        return;
    };
    assert_eq!(s.accounts, 200);
    assert!(!s.files.contains_key("events"));
    let text = std::fs::read_to_string(out.path().join("accounts.jsonl")).unwrap();
    assert!(!text.contains("instagram.com"));
    assert!(text.contains("\"username_digits\""));
    let t = accounts::load(out.path()).unwrap();
    assert_eq!(t.x.len(), 200);
    assert_eq!(t.names.len(), 8, "SRF has no biography length");
}

#[test]
fn instafake_slice_cross_validates() {
    let Some((out, s)) = slice(Kind::Instafake, 100) else {
        return;
    };
    assert_eq!((s.accounts, s.positive_accounts), (200, 100));
    let t = accounts::load(out.path()).unwrap();
    assert_eq!(t.names.len(), 9);
    let (r, prob) = accounts::cross_validate(&t, accounts::FOLDS).unwrap();
    assert_eq!(prob.len(), 200);
    assert!(prob.iter().all(|p| (0.0..=1.0).contains(p)));
    assert_eq!(r.pooled.tp + r.pooled.fn_, 100);
}

#[test]
fn voterfraud_slice_labels_by_status() {
    let Some((out, s)) = slice(Kind::Voterfraud, 300) else {
        return;
    };
    // users-5.csv is read in full for the labels; each retweet file is sliced.
    assert_eq!(s.events, 8 * 300);
    let text = std::fs::read_to_string(out.path().join(TRUTH_ACCOUNTS)).unwrap();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f[1] == "fake", f[3] == "suspended", "{line}");
    }
}

#[test]
fn followers_slice_has_no_truth() {
    let Some((out, s)) = slice(Kind::Followers, 400) else {
        return;
    };
    assert_eq!(s.events, 400);
    assert!(!out.path().join(TRUTH_ACCOUNTS).exists());
    assert_eq!(lines(&out.path().join("accounts.jsonl")), 400);
    assert_eq!(lines(&out.path().join("events.jsonl")), 400);
}

#[test]
fn wrong_paths_and_formats_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let err = import(
        Kind::Yelpchi,
        &tmp.path().join("nope"),
        &out,
        &Options::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("no such file or directory"),
        "{err}"
    );
    let err = import(Kind::Yelpchi, tmp.path(), &out, &Options::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("not a YelpChi directory (no metadata.gz"),
        "{err}"
    );
    // A YouTube file with the wrong header.
    let yt = tmp.path().join("yt");
    std::fs::create_dir_all(&yt).unwrap();
    std::fs::write(yt.join("Youtube09-X.csv"), "a,b,c\n1,2,3\n").unwrap();
    let err = import(Kind::Youtube, &yt, &out, &Options::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("not a YouTube Spam Collection file"),
        "{err}"
    );
    // InstaFake files that are not arrays.
    let ig = tmp.path().join("ig");
    std::fs::create_dir_all(&ig).unwrap();
    std::fs::write(ig.join("realAccountData.json"), "{}").unwrap();
    std::fs::write(ig.join("fakeAccountData.json"), "[]").unwrap();
    let err = import(Kind::Instafake, &ig, &out, &Options::default()).unwrap_err();
    assert!(err.to_string().contains("expected a JSON array"), "{err}");
    assert!(
        "nonsense"
            .parse::<Kind>()
            .unwrap_err()
            .to_string()
            .contains("yelpchi")
    );
}

#[test]
fn bad_rows_are_rejected_not_fatal() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("yt");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        src.join("Youtube01-Test.csv"),
        "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n\
         c1,ann,2014-01-01T10:00:00,hello,0\n\
         c2,bob,,buy followers,1\n\
         c3,cid,2014-01-01T10:05:00.123,check my channel,7\n\
         c1,dan,2014-01-01T10:06:00,again,0\n\
         c4,eve,2014-01-01T10:07:00,\"sub, please\",1\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let s = import(Kind::Youtube, &src, &out, &Options::default()).unwrap();
    assert_eq!((s.rows_read, s.events, s.rows_rejected), (5, 2, 3));
    let reasons: Vec<&str> = s.rejected_by_reason.keys().map(String::as_str).collect();
    assert_eq!(reasons, ["bad-label", "duplicate-id", "no-timestamp"]);
    let rejected = std::fs::read_to_string(out.join(REJECTED_FILE)).unwrap();
    assert!(rejected.contains("\"line\":3"), "{rejected}");
    assert!(
        !rejected.contains("buy followers"),
        "rejected rows never repeat content"
    );
    assert_eq!(
        std::fs::read_to_string(out.join(TRUTH_EVENTS)).unwrap(),
        "event,fake,operation\nc1,0,\nc4,1,\n"
    );
    let back = read_summary(&out).unwrap();
    assert_eq!(back, s);
}

#[test]
fn parquet_output_reads_back() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("y");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("metadata.gz"), {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"201 0 None -1 None\n202 0 None 1 None\n202 1 None 1 None\n")
            .unwrap();
        gz.finish().unwrap()
    })
    .unwrap();
    let out = tmp.path().join("out");
    let opts = Options {
        format: Format::Parquet,
        limit: None,
    };
    let s = import(Kind::Yelpchi, &src, &out, &opts).unwrap();
    assert_eq!(s.files["events"], "events.parquet");
    let log = dense::load_events(&out).unwrap();
    assert_eq!(log.len(), 3);
}
