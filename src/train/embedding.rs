//! What the frozen prefix still has to embed before a run can start, embedded here or handed to
//! other copies of the prefix (a pool of workers in the browser) and taken back.

use super::augment::{AugmentConfig, augment_rgb, view_rng};
use super::cache::CacheSlot;
use super::project::Project;
use super::split::{Split, stratified_split};
use crate::data::rgb_to_input;
use crate::error::{Error, Result};
use crate::model::{boundary_shape, run_prefix};
use burn::prelude::*;

/// Images per frozen-prefix batch when embedding. Single-threaded Flex in wasm is fastest per
/// image at 4 (headless Chromium, batches of 1, 2, 4, 8, 16, 32: 15.7, 15.9, 17.2, 16.7, 15.1,
/// 14.1 images/s: larger activations leave the cache); WebGPU and threaded native Flex take 16.
pub fn embed_batch(device: &Device) -> usize {
    if cfg!(target_arch = "wasm32") && *device == Device::flex() {
        4
    } else {
        16
    }
}

/// Frozen-prefix work handed out by [`Project::pending_prefix_work`]: run [`run_prefix`] on
/// `pixels` (one 224×224 RGB image per slot) at `first_block`, then give the values back.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PrefixWork {
    /// Which sample (and which augmented view of it) each image is.
    pub slots: Vec<CacheSlot>,
    /// The images' RGB bytes, concatenated.
    #[serde(with = "serde_bytes")]
    pub pixels: Vec<u8>,
    /// The block whose input to compute.
    pub first_block: usize,
}

impl Project {
    /// The training/validation split a run started now would use.
    pub(super) fn split(&self) -> Split {
        let classes = self.dataset.class_names().len();
        let c = &self.config;
        stratified_split(
            self.dataset.samples(),
            classes,
            c.validation_fraction,
            c.seed,
        )
    }

    /// What the frozen prefix still has to embed before a run can start: every sample's plain
    /// image, then (with augmentation) each training sample's missing bank views.
    fn pending_slots(&self) -> Vec<CacheSlot> {
        let samples = self.dataset.samples();
        let mut slots: Vec<CacheSlot> = samples
            .iter()
            .filter(|s| !self.cache.contains(s.id))
            .map(|s| (s.id, None))
            .collect();
        if self.config.augment {
            for id in self.split().train {
                let have = self.cache.view_count(id);
                slots.extend((have..self.config.augment_views).map(|j| (id, Some(j))));
            }
        }
        slots
    }

    /// Images (plain samples and augmented views) the frozen prefix still has to embed
    /// before a run can start.
    pub fn pending_embeddings(&self) -> usize {
        self.pending_slots().len()
    }

    /// Embeds up to `limit` pending images (in batches); returns how many remain pending.
    pub fn embed_pending(&mut self, limit: usize) -> Result<usize> {
        let pending = self.pending_slots();
        let now = pending.len().min(limit);
        self.embed_slots(&pending[..now])?;
        Ok(pending.len() - now)
    }

    /// Up to `limit` pending images with their pixels, to run through another copy of the same
    /// frozen prefix (a pool of workers in the browser); [`Self::insert_prefix_work`] takes the
    /// result back. Nothing changes until then.
    pub fn pending_prefix_work(&self, limit: usize) -> Result<PrefixWork> {
        let mut slots = self.pending_slots();
        slots.truncate(limit);
        let pixels = self.prefix_pixels(&slots)?;
        Ok(PrefixWork {
            slots,
            pixels,
            first_block: self.cache.first_block(),
        })
    }

    /// Caches `values`, the prefix's output for `slots` (row-major `[slots, C, H, W]`, as
    /// [`run_prefix`] gives it for `first_block`), computed from a [`PrefixWork`]. Returns how
    /// many images are still pending. Fails, changing nothing, if the work is stale (the settings
    /// moved the boundary, or its slots are no longer the next pending ones) or the size is wrong.
    pub fn insert_prefix_work(
        &mut self,
        slots: &[CacheSlot],
        first_block: usize,
        values: Vec<f32>,
    ) -> Result<usize> {
        let pending = self.pending_slots();
        if first_block != self.cache.first_block() || !pending.starts_with(slots) {
            return Err(Error::State(
                "the embedded images are no longer the pending ones: embed again".into(),
            ));
        }
        let [c, h, w] = boundary_shape(first_block);
        if values.len() != slots.len() * c * h * w {
            return Err(Error::InvalidArgument(format!(
                "{} values for {} images of {c}×{h}×{w}",
                values.len(),
                slots.len()
            )));
        }
        let data = TensorData::new(values, [slots.len(), c, h, w]);
        let boundary = Tensor::from_data(data, &self.device);
        self.cache.insert_computed(slots, boundary);
        Ok(pending.len() - slots.len())
    }

    /// Embeds and caches `slots`, in batches.
    fn embed_slots(&mut self, slots: &[CacheSlot]) -> Result<()> {
        for chunk in slots.chunks(embed_batch(&self.device)) {
            let input = self.prefix_input(chunk)?;
            self.cache.insert_batch(&self.frozen, chunk, input);
        }
        Ok(())
    }

    /// The network input for `slots`: each sample's pixels, or its seeded augmented view.
    fn prefix_input(&self, slots: &[CacheSlot]) -> Result<Tensor<4>> {
        rgb_to_input(&self.prefix_pixels(slots)?, &self.device)
    }

    /// The RGB bytes of `slots`, concatenated: each sample's, or its seeded augmented view's.
    fn prefix_pixels(&self, slots: &[CacheSlot]) -> Result<Vec<u8>> {
        let augment = AugmentConfig::default();
        let seed = self.cache.view_seed();
        let mut pixels = Vec::with_capacity(slots.len() * crate::data::RGB_IMAGE_BYTES);
        for &(id, view) in slots {
            let rgb = &self.dataset.sample(id).ok_or(Error::MissingSample(id))?.rgb;
            match view {
                None => pixels.extend_from_slice(rgb),
                Some(j) => pixels.extend(augment_rgb(rgb, &augment, &mut view_rng(seed, id, j))),
            }
        }
        Ok(pixels)
    }

    /// Boundary activations of samples for `first_block`: cached when the cache holds that
    /// boundary, else computed from their pixels.
    pub(super) fn boundaries(
        &mut self,
        ids: &[u64],
        first_block: usize,
    ) -> Result<Option<Tensor<4>>> {
        if ids.is_empty() {
            return Ok(None);
        }
        let slots: Vec<CacheSlot> = ids.iter().map(|&id| (id, None)).collect();
        if self.cache.first_block() == first_block {
            let missing: Vec<CacheSlot> = (slots.iter())
                .filter(|(id, _)| !self.cache.contains(*id))
                .copied()
                .collect();
            self.embed_slots(&missing)?;
            return Ok(self.cache.stack(ids));
        }
        let mut parts = Vec::new();
        for chunk in slots.chunks(embed_batch(&self.device)) {
            parts.push(run_prefix(
                &self.frozen,
                self.prefix_input(chunk)?,
                first_block,
            ));
        }
        Ok(Some(Tensor::cat(parts, 0)))
    }
}
