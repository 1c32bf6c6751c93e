//! One training run, driven an epoch at a time: [`Run::epoch`] until `done`, then
//! [`Run::finish`] gives the trained model.
//!
//! A run works on a snapshot taken when it starts (sample ids, labels, cached boundary
//! activations, pixels for augmentation), so later edits to the project cannot change what it
//! trains on, and the split it was validated on travels with the model it makes.

use super::augment::{AugmentConfig, augment_rgb};
use super::cache::run_prefix;
use super::config::TrainConfig;
use super::metrics::EpochMetrics;
use super::novelty::{Novelty, REFERENCES_PER_CLASS, distinct_references};
use super::split::Split;
use super::tail::Tail;
use super::trained::{FORMAT_VERSION, PREPROCESSING, TrainedModel, TrainedModelMeta, TrainedNet};
use crate::data::rgb_to_input;
use crate::error::{Error, Result};
use crate::model::MobileNetV1;
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

/// A sample as a run sees it: frozen at the start of the run.
#[derive(Clone)]
pub struct RunSample {
    /// Its id in the project.
    pub id: u64,
    /// Its class.
    pub label: usize,
    /// The frozen prefix's output for it.
    pub boundary: Tensor<4>,
    /// Its pixels (for augmented views).
    pub rgb: Arc<[u8]>,
}

/// What a run needs from the project that starts it.
pub struct RunSetup {
    /// The settings of this run.
    pub config: TrainConfig,
    /// Class names, by label.
    pub class_names: Vec<String>,
    /// sha256 of the base weights.
    pub base_sha256: String,
    /// The frozen network (BatchNorm folded), for augmented views.
    pub frozen: MobileNetV1,
    /// The tail to start from (fresh, or a compatible earlier model).
    pub tail: Tail,
    /// Training samples.
    pub train: Vec<RunSample>,
    /// Held-out samples.
    pub validation: Vec<RunSample>,
    /// Set to stop the run at the next batch boundary.
    pub cancel: Arc<AtomicBool>,
}

/// A training run in progress.
pub struct Run {
    setup: RunSetup,
    /// The training weights (taken out for the optimiser's steps; `None` after a failed epoch).
    tail: Option<Tail>,
    optimizer: ModuleOptimizer,
    epoch: usize,
    best_val_loss: f32,
    epochs_since_best: usize,
    best: Tail,
    rng: StdRng,
    done: bool,
}

impl Run {
    /// Starts a run (the tail moves to autodiff; the optimiser is fresh).
    pub fn new(setup: RunSetup) -> Self {
        let c = &setup.config;
        let mut adam = AdamConfig::new();
        if c.weight_decay > 0.0 {
            adam = adam.with_weight_decay(Some(WeightDecayConfig::new(c.weight_decay)));
        }
        setup.cancel.store(false, Ordering::SeqCst);
        Self {
            best: setup.tail.clone(),
            tail: Some(setup.tail.clone().into_training()),
            optimizer: adam.init(),
            epoch: 0,
            best_val_loss: f32::INFINITY,
            epochs_since_best: 0,
            rng: StdRng::seed_from_u64(c.seed ^ SHUFFLE_SEED_SALT),
            done: false,
            setup,
        }
    }

    /// Whether the run is over (call [`Self::finish`]).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The settings of this run.
    pub fn config(&self) -> &TrainConfig {
        &self.setup.config
    }

    /// Boundary activations of a batch: cached, or of fresh augmented views.
    fn batch_input(&mut self, batch: &[usize]) -> Result<Tensor<4>> {
        let samples = &self.setup.train;
        if !self.setup.config.augment {
            let rows = batch.iter().map(|&i| samples[i].boundary.clone()).collect();
            return Ok(Tensor::cat(rows, 0));
        }
        let augment = AugmentConfig::default();
        let mut pixels = Vec::with_capacity(batch.len() * crate::data::RGB_IMAGE_BYTES);
        for &i in batch {
            pixels.extend(augment_rgb(&samples[i].rgb, &augment, &mut self.rng));
        }
        let device = samples[batch[0]].boundary.device();
        let first_block = crate::model::BLOCK_COUNT - self.setup.config.fine_tune_blocks;
        let input = rgb_to_input(&pixels, &device)?;
        Ok(run_prefix(&self.setup.frozen, input, first_block))
    }

