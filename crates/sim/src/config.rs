//! The simulator's configuration: every knob, its default, and the scenario names.
//!
//! A [`Config`] deserialises from TOML; every table rejects unknown keys, and every field has a
//! default, so a config file names only what it changes. Operation sizes left unset scale with
//! the world: the documented default is "per 50 000 organic accounts" and is multiplied by
//! `accounts / 50_000` (with a floor), so a small test world gets small operations.

use serde::{Deserialize, Serialize};

use crate::style::Style;
use crate::{Error, Result};

/// The scenario names, in the order their operations are planted and numbered.
pub const SCENARIOS: [&str; 9] = [
    "like-farm",
    "aged-farm",
    "emulator-botnet",
    "vendor-app",
    "comment-farm",
    "drip-followers",
    "data-harvest",
    "ban-evasion",
    "hijacked-harvest",
];

/// Accounts in the reference world that scale-free sizes are quoted for.
pub const REFERENCE_ACCOUNTS: f64 = 50_000.0;

/// The whole configuration of one simulated world.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Master seed: same seed and options → byte-identical output. Default 42.
    pub seed: u64,
    /// Organic accounts (people, creators and pages); fake accounts come on top. Default 50 000.
    pub accounts: u32,
    /// Length of the observed window in days. Default 14.
    pub days: u32,
    /// First day of the window, `YYYY-MM-DD`, midnight UTC. Default `2025-03-03`.
    pub start_date: String,
    /// Scenarios to plant: names from [`SCENARIOS`], or `all`, or `none`. Default `["all"]`.
    pub scenarios: Vec<String>,
    /// Write one events file per simulated day (`events-000.<ext>`, …) instead of one
    /// `events.<ext>`; the files are written in parallel. Default false.
    pub split_events: bool,
    /// Organic life.
    pub organic: Organic,
    /// `like-farm`.
    pub like_farm: LikeFarm,
    /// `aged-farm`.
    pub aged_farm: AgedFarm,
    /// `emulator-botnet`.
    pub emulator_botnet: EmulatorBotnet,
    /// `vendor-app`.
    pub vendor_app: VendorApp,
    /// `comment-farm`.
    pub comment_farm: CommentFarm,
    /// `drip-followers`.
    pub drip_followers: DripFollowers,
    /// `data-harvest`.
    pub data_harvest: DataHarvest,
    /// `ban-evasion`.
    pub ban_evasion: BanEvasion,
    /// `hijacked-harvest`.
    pub hijacked_harvest: HijackedHarvest,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            seed: 42,
            accounts: 50_000,
            days: 14,
            start_date: "2025-03-03".into(),
            scenarios: vec!["all".into()],
            split_events: false,
            organic: Organic::default(),
            like_farm: LikeFarm::default(),
            aged_farm: AgedFarm::default(),
            emulator_botnet: EmulatorBotnet::default(),
            vendor_app: VendorApp::default(),
            comment_farm: CommentFarm::default(),
            drip_followers: DripFollowers::default(),
            data_harvest: DataHarvest::default(),
            ban_evasion: BanEvasion::default(),
            hijacked_harvest: HijackedHarvest::default(),
        }
    }
}

