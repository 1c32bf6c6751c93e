//! MobileNetV1 (α = 1.0, 224²) as burn `Config` + `Module` pairs.

mod block;
mod conv_bn;
mod mobilenet;
mod prefix;

pub use block::{DepthwiseSeparable, DepthwiseSeparableConfig};
pub use conv_bn::{ConvBnRelu6, ConvBnRelu6Config};
pub use mobilenet::{
    BLOCK_COUNT, BLOCK_SPECS, FEATURE_DIM, MobileNetV1, MobileNetV1Config, global_average_pool,
};
pub use prefix::{boundary_shape, run_prefix};
