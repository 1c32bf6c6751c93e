//! "Why did it say that?": the Grad-CAM map of a class peaks where that class's evidence is, on
//! the real weights, through the head alone and through a fine-tuned block.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use burn::prelude::*;
use burnish::data::INPUT_SIZE;
use burnish::train::{Dataset, FineTuneBlocks, Project, TrainConfig};
use burnish::weights::source_sha256;
use common::{golden_images, golden_rgb, imagenet_model, run_to_end, weights_bytes};
use image::imageops::{FilterType, resize};
use image::{Rgb, RgbImage};

/// Side of the pasted photo: a bit under half the image, so it sits inside one quadrant.
const PASTED: u32 = 96;

/// A grey 224² image with golden photo `name`, shrunk, at (`x`, `y`).
fn pasted(name: &str, x: u32, y: u32) -> Vec<u8> {
    let golden = golden_images();
    let photo = golden
        .iter()
        .find(|g| g.name == name)
        .expect("golden photo");
    let side = INPUT_SIZE as u32;
    let photo = RgbImage::from_raw(side, side, golden_rgb(photo)).expect("224² rgb");
    let small = resize(&photo, PASTED, PASTED, FilterType::Triangle);
    let mut canvas = RgbImage::from_pixel(side, side, Rgb([128, 128, 128]));
    image::imageops::overlay(&mut canvas, &small, i64::from(x), i64::from(y));
    canvas.into_raw()
}

/// Top-left corners inside each quadrant (top left, top right, bottom left, bottom right).
fn corners(offset: u32) -> [(u32, u32); 4] {
    let far = INPUT_SIZE as u32 - PASTED - offset;
    [(offset, offset), (far, offset), (offset, far), (far, far)]
}

/// A project taught "cat" (chelsea) against "coffee", each pasted into every quadrant.
fn trained(fine_tune_blocks: usize) -> Project {
    let device = Device::flex();
    let bytes = weights_bytes();
    let sha = source_sha256(&bytes).expect("sha");
    let names = vec!["cat".to_string(), "coffee".to_string()];
    let mut project = Project::new(imagenet_model(&device), device, sha, Dataset::new(names));
    project
        .set_config(TrainConfig {
            fine_tune_blocks: FineTuneBlocks::Exactly(fine_tune_blocks),
            epochs: 20,
            fine_tune_epochs: 5,
            augment: false,
            validation_fraction: 0.0,
            patience: None,
            seed: 5,
            ..TrainConfig::default()
        })
        .expect("settings");
    for offset in [4, 12] {
        for (x, y) in corners(offset) {
            project.add_sample(0, pasted("chelsea", x, y)).expect("cat");
            project
                .add_sample(1, pasted("coffee", x, y))
                .expect("coffee");
        }
    }
    run_to_end(&mut project);
    project
}

fn assert_maps_follow_the_cat(project: &Project, what: &str) {
    let half = INPUT_SIZE as f32 / 2.0;
    for (quadrant, (x, y)) in corners(8).into_iter().enumerate() {
        let image = pasted("chelsea", x, y);
        let map = pollster::block_on(project.explain(&image, None)).expect("explain");
        assert_eq!(map.class, 0, "{what}: the cat is predicted");
        assert_eq!((map.side, map.heat.len()), (7, 49));
        let (row, column) = map.peak();
        let cell = INPUT_SIZE as f32 / map.side as f32;
        let centre = ((column as f32 + 0.5) * cell, (row as f32 + 0.5) * cell);
        let expected = (quadrant % 2 == 1, quadrant / 2 == 1);
        assert_eq!(
            (centre.0 > half, centre.1 > half),
            expected,
            "{what}: the cat's map peaks at cell {row},{column}, not in quadrant {quadrant}: {:?}",
            map.heat
        );
        assert!(map.heat.iter().all(|h| (0.0..=1.0).contains(h)));
        assert_eq!(map.heat.iter().copied().fold(0f32, f32::max), 1.0);
    }
    let image = pasted("chelsea", 8, 8);
    let asked = pollster::block_on(project.explain(&image, Some(1))).expect("another class");
    assert_eq!(asked.class, 1, "{what}: the class asked for");
    assert!(pollster::block_on(project.explain(&image, Some(2))).is_err());
}

#[test]
fn the_map_of_a_class_peaks_where_its_evidence_is() {
    assert_maps_follow_the_cat(&trained(0), "head only");
    assert_maps_follow_the_cat(&trained(1), "last block fine-tuned");
}
