//! Kernels stored as int16 with one float32 scale per output channel: half the bytes of float32.
//!
//! A kernel `NAME` (rank ≥ 2) of at least [`FLOAT32_BELOW`] elements is stored as an `I16` tensor
//! `NAME` plus an `F32` tensor `NAME:scale` whose shape broadcasts against it (`[O, 1, 1, 1]` for a
//! convolution's `[O, I, H, W]`, `[1, O]` for a `Linear`'s `[I, O]`); value = q · scale, with
//! scale = max |w| / 32767 over the channel. Smaller kernels and vectors (BatchNorm statistics,
//! biases) stay float32: rounding the running variances moves every later layer, and the small
//! kernels — the stem, every depthwise kernel, the first three pointwise ones — carry most of
//! int16's error for 1.7 % of the weights. The converter also moves each BatchNorm mean by the
//! expected shift of its int16 kernel's output (`convert::bias_correction`). Measured against
//! TensorFlow on 366 real photos, largest |Δprobability|: every kernel int16 4.5e-3, this 2.7e-4
//! (docs/benchmarks.md, "Half the download"; `bench/research/int16-layers.py`). Files with every kernel
//! int16 (before issue 24) or none still read.

use super::{RawTensor, le_bytes, serialize_raw};
use crate::error::{Error, Result};
use safetensors::SafeTensors;
use safetensors::tensor::{Dtype, TensorView};
use std::borrow::Cow;
use std::collections::HashMap;

/// Suffix of the tensor holding a kernel's per-channel scales.
pub const SCALE_SUFFIX: &str = ":scale";
/// The largest magnitude a quantised value takes (symmetric: -32767..=32767).
const LEVELS: f32 = 32767.0;
/// Kernels with fewer elements stay float32 (2¹⁵: MobileNetV1's 3×3 kernels and its pointwise
/// kernels up to 128 × 128; 72 128 of its 4.2 M weights, 0.12 MB more than int16).
pub const FLOAT32_BELOW: usize = 1 << 15;

/// Whether [`serialize`] stores a tensor of `shape` as int16: a kernel of at least
/// [`FLOAT32_BELOW`] elements.
pub fn is_int16(shape: &[usize]) -> bool {
    channel_axis(shape).is_some() && shape.iter().product::<usize>() >= FLOAT32_BELOW
}

/// The values a tensor of `shape` reads back as after [`serialize`] and [`expand`]: the int16
/// round trip of a kernel stored as int16, the values themselves otherwise.
pub fn round_trip(shape: &[usize], values: &[f32]) -> Vec<f32> {
    match channel_axis(shape) {
        Some(axis) if is_int16(shape) => {
            let (quantized, scales) = quantize(shape, axis, values);
            dequantize(&quantized, &scales, shape, axis)
        }
        _ => values.to_vec(),
    }
}

/// int16 values and their channels' scales → float32, as [`expand`] computes them.
fn dequantize(quantized: &[i16], scales: &[f32], shape: &[usize], axis: usize) -> Vec<f32> {
    quantized
        .iter()
        .zip(channel_of(shape, axis))
        .map(|(&q, c)| f32::from(q) * scales[c])
        .collect()
}

/// The axis of a kernel's output channels in burn's layouts: 0 for convolutions, 1 for `Linear`.
fn channel_axis(shape: &[usize]) -> Option<usize> {
    match shape.len() {
        4 => Some(0),
        2 => Some(1),
        _ => None,
    }
}

/// The shape of a kernel's scales: its output-channel dimension, 1 everywhere else.
fn scale_shape(shape: &[usize], axis: usize) -> Vec<usize> {
    (0..shape.len())
        .map(|d| if d == axis { shape[d] } else { 1 })
        .collect()
}

/// For each element of a row-major tensor of `shape`, the index of its scale (its channel).
fn channel_of(shape: &[usize], axis: usize) -> impl Iterator<Item = usize> + '_ {
    let inner: usize = shape[axis + 1..].iter().product();
    let count: usize = shape.iter().product();
    (0..count).map(move |i| (i / inner) % shape[axis])
}

/// One kernel's int16 values and per-channel scales.
fn quantize(shape: &[usize], axis: usize, values: &[f32]) -> (Vec<i16>, Vec<f32>) {
    let mut max = vec![0f32; shape[axis]];
    for (v, c) in values.iter().zip(channel_of(shape, axis)) {
        max[c] = max[c].max(v.abs());
    }
    let scales: Vec<f32> = max.iter().map(|m| m / LEVELS).collect();
    let quantized = values
        .iter()
        .zip(channel_of(shape, axis))
        .map(|(v, c)| match scales[c] {
            0.0 => 0,
            s => (v / s).round().clamp(-LEVELS, LEVELS) as i16,
        })
        .collect();
    (quantized, scales)
}

