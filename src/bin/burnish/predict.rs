//! `burnish predict`: top-5 classes per image, one JSON line each.

use crate::train::load_base;
use anyhow::Context;
use burn::prelude::*;
use burnish::MobileNetV1;
use burnish::data::rgba_to_input;
use burnish::image_file::decode_to_rgba_224;
use burnish::imagenet::{GRAPH_BACKGROUND_OFFSET, class_name};
use burnish::infer::{probabilities, read_values, top_k};
use burnish::train::{TrainedModel, argmax};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What classifies: the base network (BatchNorm folded) with its ImageNet head, or with a trained tail.
struct Classifier {
    base: MobileNetV1,
    trained: Option<TrainedModel>,
}

/// `features`: add the base network's pooled 1024-d features to each line (what a trained
/// head with `fine_tune_blocks = 0` takes as input).
pub fn run(
    weights: &Path,
    model: Option<&Path>,
    images: &[PathBuf],
    features: bool,
) -> anyhow::Result<ExitCode> {
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
    };
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
    let input = rgba_to_input(&decode_to_rgba_224(&file)?, device)?;
    let mut line = classify(classifier, path, input.clone())?;
    if features {
        let values = pollster::block_on(read_values(classifier.base.embed(input)))?;
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
            let probs = pollster::block_on(probabilities(&classifier.base, input))?;
            let row = probs.first().context("no output")?;
            // Rank ImageNet classes only: output 0 ("background") stays in the softmax sum.
            let top5: Vec<_> = top_k(&row[GRAPH_BACKGROUND_OFFSET..], 5)
                .into_iter()
                .map(|s| json!({ "index": s.index, "label": class_name(s.index), "prob": s.prob }))
                .collect();
            Ok(json!({ "file": file, "top5": top5 }))
        }
        Some(model) => {
            let probs = pollster::block_on(model.probabilities(&classifier.base, input))?;
            let row = probs.first().context("no output")?;
            let top5: Vec<_> = top_k(row, 5)
                .into_iter()
                .map(|s| json!({ "index": s.index, "label": model.meta.class_names[s.index], "prob": s.prob }))
                .collect();
            let (_, best) = argmax(row);
            Ok(
                json!({ "file": file, "top5": top5, "probs": row, "none_of_these": best < model.meta.threshold }),
            )
        }
    }
}
