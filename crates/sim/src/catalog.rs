//! Fixed tables: the phone catalogue (models whose screen, OS versions and builds agree),
//! emulator fingerprints, app versions, time zones, network ranges and names.

/// One OS build a model shipped: `(os release, build id, incremental)`.
pub(crate) type Build = (&'static str, &'static str, &'static str);

/// A phone or tablet model as its real units report it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Model {
    /// The model string the device reports (`Pixel 7`, `SM-S911B`, `iPhone15,2`).
    pub(crate) model: &'static str,
    /// Android (true) or iOS.
    pub(crate) android: bool,
    /// `brand/product/device` for Android fingerprints.
    pub(crate) brand: &'static str,
    pub(crate) product: &'static str,
    pub(crate) device: &'static str,
    /// Native resolution.
    pub(crate) screen: (u16, u16),
    /// Builds this model ran, oldest first.
    pub(crate) builds: &'static [Build],
    /// Relative market share.
    pub(crate) weight: f64,
    /// A tablet (used at home, often shared).
    pub(crate) tablet: bool,
}

macro_rules! android {
    ($model:expr, $brand:expr, $product:expr, $device:expr, ($w:expr, $h:expr), $weight:expr, [$($b:expr),+ $(,)?]) => {
        Model { model: $model, android: true, brand: $brand, product: $product, device: $device,
                screen: ($w, $h), builds: &[$($b),+], weight: $weight, tablet: false }
    };
}
macro_rules! ios {
    ($model:expr, ($w:expr, $h:expr), $weight:expr, $tablet:expr, [$($b:expr),+ $(,)?]) => {
        Model { model: $model, android: false, brand: "Apple", product: "", device: "",
                screen: ($w, $h), builds: &[$($b),+], weight: $weight, tablet: $tablet }
    };
}

const IOS16: Build = ("16.7.5", "20H307", "");
const IOS17A: Build = ("17.3.1", "21D61", "");
const IOS17B: Build = ("17.4.1", "21E236", "");
const IOS17C: Build = ("17.5.1", "21F90", "");

