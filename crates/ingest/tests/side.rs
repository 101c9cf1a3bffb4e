//! Accounts and devices side files.

use lockstep_core::Attestation;
use lockstep_ingest::write::{AccountRow, AccountWriter, DeviceRow, DeviceWriter, Format};
use lockstep_ingest::{FileKind, Inputs, Reason};

use crate::util::*;

#[test]
fn accounts_jsonl_keep_attributes_as_text() {
    let d = tempfile::tempdir().unwrap();
    let ev = file(d.path(), "e.jsonl", ev("e1", "u1"));
    let acc = file(
        d.path(),
        "accounts.jsonl",
        [
            r#"{"id":"u1","created_at":"2025-01-01T00:00:00Z","name":"Ann","followers":12,"verified":true,"tags":["a"],"bio":null}"#,
            r#"{"id":"u2","created_at":1700000000000}"#,
            r#"{"id":"u1","name":"again"}"#,
            r#"{"name":"no id"}"#,
            r#"{"id":7}"#,
            r#"{"id":"u3","created_at":"never"}"#,
            r#"{"id":"u4","created_at":-5}"#,
            "",
            "{bad",
        ]
        .join("\n"),
    );
    let events = [ev];
    let inputs = Inputs {
        events: &events,
        accounts: Some(&acc),
        devices: None,
    };
    let (r, s) = try_load(&inputs, &unlimited());
    let l = r.unwrap();
    check_invariant(&l.stats, &s);
    assert_eq!(l.stats.accounts, 2);
    assert_eq!(l.stats.files[1].kind, FileKind::Accounts);
    let log = &l.log;
    let u1 = log.accounts.get("u1").unwrap();
    let t = &log.account_table;
    assert_eq!(t.created_at(u1), Some(1_735_689_600_000));
    let row = t.row(u1).unwrap();
    assert_eq!(t.attrs.get(row, "name"), Some("Ann"));
    assert_eq!(t.attrs.get(row, "followers"), Some("12"));
    assert_eq!(t.attrs.get(row, "verified"), Some("true"));
    assert_eq!(t.attrs.get(row, "tags"), Some("[\"a\"]"));
    assert_eq!(t.attrs.get(row, "bio"), None);
    let u2 = log.accounts.get("u2").unwrap();
    assert_eq!(t.created_at(u2), Some(1_700_000_000_000));
    assert_eq!(
        reasons(&s),
        [
            (3, Reason::DuplicateId),
            (4, Reason::MissingField),
            (5, Reason::WrongType),
            (6, Reason::BadTimestamp),
            (7, Reason::TimestampOutOfRange),
            (9, Reason::BadJson)
        ]
    );
    assert!(s.0.iter().all(|r| r.file == "accounts.jsonl"));
}

#[test]
fn devices_csv_fields() {
    let d = tempfile::tempdir().unwrap();
    let dev = file(
        d.path(),
        "devices.csv",
        "id,model,os,build,screen,attestation,carrier\n\
         d1,Pixel 7,android 14,google/x:14,1080x2400,pass,acme\n\
         d2,,,,,,\n\
         d3,m,o,b,1080by2400,pass,\n\
         d4,m,o,b,1x1,maybe,\n\
         d1,m,o,b,,fail,\n\
         d5,m\n",
    );
    let inputs = Inputs {
        events: &[],
        accounts: None,
        devices: Some(&dev),
    };
    let (r, s) = try_load(&inputs, &unlimited());
    let l = r.unwrap();
    check_invariant(&l.stats, &s);
    let t = &l.log.device_table;
    let d1 = l.log.devices.get("d1").unwrap();
    let row = t.row(d1).unwrap();
    assert_eq!(t.model(row), Some("Pixel 7"));
    assert_eq!(t.os(row), Some("android 14"));
    assert_eq!(t.build(row), Some("google/x:14"));
    assert_eq!(t.screen(row), Some((1080, 2400)));
    assert_eq!(t.attestation(row), Attestation::Pass);
    assert_eq!(t.attrs.get(row, "carrier"), Some("acme"));
    let d2 = t.row(l.log.devices.get("d2").unwrap()).unwrap();
    assert_eq!(t.attestation(d2), Attestation::Unknown);
    assert_eq!(t.model(d2), None);
    assert_eq!(
        reasons(&s),
        [
            (4, Reason::BadScreen),
            (5, Reason::BadAttestation),
            (6, Reason::DuplicateId),
            (7, Reason::WrongFieldCount)
        ]
    );
}