/// Little-endian f32 tensors `(name, shape, values)` and metadata → safetensors bytes with every
/// kernel of at least [`FLOAT32_BELOW`] elements as int16 plus its scales, everything else as f32.
pub fn serialize(
    tensors: &[(String, Vec<usize>, Vec<f32>)],
    metadata: HashMap<String, String>,
) -> Result<Vec<u8>> {
    serialize_where(tensors, metadata, |_| true)
}

/// [`serialize`], int16 only for the kernels whose name `int16` accepts (the others float32).
pub fn serialize_where(
    tensors: &[(String, Vec<usize>, Vec<f32>)],
    metadata: HashMap<String, String>,
    int16: impl Fn(&str) -> bool,
) -> Result<Vec<u8>> {
    let mut stored: Vec<RawTensor> = Vec::new();
    for (name, shape, values) in tensors {
        let Some(axis) = channel_axis(shape).filter(|_| is_int16(shape) && int16(name)) else {
            stored.push((name.clone(), Dtype::F32, shape.clone(), le_bytes(values)));
            continue;
        };
        let (quantized, scales) = quantize(shape, axis, values);
        let bytes = quantized.iter().flat_map(|q| q.to_le_bytes()).collect();
        stored.push((name.clone(), Dtype::I16, shape.clone(), bytes));
        stored.push((
            format!("{name}{SCALE_SUFFIX}"),
            Dtype::F32,
            scale_shape(shape, axis),
            le_bytes(&scales),
        ));
    }
    serialize_raw(&stored, Some(metadata))
}

/// `bytes` with every int16 kernel expanded to float32 (its scales dropped); borrowed unchanged
/// when nothing is int16. Fails, naming the tensor, on a kernel without scales, scales without a
/// kernel, or scales of the wrong shape.
pub fn expand(bytes: &[u8]) -> Result<Cow<'_, [u8]>> {
    let file = SafeTensors::deserialize(bytes).map_err(|e| Error::WeightsFormat(e.to_string()))?;
    let tensors = file.tensors();
    let views: HashMap<&str, &TensorView> = tensors.iter().map(|(n, v)| (n.as_str(), v)).collect();
    for (name, _) in &tensors {
        if let Some(kernel) = name.strip_suffix(SCALE_SUFFIX)
            && views.get(kernel).map(|v| v.dtype()) != Some(Dtype::I16)
        {
            return Err(bad(name, "scales without an int16 kernel"));
        }
    }
    if !tensors.iter().any(|(_, view)| view.dtype() == Dtype::I16) {
        return Ok(Cow::Borrowed(bytes));
    }
    let mut expanded: Vec<RawTensor> = Vec::new();
    for (name, view) in &tensors {
        if name.ends_with(SCALE_SUFFIX) {
            continue;
        }
        if view.dtype() != Dtype::I16 {
            expanded.push((
                name.clone(),
                view.dtype(),
                view.shape().to_vec(),
                view.data().to_vec(),
            ));
            continue;
        }
        let shape = view.shape();
        let axis = channel_axis(shape).ok_or_else(|| bad(name, "int16 but not a kernel"))?;
        let scale_name = format!("{name}{SCALE_SUFFIX}");
        let scales = views
            .get(scale_name.as_str())
            .ok_or_else(|| bad(name, &format!("int16 without `{scale_name}`")))?;
        if scales.dtype() != Dtype::F32 || scales.shape() != scale_shape(shape, axis) {
            return Err(bad(
                &scale_name,
                &format!(
                    "{:?} {:?}, expected F32 {:?}",
                    scales.dtype(),
                    scales.shape(),
                    scale_shape(shape, axis)
                ),
            ));
        }
        let scales: Vec<f32> = scales
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let quantized: Vec<i16> = view
            .data()
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        let values = dequantize(&quantized, &scales, shape, axis);
        expanded.push((name.clone(), Dtype::F32, shape.to_vec(), le_bytes(&values)));
    }
    serialize_raw(&expanded, Some(super::metadata(bytes)?)).map(Cow::Owned)
}

