//! `burnish export-model`: a trained model in a format other tools load.

use crate::train::load_base;
use anyhow::Context;
use burn::prelude::*;
use burnish::train::TrainedModel;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// Formats `export-model` writes.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// One `.onnx` file: the whole classifier (image in, probabilities and similarity out).
    Onnx,
}

/// Writes `model` (from `burnish train` or the app) on the base `weights` as `format` to `out`;
/// prints one JSON line (`out`, `bytes`, `seconds`).
pub fn run(model: &Path, weights: &Path, format: Format, out: &Path) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let device = Device::flex();
    let (base, sha) = load_base(weights, &device)?;
    let bytes = std::fs::read(model).with_context(|| format!("reading {}", model.display()))?;
    let trained = TrainedModel::from_safetensors(&bytes, &base, &sha, &device)
        .with_context(|| format!("loading model {}", model.display()))?;
    let written = match format {
        Format::Onnx => pollster::block_on(burnish::export::to_onnx(&trained, &base))?,
    };
    std::fs::write(out, &written).with_context(|| format!("writing {}", out.display()))?;
    println!(
        "{}",
        serde_json::json!({
            "out": out.display().to_string(),
            "bytes": written.len(),
            "seconds": started.elapsed().as_secs_f64(),
        })
    );
    Ok(ExitCode::SUCCESS)
}
