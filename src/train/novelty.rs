//! "None of these": how unlike everything the model was taught an image is.
//!
//! A softmax over the taught classes cannot say "none of these" (two classes share at least 0.5
//! between them for any image), so the decision reads what the pretrained network makes of the
//! image instead: *ImageNet's view* of it, the softmax of the base classifier's 1001 logits at
//! temperature [`VIEW_TEMPERATURE`] mixing that classifier's weight rows (each normalised), as a
//! unit vector. Two cut-out animals on white are near in the pretrained features but not in this
//! view: ImageNet knows an ibex from a bird. Each taught class is the normalised mean of its
//! training samples' views (a *prototype*); an image's score is its cosine to the nearest
//! prototype. A mean forgives a lone odd training photo, which a nearest-sample rule would let
//! vouch for anything near it. A second look, the *appearance* (the same with the pretrained
//! features themselves), catches what ImageNet names like a taught class but that looks unlike
//! all of its photos (a red flower beside red fruit); it only flags further out
//! ([`super::calibration::APPEARANCE_MARGIN`]). Calibrated on known-class images the prototypes
//! were not made from ([`calibrate`]); measured against the other options in docs/quality.md.

use super::calibration::NoveltyCalibration;
use crate::error::Result;
use crate::infer::read_values;
use burn::module::Param;
use burn::nn::Linear;
use burn::prelude::*;
use burn::tensor::activation::softmax;

/// Training samples per class taken into its prototype (a seeded choice when a class has more).
pub const REFERENCES_PER_CLASS: usize = 64;
/// Cosine similarity of pretrained features from which two samples count as near-copies
/// (webcam frames of one pose): only one is taken into a prototype, and a held-out sample that
/// close to one taken does not calibrate. Near-copies say nothing about how far a new photo may
/// be; kept, they made the calibration demand near-copies (a picked photo of a class taught from
/// webcam frames of it was answered "none of these").
pub const NEAR_COPY: f32 = 0.95;
/// Temperature of the ImageNet softmax that mixes the classifier's rows (T = 3–4 measured best;
/// 1 lets one ImageNet class decide, 8 blurs kinds together: docs/quality.md).
pub const VIEW_TEMPERATURE: f32 = 4.0;

/// Share of held-out known-class images (percent) flagged by default. Photos taken later are less
/// like the training ones than held-out samples are, so the default is low (docs/quality.md).
pub const DEFAULT_STRICTNESS: f32 = 2.0;

/// Two prototypes per taught class: the normalised mean of its training samples' ImageNet views,
/// and of their pretrained features.
#[derive(Module, Debug)]
pub struct Novelty {
    /// `[C, D]`, one unit row per class: ImageNet's view.
    pub prototypes: Param<Tensor<2>>,
    /// `[C, D]`, one unit row per class: the appearance.
    pub appearance: Param<Tensor<2>>,
}

/// What one image scores against the taught classes: `(view, appearance)` similarities.
pub type Similarities = (Vec<f32>, Vec<f32>);

/// Euclidean lengths of `x` along `axis`, kept away from 0: `[N, D]` -> `[N, 1]` (axis 1) or
/// `[1, D]` (axis 0).
fn lengths(x: Tensor<2>, axis: usize) -> Tensor<2> {
    x.powf_scalar(2.0).sum_dim(axis).sqrt().clamp_min(1e-12)
}

/// Rows scaled to unit length: `[N, D] -> [N, D]`.
pub(super) fn normalize(x: Tensor<2>) -> Tensor<2> {
    x.clone() / lengths(x, 1)
}

/// One over the length of each of the ImageNet classifier's rows, `[1, 1001]` (a row of the
/// classifier is a column of burn's `[D, 1001]` weight): weighing the softmax by it mixes the
/// rows as if each had unit length.
pub fn row_scale(classifier: &Linear) -> Tensor<2> {
    lengths(classifier.weight.val(), 0).recip()
}

/// ImageNet's view of images: their pretrained pooled features `[N, D]` through `classifier`
/// (the base network's `[D, 1001]` layer), softmax at [`VIEW_TEMPERATURE`], mixing the
/// classifier's rows scaled to unit length `-> [N, D]`, unit rows. (The ONNX export writes the
/// same steps as graph nodes.)
pub fn imagenet_view(classifier: &Linear, features: Tensor<2>) -> Tensor<2> {
    let mix = softmax(classifier.forward(features) / VIEW_TEMPERATURE, 1) * row_scale(classifier);
    normalize(mix.matmul(classifier.weight.val().transpose()))
}

