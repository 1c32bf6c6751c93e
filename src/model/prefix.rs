//! The frozen prefix: the pretrained network up to a block boundary, and the shape of what it
//! gives. Training caches it; inference and the embedding workers run it.

use super::mobilenet::{BLOCK_COUNT, BLOCK_SPECS, MobileNetV1, global_average_pool};
use burn::prelude::*;

/// Runs the frozen prefix on `[N, 3, 224, 224]` images.
///
/// Returns the input of block `first_block`; for `first_block == 13` (head only) the pooled
/// embedding as `[N, 1024, 1, 1]`: pooling is frozen too, and the cache is 49× smaller.
pub fn run_prefix(base: &MobileNetV1, input: Tensor<4>, first_block: usize) -> Tensor<4> {
    let boundary = base.forward_until(input, first_block);
    if first_block >= BLOCK_COUNT {
        let pooled = global_average_pool(boundary);
        let [n, c] = pooled.dims();
        pooled.reshape([n, c, 1, 1])
    } else {
        boundary
    }
}

/// The shape `[C, H, W]` of one image's [`run_prefix`] output for `first_block`.
pub fn boundary_shape(first_block: usize) -> [usize; 3] {
    if first_block >= BLOCK_COUNT {
        return [BLOCK_SPECS[BLOCK_COUNT - 1].0, 1, 1];
    }
    // The stem halves 224; each earlier block divides by its stride.
    let side = BLOCK_SPECS[..first_block]
        .iter()
        .fold(112, |side, &(_, stride)| side / stride);
    let channels = first_block.checked_sub(1).map_or(32, |b| BLOCK_SPECS[b].0);
    [channels, side, side]
}
