//! How a vendor works, beyond what it sells: the timing of a delivery, how much of its fleet
//! serves one order, where its traffic comes from, which devices and client it shows, how old
//! its accounts are and how it pads. Every scenario that delivers orders has a `style` table;
//! its defaults leave the scenario exactly as its own knobs describe it, and
//! [`Config::vary`](crate::Config::vary) draws one per world from the ranges vendors use.

use serde::{Deserialize, Serialize};

/// When, within an order's delivery window, each account acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Timing {
    /// The scenario's own: uniform within the window for orders, evenly spaced for a drip.
    #[default]
    Own,
    /// At a uniformly random moment of the window (a short window is a burst).
    Uniform,
    /// Evenly spaced across the window, with a little jitter (a scheduler).
    Even,
    /// At a moment of the window weighted by a person's daily rhythm in the account's time
    /// zone (the vendor imitates people: nothing at night).
    Human,
}

/// Where a fleet's traffic comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Network {
    /// The scenario's own mix (its knobs say which).
    #[default]
    Own,
    /// One to three datacenter /24 ranges.
    Datacenter,
    /// A residential proxy pool (an exit per event, from hundreds to thousands of homes).
    Residential,
    /// The mobile carriers' CGNAT addresses that real people share.
    Carrier,
    /// A handful of the vendor's own addresses (two to six).
    Few,
}

/// Which devices a fleet shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviceMode {
    /// The scenario's own devices.
    #[default]
    Own,
    /// Real phone models that pass attestation, a few accounts on each (a phone farm).
    Phones,
    /// Emulator images (a model the build does not fit, failed or missing attestation).
    Emulators,
    /// A fresh spoofed device id of a real model every few actions.
    Rotating,
    /// No device at all: server calls through an API client or the web.
    None,
}

/// A vendor's working style (see the module documentation). Defaults change nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Style {
    /// When each account acts within a delivery window. Default `own`.
    pub timing: Timing,
    /// Share of the fleet that serves one order, `[min, max]`; replaces `order_size` when set.
    pub participation: Option<[f64; 2]>,
    /// Where the traffic comes from. Default `own`.
    pub network: Network,
    /// Which devices the fleet shows. Default `own`.
    pub devices: DeviceMode,
    /// Send the official client's string instead of the vendor's own client. Default false.
    pub spoof_client: bool,
    /// Age of the fleet's accounts in days at the start of the window, `[min, max]`;
    /// replaces the scenario's own ages for accounts the vendor created (never for real
    /// people's accounts). Default unset.
    pub age_days: Option<[f64; 2]>,
    /// Share of the padding (camouflage) spent on ordinary posts of the accounts' communities
    /// rather than on popular posts. Default 0.
    pub padding_long_tail: f64,
}

impl Style {
    /// Checks ranges and shares; `what` names the table in errors.
    pub(crate) fn check(&self, what: &str) -> Result<(), String> {
        if let Some([lo, hi]) = self.participation
            && !(0.0 < lo && lo <= hi && hi <= 1.0)
        {
            return Err(format!(
                "`{what}.style.participation` must be 0 < min <= max <= 1"
            ));
        }
        if let Some([lo, hi]) = self.age_days
            && !(0.0 <= lo && lo <= hi && hi <= 36_500.0)
        {
            return Err(format!(
                "`{what}.style.age_days` must be 0 <= min <= max <= 36500"
            ));
        }
        if !(0.0..=1.0).contains(&self.padding_long_tail) {
            return Err(format!(
                "`{what}.style.padding_long_tail` must be between 0 and 1"
            ));
        }
        Ok(())
    }
}
