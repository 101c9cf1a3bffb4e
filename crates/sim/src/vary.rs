//! Vendors that vary: [`Config::vary`] draws every scenario's working style and the organic
//! hard negatives' sizes from the wide ranges real vendors and real people cover, one draw
//! per seed. `docs/SIMULATOR.md` lists each range and why it is that wide.

use crate::config::{Config, HarvestVia};
use crate::rng::{Rng, tag};
use crate::style::{DeviceMode, Network, Style, Timing};

/// The stream tag of the draws (apart from the world's own streams).
const VARY: u64 = 0x5641_5259;

/// A log-uniform draw in `[lo, hi]`: as likely to be 2–4 as 20–40.
fn log_uniform(rng: &mut Rng, lo: f64, hi: f64) -> f64 {
    (rng.range_f64(lo.ln(), hi.ln())).exp()
}

/// `[lo, lo × U(1, spread)]`, the upper end capped at `cap`.
fn range_from(rng: &mut Rng, lo: f64, spread: f64, cap: f64) -> [f64; 2] {
    let lo = lo.min(cap);
    [lo, (lo * rng.range_f64(1.0, spread)).min(cap)]
}

fn pick<T: Copy>(rng: &mut Rng, xs: &[T]) -> T {
    *rng.pick(xs)
}

/// One vendor's style: timing, participation, network, devices, client, ages, padding.
fn style(rng: &mut Rng, real_accounts: bool) -> Style {
    let p = log_uniform(rng, 0.05, 0.95);
    Style {
        timing: pick(rng, &[Timing::Uniform, Timing::Even, Timing::Human]),
        participation: Some([p, (p * 1.5).min(0.95)]),
        network: pick(
            rng,
            &[
                Network::Own,
                Network::Datacenter,
                Network::Residential,
                Network::Carrier,
                Network::Few,
            ],
        ),
        devices: if real_accounts {
            pick(
                rng,
                &[DeviceMode::Own, DeviceMode::Emulators, DeviceMode::Rotating],
            )
        } else {
            pick(
                rng,
                &[
                    DeviceMode::Own,
                    DeviceMode::Phones,
                    DeviceMode::Emulators,
                    DeviceMode::Rotating,
                    DeviceMode::None,
                ],
            )
        },
        spoof_client: rng.chance(0.3),
        age_days: if real_accounts {
            None
        } else {
            let lo = log_uniform(rng, 1.0, 1100.0);
            Some(range_from(rng, lo, 3.0, 3650.0))
        },
        padding_long_tail: rng.f64(),
    }
}

/// Padding per paid action: none in a quarter of the draws, else 0.05 to 3.
fn padding(rng: &mut Rng) -> f64 {
    if rng.chance(0.25) {
        0.0
    } else {
        log_uniform(rng, 0.05, 3.0)
    }
}

/// Minutes to deliver one order: from two minutes to two days (log-uniform), a range of up to
/// three times its lower end.
fn delivery_minutes(rng: &mut Rng) -> [f64; 2] {
    let lo = log_uniform(rng, 2.0, 48.0 * 60.0);
    range_from(rng, lo, 3.0, 60.0 * 60.0)
}

/// Orders a day (per 50 000 accounts, the scenarios' unit) such that each of the vendor's
/// accounts delivers 4 to 40 paid actions over the window (log-uniform) at the style's
/// participation: a vendor buys or builds accounts to use them, and an account that works
/// fewer than a few times a fortnight is not where a vendor's volume comes from.
fn orders_per_day(rng: &mut Rng, style: &Style, scale: f64, days: f64) -> f64 {
    let per_account = log_uniform(rng, 4.0, 40.0);
    let p = style.participation.map_or(0.3, |[lo, hi]| (lo + hi) / 2.0);
    (per_account / (p * scale * days)).min(400.0)
}

