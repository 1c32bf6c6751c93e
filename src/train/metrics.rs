//! What one epoch reports.

use super::stage::Stage;
use serde::Serialize;

/// Metrics of one epoch (validation ones are `None` when nothing is held out).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EpochMetrics {
    /// 1-based epoch number.
    pub epoch: usize,
    /// What this epoch trained: the head alone, or the fine-tuned blocks with it.
    pub stage: Stage,
    /// The most epochs the run can reach, as known now (its last epoch once `done`).
    pub planned_epochs: usize,
    /// Mean training loss over the epoch's batches (dropout and augmentation on).
    pub train_loss: f32,
    /// Training accuracy over the epoch.
    pub train_accuracy: f32,
    /// Validation loss of the weights at the end of the epoch.
    pub val_loss: Option<f32>,
    /// Validation accuracy of the weights at the end of the epoch.
    pub val_accuracy: Option<f32>,
    /// The run is over (last epoch, early stop or cancel); the best weights are kept.
    pub done: bool,
    /// Early stopping ended the run (no better validation loss for `patience` epochs).
    pub stopped_early: bool,
    /// The run was cancelled during this epoch.
    pub cancelled: bool,
    /// The run was discarded ([`super::StopHandle::discard`]): it made no model, the one from
    /// before it stays.
    pub discarded: bool,
    /// The stage whose weights the run keeps so far (the best validation loss): with
    /// fine-tuned blocks, `head` means fine-tuning has not validated better than the head alone.
    pub kept: Stage,
}
