//! Reference M-Zoom / D-Cube: every mass recomputed from scratch after every removal.

// Plain index loops read closest to the definitions the reference spells out.
#![allow(clippy::needless_range_loop)]

use lockstep_graph::{ModeKind, Tensor};

use crate::dense::mzoom::{
    DensityMeasure, MZoomConfig, MZoomReport, PeelPolicy, TensorPeel, density, describe_block,
};

/// Masses of every value of every mode over the live entries, and the total.
fn masses(t: &Tensor, live: &[bool]) -> (Vec<Vec<u64>>, u64) {
    let mut mass: Vec<Vec<u64>> = t
        .modes()
        .iter()
        .map(|m| vec![0; m.cardinality as usize])
        .collect();
    let mut total = 0;
    for e in (0..t.num_entries()).filter(|&e| live[e]) {
        total += t.count(e) as u64;
        for (m, &v) in t.entry(e).iter().enumerate() {
            mass[m][v as usize] += t.count(e) as u64;
        }
    }
    (mass, total)
}

/// [`crate::dense::mzoom::peel_tensor`] with masses recomputed after every removal:
/// O(removals · E · N).
///
/// # Arguments
/// * `t`, `live`, `measure`, `policy`, `whole_mass`, `whole_card` — as for the optimised
///   version.
///
/// # Returns
/// The same [`TensorPeel`] as the optimised version.
///
/// # Complexity
/// O(removals · E · N).
pub fn peel_tensor(
    t: &Tensor,
    live: &[bool],
    measure: DensityMeasure,
    policy: PeelPolicy,
    whole_mass: u64,
    whole_card: &[u64],
) -> TensorPeel {
    let mut live = live.to_vec();
    let (mass0, total0) = masses(t, &live);
    let initial: Vec<Vec<u32>> = mass0
        .iter()
        .map(|ms| {
            (0..ms.len() as u32)
                .filter(|&v| ms[v as usize] > 0)
                .collect()
        })
        .collect();
    let mut alive: Vec<Vec<bool>> = mass0
        .iter()
        .map(|ms| ms.iter().map(|&x| x > 0).collect())
        .collect();
    let card = |alive: &Vec<Vec<bool>>| -> Vec<u64> {
        alive
            .iter()
            .map(|a| a.iter().filter(|&&x| x).count() as u64)
            .collect()
    };
    let mut best = (
        density(measure, total0, &card(&alive), whole_mass, whole_card),
        0,
        total0,
    );
    let mut order: Vec<(u8, u32)> = Vec::new();
    let remove = |m: usize,
                  v: u32,
                  alive: &mut Vec<Vec<bool>>,
                  live: &mut Vec<bool>,
                  order: &mut Vec<(u8, u32)>| {
        alive[m][v as usize] = false;
        for e in 0..t.num_entries() {
            if t.entry(e)[m] == v {
                live[e] = false;
            }
        }
        order.push((m as u8, v));
    };
    loop {
        let (mass, total) = masses(t, &live);
        if total == 0 {
            break;
        }
        let c = card(&alive);
        match policy {
            PeelPolicy::MZoom => {
                let mut pick: Option<(u64, usize, u32)> = None;
                for (m, a) in alive.iter().enumerate() {
                    for v in (0..a.len() as u32).filter(|&v| a[v as usize]) {
                        let key = (mass[m][v as usize], m, v);
                        if pick.is_none_or(|p| key < p) {
                            pick = Some(key);
                        }
                    }
                }
                let (_, m, v) = pick.expect("total > 0 leaves a live value");
                remove(m, v, &mut alive, &mut live, &mut order);
                let (_, total) = masses(t, &live);
                let d = density(measure, total, &card(&alive), whole_mass, whole_card);
                if d > best.0 {
                    best = (d, order.len(), total);
                }
            }
            PeelPolicy::DCube => {
                let below = |m: usize| -> Vec<(u64, u32)> {
                    let mut b: Vec<(u64, u32)> = (0..alive[m].len() as u32)
                        .filter(|&v| alive[m][v as usize])
                        .map(|v| (mass[m][v as usize], v))
                        .filter(|&(x, _)| x as u128 * c[m] as u128 <= total as u128)
                        .collect();
                    b.sort_unstable();
                    b
                };
                let mut pick = (f64::NEG_INFINITY, usize::MAX);
                for m in 0..t.num_modes() {
                    let b = below(m);
                    let mut cm = c.clone();
                    cm[m] -= b.len() as u64;
                    let d = density(
                        measure,
                        total - b.iter().map(|x| x.0).sum::<u64>(),
                        &cm,
                        whole_mass,
                        whole_card,
                    );
                    if pick.1 == usize::MAX || d > pick.0 {
                        pick = (d, m);
                    }
                }
                let m = pick.1;
                for (_, v) in below(m) {
                    remove(m, v, &mut alive, &mut live, &mut order);
                    let (_, total) = masses(t, &live);
                    let d = density(measure, total, &card(&alive), whole_mass, whole_card);
                    if d > best.0 {
                        best = (d, order.len(), total);
                    }
                }
            }
        }
    }
    TensorPeel {
        initial,
        order,
        best_len: best.1,
        best_density: best.0,
        best_mass: best.2,
    }
}

/// [`crate::dense::mzoom::mzoom_indexed`] with the reference peel.
///
/// # Arguments
/// * `t` — the tensor.
/// * `cfg` — see [`MZoomConfig`].
///
/// # Returns
/// The same report as the optimised version.
///
/// # Complexity
/// O(rounds · removals · E · N).
pub fn mzoom(t: &Tensor, cfg: &MZoomConfig) -> MZoomReport {
    let mut live = vec![true; t.num_entries()];
    let (mass, whole_mass) = masses(t, &live);
    let whole_card: Vec<u64> = mass
        .iter()
        .map(|ms| ms.iter().filter(|&&x| x > 0).count() as u64)
        .collect();
    let mut report = MZoomReport::default();
    report.stats.entries = t.num_entries();
    report.stats.mass = whole_mass;
    report.stats.dropped_modes = t
        .dropped()
        .iter()
        .map(|&(k, c)| (crate::dense::mzoom::aspect_of(k), c))
        .collect();
    while report.blocks.len() < cfg.max_blocks && report.stats.rounds < cfg.max_rounds {
        let round = report.stats.rounds;
        report.stats.rounds += 1;
        let p = peel_tensor(t, &live, cfg.density, cfg.policy, whole_mass, &whole_card);
        if p.order.is_empty() || p.best_mass == 0 {
            break;
        }
        let inb = p.block_members(t);
        let mut events = Vec::new();
        for e in 0..t.num_entries() {
            if live[e] && (0..t.num_modes()).all(|m| inb[m][t.entry(e)[m] as usize]) {
                live[e] = false;
                events.extend_from_slice(t.entry_events(e));
            }
        }
        let block = describe_block(t, &inb, events, &p, &whole_card, whole_mass, cfg, round);
        let accounts_ok =
            t.mode_of(ModeKind::Account).is_none() || block.accounts.len() >= cfg.min_accounts;
        if accounts_ok && block.mass >= cfg.min_mass && block.shares_infrastructure(cfg.min_sharing)
        {
            report.blocks.push(block);
        }
    }
    report
}
