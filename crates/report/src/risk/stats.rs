//! The risk report's statistics, each defined once: the empirical quantile (nearest rank), the
//! tail and its expected shortfall, a seeded resampler (SplitMix64) and bootstrap percentile
//! intervals. Quantile levels are in per mille (950 = the 95th percentile), so tail sizes are
//! exact integer arithmetic: 400 paths put exactly 20 in the 5% tail.

use super::Estimate;

/// The fewest paths a tail must hold for a tail statistic to be reported.
pub(crate) const MIN_TAIL: usize = 20;

/// The bootstrap intervals' coverage, per mille: 95% percentile intervals.
pub(crate) const CONFIDENCE: u32 = 950;

/// The nearest-rank quantile of `values` at `per_mille` (the smallest value with at least that
/// share of the values at or below it): the 950‰ quantile of 1..=1000 is 950. Reorders
/// `values`; NaN for none.
pub(crate) fn quantile(values: &mut [f64], per_mille: u32) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let rank = (values.len() * per_mille as usize).div_ceil(1000).max(1);
    *values.select_nth_unstable_by(rank - 1, f64::total_cmp).1
}

/// How many of `n` values lie beyond the `per_mille` quantile: ⌊n × (1 − q)⌋.
pub(crate) fn tail_count(n: usize, per_mille: u32) -> usize {
    n * (1000 - per_mille as usize) / 1000
}

/// The fewest values that put [`MIN_TAIL`] of them beyond the `per_mille` quantile.
pub(crate) fn paths_needed(per_mille: u32) -> usize {
    (MIN_TAIL * 1000).div_ceil(1000 - per_mille as usize)
}

/// Expected shortfall: the mean of the [`tail_count`] largest values (at least the largest one,
/// so a replicate of a small sample still has a number). Reorders `values`; NaN for none.
pub(crate) fn expected_shortfall(values: &mut [f64], per_mille: u32) -> f64 {
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    let k = tail_count(n, per_mille).max(1);
    values.select_nth_unstable_by(n - k, f64::total_cmp);
    mean(&values[n - k..])
}

