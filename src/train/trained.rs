//! A trained model: the tail (fine-tuned blocks + head) and what is needed to use it again.
//!
//! Saved as one `.safetensors` file: the tail's tensors under their module paths, and a
//! `burnish` metadata entry (JSON) with class names, k, head shape, preprocessing, the base
//! weights' sha256, the seed and the "none of these" threshold.

use super::cache::run_prefix;
use super::config::HeadKind;
use super::head::HeadConfig;
use super::tail::Tail;
use crate::error::{Error, Result};
use crate::infer::read_rows;
use crate::model::{BLOCK_COUNT, FEATURE_DIM, MobileNetV1};
use crate::weights::{apply_strict, metadata, to_safetensors};
use burn::prelude::*;
use burn::tensor::activation::softmax;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Metadata key holding [`TrainedModelMeta`] as JSON.
pub const META_KEY: &str = "burnish";
/// Version of the trained-model format.
pub const FORMAT_VERSION: u32 = 1;
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
    /// "None of these" threshold on the top probability.
    pub threshold: f32,
    /// Input preparation ([`PREPROCESSING`]).
    pub preprocessing: String,
}

/// A trained tail on the plain (inference) backend, with its metadata.
#[derive(Clone, Debug)]
pub struct TrainedModel {
    /// Fine-tuned blocks and head, in inference mode.
    pub tail: Tail,
    /// Class names, k, threshold, provenance.
    pub meta: TrainedModelMeta,
}

impl TrainedModel {
    /// Index of the first block the tail runs.
    pub fn first_block(&self) -> usize {
        BLOCK_COUNT - self.meta.fine_tune_blocks
    }

    /// Class probabilities for `[N, 3, 224, 224]` images, running `base`'s frozen prefix first.
    pub async fn probabilities(
        &self,
        base: &MobileNetV1,
        input: Tensor<4>,
    ) -> Result<Vec<Vec<f32>>> {
        let boundary = run_prefix(base, input, self.first_block());
        self.probabilities_from_boundary(boundary).await
    }

    /// Class probabilities from boundary activations.
    pub async fn probabilities_from_boundary(&self, boundary: Tensor<4>) -> Result<Vec<Vec<f32>>> {
        read_rows(softmax(self.tail.forward(boundary), 1)).await
    }

    /// The model as `.safetensors` bytes (async readback: works on WebGPU).
    pub async fn to_safetensors(&self) -> Result<Vec<u8>> {
        let json =
            serde_json::to_string(&self.meta).map_err(|e| Error::WeightsFormat(e.to_string()))?;
        let mut meta = HashMap::from([(META_KEY.to_owned(), json)]);
        meta.insert("format".into(), "pt".into());
        to_safetensors(&self.tail, meta).await
    }

    /// Loads a model written by [`Self::to_safetensors`]; `base` must be the network it was
    /// trained on (same weights sha256).
    pub fn from_safetensors(
        bytes: &[u8],
        base: &MobileNetV1,
        base_sha256: &str,
        device: &Device,
    ) -> Result<Self> {
        let meta = metadata(bytes)?;
        let json = meta.get(META_KEY).ok_or_else(|| {
            Error::WeightsFormat(format!(
                "not a burnish model: metadata `{META_KEY}` is missing"
            ))
        })?;
        let meta: TrainedModelMeta = serde_json::from_str(json)
            .map_err(|e| Error::WeightsFormat(format!("metadata `{META_KEY}`: {e}")))?;
        if meta.format_version != FORMAT_VERSION {
            return Err(Error::WeightsFormat(format!(
                "model format version {} is not supported (expected {FORMAT_VERSION})",
                meta.format_version
            )));
        }
        if meta.fine_tune_blocks > super::config::MAX_FINE_TUNE_BLOCKS || meta.class_names.len() < 2
        {
            return Err(Error::WeightsFormat(format!(
                "model metadata out of range: {} fine-tuned blocks, {} classes",
                meta.fine_tune_blocks,
                meta.class_names.len()
            )));
        }
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
        let mut tail = Tail::from_base(base, meta.fine_tune_blocks, &head, device);
        apply_strict(&mut tail, bytes)?;
        Ok(TrainedModel {
            tail: tail.valid(),
            meta,
        })
    }
}
