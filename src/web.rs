//! The browser API: the only `wasm_bindgen` file. Converts typed arrays, picks the device,
//! maps errors to `JsError`; all work is done by the core.

use crate::bundle::{Bundle, BundleSample};
use crate::data::{RGBA_IMAGE_BYTES, rgba_to_input};
use crate::imagenet::{GRAPH_BACKGROUND_OFFSET, class_name};
use crate::infer::{probabilities, read_values, top_k};
use crate::model::FEATURE_DIM;
use crate::train::{Dataset, TrainConfig, TrainedModel, Trainer, embed_batch};
use crate::weights::load_mobilenet;
use burn::prelude::*;
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::prelude::*;

unsafe extern "C" {
    /// The static constructors (`inventory` registrations of burn/cubecl), synthesised by wasm-ld.
    fn __wasm_call_ctors();
}

/// Runs the static constructors, once. Without an explicit call, wasm-ld treats the module as a
/// "command" and reruns every constructor at the start of *every* export, wasm-bindgen's glue
/// included: 12% of a single-frame prediction, ~12 ms (measured with bench/profile.js).
fn run_constructors() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: the linker's constructors; `Once` keeps them to one run per instance.
    ONCE.call_once(|| unsafe { __wasm_call_ctors() });
}

#[wasm_bindgen(start)]
fn start() {
    run_constructors();
    console_error_panic_hook::set_once();
}

thread_local! {
    /// The WebGPU device, once initialised: burn's wgpu runtime can be initialised only once.
    static WEBGPU: RefCell<Option<Device>> = const { RefCell::new(None) };
}

/// The burn device for a backend name: `"webgpu"` (burn-wgpu on the browser's WebGPU adapter,
/// initialised asynchronously once and then reused) or `"flex"` (burn's CPU backend in wasm).
pub async fn device_for(backend: &str) -> Result<Device, JsError> {
    run_constructors(); // also where `start` does not run (wasm-bindgen-test)
    match backend {
        "webgpu" => {
            if let Some(device) = WEBGPU.with_borrow(Clone::clone) {
                return Ok(device);
            }
            let device = Device::wgpu_options()
                .init_async()
                .await
                .map_err(|e| JsError::new(&format!("WebGPU initialisation failed: {e:?}")))?;
            WEBGPU.set(Some(device.clone()));
            Ok(device)
        }
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

/// Error → a JS `Error` value (for promises built by hand).
fn to_js(err: impl std::fmt::Display) -> JsValue {
    js_sys::Error::new(&err.to_string()).into()
}

/// A training project in the browser: classes, samples, the trainer and its trained model.
///
/// JS drives training one epoch per call so progress, charts and Stop need no callbacks. Calls
/// that would overlap a running one (other than `stop`) fail with "busy".
#[wasm_bindgen]
pub struct Project {
    trainer: Rc<RefCell<Trainer>>,
    cancel: Arc<AtomicBool>,
    backend: String,
}

/// A prediction of the trained model as seen by JS.
#[derive(Serialize)]
struct ClassPrediction {
    probs: Vec<f32>,
    best: usize,
    threshold: f32,
    none_of_these: bool,
}

const BUSY: &str = "busy: another operation on this project is running";

fn busy() -> JsValue {
    to_js(BUSY)
}

/// The pretrained network (for inference) and its device, cloned out of a free project (else "busy").
fn base_and_device(trainer: &RefCell<Trainer>) -> Result<(crate::MobileNetV1, Device), JsValue> {
    let trainer = trainer.try_borrow().map_err(|_| busy())?;
    Ok((trainer.frozen().clone(), trainer.device().clone()))
}

impl Project {
    fn trainer(&self) -> Result<std::cell::Ref<'_, Trainer>, JsError> {
        self.trainer.try_borrow().map_err(|_| JsError::new(BUSY))
    }

    fn trainer_mut(&self) -> Result<std::cell::RefMut<'_, Trainer>, JsError> {
        self.trainer
            .try_borrow_mut()
            .map_err(|_| JsError::new(BUSY))
    }
}

