//! `burnish export-app`: a trained project bundle as a standalone web app (a zip to unpack on any
//! static host) — the same bytes the trainer page's *Export → Web app* writes.

use crate::setting_flags::StrictnessFlag;
use crate::train::{base_from_bytes, read_weights};
use anyhow::Context;
use burn::prelude::*;
use burnish::bundle::Bundle;
use burnish::export::app::write_app;
use burnish::train::TrainedModel;
use std::path::Path;
use std::process::ExitCode;

/// What the app is made of.
pub struct ExportAppArgs<'a> {
    /// The project bundle (with a trained model).
    pub project: &'a Path,
    /// The base weights the model was trained on.
    pub weights: &'a Path,
    /// The app's page and runtime: `www/pkg/app-runtime.zip`, made by the build.
    pub runtime: &'a Path,
    /// "None of these" strictness (given, else the bundle's, else the default).
    pub strictness: StrictnessFlag,
    /// The app's title (default: the class names).
    pub title: Option<&'a str>,
    /// The zip to write.
    pub out: &'a Path,
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

pub fn run(args: ExportAppArgs) -> anyhow::Result<ExitCode> {
    let bytes = read(args.project)?;
    let mut bundle =
        Bundle::from_zip(&bytes).with_context(|| format!("reading {}", args.project.display()))?;
    let weights = read_weights(args.weights)?;
    let runtime = read(args.runtime).context("the app runtime is built by `npm run build`")?;
    // The model must run on these weights: checked as the app would load it.
    let model = bundle.model.as_deref().with_context(|| {
        format!(
            "{} has no trained model: train it first (`burnish train --project … --out-project …`)",
            args.project.display()
        )
    })?;
    let device = Device::flex();
    let (base, sha) = base_from_bytes(&weights, &device)?;
    TrainedModel::from_safetensors(model, &base, &sha, &device)
        .with_context(|| format!("the model of {}", args.project.display()))?;
    bundle.strictness = Some(args.strictness.or(bundle.strictness));
    let app = write_app(&bundle, &runtime, &weights, args.title)?;
    std::fs::write(args.out, &app).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "{}",
        serde_json::json!({ "out": args.out.display().to_string(), "bytes": app.len(), "classes": bundle.class_names })
    );
    Ok(ExitCode::SUCCESS)
}
