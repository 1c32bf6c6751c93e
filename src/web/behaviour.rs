//! Behaviours for JS: checked by the core, so the page and the CLI refuse the same files with the
//! same reasons.

use super::to_js;
use crate::train::Behaviour;
use wasm_bindgen::prelude::*;

/// Checks a behaviour (`{ kind: 'nothing' | 'text' | 'picture' | 'sound', … }`, a media as
/// `{ name, type, bytes }` — its type is read from the bytes): returns it checked, with its
/// media's type, or throws the reason (not an image or audio, over 5 MB, a bad colour…).
#[wasm_bindgen(js_name = checkBehaviour)]
pub fn check_behaviour(behaviour: JsValue) -> Result<JsValue, JsError> {
    let behaviour: Behaviour = serde_wasm_bindgen::from_value(behaviour)?;
    to_js(&behaviour.validate()?)
}