#[test]
fn side_files_round_trip_in_every_format() {
    for format in Format::ALL {
        if format == Format::Parquet && !cfg!(feature = "parquet") {
            continue;
        }
        let d = tempfile::tempdir().unwrap();
        let acc = d.path().join(format!("accounts.{}", format.extension()));
        let dev = d.path().join(format!("devices.{}", format.extension()));
        let mut w = AccountWriter::create(&acc, format).unwrap();
        w.write(&AccountRow {
            id: "u1",
            created_at: Some(1_600_000_000_123),
            attrs: &[("name", "Ann, \"A\""), ("bio", "line1\nline2")],
        })
        .unwrap();
        w.write(&AccountRow {
            id: "u2",
            created_at: None,
            attrs: &[("bio", "b")],
        })
        .unwrap();
        w.write(&AccountRow {
            id: "u1",
            created_at: None,
            attrs: &[],
        })
        .unwrap();
        assert!(
            w.write(&AccountRow {
                id: "u3",
                created_at: None,
                attrs: &[("id", "x")]
            })
            .is_err()
        );
        w.finish().unwrap();
        let mut w = DeviceWriter::create(&dev, format).unwrap();
        w.write(&DeviceRow {
            id: "d1",
            model: Some("M"),
            os: Some("ios 17"),
            build: None,
            screen: Some((750, 1334)),
            attestation: Some(Attestation::Fail),
        })
        .unwrap();
        w.write(&DeviceRow {
            id: "d2",
            model: None,
            os: None,
            build: Some("b"),
            screen: None,
            attestation: Some(Attestation::Unknown),
        })
        .unwrap();
        w.finish().unwrap();

        let inputs = Inputs {
            events: &[],
            accounts: Some(&acc),
            devices: Some(&dev),
        };
        let (r, s) = try_load(&inputs, &unlimited());
        let l = r.unwrap_or_else(|e| panic!("{format}: {e}"));
        check_invariant(&l.stats, &s);
        // CSV counts physical lines: the header, and the two lines of u1's bio.
        let dup_line = if format == Format::Csv { 5 } else { 3 };
        assert_eq!(reasons(&s), [(dup_line, Reason::DuplicateId)], "{format}");
        let t = &l.log.account_table;
        let u1 = l.log.accounts.get("u1").unwrap();
        assert_eq!(t.created_at(u1), Some(1_600_000_000_123), "{format}");
        let r1 = t.row(u1).unwrap();
        assert_eq!(t.attrs.get(r1, "name"), Some("Ann, \"A\""), "{format}");
        assert_eq!(t.attrs.get(r1, "bio"), Some("line1\nline2"), "{format}");
        let r2 = t.row(l.log.accounts.get("u2").unwrap()).unwrap();
        assert_eq!(t.attrs.get(r2, "name"), None, "{format}");
        assert_eq!(t.attrs.get(r2, "bio"), Some("b"), "{format}");
        let dt = &l.log.device_table;
        let r = dt.row(l.log.devices.get("d1").unwrap()).unwrap();
        assert_eq!(
            (dt.model(r), dt.os(r), dt.build(r)),
            (Some("M"), Some("ios 17"), None),
            "{format}"
        );
        assert_eq!(dt.screen(r), Some((750, 1334)));
        assert_eq!(dt.attestation(r), Attestation::Fail);
        let r = dt.row(l.log.devices.get("d2").unwrap()).unwrap();
        assert_eq!(dt.attestation(r), Attestation::Unknown);
        assert_eq!(dt.build(r), Some("b"));
    }
}

#[test]
fn account_columns_fixed_up_front() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("a.csv");
    let mut w = AccountWriter::create_with_attrs(&p, Format::Csv, &["name", "lang"]).unwrap();
    w.write(&AccountRow {
        id: "u1",
        created_at: None,
        attrs: &[("lang", "en")],
    })
    .unwrap();
    let e = w
        .write(&AccountRow {
            id: "u2",
            created_at: None,
            attrs: &[("zzz", "1")],
        })
        .unwrap_err();
    assert!(e.to_string().contains("zzz"), "{e}");
    w.finish().unwrap();
    let text = std::fs::read_to_string(&p).unwrap();
    assert_eq!(text, "id,created_at,name,lang\nu1,,,en\n");
    // An empty account file still has its header.
    let p = d.path().join("b.csv");
    AccountWriter::create(&p, Format::Csv)
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "id,created_at\n");
}
