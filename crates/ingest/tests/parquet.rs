//! Parquet input.
#![cfg(feature = "parquet")]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, DictionaryArray, Float64Array, Int64Array, LargeStringArray, RecordBatch,
    StringArray, StringViewArray, TimestampMicrosecondArray, TimestampSecondArray,
};
use lockstep_ingest::{Inputs, Reason};
use parquet::arrow::ArrowWriter;

use crate::util::*;

fn write(dir: &Path, name: &str, cols: Vec<(&str, ArrayRef)>) -> PathBuf {
    let p = dir.join(name);
    let batch = RecordBatch::try_from_iter(cols).unwrap();
    let mut w =
        ArrowWriter::try_new(std::fs::File::create(&p).unwrap(), batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    p
}

fn strs(v: &[Option<&str>]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}

#[test]
fn types_nulls_and_dictionaries() {
    let d = tempfile::tempdir().unwrap();
    let dict: DictionaryArray<Int32Type> = vec![Some("like"), Some("follow"), Some("like"), None]
        .into_iter()
        .collect();
    let p = write(
        d.path(),
        "t.parquet",
        vec![
            (
                "ts",
                Arc::new(TimestampSecondArray::from(vec![
                    Some(1_700_000_000),
                    Some(1_700_000_001),
                    None,
                    Some(1),
                ])) as ArrayRef,
            ),
            (
                "actor",
                Arc::new(LargeStringArray::from(vec!["a", "b", "c", "d"])),
            ),
            ("action", Arc::new(dict)),
            (
                "target",
                Arc::new(StringViewArray::from(vec!["p", "q", "r", "s"])),
            ),
            (
                "ip",
                strs(&[
                    Some("::ffff:1.2.3.4"),
                    None,
                    Some("1.1.1.1"),
                    Some("1.1.1.1"),
                ]),
            ),
            (
                "other",
                Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0, 4.0])),
            ),
        ],
    );
    let (l, s) = load_events(&[p]);
    check_invariant(&l.stats, &s);
    assert_eq!(l.log.len(), 2);
    assert_eq!(l.log.ts(), [1_700_000_000_000, 1_700_000_001_000]);
    assert_eq!(l.log.verbs.name(l.log.action()[1]), "follow");
    assert_eq!(l.log.ips.resolve(l.log.ip()[0]).to_string(), "1.2.3.4");
    assert_eq!(
        reasons(&s),
        [(3, Reason::MissingField), (4, Reason::MissingField)]
    );
    assert!(s.0[0].message.contains("`ts`"));
    assert!(s.0[1].message.contains("`action`"));
    assert!(s.0[0].raw.contains("\"actor\":\"c\""), "{}", s.0[0].raw);
    assert_eq!(l.log.event_id_string(1), "t.parquet:2");
}

#[test]
fn ts_as_int_text_and_micros() {
    let d = tempfile::tempdir().unwrap();
    let a = write(
        d.path(),
        "a.parquet",
        vec![
            ("ts", Arc::new(Int64Array::from(vec![5, -1])) as ArrayRef),
            ("actor", strs(&[Some("a"), Some("a")])),
            ("action", strs(&[Some("like"), Some("like")])),
            ("target", strs(&[Some("p"), Some("p")])),
        ],
    );
    let b = write(
        d.path(),
        "b.parquet",
        vec![
            (
                "ts",
                strs(&[Some("2026-03-01T12:00:00+01:00"), Some("77"), Some("nope")]),
            ),
            ("actor", strs(&[Some("a"), Some("a"), Some("a")])),
            ("action", strs(&[Some("like"), Some("like"), Some("like")])),
            ("target", strs(&[Some("p"), Some("p"), Some("p")])),
        ],
    );
    let c = write(
        d.path(),
        "c.parquet",
        vec![
            (
                "ts",
                Arc::new(TimestampMicrosecondArray::from(vec![1_500_123_999])) as ArrayRef,
            ),
            ("actor", strs(&[Some("a")])),
            ("action", strs(&[Some("like")])),
            ("target", strs(&[Some("p")])),
        ],
    );
    let (l, s) = load_events(&[a, b, c]);
    check_invariant(&l.stats, &s);
    assert_eq!(l.log.ts(), [5, 1_772_362_800_000, 77, 1_500_123]);
    assert_eq!(
        reasons(&s),
        [(2, Reason::TimestampOutOfRange), (3, Reason::BadTimestamp)]
    );
}

#[test]
fn wrong_column_types_are_file_errors() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "w.parquet",
        vec![
            ("ts", Arc::new(Float64Array::from(vec![1.0])) as ArrayRef),
            ("actor", strs(&[Some("a")])),
            ("action", strs(&[Some("like")])),
            ("target", strs(&[Some("p")])),
        ],
    );
    let (r, _) = try_load(&Inputs::events(&[p]), &unlimited());
    let e = r.unwrap_err().to_string();
    assert!(
        e.contains("w.parquet")
            && e.contains("`ts`")
            && e.contains("Float64")
            && e.contains("Timestamp"),
        "{e}"
    );

    let p = write(
        d.path(),
        "x.parquet",
        vec![
            ("ts", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
            ("actor", Arc::new(Int64Array::from(vec![1]))),
            ("action", strs(&[Some("like")])),
            ("target", strs(&[Some("p")])),
        ],
    );
    let (r, _) = try_load(&Inputs::events(&[p]), &unlimited());
    let e = r.unwrap_err().to_string();
    assert!(
        e.contains("`actor`") && e.contains("Int64") && e.contains("Utf8"),
        "{e}"
    );

    let p = write(
        d.path(),
        "y.parquet",
        vec![
            ("ts", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
            ("actor", strs(&[Some("a")])),
        ],
    );
    let (r, _) = try_load(&Inputs::events(&[p]), &unlimited());
    let e = r.unwrap_err().to_string();
    assert!(e.contains("`action`") && e.contains("missing"), "{e}");

    // Not a Parquet file at all.
    let p = file(d.path(), "z.parquet", "hello");
    let (r, _) = try_load(&Inputs::events(&[p]), &unlimited());
    let e = r.unwrap_err();
    assert!(matches!(e, lockstep_ingest::Error::Parquet { .. }), "{e}");
    assert!(e.to_string().contains("z.parquet"));
}

#[test]
fn empty_parquet() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("e.parquet");
    lockstep_ingest::write::EventWriter::create(&p, lockstep_ingest::write::Format::Parquet)
        .unwrap()
        .finish()
        .unwrap();
    let (l, s) = load_events(&[p]);
    check_invariant(&l.stats, &s);
    assert_eq!(l.stats.lines, 0);
}

