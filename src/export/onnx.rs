//! The whole classifier as one ONNX model: MobileNetV1's frozen prefix (BatchNorm folded), the
//! fine-tuned blocks, the head and softmax, plus the "none of these" similarity, so that any ONNX
//! runtime answers as burnish does.
//!
//! Input `image`: `float32 [N, 3, 224, 224]`, RGB scaled to [-1, 1] ([`PREPROCESSING`]).
//! Outputs `probabilities`: `float32 [N, C]`; `similarity`: `float32 [N]`, the likeness to the
//! nearest class: the cosine of ImageNet's view of the image (the base classifier's softmax
//! mixing its rows) to the nearest class prototype, or the appearance's (the unit pretrained
//! features' cosine to the nearest appearance prototype, mapped onto the view's scale) where lower
//! (under the `none_of_these_below` metadata value: "none of these"). Metadata: `labels` (JSON list), `preprocessing`,
//! `novelty_calibration` (JSON), `none_of_these_below`, `fine_tune_blocks`, `base_weights_sha256`.

use super::onnx_proto::{
    AttributeProto, Dimension, FLOAT, GraphProto, IR_VERSION, ModelProto, NodeProto,
    OperatorSetIdProto, StringStringEntryProto, TensorProto, TensorShapeProto, TensorTypeProto,
    TypeProto, ValueInfoProto, int, ints,
};
use super::{read_dense, read_folded_conv};
use crate::error::{Error, Result};
use crate::infer::read_values;
use crate::model::{ConvBnRelu6, DepthwiseSeparable, MobileNetV1};
use crate::train::{TrainedModel, VIEW_TEMPERATURE, row_scale};
use burn::nn::Linear;
use burn::prelude::Tensor;
use prost::Message;

/// The ONNX operator set the graph uses (13: `Softmax` over one axis, `Clip` bounds as inputs).
pub const OPSET: i64 = 13;

/// What the ONNX model's input expects.
pub const PREPROCESSING: &str = "input `image`: float32 [N, 3, 224, 224] (NCHW), RGB, centre square crop resized to 224x224, value/127.5 - 1 (range [-1, 1])";

/// Nodes and weights, added in order.
#[derive(Default)]
struct Graph {
    nodes: Vec<NodeProto>,
    initializers: Vec<TensorProto>,
}

impl Graph {
    /// Adds a node writing one output named `output`; returns that name.
    fn node(
        &mut self,
        op: &str,
        inputs: &[&str],
        output: impl Into<String>,
        attribute: Vec<AttributeProto>,
    ) -> String {
        let output = output.into();
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![output.clone()],
            name: output.clone(),
            op_type: op.into(),
            attribute,
        });
        output
    }

    /// Adds a float32 weight.
    fn weight(&mut self, name: impl Into<String>, dims: &[usize], values: &[f32]) -> String {
        let name = name.into();
        self.initializers.push(TensorProto {
            dims: dims.iter().map(|&d| d as i64).collect(),
            data_type: FLOAT,
            name: name.clone(),
            raw_data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        });
        name
    }

    /// A folded convolution and ReLU6. TF's "SAME" padding: a 3×3 stride-2 convolution of an
    /// even size pads one pixel at the bottom and right only (as burn's `Same` does).
    async fn conv_relu6(&mut self, x: &str, layer: &ConvBnRelu6, name: &str) -> Result<String> {
        let conv = read_folded_conv(layer).await?;
        let [c_out, _, kh, kw] = conv.dims;
        let w = self.weight(format!("{name}.weight"), &conv.dims, &conv.weight);
        let b = self.weight(format!("{name}.bias"), &[c_out], &conv.bias);
        let stride = conv.stride[0] as i64;
        let pads = match (kh, stride) {
            (1, _) => [0, 0, 0, 0],
            (_, 1) => [1, 1, 1, 1],
            _ => [0, 0, 1, 1],
        };
        let attributes = vec![
            ints("kernel_shape", &[kh as i64, kw as i64]),
            ints("strides", &[stride, stride]),
            ints("pads", &pads),
            int("group", conv.groups as i64),
        ];
        let y = self.node("Conv", &[x, &w, &b], format!("{name}.conv"), attributes);
        Ok(self.node(
            "Clip",
            &[&y, "zero", "six"],
            format!("{name}.relu6"),
            vec![],
        ))
    }

    async fn block(&mut self, x: &str, block: &DepthwiseSeparable, name: &str) -> Result<String> {
        let x = self
            .conv_relu6(x, &block.depthwise, &format!("{name}.depthwise"))
            .await?;
        self.conv_relu6(&x, &block.pointwise, &format!("{name}.pointwise"))
            .await
    }

    /// Blocks, global average pooling and flattening: `[N, 1024]` features.
    async fn blocks_and_pool(
        &mut self,
        mut x: String,
        blocks: &[DepthwiseSeparable],
        name: &str,
        first: usize,
    ) -> Result<String> {
        for (i, block) in blocks.iter().enumerate() {
            x = self
                .block(&x, block, &format!("{name}.{}", first + i))
                .await?;
        }
        let pooled = self.node("GlobalAveragePool", &[&x], format!("{name}.pool"), vec![]);
        Ok(self.node(
            "Flatten",
            &[&pooled],
            format!("{name}.features"),
            vec![int("axis", 1)],
        ))
    }

    /// A dense layer `x · W + b` (burn's `Linear` stores `W` as `[in, out]`, as `Gemm` reads it).
    async fn dense(&mut self, x: &str, layer: &Linear, name: &str) -> Result<String> {
        let dense = read_dense(layer).await?;
        let w = self.weight(format!("{name}.weight"), &dense.dims, &dense.weight);
        let b = self.weight(format!("{name}.bias"), &[dense.dims[1]], &dense.bias);
        Ok(self.node("Gemm", &[x, &w, &b], name, vec![]))
    }

    /// The cosine of each row of `x` `[N, D]` to the nearest of the unit `prototypes` `[C, D]`,
    /// as `Novelty` computes it (rows scaled to unit length first): `-> [N]`, named `output`.
    async fn nearest_prototype(
        &mut self,
        x: &str,
        prototypes: Tensor<2>,
        name: &str,
        output: &str,
    ) -> Result<String> {
        let norm = self.node(
            "ReduceL2",
            &[x],
            format!("{name}.norm"),
            vec![ints("axes", &[1]), int("keepdims", 1)],
        );
        let unit = self.node("Div", &[x, &norm], format!("{name}.unit"), vec![]);
        let [count, dim] = prototypes.dims();
        let values = read_values(prototypes.transpose()).await?;
        let protos = self.weight(format!("{name}.prototypes_t"), &[dim, count], &values);
        let cosines = self.node(
            "MatMul",
            &[&unit, &protos],
            format!("{name}.cosines"),
            vec![],
        );
        Ok(self.node(
            "ReduceMax",
            &[&cosines],
            output,
            vec![ints("axes", &[1]), int("keepdims", 0)],
        ))
    }
}

