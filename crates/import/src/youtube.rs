//! The YouTube Spam Collection (Alberto, Lochter & Almeida, ICMLA 2015): five CSV files
//! `Youtube0N-<artist>.csv` with `COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS`, CLASS 1 = spam.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use lockstep_ingest::write::EventRow;

use crate::Options;
use crate::error::{Error, Result, invalid_input_err};
use crate::out::Output;
use crate::source;

/// The header every file must have.
pub const HEADER: [&str; 5] = ["COMMENT_ID", "AUTHOR", "DATE", "CONTENT", "CLASS"];

/// Parses the data set's `DATE`: ISO 8601 without a zone (taken as UTC), with or without
/// fractional seconds, or with a zone.
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc().timestamp_millis())
}

/// Imports the directory `path` (or one of its CSV files) into `out`.
///
/// Each file is one video: the target is the file's stem (`Youtube01-Psy`) and the owner
/// `channel:<stem>` (one channel per video; the data has no channel ids). Rows without a
/// `DATE` (all 245 spam rows of the Eminem file) are rejected with reason `no-timestamp`,
/// since CONTRACT §1 requires a time; they are counted in `import.json`.
///
/// # Errors
/// [`crate::Error::InvalidInput`] when `path` holds no `Youtube*.csv` or a file's header is
/// not the data set's.
pub(crate) fn import(path: &Path, out: &mut Output, opts: &Options) -> Result<()> {
    let files = if path.is_file() {
        vec![path.to_path_buf()]
    } else {
        source::files_matching(path, "Youtube", ".csv", "YouTube Spam Collection")?
    };
    let s = &mut out.summary;
    s.data_set = "YouTube Spam Collection v1 (Alberto, Lochter & Almeida, ICMLA 2015)".into();
    s.label_type = "hand labels of comment content by the data set's authors: a comment is \
                    positive when labelled spam (CLASS 1); an author is positive when any of \
                    their comments is spam"
        .into();
    s.notes.push(
        "each video's owner is written as channel:<file stem>: one owner per video, no real \
         channel ids in the data"
            .into(),
    );
    s.notes.push(
        "a hand-labelled sample of 350-450 comments per video, not the full stream: says \
         little about burst timing"
            .into(),
    );
    s.notes.push(
        "rows without a DATE are rejected (no-timestamp): in Youtube04-Eminem these are all \
         245 spam rows, so that video is ham-only after import"
            .into(),
    );
    let mut author_spam: BTreeMap<String, bool> = BTreeMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    for file in &files {
        let name = source::name_of(file);
        let video = name.trim_end_matches(".csv").to_owned();
        let owner = format!("channel:{video}");
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(source::open(file)?);
        let header = rdr
            .headers()
            .map_err(|e| invalid_input_err!("{}: cannot read the header: {e}", file.display()))?
            .clone();
        if header.iter().map(str::trim).ne(HEADER.iter().copied()) {
            return Err(invalid_input_err!(
                "{}: not a YouTube Spam Collection file (header {:?}, expected {})",
                file.display(),
                header.iter().collect::<Vec<_>>(),
                HEADER.join(",")
            ));
        }
        let mut read = 0u64;
        for rec in rdr.records() {
            if opts.limit.is_some_and(|l| read >= l as u64) {
                break;
            }
            read += 1;
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    out.reject(&name, line, "malformed-csv", &e.to_string())?;
                    continue;
                }
            };
            let line = rec.position().map_or(0, |p| p.line());
            if rec.len() != 5 {
                out.reject(
                    &name,
                    line,
                    "field-count",
                    &format!("{} fields, expected 5", rec.len()),
                )?;
                continue;
            }
            let (id, author, date, content, class) = (&rec[0], &rec[1], &rec[2], &rec[3], &rec[4]);
            if id.is_empty() || author.is_empty() {
                out.reject(&name, line, "missing-id", "empty COMMENT_ID or AUTHOR")?;
                continue;
            }
            let spam = match class.trim() {
                "1" => true,
                "0" => false,
                other => {
                    out.reject(
                        &name,
                        line,
                        "bad-label",
                        &format!("CLASS {other:?}, expected 0 or 1"),
                    )?;
                    continue;
                }
            };
            let Some(ts) = parse_date(date) else {
                let reason = if date.trim().is_empty() {
                    "no-timestamp"
                } else {
                    "bad-timestamp"
                };
                out.reject(
                    &name,
                    line,
                    reason,
                    if spam { "spam row" } else { "ham row" },
                )?;
                continue;
            };
            if !seen.insert(id.to_owned()) {
                out.reject(&name, line, "duplicate-id", "COMMENT_ID seen before")?;
                continue;
            }
            out.event(&EventRow {
                id,
                ts,
                actor: author,
                action: "comment",
                target: &video,
                owner: Some(&owner),
                text: Some(content),
                ip: None,
                device: None,
                client: None,
            })?;
            out.truth_event(id, spam)?;
            *author_spam.entry(author.to_owned()).or_insert(false) |= spam;
        }
        out.summary.rows_read += read;
        out.summary.per_file.insert(name, read);
    }
    for (a, spam) in &author_spam {
        out.truth_account(a, *spam, &[])?;
    }
    if out.summary.events == 0 && out.summary.rows_read > 0 {
        return Err(Error::InvalidInput(format!(
            "{}: no row could be imported; see {}",
            path.display(),
            crate::out::REJECTED_FILE
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_with_and_without_fractions() {
        assert_eq!(parse_date("1970-01-01T00:00:01"), Some(1000));
        assert_eq!(parse_date("1970-01-01T00:00:01.250"), Some(1250));
        assert_eq!(parse_date("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(parse_date(""), None);
        assert_eq!(parse_date("yesterday"), None);
    }
}
