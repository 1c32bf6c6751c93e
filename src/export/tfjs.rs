//! TF.js Layers in Teachable Machine's layout (`model.json`, `weights.bin`, `metadata.json`), so
//! that `@teachablemachine/image`'s `tmImage.load(modelURL, metadataURL)`, plain
//! `tf.loadLayersModel` and ml5 load a burnish model as they load one from Teachable Machine.
//!
//! `model.json` is a Keras `Sequential` of layers TF.js has had since 1.x (Teachable Machine's
//! snippet still loads TF.js 1.3.1), laid out and named as `keras.applications.MobileNet`:
//! BatchNorm folded into each convolution, `ReLU(max_value=6)`, stride-2 convolutions as
//! `ZeroPadding2D(((0, 1), (0, 1)))` + `valid` (TF "SAME": the odd pixel at the bottom/right, as
//! burnish pads), the others `same`; then global average pooling, the head's `Dense` layers and
//! softmax. Input: `float32 [N, 224, 224, 3]` (NHWC), RGB as Teachable Machine's library
//! prepares it: centre square crop drawn at 224×224, `value / 127 - 1`. burnish's own
//! preprocessing divides by 127.5, so the first layer, `input_scale` (a 1×1 depthwise
//! convolution), maps one to the other exactly: `x · 254/255 − 1/255`.
//!
//! The "none of these" similarity is not part of Teachable Machine's format and is not exported
//! (the ONNX export carries it).

use super::{DenseWeights, ExportedFile, FoldedConv, read_dense, read_folded_conv};
use crate::error::{Error, Result};
use crate::model::{ConvBnRelu6, MobileNetV1};
use crate::train::TrainedModel;
use burn::nn::Linear;
use serde::Serialize;
use serde_json::{Value, json};

/// The TF.js version Teachable Machine's image library pins (its peer dependency and its
/// snippet's `<script>`); written as `tfjsVersion` as Teachable Machine does.
pub const TFJS_VERSION: &str = "1.3.1";
/// The `@teachablemachine/image` release the export is checked against (`packageVersion`).
pub const TM_PACKAGE_VERSION: &str = "0.8.5";
/// Image side the model expects (`imageSize`).
pub const IMAGE_SIZE: usize = 224;
/// What the TF.js model's input expects.
pub const PREPROCESSING: &str = "input: float32 [N, 224, 224, 3] (NHWC), RGB, centre square crop drawn at 224x224, value/127 - 1 (as @teachablemachine/image prepares it)";

fn generated_by() -> String {
    format!("burnish {}", env!("CARGO_PKG_VERSION"))
}

/// Keras layers and their weights, added in order.
#[derive(Default)]
struct Layers {
    layers: Vec<Value>,
    manifest: Vec<Value>,
    bytes: Vec<u8>,
}

impl Layers {
    /// Adds a layer of Keras class `class_name` (`config` without its name).
    fn layer(&mut self, class_name: &str, name: &str, mut config: Value) {
        config["name"] = name.into();
        config["trainable"] = true.into();
        config["dtype"] = "float32".into();
        if self.layers.is_empty() {
            config["batch_input_shape"] = json!([null, IMAGE_SIZE, IMAGE_SIZE, 3]);
        }
        self.layers
            .push(json!({ "class_name": class_name, "config": config }));
    }

    /// Adds a float32 weight to the manifest and its values to `weights.bin`.
    fn weight(&mut self, name: String, shape: &[usize], values: &[f32]) {
        debug_assert_eq!(shape.iter().product::<usize>(), values.len());
        self.manifest
            .push(json!({ "name": name, "shape": shape, "dtype": "float32" }));
        self.bytes
            .extend(values.iter().flat_map(|v| v.to_le_bytes()));
    }

