//! One training run, driven an epoch at a time: [`Run::epoch`] until `done`, then
//! [`Run::finish`] gives the trained model.
//!
//! A run works on a snapshot taken when it starts (sample ids, labels, cached boundary
//! activations and augmented views), so later edits to the project cannot change what it
//! trains on, and the split it was validated on travels with the model it makes.

use super::config::TrainConfig;
use super::metrics::EpochMetrics;
use super::novelty::{REFERENCES_PER_CLASS, calibrate, distinct_references};
use super::split::Split;
use super::stage::{RunSample, Stage, StageData, read_scalar, stage_data, validation_metrics};
use super::tail::Tail;
use super::trained::{
    FORMAT_VERSION, PREPROCESSING, TrainedModel, TrainedModelMeta, TrainedNet, novelty_features,
};
use crate::error::{Error, Result};
use crate::model::{BLOCK_COUNT, DepthwiseSeparable, MobileNetV1};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Mixed into the seed for shuffles and augmentation, so they draw a different stream than
/// the split (seeded with the bare seed).
const SHUFFLE_SEED_SALT: u64 = 0x5eed_5a17;

/// What a run needs from the project that starts it.
pub struct RunSetup {
    /// The settings of this run.
    pub config: TrainConfig,
    /// Class names, by label.
    pub class_names: Vec<String>,
    /// sha256 of the base weights.
    pub base_sha256: String,
    /// The tail to start from (fresh, or a compatible earlier model).
    pub tail: Tail,
    /// Training samples.
    pub train: Vec<RunSample>,
    /// Held-out samples.
    pub validation: Vec<RunSample>,
    /// Stops this run (and no other) at the next batch boundary.
    pub stop: StopHandle,
}

/// Stops one training run after its current batch (never before its first). Each run has its
/// own: a Stop that reaches a run already over, or no run at all, cannot end the next one.
#[derive(Clone, Debug, Default)]
pub struct StopHandle {
    stop: Arc<AtomicBool>,
    discard: Arc<AtomicBool>,
}

impl StopHandle {
    /// Asks the run to stop after its current batch; it keeps its best weights so far.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Asks the run to stop after its current batch and to make no model: the project keeps
    /// the model it had before the run (an aborted run, not a stopped one).
    pub fn discard(&self) {
        self.discard.store(true, Ordering::SeqCst);
        self.stop();
    }

    /// Whether the run was told to discard what it trained.
    pub fn is_discarded(&self) -> bool {
        self.discard.load(Ordering::SeqCst)
    }

    /// Takes the stop request: true once per stop.
    fn take(&self) -> bool {
        self.stop.swap(false, Ordering::SeqCst)
    }
}

/// A training run in progress.
///
/// With fine-tuned blocks (k ≥ 1) a run has two stages, the textbook recipe: first the fresh head
/// learns alone on the pretrained blocks' features (computed once per sample and view, so its
/// epochs cost what head-only epochs cost), then blocks and head train together for at most
/// `fine_tune_epochs` at the lower block learning rate. The second stage starts from the best
/// head of the first, and the run keeps whichever weights validate best, so fine-tuning cannot
/// end worse on validation than the head alone.
pub struct Run {
    setup: RunSetup,
    stage: Stage,
    data: StageData,
    /// The pretrained blocks while the head stage trains without them.
    set_aside: Vec<DepthwiseSeparable>,
    /// The training weights (taken out for the optimiser's steps; `None` after a failed epoch).
    tail: Option<Tail>,
    optimizer: ModuleOptimizer,
    epoch: usize,
    stage_epoch: usize,
    best_val_loss: f32,
    epochs_since_best: usize,
    /// The best weights so far (during the head stage, without the set-aside blocks).
    best: Tail,
    /// The stage that trained `best`.
    best_stage: Stage,
    rng: StdRng,
    done: bool,
}

impl Run {
    /// This run's stop handle.
    pub fn stop_handle(&self) -> StopHandle {
        self.setup.stop.clone()
    }

