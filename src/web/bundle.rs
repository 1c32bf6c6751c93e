//! Project bundles (zip) for the page: read and validated (a project writes its own:
//! `Project.writeBundle`).

use super::to_js;
use crate::bundle::Bundle;
use wasm_bindgen::prelude::*;

/// Reads and validates a project bundle: the core's `Bundle` (`{ class_names, settings,
/// strictness, next_ids, samples: [{ id, label, png }], model }`), or an error naming what is
/// wrong.
#[wasm_bindgen(js_name = readBundle)]
pub async fn read_bundle(bytes: Vec<u8>) -> Result<JsValue, JsError> {
    to_js(&Bundle::from_zip(&bytes)?)
}
