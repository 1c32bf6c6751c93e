//! Pixels → network input: RGB bytes of 224×224 images to a normalised `[N, 3, 224, 224]` tensor.
//!
//! RGB (3 bytes a pixel, row-major) is the one pixel format of the core, from the page's canvas
//! or a decoded file to the samples kept, augmentation and the network input.

use crate::error::{Error, Result};
use burn::prelude::*;

/// Side of MobileNetV1's square input.
pub const INPUT_SIZE: usize = 224;
/// Bytes of one 224×224 RGB image.
pub const RGB_IMAGE_BYTES: usize = INPUT_SIZE * INPUT_SIZE * 3;

/// Checks that `rgb` holds whole 224×224 RGB images (at least one); returns how many.
pub fn image_count(rgb: &[u8]) -> Result<usize> {
    if rgb.is_empty() || !rgb.len().is_multiple_of(RGB_IMAGE_BYTES) {
        return Err(Error::PixelSize {
            what: "224×224 RGB pixels (a multiple of 150528)",
            expected: RGB_IMAGE_BYTES * (rgb.len() / RGB_IMAGE_BYTES).max(1),
            actual: rgb.len(),
        });
    }
    Ok(rgb.len() / RGB_IMAGE_BYTES)
}

/// Converts `n` concatenated 224×224 RGB images to planar RGB in [-1, 1].
///
/// TF-slim MobileNetV1 was trained on `pixel / 127.5 - 1` (inception preprocessing).
/// `[N·224·224·3] u8 -> [N, 3, 224, 224] f32`
pub fn rgb_to_input(rgb: &[u8], device: &Device) -> Result<Tensor<4>> {
    let n = image_count(rgb)?;
    let plane = INPUT_SIZE * INPUT_SIZE;
    let mut planar = vec![0f32; n * 3 * plane];
    for (image, pixels) in rgb.chunks_exact(RGB_IMAGE_BYTES).enumerate() {
        let out = &mut planar[image * 3 * plane..(image + 1) * 3 * plane];
        for (p, px) in pixels.chunks_exact(3).enumerate() {
            for c in 0..3 {
                out[c * plane + p] = f32::from(px[c]) / 127.5 - 1.0;
            }
        }
    }
    let data = TensorData::new(planar, [n, 3, INPUT_SIZE, INPUT_SIZE]);
    Ok(Tensor::from_data(data, device))
}

/// Drops the alpha channel of RGBA pixels (for callers holding RGBA, such as decoders).
pub fn rgba_to_rgb(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .flat_map(|px| [px[0], px[1], px[2]])
        .collect()
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // native tests: synchronous readback is fine
mod tests {
    use super::*;

    #[test]
    fn wrong_sizes_are_refused() {
        let device = Device::flex();
        assert!(rgb_to_input(&[], &device).is_err());
        assert!(rgb_to_input(&vec![0; RGB_IMAGE_BYTES + 1], &device).is_err());
        assert_eq!(image_count(&vec![0; 2 * RGB_IMAGE_BYTES]).ok(), Some(2));
    }

    #[test]
    fn values_map_to_minus_one_one() {
        let device = Device::flex();
        let mut rgb = vec![0u8; RGB_IMAGE_BYTES];
        rgb[0] = 255; // R of pixel 0
        rgb[4] = 255; // G of pixel 1
        let x = rgb_to_input(&rgb, &device).expect("valid input");
        assert_eq!(x.dims(), [1, 3, INPUT_SIZE, INPUT_SIZE]);
        let v = x.into_data().try_to_vec::<f32>().expect("f32");
        let plane = INPUT_SIZE * INPUT_SIZE;
        assert_eq!(v[0], 1.0);
        assert_eq!(v[1], -1.0);
        assert_eq!(v[plane + 1], 1.0);
    }

    #[test]
    fn alpha_is_dropped() {
        assert_eq!(rgba_to_rgb(&[1, 2, 3, 4, 5, 6, 7, 8]), [1, 2, 3, 5, 6, 7]);
    }
}
