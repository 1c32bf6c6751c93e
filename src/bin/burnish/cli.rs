//! Command-line parsing and dispatch.

use crate::{convert, predict};
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
    /// Print the top-5 ImageNet classes of images, one JSON line per image.
    Predict {
        /// Converted weights.
        #[arg(long, default_value = DEFAULT_WEIGHTS)]
        weights: PathBuf,
        /// Image files (JPEG, PNG, GIF, BMP, WebP).
        #[arg(required = true)]
        images: Vec<PathBuf>,
    },
}

/// Parses the command line and runs the subcommand.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Convert { graph, out_dir } => convert::run(&graph, &out_dir),
        Command::Predict { weights, images } => predict::run(&weights, &images),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
