//! Frozen TF-slim MobileNetV1 graph (`.pb`) → safetensors in this crate's module layout.
//!
//! Accepts the graph inside PyPI `nudity==0.2.3` (`retrained_graph.pb`) and Google's official
//! `mobilenet_v1_1.0_224_frozen.pb`: both keep the `MobilenetV1/...` variable names.

mod bias_correction;
mod graph_def;

use crate::error::{Error, Result};
use crate::model::{BLOCK_COUNT, BLOCK_SPECS};
use crate::weights::{META_BN_EPSILON, META_SOURCE_SHA256, int16};
use graph_def::{DT_FLOAT, GraphDef, NodeDef};
use prost::Message;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// A tensor in burn's layout: module path, shape, values.
type Tensor = (String, Vec<usize>, Vec<f32>);

/// How a TF tensor is laid out, and so how it becomes a burn tensor.
#[derive(Clone, Copy)]
enum Layout {
    /// `[H, W, I, O]` convolution kernel → burn's `[O, I, H, W]`.
    ConvHwio,
    /// `[H, W, C, 1]` depthwise kernel → burn's grouped `[C, 1, H, W]`.
    Depthwise,
    /// `[1, 1, I, O]` classifier kernel → burn `Linear`'s `[I, O]`.
    LinearKernel,
    /// A vector, copied as is.
    Vector,
}

/// One tensor to convert: burn module path, TF node name, TF shape, layout.
struct Mapping {
    path: String,
    node: String,
    tf_shape: Vec<usize>,
    layout: Layout,
}

/// The full list of tensors MobileNetV1 α = 1.0 needs, in TF names and burn paths.
fn mappings(num_classes: usize) -> Vec<Mapping> {
    let mut out = Vec::new();
    let mut conv_bn = |path: &str, scope: &str, weights: &str, shape: Vec<usize>, layout| {
        let channels = *shape
            .get(if matches!(layout, Layout::Depthwise) {
                2
            } else {
                3
            })
            .unwrap_or(&0);
        out.push(Mapping {
            path: format!("{path}.conv.weight"),
            node: format!("MobilenetV1/{scope}/{weights}"),
            tf_shape: shape,
            layout,
        });
        for (field, var) in [
            ("gamma", "gamma"),
            ("beta", "beta"),
            ("running_mean", "moving_mean"),
            ("running_var", "moving_variance"),
        ] {
            out.push(Mapping {
                path: format!("{path}.bn.{field}"),
                node: format!("MobilenetV1/{scope}/BatchNorm/{var}"),
                tf_shape: vec![channels],
                layout: Layout::Vector,
            });
        }
    };
    conv_bn(
        "stem",
        "Conv2d_0",
        "weights",
        vec![3, 3, 3, 32],
        Layout::ConvHwio,
    );
    let mut channels_in = 32;
    for (i, &(channels_out, _)) in BLOCK_SPECS.iter().enumerate() {
        let n = i + 1;
        conv_bn(
            &format!("blocks.{i}.depthwise"),
            &format!("Conv2d_{n}_depthwise"),
            "depthwise_weights",
            vec![3, 3, channels_in, 1],
            Layout::Depthwise,
        );
        conv_bn(
            &format!("blocks.{i}.pointwise"),
            &format!("Conv2d_{n}_pointwise"),
            "weights",
            vec![1, 1, channels_in, channels_out],
            Layout::ConvHwio,
        );
        channels_in = channels_out;
    }
    debug_assert_eq!(BLOCK_SPECS.len(), BLOCK_COUNT);
    out.push(Mapping {
        path: "classifier.weight".into(),
        node: "MobilenetV1/Logits/Conv2d_1c_1x1/weights".into(),
        tf_shape: vec![1, 1, channels_in, num_classes],
        layout: Layout::LinearKernel,
    });
    out.push(Mapping {
        path: "classifier.bias".into(),
        node: "MobilenetV1/Logits/Conv2d_1c_1x1/biases".into(),
        tf_shape: vec![num_classes],
        layout: Layout::Vector,
    });
    out
}

/// Float elements and shape of a `Const` node.
fn const_value(node: &NodeDef) -> Result<(Vec<usize>, Vec<f32>)> {
    let tensor = node
        .attr
        .get("value")
        .and_then(|a| a.tensor.as_ref())
        .ok_or_else(|| Error::Graph(format!("`{}` has no tensor value", node.name)))?;
    if tensor.dtype != DT_FLOAT {
        return Err(Error::Graph(format!(
            "`{}` is not float32 (dtype {})",
            node.name, tensor.dtype
        )));
    }
    let shape: Vec<usize> = tensor
        .tensor_shape
        .as_ref()
        .map(|s| s.dim.iter().map(|d| d.size.max(0) as usize).collect())
        .unwrap_or_default();
    let count: usize = shape.iter().product();
    let values = if !tensor.tensor_content.is_empty() {
        if tensor.tensor_content.len() != count * 4 {
            return Err(Error::Graph(format!(
                "`{}` holds {} bytes for shape {shape:?}",
                node.name,
                tensor.tensor_content.len()
            )));
        }
        tensor
            .tensor_content
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    } else if tensor.float_val.len() == 1 {
        vec![tensor.float_val[0]; count]
    } else if tensor.float_val.len() == count {
        tensor.float_val.clone()
    } else {
        return Err(Error::Graph(format!(
            "`{}` has no usable float data",
            node.name
        )));
    };
    Ok((shape, values))
}