/// The catalogue: 26 models across Android and iOS.
pub(crate) const MODELS: &[Model] = &[
    android!(
        "Pixel 8 Pro",
        "google",
        "husky",
        "husky",
        (1344, 2992),
        1.2,
        [
            ("14", "AP1A.240305.019.A1", "11445699"),
            ("14", "AP1A.240405.002", "11480754")
        ]
    ),
    android!(
        "Pixel 8",
        "google",
        "shiba",
        "shiba",
        (1080, 2400),
        1.6,
        [
            ("14", "UQ1A.240205.004", "11269751"),
            ("14", "AP1A.240405.002", "11480754")
        ]
    ),
    android!(
        "Pixel 7",
        "google",
        "panther",
        "panther",
        (1080, 2400),
        2.0,
        [
            ("13", "TQ3A.230901.001", "10750268"),
            ("14", "UQ1A.240205.004", "11269751"),
            ("14", "AP1A.240305.019.A1", "11445699")
        ]
    ),
    android!(
        "Pixel 7 Pro",
        "google",
        "cheetah",
        "cheetah",
        (1440, 3120),
        1.0,
        [
            ("13", "TQ3A.230901.001", "10750268"),
            ("14", "UQ1A.240205.004", "11269751")
        ]
    ),
    android!(
        "Pixel 6a",
        "google",
        "bluejay",
        "bluejay",
        (1080, 2400),
        1.3,
        [
            ("13", "TQ3A.230805.001", "10316531"),
            ("14", "UQ1A.240205.004", "11269751")
        ]
    ),
    android!(
        "SM-S928B",
        "samsung",
        "e3qxxx",
        "e3q",
        (1440, 3120),
        1.5,
        [("14", "UP1A.231005.007", "S928BXXU1AXB5")]
    ),
    android!(
        "SM-S911B",
        "samsung",
        "dm1qxxx",
        "dm1q",
        (1080, 2340),
        2.2,
        [
            ("13", "TP1A.220624.014", "S911BXXU1AWBD"),
            ("14", "UP1A.231005.007", "S911BXXS3BWK5")
        ]
    ),
    android!(
        "SM-G991B",
        "samsung",
        "o1sxxx",
        "o1s",
        (1080, 2400),
        1.8,
        [
            ("13", "TP1A.220624.014", "G991BXXS9DWK2"),
            ("14", "UP1A.231005.007", "G991BXXU9EXA2")
        ]
    ),
    android!(
        "SM-A546B",
        "samsung",
        "a54xnsxx",
        "a54x",
        (1080, 2340),
        3.0,
        [
            ("13", "TP1A.220624.014", "A546BXXU1AWF2"),
            ("14", "UP1A.231005.007", "A546BXXU7BWL7")
        ]
    ),
    android!(
        "SM-A346B",
        "samsung",
        "a34xnsxx",
        "a34x",
        (1080, 2340),
        2.4,
        [("14", "UP1A.231005.007", "A346BXXU4BXA1")]
    ),
    android!(
        "SM-A145F",
        "samsung",
        "a14xx",
        "a14",
        (1080, 2408),
        2.8,
        [
            ("13", "TP1A.220624.014", "A145FXXU1AWE2"),
            ("14", "UP1A.231005.007", "A145FXXU3BXA4")
        ]
    ),
    android!(
        "SM-A035F",
        "samsung",
        "a03sxx",
        "a03",
        (720, 1600),
        1.5,
        [
            ("12", "SP1A.210812.016", "A035FXXS3CWD1"),
            ("13", "TP1A.220624.014", "A035FXXU4DWG1")
        ]
    ),
    android!(
        "23021RAAEG",
        "Redmi",
        "tapas_global",
        "tapas",
        (1080, 2400),
        2.6,
        [
            ("13", "TKQ1.221114.001", "V14.0.7.0.TMTMIXM"),
            ("14", "UKQ1.231003.002", "V816.0.3.0.UMTMIXM")
        ]
    ),
    android!(
        "2211133G",
        "Xiaomi",
        "fuxi_global",
        "fuxi",
        (1080, 2400),
        1.0,
        [("14", "UKQ1.230804.001", "V816.0.5.0.UMCMIXM")]
    ),
    android!(
        "CPH2449",
        "OnePlus",
        "CPH2449",
        "OP594DL1",
        (1440, 3216),
        0.8,
        [("14", "UKQ1.230924.001", "T.1a5f4b1-1-1")]
    ),
    android!(
        "CPH2581",
        "OPPO",
        "CPH2581",
        "OP5A0BL1",
        (1080, 2412),
        0.9,
        [("14", "UP1A.230620.001", "S.1a3c8a9_1-4")]
    ),
    android!(
        "moto g power 2022",
        "motorola",
        "tonga_g",
        "tonga",
        (720, 1600),
        1.0,
        [
            ("12", "S3RQS32.20-42-10-6", "3a4b7"),
            ("12", "S3RQS32.20-42-10-9", "5c5b0")
        ]
    ),
    android!(
        "V2250",
        "vivo",
        "V2250",
        "PD2250",
        (1080, 2400),
        0.9,
        [("13", "TP1A.220624.014", "compiler03101551")]
    ),
    ios!(
        "iPhone16,2",
        (1290, 2796),
        1.8,
        false,
        [IOS17A, IOS17B, IOS17C]
    ),
    ios!(
        "iPhone16,1",
        (1179, 2556),
        1.8,
        false,
        [IOS17A, IOS17B, IOS17C]
    ),
    ios!(
        "iPhone15,4",
        (1179, 2556),
        2.0,
        false,
        [IOS17A, IOS17B, IOS17C]
    ),
    ios!(
        "iPhone15,2",
        (1179, 2556),
        2.2,
        false,
        [IOS16, IOS17A, IOS17B]
    ),
    ios!(
        "iPhone14,7",
        (1170, 2532),
        2.4,
        false,
        [IOS16, IOS17A, IOS17B]
    ),
    ios!(
        "iPhone14,5",
        (1170, 2532),
        2.6,
        false,
        [IOS16, IOS17A, IOS17B]
    ),
    ios!("iPhone12,1", (828, 1792), 1.6, false, [IOS16, IOS17A]),
    ios!("iPhone14,6", (750, 1334), 0.9, false, [IOS16, IOS17B]),
    ios!("iPad13,18", (1640, 2360), 1.0, true, [IOS17A, IOS17B]),
    android!(
        "SM-X200",
        "samsung",
        "gta8wifixx",
        "gta8wifi",
        (1200, 1920),
        0.8,
        [("13", "TP1A.220624.014", "X200XXS2CWD1")]
    ),
];

