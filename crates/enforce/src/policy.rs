//! The enforcement policy: what each verdict and each piece of infrastructure leads to.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Result, invalid_input_err, io};

/// What to do with an account judged `suspicious`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuspiciousAction {
    /// Nothing: suspicious is for review only (the default).
    None,
    /// Challenge the account (captcha, phone check).
    Challenge,
}

/// What to do with an account judged `fake`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FakeAction {
    /// Disable it (the default).
    Disable,
    /// Only challenge it.
    Challenge,
}

/// The enforcement policy, read from TOML. Every field has a default; an empty file (or no
/// file) is the default policy.
///
/// ```toml
/// version = "default-2"        # recorded in every plan
/// suspicious = "none"          # "none" | "challenge"
/// fake = "disable"             # "disable" | "challenge"
/// min_score = 0.0              # accounts scored below this are left alone
/// secure_compromised = true    # compromised: revoke the operation's app tokens + password reset
/// remove_engagement = true     # remove every flagged event
/// correct_counts = true        # publish corrected counts per target
/// block_devices = true
/// block_ip_ranges = true
/// ipv4_prefix = 24
/// ipv6_prefix = 48
/// block_apps = true            # `api:<app>` clients of an operation
/// block_victim_infrastructure = false  # devices/IPs of operations run through real accounts
/// victim_share = 0.5           # an operation is run through real accounts when at least this
///                              # share of its judged members are `compromised`
/// ban_vendors = true
/// max_collateral_accounts = 5  # a block is planned only if at most this many accounts judged
/// max_collateral_share = 0.05  # `ok` used it, and they were at most this share of its accounts
/// max_total_collateral = 0.001 # all planned blocks together touch at most this share of the
///                              # `ok` accounts
/// unmeasured_blocks = false    # block infrastructure whose use the findings do not measure
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// The policy's version, recorded in every plan built with it.
    pub version: String,
    /// What `suspicious` accounts get.
    pub suspicious: SuspiciousAction,
    /// What `fake` accounts get.
    pub fake: FakeAction,
    /// Accounts whose score is below this are left alone, whatever their verdict.
    pub min_score: f64,
    /// Secure `compromised` accounts: revoke the operation's third-party app tokens and force a
    /// password reset. Never a ban of the person.
    pub secure_compromised: bool,
    /// Remove every flagged engagement event.
    pub remove_engagement: bool,
    /// Publish corrected engagement counts per target (from `corrections.csv`).
    pub correct_counts: bool,
    /// Block the operations' devices.
    pub block_devices: bool,
    /// Block the operations' IP ranges.
    pub block_ip_ranges: bool,
    /// IPv4 prefix length of a blocked range.
    pub ipv4_prefix: u8,
    /// IPv6 prefix length of a blocked range.
    pub ipv6_prefix: u8,
    /// Block the operations' third-party apps (`api:<app>` clients).
    pub block_apps: bool,
    /// Also block devices and IPs of operations run through real people's accounts (a
    /// `vendor-app` operation, or one whose members are mostly `compromised`): those are the
    /// victims' own phones and home networks, so the default is no.
    pub block_victim_infrastructure: bool,
    /// Share of an operation's judged members that must be `compromised` for it to count as
    /// run through real accounts.
    pub victim_share: f64,
    /// Ban the vendor behind each operation and record its fingerprints.
    pub ban_vendors: bool,
    /// An infrastructure block (range, address, device, app) is planned only if at most this
    /// many unflagged accounts (judged `ok` or `suspicious`) used it in the scanned log (`infrastructure.csv`); a range
    /// above it is narrowed to the operation's own addresses in it that pass, anything else is
    /// withheld with a note.
    pub max_collateral_accounts: u64,
    /// …and those accounts were at most this share of every account that used it.
    pub max_collateral_share: f64,
    /// All planned blocks together may touch at most this share of the unflagged accounts (judged `ok` or `suspicious`)
    /// (summed over the blocks, an upper bound); above it the blocks that touch the most are
    /// withheld first.
    pub max_total_collateral: f64,
    /// Plan blocks of infrastructure whose use the findings do not measure (no
    /// `infrastructure.csv`, or a range at another prefix than the scan's /24 and /48). Default
    /// false: a block whose collateral is unknown is withheld, or narrowed to measured
    /// addresses.
    pub unmeasured_blocks: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            version: "default-2".to_owned(),
            suspicious: SuspiciousAction::None,
            fake: FakeAction::Disable,
            min_score: 0.0,
            secure_compromised: true,
            remove_engagement: true,
            correct_counts: true,
            block_devices: true,
            block_ip_ranges: true,
            ipv4_prefix: 24,
            ipv6_prefix: 48,
            block_apps: true,
            block_victim_infrastructure: false,
            victim_share: 0.5,
            ban_vendors: true,
            max_collateral_accounts: 5,
            max_collateral_share: 0.05,
            max_total_collateral: 0.001,
            unmeasured_blocks: false,
        }
    }
}

impl Policy {
    /// Parses a policy from TOML text and checks it.
    pub fn from_toml(text: &str) -> Result<Policy> {
        let p: Policy = toml::from_str(text).map_err(|e| invalid_input_err!("policy: {e}"))?;
        p.check()?;
        Ok(p)
    }

    /// Reads a policy file.
    pub fn load(path: &Path) -> Result<Policy> {
        let text = std::fs::read_to_string(path).map_err(io(path))?;
        Policy::from_toml(&text).map_err(|e| invalid_input_err!("{}: {e}", path.display()))
    }

    fn check(&self) -> Result<()> {
        if !(1..=32).contains(&self.ipv4_prefix) {
            return Err(invalid_input_err!(
                "ipv4_prefix must be 1..=32, got {}",
                self.ipv4_prefix
            ));
        }
        if !(1..=128).contains(&self.ipv6_prefix) {
            return Err(invalid_input_err!(
                "ipv6_prefix must be 1..=128, got {}",
                self.ipv6_prefix
            ));
        }
        if !(0.0..=1.0).contains(&self.min_score) || !(0.0..=1.0).contains(&self.victim_share) {
            return Err(invalid_input_err!(
                "min_score and victim_share must be in [0, 1]"
            ));
        }
        for (name, v) in [
            ("max_collateral_share", self.max_collateral_share),
            ("max_total_collateral", self.max_total_collateral),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(invalid_input_err!("{name} must be in [0, 1], got {v}"));
            }
        }
        if self.version.is_empty() {
            return Err(invalid_input_err!("version must not be empty"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_the_default_policy() {
        assert_eq!(Policy::from_toml("").unwrap(), Policy::default());
    }

    #[test]
    fn fields_override_and_typos_are_refused() {
        let p = Policy::from_toml("version = \"strict-2\"\nsuspicious = \"challenge\"").unwrap();
        assert_eq!(p.version, "strict-2");
        assert_eq!(p.suspicious, SuspiciousAction::Challenge);
        assert!(Policy::from_toml("suspicous = \"challenge\"").is_err());
        assert!(Policy::from_toml("ipv4_prefix = 40").is_err());
    }
}
