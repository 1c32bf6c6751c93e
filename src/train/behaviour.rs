//! Behaviours: what a standalone app does when a class wins (and when the answer is "none of
//! these") — show a text, show a picture, play a sound, or nothing. A project keeps one per class
//! and one for "none of these"; bundles carry them (media under `media/`), and the exported web
//! app plays them.
//!
//! Pictures and sounds are checked here, by their bytes, for the page and the CLI alike: a file
//! that is not an image or audio, or is over [`MAX_MEDIA_BYTES`], is refused with the reason.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Largest picture or sound a behaviour takes.
pub const MAX_MEDIA_BYTES: usize = 5 << 20;
/// Text sizes a behaviour takes, in percent of the screen's shorter side.
pub const TEXT_SIZES: std::ops::RangeInclusive<f32> = 4.0..=40.0;

/// A picture or a sound: its file name (as picked), MIME type (from its bytes) and bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Media {
    /// The name it was picked (or recorded) under.
    pub name: String,
    /// `image/…` or `audio/…`, read from the bytes (never trusted from the name).
    #[serde(rename = "type")]
    pub mime: String,
    /// The file.
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
}

/// A media file to write into a zip: its path and bytes.
pub type MediaEntry<'a> = (String, &'a [u8]);

/// A media as a bundle's or an app's JSON names it: its file inside the zip and its name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaFile {
    /// Its path inside the zip (`media/<n>.<ext>`).
    pub file: String,
    /// The name it was picked under.
    pub name: String,
}

/// What the app does for one answer. `M` is the media: [`Media`] in a project, a [`MediaFile`]
/// in a bundle's or an app's JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Behaviour<M = Media> {
    /// Nothing beyond the class's name.
    #[default]
    Nothing,
    /// A text, `size` percent of the screen's shorter side, in `color` (`#rrggbb`).
    Text {
        /// What to show.
        text: String,
        /// Percent of the screen's shorter side (see [`TEXT_SIZES`]).
        size: f32,
        /// `#rrggbb`.
        color: String,
    },
    /// A picture, full screen.
    Picture {
        /// The image.
        media: M,
    },
    /// A sound, played once each time the class starts winning.
    Sound {
        /// The audio.
        media: M,
    },
}

/// A project's behaviours: one per class (by label) and one for "none of these".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviours<M = Media> {
    /// By class label.
    pub classes: Vec<Behaviour<M>>,
    /// For "none of these".
    pub none_of_these: Behaviour<M>,
}

impl<M> Default for Behaviours<M> {
    fn default() -> Self {
        Self {
            classes: Vec::new(),
            none_of_these: Behaviour::Nothing,
        }
    }
}

/// The file types a behaviour takes: magic bytes, MIME type, extension.
const KINDS: &[(&[u8], usize, &str, &str)] = &[
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"GIF8", 0, "image/gif", "gif"),
    (b"WEBP", 8, "image/webp", "webp"),
    (b"WAVE", 8, "audio/wav", "wav"),
    (b"OggS", 0, "audio/ogg", "ogg"),
    (b"ID3", 0, "audio/mpeg", "mp3"),
    (b"\xff\xfb", 0, "audio/mpeg", "mp3"),
    (b"\xff\xf3", 0, "audio/mpeg", "mp3"),
    (b"\x1a\x45\xdf\xa3", 0, "audio/webm", "webm"),
    (b"ftyp", 4, "audio/mp4", "m4a"),
];

/// The MIME type and extension of a picture or sound, from its first bytes.
fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    KINDS.iter().find_map(|(magic, at, mime, ext)| {
        let found = bytes.get(*at..at + magic.len()) == Some(*magic);
        found.then_some((*mime, *ext))
    })
}

