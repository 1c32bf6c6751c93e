//! The project's mechanics on a randomly initialised MobileNetV1 (no weights download, seconds):
//! stop, resume, the split that travels with a model, evaluation after samples were added, and
//! edits made while a run is going.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::disallowed_methods)] // native tests: synchronous readback is fine

use burn::prelude::*;
use burnish::data::{RGB_IMAGE_BYTES, rgb_to_input};
use burnish::model::BLOCK_COUNT;
use burnish::train::{
    AUTO_FINE_TUNE_BLOCKS, Dataset, FineTuneBlocks, Project, Stage, TrainConfig, TrainedModel,
    imagenet_view,
};
use burnish::{Error, MobileNetV1Config};
use common::run_to_end;

mod common;

/// A random network: every project made with the same seed gets the same weights.
fn random_project(classes: usize) -> Project {
    let device = Device::flex();
    device.seed(11);
    let base = MobileNetV1Config::new().init(&device);
    let names = (0..classes).map(|c| format!("class {c}")).collect();
    let mut project = Project::new(base, device, "random", Dataset::new(names));
    project
        .set_config(TrainConfig {
            epochs: 3,
            batch_size: 4,
            validation_fraction: 0.25,
            patience: None,
            seed: 5,
            ..TrainConfig::default()
        })
        .expect("config");
    project
}

/// A 224² RGB image: class `label`'s colour with a per-image pattern.
fn image(label: usize, i: usize) -> Vec<u8> {
    (0..RGB_IMAGE_BYTES)
        .map(|p| {
            let channel = p % 3;
            let base = if channel == label % 3 { 200 } else { 40 };
            (base + (p / 3 * (i + 1) * 7) % 40) as u8
        })
        .collect()
}

fn add(project: &mut Project, label: usize, count: usize) -> Vec<u64> {
    (0..count)
        .map(|i| {
            project
                .add_sample(label as u64, image(label, i))
                .expect("sample")
        })
        .collect()
}

/// A random project of 2 × 8 samples, trained to its end.
fn trained_project() -> Project {
    let mut project = random_project(2);
    add(&mut project, 0, 8);
    add(&mut project, 1, 8);
    run_to_end(&mut project);
    project
}

#[test]
fn evaluation_uses_exactly_the_samples_the_run_held_out() {
    let mut project = trained_project();
    let held_out = project
        .trained()
        .expect("model")
        .meta
        .split
        .validation
        .clone();
    assert_eq!(held_out.len(), 4, "25% of each class");
    let before = pollster::block_on(project.evaluate()).expect("evaluate");
    assert_eq!(before.samples, held_out.len());
    assert_eq!(before.new_since_training, 0);

    // Samples added after training are never mixed into the held-out set.
    add(&mut project, 0, 12);
    let after = pollster::block_on(project.evaluate()).expect("evaluate");
    assert_eq!(after.samples, held_out.len(), "the same held-out samples");
    assert_eq!(after.confusion, before.confusion);
    assert_eq!(after.new_since_training, 12);

    // A held-out sample deleted since is simply no longer evaluated.
    project.remove_sample(held_out[0]).expect("remove");
    let fewer = pollster::block_on(project.evaluate()).expect("evaluate");
    assert_eq!(fewer.samples, held_out.len() - 1);
}

#[test]
fn automatic_fine_tuning_keeps_whichever_stage_validates_best() {
    let mut project = random_project(2);
    assert_eq!(
        project.config().fine_tune_blocks,
        FineTuneBlocks::Auto,
        "the default"
    );
    add(&mut project, 0, 8);
    add(&mut project, 1, 8);
    let history = run_to_end(&mut project);
    let stages: Vec<Stage> = history.iter().map(|m| m.stage).collect();
    assert_eq!(
        &stages[..3],
        [Stage::Head; 3],
        "the head alone first (3 epochs)"
    );
    assert_eq!(
        stages.last(),
        Some(&Stage::Blocks),
        "then the last block with it"
    );
    // The kept weights are those of the epoch with the lowest validation loss (the first
    // reaching it), whichever stage trained them.
    let best = history
        .iter()
        .reduce(|a, b| if b.val_loss < a.val_loss { b } else { a })
        .expect("epochs");
    let last = history.last().expect("last");
    assert_eq!(last.kept, best.stage, "{history:?}");
    let model = project.trained().expect("model");
    assert_eq!(model.meta.fine_tune_blocks, AUTO_FINE_TUNE_BLOCKS);
}

