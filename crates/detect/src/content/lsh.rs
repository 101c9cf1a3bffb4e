//! MinHash signatures with LSH banding: candidate pairs of texts only within band buckets,
//! verified by exact Jaccard similarity, then connected components.

use rayon::prelude::*;

use super::ContentConfig;
use super::text::{jaccard, mix};

/// Distinct texts' shingle sets in one flat vector.
#[derive(Debug, Default)]
pub(crate) struct ShingleSets {
    pub(crate) flat: Vec<u64>,
    pub(crate) off: Vec<u32>,
}

impl ShingleSets {
    pub(crate) fn len(&self) -> usize {
        self.off.len().saturating_sub(1)
    }

    pub(crate) fn get(&self, i: usize) -> &[u64] {
        &self.flat[self.off[i] as usize..self.off[i + 1] as usize]
    }
}

/// Counters of the banding step.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LshStats {
    pub(crate) candidate_pairs: usize,
    pub(crate) similar_pairs: usize,
    pub(crate) hot_buckets: usize,
}

/// One band's verified pairs, candidate count and hot buckets.
type BandResult = (Vec<(u32, u32)>, usize, usize);

/// The MinHash signature of one shingle set: `bands × rows` minima of seeded hashes.
fn signature(s: &[u64], n: usize, out: &mut [u64]) {
    for (k, o) in out.iter_mut().enumerate().take(n) {
        let seed = mix(0x6d69_6e68_6173_6800 ^ k as u64);
        *o = s.iter().map(|&x| mix(x ^ seed)).min().unwrap_or(u64::MAX);
    }
}

/// Pairs `(i, j)`, `i < j`, of distinct texts whose Jaccard similarity is at least
/// `cfg.min_jaccard`, found through LSH buckets; sorted and deduplicated.
///
/// Each band of `cfg.rows` signature values keys a bucket; texts sharing a bucket in any band
/// are candidates. A bucket larger than `cfg.max_bucket` (texts sharing their few most
/// common words) is ordered by the texts' full signatures and each text is compared with its
/// `cfg.max_bucket / 8` next neighbours only (sorted neighbourhood), counted in `hot_buckets`.
pub(crate) fn similar_pairs(
    sets: &ShingleSets,
    cfg: &ContentConfig,
) -> (Vec<(u32, u32)>, LshStats) {
    let n = sets.len();
    let h = cfg.bands * cfg.rows;
    let mut sigs = vec![0u64; n * h];
    sigs.par_chunks_mut(h.max(1))
        .enumerate()
        .for_each(|(i, out)| signature(sets.get(i), h, out));
    let full: Vec<u64> = (0..n)
        .into_par_iter()
        .map(|i| {
            sigs[i * h..(i + 1) * h]
                .iter()
                .fold(0u64, |acc, &x| mix(acc ^ x))
        })
        .collect();
    let per_band: Vec<BandResult> = (0..cfg.bands)
        .into_par_iter()
        .map(|b| {
            let mut keys: Vec<(u64, u64, u32)> = (0..n)
                .map(|i| {
                    let band = &sigs[i * h + b * cfg.rows..i * h + (b + 1) * cfg.rows];
                    let key = band.iter().fold(b as u64, |acc, &x| mix(acc ^ x));
                    (key, full[i], i as u32)
                })
                .collect();
            keys.sort_unstable();
            let mut cands: Vec<(u32, u32)> = Vec::new();
            let mut hot = 0usize;
            let mut k = 0;
            while k < keys.len() {
                let mut end = k + 1;
                while end < keys.len() && keys[end].0 == keys[k].0 {
                    end += 1;
                }
                let bucket = &keys[k..end];
                let reach = if bucket.len() > cfg.max_bucket {
                    hot += 1;
                    (cfg.max_bucket / 8).max(1)
                } else {
                    bucket.len()
                };
                for x in 0..bucket.len() {
                    for y in x + 1..bucket.len().min(x + 1 + reach) {
                        let (a, c) = (bucket[x].2, bucket[y].2);
                        cands.push((a.min(c), a.max(c)));
                    }
                }
                k = end;
            }
            cands.sort_unstable();
            cands.dedup();
            let before = cands.len();
            cands.retain(|&(a, c)| {
                jaccard(sets.get(a as usize), sets.get(c as usize)) >= cfg.min_jaccard
            });
            (cands, before, hot)
        })
        .collect();
    let mut stats = LshStats::default();
    let mut pairs = Vec::new();
    for (p, c, hot) in per_band {
        stats.candidate_pairs += c;
        stats.hot_buckets += hot;
        pairs.extend(p);
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    stats.similar_pairs = pairs.len();
    (pairs, stats)
}

/// Connected components of `n` nodes under `pairs` (union-find), numbered densely in order of
/// their smallest node.
pub(crate) fn components(n: usize, pairs: &[(u32, u32)]) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn find(p: &mut [u32], mut x: u32) -> u32 {
        while p[x as usize] != x {
            p[x as usize] = p[p[x as usize] as usize];
            x = p[x as usize];
        }
        x
    }
    for &(a, b) in pairs {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    }
    let mut comp = vec![u32::MAX; n];
    let mut next = 0u32;
    let mut out = Vec::with_capacity(n);
    for i in 0..n as u32 {
        let r = find(&mut parent, i) as usize;
        if comp[r] == u32::MAX {
            comp[r] = next;
            next += 1;
        }
        out.push(comp[r]);
    }
    out
}
