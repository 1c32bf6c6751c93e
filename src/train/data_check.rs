//! "Is my data good?": the samples seen through the pretrained network's features (cosine
//! similarity of the pooled 1024-d features, the same features "none of these" reads). Lists the
//! samples that look more like another class than their own (likely filed wrong), near-copies,
//! and pairs of classes whose samples mix, and places every sample on a 2-D map (the features'
//! first two principal components).

use super::novelty::NEAR_COPY;
use serde::Serialize;

/// Neighbours a class is judged by: a sample's similarity to a class is the mean of its
/// `NEIGHBOURS` most similar samples there (fewer when the class has fewer).
pub const NEIGHBOURS: usize = 3;
/// A pair of classes overlaps when at least this share of their samples look more like the
/// other class than their own.
pub const OVERLAP_SHARE: f32 = 0.2;
/// Power-iteration steps for the map's principal components (converged far before on photos).
const POWER_STEPS: usize = 60;

/// One sample on the map.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MapPoint {
    /// Its id.
    pub id: u64,
    /// Its class (label).
    pub label: usize,
    /// Its place, each axis scaled to -1..=1.
    pub x: f32,
    /// See `x`.
    pub y: f32,
}

/// A sample that looks more like another class than its own.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suspect {
    /// Its id.
    pub id: u64,
    /// The class it is filed under (label).
    pub label: usize,
    /// The class it looks like (label).
    pub looks_like: usize,
    /// Its similarity to its own class and to the one it looks like.
    pub own: f32,
    /// See `own`.
    pub other: f32,
}

/// Two samples that are (nearly) the same picture.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NearCopy {
    /// The earlier sample's id.
    pub first: u64,
    /// The later one's.
    pub second: u64,
    /// Their cosine similarity (≥ [`NEAR_COPY`]).
    pub similarity: f32,
}

/// Two classes whose samples mix.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Overlap {
    /// The classes (labels).
    pub classes: [usize; 2],
    /// Share of their samples that look more like the other class than their own.
    pub share: f32,
}

/// What the data check found.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DataCheck {
    /// Every sample's place on the map.
    pub points: Vec<MapPoint>,
    /// Likely filed under the wrong class, most convincing first.
    pub suspects: Vec<Suspect>,
    /// Near-copies, most similar first.
    pub near_copies: Vec<NearCopy>,
    /// Classes that overlap, most mixed first.
    pub overlaps: Vec<Overlap>,
}

impl DataCheck {
    /// The check of samples `ids` (labels `labels`) from their L2-normalised features
    /// (`features`: one row of `dim` values a sample) among `classes` classes.
    pub fn new(
        ids: &[u64],
        labels: &[usize],
        features: &[f32],
        dim: usize,
        classes: usize,
    ) -> Self {
        let n = ids.len().min(labels.len()).min(features.len() / dim.max(1));
        let row = |i: usize| &features[i * dim..(i + 1) * dim];
        let cosine =
            |a: usize, b: usize| row(a).iter().zip(row(b)).map(|(x, y)| x * y).sum::<f32>();
        let similarity: Vec<Vec<f32>> = (0..n)
            .map(|i| (0..n).map(|j| cosine(i, j)).collect())
            .collect();
        let mut check = DataCheck {
            points: map(row, n, dim, ids, labels),
            ..Self::default()
        };
        for i in 0..n {
            for j in i + 1..n {
                if similarity[i][j] >= NEAR_COPY {
                    check.near_copies.push(NearCopy {
                        first: ids[i],
                        second: ids[j],
                        similarity: similarity[i][j],
                    });
                }
            }
            // Leave-one-out: the sample itself and its near-copies do not vote.
            let others = |j: usize| j != i && similarity[i][j] < NEAR_COPY;
            let to_class = |c: usize| {
                let mut s: Vec<f32> = (0..n)
                    .filter(|&j| labels[j] == c && others(j))
                    .map(|j| similarity[i][j])
                    .collect();
                s.sort_by(|a, b| b.total_cmp(a));
                s.truncate(NEIGHBOURS);
                (!s.is_empty()).then(|| s.iter().sum::<f32>() / s.len() as f32)
            };
            let scores: Vec<Option<f32>> = (0..classes).map(to_class).collect();
            let own = scores.get(labels[i]).copied().flatten();
            let best = (0..classes)
                .filter(|&c| c != labels[i])
                .filter_map(|c| scores[c].map(|s| (c, s)))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let (Some(own), Some((looks_like, other))) = (own, best)
                && other > own
            {
                check.suspects.push(Suspect {
                    id: ids[i],
                    label: labels[i],
                    looks_like,
                    own,
                    other,
                });
            }
        }
        check.overlaps = overlaps(&check.suspects, &labels[..n], classes);
        check
            .suspects
            .sort_by(|a, b| (b.other - b.own).total_cmp(&(a.other - a.own)));
        check
            .near_copies
            .sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        check
    }
}

/// Class pairs where at least [`OVERLAP_SHARE`] of their samples look more like the other class
/// of the pair than their own (suspects between the two, either way).
fn overlaps(suspects: &[Suspect], labels: &[usize], classes: usize) -> Vec<Overlap> {
    let mut found = Vec::new();
    for a in 0..classes {
        for b in a + 1..classes {
            let members = labels.iter().filter(|&&l| l == a || l == b).count();
            let crossing = (suspects.iter())
                .filter(|s| [s.label, s.looks_like] == [a, b] || [s.label, s.looks_like] == [b, a])
                .count();
            let share = crossing as f32 / members.max(1) as f32;
            if share >= OVERLAP_SHARE {
                found.push(Overlap {
                    classes: [a, b],
                    share,
                });
            }
        }
    }
    found.sort_by(|x, y| y.share.total_cmp(&x.share));
    found
}

