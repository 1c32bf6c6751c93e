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

/// How many of MobileNet's last blocks fine-tune with the head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FineTuneBlocks {
    /// Chosen by validation: the run trains the head alone, then fine-tunes
    /// [`AUTO_FINE_TUNE_BLOCKS`] block(s) with it, and keeps whichever validates better.
    Auto,
    /// Exactly this many (0: the head alone).
    Exactly(usize),
}

/// The blocks an automatic run fine-tunes after its head stage (measured best on real photos:
/// docs/quality.md).
pub const AUTO_FINE_TUNE_BLOCKS: usize = 1;

impl FineTuneBlocks {
    /// The number of blocks a run trains (the head stage of an automatic run is its `0`).
    pub fn count(self) -> usize {
        match self {
            Self::Auto => AUTO_FINE_TUNE_BLOCKS,
            Self::Exactly(n) => n,
        }
    }
}

impl std::str::FromStr for FineTuneBlocks {
    type Err = String;

    /// `auto` or a number of blocks.
    fn from_str(text: &str) -> std::result::Result<Self, String> {
        match text.trim() {
            "auto" => Ok(Self::Auto),
            n => n
                .parse()
                .map(Self::Exactly)
                .map_err(|_| format!("`{text}` is neither `auto` nor a number of blocks")),
        }
    }
}

impl Serialize for FineTuneBlocks {
    /// `"auto"` or the number.
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Self::Auto => serializer.serialize_str("auto"),
            Self::Exactly(n) => serializer.serialize_u64(*n as u64),
        }
    }
}

impl<'de> Deserialize<'de> for FineTuneBlocks {
    /// `"auto"`, a number, or a number in a string (a form's select).
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(text) => text.parse().map_err(serde::de::Error::custom),
            serde_json::Value::Number(n) => n
                .as_u64()
                .map(|n| Self::Exactly(n as usize))
                .ok_or_else(|| {
                    serde::de::Error::custom(format!("`{n}` is not a number of blocks"))
                }),
            other => Err(serde::de::Error::custom(format!(
                "`{other}` is neither \"auto\" nor a number of blocks"
            ))),
        }
    }
}

/// Everything that shapes a training run. Every random choice derives from `seed`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainConfig {
    /// How many of the last depthwise-separable blocks train with the head (0..=3, or chosen
    /// by validation).
    pub fine_tune_blocks: FineTuneBlocks,
    /// Head shape.
    pub head: HeadKind,
    /// Hidden units of the MLP head.
    pub hidden_units: usize,
    /// Dropout probability before the MLP head's last layer.
    pub dropout: f64,
    /// Maximum number of epochs training the head alone (the only stage for k = 0).
    pub epochs: usize,
    /// Maximum number of epochs training the fine-tuned blocks with the head, after the head
    /// stage (k ≥ 1).
    pub fine_tune_epochs: usize,
    /// Samples per optimiser step.
    pub batch_size: usize,
    /// Adam learning rate of the head.
    pub learning_rate: f64,
    /// In the block stage (k ≥ 1), blocks and head learn at `learning_rate × block_lr_factor`.
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
    /// Train on random augmented views of the training samples (from the view bank).
    pub augment: bool,
    /// Augmented views per training sample in the view bank: each is embedded once, and every
    /// epoch draws one of them per sample.
    pub augment_views: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            fine_tune_blocks: FineTuneBlocks::Auto,
            head: HeadKind::Mlp,
            hidden_units: 100,
            dropout: 0.5,
            epochs: 50,
            fine_tune_epochs: 10,
            batch_size: 16,
            learning_rate: 1e-3,
            block_lr_factor: 0.1,
            seed: 42,
            label_smoothing: 0.0,
            weight_decay: 0.0,
            validation_fraction: 0.15,
            patience: Some(10),
            augment: true,
            augment_views: 2,
        }
    }
}

