//! burnish: teach a pretrained MobileNetV1 new classes, natively or in the browser.
//!
//! The core (everything but `web`) is plain Rust over burn's backend-agnostic `Tensor`, tested
//! natively on the Flex CPU backend; `web` is the only `wasm_bindgen` surface.

pub mod data;
pub mod error;
pub mod export;
pub mod heatmap;
pub mod imagenet;
pub mod infer;
pub mod model;
pub mod train;
pub mod weights;

pub mod convert;
#[cfg(not(target_arch = "wasm32"))]
pub mod image_file;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::Error;
pub use model::{MobileNetV1, MobileNetV1Config};
pub use train::bundle;
