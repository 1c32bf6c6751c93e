//! Safetensors bytes → modules, strictly: every tensor present, none extra, every shape right.
//!
//! Works from bytes (no file system), so the browser uses the same path as the CLI. Kernels may
//! be stored as int16 with per-channel scales ([`int16`], what the converter writes) and are
//! expanded to float32 on load.

pub mod int16;

use crate::error::{Error, Result};
use crate::model::{MobileNetV1, MobileNetV1Config};
use burn::module::{ModuleVisitor, Param};
use burn::prelude::*;
use burn::store::{ModuleSnapshot, SafetensorsStore};
use safetensors::SafeTensors;
use safetensors::tensor::{Dtype, TensorView};
use std::collections::{BTreeMap, HashMap};

/// Metadata key holding the BatchNorm epsilon the converter read from the graph.
pub const META_BN_EPSILON: &str = "bn_epsilon";
/// Metadata key holding the sha256 of the graph the weights came from.
pub const META_SOURCE_SHA256: &str = "source_sha256";

/// The safetensors header metadata (`__metadata__`), empty if absent.
pub fn metadata(bytes: &[u8]) -> Result<HashMap<String, String>> {
    let (_, meta) =
        SafeTensors::read_metadata(bytes).map_err(|e| Error::WeightsFormat(e.to_string()))?;
    Ok(meta.metadata().clone().unwrap_or_default())
}

/// The sha256 of the graph the weights were converted from (their identity), empty if unrecorded.
pub fn source_sha256(bytes: &[u8]) -> Result<String> {
    Ok(metadata(bytes)?
        .get(META_SOURCE_SHA256)
        .cloned()
        .unwrap_or_default())
}

/// A tensor as stored: name, dtype, shape, little-endian bytes.
type RawTensor = (String, Dtype, Vec<usize>, Vec<u8>);

