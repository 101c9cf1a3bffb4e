//! CSV dialect tolerance (BOM, CRLF, quoting, column order, truth label case) and the JSON
//! shapes `operations.json` may take.

use crate::util::{Fixture, assert_ratio};

#[test]
fn bom_crlf_quoting_and_column_order() {
    let f = Fixture::new();
    f.truth(
        "truth_accounts.csv",
        "\u{feff}label,account,groups\r\nFake,\"a,1\",\r\norganic,b,\"cgnat; household\"\r\n",
    )
    .found(
        "verdicts.csv",
        "\u{feff}reasons,account,verdict\r\n\"x,y;z\",\"a,1\",FAKE\r\n\"q\"\"uote\",b,ok\r\n",
    );
    let r = f.eval();
    assert_ratio(r.accounts.precision, 1.0);
    assert_ratio(r.accounts.recall, 1.0);
    let groups: Vec<_> = r
        .groups
        .unwrap()
        .into_iter()
        .map(|g| (g.group, g.members))
        .collect();
    assert_eq!(
        groups,
        [("cgnat".to_owned(), 1), ("household".to_owned(), 1)]
    );
    // Only the two findings files this fixture leaves out are warned about.
    assert_eq!(
        r.data_quality.warnings.len(),
        2,
        "{:?}",
        r.data_quality.warnings
    );
    assert!(
        r.data_quality
            .files
            .iter()
            .all(|f| f.malformed == 0 && f.duplicates == 0)
    );
}

#[test]
fn operations_json_as_a_bare_array_with_numbers_and_objects() {
    let f = Fixture::new();
    f.truth(
        "truth_accounts.csv",
        "account,label,operation\n1,fake,op\n2,fake,op\n3,organic,\n",
    )
    .truth("truth_beneficiaries.csv", "operation,owner\nop,p1\nop,p2\n")
    .found(
        "operations.json",
        r#"[{"id": 7, "kind": "like-farm", "accounts": [1, {"id": "2"}, "3"],
             "beneficiaries": [{"owner": "p1"}, {"id": "p2"}, 5, null]}]"#,
    );
    let r = f.eval();
    let m = &r.operations[0].matches[0];
    assert_eq!(m.operation, "7");
    assert_eq!(m.kind.as_deref(), Some("like-farm"));
    assert_eq!(m.overlap, 2);
    assert_ratio(m.purity, 2.0 / 3.0);
    let b = r.beneficiaries.unwrap();
    assert_ratio(b.share, 1.0);
    assert_eq!((b.findings_named, b.findings_named_true), (3, 2));
    // `null` is not an id: the entry is used but reported.
    let o = r
        .data_quality
        .files
        .iter()
        .find(|f| f.file == "operations.json")
        .unwrap();
    assert_eq!(o.malformed, 1);
    assert!(
        o.examples[0].reason.contains("beneficiaries"),
        "{:?}",
        o.examples
    );
}

#[test]
fn verdict_operation_column_alone_gives_matches() {
    let f = Fixture::new();
    f.truth(
        "truth_accounts.csv",
        "account,label,operation\na,fake,op\nb,fake,op\nc,fake,op\n",
    )
    .found(
        "verdicts.csv",
        "account,verdict,score,operation,reasons\na,fake,1,X,\nb,fake,1,X,\nc,fake,1,Y,\n",
    );
    let r = f.eval();
    let m: Vec<_> = r.operations[0]
        .matches
        .iter()
        .map(|m| (m.operation.as_str(), m.overlap))
        .collect();
    assert_eq!(m, [("X", 2), ("Y", 1)]);
}

#[test]
fn invalid_utf8_rows_are_malformed_not_fatal() {
    let f = Fixture::new();
    f.truth(
        "truth_accounts.csv",
        "account,label,operation\na,fake,\nb,fake,\n",
    );
    let mut v = b"account,verdict,score,operation,reasons\na,fake,1,,\n".to_vec();
    v.extend_from_slice(b"\xff\xfe,fake,1,,\nb,fake,1,,\n");
    f.found("verdicts.csv", v);
    let r = f.eval();
    assert_eq!(r.accounts.confusion.true_positives, 2);
    let vf = &r
        .data_quality
        .files
        .iter()
        .find(|f| f.file == "verdicts.csv")
        .unwrap();
    assert_eq!(vf.malformed, 1);
    assert_eq!(vf.examples[0].line, Some(3));
}
