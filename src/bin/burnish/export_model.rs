//! `burnish export-model`: a trained model in a format other tools load.

use crate::train::load_base;
use anyhow::{Context, bail};
use burn::prelude::*;
use burnish::export::{ModelFormat, export_model};
use burnish::train::TrainedModel;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// Formats `export-model` writes.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// One `.onnx` file (`--out` is the file): the whole classifier, image in, probabilities
    /// and "none of these" similarity out.
    Onnx,
    /// Teachable Machine's TF.js files (`--out` is a folder): `model.json`, `weights.bin`,
    /// `metadata.json`, for `@teachablemachine/image`, `tf.loadLayersModel` and ml5.
    Tfjs,
}

/// Writes `model` (from `burnish train` or the app) on the base `weights` as `format` to `out`;
/// prints one JSON line (`files`, `bytes`, `seconds`).
pub fn run(
    model: &Path,
    weights: &Path,
    format: Format,
    strictness: f32,
    out: &Path,
) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let device = Device::flex();
    let (base, sha) = load_base(weights, &device)?;
    let bytes = std::fs::read(model).with_context(|| format!("reading {}", model.display()))?;
    let trained = TrainedModel::from_safetensors(&bytes, &base, &sha, &device)
        .with_context(|| format!("loading model {}", model.display()))?;
    let format = match format {
        Format::Onnx => ModelFormat::Onnx,
        Format::Tfjs => ModelFormat::Tfjs,
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    let created_ms = now.map_or(0, |d| d.as_millis() as i64);
    let files = pollster::block_on(export_model(
        &trained, &base, format, strictness, created_ms,
    ))?;
    let mut written = Vec::new();
    match (format, files.as_slice()) {
        (ModelFormat::Onnx, [file]) => {
            std::fs::write(out, &file.bytes)
                .with_context(|| format!("writing {}", out.display()))?;
            written.push(out.to_path_buf());
        }
        (ModelFormat::Tfjs, files) => {
            std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
            for file in files {
                let path = out.join(&file.name);
                std::fs::write(&path, &file.bytes)
                    .with_context(|| format!("writing {}", path.display()))?;
                written.push(path);
            }
        }
        _ => bail!("unexpected files for {format:?}"),
    }
    println!(
        "{}",
        serde_json::json!({
            "files": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "bytes": files.iter().map(|f| f.bytes.len()).sum::<usize>(),
            "seconds": started.elapsed().as_secs_f64(),
        })
    );
    Ok(ExitCode::SUCCESS)
}
