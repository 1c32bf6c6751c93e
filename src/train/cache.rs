//! Boundary activations: the frozen prefix's output per sample, computed once and kept.

use crate::model::{BLOCK_COUNT, MobileNetV1, global_average_pool};
use burn::prelude::*;
use std::collections::HashMap;

/// Runs the frozen prefix on `[N, 3, 224, 224]` images.
///
/// Returns the input of block `first_block`; for `first_block == 13` (head only) the pooled
/// embedding as `[N, 1024, 1, 1]`: pooling is frozen too, and the cache is 49× smaller.
pub fn run_prefix(base: &MobileNetV1, input: Tensor<4>, first_block: usize) -> Tensor<4> {
    let boundary = base.forward_until(input, first_block);
    if first_block >= BLOCK_COUNT {
        let pooled = global_average_pool(boundary);
        let [n, c] = pooled.dims();
        pooled.reshape([n, c, 1, 1])
    } else {
        boundary
    }
}

/// Per-sample boundary activations for one (weights, freeze boundary) pair.
#[derive(Debug)]
pub struct BoundaryCache {
    weights_id: String,
    first_block: usize,
    entries: HashMap<u64, Tensor<4>>,
    prefix_runs: usize,
}

impl BoundaryCache {
    /// An empty cache for these base weights and this boundary.
    pub fn new(weights_id: impl Into<String>, first_block: usize) -> Self {
        Self {
            weights_id: weights_id.into(),
            first_block,
            entries: HashMap::new(),
            prefix_runs: 0,
        }
    }

    /// Drops every entry when the weights or the boundary changed: they would be stale.
    pub fn retarget(&mut self, weights_id: &str, first_block: usize) {
        if self.weights_id != weights_id || self.first_block != first_block {
            self.entries.clear();
            self.weights_id = weights_id.to_owned();
            self.first_block = first_block;
        }
    }

    /// The boundary (first trainable block) the entries belong to.
    pub fn first_block(&self) -> usize {
        self.first_block
    }

    /// Whether sample `id` is cached.
    pub fn contains(&self, id: u64) -> bool {
        self.entries.contains_key(&id)
    }

    /// Forgets sample `id`.
    pub fn remove(&mut self, id: u64) {
        self.entries.remove(&id);
    }

    /// Number of cached samples.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many images went through the frozen prefix since creation (cached or not).
    pub fn prefix_runs(&self) -> usize {
        self.prefix_runs
    }

    /// Runs the prefix on a batch of images and returns the activations (no caching): used for
    /// augmented views and predictions.
    pub fn compute(&mut self, base: &MobileNetV1, input: Tensor<4>) -> Tensor<4> {
        self.prefix_runs += input.dims()[0];
        run_prefix(base, input, self.first_block)
    }

    /// Runs the prefix on a batch of images and caches one activation per id.
    pub fn insert_batch(&mut self, base: &MobileNetV1, ids: &[u64], input: Tensor<4>) {
        let boundary = self.compute(base, input);
        for (row, &id) in ids.iter().enumerate() {
            self.entries.insert(id, boundary.clone().narrow(0, row, 1));
        }
    }

    /// The cached activation of sample `id`, `[1, C, H, W]`.
    pub fn get(&self, id: u64) -> Option<Tensor<4>> {
        self.entries.get(&id).cloned()
    }

    /// The cached activations of `ids`, stacked in order. `None` if any is missing.
    pub fn stack(&self, ids: &[u64]) -> Option<Tensor<4>> {
        let rows: Option<Vec<Tensor<4>>> =
            ids.iter().map(|id| self.entries.get(id).cloned()).collect();
        rows.filter(|r| !r.is_empty()).map(|r| Tensor::cat(r, 0))
    }
}