/// The organic world: people, creators, pages, their habits, devices and networks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Organic {
    /// Communities of interest (topics). Sizes are Zipf-distributed. Default 30.
    pub communities: u32,
    /// Share of accounts that are creators (post often, heavy-tailed popularity). Default 0.02.
    pub creator_share: f64,
    /// Share of accounts that are pages (brands, venues). Default 0.005.
    pub page_share: f64,
    /// Zipf exponent of creator popularity by rank. Default 1.0.
    pub popularity_exponent: f64,
    /// Mean actions per person per day (the log-normal's mean). Default 5.0.
    pub mean_actions_per_day: f64,
    /// Spread (sigma) of the log-normal activity: most light, a few very heavy. Default 1.2.
    pub activity_sigma: f64,
    /// Cap on one person's actions per day. Default 500.
    pub max_actions_per_day: f64,
    /// Share of accounts that are dormant (about one action a month). Default 0.25.
    pub dormant_share: f64,
    /// Mean actions per session (sessions are bursts of a few actions seconds apart). Default 4.
    pub actions_per_session: f64,
    /// Median seconds between two actions in a session. Default 25.
    pub action_gap_seconds: f64,
    /// People at or above this many actions a day are tagged `power-user`. Default 60.
    pub power_user_actions_per_day: f64,
    /// Share of accounts created in the last 30 days before the window ends (`new-real`).
    /// Default 0.03.
    pub new_account_share: f64,
    /// Oldest account age in days (ages are spread from days to this). Default 3650.
    pub max_account_age_days: u32,
    /// Share of people who live with other account holders (`household`: one home IP).
    /// Default 0.6.
    pub household_share: f64,
    /// Largest household. Default 5.
    pub household_size_max: u32,
    /// Share of multi-person households with a shared tablet used by several members.
    /// Default 0.15.
    pub shared_device_share: f64,
    /// Share of people with a mobile data plan (they use the carrier's network away from
    /// home). Default 0.7.
    pub mobile_data_share: f64,
    /// Mobile carriers; the last one is IPv6-only (a stable address per device, no NAT) when
    /// there are at least two. Default 3.
    pub carriers: u32,
    /// Public IPv4 addresses in each carrier's CGNAT pool; a session gets one at random.
    /// Default 40 (about two thousand people per address at the default size).
    pub cgnat_pool_size: u32,
    /// Share of home connections on IPv6. Default 0.15.
    pub ipv6_home_share: f64,
    /// Share of people who also use the web client. Default 0.3.
    pub web_share: f64,
    /// Share of people with a second device (a tablet or an old phone). Default 0.25.
    pub second_device_share: f64,
    /// Median accounts one person follows (log-normal, sigma 0.9). Default 25.
    pub follows_median: f64,
    /// Posts per day by an ordinary person (mean). Default 0.1.
    pub person_posts_per_day: f64,
    /// Posts per day by a creator (mean). Default 2.0.
    pub creator_posts_per_day: f64,
    /// Posts per day by a page (mean). Default 1.5.
    pub page_posts_per_day: f64,
    /// Hours for a post's engagement rate to halve. Default 6.
    pub engagement_half_life_hours: f64,
    /// Relative weights of the actions in a session: `[view, like, comment, share, follow]`.
    /// Default `[0.42, 0.38, 0.07, 0.05, 0.08]`.
    pub action_mix: [f64; 5],
    /// Share of ordinary comments that are short and generic ("nice", "wow"). Default 0.04.
    pub generic_comment_share: f64,
    /// Share of people who write mostly generic comments (`generic-commenter`). Default 0.03.
    pub generic_commenter_share: f64,
    /// Share of creators and pages that use a legitimate scheduling tool (`api:<tool>`, from
    /// the tool's cloud IPs, on the quarter hour) for replies and shares (`api-user`).
    /// Default 0.2.
    pub api_user_share: f64,
    /// Viral posts per week: a creator's post liked by thousands within an hour
    /// (`viral-liker`). Default 3.
    pub viral_posts_per_week: f64,
    /// Share of organic accounts that like a viral post within its first hour. Default 0.05.
    pub viral_likers_share: f64,
    /// Live broadcasts per week: a fan group likes a run of posts within minutes of each
    /// (`live-fan`). Default 4.
    pub live_events_per_week: f64,
    /// Fans at one live broadcast, `[min, max]`. Default `[40, 160]`.
    pub live_fans: [u32; 2],
    /// Posts during one live broadcast, `[min, max]`. Default `[5, 10]`.
    pub live_posts: [u32; 2],
    /// People whose work is reading profiles (recruiters, moderators), per 50 000 accounts:
    /// hundreds of profile reads on a working day, in working hours (`heavy-reader`).
    /// Default 10.
    pub heavy_readers: f64,
    /// Profile reads of one heavy reader on a working day, `[min, max]`. Default `[150, 700]`.
    pub heavy_reader_reads: [u32; 2],
    /// Niche communities per 50 000 accounts: a small group that likes nearly every post of
    /// its few pages within hours, every day (`niche-community`). Default 2.
    pub niche_communities: f64,
    /// Members of one niche community, `[min, max]`. Default `[20, 60]`.
    pub niche_members: [u32; 2],
    /// Fan-club "streaming parties" per week: a club announces a time and its members like,
    /// share and comment on a creator's new post within the same half hour (`fan-club`).
    /// Default 2.
    pub streaming_parties_per_week: f64,
    /// Members of one fan club, `[min, max]`. Default `[60, 250]`.
    pub fan_club_members: [u32; 2],
}

impl Default for Organic {
    fn default() -> Self {
        Self {
            communities: 30,
            creator_share: 0.02,
            page_share: 0.005,
            popularity_exponent: 1.0,
            mean_actions_per_day: 5.0,
            activity_sigma: 1.2,
            max_actions_per_day: 500.0,
            dormant_share: 0.25,
            actions_per_session: 4.0,
            action_gap_seconds: 25.0,
            power_user_actions_per_day: 60.0,
            new_account_share: 0.03,
            max_account_age_days: 3650,
            household_share: 0.6,
            household_size_max: 5,
            shared_device_share: 0.15,
            mobile_data_share: 0.7,
            carriers: 3,
            cgnat_pool_size: 40,
            ipv6_home_share: 0.15,
            web_share: 0.3,
            second_device_share: 0.25,
            follows_median: 25.0,
            person_posts_per_day: 0.1,
            creator_posts_per_day: 2.0,
            page_posts_per_day: 1.5,
            engagement_half_life_hours: 6.0,
            action_mix: [0.42, 0.38, 0.07, 0.05, 0.08],
            generic_comment_share: 0.04,
            generic_commenter_share: 0.03,
            api_user_share: 0.2,
            viral_posts_per_week: 3.0,
            viral_likers_share: 0.05,
            live_events_per_week: 4.0,
            live_fans: [40, 160],
            live_posts: [5, 10],
            heavy_readers: 10.0,
            heavy_reader_reads: [150, 700],
            niche_communities: 2.0,
            niche_members: [20, 60],
            streaming_parties_per_week: 2.0,
            fan_club_members: [60, 250],
        }
    }
}

