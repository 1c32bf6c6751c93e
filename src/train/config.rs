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
    /// `"auto"` or a whole number (JS sends numbers as floats: `1.0` is 1).
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(FineTuneBlocksVisitor)
    }
}

struct FineTuneBlocksVisitor;

impl serde::de::Visitor<'_> for FineTuneBlocksVisitor {
    type Value = FineTuneBlocks;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("\"auto\" or a number of blocks")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> std::result::Result<Self::Value, E> {
        match text {
            "auto" => Ok(FineTuneBlocks::Auto),
            _ => Err(E::invalid_value(serde::de::Unexpected::Str(text), &self)),
        }
    }

    fn visit_u64<E: serde::de::Error>(self, n: u64) -> std::result::Result<Self::Value, E> {
        usize::try_from(n)
            .map(FineTuneBlocks::Exactly)
            .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(n), &self))
    }

    fn visit_i64<E: serde::de::Error>(self, n: i64) -> std::result::Result<Self::Value, E> {
        match u64::try_from(n) {
            Ok(n) => self.visit_u64(n),
            Err(_) => Err(E::invalid_value(serde::de::Unexpected::Signed(n), &self)),
        }
    }

    fn visit_f64<E: serde::de::Error>(self, n: f64) -> std::result::Result<Self::Value, E> {
        if n.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&n) {
            return self.visit_u64(n as u64);
        }
        Err(E::invalid_value(serde::de::Unexpected::Float(n), &self))
    }
}

/// Everything that shapes a training run. Every random choice derives from `seed`. A missing
/// setting takes its default; an unknown one is refused by name (a misspelt key must not
/// silently leave its setting at the default).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
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

impl TrainConfig {
    /// Checks every number of the schema ([`Self::settings`]) against its range, read from
    /// the settings as serialised (so no list of fields is kept by hand), and the blocks against
    /// [`MAX_FINE_TUNE_BLOCKS`] (selects and checkboxes are typed: serde refuses other values).
    pub fn validate(&self) -> Result<()> {
        let values = serde_json::to_value(self)
            .map_err(|e| Error::InvalidArgument(format!("settings: {e}")))?;
        for setting in Self::settings().iter().filter(|s| s.kind == "number") {
            let value = values.get(setting.name).ok_or_else(|| {
                Error::InvalidArgument(format!("no setting named {}", setting.name))
            })?;
            // NaN and infinities serialise as null: refused like any missing number.
            setting.check(value.as_f64())?;
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
    fn every_number_in_the_schema_is_validated() {
        let defaults = serde_json::to_value(TrainConfig::default()).expect("json");
        for setting in TrainConfig::settings() {
            if setting.kind != "number" {
                continue;
            }
            let beyond = setting.max.expect("max") * 2.0 + 1.0;
            let mut values = defaults.clone();
            values[setting.name] = serde_json::json!(beyond.round() as u64);
            let config: TrainConfig = serde_json::from_value(values).expect("typed");
            assert!(config.validate().is_err(), "{} = {beyond}", setting.name);
        }
        let none = TrainConfig {
            patience: None,
            ..TrainConfig::default()
        };
        none.validate().expect("patience may be off");
    }

    #[test]
    fn unknown_settings_are_refused_by_name() {
        let err = serde_json::from_str::<TrainConfig>(r#"{"epochz": 3}"#).expect_err("misspelt");
        assert!(err.to_string().contains("unknown field `epochz`"), "{err}");
        let some: TrainConfig = serde_json::from_str(r#"{"epochs": 3}"#).expect("partial");
        assert_eq!(some.epochs, 3, "missing settings take their defaults");
    }

    #[test]
    fn fine_tune_blocks_reads_auto_and_whole_numbers_only() {
        let read = |json: &str| serde_json::from_str::<FineTuneBlocks>(json);
        assert_eq!(read(r#""auto""#).expect("auto"), FineTuneBlocks::Auto);
        assert_eq!(read("2").expect("number"), FineTuneBlocks::Exactly(2));
        assert_eq!(
            read("1.0").expect("a JS number"),
            FineTuneBlocks::Exactly(1)
        );
        for bad in [r#""1""#, r#""many""#, "-1", "1.5", "true", "null"] {
            assert!(read(bad).is_err(), "{bad} is refused");
        }
        let json = |v: FineTuneBlocks| serde_json::to_string(&v).expect("json");
        assert_eq!(json(FineTuneBlocks::Auto), r#""auto""#);
        assert_eq!(json(FineTuneBlocks::Exactly(3)), "3");
        assert_eq!("auto".parse(), Ok(FineTuneBlocks::Auto));
        assert_eq!(FineTuneBlocks::Auto.count(), AUTO_FINE_TUNE_BLOCKS);
    }
}
