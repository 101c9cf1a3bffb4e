//! Account-level scoring for the profile-only data sets (SRF, InstaFake): the shared
//! feature set, a plainly written L2 logistic regression, and stratified k-fold
//! cross-validation.
//!
//! Nothing here was fitted to a result: the features, the regularisation, the number of
//! folds, the fold assignment (a hash of the account id) and the 0.5 threshold were fixed
//! before the first run.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use lockstep_ingest::{IngestOptions, Inputs, RejectBudget, VecRejectSink};
use serde::Serialize;

use crate::error::{Error, Result, invalid_input_err};
use crate::metrics::{Prf, average_precision, roc_auc};
use crate::out::{TRUTH_ACCOUNTS, read_summary};
use crate::source::hash_str;

/// The account attributes the profile-only importers write, in this order.
pub const ATTRS: [&str; 8] = [
    "followers",
    "following",
    "posts",
    "has_profile_picture",
    "private",
    "username_length",
    "username_digits",
    "bio_length",
];

/// The folds of the cross-validation.
pub const FOLDS: usize = 5;
/// The L2 penalty of the logistic regression (on standardised features).
pub const L2: f64 = 1e-3;
/// The probability at or above which an account is called fake.
pub const THRESHOLD: f64 = 0.5;

/// Accounts with features and labels.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Account ids.
    pub ids: Vec<String>,
    /// Feature names, one per column of `x`.
    pub names: Vec<String>,
    /// One feature row per account.
    pub x: Vec<Vec<f64>>,
    /// Labels (true = fake).
    pub y: Vec<bool>,
}

/// The features of one account from its attributes: log counts, the following / followers
/// ratio (as a log), the flags, the username measures, and the biography length when the
/// data set has it (`None` values leave the column out for every account).
fn features(get: &dyn Fn(&str) -> Option<f64>, with_bio: bool) -> Option<Vec<f64>> {
    let (followers, following, posts) = (get("followers")?, get("following")?, get("posts")?);
    let mut v = vec![
        followers.ln_1p(),
        following.ln_1p(),
        posts.ln_1p(),
        following.ln_1p() - followers.ln_1p(),
        get("has_profile_picture")?,
        get("private")?,
        get("username_length")?,
        get("username_digits")?,
    ];
    if with_bio {
        v.push(get("bio_length")?.ln_1p());
    }
    Some(v)
}

/// The feature names, matching [`features`].
fn feature_names(with_bio: bool) -> Vec<String> {
    let mut v: Vec<String> = [
        "ln(1+followers)",
        "ln(1+following)",
        "ln(1+posts)",
        "ln((1+following)/(1+followers))",
        "has_profile_picture",
        "private",
        "username_length",
        "username_digits",
    ]
    .map(String::from)
    .to_vec();
    if with_bio {
        v.push("ln(1+bio_length)".into());
    }
    v
}

/// Loads the accounts file and `truth_accounts.csv` of an import directory.
///
/// # Errors
/// [`Error::InvalidInput`] when the directory has no accounts file or truth, or an account
/// lacks a feature.
pub fn load(dir: &Path) -> Result<Table> {
    let summary = read_summary(dir)?;
    let Some(acc) = summary.files.get("accounts") else {
        return Err(invalid_input_err!(
            "{}: this import has no accounts file to score",
            dir.display()
        ));
    };
    let acc = dir.join(acc);
    let mut rejected = VecRejectSink::new();
    let opts = IngestOptions {
        max_rejected: RejectBudget::Count(0),
        ..IngestOptions::default()
    };
    let none: [PathBuf; 0] = [];
    let loaded = lockstep_ingest::load(
        &Inputs {
            events: &none,
            accounts: Some(&acc),
            devices: None,
        },
        &opts,
        &mut rejected,
    )?;
    let log = loaded.log;
    let table = &log.account_table;
    let labels = read_truth(dir)?;
    let with_bio = table.attrs.names().iter().any(|n| n == "bio_length")
        && (0..table.len()).all(|r| {
            table
                .attrs
                .get(r, "bio_length")
                .is_some_and(|v| !v.is_empty())
        });
    let mut t = Table {
        names: feature_names(with_bio),
        ..Table::default()
    };
    for (row, &account) in table.accounts().iter().enumerate() {
        let id = log.accounts.resolve(account).to_owned();
        let get = |name: &str| {
            table
                .attrs
                .get(row, name)
                .and_then(|v| v.parse::<f64>().ok())
        };
        let Some(x) = features(&get, with_bio) else {
            return Err(invalid_input_err!(
                "{}: account {id} lacks a feature",
                acc.display()
            ));
        };
        let Some(&y) = labels.get(&id) else {
            return Err(invalid_input_err!(
                "{}: account {id} has no label",
                dir.display()
            ));
        };
        t.ids.push(id);
        t.x.push(x);
        t.y.push(y);
    }
    Ok(t)
}

