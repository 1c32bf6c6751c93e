//! A class-activation map drawn for a person: upsampled to the 224² image, coloured from blue
//! (little evidence) to red (the most), opaque where the evidence is, and laid over the image.
//! The page shows this layer over the picture; `burnish predict --explain` writes the blend.

use crate::data::{INPUT_SIZE, RGB_IMAGE_BYTES};
use crate::error::{Error, Result};
use crate::train::ActivationMap;

/// Opacity of the strongest evidence (0..=255): the picture stays visible under it.
const MAX_OPACITY: f32 = 160.0;

/// The map as a 224×224 RGBA layer (row-major, 4 bytes a pixel): bilinear between cell centres.
pub fn heat_layer(map: &ActivationMap) -> Vec<u8> {
    let side = map.side.max(1);
    let cell = INPUT_SIZE as f32 / side as f32;
    // A pixel's position in cell-centre coordinates, clamped to the grid.
    let at = |p: usize| ((p as f32 + 0.5) / cell - 0.5).clamp(0.0, (side - 1) as f32);
    let heat = |r: usize, c: usize| map.heat.get(r * side + c).copied().unwrap_or(0.0);
    let mut layer = Vec::with_capacity(INPUT_SIZE * INPUT_SIZE * 4);
    for y in 0..INPUT_SIZE {
        let (v, r0) = (at(y), at(y) as usize);
        let r1 = (r0 + 1).min(side - 1);
        for x in 0..INPUT_SIZE {
            let (u, c0) = (at(x), at(x) as usize);
            let c1 = (c0 + 1).min(side - 1);
            let (fy, fx) = (v - r0 as f32, u - c0 as f32);
            let top = heat(r0, c0) * (1.0 - fx) + heat(r0, c1) * fx;
            let bottom = heat(r1, c0) * (1.0 - fx) + heat(r1, c1) * fx;
            let t = (top * (1.0 - fy) + bottom * fy).clamp(0.0, 1.0);
            let [red, green, blue] = colour(t);
            layer.extend([red, green, blue, (MAX_OPACITY * t).round() as u8]);
        }
    }
    layer
}

/// 224² RGB pixels with `layer` (from [`heat_layer`]) blended over them ("source over").
pub fn overlay(rgb: &[u8], layer: &[u8]) -> Result<Vec<u8>> {
    if rgb.len() != RGB_IMAGE_BYTES || layer.len() != INPUT_SIZE * INPUT_SIZE * 4 {
        return Err(Error::PixelSize {
            what: "one 224×224 RGB image and its RGBA layer",
            expected: RGB_IMAGE_BYTES,
            actual: rgb.len(),
        });
    }
    let blend = |under: u8, over: u8, alpha: u8| {
        let a = f32::from(alpha) / 255.0;
        (f32::from(under) * (1.0 - a) + f32::from(over) * a).round() as u8
    };
    Ok((rgb.chunks_exact(3).zip(layer.chunks_exact(4)))
        .flat_map(|(p, l)| [0, 1, 2].map(|c| blend(p[c], l[c], l[3])))
        .collect())
}

/// Blue → cyan → yellow → red ("jet", ending on full red) for 0..=1.
fn colour(t: f32) -> [u8; 3] {
    let ramp =
        |centre: f32| ((1.5 - (3.5 * t - centre).abs()).clamp(0.0, 1.0) * 255.0).round() as u8;
    [ramp(3.0), ramp(2.0), ramp(1.0)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(peak: usize) -> ActivationMap {
        ActivationMap::one_cell(peak)
    }

    #[test]
    fn the_layer_is_opaque_and_red_where_the_evidence_is() {
        let layer = heat_layer(&map(0));
        let pixel = |x: usize, y: usize| &layer[(y * INPUT_SIZE + x) * 4..][..4];
        assert_eq!(
            pixel(0, 0),
            [255, 0, 0, 160],
            "the top-left cell's centre and beyond"
        );
        assert_eq!(pixel(223, 223)[3], 0, "nothing at the far corner");
        assert!(
            pixel(40, 16)[3] < 160 && pixel(40, 16)[3] > 0,
            "fades between cells"
        );
    }

    #[test]
    fn the_overlay_blends_and_refuses_wrong_sizes() {
        let rgb = vec![100u8; RGB_IMAGE_BYTES];
        let layer = heat_layer(&map(48));
        let out = overlay(&rgb, &layer).expect("blend");
        assert_eq!(
            &out[..3],
            &[100, 100, 100],
            "no evidence: the picture as it was"
        );
        let last = &out[RGB_IMAGE_BYTES - 3..];
        assert_eq!(last, [197, 37, 37], "red at 160/255 over grey 100");
        assert!(overlay(&rgb[1..], &layer).is_err());
    }
}
