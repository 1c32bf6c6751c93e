//! The training engine on real images (native, Flex): it learns, reproducibly, from the cache.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use burn::prelude::*;
use burnish::data::rgb_to_input;
use burnish::infer::{prefix_values, read_values};
use burnish::train::{
    Dataset, EpochMetrics, FineTuneBlocks, HeadKind, Project, Stage, TrainConfig, TrainedModel,
};
use burnish::weights::source_sha256;
use common::{fashion, golden_images, golden_rgb, imagenet_model, run_to_end, weights_bytes};

/// The head alone on the images as they are: what these Fashion-MNIST checks were designed for
/// (the defaults fine-tune the last block on augmented views, measured on photos instead).
fn head_only() -> TrainConfig {
    TrainConfig {
        fine_tune_blocks: FineTuneBlocks::Exactly(0),
        augment: false,
        ..TrainConfig::default()
    }
}

/// burn seeds its CPU RNG globally: tests that train run one at a time so seeds reproduce.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Mean training loss of the first and of the last three epochs.
fn loss_ends(history: &[EpochMetrics]) -> (f32, f32) {
    let mean = |h: &[EpochMetrics]| h.iter().map(|m| m.train_loss).sum::<f32>() / h.len() as f32;
    let k = 3.min(history.len());
    (mean(&history[..k]), mean(&history[history.len() - k..]))
}

/// T-shirt/top, Trouser, Sandal, Bag.
const FASHION_CLASSES: [u8; 4] = [0, 1, 5, 8];

fn base_sha() -> String {
    source_sha256(&weights_bytes()).expect("meta")
}

fn project_with(samples: &[(usize, Vec<u8>)], classes: usize, config: TrainConfig) -> Project {
    let device = Device::flex();
    let names = (0..classes).map(|c| format!("class {c}")).collect();
    let mut project = Project::new(
        imagenet_model(&device),
        device,
        base_sha(),
        Dataset::new(names),
    );
    for (label, rgb) in samples {
        project
            .add_sample(*label as u64, rgb.clone())
            .expect("valid sample");
    }
    project.set_config(config).expect("valid config");
    project
}

fn train_to_end(project: &mut Project) -> Vec<EpochMetrics> {
    run_to_end(project)
}

fn accuracy(project: &Project, test: &[(usize, Vec<u8>)]) -> f32 {
    let hits = test
        .iter()
        .filter(|(label, rgb)| {
            let result = pollster::block_on(project.classify(rgb, None)).expect("classify");
            result.best == *label
        })
        .count();
    hits as f32 / test.len() as f32
}

/// Nearest class mean on the frozen 1024-d embeddings: the baseline a trained head must beat.
fn nearest_class_mean_accuracy(
    train: &[(usize, Vec<u8>)],
    test: &[(usize, Vec<u8>)],
    classes: usize,
) -> f32 {
    let device = Device::flex();
    let model = imagenet_model(&device);
    let embed = |set: &[(usize, Vec<u8>)]| -> Vec<Vec<f32>> {
        let pixels: Vec<u8> = set.iter().flat_map(|(_, p)| p.iter().copied()).collect();
        let out = model.embed(rgb_to_input(&pixels, &device).expect("input"));
        pollster::block_on(burnish::infer::read_rows(out)).expect("rows")
    };
    let (train_e, test_e) = (embed(train), embed(test));
    let mut means = vec![vec![0f32; 1024]; classes];
    let mut counts = vec![0f32; classes];
    for ((label, _), e) in train.iter().zip(&train_e) {
        counts[*label] += 1.0;
        means[*label].iter_mut().zip(e).for_each(|(m, v)| *m += v);
    }
    for (m, n) in means.iter_mut().zip(&counts) {
        m.iter_mut().for_each(|v| *v /= n);
    }
    let hits = test
        .iter()
        .zip(&test_e)
        .filter(|((label, _), e)| {
            let dist = |m: &Vec<f32>| {
                m.iter()
                    .zip(e.iter())
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f32>()
            };
            let best = (0..classes).min_by(|&a, &b| dist(&means[a]).total_cmp(&dist(&means[b])));
            best == Some(*label)
        })
        .count();
    hits as f32 / test.len() as f32
}

