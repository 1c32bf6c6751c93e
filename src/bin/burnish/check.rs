//! `burnish check`: the data check of a folder of class folders, as the page's "Check my data"
//! runs it, with file names.

use crate::image_folder;
use crate::train::load_base;
use burn::prelude::*;
use burnish::train::{Dataset, Project};
use serde_json::json;
use std::path::Path;
use std::process::ExitCode;

pub fn run(data_dir: &Path, weights: &Path) -> anyhow::Result<ExitCode> {
    let device = Device::flex();
    let folder = image_folder::read(data_dir, None)?;
    let (base, sha) = load_base(weights, &device)?;
    let mut project = Project::new(base, device, sha, Dataset::new(folder.classes.clone()));
    for (id, (label, _, rgb)) in folder.images.iter().enumerate() {
        project.insert_sample(id as u64, *label as u64, rgb.clone())?;
    }
    let check = pollster::block_on(project.check_data())?;
    let file = |id: u64| folder.images[id as usize].1.display().to_string();
    let class = |label: usize| folder.classes[label].clone();
    let suspects: Vec<_> = (check.suspects.iter())
        .map(|s| json!({ "file": file(s.id), "class": class(s.label), "looks_like": class(s.looks_like), "own": s.own, "other": s.other }))
        .collect();
    let near_copies: Vec<_> = (check.near_copies.iter())
        .map(|c| json!({ "files": [file(c.first), file(c.second)], "similarity": c.similarity }))
        .collect();
    let overlaps: Vec<_> = (check.overlaps.iter())
        .map(|o| json!({ "classes": [class(o.classes[0]), class(o.classes[1])], "share": o.share }))
        .collect();
    let line = json!({ "samples": folder.images.len(), "suspects": suspects, "near_copies": near_copies, "overlaps": overlaps });
    println!("{line}");
    Ok(ExitCode::SUCCESS)
}
