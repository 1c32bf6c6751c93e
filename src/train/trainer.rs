//! The step-wise training loop: embed, then one `train_epoch` call per epoch.

use super::augment::{AugmentConfig, augment_rgba};
use super::cache::BoundaryCache;
use super::config::TrainConfig;
use super::dataset::{Dataset, Sample};
use super::evaluation::{Evaluation, calibrate_threshold};
use super::export::{FORMAT_VERSION, PREPROCESSING, TrainedModel, TrainedModelMeta};
use super::head::HeadConfig;
use super::metrics::EpochMetrics;
use super::split::{Split, stratified_split};
use super::tail::Tail;
use crate::data::rgba_to_input;
use crate::error::{Error, Result};
use crate::model::{FEATURE_DIM, MobileNetV1};
use burn::module::list_param_ids;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Mixed into the seed for shuffles and augmentation, so they draw a different stream than
/// the split (seeded with the bare seed).
const SHUFFLE_SEED_SALT: u64 = 0x5eed_5a17;

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

/// State of one training run.
struct Run {
    tail: Tail,
    optimizer: ModuleOptimizer,
    split: Split,
    epoch: usize,
    best_val_loss: f32,
    epochs_since_best: usize,
    best: Tail,
    rng: StdRng,
}

/// Trains a tail on a frozen MobileNetV1 prefix; drive it with [`Trainer::train_epoch`].
pub struct Trainer {
    base: MobileNetV1,
    frozen: MobileNetV1,
    device: Device,
    base_sha256: String,
    config: TrainConfig,
    dataset: Dataset,
    cache: BoundaryCache,
    run: Option<Run>,
    trained: Option<TrainedModel>,
    resume: Option<Tail>,
    cancel: Arc<AtomicBool>,
}

