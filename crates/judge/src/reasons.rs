//! [`Reasons`]: the set of reason codes behind a verdict or a flagged event.

use std::fmt;
use std::ops::{BitAnd, BitOr, BitOrAssign, Not};

/// A set of reason codes (see docs/POLICY.md for each), written `;`-separated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Reasons(u32);

/// Every reason code, in bit order.
pub const REASON_CODES: [&str; 21] = [
    "lockstep-group",
    "lockstep-expansion",
    "dense-subgraph",
    "dense-tensor-block",
    "machine-rate-reads",
    "vendor-client",
    "vendor-infrastructure",
    "own-history",
    "operation-only-activity",
    "new-account",
    "below-repetition-guard",
    "fake-account",
    "own-infrastructure",
    "proxy-padding",
    "content-template",
    "rate-anomaly",
    "ban-match",
    "emulated-device",
    "trusted-account",
    "ip-range",
    "captured-targets",
];

impl Reasons {
    /// In a lockstep group (CopyCatch / SynchroTrap).
    pub const LOCKSTEP_GROUP: Reasons = Reasons(1);
    /// Engaged a lockstep group's targets inside its bursts, repeatedly.
    pub const LOCKSTEP_EXPANSION: Reasons = Reasons(1 << 1);
    /// In a corroborated Fraudar block.
    pub const DENSE_SUBGRAPH: Reasons = Reasons(1 << 2);
    /// In a corroborated M-Zoom block.
    pub const DENSE_TENSOR_BLOCK: Reasons = Reasons(1 << 3);
    /// Harvesting: reads far beyond the log's own readers in a shape no person keeps, or
    /// through a vendor's reading device.
    pub const MACHINE_RATE_READS: Reasons = Reasons(1 << 4);
    /// Operation work came through a third-party client the operation uses.
    pub const VENDOR_CLIENT: Reasons = Reasons(1 << 5);
    /// Operation work came from IPs or devices several members share.
    pub const VENDOR_INFRASTRUCTURE: Reasons = Reasons(1 << 6);
    /// The account has a history of its own (→ compromised).
    pub const OWN_HISTORY: Reasons = Reasons(1 << 7);
    /// The account does little but operation work (→ fake).
    pub const OPERATION_ONLY: Reasons = Reasons(1 << 8);
    /// Created less than 30 days before its first event.
    pub const NEW_ACCOUNT: Reasons = Reasons(1 << 9);
    /// Evidence too narrow (too few targets or days) to act on.
    pub const BELOW_REPETITION: Reasons = Reasons(1 << 10);
    /// An event of a fake account outside the detected work (camouflage included).
    pub const FAKE_ACCOUNT: Reasons = Reasons(1 << 11);
    /// The account has its own history and its evidence came through its own devices and
    /// networks: co-behaviour, not a vendor's work (→ suspicious at most).
    pub const OWN_INFRASTRUCTURE: Reasons = Reasons(1 << 12);
    /// The account's activity outside the operation comes from ever-changing networks
    /// (residential proxies), not from a person's few home and carrier networks (→ fake).
    pub const PROXY_PADDING: Reasons = Reasons(1 << 13);
    /// Comments that are near-duplicates of other accounts' comments: one spun template.
    pub const CONTENT_TEMPLATE: Reasons = Reasons(1 << 14);
    /// Part of a target's engagement that its own history and its peers do not explain: an
    /// evenly spaced drip over days, a delivery pool's bursts, or flagged work inside a burst.
    pub const RATE_ANOMALY: Reasons = Reasons(1 << 15);
    /// Matches the recorded fingerprints of a banned operation.
    pub const BAN_MATCH: Reasons = Reasons(1 << 16);
    /// The work came from emulated devices (emulator builds, screens or OS versions the
    /// claimed model never had) of a fingerprint the operation's members share.
    pub const EMULATED_DEVICE: Reasons = Reasons(1 << 17);
    /// Long-lived accounts' endorsements reach the account (trust propagation): a real
    /// person's account, so never `fake`.
    pub const TRUSTED_ACCOUNT: Reasons = Reasons(1 << 18);
    /// A fresh account engaging from an address range (IPv4 /24, IPv6 /48) of mostly fresh
    /// accounts whose engagement goes to targets the rest of the platform hardly engages.
    pub const IP_RANGE: Reasons = Reasons(1 << 19);
    /// Worked through a client or address range that captured several owners' targets
    /// while carrying little of the platform's traffic (infrastructure that acts together).
    pub const CAPTURED_TARGETS: Reasons = Reasons(1 << 20);

    /// Whether no code is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every code of `other` is set.
    pub fn contains(self, other: Reasons) -> bool {
        self.0 & other.0 == other.0
    }

    /// The single-code set of `code`, if it is a known reason code.
    pub fn from_code(code: &str) -> Option<Reasons> {
        REASON_CODES
            .iter()
            .position(|&c| c == code)
            .map(|i| Reasons(1 << i))
    }

    /// The codes, in bit order.
    pub fn codes(self) -> impl Iterator<Item = &'static str> {
        REASON_CODES
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, c)| *c)
    }
}

impl BitOr for Reasons {
    type Output = Reasons;
    fn bitor(self, o: Reasons) -> Reasons {
        Reasons(self.0 | o.0)
    }
}

impl BitAnd for Reasons {
    type Output = Reasons;
    fn bitand(self, o: Reasons) -> Reasons {
        Reasons(self.0 & o.0)
    }
}

impl Not for Reasons {
    type Output = Reasons;
    fn not(self) -> Reasons {
        Reasons(!self.0)
    }
}

impl BitOrAssign for Reasons {
    fn bitor_assign(&mut self, o: Reasons) {
        self.0 |= o.0;
    }
}

impl fmt::Display for Reasons {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.codes().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            f.write_str(c)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_joins_codes() {
        let r = Reasons::LOCKSTEP_GROUP | Reasons::OWN_HISTORY;
        assert_eq!(r.to_string(), "lockstep-group;own-history");
        assert!(r.contains(Reasons::OWN_HISTORY));
        assert_eq!(Reasons::default().to_string(), "");
    }

    #[test]
    fn every_code_has_a_meaning_for_explain() {
        for code in REASON_CODES {
            assert!(
                !crate::explain::reason_meaning(code).is_empty(),
                "`lockstep explain` has no words for {code}"
            );
        }
    }
}
