//! The two stages of a run (the head alone, then the fine-tuned blocks with it), what each
//! trains and validates on, and its validation metrics.

use super::tail::Tail;
use crate::error::Result;
use crate::model::{DepthwiseSeparable, global_average_pool};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::prelude::*;
use serde::Serialize;

/// A sample as a run sees it: frozen at the start of the run.
#[derive(Clone)]
pub struct RunSample {
    /// Its id in the project.
    pub id: u64,
    /// Its class.
    pub label: usize,
    /// The frozen prefix's output for it.
    pub boundary: Tensor<4>,
    /// The frozen prefix's output for its augmented views (empty without augmentation).
    pub views: Vec<Tensor<4>>,
}

/// Which part of the tail an epoch trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The head alone, on the features of the (still pretrained) blocks, computed once.
    Head,
    /// The fine-tuned blocks and the head together, at `block_lr_factor` × the learning rate.
    Blocks,
}

/// What one stage trains on: per training sample its label and inputs (the plain one first,
/// then its augmented views), and the stacked held-out inputs with their labels.
pub(super) struct StageData {
    pub(super) train: Vec<(usize, Vec<Tensor<4>>)>,
    pub(super) validation: Option<(Tensor<4>, Tensor<1, Int>)>,
}

/// The inputs a stage trains and validates on: the samples' boundary activations and views
/// as they are, or (for the head stage of a fine-tuning run) passed once through the
/// pretrained `blocks` and pooled, as `[1, 1024, 1, 1]` inputs of a head-only tail.
pub(super) fn stage_data(
    blocks: &[DepthwiseSeparable],
    train: &[RunSample],
    validation: &[RunSample],
) -> StageData {
    let through_blocks = |input: Tensor<4>| -> Tensor<4> {
        if blocks.is_empty() {
            return input;
        }
        let x = blocks.iter().fold(input, |x, block| block.forward(x));
        let pooled = global_average_pool(x);
        let [n, c] = pooled.dims();
        pooled.reshape([n, c, 1, 1])
    };
    let train = train
        .iter()
        .map(|s| {
            let stacked = Tensor::cat(
                std::iter::once(s.boundary.clone())
                    .chain(s.views.iter().cloned())
                    .collect(),
                0,
            );
            let inputs = through_blocks(stacked);
            let rows = (0..inputs.dims()[0])
                .map(|r| inputs.clone().narrow(0, r, 1))
                .collect();
            (s.label, rows)
        })
        .collect();
    let validation = (!validation.is_empty()).then(|| {
        let device = validation[0].boundary.device();
        let boundary = Tensor::cat(validation.iter().map(|s| s.boundary.clone()).collect(), 0);
        let labels: Vec<i64> = validation.iter().map(|s| s.label as i64).collect();
        let targets =
            Tensor::<1, Int>::from_data(TensorData::new(labels, [validation.len()]), &device);
        (through_blocks(boundary), targets)
    });
    StageData { train, validation }
}

/// Mean loss and accuracy of `tail` on held-out inputs (`None`s when there are none).
pub(super) async fn validation_metrics(
    tail: &Tail,
    validation: &Option<(Tensor<4>, Tensor<1, Int>)>,
) -> Result<(Option<f32>, Option<f32>)> {
    let Some((inputs, targets)) = validation else {
        return Ok((None, None));
    };
    let n = targets.dims()[0];
    let logits = tail.forward(inputs.clone());
    let loss = CrossEntropyLossConfig::new()
        .init(&inputs.device())
        .forward(logits.clone(), targets.clone());
    let hits = logits
        .argmax(1)
        .reshape([n])
        .equal(targets.clone())
        .int()
        .sum();
    let loss = read_scalar(loss).await?;
    let accuracy = read_scalar(hits.float()).await? / n as f32;
    Ok((Some(loss), Some(accuracy)))
}

/// Reads a one-element tensor back asynchronously.
pub(super) async fn read_scalar(tensor: Tensor<1>) -> Result<f32> {
    let values = crate::infer::read_values(tensor).await?;
    values
        .first()
        .copied()
        .ok_or_else(|| crate::error::Error::Backend("empty tensor".into()))
}
