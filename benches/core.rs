//! Native benchmarks of the core on Flex (`cargo bench`): embedding at batch 1 and 32, one
//! head-training epoch on 250 cached embeddings (5 classes × 50, batch 16), one epoch
//! fine-tuning the last block on 250 cached boundary activations. Needs the converted weights
//! (`npm run setup`).

use burn::prelude::*;
use burnish::data::rgb_to_input;
use burnish::infer::read_values;
use burnish::train::{Dataset, Project, TrainConfig};
use burnish::weights::{load_mobilenet, source_sha256};
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::PathBuf;

const PHOTOS: [&str; 6] = ["dog", "chelsea", "eagle", "coffee", "rocket", "astronaut"];

fn weights() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("www/models/mobilenet_v1_1.0_224.safetensors");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}; run `npm run setup`", path.display()))
}

/// The fixture photos as 224² RGB, `n` of them (repeated, each made distinct by one pixel).
fn photos(n: usize) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images");
    let base: Vec<Vec<u8>> = PHOTOS
        .iter()
        .map(|p| {
            image::open(dir.join(format!("{p}.png")))
                .expect("png")
                .to_rgb8()
                .into_raw()
        })
        .collect();
    (0..n)
        .map(|i| {
            let mut rgb = base[i % base.len()].clone();
            let len = rgb.len();
            rgb[(i * 3) % len] ^= (i % 255 + 1) as u8;
            rgb
        })
        .collect()
}

fn embedding(c: &mut Criterion) {
    let device = Device::flex();
    let loaded = load_mobilenet(&weights(), &device).expect("weights");
    let folded = loaded.folded();
    for batch in [1usize, 32] {
        let rgb: Vec<u8> = photos(batch).concat();
        for (variant, model) in [("BatchNorm folded", &folded), ("as loaded", &loaded)] {
            c.bench_function(&format!("embed batch {batch}, {variant}"), |b| {
                b.iter(|| {
                    let input = rgb_to_input(&rgb, &device).expect("input");
                    pollster::block_on(read_values(model.embed(input))).expect("read")
                })
            });
        }
    }
}

/// A project of 5 classes × 50 samples whose run never ends: for `fine_tune_blocks` ≥ 1, its
/// one head epoch is already done, so that every timed epoch trains the blocks.
fn run(fine_tune_blocks: usize) -> Project {
    let device = Device::flex();
    let bytes = weights();
    let base = load_mobilenet(&bytes, &device).expect("weights");
    let names = (0..5).map(|i| format!("class {i}")).collect();
    let sha = source_sha256(&bytes).expect("sha");
    let mut project = Project::new(base, device, sha, Dataset::new(names));
    for (i, rgb) in photos(250).into_iter().enumerate() {
        project.add_sample((i % 5) as u64, rgb).expect("sample");
    }
    project
        .set_config(TrainConfig {
            fine_tune_blocks: burnish::train::FineTuneBlocks::Exactly(fine_tune_blocks),
            augment: false,
            epochs: if fine_tune_blocks == 0 { 10_000 } else { 1 },
            fine_tune_epochs: 10_000,
            patience: None,
            validation_fraction: 0.0,
            ..TrainConfig::default()
        })
        .expect("config");
    project.start_training().expect("start");
    if fine_tune_blocks > 0 {
        pollster::block_on(project.train_epoch()).expect("head epoch");
    }
    project
}

fn training(c: &mut Criterion) {
    let mut head = run(0);
    c.bench_function("head epoch, 250 cached embeddings", |b| {
        b.iter(|| pollster::block_on(head.train_epoch()).expect("epoch"))
    });
    let mut group = c.benchmark_group("fine-tune");
    group.sample_size(10);
    let mut last_block = run(1);
    group.bench_function("last-block epoch, 250 cached activations", |b| {
        b.iter(|| pollster::block_on(last_block.train_epoch()).expect("epoch"))
    });
    group.finish();
}

criterion_group!(benches, embedding, training);
criterion_main!(benches);
