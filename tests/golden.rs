//! The model reproduces TensorFlow's own output on the frozen graph, on real photos.
#![cfg(not(target_arch = "wasm32"))]
// Native-only test: synchronous readback is fine here.
#![allow(clippy::disallowed_methods)]

mod common;

use burn::prelude::*;
use burnish::data::rgb_to_input;
use burnish::infer::{probabilities, top_k};
use common::{golden_images, golden_rgb, imagenet_model};

#[test]
fn flex_matches_tensorflow_reference_probabilities() {
    let device = Device::flex();
    let loaded = imagenet_model(&device);
    let golden = golden_images();
    assert!(golden.len() >= 5, "need at least 5 reference images");
    let rgb: Vec<u8> = golden.iter().flat_map(golden_rgb).collect();
    let input = rgb_to_input(&rgb, &device).expect("input");
    // As loaded (what trains) and with BatchNorm folded (what the frozen prefix runs).
    for (variant, model) in [("as loaded", loaded.clone()), ("folded", loaded.folded())] {
        println!("{variant}:");
        check_against_reference(&golden, &model, input.clone());
    }
}

fn check_against_reference(
    golden: &[common::GoldenImage],
    model: &burnish::MobileNetV1,
    input: Tensor<4>,
) {
    let probs = pollster::block_on(probabilities(model, input)).expect("forward");
    for (reference, ours) in golden.iter().zip(&probs) {
        let max_delta = reference
            .probs
            .iter()
            .zip(ours)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        let top5: Vec<usize> = top_k(ours, 5).iter().map(|s| s.index).collect();
        println!(
            "{}: max |Δprob| = {max_delta:.2e}, top5 {top5:?}",
            reference.name
        );
        assert!(
            max_delta <= 1e-3,
            "{}: max |Δprob| = {max_delta}",
            reference.name
        );
        assert_eq!(
            top5, reference.top5_graph_index,
            "{}: top-5 differs",
            reference.name
        );
    }
}

#[test]
fn boundary_split_composes_to_full_forward() {
    let device = Device::flex();
    let model = imagenet_model(&device);
    let golden = golden_images();
    let input = rgb_to_input(&golden_rgb(&golden[0]), &device).expect("input");
    let full = model
        .forward(input.clone())
        .into_data()
        .try_to_vec::<f32>()
        .expect("f32");
    for first_block in [10, 12, 13] {
        let boundary = model.forward_until(input.clone(), first_block);
        let split = model
            .forward_from(boundary, first_block)
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32");
        let delta = full
            .iter()
            .zip(&split)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(delta < 1e-4, "first_block {first_block}: {delta}");
    }
}