impl Model {
    /// The OS field of a device on `build`.
    pub(crate) fn os(&self, b: &Build) -> String {
        if self.android {
            format!("Android {}", b.0)
        } else if self.model.starts_with("iPad") {
            format!("iPadOS {}", b.0)
        } else {
            format!("iOS {}", b.0)
        }
    }

    /// The build fingerprint of a device on `build`.
    pub(crate) fn fingerprint(&self, b: &Build) -> String {
        if self.android {
            format!(
                "{}/{}/{}:{}/{}/{}:user/release-keys",
                self.brand, self.product, self.device, b.0, b.1, b.2
            )
        } else {
            b.1.to_string()
        }
    }
}

/// Emulator builds: what servers posing as phones report.
pub(crate) const EMULATOR_BUILDS: &[(&str, &str)] = &[
    (
        "Android 14",
        "google/sdk_gphone64_x86_64/emu64xa:14/UE1A.230829.036/10983297:userdebug/dev-keys",
    ),
    (
        "Android 7.1.1",
        "generic_x86/sdk_google_phone_x86/generic_x86:7.1.1/NYC/4123456:userdebug/test-keys",
    ),
    (
        "Android 11",
        "google/sdk_gphone_x86/generic_x86_arm:11/RSR1.201013.001/6903271:user/release-keys",
    ),
    (
        "Android 9",
        "Android/vbox86p/vbox86p:9/PI/eng.genymotion.20190711:userdebug/test-keys",
    ),
    (
        "Android 9",
        "samsung/SM-G988N/z3q:9/PQ3A.190605.09291615/G988NKSU1ATC8:user/release-keys",
    ),
    (
        "Android 12",
        "google/sdk_gphone64_arm64/emulator64_arm64:12/SE1A.220203.002.A1/8151367:userdebug/dev-keys",
    ),
];

/// Screens no phone of the catalogue has; emulators default to these.
pub(crate) const EMULATOR_SCREENS: &[(u16, u16)] = &[
    (720, 1280),
    (900, 1600),
    (1080, 1920),
    (768, 1280),
    (540, 960),
];

/// Models emulators claim to be (popular ones).
pub(crate) const EMULATOR_CLAIMS: &[&str] = &[
    "Pixel 7",
    "SM-S911B",
    "SM-G991B",
    "23021RAAEG",
    "SM-A546B",
    "Pixel 6a",
];

/// Android app versions, oldest first, with the share of users on each.
pub(crate) const ANDROID_VERSIONS: &[(&str, f64)] = &[
    ("android/327.0.0.33", 0.05),
    ("android/329.0.0.41", 0.12),
    ("android/330.0.0.40", 0.23),
    ("android/331.0.0.37", 0.60),
];
/// iOS app versions, oldest first, with shares.
pub(crate) const IOS_VERSIONS: &[(&str, f64)] = &[
    ("ios/327.0.1", 0.06),
    ("ios/329.1.0", 0.14),
    ("ios/330.0.2", 0.25),
    ("ios/331.0.0", 0.55),
];
/// The old app version emulator botnets keep (their scripts are written for it).
pub(crate) const BOT_APP_VERSION: &str = "android/298.0.0.27";
/// Legitimate scheduling tools real creators use.
pub(crate) const SCHEDULER_APPS: &[&str] = &["api:buffer", "api:hootsuite", "api:later"];

/// Time zones (UTC offset in minutes) with population weights.
pub(crate) const TIME_ZONES: &[(i32, f64)] = &[
    (-480, 0.08),
    (-420, 0.03),
    (-360, 0.06),
    (-300, 0.14),
    (-180, 0.08),
    (0, 0.06),
    (60, 0.14),
    (120, 0.05),
    (180, 0.04),
    (330, 0.12),
    (420, 0.05),
    (480, 0.09),
    (540, 0.04),
    (600, 0.02),
];

/// Relative activity by local hour (0–23): quiet nights, a lunch bump, a long evening peak.
pub(crate) const HOURLY: [f64; 24] = [
    0.9, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.8, 2.6, 2.8, 2.6, 2.8, 3.4, 3.3, 2.9, 2.8, 3.0, 3.4, 3.9,
    4.4, 4.8, 4.6, 3.6, 2.0,
];