impl Trainer {
    /// A trainer over `base` (loaded on the plain `device`), identified by its weights' sha256.
    pub fn new(
        base: MobileNetV1,
        device: Device,
        base_sha256: impl Into<String>,
        dataset: Dataset,
    ) -> Self {
        let base_sha256 = base_sha256.into();
        let config = TrainConfig::default();
        let cache = BoundaryCache::new(base_sha256.clone(), config.first_trainable_block());
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

    /// Changes settings (ends any run in progress). Changing `fine_tune_blocks` empties the cache.
    pub fn set_config(&mut self, config: TrainConfig) -> Result<()> {
        config.validate()?;
        self.cache
            .retarget(&self.base_sha256, config.first_trainable_block());
        self.config = config;
        self.run = None;
        Ok(())
    }

    /// Classes and samples.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// Adds a class (ends any run in progress).
    pub fn add_class(&mut self, name: impl Into<String>) -> usize {
        self.run = None;
        self.dataset.add_class(name)
    }

    /// Renames a class (the trained model keeps the names it was trained with).
    pub fn rename_class(&mut self, label: usize, name: impl Into<String>) -> Result<()> {
        self.dataset.rename_class(label, name)
    }

    /// Removes a class and its samples (ends any run in progress; the trained model stays).
    pub fn remove_class(&mut self, label: usize) -> Result<()> {
        for id in self.dataset.remove_class(label)? {
            self.cache.remove(id);
        }
        self.run = None;
        Ok(())
    }

    /// Adds a sample; it is embedded by the next [`Self::embed_pending`] / epoch, alone.
    pub fn add_sample(&mut self, label: usize, rgba: Vec<u8>) -> Result<u64> {
        let id = self.dataset.add_sample(label, rgba)?;
        self.run = None;
        Ok(id)
    }

    /// Moves a sample to another class (its cached activation stays valid).
    pub fn relabel_sample(&mut self, id: u64, label: usize) -> Result<()> {
        self.dataset.relabel_sample(id, label)?;
        self.run = None;
        Ok(())
    }

    /// Removes a sample and its cached activation.
    pub fn remove_sample(&mut self, id: u64) -> bool {
        self.cache.remove(id);
        let removed = self.dataset.remove_sample(id);
        if removed {
            self.run = None;
        }
        removed
    }

    /// The activation cache (for inspection: sizes, prefix runs).
    pub fn cache(&self) -> &BoundaryCache {
        &self.cache
    }

    /// Samples whose boundary activation is not cached yet.
    pub fn pending_embeddings(&self) -> usize {
        let samples = self.dataset.samples();
        samples
            .iter()
            .filter(|s| !self.cache.contains(s.id))
            .count()
    }

    /// Embeds up to `limit` pending samples (in batches); returns how many remain pending.
    pub fn embed_pending(&mut self, limit: usize) -> Result<usize> {
        let pending: Vec<Sample> = self
            .dataset
            .samples()
            .iter()
            .filter(|s| !self.cache.contains(s.id))
            .take(limit)
            .cloned()
            .collect();
        for chunk in pending.chunks(embed_batch(&self.device)) {
            let ids: Vec<u64> = chunk.iter().map(|s| s.id).collect();
            let pixels: Vec<u8> = chunk.iter().flat_map(Sample::rgba).collect();
            let input = rgba_to_input(&pixels, &self.device)?;
            self.cache.insert_batch(&self.frozen, &ids, input);
        }
        Ok(self.pending_embeddings())
    }

    /// A flag that, once set, makes the running epoch stop at the next batch boundary.
    pub fn cancel_handle(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }

    /// Whether a run is in progress.
    pub fn is_running(&self) -> bool {
        self.run.is_some()
    }

    /// The train/validation split of the current run.
    pub fn split(&self) -> Option<&Split> {
        self.run.as_ref().map(|r| &r.split)
    }

    /// The last completed model.
    pub fn trained(&self) -> Option<&TrainedModel> {
        self.trained.as_ref()
    }

    /// Installs an imported model; the next run continues from its weights when the classes
    /// and `fine_tune_blocks` match.
    pub fn set_trained(&mut self, model: TrainedModel) {
        self.resume = Some(model.tail.clone());
        self.trained = Some(model);
        self.run = None;
    }

    fn start_run(&mut self) -> Result<()> {
        self.config.validate()?;
        self.dataset.check_trainable()?;
        let classes = self.dataset.class_names().len();
        let split = stratified_split(
            self.dataset.samples(),
            classes,
            self.config.validation_fraction,
            self.config.seed,
        );
        let c = &self.config;
        let head = HeadConfig::for_run(FEATURE_DIM, classes, c.head, c.hidden_units, c.dropout);
        self.device.seed(c.seed);
        let fresh = Tail::from_base(&self.base, c.fine_tune_blocks, &head, &self.device);
        let resumable = self
            .resume
            .take()
            .filter(|t| t.blocks.len() == c.fine_tune_blocks && t.head.classes() == classes);
        let tail = resumable.unwrap_or(fresh);
        let mut adam = AdamConfig::new();
        if c.weight_decay > 0.0 {
            adam = adam.with_weight_decay(Some(WeightDecayConfig::new(c.weight_decay)));
        }
        self.cancel.store(false, Ordering::SeqCst);
        self.run = Some(Run {
            best: tail.valid(),
            tail: tail.into_training(),
            optimizer: adam.init(),
            split,
            epoch: 0,
            best_val_loss: f32::INFINITY,
            epochs_since_best: 0,
            rng: StdRng::seed_from_u64(c.seed ^ SHUFFLE_SEED_SALT),
        });
        Ok(())
    }

    /// Boundary activations of training ids: cached, or of fresh augmented views.
    fn train_batch_input(&mut self, ids: &[u64], rng: &mut StdRng) -> Result<Tensor<4>> {
        if !self.config.augment {
            return self
                .cache
                .stack(ids)
                .ok_or_else(|| Error::InvalidArgument("a training sample is not embedded".into()));
        }
        let augment = AugmentConfig::default();
        let mut pixels = Vec::with_capacity(ids.len() * crate::data::RGBA_IMAGE_BYTES);
        for id in ids {
            let sample = self
                .dataset
                .sample(*id)
                .ok_or_else(|| Error::InvalidArgument(format!("sample {id} disappeared")))?;
            pixels.extend(augment_rgba(&sample.rgba(), &augment, rng));
        }
        let input = rgba_to_input(&pixels, &self.device)?;
        Ok(self.cache.compute(&self.frozen, input))
    }

    /// Labels of ids as an Int tensor on `device`.
    fn labels(&self, ids: &[u64], device: &Device) -> Tensor<1, Int> {
        let labels: Vec<i64> = ids
            .iter()
            .map(|id| self.dataset.sample(*id).map_or(0, |s| s.label as i64))
            .collect();
        Tensor::from_data(TensorData::new(labels, [ids.len()]), device)
    }

    /// Runs one epoch (starting a run first if needed) and reports its metrics. Cancelling
    /// stops at the next batch; the run then ends with the best weights so far.
    pub async fn train_epoch(&mut self) -> Result<EpochMetrics> {
        if self.run.is_none() {
            self.start_run()?;
        }
        self.embed_pending(usize::MAX)?;
        let Some(mut run) = self.run.take() else {
            return Err(Error::InvalidArgument("no training run".into()));
        };
        run.epoch += 1;
        let ad_device = self.device.clone().autodiff();
        let loss_fn = CrossEntropyLossConfig::new()
            .with_smoothing(
                (self.config.label_smoothing > 0.0).then_some(self.config.label_smoothing),
            )
            .init(&ad_device);
        let mut order = run.split.train.clone();
        order.shuffle(&mut run.rng);
        let mut loss_sum = Tensor::<1>::zeros([1], &self.device);
        let mut correct = Tensor::<1, Int>::zeros([1], &self.device);
        let mut seen = 0usize;
        let mut cancelled = false;
        for ids in order.chunks(self.config.batch_size) {
            if self.cancel.swap(false, Ordering::SeqCst) {
                cancelled = true;
                break;
            }
            let input = self.train_batch_input(ids, &mut run.rng)?.autodiff();
            let targets = self.labels(ids, &ad_device);
            let logits = run.tail.forward(input);
            let loss = loss_fn.forward(logits.clone(), targets.clone());
            // Discriminative learning rates: pretrained blocks move `block_lr_factor` times slower
            // than the fresh head, so early head gradients do not wreck their features.
            let mut grads = loss.backward();
            let head_ids = list_param_ids(&run.tail.head);
            let block_ids = list_param_ids(&run.tail.blocks);
            let head_grads = GradientsParams::from_params(&mut grads, &run.tail, &head_ids);
            let block_grads = GradientsParams::from_params(&mut grads, &run.tail, &block_ids);
            let lr = self.config.learning_rate;
            run.tail = run.optimizer.step(lr, run.tail, head_grads);
            if !block_ids.is_empty() {
                let block_lr = lr * self.config.block_lr_factor;
                run.tail = run.optimizer.step(block_lr, run.tail, block_grads);
            }
            let n = ids.len();
            loss_sum = loss_sum + loss.without_autodiff().mul_scalar(n as f32);
            let hits = logits
                .without_autodiff()
                .argmax(1)
                .reshape([n])
                .equal(targets.without_autodiff());
            correct = correct + hits.int().sum();
            seen += n;
        }
        let train_loss = read_scalar(loss_sum).await? / seen.max(1) as f32;
        let train_accuracy = read_scalar(correct.float()).await? / seen.max(1) as f32;

        let current = run.tail.valid();
        let (val_loss, val_accuracy) = self
            .validation_metrics(&current, &run.split.validation)
            .await?;
        let improved = val_loss.is_none_or(|l| l < run.best_val_loss);
        if improved {
            run.best_val_loss = val_loss.unwrap_or(f32::INFINITY);
            run.epochs_since_best = 0;
            run.best = current;
        } else {
            run.epochs_since_best += 1;
        }
        let stopped_early = !improved
            && self
                .config
                .patience
                .is_some_and(|p| run.epochs_since_best >= p);
        let done = cancelled || stopped_early || run.epoch >= self.config.epochs;
        let metrics = EpochMetrics {
            epoch: run.epoch,
            train_loss,
            train_accuracy,
            val_loss,
            val_accuracy,
            done,
            stopped_early,
            cancelled,
        };
        if done {
            self.finish(run).await?;
        } else {
            self.run = Some(run);
        }
        Ok(metrics)
    }

    /// Mean loss and accuracy of `tail` on held-out ids (`None`s when there are none).
    async fn validation_metrics(
        &self,
        tail: &Tail,
        ids: &[u64],
    ) -> Result<(Option<f32>, Option<f32>)> {
        let Some(boundary) = self.cache.stack(ids) else {
            return Ok((None, None));
        };
        let targets = self.labels(ids, &self.device);
        let logits = tail.forward(boundary);
        let loss = CrossEntropyLossConfig::new()
            .init(&self.device)
            .forward(logits.clone(), targets.clone());
        let hits = logits
            .argmax(1)
            .reshape([ids.len()])
            .equal(targets)
            .int()
            .sum();
        let loss = read_scalar(loss).await?;
        let accuracy = read_scalar(hits.float()).await? / ids.len() as f32;
        Ok((Some(loss), Some(accuracy)))
    }

    /// Ends a run: the best weights become the trained model, threshold calibrated on validation.
    async fn finish(&mut self, run: Run) -> Result<()> {
        let c = &self.config;
        let mut model = TrainedModel {
            tail: run.best,
            meta: TrainedModelMeta {
                format_version: FORMAT_VERSION,
                class_names: self.dataset.class_names().to_vec(),
                fine_tune_blocks: c.fine_tune_blocks,
                head: c.head,
                hidden_units: c.hidden_units,
                base_weights_sha256: self.base_sha256.clone(),
                seed: c.seed,
                threshold: 0.0,
                preprocessing: PREPROCESSING.into(),
            },
        };
        let rows = self.predict_ids(&model, &run.split.validation).await?;
        model.meta.threshold = calibrate_threshold(&rows);
        self.trained = Some(model);
        self.run = None;
        Ok(())
    }

    /// `(id, label, probabilities)` for cached ids under `model`.
    async fn predict_ids(
        &self,
        model: &TrainedModel,
        ids: &[u64],
    ) -> Result<Vec<(u64, usize, Vec<f32>)>> {
        let Some(boundary) = self.cache.stack(ids) else {
            return Ok(Vec::new());
        };
        let probs = model.probabilities_from_boundary(boundary).await?;
        Ok(ids
            .iter()
            .zip(probs)
            .map(|(id, p)| (*id, self.dataset.sample(*id).map_or(0, |s| s.label), p))
            .collect())
    }

    /// Evaluates the trained model on the last run's validation split (or on `ids`).
    pub async fn evaluate(&mut self, ids: Option<Vec<u64>>) -> Result<Evaluation> {
        let model = self
            .trained
            .clone()
            .ok_or_else(|| Error::InvalidArgument("no trained model yet".into()))?;
        let ids = match ids {
            Some(ids) => ids,
            None => {
                stratified_split(
                    self.dataset.samples(),
                    self.dataset.class_names().len(),
                    self.config.validation_fraction,
                    model.meta.seed,
                )
                .validation
            }
        };
        if model.first_block() != self.cache.first_block() {
            return Err(Error::InvalidArgument(
                "the trained model's fine-tuned blocks differ from the current setting".into(),
            ));
        }
        self.embed_pending(usize::MAX)?;
        let rows = self.predict_ids(&model, &ids).await?;
        Ok(Evaluation::from_predictions(
            model.meta.class_names.len(),
            &rows,
        ))
    }

    /// Class probabilities of one 224×224 RGBA image under the trained model.
    pub async fn predict(&self, rgba: &[u8]) -> Result<Vec<f32>> {
        let model = self
            .trained
            .as_ref()
            .ok_or_else(|| Error::InvalidArgument("no trained model yet".into()))?;
        let input = rgba_to_input(rgba, &self.device)?;
        let mut rows = model.probabilities(&self.frozen, input).await?;
        rows.pop()
            .ok_or_else(|| Error::Backend("no prediction".into()))
    }
}

/// Reads a one-element tensor back asynchronously.
async fn read_scalar(tensor: Tensor<1>) -> Result<f32> {
    let values = crate::infer::read_values(tensor).await?;
    values
        .first()
        .copied()
        .ok_or_else(|| Error::Backend("empty tensor".into()))
}
