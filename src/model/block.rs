//! The depthwise-separable block: depthwise 3×3 then pointwise 1×1, each with BN + ReLU6.

use super::conv_bn::{ConvBnRelu6, ConvBnRelu6Config};
use burn::prelude::*;

/// One of MobileNetV1's 13 depthwise-separable blocks.
#[derive(Config, Debug)]
pub struct DepthwiseSeparableConfig {
    /// Input channels.
    pub channels_in: usize,
    /// Output channels.
    pub channels_out: usize,
    /// Stride of the depthwise convolution.
    pub stride: usize,
    /// BatchNorm epsilon.
    #[config(default = 1e-3)]
    pub bn_epsilon: f64,
}

impl DepthwiseSeparableConfig {
    /// Builds the block with placeholder weights.
    pub fn init(&self, device: &Device) -> DepthwiseSeparable {
        let depthwise = ConvBnRelu6Config::new(self.channels_in, self.channels_in, 3, self.stride)
            .with_groups(self.channels_in)
            .with_bn_epsilon(self.bn_epsilon)
            .init(device);
        let pointwise = ConvBnRelu6Config::new(self.channels_in, self.channels_out, 1, 1)
            .with_bn_epsilon(self.bn_epsilon)
            .init(device);
        DepthwiseSeparable {
            depthwise,
            pointwise,
        }
    }
}

/// Depthwise 3×3 convolution (spatial) then pointwise 1×1 convolution (channel mixing).
#[derive(Module, Debug)]
pub struct DepthwiseSeparable {
    /// Per-channel 3×3 convolution.
    pub depthwise: ConvBnRelu6,
    /// 1×1 convolution across channels.
    pub pointwise: ConvBnRelu6,
}

impl DepthwiseSeparable {
    /// `[N, C_in, H, W] -> [N, C_out, ceil(H / s), ceil(W / s)]`
    pub fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        self.pointwise.forward(self.depthwise.forward(input))
    }

    /// The block with BatchNorm folded into both convolutions (inference only).
    pub fn folded(&self) -> Self {
        DepthwiseSeparable {
            depthwise: self.depthwise.folded(),
            pointwise: self.pointwise.folded(),
        }
    }
}
