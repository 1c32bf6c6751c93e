//! Classes and their samples (224×224 pixels), with stable ids.

use crate::data::RGB_IMAGE_BYTES;
use crate::error::{Error, Result};
use std::sync::Arc;

/// One labelled image.
#[derive(Clone, Debug)]
pub struct Sample {
    /// Stable id (never reused within a dataset).
    pub id: u64,
    /// Class index.
    pub label: usize,
    /// 224×224 RGB pixels (shared: a training run keeps a handle, not a copy).
    pub rgb: Arc<[u8]>,
}

/// The user's classes and samples.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    class_names: Vec<String>,
    samples: Vec<Sample>,
    next_id: u64,
}

impl Dataset {
    /// A dataset with these classes and no samples.
    pub fn new(class_names: Vec<String>) -> Self {
        Self {
            class_names,
            ..Self::default()
        }
    }

    /// Adds a class; returns its index.
    pub fn add_class(&mut self, name: impl Into<String>) -> usize {
        self.class_names.push(name.into());
        self.class_names.len() - 1
    }

    /// Renames class `label`.
    pub fn rename_class(&mut self, label: usize, name: impl Into<String>) -> Result<()> {
        let slot = self
            .class_names
            .get_mut(label)
            .ok_or_else(|| Error::InvalidArgument(format!("class {label} does not exist")))?;
        *slot = name.into();
        Ok(())
    }

    /// Removes class `label` and its samples; later classes move down one index. Returns the
    /// ids of the removed samples.
    pub fn remove_class(&mut self, label: usize) -> Result<Vec<u64>> {
        if label >= self.class_names.len() {
            return Err(Error::InvalidArgument(format!(
                "class {label} does not exist"
            )));
        }
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

    /// Class names, by index.
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// Adds one 224×224 RGB image to class `label`; returns its new id.
    pub fn add_sample(&mut self, label: usize, rgb: Vec<u8>) -> Result<u64> {
        let id = self.next_id;
        self.insert_sample(id, label, rgb)?;
        Ok(id)
    }

    /// Adds one 224×224 RGB image to class `label` under a given id (a saved project's sample
    /// keeps its id, so a trained model's split still names it).
    pub fn insert_sample(&mut self, id: u64, label: usize, rgb: Vec<u8>) -> Result<()> {
        if label >= self.class_names.len() {
            return Err(Error::InvalidArgument(format!(
                "class {label} does not exist ({} classes)",
                self.class_names.len()
            )));
        }
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
        self.next_id = self.next_id.max(id + 1);
        Ok(())
    }

    /// Removes a sample; returns whether it existed.
    pub fn remove_sample(&mut self, id: u64) -> bool {
        let before = self.samples.len();
        self.samples.retain(|s| s.id != id);
        self.samples.len() != before
    }

    /// Moves sample `id` to class `label`.
    pub fn relabel_sample(&mut self, id: u64, label: usize) -> Result<()> {
        if label >= self.class_names.len() {
            return Err(Error::InvalidArgument(format!(
                "class {label} does not exist"
            )));
        }
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
                "training needs at least 2 classes, this project has {}",
                self.class_names.len()
            )));
        }
        if let Some((name, _)) = self
            .class_names
            .iter()
            .zip(self.counts())
            .find(|(_, n)| *n == 0)
        {
            return Err(Error::State(format!("class \"{name}\" has no samples")));
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
    fn removing_a_class_drops_its_samples_and_renumbers() {
        let mut d = Dataset::new(vec!["a".into(), "b".into(), "c".into()]);
        let a = d.add_sample(0, vec![0; RGB_IMAGE_BYTES]).expect("a");
        let b = d.add_sample(1, vec![0; RGB_IMAGE_BYTES]).expect("b");
        let c = d.add_sample(2, vec![0; RGB_IMAGE_BYTES]).expect("c");
        assert_eq!(d.remove_class(1).expect("remove"), vec![b]);
        assert_eq!(d.class_names(), ["a", "c"]);
        assert_eq!(d.sample(c).map(|s| s.label), Some(1));
        assert_eq!(d.sample(a).map(|s| s.label), Some(0));
        assert!(d.remove_class(5).is_err());
        d.relabel_sample(c, 0).expect("relabel");
        assert_eq!(d.sample(c).map(|s| s.label), Some(0));
        assert!(d.relabel_sample(c, 9).is_err());
        assert!(d.relabel_sample(999, 0).is_err());
        d.rename_class(1, "see").expect("rename");
        assert_eq!(d.class_names()[1], "see");
    }
}