fn bad(name: &str, reason: &str) -> Error {
    Error::BadTensor {
        name: name.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f32_tensor(bytes: &[u8], name: &str) -> Vec<f32> {
        let file = SafeTensors::deserialize(bytes).expect("valid");
        let view = file.tensor(name).expect("present");
        assert_eq!(view.dtype(), Dtype::F32);
        view.data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }

    /// `n` values spread over [-amplitude, amplitude], none on a rounding step.
    fn spread(n: usize, amplitude: f32) -> Vec<f32> {
        (0..n)
            .map(|i| amplitude * ((i as f32 * 0.618_034).fract() * 2.0 - 1.0))
            .collect()
    }

    #[test]
    fn large_kernels_round_trip_within_half_a_step_of_their_own_channel() {
        // A Linear [I, O = 2] whose second output is 1000× the first, a conv [O = 2, I, 1, 1], a
        // small conv and a vector.
        let inputs = FLOAT32_BELOW / 2;
        let linear: Vec<f32> = spread(inputs, 1.0)
            .into_iter()
            .zip(spread(inputs, 1000.0))
            .flat_map(|(a, b)| [a, b])
            .collect();
        let conv: Vec<f32> = [spread(inputs, 0.3), spread(inputs, 7.0)].concat();
        let small = spread(2 * 3 * 3 * 3, 1.0);
        let vector = vec![1e-7, 3.0];
        let tensors = vec![
            ("fc.weight".to_string(), vec![inputs, 2], linear.clone()),
            (
                "conv.weight".to_string(),
                vec![2, inputs, 1, 1],
                conv.clone(),
            ),
            ("stem.weight".to_string(), vec![2, 3, 3, 3], small.clone()),
            ("bn.running_var".to_string(), vec![2], vector.clone()),
        ];
        let stored = serialize(&tensors, HashMap::new()).expect("serialize");
        let file = SafeTensors::deserialize(&stored).expect("valid");
        assert_eq!(
            file.tensor("fc.weight").expect("kernel").dtype(),
            Dtype::I16
        );
        assert_eq!(file.tensor("fc.weight:scale").expect("s").shape(), [1, 2]);
        assert_eq!(
            file.tensor("conv.weight:scale").expect("s").shape(),
            [2, 1, 1, 1]
        );
        assert!(file.tensor("stem.weight:scale").is_err());

        let expanded = expand(&stored).expect("expand");
        for (name, original, shape, max) in [
            ("fc.weight", &linear, vec![inputs, 2], [1.0, 1000.0]),
            ("conv.weight", &conv, vec![2, inputs, 1, 1], [0.3, 7.0]),
        ] {
            let back = f32_tensor(&expanded, name);
            // What the converter's bias correction assumes the file reads back as.
            assert_eq!(back, round_trip(&shape, original), "{name}");
            let axis = channel_axis(&shape).expect("kernel");
            for ((a, b), c) in original.iter().zip(&back).zip(channel_of(&shape, axis)) {
                // Half a step, plus float32's own rounding of q · scale.
                assert!(
                    (a - b).abs() <= max[c] / LEVELS / 2.0 + max[c] * 1e-7,
                    "{name}: {a} → {b}"
                );
            }
        }
        assert_eq!(f32_tensor(&expanded, "stem.weight"), small);
        assert_eq!(round_trip(&[2, 3, 3, 3], &small), small);
        assert_eq!(f32_tensor(&expanded, "bn.running_var"), vector);
        let names: Vec<String> = SafeTensors::deserialize(&expanded)
            .expect("valid")
            .names()
            .into_iter()
            .map(str::to_owned)
            .collect();
        assert!(
            !names.iter().any(|n| n.ends_with(SCALE_SUFFIX)),
            "{names:?}"
        );
    }

    #[test]
    fn float32_files_pass_through_unchanged() {
        let tensors = vec![("v".to_string(), vec![2], vec![1.0, 2.0])];
        let bytes = serialize_where(&tensors, HashMap::new(), |_| false).expect("f32");
        assert!(matches!(expand(&bytes).expect("expand"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_kernel_without_its_scales_is_named() {
        let shape = vec![1, FLOAT32_BELOW, 1, 1];
        let tensors = vec![("conv.weight".to_string(), shape, spread(FLOAT32_BELOW, 1.0))];
        let stored = serialize(&tensors, HashMap::new()).expect("serialize");
        let file = SafeTensors::deserialize(&stored).expect("valid");
        let kernel = file.tensor("conv.weight").expect("kernel");
        let only_kernel = safetensors::serialize([("conv.weight", kernel)], None).expect("ser");
        let err = expand(&only_kernel).unwrap_err().to_string();
        assert!(err.contains("conv.weight:scale"), "{err}");
    }
}