/// The largest supported `fine_tune_blocks`.
pub const MAX_FINE_TUNE_BLOCKS: usize = 3;

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
    /// `(value, label)` pairs (selects).
    pub options: Vec<(&'static str, &'static str)>,
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
        options: Vec<(&'static str, &'static str)>,
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
                    ("auto", "Automatic"),
                    ("0", "Head only"),
                    ("1", "Last block"),
                    ("2", "Last 2 blocks"),
                    ("3", "Last 3 blocks"),
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
                    ("mlp", "Dense → Dropout → Dense"),
                    ("linear", "One dense layer"),
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

    /// Checks every field against its [`Setting`] range.
    pub fn validate(&self) -> Result<()> {
        let values =
            serde_json::to_value(self).map_err(|e| Error::InvalidArgument(e.to_string()))?;
        for setting in Self::settings() {
            let value = &values[setting.name];
            if value.is_null() && !setting.zero_is_off {
                return Err(Error::InvalidArgument(format!(
                    "{} must be a number",
                    setting.name
                )));
            }
            if let Some(v) = value.as_f64() {
                let (min, max) = (
                    setting.min.unwrap_or(f64::MIN),
                    setting.max.unwrap_or(f64::MAX),
                );
                if !(v.is_finite() && (min..=max).contains(&v)) {
                    return Err(Error::InvalidArgument(format!(
                        "{} must be in {min}..={max}, got {v}",
                        setting.name
                    )));
                }
            }
            if let Some(text) = value.as_str()
                && !setting.options.iter().any(|(option, _)| *option == text)
            {
                return Err(Error::InvalidArgument(format!(
                    "{} cannot be `{text}`",
                    setting.name
                )));
            }
        }
        if self.blocks() > MAX_FINE_TUNE_BLOCKS {
            return Err(Error::InvalidArgument(format!(
                "fine_tune_blocks must be `auto` or in 0..={MAX_FINE_TUNE_BLOCKS}, got {}",
                self.blocks()
            )));
        }
        Ok(())
    }

    /// How many blocks a run trains ([`FineTuneBlocks::count`]).
    pub fn blocks(&self) -> usize {
        self.fine_tune_blocks.count()
    }

    /// Index of the first block that trains: everything before it is frozen.
    pub fn first_trainable_block(&self) -> usize {
        crate::model::BLOCK_COUNT - self.blocks()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_ranges_are_enforced() {
        TrainConfig::default().validate().expect("defaults");
        let names: Vec<&str> = TrainConfig::settings().iter().map(|s| s.name).collect();
        let fields = serde_json::to_value(TrainConfig::default()).expect("json");
        let fields = fields.as_object().expect("object");
        assert_eq!(names.len(), fields.len(), "one setting per field");
        assert!(names.iter().all(|n| fields.contains_key(*n)));
        let bad = [
            TrainConfig {
                epochs: 0,
                ..TrainConfig::default()
            },
            TrainConfig {
                dropout: 1.0,
                ..TrainConfig::default()
            },
            TrainConfig {
                learning_rate: f64::NAN,
                ..TrainConfig::default()
            },
            TrainConfig {
                fine_tune_blocks: FineTuneBlocks::Exactly(4),
                ..TrainConfig::default()
            },
            TrainConfig {
                validation_fraction: -0.1,
                ..TrainConfig::default()
            },
        ];
        for config in bad {
            assert!(config.validate().is_err(), "{config:?}");
        }
    }

    #[test]
    fn fine_tune_blocks_reads_auto_numbers_and_form_strings() {
        let read = |json: &str| serde_json::from_str::<FineTuneBlocks>(json);
        assert_eq!(read(r#""auto""#).expect("auto"), FineTuneBlocks::Auto);
        assert_eq!(read("2").expect("number"), FineTuneBlocks::Exactly(2));
        assert_eq!(read(r#""1""#).expect("string"), FineTuneBlocks::Exactly(1));
        assert!(read(r#""many""#).is_err() && read("-1").is_err() && read("true").is_err());
        let json = |v: FineTuneBlocks| serde_json::to_string(&v).expect("json");
        assert_eq!(json(FineTuneBlocks::Auto), r#""auto""#);
        assert_eq!(json(FineTuneBlocks::Exactly(3)), "3");
        assert_eq!("auto".parse(), Ok(FineTuneBlocks::Auto));
        assert_eq!(FineTuneBlocks::Auto.count(), AUTO_FINE_TUNE_BLOCKS);
    }
}
