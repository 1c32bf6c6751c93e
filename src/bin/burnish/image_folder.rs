//! ImageFolder layout: one sub-folder per class, images inside, decoded to 224² RGB.

use anyhow::{Context, bail};
use burnish::bundle::{BundleSample, encode_png};
use burnish::image_file::decode_to_rgb_224;
use std::path::{Path, PathBuf};

/// Labelled images read from a folder of class folders.
pub struct ImageFolder {
    /// Class names: the sub-folder names, sorted.
    pub classes: Vec<String>,
    /// `(class index, file, 224² RGB)`.
    pub images: Vec<(usize, PathBuf, Vec<u8>)>,
}

impl ImageFolder {
    /// The images as bundle samples (lossless 224² PNGs).
    pub fn bundle_samples(&self) -> burnish::error::Result<Vec<BundleSample>> {
        self.images
            .iter()
            .enumerate()
            .map(|(id, (label, _, rgb))| {
                Ok(BundleSample {
                    id: id as u64,
                    label: *label,
                    png: encode_png(rgb)?,
                })
            })
            .collect()
    }
}

fn sorted_entries(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    Ok(entries)
}

/// Reads `dir`; files that do not decode are reported on stderr and skipped.
/// With `classes`, the folder must use exactly those class names (an evaluation set).
pub fn read(dir: &Path, classes: Option<&[String]>) -> anyhow::Result<ImageFolder> {
    let folders: Vec<PathBuf> = sorted_entries(dir)?
        .into_iter()
        .filter(|p| p.is_dir())
        .collect();
    let names: Vec<String> = folders
        .iter()
        .map(|p| {
            p.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    if let Some(expected) = classes {
        if let Some(extra) = names.iter().find(|n| !expected.contains(n)) {
            bail!(
                "{}: class folder `{extra}` is not one of the training classes {expected:?}",
                dir.display()
            );
        }
    } else if names.len() < 2 {
        bail!(
            "{}: need at least 2 class sub-folders, found {}",
            dir.display(),
            names.len()
        );
    }
    let class_names = classes.map_or_else(|| names.clone(), <[String]>::to_vec);
    let mut images = Vec::new();
    for (folder, name) in folders.iter().zip(&names) {
        let label = class_names
            .iter()
            .position(|c| c == name)
            .unwrap_or_default();
        for file in sorted_entries(folder)?.into_iter().filter(|p| p.is_file()) {
            match std::fs::read(&file)
                .map_err(anyhow::Error::from)
                .and_then(|b| Ok(decode_to_rgb_224(&b)?))
            {
                Ok(rgb) => images.push((label, file, rgb)),
                Err(err) => eprintln!("skipping {}: {err}", file.display()),
            }
        }
    }
    Ok(ImageFolder {
        classes: class_names,
        images,
    })
}

/// Every decodable image under `dir`, in any sub-folder (files that do not decode are reported
/// on stderr and skipped): photos of other kinds, for "none of these".
pub fn read_all(dir: &Path) -> anyhow::Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut images = Vec::new();
    for entry in sorted_entries(dir)? {
        if entry.is_dir() {
            images.extend(read_all(&entry)?);
        } else if entry.is_file() {
            match std::fs::read(&entry)
                .map_err(anyhow::Error::from)
                .and_then(|b| Ok(decode_to_rgb_224(&b)?))
            {
                Ok(rgb) => images.push((entry, rgb)),
                Err(err) => eprintln!("skipping {}: {err}", entry.display()),
            }
        }
    }
    Ok(images)
}