#[test]
fn fashion_mnist_few_shot_beats_chance_and_nearest_class_mean() {
    let _serial = serial();
    let train = fashion::load("train", &FASHION_CLASSES, 20);
    let test = fashion::load("t10k", &FASHION_CLASSES, 50);
    let config = TrainConfig {
        epochs: 40,
        ..head_only()
    };
    let mut project = project_with(&train, 4, config);
    let history = train_to_end(&mut project);
    let (first, last) = loss_ends(&history);
    assert!(last < first, "loss falls: {first} → {last}");
    let ours = accuracy(&project, &test);
    let baseline = nearest_class_mean_accuracy(&train, &test, 4);
    let logistic = TrainConfig {
        head: HeadKind::Linear,
        epochs: 100,
        patience: None,
        validation_fraction: 0.0,
        ..head_only()
    };
    let mut logistic_regression = project_with(&train, 4, logistic);
    train_to_end(&mut logistic_regression);
    let lr = accuracy(&logistic_regression, &test);
    println!(
        "fashion-mnist 4×20: held-out accuracy {ours:.3}, nearest class mean {baseline:.3}, logistic regression {lr:.3}"
    );
    assert!(ours > 0.6, "well above chance (0.25): {ours}");
    assert!(
        ours >= baseline,
        "trained head {ours} vs nearest class mean {baseline}"
    );
    // Head only: the frozen prefix ran once per sample, however many epochs.
    assert_eq!(project.cache().prefix_runs(), train.len());
}

fn photo_samples() -> Vec<(usize, Vec<u8>)> {
    // Animals vs things, from the golden fixtures (scikit-image and Debian darknet photos).
    golden_images()
        .iter()
        .map(|g| {
            let animal = ["chelsea", "dog", "eagle"].contains(&g.name.as_str());
            (usize::from(!animal), golden_rgb(g))
        })
        .collect()
}

#[test]
fn fine_tuning_the_last_block_learns_real_photos_with_augmentation() {
    let _serial = serial();
    let photos = photo_samples();
    let config = TrainConfig {
        fine_tune_blocks: FineTuneBlocks::Exactly(1),
        epochs: 12,
        fine_tune_epochs: 4,
        batch_size: 4,
        augment: true,
        augment_views: 3,
        validation_fraction: 0.0,
        ..head_only()
    };
    let mut project = project_with(&photos, 2, config);
    let history = train_to_end(&mut project);
    let (first, last) = loss_ends(&history);
    assert!(last < first, "loss falls: {first} → {last}");
    assert_eq!(accuracy(&project, &photos), 1.0);
    let stages: Vec<Stage> = history.iter().map(|m| m.stage).collect();
    assert_eq!(stages.first(), Some(&Stage::Head));
    assert_eq!(
        stages.last(),
        Some(&Stage::Blocks),
        "the blocks train after the head"
    );
    assert_eq!(
        history.last().map(|m| m.planned_epochs),
        history.last().map(|m| m.epoch)
    );
    // The view bank: each photo and each of its views went through the prefix once, however
    // many epochs; training again embeds nothing; a new photo adds itself and its views.
    let bank = photos.len() * (1 + 3);
    assert_eq!(project.cache().prefix_runs(), bank);
    train_to_end(&mut project);
    assert_eq!(project.cache().prefix_runs(), bank);
    project.add_sample(0, photos[0].1.clone()).expect("add");
    assert_eq!(project.pending_embeddings(), 1 + 3);
}

#[test]
fn same_seed_same_run_and_export_import_is_exact() {
    let _serial = serial();
    let train = fashion::load("train", &FASHION_CLASSES[..2], 8);
    let config = TrainConfig {
        fine_tune_blocks: FineTuneBlocks::Exactly(1),
        epochs: 3,
        fine_tune_epochs: 2,
        batch_size: 4,
        seed: 7,
        ..head_only()
    };
    let mut a = project_with(&train, 2, config.clone());
    let mut b = project_with(&train, 2, config);
    assert_eq!(train_to_end(&mut a), train_to_end(&mut b));

    let model = a.trained().expect("trained").clone();
    let bytes = pollster::block_on(model.to_safetensors()).expect("export");
    // The fine-tuned block's large kernel is stored as int16 with scales (half the bytes), and
    // the model in memory already holds what the file reads back: the answers below are equal.
    let file = safetensors::SafeTensors::deserialize(&bytes).expect("safetensors");
    let kernel = "tail.blocks.0.pointwise.conv.weight";
    let stored = |name: &str| file.tensor(name).map(|t| t.dtype());
    assert_eq!(
        model.net.tail.blocks.len(),
        1,
        "the fine-tuned block is kept"
    );
    assert_eq!(stored(kernel).ok(), Some(safetensors::Dtype::I16));
    assert!(stored(&format!("{kernel}:scale")).is_ok());
    let device = Device::flex();
    let imported =
        TrainedModel::from_safetensors(&bytes, a.base(), &base_sha(), &device).expect("import");
    assert_eq!(
        imported.meta, model.meta,
        "split and calibration travel with the model"
    );
    let input = rgb_to_input(&train[0].1, &device).expect("input");
    let classify = |m: &TrainedModel| {
        pollster::block_on(m.classify(a.frozen(), input.clone(), None)).expect("classify")
    };
    assert_eq!(classify(&model), classify(&imported));
    // The imported model keeps training.
    b.install(imported);
    b.start_training().expect("start");
    let more = pollster::block_on(b.train_epoch()).expect("further training");
    assert_eq!(more.epoch, 1);
    // And refuses a model made on other base weights.
    assert!(TrainedModel::from_safetensors(&bytes, a.base(), "0000", &device).is_err());
}

