//! Project bundles: a round trip keeps everything; every hostile or broken bundle is refused with
//! an error naming the problem; random and mutated bytes never panic the reader (proptest).
#![cfg(not(target_arch = "wasm32"))]

use burnish::bundle::{
    BUNDLE_FORMAT, Bundle, BundleSample, MAX_ENTRY_BYTES, decode_png, encode_png,
};
use burnish::train::{Behaviour, Behaviours, Media, NextIds, TrainConfig};
use proptest::prelude::*;
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn pixels(seed: u8) -> Vec<u8> {
    (0..224 * 224 * 3)
        .map(|i| (i as u8).wrapping_mul(seed))
        .collect()
}

fn sample_bundle() -> Bundle {
    Bundle {
        class_names: vec!["cat".into(), "<img src=x onerror=alert(1)>".into()],
        settings: Some(TrainConfig {
            epochs: 7,
            ..TrainConfig::default()
        }),
        strictness: Some(7.5),
        next_ids: NextIds {
            class: 4,
            sample: 30,
        },
        samples: (0..3)
            .map(|i| BundleSample {
                id: 10 + i as u64 * 3,
                label: i % 2,
                png: encode_png(&pixels(i as u8 + 1)).expect("png"),
            })
            .collect(),
        model: None,
        behaviours: Behaviours {
            classes: vec![
                Behaviour::Text {
                    text: "Meow".into(),
                    size: 20.0,
                    color: "#ff8800".into(),
                },
                Behaviour::Picture {
                    media: Media::new("cat <1>.png", small_png()).expect("png"),
                },
            ],
            none_of_these: Behaviour::Sound {
                media: Media::new("beep.wav", b"RIFF\0\0\0\0WAVEfmt ".to_vec()).expect("wav"),
            },
        },
    }
}

/// A zip with these `(name, bytes, deflated)` entries.
fn zip_of(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes, deflated) in entries {
        let method = if *deflated {
            CompressionMethod::Deflated
        } else {
            CompressionMethod::Stored
        };
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .large_file(bytes.len() as u64 > u32::MAX as u64);
        zip.start_file(*name, options).expect("entry");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish").into_inner()
}

fn manifest(samples: &str, extra: &str) -> String {
    format!(
        r#"{{"format": "{BUNDLE_FORMAT}", "version": 1, "classes": ["a", "b"], "samples": [{samples}]{extra}}}"#
    )
}