/// The arithmetic mean; NaN for none.
pub(crate) fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// SplitMix64 (Steele, Lea, Flood 2014): reproducible draws from a seed, no dependency whose
/// algorithm might change between versions. The same idea as the crowd's generator in
/// `breakwater-agents`, which this crate must not depend on.
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator for `seed`, decorrelated per `stream` (an FNV-1a hash of the label), so one
    /// policy's resamples do not depend on which other policies or scenarios the study has.
    pub(crate) fn new(seed: u64, stream: &str) -> Self {
        let hash = stream.bytes().fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
        });
        let mut rng = Self(seed ^ hash.wrapping_mul(0xA076_1D64_78BD_642F));
        rng.next_u64();
        rng
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift: no modulo, bias below n / 2^64).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// Point estimates and 95% bootstrap percentile intervals of several statistics of one sample
/// of `n` items. `statistics` maps a multiset of item indices to one value per statistic: it
/// gets `0..n` for the point estimates, then `resamples` draws of `n` indices with replacement
/// (all statistics see the same draws, so a sample of paired items stays paired). With no
/// resamples the interval is the point.
pub(crate) fn bootstrap(
    n: usize,
    resamples: usize,
    rng: &mut Rng,
    mut statistics: impl FnMut(&[usize]) -> Vec<f64>,
) -> Vec<Estimate> {
    let mut indices: Vec<usize> = (0..n).collect();
    let points = statistics(&indices);
    let mut replicates: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples); points.len()];
    for _ in 0..resamples {
        indices.iter_mut().for_each(|i| *i = rng.below(n));
        for (values, value) in replicates.iter_mut().zip(statistics(&indices)) {
            values.push(value);
        }
    }
    let lower = (1000 - CONFIDENCE) / 2;
    points
        .into_iter()
        .zip(replicates)
        .map(|(value, mut values)| {
            if values.is_empty() {
                return Estimate { value, low: value, high: value };
            }
            let low = quantile(&mut values, lower);
            let high = quantile(&mut values, 1000 - lower);
            Estimate { value, low, high }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_to(n: u32) -> Vec<f64> {
        // Reversed, so nothing relies on sorted input.
        (1..=n).rev().map(f64::from).collect()
    }

    #[test]
    fn quantiles_and_shortfall_of_one_to_a_thousand() {
        let mut v = one_to(1000);
        assert_eq!(quantile(&mut v, 950), 950.0);
        assert_eq!(quantile(&mut v, 990), 990.0);
        assert_eq!(quantile(&mut v, 500), 500.0);
        assert_eq!(quantile(&mut v, 50), 50.0);
        assert_eq!(quantile(&mut v, 0), 1.0, "the lowest rank is the minimum");
        assert_eq!(quantile(&mut v, 1000), 1000.0);
        // The worst 5% are 951..=1000, the worst 1% 991..=1000.
        assert_eq!(expected_shortfall(&mut v, 950), 975.5);
        assert_eq!(expected_shortfall(&mut v, 990), 995.5);
        assert_eq!(mean(&v), 500.5);
        // Ten values: the 95th percentile is the 10th (rank ⌈9.5⌉), the tail is empty, so the
        // shortfall falls back to the largest.
        let mut small = one_to(10);
        assert_eq!(quantile(&mut small, 950), 10.0);
        assert_eq!(expected_shortfall(&mut small, 950), 10.0);
        assert!(quantile(&mut [], 950).is_nan());
    }

    #[test]
    fn tail_sizes_are_exact() {
        assert_eq!(tail_count(399, 950), 19);
        assert_eq!(tail_count(400, 950), 20);
        assert_eq!(tail_count(1999, 990), 19);
        assert_eq!(tail_count(2000, 990), 20);
        assert_eq!(paths_needed(950), 400);
        assert_eq!(paths_needed(990), 2000);
    }

    #[test]
    fn the_generator_is_seeded_per_stream_and_uniform() {
        let draws = |seed, stream| {
            let mut r = Rng::new(seed, stream);
            (0..8).map(|_| r.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(draws(7, "a"), draws(7, "a"));
        assert_ne!(draws(7, "a"), draws(7, "b"));
        assert_ne!(draws(7, "a"), draws(8, "a"));
        let mut r = Rng::new(1, "");
        let mut counts = [0usize; 10];
        for _ in 0..100_000 {
            counts[r.below(10)] += 1;
        }
        assert!(counts.iter().all(|&c| (9_500..10_500).contains(&c)), "{counts:?}");
    }

    #[test]
    fn bootstrap_is_reproducible_and_brackets_its_point() {
        let data = one_to(200);
        let stat = |idx: &[usize]| {
            let mut v: Vec<f64> = idx.iter().map(|&i| data[i]).collect();
            vec![mean(&v), quantile(&mut v, 950)]
        };
        let a = bootstrap(data.len(), 300, &mut Rng::new(5, "x"), stat);
        let b = bootstrap(data.len(), 300, &mut Rng::new(5, "x"), stat);
        let c = bootstrap(data.len(), 300, &mut Rng::new(6, "x"), stat);
        assert_eq!(a, b, "same seed, same intervals");
        assert_ne!(a, c, "another seed, other resamples");
        assert_eq!(a[0].value, 100.5);
        for e in &a {
            assert!(e.low < e.value && e.value < e.high, "{e:?}");
        }
        let none = bootstrap(data.len(), 0, &mut Rng::new(5, "x"), stat);
        assert_eq!((none[0].low, none[0].high), (100.5, 100.5));
    }

    /// Coverage sanity: over many samples of a known distribution, the 95% interval of the mean
    /// contains the true mean about 95% of the time (the percentile bootstrap runs a little
    /// narrow at small n, so the bound allows for that), and is neither a point nor the range.
    #[test]
    fn bootstrap_intervals_of_the_mean_cover_the_true_mean() {
        let mut draw = Rng::new(11, "data");
        let (samples, n, true_mean) = (200, 100, 0.5);
        let mut covered = 0;
        for s in 0..samples {
            let data: Vec<f64> = (0..n).map(|_| draw.next_u64() as f64 / u64::MAX as f64).collect();
            let stat = |idx: &[usize]| vec![idx.iter().map(|&i| data[i]).sum::<f64>() / n as f64];
            let e = bootstrap(n, 400, &mut Rng::new(s, "resample"), stat)[0];
            // The mean of 100 uniforms has a standard error of 0.029: a 95% interval is about
            // 0.11 wide.
            assert!((0.07..0.16).contains(&(e.high - e.low)), "width {e:?}");
            covered += usize::from(e.low <= true_mean && true_mean <= e.high);
        }
        assert!(covered >= 176, "{covered} of {samples} intervals cover the mean");
    }
}
