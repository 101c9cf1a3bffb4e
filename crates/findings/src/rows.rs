//! The rows of `verdicts.csv`, `flagged_events.csv`, `corrections.csv`, `bursts.csv`,
//! `infrastructure.csv`, `flagged_event_accounts.csv` and `review_queue.csv`.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io;

use serde::{Deserialize, Serialize};

use crate::table::{CsvRow, Fields};

/// `verdicts.csv`.
pub const VERDICTS: &str = "verdicts.csv";
/// `flagged_events.csv`.
pub const FLAGGED_EVENTS: &str = "flagged_events.csv";
/// `corrections.csv`.
pub const CORRECTIONS: &str = "corrections.csv";
/// `bursts.csv` (an addition to CONTRACT §2; findings written before it have none).
pub const BURSTS: &str = "bursts.csv";

/// `flagged_event_accounts.csv` (an addition to CONTRACT §2; findings written before it have
/// none).
pub const FLAGGED_EVENT_ACCOUNTS: &str = "flagged_event_accounts.csv";
/// `review_queue.csv` (an addition to CONTRACT §2; findings written before it have none).
pub const REVIEW_QUEUE: &str = "review_queue.csv";
/// `infrastructure.csv` (an addition to CONTRACT §2; findings written before it have none).
pub const INFRASTRUCTURE: &str = "infrastructure.csv";

/// `verdicts.csv` header.
pub const VERDICTS_HEADER: &str = "account,verdict,score,operation,reasons";
/// `flagged_events.csv` header.
pub const FLAGGED_EVENTS_HEADER: &str = "event,operation,reasons";
/// `corrections.csv` header.
pub const CORRECTIONS_HEADER: &str = "target,reported,fake,organic";
/// `bursts.csv` header.
pub const BURSTS_HEADER: &str =
    "target,owner,action,start,end,events,accounts,ratio,operation,flagged,summary,account_ids";

/// `flagged_event_accounts.csv` header.
pub const FLAGGED_EVENT_ACCOUNTS_HEADER: &str = "event,account,target";
/// `review_queue.csv` header.
pub const REVIEW_QUEUE_HEADER: &str = "rank,account,score,cause,operation,evidence_events,evidence_share,targets,days,owners,resolve,events";
/// `infrastructure.csv` header.
pub const INFRASTRUCTURE_HEADER: &str =
    "operation,kind,key,accounts,events,members,unflagged_accounts,unflagged_events";

/// What the findings say about an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing actionable.
    #[default]
    Ok,
    /// Some evidence; for review only.
    Suspicious,
    /// An account that exists to sell engagement.
    Fake,
    /// A real person's account whose engagement was (partly) produced by someone else.
    Compromised,
}

impl Verdict {
    /// `ok`, `suspicious`, `fake` or `compromised`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Suspicious => "suspicious",
            Verdict::Fake => "fake",
            Verdict::Compromised => "compromised",
        }
    }

    /// The verdict named `s` (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        [
            Verdict::Ok,
            Verdict::Suspicious,
            Verdict::Fake,
            Verdict::Compromised,
        ]
        .into_iter()
        .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }

    /// `fake` and `compromised` are actionable; `suspicious` is for review only.
    pub fn is_flagged(self) -> bool {
        matches!(self, Verdict::Fake | Verdict::Compromised)
    }
}

/// One row of `verdicts.csv`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VerdictRow<'a> {
    /// The account.
    pub account: Cow<'a, str>,
    /// Its verdict.
    pub verdict: Verdict,
    /// Its score in [0, 1], written with three decimals; `None` when empty or not a number.
    pub score: Option<f64>,
    /// Its operation id, or empty.
    pub operation: Cow<'a, str>,
    /// `;`-separated reason codes.
    pub reasons: Cow<'a, str>,
}

/// One row of `flagged_events.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FlaggedEventRow<'a> {
    /// The event id: explicit, or `FILE:LINE`.
    pub event: Cow<'a, str>,
    /// The operation id, or empty.
    pub operation: Cow<'a, str>,
    /// `;`-separated reason codes.
    pub reasons: Cow<'a, str>,
    /// The acting account, when another producer's file has an `actor` column (read, never
    /// written).
    pub actor: Option<Cow<'a, str>>,
    /// The target, when another producer's file has a `target` column (read, never written).
    pub target: Option<Cow<'a, str>>,
}

