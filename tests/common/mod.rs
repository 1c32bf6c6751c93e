//! Shared test helpers: the converted ImageNet weights and the golden fixtures.
#![allow(dead_code)]

use burn::prelude::*;
use burnish::MobileNetV1;
use burnish::weights::load_mobilenet;
use serde::Deserialize;
use std::path::PathBuf;

/// The converted weights `npm run setup` writes (not committed to git).
pub fn weights_bytes() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("www/models/mobilenet_v1_1.0_224.safetensors");
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run `npm run setup` first", path.display()))
}

/// MobileNetV1 with the real ImageNet weights on Flex.
pub fn imagenet_model(device: &Device) -> MobileNetV1 {
    load_mobilenet(&weights_bytes(), device).expect("converted weights load")
}

/// One reference image of `tests/fixtures/golden.json`.
#[derive(Deserialize)]
pub struct GoldenImage {
    pub name: String,
    pub file: String,
    pub top5_graph_index: Vec<usize>,
    pub probs: Vec<f32>,
    /// sha256 of the 224×224×3 RGB bytes TensorFlow saw (golden-photos.json).
    #[serde(default)]
    pub rgb_sha256: Option<String>,
}

#[derive(Deserialize)]
struct Golden {
    images: Vec<GoldenImage>,
}

/// The golden references, computed by TensorFlow on the frozen graph (see make_golden.py).
pub fn golden_images() -> Vec<GoldenImage> {
    read_golden("golden.json")
}

/// The wider set of golden photos (tests/fixtures/photos/CREDITS.md), same provenance.
pub fn golden_photos() -> Vec<GoldenImage> {
    read_golden("golden-photos.json")
}

fn read_golden(file: &str) -> Vec<GoldenImage> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(file);
    let text = std::fs::read_to_string(path).expect(file);
    serde_json::from_str::<Golden>(&text).expect(file).images
}

/// The 224×224 RGB pixels of a golden image; where the fixture records their sha256, checked to
/// be the very pixels TensorFlow saw.
pub fn golden_rgb(image: &GoldenImage) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(&image.file);
    let bytes = std::fs::read(path).expect("fixture image");
    let rgb = burnish::image_file::decode_to_rgb_224(&bytes).expect("fixture decodes");
    if let Some(expected) = &image.rgb_sha256 {
        assert_eq!(
            &burnish::convert::sha256_hex(&rgb),
            expected,
            "{}: decoded pixels differ from TensorFlow's",
            image.name
        );
    }
    rgb
}
pub mod fashion;

/// Trains `project` epoch by epoch (starting a run if none is in progress) until its run is done (its model installed); returns every
/// epoch's metrics.
pub fn run_to_end(project: &mut burnish::train::Project) -> Vec<burnish::train::EpochMetrics> {
    let mut history = Vec::new();
    if !project.is_training() {
        project.start_training().expect("start training");
    }
    loop {
        let m = pollster::block_on(project.train_epoch()).expect("epoch");
        let done = m.done;
        history.push(m);
        if done {
            return history;
        }
    }
}
