//! InstaFake (Akyon & Kalfaoglu, 2019), fake-v1.0: `fakeAccountData.json` (200 fakes) and
//! `realAccountData.json` (994 real accounts), JSON arrays of profile counts.

use std::path::Path;

use lockstep_ingest::write::AccountRow;
use serde_json::Value;

use crate::Options;
use crate::accounts::ATTRS;
use crate::error::{Result, invalid_input_err};
use crate::out::Output;
use crate::source;

/// The files the importer reads, with the label each one carries.
pub const FILES: [(&str, bool); 2] = [
    ("realAccountData.json", false),
    ("fakeAccountData.json", true),
];

/// Source keys, in the order of [`ATTRS`] (`None`: not in this data set).
const KEYS: [Option<&str>; 8] = [
    Some("userFollowerCount"),
    Some("userFollowingCount"),
    Some("userMediaCount"),
    Some("userHasProfilPic"),
    Some("userIsPrivate"),
    Some("usernameLength"),
    Some("usernameDigitCount"),
    Some("userBiographyLength"),
];

/// Imports the directory `path` into `out`: the accounts side file with the shared account
/// features ([`ATTRS`]) and `truth_accounts.csv`; no events. Ids are `ig<n>`, numbered over
/// both files in a row order hashed from the position, so that no id carries the label.
///
/// # Errors
/// [`crate::Error::InvalidInput`] when a file is missing or is not a JSON array of records.
pub(crate) fn import(path: &Path, out: &mut Output, opts: &Options) -> Result<()> {
    let s = &mut out.summary;
    s.data_set = "InstaFake fake-v1.0 (Akyon & Kalfaoglu, arXiv:1910.03090)".into();
    s.label_type = "the data set authors' labels of fake Instagram accounts (collected 2018; \
                    how each account was judged is not documented per account)"
        .into();
    s.notes.push(
        "profile counts only: no usernames, account age, text, events or edges; \
         automated-v1.0 is not imported (its positive file is missing from this copy)"
            .into(),
    );
    let mut rows: Vec<(u64, bool, Vec<String>, String, u64)> = Vec::new();
    for (file_name, fake) in FILES {
        let file = source::file_in(path, file_name, "InstaFake fake-v1.0")?;
        let name = source::name_of(&file);
        let text = source::read_text(&file)?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| invalid_input_err!("{}: not JSON: {e}", file.display()))?;
        let Value::Array(items) = v else {
            return Err(invalid_input_err!(
                "{}: not an InstaFake file (expected a JSON array of account records)",
                file.display()
            ));
        };
        let mut read = 0u64;
        for (i, item) in items.iter().enumerate() {
            if opts.limit.is_some_and(|l| read >= l as u64) {
                break;
            }
            read += 1;
            let n = i as u64 + 1;
            let mut vals = Vec::with_capacity(KEYS.len());
            let mut bad = None;
            for k in KEYS.iter().flatten() {
                match item.get(k).and_then(Value::as_u64) {
                    Some(x) => vals.push(x.to_string()),
                    None => {
                        bad = Some(*k);
                        break;
                    }
                }
            }
            if let Some(k) = bad {
                out.reject(
                    &name,
                    n,
                    "bad-field",
                    &format!("record {n}: {k} missing or not a count"),
                )?;
                continue;
            }
            if let Some(f) = item.get("isFake").and_then(Value::as_u64)
                && (f == 1) != fake
            {
                out.reject(
                    &name,
                    n,
                    "label-mismatch",
                    &format!("isFake {f} in {file_name}"),
                )?;
                continue;
            }
            rows.push((
                source::mix64(u64::from(fake) << 32 | n),
                fake,
                vals,
                name.clone(),
                n,
            ));
        }
        out.summary.rows_read += read;
        out.summary.per_file.insert(name, read);
    }
    rows.sort_by_key(|r| r.0);
    out.open_accounts(&ATTRS)?;
    for (k, (_, fake, vals, _, _)) in rows.iter().enumerate() {
        let id = format!("ig{}", k + 1);
        let attrs: Vec<(&str, &str)> = ATTRS
            .iter()
            .copied()
            .zip(vals.iter().map(String::as_str))
            .collect();
        out.account(&AccountRow {
            id: &id,
            created_at: None,
            attrs: &attrs,
        })?;
        out.truth_account(&id, *fake, &[])?;
    }
    Ok(())
}
