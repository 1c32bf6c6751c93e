//! Transfer learning: freeze MobileNet's prefix, fine-tune its last k blocks plus a new head.
//!
//! The frozen prefix runs once per sample on the plain backend (BatchNorm on running stats) and
//! its output, the *boundary activation*, is cached; only the tail trains on `Autodiff`.
//! With augmentation on, every epoch sees new views, so the prefix re-runs on them: slower,
//! often better.

mod augment;
mod cache;
mod config;
mod dataset;
mod evaluation;
mod export;
mod head;
mod metrics;
mod split;
mod tail;
mod trainer;

pub use augment::{AugmentConfig, augment_rgba};
pub use cache::BoundaryCache;
pub use config::{HeadKind, TrainConfig};
pub use dataset::{Dataset, Sample};
pub use evaluation::{Evaluation, Misclassified, argmax, calibrate_threshold};
pub use export::{TrainedModel, TrainedModelMeta};
pub use head::{Head, HeadConfig};
pub use metrics::EpochMetrics;
pub use split::{Split, stratified_split};
pub use tail::Tail;
pub use trainer::{Trainer, embed_batch};
