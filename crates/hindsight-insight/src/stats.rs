//! Order statistics: medians and percentiles of durations.

use serde::Serialize;

/// The `p`-th quantile (0.0..=1.0) of sorted values, by linear interpolation
/// between the two nearest ranks (the "type 7" rule of R and NumPy): the
/// median of `[1, 2, 3, 4]` is 2.5. `None` for no values.
pub fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let rank = p.clamp(0.0, 1.0) * last as f64;
    let low = rank.floor() as usize;
    let high = rank.ceil() as usize;
    let (a, b) = (sorted[low], sorted[high.min(last)]);
    Some(a + (b - a) * (rank - low as f64))
}

/// A distribution of durations, in minutes, with what could not be measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Distribution {
    /// Postmortems measured.
    pub count: usize,
    /// Postmortems in scope without one of the two milestones (or times) needed.
    pub missing: usize,
    /// Postmortems whose end milestone is before the start one: not counted.
    pub inconsistent: usize,
    pub median_minutes: Option<f64>,
    pub p90_minutes: Option<f64>,
    pub mean_minutes: Option<f64>,
}

impl Distribution {
    /// From measured values (minutes, any order) and the counts of the rest.
    pub fn from_minutes(mut values: Vec<f64>, missing: usize, inconsistent: usize) -> Self {
        values.sort_by(f64::total_cmp);
        let mean = (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64);
        Distribution {
            count: values.len(),
            missing,
            inconsistent,
            median_minutes: quantile(&values, 0.5),
            p90_minutes: quantile(&values, 0.9),
            mean_minutes: mean,
        }
    }
}

/// A share: `hits` of `total`, and how many could not be judged at all.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Rate {
    pub hits: usize,
    pub total: usize,
    /// In scope but not judged (the data needed is missing); not in `total`.
    pub missing: usize,
    /// `hits / total`; `None` when nothing was judged.
    pub rate: Option<f64>,
}

impl Rate {
    pub fn new(hits: usize, total: usize, missing: usize) -> Self {
        Rate {
            hits,
            total,
            missing,
            rate: (total > 0).then(|| hits as f64 / total as f64),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quantiles_interpolate_between_ranks() {
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[7.0], 0.9), Some(7.0));
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.5));
        // p90 of 1..=10: rank 0.9 * 9 = 8.1 -> 9 + 0.1 * (10 - 9).
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert!((quantile(&ten, 0.9).unwrap() - 9.1).abs() < 1e-9);
        let d = Distribution::from_minutes(vec![30.0, 10.0, 20.0], 2, 1);
        assert_eq!((d.count, d.missing, d.inconsistent), (3, 2, 1));
        assert_eq!(d.median_minutes, Some(20.0));
        assert_eq!(d.mean_minutes, Some(20.0));
        assert_eq!(Rate::new(1, 4, 3).rate, Some(0.25));
        assert_eq!(Rate::new(0, 0, 3).rate, None);
    }

    proptest! {
        #[test]
        fn quantiles_are_bounded_and_monotone(
            mut values in prop::collection::vec(-1e6f64..1e6, 1..60),
            p in 0.0f64..=1.0,
            q in 0.0f64..=1.0,
        ) {
            values.sort_by(f64::total_cmp);
            let (lo, hi) = (p.min(q), p.max(q));
            let a = quantile(&values, lo).unwrap();
            let b = quantile(&values, hi).unwrap();
            prop_assert!(a <= b + 1e-9);
            prop_assert!(values[0] <= a + 1e-9 && b <= values[values.len() - 1] + 1e-9);
            let d = Distribution::from_minutes(values.clone(), 0, 0);
            prop_assert!(d.median_minutes.unwrap() <= d.p90_minutes.unwrap() + 1e-9);
        }

        #[test]
        fn order_does_not_matter(values in prop::collection::vec(0f64..1e5, 0..40)) {
            let mut reversed = values.clone();
            reversed.reverse();
            prop_assert_eq!(
                Distribution::from_minutes(values, 0, 0),
                Distribution::from_minutes(reversed, 0, 0)
            );
        }
    }
}
