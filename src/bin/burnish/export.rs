//! `burnish export`: a folder of class folders (and optionally a trained model) as a project
//! bundle the app imports.

use crate::image_folder;
use anyhow::Context;
use burnish::bundle::Bundle;
use burnish::train::{Behaviours, NextIds, TrainConfig};
use std::path::Path;
use std::process::ExitCode;

/// `settings` and `strictness` ("none of these", the app's slider): what the bundle carries, if given.
pub fn run(
    data_dir: &Path,
    model: Option<&Path>,
    settings: Option<TrainConfig>,
    strictness: Option<f32>,
    out: &Path,
) -> anyhow::Result<ExitCode> {
    let folder = image_folder::read(data_dir, None)?;
    let samples = folder.bundle_samples()?;
    let model = model
        .map(|path| std::fs::read(path).with_context(|| format!("reading {}", path.display())))
        .transpose()?;
    let next_ids = NextIds {
        class: folder.classes.len() as u64,
        sample: samples.len() as u64,
    };
    let behaviours = Behaviours::nothing(folder.classes.len());
    let bundle = Bundle {
        class_names: folder.classes,
        settings,
        strictness,
        next_ids,
        samples,
        model,
        behaviours,
    };
    let bytes = bundle.to_zip()?;
    // Read back: what is written is what the app will accept.
    Bundle::from_zip(&bytes)?;
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    println!(
        "{}",
        serde_json::json!({ "out": out.display().to_string(), "samples": bundle.samples.len(), "bytes": bytes.len() })
    );
    Ok(ExitCode::SUCCESS)
}
