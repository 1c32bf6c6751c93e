//! The training project as JS sees it: a mirror of [`crate::train::Project`], one method per
//! core method. JS drives training one epoch per call, so progress, charts and Stop need no
//! callbacks. A call that would overlap a running one (other than `stop`) fails with "busy".

use super::device::device_for;
use super::to_js;
use crate::bundle::decode_png;
use crate::data::rgb_to_input;
use crate::infer::{embed_images, imagenet_top_k};
use crate::train::{
    Dataset, NextIds, Project as CoreProject, StopHandle, TrainConfig, TrainedModel, embed_batch,
};
use crate::weights::{load_mobilenet, source_sha256};
use std::cell::{Ref, RefCell, RefMut};
use wasm_bindgen::prelude::*;

const BUSY: &str = "busy: another operation on this project is running";

/// A training project in the browser.
#[wasm_bindgen]
pub struct Project {
    core: RefCell<CoreProject>,
    /// The stop handle of the last run started, reachable while an epoch holds the core (never
    /// borrowed across an await).
    run_stop: RefCell<Option<StopHandle>>,
    backend: String,
}

impl Project {
    pub(super) fn core(&self) -> Result<Ref<'_, CoreProject>, JsError> {
        self.core.try_borrow().map_err(|_| JsError::new(BUSY))
    }

    fn core_mut(&self) -> Result<RefMut<'_, CoreProject>, JsError> {
        self.core.try_borrow_mut().map_err(|_| JsError::new(BUSY))
    }
}

// Borrows are held across awaits on purpose: every entry point takes them with `try_borrow*`,
// so a call overlapping a running one fails with "busy" instead of racing it.
#[allow(clippy::await_holding_refcell_ref)]
#[wasm_bindgen]
impl Project {
    /// Loads the base weights on `backend` ("webgpu" or "flex") with these classes
    /// (`[{ id, name }]`, in label order) and settings (a `TrainConfig` object).
    pub async fn create(
        weights: Vec<u8>,
        backend: String,
        classes: JsValue,
        settings: JsValue,
    ) -> Result<Project, JsError> {
        #[derive(serde::Deserialize)]
        struct Class {
            id: u64,
            name: String,
        }
        let classes: Vec<Class> = serde_wasm_bindgen::from_value(classes)?;
        let dataset = Dataset::with_classes(classes.into_iter().map(|c| (c.id, c.name)).collect())?;
        let settings: TrainConfig = super::settings_from_js(settings)?;
        let device = device_for(&backend).await?;
        let sha = source_sha256(&weights)?;
        let base = load_mobilenet(&weights, &device)?;
        let mut core = CoreProject::new(base, device, sha, dataset);
        core.set_config(settings)?;
        Ok(Project {
            run_stop: RefCell::new(None),
            core: RefCell::new(core),
            backend,
        })
    }