/// Stored tensors and metadata → safetensors bytes, the same bytes for the same tensors: the
/// safetensors crate writes the metadata in a `HashMap`'s order, which changes from one map to the
/// next (a page's app and bundle then held the same model in different bytes), so the header is
/// written again with its keys sorted.
fn serialize_raw(
    tensors: &[RawTensor],
    metadata: Option<HashMap<String, String>>,
) -> Result<Vec<u8>> {
    let views = tensors
        .iter()
        .map(|(name, dtype, shape, bytes)| {
            TensorView::new(*dtype, shape.clone(), bytes)
                .map(|view| (name.clone(), view))
                .map_err(|e| Error::WeightsFormat(format!("`{name}`: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    let bytes =
        safetensors::serialize(views, metadata).map_err(|e| Error::WeightsFormat(e.to_string()))?;
    sorted_header(&bytes)
}

/// safetensors bytes with their JSON header's keys sorted (serde_json's maps are ordered),
/// padded with spaces to a multiple of 8 bytes as the crate does.
fn sorted_header(bytes: &[u8]) -> Result<Vec<u8>> {
    let format = |e: serde_json::Error| Error::WeightsFormat(format!("header: {e}"));
    let length = u64::from_le_bytes(bytes[..8].try_into().expect("an 8-byte length")) as usize;
    let header: serde_json::Value =
        serde_json::from_slice(&bytes[8..8 + length]).map_err(format)?;
    let mut json = serde_json::to_vec(&header).map_err(format)?;
    json.resize(json.len().next_multiple_of(8), b' ');
    let data = &bytes[8 + length..];
    let mut out = Vec::with_capacity(8 + json.len() + data.len());
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(data);
    Ok(out)
}

/// Little-endian bytes of f32 values.
fn le_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Builds MobileNetV1 on `device` from converter output (see `burnish-convert`).
pub fn load_mobilenet(bytes: &[u8], device: &Device) -> Result<MobileNetV1> {
    let meta = metadata(bytes)?;
    let epsilon = meta
        .get(META_BN_EPSILON)
        .ok_or_else(|| Error::WeightsFormat(format!("metadata `{META_BN_EPSILON}` is missing")))?;
    let epsilon: f64 = epsilon.parse().map_err(|_| {
        Error::WeightsFormat(format!(
            "metadata `{META_BN_EPSILON}` = `{epsilon}` is not a number"
        ))
    })?;
    let mut model = MobileNetV1Config::new()
        .with_bn_epsilon(epsilon)
        .init(device);
    apply_strict(&mut model, bytes)?;
    Ok(model)
}

/// Replaces every tensor of `module` with the one of the same path in `bytes` (int16 kernels
/// expanded first).
///
/// Fails, naming the tensor, when one is missing, unexpected, not f32 or of the wrong shape;
/// `module` is only modified once all checks pass.
pub fn apply_strict<M: ModuleSnapshot>(module: &mut M, bytes: &[u8]) -> Result<()> {
    let expanded = int16::expand(bytes)?;
    let bytes: &[u8] = &expanded;
    let file = SafeTensors::deserialize(bytes).map_err(|e| Error::WeightsFormat(e.to_string()))?;
    let expected: BTreeMap<String, Vec<usize>> = module
        .collect(None, None, false)
        .into_iter()
        .map(|t| (t.name.clone(), t.shape.to_vec()))
        .collect();
    let mut present: Vec<(String, _)> = file.tensors();
    present.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, view) in &present {
        let Some(shape) = expected.get(name) else {
            return Err(Error::UnexpectedTensor(name.clone()));
        };
        if view.dtype() != Dtype::F32 {
            return Err(Error::BadTensor {
                name: name.clone(),
                reason: format!("dtype {:?}, expected F32", view.dtype()),
            });
        }
        if view.shape() != shape.as_slice() {
            return Err(Error::BadTensor {
                name: name.clone(),
                reason: format!("shape {:?}, expected {shape:?}", view.shape()),
            });
        }
    }
    if let Some(missing) = expected.keys().find(|k| file.tensor(k).is_err()) {
        return Err(Error::MissingTensor(missing.clone()));
    }
    let mut store = SafetensorsStore::from_bytes(Some(bytes.to_vec()));
    let result = module
        .load_from(&mut store)
        .map_err(|e| Error::WeightsFormat(e.to_string()))?;
    if let Some(err) = result.errors.first() {
        return Err(Error::WeightsFormat(format!("{err:?}")));
    }
    Ok(())
}

/// Every float tensor of a module with its dotted path (flattened; shapes kept aside).
#[derive(Default)]
struct FloatCollector {
    path: Vec<String>,
    tensors: Vec<(String, Vec<usize>, Tensor<1>)>,
}

impl ModuleVisitor for FloatCollector {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_owned());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val();
        let shape = tensor.dims().to_vec();
        let count: usize = shape.iter().product();
        self.tensors
            .push((self.path.join("."), shape, tensor.reshape([count])));
    }
}

/// Serialises every float tensor of `module` (parameters and BatchNorm running statistics) as
/// safetensors under the same paths [`apply_strict`] expects: as int16 kernels ([`int16`]) those
/// whose path `int16` accepts, the rest float32. Reads back asynchronously, so it works on WebGPU
/// in the browser.
pub async fn to_safetensors<M: Module>(
    module: &M,
    metadata: HashMap<String, String>,
    int16: impl Fn(&str) -> bool,
) -> Result<Vec<u8>> {
    let mut collector = FloatCollector::default();
    module.visit(&mut collector);
    let mut named = Vec::with_capacity(collector.tensors.len());
    for (name, shape, tensor) in collector.tensors {
        named.push((name, shape, crate::infer::read_values(tensor).await?));
    }
    int16::serialize_where(&named, metadata, int16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_tensors_and_metadata_give_the_same_bytes() {
        let tensors = vec![
            ("b".to_owned(), vec![2], vec![1.0, 2.0]),
            ("a".to_owned(), vec![1], vec![3.0]),
        ];
        let keys = ["format", "burnish", "source", "z", "bn_epsilon"];
        let map = |order: &[&str]| -> HashMap<String, String> {
            order
                .iter()
                .map(|k| (k.to_string(), format!("{k}!")))
                .collect()
        };
        let f32_only = |metadata| int16::serialize_where(&tensors, metadata, |_| false);
        let reversed: Vec<&str> = keys.iter().rev().copied().collect();
        let first = f32_only(map(&keys)).expect("serialize");
        for _ in 0..8 {
            assert_eq!(f32_only(map(&reversed)).expect("again"), first);
        }
        let header = u64::from_le_bytes(first[..8].try_into().expect("length"));
        assert_eq!(header % 8, 0, "the data starts 8-byte aligned");
        assert_eq!(metadata(&first).expect("metadata"), map(&keys));
        let file = SafeTensors::deserialize(&first).expect("a valid file");
        assert_eq!(file.tensor("b").expect("b").data(), le_bytes(&[1.0, 2.0]));
    }
}