impl Media {
    /// A picture or sound named `name`, checked: its type is read from its bytes and it is at
    /// most [`MAX_MEDIA_BYTES`].
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> Result<Self> {
        let name = name.into();
        if bytes.len() > MAX_MEDIA_BYTES {
            return Err(Error::Behaviour(format!(
                "“{name}” is {:.1} MB: a picture or sound can be at most {} MB",
                bytes.len() as f64 / 1e6,
                MAX_MEDIA_BYTES >> 20
            )));
        }
        let (mime, _) = sniff(&bytes).ok_or_else(|| {
            Error::Behaviour(format!(
                "“{name}” is not a picture or a sound this app plays (PNG, JPEG, GIF, WebP; MP3, WAV, Ogg, WebM, M4A)"
            ))
        })?;
        Ok(Self {
            name,
            mime: mime.into(),
            bytes,
        })
    }

    /// The media checked again (one from a page or a bundle: its type read from its bytes) and
    /// that it is `kind` (`image` or `audio`).
    fn checked(self, kind: &str) -> Result<Self> {
        let media = Self::new(self.name, self.bytes)?;
        if !media.mime.starts_with(kind) {
            let what = if kind == "image" { "picture" } else { "sound" };
            return Err(Error::Behaviour(format!(
                "“{}” is not a {what}",
                media.name
            )));
        }
        Ok(media)
    }

    /// The extension its type is saved under.
    pub fn extension(&self) -> &'static str {
        sniff(&self.bytes).map_or("bin", |(_, ext)| ext)
    }
}

impl<M> Behaviour<M> {
    /// The same behaviour with its media mapped by `f` (e.g. to its path inside a zip).
    pub fn try_map<'a, N>(&'a self, f: impl FnOnce(&'a M) -> Result<N>) -> Result<Behaviour<N>> {
        Ok(match self {
            Self::Nothing => Behaviour::Nothing,
            Self::Text { text, size, color } => Behaviour::Text {
                text: text.clone(),
                size: *size,
                color: color.clone(),
            },
            Self::Picture { media } => Behaviour::Picture { media: f(media)? },
            Self::Sound { media } => Behaviour::Sound { media: f(media)? },
        })
    }

    /// Its media, if any.
    pub fn media(&self) -> Option<&M> {
        match self {
            Self::Picture { media } | Self::Sound { media } => Some(media),
            _ => None,
        }
    }

    /// Checks a text's size and colour; the media are checked by [`Behaviour::validate`].
    fn validate_text(&self) -> Result<()> {
        if let Self::Text { text, size, color } = self {
            if text.chars().count() > 200 {
                return Err(Error::Behaviour(
                    "a text can be at most 200 characters".into(),
                ));
            }
            if !TEXT_SIZES.contains(size) {
                return Err(Error::Behaviour(format!(
                    "a text's size must be in {}..={} (percent of the screen), got {size}",
                    TEXT_SIZES.start(),
                    TEXT_SIZES.end()
                )));
            }
            let hex = color.strip_prefix('#').unwrap_or("");
            if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(Error::Behaviour(format!(
                    "a text's colour must be #rrggbb, got “{color}”"
                )));
            }
        }
        Ok(())
    }
}

impl Behaviour {
    /// The behaviour checked: a text's size and colour, a picture that is an image, a sound that
    /// is audio, each file at most [`MAX_MEDIA_BYTES`].
    pub fn validate(self) -> Result<Self> {
        self.validate_text()?;
        Ok(match self {
            Self::Picture { media } => Self::Picture {
                media: media.checked("image")?,
            },
            Self::Sound { media } => Self::Sound {
                media: media.checked("audio")?,
            },
            other => other,
        })
    }
}

impl<M> Behaviours<M> {
    /// The same behaviours with every media mapped by `f`.
    pub fn try_map_media<'a, N>(
        &'a self,
        mut f: impl FnMut(&'a M) -> Result<N>,
    ) -> Result<Behaviours<N>> {
        Ok(Behaviours {
            classes: (self.classes.iter().map(|b| b.try_map(&mut f))).collect::<Result<_>>()?,
            none_of_these: self.none_of_these.try_map(&mut f)?,
        })
    }
}

impl Behaviours {
    /// "Nothing" for `classes` classes and for "none of these".
    pub fn nothing(classes: usize) -> Self {
        Self {
            classes: vec![Behaviour::Nothing; classes],
            none_of_these: Behaviour::Nothing,
        }
    }