#[test]
fn none_of_these_reads_imagenets_view_of_pretrained_features_even_after_fine_tuning() {
    let mut project = random_project(2);
    // Nothing held out: every epoch counts as the best, so the fine-tuned block is kept.
    let config = TrainConfig {
        fine_tune_blocks: FineTuneBlocks::Exactly(1),
        fine_tune_epochs: 2,
        validation_fraction: 0.0,
        ..project.config().clone()
    };
    project.set_config(config).expect("config");
    add(&mut project, 0, 4);
    add(&mut project, 1, 4);
    let history = run_to_end(&mut project);
    assert_eq!(history.last().map(|m| m.kept), Some(Stage::Blocks));
    let model = project.trained().expect("model");
    let tuned = &model.net.tail.blocks[0].pointwise.conv.weight.val();
    let pretrained = &project.base().blocks[BLOCK_COUNT - 1]
        .pointwise
        .conv
        .weight
        .val();
    assert!(
        (tuned.clone() - pretrained.clone())
            .abs()
            .max()
            .into_scalar::<f32>()
            > 0.0,
        "the block was fine-tuned"
    );
    // Each class's prototypes are ImageNet's view and the appearance of its training images'
    // *pretrained* embeddings
    // (the random network sees a class's synthetic images as near-copies: one image a class is
    // taken, so its prototype is that image's view).
    assert_eq!(model.meta.novelty.references, 2);
    let images: Vec<u8> = (0..2)
        .flat_map(|l| (0..4).flat_map(move |i| image(l, i)))
        .collect();
    let input = rgb_to_input(&images, project.device()).expect("input");
    let frozen = project.frozen();
    let embeddings = frozen.embed(input);
    let lengths = embeddings.clone().powf_scalar(2.0).sum_dim(1).sqrt();
    let looks = embeddings.clone() / lengths;
    let views = imagenet_view(&frozen.classifier, embeddings);
    let novelty = &model.net.novelty;
    for (what, rows, prototypes) in [
        ("view", views, novelty.prototypes.val()),
        ("appearance", looks, novelty.appearance.val()),
    ] {
        for class in 0..2 {
            let own = rows.clone().narrow(0, class * 4, 4);
            let prototype = prototypes.clone().narrow(0, class, 1);
            let nearest = own.matmul(prototype.transpose()).max().into_scalar::<f32>();
            assert!(
                nearest > 0.9999,
                "class {class}'s {what} prototype is not of pretrained embeddings: {nearest}"
            );
        }
    }
}

#[test]
fn stop_before_the_first_batch_still_reports_a_trained_epoch() {
    let mut project = random_project(2);
    add(&mut project, 0, 6);
    add(&mut project, 1, 6);
    project.start_training().expect("start");
    project.stop();
    let m = pollster::block_on(project.train_epoch()).expect("epoch");
    assert!(m.cancelled && m.done, "{m:?}");
    assert_eq!(m.epoch, 1);
    assert!(m.train_loss > 0.0, "the epoch trained on a batch: {m:?}");
    assert!(!project.is_training(), "the run is over");
    assert!(project.trained().is_some(), "the best weights are kept");
}

#[test]
fn a_run_trains_on_its_snapshot_whatever_changes_meanwhile() {
    let mut project = random_project(2);
    let first = add(&mut project, 0, 6);
    add(&mut project, 1, 6);
    project.start_training().expect("start");
    pollster::block_on(project.train_epoch()).expect("epoch 1");
    // Removing and relabelling samples mid-run changes nothing the run uses.
    for id in &first[..3] {
        project.remove_sample(*id).expect("remove");
    }
    project.relabel_sample(first[3], 1).expect("relabel");
    let added = add(&mut project, 1, 2);
    assert!(project.is_training(), "sample edits leave the run going");
    let history = run_to_end(&mut project);
    assert_eq!(history[0].epoch, 2, "the same run goes on");
    assert!(history.iter().all(|m| m.train_loss > 0.0));
    let split = &project.trained().expect("model").meta.split;
    assert!(
        first[..3].iter().all(|id| split.contains(*id)),
        "the run's samples"
    );
    assert!(added.iter().all(|id| !split.contains(*id)));
    let evaluation = pollster::block_on(project.evaluate()).expect("evaluate");
    assert_eq!(evaluation.new_since_training, 2);
}

