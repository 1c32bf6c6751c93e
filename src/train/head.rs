//! The new classifier: Dense(hidden, ReLU) → Dropout → Dense(N), or a single Dense(N).

use super::config::HeadKind;
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::prelude::*;

/// Head shape and sizes.
#[derive(Config, Debug)]
pub struct HeadConfig {
    /// Input features (1024 for MobileNetV1).
    pub features: usize,
    /// Number of classes.
    pub classes: usize,
    /// Hidden units; `None` makes a single linear layer.
    pub hidden: Option<usize>,
    /// Dropout before the last layer (MLP only).
    #[config(default = 0.5)]
    pub dropout: f64,
}

impl HeadConfig {
    /// The head config for a training run.
    pub fn for_run(
        features: usize,
        classes: usize,
        kind: HeadKind,
        hidden: usize,
        dropout: f64,
    ) -> Self {
        let hidden = matches!(kind, HeadKind::Mlp).then_some(hidden);
        HeadConfig::new(features, classes)
            .with_hidden(hidden)
            .with_dropout(dropout)
    }

    /// Freshly initialised head (seed the device first for reproducible weights).
    pub fn init(&self, device: &Device) -> Head {
        match self.hidden {
            Some(hidden) => Head {
                hidden: Some(LinearConfig::new(self.features, hidden).init(device)),
                dropout: DropoutConfig::new(self.dropout).init(),
                output: LinearConfig::new(hidden, self.classes).init(device),
            },
            None => Head {
                hidden: None,
                dropout: DropoutConfig::new(0.0).init(),
                output: LinearConfig::new(self.features, self.classes).init(device),
            },
        }
    }
}

/// The trainable classifier on pooled features.
#[derive(Module, Debug)]
pub struct Head {
    /// Dense(hidden) with ReLU (absent for a linear head).
    pub hidden: Option<Linear>,
    /// Dropout on the hidden activations while training.
    pub dropout: Dropout,
    /// Dense(N): the class logits.
    pub output: Linear,
}

impl Head {
    /// `[N, features] -> [N, classes]`
    pub fn forward(&self, features: Tensor<2>) -> Tensor<2> {
        let x = match &self.hidden {
            Some(hidden) => self
                .dropout
                .forward(hidden.forward(features).clamp_min(0.0)),
            None => features,
        };
        self.output.forward(x)
    }

    /// Number of classes the head predicts.
    pub fn classes(&self) -> usize {
        self.output.weight.dims()[1]
    }
}
