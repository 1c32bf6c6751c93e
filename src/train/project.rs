//! The project: classes and samples, the settings, the boundary cache and the trained model
//! with the split it was trained and validated on. The CLI and the browser both drive this.

use super::augment::{AugmentConfig, augment_rgb, view_rng};
use super::cache::{BoundaryCache, CacheSlot, boundary_shape, run_prefix};
use super::config::TrainConfig;
use super::dataset::Dataset;
use super::evaluation::Evaluation;
use super::head::HeadConfig;
use super::run::{Run, RunSample, RunSetup};
use super::split::{Split, stratified_split};
use super::tail::Tail;
use super::trained::{Classification, TrainedModel};
use crate::data::rgb_to_input;
use crate::error::{Error, Result};
use crate::model::{FEATURE_DIM, MobileNetV1};
use burn::prelude::*;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Images per frozen-prefix batch when embedding. Single-threaded Flex in wasm is fastest per
/// image at 4 (headless Chromium, batches of 1, 2, 4, 8, 16, 32: 15.7, 15.9, 17.2, 16.7, 15.1,
/// 14.1 images/s: larger activations leave the cache); WebGPU and threaded native Flex take 16.
pub fn embed_batch(device: &Device) -> usize {
    if cfg!(target_arch = "wasm32") && *device == Device::flex() {
        4
    } else {
        16
    }
}

/// Frozen-prefix work handed out by [`Project::pending_prefix_work`]: run [`run_prefix`] on
/// `pixels` (one 224×224 RGB image per slot) at `first_block`, then give the values back.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PrefixWork {
    /// Which sample (and which augmented view of it) each image is.
    pub slots: Vec<CacheSlot>,
    /// The images' RGB bytes, concatenated.
    #[serde(with = "serde_bytes")]
    pub pixels: Vec<u8>,
    /// The block whose input to compute.
    pub first_block: usize,
}

/// A transfer-learning project over a frozen MobileNetV1.
pub struct Project {
    base: MobileNetV1,
    frozen: MobileNetV1,
    device: Device,
    base_sha256: String,
    config: TrainConfig,
    dataset: Dataset,
    cache: BoundaryCache,
    trained: Option<TrainedModel>,
    /// An imported model's tail: the next run starts from it when its shape fits.
    resume: Option<Tail>,
    cancel: Arc<AtomicBool>,
}

