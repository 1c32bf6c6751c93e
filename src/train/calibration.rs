//! Where known-class images score on the two "none of these" similarities, the threshold a
//! strictness asks for, and the one likeness the two make.
//!
//! The decision is made in the left tail (known images that score low), so each fit reads that
//! tail: the median and the *lower semi-deviation* (the root mean square distance below the
//! median of the scores under it). Flagging below `median − z · spread`, with `z` the normal
//! quantile for `s`%, flags about `s`% of images like the taught ones. A symmetric fit (median
//! and MAD) let a tight bulk hide a long left tail; measured against it in docs/quality.md.
//!
//! ImageNet's view decides at the strictness asked for; the appearance (pretrained features)
//! only flags what lies [`APPEARANCE_MARGIN`] spreads further out. [`NoveltyCalibration::likeness`]
//! folds both into the view's scale, so one threshold decides.

use serde::{Deserialize, Serialize};

/// How much further out (in spreads of its own fit) the appearance must fall than the view to
/// flag an image: at the default 2% the view flags below z = 2.05 spreads, the appearance below
/// 2.81 (0.25%). It catches what ImageNet names like a taught class but that looks unlike any of
/// its photos (a red flower beside red fruit); measured in docs/quality.md.
pub const APPEARANCE_MARGIN: f32 = 0.75;

/// Median and lower semi-deviation of one similarity's known-class scores.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreFit {
    /// Median of the known-class scores.
    pub median: f32,
    /// Their lower semi-deviation: √(mean of (median − s)² over the scores s ≤ median).
    pub spread: f32,
}

/// The fits of known-class scores. With none (one sample a class, nothing held out) nothing is
/// flagged.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NoveltyCalibration {
    /// Of ImageNet's view's similarity.
    pub view: ScoreFit,
    /// Of the appearance's (pretrained features') similarity.
    pub appearance: ScoreFit,
    /// How many known-class scores the fits come from.
    pub samples: usize,
    /// How many training samples the class means were taken over.
    pub references: usize,
}

/// The median of `values` (sorted in place); `None` for none.
fn median(values: &mut [f32]) -> Option<f32> {
    values.sort_by(f32::total_cmp);
    let n = values.len();
    (n > 0).then(|| (values[(n - 1) / 2] + values[n / 2]) / 2.0)
}

/// The standard normal quantile of `p` in (0, 1) (Acklam's rational approximation, relative
/// error below 1.2e-9).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383_577_518_672_69e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

impl ScoreFit {
    /// The fit of `scores` (finite ones, sorted in place); `None` for none.
    fn of(scores: &mut Vec<f32>) -> Option<Self> {
        scores.retain(|s| s.is_finite());
        let middle = median(scores)?;
        let below: Vec<f32> = scores.iter().copied().filter(|s| *s <= middle).collect();
        let square = below.iter().map(|s| (middle - s).powi(2)).sum::<f32>() / below.len() as f32;
        Some(Self {
            median: middle,
            spread: square.sqrt(),
        })
    }
}

impl NoveltyCalibration {
    /// The fits of known-class `view` and `appearance` scores (one pair per image; non-finite
    /// ones are dropped) from `references` samples.
    pub fn fit(mut view: Vec<f32>, mut appearance: Vec<f32>, references: usize) -> Self {
        let samples = view.iter().filter(|s| s.is_finite()).count();
        match (ScoreFit::of(&mut view), ScoreFit::of(&mut appearance)) {
            (Some(view), Some(appearance)) => Self {
                view,
                appearance,
                samples,
                references,
            },
            _ => Self {
                references,
                ..Self::default()
            },
        }
    }

    /// `(a, b)` such that an appearance similarity `s` reads `a · s + b` on the view's scale: as
    /// far below the view's threshold at any strictness as `s` is below the appearance's
    /// threshold [`APPEARANCE_MARGIN`] spreads further out. `None` when the appearance has no
    /// spread to measure in (then the view alone decides).
    pub fn appearance_on_view_scale(&self) -> Option<(f32, f32)> {
        let (view, look) = (self.view, self.appearance);
        (look.spread > 0.0).then(|| {
            let a = view.spread / look.spread;
            (
                a,
                view.median + view.spread * APPEARANCE_MARGIN - a * look.median,
            )
        })
    }