/// `like-farm`: fresh accounts on datacenter addresses delivering likes in tight bursts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LikeFarm {
    /// Farm accounts. Default 600 per 50 000 organic accounts.
    pub accounts: Option<u32>,
    /// Customers (organic accounts whose posts get the likes). Default 12 per 50 000.
    pub customers: Option<u32>,
    /// Orders delivered per day, per 50 000 organic accounts (scaled with the world). Default 6.
    pub orders_per_day: f64,
    /// Likes per order, `[min, max]`, capped by the farm's size. Default `[100, 400]`.
    pub order_size: [u32; 2],
    /// Minutes to deliver one order, `[min, max]`. Default `[2, 10]`.
    pub delivery_minutes: [f64; 2],
    /// The farm's accounts are split into this many shards; an order is served by one shard
    /// (two if it is too big for one). Default 3.
    pub shards: u32,
    /// Camouflage: likes of popular posts per paid like. Default 0.1.
    pub camouflage: f64,
    /// Accounts were created this many days before the window, `[min, max]`. Default `[2, 20]`.
    pub created_days_before: [u32; 2],
    /// Datacenter /24 subnets the farm uses. Default 2.
    pub subnets: u32,
    /// Accounts logged in on one phone of the farm. Default 8.
    pub accounts_per_device: u32,
    /// How the vendor works: timing, participation, network, devices, client, ages,
    /// padding (see [`Style`]). Defaults change nothing.
    pub style: Style,
}

impl Default for LikeFarm {
    fn default() -> Self {
        Self {
            accounts: None,
            customers: None,
            orders_per_day: 6.0,
            order_size: [100, 400],
            delivery_minutes: [2.0, 10.0],
            shards: 3,
            camouflage: 0.1,
            created_days_before: [2, 20],
            subnets: 2,
            accounts_per_device: 8,
            style: Style::default(),
        }
    }
}

/// `aged-farm`: bought old accounts with camouflage, delivering through residential proxies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgedFarm {
    /// Farm accounts. Default 400 per 50 000.
    pub accounts: Option<u32>,
    /// Customers. Default 10 per 50 000.
    pub customers: Option<u32>,
    /// Orders per day, per 50 000 organic accounts (scaled with the world). Default 3.
    pub orders_per_day: f64,
    /// Likes per order, `[min, max]`. Default `[80, 300]`.
    pub order_size: [u32; 2],
    /// Hours to deliver one order, `[min, max]`. Default `[2, 8]`.
    pub delivery_hours: [f64; 2],
    /// Camouflage: likes of popular posts per paid like. Default 1.0.
    pub camouflage: f64,
    /// Share of the farm's events sent through residential proxies (the rest from its own
    /// datacenter /24). Default 0.9.
    pub proxy_share: f64,
    /// Residential proxy exit addresses in the pool. Default 3000.
    pub proxy_pool: u32,
    /// Account age in years, `[min, max]`. Default `[2, 9]`.
    pub age_years: [f64; 2],
    /// How the vendor works: timing, participation, network, devices, client, ages,
    /// padding (see [`Style`]). Defaults change nothing.
    pub style: Style,
}

impl Default for AgedFarm {
    fn default() -> Self {
        Self {
            accounts: None,
            customers: None,
            orders_per_day: 3.0,
            order_size: [80, 300],
            delivery_hours: [2.0, 8.0],
            camouflage: 1.0,
            proxy_share: 0.9,
            proxy_pool: 3000,
            age_years: [2.0, 9.0],
            style: Style::default(),
        }
    }
}

/// `emulator-botnet`: servers posing as Android phones; follows and likes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmulatorBotnet {
    /// Bot accounts. Default 800 per 50 000.
    pub accounts: Option<u32>,
    /// Customers. Default 15 per 50 000.
    pub customers: Option<u32>,
    /// Orders per day, per 50 000 organic accounts (scaled with the world). Default 2.
    pub orders_per_day: f64,
    /// Follows (or likes) per order, `[min, max]`. Default `[150, 600]`.
    pub order_size: [u32; 2],
    /// Share of orders that are likes of a post rather than follows. Default 0.3.
    pub like_share: f64,
    /// Minutes to deliver one order, `[min, max]`. Default `[20, 120]`.
    pub delivery_minutes: [f64; 2],
    /// Distinct emulator fingerprints (claimed model + build + screen) the botnet uses.
    /// Default 6.
    pub fingerprints: u32,
    /// Device ids one account rotates through, `[min, max]`. Default `[4, 16]`.
    pub device_ids_per_account: [u32; 2],
    /// Datacenter addresses the botnet sends from. Default 12.
    pub datacenter_ips: u32,
    /// Share of the botnet's devices whose attestation fails (the rest send none).
    /// Default 0.6.
    pub attestation_fail_share: f64,
    /// Camouflage: likes of popular posts per paid action. Default 0.05.
    pub camouflage: f64,
    /// How the vendor works: timing, participation, network, devices, client, ages,
    /// padding (see [`Style`]). Defaults change nothing.
    pub style: Style,
}

