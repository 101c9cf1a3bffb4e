//! CSV input.

use lockstep_ingest::{IngestOptions, Inputs, Reason};

use crate::util::*;

#[test]
fn columns_in_any_order_with_unknown_ones() {
    let d = tempfile::tempdir().unwrap();
    let text = "target,extra,ts,action,actor,ip,id\n\
                p1,zz,2026-03-01T12:00:00Z,like,u1,10.0.0.1,e1\n\
                p2,,1772366400000,follow,u2,,\n";
    let p = file(d.path(), "a.csv", text);
    let (l, s) = load_events(&[p]);
    check_invariant(&l.stats, &s);
    assert!(s.0.is_empty(), "{:?}", s.0);
    assert_eq!(l.log.len(), 2);
    assert_eq!(l.log.targets.resolve(l.log.target()[1]), "p2");
    assert_eq!(l.log.ts()[0], 1_772_366_400_000);
    assert_eq!(l.log.ip()[1], lockstep_core::NONE);
    assert_eq!(l.log.event_id_string(1), "a.csv:3");
}

#[test]
fn empty_file_and_header_only() {
    let d = tempfile::tempdir().unwrap();
    let a = file(d.path(), "a.csv", "");
    let b = file(d.path(), "b.csv", "ts,actor,action,target\n");
    let c = gz_file(d.path(), "c.csv.gz", "");
    let (l, s) = load_events(&[a, b, c]);
    check_invariant(&l.stats, &s);
    assert_eq!(l.stats.lines, 0);
}

#[test]
fn missing_and_extra_cells_and_quoted_newlines() {
    let d = tempfile::tempdir().unwrap();
    let text = "id,ts,actor,action,target,text\n\
                e1,1,u1,comment,p1,\"two\nlines\"\n\
                e2,1,u2,like\n\
                e3,1,u3,like,p3,,surplus\n\
                e4,1,u4,comment,p4,\"say \"\"hi\"\"\n\nthere\"\n\
                e5,1,,like,p5,\n\
                e6,x,u6,like,p6,\n\
                e7,1,u7,like,p7,\n";
    let p = file(d.path(), "q.csv", text);
    let (l, s) = load_events(&[p]);
    check_invariant(&l.stats, &s);
    assert_eq!(l.log.len(), 3);
    assert_eq!(l.log.text(0), "two\nlines");
    assert_eq!(l.log.text(1), "say \"hi\"\n\nthere");
    // Lines are physical: e1 starts on 2, e2 on 4, e4 on 6 and spans 3 lines.
    assert_eq!(l.log.line(1), 6);
    assert_eq!(l.log.line(2), 11);
    assert_eq!(
        reasons(&s),
        [
            (4, Reason::WrongFieldCount),
            (5, Reason::WrongFieldCount),
            (9, Reason::MissingField),
            (10, Reason::BadTimestamp)
        ]
    );
    assert_eq!(s.0[0].raw, "e2,1,u2,like");
    assert!(s.0[0].message.contains("4 cells"), "{}", s.0[0].message);
}

#[test]
fn header_without_a_required_column_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let p = file(d.path(), "h.csv", "id,ts,action,target\ne1,1,like,p\n");
    let (r, _) = try_load(&Inputs::events(&[p]), &unlimited());
    let e = r.unwrap_err().to_string();
    assert!(e.contains("h.csv") && e.contains("`actor`"), "{e}");
}

#[test]
fn not_utf8_cells() {
    let d = tempfile::tempdir().unwrap();
    let p = file(
        d.path(),
        "u.csv",
        b"ts,actor,action,target\n1,a\xff,like,p\n2,b,like,p\n".as_slice(),
    );
    let (l, s) = load_events(&[p]);
    check_invariant(&l.stats, &s);
    assert_eq!(l.log.len(), 1);
    assert_eq!(reasons(&s), [(2, Reason::NotUtf8)]);
    assert!(s.0[0].message.contains("`actor`"));
}

#[test]
fn truncated_csv_gzip() {
    use std::io::Write;
    let d = tempfile::tempdir().unwrap();
    let mut text = String::from("id,ts,actor,action,target\n");
    for i in 0..20_000 {
        text += &format!("e{i},{},u{i},like,p{}\n", 1_700_000_000_000u64 + i, i % 50);
    }
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    w.write_all(text.as_bytes()).unwrap();
    let bytes = w.finish().unwrap();
    let p = file(d.path(), "t.csv.gz", &bytes[..bytes.len() * 2 / 3]);
    let (r, s) = try_load(&Inputs::events(&[p]), &IngestOptions { ..unlimited() });
    let l = r.unwrap();
    check_invariant(&l.stats, &s);
    assert!(
        l.log.len() > 1000 && l.log.len() < 20_000,
        "{}",
        l.log.len()
    );
    assert_eq!(s.0.last().unwrap().reason, Reason::TruncatedGzip);
}
