//! `burnish predict`: top-5 ImageNet classes per image, one JSON line each.

use anyhow::Context;
use burn::prelude::*;
use burnish::MobileNetV1;
use burnish::data::rgba_to_input;
use burnish::image_file::decode_to_rgba_224;
use burnish::imagenet::{GRAPH_BACKGROUND_OFFSET, class_name};
use burnish::infer::{probabilities, top_k};
use burnish::weights::load_mobilenet;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(weights: &Path, images: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let device = Device::flex();
    let bytes = std::fs::read(weights).with_context(|| {
        format!(
            "reading weights {} (run `npm run setup` to fetch them)",
            weights.display()
        )
    })?;
    let model = load_mobilenet(&bytes, &device)
        .with_context(|| format!("loading {}", weights.display()))?;
    let mut failed = false;
    for path in images {
        let line = match predict_one(&model, path, &device) {
            Ok(top5) => json!({ "file": path.display().to_string(), "top5": top5 }),
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
    model: &MobileNetV1,
    path: &Path,
    device: &Device,
) -> anyhow::Result<serde_json::Value> {
    let file = std::fs::read(path).context("reading file")?;
    let rgba = decode_to_rgba_224(&file)?;
    let input = rgba_to_input(&rgba, device)?;
    let probs = pollster::block_on(probabilities(model, input))?;
    let row = probs.first().context("no output")?;
    // Skip the graph's "background" output when ranking ImageNet classes; its probability
    // stays in the softmax denominator.
    let top5: Vec<_> = top_k(&row[GRAPH_BACKGROUND_OFFSET..], 5)
        .into_iter()
        .map(|s| json!({ "index": s.index, "label": class_name(s.index), "prob": s.prob }))
        .collect();
    Ok(serde_json::Value::Array(top5))
}
