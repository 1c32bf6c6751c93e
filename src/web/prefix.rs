//! The frozen prefix alone, for the page's pool of embedding workers: each holds its own copy of
//! the base weights on Flex and runs the images a [`super::Project`] hands out
//! (`pendingPrefixWork`), so that embedding uses every core.

use crate::infer::prefix_values;
use crate::model::MobileNetV1;
use crate::train::embed_batch;
use crate::weights::load_mobilenet;
use burn::prelude::*;
use wasm_bindgen::prelude::*;

/// The pretrained network's frozen layers on the CPU (Flex), for one pool worker.
#[wasm_bindgen]
pub struct FrozenPrefix {
    frozen: MobileNetV1,
    device: Device,
}

#[wasm_bindgen]
impl FrozenPrefix {
    /// Loads the base weights (the same bytes as the project's) on Flex.
    pub async fn create(weights: Vec<u8>) -> Result<FrozenPrefix, JsError> {
        let device = super::device_for("flex").await?;
        let frozen = load_mobilenet(&weights, &device)?.folded();
        Ok(FrozenPrefix { frozen, device })
    }

    /// The input of block `firstBlock` for N concatenated 224×224 RGB images: a `Float32Array`
    /// of N×C×H×W values, what `Project.insertPrefixWork` takes.
    pub async fn run(&self, rgb: Vec<u8>, first_block: usize) -> Result<Vec<f32>, JsError> {
        let batch = embed_batch(&self.device);
        Ok(prefix_values(&self.frozen, &rgb, batch, &self.device, first_block).await?)
    }
}