/// A float32 tensor value of the given shape (`None` dims are the batch, `N`).
fn tensor_value(name: &str, dims: &[Option<usize>], doc: &str) -> ValueInfoProto {
    let dim = dims
        .iter()
        .map(|d| match d {
            Some(size) => Dimension {
                dim_value: Some(*size as i64),
                dim_param: None,
            },
            None => Dimension {
                dim_value: None,
                dim_param: Some("N".into()),
            },
        })
        .collect();
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TensorTypeProto {
                elem_type: FLOAT,
                shape: Some(TensorShapeProto { dim }),
            }),
        }),
        doc_string: doc.into(),
    }
}

/// The trained `model` on `base` (the pretrained network it was trained from) as ONNX bytes;
/// `none_of_these_below` is the threshold at `strictness` (percent of known images flagged).
pub async fn to_onnx(model: &TrainedModel, base: &MobileNetV1, strictness: f32) -> Result<Vec<u8>> {
    let first = model.first_block();
    let tail = &model.net.tail;
    let mut g = Graph::default();
    g.weight("zero", &[], &[0.0]);
    g.weight("six", &[], &[6.0]);

    let mut x = g.conv_relu6("image", &base.stem, "stem").await?;
    for (i, block) in base.blocks[..first].iter().enumerate() {
        x = g.block(&x, block, &format!("blocks.{i}")).await?;
    }
    let features = g
        .blocks_and_pool(x.clone(), &tail.blocks, "tail.blocks", first)
        .await?;
    let mut h = features.clone();
    if let Some(hidden) = &tail.head.hidden {
        let dense = g.dense(&h, hidden, "tail.head.hidden").await?;
        h = g.node("Relu", &[&dense], "tail.head.hidden.relu", vec![]);
    }
    let logits = g.dense(&h, &tail.head.output, "logits").await?;
    g.node("Softmax", &[&logits], "probabilities", vec![int("axis", 1)]);

    // "None of these" reads the pretrained features: the fine-tuned blocks' pretrained
    // versions run beside them (for k = 0 the tail's features are the pretrained ones).
    let pretrained = if tail.blocks.is_empty() {
        features
    } else {
        g.blocks_and_pool(x, &base.blocks[first..], "pretrained.blocks", first)
            .await?
    };
    // ImageNet's view, as `imagenet_view` computes it: the base classifier's softmax at T weighed
    // by `row_scale` (1/‖row‖) times Wᵀ, normalised; then the cosine to the nearest prototype.
    let logits = g
        .dense(&pretrained, &base.classifier, "imagenet.logits")
        .await?;
    g.weight("novelty.temperature", &[], &[VIEW_TEMPERATURE]);
    let tempered = g.node(
        "Div",
        &[&logits, "novelty.temperature"],
        "novelty.tempered",
        vec![],
    );
    let mix = g.node(
        "Softmax",
        &[&tempered],
        "novelty.softmax",
        vec![int("axis", 1)],
    );
    let scale = row_scale(&base.classifier);
    let dims = scale.dims();
    let lengths = read_values(scale).await?;
    let scale = g.weight("novelty.row_scale", &dims, &lengths);
    let scaled = g.node("Mul", &[&mix, &scale], "novelty.scaled", vec![]);
    let rows_t = g.node(
        "Transpose",
        &["imagenet.logits.weight"],
        "novelty.rows",
        vec![ints("perm", &[1, 0])],
    );
    let view = g.node("MatMul", &[&scaled, &rows_t], "novelty.mixed", vec![]);
    let novelty = &model.net.novelty;
    // Without an appearance to read, the view's similarity is the output itself.
    let appearance = model.meta.novelty.appearance_on_view_scale();
    let view_output = match appearance {
        Some(_) => "novelty.view_similarity",
        None => "similarity",
    };
    let view = g
        .nearest_prototype(&view, novelty.prototypes.val(), "novelty", view_output)
        .await?;
    let Some((a, b)) = appearance else {
        return finish(g, model, strictness);
    };
    // The appearance, as `likeness` reads it: the cosine of the unit pretrained features to the
    // nearest appearance prototype, on the view's scale (a · s + b), the lower of the two.
    let look = g
        .nearest_prototype(
            &pretrained,
            novelty.appearance.val(),
            "appearance",
            "appearance.similarity",
        )
        .await?;
    g.weight("appearance.scale", &[], &[a]);
    g.weight("appearance.shift", &[], &[b]);
    let scaled = g.node(
        "Mul",
        &[&look, "appearance.scale"],
        "appearance.scaled",
        vec![],
    );
    let mapped = g.node(
        "Add",
        &[&scaled, "appearance.shift"],
        "appearance.on_view_scale",
        vec![],
    );
    g.node("Min", &[&view, &mapped], "similarity", vec![]);
    finish(g, model, strictness)
}