// Borrows are held across awaits on purpose: every entry point takes them with `try_borrow*`,
// so a call overlapping a running one fails with "busy" instead of racing it.
#[allow(clippy::await_holding_refcell_ref)]
#[wasm_bindgen]
impl Project {
    /// Loads the base weights on `backend` ("webgpu" or "flex") with these class names.
    pub async fn create(
        weights: Vec<u8>,
        backend: String,
        class_names: Vec<String>,
    ) -> Result<Project, JsError> {
        let device = device_for(&backend).await?;
        let sha = crate::weights::source_sha256(&weights)?;
        let base = load_mobilenet(&weights, &device)?;
        let trainer = Trainer::new(base, device, sha, Dataset::new(class_names));
        let cancel = trainer.cancel_handle();
        Ok(Project {
            trainer: Rc::new(RefCell::new(trainer)),
            cancel,
            backend,
        })
    }

    /// The backend this project runs on.
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.backend.clone()
    }

    /// Top-`k` ImageNet classes of one 224×224 RGBA image under the pretrained network:
    /// `[{index, label, prob}]`, `index` being the ImageNet-1k index (0–999) and `prob` the
    /// softmax over all 1001 outputs.
    #[wasm_bindgen(js_name = predictImagenet)]
    pub fn predict_imagenet(&self, rgba: Vec<u8>, k: usize) -> js_sys::Promise {
        let trainer = self.trainer.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let (model, device) = base_and_device(&trainer)?;
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

    /// The pretrained network's pooled 1024-d features of N 224×224 RGBA images (concatenated),
    /// in batches of [`embed_batch`]: a `Float32Array` of N×1024 values.
    #[wasm_bindgen(js_name = embedImages)]
    pub fn embed_images(&self, rgba: Vec<u8>) -> js_sys::Promise {
        let trainer = self.trainer.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let (model, device) = base_and_device(&trainer)?;
            if rgba.is_empty() || !rgba.len().is_multiple_of(RGBA_IMAGE_BYTES) {
                // Not whole images: the same error as for a single batch, before any work.
                rgba_to_input(&rgba, &device).map_err(to_js)?;
            }
            let mut values = Vec::with_capacity(rgba.len() / RGBA_IMAGE_BYTES * FEATURE_DIM);
            for images in rgba.chunks(embed_batch(&device) * RGBA_IMAGE_BYTES) {
                let input = rgba_to_input(images, &device).map_err(to_js)?;
                values.extend(read_values(model.embed(input)).await.map_err(to_js)?);
            }
            Ok(js_sys::Float32Array::from(values.as_slice()).into())
        })
    }

    /// Renames class `label`.
    #[wasm_bindgen(js_name = renameClass)]
    pub fn rename_class(&self, label: usize, name: String) -> Result<(), JsError> {
        let mut trainer = self.trainer_mut()?;
        Ok(trainer.rename_class(label, name)?)
    }

    /// Removes class `label` and its samples; later classes move down one index.
    #[wasm_bindgen(js_name = removeClass)]
    pub fn remove_class(&self, label: usize) -> Result<(), JsError> {
        let mut trainer = self.trainer_mut()?;
        Ok(trainer.remove_class(label)?)
    }

    /// Adds a class; returns its index.
    #[wasm_bindgen(js_name = addClass)]
    pub fn add_class(&self, name: String) -> Result<usize, JsError> {
        let mut trainer = self.trainer_mut()?;
        Ok(trainer.add_class(name))
    }

    /// Adds one 224×224 RGBA image to class `label`; returns the sample id.
    #[wasm_bindgen(js_name = addSample)]
    pub fn add_sample(&self, label: usize, rgba: Vec<u8>) -> Result<f64, JsError> {
        let mut trainer = self.trainer_mut()?;
        Ok(trainer.add_sample(label, rgba)? as f64)
    }

    /// Moves a sample to class `label`.
    #[wasm_bindgen(js_name = relabelSample)]
    pub fn relabel_sample(&self, id: f64, label: usize) -> Result<(), JsError> {
        let mut trainer = self.trainer_mut()?;
        Ok(trainer.relabel_sample(id as u64, label)?)
    }

    /// Removes a sample; returns whether it existed.
    #[wasm_bindgen(js_name = removeSample)]
    pub fn remove_sample(&self, id: f64) -> Result<bool, JsError> {
        let mut trainer = self.trainer_mut()?;
        Ok(trainer.remove_sample(id as u64))
    }

    /// The trained model's calibrated "none of these" threshold, if a model exists.
    pub fn threshold(&self) -> Result<Option<f32>, JsError> {
        let trainer = self.trainer()?;
        Ok(trainer.trained().map(|m| m.meta.threshold))
    }

    /// Samples per class.
    pub fn counts(&self) -> Result<Vec<usize>, JsError> {
        let trainer = self.trainer()?;
        Ok(trainer.dataset().counts())
    }

    /// Replaces the training settings (a `TrainConfig` object; missing fields take defaults).
    #[wasm_bindgen(js_name = setConfig)]
    pub fn set_config(&self, config: JsValue) -> Result<(), JsError> {
        let config: TrainConfig = serde_wasm_bindgen::from_value(config)?;
        let mut trainer = self.trainer_mut()?;
        Ok(trainer.set_config(config)?)
    }

    /// Runs the frozen prefix on up to `limit` new samples; returns how many are still pending.
    #[wasm_bindgen(js_name = embedPending)]
    pub fn embed_pending(&self, limit: usize) -> Result<usize, JsError> {
        let mut trainer = self.trainer_mut()?;
        Ok(trainer.embed_pending(limit)?)
    }

    /// Trains one epoch; resolves to its `EpochMetrics`.
    #[wasm_bindgen(js_name = trainEpoch)]
    pub fn train_epoch(&self) -> js_sys::Promise {
        let trainer = self.trainer.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let mut trainer = trainer.try_borrow_mut().map_err(|_| busy())?;
            let metrics = trainer.train_epoch().await.map_err(to_js)?;
            Ok(serde_wasm_bindgen::to_value(&metrics)?)
        })
    }

    /// Asks the running epoch to stop at the next batch (the best weights so far are kept).
    pub fn stop(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// Class probabilities of one 224×224 RGBA image under the trained model.
    pub fn predict(&self, rgba: Vec<u8>) -> js_sys::Promise {
        let trainer = self.trainer.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let trainer = trainer.try_borrow().map_err(|_| busy())?;
            let probs = trainer.predict(&rgba).await.map_err(to_js)?;
            let threshold = trainer.trained().map_or(0.0, |m| m.meta.threshold);
            let (best, top) = crate::train::argmax(&probs);
            let prediction = ClassPrediction {
                none_of_these: top < threshold,
                probs,
                best,
                threshold,
            };
            Ok(serde_wasm_bindgen::to_value(&prediction)?)
        })
    }

    /// Evaluation of the trained model on the held-out samples.
    pub fn evaluate(&self) -> js_sys::Promise {
        let trainer = self.trainer.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let mut trainer = trainer.try_borrow_mut().map_err(|_| busy())?;
            let evaluation = trainer.evaluate(None).await.map_err(to_js)?;
            Ok(serde_wasm_bindgen::to_value(&evaluation)?)
        })
    }

    /// The trained model's description as JSON (class names, k, head, preprocessing, base
    /// weights' sha256, seed, threshold): the labels file saved beside an exported model.
    #[wasm_bindgen(js_name = modelInfo)]
    pub fn model_info(&self) -> Result<String, JsError> {
        let trainer = self.trainer()?;
        let model = trainer
            .trained()
            .ok_or_else(|| JsError::new("no trained model yet"))?;
        Ok(serde_json::to_string_pretty(&model.meta)?)
    }

    /// The trained model as `.safetensors` bytes.
    #[wasm_bindgen(js_name = exportModel)]
    pub fn export_model(&self) -> js_sys::Promise {
        let trainer = self.trainer.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let model = {
                let trainer = trainer.try_borrow().map_err(|_| busy())?;
                trainer
                    .trained()
                    .cloned()
                    .ok_or_else(|| to_js("no trained model yet"))?
            };
            let bytes = model.to_safetensors().await.map_err(to_js)?;
            Ok(js_sys::Uint8Array::from(bytes.as_slice()).into())
        })
    }

    /// Checks that `.safetensors` bytes are a model this project can install (same base
    /// weights, well-formed tail) without installing it; returns its class names.
    #[wasm_bindgen(js_name = checkModel)]
    pub fn check_model(&self, bytes: Vec<u8>) -> Result<Vec<String>, JsError> {
        let trainer = self.trainer()?;
        let model = TrainedModel::from_safetensors(
            &bytes,
            trainer.base(),
            trainer.base_sha256(),
            trainer.device(),
        )?;
        Ok(model.meta.class_names)
    }

    /// Installs a model exported earlier (same base weights); later training continues from it.
    #[wasm_bindgen(js_name = importModel)]
    pub fn import_model(&self, bytes: Vec<u8>) -> Result<Vec<String>, JsError> {
        let mut trainer = self.trainer_mut()?;
        let sha = trainer.base_sha256().to_owned();
        let model = TrainedModel::from_safetensors(&bytes, trainer.base(), &sha, trainer.device())?;
        let names = model.meta.class_names.clone();
        trainer.set_trained(model);
        Ok(names)
    }
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

    /// Adds one sample: class index and a 224×224 PNG.
    #[wasm_bindgen(js_name = addSample)]
    pub fn add_sample(&mut self, label: usize, png: Vec<u8>) {
        self.bundle.samples.push(BundleSample { label, png });
    }

    /// The zip bytes of the bundle with these classes, settings (a TrainConfig object or
    /// null), threshold and trained model.
    pub fn finish(
        &mut self,
        class_names: Vec<String>,
        settings: JsValue,
        threshold: Option<f32>,
        model: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, JsError> {
        let mut bundle = std::mem::take(&mut self.bundle);
        bundle.class_names = class_names;
        bundle.settings = if settings.is_null() || settings.is_undefined() {
            None
        } else {
            Some(serde_wasm_bindgen::from_value(settings)?)
        };
        bundle.threshold = threshold;
        bundle.model = model;
        Ok(bundle.to_zip()?)
    }
}

