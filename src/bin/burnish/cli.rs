//! Command-line parsing and dispatch.

use crate::train::TrainArgs;
use crate::{convert, predict, train};
use burnish::train::TrainConfig;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Where `npm run setup` writes the converted ImageNet weights.
const DEFAULT_WEIGHTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/www/models/mobilenet_v1_1.0_224.safetensors"
);

#[derive(Parser)]
#[command(
    version,
    about = "Teach a pretrained MobileNet new classes (native CLI)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Convert a frozen TF-slim MobileNetV1 graph (.pb) to safetensors + class names.
    Convert {
        /// `retrained_graph.pb` (PyPI nudity==0.2.3) or `mobilenet_v1_1.0_224_frozen.pb`.
        graph: PathBuf,
        /// Output folder (gets `mobilenet_v1_1.0_224.safetensors` and `imagenet_classes.json`).
        out_dir: PathBuf,
    },
    /// Print the top-5 classes of images (ImageNet, or a trained model's), one JSON line each.
    Predict {
        /// Converted ImageNet weights (the frozen base).
        #[arg(long, default_value = DEFAULT_WEIGHTS)]
        weights: PathBuf,
        /// A model written by `burnish train` (default: the ImageNet classifier).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Image files (JPEG, PNG, GIF, BMP, WebP).
        #[arg(required = true)]
        images: Vec<PathBuf>,
    },
    /// Fine-tune on DATA_DIR (one sub-folder per class); one JSON line per epoch, then a summary.
    Train {
        /// Training images, one sub-folder per class.
        data_dir: PathBuf,
        /// Held-out images in the same layout, for `eval_accuracy`.
        #[arg(long = "eval")]
        eval_dir: Option<PathBuf>,
        /// Converted ImageNet weights (the frozen base).
        #[arg(long, default_value = DEFAULT_WEIGHTS)]
        weights: PathBuf,
        /// Last depthwise-separable blocks to fine-tune with the head (0..=3).
        #[arg(long, default_value_t = 0)]
        fine_tune_blocks: usize,
        /// Maximum epochs.
        #[arg(long, default_value_t = 50)]
        epochs: usize,
        /// Batch size.
        #[arg(long, default_value_t = 16)]
        batch: usize,
        /// Adam learning rate.
        #[arg(long, default_value_t = 1e-3)]
        lr: f64,
        /// Seed for init, split, shuffles and augmentation.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Train on random augmented views (slower: the frozen part re-runs every epoch).
        #[arg(long)]
        augment: bool,
        /// Early stopping: epochs without a better validation loss (0 = never stop early).
        #[arg(long, default_value_t = 10)]
        patience: usize,
        /// Fraction of each class held out for validation.
        #[arg(long, default_value_t = 0.15)]
        validation_fraction: f64,
        /// Cross-entropy label smoothing.
        #[arg(long, default_value_t = 0.0)]
        label_smoothing: f32,
        /// L2 weight decay.
        #[arg(long, default_value_t = 0.0)]
        weight_decay: f32,
        /// Use a single linear layer as head instead of Dense(100) → Dropout → Dense(N).
        #[arg(long)]
        linear_head: bool,
        /// Where to write the trained model.
        #[arg(long, default_value = "model.safetensors")]
        out: PathBuf,
    },
}

/// Parses the command line and runs the subcommand.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Convert { graph, out_dir } => convert::run(&graph, &out_dir),
        Command::Predict {
            weights,
            model,
            images,
        } => predict::run(&weights, model.as_deref(), &images),
        Command::Train {
            data_dir,
            eval_dir,
            weights,
            fine_tune_blocks,
            epochs,
            batch,
            lr,
            seed,
            augment,
            patience,
            validation_fraction,
            label_smoothing,
            weight_decay,
            linear_head,
            out,
        } => train::run(TrainArgs {
            data_dir,
            eval_dir,
            weights,
            config: TrainConfig {
                fine_tune_blocks,
                epochs,
                batch_size: batch,
                learning_rate: lr,
                seed,
                augment,
                patience: (patience > 0).then_some(patience),
                validation_fraction,
                label_smoothing,
                weight_decay,
                head: if linear_head {
                    burnish::train::HeadKind::Linear
                } else {
                    burnish::train::HeadKind::Mlp
                },
                ..TrainConfig::default()
            },
            out,
        }),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
