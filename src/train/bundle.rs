//! Project bundles: one zip holding `manifest.json` (format, version, class names, settings,
//! "none of these" strictness, the next ids, the sample list, the behaviours), the samples as 224×224 PNGs under `images/`, and the trained
//! model as `model.safetensors`, the behaviours' pictures and sounds under `media/`. The browser and the CLI read and write the same file.
//!
//! Reading validates everything before returning anything — entry names (no absolute paths,
//! no `..`), entry count and sizes, compression ratios (zip bombs), the manifest's format and
//! version, every referenced file, every image (decoded: a 224² PNG), the model's safetensors
//! framing — so a caller can replace its project only when the whole bundle is good.

use super::behaviour::{Behaviours, MediaFile};
use super::config::TrainConfig;
use super::dataset::NextIds;
use super::project::Project;
use crate::data::INPUT_SIZE;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::io::{Cursor, Read, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// The bundle format this build writes and reads.
pub const BUNDLE_VERSION: u32 = 1;
/// `manifest.json`'s `format` field.
pub const BUNDLE_FORMAT: &str = "burnish-project";
/// Largest entry accepted (the biggest trained tail is ~13 MB).
pub const MAX_ENTRY_BYTES: u64 = 64 << 20;
/// Largest total of uncompressed entries accepted.
pub const MAX_TOTAL_BYTES: u64 = 4 << 30;
/// Most entries accepted.
pub const MAX_ENTRIES: usize = 200_000;
/// Largest uncompressed / compressed ratio for entries over 1 MiB (PNGs barely compress).
pub const MAX_RATIO: u64 = 100;

const MANIFEST: &str = "manifest.json";
const MODEL: &str = "model.safetensors";

/// `manifest.json`. A key this version does not know is refused by name (a bundle from a newer
/// burnish says what it holds that this one would drop).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`BUNDLE_FORMAT`].
    pub format: String,
    /// [`BUNDLE_VERSION`] when written.
    pub version: u32,
    /// Class names, by label.
    pub classes: Vec<String>,
    /// Training settings, when the project had any.
    #[serde(default)]
    pub settings: Option<TrainConfig>,
    /// The "none of these" strictness (percent of known-class images flagged), when set.
    #[serde(default)]
    pub strictness: Option<f32>,
    /// The ids the project's next class and sample get (bundles written before they were kept
    /// have none: reading starts past every id they name).
    #[serde(default)]
    pub next_ids: Option<NextIds>,
    /// Every sample: its file in the zip and its class.
    pub samples: Vec<ManifestSample>,
    /// The trained model's file in the zip, when trained.
    #[serde(default)]
    pub model: Option<String>,
    /// What an app does for each class and for "none of these", media by path in the zip
    /// (bundles written before behaviours: nothing).
    #[serde(default)]
    pub behaviours: Option<Behaviours<MediaFile>>,
}

/// One sample in the manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestSample {
    /// Path inside the zip.
    pub file: String,
    /// Class index.
    pub class: usize,
    /// The sample's id in its project (a trained model's split names samples by id); bundles
    /// written before ids were kept number samples by position.
    #[serde(default)]
    pub id: Option<u64>,
}

/// One sample: its id, class and 224×224 PNG.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BundleSample {
    /// Its id in the project.
    pub id: u64,
    /// Class index.
    pub label: usize,
    /// A 224×224 PNG.
    #[serde(with = "serde_bytes")]
    pub png: Vec<u8>,
}

/// A whole project, as held in a bundle (and as the page receives a validated one).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Bundle {
    /// Class names, by label.
    pub class_names: Vec<String>,
    /// Training settings.
    pub settings: Option<TrainConfig>,
    /// The "none of these" strictness (percent of known-class images flagged).
    pub strictness: Option<f32>,
    /// The ids the project's next class and sample get: past every id it ever gave.
    pub next_ids: NextIds,
    /// The samples, in order.
    pub samples: Vec<BundleSample>,
    /// The trained model (`.safetensors` bytes).
    #[serde(with = "serde_bytes")]
    pub model: Option<Vec<u8>>,
    /// What an app does for each class (by label) and for "none of these".
    pub behaviours: Behaviours,
}

fn bad(message: impl Into<String>) -> Error {
    Error::Bundle(message.into())
}

