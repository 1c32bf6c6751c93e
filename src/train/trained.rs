//! A trained model: the tail (fine-tuned blocks + head), the "none of these" prototypes, and
//! what is needed to use it again.
//!
//! Saved as one `.safetensors` file: the tensors under their module paths (`tail.…`,
//! `novelty.prototypes`, `novelty.appearance`), and a `burnish` metadata entry (JSON, [`TrainedModelMeta`]).

use super::calibration::NoveltyCalibration;
use super::config::{HeadKind, MAX_FINE_TUNE_BLOCKS};
use super::head::HeadConfig;
use super::novelty::{DEFAULT_STRICTNESS, Novelty};
use super::split::Split;
use super::tail::Tail;
use crate::error::{Error, Result};
use crate::infer::read_rows;
use crate::model::run_prefix;
use crate::model::{BLOCK_COUNT, FEATURE_DIM, MobileNetV1};
use crate::weights::{apply_strict, metadata, to_safetensors};
use burn::prelude::*;
use burn::tensor::activation::softmax;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What "none of these" reads (through ImageNet's view): the *pretrained* network's pooled
/// features of boundary activations at `first_block`, whatever the fine-tuning did to the tail's. Fine-tuned
/// features are drawn towards the taught classes, which made held-out photos of those classes
/// look unlike the training ones (measured: 69% kept instead of 100% on `gcompris`, docs/quality.md).
pub fn novelty_features(base: &MobileNetV1, boundary: Tensor<4>, first_block: usize) -> Tensor<2> {
    base.features_from(boundary, first_block)
}

/// The tensors a model file stores as int16 kernels with per-channel scales, as the base weights
/// store theirs (`weights::int16`): the fine-tuned blocks' (4.2 → 2.1 MB for the last block). The
/// head and the "none of these" prototypes stay float32.
const INT16_TENSORS: &str = "tail.blocks.";

/// Metadata key holding [`TrainedModelMeta`] as JSON.
pub const META_KEY: &str = "burnish";
/// Version of the trained-model format (2: novelty references and the split were added; 3:
/// "none of these" compares ImageNet's view with class prototypes; 4: and the appearance).
pub const FORMAT_VERSION: u32 = 4;
/// How images must be prepared, stated in every exported model.
pub const PREPROCESSING: &str =
    "RGB, centre square crop, resized to 224x224, value/127.5 - 1 (range [-1, 1]), NCHW";

/// Everything about a trained model except its tensors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainedModelMeta {
    /// Format version ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// Class names, by output index.
    pub class_names: Vec<String>,
    /// Number of fine-tuned MobileNetV1 blocks in the tail.
    pub fine_tune_blocks: usize,
    /// Head shape.
    pub head: HeadKind,
    /// Hidden units of an MLP head.
    pub hidden_units: usize,
    /// sha256 of the base ImageNet weights' source graph.
    pub base_weights_sha256: String,
    /// Seed of the run that trained it.
    pub seed: u64,
    /// The sample ids it was trained and validated on: evaluation uses exactly `validation`.
    pub split: Split,
    /// Where known-class images score on the "none of these" similarities.
    pub novelty: NoveltyCalibration,
    /// Input preparation ([`PREPROCESSING`]).
    pub preprocessing: String,
}

/// The tensors of a trained model.
#[derive(Module, Debug)]
pub struct TrainedNet {
    /// Fine-tuned blocks and head, in inference mode.
    pub tail: Tail,
    /// The taught classes' prototypes, for "none of these".
    pub novelty: Novelty,
}

/// A trained model on the plain (inference) backend, with its metadata.
#[derive(Clone, Debug)]
pub struct TrainedModel {
    /// Its tensors.
    pub net: TrainedNet,
    /// Class names, k, calibration, split, provenance.
    pub meta: TrainedModelMeta,
}

/// What the trained model says of one image.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Classification {
    /// Probability of each class (softmax over the taught classes).
    pub probs: Vec<f32>,
    /// The most probable class.
    pub best: usize,
    /// Likeness to the nearest taught class: the cosine of ImageNet's view of the image to the
    /// nearest class's prototype, or the appearance's on that scale where lower
    /// ([`NoveltyCalibration::likeness`]).
    pub similarity: f32,
    /// Below this similarity the image is "none of these" (at the strictness asked for).
    pub threshold: f32,
    /// Too unlike every taught class to name one.
    pub none_of_these: bool,
}

impl TrainedModel {
    /// Index of the first block the tail runs.
    pub fn first_block(&self) -> usize {
        BLOCK_COUNT - self.meta.fine_tune_blocks
    }

