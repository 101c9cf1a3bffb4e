//! `lockstep eval`: scores a findings directory against a ground-truth directory.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

/// Arguments of `lockstep eval`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Ground-truth directory (needs truth_accounts.csv; the other truth_*.csv are optional).
    #[arg(long, value_name = "DIR")]
    truth: PathBuf,
    /// Findings directory: verdicts.csv, flagged_events.csv, operations.json (any may be
    /// missing; missing means nothing found).
    #[arg(long, value_name = "DIR")]
    findings: PathBuf,
    /// Also write the full report as pretty JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Also measure an enforcement plan (`lockstep enforce plan --findings DIR`): the people
    /// its infrastructure blocks would touch, against the truth and against the verdicts. The
    /// scanned events are reloaded from the inputs the findings' summary.json records.
    #[arg(long, value_name = "FILE")]
    plan: Option<PathBuf>,
}

/// Runs `lockstep eval`: prints the report table and optionally writes the JSON report.
pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let report = lockstep_eval::evaluate(&args.truth, &args.findings).with_context(|| {
        format!(
            "cannot score {} against {}",
            args.findings.display(),
            args.truth.display()
        )
    })?;
    let collateral = match &args.plan {
        Some(plan) => Some(plan_collateral(&args.truth, &args.findings, plan)?),
        None => None,
    };
    if let Some(path) = &args.json {
        let mut value = serde_json::to_value(&report).context("serialising the report")?;
        if let (Some(c), Some(obj)) = (&collateral, value.as_object_mut()) {
            obj.insert(
                "plan_collateral".into(),
                serde_json::to_value(c).context("serialising the plan's collateral")?,
            );
        }
        let json = serde_json::to_string_pretty(&value).context("serialising the report")?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "lockstep eval: findings {} against truth {}\n",
        args.findings.display(),
        args.truth.display()
    )?;
    out.write_all(report.render_table().as_bytes())?;
    if let Some(c) = &collateral {
        c.render(&mut out)?;
    }
    if let Some(path) = &args.json {
        writeln!(out, "\nfull report: {}", path.display())?;
    }
    out.flush()?;
    Ok(())
}

