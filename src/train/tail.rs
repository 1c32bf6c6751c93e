//! The trainable tail: the last k blocks of MobileNetV1 plus the new head.

use super::head::{Head, HeadConfig};
use crate::model::{DepthwiseSeparable, MobileNetV1, global_average_pool};
use burn::module::Param;
use burn::prelude::*;

/// Last k depthwise-separable blocks (copied from the pretrained network) and a head.
#[derive(Module, Debug)]
pub struct Tail {
    /// Fine-tuned blocks, in network order (empty for k = 0).
    pub blocks: Vec<DepthwiseSeparable>,
    /// The classifier.
    pub head: Head,
}

impl Tail {
    /// Copies the last `k` blocks of `base` and adds a fresh head (on `base`'s device).
    pub fn from_base(base: &MobileNetV1, k: usize, head: &HeadConfig, device: &Device) -> Self {
        let first = base.blocks.len() - k;
        Tail {
            blocks: base.blocks[first..].to_vec(),
            head: head.init(device),
        }
    }

    /// Moves the tail to autodiff for training. Fine-tuned BatchNorms keep using their pretrained
    /// running statistics (their scale and shift still train): batches of a few user images
    /// give statistics too noisy to normalise with.
    pub fn into_training(self) -> Self {
        let mut tail = self.train();
        for block in &mut tail.blocks {
            let norms = [&mut block.depthwise.bn, &mut block.pointwise.bn];
            for bn in norms.into_iter().flatten() {
                bn.training = Param::from_bool(false);
            }
        }
        tail
    }

    /// The pooled features the head reads: `[N, C, H, W]` boundary activation
    /// (`[N, 1024, 1, 1]` for k = 0) `-> [N, 1024]`
    pub fn features(&self, boundary: Tensor<4>) -> Tensor<2> {
        let x = self
            .blocks
            .iter()
            .fold(boundary, |x, block| block.forward(x));
        global_average_pool(x)
    }

    /// `[N, C, H, W]` boundary activation `-> [N, classes]` logits
    pub fn forward(&self, boundary: Tensor<4>) -> Tensor<2> {
        self.head.forward(self.features(boundary))
    }
}