/// Utf8 columns are read as dictionaries, checked and interned once per dictionary value: the
/// log and the rejected rows are those of the same rows read one by one (as JSON Lines), across
/// row groups (new dictionaries) and batches.
#[test]
fn dictionary_columns_match_row_by_row() {
    use parquet::file::properties::WriterProperties;
    let d = tempfile::tempdir().unwrap();
    let n = 3000usize;
    let pick = |i: usize, m: usize| (i * 7919 + i / 3) % m;
    let mut cols: Vec<Vec<Option<String>>> = vec![Vec::new(); 9];
    let mut ts = Vec::new();
    let mut jsonl = String::new();
    for i in 0..n {
        let id = (i % 11 != 0).then(|| format!("e{}", pick(i, 2500)));
        let actor = match i % 97 {
            5 => None,
            6 => Some(String::new()),
            _ => Some(format!("u{}", pick(i, 300))),
        };
        let action = Some(["like", "view", "zap", "follow"][pick(i, 4)].to_string());
        let target = (i % 89 != 3).then(|| format!("p{}", pick(i, 700)));
        let owner = (i % 5 != 0).then(|| format!("u{}", pick(i + 1, 300)));
        let ip = match i % 53 {
            0 => None,
            1 => Some("1.2.3".to_string()),
            2 => Some(String::new()),
            _ => Some(format!("10.0.{}.{}", pick(i, 3), pick(i, 200))),
        };
        let device = (i % 4 != 0).then(|| format!("d{}", pick(i, 400)));
        let client = Some(["web", "", "ios/1"][i % 3].to_string());
        let text = (i % 10 == 0).then(|| format!("t{i}"));
        let t = (i % 71 != 9).then_some(1_772_323_200_000i64 + i as i64);
        let row = [id, actor, action, target, owner, ip, device, client, text];
        let mut obj = serde_json::Map::new();
        let names = [
            "id", "actor", "action", "target", "owner", "ip", "device", "client", "text",
        ];
        if let Some(t) = t {
            obj.insert("ts".into(), t.into());
        }
        for (k, v) in row.iter().enumerate() {
            if let Some(v) = v {
                obj.insert(names[k].into(), v.clone().into());
            }
        }
        jsonl.push_str(&serde_json::Value::Object(obj).to_string());
        jsonl.push('\n');
        for (c, v) in cols.iter_mut().zip(row) {
            c.push(v);
        }
        ts.push(t);
    }
    let arr = |c: &Vec<Option<String>>| -> ArrayRef {
        Arc::new(StringArray::from(
            c.iter().map(|v| v.as_deref()).collect::<Vec<_>>(),
        ))
    };
    let names = [
        "id", "actor", "action", "target", "owner", "ip", "device", "client", "text",
    ];
    let mut fields: Vec<(&str, ArrayRef)> = vec![("ts", Arc::new(Int64Array::from(ts)))];
    fields.extend(names.iter().zip(&cols).map(|(n, c)| (*n, arr(c))));
    let batch = RecordBatch::try_from_iter(fields).unwrap();
    let p = d.path().join("e.parquet");
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(700))
        .set_write_batch_size(100)
        .build();
    let mut w = ArrowWriter::try_new(
        std::fs::File::create(&p).unwrap(),
        batch.schema(),
        Some(props),
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let j = file(d.path(), "e.jsonl", jsonl);

    let (a, sa) = load_events(&[p]);
    let (b, sb) = load_events(&[j]);
    check_invariant(&a.stats, &sa);
    assert_eq!(reasons(&sa), reasons(&sb));
    for (x, y) in sa.0.iter().zip(&sb.0) {
        assert_eq!(x.message.replace("e.parquet", "e.jsonl"), y.message);
    }
    let (a, b) = (&a.log, &b.log);
    assert!(a.len() > n / 2, "{}", a.len());
    assert_eq!(a.len(), b.len());
    assert_eq!(a.ts(), b.ts());
    assert_eq!(a.action(), b.action());
    assert_eq!(a.actor(), b.actor());
    assert_eq!(a.target(), b.target());
    assert_eq!(a.owner(), b.owner());
    assert_eq!(a.ip(), b.ip());
    assert_eq!(a.device(), b.device());
    assert_eq!(a.client(), b.client());
    for i in 0..a.len() {
        assert_eq!(a.text(i), b.text(i));
        assert_eq!(a.line(i), b.line(i));
        assert_eq!(
            a.event_id(i).to_string().split(':').next_back(),
            b.event_id(i).to_string().split(':').next_back()
        );
    }
    assert_eq!(a.accounts.len(), b.accounts.len());
    for id in 0..a.accounts.len() as u32 {
        assert_eq!(a.accounts.resolve(id), b.accounts.resolve(id));
    }
}
