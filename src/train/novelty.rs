//! "None of these": how unlike everything the model was taught an image is.
//!
//! A softmax over the taught classes cannot say "none of these" (two classes share at least 0.5
//! between them for any image), so the decision reads the features instead: the cosine
//! similarity of an image's pretrained features (the frozen network's pooled 1024-d output,
//! L2-normalised, whatever the run fine-tuned) to the nearest of a set
//! of training samples' features, the *references*. It is calibrated on known-class images the
//! references do not contain — the held-out samples, and each reference against the others — by
//! a normal fit that ignores outliers (median and MAD): flagging below `median − z·spread`, with
//! `z` the normal quantile for `s`%, flags about `s`% of images like the taught ones and more of
//! anything else. A few odd training photos drag raw low percentiles down; the robust fit
//! ignores them (measured on real photos in docs/quality.md).

use crate::error::Result;
use crate::infer::read_values;
use burn::module::Param;
use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// Training samples per class kept as references (a seeded choice when a class has more).
pub const REFERENCES_PER_CLASS: usize = 64;
/// Cosine similarity from which two samples count as near-copies (webcam frames of one pose):
/// only one becomes a reference, and a held-out sample that close to a reference does not
/// calibrate. Near-copies say nothing about how far a new photo may be; kept, they made the
/// calibration demand near-copies (a picked photo of a class taught from webcam frames of it was
/// answered "none of these").
pub const NEAR_COPY: f32 = 0.95;

/// Share of held-out known-class images (percent) flagged by default. Photos taken later are less
/// like the training ones than held-out samples are (measured: at 5%, a quarter of unseen photos
/// of a taught class were flagged; at 1%, none, while 78% of other kinds still were: docs/quality.md).
pub const DEFAULT_STRICTNESS: f32 = 1.0;

/// The references: L2-normalised features of training samples, `[R, D]`.
#[derive(Module, Debug)]
pub struct Novelty {
    /// One row per reference sample.
    pub references: Param<Tensor<2>>,
}

/// Where known-class images score on the similarity to the references: a normal fit robust to
/// outliers. With no scores (one sample a class, nothing held out) nothing is flagged.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NoveltyCalibration {
    /// Median of the known-class scores.
    pub median: f32,
    /// Their spread: the median absolute deviation × 1.4826 (a standard deviation for normal data).
    pub spread: f32,
    /// How many known-class scores the fit comes from.
    pub samples: usize,
    /// How many references the model holds.
    pub references: usize,
}

/// Rows scaled to unit length: `[N, D] -> [N, D]`.
pub(super) fn normalize(x: Tensor<2>) -> Tensor<2> {
    let norm = x
        .clone()
        .powf_scalar(2.0)
        .sum_dim(1)
        .sqrt()
        .clamp_min(1e-12);
    x / norm
}

impl Novelty {
    /// References from raw training features `[R, D]`.
    pub fn new(features: Tensor<2>) -> Self {
        Self {
            references: Param::from_tensor(normalize(features)).set_require_grad(false),
        }
    }

    /// Zeroed references of a known shape, to load saved ones into.
    pub fn empty(count: usize, dim: usize, device: &Device) -> Self {
        Self::new(Tensor::zeros([count.max(1), dim], device))
    }

    /// Similarity of each image to its nearest reference: `[N, D]` features `-> [N]`.
    pub fn scores(&self, features: Tensor<2>) -> Tensor<1> {
        let n = features.dims()[0];
        normalize(features)
            .matmul(self.references.val().transpose())
            .max_dim(1)
            .reshape([n])
    }

    /// Each reference's similarity to its nearest *other* reference `-> [R]` (leave-one-out).
    pub fn self_scores(&self) -> Tensor<1> {
        let refs = self.references.val();
        let [r, _] = refs.dims();
        let mut eye = vec![0f32; r * r];
        for i in 0..r {
            eye[i * r + i] = 4.0; // cosines are ≥ -1: a reference never finds itself
        }
        let eye = Tensor::<2>::from_data(TensorData::new(eye, [r, r]), &refs.device());
        refs.clone()
            .matmul(refs.transpose())
            .sub(eye)
            .max_dim(1)
            .reshape([r])
    }

    /// The fit of known-class scores: held-out `features` (may be empty; near-copies of a
    /// reference left out) and each reference against the others.
    pub async fn calibrate(&self, held_out: Option<Tensor<2>>) -> Result<NoveltyCalibration> {
        let references = self.references.val().dims()[0];
        let mut scores = if references > 1 {
            read_values(self.self_scores()).await?
        } else {
            Vec::new()
        };
        if let Some(features) = held_out {
            let held_out = read_values(self.scores(features)).await?;
            scores.extend(held_out.into_iter().filter(|s| *s < NEAR_COPY));
        }
        Ok(NoveltyCalibration::fit(scores, references))
    }
}