/// Home ISP address blocks (first two octets of IPv4 /16s).
pub(crate) const HOME_V4: &[[u8; 2]] = &[
    [73, 12],
    [73, 140],
    [24, 5],
    [24, 130],
    [98, 210],
    [86, 128],
    [86, 155],
    [91, 64],
    [92, 40],
    [109, 190],
    [177, 38],
    [187, 20],
    [122, 170],
    [49, 36],
    [110, 44],
    [180, 150],
    [14, 161],
    [118, 33],
    [60, 241],
    [203, 59],
];
/// Home ISP IPv6 /32 prefixes (as the first two 16-bit groups).
pub(crate) const HOME_V6: &[[u16; 2]] = &[
    [0x2601, 0x0600],
    [0x2a02, 0x0c7c],
    [0x2003, 0x00e5],
    [0x2405, 0x0201],
];
/// Mobile carriers' public IPv4 /16s (their CGNAT pools are drawn from these).
pub(crate) const CARRIER_V4: &[[u8; 2]] = &[
    [172, 56],
    [174, 205],
    [100, 44],
    [37, 120],
    [223, 104],
    [191, 5],
];
/// Mobile carriers' IPv6 /32 prefixes.
pub(crate) const CARRIER_V6: &[[u16; 2]] = &[[0x2607, 0xfb90], [0x2a01, 0x0598], [0x2409, 0x8a28]];
/// Datacenter IPv4 /16s (hosting providers).
pub(crate) const DATACENTER_V4: &[[u8; 2]] = &[
    [45, 61],
    [104, 248],
    [159, 65],
    [165, 22],
    [188, 166],
    [5, 161],
    [95, 216],
    [185, 220],
    [139, 59],
    [64, 227],
];
/// Cloud /16s the legitimate scheduling tools run in.
pub(crate) const CLOUD_V4: &[[u8; 2]] = &[[34, 201], [52, 14], [35, 190]];

/// First names for profile names.
pub(crate) const FIRST: &[&str] = &[
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "Mateo",
    "Sofia",
    "Lucas",
    "Mia",
    "Arjun",
    "Priya",
    "Wei",
    "Mei",
    "Yuki",
    "Haruto",
    "Fatima",
    "Omar",
    "Aisha",
    "Youssef",
    "Chloe",
    "Ethan",
    "Isabella",
    "Gabriel",
    "Camila",
    "Diego",
    "Valentina",
    "Leon",
    "Hanna",
    "Jonas",
    "Lea",
    "Ana",
    "João",
    "Maria",
    "Kwame",
    "Amara",
    "Chinedu",
    "Zara",
    "Ravi",
    "Ananya",
    "Minh",
    "Linh",
    "Sara",
    "David",
    "Daniel",
    "Grace",
    "Ivan",
    "Olga",
    "Nikos",
    "Elif",
    "Emre",
    "Jin",
    "Seo-yeon",
    "Kai",
    "Nora",
    "Theo",
    "Ruby",
    "Oscar",
    "Freya",
    "Hugo",
    "Alice",
];
/// Last names for profile names.
pub(crate) const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Garcia",
    "Martinez",
    "Silva",
    "Santos",
    "Kumar",
    "Sharma",
    "Chen",
    "Wang",
    "Li",
    "Tanaka",
    "Sato",
    "Kim",
    "Park",
    "Nguyen",
    "Tran",
    "Müller",
    "Schmidt",
    "Rossi",
    "Bianchi",
    "Dubois",
    "Martin",
    "Kowalski",
    "Nowak",
    "Ivanova",
    "Petrov",
    "Okafor",
    "Mensah",
    "Haddad",
    "Khan",
    "Ali",
    "Hassan",
    "Yilmaz",
    "Demir",
    "Andersson",
    "Larsen",
    "Jensen",
    "O'Brien",
    "Murphy",
    "Walsh",
    "Brown",
    "Wilson",
    "Taylor",
    "Clarke",
    "Lopez",
    "Hernandez",
    "Gonzalez",
    "Perez",
    "Costa",
];

