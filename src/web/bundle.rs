//! Project bundles (zip) for the page: read and validated, or written sample by sample.

use super::to_js;
use crate::bundle::{Bundle, BundleSample};
use crate::train::TrainConfig;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// A validated bundle as the page receives it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BundleView {
    class_names: Vec<String>,
    settings: Option<TrainConfig>,
    strictness: Option<f32>,
    samples: Vec<SampleView>,
    #[serde(with = "serde_bytes")]
    model: Option<Vec<u8>>,
}

/// One sample of a bundle: its id, class and 224×224 PNG (a `Uint8Array`).
#[derive(Serialize)]
struct SampleView {
    id: u64,
    label: usize,
    #[serde(with = "serde_bytes")]
    png: Vec<u8>,
}

/// Reads and validates a project bundle: `{ classNames, settings, strictness, samples: [{ id,
/// label, png }], model }`, or an error naming what is wrong.
#[wasm_bindgen(js_name = readBundle)]
pub async fn read_bundle(bytes: Vec<u8>) -> Result<JsValue, JsError> {
    let bundle = Bundle::from_zip(&bytes)?;
    to_js(&BundleView {
        class_names: bundle.class_names,
        settings: bundle.settings,
        strictness: bundle.strictness,
        samples: (bundle.samples.into_iter())
            .map(|s| SampleView {
                id: s.id,
                label: s.label,
                png: s.png,
            })
            .collect(),
        model: bundle.model,
    })
}

/// Builds a project bundle (zip) sample by sample, so JS never holds one giant argument.
#[wasm_bindgen]
#[derive(Default)]
pub struct BundleWriter {
    bundle: Bundle,
}

#[wasm_bindgen]
impl BundleWriter {
    #[wasm_bindgen(constructor)]
    pub fn new() -> BundleWriter {
        BundleWriter::default()
    }

    /// Adds one sample: its id, class index and a 224×224 PNG.
    #[wasm_bindgen(js_name = addSample)]
    pub async fn add_sample(&mut self, id: f64, label: usize, png: Vec<u8>) -> Result<(), JsError> {
        self.bundle.samples.push(BundleSample {
            id: id as u64,
            label,
            png,
        });
        Ok(())
    }

    /// The zip bytes of the bundle with these classes, settings (a `TrainConfig` object or
    /// null), "none of these" strictness and trained model.
    pub async fn finish(
        &mut self,
        class_names: Vec<String>,
        settings: JsValue,
        strictness: Option<f32>,
        model: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, JsError> {
        let mut bundle = std::mem::take(&mut self.bundle);
        bundle.class_names = class_names;
        bundle.settings = super::settings_from_js(settings)?;
        bundle.strictness = strictness;
        bundle.model = model;
        Ok(bundle.to_zip()?)
    }
}
