//! Prediction: softmax probabilities read back asynchronously, and top-k.

use crate::error::{Error, Result};
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
