//! Boundary activations: the frozen prefix's output per sample, computed once and kept.

use crate::model::{MobileNetV1, run_prefix};
use burn::prelude::*;
use std::collections::HashMap;

/// One sample's boundary activations: the plain image's and its augmented views'.
#[derive(Debug, Default)]
struct Entry {
    plain: Option<Tensor<4>>,
    views: Vec<Tensor<4>>,
}

/// Per-sample boundary activations for one (weights, freeze boundary) pair: the plain image
/// and a bank of augmented views (view `j` of a sample is always the same seeded view).
#[derive(Debug)]
pub struct BoundaryCache {
    weights_id: String,
    first_block: usize,
    view_seed: u64,
    entries: HashMap<u64, Entry>,
    prefix_runs: usize,
}

/// What one frozen-prefix row computes: sample `id`'s plain image (`None`) or view `Some(j)`.
pub type CacheSlot = (u64, Option<usize>);

impl BoundaryCache {
    /// An empty cache for these base weights, this boundary and this seed of views.
    pub fn new(weights_id: impl Into<String>, first_block: usize, view_seed: u64) -> Self {
        Self {
            weights_id: weights_id.into(),
            first_block,
            view_seed,
            entries: HashMap::new(),
            prefix_runs: 0,
        }
    }

    /// Drops every entry when the weights or the boundary changed, and the views when their
    /// seed changed: they would be stale.
    pub fn retarget(&mut self, weights_id: &str, first_block: usize, view_seed: u64) {
        if self.weights_id != weights_id || self.first_block != first_block {
            self.entries.clear();
            self.weights_id = weights_id.to_owned();
            self.first_block = first_block;
        }
        if self.view_seed != view_seed {
            self.entries.values_mut().for_each(|e| e.views.clear());
            self.view_seed = view_seed;
        }
    }

    /// The boundary (first trainable block) the entries belong to.
    pub fn first_block(&self) -> usize {
        self.first_block
    }

    /// The seed the augmented views derive from.
    pub fn view_seed(&self) -> u64 {
        self.view_seed
    }

    /// Whether sample `id`'s plain activation is cached.
    pub fn contains(&self, id: u64) -> bool {
        self.entries.get(&id).is_some_and(|e| e.plain.is_some())
    }

    /// How many augmented views of sample `id` are cached.
    pub fn view_count(&self, id: u64) -> usize {
        self.entries.get(&id).map_or(0, |e| e.views.len())
    }

    /// Forgets sample `id`.
    pub fn remove(&mut self, id: u64) {
        self.entries.remove(&id);
    }

    /// Number of samples with a cached plain activation.
    pub fn len(&self) -> usize {
        self.entries.values().filter(|e| e.plain.is_some()).count()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many images went through the frozen prefix since creation (cached or not).
    pub fn prefix_runs(&self) -> usize {
        self.prefix_runs
    }

    /// Runs the prefix on a batch of images and returns the activations (no caching).
    pub fn compute(&mut self, base: &MobileNetV1, input: Tensor<4>) -> Tensor<4> {
        self.prefix_runs += input.dims()[0];
        run_prefix(base, input, self.first_block)
    }

    /// Runs the prefix on a batch of images and caches row `i` in `slots[i]`. A view must be
    /// the next one of its sample (`view_count`), so the bank stays in order.
    pub fn insert_batch(&mut self, base: &MobileNetV1, slots: &[CacheSlot], input: Tensor<4>) {
        let boundary = self.compute(base, input);
        self.store(slots, boundary);
    }

    /// Caches row `i` of `boundary`, the prefix's output computed by another copy of the same
    /// base weights (another worker's), in `slots[i]`; views in order as for [`Self::insert_batch`].
    pub fn insert_computed(&mut self, slots: &[CacheSlot], boundary: Tensor<4>) {
        self.prefix_runs += slots.len();
        self.store(slots, boundary);
    }

    fn store(&mut self, slots: &[CacheSlot], boundary: Tensor<4>) {
        for (row, &(id, view)) in slots.iter().enumerate() {
            let activation = boundary.clone().narrow(0, row, 1);
            let entry = self.entries.entry(id).or_default();
            match view {
                None => entry.plain = Some(activation),
                Some(j) => {
                    debug_assert_eq!(j, entry.views.len(), "views are cached in order");
                    entry.views.push(activation);
                }
            }
        }
    }

    /// The cached activation of sample `id`, `[1, C, H, W]`.
    pub fn get(&self, id: u64) -> Option<Tensor<4>> {
        self.entries.get(&id).and_then(|e| e.plain.clone())
    }

    /// The first `count` cached views of sample `id` (fewer if fewer are cached).
    pub fn views(&self, id: u64, count: usize) -> Vec<Tensor<4>> {
        self.entries
            .get(&id)
            .map(|e| e.views.iter().take(count).cloned().collect())
            .unwrap_or_default()
    }

    /// The cached activations of `ids`, stacked in order. `None` if any is missing.
    pub fn stack(&self, ids: &[u64]) -> Option<Tensor<4>> {
        let rows: Option<Vec<Tensor<4>>> = ids.iter().map(|id| self.get(*id)).collect();
        rows.filter(|r| !r.is_empty()).map(|r| Tensor::cat(r, 0))
    }
}
