//! Classes and their samples (224×224 pixels), with stable ids.

use crate::data::RGB_IMAGE_BYTES;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The ids the next class and the next sample get. They only grow, so an id is never given
/// twice within a project — across deletions, reloads and bundles too (a trained model's split
/// names its samples by id, and evaluation trusts it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextIds {
    /// The next class's id.
    pub class: u64,
    /// The next sample's id.
    pub sample: u64,
}

impl NextIds {
    /// Each id the larger of the two.
    pub fn max(self, other: NextIds) -> NextIds {
        NextIds {
            class: self.class.max(other.class),
            sample: self.sample.max(other.sample),
        }
    }
}

/// One labelled image.
#[derive(Clone, Debug)]
pub struct Sample {
    /// Stable id (never reused within a dataset).
    pub id: u64,
    /// Class index (its class's position in [`Dataset::class_names`]).
    pub label: usize,
    /// 224×224 RGB pixels (shared: a training run keeps a handle, not a copy).
    pub rgb: Arc<[u8]>,
}

/// The user's classes and samples. Classes and samples have stable ids (what callers name them
/// by); a class's *label* is its position, what the model's outputs are ordered by.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    class_ids: Vec<u64>,
    class_names: Vec<String>,
    samples: Vec<Sample>,
    next: NextIds,
}

impl Dataset {
    /// A dataset with these classes (ids 0, 1, …) and no samples.
    pub fn new(class_names: Vec<String>) -> Self {
        Self {
            class_ids: (0..class_names.len() as u64).collect(),
            next: NextIds {
                class: class_names.len() as u64,
                sample: 0,
            },
            class_names,
            ..Self::default()
        }
    }

    /// A dataset with these `(id, name)` classes (a saved project's), in label order.
    pub fn with_classes(classes: Vec<(u64, String)>) -> Result<Self> {
        let mut dataset = Self::default();
        for (id, name) in classes {
            dataset.insert_class(id, name)?;
        }
        Ok(dataset)
    }

    /// Adds a class; returns its id.
    pub fn add_class(&mut self, name: impl Into<String>) -> u64 {
        let id = self.next.class;
        self.class_ids.push(id);
        self.class_names.push(name.into());
        self.next.class += 1;
        id
    }

    /// Adds a class under a known id (restoring a saved project); it takes the next label.
    pub fn insert_class(&mut self, id: u64, name: impl Into<String>) -> Result<()> {
        if self.class_ids.contains(&id) {
            return Err(Error::InvalidArgument(format!("class {id} already exists")));
        }
        self.class_ids.push(id);
        self.class_names.push(name.into());
        self.next.class = self.next.class.max(id + 1);
        Ok(())
    }

    /// The label (position) of class `id`.
    pub fn label_of(&self, id: u64) -> Result<usize> {
        self.class_ids
            .iter()
            .position(|&c| c == id)
            .ok_or_else(|| Error::InvalidArgument(format!("class {id} does not exist")))
    }

    /// Renames class `id`.
    pub fn rename_class(&mut self, id: u64, name: impl Into<String>) -> Result<()> {
        let label = self.label_of(id)?;
        self.class_names[label] = name.into();
        Ok(())
    }

    /// Removes class `id` and its samples; later classes move down one label. Returns the ids
    /// of the removed samples.
    pub fn remove_class(&mut self, id: u64) -> Result<Vec<u64>> {
        let label = self.label_of(id)?;
        self.class_ids.remove(label);
        self.class_names.remove(label);
        let removed = self
            .samples
            .iter()
            .filter(|s| s.label == label)
            .map(|s| s.id)
            .collect();
        self.samples.retain(|s| s.label != label);
        for sample in &mut self.samples {
            if sample.label > label {
                sample.label -= 1;
            }
        }
        Ok(removed)
    }

    /// The ids the next class and sample will get.
    pub fn next_ids(&self) -> NextIds {
        self.next
    }

    /// Never gives ids below `next` (a saved project's, which may be past every id it still
    /// holds: its newest samples or classes were deleted).
    pub fn reserve_ids(&mut self, next: NextIds) {
        self.next = self.next.max(next);
    }

    /// Class ids, by label.
    pub fn class_ids(&self) -> &[u64] {
        &self.class_ids
    }

    /// Class names, by label.
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// Adds one 224×224 RGB image to class `class` (an id); returns the sample's new id.
    pub fn add_sample(&mut self, class: u64, rgb: Vec<u8>) -> Result<u64> {
        let id = self.next.sample;
        self.insert_sample(id, class, rgb)?;
        Ok(id)
    }

    /// Adds one 224×224 RGB image to class `class` under a given sample id (a saved project's
    /// sample keeps its id, so a trained model's split still names it).
    pub fn insert_sample(&mut self, id: u64, class: u64, rgb: Vec<u8>) -> Result<()> {
        let label = self.label_of(class)?;
        if rgb.len() != RGB_IMAGE_BYTES {
            return Err(Error::PixelSize {
                what: "one 224×224 RGB image",
                expected: RGB_IMAGE_BYTES,
                actual: rgb.len(),
            });
        }
        let Err(at) = self.samples.binary_search_by_key(&id, |s| s.id) else {
            return Err(Error::InvalidArgument(format!(
                "sample {id} already exists"
            )));
        };
        self.samples.insert(
            at,
            Sample {
                id,
                label,
                rgb: rgb.into(),
            },
        );
        self.next.sample = self.next.sample.max(id + 1);
        Ok(())
    }

    /// Removes a sample; returns whether it existed.
    pub fn remove_sample(&mut self, id: u64) -> bool {
        let before = self.samples.len();
        self.samples.retain(|s| s.id != id);
        self.samples.len() != before
    }