/// Which candidates become references (indices into `features`' rows, `[N, D]`): per class, in
/// order, up to [`REFERENCES_PER_CLASS`], skipping near-copies ([`NEAR_COPY`]) of one kept.
pub async fn distinct_references(features: Tensor<2>, labels: &[usize]) -> Result<Vec<usize>> {
    let [_, dim] = features.dims();
    let values = read_values(normalize(features)).await?;
    let rows: Vec<&[f32]> = values.chunks(dim.max(1)).collect();
    let cosine = |a: usize, b: usize| rows[a].iter().zip(rows[b]).map(|(x, y)| x * y).sum::<f32>();
    let mut kept: Vec<usize> = Vec::new();
    for (i, label) in labels.iter().enumerate().take(rows.len()) {
        let same: Vec<usize> = kept
            .iter()
            .copied()
            .filter(|&k| labels[k] == *label)
            .collect();
        if same.len() < REFERENCES_PER_CLASS && same.iter().all(|&k| cosine(i, k) < NEAR_COPY) {
            kept.push(i);
        }
    }
    Ok(kept)
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

impl NoveltyCalibration {
    /// The robust normal fit of known-class `scores` (non-finite ones are dropped).
    pub fn fit(mut scores: Vec<f32>, references: usize) -> Self {
        scores.retain(|s| s.is_finite());
        let Some(middle) = median(&mut scores) else {
            return Self {
                references,
                ..Self::default()
            };
        };
        let mut deviations: Vec<f32> = scores.iter().map(|s| (s - middle).abs()).collect();
        let mad = median(&mut deviations).unwrap_or(0.0);
        Self {
            median: middle,
            spread: mad * 1.4826,
            samples: scores.len(),
            references,
        }
    }

    /// The similarity below which an image is "none of these" at `strictness` (the percent of
    /// known-class images flagged, 0..100); `-∞` (never) at 0 or when uncalibrated.
    pub fn threshold(&self, strictness: f32) -> f32 {
        if self.samples == 0 || strictness <= 0.0 {
            return f32::NEG_INFINITY;
        }
        let z = normal_quantile(1.0 - f64::from(strictness.min(99.0)) / 100.0);
        self.median - self.spread * z as f32
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // native tests: synchronous readback is fine
mod tests {
    use super::*;

    fn features(rows: &[[f32; 3]]) -> Tensor<2> {
        let flat: Vec<f32> = rows.iter().flatten().copied().collect();
        Tensor::from_data(TensorData::new(flat, [rows.len(), 3]), &Device::flex())
    }

    #[test]
    fn nearest_reference_cosine() {
        let novelty = Novelty::new(features(&[[1.0, 0.0, 0.0], [0.0, 2.0, 0.0]]));
        let scores = novelty.scores(features(&[
            [3.0, 0.0, 0.0],
            [0.0, 0.0, 1.0],
            [1.0, 1.0, 0.0],
        ]));
        let v = scores.into_data().try_to_vec::<f32>().expect("f32");
        assert!((v[0] - 1.0).abs() < 1e-6);
        assert!(v[1].abs() < 1e-6);
        assert!((v[2] - 0.5f32.sqrt()).abs() < 1e-6);
        let own = novelty
            .self_scores()
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32");
        assert!(own.iter().all(|s| s.abs() < 1e-6), "{own:?}");
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))] // pollster is a native dependency
    fn near_copies_make_one_reference() {
        let candidates = features(&[
            [1.0, 0.0, 0.0],
            [0.99, 0.05, 0.0], // a near-copy of the first
            [0.0, 1.0, 0.0],
            [1.0, 0.0, 0.0], // same direction, another class
        ]);
        let kept =
            pollster::block_on(distinct_references(candidates, &[0, 0, 0, 1])).expect("kept");
        assert_eq!(kept, [0, 2, 3]);
    }

    #[test]
    fn normal_quantiles() {
        assert!(normal_quantile(0.5).abs() < 1e-9);
        assert!((normal_quantile(0.95) - 1.644_853_6).abs() < 1e-6);
        assert!((normal_quantile(0.01) + 2.326_347_9).abs() < 1e-6);
        assert!((normal_quantile(0.999) - 3.090_232_3).abs() < 1e-6);
    }

    #[test]
    fn robust_fit_and_threshold() {
        // A normal-ish bulk and two outliers far below: the fit follows the bulk.
        let mut scores: Vec<f32> = (0..40).map(|i| 0.7 + (i as f32 - 19.5) * 0.005).collect();
        scores.extend([0.1, 0.2, f32::NAN]);
        let fit = NoveltyCalibration::fit(scores, 42);
        assert_eq!(fit.samples, 42);
        assert!((fit.median - 0.7).abs() < 0.01, "{fit:?}");
        assert!(fit.spread > 0.05 && fit.spread < 0.2, "{fit:?}");
        let t = fit.threshold(5.0);
        assert!((t - (fit.median - 1.644_853_6 * fit.spread)).abs() < 1e-5);
        assert!(fit.threshold(DEFAULT_STRICTNESS) < t);
        assert!(
            fit.threshold(1.0) < t && t < fit.threshold(20.0),
            "stricter means higher"
        );
        assert_eq!(fit.threshold(0.0), f32::NEG_INFINITY);
        assert_eq!(
            NoveltyCalibration::default().threshold(5.0),
            f32::NEG_INFINITY
        );
    }
}
