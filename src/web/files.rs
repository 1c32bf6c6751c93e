//! The files a project writes for JS: its model (in any export format), its bundle and its
//! standalone web app.

use super::project::Project;
use super::to_js;
use crate::bundle::Bundle;
use crate::export::app::write_app;
use crate::export::{ModelFormat, export_model_file};
use crate::train::Behaviours;
use wasm_bindgen::prelude::*;

/// Behaviours from JS (`{ classes: [...], none_of_these }`, media bytes as `Uint8Array`s), or none.
fn behaviours_from_js(value: JsValue) -> Result<Option<Behaviours>, JsError> {
    Ok(serde_wasm_bindgen::from_value(value)?)
}

// Borrows are held across awaits on purpose, as in project.rs: an overlapping call fails with "busy".
#[allow(clippy::await_holding_refcell_ref)]
#[wasm_bindgen]
impl Project {
    /// The trained model as `.safetensors` bytes.
    #[wasm_bindgen(js_name = exportModel)]
    pub async fn export_model(&self) -> Result<Vec<u8>, JsError> {
        let model = self.core()?.trained().cloned();
        let model = model.ok_or_else(|| JsError::new("no trained model yet: train first"))?;
        Ok(model.to_safetensors().await?)
    }

    /// The similarity under which the trained model answers "none of these" at `strictness`.
    #[wasm_bindgen(js_name = noneOfTheseBelow)]
    pub async fn none_of_these_below(&self, strictness: f32) -> Result<f32, JsError> {
        let core = self.core()?;
        let model = core.trained();
        let model = model.ok_or_else(|| JsError::new("no trained model yet: train first"))?;
        Ok(model.meta.novelty.threshold(strictness))
    }

    /// The trained model in `format` (`"onnx"`, `"tfjs"`, `"safetensors"`; "none of these" at
    /// `strictness`): one file, or a zip of the format's files (`{ name, bytes }`), and how long
    /// writing it took (`ms`).
    #[wasm_bindgen(js_name = exportModelAs)]
    pub async fn export_model_as(
        &self,
        format: JsValue,
        strictness: f32,
    ) -> Result<JsValue, JsError> {
        let started = crate::web::clock::now_ms();
        let format: ModelFormat = serde_wasm_bindgen::from_value(format)?;
        let core = self.core()?;
        let model = core.trained().cloned();
        let model = model.ok_or_else(|| JsError::new("no trained model yet: train first"))?;
        let created_ms = js_sys::Date::now() as i64;
        let file = export_model_file(&model, core.base(), format, strictness, created_ms).await?;
        #[derive(serde::Serialize)]
        struct Exported {
            name: String,
            #[serde(with = "serde_bytes")]
            bytes: Vec<u8>,
            ms: f64,
        }
        to_js(&Exported {
            name: file.name,
            bytes: file.bytes,
            ms: crate::web::clock::now_ms() - started,
        })
    }

    /// The whole project as a bundle (zip bytes) with this "none of these" strictness and these
    /// behaviours (none: nothing for every class).
    #[wasm_bindgen(js_name = writeBundle)]
    pub async fn write_bundle(
        &self,
        strictness: Option<f32>,
        behaviours: JsValue,
    ) -> Result<Vec<u8>, JsError> {
        let behaviours = behaviours_from_js(behaviours)?;
        let bundle = Bundle::of_project(&*self.core()?, strictness, behaviours).await?;
        Ok(bundle.to_zip()?)
    }

    /// The project's standalone web app (zip bytes): its trained model with the "none of
    /// these" `strictness`, `behaviours`, `title` (default: the class names), the app's page and
    /// runtime (`runtime`: the zip `www/pkg/app-runtime.zip`) and the base `weights` it loaded.
    #[wasm_bindgen(js_name = writeApp)]
    pub async fn write_app(
        &self,
        strictness: Option<f32>,
        behaviours: JsValue,
        title: Option<String>,
        runtime: Vec<u8>,
        weights: Vec<u8>,
    ) -> Result<Vec<u8>, JsError> {
        let behaviours = behaviours_from_js(behaviours)?;
        let core = self.core()?;
        let model = core.trained().cloned();
        let model = model.ok_or_else(|| JsError::new("no trained model yet: train first"))?;
        let class_names = model.meta.class_names.clone();
        let behaviours = Behaviours::checked_or_nothing(behaviours, class_names.len())?;
        let bundle = Bundle {
            class_names,
            strictness,
            model: Some(model.to_safetensors().await?),
            behaviours,
            ..Bundle::default()
        };
        Ok(write_app(&bundle, &runtime, &weights, title.as_deref())?)
    }
}
