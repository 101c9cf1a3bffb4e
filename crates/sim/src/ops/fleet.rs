//! Fleets: the accounts an operation drives and how they reach the platform (devices,
//! addresses, client), and the helpers that create them.

use lockstep_core::Attestation;

use super::*;
use crate::catalog::{EMULATOR_BUILDS, EMULATOR_CLAIMS, EMULATOR_SCREENS, MODELS, TIME_ZONES};
use crate::events::{Ctx, NONE};
use crate::rng::{Cdf, Rng};
use crate::style::{DeviceMode, Network, Style, Timing};
use crate::time::DAY;
use crate::time::HOUR;
use crate::world::{Kind, Label, World, client};

/// How a fleet of accounts reaches the platform.
#[derive(Debug, Clone, Default)]
pub(super) struct Fleet {
    pub(super) accounts: Vec<u32>,
    /// Devices per account (empty: API access, no device).
    pub(super) dev: Vec<Vec<u32>>,
    /// Own (datacenter or vendor) addresses.
    pub(super) own: Vec<u32>,
    /// Residential proxy exits.
    pub(super) proxies: Vec<u32>,
    pub(super) proxy_share: f64,
    /// A proxy is kept by an account for a whole day.
    pub(super) sticky: bool,
    /// Client override (an API app, the bots' app version).
    pub(super) client: Option<u16>,
    /// When accounts act within a delivery window.
    pub(super) timing: Timing,
    /// Share of the fleet serving one order, when the style sets it.
    pub(super) participation: Option<[f64; 2]>,
    /// Share of padding on ordinary community posts rather than popular ones.
    pub(super) long_tail: f64,
}

impl Fleet {
    pub(super) fn ctx(&self, w: &World, rng: &mut Rng, i: usize, t: i64) -> Ctx {
        let devs = &self.dev[i];
        let device = if devs.is_empty() {
            NONE
        } else {
            *rng.pick(devs)
        };
        let ip =
            if !self.proxies.is_empty() && (self.own.is_empty() || rng.chance(self.proxy_share)) {
                if self.sticky {
                    let k = crate::rng::mix64((i as u64) << 20 ^ (t / DAY) as u64);
                    self.proxies[(k % self.proxies.len() as u64) as usize]
                } else {
                    *rng.pick(&self.proxies)
                }
            } else {
                *rng.pick(&self.own)
            };
        let client = self.client.unwrap_or_else(|| {
            if device == NONE {
                client::WEB
            } else {
                w.devices.client[device as usize]
            }
        });
        Ctx { ip, device, client }
    }
}

/// A farm account (not organic): random zone, no organic activity.
pub(super) fn farm_account(
    w: &mut World,
    rng: &mut Rng,
    created: i64,
    style: u8,
    op: u16,
    label: Label,
) -> u32 {
    let tz_cdf = Cdf::new(TIME_ZONES.iter().map(|t| t.1));
    let tz = TIME_ZONES[tz_cdf.sample(rng)].0 as i16;
    let c = [
        rng.below(w.communities) as u8,
        rng.below(w.communities) as u8,
    ];
    let a = w.push_account(
        Kind::Farm,
        created,
        tz,
        rng.range_u32(0, 120) as i16 - 60,
        0.0,
        c,
        0,
        label,
    );
    w.op[a as usize] = op;
    w.style[a as usize] = style;
    a
}

/// Phone-farm devices: real models (attestation passes), `per` accounts on each.
pub(super) fn phone_farm(w: &mut World, rng: &mut Rng, accounts: usize, per: u32) -> Vec<Vec<u32>> {
    let cdf = Cdf::new(MODELS.iter().map(|m| {
        if m.tablet || !m.android {
            0.0
        } else {
            m.weight
        }
    }));
    let mut devs = Vec::new();
    let mut out = Vec::with_capacity(accounts);
    for i in 0..accounts {
        if i % per as usize == 0 {
            let m = cdf.sample(rng);
            devs.push(w.add_real_device(rng, m, false));
        }
        out.push(vec![*devs.last().expect("one device")]);
    }
    out
}

/// One real device per account (bought accounts come with a phone each).
pub(super) fn own_phones(w: &mut World, rng: &mut Rng, accounts: usize) -> Vec<Vec<u32>> {
    let cdf = Cdf::new(MODELS.iter().map(|m| if m.tablet { 0.0 } else { m.weight }));
    (0..accounts)
        .map(|_| {
            let m = cdf.sample(rng);
            vec![w.add_real_device(rng, m, false)]
        })
        .collect()
}

/// Emulator device templates: claimed model, a build that does not fit it, a screen it never
/// had, failed or missing attestation.
pub(super) fn emulator_templates(
    w: &mut World,
    rng: &mut Rng,
    k: u32,
    fail_share: f64,
) -> Vec<u32> {
    (0..k)
        .map(|i| {
            let claim = EMULATOR_CLAIMS[i as usize % EMULATOR_CLAIMS.len()];
            let (os, build) = EMULATOR_BUILDS[rng.index(EMULATOR_BUILDS.len())];
            let screen = EMULATOR_SCREENS[rng.index(EMULATOR_SCREENS.len())];
            let att = if rng.chance(fail_share) {
                Attestation::Fail
            } else {
                Attestation::None
            };
            w.add_device(rng, claim, os, build, screen, att, client::BOT, false)
        })
        .collect()
}

