//! VoterFraud2020 (Abilov et al., ICWSM 2021), a partial copy: `retweets-YYYY-MM-DD.csv`
//! (`retweeted_id,user_id`, one file per day) and `users-5.csv` (one chunk of the user table:
//! `user_active_status` is `deleted` or `suspended`).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use lockstep_ingest::write::EventRow;

use crate::Options;
use crate::error::{Result, invalid_input_err};
use crate::out::Output;
use crate::source;

/// The user table chunk the importer reads for the weak labels.
pub const USERS: &str = "users-5.csv";

/// Group names written to `truth_accounts.csv` (the account's status in [`USERS`]).
pub const GROUPS: [&str; 3] = ["suspended", "deleted", "not-in-users-5"];

fn day_ms(file_name: &str) -> Option<i64> {
    let day = file_name.strip_prefix("retweets-")?.strip_suffix(".csv")?;
    let d = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis())
}

/// Imports the directory `path` into `out`: one `share` event per retweet at midnight UTC of
/// its file's day (the only time the data has), and `truth_accounts.csv` with every
/// retweeter: `fake` when `users-5.csv` marks them suspended (a weak label), with their status
/// as the group.
///
/// # Errors
/// [`crate::Error::InvalidInput`] when there are no `retweets-*.csv` files, no `users-5.csv`,
/// or a header is not the data set's.
pub(crate) fn import(path: &Path, out: &mut Output, opts: &Options) -> Result<()> {
    let files = source::files_matching(path, "retweets-", ".csv", "VoterFraud2020 retweets")?;
    let users = source::file_in(path, USERS, "VoterFraud2020 retweets")?;
    let s = &mut out.summary;
    s.data_set =
        "VoterFraud2020 retweets (Abilov et al., ICWSM 2021), 8 days and users-5 only".into();
    s.label_type = "weak: suspended by Twitter by 2021-01-10 (an enforcement outcome for any \
                    policy violation, not a confirmed fake-engagement label); accounts not in \
                    users-5.csv are counted organic though some may be suspended in the \
                    missing chunks"
        .into();
    s.notes.push(
        "day resolution only: every retweet is at 00:00 UTC of its file's day, so lockstep \
         windows see a whole day as simultaneous"
            .into(),
    );
    s.notes
        .push("retweets for 10-25, 10-28 and after 11-01 and users-0..4 are missing".into());

    // The weak labels.
    let uname = source::name_of(&users);
    let mut status: HashMap<String, &'static str> = HashMap::new();
    let mut rdr = csv::Reader::from_reader(source::open(&users)?);
    let header = rdr
        .headers()
        .map_err(|e| invalid_input_err!("{}: cannot read the header: {e}", users.display()))?
        .clone();
    let (Some(ci), Some(cs)) = (
        header.iter().position(|h| h == "user_id"),
        header.iter().position(|h| h == "user_active_status"),
    ) else {
        return Err(invalid_input_err!(
            "{}: not a VoterFraud2020 user table (no user_id and user_active_status columns)",
            users.display()
        ));
    };
    let mut read = 0u64;
    for rec in rdr.records() {
        read += 1;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.reject(&uname, line, "malformed-csv", &e.to_string())?;
                continue;
            }
        };
        let st = match rec.get(cs).unwrap_or("") {
            "suspended" => GROUPS[0],
            "deleted" => GROUPS[1],
            other => {
                let line = rec.position().map_or(0, |p| p.line());
                out.reject(&uname, line, "bad-status", &format!("status {other:?}"))?;
                continue;
            }
        };
        status.insert(rec.get(ci).unwrap_or("").to_owned(), st);
    }
    out.summary.rows_read += read;
    out.summary.per_file.insert(uname, read);

    let mut retweeters: BTreeMap<String, &'static str> = BTreeMap::new();
    for file in &files {
        let name = source::name_of(file);
        let Some(ts) = day_ms(&name) else {
            return Err(invalid_input_err!(
                "{}: cannot read the day from the file name (expected retweets-YYYY-MM-DD.csv)",
                file.display()
            ));
        };
        let day = name
            .trim_start_matches("retweets-")
            .trim_end_matches(".csv")
            .to_owned();
        let mut rdr = csv::Reader::from_reader(source::open(file)?);
        let header = rdr
            .headers()
            .map_err(|e| invalid_input_err!("{}: cannot read the header: {e}", file.display()))?
            .clone();
        if header.iter().ne(["retweeted_id", "user_id"]) {
            return Err(invalid_input_err!(
                "{}: not a VoterFraud2020 retweet file (expected the header retweeted_id,user_id)",
                file.display()
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
            let (tweet, user) = (rec.get(0).unwrap_or(""), rec.get(1).unwrap_or(""));
            if tweet.parse::<u64>().is_err() || user.parse::<u64>().is_err() {
                out.reject(
                    &name,
                    line,
                    "bad-id",
                    "retweeted_id and user_id must be integers",
                )?;
                continue;
            }
            let id = format!("{day}:{line}");
            let target = format!("tweet{tweet}");
            out.event(&EventRow {
                id: &id,
                ts,
                actor: user,
                action: "share",
                target: &target,
                owner: None,
                text: None,
                ip: None,
                device: None,
                client: None,
            })?;
            retweeters
                .entry(user.to_owned())
                .or_insert_with(|| status.get(user).copied().unwrap_or(GROUPS[2]));
        }
        out.summary.rows_read += read;
        out.summary.per_file.insert(name, read);
    }
    for (user, st) in &retweeters {
        out.truth_account(user, *st == GROUPS[0], &[st])?;
    }
    Ok(())
}
