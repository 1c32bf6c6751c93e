//! Project bundles (zip) for the page: read and validated (a project writes its own:
//! `Project.writeBundle`).

use super::to_js;
use crate::bundle::Bundle;
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