/// Reads `truth_accounts.csv`: account → fake.
pub(crate) fn read_truth(dir: &Path) -> Result<HashMap<String, bool>> {
    let path = dir.join(TRUTH_ACCOUNTS);
    let mut rdr = csv::Reader::from_path(&path)
        .map_err(|e| invalid_input_err!("{}: cannot read the truth: {e}", path.display()))?;
    let mut m = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| invalid_input_err!("{}: {e}", path.display()))?;
        m.insert(rec[0].to_owned(), &rec[1] != "organic");
    }
    Ok(m)
}

/// A fitted logistic regression on standardised features.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Model {
    /// Per-feature mean used to standardise.
    pub mean: Vec<f64>,
    /// Per-feature standard deviation used to standardise (1 for a constant feature).
    pub sd: Vec<f64>,
    /// Weights on the standardised features.
    pub w: Vec<f64>,
    /// Intercept.
    pub b: f64,
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl Model {
    /// Fits by Newton's method (iteratively reweighted least squares) with an L2 penalty
    /// `l2` on the weights (not the intercept), 50 iterations at most.
    ///
    /// # Complexity
    /// O(iterations · n · d²).
    pub fn fit(x: &[Vec<f64>], y: &[bool], l2: f64) -> Model {
        let n = x.len();
        let d = x.first().map_or(0, Vec::len);
        let mut mean = vec![0.0; d];
        let mut sd = vec![0.0; d];
        for row in x {
            for j in 0..d {
                mean[j] += row[j] / n as f64;
            }
        }
        for row in x {
            for j in 0..d {
                sd[j] += (row[j] - mean[j]).powi(2) / n as f64;
            }
        }
        for s in &mut sd {
            *s = if *s > 0.0 { s.sqrt() } else { 1.0 };
        }
        let z: Vec<Vec<f64>> = x
            .iter()
            .map(|r| {
                let mut v: Vec<f64> = (0..d).map(|j| (r[j] - mean[j]) / sd[j]).collect();
                v.push(1.0);
                v
            })
            .collect();
        let k = d + 1;
        let mut beta = vec![0.0; k];
        for _ in 0..50 {
            let mut grad = vec![0.0; k];
            let mut hess = vec![vec![0.0; k]; k];
            for (zi, &yi) in z.iter().zip(y) {
                let p = sigmoid(zi.iter().zip(&beta).map(|(a, b)| a * b).sum());
                let r = p - f64::from(u8::from(yi));
                let w = (p * (1.0 - p)).max(1e-9);
                for a in 0..k {
                    grad[a] += r * zi[a];
                    for b in 0..k {
                        hess[a][b] += w * zi[a] * zi[b];
                    }
                }
            }
            for a in 0..d {
                grad[a] += l2 * n as f64 * beta[a];
                hess[a][a] += l2 * n as f64;
            }
            let Some(step) = solve(hess, grad) else { break };
            let mut delta = 0.0f64;
            for a in 0..k {
                beta[a] -= step[a];
                delta = delta.max(step[a].abs());
            }
            if delta < 1e-8 {
                break;
            }
        }
        let b = beta.pop().unwrap_or(0.0);
        Model {
            mean,
            sd,
            w: beta,
            b,
        }
    }

    /// The probability that an account with features `x` is fake.
    pub fn predict(&self, x: &[f64]) -> f64 {
        let z: f64 = x
            .iter()
            .enumerate()
            .map(|(j, v)| (v - self.mean[j]) / self.sd[j] * self.w[j])
            .sum();
        sigmoid(z + self.b)
    }
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting; `None` when singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let piv = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        let (top, rest) = a.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for (k, row) in rest.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[col + 1 + k] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|c| a[r][c] * x[c]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    Some(x)
}

/// The fold of each account: within each class, accounts ordered by a hash of their id are
/// dealt to folds in turn (stratified, label-blind, reproducible).
pub fn folds(ids: &[String], y: &[bool], k: usize) -> Vec<usize> {
    let mut fold = vec![0; ids.len()];
    for class in [false, true] {
        let mut members: Vec<usize> = (0..ids.len()).filter(|&i| y[i] == class).collect();
        members.sort_by_key(|&i| (hash_str(&ids[i]), i));
        for (r, &i) in members.iter().enumerate() {
            fold[i] = r % k;
        }
    }
    fold
}

