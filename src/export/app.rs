//! A trained project as a standalone web app: one zip that unpacks to a static folder — the app's
//! page and the library's runtime (from the runtime archive `.ci/app-runtime.py` builds:
//! `www/pkg/app-runtime.zip`), the base weights, the trained model, the behaviours' media, an
//! `app.json` the page reads, a web app manifest and an icon. The page and the CLI both write it
//! here, from the same inputs, so their zips are equal byte for byte.

use crate::bundle::Bundle;
use crate::convert::sha256_hex;
use crate::error::{Error, Result};
use crate::train::{Behaviours, MediaFile};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// `app.json`'s `format` field.
pub const APP_FORMAT: &str = "burnish-app";
/// The `app.json` version this build writes.
pub const APP_VERSION: u32 = 1;
/// Where the base weights go (where the library looks for them: `lib/../models/`).
pub const WEIGHTS_PATH: &str = "models/mobilenet_v1_1.0_224.safetensors";
/// The trained model's file.
pub const MODEL_PATH: &str = "model.safetensors";
/// The runtime's page, whose `%TITLE%` becomes the app's title.
const PAGE: &str = "index.html";

/// `app.json`: what the app's page needs to run the project.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AppConfig {
    /// Always [`APP_FORMAT`].
    pub format: &'static str,
    /// [`APP_VERSION`].
    pub version: u32,
    /// The app's title (its name on a home screen).
    pub title: String,
    /// Class names, by label.
    pub classes: Vec<String>,
    /// The "none of these" strictness the trainer had.
    pub strictness: Option<f32>,
    /// The trained model's file.
    pub model: &'static str,
    /// One per class and one for "none of these"; media by path.
    pub behaviours: Behaviours<MediaFile>,
    /// The sha256 of the trained model: names the offline cache, so a new app replaces an old one.
    pub id: String,
    /// Every file of the app (what its service worker keeps for offline use).
    pub files: Vec<String>,
}

fn app_error(message: impl std::fmt::Display) -> Error {
    Error::App(message.to_string())
}

/// The title an app gets when none is given: its class names.
pub fn default_title(class_names: &[String]) -> String {
    class_names.join(" · ")
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A square icon: the title's first letter on a colour of its own.
fn icon_svg(title: &str) -> String {
    let letter = title.chars().find(|c| c.is_alphanumeric()).unwrap_or('?');
    let hue = Sha256::digest(title.as_bytes())[0] as u32 * 360 / 256;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512"><rect width="512" height="512" rx="96" fill="hsl({hue} 60% 35%)"/><text x="256" y="256" dy=".35em" text-anchor="middle" font-family="system-ui, sans-serif" font-size="300" font-weight="700" fill="#fff">{}</text></svg>
"##,
        escape_html(&letter.to_uppercase().to_string())
    )
}

fn web_manifest(title: &str) -> Result<Vec<u8>> {
    let short: String = title.chars().take(12).collect();
    let manifest = serde_json::json!({
        "name": title,
        "short_name": short,
        "start_url": ".",
        "scope": ".",
        "display": "standalone",
        "background_color": "#111111",
        "theme_color": "#111111",
        "icons": [{ "src": "icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any" }],
    });
    serde_json::to_vec_pretty(&manifest).map_err(app_error)
}

/// Writes the web app of a trained project `bundle` with the page and runtime of `runtime` (zip
/// bytes), the base `weights` the model was trained on, and `title` (default: the class names).
pub fn write_app(
    bundle: &Bundle,
    runtime: &[u8],
    weights: &[u8],
    title: Option<&str>,
) -> Result<Vec<u8>> {
    let model = (bundle.model.as_deref())
        .ok_or_else(|| app_error("the project has no trained model: train it first"))?;
    let title = match title.map(str::trim) {
        Some(t) if !t.is_empty() => t.to_owned(),
        _ => default_title(&bundle.class_names),
    };
    let mut source = ZipArchive::new(Cursor::new(runtime)).map_err(|e| {
        app_error(format!(
            "the app runtime is not a zip ({e}): build it again"
        ))
    })?;
    let page = (source
        .by_name(PAGE)
        .map(|mut f| std::io::read_to_string(&mut f)))
    .map_err(|_| app_error("the app runtime has no index.html: build it again"))?
    .map_err(app_error)?;

    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let mut files = Vec::new();
    let add =
        |zip: &mut ZipWriter<_>, files: &mut Vec<String>, path: &str, bytes: &[u8], options| {
            zip.start_file(path, options).map_err(app_error)?;
            zip.write_all(bytes).map_err(app_error)?;
            files.push(path.to_owned());
            Ok::<_, Error>(())
        };
    for i in 0..source.len() {
        let entry = source.by_index_raw(i).map_err(app_error)?;
        let name = entry.name().to_owned();
        if name == PAGE || entry.is_dir() {
            continue;
        }
        zip.raw_copy_file(entry).map_err(app_error)?;
        files.push(name);
    }
    let page = page.replace("%TITLE%", &escape_html(&title));
    add(&mut zip, &mut files, PAGE, page.as_bytes(), deflated)?;
    add(&mut zip, &mut files, WEIGHTS_PATH, weights, deflated)?;
    let sha = format!("{}\n", sha256_hex(weights));
    add(
        &mut zip,
        &mut files,
        &format!("{WEIGHTS_PATH}.sha256"),
        sha.as_bytes(),
        stored,
    )?;
    add(&mut zip, &mut files, MODEL_PATH, model, deflated)?;
    let (behaviours, media) = bundle.behaviours.to_files()?;
    for (path, bytes) in media {
        add(&mut zip, &mut files, &path, bytes, stored)?;
    }
    add(
        &mut zip,
        &mut files,
        "icon.svg",
        icon_svg(&title).as_bytes(),
        deflated,
    )?;
    add(
        &mut zip,
        &mut files,
        "manifest.webmanifest",
        &web_manifest(&title)?,
        deflated,
    )?;
    files.push("app.json".into());
    let config = AppConfig {
        format: APP_FORMAT,
        version: APP_VERSION,
        title,
        classes: bundle.class_names.clone(),
        strictness: bundle.strictness,
        model: MODEL_PATH,
        behaviours,
        id: sha256_hex(model)[..16].to_owned(),
        files,
    };
    let json = serde_json::to_vec_pretty(&config).map_err(app_error)?;
    zip.start_file("app.json", deflated).map_err(app_error)?;
    zip.write_all(&json).map_err(app_error)?;
    Ok(zip.finish().map_err(app_error)?.into_inner())
}
