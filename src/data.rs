//! Pixels → network input: RGBA bytes of 224×224 images to a normalised `[N, 3, 224, 224]` tensor.

use crate::error::{Error, Result};
use burn::prelude::*;

/// Side of MobileNetV1's square input.
pub const INPUT_SIZE: usize = 224;
/// Bytes of one 224×224 RGBA image.
pub const RGBA_IMAGE_BYTES: usize = INPUT_SIZE * INPUT_SIZE * 4;

/// Converts `n` concatenated 224×224 RGBA images to planar RGB in [-1, 1].
///
/// TF-slim MobileNetV1 was trained on `pixel / 127.5 - 1` (inception preprocessing); alpha is
/// ignored. `[N·224·224·4] u8 -> [N, 3, 224, 224] f32`
pub fn rgba_to_input(rgba: &[u8], device: &Device) -> Result<Tensor<4>> {
    if rgba.is_empty() || !rgba.len().is_multiple_of(RGBA_IMAGE_BYTES) {
        return Err(Error::PixelSize {
            what: "224×224 RGBA pixels (a multiple of 200704)",
            expected: RGBA_IMAGE_BYTES * (rgba.len() / RGBA_IMAGE_BYTES).max(1),
            actual: rgba.len(),
        });
    }
    let n = rgba.len() / RGBA_IMAGE_BYTES;
    let plane = INPUT_SIZE * INPUT_SIZE;
    let mut planar = vec![0f32; n * 3 * plane];
    for (image, pixels) in rgba.chunks_exact(RGBA_IMAGE_BYTES).enumerate() {
        let out = &mut planar[image * 3 * plane..(image + 1) * 3 * plane];
        for (p, px) in pixels.chunks_exact(4).enumerate() {
            for c in 0..3 {
                out[c * plane + p] = f32::from(px[c]) / 127.5 - 1.0;
            }
        }
    }
    let data = TensorData::new(planar, [n, 3, INPUT_SIZE, INPUT_SIZE]);
    Ok(Tensor::from_data(data, device))
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // native tests: synchronous readback is fine
mod tests {
    use super::*;

    #[test]
    fn wrong_sizes_are_refused() {
        let device = Device::flex();
        assert!(rgba_to_input(&[], &device).is_err());
        assert!(rgba_to_input(&vec![0; RGBA_IMAGE_BYTES + 1], &device).is_err());
    }

    #[test]
    fn values_map_to_minus_one_one() {
        let device = Device::flex();
        let mut rgba = vec![0u8; RGBA_IMAGE_BYTES];
        rgba[0] = 255; // R of pixel 0
        rgba[5] = 255; // G of pixel 1
        let x = rgba_to_input(&rgba, &device).expect("valid input");
        assert_eq!(x.dims(), [1, 3, INPUT_SIZE, INPUT_SIZE]);
        let v = x.into_data().try_to_vec::<f32>().expect("f32");
        let plane = INPUT_SIZE * INPUT_SIZE;
        assert_eq!(v[0], 1.0);
        assert_eq!(v[1], -1.0);
        assert_eq!(v[plane + 1], 1.0);
    }
}