/// Reorders `[H, W, I, O]` into `[O, I, H, W]`.
fn hwio_to_oihw(values: &[f32], [h, w, i, o]: [usize; 4]) -> Vec<f32> {
    let mut out = vec![0.0; values.len()];
    for (src, &v) in values.iter().enumerate() {
        let (oo, rest) = (src % o, src / o);
        let (ii, rest) = (rest % i, rest / i);
        let (ww, hh) = (rest % w, rest / w);
        out[((oo * i + ii) * h + hh) * w + ww] = v;
    }
    out
}

/// The BatchNorm epsilon the graph uses: the `batchnorm/add/y` constant of unfused BN, or the
/// `epsilon` attribute of `FusedBatchNorm*`. Every BN must agree.
fn bn_epsilon(nodes: &[NodeDef]) -> Result<f32> {
    let mut found = Vec::new();
    for node in nodes {
        if node.op.starts_with("FusedBatchNorm") {
            if let Some(eps) = node.attr.get("epsilon").and_then(|a| a.f) {
                found.push((node.name.clone(), eps));
            }
        } else if node.op == "Const" && node.name.ends_with("BatchNorm/batchnorm/add/y") {
            let (_, v) = const_value(node)?;
            if let Some(&eps) = v.first() {
                found.push((node.name.clone(), eps));
            }
        }
    }
    let Some((_, first)) = found.first().cloned() else {
        return Err(Error::Graph(
            "no BatchNorm epsilon found in the graph".into(),
        ));
    };
    if let Some((name, eps)) = found.iter().find(|(_, e)| *e != first) {
        return Err(Error::Graph(format!(
            "BatchNorm epsilons differ: `{name}` has {eps}, others {first}"
        )));
    }
    Ok(first)
}

/// Converts a frozen MobileNetV1 `GraphDef` into safetensors bytes for
/// [`crate::weights::load_mobilenet`]: the large kernels int16 with per-channel scales (the
/// BatchNorm means corrected for their rounding), everything else float32.
pub fn convert_frozen_graph(pb: &[u8]) -> Result<Vec<u8>> {
    let graph = GraphDef::decode(pb)
        .map_err(|e| Error::Graph(format!("not a TensorFlow GraphDef: {e}")))?;
    let by_name: HashMap<&str, &NodeDef> = graph
        .node
        .iter()
        .filter(|n| n.op == "Const")
        .map(|n| (n.name.as_str(), n))
        .collect();
    let stem = "MobilenetV1/Conv2d_0/weights";
    if !by_name.contains_key(stem) {
        return Err(Error::Graph(format!(
            "not a MobileNetV1 graph: no constant `{stem}` among its {} nodes",
            graph.node.len()
        )));
    }
    let mut tensors: Vec<Tensor> = Vec::new();
    for m in mappings(1001) {
        let node = by_name.get(m.node.as_str()).ok_or_else(|| {
            Error::Graph(format!(
                "not a MobileNetV1 1.0/224 graph: missing `{}`",
                m.node
            ))
        })?;
        let (shape, values) = const_value(node)?;
        if shape != m.tf_shape {
            return Err(Error::Graph(format!(
                "not a MobileNetV1 1.0/224 graph: `{}` has shape {shape:?}, expected {:?}",
                m.node, m.tf_shape
            )));
        }
        let (shape, values) = match m.layout {
            Layout::ConvHwio => {
                let [h, w, i, o] = [shape[0], shape[1], shape[2], shape[3]];
                (vec![o, i, h, w], hwio_to_oihw(&values, [h, w, i, o]))
            }
            // [H, W, C, 1] -> [1, C, H, W] has the same memory order as [C, 1, H, W].
            Layout::Depthwise => {
                let [h, w, c, _] = [shape[0], shape[1], shape[2], shape[3]];
                (vec![c, 1, h, w], hwio_to_oihw(&values, [h, w, c, 1]))
            }
            Layout::LinearKernel => (vec![shape[2], shape[3]], values),
            Layout::Vector => (shape, values),
        };
        tensors.push((m.path, shape, values));
    }
    bias_correction::correct(&mut tensors)?;
    let epsilon = bn_epsilon(&graph.node)?;
    let metadata = HashMap::from([
        (META_BN_EPSILON.to_string(), format!("{epsilon:e}")),
        (META_SOURCE_SHA256.to_string(), sha256_hex(pb)),
        (
            "source".to_string(),
            "TF-slim MobileNetV1 1.0/224 ImageNet (Apache-2.0)".to_string(),
        ),
    ]);
    int16::serialize(&tensors, metadata)
}

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hwio_to_oihw_moves_each_element() {
        // [H=1, W=2, I=2, O=3], value = h*100 + w*10 + i + o/10
        let dims = [1, 2, 2, 3];
        let mut src = Vec::new();
        for w in 0..2 {
            for i in 0..2 {
                for o in 0..3 {
                    src.push(w as f32 * 10.0 + i as f32 + o as f32 / 10.0);
                }
            }
        }
        let out = hwio_to_oihw(&src, dims);
        // out[o=2][i=1][h=0][w=1] sits at ((2·2 + 1)·1 + 0)·2 + 1 = 11
        assert_eq!(out[11], 10.0 + 1.0 + 0.2);
        assert_eq!(out[0], 0.0);
    }

    #[test]
    fn garbage_is_not_a_graph() {
        let err = convert_frozen_graph(&[0xff, 0xff, 0xff, 0x01]).unwrap_err();
        assert!(err.to_string().contains("GraphDef"), "{err}");
    }

    #[test]
    fn other_graph_is_refused_by_name() {
        let graph = GraphDef {
            node: vec![NodeDef {
                name: "resnet/conv1/weights".into(),
                op: "Const".into(),
                ..Default::default()
            }],
        };
        let err = convert_frozen_graph(&graph.encode_to_vec()).unwrap_err();
        assert!(err.to_string().contains("not a MobileNetV1 graph"), "{err}");
    }
}
