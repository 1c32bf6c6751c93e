//! `burnish train --eval DIR [--unknown DIR]`: the trained model on photos it never saw —
//! accuracy on held-out photos of the taught classes, and how "none of these" separates them
//! from photos of other kinds (share kept, share flagged, AUROC of the similarity score).

use crate::image_folder;
use anyhow::Context;
use burn::prelude::*;
use burnish::MobileNetV1;
use burnish::data::rgb_to_input;
use burnish::train::{Classification, Evaluation, TrainedModel};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Classifies each image (one at a time: what the page does).
fn classify_all(
    model: &TrainedModel,
    frozen: &MobileNetV1,
    images: &[(PathBuf, Vec<u8>)],
    strictness: f32,
    device: &Device,
) -> anyhow::Result<Vec<Classification>> {
    images
        .iter()
        .map(|(file, rgb)| {
            let input = rgb_to_input(rgb, device)?;
            let mut results = pollster::block_on(model.classify(frozen, input, Some(strictness)))?;
            results.pop().with_context(|| file.display().to_string())
        })
        .collect()
}

/// Probability that a known photo scores above an unknown one (ties count half).
pub fn auroc(known: &[f32], unknown: &[f32]) -> Option<f64> {
    if known.is_empty() || unknown.is_empty() {
        return None;
    }
    let mut wins = 0.0;
    for k in known {
        for u in unknown {
            wins += if k > u {
                1.0
            } else if k == u {
                0.5
            } else {
                0.0
            };
        }
    }
    Some(wins / (known.len() * unknown.len()) as f64)
}

/// The report's fields for `--eval` (folders named like the classes) and `--unknown` (any
/// images, in any sub-folders), and the evaluation on `--eval`; "none of these" at `strictness`.
pub fn report(
    model: &TrainedModel,
    frozen: &MobileNetV1,
    classes: &[String],
    eval_dir: &Path,
    unknown_dir: Option<&Path>,
    strictness: f32,
    device: &Device,
) -> anyhow::Result<(Evaluation, Value)> {
    let held_out = image_folder::read(eval_dir, Some(classes))?;
    let images: Vec<(PathBuf, Vec<u8>)> = (held_out.images.iter())
        .map(|(_, file, rgb)| (file.clone(), rgb.clone()))
        .collect();
    let known = classify_all(model, frozen, &images, strictness, device)?;
    let rows: Vec<_> = (held_out.images.iter().zip(&known).enumerate())
        .map(|(i, ((label, _, _), c))| (i as u64, *label, c.probs.clone()))
        .collect();
    let evaluation = Evaluation::from_predictions(classes.len(), &rows);
    let share = |flags: &[Classification], flagged: bool| {
        flags.iter().filter(|c| c.none_of_these == flagged).count() as f64
            / flags.len().max(1) as f64
    };
    let named_right = (held_out.images.iter().zip(&known))
        .filter(|((label, _, _), c)| !c.none_of_these && c.best == *label)
        .count() as f64
        / known.len().max(1) as f64;
    let mut fields = json!({
        "eval_accuracy": evaluation.accuracy,
        "eval_kept": share(&known, false),
        "eval_named_right": named_right,
        "eval_photos": known.len(),
    });
    if let Some(dir) = unknown_dir {
        let others = image_folder::read_all(dir)?;
        let unknown = classify_all(model, frozen, &others, strictness, device)?;
        let scores = |c: &[Classification]| c.iter().map(|c| c.similarity).collect::<Vec<_>>();
        fields["unknown_photos"] = json!(unknown.len());
        fields["unknown_flagged"] = json!(share(&unknown, true));
        fields["auroc"] = json!(auroc(&scores(&known), &scores(&unknown)));
    }
    Ok((evaluation, fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auroc_counts_ordered_pairs() {
        assert_eq!(auroc(&[0.9, 0.8], &[0.1, 0.2]), Some(1.0));
        assert_eq!(auroc(&[0.1], &[0.9]), Some(0.0));
        assert_eq!(auroc(&[0.5], &[0.5]), Some(0.5));
        assert_eq!(auroc(&[], &[0.5]), None);
    }
}