#[test]
fn untrainable_projects_are_refused_clearly() {
    let _serial = serial();
    let one = fashion::load("train", &FASHION_CLASSES[..1], 3);
    let mut single_class = project_with(&one, 1, head_only());
    let err = single_class.start_training().expect_err("one class");
    assert!(err.to_string().contains("at least 2 classes"), "{err}");

    let mut empty_class = project_with(&one, 2, head_only());
    let err = empty_class.start_training().expect_err("empty class");
    assert!(
        err.to_string().contains("\"class 1\" has no samples"),
        "{err}"
    );

    let mut single_sample = project_with(&one[..1], 2, head_only());
    assert!(single_sample.start_training().is_err());

    let mut project = project_with(&one, 2, head_only());
    assert!(project.add_sample(5, one[0].1.clone()).is_err());
    assert!(matches!(
        project.remove_sample(999),
        Err(burnish::Error::MissingSample(999))
    ));
    assert!(project.add_sample(0, vec![0; 10]).is_err());
    let bad = TrainConfig {
        fine_tune_blocks: FineTuneBlocks::Exactly(4),
        ..head_only()
    };
    assert!(project.set_config(bad).is_err());
    assert!(
        matches!(
            pollster::block_on(project.classify(&one[0].1, None)),
            Err(burnish::Error::State(_))
        ),
        "no model yet is a state error"
    );
}

#[test]
fn only_new_samples_are_embedded_and_changing_k_invalidates() {
    let _serial = serial();
    let train = fashion::load("train", &FASHION_CLASSES[..2], 3);
    let mut project = project_with(&train, 2, head_only());
    assert_eq!(project.embed_pending(usize::MAX).expect("embed"), 0);
    assert_eq!(project.cache().prefix_runs(), 6);
    project.add_sample(1, train[0].1.clone()).expect("add");
    assert_eq!(project.pending_embeddings(), 1);
    project.embed_pending(usize::MAX).expect("embed");
    assert_eq!(project.cache().prefix_runs(), 7);
    let k1 = TrainConfig {
        fine_tune_blocks: FineTuneBlocks::Exactly(1),
        ..head_only()
    };
    project.set_config(k1).expect("config");
    assert_eq!(project.pending_embeddings(), 7);
}

#[test]
fn prefix_work_run_by_another_copy_of_the_base_caches_what_the_project_would() {
    // Serial too: a run seeds the device's one random generator, which a project here would share.
    let _serial = serial();
    let photos = photo_samples();
    let config = TrainConfig {
        fine_tune_blocks: FineTuneBlocks::Exactly(1),
        augment: true,
        augment_views: 2,
        validation_fraction: 0.0,
        ..head_only()
    };
    let mut itself = project_with(&photos, 2, config.clone());
    itself.embed_pending(usize::MAX).expect("embeds");
    // Another worker's copy of the same weights runs the work, three images at a time.
    let mut pooled = project_with(&photos, 2, config);
    let device = Device::flex();
    let worker = imagenet_model(&device).folded();
    let total = pooled.pending_embeddings();
    assert_eq!(total, photos.len() * 3);
    let mut pending = total;
    while pending > 0 {
        let work = pooled.pending_prefix_work(3).expect("work");
        let run = prefix_values(&worker, &work.pixels, 3, &device, work.first_block);
        let values = pollster::block_on(run).expect("values");
        let wrong = pooled.insert_prefix_work(&work.slots, work.first_block, values[1..].to_vec());
        assert!(wrong.is_err(), "a wrong size is refused");
        pending = (pooled.insert_prefix_work(&work.slots, work.first_block, values.clone()))
            .expect("inserted");
        if pending > 0 {
            let stale = pooled.insert_prefix_work(&work.slots, work.first_block, values);
            assert!(stale.is_err(), "the same work twice is stale");
        }
    }
    assert_eq!(pooled.cache().prefix_runs(), total);
    let rows = |p: &Project, id| {
        let mut all = vec![p.cache().get(id).expect("plain")];
        all.extend(p.cache().views(id, 2));
        pollster::block_on(read_values(Tensor::cat(all, 0))).expect("values")
    };
    for id in itself.dataset().samples().iter().map(|s| s.id) {
        let (a, b) = (rows(&itself, id), rows(&pooled, id));
        let diff = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max);
        assert!(diff < 1e-5, "sample {id}: max difference {diff}");
    }
}
