//! The simulator's random numbers: a fixed, portable generator (xoshiro256++), seed derivation,
//! the few distributions the world needs, and keyed bijections that turn indices into ids.
//!
//! The generator is written out here rather than taken from a crate so that a seed means the
//! same world on every platform and every future dependency version.

/// SplitMix64's finaliser: a strong 64-bit mixing function.
#[inline]
pub(crate) fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The seed of stream `(tag, index)` under `master`: independent streams for independent parts
/// of the world, so that no part's randomness depends on how much another part consumed.
#[inline]
pub(crate) fn derive(master: u64, tag: u64, index: u64) -> u64 {
    mix64(mix64(master ^ mix64(tag)).wrapping_add(index))
}

/// Stream tags (arbitrary distinct constants).
pub(crate) mod tag {
    pub(crate) const ACCOUNTS: u64 = 1;
    pub(crate) const FOLLOWS: u64 = 2;
    pub(crate) const POSTS: u64 = 3;
    pub(crate) const DEVICES: u64 = 4;
    pub(crate) const DAY: u64 = 5;
    pub(crate) const SPECIAL: u64 = 6;
    pub(crate) const OPS: u64 = 7;
    pub(crate) const IDS: u64 = 8;
}

/// xoshiro256++: small, fast, good enough for simulation, and fully specified.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator seeded from one `u64` (through SplitMix64, as the authors recommend).
    pub(crate) fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut s = [0u64; 4];
        for v in &mut s {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            *v = mix64(x.wrapping_sub(0x9E37_79B9_7F4A_7C15));
        }
        if s == [0; 4] {
            s[0] = 1;
        }
        Self { s }
    }

    /// The generator of stream `(tag, index)` under `master`.
    pub(crate) fn stream(master: u64, tag: u64, index: u64) -> Self {
        Self::new(derive(master, tag, index))
    }

    /// The next 64 random bits.
    #[inline]
    pub(crate) fn u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, 1)`.
    #[inline]
    pub(crate) fn f64(&mut self) -> f64 {
        (self.u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `0..n` (`n > 0`), by Lemire's multiply-shift (bias below 2^-32).
    #[inline]
    pub(crate) fn below(&mut self, n: u32) -> u32 {
        debug_assert!(n > 0);
        (((self.u64() >> 32) * n as u64) >> 32) as u32
    }

    /// Uniform in `0..n` for a `usize` bound.
    #[inline]
    pub(crate) fn index(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        ((self.u64() as u128 * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    #[inline]
    pub(crate) fn range_u32(&mut self, lo: u32, hi: u32) -> u32 {
        if hi <= lo {
            return lo;
        }
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[lo, hi)`.
    #[inline]
    pub(crate) fn range_f64(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    /// Uniform in `lo..hi` for times (`hi > lo`; returns `lo` otherwise).
    #[inline]
    pub(crate) fn range_i64(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + ((self.u64() as u128 * (hi - lo) as u128) >> 64) as i64
    }

    /// True with probability `p`.
    #[inline]
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// A uniformly chosen element of a non-empty slice.
    #[inline]
    pub(crate) fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.index(xs.len())]
    }

    /// Standard normal (Box–Muller, one value per call).
    pub(crate) fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.f64();
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Exponential with the given mean.
    #[inline]
    pub(crate) fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.f64()).ln()
    }

    /// Log-normal: `exp(mu + sigma * N(0,1))`.
    pub(crate) fn lognormal(&mut self, mu: f64, sigma: f64) -> f64 {
        (mu + sigma * self.normal()).exp()
    }

    /// Poisson with mean `lambda` (Knuth below 30, a rounded normal above).
    pub(crate) fn poisson(&mut self, lambda: f64) -> u32 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda < 30.0 {
            let l = (-lambda).exp();
            let mut k = 0u32;
            let mut p = 1.0;
            loop {
                p *= self.f64();
                if p <= l {
                    return k;
                }
                k += 1;
            }
        }
        let x = lambda + lambda.sqrt() * self.normal();
        x.round().max(0.0) as u32
    }

    /// Picks from `weights` (need not sum to one) by linear scan; for short tables.
    pub(crate) fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// Shuffles `xs` in place (Fisher–Yates).
    pub(crate) fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.index(i + 1);
            xs.swap(i, j);
        }
    }

    /// `k` distinct indices from `0..n` (all of them when `k >= n`), in random order.
    pub(crate) fn sample_distinct(&mut self, n: usize, k: usize) -> Vec<u32> {
        if k >= n {
            let mut v: Vec<u32> = (0..n as u32).collect();
            self.shuffle(&mut v);
            return v;
        }
        if k * 4 > n {
            let mut v: Vec<u32> = (0..n as u32).collect();
            // Partial Fisher–Yates.
            for i in 0..k {
                let j = i + self.index(n - i);
                v.swap(i, j);
            }
            v.truncate(k);
            return v;
        }
        let mut out: Vec<u32> = Vec::with_capacity(k);
        let mut seen = std::collections::BTreeSet::new();
        while out.len() < k {
            let x = self.index(n) as u32;
            if seen.insert(x) {
                out.push(x);
            }
        }
        out
    }
}

/// A cumulative-weight table for repeated weighted draws (binary search, `O(log n)`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Cdf {
    cum: Vec<f64>,
}