impl Default for EmulatorBotnet {
    fn default() -> Self {
        Self {
            accounts: None,
            customers: None,
            orders_per_day: 2.0,
            order_size: [150, 600],
            like_share: 0.3,
            delivery_minutes: [20.0, 120.0],
            fingerprints: 6,
            device_ids_per_account: [4, 16],
            datacenter_ips: 12,
            attestation_fail_share: 0.6,
            camouflage: 0.05,
            style: Style::default(),
        }
    }
}

/// `vendor-app`: real people's accounts driven by a "multi-account manager" app's servers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VendorApp {
    /// Compromised (real) accounts. Default 500 per 50 000.
    pub accounts: Option<u32>,
    /// Customers. Default 15 per 50 000.
    pub customers: Option<u32>,
    /// Orders per day, per 50 000 organic accounts (scaled with the world). Default 4.
    pub orders_per_day: f64,
    /// Likes per order, `[min, max]`. Default `[50, 250]`.
    pub order_size: [u32; 2],
    /// Minutes to deliver one order, `[min, max]`. Default `[10, 60]`.
    pub delivery_minutes: [f64; 2],
    /// Day of the window (from 0) on which the vendor starts using the accounts. Default 2.
    pub start_day: f64,
    /// People give the app their login over this many days from `start_day`. Default 5.
    pub enroll_days: f64,
    /// The app id (client `api:<app_id>`). Default `multiacct-pro`.
    pub app_id: String,
    /// Vendor infrastructure addresses (in two /24s). Default 16.
    pub infra_ips: u32,
    /// How the vendor works: timing, participation, network, devices, client, ages,
    /// padding (see [`Style`]). Defaults change nothing.
    pub style: Style,
}

impl Default for VendorApp {
    fn default() -> Self {
        Self {
            accounts: None,
            customers: None,
            orders_per_day: 4.0,
            order_size: [50, 250],
            delivery_minutes: [10.0, 60.0],
            start_day: 2.0,
            enroll_days: 5.0,
            app_id: "multiacct-pro".into(),
            infra_ips: 16,
            style: Style::default(),
        }
    }
}

/// `comment-farm`: spun template comments on customers' posts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CommentFarm {
    /// Farm accounts. Default 300 per 50 000.
    pub accounts: Option<u32>,
    /// Customers. Default 10 per 50 000.
    pub customers: Option<u32>,
    /// Orders per day, per 50 000 organic accounts (scaled with the world). Default 3.
    pub orders_per_day: f64,
    /// Comments per order, `[min, max]`. Default `[15, 60]`.
    pub order_size: [u32; 2],
    /// Minutes to deliver one order, `[min, max]`. Default `[10, 60]`.
    pub delivery_minutes: [f64; 2],
    /// Camouflage: likes of popular posts per paid comment. Default 0.3.
    pub camouflage: f64,
    /// Share of events through residential proxies (the rest from a datacenter /24).
    /// Default 0.5.
    pub proxy_share: f64,
    /// How the vendor works: timing, participation, network, devices, client, ages,
    /// padding (see [`Style`]). Defaults change nothing.
    pub style: Style,
}

impl Default for CommentFarm {
    fn default() -> Self {
        Self {
            accounts: None,
            customers: None,
            orders_per_day: 3.0,
            order_size: [15, 60],
            delivery_minutes: [10.0, 60.0],
            camouflage: 0.3,
            proxy_share: 0.5,
            style: Style::default(),
        }
    }
}

/// `drip-followers`: followers delivered evenly over days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DripFollowers {
    /// Follower accounts. Default 700 per 50 000.
    pub accounts: Option<u32>,
    /// Customers. Default 20 per 50 000.
    pub customers: Option<u32>,
    /// Followers bought by one customer, `[min, max]`, capped by the vendor's size.
    /// Default `[200, 600]`.
    pub followers_per_customer: [u32; 2],
    /// Days one delivery is spread over, `[min, max]`. Default `[4, 10]`.
    pub drip_days: [f64; 2],
    /// Relative jitter of the gap between two follows (0 = a metronome). Default 0.1.
    pub jitter: f64,
    /// Camouflage: follows and likes of popular accounts per paid follow. Default 0.2.
    pub camouflage: f64,
    /// Residential proxy exit addresses (each account keeps one for a day). Default 2000.
    pub proxy_pool: u32,
    /// How the vendor works: timing, participation, network, devices, client, ages,
    /// padding (see [`Style`]). Defaults change nothing.
    pub style: Style,
}