/// Cosine of each unit row of `x` `[N, D]` to the nearest of the unit `prototypes` `[C, D]` `-> [N]`.
fn nearest(x: Tensor<2>, prototypes: Tensor<2>) -> Tensor<1> {
    let n = x.dims()[0];
    x.matmul(prototypes.transpose()).max_dim(1).reshape([n])
}

impl Novelty {
    /// Prototypes from `[C, D]` class sums of views and of features, scaled to unit length.
    fn new(views: Tensor<2>, features: Tensor<2>) -> Self {
        let fixed = |rows| Param::from_tensor(normalize(rows)).set_require_grad(false);
        Self {
            prototypes: fixed(views),
            appearance: fixed(features),
        }
    }

    /// Zeroed prototypes of a known shape, to load saved ones into.
    pub fn empty(classes: usize, dim: usize, device: &Device) -> Self {
        let zeros = || Tensor::zeros([classes.max(1), dim], device);
        Self::new(zeros(), zeros())
    }

    /// Similarity of each image's view to the nearest class's: `[N, D]` unit views `-> [N]`.
    pub fn view_scores(&self, views: Tensor<2>) -> Tensor<1> {
        nearest(views, self.prototypes.val())
    }

    /// Similarity of each image's appearance to the nearest class's: `[N, D]` pretrained
    /// features (any length) `-> [N]`.
    pub fn appearance_scores(&self, features: Tensor<2>) -> Tensor<1> {
        nearest(normalize(features), self.appearance.val())
    }

    /// Both similarities of images from their pretrained `features` `[N, D]` (`classifier`: the
    /// base network's ImageNet layer).
    pub async fn similarities(
        &self,
        classifier: &Linear,
        features: Tensor<2>,
    ) -> Result<Similarities> {
        let view =
            read_values(self.view_scores(imagenet_view(classifier, features.clone()))).await?;
        Ok((view, read_values(self.appearance_scores(features)).await?))
    }
}

/// The class sums of unit `views` (`[R·D]` row-major, `labels` by row) and each row's
/// leave-one-out score: its cosine to the nearest prototype with itself taken out of its own
/// class's (a class of one has no prototype without it: the other classes' decide).
fn class_sums(views: &[f32], dim: usize, labels: &[usize], classes: usize) -> (Vec<f32>, Vec<f32>) {
    let mut sums = vec![0f32; classes * dim];
    let mut counts = vec![0usize; classes];
    for (row, &label) in views.chunks(dim).zip(labels) {
        counts[label] += 1;
        for (s, v) in sums[label * dim..][..dim].iter_mut().zip(row) {
            *s += v;
        }
    }
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    let cosine = |a: &[f32], b: &[f32]| dot(a, b) / dot(b, b).sqrt().max(1e-12);
    let leave_one_out = views
        .chunks(dim)
        .zip(labels)
        .map(|(row, &label)| {
            let mut best = f32::NEG_INFINITY;
            for (class, sum) in sums.chunks(dim).enumerate() {
                if counts[class] == 0 || (class == label && counts[class] == 1) {
                    continue;
                }
                let score = if class == label {
                    let without: Vec<f32> = sum.iter().zip(row).map(|(s, v)| s - v).collect();
                    cosine(row, &without)
                } else {
                    cosine(row, sum)
                };
                best = best.max(score);
            }
            best
        })
        .collect();
    (sums, leave_one_out)
}

/// The prototypes of `classes` classes from the pretrained `features` `[R, D]` of distinct
/// training samples (`labels` by row), calibrated on each of them against the prototypes
/// without it and on the `held_out` samples' features (near-copies of a training one left out).
pub async fn calibrate(
    classifier: &Linear,
    features: Tensor<2>,
    labels: &[usize],
    classes: usize,
    held_out: Option<Tensor<2>>,
) -> Result<(Novelty, NoveltyCalibration)> {
    let [count, dim] = features.dims();
    let device = features.device();
    let views = read_values(imagenet_view(classifier, features.clone())).await?;
    let unit = normalize(features);
    let looks = read_values(unit.clone()).await?;
    let (view_sums, mut view_scores) = class_sums(&views, dim, labels, classes);
    let (look_sums, mut look_scores) = class_sums(&looks, dim, labels, classes);
    let sums = |values| Tensor::from_data(TensorData::new(values, [classes, dim]), &device);
    let novelty = Novelty::new(sums(view_sums), sums(look_sums));
    if let Some(held_out) = held_out {
        let nearest = normalize(held_out.clone())
            .matmul(unit.transpose())
            .max_dim(1);
        let distinct: Vec<bool> = read_values(nearest)
            .await?
            .into_iter()
            .map(|near| near < NEAR_COPY)
            .collect();
        let (view, look) = novelty.similarities(classifier, held_out).await?;
        let keep = |scores: Vec<f32>| {
            scores
                .into_iter()
                .zip(&distinct)
                .filter(|(_, d)| **d)
                .map(|(s, _)| s)
        };
        view_scores.extend(keep(view));
        look_scores.extend(keep(look));
    }
    Ok((
        novelty,
        NoveltyCalibration::fit(view_scores, look_scores, count),
    ))
}