#[test]
fn edits_that_change_what_a_run_trains_end_it() {
    let mut project = random_project(2);
    add(&mut project, 0, 6);
    add(&mut project, 1, 6);
    let epoch = |project: &mut Project| pollster::block_on(project.train_epoch()).expect("epoch");
    project.start_training().expect("start");
    assert_eq!(epoch(&mut project).epoch, 1);
    assert_eq!(epoch(&mut project).epoch, 2, "the run goes on");
    project
        .set_config(project.config().clone())
        .expect("same settings");
    assert_eq!(epoch(&mut project).epoch, 3, "unchanged settings keep it");
    let other = TrainConfig {
        seed: 7,
        ..project.config().clone()
    };
    project.set_config(other).expect("settings");
    assert!(!project.is_training(), "other settings end it");
    let ended = pollster::block_on(project.train_epoch()).expect_err("no run");
    assert!(
        matches!(&ended, Error::State(m) if m.contains("start training again")),
        "an epoch after an edit says the run ended, it does not restart at epoch 1: {ended}"
    );
    project.start_training().expect("start");
    assert!(
        project.start_training().is_err(),
        "one run at a time: a second start is refused"
    );
    assert_eq!(epoch(&mut project).epoch, 1, "a new run starts when asked");
    let class = project.add_class("third");
    assert!(!project.is_training(), "a new class ends it");
    project.remove_class(class).expect("remove");
    project.start_training().expect("start");
    assert_eq!(epoch(&mut project).epoch, 1);
    project.remove_class(1).expect("remove");
    assert!(!project.is_training(), "a removed class ends it");
}

#[test]
fn a_stop_is_for_the_run_in_progress_or_for_none() {
    let mut project = trained_project();
    // A Stop while idle (after the last epoch, as a page's late click sends it) …
    project.stop();
    let first = project.start_training().expect("start");
    // … and one through the handle of a run that is over: neither reaches the next run.
    let m = pollster::block_on(project.train_epoch()).expect("epoch");
    assert!(!m.cancelled && !m.done, "{m:?}");
    run_to_end(&mut project);
    first.stop();
    project.stop();
    project.start_training().expect("start");
    let m = pollster::block_on(project.train_epoch()).expect("epoch");
    assert!(
        !m.cancelled && !m.done,
        "a finished run's Stop leaked: {m:?}"
    );
    // A Stop for the run in progress ends it after its current batch.
    project.stop();
    let m = pollster::block_on(project.train_epoch()).expect("epoch");
    assert!(m.cancelled && m.done, "{m:?}");
    assert_eq!(m.epoch, 2);
}

#[test]
fn a_discarded_run_leaves_the_model_from_before_it() {
    let mut project = trained_project();
    let before = project.trained().expect("model").meta.clone();
    // Between epochs: the run is dropped.
    project.start_training().expect("start");
    pollster::block_on(project.train_epoch()).expect("epoch");
    project.discard_training();
    assert!(!project.is_training());
    assert_eq!(project.trained().expect("model").meta, before);
    // During an epoch (through the handle, as from another task): it ends, makes no model.
    let handle = project.start_training().expect("start");
    handle.discard();
    let m = pollster::block_on(project.train_epoch()).expect("epoch");
    assert!(m.done && m.cancelled && m.discarded, "{m:?}");
    assert!(!project.is_training());
    assert_eq!(
        project.trained().expect("model").meta,
        before,
        "the earlier model stays"
    );
}

