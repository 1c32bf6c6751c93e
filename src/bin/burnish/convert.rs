//! `burnish convert`: frozen graph → safetensors + ImageNet class names.

use anyhow::Context;
use burnish::convert::convert_frozen_graph;
use burnish::imagenet::class_names;
use std::path::Path;
use std::process::ExitCode;

/// File name of the converted weights inside the output folder.
pub const WEIGHTS_FILE: &str = "mobilenet_v1_1.0_224.safetensors";
/// File name of the class-name list inside the output folder.
pub const CLASSES_FILE: &str = "imagenet_classes.json";

pub fn run(graph: &Path, out_dir: &Path) -> anyhow::Result<ExitCode> {
    let pb = std::fs::read(graph).with_context(|| format!("reading {}", graph.display()))?;
    let weights =
        convert_frozen_graph(&pb).with_context(|| format!("converting {}", graph.display()))?;
    std::fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let weights_path = out_dir.join(WEIGHTS_FILE);
    write_atomically(&weights_path, &weights)?;
    let classes = serde_json::to_vec(&class_names())?;
    write_atomically(&out_dir.join(CLASSES_FILE), &classes)?;
    eprintln!("wrote {} ({} bytes)", weights_path.display(), weights.len());
    Ok(ExitCode::SUCCESS)
}

/// Writes via a temporary file and a rename, so an interrupted run leaves no half file.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}
