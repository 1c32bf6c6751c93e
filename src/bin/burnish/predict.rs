//! `burnish predict`: top-5 classes per image, one JSON line each.

use crate::train::load_base;
use anyhow::Context;
use burn::prelude::*;
use burnish::MobileNetV1;
use burnish::bundle::encode_png;
use burnish::data::rgb_to_input;
use burnish::heatmap::{heat_layer, overlay};
use burnish::image_file::decode_to_rgb_224;
use burnish::infer::{embed_images, imagenet_top_k, top_k};
use burnish::train::TrainedModel;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What classifies: the base network (BatchNorm folded) with its ImageNet head, or with a trained tail.
struct Classifier {
    base: MobileNetV1,
    trained: Option<TrainedModel>,
    /// "None of these" strictness (percent of known-class photos flagged).
    strictness: f32,
}

/// `--explain`: where to write the image with its class-activation map, and which class.
pub struct Explain {
    pub out: PathBuf,
    /// A class name (default: the predicted class).
    pub class: Option<String>,
}

/// `features`: add the base network's pooled 1024-d features to each line (what a trained
/// head with `fine_tune_blocks = 0` takes as input).
pub fn run(
    weights: &Path,
    model: Option<&Path>,
    images: &[PathBuf],
    features: bool,
    explain: Option<Explain>,
    strictness: f32,
) -> anyhow::Result<ExitCode> {
    if explain.is_some() && images.len() != 1 {
        anyhow::bail!("--explain writes one image: give exactly one IMAGE");
    }
    let device = Device::flex();
    let (base, sha) = load_base(weights, &device)?;
    let trained = match model {
        None => None,
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading model {}", path.display()))?;
            let trained = TrainedModel::from_safetensors(&bytes, &base, &sha, &device)
                .with_context(|| format!("loading model {}", path.display()))?;
            Some(trained)
        }
    };
    let classifier = Classifier {
        base: base.folded(),
        trained,
        strictness,
    };
    if let Some(explain) = &explain {
        return explain_one(&classifier, &images[0], explain, &device);
    }
    let mut failed = false;
    for path in images {
        let line = match predict_one(&classifier, path, &device, features) {
            Ok(line) => line,
            Err(err) => {
                failed = true;
                json!({ "file": path.display().to_string(), "error": format!("{err:#}") })
            }
        };
        println!("{line}");
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn predict_one(
    classifier: &Classifier,
    path: &Path,
    device: &Device,
    features: bool,
) -> anyhow::Result<serde_json::Value> {
    let file = std::fs::read(path).context("reading file")?;
    let rgb = decode_to_rgb_224(&file)?;
    let mut line = classify(classifier, path, rgb_to_input(&rgb, device)?)?;
    if features {
        let values = pollster::block_on(embed_images(&classifier.base, &rgb, 1, device))?;
        line["features"] = json!(values);
    }
    Ok(line)
}

fn classify(
    classifier: &Classifier,
    path: &Path,
    input: Tensor<4>,
) -> anyhow::Result<serde_json::Value> {
    let file = path.display().to_string();
    match &classifier.trained {
        None => {
            let rows = pollster::block_on(imagenet_top_k(&classifier.base, input, 5))?;
            Ok(json!({ "file": file, "top5": rows.first().context("no output")? }))
        }
        Some(model) => {
            let results = pollster::block_on(model.classify(
                &classifier.base,
                input,
                Some(classifier.strictness),
            ))?;
            let result = results.first().context("no output")?;
            let top5: Vec<_> = top_k(&result.probs, 5)
                .into_iter()
                .map(|s| json!({ "index": s.index, "label": model.meta.class_names[s.index], "prob": s.prob }))
                .collect();
            Ok(json!({
                "file": file,
                "top5": top5,
                "probs": result.probs,
                "similarity": result.similarity,
                "none_of_these": result.none_of_these,
            }))
        }
    }
}

/// Classifies one image and writes it with the Grad-CAM map of the predicted (or named) class.
fn explain_one(
    classifier: &Classifier,
    path: &Path,
    explain: &Explain,
    device: &Device,
) -> anyhow::Result<ExitCode> {
    let model = (classifier.trained.as_ref()).context("--explain needs a trained --model")?;
    let names = &model.meta.class_names;
    let class = match &explain.class {
        None => None,
        Some(name) => Some(names.iter().position(|n| n == name).with_context(|| {
            format!("--explain-class {name:?} is not one of the model's classes {names:?}")
        })?),
    };
    let file = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let rgb = decode_to_rgb_224(&file)?;
    let mut line = classify(classifier, path, rgb_to_input(&rgb, device)?)?;
    let input = rgb_to_input(&rgb, device)?;
    let map = pollster::block_on(model.explain(&classifier.base, input, class))?;
    let blended = overlay(&rgb, &heat_layer(&map))?;
    std::fs::write(&explain.out, encode_png(&blended)?)
        .with_context(|| format!("writing {}", explain.out.display()))?;
    line["explained"] = json!({
        "class": names[map.class],
        "region": map.region(),
        "side": map.side,
        "heat": map.heat,
        "out": explain.out.display().to_string(),
    });
    println!("{line}");
    Ok(ExitCode::SUCCESS)
}