    /// Trains one epoch and reports it. Stop (the cancel flag) ends the epoch after its current
    /// batch — never before its first, so every reported epoch trained on something — and the
    /// run keeps the best weights so far.
    pub async fn epoch(&mut self) -> Result<EpochMetrics> {
        let over = || Error::State("this training run is over".into());
        if self.done {
            return Err(over());
        }
        let mut tail = self.tail.take().ok_or_else(over)?;
        self.epoch += 1;
        let config = self.setup.config.clone();
        let device = self.setup.train.first().ok_or_else(over)?.boundary.device();
        let ad_device = device.clone().autodiff();
        let loss_fn = CrossEntropyLossConfig::new()
            .with_smoothing((config.label_smoothing > 0.0).then_some(config.label_smoothing))
            .init(&ad_device);
        let mut order: Vec<usize> = (0..self.setup.train.len()).collect();
        order.shuffle(&mut self.rng);
        let mut loss_sum = Tensor::<1>::zeros([1], &device);
        let mut correct = Tensor::<1, Int>::zeros([1], &device);
        let mut seen = 0usize;
        let mut views_embedded = 0usize;
        let mut cancelled = false;
        for batch in order.chunks(config.batch_size) {
            if seen > 0 && self.setup.cancel.swap(false, Ordering::SeqCst) {
                cancelled = true;
                break;
            }
            let input = self.batch_input(batch)?.autodiff();
            if config.augment {
                views_embedded += batch.len();
            }
            let labels: Vec<i64> = batch
                .iter()
                .map(|&i| self.setup.train[i].label as i64)
                .collect();
            let targets = Tensor::from_data(TensorData::new(labels, [batch.len()]), &ad_device);
            let logits = tail.forward(input);
            let loss = loss_fn.forward(logits.clone(), targets.clone());
            // Discriminative learning rates: pretrained blocks move `block_lr_factor` times slower
            // than the fresh head, so early head gradients do not wreck their features.
            let mut grads = loss.backward();
            let head_ids = list_param_ids(&tail.head);
            let block_ids = list_param_ids(&tail.blocks);
            let head_grads = GradientsParams::from_params(&mut grads, &tail, &head_ids);
            let block_grads = GradientsParams::from_params(&mut grads, &tail, &block_ids);
            let lr = config.learning_rate;
            tail = self.optimizer.step(lr, tail, head_grads);
            if !block_ids.is_empty() {
                tail = self
                    .optimizer
                    .step(lr * config.block_lr_factor, tail, block_grads);
            }
            let n = batch.len();
            loss_sum = loss_sum + loss.without_autodiff().mul_scalar(n as f32);
            let hits = logits
                .without_autodiff()
                .argmax(1)
                .reshape([n])
                .equal(targets.without_autodiff());
            correct = correct + hits.int().sum();
            seen += n;
        }
        // A stop that arrived during the last batch still ends the run.
        cancelled |= self.setup.cancel.swap(false, Ordering::SeqCst);
        let train_loss = read_scalar(loss_sum).await? / seen.max(1) as f32;
        let train_accuracy = read_scalar(correct.float()).await? / seen.max(1) as f32;

        let current = tail.valid();
        self.tail = Some(tail);
        let (val_loss, val_accuracy) = validation_metrics(&current, &self.setup.validation).await?;
        let improved = val_loss.is_none_or(|l| l < self.best_val_loss);
        if improved {
            self.best_val_loss = val_loss.unwrap_or(f32::INFINITY);
            self.epochs_since_best = 0;
            self.best = current;
        } else {
            self.epochs_since_best += 1;
        }
        let stopped_early =
            !improved && config.patience.is_some_and(|p| self.epochs_since_best >= p);
        self.done = cancelled || stopped_early || self.epoch >= config.epochs;
        Ok(EpochMetrics {
            epoch: self.epoch,
            train_loss,
            train_accuracy,
            val_loss,
            val_accuracy,
            done: self.done,
            stopped_early,
            cancelled,
            views_embedded,
        })
    }

