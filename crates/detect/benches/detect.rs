//! Benchmarks of each detector on a generated 1M-event log (heavy-tailed organic engagement,
//! three planted farms, fans at a live show, a viral post, power users).
//!
//! Run with `cargo bench -p lockstep-detect --bench detect`.

use std::sync::OnceLock;

use lockstep_detect::dense::{
    FraudarConfig, MZoomConfig, PeelPolicy, fraudar_indexed, mzoom_indexed,
};
use lockstep_detect::lockstep::{LockstepConfig, lockstep_groups_indexed};
use lockstep_graph::{ActionSet, GraphIndex, Tensor, TensorConfig};

#[path = "common/factories.rs"]
mod factories;

use factories::{FarmSpec, World, WorldSpec, world};

fn main() {
    if std::env::var_os("DETECT_BENCH_REPORT").is_some() {
        report();
    }
    divan::main();
}

/// Prints what each detector finds on the 1M-event log, with recall per planted farm and
/// the accounts flagged outside the farms, and how long each run took.
fn report() {
    use std::time::Instant;
    let w = million();
    let farms: Vec<&[u32]> = w.farms.iter().map(Vec::as_slice).collect();
    let show = |name: &str, secs: f64, groups: Vec<(Vec<u32>, String)>| {
        let mut found: Vec<u32> = groups.iter().flat_map(|g| g.0.iter().copied()).collect();
        found.sort_unstable();
        found.dedup();
        let recalls: Vec<String> = farms
            .iter()
            .map(|f| format!("{:.3}", factories::recall(f, &found)))
            .collect();
        let fp = factories::false_positives(&farms, &found).len();
        println!(
            "{name}: {secs:.2} s, farm recall [{}], {fp} other accounts",
            recalls.join(", ")
        );
        for (_, s) in groups.iter().take(8) {
            println!("  {s}");
        }
    };
    let t = Instant::now();
    let g = index();
    println!("index: {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let r = lockstep_groups_indexed(g, &LockstepConfig::default()).unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!("{:?}", r.stats);
    show(
        "lockstep",
        secs,
        r.groups
            .iter()
            .map(|x| (x.accounts.clone(), x.to_signal(&w.log).summary))
            .collect(),
    );
    let t = Instant::now();
    let r = fraudar_indexed(g, &FraudarConfig::default()).unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!("{:?}", r.stats);
    show(
        "fraudar",
        secs,
        r.blocks
            .iter()
            .map(|x| (x.accounts.clone(), x.to_signal(&w.log).summary))
            .collect(),
    );
    for policy in [PeelPolicy::MZoom, PeelPolicy::DCube] {
        let t = Instant::now();
        let tensor = tensor();
        let r = mzoom_indexed(
            tensor,
            &MZoomConfig {
                policy,
                ..MZoomConfig::default()
            },
        )
        .unwrap();
        let secs = t.elapsed().as_secs_f64();
        show(
            &format!("{policy:?}"),
            secs,
            r.blocks
                .iter()
                .map(|x| (x.accounts.clone(), x.to_signal().summary))
                .collect(),
        );
    }
}

/// One million events: 950 000 organic plus the planted and hard cases.
fn million() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let farm = |accounts, orders, shards| FarmSpec {
            accounts,
            orders,
            shards,
            camouflage: 30,
            ..FarmSpec::default()
        };
        let w = world(&WorldSpec {
            seed: 42,
            days: 30,
            accounts: 200_000,
            targets: 100_000,
            events: 950_000,
            farms: vec![farm(300, 60, 1), farm(600, 40, 3), farm(150, 80, 1)],
            live_fans: Some((300, 8)),
            viral_likes: 5000,
            power_users: (20, 1500),
            ..WorldSpec::default()
        });
        eprintln!("generated {} events", w.log.len());
        w
    })
}

fn index() -> &'static GraphIndex<'static> {
    static G: OnceLock<GraphIndex<'static>> = OnceLock::new();
    G.get_or_init(|| GraphIndex::build(&million().log, ActionSet::engagement()))
}

fn tensor() -> &'static Tensor {
    static T: OnceLock<Tensor> = OnceLock::new();
    T.get_or_init(|| Tensor::build(&million().log, index().events(), &TensorConfig::default()))
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn build_index(b: divan::Bencher) {
    let log = &million().log;
    b.bench(|| GraphIndex::build(log, ActionSet::engagement()));
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn build_tensor(b: divan::Bencher) {
    let (log, g) = (&million().log, index());
    b.bench(|| Tensor::build(log, g.events(), &TensorConfig::default()));
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn lockstep_groups(b: divan::Bencher) {
    let g = index();
    b.bench(|| lockstep_groups_indexed(g, &LockstepConfig::default()).unwrap());
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn fraudar(b: divan::Bencher) {
    let g = index();
    b.bench(|| fraudar_indexed(g, &FraudarConfig::default()).unwrap());
}

#[divan::bench(sample_count = 3, sample_size = 1, args = [PeelPolicy::MZoom, PeelPolicy::DCube])]
fn mzoom(b: divan::Bencher, policy: PeelPolicy) {
    let t = tensor();
    let cfg = MZoomConfig {
        policy,
        ..MZoomConfig::default()
    };
    b.bench(|| mzoom_indexed(t, &cfg).unwrap());
}
