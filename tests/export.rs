//! ONNX and TF.js exports on a random MobileNetV1 (no weights): the graph's shape, the files and
//! metadata. That ONNX Runtime reproduces burnish's answers on real photos is checked by
//! `.ci/python-model.sh`; that Teachable Machine's library does, by `tests/e2e/tfjs-export.test.js`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use burn::prelude::*;
use burnish::MobileNetV1Config;
use burnish::export::{onnx, to_onnx, to_tfjs};
use burnish::infer::read_values;
use burnish::train::{DEFAULT_STRICTNESS, Dataset, FineTuneBlocks, Project, TrainConfig};
use common::run_to_end;
use serde_json::Value;

fn trained(blocks: usize) -> (Project, Vec<u8>) {
    let device = Device::flex();
    device.seed(3);
    let base = MobileNetV1Config::new().init(&device);
    let names = vec!["cats".to_string(), "\"quoted\" dogs".to_string()];
    let mut project = Project::new(base, device, "random", Dataset::new(names));
    project
        .set_config(TrainConfig {
            fine_tune_blocks: FineTuneBlocks::Exactly(blocks),
            epochs: 2,
            fine_tune_epochs: 1,
            augment: false,
            validation_fraction: 0.0,
            ..TrainConfig::default()
        })
        .expect("config");
    for i in 0..6u8 {
        let rgb = (0..224 * 224 * 3)
            .map(|p| (p as u8).wrapping_mul(i + 1))
            .collect();
        project.add_sample(u64::from(i % 2), rgb).expect("sample");
    }
    run_to_end(&mut project);
    let model = project.trained().expect("model");
    let bytes =
        pollster::block_on(to_onnx(model, project.base(), DEFAULT_STRICTNESS)).expect("onnx");
    (project, bytes)
}

#[test]
fn onnx_carries_labels_calibration_and_both_branches() {
    for blocks in [0, 1] {
        let (project, bytes) = trained(blocks);
        let meta: std::collections::HashMap<String, String> = onnx::metadata(&bytes)
            .expect("decodes")
            .into_iter()
            .collect();
        let labels: Vec<String> = serde_json::from_str(&meta["labels"]).expect("labels json");
        assert_eq!(labels, ["cats", "\"quoted\" dogs"]);
        assert_eq!(meta["fine_tune_blocks"], blocks.to_string());
        let model = project.trained().expect("model");
        let below: f32 = meta["none_of_these_below"].parse().expect("threshold");
        assert_eq!(
            below,
            model
                .meta
                .novelty
                .threshold(burnish::train::DEFAULT_STRICTNESS)
        );
        assert!(meta["novelty_calibration"].contains("\"median\""));
        // 14 convolutions (stem + 13 blocks × 2 = 27) plus, for k = 1, the pretrained copy of
        // the last block's two for "none of these".
        let convs = onnx::op_count(&bytes, "Conv").expect("decodes");
        assert_eq!(convs, 27 + 2 * blocks, "k = {blocks}");
    }
}

/// A manifest weight's values, read from `weights.bin` (little-endian float32, manifest order).
fn manifest_values(model_json: &Value, weights_bin: &[u8], name: &str) -> (Vec<usize>, Vec<f32>) {
    let mut offset = 0;
    for weight in model_json["weightsManifest"][0]["weights"]
        .as_array()
        .expect("weights")
    {
        let shape: Vec<usize> = serde_json::from_value(weight["shape"].clone()).expect("shape");
        let bytes = 4 * shape.iter().product::<usize>();
        if weight["name"] == name {
            let values = weights_bin[offset..offset + bytes]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
                .collect();
            return (shape, values);
        }
        offset += bytes;
    }
    panic!("no weight {name}")
}

