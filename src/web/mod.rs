//! The browser API: the only `wasm_bindgen` code. It mirrors the core mechanically — every
//! export an `async fn … -> Result<T, JsError>`, results as `Serialize` structs through
//! `serde-wasm-bindgen`, core errors mapped by `?` — and holds no logic of its own.

mod behaviour;
mod bundle;
mod clock;
mod device;
mod files;
mod prefix;
mod project;

pub use behaviour::check_behaviour;
pub use bundle::read_bundle;
pub use device::device_for;
pub use prefix::FrozenPrefix;
pub use project::Project;

use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
fn start() {
    device::run_constructors();
    console_error_panic_hook::set_once();
}

/// A core value as a plain JS value: objects for maps, numbers for integers, null for None, and
/// `Uint8Array` for byte buffers (`json_compatible` would make them arrays of numbers).
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let serializer = serde_wasm_bindgen::Serializer::new()
        .serialize_missing_as_null(true)
        .serialize_maps_as_objects(true);
    Ok(value.serialize(&serializer)?)
}

/// Settings from JS: a plain object (or null for an `Option`). A `Map` is refused: its entries are
/// not properties, so every field would silently take its default.
fn settings_from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T, JsError> {
    if value.is_instance_of::<js_sys::Map>() {
        return Err(JsError::new(
            "settings must be a plain object ({ epochs: 20, … }), not a Map",
        ));
    }
    Ok(serde_wasm_bindgen::from_value(value)?)
}

/// Every training setting with its range (`schema`), the default settings (`defaults`) and
/// the default "none of these" strictness: what the page builds its controls from.
#[wasm_bindgen(js_name = trainingSettings)]
pub async fn training_settings() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct Settings {
        schema: Vec<crate::train::Setting>,
        defaults: crate::train::TrainConfig,
        default_strictness: f32,
    }
    to_js(&Settings {
        schema: crate::train::TrainConfig::settings(),
        defaults: crate::train::TrainConfig::default(),
        default_strictness: crate::train::DEFAULT_STRICTNESS,
    })
}

/// Converts a frozen TF-slim MobileNetV1 graph (`.pb` bytes) into the weights the page loads
/// (safetensors bytes): the converter of `burnish convert`, run by `.ci/convert-weights.mjs`
/// under Node so that setting up needs no native build.
#[wasm_bindgen(js_name = convertFrozenGraph)]
pub fn convert_frozen_graph(pb: Vec<u8>) -> Result<Vec<u8>, JsError> {
    Ok(crate::convert::convert_frozen_graph(&pb)?)
}

/// ImageNet-1k's class names, by index (what `burnish convert` writes beside the weights).
#[wasm_bindgen(js_name = imagenetClassNames)]
pub fn imagenet_class_names() -> Vec<String> {
    crate::imagenet::class_names()
}
