//! `burnish train`: fine-tune on a folder of class folders or a project bundle, one JSON line
//! per epoch.

use crate::image_folder::{self, ImageFolder};
use anyhow::Context;
use burn::prelude::*;
use burnish::bundle::{Bundle, decode_png};
use burnish::train::{Dataset, Evaluation, Project, TrainConfig};
use burnish::weights::{load_mobilenet, source_sha256};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Where the training samples come from.
pub enum Source {
    /// One sub-folder per class.
    Folder(PathBuf),
    /// A project bundle (its settings are the base settings).
    Bundle(PathBuf),
}

/// What `burnish train` was asked to do.
pub struct TrainArgs {
    pub source: Source,
    pub eval_dir: Option<PathBuf>,
    /// Photos of other kinds, for "none of these" (with `eval_dir`).
    pub unknown_dir: Option<PathBuf>,
    pub weights: PathBuf,
    /// The run's settings from the base ones (the bundle's, or the defaults).
    pub settings: Box<dyn FnOnce(TrainConfig) -> anyhow::Result<TrainConfig>>,
    /// "None of these" strictness given on the command line (else the bundle's, else the default).
    pub strictness: Option<f32>,
    pub out: PathBuf,
    pub out_project: Option<PathBuf>,
}

/// The samples to train on with their ids, and the bundle when they came from one.
fn read_source(source: &Source) -> anyhow::Result<(ImageFolder, Vec<u64>, Option<Bundle>)> {
    match source {
        Source::Folder(dir) => {
            let folder = image_folder::read(dir, None)?;
            let ids = (0..folder.images.len() as u64).collect();
            Ok((folder, ids, None))
        }
        Source::Bundle(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let bundle =
                Bundle::from_zip(&bytes).with_context(|| format!("reading {}", path.display()))?;
            let images = bundle
                .samples
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let name = PathBuf::from(format!("{}#{i}", path.display()));
                    Ok((s.label, name, decode_png(&s.png)?))
                })
                .collect::<anyhow::Result<_>>()?;
            let folder = ImageFolder {
                classes: bundle.class_names.clone(),
                images,
            };
            let ids = bundle.samples.iter().map(|s| s.id).collect();
            Ok((folder, ids, Some(bundle)))
        }
    }
}

fn bar(len: usize, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(what.to_owned());
    bar
}

/// Loads the base model and its identity (the source graph's sha256).
pub fn load_base(
    weights: &Path,
    device: &Device,
) -> anyhow::Result<(burnish::MobileNetV1, String)> {
    base_from_bytes(&read_weights(weights)?, device)
}

/// The converted weights' bytes.
pub fn read_weights(weights: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(weights).with_context(|| {
        format!(
            "reading weights {} (run `npm run setup`)",
            weights.display()
        )
    })
}

/// The frozen base of weights already read, and their source's sha256.
pub fn base_from_bytes(
    bytes: &[u8],
    device: &Device,
) -> anyhow::Result<(burnish::MobileNetV1, String)> {
    Ok((load_mobilenet(bytes, device)?, source_sha256(bytes)?))
}

pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let device = Device::flex();
    let (folder, ids, bundle) = read_source(&args.source)?;
    let base_settings = bundle
        .as_ref()
        .and_then(|b| b.settings.clone())
        .unwrap_or_default();
    let config = (args.settings)(base_settings)?;
    let saved_strictness = bundle.as_ref().and_then(|b| b.strictness);
    let strictness = args
        .strictness
        .or(saved_strictness)
        .unwrap_or(burnish::train::DEFAULT_STRICTNESS);
    let (base, sha) = load_base(&args.weights, &device)?;
    let mut project = Project::new(
        base,
        device.clone(),
        sha,
        Dataset::new(folder.classes.clone()),
    );
    project.set_config(config.clone())?;
    for ((label, _, rgb), id) in folder.images.iter().zip(&ids) {
        project.insert_sample(*id, *label as u64, rgb.clone())?;
    }
    if let Some(bundle) = &bundle {
        project.reserve_ids(bundle.next_ids);
    }

    let total = project.pending_embeddings();
    let embedding = bar(total, "embedding");
    let embed_started = Instant::now();
    let batch = burnish::train::embed_batch(project.device());
    while project.embed_pending(batch)? > 0 {
        embedding.set_position((total - project.pending_embeddings()) as u64);
    }
    embedding.finish_and_clear();
    let embed_ms_per_image = embed_started.elapsed().as_secs_f64() * 1e3 / total.max(1) as f64;

    let epochs = bar(config.epochs, "epochs");
    project.start_training()?;
    let last = loop {
        let epoch_started = Instant::now();
        let m = pollster::block_on(project.train_epoch())?;
        epochs.set_length(m.planned_epochs as u64);
        epochs.inc(1);
        epochs.suspend(|| {
            let mut line = serde_json::to_value(&m).unwrap_or_default();
            line["seconds"] = json!(epoch_started.elapsed().as_secs_f64());
            println!("{line}");
        });
        if m.done {
            break m;
        }
    };
    epochs.finish_and_clear();
    let model = (project.trained().cloned()).context("the finished run left no model")?;
    let validation: Evaluation = pollster::block_on(project.evaluate())?;

    let held_out = match &args.eval_dir {
        Some(dir) => Some(crate::held_out::report(
            &model,
            project.frozen(),
            &folder.classes,
            dir,
            args.unknown_dir.as_deref(),
            strictness,
            &device,
        )?),
        None => None,
    };
    // The project bundle holds the model's file: the same bytes go to `--out`.
    let written = match &args.out_project {
        // The strictness given, else the source bundle's, travels on (a folder has none).
        Some(_) => Some(pollster::block_on(Bundle::of_project(
            &project,
            args.strictness.or(saved_strictness),
            bundle.as_ref().map(|b| b.behaviours.clone()),
        ))?),
        None => None,
    };
    let bytes = match written.as_ref().and_then(|w| w.model.clone()) {
        Some(bytes) => bytes,
        None => pollster::block_on(model.to_safetensors())?,
    };
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    if let (Some(path), Some(written)) = (&args.out_project, written) {
        std::fs::write(path, written.to_zip()?)
            .with_context(|| format!("writing {}", path.display()))?;
    }

    let report = held_out.as_ref().map_or(&validation, |(e, _)| e);
    let per_class: serde_json::Map<String, serde_json::Value> = folder
        .classes
        .iter()
        .zip(&report.per_class_accuracy)
        .map(|(name, acc)| (name.clone(), json!(acc)))
        .collect();
    let mut summary = json!({
            "val_accuracy": validation.accuracy,
            "per_class": per_class,
            "confusion": report.confusion,
            "novelty_threshold": model.meta.novelty.threshold(strictness),
            "strictness": strictness,
            "fine_tune_blocks": model.meta.fine_tune_blocks,
            "kept": last.kept,
            "samples": folder.images.len(),
            "embed_ms_per_image": embed_ms_per_image,
            "seconds": started.elapsed().as_secs_f64(),
            "out": args.out.display().to_string(),
            "out_project": args.out_project.as_ref().map(|p| p.display().to_string()),
    });
    if let (Some((_, fields)), Some(summary)) = (held_out, summary.as_object_mut()) {
        summary.extend(fields.as_object().cloned().unwrap_or_default());
    }
    println!("{summary}");
    Ok(ExitCode::SUCCESS)
}
