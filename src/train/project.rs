//! The project: classes and samples, the settings, the boundary cache, the run in progress and
//! the trained model with the split it was trained and validated on. The CLI and the browser
//! both drive this, one [`Project::train_epoch`] at a time.

use super::cache::BoundaryCache;
use super::config::TrainConfig;
use super::data_check::DataCheck;
use super::dataset::{Dataset, NextIds};
use super::evaluation::Evaluation;
use super::explain::ActivationMap;
use super::head::HeadConfig;
use super::metrics::EpochMetrics;
use super::novelty::normalize;
use super::run::{Run, RunSetup, StopHandle};
use super::stage::RunSample;
use super::tail::Tail;
use super::trained::{Classification, TrainedModel, novelty_features};
use crate::data::rgb_to_input;
use crate::error::{Error, Result};
use crate::infer::read_values;
use crate::model::{FEATURE_DIM, MobileNetV1};
use burn::prelude::*;
use std::collections::HashSet;

/// Samples a data check reads features of at once (bounds the boundary activations held).
const CHECK_BATCH: usize = 32;

/// A transfer-learning project over a frozen MobileNetV1.
pub struct Project {
    base: MobileNetV1,
    pub(super) frozen: MobileNetV1,
    pub(super) device: Device,
    base_sha256: String,
    pub(super) config: TrainConfig,
    pub(super) dataset: Dataset,
    pub(super) cache: BoundaryCache,
    /// The run in progress: started by [`Self::start_training`], ended by its last epoch or by
    /// any edit that changes what it would train (settings, classes) or installs another model.
    run: Option<Run>,
    trained: Option<TrainedModel>,
    /// An imported model's tail: the next run starts from it when its shape fits.
    resume: Option<Tail>,
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
            run: None,
            trained: None,
            resume: None,
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

    /// Changes settings; a different setting ends the run in progress. Changing
    /// `fine_tune_blocks` empties the cache (another boundary); changing `seed` drops the
    /// augmented views (other views).
    pub fn set_config(&mut self, config: TrainConfig) -> Result<()> {
        config.validate()?;
        if config == self.config {
            return Ok(());
        }
        self.cache.retarget(
            &self.base_sha256,
            config.first_trainable_block(),
            config.seed,
        );
        self.config = config;
        self.run = None;
        Ok(())
    }

    /// Classes and samples.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// Adds a class; returns its id. The run in progress ends (it has one output fewer).
    pub fn add_class(&mut self, name: impl Into<String>) -> u64 {
        self.run = None;
        self.dataset.add_class(name)
    }

    /// Renames class `id` (a trained model keeps the names it was trained with).
    pub fn rename_class(&mut self, id: u64, name: impl Into<String>) -> Result<()> {
        self.dataset.rename_class(id, name)
    }

    /// Removes class `id` and its samples (a trained model stays as it is); the run in
    /// progress ends.
    pub fn remove_class(&mut self, id: u64) -> Result<()> {
        for sample in self.dataset.remove_class(id)? {
            self.cache.remove(sample);
        }
        self.run = None;
        Ok(())
    }

    /// Adds a 224×224 RGB sample to class `class`; returns its id. It is embedded by the next
    /// [`Self::embed_pending`] or run. A run in progress trains on the samples it started with.
    pub fn add_sample(&mut self, class: u64, rgb: Vec<u8>) -> Result<u64> {
        self.dataset.add_sample(class, rgb)
    }

    /// The ids the next class and sample will get (save them with the project).
    pub fn next_ids(&self) -> NextIds {
        self.dataset.next_ids()
    }

    /// Never gives ids below a saved project's `next` ([`Dataset::reserve_ids`]).
    pub fn reserve_ids(&mut self, next: NextIds) {
        self.dataset.reserve_ids(next);
    }

    /// Adds a 224×224 RGB sample under a known id (restoring a saved project).
    pub fn insert_sample(&mut self, id: u64, class: u64, rgb: Vec<u8>) -> Result<()> {
        self.dataset.insert_sample(id, class, rgb)
    }