/// Every sample's coordinates on the first two principal components of the features (power
/// iteration with deflation, deterministic), each axis scaled to -1..=1.
fn map<'a>(
    row: impl Fn(usize) -> &'a [f32],
    n: usize,
    dim: usize,
    ids: &[u64],
    labels: &[usize],
) -> Vec<MapPoint> {
    let mean: Vec<f32> = (0..dim)
        .map(|d| (0..n).map(|i| row(i)[d]).sum::<f32>() / n.max(1) as f32)
        .collect();
    let centred: Vec<Vec<f32>> = (0..n)
        .map(|i| row(i).iter().zip(&mean).map(|(x, m)| x - m).collect())
        .collect();
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    let mut axes: Vec<Vec<f32>> = Vec::new();
    for axis in 0..2 {
        let mut v: Vec<f32> = (0..dim).map(|d| 1.0 + (d % (axis + 2)) as f32).collect();
        for _ in 0..POWER_STEPS {
            // v ← Xᵀ X v, without the axes found already, normalised.
            let projections: Vec<f32> = centred.iter().map(|x| dot(x, &v)).collect();
            let mut next = vec![0f32; dim];
            for (x, p) in centred.iter().zip(&projections) {
                next.iter_mut().zip(x).for_each(|(s, x)| *s += p * x);
            }
            for found in &axes {
                let along = dot(&next, found);
                next.iter_mut()
                    .zip(found)
                    .for_each(|(s, f)| *s -= along * f);
            }
            let norm = dot(&next, &next).sqrt();
            if norm == 0.0 {
                break;
            }
            v = next.into_iter().map(|s| s / norm).collect();
        }
        axes.push(v);
    }
    let coords: Vec<[f32; 2]> = centred
        .iter()
        .map(|x| [dot(x, &axes[0]), dot(x, &axes[1])])
        .collect();
    let scale = |k: usize| {
        coords
            .iter()
            .map(|c| c[k].abs())
            .fold(0f32, f32::max)
            .max(1e-6)
    };
    let (sx, sy) = (scale(0), scale(1));
    (0..n)
        .map(|i| MapPoint {
            id: ids[i],
            label: labels[i],
            x: coords[i][0] / sx,
            y: coords[i][1] / sy,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A unit vector along axis `a` with `t` of axis `b` (6 dimensions).
    fn near(a: usize, b: usize, t: f32) -> Vec<f32> {
        let mut v = vec![0f32; 6];
        v[a] = 1.0;
        v[b] += t;
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / norm).collect()
    }

    #[test]
    fn a_sample_filed_wrong_copies_and_mixed_classes_are_found() {
        // Class 0 around axis 0, class 1 around axis 1; sample 15 (filed as 0) lies among class
        // 1; samples 16 and 17 are the same picture.
        let rows = [
            near(0, 2, 0.5),
            near(0, 3, 0.5),
            near(0, 4, 0.5),
            near(1, 2, 0.5),
            near(1, 3, 0.5),
            near(1, 5, 0.5),
            near(1, 4, 1.2),
            near(1, 4, 1.2),
        ];
        let ids = [10, 11, 12, 13, 14, 15, 16, 17];
        let labels = [0, 0, 0, 1, 1, 0, 1, 1];
        let check = DataCheck::new(&ids, &labels, &rows.concat(), 6, 2);
        let suspects: Vec<(u64, usize)> = check
            .suspects
            .iter()
            .map(|s| (s.id, s.looks_like))
            .collect();
        assert_eq!(suspects, [(15, 1)], "{check:?}");
        assert_eq!(check.near_copies.len(), 1, "{check:?}");
        assert_eq!(
            (check.near_copies[0].first, check.near_copies[0].second),
            (16, 17)
        );
        assert!(
            check.overlaps.is_empty(),
            "one stray sample is not an overlap: {:?}",
            check.overlaps
        );
        assert_eq!(check.points.len(), 8);
        assert!(
            check
                .points
                .iter()
                .all(|p| p.x.abs() <= 1.0 && p.y.abs() <= 1.0)
        );
        // The two classes land apart along the first axis.
        let side = |i: usize| check.points[i].x > 0.0;
        assert_eq!(side(0), side(1));
        assert_ne!(side(0), side(3));
    }

    #[test]
    fn classes_that_mix_overlap() {
        // Each class half along axis 0, half along axis 1.
        let rows = [
            near(0, 2, 0.5),
            near(1, 3, 0.5),
            near(0, 4, 0.5),
            near(1, 2, 0.5),
            near(0, 3, 0.5),
            near(1, 4, 0.5),
        ];
        let labels = [0, 0, 0, 1, 1, 1];
        let check = DataCheck::new(&[1, 2, 3, 4, 5, 6], &labels, &rows.concat(), 6, 2);
        assert_eq!(check.overlaps.len(), 1, "{check:?}");
        assert_eq!(check.overlaps[0].classes, [0, 1]);
        assert!(check.overlaps[0].share >= OVERLAP_SHARE);
    }
}