    /// The backend this project runs on.
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.backend.clone()
    }

    /// Top-`k` ImageNet classes of one 224×224 RGB image under the pretrained network:
    /// `[{ index, label, prob }]`.
    #[wasm_bindgen(js_name = predictImagenet)]
    pub async fn predict_imagenet(&self, rgb: Vec<u8>, k: usize) -> Result<JsValue, JsError> {
        let core = self.core()?;
        let input = rgb_to_input(&rgb, core.device())?;
        let rows = imagenet_top_k(core.frozen(), input, k).await?;
        to_js(&rows.first())
    }

    /// The pretrained network's pooled 1024-d features of N concatenated 224×224 RGB images:
    /// a `Float32Array` of N×1024 values.
    #[wasm_bindgen(js_name = embedImages)]
    pub async fn embed_images(&self, rgb: Vec<u8>) -> Result<Vec<f32>, JsError> {
        let core = self.core()?;
        let batch = embed_batch(core.device());
        Ok(embed_images(core.frozen(), &rgb, batch, core.device()).await?)
    }

    /// Adds a class; returns its id.
    #[wasm_bindgen(js_name = addClass)]
    pub async fn add_class(&self, name: String) -> Result<f64, JsError> {
        Ok(self.core_mut()?.add_class(name) as f64)
    }

    /// Renames class `id`.
    #[wasm_bindgen(js_name = renameClass)]
    pub async fn rename_class(&self, id: f64, name: String) -> Result<(), JsError> {
        Ok(self.core_mut()?.rename_class(id as u64, name)?)
    }

    /// Removes class `id` and its samples.
    #[wasm_bindgen(js_name = removeClass)]
    pub async fn remove_class(&self, id: f64) -> Result<(), JsError> {
        Ok(self.core_mut()?.remove_class(id as u64)?)
    }

    /// Adds one 224×224 RGB image to class `class` (an id); returns the new sample's id.
    #[wasm_bindgen(js_name = addSample)]
    pub async fn add_sample(&self, class: f64, rgb: Vec<u8>) -> Result<f64, JsError> {
        Ok(self.core_mut()?.add_sample(class as u64, rgb)? as f64)
    }

    /// Adds a saved sample (a 224×224 PNG) of class `class` under its saved id.
    #[wasm_bindgen(js_name = insertSamplePng)]
    pub async fn insert_sample_png(
        &self,
        id: f64,
        class: f64,
        png: Vec<u8>,
    ) -> Result<(), JsError> {
        let rgb = decode_png(&png)?;
        Ok(self
            .core_mut()?
            .insert_sample(id as u64, class as u64, rgb)?)
    }

    /// Moves a sample to class `class` (an id).
    #[wasm_bindgen(js_name = relabelSample)]
    pub async fn relabel_sample(&self, id: f64, class: f64) -> Result<(), JsError> {
        Ok(self.core_mut()?.relabel_sample(id as u64, class as u64)?)
    }

    /// Removes a sample.
    #[wasm_bindgen(js_name = removeSample)]
    pub async fn remove_sample(&self, id: f64) -> Result<(), JsError> {
        Ok(self.core_mut()?.remove_sample(id as u64)?)
    }

    /// Replaces the training settings (a `TrainConfig` object; missing fields take defaults).
    #[wasm_bindgen(js_name = setConfig)]
    pub async fn set_config(&self, config: JsValue) -> Result<(), JsError> {
        let config: TrainConfig = super::settings_from_js(config)?;
        Ok(self.core_mut()?.set_config(config)?)
    }

    /// The settings as the core holds them (a `TrainConfig` object).
    pub async fn config(&self) -> Result<JsValue, JsError> {
        to_js(self.core()?.config())
    }

    /// How many images (samples and augmented views) the frozen prefix still has to embed.
    #[wasm_bindgen(js_name = pendingEmbeddings)]
    pub async fn pending_embeddings(&self) -> Result<usize, JsError> {
        Ok(self.core()?.pending_embeddings())
    }

    /// Runs the frozen prefix on up to `limit` new samples; returns how many are still pending.
    #[wasm_bindgen(js_name = embedPending)]
    pub async fn embed_pending(&self, limit: usize) -> Result<usize, JsError> {
        Ok(self.core_mut()?.embed_pending(limit)?)
    }

    /// Up to `limit` pending images for the pool of embedding workers: `{ slots, pixels,
    /// first_block }` (`pixels` a `Uint8Array` of concatenated 224×224 RGB images), for
    /// `FrozenPrefix.run`; give the result back with `insertPrefixWork`.
    #[wasm_bindgen(js_name = pendingPrefixWork)]
    pub async fn pending_prefix_work(&self, limit: usize) -> Result<JsValue, JsError> {
        to_js(&self.core()?.pending_prefix_work(limit)?)
    }

    /// Caches what `FrozenPrefix.run` computed for `slots` (as `pendingPrefixWork` gave them);
    /// returns how many images are still pending.
    #[wasm_bindgen(js_name = insertPrefixWork)]
    pub async fn insert_prefix_work(
        &self,
        slots: JsValue,
        first_block: usize,
        values: Vec<f32>,
    ) -> Result<usize, JsError> {
        let slots: Vec<(u64, Option<usize>)> = serde_wasm_bindgen::from_value(slots)?;
        Ok(self
            .core_mut()?
            .insert_prefix_work(&slots, first_block, values)?)
    }

    /// Starts a training run on the samples as they are now (refused while one is in progress).
    #[wasm_bindgen(js_name = startTraining)]
    pub async fn start_training(&self) -> Result<(), JsError> {
        let stop = self.core_mut()?.start_training()?;
        *self.run_stop.borrow_mut() = Some(stop);
        Ok(())
    }

    /// Trains one epoch of the run in progress; resolves to its `EpochMetrics`. When `done`,
    /// the run's model has become the trained model. Without a run in progress (an edit to the
    /// classes or settings ends one) it fails: it never starts one by itself.
    #[wasm_bindgen(js_name = trainEpoch)]
    pub async fn train_epoch(&self) -> Result<JsValue, JsError> {
        to_js(&self.core_mut()?.train_epoch().await?)
    }

    /// Stops the run in progress after its current batch (its best weights so far are kept);
    /// a Stop with no run in progress, or for a run already over, changes nothing.
    pub async fn stop(&self) -> Result<(), JsError> {
        if let Some(stop) = self.run_stop.borrow().as_ref() {
            stop.stop();
        }
        Ok(())
    }

    /// Ends the run in progress after its current batch without keeping what it trained (the
    /// model from before the run stays); the epoch in progress reports `done` and `cancelled`.
    /// With no run in progress, or for a run already over, changes nothing.
    #[wasm_bindgen(js_name = discardTraining)]
    pub async fn discard_training(&self) -> Result<(), JsError> {
        if let Some(stop) = self.run_stop.borrow().as_ref() {
            stop.discard();
        }
        if let Ok(mut core) = self.core.try_borrow_mut() {
            core.discard_training();
        }
        Ok(())
    }

    /// Whether a training run is in progress.
    #[wasm_bindgen(js_name = isTraining)]
    pub async fn is_training(&self) -> Result<bool, JsError> {
        Ok(self.core()?.is_training())
    }

    /// The ids the next class and sample get (`{ class, sample }`: save them with the project).
    #[wasm_bindgen(js_name = nextIds)]
    pub async fn next_ids(&self) -> Result<JsValue, JsError> {
        to_js(&self.core()?.next_ids())
    }

    /// Never gives ids below a saved project's `next_ids` (`{ class, sample }`).
    #[wasm_bindgen(js_name = reserveIds)]
    pub async fn reserve_ids(&self, next_ids: JsValue) -> Result<(), JsError> {
        let next: NextIds = serde_wasm_bindgen::from_value(next_ids)?;
        self.core_mut()?.reserve_ids(next);
        Ok(())
    }

    /// What the trained model says of one 224×224 RGB image (`Classification`); `strictness`
    /// is the percent of known-class images "none of these" flags (the core's
    /// `DEFAULT_STRICTNESS` when absent).
    pub async fn classify(
        &self,
        rgb: Vec<u8>,
        strictness: Option<f32>,
    ) -> Result<JsValue, JsError> {
        let core = self.core()?;
        to_js(&core.classify(&rgb, strictness).await?)
    }

    /// Why the trained model answered for one 224×224 RGB image: `{ class, side, heat, region,
    /// layer, picture }` — the Grad-CAM map of `class` (the predicted one when absent), `layer`
    /// an `ImageData` to lay over the picture, and `picture` the two blended as the CLI's
    /// `--explain` writes them (the same bytes).
    pub async fn explain(&self, rgb: Vec<u8>, class: Option<usize>) -> Result<JsValue, JsError> {
        let map = self.core()?.explain(&rgb, class).await?;
        #[derive(serde::Serialize)]
        struct Explained<'a> {
            #[serde(flatten)]
            map: &'a crate::train::ActivationMap,
            region: &'a str,
        }
        let value = to_js(&Explained {
            map: &map,
            region: map.region(),
        })?;
        let layer = crate::heatmap::heat_layer(&map);
        let picture = crate::heatmap::overlay(&rgb, &layer)?;
        let picture: Vec<u8> = (picture.chunks_exact(3))
            .flat_map(|p| [p[0], p[1], p[2], u8::MAX])
            .collect();
        for (name, rgba) in [("layer", layer), ("picture", picture)] {
            js_sys::Reflect::set(&value, &name.into(), &image_data(&rgba)?.into())
                .map_err(|_| JsError::new("could not attach the heat map"))?;
        }
        Ok(value)
    }

    /// The data check of every sample (`DataCheck`: the map's points, likely misfiled samples,
    /// near-copies, overlapping classes), on the pretrained network's features.
    #[wasm_bindgen(js_name = checkData)]
    pub async fn check_data(&self) -> Result<JsValue, JsError> {
        let mut core = self.core_mut()?;
        to_js(&core.check_data().await?)
    }

    /// Evaluation of the trained model on the samples its run held out.
    pub async fn evaluate(&self) -> Result<JsValue, JsError> {
        let mut core = self.core_mut()?;
        to_js(&core.evaluate().await?)
    }

    /// The trained model's description (`TrainedModelMeta`), or null before training.
    pub async fn model(&self) -> Result<JsValue, JsError> {
        to_js(&self.core()?.trained().map(|m| &m.meta))
    }

    /// Checks that `.safetensors` bytes are a model this project can install (same base
    /// weights, well-formed) without installing it; returns its description.
    #[wasm_bindgen(js_name = checkModel)]
    pub async fn check_model(&self, bytes: Vec<u8>) -> Result<JsValue, JsError> {
        let core = self.core()?;
        let model =
            TrainedModel::from_safetensors(&bytes, core.base(), core.base_sha256(), core.device())?;
        to_js(&model.meta)
    }

    /// Installs a model saved or exported earlier (same base weights); returns its description.
    #[wasm_bindgen(js_name = installModel)]
    pub async fn install_model(&self, bytes: Vec<u8>) -> Result<JsValue, JsError> {
        let mut core = self.core_mut()?;
        let model =
            TrainedModel::from_safetensors(&bytes, core.base(), core.base_sha256(), core.device())?;
        let meta = to_js(&model.meta)?;
        core.install(model);
        Ok(meta)
    }
}

/// 224×224 RGBA bytes as an `ImageData` that owns a copy of them: an `ImageData` keeps the array
/// it is given, and a view into wasm memory would change (or be detached) once the bytes are freed
/// or the memory grows.
fn image_data(rgba: &[u8]) -> Result<web_sys::ImageData, JsError> {
    let side = crate::data::INPUT_SIZE as u32;
    let owned = js_sys::Uint8ClampedArray::from(rgba);
    web_sys::ImageData::new_with_js_u8_clamped_array_and_sh(&owned, side, side)
        .map_err(|_| JsError::new("this browser cannot make an ImageData"))
}
