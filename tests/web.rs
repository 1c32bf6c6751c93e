//! The model in real browsers (wasm-pack test --headless --chrome / --firefox), on Flex and WebGPU.
#![cfg(target_arch = "wasm32")]

use burn::prelude::*;
use burnish::data::{RGB_IMAGE_BYTES, rgb_to_input};
use burnish::infer::{probabilities, top_k};
use burnish::weights::load_mobilenet;
use serde::Deserialize;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Converted by `npm run setup`; embedded in the test build, not committed to git.
const WEIGHTS: &[u8] = include_bytes!("../www/models/mobilenet_v1_1.0_224.safetensors");
const GOLDEN: &str = include_str!("fixtures/golden.json");
const IMAGES: [(&str, &[u8]); 6] = [
    ("chelsea", include_bytes!("fixtures/images/chelsea.png")),
    ("coffee", include_bytes!("fixtures/images/coffee.png")),
    ("rocket", include_bytes!("fixtures/images/rocket.png")),
    ("astronaut", include_bytes!("fixtures/images/astronaut.png")),
    ("dog", include_bytes!("fixtures/images/dog.png")),
    ("eagle", include_bytes!("fixtures/images/eagle.png")),
];

#[derive(Deserialize)]
struct GoldenImage {
    name: String,
    top5_graph_index: Vec<usize>,
}

#[derive(Deserialize)]
struct Golden {
    images: Vec<GoldenImage>,
}

/// `value` as the page sends it: a plain JS object (`to_value` would make a `Map`, whose entries
/// `TrainConfig` does not see: every setting would silently take its default).
fn js_object(value: serde_json::Value) -> wasm_bindgen::JsValue {
    use serde::Serialize;
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&serializer).expect("serialises")
}

/// Classes as the page opens a project with them: `[{ id, name }]`, ids 0, 1, ….
fn classes(names: &[&str]) -> wasm_bindgen::JsValue {
    let classes: Vec<_> = (names.iter().enumerate())
        .map(|(id, name)| serde_json::json!({ "id": id, "name": name }))
        .collect();
    js_object(serde_json::Value::Array(classes))
}

/// The default settings, as a page with nothing saved sends them.
fn defaults() -> wasm_bindgen::JsValue {
    js_object(serde_json::json!({}))
}

fn rgb(png: &[u8]) -> Vec<u8> {
    let img = image::load_from_memory(png)
        .expect("fixture decodes")
        .to_rgb8();
    assert_eq!(img.as_raw().len(), RGB_IMAGE_BYTES);
    img.into_raw()
}

/// Runs all golden images as one batch on `device` and checks every top-1 against TensorFlow's.
async fn assert_golden_top1(device: Device) {
    let golden: Golden = serde_json::from_str(GOLDEN).expect("golden.json");
    let model = load_mobilenet(WEIGHTS, &device).expect("weights load");
    let pixels: Vec<u8> = IMAGES.iter().flat_map(|(_, png)| rgb(png)).collect();
    let input = rgb_to_input(&pixels, &device).expect("input");
    let probs = probabilities(&model, input).await.expect("forward");
    for ((name, _), row) in IMAGES.iter().zip(&probs) {
        let reference = golden
            .images
            .iter()
            .find(|g| g.name == *name)
            .expect("in golden.json");
        let top1 = top_k(row, 1)[0].index;
        assert_eq!(top1, reference.top5_graph_index[0], "{name}: top-1 differs");
    }
}

#[wasm_bindgen_test]
async fn golden_top1_on_flex() {
    assert_golden_top1(Device::flex()).await;
}

#[wasm_bindgen_test]
async fn golden_top1_on_webgpu() {
    let device = burnish::web::device_for("webgpu")
        .await
        .map_err(wasm_bindgen::JsValue::from)
        .expect("this browser exposes a WebGPU adapter");
    assert_golden_top1(device).await;
}

#[wasm_bindgen_test]
async fn project_api_predicts_imagenet_labels() {
    let classifier =
        burnish::web::Project::create(WEIGHTS.to_vec(), "flex".into(), classes(&[]), defaults())
            .await
            .map_err(wasm_bindgen::JsValue::from)
            .expect("classifier");
    let value = classifier
        .predict_imagenet(rgb(IMAGES[1].1), 3)
        .await
        .map_err(wasm_bindgen::JsValue::from)
        .expect("prediction");
    #[derive(Deserialize)]
    struct P {
        index: usize,
        label: String,
    }
    let top: Vec<P> = serde_wasm_bindgen::from_value(value).expect("shape");
    assert_eq!(top.len(), 3);
    assert_eq!(top[0].index, 967);
    assert_eq!(top[0].label, "espresso");
}

