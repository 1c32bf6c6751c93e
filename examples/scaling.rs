//! Scaling of the core with the number of samples (native, Flex): for each size, the time to add
//! and embed the samples, one head-training epoch (k = 0) and, up to `--k1-max`, one epoch
//! fine-tuning the last block (k = 1), with the resident memory after each step. One JSON line
//! per size; the per-sample columns show whether a cost grows faster than the data.
//!
//! `cargo run --release --example scaling -- 100 1000 10000 [--k1-max 1000]`
//! (needs the converted weights: `npm run setup`)

use burn::prelude::*;
use burnish::train::{Dataset, Project, TrainConfig};
use burnish::weights::{load_mobilenet, source_sha256};
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

const PHOTOS: [&str; 6] = ["dog", "chelsea", "eagle", "coffee", "rocket", "astronaut"];
const CLASSES: usize = 5;

/// Resident memory of this process in MB (Linux `/proc/self/status`).
fn resident_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn photos() -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images");
    PHOTOS
        .iter()
        .map(|p| {
            image::open(dir.join(format!("{p}.png")))
                .expect("fixture photo")
                .to_rgb8()
                .into_raw()
        })
        .collect()
}

/// A project holding `n` distinct samples (fixture photos, one pixel changed each), not embedded.
fn project_with(n: usize, weights: &[u8], photos: &[Vec<u8>], fine_tune_blocks: usize) -> Project {
    let device = Device::flex();
    let base = load_mobilenet(weights, &device).expect("weights");
    let names = (0..CLASSES).map(|i| format!("class {i}")).collect();
    let sha = source_sha256(weights).expect("sha");
    let mut project = Project::new(base, device, sha, Dataset::new(names));
    project
        .set_config(TrainConfig {
            fine_tune_blocks: burnish::train::FineTuneBlocks::Exactly(fine_tune_blocks),
            augment: false,
            epochs: 1_000,
            patience: None,
            ..TrainConfig::default()
        })
        .expect("config");
    for i in 0..n {
        let mut rgb = photos[i % photos.len()].clone();
        let len = rgb.len();
        rgb[(i * 3) % len] ^= (i % 255 + 1) as u8;
        project
            .add_sample((i % CLASSES) as u64, rgb)
            .expect("sample");
    }
    project
}

/// Seconds of one epoch of a fresh run on `project` (embedded already), its start included.
fn epoch_seconds(project: &mut Project) -> f64 {
    timed(|| {
        project.start_training().expect("start");
        pollster::block_on(project.train_epoch()).expect("epoch")
    })
    .1
}

/// Seconds taken by `f`.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed().as_secs_f64())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let k1_max = args
        .iter()
        .position(|a| a == "--k1-max")
        .and_then(|i| args.get(i + 1))
        .map_or(1000, |v| v.parse().expect("--k1-max N"));
    let sizes: Vec<usize> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--k1-max"))
        .map(|(_, a)| a.parse().expect("sample counts"))
        .collect();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("www/models/mobilenet_v1_1.0_224.safetensors");
    let weights = std::fs::read(&path).expect("weights: run `npm run setup`");
    let photos = photos();
    for n in if sizes.is_empty() {
        vec![100, 1000]
    } else {
        sizes
    } {
        let before = resident_mb();
        let (mut head, add_s) = timed(|| project_with(n, &weights, &photos, 0));
        let added_mb = resident_mb();
        let (_, embed_s) = timed(|| head.embed_pending(usize::MAX).expect("embed"));
        let embedded_mb = resident_mb();
        let head_epoch_s = epoch_seconds(&mut head);
        let mut line = json!({
            "samples": n,
            "add_s": add_s,
            "embed_s": embed_s,
            "embed_ms_per_sample": embed_s * 1e3 / n as f64,
            "head_epoch_s": head_epoch_s,
            "head_epoch_us_per_sample": head_epoch_s * 1e6 / n as f64,
            "rss_mb_samples": added_mb - before,
            "rss_mb_after_embedding": embedded_mb - before,
            "rss_kb_per_sample": (embedded_mb - before) * 1024.0 / n as f64,
        });
        drop(head);
        if n <= k1_max {
            let before = resident_mb();
            let mut last_block = project_with(n, &weights, &photos, 1);
            let (_, k1_embed_s) = timed(|| last_block.embed_pending(usize::MAX).expect("embed"));
            let k1_epoch_s = epoch_seconds(&mut last_block);
            line["k1_embed_s"] = json!(k1_embed_s);
            line["k1_epoch_s"] = json!(k1_epoch_s);
            line["k1_epoch_ms_per_sample"] = json!(k1_epoch_s * 1e3 / n as f64);
            line["k1_rss_kb_per_sample"] = json!((resident_mb() - before) * 1024.0 / n as f64);
        }
        println!("{line}");
    }
}