/// One row of `corrections.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CorrectionRow<'a> {
    /// The target (post, page, account).
    pub target: Cow<'a, str>,
    /// Engagement count before removal.
    pub reported: u64,
    /// Fake engagement removed.
    pub fake: u64,
    /// What remains.
    pub organic: u64,
}

/// One row of `bursts.csv`: a target's hour far above its own rate and its peers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BurstRow<'a> {
    /// The target.
    pub target: Cow<'a, str>,
    /// The target's owner, or empty.
    pub owner: Cow<'a, str>,
    /// The action.
    pub action: Cow<'a, str>,
    /// First event (RFC 3339).
    pub start: Cow<'a, str>,
    /// Last event (RFC 3339).
    pub end: Cow<'a, str>,
    /// Events inside it.
    pub events: u64,
    /// Accounts inside it.
    pub accounts: u64,
    /// The busiest window against the target's own rate, written with one decimal.
    pub ratio: f64,
    /// The operation it was listed with, or empty.
    pub operation: Cow<'a, str>,
    /// Its events flagged for any operation.
    pub flagged: u64,
    /// The detector's one-line summary.
    pub summary: Cow<'a, str>,
    /// The accounts whose events fall inside it (written `;`-separated, see [`join_ids`]).
    pub account_ids: Vec<Cow<'a, str>>,
}

/// One row of `review_queue.csv`: an account judged `suspicious`, why, the evidence behind
/// it, and what would settle it; the queue is ranked, closest to a verdict first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReviewRow<'a> {
    /// 1 for the first account to review.
    pub rank: u64,
    /// The account.
    pub account: Cow<'a, str>,
    /// Its fused score, written with three decimals.
    pub score: f64,
    /// `weak-evidence`, `few-repetitions`, `no-operation`, `own-life` or `trusted`.
    pub cause: Cow<'a, str>,
    /// The operation its evidence points to, or empty.
    pub operation: Cow<'a, str>,
    /// How many evidence events there are.
    pub evidence_events: u64,
    /// Their share of all the account's events, written with three decimals.
    pub evidence_share: f64,
    /// Their distinct targets.
    pub targets: u64,
    /// Their distinct days.
    pub days: u64,
    /// Their distinct owners.
    pub owners: u64,
    /// What would settle it, in a sentence.
    pub resolve: Cow<'a, str>,
    /// The first evidence events (ids, `;`-separated, see [`join_ids`]).
    pub events: Vec<Cow<'a, str>>,
}

/// One row of `flagged_event_accounts.csv`: who made a flagged event, and on what.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FlaggedEventAccountRow<'a> {
    /// The event id, as in `flagged_events.csv`.
    pub event: Cow<'a, str>,
    /// The account that made it.
    pub account: Cow<'a, str>,
    /// Its target.
    pub target: Cow<'a, str>,
}

/// One row of `infrastructure.csv`: how the whole log used one piece of an operation's
/// infrastructure, so that blocking it can be weighed against the people it would touch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InfrastructureUseRow<'a> {
    /// The operation id.
    pub operation: Cow<'a, str>,
    /// `ip`, `ip_range` (IPv4 /24, IPv6 /48), `device` or `client`.
    pub kind: Cow<'a, str>,
    /// The address, range (CIDR), device id or client (`api:<app>`, …).
    pub key: Cow<'a, str>,
    /// Accounts with any event through it, in the whole log.
    pub accounts: u64,
    /// Events through it.
    pub events: u64,
    /// The operation's members among those accounts.
    pub members: u64,
    /// Unflagged accounts (judged `ok` or `suspicious`) among them: who a block would touch that the findings call real.
    pub unflagged_accounts: u64,
    /// Their events through it.
    pub unflagged_events: u64,
}

/// Joins ids with `;`, writing `%` and `;` inside an id as `%25` and `%3B`.
pub fn join_ids<S: AsRef<str>>(ids: &[S], out: &mut String) {
    for (k, id) in ids.iter().enumerate() {
        if k > 0 {
            out.push(';');
        }
        for c in id.as_ref().chars() {
            match c {
                '%' => out.push_str("%25"),
                ';' => out.push_str("%3B"),
                c => out.push(c),
            }
        }
    }
}