    /// Every behaviour checked, one per class of `classes`.
    pub fn validate(self, classes: usize) -> Result<Self> {
        if self.classes.len() != classes {
            return Err(Error::Behaviour(format!(
                "{} behaviours for {classes} classes: one per class",
                self.classes.len()
            )));
        }
        Ok(Self {
            classes: (self.classes.into_iter().map(Behaviour::validate)).collect::<Result<_>>()?,
            none_of_these: self.none_of_these.validate()?,
        })
    }

    /// The behaviours `given`, checked for `classes` classes, or nothing for each when none are.
    pub fn checked_or_nothing(given: Option<Self>, classes: usize) -> Result<Self> {
        match given {
            Some(behaviours) => behaviours.validate(classes),
            None => Ok(Self::nothing(classes)),
        }
    }

    /// The behaviours with each media replaced by its path under `media/`, and the files to
    /// write there (`media/<n>.<ext>`, numbered in order).
    pub fn to_files(&self) -> Result<(Behaviours<MediaFile>, Vec<MediaEntry<'_>>)> {
        let mut files: Vec<MediaEntry> = Vec::new();
        let paths = self.try_map_media(|media| {
            let file = format!("media/{}.{}", files.len(), media.extension());
            files.push((file.clone(), media.bytes.as_slice()));
            let name = media.name.clone();
            Ok(MediaFile { file, name })
        })?;
        Ok((paths, files))
    }
}

impl Behaviours<MediaFile> {
    /// The behaviours with each media file read by `read` (a zip's entries) and checked.
    pub fn with_files(
        &self,
        classes: usize,
        mut read: impl FnMut(&str) -> Result<Vec<u8>>,
    ) -> Result<Behaviours> {
        let loaded = self.try_map_media(|media| {
            Ok(Media {
                name: media.name.clone(),
                mime: String::new(),
                bytes: read(&media.file)?,
            })
        })?;
        loaded.validate(classes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n0000";

    #[test]
    fn media_types_come_from_the_bytes_not_the_name() {
        assert_eq!(Media::new("a.txt", PNG.to_vec()).unwrap().mime, "image/png");
        let wav = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
        assert_eq!(Media::new("beep", wav).unwrap().mime, "audio/wav");
        let err = Media::new("notes.png", b"hello".to_vec()).unwrap_err();
        assert!(
            err.to_string()
                .contains("“notes.png” is not a picture or a sound")
        );
        let big = [PNG, &vec![0; MAX_MEDIA_BYTES]].concat();
        let err = Media::new("big.png", big).unwrap_err().to_string();
        assert!(
            err.contains("5.2 MB") && err.contains("at most 5 MB"),
            "{err}"
        );
    }

    #[test]
    fn a_picture_must_be_an_image_and_a_text_readable() {
        let sound = Media::new("a.ogg", b"OggS0000".to_vec()).unwrap();
        let err = Behaviour::Picture { media: sound }.validate().unwrap_err();
        assert!(err.to_string().contains("“a.ogg” is not a picture"));
        let text = |size, color: &str| Behaviour::<Media>::Text {
            text: "Hi".into(),
            size,
            color: color.into(),
        };
        assert!(text(12.0, "#ff8800").validate().is_ok());
        assert!(text(2.0, "#ff8800").validate().is_err());
        assert!(text(12.0, "red").validate().is_err());
    }

    #[test]
    fn behaviours_travel_as_files_and_back() {
        let picture = Media::new("cat.png", PNG.to_vec()).unwrap();
        let behaviours: Behaviours = Behaviours {
            classes: vec![Behaviour::Picture { media: picture }, Behaviour::Nothing],
            none_of_these: Behaviour::Nothing,
        };
        let (paths, files) = behaviours.to_files().unwrap();
        assert_eq!(paths.classes[0].media().unwrap().file, "media/0.png");
        let back = paths.with_files(2, |p| {
            let found = files.iter().find(|(f, _)| f == p).unwrap();
            Ok(found.1.to_vec())
        });
        assert_eq!(back.unwrap(), behaviours);
        assert!(paths.with_files(3, |_| Ok(PNG.to_vec())).is_err());
    }
}