#[test]
fn tfjs_files_parse_and_the_manifest_covers_weights_bin() {
    for blocks in [0, 1] {
        let (project, _) = trained(blocks);
        let model = project.trained().expect("model");
        let files =
            pollster::block_on(to_tfjs(model, project.base(), 1_589_974_116_478)).expect("tfjs");
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["model.json", "weights.bin", "metadata.json"]);
        let model_json: Value = serde_json::from_slice(&files[0].bytes).expect("model.json");
        let weights_bin = &files[1].bytes;
        let metadata: Value = serde_json::from_slice(&files[2].bytes).expect("metadata.json");

        assert_eq!(model_json["format"], "layers-model");
        let topology = &model_json["modelTopology"];
        assert_eq!(topology["class_name"], "Sequential");
        let layers = topology["config"]["layers"].as_array().expect("layers");
        assert_eq!(
            layers[0]["config"]["batch_input_shape"],
            serde_json::json!([null, 224, 224, 3])
        );
        let class = |c: &str| layers.iter().filter(|l| l["class_name"] == c).count();
        // input_scale, the stem and 13 blocks × 2; a ReLU6 after each but input_scale; stride 2:
        // the stem and blocks 2, 4, 6 and 12, each padded first.
        assert_eq!(class("Conv2D") + class("DepthwiseConv2D"), 1 + 27);
        assert_eq!(class("ReLU"), 27);
        assert_eq!(class("ZeroPadding2D"), 5);
        let last = layers.last().expect("a layer");
        assert_eq!(last["class_name"], "Dense");
        assert_eq!(last["config"]["activation"], "softmax");
        assert_eq!(last["config"]["units"], 2);
        let layer_names: std::collections::HashSet<&str> = layers
            .iter()
            .map(|l| l["config"]["name"].as_str().expect("name"))
            .collect();
        assert_eq!(layer_names.len(), layers.len(), "layer names are unique");

        let manifest = model_json["weightsManifest"].as_array().expect("manifest");
        assert_eq!(manifest.len(), 1);
        assert_eq!(manifest[0]["paths"], serde_json::json!(["weights.bin"]));
        let mut bytes = 0;
        for weight in manifest[0]["weights"].as_array().expect("weights") {
            assert_eq!(weight["dtype"], "float32");
            let name = weight["name"].as_str().expect("name");
            let layer = name.rsplit_once('/').expect("layer/weight").0;
            assert!(layer_names.contains(layer), "{name} names a layer");
            let shape: Vec<usize> = serde_json::from_value(weight["shape"].clone()).expect("shape");
            bytes += 4 * shape.iter().product::<usize>();
        }
        assert_eq!(bytes, weights_bin.len(), "k = {blocks}");

        // Layouts: Dense kernels are burn's [in, out]; Conv2D kernels [kh, kw, in, out] from
        // burn's [out, in, kh, kw] (the stem, BatchNorm folded).
        let (shape, kernel) = manifest_values(&model_json, weights_bin, "predictions/kernel");
        let output = &model.net.tail.head.output;
        assert_eq!(shape, output.weight.dims());
        assert_eq!(
            kernel,
            pollster::block_on(read_values(output.weight.val())).expect("read")
        );
        let (shape, kernel) = manifest_values(&model_json, weights_bin, "conv1/kernel");
        assert_eq!(shape, [3, 3, 3, 32]);
        let stem = project.base().stem.folded();
        let burn = pollster::block_on(read_values(stem.conv.weight.val())).expect("read");
        for (i, j, c, o) in [(0, 0, 0, 0), (1, 2, 0, 5), (2, 1, 2, 31)] {
            assert_eq!(
                kernel[((i * 3 + j) * 3 + c) * 32 + o],
                burn[((o * 3 + c) * 3 + i) * 3 + j]
            );
        }

        assert_eq!(metadata["packageName"], "@teachablemachine/image");
        assert_eq!(
            metadata["labels"],
            serde_json::json!(["cats", "\"quoted\" dogs"])
        );
        assert_eq!(metadata["imageSize"], 224);
        assert_eq!(
            metadata["timeStamp"], "2020-05-20T11:28:36.478Z",
            "the time given"
        );
        for key in [
            "tfjsVersion",
            "tmVersion",
            "packageVersion",
            "timeStamp",
            "modelName",
        ] {
            assert!(metadata[key].is_string(), "metadata.json {key}");
        }
        assert!(metadata["userMetadata"].is_object());
    }
}

#[test]
fn format_names_are_their_serialised_names() {
    use burnish::export::ModelFormat;
    for format in [
        ModelFormat::Onnx,
        ModelFormat::Tfjs,
        ModelFormat::Safetensors,
    ] {
        assert_eq!(serde_json::to_value(format).expect("json"), format.name());
    }
}