impl Cdf {
    /// The table of `weights`.
    pub(crate) fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut acc = 0.0;
        let cum = weights
            .into_iter()
            .map(|w| {
                acc += w.max(0.0);
                acc
            })
            .collect();
        Self { cum }
    }

    /// Whether there is nothing to draw (no entries or zero total weight).
    pub(crate) fn is_empty(&self) -> bool {
        self.cum.last().is_none_or(|&t| t <= 0.0)
    }

    /// A weighted index; the table must not be empty.
    #[inline]
    pub(crate) fn sample(&self, rng: &mut Rng) -> usize {
        let total = *self.cum.last().expect("non-empty table");
        let x = rng.f64() * total;
        self.cum
            .partition_point(|&c| c <= x)
            .min(self.cum.len() - 1)
    }
}

/// Walker's alias table over items: `O(1)` weighted draws touching one 12-byte slot, for the
/// large per-bucket post pools.
#[derive(Debug, Clone, Default)]
pub(crate) struct Alias {
    slots: Vec<(f32, u32, u32)>,
}

impl Alias {
    /// The table drawing `items[i]` with weight `weights[i]` (Vose's construction, `O(n)`).
    pub(crate) fn new(items: &[u32], weights: &[f64]) -> Self {
        let n = weights.len();
        let total: f64 = weights.iter().map(|w| w.max(0.0)).sum();
        if n == 0 || total <= 0.0 {
            return Self::default();
        }
        let scale = n as f64 / total;
        let mut p: Vec<f64> = weights.iter().map(|w| w.max(0.0) * scale).collect();
        let mut alias = vec![0u32; n];
        let (mut small, mut large): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
        for (i, &x) in p.iter().enumerate() {
            if x < 1.0 {
                small.push(i as u32)
            } else {
                large.push(i as u32)
            }
        }
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            alias[s as usize] = l;
            p[l as usize] -= 1.0 - p[s as usize];
            if p[l as usize] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        for i in large.into_iter().chain(small) {
            p[i as usize] = 1.0;
            alias[i as usize] = i;
        }
        let slots = (0..n)
            .map(|i| (p[i] as f32, items[i], items[alias[i] as usize]))
            .collect();
        Self { slots }
    }

    /// Whether there is nothing to draw.
    pub(crate) fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// A weighted item; the table must not be empty.
    #[inline]
    pub(crate) fn sample(&self, rng: &mut Rng) -> u32 {
        let x = rng.u64();
        let i = (((x >> 32) * self.slots.len() as u64) >> 32) as usize;
        let u = (x & 0xFFFF_FFFF) as f32 * (1.0 / 4_294_967_296.0);
        let (p, a, b) = self.slots[i];
        if u < p { a } else { b }
    }
}

/// A keyed bijection on `[0, 2^40)`: a four-round Feistel network over two 20-bit halves.
/// Turns dense indices into ids that look random and reveal neither order nor kind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scramble {
    keys: [u64; 4],
}

impl Scramble {
    /// The bijection keyed by `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            keys: [
                mix64(seed),
                mix64(seed ^ 1),
                mix64(seed ^ 2),
                mix64(seed ^ 3),
            ],
        }
    }

    /// The image of `x` (`x < 2^40`).
    #[inline]
    pub(crate) fn apply(&self, x: u64) -> u64 {
        const M: u64 = (1 << 20) - 1;
        let (mut l, mut r) = ((x >> 20) & M, x & M);
        for k in self.keys {
            let f = mix64(r ^ k) & M;
            (l, r) = (r, l ^ f);
        }
        (l << 20) | r
    }
}

const B36: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Appends `x` in base 36, at least `width` digits (zero-padded).
pub(crate) fn push_base36(out: &mut String, mut x: u64, width: usize) {
    let mut buf = [0u8; 16];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = B36[(x % 36) as usize];
        x /= 36;
        if x == 0 && buf.len() - i >= width {
            break;
        }
    }
    out.extend(buf[i..].iter().map(|&b| b as char));
}

/// Appends `x` as `digits` lower-case hex digits.
pub(crate) fn push_hex(out: &mut String, x: u64, digits: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for k in (0..digits).rev() {
        out.push(HEX[((x >> (4 * k)) & 15) as usize] as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scramble_is_a_bijection_on_a_sample() {
        let s = Scramble::new(7);
        let mut seen = std::collections::BTreeSet::new();
        for x in 0..50_000u64 {
            let y = s.apply(x);
            assert!(y < 1 << 40);
            assert!(seen.insert(y));
        }
    }

    #[test]
    fn alias_follows_weights() {
        let a = Alias::new(&[0, 1, 2], &[1.0, 0.0, 3.0]);
        let mut r = Rng::new(5);
        let mut c = [0u32; 3];
        for _ in 0..40_000 {
            c[a.sample(&mut r) as usize] += 1;
        }
        assert_eq!(c[1], 0);
        let ratio = c[2] as f64 / c[0] as f64;
        assert!((ratio - 3.0).abs() < 0.2, "{ratio}");
    }

    #[test]
    fn base36_pads_and_encodes() {
        let mut s = String::new();
        push_base36(&mut s, 0, 1);
        push_base36(&mut s, 35, 3);
        push_base36(&mut s, 36, 1);
        assert_eq!(s, "000z10");
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::stream(1, 2, 3).u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::stream(1, 2, 3).u64(), Rng::stream(1, 2, 4).u64());
    }

    #[test]
    fn poisson_mean_is_close() {
        let mut r = Rng::new(3);
        for lambda in [0.5, 4.0, 80.0] {
            let n = 20_000;
            let sum: u64 = (0..n).map(|_| r.poisson(lambda) as u64).sum();
            let mean = sum as f64 / n as f64;
            assert!(
                (mean - lambda).abs() < lambda * 0.05 + 0.05,
                "{lambda} {mean}"
            );
        }
    }
}