#[test]
fn deleted_sample_ids_are_never_given_again_after_a_reload() {
    let mut project = trained_project();
    let newest = project.dataset().samples().last().expect("samples").id;
    let split = project.trained().expect("model").meta.split.clone();
    assert!(split.contains(newest));
    let held_out = split.validation.len();
    project.remove_sample(newest).expect("remove");
    let saved = project.next_ids();
    let model = project.trained().expect("model").clone();

    // Reloaded from what was saved (as the page's store and a bundle both do) …
    let reload = |next_ids: Option<burnish::train::NextIds>| {
        let mut again = random_project(2);
        for s in project.dataset().samples() {
            again
                .insert_sample(s.id, s.label as u64, s.rgb.to_vec())
                .expect("insert");
        }
        if let Some(next) = next_ids {
            again.reserve_ids(next);
        }
        again.install(model.clone());
        again
    };
    // … with its next ids, or (an older save) with only the model's split to go by.
    for next_ids in [Some(saved), None] {
        let mut again = reload(next_ids);
        let added = again.add_sample(0, image(0, 99)).expect("add");
        assert!(added > newest, "id {added} reused ({next_ids:?})");
        let evaluation = pollster::block_on(again.evaluate()).expect("evaluate");
        assert_eq!(evaluation.new_since_training, 1, "the new sample is new");
        let evaluated: usize = evaluation.confusion.iter().flatten().sum();
        assert!(
            evaluated <= held_out,
            "{evaluated} evaluated of {held_out} held out: a new sample passed for a held-out one"
        );
    }
    // A bundle carries the next ids.
    let bundle = pollster::block_on(burnish::bundle::Bundle::of_project(&project, None, None))
        .expect("bundle");
    let read = burnish::bundle::Bundle::from_zip(&bundle.to_zip().expect("zip")).expect("read");
    assert_eq!(read.next_ids, saved);
}

#[test]
fn the_split_travels_with_the_model_and_resumed_training_continues() {
    let mut project = trained_project();
    let model = project.trained().expect("model").clone();
    let bytes = pollster::block_on(model.to_safetensors()).expect("export");
    let evaluation = pollster::block_on(project.evaluate()).expect("evaluate");

    // Another project with the same samples under the same ids (restored in another order).
    let mut restored = random_project(2);
    let samples: Vec<_> = project.dataset().samples().iter().rev().cloned().collect();
    for s in samples {
        restored
            .insert_sample(s.id, s.label as u64, s.rgb.to_vec())
            .expect("insert");
    }
    let imported =
        TrainedModel::from_safetensors(&bytes, restored.base(), "random", restored.device())
            .expect("import");
    assert_eq!(imported.meta.split, model.meta.split);
    assert!(imported.meta.novelty.samples > 0, "calibrated");
    // A model saved by an earlier version (format 3: no appearance prototypes) says so.
    let header = bytes
        .windows(18)
        .position(|w| w == br#"format_version\":4"#.as_slice());
    let mut older = bytes.clone();
    older[header.expect("format version in the metadata") + 17] = b'3';
    let refused =
        TrainedModel::from_safetensors(&older, restored.base(), "random", restored.device())
            .expect_err("format 3");
    assert!(
        refused
            .to_string()
            .contains("made by another version of burnish (model format 3; this one reads 4)"),
        "{refused}"
    );
    restored.install(imported);
    let again = pollster::block_on(restored.evaluate()).expect("evaluate");
    assert_eq!(again.samples, evaluation.samples);
    assert_eq!(again.confusion, evaluation.confusion);

    // Training continues from the installed weights: the first epoch starts where it ended.
    restored.start_training().expect("start");
    let resumed = pollster::block_on(restored.train_epoch()).expect("epoch");
    let mut fresh_project = random_project(2);
    for s in project.dataset().samples() {
        fresh_project
            .insert_sample(s.id, s.label as u64, s.rgb.to_vec())
            .expect("insert");
    }
    fresh_project.start_training().expect("start");
    let from_scratch = pollster::block_on(fresh_project.train_epoch()).expect("epoch");
    assert_ne!(resumed.train_loss, from_scratch.train_loss);
}

#[test]
fn errors_say_what_kind_they_are() {
    let mut project = random_project(2);
    assert!(
        matches!(project.start_training(), Err(Error::State(_))),
        "no samples"
    );
    assert!(
        matches!(
            pollster::block_on(project.train_epoch()),
            Err(Error::State(_))
        ),
        "no run"
    );
    assert!(matches!(
        pollster::block_on(project.evaluate()),
        Err(Error::State(_))
    ));
    assert!(matches!(
        project.remove_sample(3),
        Err(Error::MissingSample(3))
    ));
    assert!(matches!(
        project.relabel_sample(3, 0),
        Err(Error::MissingSample(3))
    ));
    assert!(matches!(
        project.add_sample(0, vec![0; 7]),
        Err(Error::PixelSize { .. })
    ));
    assert!(matches!(
        project.add_sample(9, image(0, 0)),
        Err(Error::InvalidArgument(_))
    ));
}
