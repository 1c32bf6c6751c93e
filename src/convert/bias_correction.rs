//! Bias correction for the int16 kernels, from the graph alone (Nagel et al., "Data-Free
//! Quantization Through Weight Equalization and Bias Correction", ICCV 2019, §4.2).
//!
//! Rounding a kernel by δw moves output channel o by Σᵢ δw[o, i] · xᵢ; its expected part,
//! Σᵢ δw[o, i] · E[xᵢ], is a constant the layer's BatchNorm running mean absorbs (the classifier's
//! bias, with the opposite sign). Each kernel reads ReLU6 of the BatchNorm before it, whose output
//! per channel has mean β and standard deviation |γ| (what BatchNorm normalises to); taking it as
//! normal gives E[xᵢ] in closed form. On 366 real photos this takes the int16 pointwise kernels'
//! largest |Δprobability| against TensorFlow from 1.1e-3 to 2.7e-4 (docs/benchmarks.md).

use super::Tensor;
use crate::error::{Error, Result};
use crate::model::BLOCK_COUNT;
use crate::weights::int16;
use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// How a kernel's elements meet its input channels.
#[derive(Clone, Copy)]
enum Kind {
    /// `[O, I, H, W]`.
    Conv,
    /// `[C, 1, H, W]`: channel c reads input channel c.
    Depthwise,
    /// `[I, O]`.
    Linear,
}

/// One kernel to correct: its path, how it is laid out, the BatchNorm (path prefix) whose ReLU6
/// output it reads, the vector absorbing the shift and the sign it is added with.
struct Correction {
    kernel: String,
    kind: Kind,
    input_bn: String,
    target: String,
    sign: f64,
}

/// Every kernel of MobileNetV1 after the stem (the stem reads the image, not a BatchNorm).
fn corrections() -> Vec<Correction> {
    let conv = |path: &str, kind, input_bn: String| Correction {
        kernel: format!("{path}.conv.weight"),
        kind,
        input_bn,
        target: format!("{path}.bn.running_mean"),
        sign: 1.0,
    };
    let mut out = Vec::new();
    let mut input_bn = "stem.bn".to_string();
    for i in 0..BLOCK_COUNT {
        let depthwise = format!("blocks.{i}.depthwise");
        let pointwise = format!("blocks.{i}.pointwise");
        out.push(conv(&depthwise, Kind::Depthwise, input_bn.clone()));
        out.push(conv(&pointwise, Kind::Conv, format!("{depthwise}.bn")));
        input_bn = format!("{pointwise}.bn");
    }
    // Through global average pooling, which keeps the mean.
    out.push(Correction {
        kernel: "classifier.weight".into(),
        kind: Kind::Linear,
        input_bn,
        target: "classifier.bias".into(),
        sign: -1.0,
    });
    out
}

/// Moves every BatchNorm running mean (and the classifier's bias) by the expected shift of its
/// kernel's output once the kernel is stored as [`int16`] does. `tensors` holds the model's
/// tensors in burn's layout.
pub fn correct(tensors: &mut [Tensor]) -> Result<()> {
    for c in corrections() {
        let (shape, values) = find(tensors, &c.kernel)?;
        let rounded = int16::round_trip(shape, values);
        let delta: Vec<f64> = rounded
            .iter()
            .zip(values)
            .map(|(r, v)| f64::from(r - v))
            .collect();
        let beta = find(tensors, &format!("{}.beta", c.input_bn))?.1;
        let gamma = find(tensors, &format!("{}.gamma", c.input_bn))?.1;
        let means: Vec<f64> = beta
            .iter()
            .zip(gamma)
            .map(|(&b, &g)| relu6_mean(f64::from(b), f64::from(g)))
            .collect();
        let shift = output_shift(c.kind, shape, &delta, &means)
            .ok_or_else(|| Error::Graph(format!("`{}` does not fit its input", c.kernel)))?;
        let target = tensors
            .iter_mut()
            .find(|(name, ..)| *name == c.target)
            .ok_or_else(|| Error::MissingTensor(c.target.clone()))?;
        if target.2.len() != shift.len() {
            return Err(Error::Graph(format!(
                "`{}` does not fit `{}`",
                c.target, c.kernel
            )));
        }
        for (v, s) in target.2.iter_mut().zip(shift) {
            *v = (f64::from(*v) + c.sign * s) as f32;
        }
    }
    Ok(())
}

