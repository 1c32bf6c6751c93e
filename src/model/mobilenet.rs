//! MobileNetV1 α = 1.0: stem, 13 depthwise-separable blocks, global average pool, classifier.

use super::block::{DepthwiseSeparable, DepthwiseSeparableConfig};
use super::conv_bn::{ConvBnRelu6, ConvBnRelu6Config};
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;

/// Number of depthwise-separable blocks (`MobilenetV1/Conv2d_1` … `Conv2d_13`).
pub const BLOCK_COUNT: usize = 13;

/// `(output channels, depthwise stride)` of blocks 1..=13, from TF-slim's `MOBILENETV1_CONV_DEFS`.
pub const BLOCK_SPECS: [(usize, usize); BLOCK_COUNT] = [
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
];

/// Width of the pooled embedding (output channels of the last block).
pub const FEATURE_DIM: usize = BLOCK_SPECS[BLOCK_COUNT - 1].0;

/// Stem output channels (`MobilenetV1/Conv2d_0`: 3×3, stride 2, 32 filters).
const STEM_CHANNELS: usize = 32;

/// MobileNetV1 hyper-parameters.
#[derive(Config, Debug)]
pub struct MobileNetV1Config {
    /// Classifier outputs: 1001 for the ImageNet graph (index 0 is "background").
    #[config(default = 1001)]
    pub num_classes: usize,
    /// BatchNorm epsilon, read from the graph by the converter.
    #[config(default = 1e-3)]
    pub bn_epsilon: f64,
}

impl MobileNetV1Config {
    /// Builds the network with placeholder weights; load real ones with [`crate::weights`].
    pub fn init(&self, device: &Device) -> MobileNetV1 {
        let stem = ConvBnRelu6Config::new(3, STEM_CHANNELS, 3, 2)
            .with_bn_epsilon(self.bn_epsilon)
            .init(device);
        let mut channels_in = STEM_CHANNELS;
        let blocks = BLOCK_SPECS
            .iter()
            .map(|&(channels_out, stride)| {
                let block = DepthwiseSeparableConfig::new(channels_in, channels_out, stride)
                    .with_bn_epsilon(self.bn_epsilon)
                    .init(device);
                channels_in = channels_out;
                block
            })
            .collect();
        let classifier = LinearConfig::new(channels_in, self.num_classes).init(device);
        MobileNetV1 {
            stem,
            blocks,
            classifier,
        }
    }
}

/// MobileNetV1. Input: RGB in [-1, 1], `[N, 3, 224, 224]`.
#[derive(Module, Debug)]
pub struct MobileNetV1 {
    /// `Conv2d_0`: 3×3 stride-2 convolution.
    pub stem: ConvBnRelu6,
    /// `Conv2d_1` … `Conv2d_13`.
    pub blocks: Vec<DepthwiseSeparable>,
    /// `Logits/Conv2d_1c_1x1`: a 1×1 convolution on the pooled features, i.e. a linear layer.
    pub classifier: Linear,
}

impl MobileNetV1 {
    /// The boundary activation: stem and blocks `0..first_block`, the input of block `first_block`.
    ///
    /// `[N, 3, 224, 224] -> [N, C, H, W]` (`[N, 1024, 7, 7]` for `first_block = 13`).
    pub fn forward_until(&self, input: Tensor<4>, first_block: usize) -> Tensor<4> {
        let end = first_block.min(self.blocks.len());
        self.blocks[..end]
            .iter()
            .fold(self.stem.forward(input), |x, block| block.forward(x))
    }

    /// Blocks `first_block..` and global average pooling: the 1024-d embedding.
    ///
    /// `[N, C, H, W] -> [N, 1024]`
    pub fn features_from(&self, boundary: Tensor<4>, first_block: usize) -> Tensor<2> {
        let start = first_block.min(self.blocks.len());
        let x = self.blocks[start..]
            .iter()
            .fold(boundary, |x, block| block.forward(x));
        global_average_pool(x)
    }

    /// Blocks `first_block..`, pooling and the classifier: the logits.
    ///
    /// `[N, C, H, W] -> [N, num_classes]`
    pub fn forward_from(&self, boundary: Tensor<4>, first_block: usize) -> Tensor<2> {
        self.classifier
            .forward(self.features_from(boundary, first_block))
    }

    /// The 1024-d embedding of images. `[N, 3, 224, 224] -> [N, 1024]`
    pub fn embed(&self, input: Tensor<4>) -> Tensor<2> {
        global_average_pool(self.forward_until(input, self.blocks.len()))
    }

    /// The logits of images. `[N, 3, 224, 224] -> [N, num_classes]`
    pub fn forward(&self, input: Tensor<4>) -> Tensor<2> {
        self.classifier.forward(self.embed(input))
    }

    /// The network for inference: every BatchNorm folded into its convolution (same outputs up to
    /// float rounding, faster). Not for training or saving: its parameters differ from the graph's.
    pub fn folded(&self) -> Self {
        MobileNetV1 {
            stem: self.stem.folded(),
            blocks: self.blocks.iter().map(DepthwiseSeparable::folded).collect(),
            classifier: self.classifier.clone(),
        }
    }
}

/// `[N, C, H, W] -> [N, C]`
pub fn global_average_pool(x: Tensor<4>) -> Tensor<2> {
    let [n, c, _, _] = x.dims();
    x.mean_dim(3).mean_dim(2).reshape([n, c])
}
