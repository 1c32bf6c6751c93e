//! Image files (native): decode, centre-crop to a square, resize to 224², as RGB bytes.

use crate::data::INPUT_SIZE;
use crate::error::{Error, Result};
use image::imageops::FilterType;

/// Decodes an encoded image (JPEG, PNG, GIF, BMP, WebP) into 224×224 RGB.
///
/// Non-square images are centre-cropped to their shorter side first; a 224² image passes
/// through unchanged. Resizing is bilinear (`Triangle`), as TF's `resize_bilinear`.
pub fn decode_to_rgb_224(bytes: &[u8]) -> Result<Vec<u8>> {
    let img = image::load_from_memory(bytes).map_err(|e| Error::Image(e.to_string()))?;
    let (w, h) = (img.width(), img.height());
    if w == 0 || h == 0 {
        return Err(Error::Image("image has no pixels".into()));
    }
    let side = w.min(h);
    let square = img.crop_imm((w - side) / 2, (h - side) / 2, side, side);
    let size = INPUT_SIZE as u32;
    let resized = if side == size {
        square
    } else {
        square.resize_exact(size, size, FilterType::Triangle)
    };
    Ok(resized.to_rgb8().into_raw())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_images_are_refused() {
        assert!(decode_to_rgb_224(b"").is_err());
        assert!(decode_to_rgb_224(b"definitely not a picture").is_err());
    }
}
