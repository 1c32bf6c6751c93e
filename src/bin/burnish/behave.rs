//! `burnish behave`: read or set what a project's exported app does for a class (or for "none of
//! these"): a text, a picture, a sound or nothing. The bundle is rewritten in place.

use anyhow::{Context, bail};
use burnish::bundle::Bundle;
use burnish::train::{Behaviour, Media};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The behaviour to set (at most one).
#[derive(clap::Args, Debug, Default)]
#[group(multiple = false)]
pub struct BehaviourFlags {
    /// Show this text.
    #[arg(long)]
    pub text: Option<String>,
    /// Show this picture (PNG, JPEG, GIF, WebP; at most 5 MB).
    #[arg(long, value_name = "FILE")]
    pub picture: Option<PathBuf>,
    /// Play this sound (MP3, WAV, Ogg, WebM, M4A; at most 5 MB).
    #[arg(long, value_name = "FILE")]
    pub sound: Option<PathBuf>,
    /// Do nothing beyond naming the class.
    #[arg(long)]
    pub nothing: bool,
}

/// How a `--text` looks.
#[derive(clap::Args, Debug)]
pub struct TextStyle {
    /// The text's size, in percent of the screen's shorter side [4..=40].
    #[arg(long, default_value_t = 15.0)]
    pub size: f32,
    /// The text's colour, `#rrggbb`.
    #[arg(long, default_value = "#ffffff")]
    pub color: String,
}

fn media(path: &Path) -> anyhow::Result<Media> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let name = path
        .file_name()
        .map_or("file".into(), |n| n.to_string_lossy().into_owned());
    Ok(Media::new(name, bytes)?)
}

impl BehaviourFlags {
    /// The behaviour the flags give, or `None` when none is given.
    fn behaviour(self, style: TextStyle) -> anyhow::Result<Option<Behaviour>> {
        Ok(Some(if let Some(text) = self.text {
            Behaviour::Text {
                text,
                size: style.size,
                color: style.color,
            }
        } else if let Some(path) = self.picture {
            Behaviour::Picture {
                media: media(&path)?,
            }
        } else if let Some(path) = self.sound {
            Behaviour::Sound {
                media: media(&path)?,
            }
        } else if self.nothing {
            Behaviour::Nothing
        } else {
            return Ok(None);
        }))
    }
}

/// Sets the behaviour of `class` (a class name, or `none` for "none of these") in `project`, or
/// with no behaviour flag prints the project's behaviours (one JSON line, media by name).
pub fn run(
    project: &Path,
    class: Option<&str>,
    flags: BehaviourFlags,
    style: TextStyle,
) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(project).with_context(|| format!("reading {}", project.display()))?;
    let mut bundle =
        Bundle::from_zip(&bytes).with_context(|| format!("reading {}", project.display()))?;
    let Some(behaviour) = flags.behaviour(style)? else {
        let names = bundle.behaviours.try_map_media(|m| Ok(m.name.clone()))?;
        println!(
            "{}",
            serde_json::json!({ "classes": bundle.class_names, "behaviours": names })
        );
        return Ok(ExitCode::SUCCESS);
    };
    let Some(class) = class else {
        bail!("say which class: --class NAME (or --class none for \"none of these\")");
    };
    let behaviour = behaviour.validate()?;
    let slot = if class == "none" {
        &mut bundle.behaviours.none_of_these
    } else {
        let Some(label) = bundle.class_names.iter().position(|n| n == class) else {
            bail!(
                "there is no class “{class}”; the classes are {:?}",
                bundle.class_names
            );
        };
        &mut bundle.behaviours.classes[label]
    };
    *slot = behaviour;
    let written = bundle.to_zip()?;
    Bundle::from_zip(&written)?;
    std::fs::write(project, &written).with_context(|| format!("writing {}", project.display()))?;
    println!(
        "{}",
        serde_json::json!({ "project": project.display().to_string(), "class": class })
    );
    Ok(ExitCode::SUCCESS)
}
