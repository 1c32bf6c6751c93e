//! Transfer learning: freeze MobileNet's prefix, fine-tune its last k blocks plus a new head.
//!
//! The frozen prefix runs once per sample on the plain backend (BatchNorm on running stats) and
//! its output, the *boundary activation*, is cached; only the tail trains on `Autodiff`.
//! With augmentation on, each training sample also gets a bank of seeded augmented views,
//! embedded once up to the same boundary; every epoch draws one of them per sample.

mod augment;
pub mod behaviour;
pub mod bundle;
mod cache;
mod calibration;
mod config;
mod data_check;
mod dataset;
mod embedding;
mod evaluation;
mod explain;
mod head;
mod metrics;
mod novelty;
mod project;
mod run;
mod settings;
mod split;
mod stage;
mod tail;
mod trained;

pub use augment::{AugmentConfig, augment_rgb};
pub use behaviour::{Behaviour, Behaviours, Media, MediaFile};
pub use cache::{BoundaryCache, CacheSlot};
pub use calibration::NoveltyCalibration;
pub use config::{
    AUTO_FINE_TUNE_BLOCKS, FineTuneBlocks, HeadKind, MAX_FINE_TUNE_BLOCKS, TrainConfig,
};
pub use data_check::{DataCheck, MapPoint, NearCopy, Overlap, Suspect};
pub use dataset::{Dataset, NextIds, Sample};
pub use embedding::{PrefixWork, embed_batch};
pub use evaluation::{Evaluation, Misclassified};
pub use explain::ActivationMap;
pub use head::{Head, HeadConfig};
pub use metrics::EpochMetrics;
pub use novelty::{
    DEFAULT_STRICTNESS, Novelty, REFERENCES_PER_CLASS, VIEW_TEMPERATURE, imagenet_view, row_scale,
};
pub use project::Project;
pub use run::StopHandle;
pub use settings::{Choice, Setting};
pub use split::{Split, stratified_split};
pub use stage::Stage;
pub use tail::Tail;
pub use trained::{Classification, TrainedModel, TrainedModelMeta, TrainedNet, argmax};