    /// Moves sample `id` to class `class` (an id).
    pub fn relabel_sample(&mut self, id: u64, class: u64) -> Result<()> {
        let label = self.label_of(class)?;
        let index = self
            .samples
            .binary_search_by_key(&id, |s| s.id)
            .map_err(|_| Error::MissingSample(id))?;
        self.samples[index].label = label;
        Ok(())
    }

    /// All samples, by id.
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// The sample with this id (O(log n): `samples` is kept sorted by id).
    pub fn sample(&self, id: u64) -> Option<&Sample> {
        let index = self.samples.binary_search_by_key(&id, |s| s.id).ok()?;
        self.samples.get(index)
    }

    /// Samples per class.
    pub fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.class_names.len()];
        for s in &self.samples {
            counts[s.label] += 1;
        }
        counts
    }

    /// Refuses what cannot be trained: fewer than two classes, or a class without samples.
    pub fn check_trainable(&self) -> Result<()> {
        if self.class_names.len() < 2 {
            return Err(Error::State(format!(
                "training needs at least 2 classes, this project has {}: add another class",
                self.class_names.len()
            )));
        }
        if let Some((name, _)) = self
            .class_names
            .iter()
            .zip(self.counts())
            .find(|(_, n)| *n == 0)
        {
            return Err(Error::State(format!(
                "class \"{name}\" has no samples: add images to it, or remove it"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_keep_their_ids() {
        let mut d = Dataset::new(vec!["a".into()]);
        d.insert_sample(7, 0, vec![1; RGB_IMAGE_BYTES])
            .expect("id 7");
        d.insert_sample(3, 0, vec![2; RGB_IMAGE_BYTES])
            .expect("id 3");
        assert!(d.insert_sample(3, 0, vec![2; RGB_IMAGE_BYTES]).is_err());
        assert_eq!(d.add_sample(0, vec![3; RGB_IMAGE_BYTES]).ok(), Some(8));
        let ids: Vec<u64> = d.samples().iter().map(|s| s.id).collect();
        assert_eq!(ids, [3, 7, 8]);
        assert_eq!(d.sample(3).map(|s| s.rgb[0]), Some(2));
        assert!(d.add_sample(0, vec![0; RGB_IMAGE_BYTES + 1]).is_err());
        assert!(d.add_sample(1, vec![0; RGB_IMAGE_BYTES]).is_err());
    }

    #[test]
    fn removing_a_class_drops_its_samples_and_keeps_class_ids() {
        let mut d = Dataset::new(vec!["a".into(), "b".into(), "c".into()]);
        let a = d.add_sample(0, vec![0; RGB_IMAGE_BYTES]).expect("a");
        let b = d.add_sample(1, vec![0; RGB_IMAGE_BYTES]).expect("b");
        let c = d.add_sample(2, vec![0; RGB_IMAGE_BYTES]).expect("c");
        assert_eq!(d.remove_class(1).expect("remove"), vec![b]);
        assert_eq!(d.class_names(), ["a", "c"]);
        assert_eq!(d.class_ids(), [0, 2], "ids stay, labels move down");
        assert_eq!(d.sample(c).map(|s| s.label), Some(1));
        assert_eq!(d.sample(a).map(|s| s.label), Some(0));
        assert!(d.remove_class(1).is_err(), "class 1 is gone");
        d.relabel_sample(c, 0).expect("relabel");
        assert_eq!(d.sample(c).map(|s| s.label), Some(0));
        assert!(d.relabel_sample(c, 9).is_err());
        assert!(d.relabel_sample(999, 0).is_err());
        d.rename_class(2, "see").expect("rename");
        assert_eq!(d.class_names()[1], "see");
        assert_eq!(d.add_class("d"), 3, "a new class never takes a used id");
    }

    #[test]
    fn saved_classes_keep_their_ids() {
        let mut d = Dataset::with_classes(vec![(4, "x".into()), (9, "y".into())]).expect("ids");
        assert_eq!(d.label_of(9).ok(), Some(1));
        assert_eq!(d.add_class("z"), 10);
        d.add_sample(9, vec![0; RGB_IMAGE_BYTES]).expect("class 9");
        assert!(
            d.add_sample(1, vec![0; RGB_IMAGE_BYTES]).is_err(),
            "1 is a label, not an id"
        );
        assert!(Dataset::with_classes(vec![(1, "a".into()), (1, "b".into())]).is_err());
    }

    #[test]
    fn deleted_ids_are_never_given_again() {
        let mut d = Dataset::new(vec!["a".into(), "b".into()]);
        let kept = d.add_sample(0, vec![0; RGB_IMAGE_BYTES]).expect("kept");
        let newest = d.add_sample(0, vec![0; RGB_IMAGE_BYTES]).expect("newest");
        assert!(d.remove_sample(newest));
        let class = d.add_class("c");
        d.remove_class(class).expect("remove");
        let saved = d.next_ids();
        // Reloaded from what is left, the project would hand the deleted ids out again…
        let mut reloaded =
            Dataset::with_classes(vec![(0, "a".into()), (1, "b".into())]).expect("classes");
        reloaded
            .insert_sample(kept, 0, vec![0; RGB_IMAGE_BYTES])
            .expect("kept");
        assert_eq!(
            reloaded.next_ids(),
            NextIds {
                class: 2,
                sample: 1
            }
        );
        // …unless its saved next ids come back with it.
        reloaded.reserve_ids(saved);
        assert_eq!(
            reloaded.add_sample(0, vec![0; RGB_IMAGE_BYTES]).ok(),
            Some(newest + 1)
        );
        assert_eq!(reloaded.add_class("d"), class + 1);
        reloaded.reserve_ids(NextIds::default());
        assert_eq!(reloaded.next_ids().sample, newest + 2, "ids never go back");
    }
}
