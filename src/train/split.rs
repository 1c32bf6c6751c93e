//! Seeded, stratified train/validation split.

use super::dataset::Sample;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// Sample ids for training and for validation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Split {
    /// Ids the optimiser sees.
    pub train: Vec<u64>,
    /// Held-out ids for validation loss, early stopping, evaluation and calibration.
    pub validation: Vec<u64>,
}

impl Split {
    /// Whether sample `id` took part in the run (trained on or held out).
    pub fn contains(&self, id: u64) -> bool {
        self.train.contains(&id) || self.validation.contains(&id)
    }
}

/// Holds out `fraction` of every class (rounded); when `fraction > 0`, at least one sample of
/// each class that has two or more, and never a class's last training sample.
pub fn stratified_split(samples: &[Sample], classes: usize, fraction: f64, seed: u64) -> Split {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut split = Split::default();
    for class in 0..classes {
        let mut ids: Vec<u64> = samples
            .iter()
            .filter(|s| s.label == class)
            .map(|s| s.id)
            .collect();
        ids.sort_unstable();
        ids.shuffle(&mut rng);
        let n = ids.len();
        let held_out = if n >= 2 && fraction > 0.0 {
            ((n as f64 * fraction).round() as usize).clamp(1, n - 1)
        } else {
            0
        };
        split.validation.extend_from_slice(&ids[..held_out]);
        split.train.extend_from_slice(&ids[held_out..]);
    }
    split
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(per_class: &[usize]) -> Vec<Sample> {
        let mut out = Vec::new();
        for (label, &n) in per_class.iter().enumerate() {
            for _ in 0..n {
                let id = out.len() as u64;
                out.push(Sample {
                    id,
                    label,
                    rgb: Vec::new().into(),
                });
            }
        }
        out
    }

    #[test]
    fn stratified_with_minimum_one_and_seeded() {
        let s = samples(&[20, 2, 1]);
        let split = stratified_split(&s, 3, 0.15, 1);
        let held = |class: usize| {
            split
                .validation
                .iter()
                .filter(|&&id| s[id as usize].label == class)
                .count()
        };
        assert_eq!((held(0), held(1), held(2)), (3, 1, 0));
        assert_eq!(split.train.len() + split.validation.len(), 23);
        assert_eq!(split, stratified_split(&s, 3, 0.15, 1));
        assert_ne!(split, stratified_split(&s, 3, 0.15, 2));
        assert!(stratified_split(&s, 3, 0.0, 1).validation.is_empty());
    }
}