fn find<'a>(tensors: &'a [Tensor], name: &str) -> Result<(&'a [usize], &'a [f32])> {
    tensors
        .iter()
        .find(|(n, ..)| n == name)
        .map(|(_, shape, values)| (shape.as_slice(), values.as_slice()))
        .ok_or_else(|| Error::MissingTensor(name.to_owned()))
}

/// Σᵢ δw[o, i, …] · E[xᵢ] per output channel o; `None` if the shapes disagree.
fn output_shift(kind: Kind, shape: &[usize], delta: &[f64], means: &[f64]) -> Option<Vec<f64>> {
    match (kind, shape) {
        (Kind::Conv, &[o, i, h, w]) if i == means.len() => Some(
            delta
                .chunks_exact(i * h * w)
                .map(|out| {
                    out.chunks_exact(h * w)
                        .zip(means)
                        .map(|(taps, m)| taps.iter().sum::<f64>() * m)
                        .sum()
                })
                .take(o)
                .collect(),
        ),
        (Kind::Depthwise, &[c, 1, h, w]) if c == means.len() => Some(
            delta
                .chunks_exact(h * w)
                .zip(means)
                .map(|(taps, m)| taps.iter().sum::<f64>() * m)
                .collect(),
        ),
        (Kind::Linear, &[i, o]) if i == means.len() => {
            let mut shift = vec![0.0; o];
            for (row, m) in delta.chunks_exact(o).zip(means) {
                for (s, d) in shift.iter_mut().zip(row) {
                    *s += d * m;
                }
            }
            Some(shift)
        }
        _ => None,
    }
}

/// E[min(max(z, 0), 6)] for z ~ N(beta, gamma²).
fn relu6_mean(beta: f64, gamma: f64) -> f64 {
    let sd = gamma.abs();
    if sd == 0.0 {
        return beta.clamp(0.0, 6.0);
    }
    // libm's exp, not std's: the same bits natively and in wasm (where set-up converts).
    let pdf = |x: f64| libm::exp(-x * x / 2.0) / (2.0 * PI).sqrt();
    // Φ(x) and 1 − Φ(x) through erfc, accurate in both tails.
    let cdf = |x: f64| libm::erfc(-x * FRAC_1_SQRT_2) / 2.0;
    let upper_tail = |x: f64| libm::erfc(x * FRAC_1_SQRT_2) / 2.0;
    let (a, b) = (-beta / sd, (6.0 - beta) / sd);
    beta * (cdf(b) - cdf(a)) + sd * (pdf(a) - pdf(b)) + 6.0 * upper_tail(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relu6_mean_matches_numerical_integration() {
        for (beta, gamma) in [
            (0.0, 1.0),
            (2.5, 0.7),
            (-1.0, 3.0),
            (5.5, -2.0),
            (40.0, 1.0),
        ] {
            let sd = f64::abs(gamma);
            let steps = 200_000;
            let (lo, hi) = (beta - 12.0 * sd, beta + 12.0 * sd);
            let dz = (hi - lo) / steps as f64;
            let numeric: f64 = (0..steps)
                .map(|k| {
                    let z = lo + (k as f64 + 0.5) * dz;
                    let density =
                        (-(z - beta).powi(2) / (2.0 * sd * sd)).exp() / (sd * (2.0 * PI).sqrt());
                    z.clamp(0.0, 6.0) * density * dz
                })
                .sum();
            let closed = relu6_mean(beta, gamma);
            assert!(
                (closed - numeric).abs() < 1e-6,
                "{beta}, {gamma}: {closed} vs {numeric}"
            );
        }
        assert_eq!(relu6_mean(7.0, 0.0), 6.0);
        assert_eq!(relu6_mean(-1.0, 0.0), 0.0);
    }

    #[test]
    fn shifts_sum_each_output_channels_rounding_against_its_inputs_means() {
        // Conv [O = 2, I = 2, 1, 2].
        let delta = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let means = [10.0, 100.0];
        let conv = output_shift(Kind::Conv, &[2, 2, 1, 2], &delta, &means);
        assert_eq!(conv, Some(vec![30.0 + 700.0, 110.0 + 1500.0]));
        // Depthwise [C = 2, 1, 2, 2].
        let dw = output_shift(Kind::Depthwise, &[2, 1, 2, 2], &delta, &means);
        assert_eq!(dw, Some(vec![100.0, 2600.0]));
        // Linear [I = 2, O = 4].
        let fc = output_shift(Kind::Linear, &[2, 4], &delta, &means);
        assert_eq!(fc, Some(vec![510.0, 620.0, 730.0, 840.0]));
        assert_eq!(
            output_shift(Kind::Conv, &[2, 3, 1, 1], &delta, &means),
            None
        );
    }
}
