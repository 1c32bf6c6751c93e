//! Training hyper-parameters, validated before a run starts.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The classifier put on top of the (possibly fine-tuned) features.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeadKind {
    /// Dense(hidden, ReLU) → Dropout → Dense(N): Teachable Machine's head.
    Mlp,
    /// A single Dense(N).
    Linear,
}

/// Everything that shapes a training run. Every random choice derives from `seed`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainConfig {
    /// How many of the last depthwise-separable blocks train with the head (0..=3).
    pub fine_tune_blocks: usize,
    /// Head shape.
    pub head: HeadKind,
    /// Hidden units of the MLP head.
    pub hidden_units: usize,
    /// Dropout probability before the MLP head's last layer.
    pub dropout: f64,
    /// Maximum number of epochs.
    pub epochs: usize,
    /// Samples per optimiser step.
    pub batch_size: usize,
    /// Adam learning rate of the head.
    pub learning_rate: f64,
    /// The fine-tuned pretrained blocks learn at `learning_rate × block_lr_factor`.
    pub block_lr_factor: f64,
    /// Seed of head init, dropout, shuffles, split and augmentation.
    pub seed: u64,
    /// Cross-entropy label smoothing α (0 = off).
    pub label_smoothing: f32,
    /// L2 weight decay added by Adam (0 = off).
    pub weight_decay: f32,
    /// Fraction of each class held out for validation.
    pub validation_fraction: f64,
    /// Stop after this many epochs without a better validation loss (`None`: never).
    pub patience: Option<usize>,
    /// Train on random augmented views (the frozen prefix then re-runs every epoch).
    pub augment: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            fine_tune_blocks: 0,
            head: HeadKind::Mlp,
            hidden_units: 100,
            dropout: 0.5,
            epochs: 50,
            batch_size: 16,
            learning_rate: 1e-3,
            block_lr_factor: 0.1,
            seed: 42,
            label_smoothing: 0.0,
            weight_decay: 0.0,
            validation_fraction: 0.15,
            patience: Some(10),
            augment: false,
        }
    }
}

/// `value` must be finite and >= 0.
fn non_negative<T: Into<f64> + Copy + std::fmt::Display>(name: &str, value: T) -> Result<()> {
    let v: f64 = value.into();
    if v.is_finite() && v >= 0.0 {
        return Ok(());
    }
    Err(Error::InvalidArgument(format!(
        "{name} must be >= 0, got {value}"
    )))
}

/// `value` must lie in [0, 1).
fn below_one<T: Into<f64> + Copy + std::fmt::Display>(name: &str, value: T) -> Result<()> {
    if (0.0..1.0).contains(&value.into()) {
        return Ok(());
    }
    Err(Error::InvalidArgument(format!(
        "{name} must be in [0, 1), got {value}"
    )))
}

/// The largest supported `fine_tune_blocks`.
pub const MAX_FINE_TUNE_BLOCKS: usize = 3;

impl TrainConfig {
    /// Checks every field's range.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::InvalidArgument(msg));
        if self.fine_tune_blocks > MAX_FINE_TUNE_BLOCKS {
            return bad(format!(
                "fine_tune_blocks must be 0..={MAX_FINE_TUNE_BLOCKS}, got {}",
                self.fine_tune_blocks
            ));
        }
        if self.epochs == 0 || self.batch_size == 0 || self.hidden_units == 0 {
            return bad("epochs, batch_size and hidden_units must be at least 1".into());
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return bad(format!(
                "learning_rate must be > 0, got {}",
                self.learning_rate
            ));
        }
        non_negative("block_lr_factor", self.block_lr_factor)?;
        non_negative("weight_decay", self.weight_decay)?;
        below_one("dropout", self.dropout)?;
        below_one("label_smoothing", self.label_smoothing)?;
        below_one("validation_fraction", self.validation_fraction)?;
        Ok(())
    }

    /// Index of the first block that trains: everything before it is frozen.
    pub fn first_trainable_block(&self) -> usize {
        crate::model::BLOCK_COUNT - self.fine_tune_blocks
    }
}