    /// Moves a sample to class `class` (its cached activation stays valid).
    pub fn relabel_sample(&mut self, id: u64, class: u64) -> Result<()> {
        self.dataset.relabel_sample(id, class)
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

    /// Starts a training run on a snapshot of the current samples (embedding what is pending);
    /// returns its stop handle, which stops this run only (keep it to stop the run from another
    /// thread or task than the one awaiting [`Self::train_epoch`]). Refused while a run is in
    /// progress.
    pub fn start_training(&mut self) -> Result<StopHandle> {
        if self.run.is_some() {
            return Err(Error::State(
                "a training run is already in progress: stop it or train it to its end first"
                    .into(),
            ));
        }
        let run = self.start_run()?;
        let stop = run.stop_handle();
        self.run = Some(run);
        Ok(stop)
    }

    /// Stops the run in progress after its current batch (it keeps its best weights so far);
    /// without a run in progress, does nothing.
    pub fn stop(&self) {
        if let Some(run) = &self.run {
            run.stop_handle().stop();
        }
    }

    /// Ends the run in progress without keeping what it trained: the model from before the run
    /// stays (an aborted run). Without a run in progress, does nothing.
    pub fn discard_training(&mut self) {
        self.run = None;
    }

    /// Whether a run is in progress (started and not yet done).
    pub fn is_training(&self) -> bool {
        self.run.is_some()
    }

    /// Trains one epoch of the run in progress. When the epoch reports `done`, the run's model
    /// has become [`Self::trained`] and the run is over. A failed epoch ends the run. Without a
    /// run in progress (none was started, or an edit to the classes or settings ended it) this
    /// is an error, never a silent new run.
    pub async fn train_epoch(&mut self) -> Result<EpochMetrics> {
        let mut run = self.run.take().ok_or_else(|| {
            Error::State(
                "no training run in progress (changing the classes or settings ends one): \
                 start training again"
                    .into(),
            )
        })?;
        let metrics = run.epoch().await?;
        if metrics.done {
            if !metrics.discarded {
                self.trained = Some(run.finish(&self.frozen).await?);
            }
        } else {
            self.run = Some(run);
        }
        Ok(metrics)
    }

    /// A run on a snapshot of the current samples, embedding what is pending.
    fn start_run(&mut self) -> Result<Run> {
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
            stop: StopHandle::default(),
        }))
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

    /// Installs a saved or imported model (ending the run in progress); the next run starts
    /// from its weights when the classes and `fine_tune_blocks` match. New samples get ids past
    /// every id its split names, so none can pass for one it held out.
    pub fn install(&mut self, model: TrainedModel) {
        self.run = None;
        let split = &model.meta.split;
        if let Some(&last) = split.train.iter().chain(&split.validation).max() {
            self.dataset.reserve_ids(NextIds {
                class: 0,
                sample: last + 1,
            });
        }
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
    /// known-class images "none of these" would flag ([`super::DEFAULT_STRICTNESS`] when `None`).
    pub async fn classify(&self, rgb: &[u8], strictness: Option<f32>) -> Result<Classification> {
        let model = self.trained_or_err()?;
        let input = rgb_to_input(rgb, &self.device)?;
        let mut results = model.classify(&self.frozen, input, strictness).await?;
        results
            .pop()
            .ok_or_else(|| Error::Backend("no prediction".into()))
    }

    /// Why the trained model answered for one 224×224 RGB image: the Grad-CAM map of `class`
    /// (a label; the predicted class when `None`).
    pub async fn explain(&self, rgb: &[u8], class: Option<usize>) -> Result<ActivationMap> {
        let input = rgb_to_input(rgb, &self.device)?;
        self.trained_or_err()?
            .explain(&self.frozen, input, class)
            .await
    }

    /// The data check of every sample, on the pretrained network's features ([`DataCheck`]).
    pub async fn check_data(&mut self) -> Result<DataCheck> {
        let samples = self.dataset.samples();
        let ids: Vec<u64> = samples.iter().map(|s| s.id).collect();
        let labels: Vec<usize> = samples.iter().map(|s| s.label).collect();
        let first_block = self.cache.first_block();
        let mut features = Vec::with_capacity(ids.len() * FEATURE_DIM);
        for chunk in ids.chunks(CHECK_BATCH) {
            if let Some(boundary) = self.boundaries(chunk, first_block)? {
                let pooled = novelty_features(&self.frozen, boundary, first_block);
                features.extend(read_values(normalize(pooled)).await?);
            }
        }
        let classes = self.dataset.class_names().len();
        Ok(DataCheck::new(
            &ids,
            &labels,
            &features,
            FEATURE_DIM,
            classes,
        ))
    }
}