/// Splits what [`join_ids`] wrote (empty: no ids).
pub fn split_ids(s: &str) -> Vec<Cow<'_, str>> {
    if s.is_empty() {
        return Vec::new();
    }
    s.split(';')
        .map(|a| {
            if a.contains('%') {
                Cow::Owned(a.replace("%3B", ";").replace("%25", "%"))
            } else {
                Cow::Borrowed(a)
            }
        })
        .collect()
}

fn owned(s: &str) -> Cow<'static, str> {
    Cow::Owned(s.to_owned())
}

fn count(f: &Fields<'_>, i: usize, name: &str) -> Result<u64, String> {
    match f.opt(i) {
        None | Some("") => Ok(0),
        Some(s) => s
            .parse::<u64>()
            .map_err(|_| format!("{name} {s:?} is not a whole number")),
    }
}

impl CsvRow for VerdictRow<'_> {
    const FILE: &'static str = VERDICTS;
    const COLUMNS: &'static [&'static str] =
        &["account", "verdict", "score", "operation", "reasons"];
    const REQUIRED: usize = 2;

    fn write_record<W: io::Write>(
        &self,
        w: &mut csv::Writer<W>,
        buf: &mut String,
    ) -> csv::Result<()> {
        buf.clear();
        if let Some(s) = self.score {
            let _ = write!(buf, "{s:.3}");
        }
        w.write_record([
            self.account.as_bytes(),
            self.verdict.as_str().as_bytes(),
            buf.as_bytes(),
            self.operation.as_bytes(),
            self.reasons.as_bytes(),
        ])
    }

    fn from_fields(f: &Fields<'_>, partial: &mut Vec<String>) -> Result<Self, String> {
        let account = f.get(0);
        if account.is_empty() {
            return Err("empty account".to_owned());
        }
        let verdict =
            Verdict::parse(f.get(1)).ok_or_else(|| format!("unknown verdict {:?}", f.get(1)))?;
        let score = match f.get(2) {
            "" => None,
            s => {
                let v = s.parse::<f64>().ok().filter(|v| v.is_finite());
                if v.is_none() {
                    partial.push(format!("score {s:?} is not a number"));
                }
                v
            }
        };
        Ok(VerdictRow {
            account: owned(account),
            verdict,
            score,
            operation: owned(f.get(3)),
            reasons: owned(f.get(4)),
        })
    }
}

impl CsvRow for FlaggedEventRow<'_> {
    const FILE: &'static str = FLAGGED_EVENTS;
    const COLUMNS: &'static [&'static str] = &["event", "operation", "reasons"];
    const REQUIRED: usize = 1;
    const EXTRA: &'static [&'static str] = &["actor", "target"];

    fn write_record<W: io::Write>(
        &self,
        w: &mut csv::Writer<W>,
        _buf: &mut String,
    ) -> csv::Result<()> {
        w.write_record([
            self.event.as_bytes(),
            self.operation.as_bytes(),
            self.reasons.as_bytes(),
        ])
    }

    fn from_fields(f: &Fields<'_>, _partial: &mut Vec<String>) -> Result<Self, String> {
        let event = f.get(0);
        if event.is_empty() {
            return Err("empty event".to_owned());
        }
        let nonempty = |i| f.opt(i).filter(|s| !s.is_empty()).map(owned);
        Ok(FlaggedEventRow {
            event: owned(event),
            operation: owned(f.get(1)),
            reasons: owned(f.get(2)),
            actor: nonempty(3),
            target: nonempty(4),
        })
    }
}

