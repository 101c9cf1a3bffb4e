//! Ranking and classification metrics: ROC AUC and precision at k with ties handled
//! exactly, precision / recall / F1.

use serde::Serialize;

/// Area under the ROC curve of `scores` against `labels` (true = positive): the probability
/// that a random positive scores above a random negative, ties counting one half
/// (Mann-Whitney U with average ranks).
///
/// # Returns
/// `None` when there are no positives or no negatives.
///
/// # Complexity
/// O(n log n).
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    assert_eq!(scores.len(), labels.len());
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let (mut pos, mut neg) = (0f64, 0f64);
    let mut rank_sum = 0f64;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j < idx.len() && scores[idx[j]] == scores[idx[i]] {
            j += 1;
        }
        // Ranks i+1 ..= j share their average.
        let avg = (i + 1 + j) as f64 / 2.0;
        for &k in &idx[i..j] {
            if labels[k] {
                pos += 1.0;
                rank_sum += avg;
            } else {
                neg += 1.0;
            }
        }
        i = j;
    }
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    Some((rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg))
}

/// The expected precision of the `k` highest-scoring items when ties are broken at random:
/// items above the tie group that straddles rank `k` count as they are, that group counts by
/// its share of positives.
///
/// # Returns
/// `None` for `k` = 0 or more than the number of items.
///
/// # Complexity
/// O(n log n).
pub fn precision_at_k(scores: &[f64], labels: &[bool], k: usize) -> Option<f64> {
    if k == 0 || k > scores.len() {
        return None;
    }
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let (mut taken, mut hits) = (0usize, 0f64);
    let mut i = 0;
    while taken < k {
        let mut j = i;
        while j < idx.len() && scores[idx[j]] == scores[idx[i]] {
            j += 1;
        }
        let group = j - i;
        let group_pos = idx[i..j].iter().filter(|&&x| labels[x]).count() as f64;
        let take = group.min(k - taken);
        hits += group_pos * take as f64 / group as f64;
        taken += take;
        i = j;
    }
    Some(hits / k as f64)
}

/// The average precision (area under the precision-recall curve, step-wise) of `scores`,
/// with each tie group's positives spread evenly over its ranks.
///
/// # Returns
/// `None` when there are no positives.
pub fn average_precision(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let total = labels.iter().filter(|&&l| l).count();
    if total == 0 {
        return None;
    }
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let (mut ap, mut tp, mut seen) = (0f64, 0f64, 0f64);
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j < idx.len() && scores[idx[j]] == scores[idx[i]] {
            j += 1;
        }
        let group = (j - i) as f64;
        let share = idx[i..j].iter().filter(|&&x| labels[x]).count() as f64 / group;
        for _ in i..j {
            seen += 1.0;
            tp += share;
            ap += share * tp / seen;
        }
        i = j;
    }
    Some(ap / total as f64)
}

/// A confusion matrix and the metrics derived from it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Prf {
    /// Flagged positives.
    pub tp: u64,
    /// Flagged negatives.
    pub fp: u64,
    /// Missed positives.
    pub fn_: u64,
    /// Negatives not flagged.
    pub tn: u64,
    /// tp / (tp + fp); `None` when nothing was flagged.
    pub precision: Option<f64>,
    /// tp / (tp + fn); `None` without positives.
    pub recall: Option<f64>,
    /// Harmonic mean of precision and recall.
    pub f1: Option<f64>,
}

impl Prf {
    /// From counts.
    pub fn new(tp: u64, fp: u64, fn_: u64, tn: u64) -> Self {
        let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        let f1 = match (precision, recall) {
            (Some(p), Some(r)) if p + r > 0.0 => Some(2.0 * p * r / (p + r)),
            (Some(_), Some(_)) => Some(0.0),
            _ => None,
        };
        Prf {
            tp,
            fp,
            fn_,
            tn,
            precision,
            recall,
            f1,
        }
    }

    /// From (flagged, label) pairs.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (bool, bool)>) -> Self {
        let mut c = [0u64; 4];
        for (flag, label) in pairs {
            c[usize::from(flag) * 2 + usize::from(label)] += 1;
        }
        // c[flag*2 + label]: [tn, fn, fp, tp]
        Prf::new(c[3], c[2], c[1], c[0])
    }
}

/// `x` with three decimals, or `n/a`.
pub fn fmt3(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.3}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_perfect_random_and_ties() {
        let l = [false, false, true, true];
        assert_eq!(roc_auc(&[0.1, 0.2, 0.3, 0.4], &l), Some(1.0));
        assert_eq!(roc_auc(&[0.4, 0.3, 0.2, 0.1], &l), Some(0.0));
        assert_eq!(roc_auc(&[1.0; 4], &l), Some(0.5));
        // One positive tied with one negative: 3 of 4 pairs right, the tie counts half.
        assert_eq!(roc_auc(&[0.1, 0.5, 0.5, 0.9], &l), Some(0.875));
        assert_eq!(roc_auc(&[0.1, 0.2], &[true, true]), None);
    }

    #[test]
    fn precision_at_k_spreads_ties() {
        let l = [true, false, true, false];
        assert_eq!(precision_at_k(&[4.0, 3.0, 2.0, 1.0], &l, 1), Some(1.0));
        assert_eq!(precision_at_k(&[4.0, 3.0, 2.0, 1.0], &l, 2), Some(0.5));
        // All tied: the expectation is the base rate for every k.
        assert_eq!(precision_at_k(&[1.0; 4], &l, 1), Some(0.5));
        assert_eq!(precision_at_k(&[1.0; 4], &l, 3), Some(0.5));
        assert_eq!(precision_at_k(&[1.0; 4], &l, 5), None);
    }

    #[test]
    fn average_precision_of_a_perfect_ranking_is_one() {
        assert_eq!(
            average_precision(&[3.0, 2.0, 1.0], &[true, true, false]),
            Some(1.0)
        );
        assert_eq!(average_precision(&[1.0, 2.0], &[false, false]), None);
    }

    #[test]
    fn prf_from_pairs() {
        let p = Prf::from_pairs([(true, true), (true, false), (false, true), (false, false)]);
        assert_eq!((p.tp, p.fp, p.fn_, p.tn), (1, 1, 1, 1));
        assert_eq!(p.precision, Some(0.5));
        assert_eq!(p.f1, Some(0.5));
        assert_eq!(Prf::new(0, 0, 3, 5).precision, None);
    }
}
