//! YelpChi (Rayana & Akoglu, KDD 2015) as shipped by UGFraud: `metadata.gz`, one review per
//! line `user product rating label date`, label -1 = filtered by Yelp, 1 = recommended.

use std::io::BufRead;
use std::path::Path;

use lockstep_ingest::write::EventRow;

use crate::Options;
use crate::error::{Error, Result};
use crate::out::Output;
use crate::source;

/// The file the importer reads.
pub const FILE: &str = "metadata.gz";

/// The time every imported review carries: the data has no timestamps (UGFraud strips them),
/// so all reviews are at the epoch and time-based detectors have nothing to use.
pub const TS: i64 = 0;

struct Review {
    line: u64,
    user: u64,
    product: u64,
    spam: bool,
}

/// Imports `path` (the data set directory or `metadata.gz`) into `out`.
///
/// Reviews are written in a fixed order hashed from (user, product), not in file order: the
/// file groups each product's filtered reviews together and numbers users in order of first
/// appearance, so file order (and with it the log's account numbering, which peeling uses to
/// break ties) would carry the label.
///
/// # Errors
/// [`crate::Error::InvalidInput`] when `path` holds no `metadata.gz`; I/O errors.
pub(crate) fn import(path: &Path, out: &mut Output, opts: &Options) -> Result<()> {
    let file = source::file_in(path, FILE, "YelpChi")?;
    let name = source::name_of(&file);
    let s = &mut out.summary;
    s.data_set = "YelpChi restaurant reviews (Rayana & Akoglu, KDD 2015), UGFraud copy".into();
    s.label_type = "Yelp filter (a model's decision, not confirmed purchases): a review is \
                    positive when Yelp filtered it (-1); a user is positive when any of their \
                    reviews was filtered"
        .into();
    s.notes.push(format!(
        "no timestamps in this copy: every event has ts {TS} (1970-01-01T00:00:00Z); \
         only time-free detectors (Fraudar) apply"
    ));
    s.notes.push(
        "events are written in an order hashed from (user, product) so that file order, which \
         groups filtered reviews, carries no label"
            .into(),
    );
    let mut rows: Vec<Review> = Vec::new();
    let reader = source::open(&file)?;
    let mut read = 0u64;
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| Error::io(&file, e))?;
        let n = i as u64 + 1;
        if opts.limit.is_some_and(|l| read >= l as u64) {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        read += 1;
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() != 5 {
            out.reject(
                &name,
                n,
                "field-count",
                &format!("{} fields, expected 5", f.len()),
            )?;
            continue;
        }
        let (Ok(user), Ok(product)) = (f[0].parse::<u64>(), f[1].parse::<u64>()) else {
            out.reject(&name, n, "bad-id", "user and product must be integers")?;
            continue;
        };
        let spam = match f[3] {
            "-1" => true,
            "1" => false,
            other => {
                out.reject(
                    &name,
                    n,
                    "bad-label",
                    &format!("label {other:?}, expected -1 or 1"),
                )?;
                continue;
            }
        };
        rows.push(Review {
            line: n,
            user,
            product,
            spam,
        });
    }
    out.summary.rows_read = read;
    out.summary.per_file.insert(name, read);
    if read > 0 && rows.is_empty() {
        return Err(crate::error::invalid_input_err!(
            "{}: no line has the YelpChi shape `user product rating label date`",
            file.display()
        ));
    }
    rows.sort_by_key(|r| (source::mix64(r.user ^ source::mix64(r.product)), r.line));

    let mut user_spam: std::collections::BTreeMap<u64, bool> = Default::default();
    for r in &rows {
        let id = format!("r{}", r.line);
        let actor = format!("u{}", r.user);
        let target = format!("p{}", r.product);
        out.event(&EventRow {
            id: &id,
            ts: TS,
            actor: &actor,
            action: "review",
            target: &target,
            owner: None,
            text: None,
            ip: None,
            device: None,
            client: None,
        })?;
        out.truth_event(&id, r.spam)?;
        *user_spam.entry(r.user).or_insert(false) |= r.spam;
    }
    for (u, spam) in user_spam {
        out.truth_account(&format!("u{u}"), spam, &[])?;
    }
    Ok(())
}