impl Default for DripFollowers {
    fn default() -> Self {
        Self {
            accounts: None,
            customers: None,
            followers_per_customer: [200, 600],
            drip_days: [4.0, 10.0],
            jitter: 0.1,
            camouflage: 0.2,
            proxy_pool: 2000,
            style: Style::default(),
        }
    }
}

/// How `data-harvest` reaches the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HarvestVia {
    /// Bot accounts on emulated phones (the emulator botnet's infrastructure).
    Emulator,
    /// Real accounts through a multi-account manager app (the vendor app's infrastructure).
    VendorApp,
}

/// `data-harvest`: automated reads walking the social graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataHarvest {
    /// Harvesting accounts. Default 16 per 50 000 (at least 4).
    pub accounts: Option<u32>,
    /// Reads per account per day (around the clock). Default 1500.
    pub reads_per_day: f64,
    /// `emulator` or `vendor-app`. Default `emulator`.
    pub via: HarvestVia,
    /// Day of the window the harvest starts. Default 2.
    pub start_day: f64,
    /// Days it runs. Default 7.
    pub run_days: f64,
    /// Relative jitter of the gap between two reads. Default 0.05.
    pub jitter: f64,
    /// Posts read per victim after the profile and friend list. Default 2.
    pub posts_per_victim: u32,
    /// Hours each harvesting account pauses every night in its time zone, like a person
    /// asleep (0: around the clock). Default 0.
    pub sleep_hours: f64,
    /// Walk the follow graph breadth-first (true) or read accounts in a random order (false).
    /// Default true.
    pub walk: bool,
    /// How the vendor works: timing, participation, network, devices, client, ages,
    /// padding (see [`Style`]). Defaults change nothing.
    pub style: Style,
}

impl Default for DataHarvest {
    fn default() -> Self {
        Self {
            accounts: None,
            reads_per_day: 1500.0,
            via: HarvestVia::Emulator,
            start_day: 2.0,
            run_days: 7.0,
            jitter: 0.05,
            posts_per_victim: 2,
            sleep_hours: 0.0,
            walk: true,
            style: Style::default(),
        }
    }
}

/// `hijacked-harvest`: the vendor reads the friends of the real people whose logins it holds,
/// through their own sessions, from its emulators: the people read are the victims, the
/// people whose sessions were used are compromised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HijackedHarvest {
    /// Hijacked sessions (real accounts). Default 40 per 50 000 (at least 6).
    pub accounts: Option<u32>,
    /// Reads per session per day, `[min, max]`. Default `[80, 600]`.
    pub reads_per_day: [f64; 2],
    /// Day of the window the harvest starts. Default 3.
    pub start_day: f64,
    /// Days it runs. Default 6.
    pub run_days: f64,
    /// The vendor's emulator images the sessions are replayed from. Default 4.
    pub emulators: u32,
    /// The vendor's addresses (in one datacenter /24). Default 6.
    pub ips: u32,
    /// Hours each session pauses every night in its owner's time zone (0: around the clock).
    /// Default 0.
    pub sleep_hours: f64,
    /// Send the official client's string (true) or the vendor's bot client (false).
    /// Default true.
    pub spoof_client: bool,
}

impl Default for HijackedHarvest {
    fn default() -> Self {
        Self {
            accounts: None,
            reads_per_day: [80.0, 600.0],
            start_day: 3.0,
            run_days: 6.0,
            emulators: 4,
            ips: 6,
            sleep_hours: 0.0,
            spoof_client: true,
        }
    }
}

/// `ban-evasion`: a like operation banned mid-window that comes back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BanEvasion {
    /// Accounts of the first operation. Default 300 per 50 000.
    pub accounts: Option<u32>,
    /// Accounts of the comeback. Default 300 per 50 000.
    pub comeback_accounts: Option<u32>,
    /// Customers (the same for both). Default 8 per 50 000.
    pub customers: Option<u32>,
    /// Orders per day, per 50 000 organic accounts (scaled with the world). Default 5.
    pub orders_per_day: f64,
    /// Likes per order, `[min, max]`. Default `[100, 300]`.
    pub order_size: [u32; 2],
    /// Minutes to deliver one order, `[min, max]`. Default `[3, 12]`.
    pub delivery_minutes: [f64; 2],
    /// When the ban falls, as a fraction of the window. Default 0.45.
    pub ban_at: f64,
    /// Days after the ban until the comeback's accounts exist, `[min, max]`.
    /// Default `[0.3, 1.5]`.
    pub comeback_after_days: [f64; 2],
    /// Share of the comeback's devices that are the banned operation's devices again.
    /// Default 0.3.
    pub reuse_device_share: f64,
    /// How the vendor works: timing, participation, network, devices, client, ages,
    /// padding (see [`Style`]). Defaults change nothing.
    pub style: Style,
}