impl CsvRow for ReviewRow<'_> {
    const FILE: &'static str = REVIEW_QUEUE;
    const COLUMNS: &'static [&'static str] = &[
        "rank",
        "account",
        "score",
        "cause",
        "operation",
        "evidence_events",
        "evidence_share",
        "targets",
        "days",
        "owners",
        "resolve",
        "events",
    ];
    const REQUIRED: usize = 2;

    fn write_record<W: io::Write>(
        &self,
        w: &mut csv::Writer<W>,
        buf: &mut String,
    ) -> csv::Result<()> {
        buf.clear();
        let _ = write!(buf, "{}", self.rank);
        w.write_field(buf.as_bytes())?;
        w.write_field(self.account.as_bytes())?;
        buf.clear();
        let _ = write!(buf, "{:.3}", self.score);
        w.write_field(buf.as_bytes())?;
        w.write_field(self.cause.as_bytes())?;
        w.write_field(self.operation.as_bytes())?;
        buf.clear();
        let _ = write!(buf, "{}", self.evidence_events);
        w.write_field(buf.as_bytes())?;
        buf.clear();
        let _ = write!(buf, "{:.3}", self.evidence_share);
        w.write_field(buf.as_bytes())?;
        for n in [self.targets, self.days, self.owners] {
            buf.clear();
            let _ = write!(buf, "{n}");
            w.write_field(buf.as_bytes())?;
        }
        w.write_field(self.resolve.as_bytes())?;
        buf.clear();
        join_ids(&self.events, buf);
        w.write_field(buf.as_bytes())?;
        w.write_record(None::<&[u8]>)
    }

    fn from_fields(f: &Fields<'_>, _partial: &mut Vec<String>) -> Result<Self, String> {
        let account = f.get(1);
        if account.is_empty() {
            return Err("empty account".to_owned());
        }
        let rank = f
            .get(0)
            .parse::<u64>()
            .map_err(|_| format!("rank {:?} is not a whole number", f.get(0)))?;
        Ok(ReviewRow {
            rank,
            account: owned(account),
            score: f.get(2).parse::<f64>().unwrap_or(0.0),
            cause: owned(f.get(3)),
            operation: owned(f.get(4)),
            evidence_events: count(f, 5, "evidence_events")?,
            evidence_share: f.get(6).parse::<f64>().unwrap_or(0.0),
            targets: count(f, 7, "targets")?,
            days: count(f, 8, "days")?,
            owners: count(f, 9, "owners")?,
            resolve: owned(f.get(10)),
            events: split_ids(f.get(11))
                .into_iter()
                .map(|c| owned(&c))
                .collect(),
        })
    }
}

impl CsvRow for FlaggedEventAccountRow<'_> {
    const FILE: &'static str = FLAGGED_EVENT_ACCOUNTS;
    const COLUMNS: &'static [&'static str] = &["event", "account", "target"];
    const REQUIRED: usize = 2;

    fn write_record<W: io::Write>(
        &self,
        w: &mut csv::Writer<W>,
        _buf: &mut String,
    ) -> csv::Result<()> {
        w.write_record([
            self.event.as_bytes(),
            self.account.as_bytes(),
            self.target.as_bytes(),
        ])
    }

    fn from_fields(f: &Fields<'_>, _partial: &mut Vec<String>) -> Result<Self, String> {
        let (event, account) = (f.get(0), f.get(1));
        if event.is_empty() || account.is_empty() {
            return Err("needs an event and an account".to_owned());
        }
        Ok(FlaggedEventAccountRow {
            event: owned(event),
            account: owned(account),
            target: owned(f.get(2)),
        })
    }
}

impl CsvRow for InfrastructureUseRow<'_> {
    const FILE: &'static str = INFRASTRUCTURE;
    const COLUMNS: &'static [&'static str] = &[
        "operation",
        "kind",
        "key",
        "accounts",
        "events",
        "members",
        "unflagged_accounts",
        "unflagged_events",
    ];
    const REQUIRED: usize = 8;

    fn write_record<W: io::Write>(
        &self,
        w: &mut csv::Writer<W>,
        buf: &mut String,
    ) -> csv::Result<()> {
        w.write_field(self.operation.as_bytes())?;
        w.write_field(self.kind.as_bytes())?;
        w.write_field(self.key.as_bytes())?;
        for n in [
            self.accounts,
            self.events,
            self.members,
            self.unflagged_accounts,
            self.unflagged_events,
        ] {
            buf.clear();
            let _ = write!(buf, "{n}");
            w.write_field(buf.as_bytes())?;
        }
        w.write_record(None::<&[u8]>)
    }

    fn from_fields(f: &Fields<'_>, _partial: &mut Vec<String>) -> Result<Self, String> {
        let (operation, kind, key) = (f.get(0), f.get(1), f.get(2));
        if operation.is_empty() || kind.is_empty() || key.is_empty() {
            return Err("needs an operation, a kind and a key".to_owned());
        }
        Ok(InfrastructureUseRow {
            operation: owned(operation),
            kind: owned(kind),
            key: owned(key),
            accounts: count(f, 3, "accounts")?,
            events: count(f, 4, "events")?,
            members: count(f, 5, "members")?,
            unflagged_accounts: count(f, 6, "unflagged_accounts")?,
            unflagged_events: count(f, 7, "unflagged_events")?,
        })
    }
}