/// Encodes 224×224 RGB pixels as a PNG (how samples travel in bundles).
pub fn encode_png(rgb: &[u8]) -> Result<Vec<u8>> {
    let size = INPUT_SIZE as u32;
    let image = image::RgbImage::from_raw(size, size, rgb.to_vec()).ok_or(Error::PixelSize {
        what: "one 224×224 RGB image",
        expected: crate::data::RGB_IMAGE_BYTES,
        actual: rgb.len(),
    })?;
    let mut png = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| Error::Image(e.to_string()))?;
    Ok(png)
}

/// Decodes a bundle's PNG sample to 224×224 RGB; anything else is an error.
pub fn decode_png(png: &[u8]) -> Result<Vec<u8>> {
    let image = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .map_err(|e| Error::Image(e.to_string()))?;
    let size = INPUT_SIZE as u32;
    if image.width() != size || image.height() != size {
        return Err(Error::Image(format!(
            "{}×{} instead of {INPUT_SIZE}×{INPUT_SIZE}",
            image.width(),
            image.height()
        )));
    }
    Ok(image.to_rgb8().into_raw())
}

/// A relative path with no `..`, no root, no drive and no backslash.
fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.contains(':')
        && name.split('/').all(|part| part != ".." && part != ".")
}

impl Bundle {
    /// The whole project as a bundle: classes, settings, "none of these" `strictness`, its next
    /// ids, every sample as a lossless PNG under its id, the trained model and the `behaviours`
    /// (checked; none given: nothing for every class).
    pub async fn of_project(
        project: &Project,
        strictness: Option<f32>,
        behaviours: Option<Behaviours>,
    ) -> Result<Self> {
        let classes = project.dataset().class_names().len();
        let behaviours = Behaviours::checked_or_nothing(behaviours, classes)?;
        let samples = (project.dataset().samples().iter())
            .map(|s| {
                Ok(BundleSample {
                    id: s.id,
                    label: s.label,
                    png: encode_png(&s.rgb)?,
                })
            })
            .collect::<Result<_>>()?;
        let model = match project.trained() {
            Some(model) => Some(model.to_safetensors().await?),
            None => None,
        };
        Ok(Self {
            class_names: project.dataset().class_names().to_vec(),
            settings: Some(project.config().clone()),
            strictness,
            next_ids: project.next_ids(),
            samples,
            model,
            behaviours,
        })
    }