/// Real, active organic people not yet used by another operation.
pub(super) fn pick_victim_accounts(
    w: &World,
    rng: &mut Rng,
    sh: &mut Shared,
    k: usize,
    before: i64,
) -> Vec<u32> {
    let cands: Vec<u32> = (0..w.n_organic)
        .filter(|&a| {
            let ai = a as usize;
            w.kind[ai] == Kind::Person
                && !sh.used[ai]
                && w.rate[ai] >= 1.0
                && w.created[ai] < before
                && w.label[ai] == Label::Organic
        })
        .collect();
    let mut out: Vec<u32> = rng
        .sample_distinct(cands.len(), k)
        .into_iter()
        .map(|i| cands[i as usize])
        .collect();
    out.sort_unstable_by_key(|&a| w.code[a as usize]);
    for &a in &out {
        sh.used[a as usize] = true;
    }
    out
}

pub(super) fn vendor_infra(w: &mut World, rng: &mut Rng, sh: &mut Shared, app_id: &str, ips: u32) {
    if sh.app_client.is_some() {
        return;
    }
    sh.app_client = Some(w.add_client(&format!("api:{app_id}")));
    for k in 0..2 {
        let net = w.dc_subnet(rng);
        sh.app_nets.push(net);
        let m = ips / 2 + if k == 0 { ips % 2 } else { 0 };
        let v = w.subnet_ips(rng, net, m.clamp(1, 250), 2, 254);
        sh.app_ips.extend(v);
    }
}

/// Applies a vendor's [`Style`] to a fleet its scenario built: timing, participation and
/// padding always; network, devices, client and ages only where the style overrides the
/// scenario's own (the defaults draw nothing, so a default world is unchanged).
pub(super) fn apply_style(w: &mut World, rng: &mut Rng, fleet: &mut Fleet, style: &Style) {
    fleet.timing = style.timing;
    fleet.participation = style.participation;
    fleet.long_tail = style.padding_long_tail;
    let n = fleet.accounts.len();
    match style.network {
        Network::Own => {}
        Network::Datacenter => {
            fleet.own.clear();
            for _ in 0..rng.range_u32(1, 3) {
                let net = w.dc_subnet(rng);
                let k = rng.range_u32(8, 60);
                fleet.own.extend(w.subnet_ips(rng, net, k, 2, 254));
            }
            fleet.proxies.clear();
        }
        Network::Residential => {
            let k = rng.range_u32(300, 3000);
            fleet.proxies = (0..k).map(|_| w.proxy_ip()).collect();
            fleet.own.clear();
            fleet.proxy_share = 1.0;
            fleet.sticky = rng.chance(0.5);
        }
        Network::Carrier => {
            fleet.proxies = w
                .carriers
                .iter()
                .filter(|c| !c.v6)
                .flat_map(|c| c.pool.iter().copied())
                .collect();
            if fleet.proxies.is_empty() {
                fleet.proxies = (0..500).map(|_| w.proxy_ip()).collect();
            }
            fleet.own.clear();
            fleet.proxy_share = 1.0;
            fleet.sticky = false;
        }
        Network::Few => {
            let net = w.dc_subnet(rng);
            let k = rng.range_u32(2, 6);
            fleet.own = w.subnet_ips(rng, net, k, 2, 254);
            fleet.proxies.clear();
        }
    }
    match style.devices {
        DeviceMode::Own => {}
        DeviceMode::Phones => {
            let per = rng.range_u32(1, 10);
            fleet.dev = phone_farm(w, rng, n, per);
        }
        DeviceMode::Emulators => {
            let k = rng.range_u32(2, 8);
            let fail = rng.range_f64(0.0, 1.0);
            let templates = emulator_templates(w, rng, k, fail);
            fleet.dev = (0..n)
                .map(|_| {
                    let tpl = *rng.pick(&templates);
                    let m = rng.range_u32(1, 3);
                    (0..m).map(|_| w.clone_device(rng, tpl)).collect()
                })
                .collect();
        }
        DeviceMode::Rotating => {
            let phones = own_phones(w, rng, n.min(64));
            fleet.dev = (0..n)
                .map(|_| {
                    let base = rng.pick(&phones)[0];
                    let m = rng.range_u32(5, 20);
                    (0..m).map(|_| w.clone_device(rng, base)).collect()
                })
                .collect();
        }
        DeviceMode::None => fleet.dev = vec![Vec::new(); n],
    }
    if style.spoof_client {
        fleet.client = None;
    }
    if let Some([lo, hi]) = style.age_days {
        for &a in &fleet.accounts {
            if w.label[a as usize] == Label::Fake {
                let days = rng.range_f64(lo, hi.max(lo));
                w.created[a as usize] =
                    w.start - (days * DAY as f64) as i64 - rng.range_i64(0, HOUR);
            }
        }
    }
}