fn refused(bytes: &[u8]) -> String {
    match Bundle::from_zip(bytes) {
        Ok(_) => panic!("the bundle should be refused"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn round_trip_keeps_everything_and_pixels_exactly() {
    let bundle = sample_bundle();
    let back = Bundle::from_zip(&bundle.to_zip().expect("zip")).expect("valid");
    assert_eq!(back, bundle);
    assert_eq!(decode_png(&back.samples[1].png).expect("png"), pixels(2));
}

#[test]
fn bundles_without_next_ids_start_past_every_id_they_name() {
    let png = encode_png(&pixels(3)).expect("png");
    let older = zip_of(&[
        ("images/a.png", &png, false),
        (
            "manifest.json",
            manifest(r#"{"file": "images/a.png", "class": 1, "id": 41}"#, "").as_bytes(),
            true,
        ),
    ]);
    let bundle = Bundle::from_zip(&older).expect("a bundle from before next ids were kept");
    assert_eq!(
        bundle.next_ids,
        NextIds {
            class: 2,
            sample: 42
        }
    );
    // Saved next ids below what the bundle names cannot make an id come back either.
    let low = zip_of(&[
        ("images/a.png", &png, false),
        (
            "manifest.json",
            manifest(
                r#"{"file": "images/a.png", "class": 1, "id": 41}"#,
                r#", "next_ids": {"class": 0, "sample": 3}"#,
            )
            .as_bytes(),
            true,
        ),
    ]);
    assert_eq!(Bundle::from_zip(&low).expect("valid").next_ids.sample, 42);
}

#[test]
fn keys_this_version_does_not_know_are_refused_by_name() {
    let png = encode_png(&pixels(3)).expect("png");
    let sample = r#"{"file": "images/a.png", "class": 0}"#;
    for (extra, key) in [
        (r#", "shortcuts": []"#, "shortcuts"),
        (r#", "settings": {"epochz": 3}"#, "epochz"),
        (
            r#", "next_ids": {"class": 1, "sample": 1, "group": 2}"#,
            "group",
        ),
    ] {
        let bytes = zip_of(&[
            ("images/a.png", &png, false),
            ("manifest.json", manifest(sample, extra).as_bytes(), true),
        ]);
        let message = refused(&bytes);
        assert!(
            message.contains(&format!("unknown field `{key}`")),
            "{message}"
        );
    }
}

#[test]
fn broken_and_hostile_bundles_are_refused_with_the_reason() {
    let png = encode_png(&pixels(3)).expect("png");
    let one = r#"{"file": "images/0.png", "class": 0}"#;
    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty file", Vec::new(), "not a zip file"),
        (
            "not a zip",
            b"PK\x03\x04 truncated".to_vec(),
            "not a zip file",
        ),
        (
            "no manifest",
            zip_of(&[("images/0.png", &png, false)]),
            "`manifest.json` is missing",
        ),
        (
            "manifest not JSON",
            zip_of(&[("manifest.json", b"{nope", true)]),
            "manifest.json is not valid",
        ),
        (
            "another format",
            zip_of(&[(
                "manifest.json",
                manifest("", "")
                    .replace(BUNDLE_FORMAT, "teachable-machine")
                    .as_bytes(),
                true,
            )]),
            "format is `teachable-machine`",
        ),
        (
            "newer version",
            zip_of(&[(
                "manifest.json",
                manifest("", "")
                    .replace("\"version\": 1", "\"version\": 2")
                    .as_bytes(),
                true,
            )]),
            "bundle version 2 is not supported",
        ),
        (
            "missing image",
            zip_of(&[("manifest.json", manifest(one, "").as_bytes(), true)]),
            "`images/0.png` is missing",
        ),
        (
            "class out of range",
            zip_of(&[
                (
                    "manifest.json",
                    manifest(&one.replace("\"class\": 0", "\"class\": 5"), "").as_bytes(),
                    true,
                ),
                ("images/0.png", &png, false),
            ]),
            "has class 5 but there are 2 classes",
        ),
        (
            "not an image",
            zip_of(&[
                ("manifest.json", manifest(one, "").as_bytes(), true),
                ("images/0.png", b"GIF89a not a png", false),
            ]),
            "image `images/0.png`",
        ),
        (
            "wrong image size",
            zip_of(&[
                ("manifest.json", manifest(one, "").as_bytes(), true),
                ("images/0.png", &small_png(), false),
            ]),
            "10×10 instead of 224×224",
        ),
        (
            "path traversal",
            zip_of(&[
                ("manifest.json", manifest("", "").as_bytes(), true),
                ("../../etc/evil.png", &png, false),
            ]),
            "unsafe path",
        ),
        (
            "absolute path",
            zip_of(&[
                ("manifest.json", manifest("", "").as_bytes(), true),
                ("/etc/evil.png", &png, false),
            ]),
            "unsafe path",
        ),
        (
            "zip bomb",
            zip_of(&[
                ("manifest.json", manifest("", "").as_bytes(), true),
                ("images/bomb.png", &vec![0u8; 8 << 20], true),
            ]),
            "a zip bomb?",
        ),
        (
            "huge entry",
            zip_of(&[
                ("manifest.json", manifest("", "").as_bytes(), true),
                (
                    "images/huge.png",
                    &vec![7u8; MAX_ENTRY_BYTES as usize + 1],
                    false,
                ),
            ]),
            "over the 67108864 accepted",
        ),
        (
            "model not safetensors",
            zip_of(&[
                (
                    "manifest.json",
                    manifest("", r#", "model": "model.safetensors""#).as_bytes(),
                    true,
                ),
                (
                    "model.safetensors",
                    b"\x10\x00\x00\x00\x00\x00\x00\x00{}",
                    true,
                ),
            ]),
            "is not safetensors",
        ),
        (
            "bad settings",
            zip_of(&[(
                "manifest.json",
                manifest("", r#", "settings": {"epochs": 0}"#).as_bytes(),
                true,
            )]),
            "epochs must be in 1..=10000, got 0",
        ),
    ];
    cases.push((
        "duplicate ids",
        zip_of(&[
            (
                "manifest.json",
                manifest(
                    r#"{"file": "images/0.png", "class": 0, "id": 4}, {"file": "images/0.png", "class": 1, "id": 4}"#,
                    "",
                )
                .as_bytes(),
                true,
            ),
            ("images/0.png", &png, false),
        ]),
        "sample id 4 appears twice",
    ));
    let picture = |file: &str| {
        format!(
            r#", "behaviours": {{"classes": [{{"kind": "picture", "media": {{"file": "{file}", "name": "x.png"}}}}, {{"kind": "nothing"}}], "none_of_these": {{"kind": "nothing"}}}}"#
        )
    };
    cases.push((
        "a picture that is text",
        zip_of(&[
            (
                "manifest.json",
                manifest(one, &picture("media/0.png")).as_bytes(),
                true,
            ),
            ("images/0.png", &png, false),
            ("media/0.png", b"just text", false),
        ]),
        "“x.png” is not a picture or a sound",
    ));
    cases.push((
        "a behaviour's file missing",
        zip_of(&[
            (
                "manifest.json",
                manifest(one, &picture("media/9.png")).as_bytes(),
                true,
            ),
            ("images/0.png", &png, false),
        ]),
        "`media/9.png` is missing",
    ));
    for (what, bytes, reason) in cases {
        let message = refused(&bytes);
        assert!(message.contains(reason), "{what}: got `{message}`");
    }
}

fn small_png() -> Vec<u8> {
    let mut png = Vec::new();
    image::RgbaImage::new(10, 10)
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    png
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    /// Arbitrary bytes: an error, never a panic.
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = Bundle::from_zip(&bytes);
    }

    /// A valid bundle with bytes flipped anywhere: read or refused, never a panic.
    #[test]
    fn mutated_bundles_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16)) {
        let mut bytes = BUNDLE.with(|b| b.clone());
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= value.max(1);
        }
        let _ = Bundle::from_zip(&bytes);
    }
}

thread_local! {
    static BUNDLE: Vec<u8> = sample_bundle().to_zip().expect("zip");
}
