//! TF.js Layers in Teachable Machine's layout (`model.json`, `weights.bin`, `metadata.json`).

use super::ExportedFile;
use crate::error::{Error, Result};
use crate::model::MobileNetV1;
use crate::train::TrainedModel;

/// The model as Teachable Machine's three files.
pub async fn to_tfjs(_model: &TrainedModel, _base: &MobileNetV1) -> Result<Vec<ExportedFile>> {
    Err(Error::InvalidArgument(
        "the TF.js export is not written yet".into(),
    ))
}