/// Community topics: name, nouns people write about, a word for a fan of it.
pub(crate) const TOPICS: &[(&str, &[&str])] = &[
    (
        "football",
        &[
            "match", "goal", "team", "keeper", "derby", "season", "transfer", "lineup",
        ],
    ),
    (
        "cooking",
        &[
            "recipe",
            "sauce",
            "bread",
            "dish",
            "dough",
            "spice mix",
            "plating",
            "soup",
        ],
    ),
    (
        "travel",
        &[
            "view", "beach", "trip", "city", "sunset", "hike", "island", "old town",
        ],
    ),
    (
        "fitness",
        &[
            "workout", "routine", "form", "deadlift", "run", "progress", "split", "stretch",
        ],
    ),
    (
        "gaming",
        &[
            "build",
            "boss fight",
            "speedrun",
            "patch",
            "loadout",
            "map",
            "clutch",
            "mod",
        ],
    ),
    (
        "music",
        &[
            "track", "verse", "beat", "album", "cover", "live set", "bridge", "mix",
        ],
    ),
    (
        "fashion",
        &[
            "outfit",
            "fit",
            "jacket",
            "colour combo",
            "look",
            "boots",
            "thrift find",
            "dress",
        ],
    ),
    (
        "photography",
        &[
            "shot",
            "light",
            "composition",
            "edit",
            "lens",
            "colours",
            "frame",
            "portrait",
        ],
    ),
    (
        "pets",
        &[
            "pup", "cat", "kitten", "dog", "zoomies", "nap", "rescue", "good boy",
        ],
    ),
    (
        "tech",
        &[
            "setup",
            "keyboard",
            "review",
            "benchmark",
            "desk",
            "build",
            "update",
            "homelab",
        ],
    ),
    (
        "art",
        &[
            "painting",
            "sketch",
            "linework",
            "palette",
            "piece",
            "study",
            "sculpture",
            "mural",
        ],
    ),
    (
        "cars",
        &[
            "build",
            "engine",
            "restoration",
            "paint job",
            "track day",
            "wheels",
            "swap",
            "ride",
        ],
    ),
    (
        "books",
        &[
            "read",
            "chapter",
            "ending",
            "series",
            "quote",
            "annotation",
            "shelf",
            "plot twist",
        ],
    ),
    (
        "gardening",
        &[
            "tomatoes",
            "seedlings",
            "bed",
            "harvest",
            "roses",
            "compost",
            "balcony garden",
            "bloom",
        ],
    ),
    (
        "comedy",
        &[
            "bit",
            "sketch",
            "punchline",
            "set",
            "skit",
            "timing",
            "impression",
            "joke",
        ],
    ),
    (
        "science",
        &[
            "thread",
            "paper",
            "experiment",
            "result",
            "explainer",
            "chart",
            "finding",
            "demo",
        ],
    ),
    (
        "basketball",
        &[
            "dunk",
            "game",
            "three",
            "playoffs",
            "assist",
            "buzzer beater",
            "season",
            "trade",
        ],
    ),
    (
        "beauty",
        &[
            "look",
            "palette",
            "routine",
            "blend",
            "lip combo",
            "skin",
            "liner",
            "glow",
        ],
    ),
    (
        "diy",
        &[
            "project",
            "shelf",
            "fix",
            "table",
            "tutorial",
            "joinery",
            "reno",
            "workbench",
        ],
    ),
    (
        "parenting",
        &[
            "tip",
            "story",
            "milestone",
            "routine",
            "lunchbox idea",
            "bedtime hack",
            "day",
            "moment",
        ],
    ),
];

