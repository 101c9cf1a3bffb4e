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

/// The `k`-th MinHash value of a shingle set: the least of its seeded hashes.
#[inline]
fn minhash(s: &[u64], k: usize) -> u64 {
    let seed = mix(0x6d69_6e68_6173_6800 ^ k as u64);
    s.iter().map(|&x| mix(x ^ seed)).min().unwrap_or(u64::MAX)
}

fn find(p: &mut [u32], mut x: u32) -> u32 {
    while p[x as usize] != x {
        p[x as usize] = p[p[x as usize] as usize];
        x = p[x as usize];
    }
    x
}

/// Clusters of near-duplicate texts: connected components of the pairs whose Jaccard
/// similarity is at least `cfg.min_jaccard`, found through LSH buckets. Returns each text's
/// component, numbered densely in order of its smallest text.
///
/// Each band of `cfg.rows` signature values keys a bucket; texts sharing a bucket in any band
/// are candidates. A bucket larger than `cfg.max_bucket` (texts sharing their few most
/// common words) is ordered and each text is compared with its
/// `cfg.max_bucket / 8` next neighbours only (sorted neighbourhood, in the order of one more
/// MinHash value), counted in `hot_buckets`. Bands are taken one at a time and a candidate pair already in one component is not
/// checked again, so the work and memory stay linear in the texts however many of them are
/// alike; the components are those of all similar candidate pairs.
pub(crate) fn similar_components(sets: &ShingleSets, cfg: &ContentConfig) -> (Vec<u32>, LshStats) {
    let n = sets.len();
    let h = cfg.bands * cfg.rows;
    // One more MinHash value orders a hot bucket: similar texts often share it.
    let order: Vec<u64> = (0..n)
        .into_par_iter()
        .map(|i| minhash(sets.get(i), h))
        .collect();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut stats = LshStats::default();
    let mut keys: Vec<(u64, u64, u32)> = Vec::with_capacity(n);
    for b in 0..cfg.bands {
        keys.clear();
        // The band's signature values, computed for this band only (no signature matrix).
        keys.par_extend((0..n).into_par_iter().with_min_len(1024).map(|i| {
            let key = (b * cfg.rows..(b + 1) * cfg.rows)
                .fold(b as u64, |acc, k| mix(acc ^ minhash(sets.get(i), k)));
            (key, order[i], i as u32)
        }));
        keys.par_sort_unstable();
        let mut k = 0;
        while k < keys.len() {
            let mut end = k + 1;
            while end < keys.len() && keys[end].0 == keys[k].0 {
                end += 1;
            }
            let bucket = &keys[k..end];
            let reach = if bucket.len() > cfg.max_bucket {
                stats.hot_buckets += 1;
                (cfg.max_bucket / 8).max(1)
            } else {
                bucket.len()
            };
            for x in 0..bucket.len() {
                for y in x + 1..bucket.len().min(x + 1 + reach) {
                    let (a, c) = (bucket[x].2, bucket[y].2);
                    let (ra, rc) = (find(&mut parent, a), find(&mut parent, c));
                    if ra == rc {
                        continue;
                    }
                    stats.candidate_pairs += 1;
                    if jaccard(sets.get(a as usize), sets.get(c as usize)) >= cfg.min_jaccard {
                        stats.similar_pairs += 1;
                        parent[ra.max(rc) as usize] = ra.min(rc);
                    }
                }
            }
            k = end;
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
    (out, stats)
}