    /// The likeness of an image to the taught classes: its view's similarity, or its
    /// appearance's on the view's scale where that is lower. Under [`Self::threshold`] it is
    /// "none of these".
    pub fn likeness(&self, view: f32, appearance: f32) -> f32 {
        match self.appearance_on_view_scale() {
            Some((a, b)) => view.min(a * appearance + b),
            None => view,
        }
    }

    /// The likeness below which an image is "none of these" at `strictness` (the percent of
    /// known-class images flagged by the view, 0..100); `-∞` (never) at 0 or when uncalibrated.
    pub fn threshold(&self, strictness: f32) -> f32 {
        if self.samples == 0 || strictness <= 0.0 {
            return f32::NEG_INFINITY;
        }
        let z = normal_quantile(1.0 - f64::from(strictness.min(99.0)) / 100.0);
        self.view.median - self.view.spread * z as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantiles() {
        assert!(normal_quantile(0.5).abs() < 1e-9);
        assert!((normal_quantile(0.95) - 1.644_853_6).abs() < 1e-6);
        assert!((normal_quantile(0.01) + 2.326_347_9).abs() < 1e-6);
        assert!((normal_quantile(0.999) - 3.090_232_3).abs() < 1e-6);
    }

    #[test]
    fn the_fit_reads_the_left_tail() {
        // A tight bulk above the median and a long tail below it: the spread is the tail's.
        let mut scores: Vec<f32> = (0..20).map(|i| 0.8 + i as f32 * 0.001).collect();
        scores.extend((0..19).map(|i| 0.8 - i as f32 * 0.01));
        scores.push(f32::NAN);
        let fit = NoveltyCalibration::fit(scores.clone(), scores, 40);
        assert_eq!(fit.samples, 39);
        assert!((fit.view.median - 0.8).abs() < 1e-6, "{fit:?}");
        let expected = ((0..19).map(|i| (i as f32 * 0.01).powi(2)).sum::<f32>() / 20.0).sqrt();
        assert!(
            (fit.view.spread - expected).abs() < 1e-5,
            "{fit:?} vs {expected}"
        );
        let t = fit.threshold(5.0);
        assert!((t - (fit.view.median - 1.644_853_6 * fit.view.spread)).abs() < 1e-5);
        assert!(
            fit.threshold(2.0) < t && t < fit.threshold(20.0),
            "stricter means higher"
        );
        assert_eq!(fit.threshold(0.0), f32::NEG_INFINITY);
        assert_eq!(
            NoveltyCalibration::default().threshold(5.0),
            f32::NEG_INFINITY
        );
    }

    #[test]
    fn the_appearance_flags_only_further_out() {
        let fit = NoveltyCalibration {
            view: ScoreFit {
                median: 0.8,
                spread: 0.1,
            },
            appearance: ScoreFit {
                median: 0.6,
                spread: 0.05,
            },
            samples: 40,
            references: 40,
        };
        let (s, z) = (2.0, normal_quantile(0.98) as f32);
        let threshold = fit.threshold(s);
        // The appearance's own threshold, APPEARANCE_MARGIN spreads beyond the view's z.
        let look_threshold = 0.6 - 0.05 * (z + APPEARANCE_MARGIN);
        for look in [look_threshold - 0.01, look_threshold + 0.01] {
            let flagged = fit.likeness(0.9, look) < threshold;
            assert_eq!(flagged, look < look_threshold, "appearance {look}");
        }
        // A typical appearance leaves the view's similarity as it is.
        assert_eq!(fit.likeness(0.5, 0.6), 0.5);
        // No appearance spread: the view alone.
        let flat = NoveltyCalibration {
            appearance: ScoreFit::default(),
            ..fit
        };
        assert_eq!(flat.likeness(0.9, -1.0), 0.9);
    }
}