impl Default for BanEvasion {
    fn default() -> Self {
        Self {
            accounts: None,
            comeback_accounts: None,
            customers: None,
            orders_per_day: 5.0,
            order_size: [100, 300],
            delivery_minutes: [3.0, 12.0],
            ban_at: 0.45,
            comeback_after_days: [0.3, 1.5],
            reuse_device_share: 0.3,
            style: Style::default(),
        }
    }
}

impl Config {
    /// Parses a TOML configuration (every key optional; unknown keys are errors).
    ///
    /// # Errors
    /// [`Error::Config`] with the parser's one-line message.
    pub fn from_toml(text: &str) -> Result<Self> {
        toml::from_str(text)
            .map_err(|e| Error::Config(e.message().trim().to_string() + &span(text, e.span())))
    }

    /// The scenarios to plant, validated and in [`SCENARIOS`] order.
    ///
    /// # Errors
    /// [`Error::UnknownScenario`] for a name that is not a scenario, `all` or `none`.
    pub fn scenario_set(&self) -> Result<Vec<&'static str>> {
        let mut on = [false; SCENARIOS.len()];
        for name in &self.scenarios {
            let name = name.trim();
            match name {
                "all" => on = [true; SCENARIOS.len()],
                "none" | "" => {}
                _ => match SCENARIOS.iter().position(|s| *s == name) {
                    Some(k) => on[k] = true,
                    None => return Err(Error::UnknownScenario(name.to_string())),
                },
            }
        }
        Ok(SCENARIOS
            .iter()
            .zip(on)
            .filter(|(_, b)| *b)
            .map(|(s, _)| *s)
            .collect())
    }

    /// Checks ranges and shares.
    ///
    /// # Errors
    /// [`Error::Config`] naming the first bad knob.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str, why: &str| Err(Error::Config(format!("`{what}` {why}")));
        if self.accounts < 100 {
            return bad("accounts", "must be at least 100");
        }
        if self.accounts > 200_000_000 {
            return bad("accounts", "must be at most 200 000 000");
        }
        if self.days == 0 || self.days > 3650 {
            return bad("days", "must be between 1 and 3650");
        }
        crate::time::parse_date(&self.start_date).ok_or_else(|| {
            Error::Config(format!(
                "`start_date` `{}` is not YYYY-MM-DD",
                self.start_date
            ))
        })?;
        self.scenario_set()?;
        let o = &self.organic;
        for (name, v) in [
            ("organic.creator_share", o.creator_share),
            ("organic.page_share", o.page_share),
            ("organic.dormant_share", o.dormant_share),
            ("organic.new_account_share", o.new_account_share),
            ("organic.household_share", o.household_share),
            ("organic.shared_device_share", o.shared_device_share),
            ("organic.mobile_data_share", o.mobile_data_share),
            ("organic.ipv6_home_share", o.ipv6_home_share),
            ("organic.web_share", o.web_share),
            ("organic.second_device_share", o.second_device_share),
            ("organic.generic_comment_share", o.generic_comment_share),
            ("organic.generic_commenter_share", o.generic_commenter_share),
            ("organic.api_user_share", o.api_user_share),
            ("organic.viral_likers_share", o.viral_likers_share),
            ("aged_farm.proxy_share", self.aged_farm.proxy_share),
            ("comment_farm.proxy_share", self.comment_farm.proxy_share),
            (
                "emulator_botnet.like_share",
                self.emulator_botnet.like_share,
            ),
            (
                "emulator_botnet.attestation_fail_share",
                self.emulator_botnet.attestation_fail_share,
            ),
            ("ban_evasion.ban_at", self.ban_evasion.ban_at),
            (
                "ban_evasion.reuse_device_share",
                self.ban_evasion.reuse_device_share,
            ),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return bad(name, "must be between 0 and 1");
            }
        }
        if o.creator_share + o.page_share > 0.5 {
            return bad(
                "organic.creator_share + organic.page_share",
                "must be at most 0.5",
            );
        }
        if o.communities == 0 || o.communities > 250 {
            return bad("organic.communities", "must be between 1 and 250");
        }
        if o.carriers == 0 || o.carriers > 16 {
            return bad("organic.carriers", "must be between 1 and 16");
        }
        if o.cgnat_pool_size == 0 || o.cgnat_pool_size > 60_000 {
            return bad("organic.cgnat_pool_size", "must be between 1 and 60 000");
        }
        if o.household_size_max < 2 || o.household_size_max > 12 {
            return bad("organic.household_size_max", "must be between 2 and 12");
        }
        if o.mean_actions_per_day <= 0.0 || o.actions_per_session < 1.0 {
            return bad(
                "organic.mean_actions_per_day / actions_per_session",
                "must be positive (sessions at least 1 action)",
            );
        }
        if o.action_mix.iter().any(|w| *w < 0.0) || o.action_mix.iter().sum::<f64>() <= 0.0 {
            return bad(
                "organic.action_mix",
                "needs non-negative weights with a positive sum",
            );
        }
        if o.engagement_half_life_hours <= 0.0 {
            return bad("organic.engagement_half_life_hours", "must be positive");
        }
        for (name, r) in [
            ("organic.live_fans", o.live_fans),
            ("organic.live_posts", o.live_posts),
            ("like_farm.order_size", self.like_farm.order_size),
            (
                "like_farm.created_days_before",
                self.like_farm.created_days_before,
            ),
            ("aged_farm.order_size", self.aged_farm.order_size),
            (
                "emulator_botnet.order_size",
                self.emulator_botnet.order_size,
            ),
            (
                "emulator_botnet.device_ids_per_account",
                self.emulator_botnet.device_ids_per_account,
            ),
            ("vendor_app.order_size", self.vendor_app.order_size),
            ("comment_farm.order_size", self.comment_farm.order_size),
            (
                "drip_followers.followers_per_customer",
                self.drip_followers.followers_per_customer,
            ),
            ("ban_evasion.order_size", self.ban_evasion.order_size),
        ] {
            if r[0] > r[1] || r[1] == 0 {
                return bad(name, "must be `[min, max]` with 0 < max and min <= max");
            }
        }
        for (name, r) in [
            (
                "like_farm.delivery_minutes",
                self.like_farm.delivery_minutes,
            ),
            ("aged_farm.delivery_hours", self.aged_farm.delivery_hours),
            ("aged_farm.age_years", self.aged_farm.age_years),
            (
                "emulator_botnet.delivery_minutes",
                self.emulator_botnet.delivery_minutes,
            ),
            (
                "vendor_app.delivery_minutes",
                self.vendor_app.delivery_minutes,
            ),
            (
                "comment_farm.delivery_minutes",
                self.comment_farm.delivery_minutes,
            ),
            ("drip_followers.drip_days", self.drip_followers.drip_days),
            (
                "ban_evasion.delivery_minutes",
                self.ban_evasion.delivery_minutes,
            ),
            (
                "ban_evasion.comeback_after_days",
                self.ban_evasion.comeback_after_days,
            ),
        ] {
            if !(r[0] >= 0.0 && r[1] > 0.0 && r[0] <= r[1]) {
                return bad(
                    name,
                    "must be `[min, max]` with 0 <= min <= max and max > 0",
                );
            }
        }
        for (name, v) in [
            ("like_farm.camouflage", self.like_farm.camouflage),
            ("aged_farm.camouflage", self.aged_farm.camouflage),
            (
                "emulator_botnet.camouflage",
                self.emulator_botnet.camouflage,
            ),
            ("comment_farm.camouflage", self.comment_farm.camouflage),
            ("drip_followers.camouflage", self.drip_followers.camouflage),
            ("drip_followers.jitter", self.drip_followers.jitter),
            ("data_harvest.jitter", self.data_harvest.jitter),
            ("like_farm.orders_per_day", self.like_farm.orders_per_day),
            ("aged_farm.orders_per_day", self.aged_farm.orders_per_day),
            (
                "emulator_botnet.orders_per_day",
                self.emulator_botnet.orders_per_day,
            ),
            ("vendor_app.orders_per_day", self.vendor_app.orders_per_day),
            (
                "comment_farm.orders_per_day",
                self.comment_farm.orders_per_day,
            ),
            (
                "ban_evasion.orders_per_day",
                self.ban_evasion.orders_per_day,
            ),
            ("vendor_app.start_day", self.vendor_app.start_day),
            ("vendor_app.enroll_days", self.vendor_app.enroll_days),
            ("data_harvest.start_day", self.data_harvest.start_day),
            ("data_harvest.run_days", self.data_harvest.run_days),
            (
                "data_harvest.reads_per_day",
                self.data_harvest.reads_per_day,
            ),
        ] {
            if !(v >= 0.0 && v.is_finite()) || v > 1e6 {
                return bad(name, "must be a non-negative number");
            }
        }
        if self.data_harvest.reads_per_day > 86_400.0 {
            return bad(
                "data_harvest.reads_per_day",
                "must be at most 86 400 (one a second)",
            );
        }
        if self.vendor_app.app_id.is_empty()
            || !self
                .vendor_app
                .app_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            return bad(
                "vendor_app.app_id",
                "must be non-empty ASCII letters, digits, `-`, `_` or `.`",
            );
        }
        if self.like_farm.shards == 0
            || self.like_farm.accounts_per_device == 0
            || self.like_farm.subnets == 0
        {
            return bad(
                "like_farm.shards / accounts_per_device / subnets",
                "must be at least 1",
            );
        }
        if self.emulator_botnet.fingerprints == 0 || self.emulator_botnet.datacenter_ips == 0 {
            return bad(
                "emulator_botnet.fingerprints / datacenter_ips",
                "must be at least 1",
            );
        }
        if self.vendor_app.infra_ips == 0 {
            return bad("vendor_app.infra_ips", "must be at least 1");
        }
        if self.aged_farm.proxy_pool == 0 || self.drip_followers.proxy_pool == 0 {
            return bad(
                "aged_farm.proxy_pool / drip_followers.proxy_pool",
                "must be at least 1",
            );
        }
        for (what, style) in [
            ("like_farm", &self.like_farm.style),
            ("aged_farm", &self.aged_farm.style),
            ("emulator_botnet", &self.emulator_botnet.style),
            ("vendor_app", &self.vendor_app.style),
            ("comment_farm", &self.comment_farm.style),
            ("drip_followers", &self.drip_followers.style),
            ("data_harvest", &self.data_harvest.style),
            ("ban_evasion", &self.ban_evasion.style),
        ] {
            style.check(what).map_err(Error::Config)?;
        }
        let h = &self.hijacked_harvest;
        let (d, o) = (&self.data_harvest, &self.organic);
        if !(0.0..=16.0).contains(&d.sleep_hours) || !(0.0..=16.0).contains(&h.sleep_hours) {
            return bad(
                "data_harvest.sleep_hours / hijacked_harvest.sleep_hours",
                "must be between 0 and 16",
            );
        }
        if !(0.0 < h.reads_per_day[0]
            && h.reads_per_day[0] <= h.reads_per_day[1]
            && h.reads_per_day[1] <= 86_400.0)
        {
            return bad(
                "hijacked_harvest.reads_per_day",
                "must be 0 < min <= max <= 86 400",
            );
        }
        if h.emulators == 0 || h.ips == 0 || h.ips > 250 {
            return bad(
                "hijacked_harvest.emulators / ips",
                "must be at least 1 (and ips at most 250)",
            );
        }
        if !(h.start_day >= 0.0 && h.run_days > 0.0) {
            return bad(
                "hijacked_harvest.start_day / run_days",
                "must be >= 0 and > 0",
            );
        }
        for (what, v) in [
            ("organic.heavy_readers", o.heavy_readers),
            ("organic.niche_communities", o.niche_communities),
            (
                "organic.streaming_parties_per_week",
                o.streaming_parties_per_week,
            ),
        ] {
            if !(0.0..=1e4).contains(&v) {
                return bad(what, "must be between 0 and 10 000");
            }
        }
        for (what, r) in [
            ("organic.heavy_reader_reads", o.heavy_reader_reads),
            ("organic.niche_members", o.niche_members),
            ("organic.fan_club_members", o.fan_club_members),
        ] {
            if r[0] == 0 || r[0] > r[1] || r[1] > 100_000 {
                return bad(what, "must be 1 <= min <= max <= 100 000");
            }
        }
        Ok(())
    }

    /// The world's size relative to the reference world: order rates are per 50 000
    /// organic accounts and are multiplied by this.
    pub(crate) fn world_scale(&self) -> f64 {
        self.accounts as f64 / REFERENCE_ACCOUNTS
    }

    /// A size given "per 50 000 organic accounts", scaled to this world, at least `floor`.
    pub(crate) fn scaled(&self, set: Option<u32>, per_reference: f64, floor: u32) -> u32 {
        set.unwrap_or_else(|| {
            ((per_reference * self.accounts as f64 / REFERENCE_ACCOUNTS).round() as u32).max(floor)
        })
    }
}

