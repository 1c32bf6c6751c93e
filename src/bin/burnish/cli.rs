//! Command-line parsing and dispatch.

use crate::behave::{BehaviourFlags, TextStyle};
use crate::export_app::ExportAppArgs;
use crate::setting_flags::{SettingFlags, StrictnessFlag};
use crate::train::{Source, TrainArgs};
use crate::{behave, check, convert, export, export_app, export_model, predict, train};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Where `npm run build` writes the web app's page and runtime.
const DEFAULT_APP_RUNTIME: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/www/pkg/app-runtime.zip");

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

// Parsed once per run: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
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
        /// Also print the base network's pooled 1024-d features of each image.
        #[arg(long)]
        features: bool,
        /// Write the image (224², as the model saw it) with a map of where the model found its
        /// answer's evidence overlaid (Grad-CAM; one image, with --model).
        #[arg(long, value_name = "OUT.png", requires = "model")]
        explain: Option<PathBuf>,
        /// The class whose evidence --explain maps (default: the predicted one).
        #[arg(long, value_name = "NAME", requires = "explain")]
        explain_class: Option<String>,
        #[command(flatten)]
        strictness: StrictnessFlag,
    },
    /// Fine-tune on DATA_DIR (one sub-folder per class) or on a project bundle; one JSON line
    /// per epoch, then a summary. Settings: the bundle's (if any), else the defaults shown,
    /// each overridden by its flag when given (every setting of the app has one).
    Train {
        /// Training images, one sub-folder per class.
        #[arg(required_unless_present = "project", conflicts_with = "project")]
        data_dir: Option<PathBuf>,
        /// A project bundle (.zip from the app's "Export project" or `burnish export`).
        #[arg(long)]
        project: Option<PathBuf>,
        /// Write the project with the trained model as a bundle here (import it in the app).
        #[arg(long)]
        out_project: Option<PathBuf>,
        /// Held-out images in the same layout, for `eval_accuracy` and `eval_kept`.
        #[arg(long = "eval")]
        eval_dir: Option<PathBuf>,
        /// Photos of other kinds (any layout), for `unknown_flagged` and `auroc` ("none of these").
        #[arg(long = "unknown", requires = "eval_dir")]
        unknown_dir: Option<PathBuf>,
        /// Converted ImageNet weights (the frozen base).
        #[arg(long, default_value = DEFAULT_WEIGHTS)]
        weights: PathBuf,
        #[command(flatten)]
        settings: SettingFlags,
        #[command(flatten)]
        strictness: StrictnessFlag,
        /// Where to write the trained model.
        #[arg(long, default_value = "model.safetensors")]
        out: PathBuf,
    },
    /// Check DATA_DIR (one sub-folder per class): photos that look more like another class
    /// than their own, near-copies, classes that overlap (one JSON line).
    Check {
        /// Images, one sub-folder per class.
        data_dir: PathBuf,
        /// Converted ImageNet weights (the frozen base).
        #[arg(long, default_value = DEFAULT_WEIGHTS)]
        weights: PathBuf,
    },
    /// Write DATA_DIR (one sub-folder per class) as a project bundle the app can import.
    Export {
        /// Images, one sub-folder per class (centre-cropped and resized to 224²).
        data_dir: PathBuf,
        /// A model from `burnish train` to include.
        #[arg(long)]
        model: Option<PathBuf>,
        /// The bundle to write.
        #[arg(long, default_value = "project.zip")]
        out: PathBuf,
        /// Settings the bundle carries (the app trains with them); none given: the app's own.
        #[command(flatten)]
        settings: SettingFlags,
        #[command(flatten)]
        strictness: StrictnessFlag,
    },
    /// Write a trained model in a format other tools load: `onnx` (one file, the whole
    /// classifier) or `tfjs` (Teachable Machine's files); see docs/using-a-model.md.
    ExportModel {
        /// A model from `burnish train` or the app's *Download model*.
        model: PathBuf,
        /// The format to write.
        #[arg(long, value_enum)]
        format: export_model::Format,
        /// Where to write it: a file for `onnx`, a folder for `tfjs`.
        #[arg(long)]
        out: PathBuf,
        /// Converted ImageNet weights (the base the model was trained on).
        #[arg(long, default_value = DEFAULT_WEIGHTS)]
        weights: PathBuf,
        #[command(flatten)]
        strictness: StrictnessFlag,
    },
    /// Print what a project's app does for each class, or set it for one class (`--class NAME`,
    /// or `--class none` for "none of these"): a text, a picture, a sound or nothing.
    Behave {
        /// The project bundle (rewritten in place when a behaviour is set).
        #[arg(long)]
        project: PathBuf,
        /// The class to set (its name), or `none` for "none of these".
        #[arg(long)]
        class: Option<String>,
        #[command(flatten)]
        behaviour: BehaviourFlags,
        #[command(flatten)]
        style: TextStyle,
    },
    /// Write a trained project as a standalone web app: a zip to unpack on any static host
    /// (camera or photos in, each class's behaviour out, offline after the first visit).
    ExportApp {
        /// The project bundle, with a trained model.
        #[arg(long)]
        project: PathBuf,
        /// The zip to write.
        #[arg(long, default_value = "app.zip")]
        out: PathBuf,
        /// The app's title (default: its class names).
        #[arg(long)]
        title: Option<String>,
        /// Converted ImageNet weights (the base the model was trained on).
        #[arg(long, default_value = DEFAULT_WEIGHTS)]
        weights: PathBuf,
        /// The app's page and runtime (made by `npm run build`).
        #[arg(long, default_value = DEFAULT_APP_RUNTIME)]
        runtime: PathBuf,
        #[command(flatten)]
        strictness: StrictnessFlag,
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
            features,
            explain,
            explain_class,
            strictness,
        } => predict::run(
            &weights,
            model.as_deref(),
            &images,
            features,
            explain.map(|out| predict::Explain {
                out,
                class: explain_class,
            }),
            strictness.or(None),
        ),
        Command::Check { data_dir, weights } => check::run(&data_dir, &weights),
        Command::Train {
            data_dir,
            project,
            out_project,
            eval_dir,
            unknown_dir,
            weights,
            settings,
            strictness,
            out,
        } => train::run(TrainArgs {
            source: match (data_dir, project) {
                (_, Some(bundle)) => Source::Bundle(bundle),
                (Some(dir), None) => Source::Folder(dir),
                (None, None) => unreachable!("clap requires DATA_DIR or --project"),
            },
            eval_dir,
            unknown_dir,
            weights,
            settings: Box::new(move |base| settings.apply(base)),
            strictness: strictness.strictness,
            out,
            out_project,
        }),
        Command::Export {
            data_dir,
            model,
            out,
            settings,
            strictness,
        } => settings.given().and_then(|settings| {
            export::run(
                &data_dir,
                model.as_deref(),
                settings,
                strictness.strictness,
                &out,
            )
        }),
        Command::ExportModel {
            model,
            format,
            out,
            weights,
            strictness,
        } => export_model::run(&model, &weights, format, strictness.or(None), &out),
        Command::Behave {
            project,
            class,
            behaviour,
            style,
        } => behave::run(&project, class.as_deref(), behaviour, style),
        Command::ExportApp {
            project,
            out,
            title,
            weights,
            runtime,
            strictness,
        } => export_app::run(ExportAppArgs {
            project: &project,
            weights: &weights,
            runtime: &runtime,
            strictness,
            title: title.as_deref(),
            out: &out,
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