/// The result of the cross-validation.
#[derive(Debug, Clone, Serialize)]
pub struct CvReport {
    /// Accounts scored.
    pub accounts: usize,
    /// Accounts labelled fake.
    pub positives: usize,
    /// Folds.
    pub folds: usize,
    /// The features used.
    pub features: Vec<String>,
    /// Per fold, at [`THRESHOLD`].
    pub per_fold: Vec<Prf>,
    /// All out-of-fold predictions pooled, at [`THRESHOLD`].
    pub pooled: Prf,
    /// ROC AUC of the pooled out-of-fold probabilities.
    pub roc_auc: Option<f64>,
    /// Average precision of the pooled out-of-fold probabilities.
    pub average_precision: Option<f64>,
    /// Mean and standard deviation over folds of precision, recall and F1.
    pub fold_mean_sd: FoldStats,
    /// The model fitted on all accounts (for its weights; not scored).
    pub full_model: Model,
}

/// Mean and standard deviation over folds.
#[derive(Debug, Clone, Serialize)]
pub struct FoldStats {
    /// Precision (mean, sd).
    pub precision: (f64, f64),
    /// Recall (mean, sd).
    pub recall: (f64, f64),
    /// F1 (mean, sd).
    pub f1: (f64, f64),
}

fn mean_sd(v: impl Iterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = v.collect();
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let m = v.iter().sum::<f64>() / v.len() as f64;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64;
    (m, var.sqrt())
}

/// Stratified k-fold cross-validation of the logistic regression.
///
/// # Returns
/// The report and the out-of-fold probability of each account.
///
/// # Errors
/// [`Error::InvalidInput`] when a class has fewer accounts than folds.
pub fn cross_validate(t: &Table, k: usize) -> Result<(CvReport, Vec<f64>)> {
    let positives = t.y.iter().filter(|&&y| y).count();
    if positives < k || t.y.len() - positives < k {
        return Err(invalid_input_err!(
            "cannot cross-validate {} accounts ({positives} fake) in {k} folds",
            t.y.len()
        ));
    }
    let fold = folds(&t.ids, &t.y, k);
    let mut prob = vec![f64::NAN; t.y.len()];
    let mut per_fold = Vec::with_capacity(k);
    for f in 0..k {
        let train: Vec<usize> = (0..t.y.len()).filter(|&i| fold[i] != f).collect();
        let x: Vec<Vec<f64>> = train.iter().map(|&i| t.x[i].clone()).collect();
        let y: Vec<bool> = train.iter().map(|&i| t.y[i]).collect();
        let m = Model::fit(&x, &y, L2);
        let test: Vec<usize> = (0..t.y.len()).filter(|&i| fold[i] == f).collect();
        for &i in &test {
            prob[i] = m.predict(&t.x[i]);
        }
        per_fold.push(Prf::from_pairs(
            test.iter().map(|&i| (prob[i] >= THRESHOLD, t.y[i])),
        ));
    }
    let pooled = Prf::from_pairs(prob.iter().zip(&t.y).map(|(&p, &y)| (p >= THRESHOLD, y)));
    let stats = FoldStats {
        precision: mean_sd(per_fold.iter().filter_map(|p| p.precision)),
        recall: mean_sd(per_fold.iter().filter_map(|p| p.recall)),
        f1: mean_sd(per_fold.iter().filter_map(|p| p.f1)),
    };
    let report = CvReport {
        accounts: t.y.len(),
        positives,
        folds: k,
        features: t.names.clone(),
        per_fold,
        pooled,
        roc_auc: roc_auc(&prob, &t.y),
        average_precision: average_precision(&prob, &t.y),
        fold_mean_sd: stats,
        full_model: Model::fit(&t.x, &t.y, L2),
    };
    Ok((report, prob))
}

/// A model fitted on one import's accounts, scored on another's.
#[derive(Debug, Clone, Serialize)]
pub struct TransferReport {
    /// The features both imports have, in the order used.
    pub features: Vec<String>,
    /// Accounts trained on (fake).
    pub train: (usize, usize),
    /// Accounts scored (fake).
    pub test: (usize, usize),
    /// At [`THRESHOLD`].
    pub prf: Prf,
    /// ROC AUC of the probabilities.
    pub roc_auc: Option<f64>,
    /// Average precision of the probabilities.
    pub average_precision: Option<f64>,
}

