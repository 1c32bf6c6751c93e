//! Convolution → BatchNorm → ReLU6, the unit MobileNetV1 is built from.

use burn::module::Param;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::relu;

/// A bias-free convolution followed by BatchNorm and ReLU6.
#[derive(Config, Debug)]
pub struct ConvBnRelu6Config {
    /// Input channels.
    pub channels_in: usize,
    /// Output channels.
    pub channels_out: usize,
    /// Square kernel size.
    pub kernel: usize,
    /// Stride in both directions.
    pub stride: usize,
    /// Convolution groups (`channels_in` for a depthwise convolution).
    #[config(default = 1)]
    pub groups: usize,
    /// BatchNorm epsilon; TF-slim's MobileNetV1 graph uses 1e-3 (`FusedBatchNorm` attr `epsilon`).
    #[config(default = 1e-3)]
    pub bn_epsilon: f64,
}

impl ConvBnRelu6Config {
    /// Builds the layer with placeholder weights (to be replaced by loading).
    pub fn init(&self, device: &Device) -> ConvBnRelu6 {
        let conv = Conv2dConfig::new([self.channels_in, self.channels_out], [self.kernel; 2])
            .with_stride([self.stride; 2])
            .with_groups(self.groups)
            // burn's `Same` is TF "SAME": out = ceil(in / stride), the odd pixel padded at the
            // bottom/right. Symmetric padding measurably changes predictions (the `rocket` probe
            // image becomes "beacon" instead of "missile").
            .with_padding(PaddingConfig2d::Same)
            .with_bias(false)
            .init(device);
        let bn = BatchNormConfig::new(self.channels_out)
            .with_epsilon(self.bn_epsilon)
            .init(device);
        ConvBnRelu6 { conv, bn: Some(bn) }
    }
}

/// Convolution → BatchNorm → ReLU6.
#[derive(Module, Debug)]
pub struct ConvBnRelu6 {
    /// The convolution (no bias: BatchNorm's beta plays that role).
    pub conv: Conv2d,
    /// BatchNorm; in inference mode unless its device is autodiff and it is trainable.
    /// `None` once folded into the convolution ([`Self::folded`]).
    pub bn: Option<BatchNorm>,
}

impl ConvBnRelu6 {
    /// `[N, C_in, H, W] -> [N, C_out, ceil(H / s), ceil(W / s)]`
    pub fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        let x = if input.is_autodiff() && self.is_pointwise() {
            pointwise_as_matmul(&self.conv, input)
        } else {
            self.conv.forward(input)
        };
        let x = match &self.bn {
            Some(bn) => bn.forward(x),
            None => x,
        };
        // ReLU6 as two passes: burn-flex's `clamp` runs a branchy scalar loop (1.09 ns/element
        // natively, 22% of wasm embedding time in bench/profile.js); `relu` and `clamp_max`
        // compile to vectorised selects (0.36 ns/element for the two, examples/relu6.rs).
        relu(x).clamp_max(6.0)
    }

    /// Whether the convolution is 1×1, stride 1, ungrouped: a matrix product over channels.
    fn is_pointwise(&self) -> bool {
        let [_, _, kh, kw] = self.conv.weight.dims();
        (kh, kw) == (1, 1) && self.conv.stride == [1, 1] && self.conv.groups == 1
    }

    /// The same function for inference with BatchNorm folded into the convolution: weights
    /// scaled by `γ / √(var + ε)` per output channel, bias `β − mean · γ / √(var + ε)`. burn
    /// runs inference BatchNorm as four passes over the activation; folded, it costs nothing.
    pub fn folded(&self) -> Self {
        let Some(bn) = &self.bn else {
            return self.clone();
        };
        let scale = bn.gamma.val() / bn.running_var.value().add_scalar(bn.epsilon).sqrt();
        let mut shift = bn.beta.val() - bn.running_mean.value() * scale.clone();
        if let Some(bias) = &self.conv.bias {
            shift = shift + bias.val() * scale.clone();
        }
        let [channels_out, ..] = self.conv.weight.dims();
        let mut conv = self.conv.clone();
        conv.weight =
            Param::from_tensor(self.conv.weight.val() * scale.reshape([channels_out, 1, 1, 1]));
        conv.bias = Some(Param::from_tensor(shift));
        Self { conv, bn: None }
    }
}

/// A 1×1 convolution as one matrix product, `[N·H·W, C_in] × [C_in, C_out]`: the same function,
/// but burn-flex's convolution backward pass is 4× slower than a matrix product's (fine-tuning
/// MobileNet's last block, batch 16: 298 ms against 73 ms for its pointwise layer, forward and
/// backward, `examples/tail_step.rs`), so training steps take this path. Inference keeps the
/// convolution: its forward pass is faster (30 ms against 55 ms) without the transposes.
fn pointwise_as_matmul(conv: &Conv2d, input: Tensor<4>) -> Tensor<4> {
    let [n, c_in, h, w] = input.dims();
    let [c_out, ..] = conv.weight.dims();
    let weight = conv.weight.val().reshape([c_out, c_in]).transpose();
    let rows = input.permute([0, 2, 3, 1]).reshape([n * h * w, c_in]);
    let mut out = rows.matmul(weight);
    if let Some(bias) = &conv.bias {
        out = out + bias.val().reshape([1, c_out]);
    }
    out.reshape([n, h, w, c_out]).permute([0, 3, 1, 2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Distribution;

    #[test]
    #[cfg(not(target_arch = "wasm32"))] // pollster is a native dependency
    fn pointwise_as_matmul_is_the_convolution() {
        let device = Device::flex();
        let layer = ConvBnRelu6Config::new(8, 5, 1, 1).init(&device);
        let x = Tensor::<4>::random([2, 8, 3, 4], Distribution::Normal(0.0, 1.0), &device);
        let read = |t: Tensor<4>| pollster::block_on(crate::infer::read_values(t)).expect("read");
        let expected = read(layer.conv.forward(x.clone()));
        let actual = read(pointwise_as_matmul(&layer.conv, x));
        assert_eq!(expected.len(), actual.len());
        let worst = (expected.iter().zip(&actual)).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(worst < 1e-5, "max |Δ| {worst}");
    }
}