    /// Starts a run (the tail moves to autodiff; the optimiser is fresh).
    pub fn new(setup: RunSetup) -> Self {
        let Tail { blocks, head } = setup.tail.clone();
        let head_only = Tail {
            blocks: Vec::new(),
            head,
        };
        let data = stage_data(&blocks, &setup.train, &setup.validation);
        Self {
            best: head_only.clone(),
            best_stage: Stage::Head,
            tail: Some(head_only.into_training()),
            optimizer: optimizer(&setup.config),
            stage: Stage::Head,
            data,
            set_aside: blocks,
            epoch: 0,
            stage_epoch: 0,
            best_val_loss: f32::INFINITY,
            epochs_since_best: 0,
            rng: StdRng::seed_from_u64(setup.config.seed ^ SHUFFLE_SEED_SALT),
            done: false,
            setup,
        }
    }

    /// The most epochs this run can still reach (the stages' limits; early stopping may end it
    /// sooner).
    fn planned_epochs(&self) -> usize {
        let c = &self.setup.config;
        let blocks = if self.setup.config.blocks() > 0 {
            c.fine_tune_epochs
        } else {
            0
        };
        match self.stage {
            Stage::Head => self.epoch - self.stage_epoch + c.epochs + blocks,
            Stage::Blocks => self.epoch - self.stage_epoch + c.fine_tune_epochs,
        }
    }

    /// Inputs of a batch: each sample's plain input or one of its augmented views, at random.
    fn batch_input(&mut self, batch: &[usize]) -> Tensor<4> {
        let rows = batch
            .iter()
            .map(|&i| {
                let inputs = &self.data.train[i].1;
                match inputs.len() {
                    1 => inputs[0].clone(),
                    n => inputs[self.rng.random_range(0..n)].clone(),
                }
            })
            .collect();
        Tensor::cat(rows, 0)
    }

