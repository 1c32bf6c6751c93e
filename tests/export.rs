//! ONNX export on a random MobileNetV1 (no weights): the graph's shape and metadata. That ONNX
//! Runtime reproduces burnish's answers on real photos is checked by `.ci/python-model.sh`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use burn::prelude::*;
use burnish::MobileNetV1Config;
use burnish::export::{onnx, to_onnx};
use burnish::train::{Dataset, FineTuneBlocks, Project, TrainConfig};
use common::run_to_end;

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
        project.add_sample(usize::from(i % 2), rgb).expect("sample");
    }
    let run = project.start_run().expect("run");
    run_to_end(&mut project, run);
    let model = project.trained().expect("model");
    let bytes = pollster::block_on(to_onnx(model, project.base())).expect("onnx");
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
