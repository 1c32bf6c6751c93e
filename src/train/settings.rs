//! The training settings as a form shows them: label, help, range and choices of every
//! [`TrainConfig`] field, in form order. The page builds its form from this and
//! [`TrainConfig::validate`] checks against it.

use super::config::TrainConfig;
use crate::error::{Error, Result};
use serde::Serialize;

/// A select's value, as the setting takes it (`"auto"`, `1`, `"mlp"`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Choice {
    /// A named choice.
    Text(&'static str),
    /// A count.
    Count(usize),
}

/// One training setting as a form shows it: the one place its range lives ([`TrainConfig::validate`]
/// checks against it, and the page builds its form from it).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Setting {
    /// The `TrainConfig` field.
    pub name: &'static str,
    /// A short label.
    pub label: &'static str,
    /// One sentence on what it does.
    pub help: &'static str,
    /// `"number"`, `"checkbox"` or `"select"`.
    pub kind: &'static str,
    /// Smallest value allowed (numbers).
    pub min: Option<f64>,
    /// Largest value allowed (numbers).
    pub max: Option<f64>,
    /// Form step (numbers).
    pub step: Option<f64>,
    /// `(value, label)` pairs (selects): each value as the setting takes it.
    pub options: Vec<(Choice, &'static str)>,
    /// For an optional number: 0 in the form means `null` (off).
    pub zero_is_off: bool,
    /// Folded under "Advanced" on the page.
    pub advanced: bool,
}

impl Setting {
    fn number(
        name: &'static str,
        label: &'static str,
        help: &'static str,
        range: (f64, f64, f64),
    ) -> Self {
        Self {
            name,
            label,
            help,
            kind: "number",
            min: Some(range.0),
            max: Some(range.1),
            step: Some(range.2),
            options: Vec::new(),
            zero_is_off: false,
            advanced: true,
        }
    }

    fn select(
        name: &'static str,
        label: &'static str,
        help: &'static str,
        options: Vec<(Choice, &'static str)>,
    ) -> Self {
        Self {
            kind: "select",
            min: None,
            max: None,
            step: None,
            options,
            ..Self::number(name, label, help, (0.0, 0.0, 0.0))
        }
    }

    fn basic(mut self) -> Self {
        self.advanced = false;
        self
    }

    /// Refuses a value outside this setting's range (`None`: off, for a setting that can be).
    pub(super) fn check(&self, value: Option<f64>) -> Result<()> {
        let Some(v) = value else {
            return match self.zero_is_off {
                true => Ok(()),
                false => Err(Error::InvalidArgument(format!(
                    "{} must be a number",
                    self.name
                ))),
            };
        };
        let (min, max) = (self.min.unwrap_or(f64::MIN), self.max.unwrap_or(f64::MAX));
        if v.is_finite() && (min..=max).contains(&v) {
            return Ok(());
        }
        Err(Error::InvalidArgument(format!(
            "{} must be in {min}..={max}, got {v}",
            self.name
        )))
    }
}

impl TrainConfig {
    /// Every setting with its range, in form order.
    pub fn settings() -> Vec<Setting> {
        let mut patience = Setting::number(
            "patience",
            "Early stopping patience",
            "Stop after this many epochs without a better validation loss (0: never).",
            (0.0, 1000.0, 1.0),
        );
        patience.zero_is_off = true;
        let augment = Setting {
            kind: "checkbox",
            min: None,
            max: None,
            step: None,
            ..Setting::number(
                "augment",
                "Augment",
                "Train on random crops, flips and lighting changes of your images: each image is embedded once per view, often better.",
                (0.0, 0.0, 0.0),
            )
        };
        vec![
            Setting::select(
                "fine_tune_blocks",
                "Layers to fine-tune",
                "How many of MobileNet's last blocks learn along with the new head. Automatic trains the head alone, then the last block with it, and keeps whichever does better on the held-out images.",
                vec![
                    (Choice::Text("auto"), "Automatic"),
                    (Choice::Count(0), "Head only"),
                    (Choice::Count(1), "Last block"),
                    (Choice::Count(2), "Last 2 blocks"),
                    (Choice::Count(3), "Last 3 blocks"),
                ],
            )
            .basic(),
            Setting::number(
                "epochs",
                "Epochs",
                "Passes over your samples training the new head, at most.",
                (1.0, 10_000.0, 1.0),
            )
            .basic(),
            Setting::number(
                "fine_tune_epochs",
                "Fine-tuning epochs",
                "Passes over your samples training the fine-tuned layers with the head, at most (after the head's epochs).",
                (1.0, 10_000.0, 1.0),
            ),
            augment.basic(),
            Setting::number(
                "augment_views",
                "Augmented views",
                "Random views made of each training image when augmenting (each costs one embedding).",
                (1.0, 64.0, 1.0),
            ),
            Setting::number(
                "batch_size",
                "Batch size",
                "Samples per optimiser step.",
                (1.0, 4096.0, 1.0),
            ),
            Setting::number(
                "learning_rate",
                "Learning rate",
                "Adam's step size for the head.",
                (1e-6, 1.0, 1e-4),
            ),
            Setting::number(
                "block_lr_factor",
                "Block learning-rate factor",
                "When layers are fine-tuned, they and the head learn at this × the learning rate, after the head has learned alone.",
                (0.0, 10.0, 0.01),
            ),
            Setting::select(
                "head",
                "Head",
                "The classifier on top of MobileNet's features.",
                vec![
                    (Choice::Text("mlp"), "Dense → Dropout → Dense"),
                    (Choice::Text("linear"), "One dense layer"),
                ],
            ),
            Setting::number(
                "hidden_units",
                "Hidden units",
                "Width of the head's hidden layer.",
                (1.0, 4096.0, 1.0),
            ),
            Setting::number(
                "dropout",
                "Dropout",
                "Share of hidden units dropped while training.",
                (0.0, 0.99, 0.05),
            ),
            Setting::number(
                "label_smoothing",
                "Label smoothing",
                "Softens the targets (0: off).",
                (0.0, 0.99, 0.05),
            ),
            Setting::number(
                "weight_decay",
                "Weight decay",
                "L2 penalty on the weights (0: off).",
                (0.0, 1.0, 1e-4),
            ),
            Setting::number(
                "validation_fraction",
                "Held out for validation",
                "Share of each class kept aside to validate and evaluate on.",
                (0.0, 0.9, 0.05),
            ),
            patience,
            Setting::number(
                "seed",
                "Seed",
                "Seeds initialisation, split, shuffles and augmentation.",
                (0.0, 9_007_199_254_740_991.0, 1.0),
            ),
        ]
    }
}
