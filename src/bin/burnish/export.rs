//! `burnish export`: a folder of class folders (and optionally a trained model) as a project
//! bundle the app imports.

use crate::image_folder;
use anyhow::Context;
use burnish::bundle::Bundle;
use std::path::Path;
use std::process::ExitCode;

pub fn run(data_dir: &Path, model: Option<&Path>, out: &Path) -> anyhow::Result<ExitCode> {
    let folder = image_folder::read(data_dir, None)?;
    let samples = folder.bundle_samples()?;
    let model = model
        .map(|path| std::fs::read(path).with_context(|| format!("reading {}", path.display())))
        .transpose()?;
    let bundle = Bundle {
        class_names: folder.classes,
        settings: None,
        strictness: None,
        samples,
        model,
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