/// Who an enforcement plan's infrastructure blocks would touch, in the scanned log.
#[derive(Debug, Default, serde::Serialize)]
pub(crate) struct PlanCollateral {
    /// The plan measured.
    plan: String,
    /// Infrastructure blocks in it (ranges, devices, apps).
    blocks: usize,
    /// Blocks it withheld.
    withheld: usize,
    /// Accounts with any event through blocked infrastructure.
    accounts_touched: usize,
    /// Organic accounts (truth) among them, of all organic accounts.
    organic_touched: usize,
    organic_accounts: usize,
    /// Their events through blocked infrastructure.
    organic_events_blocked: u64,
    /// Unflagged accounts (judged `ok` or `suspicious`) among them, of all judged `ok`.
    unflagged_touched: usize,
    unflagged_accounts: usize,
    /// Organic accounts touched that the findings did not already act on (judged `ok` or
    /// `suspicious`): the harm the blocks add.
    organic_touched_not_acted_on: usize,
    /// Per kind of block (`block_ip_range`, `block_device`, `block_app`): how many are planned
    /// and how many organic accounts they touch.
    organic_by_kind: [(&'static str, usize, usize); 3],
}

impl PlanCollateral {
    fn render(&self, out: &mut impl Write) -> std::io::Result<()> {
        let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
        writeln!(out, "\nEnforcement collateral of {}", self.plan)?;
        writeln!(
            out,
            "  infrastructure blocks   {} planned, {} withheld",
            self.blocks, self.withheld
        )?;
        writeln!(out, "  accounts touched        {}", self.accounts_touched)?;
        for (kind, planned, organic) in &self.organic_by_kind {
            writeln!(
                out,
                "    {kind:<15} {planned} planned, touching {organic} organic accounts"
            )?;
        }
        writeln!(
            out,
            "  organic (truth)         {} of {} ({:.3}%), {} events through blocked infrastructure; {} of them not otherwise acted on",
            self.organic_touched,
            self.organic_accounts,
            pct(self.organic_touched, self.organic_accounts),
            self.organic_events_blocked,
            self.organic_touched_not_acted_on
        )?;
        writeln!(
            out,
            "  not flagged (verdicts)  {} of {} ({:.3}%)",
            self.unflagged_touched,
            self.unflagged_accounts,
            pct(self.unflagged_touched, self.unflagged_accounts)
        )
    }
}

/// A parsed CIDR as (bits, prefix length) over IPv4-mapped IPv6 addresses.
fn cidr(s: &str) -> Option<(u128, u32)> {
    let (addr, len) = s.split_once('/').unwrap_or((s, ""));
    let ip: std::net::IpAddr = addr.trim().parse().ok()?;
    let (bits, full) = match ip {
        std::net::IpAddr::V4(a) => (u128::from(a.to_ipv6_mapped()), 32),
        std::net::IpAddr::V6(a) => (u128::from(a), 128),
    };
    let len: u32 = if len.is_empty() {
        full
    } else {
        len.parse().ok()?
    };
    if len > full {
        return None;
    }
    let len = len + (128 - full);
    let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
    Some((bits & mask, len))
}

fn mapped(ip: std::net::IpAddr) -> u128 {
    match ip {
        std::net::IpAddr::V4(a) => u128::from(a.to_ipv6_mapped()),
        std::net::IpAddr::V6(a) => u128::from(a),
    }
}

/// Reloads the scanned log and measures `plan`'s infrastructure blocks against the truth and
/// the verdicts.
fn plan_collateral(
    truth: &std::path::Path,
    findings: &std::path::Path,
    plan_path: &std::path::Path,
) -> anyhow::Result<PlanCollateral> {
    use std::collections::{HashMap, HashSet};

    use lockstep_core::NONE;
    use lockstep_store::ActionKind;

    let plan = lockstep_enforce::Plan::read(plan_path)
        .with_context(|| format!("cannot read the plan {}", plan_path.display()))?;
    let summary = findings.join("summary.json");
    let text = std::fs::read_to_string(&summary)
        .with_context(|| format!("cannot read {}", summary.display()))?;
    #[derive(serde::Deserialize)]
    struct Recorded {
        input_files: Option<super::scan::InputFiles>,
    }
    let rec: Recorded = serde_json::from_str(&text)
        .with_context(|| format!("cannot parse {}", summary.display()))?;
    let Some(inp) = rec.input_files else {
        anyhow::bail!(
            "{} does not record its inputs (written by an older lockstep): rescan to measure a plan",
            summary.display()
        );
    };
    let events: Vec<PathBuf> = inp.events.iter().map(PathBuf::from).collect();
    if let Some(f) = events.iter().find(|f| !f.exists()) {
        anyhow::bail!(
            "{} records the input {}, which is not there from this directory",
            summary.display(),
            f.display()
        );
    }
    let inputs = lockstep_ingest::Inputs {
        events: &events,
        accounts: None,
        devices: None,
    };
    let mut sink = lockstep_ingest::NullRejectSink;
    let budget = lockstep_ingest::RejectBudget::default();
    let log = crate::progress::load(&inputs, budget, &mut sink, None)
        .context("cannot reload the scanned events")?
        .log;

    // What is blocked.
    let mut ranges: HashMap<u32, HashSet<u128>> = HashMap::new();
    let mut devices = HashSet::new();
    let mut clients = HashSet::new();
    let mut blocks = 0;
    for a in &plan.actions {
        match a.kind {
            ActionKind::BlockIpRange => {
                if let Some((net, len)) = cidr(&a.subject) {
                    ranges.entry(len).or_default().insert(net);
                }
            }
            ActionKind::BlockDevice => {
                if let Some(d) = log.devices.get(&a.subject) {
                    devices.insert(d);
                }
            }
            ActionKind::BlockApp => {
                if let Some(c) = log.clients.get(&format!("api:{}", a.subject)) {
                    clients.insert(c);
                }
            }
            _ => continue,
        }
        blocks += 1;
    }
    let ip_blocked: Vec<bool> = (0..log.ips.len() as lockstep_core::Id)
        .map(|i| {
            let bits = mapped(log.ips.resolve(i));
            ranges.iter().any(|(&len, nets)| {
                let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
                nets.contains(&(bits & mask))
            })
        })
        .collect();
    let mut touched = vec![0u64; log.accounts.len()];
    // Per account, which kinds of block touched it: bit 0 a range, 1 a device, 2 an app.
    let mut by_kind = vec![0u8; log.accounts.len()];
    for e in 0..log.len() {
        let (ip, d, c) = (log.ip()[e], log.device()[e], log.client()[e]);
        let mut hit = 0u8;
        if ip != NONE && ip_blocked[ip as usize] {
            hit |= 1;
        }
        if d != NONE && devices.contains(&d) {
            hit |= 2;
        }
        if c != NONE && clients.contains(&c) {
            hit |= 4;
        }
        if hit != 0 {
            let a = log.actor()[e] as usize;
            touched[a] += 1;
            by_kind[a] |= hit;
        }
    }

    // The truth's organic accounts and the verdicts.
    let organic: HashSet<String> = {
        let path = truth.join("truth_accounts.csv");
        let mut r = csv::Reader::from_path(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut set = HashSet::new();
        for row in r.records() {
            let row = row.with_context(|| format!("in {}", path.display()))?;
            if row.get(1) == Some("organic") {
                set.insert(row.get(0).unwrap_or_default().to_owned());
            }
        }
        set
    };
    let mut verdict: HashMap<String, lockstep_findings::Verdict> = HashMap::new();
    if let Some(t) = lockstep_findings::read_file::<lockstep_findings::VerdictRow>(findings)
        .with_context(|| format!("cannot read {}", findings.display()))?
    {
        for (_, r) in t.rows {
            verdict.insert(r.account.into_owned(), r.verdict);
        }
    }
    let unflagged_accounts = verdict.values().filter(|v| !v.is_flagged()).count();
    let count = |k: ActionKind| plan.actions.iter().filter(|a| a.kind == k).count();
    let mut c = PlanCollateral {
        organic_by_kind: [
            ("block_ip_range", count(ActionKind::BlockIpRange), 0),
            ("block_device", count(ActionKind::BlockDevice), 0),
            ("block_app", count(ActionKind::BlockApp), 0),
        ],
        plan: plan_path.display().to_string(),
        blocks,
        withheld: plan.withheld.len(),
        organic_accounts: organic.len(),
        unflagged_accounts,
        ..PlanCollateral::default()
    };
    for (a, &n) in touched.iter().enumerate() {
        if n == 0 {
            continue;
        }
        let name = log.accounts.resolve(a as lockstep_core::Id);
        c.accounts_touched += 1;
        let v = verdict.get(name).copied().unwrap_or_default();
        if !v.is_flagged() {
            c.unflagged_touched += 1;
        }
        if organic.contains(name) {
            for (bit, k) in [(1u8, 0usize), (2, 1), (4, 2)] {
                if by_kind[a] & bit != 0 {
                    c.organic_by_kind[k].2 += 1;
                }
            }
            c.organic_touched += 1;
            c.organic_events_blocked += n;
            if matches!(
                v,
                lockstep_findings::Verdict::Ok | lockstep_findings::Verdict::Suspicious
            ) {
                c.organic_touched_not_acted_on += 1;
            }
        }
    }
    Ok(c)
}
