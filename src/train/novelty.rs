//! "None of these": how unlike everything the model was taught an image is.
//!
//! A softmax over the taught classes cannot say "none of these" (two classes share at least 0.5
//! between them for any image), so the decision reads the features instead: the cosine
//! similarity of an image's features (the head's input, L2-normalised) to the nearest of a set
//! of training samples' features, the *references*. It is calibrated on known-class images the
//! references do not contain — the held-out samples, and each reference against the others — so
//! that flagging below the `s`-th percentile of their scores flags about `s`% of images like the
//! taught ones, and more of anything else.

use crate::error::Result;
use crate::infer::read_values;
use burn::module::Param;
use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// Training samples per class kept as references (a seeded choice when a class has more).
pub const REFERENCES_PER_CLASS: usize = 64;
/// Share of known-class images (percent) flagged by default: 95% of them are kept.
pub const DEFAULT_STRICTNESS: f32 = 5.0;

/// The references: L2-normalised features of training samples, `[R, D]`.
#[derive(Module, Debug)]
pub struct Novelty {
    /// One row per reference sample.
    pub references: Param<Tensor<2>>,
}

/// Where known-class images score: the percentiles 0..=100 of their similarity to the
/// references (empty when nothing could be calibrated: then nothing is flagged).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NoveltyCalibration {
    /// `quantiles[p]`: the p-th percentile of known-class scores (101 values, ascending).
    pub quantiles: Vec<f32>,
    /// How many known-class scores the percentiles come from.
    pub samples: usize,
    /// How many references the model holds.
    pub references: usize,
}

/// Rows scaled to unit length: `[N, D] -> [N, D]`.
fn normalize(x: Tensor<2>) -> Tensor<2> {
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

    /// Percentiles of known-class scores: held-out `features` (may be empty) and leave-one-out.
    pub async fn calibrate(&self, held_out: Option<Tensor<2>>) -> Result<NoveltyCalibration> {
        let references = self.references.val().dims()[0];
        let mut scores = if references > 1 {
            read_values(self.self_scores()).await?
        } else {
            Vec::new()
        };
        if let Some(features) = held_out {
            scores.extend(read_values(self.scores(features)).await?);
        }
        Ok(NoveltyCalibration {
            quantiles: percentiles(scores.clone()),
            samples: scores.len(),
            references,
        })
    }
}

/// The 0th..=100th percentiles of `values` (linear interpolation); empty for no values.
pub fn percentiles(mut values: Vec<f32>) -> Vec<f32> {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return Vec::new();
    }
    values.sort_by(f32::total_cmp);
    (0..=100)
        .map(|p| interpolate(&values, p as f32 / 100.0))
        .collect()
}

/// The value at fraction `q` of sorted `values`.
fn interpolate(values: &[f32], q: f32) -> f32 {
    let at = q.clamp(0.0, 1.0) * (values.len() - 1) as f32;
    let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
    values[lo] + (values[hi] - values[lo]) * (at - lo as f32)
}

impl NoveltyCalibration {
    /// The similarity below which an image is "none of these" at `strictness` (the percent of
    /// known-class images flagged, 0..=100); `-∞` (never) when uncalibrated.
    pub fn threshold(&self, strictness: f32) -> f32 {
        if self.quantiles.is_empty() {
            return f32::NEG_INFINITY;
        }
        interpolate(&self.quantiles, strictness / 100.0)
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
    fn percentiles_and_threshold() {
        let q = percentiles((0..=100).map(|i| i as f32 / 100.0).collect());
        assert_eq!(q.len(), 101);
        assert!((q[5] - 0.05).abs() < 1e-6);
        let calibration = NoveltyCalibration {
            quantiles: q,
            samples: 101,
            references: 0,
        };
        assert!((calibration.threshold(DEFAULT_STRICTNESS) - 0.05).abs() < 1e-6);
        assert!((calibration.threshold(2.5) - 0.025).abs() < 1e-6);
        assert_eq!(
            NoveltyCalibration::default().threshold(5.0),
            f32::NEG_INFINITY
        );
        assert!(percentiles(vec![f32::NAN]).is_empty());
    }
}
