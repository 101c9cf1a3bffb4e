//! SRF Data's manually labelled followers of Swiss Instagram influencers (2017):
//! `labelled_1000_inclprivate.csv`, `rating` TRUE = fake.
//!
//! The usernames and profile URLs are real and are not written anywhere: accounts get ids
//! `srf<row>`, and only the username's length and digit count are kept.

use std::path::Path;

use lockstep_ingest::write::AccountRow;

use crate::Options;
use crate::accounts::ATTRS;
use crate::error::{Result, invalid_input_err};
use crate::out::Output;
use crate::source;

/// The file the importer reads.
pub const FILE: &str = "labelled_1000_inclprivate.csv";

/// The header the file must have.
pub const HEADER: [&str; 8] = [
    "Profile.URL",
    "rating",
    "Username",
    "Number.of.posts",
    "Number.of.people.they.follow",
    "Number.of.followers",
    "has_profile_picture",
    "Private.account",
];

fn flag(s: &str) -> Option<&'static str> {
    match s.trim().to_ascii_uppercase().as_str() {
        "TRUE" | "1" => Some("1"),
        "FALSE" | "0" => Some("0"),
        _ => None,
    }
}

fn count(s: &str) -> Option<u64> {
    s.trim().parse::<u64>().ok()
}

/// Imports `path` (the directory or the CSV file) into `out`: the accounts side file with
/// the shared account features ([`ATTRS`]) and `truth_accounts.csv`; no events.
///
/// # Errors
/// [`crate::Error::InvalidInput`] when the file is missing or its header is not SRF's.
pub(crate) fn import(path: &Path, out: &mut Output, opts: &Options) -> Result<()> {
    let file = source::file_in(path, FILE, "SRF Instagram fake-follower")?;
    let name = source::name_of(&file);
    let s = &mut out.summary;
    s.data_set = "SRF Data: labelled followers of Swiss Instagram influencers (2017)".into();
    s.label_type = "human judgement from the profile alone (two SRF journalists, \
                    conservative): positive = judged a fake follower; no purchase confirmed"
        .into();
    s.notes.push(
        "the labellers used the same profile signs the features measure (high following, few \
         posts, no picture, private, digits in the username): scores here show agreement with \
         that judgement, not detection of confirmed purchases"
            .into(),
    );
    s.notes.push(
        "usernames and URLs are not written; ids are srf<row>; no account age, no events".into(),
    );
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(source::open(&file)?);
    let header = rdr
        .headers()
        .map_err(|e| invalid_input_err!("{}: cannot read the header: {e}", file.display()))?
        .clone();
    if header.iter().map(str::trim).ne(HEADER.iter().copied()) {
        return Err(invalid_input_err!(
            "{}: not the SRF labelled-followers file (expected the header {})",
            file.display(),
            HEADER.join(",")
        ));
    }
    out.open_accounts(&ATTRS)?;
    let mut read = 0u64;
    for rec in rdr.records() {
        if opts.limit.is_some_and(|l| read >= l as u64) {
            break;
        }
        read += 1;
        let row = read;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.reject(&name, line, "malformed-csv", "unreadable CSV row")?;
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() != HEADER.len() {
            out.reject(
                &name,
                line,
                "field-count",
                &format!("{} fields, expected 8", rec.len()),
            )?;
            continue;
        }
        let Some(fake) = flag(&rec[1]) else {
            out.reject(&name, line, "bad-label", "rating is neither TRUE nor FALSE")?;
            continue;
        };
        let (Some(posts), Some(following), Some(followers)) =
            (count(&rec[3]), count(&rec[4]), count(&rec[5]))
        else {
            out.reject(
                &name,
                line,
                "bad-count",
                "posts, following or followers not a count",
            )?;
            continue;
        };
        let (Some(pic), Some(private)) = (flag(&rec[6]), flag(&rec[7])) else {
            out.reject(
                &name,
                line,
                "bad-flag",
                "profile picture or private flag not TRUE/FALSE",
            )?;
            continue;
        };
        let username = rec[2].trim();
        let ulen = username.chars().count().to_string();
        let udigits = username
            .chars()
            .filter(char::is_ascii_digit)
            .count()
            .to_string();
        let (posts, following, followers) = (
            posts.to_string(),
            following.to_string(),
            followers.to_string(),
        );
        let id = format!("srf{row}");
        out.account(&AccountRow {
            id: &id,
            created_at: None,
            attrs: &[
                ("followers", &followers),
                ("following", &following),
                ("posts", &posts),
                ("has_profile_picture", pic),
                ("private", private),
                ("username_length", &ulen),
                ("username_digits", &udigits),
            ],
        })?;
        out.truth_account(&id, fake == "1", &[])?;
    }
    out.summary.rows_read = read;
    out.summary.per_file.insert(name, read);
    Ok(())
}
