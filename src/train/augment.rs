//! Seeded image augmentation on 224×224 RGB: random resized crop, flip, brightness/contrast.

use crate::data::INPUT_SIZE;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Augmentation strengths.
#[derive(Clone, Debug, PartialEq)]
pub struct AugmentConfig {
    /// Smallest crop area, as a fraction of the image.
    pub min_area: f32,
    /// Crop aspect ratios allowed (min, max).
    pub aspect: (f32, f32),
    /// Mirror left-right with probability ½.
    pub flip: bool,
    /// Brightness shift up to ± this fraction of full scale.
    pub brightness: f32,
    /// Contrast factor within 1 ± this.
    pub contrast: f32,
}

impl Default for AugmentConfig {
    fn default() -> Self {
        Self {
            min_area: 0.6,
            aspect: (3.0 / 4.0, 4.0 / 3.0),
            flip: true,
            brightness: 0.2,
            contrast: 0.2,
        }
    }
}

/// The random stream of augmented view `view` of sample `sample`: the same view whenever it is
/// made, in any order (so a bank of views can grow one sample at a time).
pub fn view_rng(seed: u64, sample: u64, view: usize) -> StdRng {
    let mix = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ sample.wrapping_mul(0xbf58_476d_1ce4_e5b9)
        ^ (view as u64).wrapping_mul(0x94d0_49bb_1331_11eb);
    StdRng::seed_from_u64(mix)
}

/// A random view of a 224×224 RGB image, resampled bilinearly back to 224×224.
pub fn augment_rgb(rgb: &[u8], config: &AugmentConfig, rng: &mut impl Rng) -> Vec<u8> {
    let size = INPUT_SIZE as f32;
    let area = rng.random_range(config.min_area.min(1.0)..=1.0) * size * size;
    let aspect = rng.random_range(config.aspect.0..=config.aspect.1);
    let w = (area * aspect).sqrt().min(size);
    let h = (area / aspect).sqrt().min(size);
    let x0 = rng.random_range(0.0..=(size - w));
    let y0 = rng.random_range(0.0..=(size - h));
    let flip = config.flip && rng.random_bool(0.5);
    let shift = rng.random_range(-config.brightness..=config.brightness) * 255.0;
    let gain = rng.random_range(1.0 - config.contrast..=1.0 + config.contrast);

    let mut out = vec![0u8; rgb.len()];
    for oy in 0..INPUT_SIZE {
        for ox in 0..INPUT_SIZE {
            let fx = if flip { INPUT_SIZE - 1 - ox } else { ox } as f32;
            // Pixel centres of the output map into the crop rectangle.
            let sx = (x0 + (fx + 0.5) * w / size - 0.5).clamp(0.0, size - 1.0);
            let sy = (y0 + (oy as f32 + 0.5) * h / size - 0.5).clamp(0.0, size - 1.0);
            let (ix, iy) = (sx.floor() as usize, sy.floor() as usize);
            let (jx, jy) = ((ix + 1).min(INPUT_SIZE - 1), (iy + 1).min(INPUT_SIZE - 1));
            let (tx, ty) = (sx - ix as f32, sy - iy as f32);
            let at = |x: usize, y: usize, c: usize| f32::from(rgb[(y * INPUT_SIZE + x) * 3 + c]);
            let o = (oy * INPUT_SIZE + ox) * 3;
            for c in 0..3 {
                let top = at(ix, iy, c) * (1.0 - tx) + at(jx, iy, c) * tx;
                let bottom = at(ix, jy, c) * (1.0 - tx) + at(jx, jy, c) * tx;
                let v = top * (1.0 - ty) + bottom * ty;
                let v = (v - 128.0) * gain + 128.0 + shift;
                out[o + c] = v.round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::RGB_IMAGE_BYTES;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn same_seed_same_view_other_seed_other_view() {
        let image: Vec<u8> = (0..RGB_IMAGE_BYTES).map(|i| (i * 7 % 251) as u8).collect();
        let config = AugmentConfig::default();
        let a = augment_rgb(&image, &config, &mut StdRng::seed_from_u64(1));
        let b = augment_rgb(&image, &config, &mut StdRng::seed_from_u64(1));
        let c = augment_rgb(&image, &config, &mut StdRng::seed_from_u64(2));
        assert_eq!(a.len(), RGB_IMAGE_BYTES);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn identity_settings_keep_the_image() {
        let image: Vec<u8> = (0..RGB_IMAGE_BYTES).map(|i| (i % 256) as u8).collect();
        let config = AugmentConfig {
            min_area: 1.0,
            aspect: (1.0, 1.0),
            flip: false,
            brightness: 0.0,
            contrast: 0.0,
        };
        let out = augment_rgb(&image, &config, &mut StdRng::seed_from_u64(3));
        assert_eq!(out, image);
    }
}