impl CsvRow for CorrectionRow<'_> {
    const FILE: &'static str = CORRECTIONS;
    const COLUMNS: &'static [&'static str] = &["target", "reported", "fake", "organic"];
    const REQUIRED: usize = 2;

    fn write_record<W: io::Write>(
        &self,
        w: &mut csv::Writer<W>,
        buf: &mut String,
    ) -> csv::Result<()> {
        w.write_field(self.target.as_bytes())?;
        for n in [self.reported, self.fake, self.organic] {
            buf.clear();
            let _ = write!(buf, "{n}");
            w.write_field(buf.as_bytes())?;
        }
        w.write_record(None::<&[u8]>)
    }

    /// Counts may be written as decimals (taken whole); an empty `fake` is 0 and an empty
    /// `organic` is `reported - fake`.
    fn from_fields(f: &Fields<'_>, _partial: &mut Vec<String>) -> Result<Self, String> {
        let num = |s: &str| {
            s.parse::<u64>().ok().or_else(|| {
                s.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .map(|v| v.max(0.0) as u64)
            })
        };
        let target = f.get(0);
        let reported = num(f.get(1));
        let (Some(reported), false) = (reported, target.is_empty()) else {
            return Err("needs a target and a reported count".to_owned());
        };
        let fake = match f.get(2) {
            "" => 0,
            s => num(s).ok_or_else(|| format!("fake {s:?} is not a count"))?,
        };
        let organic = match f.get(3) {
            "" => reported.saturating_sub(fake),
            s => num(s).ok_or_else(|| format!("organic {s:?} is not a count"))?,
        };
        Ok(CorrectionRow {
            target: owned(target),
            reported,
            fake,
            organic,
        })
    }
}

impl CsvRow for BurstRow<'_> {
    const FILE: &'static str = BURSTS;
    const COLUMNS: &'static [&'static str] = &[
        "target",
        "owner",
        "action",
        "start",
        "end",
        "events",
        "accounts",
        "ratio",
        "operation",
        "flagged",
        "summary",
        "account_ids",
    ];
    const REQUIRED: usize = 1;

    fn write_record<W: io::Write>(
        &self,
        w: &mut csv::Writer<W>,
        buf: &mut String,
    ) -> csv::Result<()> {
        for s in [
            &self.target,
            &self.owner,
            &self.action,
            &self.start,
            &self.end,
        ] {
            w.write_field(s.as_bytes())?;
        }
        for n in [self.events, self.accounts] {
            buf.clear();
            let _ = write!(buf, "{n}");
            w.write_field(buf.as_bytes())?;
        }
        buf.clear();
        let _ = write!(buf, "{:.1}", self.ratio);
        w.write_field(buf.as_bytes())?;
        w.write_field(self.operation.as_bytes())?;
        buf.clear();
        let _ = write!(buf, "{}", self.flagged);
        w.write_field(buf.as_bytes())?;
        w.write_field(self.summary.as_bytes())?;
        buf.clear();
        join_ids(&self.account_ids, buf);
        w.write_field(buf.as_bytes())?;
        w.write_record(None::<&[u8]>)
    }

    fn from_fields(f: &Fields<'_>, _partial: &mut Vec<String>) -> Result<Self, String> {
        let target = f.get(0);
        if target.is_empty() {
            return Err("empty target".to_owned());
        }
        let ratio = match f.get(7) {
            "" => 0.0,
            s => s
                .parse::<f64>()
                .map_err(|_| format!("ratio {s:?} is not a number"))?,
        };
        Ok(BurstRow {
            target: owned(target),
            owner: owned(f.get(1)),
            action: owned(f.get(2)),
            start: owned(f.get(3)),
            end: owned(f.get(4)),
            events: count(f, 5, "events")?,
            accounts: count(f, 6, "accounts")?,
            ratio,
            operation: owned(f.get(8)),
            flagged: count(f, 9, "flagged")?,
            summary: owned(f.get(10)),
            account_ids: split_ids(f.get(11))
                .into_iter()
                .map(|c| owned(&c))
                .collect(),
        })
    }
}