fn span(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    match span {
        Some(r) if r.start <= text.len() => {
            let line = text[..r.start].bytes().filter(|&b| b == b'\n').count() + 1;
            format!(" (line {line})")
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let e = Config::from_toml("[like_farm]\nacounts = 3\n").unwrap_err();
        assert!(e.to_string().contains("acounts"), "{e}");
        let e = Config::from_toml("sede = 3\n").unwrap_err();
        assert!(e.to_string().contains("sede"), "{e}");
    }

    #[test]
    fn partial_files_keep_defaults() {
        let c = Config::from_toml("accounts = 2000\n[aged_farm]\ncamouflage = 2.5\n").unwrap();
        assert_eq!(c.accounts, 2000);
        assert_eq!(c.aged_farm.camouflage, 2.5);
        assert_eq!(c.aged_farm.order_size, [80, 300]);
    }

    #[test]
    fn scenario_names_are_checked() {
        let mut c = Config {
            scenarios: vec!["like-farm".into(), "nope".into()],
            ..Config::default()
        };
        assert!(matches!(c.scenario_set(), Err(Error::UnknownScenario(s)) if s == "nope"));
        c.scenarios = vec!["none".into()];
        assert!(c.scenario_set().unwrap().is_empty());
        c.scenarios = vec!["all".into()];
        assert_eq!(c.scenario_set().unwrap().len(), SCENARIOS.len());
    }
}
