//! Why the model answered: a Grad-CAM class-activation map (Selvaraju et al., 2017, "Grad-CAM:
//! Visual Explanations from Deep Networks via Gradient-based Localization") on the network's last
//! convolutional block — the output of the fine-tuned blocks when the run fine-tuned any, else
//! of the pretrained ones — with the gradient of the class's logit taken by autodiff through the
//! pooling and the trained head.

use super::trained::{TrainedModel, argmax};
use crate::error::{Error, Result};
use crate::infer::read_values;
use crate::model::{MobileNetV1, global_average_pool};
use burn::prelude::*;
use serde::Serialize;

/// Where in an image a class's evidence lies: one value a cell of the last block's grid.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActivationMap {
    /// The class explained (its label).
    pub class: usize,
    /// Cells a side (7: the last block's grid over the 224² input, 32 pixels a cell).
    pub side: usize,
    /// `side × side` values, row-major: 0 (no evidence) to 1 (the strongest; all 0 when nothing
    /// in the image speaks for the class).
    pub heat: Vec<f32>,
}

impl ActivationMap {
    /// A 7×7 map of class 0 with all its evidence in one cell (for tests).
    #[cfg(test)]
    pub(crate) fn one_cell(cell: usize) -> Self {
        let mut heat = vec![0.0; 49];
        heat[cell] = 1.0;
        Self {
            class: 0,
            side: 7,
            heat,
        }
    }

    /// The cell with the strongest evidence: `(row, column)`.
    pub fn peak(&self) -> (usize, usize) {
        let (at, _) = argmax(&self.heat);
        (at / self.side, at % self.side)
    }

    /// Where the strongest evidence is, in words: "top left", "centre", "bottom right", …
    /// (the image cut in thirds each way).
    pub fn region(&self) -> &'static str {
        const WORDS: [[&str; 3]; 3] = [
            ["top left", "top", "top right"],
            ["left", "centre", "right"],
            ["bottom left", "bottom", "bottom right"],
        ];
        let third = |cell: usize| ((2 * cell + 1) * 3 / (2 * self.side)).min(2);
        let (row, column) = self.peak();
        WORDS[third(row)][third(column)]
    }
}

impl TrainedModel {
    /// The Grad-CAM map of one `[1, 3, 224, 224]` image for `class` (its label; the predicted
    /// class when `None`), running `base`'s frozen prefix first.
    pub async fn explain(
        &self,
        base: &MobileNetV1,
        input: Tensor<4>,
        class: Option<usize>,
    ) -> Result<ActivationMap> {
        let classes = self.meta.class_names.len();
        if class.is_some_and(|c| c >= classes) {
            return Err(Error::InvalidArgument(format!(
                "class {} does not exist ({classes} classes)",
                class.unwrap_or_default()
            )));
        }
        let tail = &self.net.tail;
        let boundary = base.forward_until(input, self.first_block());
        // [1, 1024, 7, 7]: the last block's output, a leaf whose gradient autodiff keeps.
        let last = tail.blocks.iter().fold(boundary, |x, b| b.forward(x));
        let activations = last.clone().autodiff().require_grad();
        let logits = tail.head.forward(global_average_pool(activations.clone()));
        let class = match class {
            Some(class) => class,
            None => argmax(&read_values(logits.clone().without_autodiff()).await?).0,
        };
        let grads = logits.narrow(1, class, 1).sum().backward();
        let gradient = activations
            .grad(&grads)
            .ok_or_else(|| Error::Backend("no gradient for the last block".into()))?;
        // Each channel weighs by its mean gradient; the map is the ReLU of the weighted sum.
        let weights = gradient.mean_dim(3).mean_dim(2);
        let map = (last * weights).sum_dim(1).clamp_min(0.0);
        let [_, _, side, _] = map.dims();
        let mut heat = read_values(map).await?;
        let max = heat.iter().copied().fold(0f32, f32::max);
        if max > 0.0 {
            heat.iter_mut().for_each(|h| *h /= max);
        }
        Ok(ActivationMap { class, side, heat })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_names_the_third_of_the_peak() {
        let at = ActivationMap::one_cell;
        assert_eq!(at(0).region(), "top left");
        assert_eq!(at(1).region(), "top left");
        assert_eq!(at(3).region(), "top");
        assert_eq!(at(24).region(), "centre");
        assert_eq!(at(7 * 3 + 6).region(), "right");
        assert_eq!(at(48).region(), "bottom right");
        assert_eq!(at(24).peak(), (3, 3));
    }
}