impl Config {
    /// Redraws every scenario's working style and knobs, and the hard negatives' sizes, from
    /// the documented ranges, with a stream of `seed` (the same seed gives the same world).
    /// Sizes the caller set explicitly (accounts, customers) are kept.
    pub fn vary(&mut self, seed: u64) {
        let mut rng = Rng::stream(seed, VARY, tag::OPS);
        let days = self.days as f64;
        let scale = self.world_scale();

        let c = &mut self.like_farm;
        c.delivery_minutes = delivery_minutes(&mut rng);
        c.camouflage = padding(&mut rng);
        c.style = style(&mut rng, false);
        c.orders_per_day = orders_per_day(&mut rng, &c.style, scale, days);

        let c = &mut self.aged_farm;
        let m = delivery_minutes(&mut rng);
        c.delivery_hours = [m[0] / 60.0, m[1] / 60.0];
        c.camouflage = padding(&mut rng);
        c.style = style(&mut rng, false);
        c.orders_per_day = orders_per_day(&mut rng, &c.style, scale, days);

        let c = &mut self.emulator_botnet;
        c.delivery_minutes = delivery_minutes(&mut rng);
        c.like_share = rng.f64();
        c.camouflage = padding(&mut rng);
        c.style = style(&mut rng, false);
        c.orders_per_day = orders_per_day(&mut rng, &c.style, scale, days);

        let c = &mut self.vendor_app;
        c.delivery_minutes = delivery_minutes(&mut rng);
        c.infra_ips = rng.range_u32(2, 40);
        c.style = style(&mut rng, true);
        c.orders_per_day = orders_per_day(&mut rng, &c.style, scale, days);

        let c = &mut self.comment_farm;
        c.delivery_minutes = delivery_minutes(&mut rng);
        c.camouflage = padding(&mut rng);
        c.style = style(&mut rng, false);
        c.orders_per_day = orders_per_day(&mut rng, &c.style, scale, days);

        // The follower fleet's size, as the scenario will scale it.
        let drip_fleet = self.scaled(self.drip_followers.accounts, 700.0, 20) as f64;
        let c = &mut self.drip_followers;
        let lo = rng.range_f64(30.0, 400.0);
        c.followers_per_customer = [lo as u32, (lo * rng.range_f64(1.0, 2.5)) as u32];
        let d = rng.range_f64(0.5, 8.0);
        c.drip_days = [d, (d + rng.range_f64(0.0, 6.0)).min((days - 1.0).max(d))];
        c.jitter = rng.range_f64(0.0, 0.5);
        c.camouflage = padding(&mut rng);
        c.style = style(&mut rng, false);
        c.style.participation = None;
        // Customers such that each follower account serves 4 to 40 follows (log-uniform).
        if c.customers.is_none() {
            let n = drip_fleet;
            let f = (c.followers_per_customer[0] + c.followers_per_customer[1]) as f64 / 2.0;
            let per_account = log_uniform(&mut rng, 4.0, 40.0);
            c.customers = Some(((per_account * n / f.min(n)).round() as u32).clamp(2, 200));
        }
        c.style.timing = pick(&mut rng, &[Timing::Even, Timing::Uniform, Timing::Human]);

        let c = &mut self.data_harvest;
        c.reads_per_day = log_uniform(&mut rng, 30.0, 3000.0);
        c.sleep_hours = if rng.chance(0.5) {
            rng.range_f64(6.0, 9.0)
        } else {
            0.0
        };
        c.walk = rng.chance(0.5);
        c.jitter = rng.range_f64(0.05, 0.8);
        c.run_days = rng.range_f64(2.0, 10.0).min(days - c.start_day).max(1.0);
        c.via = if rng.chance(0.5) {
            HarvestVia::Emulator
        } else {
            HarvestVia::VendorApp
        };
        c.style = Style {
            network: pick(
                &mut rng,
                &[
                    Network::Own,
                    Network::Datacenter,
                    Network::Residential,
                    Network::Few,
                ],
            ),
            spoof_client: rng.chance(0.3),
            ..Style::default()
        };

        let c = &mut self.ban_evasion;
        c.delivery_minutes = delivery_minutes(&mut rng);
        c.style = style(&mut rng, false);
        // Each of the two fleets works for about half the window.
        c.orders_per_day = orders_per_day(&mut rng, &c.style, scale, days * c.ban_at);

        let c = &mut self.hijacked_harvest;
        let lo = log_uniform(&mut rng, 30.0, 600.0);
        c.reads_per_day = range_from(&mut rng, lo, 3.0, 3000.0);
        c.sleep_hours = if rng.chance(0.5) {
            rng.range_f64(6.0, 9.0)
        } else {
            0.0
        };
        c.spoof_client = rng.chance(0.5);
        c.emulators = rng.range_u32(1, 8);
        c.ips = rng.range_u32(1, 10);
        c.run_days = rng.range_f64(2.0, 10.0).min(days - c.start_day).max(1.0);

        let o = &mut self.organic;
        o.heavy_readers = rng.range_f64(5.0, 40.0);
        o.niche_communities = rng.range_f64(1.0, 6.0);
        o.streaming_parties_per_week = rng.range_f64(1.0, 7.0);
        o.shared_device_share = rng.range_f64(0.1, 0.5);
    }
}