impl Project {
    /// A project over `base` (loaded on the plain `device`), identified by its weights' sha256.
    pub fn new(
        base: MobileNetV1,
        device: Device,
        base_sha256: impl Into<String>,
        dataset: Dataset,
    ) -> Self {
        let base_sha256 = base_sha256.into();
        let config = TrainConfig::default();
        let cache = BoundaryCache::new(
            base_sha256.clone(),
            config.first_trainable_block(),
            config.seed,
        );
        Self {
            frozen: base.folded(),
            base,
            device,
            base_sha256,
            config,
            dataset,
            cache,
            trained: None,
            resume: None,
            cancel: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The pretrained network, as loaded (tails are copied from it).
    pub fn base(&self) -> &MobileNetV1 {
        &self.base
    }

    /// The pretrained network for inference, BatchNorm folded ([`MobileNetV1::folded`]): what
    /// the frozen prefix and ImageNet predictions run on.
    pub fn frozen(&self) -> &MobileNetV1 {
        &self.frozen
    }

    /// sha256 identifying the base weights (their source graph).
    pub fn base_sha256(&self) -> &str {
        &self.base_sha256
    }

    /// The device everything runs on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Current settings.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Changes settings. Changing `fine_tune_blocks` empties the cache (another boundary);
    /// changing `seed` drops the augmented views (other views).
    pub fn set_config(&mut self, config: TrainConfig) -> Result<()> {
        config.validate()?;
        self.cache.retarget(
            &self.base_sha256,
            config.first_trainable_block(),
            config.seed,
        );
        self.config = config;
        Ok(())
    }

    /// Classes and samples.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// Adds a class; returns its index.
    pub fn add_class(&mut self, name: impl Into<String>) -> usize {
        self.dataset.add_class(name)
    }

    /// Renames a class (a trained model keeps the names it was trained with).
    pub fn rename_class(&mut self, label: usize, name: impl Into<String>) -> Result<()> {
        self.dataset.rename_class(label, name)
    }

    /// Removes a class and its samples (a trained model stays as it is).
    pub fn remove_class(&mut self, label: usize) -> Result<()> {
        for id in self.dataset.remove_class(label)? {
            self.cache.remove(id);
        }
        Ok(())
    }

    /// Adds a 224×224 RGB sample; returns its id. It is embedded by the next
    /// [`Self::embed_pending`] or run.
    pub fn add_sample(&mut self, label: usize, rgb: Vec<u8>) -> Result<u64> {
        self.dataset.add_sample(label, rgb)
    }

    /// Adds a 224×224 RGB sample under a known id (restoring a saved project).
    pub fn insert_sample(&mut self, id: u64, label: usize, rgb: Vec<u8>) -> Result<()> {
        self.dataset.insert_sample(id, label, rgb)
    }

    /// Moves a sample to another class (its cached activation stays valid).
    pub fn relabel_sample(&mut self, id: u64, label: usize) -> Result<()> {
        self.dataset.relabel_sample(id, label)
    }

    /// Removes a sample and its cached activation.
    pub fn remove_sample(&mut self, id: u64) -> Result<()> {
        self.cache.remove(id);
        if !self.dataset.remove_sample(id) {
            return Err(Error::MissingSample(id));
        }
        Ok(())
    }

    /// The boundary cache (for inspection: sizes, prefix runs).
    pub fn cache(&self) -> &BoundaryCache {
        &self.cache
    }

    /// The training/validation split a run started now would use.
    fn split(&self) -> Split {
        let classes = self.dataset.class_names().len();
        let c = &self.config;
        stratified_split(
            self.dataset.samples(),
            classes,
            c.validation_fraction,
            c.seed,
        )
    }

    /// What the frozen prefix still has to embed before a run can start: every sample's plain
    /// image, then (with augmentation) each training sample's missing bank views.
    fn pending_slots(&self) -> Vec<CacheSlot> {
        let samples = self.dataset.samples();
        let mut slots: Vec<CacheSlot> = samples
            .iter()
            .filter(|s| !self.cache.contains(s.id))
            .map(|s| (s.id, None))
            .collect();
        if self.config.augment {
            for id in self.split().train {
                let have = self.cache.view_count(id);
                slots.extend((have..self.config.augment_views).map(|j| (id, Some(j))));
            }
        }
        slots
    }

    /// Images (plain samples and augmented views) the frozen prefix still has to embed
    /// before a run can start.
    pub fn pending_embeddings(&self) -> usize {
        self.pending_slots().len()
    }

    /// Embeds up to `limit` pending images (in batches); returns how many remain pending.
    pub fn embed_pending(&mut self, limit: usize) -> Result<usize> {
        let pending = self.pending_slots();
        let now = pending.len().min(limit);
        self.embed_slots(&pending[..now])?;
        Ok(pending.len() - now)
    }

    /// Up to `limit` pending images with their pixels, to run through another copy of the same
    /// frozen prefix (a pool of workers in the browser); [`Self::insert_prefix_work`] takes the
    /// result back. Nothing changes until then.
    pub fn pending_prefix_work(&self, limit: usize) -> Result<PrefixWork> {
        let mut slots = self.pending_slots();
        slots.truncate(limit);
        let pixels = self.prefix_pixels(&slots)?;
        Ok(PrefixWork {
            slots,
            pixels,
            first_block: self.cache.first_block(),
        })
    }

    /// Caches `values`, the prefix's output for `slots` (row-major `[slots, C, H, W]`, as
    /// [`run_prefix`] gives it for `first_block`), computed from a [`PrefixWork`]. Returns how
    /// many images are still pending. Fails, changing nothing, if the work is stale (the settings
    /// moved the boundary, or its slots are no longer the next pending ones) or the size is wrong.
    pub fn insert_prefix_work(
        &mut self,
        slots: &[CacheSlot],
        first_block: usize,
        values: Vec<f32>,
    ) -> Result<usize> {
        let pending = self.pending_slots();
        if first_block != self.cache.first_block() || !pending.starts_with(slots) {
            return Err(Error::State(
                "the embedded images are no longer the pending ones: embed again".into(),
            ));
        }
        let [c, h, w] = boundary_shape(first_block);
        if values.len() != slots.len() * c * h * w {
            return Err(Error::InvalidArgument(format!(
                "{} values for {} images of {c}×{h}×{w}",
                values.len(),
                slots.len()
            )));
        }
        let data = TensorData::new(values, [slots.len(), c, h, w]);
        let boundary = Tensor::from_data(data, &self.device);
        self.cache.insert_computed(slots, boundary);
        Ok(pending.len() - slots.len())
    }

    /// Embeds and caches `slots`, in batches.
    fn embed_slots(&mut self, slots: &[CacheSlot]) -> Result<()> {
        for chunk in slots.chunks(embed_batch(&self.device)) {
            let input = self.prefix_input(chunk)?;
            self.cache.insert_batch(&self.frozen, chunk, input);
        }
        Ok(())
    }

    /// The network input for `slots`: each sample's pixels, or its seeded augmented view.
    fn prefix_input(&self, slots: &[CacheSlot]) -> Result<Tensor<4>> {
        rgb_to_input(&self.prefix_pixels(slots)?, &self.device)
    }

    /// The RGB bytes of `slots`, concatenated: each sample's, or its seeded augmented view's.
    fn prefix_pixels(&self, slots: &[CacheSlot]) -> Result<Vec<u8>> {
        let augment = AugmentConfig::default();
        let seed = self.cache.view_seed();
        let mut pixels = Vec::with_capacity(slots.len() * crate::data::RGB_IMAGE_BYTES);
        for &(id, view) in slots {
            let rgb = &self.dataset.sample(id).ok_or(Error::MissingSample(id))?.rgb;
            match view {
                None => pixels.extend_from_slice(rgb),
                Some(j) => pixels.extend(augment_rgb(rgb, &augment, &mut view_rng(seed, id, j))),
            }
        }
        Ok(pixels)
    }

    /// A flag that, once set, stops the running epoch after its current batch.
    pub fn cancel_handle(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }

    /// Starts a training run on a snapshot of the current samples (embedding what is pending).
    pub fn start_run(&mut self) -> Result<Run> {
        self.config.validate()?;
        self.dataset.check_trainable()?;
        self.embed_pending(usize::MAX)?;
        let c = self.config.clone();
        let classes = self.dataset.class_names().len();
        let split = self.split();
        let views = if c.augment { c.augment_views } else { 0 };
        let snapshot = |ids: &[u64], views: usize| -> Result<Vec<RunSample>> {
            ids.iter()
                .map(|&id| {
                    let sample = self.dataset.sample(id).ok_or(Error::MissingSample(id))?;
                    Ok(RunSample {
                        id,
                        label: sample.label,
                        boundary: self.cache.get(id).ok_or(Error::MissingSample(id))?,
                        views: self.cache.views(id, views),
                    })
                })
                .collect()
        };
        let train = snapshot(&split.train, views)?;
        let validation = snapshot(&split.validation, 0)?;
        let head = HeadConfig::for_run(FEATURE_DIM, classes, c.head, c.hidden_units, c.dropout);
        self.device.seed(c.seed);
        let fresh = Tail::from_base(&self.base, c.blocks(), &head, &self.device);
        let tail = self
            .resume
            .take()
            .filter(|t| t.blocks.len() == c.blocks() && t.head.classes() == classes)
            .unwrap_or(fresh);
        Ok(Run::new(RunSetup {
            config: c,
            class_names: self.dataset.class_names().to_vec(),
            base_sha256: self.base_sha256.clone(),
            tail,
            train,
            validation,
            cancel: self.cancel.clone(),
        }))
    }

    /// Ends `run` and makes its model the trained one.
    pub async fn finish_run(&mut self, run: Run) -> Result<&TrainedModel> {
        let model = run.finish(&self.frozen).await?;
        Ok(self.trained.insert(model))
    }

    /// The trained model, if any.
    pub fn trained(&self) -> Option<&TrainedModel> {
        self.trained.as_ref()
    }

    fn trained_or_err(&self) -> Result<&TrainedModel> {
        self.trained
            .as_ref()
            .ok_or_else(|| Error::State("no trained model yet: train first".into()))
    }

    /// Installs a saved or imported model; the next run starts from its weights when the
    /// classes and `fine_tune_blocks` match.
    pub fn install(&mut self, model: TrainedModel) {
        self.resume = Some(model.net.tail.clone());
        self.trained = Some(model);
    }

    /// Samples neither trained on nor held out by the trained model (0 without one).
    pub fn new_since_training(&self) -> usize {
        let Some(model) = &self.trained else {
            return 0;
        };
        let split = &model.meta.split;
        let known: HashSet<u64> = split
            .train
            .iter()
            .chain(&split.validation)
            .copied()
            .collect();
        let samples = self.dataset.samples();
        samples.iter().filter(|s| !known.contains(&s.id)).count()
    }

    /// Boundary activations of samples for `first_block`: cached when the cache holds that
    /// boundary, else computed from their pixels.
    fn boundaries(&mut self, ids: &[u64], first_block: usize) -> Result<Option<Tensor<4>>> {
        if ids.is_empty() {
            return Ok(None);
        }
        let slots: Vec<CacheSlot> = ids.iter().map(|&id| (id, None)).collect();
        if self.cache.first_block() == first_block {
            let missing: Vec<CacheSlot> = (slots.iter())
                .filter(|(id, _)| !self.cache.contains(*id))
                .copied()
                .collect();
            self.embed_slots(&missing)?;
            return Ok(self.cache.stack(ids));
        }
        let mut parts = Vec::new();
        for chunk in slots.chunks(embed_batch(&self.device)) {
            parts.push(run_prefix(
                &self.frozen,
                self.prefix_input(chunk)?,
                first_block,
            ));
        }
        Ok(Some(Tensor::cat(parts, 0)))
    }

    /// Evaluates the trained model on exactly the samples its run held out (those still in
    /// the project, with their current labels); later samples are only counted.
    pub async fn evaluate(&mut self) -> Result<Evaluation> {
        let model = self.trained_or_err()?.clone();
        let ids: Vec<u64> = (model.meta.split.validation.iter())
            .filter(|id| self.dataset.sample(**id).is_some())
            .copied()
            .collect();
        let mut rows = Vec::with_capacity(ids.len());
        if let Some(boundary) = self.boundaries(&ids, model.first_block())? {
            let results = model
                .classify_boundary(&self.frozen, boundary, None)
                .await?;
            for (id, result) in ids.iter().zip(results) {
                let label = self
                    .dataset
                    .sample(*id)
                    .ok_or(Error::MissingSample(*id))?
                    .label;
                rows.push((*id, label, result.probs));
            }
        }
        let classes = model.meta.class_names.len();
        let mut evaluation = Evaluation::from_predictions(classes, &rows);
        evaluation.new_since_training = self.new_since_training();
        Ok(evaluation)
    }

    /// What the trained model says of one 224×224 RGB image; `strictness` is the percent of
    /// known-class images "none of these" would flag (default 1).
    pub async fn classify(&self, rgb: &[u8], strictness: Option<f32>) -> Result<Classification> {
        let model = self.trained_or_err()?;
        let input = rgb_to_input(rgb, &self.device)?;
        let mut results = model.classify(&self.frozen, input, strictness).await?;
        results
            .pop()
            .ok_or_else(|| Error::Backend("no prediction".into()))
    }
}
