//! Debian `dataset-fashion-mnist` (MIT): real 28×28 grayscale photos of clothes, as 224² RGBA.

use flate2::read::GzDecoder;
use std::io::Read;

const DIR: &str = "/usr/share/datasets/fashion-mnist";

fn gunzip(name: &str) -> Vec<u8> {
    let path = format!("{DIR}/{name}");
    let file = std::fs::File::open(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}; `npm run setup` installs dataset-fashion-mnist"));
    let mut bytes = Vec::new();
    GzDecoder::new(file).read_to_end(&mut bytes).expect("gzip");
    bytes
}

/// Upsamples a 28×28 grayscale image to 224×224 RGB (nearest neighbour, 8×).
fn upsample(gray: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(224 * 224 * 3);
    for y in 0..224 {
        for x in 0..224 {
            let v = gray[(y / 8) * 28 + x / 8];
            out.extend_from_slice(&[v, v, v]);
        }
    }
    out
}

/// The first `per_class` images of each of `classes` from the `train` or `t10k` split,
/// as `(class position in `classes`, 224² RGB)`.
pub fn load(split: &str, classes: &[u8], per_class: usize) -> Vec<(usize, Vec<u8>)> {
    let images = gunzip(&format!("{split}-images-idx3-ubyte.gz"));
    let labels = gunzip(&format!("{split}-labels-idx1-ubyte.gz"));
    let mut taken = vec![0; classes.len()];
    let mut out = Vec::new();
    for (i, label) in labels[8..].iter().enumerate() {
        let Some(pos) = classes.iter().position(|c| c == label) else {
            continue;
        };
        if taken[pos] < per_class {
            taken[pos] += 1;
            let start = 16 + i * 28 * 28;
            out.push((pos, upsample(&images[start..start + 28 * 28])));
        }
    }
    out
}