    /// A folded convolution (standard or depthwise) and ReLU6, named `name` (`name_relu`); a
    /// stride-2 one is padded at the bottom/right first (`pad`), as TF "SAME" pads.
    async fn conv_relu6(&mut self, layer: &ConvBnRelu6, name: &str, pad: &str) -> Result<()> {
        let conv = read_folded_conv(layer).await?;
        let FoldedConv { weight, bias, .. } = &conv;
        let [c_out, c_in_per_group, kh, kw] = conv.dims;
        let [stride, stride_w] = conv.stride;
        if stride != stride_w || kh != kw || !matches!(stride, 1 | 2) {
            return Err(Error::InvalidArgument(format!(
                "TF.js export: unexpected convolution {kh}x{kw} stride {stride}x{stride_w}"
            )));
        }
        let padding = if stride == 2 {
            self.layer(
                "ZeroPadding2D",
                pad,
                json!({ "padding": [[0, 1], [0, 1]], "data_format": "channels_last" }),
            );
            "valid"
        } else {
            "same"
        };
        let common = json!({
            "kernel_size": [kh, kw],
            "strides": [stride, stride],
            "padding": padding,
            "data_format": "channels_last",
            "dilation_rate": [1, 1],
            "activation": "linear",
            "use_bias": true,
        });
        // burn: [out, in / groups, kh, kw]; Keras: [kh, kw, in, out] (Conv2D) or
        // [kh, kw, in, 1] (DepthwiseConv2D, one filter per input channel).
        let depthwise = conv.groups > 1;
        if depthwise && (conv.groups != c_out || c_in_per_group != 1) {
            return Err(Error::InvalidArgument(format!(
                "TF.js export: grouped convolution with {} groups is not depthwise",
                conv.groups
            )));
        }
        let c_in = c_in_per_group;
        let mut kernel = Vec::with_capacity(weight.len());
        for i in 0..kh {
            for j in 0..kw {
                if depthwise {
                    kernel.extend((0..c_out).map(|c| weight[(c * kh + i) * kw + j]));
                } else {
                    for c in 0..c_in {
                        kernel
                            .extend((0..c_out).map(|o| weight[((o * c_in + c) * kh + i) * kw + j]));
                    }
                }
            }
        }
        let mut config = common;
        if depthwise {
            config["depth_multiplier"] = 1.into();
            self.layer("DepthwiseConv2D", name, config);
            self.weight(
                format!("{name}/depthwise_kernel"),
                &[kh, kw, c_out, 1],
                &kernel,
            );
        } else {
            config["filters"] = c_out.into();
            self.layer("Conv2D", name, config);
            self.weight(format!("{name}/kernel"), &[kh, kw, c_in, c_out], &kernel);
        }
        self.weight(format!("{name}/bias"), &[c_out], bias);
        self.layer("ReLU", &format!("{name}_relu"), json!({ "max_value": 6.0 }));
        Ok(())
    }

    /// A dense layer; burn's `Linear` stores its weight `[in, out]`, as Keras' kernel.
    async fn dense(&mut self, layer: &Linear, name: &str, activation: &str) -> Result<()> {
        let DenseWeights { dims, weight, bias } = read_dense(layer).await?;
        let [d_in, d_out] = dims;
        self.layer(
            "Dense",
            name,
            json!({ "units": d_out, "activation": activation, "use_bias": true }),
        );
        self.weight(format!("{name}/kernel"), &[d_in, d_out], &weight);
        self.weight(format!("{name}/bias"), &[d_out], &bias);
        Ok(())
    }
}

/// `model.json`: TF.js' layers-model artifacts.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ModelJson {
    model_topology: Value,
    format: &'static str,
    generated_by: String,
    converted_by: Option<String>,
    weights_manifest: Vec<Value>,
}

/// `metadata.json`, with Teachable Machine's fields in its order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata<'a> {
    tfjs_version: &'static str,
    tm_version: String,
    package_version: &'static str,
    package_name: &'static str,
    time_stamp: String,
    user_metadata: Value,
    model_name: &'static str,
    labels: &'a [String],
    image_size: usize,
}