    /// Writes the bundle as zip bytes (PNGs stored as they are, the rest deflated).
    pub fn to_zip(&self) -> Result<Vec<u8>> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        let io = |e: std::io::Error| bad(e.to_string());
        let mut samples = Vec::with_capacity(self.samples.len());
        for (i, sample) in self.samples.iter().enumerate() {
            let file = format!("images/{i:06}.png");
            zip.start_file(file.as_str(), stored)
                .map_err(|e| bad(e.to_string()))?;
            zip.write_all(&sample.png).map_err(io)?;
            samples.push(ManifestSample {
                file,
                class: sample.label,
                id: Some(sample.id),
            });
        }
        if let Some(model) = &self.model {
            zip.start_file(MODEL, deflated)
                .map_err(|e| bad(e.to_string()))?;
            zip.write_all(model).map_err(io)?;
        }
        let (behaviours, media) = self.behaviours.to_files()?;
        for (path, bytes) in media {
            zip.start_file(path, stored)
                .map_err(|e| bad(e.to_string()))?;
            zip.write_all(bytes).map_err(io)?;
        }
        let manifest = Manifest {
            format: BUNDLE_FORMAT.into(),
            version: BUNDLE_VERSION,
            classes: self.class_names.clone(),
            settings: self.settings.clone(),
            strictness: self.strictness,
            next_ids: Some(self.next_ids),
            samples,
            model: self.model.as_ref().map(|_| MODEL.into()),
            behaviours: Some(behaviours),
        };
        zip.start_file(MANIFEST, deflated)
            .map_err(|e| bad(e.to_string()))?;
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| bad(e.to_string()))?;
        zip.write_all(&json).map_err(io)?;
        Ok(zip.finish().map_err(|e| bad(e.to_string()))?.into_inner())
    }

    /// Reads and fully validates zip bytes; the error names the first problem found.
    pub fn from_zip(bytes: &[u8]) -> Result<Self> {
        let mut zip = ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| bad(format!("not a zip file ({e})")))?;
        if zip.len() > MAX_ENTRIES {
            return Err(bad(format!(
                "{} entries: more than the {MAX_ENTRIES} accepted",
                zip.len()
            )));
        }
        let mut total = 0u64;
        for i in 0..zip.len() {
            let entry = zip.by_index_raw(i).map_err(|e| bad(e.to_string()))?;
            let name = entry.name().to_owned();
            if !is_safe_name(&name) || entry.enclosed_name().is_none() {
                return Err(bad(format!(
                    "entry `{name}` has an unsafe path (absolute or with `..`)"
                )));
            }
            let size = entry.size();
            if size > MAX_ENTRY_BYTES {
                return Err(bad(format!(
                    "entry `{name}` is {size} bytes: over the {MAX_ENTRY_BYTES} accepted"
                )));
            }
            if size > 1 << 20 && size / entry.compressed_size().max(1) > MAX_RATIO {
                return Err(bad(format!(
                    "entry `{name}` expands {}×: a zip bomb?",
                    size / entry.compressed_size().max(1)
                )));
            }
            total += size;
            if total > MAX_TOTAL_BYTES {
                return Err(bad(format!("entries total over {MAX_TOTAL_BYTES} bytes")));
            }
        }
        let manifest: Manifest = serde_json::from_slice(&read_entry(&mut zip, MANIFEST)?)
            .map_err(|e| bad(format!("manifest.json is not valid: {e}")))?;
        if manifest.format != BUNDLE_FORMAT {
            return Err(bad(format!(
                "manifest.json's format is `{}`, not `{BUNDLE_FORMAT}`",
                manifest.format
            )));
        }
        if manifest.version != BUNDLE_VERSION {
            return Err(bad(format!(
                "bundle version {} is not supported (this burnish reads version {BUNDLE_VERSION})",
                manifest.version
            )));
        }
        if manifest.classes.is_empty() {
            return Err(bad("the manifest lists no classes"));
        }
        if let Some(settings) = &manifest.settings {
            settings.validate()?;
        }
        if manifest
            .strictness
            .is_some_and(|t| !(0.0..=100.0).contains(&t))
        {
            return Err(bad("strictness must be in [0, 100]"));
        }
        let mut samples = Vec::with_capacity(manifest.samples.len());
        let mut ids = std::collections::HashSet::new();
        for (index, sample) in manifest.samples.iter().enumerate() {
            let id = sample.id.unwrap_or(index as u64);
            if !ids.insert(id) {
                return Err(bad(format!("sample id {id} appears twice")));
            }
            if sample.class >= manifest.classes.len() {
                return Err(bad(format!(
                    "sample `{}` has class {} but there are {} classes",
                    sample.file,
                    sample.class,
                    manifest.classes.len()
                )));
            }
            let png = read_entry(&mut zip, &sample.file)?;
            decode_png(&png).map_err(|e| bad(format!("image `{}`: {e}", sample.file)))?;
            samples.push(BundleSample {
                id,
                label: sample.class,
                png,
            });
        }
        let model = match &manifest.model {
            Some(file) => {
                let bytes = read_entry(&mut zip, file)?;
                safetensors::SafeTensors::read_metadata(&bytes)
                    .map_err(|e| bad(format!("model `{file}` is not safetensors: {e}")))?;
                Some(bytes)
            }
            None => None,
        };
        let classes = manifest.classes.len();
        let behaviours = match &manifest.behaviours {
            Some(b) => b
                .with_files(classes, |path| read_entry(&mut zip, path))
                .map_err(|e| bad(format!("behaviours: {e}")))?,
            None => Behaviours::nothing(classes),
        };
        // Ids past every one the bundle names; a model's split may name deleted samples too, and
        // a project that installs it starts past those as well (`Project::install`).
        let named = NextIds {
            class: manifest.classes.len() as u64,
            sample: samples.iter().map(|s| s.id + 1).max().unwrap_or(0),
        };
        Ok(Self {
            class_names: manifest.classes,
            settings: manifest.settings,
            strictness: manifest.strictness,
            next_ids: manifest.next_ids.unwrap_or_default().max(named),
            samples,
            model,
            behaviours,
        })
    }
}

/// Reads one entry whole, never more than its declared size (checked against the limit above).
fn read_entry(zip: &mut ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Vec<u8>> {
    let entry = zip
        .by_name(name)
        .map_err(|_| bad(format!("`{name}` is missing from the bundle")))?;
    let size = entry.size();
    let mut bytes = Vec::with_capacity(size as usize);
    entry
        .take(size + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| bad(format!("`{name}` cannot be read: {e}")))?;
    if bytes.len() as u64 != size {
        return Err(bad(format!("`{name}` is not the size its header says")));
    }
    Ok(bytes)
}
