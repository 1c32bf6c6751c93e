//! A trained model in formats other tools load: ONNX (any ONNX runtime), TF.js Layers in
//! Teachable Machine's layout, and burnish's own `.safetensors`; and a trained project as a
//! standalone web app (`app`).

pub mod app;
pub mod onnx;
mod onnx_proto;
pub mod tfjs;

use crate::error::{Error, Result};
use crate::infer::read_values;
use crate::model::{ConvBnRelu6, MobileNetV1};
use crate::train::TrainedModel;
use burn::module::Param;
use burn::nn::Linear;
use burn::prelude::*;
use serde::{Deserialize, Serialize};
use std::io::Write;

pub use onnx::{OPSET, to_onnx};
pub use tfjs::to_tfjs;

/// A format a trained model can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelFormat {
    /// One `model.onnx`: the whole classifier.
    Onnx,
    /// `model.json` + `weights.bin` + `metadata.json`, as Teachable Machine exports them.
    Tfjs,
    /// burnish's `model.safetensors` (the tail and the "none of these" prototypes).
    Safetensors,
}

/// One file of an exported model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExportedFile {
    /// File name (no folders).
    pub name: String,
    /// Contents.
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
}

/// The trained `model` on `base` (the pretrained network, as loaded) as `format`'s files; a
/// format that says "none of these" does so at `strictness` (percent of known images flagged);
/// one that records when it was made says `created_ms` (milliseconds since the Unix epoch).
pub async fn export_model(
    model: &TrainedModel,
    base: &MobileNetV1,
    format: ModelFormat,
    strictness: f32,
    created_ms: i64,
) -> Result<Vec<ExportedFile>> {
    let file = |name: &str, bytes| ExportedFile {
        name: name.into(),
        bytes,
    };
    Ok(match format {
        ModelFormat::Onnx => vec![file("model.onnx", to_onnx(model, base, strictness).await?)],
        ModelFormat::Tfjs => to_tfjs(model, base, created_ms).await?,
        ModelFormat::Safetensors => vec![file("model.safetensors", model.to_safetensors().await?)],
    })
}

/// The model as one download: `format`'s single file, or its files in `burnish-<format>.zip`.
pub async fn export_model_file(
    model: &TrainedModel,
    base: &MobileNetV1,
    format: ModelFormat,
    strictness: f32,
    created_ms: i64,
) -> Result<ExportedFile> {
    let mut files = export_model(model, base, format, strictness, created_ms).await?;
    if files.len() == 1 {
        return Ok(files.remove(0));
    }
    Ok(ExportedFile {
        name: format!("burnish-{}.zip", format.name()),
        bytes: zip_files(&files)?,
    })
}

impl ModelFormat {
    /// Its name as settings and file names spell it (`onnx`, `tfjs`, `safetensors`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Onnx => "onnx",
            Self::Tfjs => "tfjs",
            Self::Safetensors => "safetensors",
        }
    }
}

/// Several files as one zip (stored uncompressed: weights do not deflate).
pub fn zip_files(files: &[ExportedFile]) -> Result<Vec<u8>> {
    let bad = |e: &dyn std::fmt::Display| Error::InvalidArgument(format!("zip: {e}"));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for file in files {
        zip.start_file(file.name.as_str(), options)
            .map_err(|e| bad(&e))?;
        zip.write_all(&file.bytes).map_err(|e| bad(&e))?;
    }
    Ok(zip.finish().map_err(|e| bad(&e))?.into_inner())
}

/// A convolution with its BatchNorm folded in, read back for writing.
struct FoldedConv {
    /// `[out, in / groups, kh, kw]`.
    dims: [usize; 4],
    /// Row-major weights of that shape.
    weight: Vec<f32>,
    /// One per output channel.
    bias: Vec<f32>,
    stride: [usize; 2],
    groups: usize,
}

async fn read_folded_conv(layer: &ConvBnRelu6) -> Result<FoldedConv> {
    let layer = layer.folded();
    let conv = &layer.conv;
    let dims = conv.weight.dims();
    Ok(FoldedConv {
        dims,
        weight: read_values(conv.weight.val()).await?,
        bias: read_bias(conv.bias.as_ref(), dims[0]).await?,
        stride: conv.stride,
        groups: conv.groups,
    })
}

/// A dense layer read back for writing: `[in, out]` weights (burn's layout, as `Gemm` and Keras'
/// `Dense` read them) and the bias (zeros without one).
struct DenseWeights {
    dims: [usize; 2],
    weight: Vec<f32>,
    bias: Vec<f32>,
}

async fn read_dense(layer: &Linear) -> Result<DenseWeights> {
    let dims = layer.weight.dims();
    Ok(DenseWeights {
        dims,
        weight: read_values(layer.weight.val()).await?,
        bias: read_bias(layer.bias.as_ref(), dims[1]).await?,
    })
}

/// A layer's bias read back, or `len` zeros when it has none.
async fn read_bias(bias: Option<&Param<Tensor<1>>>, len: usize) -> Result<Vec<f32>> {
    match bias {
        Some(bias) => read_values(bias.val()).await,
        None => Ok(vec![0.0; len]),
    }
}