/// The model as Teachable Machine's three files: `model.json`, `weights.bin`, `metadata.json`.
pub async fn to_tfjs(
    model: &TrainedModel,
    base: &MobileNetV1,
    created_ms: i64,
) -> Result<Vec<ExportedFile>> {
    let first = model.first_block();
    let tail = &model.net.tail;
    let mut l = Layers::default();

    // Teachable Machine's `value / 127 - 1` to burnish's `value / 127.5 - 1`, per channel.
    l.layer(
        "DepthwiseConv2D",
        "input_scale",
        json!({
            "kernel_size": [1, 1],
            "strides": [1, 1],
            "padding": "valid",
            "data_format": "channels_last",
            "dilation_rate": [1, 1],
            "depth_multiplier": 1,
            "activation": "linear",
            "use_bias": true,
        }),
    );
    l.weight(
        "input_scale/depthwise_kernel".into(),
        &[1, 1, 3, 1],
        &[254.0 / 255.0; 3],
    );
    l.weight("input_scale/bias".into(), &[3], &[-1.0 / 255.0; 3]);

    l.conv_relu6(&base.stem, "conv1", "conv1_pad").await?;
    let blocks = base.blocks[..first].iter().chain(&tail.blocks);
    for (i, block) in blocks.enumerate() {
        let n = i + 1;
        l.conv_relu6(
            &block.depthwise,
            &format!("conv_dw_{n}"),
            &format!("conv_pad_{n}"),
        )
        .await?;
        l.conv_relu6(&block.pointwise, &format!("conv_pw_{n}"), "")
            .await?;
    }
    l.layer(
        "GlobalAveragePooling2D",
        "global_average_pooling2d",
        json!({ "data_format": "channels_last" }),
    );
    if let Some(hidden) = &tail.head.hidden {
        l.dense(hidden, "dense_hidden", "relu").await?;
    }
    l.dense(&tail.head.output, "predictions", "softmax").await?;

    let json_error = |e: serde_json::Error| Error::InvalidArgument(e.to_string());
    let model_json = ModelJson {
        model_topology: json!({
            "class_name": "Sequential",
            "config": { "name": "burnish", "layers": l.layers },
            "keras_version": format!("tfjs-layers {TFJS_VERSION}"),
            "backend": "tensor_flow.js",
        }),
        format: "layers-model",
        generated_by: generated_by(),
        converted_by: None,
        weights_manifest: vec![json!({ "paths": ["weights.bin"], "weights": l.manifest })],
    };
    let meta = &model.meta;
    let metadata = Metadata {
        tfjs_version: TFJS_VERSION,
        tm_version: generated_by(),
        package_version: TM_PACKAGE_VERSION,
        package_name: "@teachablemachine/image",
        time_stamp: iso8601(created_ms),
        user_metadata: json!({
            "generatedBy": generated_by(),
            "preprocessing": PREPROCESSING,
            "fineTuneBlocks": meta.fine_tune_blocks,
            "baseWeightsSha256": meta.base_weights_sha256,
        }),
        model_name: "burnish",
        labels: &meta.class_names,
        image_size: IMAGE_SIZE,
    };
    Ok(vec![
        ExportedFile {
            name: "model.json".into(),
            bytes: serde_json::to_vec(&model_json).map_err(json_error)?,
        },
        ExportedFile {
            name: "weights.bin".into(),
            bytes: l.bytes,
        },
        ExportedFile {
            name: "metadata.json".into(),
            bytes: serde_json::to_vec(&metadata).map_err(json_error)?,
        },
    ])
}

/// Milliseconds since 1970-01-01 UTC as ISO 8601 (proleptic Gregorian, Howard Hinnant's
/// `civil_from_days`).
fn iso8601(millis: i64) -> String {
    let (days, ms) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{frac:03}Z")
}

#[cfg(test)]
mod tests {
    use super::iso8601;

    #[test]
    fn timestamps_read_as_teachable_machine_writes_them() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_589_974_116_478), "2020-05-20T11:28:36.478Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}