    /// Ends the run: the best weights, with "none of these" references from the training
    /// samples (up to [`REFERENCES_PER_CLASS`] a class, a seeded choice) calibrated on the
    /// held-out ones, and the split.
    pub async fn finish(self) -> Result<TrainedModel> {
        let Run { setup, best, .. } = self;
        let c = &setup.config;
        let mut rng = StdRng::seed_from_u64(c.seed ^ SHUFFLE_SEED_SALT ^ 1);
        // Candidates: a seeded choice of up to 4 × REFERENCES_PER_CLASS a class (bounds the
        // readback), of which the distinct ones become references.
        let mut candidates = Vec::new();
        for class in 0..setup.class_names.len() {
            let mut members: Vec<&RunSample> =
                setup.train.iter().filter(|s| s.label == class).collect();
            members.shuffle(&mut rng);
            candidates.extend(members.into_iter().take(4 * REFERENCES_PER_CLASS));
        }
        let stack = |samples: &[&RunSample]| {
            (!samples.is_empty())
                .then(|| Tensor::cat(samples.iter().map(|s| s.boundary.clone()).collect(), 0))
        };
        let boundary =
            stack(&candidates).ok_or_else(|| Error::State("no training samples".into()))?;
        let features = best.features(boundary);
        let labels: Vec<usize> = candidates.iter().map(|s| s.label).collect();
        let chosen = distinct_references(features.clone(), &labels).await?;
        let chosen: Vec<i64> = chosen.into_iter().map(|i| i as i64).collect();
        let device = features.device();
        let chosen =
            Tensor::<1, Int>::from_data(TensorData::new(chosen.clone(), [chosen.len()]), &device);
        let novelty = Novelty::new(features.select(0, chosen));
        let held_out: Vec<&RunSample> = setup.validation.iter().collect();
        let held_out = stack(&held_out).map(|b| best.features(b));
        let calibration = novelty.calibrate(held_out).await?;
        let ids = |samples: &[RunSample]| samples.iter().map(|s| s.id).collect();
        Ok(TrainedModel {
            net: TrainedNet {
                tail: best,
                novelty,
            },
            meta: TrainedModelMeta {
                format_version: FORMAT_VERSION,
                class_names: setup.class_names.clone(),
                fine_tune_blocks: c.fine_tune_blocks,
                head: c.head,
                hidden_units: c.hidden_units,
                base_weights_sha256: setup.base_sha256.clone(),
                seed: c.seed,
                split: Split {
                    train: ids(&setup.train),
                    validation: ids(&setup.validation),
                },
                novelty: calibration,
                preprocessing: PREPROCESSING.into(),
            },
        })
    }
}

/// Mean loss and accuracy of `tail` on held-out samples (`None`s when there are none).
async fn validation_metrics(
    tail: &Tail,
    samples: &[RunSample],
) -> Result<(Option<f32>, Option<f32>)> {
    if samples.is_empty() {
        return Ok((None, None));
    }
    let device = samples[0].boundary.device();
    let boundary = Tensor::cat(samples.iter().map(|s| s.boundary.clone()).collect(), 0);
    let labels: Vec<i64> = samples.iter().map(|s| s.label as i64).collect();
    let targets = Tensor::<1, Int>::from_data(TensorData::new(labels, [samples.len()]), &device);
    let logits = tail.forward(boundary);
    let loss = CrossEntropyLossConfig::new()
        .init(&device)
        .forward(logits.clone(), targets.clone());
    let hits = logits
        .argmax(1)
        .reshape([samples.len()])
        .equal(targets)
        .int()
        .sum();
    let loss = read_scalar(loss).await?;
    let accuracy = read_scalar(hits.float()).await? / samples.len() as f32;
    Ok((Some(loss), Some(accuracy)))
}

/// Reads a one-element tensor back asynchronously.
async fn read_scalar(tensor: Tensor<1>) -> Result<f32> {
    let values = crate::infer::read_values(tensor).await?;
    values
        .first()
        .copied()
        .ok_or_else(|| Error::Backend("empty tensor".into()))
}