/// Which candidates are taken into the prototypes (indices into `features`' rows, `[N, D]`):
/// per class, in order, up to [`REFERENCES_PER_CLASS`], skipping near-copies ([`NEAR_COPY`]) of
/// one taken.
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

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // native tests: synchronous readback is fine
mod tests {
    use super::*;
    use burn::nn::LinearConfig;

    fn rows<const W: usize>(values: &[[f32; W]]) -> Tensor<2> {
        let flat: Vec<f32> = values.iter().flatten().copied().collect();
        Tensor::from_data(TensorData::new(flat, [values.len(), W]), &Device::flex())
    }

    fn values<const D: usize>(x: Tensor<D>) -> Vec<f32> {
        x.into_data().try_to_vec::<f32>().expect("f32")
    }

    #[test]
    fn nearest_prototype_cosine() {
        let classes = || rows(&[[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]]);
        let novelty = Novelty::new(classes(), classes());
        let images = || rows(&[[3.0, 0.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 0.0]]);
        let v = values(novelty.view_scores(normalize(images())));
        assert!((v[0] - 1.0).abs() < 1e-6);
        assert!(v[1].abs() < 1e-6);
        assert!((v[2] - 0.5f32.sqrt()).abs() < 1e-6);
        // The appearance takes features of any length.
        let a = values(novelty.appearance_scores(images()));
        assert!(a.iter().zip(&v).all(|(a, v)| (a - v).abs() < 1e-6), "{a:?}");
    }

    #[test]
    fn the_view_mixes_the_classifiers_rows_by_imagenets_softmax() {
        // Two ImageNet classes whose rows are (2, 0, 0) and (0, 0, 1), no bias.
        let mut classifier = LinearConfig::new(3, 2)
            .with_bias(false)
            .init(&Device::flex());
        classifier.weight = Param::from_tensor(rows(&[[2.0, 0.0], [0.0, 0.0], [0.0, 1.0]]));
        // Logits (8, 0) at T = 4: softmax (e²/(e²+1), 1/(e²+1)) over unit rows (1,0,0), (0,0,1).
        let view = values(imagenet_view(&classifier, rows(&[[4.0, 0.0, 0.0]])));
        let (a, b) = (2f32.exp(), 1.0);
        let length = (a * a + b * b).sqrt();
        let expected = [a / length, 0.0, b / length];
        for (v, e) in view.iter().zip(expected) {
            assert!((v - e).abs() < 1e-5, "{view:?} vs {expected:?}");
        }
    }

    #[test]
    fn leave_one_out_takes_the_sample_out_of_its_class() {
        let s = 0.5f32.sqrt();
        // Class 0: (1,0,0) and (s,s,0); class 1: (0,0,1) alone.
        let views = [1.0, 0.0, 0.0, s, s, 0.0, 0.0, 0.0, 1.0];
        let (sums, loo) = class_sums(&views, 3, &[0, 0, 1], 2);
        assert!((sums[0] - (1.0 + s)).abs() < 1e-6 && (sums[5] - 1.0).abs() < 1e-6);
        // Each of class 0 scores against the other alone; class 1's one against class 0's mean.
        assert!(
            (loo[0] - s).abs() < 1e-6 && (loo[1] - s).abs() < 1e-6,
            "{loo:?}"
        );
        assert!(loo[2].abs() < 1e-6, "{loo:?}");
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))] // pollster is a native dependency
    fn near_copies_make_one_reference() {
        let candidates = rows(&[
            [1.0, 0.0, 0.0],
            [0.99, 0.05, 0.0], // a near-copy of the first
            [0.0, 1.0, 0.0],
            [1.0, 0.0, 0.0], // same direction, another class
        ]);
        let kept =
            pollster::block_on(distinct_references(candidates, &[0, 0, 0, 1])).expect("kept");
        assert_eq!(kept, [0, 2, 3]);
    }
}
