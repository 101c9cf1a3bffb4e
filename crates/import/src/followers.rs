//! The FollowerAnalyzer sample (Zouzou & Varol, 2023): `sample_follower_data.json`, the
//! ordered follower list of one Twitter profile with each follower's account creation time.
//! Unlabelled.

use std::path::Path;

use lockstep_ingest::write::{AccountRow, EventRow};
use serde_json::Value;

use crate::Options;
use crate::error::{Result, invalid_input_err};
use crate::out::Output;
use crate::source;

/// The file the importer reads.
pub const FILE: &str = "sample_follower_data.json";

/// The target of every follow: the data set does not name the followed profile.
pub const PROFILE: &str = "followed-profile";

/// One follower: id, rank in the list, creation time (milliseconds).
struct Follower {
    id: String,
    rank: u64,
    created: i64,
}

/// The follow times Meeder et al.'s method infers from an ordered follower list: walking the
/// followers from the oldest follow to the newest, a follow cannot be earlier than the
/// creation of any account that followed before it, so the estimate is the running maximum
/// of creation times (a lower bound on the true follow time).
///
/// # Arguments
/// * `created_oldest_first` — creation times in follow order, oldest follow first.
///
/// # Returns
/// The estimated follow time of each, in the same order.
///
/// # Complexity
/// O(n).
pub fn meeder_follow_times(created_oldest_first: &[i64]) -> Vec<i64> {
    let mut m = i64::MIN;
    created_oldest_first
        .iter()
        .map(|&c| {
            m = m.max(c);
            m
        })
        .collect()
}

/// Imports `path` (the directory or the JSON file) into `out`: one `follow` of
/// [`PROFILE`] per follower at the follow time [`meeder_follow_times`] infers, and the
/// accounts side file with each follower's `created_at` and `rank`. No truth files: the data
/// has no labels.
///
/// # Errors
/// [`crate::Error::InvalidInput`] when the file is missing or is not a JSON object of
/// `{id: {rank, timestamp}}`.
pub(crate) fn import(path: &Path, out: &mut Output, opts: &Options) -> Result<()> {
    let file = source::file_in(path, FILE, "FollowerAnalyzer sample")?;
    let name = source::name_of(&file);
    let s = &mut out.summary;
    s.data_set = "FollowerAnalyzer sample (Zouzou & Varol, arXiv:2310.20407): followers of one \
                  Twitter profile"
        .into();
    s.label_type = "none (unlabelled): findings are qualitative observations only".into();
    s.notes.push(
        "follow times are not in the data: each follow is at the Meeder et al. lower bound \
         (running maximum of creation times in follow order)"
            .into(),
    );
    s.notes
        .push("the *_network.json.gz friend/follower lists are not imported".into());
    let text = source::read_text(&file)?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| invalid_input_err!("{}: not JSON: {e}", file.display()))?;
    let Value::Object(map) = v else {
        return Err(invalid_input_err!(
            "{}: not a FollowerAnalyzer follower file (expected an object of id → {{rank, timestamp}})",
            file.display()
        ));
    };
    let mut followers = Vec::with_capacity(map.len());
    let mut read = 0u64;
    for (i, (id, rec)) in map.iter().enumerate() {
        if opts.limit.is_some_and(|l| read >= l as u64) {
            break;
        }
        read += 1;
        let n = i as u64 + 1;
        let (Some(rank), Some(created)) = (
            rec.get("rank").and_then(Value::as_u64),
            rec.get("timestamp").and_then(Value::as_i64),
        ) else {
            out.reject(
                &name,
                n,
                "bad-record",
                &format!("entry {n}: no integer rank and timestamp"),
            )?;
            continue;
        };
        followers.push(Follower {
            id: id.clone(),
            rank,
            created: created * 1000,
        });
    }
    out.summary.rows_read = read;
    out.summary.per_file.insert(name, read);
    // Follow order. A follow cannot precede the follower's account, so the end of the list
    // holding the newer accounts is the newer end. The source README says the API lists the
    // newest follower first; the sample shows the opposite (the lowest ranks hold no account
    // created after 2012, the highest ranks accounts up to 2023), so the order is read from
    // the data: by rank, oldest follow first, flipped when the lowest-rank tenth is newer
    // than the highest-rank tenth.
    followers.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.id.cmp(&b.id)));
    let tenth = (followers.len() / 10).max(1).min(followers.len());
    let mean =
        |fs: &[Follower]| fs.iter().map(|f| f.created as f64).sum::<f64>() / fs.len().max(1) as f64;
    let (low, high) = (
        mean(&followers[..tenth]),
        mean(&followers[followers.len() - tenth..]),
    );
    if low > high {
        followers.reverse();
        out.summary.notes.push(
            "follow order: highest rank first (the highest ranks hold the older accounts)".into(),
        );
    } else {
        out.summary
            .notes
            .push("follow order: rank 0 first (the lowest ranks hold the older accounts)".into());
    }
    let created: Vec<i64> = followers.iter().map(|f| f.created).collect();
    let times = meeder_follow_times(&created);
    for (f, &ts) in followers.iter().zip(&times) {
        out.event(&EventRow {
            id: &format!("follow{}", f.rank),
            ts,
            actor: &f.id,
            action: "follow",
            target: PROFILE,
            owner: Some(PROFILE),
            text: None,
            ip: None,
            device: None,
            client: None,
        })?;
    }
    out.open_accounts(&["rank"])?;
    for f in &followers {
        out.account(&AccountRow {
            id: &f.id,
            created_at: Some(f.created),
            attrs: &[("rank", &f.rank.to_string())],
        })?;
    }
    out.summary.accounts = followers.len() as u64;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_times_are_a_running_maximum() {
        assert_eq!(meeder_follow_times(&[5, 3, 9, 7, 10]), vec![5, 5, 9, 9, 10]);
        assert!(meeder_follow_times(&[]).is_empty());
    }
}