/// Fits the logistic regression on all of `train` and scores every account of `test`,
/// using only the features both tables have.
///
/// # Errors
/// [`Error::InvalidInput`] when the tables share no feature.
pub fn transfer(train: &Table, test: &Table) -> Result<TransferReport> {
    let shared: Vec<(usize, usize)> = train
        .names
        .iter()
        .enumerate()
        .filter_map(|(i, n)| test.names.iter().position(|m| m == n).map(|j| (i, j)))
        .collect();
    if shared.is_empty() {
        return Err(invalid_input_err!(
            "the two imports share no account feature"
        ));
    }
    let xs = |t: &Table, pick: &dyn Fn(&(usize, usize)) -> usize| -> Vec<Vec<f64>> {
        t.x.iter()
            .map(|r| shared.iter().map(|p| r[pick(p)]).collect())
            .collect()
    };
    let m = Model::fit(&xs(train, &|p| p.0), &train.y, L2);
    let prob: Vec<f64> = xs(test, &|p| p.1).iter().map(|r| m.predict(r)).collect();
    let count = |t: &Table| (t.y.len(), t.y.iter().filter(|&&y| y).count());
    Ok(TransferReport {
        features: shared.iter().map(|p| train.names[p.0].clone()).collect(),
        train: count(train),
        test: count(test),
        prf: Prf::from_pairs(prob.iter().zip(&test.y).map(|(&p, &y)| (p >= THRESHOLD, y))),
        roc_auc: roc_auc(&prob, &test.y),
        average_precision: average_precision(&prob, &test.y),
    })
}

/// Writes out-of-fold predictions as a findings directory (`verdicts.csv`: `fake` at or
/// above [`THRESHOLD`], else `ok`) that `lockstep eval` scores against the import's truth.
///
/// # Errors
/// I/O errors.
pub fn write_verdicts(dir: &Path, t: &Table, prob: &[f64]) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let path = dir.join("verdicts.csv");
    let mut f =
        std::io::BufWriter::new(std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?);
    let mut text = String::from("account,verdict,score,operation,reasons\n");
    for (id, &p) in t.ids.iter().zip(prob) {
        let v = if p >= THRESHOLD { "fake" } else { "ok" };
        let reason = if p >= THRESHOLD { "profile-score" } else { "" };
        text.push_str(&format!("{id},{v},{p:.6},,{reason}\n"));
    }
    f.write_all(text.as_bytes())
        .map_err(|e| Error::io(&path, e))?;
    f.flush().map_err(|e| Error::io(&path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logistic_regression_separates_a_separable_set() {
        let x: Vec<Vec<f64>> = (0..40).map(|i| vec![i as f64, (i % 3) as f64]).collect();
        let y: Vec<bool> = (0..40).map(|i| i >= 20).collect();
        let m = Model::fit(&x, &y, L2);
        assert!(m.predict(&[35.0, 1.0]) > 0.9);
        assert!(m.predict(&[3.0, 1.0]) < 0.1);
    }

    #[test]
    fn folds_are_stratified_and_balanced() {
        let ids: Vec<String> = (0..103).map(|i| format!("a{i}")).collect();
        let y: Vec<bool> = (0..103).map(|i| i % 10 == 0).collect();
        let f = folds(&ids, &y, 5);
        for k in 0..5 {
            let pos = (0..103).filter(|&i| f[i] == k && y[i]).count();
            let all = (0..103).filter(|&i| f[i] == k).count();
            assert!((2..=3).contains(&pos), "fold {k}: {pos} positives");
            assert!((20..=22).contains(&all), "fold {k}: {all} accounts");
        }
    }

    #[test]
    fn transfer_uses_the_shared_features_only() {
        let table = |names: &[&str], rows: usize| Table {
            ids: (0..rows).map(|i| format!("a{i}")).collect(),
            names: names.iter().map(|s| s.to_string()).collect(),
            x: (0..rows)
                .map(|i| names.iter().map(|_| (i % 20) as f64).collect())
                .collect(),
            y: (0..rows).map(|i| i % 20 >= 10).collect(),
        };
        let train = table(&["a", "b", "extra"], 60);
        let test = table(&["b", "a"], 40);
        let r = transfer(&train, &test).unwrap();
        assert_eq!(r.features, ["a", "b"]);
        assert_eq!(r.test, (40, 20));
        assert_eq!(r.roc_auc, Some(1.0));
        assert!(transfer(&train, &table(&["z"], 10)).is_err());
    }

    #[test]
    fn solve_small_system() {
        let x = solve(vec![vec![2.0, 1.0], vec![1.0, 3.0]], vec![3.0, 5.0]).unwrap();
        assert!((x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12);
    }
}
