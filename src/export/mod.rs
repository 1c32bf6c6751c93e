//! A trained model in formats other tools load: ONNX (any ONNX runtime).

pub mod onnx;
mod onnx_proto;

pub use onnx::{OPSET, to_onnx};