#[wasm_bindgen_test]
async fn project_refuses_bad_input() {
    let err =
        burnish::web::Project::create(b"garbage".to_vec(), "flex".into(), classes(&[]), defaults())
            .await;
    assert!(err.is_err());
    let err =
        burnish::web::Project::create(WEIGHTS.to_vec(), "quantum".into(), classes(&[]), defaults())
            .await;
    assert!(err.is_err());
    use wasm_bindgen::JsCast;
    // Settings in a Map (what `serde_wasm_bindgen::to_value` makes of JSON) would be read as
    // all defaults: refused, saying what to send.
    let project =
        burnish::web::Project::create(WEIGHTS.to_vec(), "flex".into(), classes(&[]), defaults())
            .await
            .map_err(wasm_bindgen::JsValue::from)
            .expect("project");
    let map = serde_wasm_bindgen::to_value(&serde_json::json!({ "epochs": 5 })).expect("map");
    assert!(map.is_instance_of::<js_sys::Map>());
    let err = project
        .set_config(map)
        .await
        .map_err(wasm_bindgen::JsValue::from)
        .expect_err("a Map is refused");
    let message = String::from(js_sys::Error::from(err).message());
    assert!(message.contains("plain object"), "{message}");
    // Typed values only: a form's string "1" is not a number of blocks.
    let err = project
        .set_config(js_object(serde_json::json!({ "fine_tune_blocks": "1" })))
        .await
        .map_err(wasm_bindgen::JsValue::from)
        .expect_err("a numeric string is refused");
    let message = String::from(js_sys::Error::from(err).message());
    assert!(
        message.contains("auto\" or a number of blocks"),
        "{message}"
    );
}

/// Trains animals vs things on the golden photos through the JS-facing `Project`, then checks
/// classification and export → install on `backend`.
async fn project_round_trip(backend: &str) {
    use burnish::web::Project;
    let js = |e: wasm_bindgen::JsError| wasm_bindgen::JsValue::from(e);
    // The settings arrive with the classes when the project opens (nothing sent again).
    let config = js_object(serde_json::json!({
        "epochs": 8, "batch_size": 6, "learning_rate": 0.003, "validation_fraction": 0.0, "seed": 3,
        // The last block fine-tuned for two epochs after the head's eight (bounded on a
        // software WebGPU adapter); the augmented view bank is covered natively.
        "fine_tune_blocks": 1, "fine_tune_epochs": 2, "augment": false
    }));
    let project = Project::create(
        WEIGHTS.to_vec(),
        backend.into(),
        classes(&["animal", "thing"]),
        config,
    )
    .await
    .map_err(js)
    .expect("project");
    for (name, png) in IMAGES {
        let class = f64::from(u8::from(!["chelsea", "dog", "eagle"].contains(&name)));
        project
            .add_sample(class, rgb(png))
            .await
            .map_err(js)
            .expect("sample");
    }
    assert_eq!(
        project
            .pending_embeddings()
            .await
            .map_err(js)
            .expect("pending"),
        IMAGES.len()
    );
    assert_eq!(
        project.embed_pending(100).await.map_err(js).expect("embed"),
        0
    );
    #[derive(Deserialize)]
    struct Epoch {
        train_loss: f32,
        done: bool,
    }
    let mut losses = Vec::new();
    // A Stop with no run in progress is for none: the run started next trains every epoch.
    project.stop().await.map_err(js).expect("stop");
    project.start_training().await.map_err(js).expect("start");
    loop {
        let value = project.train_epoch().await.map_err(js).expect("epoch");
        let epoch: Epoch = serde_wasm_bindgen::from_value(value).expect("metrics");
        losses.push(epoch.train_loss);
        if epoch.done {
            break;
        }
    }
    assert_eq!(
        losses.len(),
        8 + 2,
        "{backend}: the settings' 8 head and 2 block epochs"
    );
    assert!(
        losses[losses.len() - 1] < losses[0],
        "{backend}: loss falls {losses:?}"
    );
    #[derive(Deserialize, PartialEq, Debug)]
    struct Classification {
        probs: Vec<f32>,
        best: usize,
        none_of_these: bool,
    }
    let classify = async |png: &[u8]| -> Classification {
        let value = project
            .classify(rgb(png), None)
            .await
            .map_err(js)
            .expect("classify");
        serde_wasm_bindgen::from_value(value).expect("shape")
    };
    let cat = classify(IMAGES[0].1).await;
    let coffee = classify(IMAGES[1].1).await;
    assert_eq!((cat.best, coffee.best), (0, 1), "{backend}");
    assert!(
        !cat.none_of_these && !coffee.none_of_these,
        "{backend}: taught photos are known"
    );

    let bytes = project.export_model().await.map_err(js).expect("export");
    #[derive(Deserialize)]
    struct Meta {
        class_names: Vec<String>,
    }
    let meta = project
        .install_model(bytes)
        .await
        .map_err(js)
        .expect("install");
    let meta: Meta = serde_wasm_bindgen::from_value(meta).expect("meta");
    assert_eq!(meta.class_names, ["animal", "thing"]);
    assert_eq!(
        classify(IMAGES[0].1).await,
        cat,
        "{backend}: install reproduces predictions"
    );
}