    /// Classifies images from their boundary activations (of `base`'s frozen prefix);
    /// `strictness` is the percent of known-class images to flag as "none of these" (default
    /// [`DEFAULT_STRICTNESS`]).
    pub async fn classify_boundary(
        &self,
        base: &MobileNetV1,
        boundary: Tensor<4>,
        strictness: Option<f32>,
    ) -> Result<Vec<Classification>> {
        let pretrained = novelty_features(base, boundary.clone(), self.first_block());
        let (view, appearance) = self
            .net
            .novelty
            .similarities(&base.classifier, pretrained)
            .await?;
        let features = self.net.tail.features(boundary);
        let probs = read_rows(softmax(self.net.tail.head.forward(features), 1)).await?;
        let strictness = strictness.unwrap_or(DEFAULT_STRICTNESS).clamp(0.0, 100.0);
        let calibration = &self.meta.novelty;
        let threshold = calibration.threshold(strictness);
        Ok(probs
            .into_iter()
            .zip(view.into_iter().zip(appearance))
            .map(|(probs, (view, appearance))| {
                let (best, _) = argmax(&probs);
                let similarity = calibration.likeness(view, appearance);
                Classification {
                    probs,
                    best,
                    similarity,
                    threshold,
                    none_of_these: similarity < threshold,
                }
            })
            .collect())
    }

    /// Classifies `[N, 3, 224, 224]` images, running `base`'s frozen prefix first.
    pub async fn classify(
        &self,
        base: &MobileNetV1,
        input: Tensor<4>,
        strictness: Option<f32>,
    ) -> Result<Vec<Classification>> {
        let boundary = run_prefix(base, input, self.first_block());
        self.classify_boundary(base, boundary, strictness).await
    }

    /// The model as `.safetensors` bytes (async readback: works on WebGPU).
    pub async fn to_safetensors(&self) -> Result<Vec<u8>> {
        let json =
            serde_json::to_string(&self.meta).map_err(|e| Error::WeightsFormat(e.to_string()))?;
        let mut meta = HashMap::from([(META_KEY.to_owned(), json)]);
        meta.insert("format".into(), "pt".into());
        to_safetensors(&self.net, meta, |name| name.starts_with(INT16_TENSORS)).await
    }

    /// This model as its file reads back: the fine-tuned blocks' large kernels rounded to int16
    /// as [`Self::to_safetensors`] stores them, so that it answers the same before it is saved
    /// and after it is loaded anywhere (the page, the CLI, an exported web app).
    pub async fn as_stored(mut self) -> Result<Self> {
        if !self.net.tail.blocks.is_empty() {
            let bytes = self.to_safetensors().await?;
            apply_strict(&mut self.net, &bytes)?;
        }
        Ok(self)
    }

    /// The metadata of `.safetensors` bytes written by [`Self::to_safetensors`], checked.
    pub fn read_meta(bytes: &[u8]) -> Result<TrainedModelMeta> {
        let meta = metadata(bytes)?;
        let json = meta.get(META_KEY).ok_or_else(|| {
            Error::WeightsFormat(format!(
                "not a burnish model: metadata `{META_KEY}` is missing"
            ))
        })?;
        let version: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| Error::WeightsFormat(format!("metadata `{META_KEY}`: {e}")))?;
        let version = version["format_version"].as_u64().unwrap_or(0);
        if version != u64::from(FORMAT_VERSION) {
            return Err(Error::WeightsFormat(format!(
                "it was made by another version of burnish (model format {version}; this one reads {FORMAT_VERSION})"
            )));
        }
        let meta: TrainedModelMeta = serde_json::from_str(json)
            .map_err(|e| Error::WeightsFormat(format!("metadata `{META_KEY}`: {e}")))?;
        if meta.fine_tune_blocks > MAX_FINE_TUNE_BLOCKS || meta.class_names.len() < 2 {
            return Err(Error::WeightsFormat(format!(
                "model metadata out of range: {} fine-tuned blocks, {} classes",
                meta.fine_tune_blocks,
                meta.class_names.len()
            )));
        }
        Ok(meta)
    }

    /// Loads a model written by [`Self::to_safetensors`]; `base` must be the network it was
    /// trained on (same weights sha256).
    pub fn from_safetensors(
        bytes: &[u8],
        base: &MobileNetV1,
        base_sha256: &str,
        device: &Device,
    ) -> Result<Self> {
        let meta = Self::read_meta(bytes)?;
        if meta.base_weights_sha256 != base_sha256 {
            return Err(Error::WeightsFormat(format!(
                "model was trained on base weights {} but these are {base_sha256}",
                meta.base_weights_sha256
            )));
        }
        let head = HeadConfig::for_run(
            FEATURE_DIM,
            meta.class_names.len(),
            meta.head,
            meta.hidden_units,
            0.0,
        );
        let mut net = TrainedNet {
            tail: Tail::from_base(base, meta.fine_tune_blocks, &head, device),
            novelty: Novelty::empty(meta.class_names.len(), FEATURE_DIM, device),
        };
        apply_strict(&mut net, bytes)?;
        Ok(TrainedModel {
            net: TrainedNet {
                tail: net.tail.valid(),
                novelty: net.novelty,
            },
            meta,
        })
    }
}

/// Index and value of the largest probability.
pub fn argmax(probs: &[f32]) -> (usize, f32) {
    probs.iter().copied().enumerate().fold(
        (0, f32::MIN),
        |best, (i, p)| if p > best.1 { (i, p) } else { best },
    )
}
