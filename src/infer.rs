//! Prediction: softmax probabilities read back asynchronously, top-k, and the pretrained
//! network's ImageNet classes.

use crate::error::{Error, Result};
use crate::imagenet::{GRAPH_BACKGROUND_OFFSET, class_name};
use crate::model::MobileNetV1;
use burn::prelude::*;
use burn::tensor::activation::softmax;
use serde::Serialize;

/// One class and its probability.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scored {
    /// Class index.
    pub index: usize,
    /// Softmax probability.
    pub prob: f32,
}

/// Reads a float tensor back, flattened (async: the only form that works in the browser).
pub async fn read_values<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>> {
    tensor
        .into_data_async()
        .await
        .map_err(|e| Error::Backend(format!("{e:?}")))?
        .try_into_vec::<f32>()
        .map_err(|e| Error::Backend(format!("{e:?}")))
}

/// Reads a `[N, K]` tensor back as `N` rows.
pub async fn read_rows(tensor: Tensor<2>) -> Result<Vec<Vec<f32>>> {
    let [_, width] = tensor.dims();
    let values = read_values(tensor).await?;
    Ok(values.chunks(width.max(1)).map(<[f32]>::to_vec).collect())
}

/// Softmax probabilities over all outputs of `model` for a `[N, 3, 224, 224]` input.
pub async fn probabilities(model: &MobileNetV1, input: Tensor<4>) -> Result<Vec<Vec<f32>>> {
    read_rows(softmax(model.forward(input), 1)).await
}

/// The `k` highest-probability classes, best first (ties keep the lower index first).
pub fn top_k(probs: &[f32], k: usize) -> Vec<Scored> {
    let mut order: Vec<usize> = (0..probs.len()).collect();
    order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]).then(a.cmp(&b)));
    order
        .into_iter()
        .take(k)
        .map(|index| Scored {
            index,
            prob: probs[index],
        })
        .collect()
}

/// The pooled 1024-d features of concatenated 224×224 RGB images, `batch` images per forward
/// pass: N×1024 values.
pub async fn embed_images(
    model: &MobileNetV1,
    rgb: &[u8],
    batch: usize,
    device: &Device,
) -> Result<Vec<f32>> {
    prefix_values(model, rgb, batch, device, crate::model::BLOCK_COUNT).await
}

/// The frozen prefix's output ([`crate::model::run_prefix`]: the input of block `first_block`,
/// pooled for the last) for concatenated 224×224 RGB images, `batch` images per forward pass:
/// N×C×H×W values.
pub async fn prefix_values(
    model: &MobileNetV1,
    rgb: &[u8],
    batch: usize,
    device: &Device,
    first_block: usize,
) -> Result<Vec<f32>> {
    let [c, h, w] = crate::model::boundary_shape(first_block);
    let mut values = Vec::with_capacity(crate::data::image_count(rgb)? * c * h * w);
    for images in rgb.chunks(batch.max(1) * crate::data::RGB_IMAGE_BYTES) {
        let input = crate::data::rgb_to_input(images, device)?;
        let boundary = crate::model::run_prefix(model, input, first_block);
        values.extend(read_values(boundary).await?);
    }
    Ok(values)
}

/// An ImageNet class of the pretrained network's prediction.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImagenetPrediction {
    /// ImageNet-1k index (0–999).
    pub index: usize,
    /// Its name.
    pub label: &'static str,
    /// Softmax probability over all 1001 outputs.
    pub prob: f32,
}

/// The `k` most probable ImageNet classes of each image of a `[N, 3, 224, 224]` input.
/// Output 0 ("background") stays in the softmax sum but is never ranked.
pub async fn imagenet_top_k(
    model: &MobileNetV1,
    input: Tensor<4>,
    k: usize,
) -> Result<Vec<Vec<ImagenetPrediction>>> {
    let rows = probabilities(model, input).await?;
    Ok(rows
        .iter()
        .map(|row| {
            top_k(&row[GRAPH_BACKGROUND_OFFSET.min(row.len())..], k)
                .into_iter()
                .map(|s| ImagenetPrediction {
                    index: s.index,
                    label: class_name(s.index).unwrap_or("?"),
                    prob: s.prob,
                })
                .collect()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_orders_by_probability() {
        let top = top_k(&[0.1, 0.5, 0.1, 0.3], 3);
        let indices: Vec<usize> = top.iter().map(|s| s.index).collect();
        assert_eq!(indices, [1, 3, 0]);
        assert!(top_k(&[], 5).is_empty());
    }
}
