//! The browser API: the only `wasm_bindgen` file. Converts typed arrays, picks the device,
//! maps errors to `JsError`; all work is done by the core.

use crate::data::rgba_to_input;
use crate::imagenet::{GRAPH_BACKGROUND_OFFSET, class_name};
use crate::infer::{probabilities, top_k};
use crate::model::MobileNetV1;
use crate::weights::load_mobilenet;
use burn::prelude::*;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// Creates the burn device for a backend name: `"webgpu"` (burn-wgpu on the browser's WebGPU
/// adapter; initialisation is asynchronous) or `"flex"` (burn's CPU backend in wasm).
async fn device_for(backend: &str) -> Result<Device, JsError> {
    match backend {
        "webgpu" => Device::wgpu_options()
            .init_async()
            .await
            .map_err(|e| JsError::new(&format!("WebGPU initialisation failed: {e:?}"))),
        "flex" => Ok(Device::flex()),
        other => Err(JsError::new(&format!(
            "unknown backend `{other}` (expected \"webgpu\" or \"flex\")"
        ))),
    }
}

/// An ImageNet class prediction as seen by JS.
#[derive(Serialize)]
struct ImagenetPrediction {
    index: usize,
    label: &'static str,
    prob: f32,
}

/// The pretrained ImageNet classifier, on one backend.
#[wasm_bindgen]
pub struct Classifier {
    model: MobileNetV1,
    device: Device,
    backend: String,
}

#[wasm_bindgen]
impl Classifier {
    /// Loads converted safetensors weights onto `backend`.
    pub async fn create(weights: Vec<u8>, backend: String) -> Result<Classifier, JsError> {
        let device = device_for(&backend).await?;
        let model = load_mobilenet(&weights, &device)?;
        Ok(Classifier {
            model,
            device,
            backend,
        })
    }

    /// The backend this classifier runs on.
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.backend.clone()
    }

    /// Top-`k` ImageNet classes of one 224×224 RGBA image: `[{index, label, prob}]`, where
    /// `index` is the ImageNet-1k index (0–999) and `prob` the softmax over all 1001 outputs.
    #[wasm_bindgen(js_name = predictImagenet)]
    pub fn predict_imagenet(&self, rgba: Vec<u8>, k: usize) -> js_sys::Promise {
        let model = self.model.clone();
        let device = self.device.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let input = rgba_to_input(&rgba, &device).map_err(to_js)?;
            let probs = probabilities(&model, input).await.map_err(to_js)?;
            let row = probs
                .first()
                .ok_or_else(|| to_js("model returned no output"))?;
            let top: Vec<ImagenetPrediction> = top_k(&row[GRAPH_BACKGROUND_OFFSET..], k)
                .into_iter()
                .map(|s| ImagenetPrediction {
                    index: s.index,
                    label: class_name(s.index).unwrap_or("?"),
                    prob: s.prob,
                })
                .collect();
            Ok(serde_wasm_bindgen::to_value(&top)?)
        })
    }
}

/// Error → a JS `Error` value (for promises built by hand).
fn to_js(err: impl std::fmt::Display) -> JsValue {
    js_sys::Error::new(&err.to_string()).into()
}
