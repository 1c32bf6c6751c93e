//! The CLI's bundle commands: `burnish export` writes a folder as a bundle the app accepts, and
//! `burnish train --project … --out-project …` writes it back with a model that loads; `burnish
//! behave` sets what the app does per class and `burnish export-app` packs the web app.
#![cfg(not(target_arch = "wasm32"))]

use burnish::bundle::{Bundle, decode_png};
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images")
}

/// `burnish ARGS`, run to its end.
fn output(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_burnish"))
        .args(args)
        .output()
        .expect("run burnish")
}

fn burnish(args: &[&str]) -> String {
    let out = output(args);
    assert!(
        out.status.success(),
        "burnish {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn class_folder(dir: &Path) {
    for (class, photos) in [
        ("animal", ["dog", "eagle"]),
        ("thing", ["coffee", "rocket"]),
    ] {
        std::fs::create_dir_all(dir.join(class)).expect("mkdir");
        for photo in photos {
            let name = format!("{photo}.png");
            std::fs::copy(fixtures().join(&name), dir.join(class).join(name)).expect("copy");
        }
    }
}

#[test]
fn export_then_train_the_bundle_and_write_it_back() {
    let dir = std::env::temp_dir().join(format!("burnish-cli-{}", std::process::id()));
    class_folder(&dir.join("data"));
    let bundle = dir.join("project.zip");
    let s = |p: &Path| p.to_str().expect("utf-8 path").to_owned();
    burnish(&["export", &s(&dir.join("data")), "--out", &s(&bundle)]);
    let exported = Bundle::from_zip(&std::fs::read(&bundle).expect("read")).expect("valid");
    assert_eq!(exported.class_names, ["animal", "thing"]);
    assert_eq!(exported.samples.len(), 4);
    assert!(exported.model.is_none());
    // Lossless: the PNG holds the 224² photo's pixels exactly.
    let dog = image::open(fixtures().join("dog.png"))
        .expect("png")
        .to_rgb8()
        .into_raw();
    assert_eq!(decode_png(&exported.samples[0].png).expect("png"), dog);
    // A project whose "none of these" strictness was set in the app.
    let with_strictness = Bundle {
        strictness: Some(3.0),
        ..exported.clone()
    };
    std::fs::write(&bundle, with_strictness.to_zip().expect("zip")).expect("write");

    let trained = dir.join("trained.zip");
    let model = dir.join("model.safetensors");
    let stdout = burnish(&[
        "train",
        "--project",
        &s(&bundle),
        "--epochs",
        "3",
        "--out",
        &s(&model),
        "--out-project",
        &s(&trained),
    ]);
    assert!(
        stdout.lines().count() >= 2,
        "epoch lines and a summary: {stdout}"
    );
    let back = Bundle::from_zip(&std::fs::read(&trained).expect("read")).expect("valid");
    assert_eq!(back.samples, exported.samples);
    assert_eq!(back.settings.as_ref().map(|c| c.epochs), Some(3));
    assert_eq!(back.strictness, Some(3.0), "the strictness travels on");
    assert_eq!(
        back.model.as_deref(),
        Some(std::fs::read(&model).expect("model").as_slice())
    );

    // Behaviours: set by class name (a refused file says why), listed, and packed into the app.
    let dog = s(&fixtures().join("dog.png"));
    let refused = run(&[
        "behave",
        "--project",
        &s(&trained),
        "--class",
        "animal",
        "--sound",
        &dog,
    ]);
    assert!(refused.contains("“dog.png” is not a sound"), "{refused}");
    burnish(&[
        "behave",
        "--project",
        &s(&trained),
        "--class",
        "animal",
        "--text",
        "Woof",
        "--color",
        "#ff0000",
    ]);
    burnish(&[
        "behave",
        "--project",
        &s(&trained),
        "--class",
        "none",
        "--picture",
        &dog,
    ]);
    let listed = burnish(&["behave", "--project", &s(&trained)]);
    assert!(
        listed.contains("Woof") && listed.contains("dog.png"),
        "{listed}"
    );
    let runtime = dir.join("runtime.zip");
    std::fs::write(
        &runtime,
        zip_of(&[("index.html", b"<title>%TITLE%</title>"), ("app.js", b"//")]),
    )
    .expect("write");
    let app = dir.join("app.zip");
    let untrained = run(&[
        "export-app",
        "--project",
        &s(&bundle),
        "--runtime",
        &s(&runtime),
        "--out",
        &s(&app),
    ]);
    assert!(
        untrained.contains("has no trained model: train it first"),
        "{untrained}"
    );
    burnish(&[
        "export-app",
        "--project",
        &s(&trained),
        "--runtime",
        &s(&runtime),
        "--title",
        "Pets & things",
        "--out",
        &s(&app),
    ]);
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(std::fs::read(&app).expect("app"))).expect("zip");
    let mut entry =
        |name: &str| std::io::read_to_string(zip.by_name(name).expect(name)).expect("utf-8");
    assert_eq!(entry("index.html"), "<title>Pets &amp; things</title>");
    let config: serde_json::Value = serde_json::from_str(&entry("app.json")).expect("json");
    assert_eq!(config["classes"], serde_json::json!(["animal", "thing"]));
    assert_eq!(config["behaviours"]["classes"][0]["text"], "Woof");
    assert_eq!(
        config["behaviours"]["none_of_these"]["media"]["file"],
        "media/0.png"
    );
    assert_eq!(config["strictness"], 3.0);
    assert!(zip.by_name("media/0.png").is_ok() && zip.by_name("model.safetensors").is_ok());
    std::fs::remove_dir_all(&dir).ok();
}

/// `burnish ARGS` that must fail: its stderr.
fn run(args: &[&str]) -> String {
    let out = output(args);
    assert!(!out.status.success(), "burnish {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("entry");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("zip").into_inner()
}