    /// Trains one epoch and reports it. Stop (the run's [`StopHandle`]) ends the epoch after its current
    /// batch — never before its first, so every reported epoch trained on something — and the
    /// run keeps the best weights so far.
    pub async fn epoch(&mut self) -> Result<EpochMetrics> {
        let over = || Error::State("this training run is over".into());
        if self.done {
            return Err(over());
        }
        let mut tail = self.tail.take().ok_or_else(over)?;
        self.epoch += 1;
        self.stage_epoch += 1;
        let config = self.setup.config.clone();
        let device = self.setup.train.first().ok_or_else(over)?.boundary.device();
        let ad_device = device.clone().autodiff();
        let loss_fn = CrossEntropyLossConfig::new()
            .with_smoothing((config.label_smoothing > 0.0).then_some(config.label_smoothing))
            .init(&ad_device);
        // One learning rate a stage: the head stage trains only the head, the block stage
        // trains blocks and head together, both at the lower rate.
        let lr = match self.stage {
            Stage::Head => config.learning_rate,
            Stage::Blocks => config.learning_rate * config.block_lr_factor,
        };
        let mut order: Vec<usize> = (0..self.data.train.len()).collect();
        order.shuffle(&mut self.rng);
        let mut loss_sum = Tensor::<1>::zeros([1], &device);
        let mut correct = Tensor::<1, Int>::zeros([1], &device);
        let mut seen = 0usize;
        let mut cancelled = false;
        for batch in order.chunks(config.batch_size) {
            if seen > 0 && self.setup.stop.take() {
                cancelled = true;
                break;
            }
            let input = self.batch_input(batch).autodiff();
            let labels: Vec<i64> = batch.iter().map(|&i| self.data.train[i].0 as i64).collect();
            let targets = Tensor::from_data(TensorData::new(labels, [batch.len()]), &ad_device);
            let logits = tail.forward(input);
            let loss = loss_fn.forward(logits.clone(), targets.clone());
            let grads = GradientsParams::from_grads(loss.backward(), &tail);
            tail = self.optimizer.step(lr, tail, grads);
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
        cancelled |= self.setup.stop.take();
        let train_loss = read_scalar(loss_sum).await? / seen.max(1) as f32;
        let train_accuracy = read_scalar(correct.float()).await? / seen.max(1) as f32;

        let current = tail.valid();
        self.tail = Some(tail);
        let (val_loss, val_accuracy) = validation_metrics(&current, &self.data.validation).await?;
        let improved = val_loss.is_none_or(|l| l < self.best_val_loss);
        if improved {
            self.best_val_loss = val_loss.unwrap_or(f32::INFINITY);
            self.epochs_since_best = 0;
            self.best = current;
            self.best_stage = self.stage;
        } else {
            self.epochs_since_best += 1;
        }
        let stopped_early =
            !improved && config.patience.is_some_and(|p| self.epochs_since_best >= p);
        let stage_limit = match self.stage {
            Stage::Head => config.epochs,
            Stage::Blocks => config.fine_tune_epochs,
        };
        let stage = self.stage;
        let stage_over = stopped_early || self.stage_epoch >= stage_limit;
        if stage_over && !cancelled && stage == Stage::Head && !self.set_aside.is_empty() {
            self.start_block_stage();
        } else {
            self.done = cancelled || stage_over;
        }
        Ok(EpochMetrics {
            epoch: self.epoch,
            stage,
            planned_epochs: if self.done {
                self.epoch
            } else {
                self.planned_epochs()
            },
            train_loss,
            train_accuracy,
            val_loss,
            val_accuracy,
            done: self.done,
            stopped_early: stopped_early && self.done,
            cancelled,
            discarded: self.done && self.setup.stop.is_discarded(),
            kept: self.best_stage,
        })
    }

    /// Moves from the head stage to the block stage: the best head goes back on the pretrained
    /// blocks, and the stage trains on the boundary activations with a fresh optimiser.
    fn start_block_stage(&mut self) {
        let blocks = std::mem::take(&mut self.set_aside);
        let full = Tail {
            blocks,
            head: self.best.head.clone(),
        };
        self.data = stage_data(&[], &self.setup.train, &self.setup.validation);
        self.best = full.clone();
        self.tail = Some(full.into_training());
        self.optimizer = optimizer(&self.setup.config);
        self.stage = Stage::Blocks;
        self.stage_epoch = 0;
        self.epochs_since_best = 0;
    }

    /// Ends the run: the best weights, with "none of these" prototypes from the training
    /// samples (up to [`REFERENCES_PER_CLASS`] distinct ones a class, a seeded choice, seen by
    /// `base`, the pretrained network the boundary activations came from) calibrated on them
    /// and the held-out ones, and the split.
    pub async fn finish(self, base: &MobileNetV1) -> Result<TrainedModel> {
        let Run {
            setup,
            mut best,
            set_aside,
            ..
        } = self;
        if !set_aside.is_empty() {
            // Ended during the head stage: the best head on the pretrained blocks.
            best.blocks = set_aside;
        }
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
        let first_block = BLOCK_COUNT - best.blocks.len();
        let features = novelty_features(base, boundary, first_block);
        let labels: Vec<usize> = candidates.iter().map(|s| s.label).collect();
        let chosen = distinct_references(features.clone(), &labels).await?;
        let chosen_labels: Vec<usize> = chosen.iter().map(|&i| labels[i]).collect();
        let chosen: Vec<i64> = chosen.into_iter().map(|i| i as i64).collect();
        let device = features.device();
        let chosen =
            Tensor::<1, Int>::from_data(TensorData::new(chosen.clone(), [chosen.len()]), &device);
        let held_out: Vec<&RunSample> = setup.validation.iter().collect();
        let held_out = stack(&held_out).map(|b| novelty_features(base, b, first_block));
        let (novelty, calibration) = calibrate(
            &base.classifier,
            features.select(0, chosen),
            &chosen_labels,
            setup.class_names.len(),
            held_out,
        )
        .await?;
        let ids = |samples: &[RunSample]| samples.iter().map(|s| s.id).collect();
        TrainedModel {
            net: TrainedNet {
                tail: best,
                novelty,
            },
            meta: TrainedModelMeta {
                format_version: FORMAT_VERSION,
                class_names: setup.class_names.clone(),
                fine_tune_blocks: c.blocks(),
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
        }
        .as_stored()
        .await
    }
}

/// A fresh Adam with the run's weight decay.
fn optimizer(config: &TrainConfig) -> ModuleOptimizer {
    let mut adam = AdamConfig::new();
    if config.weight_decay > 0.0 {
        adam = adam.with_weight_decay(Some(WeightDecayConfig::new(config.weight_decay)));
    }
    adam.init()
}