/// Reads and validates a project bundle: `{ classNames, settings, threshold, samples: [{ label,
/// png }], model }` (`png` and `model` as `Uint8Array`), or an error naming what is wrong.
#[wasm_bindgen(js_name = readBundle)]
pub fn read_bundle(bytes: Vec<u8>) -> Result<JsValue, JsError> {
    let bundle = Bundle::from_zip(&bytes)?;
    let set = |target: &js_sys::Object, key: &str, value: &JsValue| {
        js_sys::Reflect::set(target, &key.into(), value).map(|_| ())
    };
    let samples = js_sys::Array::new();
    for sample in &bundle.samples {
        let entry = js_sys::Object::new();
        set(&entry, "label", &(sample.label as f64).into()).map_err(js_error)?;
        set(
            &entry,
            "png",
            &js_sys::Uint8Array::from(sample.png.as_slice()).into(),
        )
        .map_err(js_error)?;
        samples.push(&entry);
    }
    let out = js_sys::Object::new();
    set(
        &out,
        "classNames",
        &serde_wasm_bindgen::to_value(&bundle.class_names)?,
    )
    .map_err(js_error)?;
    let settings = serde_wasm_bindgen::to_value(&bundle.settings)?;
    set(&out, "settings", &settings).map_err(js_error)?;
    set(
        &out,
        "threshold",
        &serde_wasm_bindgen::to_value(&bundle.threshold)?,
    )
    .map_err(js_error)?;
    set(&out, "samples", &samples).map_err(js_error)?;
    let model = match &bundle.model {
        Some(bytes) => js_sys::Uint8Array::from(bytes.as_slice()).into(),
        None => JsValue::NULL,
    };
    set(&out, "model", &model).map_err(js_error)?;
    Ok(out.into())
}

/// A JS exception value → JsError.
fn js_error(value: JsValue) -> JsError {
    JsError::new(&format!("{value:?}"))
}