/// A project's bundle crosses the boundary with its sample ids, classes and PNG bytes intact.
#[wasm_bindgen_test]
async fn bundles_round_trip_through_the_boundary() {
    use burnish::web::{Project, read_bundle};
    use wasm_bindgen::JsCast;
    let js = |e: wasm_bindgen::JsError| wasm_bindgen::JsValue::from(e);
    let png = burnish::bundle::encode_png(&rgb(IMAGES[0].1)).expect("png");
    let project = Project::create(
        WEIGHTS.to_vec(),
        "flex".into(),
        classes(&["a", "b"]),
        defaults(),
    )
    .await
    .map_err(js)
    .expect("project");
    project
        .insert_sample_png(7.0, 1.0, png.clone())
        .await
        .map_err(js)
        .expect("add");
    let zip = project
        .write_bundle(Some(2.5), wasm_bindgen::JsValue::NULL)
        .await
        .map_err(js)
        .expect("zip");
    let value = read_bundle(zip).await.map_err(js).expect("read");
    #[derive(Deserialize)]
    struct View {
        class_names: Vec<String>,
        strictness: Option<f32>,
        next_ids: NextIds,
        samples: Vec<Sample>,
    }
    #[derive(Deserialize)]
    struct NextIds {
        class: u64,
        sample: u64,
    }
    #[derive(Deserialize)]
    struct Sample {
        id: u64,
        label: usize,
        #[serde(with = "serde_bytes")]
        png: Vec<u8>,
    }
    let png_is_bytes = js_sys::Reflect::get(&value, &"samples".into())
        .and_then(|samples| js_sys::Reflect::get(&samples, &0.into()))
        .and_then(|sample| js_sys::Reflect::get(&sample, &"png".into()))
        .map(|png| png.is_instance_of::<js_sys::Uint8Array>());
    assert_eq!(
        png_is_bytes.ok(),
        Some(true),
        "a PNG reaches JS as a Uint8Array"
    );
    let view: View = serde_wasm_bindgen::from_value(value).expect("shape");
    assert_eq!(view.class_names, ["a", "b"]);
    assert_eq!(view.strictness, Some(2.5));
    assert_eq!((view.samples[0].id, view.samples[0].label), (7, 1));
    assert_eq!((view.next_ids.class, view.next_ids.sample), (2, 8));
    assert_eq!(view.samples[0].png, png);
}

#[wasm_bindgen_test]
async fn project_trains_predicts_and_round_trips_on_flex() {
    project_round_trip("flex").await;
}

#[wasm_bindgen_test]
async fn project_trains_predicts_and_round_trips_on_webgpu() {
    project_round_trip("webgpu").await;
}

/// The pool's protocol through the boundary: a `FrozenPrefix` (another wasm instance's copy of
/// the weights, in the page) computes the work a `Project` hands out, the project caches it and
/// refuses the same work twice; its pooled output equals the project's own embeddings.
#[wasm_bindgen_test]
async fn frozen_prefix_runs_the_work_a_project_hands_out() {
    use burnish::web::{FrozenPrefix, Project};
    use js_sys::{Reflect, Uint8Array};
    let js = |e: wasm_bindgen::JsError| wasm_bindgen::JsValue::from(e);
    let field = |v: &wasm_bindgen::JsValue, name: &str| Reflect::get(v, &name.into()).expect(name);
    let project = Project::create(
        WEIGHTS.to_vec(),
        "flex".into(),
        classes(&["a", "b"]),
        defaults(),
    )
    .await
    .map_err(js)
    .expect("project");
    for (i, (_, png)) in IMAGES.iter().enumerate() {
        project
            .add_sample((i % 2) as f64, rgb(png))
            .await
            .map_err(js)
            .expect("sample");
    }
    let config = js_object(serde_json::json!({
        "fine_tune_blocks": 1, "augment": false
    }));
    project
        .set_config(config)
        .await
        .map_err(js)
        .expect("config");
    let prefix = FrozenPrefix::create(WEIGHTS.to_vec())
        .await
        .map_err(js)
        .expect("prefix");
    let pending = project.embed_pending(0).await.map_err(js).expect("count");
    let work = project
        .pending_prefix_work(4)
        .await
        .map_err(js)
        .expect("work");
    let (slots, pixels) = (
        field(&work, "slots"),
        Uint8Array::from(field(&work, "pixels")).to_vec(),
    );
    let first_block = field(&work, "first_block").as_f64().expect("number") as usize;
    assert_eq!((pixels.len(), first_block), (4 * RGB_IMAGE_BYTES, 12));
    let values = prefix
        .run(pixels, first_block)
        .await
        .map_err(js)
        .expect("run");
    let insert = project.insert_prefix_work(slots.clone(), first_block, values.clone());
    assert_eq!(insert.await.map_err(js).expect("inserted"), pending - 4);
    let again = project.insert_prefix_work(slots, first_block, values).await;
    assert!(again.is_err(), "the same work twice is stale");
    // Block 13's input, pooled: the pretrained embedding, as the project computes it.
    let one = rgb(IMAGES[0].1);
    let pooled = prefix
        .run(one.clone(), 13)
        .await
        .map_err(js)
        .expect("pooled");
    let own = project
        .embed_images(one)
        .await
        .map_err(js)
        .expect("embedding");
    let diff = pooled
        .iter()
        .zip(&own)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    assert!(pooled.len() == 1024 && diff < 1e-5, "max difference {diff}");
}