/// Adjectives for organic comments.
pub(crate) const ADJ: &[&str] = &[
    "beautiful",
    "great",
    "lovely",
    "insane",
    "clean",
    "stunning",
    "hilarious",
    "solid",
    "wild",
    "gorgeous",
    "underrated",
    "perfect",
    "brilliant",
    "impressive",
    "sick",
    "cozy",
    "unreal",
    "so good",
    "adorable",
    "crazy",
    "smart",
    "epic",
    "fresh",
    "dope",
    "elegant",
    "wholesome",
    "unexpected",
    "honest",
    "useful",
    "inspiring",
];
/// Emoji people add.
pub(crate) const EMOJI: &[&str] = &[
    "😂", "😍", "🔥", "❤️", "👏", "🙌", "😮", "💯", "🥹", "😭", "✨", "👀", "🤣", "💪", "🙏",
];
/// Short generic comments real people write too.
pub(crate) const GENERIC: &[&str] = &[
    "nice",
    "wow",
    "love this",
    "🔥",
    "so cool",
    "amazing",
    "❤️",
    "lol",
    "haha",
    "yes!",
    "beautiful",
    "great",
    "omg",
    "this!",
    "same",
    "👏👏",
    "cute",
    "nice pic",
    "😍",
    "wow 🔥",
    "love it",
    "so good",
    "awesome",
    "🙌",
    "nice one",
    "congrats!",
    "lovely",
    "❤️❤️",
];
/// Organic comment templates. Slots: `{adj}`, `{noun}`, `{emoji}`, `{name}`, `{topic}`,
/// `{num}`.
pub(crate) const TEMPLATES: &[&str] = &[
    "this {noun} is {adj}",
    "that {noun} though {emoji}",
    "{adj} {noun}, how long did it take?",
    "ok the {noun} is actually {adj}",
    "@{name} look at this {noun}",
    "@{name} we need to do this",
    "been waiting for this {noun} all week",
    "not me watching this {num} times {emoji}",
    "the {noun} at the end {emoji}{emoji}",
    "where is this? the {noun} looks {adj}",
    "{adj}!! can you share more about the {noun}?",
    "honestly the best {topic} account on here",
    "I tried this {noun} yesterday and it was {adj}",
    "how do you always make the {noun} look so {adj}",
    "{emoji} {adj}",
    "my {noun} never looks like this lol",
    "saving this for later {emoji}",
    "can't believe this {noun}, {adj}",
    "{name} you have to see this",
    "part {num} when??",
    "the {noun} > everything else",
    "this {noun} made my day {emoji}",
    "{adj} {noun} as always",
    "idk why but this {noun} hits different",
    "agree with everything except the {noun} 😅",
    "is it just me or is the {noun} {adj}",
    "need a tutorial on this {noun} asap",
    "{topic} people will get it {emoji}",
    "came back to watch this again, {adj}",
    "the way you did the {noun} is {adj}",
    "first time seeing your {topic} posts and wow",
    "years into {topic} and this still amazes me",
    "{noun} goals {emoji}",
    "respectfully, that {noun} is {adj}",
    "we did something like this in {num} and it was nowhere near this {adj}",
    "lol the {noun} {emoji}",
    "{name} remember our {noun}?? {emoji}",
    "ngl the {noun} is {adj}",
    "okay but who else noticed the {noun}",
    "{num}/10 {noun}, {adj}",
    "the {noun} in the background is {adj} too",
    "literally screamed at the {noun} {emoji}",
    "my {topic} group chat is going to love this {noun}",
    "can we talk about the {noun}?? {emoji}",
    "you deserve way more followers, the {noun} is {adj}",
    "this {noun} is why I love {topic}",
    "{adj} {noun} {emoji}",
];
/// Replies creators post through their scheduling tools.
pub(crate) const REPLIES: &[&str] = &[
    "Thanks so much {name}! {emoji}",
    "New {noun} drops tomorrow, stay tuned!",
    "Thank you all for the love on this {noun} {emoji}",
    "Link to the full {noun} in bio",
    "Glad you liked it {name}!",
    "Appreciate you {emoji}",
];

/// Spun comment templates of the comment farm (`{a|b|c}` picks one).
pub(crate) const SPUN: &[&str] = &[
    "{Great|Amazing|Awesome|Incredible|Fantastic} {post|content|pic|shot|photo}{!|!!| 🔥| 😍|}",
    "{Love|Loving|Really love} {this|your feed|your content|your style}{!| ❤️| 💯|!!}",
    "{So|Super|Really} {inspiring|beautiful|cool|creative}{!|!!| ✨|} {Keep it up|Keep going|Keep shining}{!| 🙌|}",
    "{Wow|Omg|Damn}{,|!|} {this is|that's} {fire|amazing|next level|perfection}{ 🔥🔥|!| 💯|}",
    "{Nice|Cool|Great} {work|job|vibes}{!| 👏| 👍} {Check|Visit} {my page|my profile} {for more|too}{!| 🙏|}",
    "{This|Your post} {made my day|is everything|deserves more likes}{!| 😍| ❤️|}",
];

/// Bios for organic profiles: `{topic}` and `{emoji}` slots.
pub(crate) const BIOS: &[&str] = &[
    "{topic} | coffee | opinions my own",
    "just here for the {topic} {emoji}",
    "{topic} nerd. dog person.",
    "",
    "",
    "living one {topic} post at a time {emoji}",
    "she/her · {topic} · travel",
    "he/him · {topic} fan since forever",
    "dad, {topic}, bad jokes",
    "{emoji} {topic} {emoji}",
    "student. {topic}. music.",
];
/// Bios on farm accounts.
pub(crate) const FARM_BIOS: &[&str] = &[
    "",
    "",
    "",
    "Follow for follow 🔁",
    "DM for collab 💸",
    "✨ live love laugh ✨",
    "new here",
];
