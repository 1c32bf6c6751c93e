//! Kernels stored as int16 with one float32 scale per output channel: half the bytes of float32.
//!
//! A kernel `NAME` (rank ≥ 2) is stored as an `I16` tensor `NAME` plus an `F32` tensor
//! `NAME:scale` whose shape broadcasts against it (`[O, 1, 1, 1]` for a convolution's
//! `[O, I, H, W]`, `[1, O]` for a `Linear`'s `[I, O]`); value = q · scale, with
//! scale = max |w| / 32767 over the channel. Vectors (BatchNorm statistics, biases) stay float32:
//! rounding the running variances moves every later layer. Measured against TensorFlow on the
//! golden photos: float16 kernels move a probability by up to 1e-2, these by 6.5e-4
//! (docs/benchmarks.md, "Half the download").

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
/// kernel as int16 plus its scales, and every vector as f32.
pub fn serialize(
    tensors: &[(String, Vec<usize>, Vec<f32>)],
    metadata: HashMap<String, String>,
) -> Result<Vec<u8>> {
    let mut stored: Vec<RawTensor> = Vec::new();
    for (name, shape, values) in tensors {
        let Some(axis) = channel_axis(shape) else {
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
        let values: Vec<f32> = view
            .data()
            .chunks_exact(2)
            .zip(channel_of(shape, axis))
            .map(|(b, c)| f32::from(i16::from_le_bytes([b[0], b[1]])) * scales[c])
            .collect();
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

    #[test]
    fn kernels_round_trip_within_half_a_step_of_their_own_channel() {
        // A Linear [I = 3, O = 2] whose second output is 1000× the first, a conv [O = 2, 1, 1, 2],
        // and a vector.
        let linear = vec![0.001, 1.0, -0.0005, -2.0, 0.00025, 0.5];
        let conv = vec![0.1, -0.3, 7.0, 0.0];
        let vector = vec![1e-7, 3.0];
        let tensors = vec![
            ("fc.weight".to_string(), vec![3, 2], linear.clone()),
            ("conv.weight".to_string(), vec![2, 1, 1, 2], conv.clone()),
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

        let expanded = expand(&stored).expect("expand");
        for (name, original, channel_max) in [
            ("fc.weight", &linear, [0.001, 2.0, 0.001, 2.0, 0.001, 2.0]),
            ("conv.weight", &conv, [0.3, 0.3, 7.0, 7.0, 0.0, 0.0]),
        ] {
            let back = f32_tensor(&expanded, name);
            for ((a, b), max) in original.iter().zip(&back).zip(channel_max) {
                assert!(
                    (a - b).abs() <= max / LEVELS / 2.0 * 1.001,
                    "{name}: {a} → {b}"
                );
            }
        }
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
        let bytes = crate::weights::serialize_f32(&tensors, HashMap::new()).expect("f32");
        assert!(matches!(expand(&bytes).expect("expand"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_kernel_without_its_scales_is_named() {
        let tensors = vec![("conv.weight".to_string(), vec![1, 1, 1, 2], vec![1.0, 2.0])];
        let stored = serialize(&tensors, HashMap::new()).expect("serialize");
        let file = SafeTensors::deserialize(&stored).expect("valid");
        let kernel = file.tensor("conv.weight").expect("kernel");
        let only_kernel = safetensors::serialize([("conv.weight", kernel)], None).expect("ser");
        let err = expand(&only_kernel).unwrap_err().to_string();
        assert!(err.contains("conv.weight:scale"), "{err}");
    }
}