/// The ONNX model of graph `g` (its outputs `probabilities` and `similarity` made) with
/// `model`'s metadata, `none_of_these_below` at `strictness`.
fn finish(g: Graph, model: &TrainedModel, strictness: f32) -> Result<Vec<u8>> {
    let meta = &model.meta;
    let classes = meta.class_names.len();
    let json = |e: serde_json::Error| Error::InvalidArgument(e.to_string());
    let metadata = [
        (
            "labels",
            serde_json::to_string(&meta.class_names).map_err(json)?,
        ),
        ("preprocessing", PREPROCESSING.to_string()),
        (
            "novelty_calibration",
            serde_json::to_string(&meta.novelty).map_err(json)?,
        ),
        (
            "none_of_these_below",
            meta.novelty.threshold(strictness).to_string(),
        ),
        ("fine_tune_blocks", meta.fine_tune_blocks.to_string()),
        ("base_weights_sha256", meta.base_weights_sha256.clone()),
    ];
    let onnx = ModelProto {
        ir_version: IR_VERSION,
        opset_import: vec![OperatorSetIdProto {
            domain: String::new(),
            version: OPSET,
        }],
        producer_name: "burnish".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        doc_string: format!(
            "MobileNetV1 taught {classes} classes by burnish ({} fine-tuned blocks)",
            meta.fine_tune_blocks
        ),
        graph: Some(GraphProto {
            node: g.nodes,
            name: "burnish".into(),
            initializer: g.initializers,
            input: vec![tensor_value(
                "image",
                &[None, Some(3), Some(224), Some(224)],
                PREPROCESSING,
            )],
            output: vec![
                tensor_value(
                    "probabilities",
                    &[None, Some(classes)],
                    "softmax over the labels",
                ),
                tensor_value(
                    "similarity",
                    &[None],
                    "likeness to the nearest class (ImageNet's view, or the appearance where lower): under none_of_these_below is \"none of these\"",
                ),
            ],
        }),
        metadata_props: metadata
            .into_iter()
            .map(|(key, value)| StringStringEntryProto {
                key: key.into(),
                value,
            })
            .collect(),
    };
    Ok(onnx.encode_to_vec())
}

/// Reads back an ONNX model's metadata (for checks and tools): `key → value`.
pub fn metadata(bytes: &[u8]) -> Result<Vec<(String, String)>> {
    let model = ModelProto::decode(bytes).map_err(|e| Error::WeightsFormat(e.to_string()))?;
    Ok(model
        .metadata_props
        .into_iter()
        .map(|p| (p.key, p.value))
        .collect())
}

/// How many nodes of operator `op` an ONNX model's graph has (for checks).
pub fn op_count(bytes: &[u8], op: &str) -> Result<usize> {
    let model = ModelProto::decode(bytes).map_err(|e| Error::WeightsFormat(e.to_string()))?;
    Ok(model
        .graph
        .map_or(0, |g| g.node.iter().filter(|n| n.op_type == op).count()))
}
