// The TF.js side of the benchmark: a backend ("wasm" or "webgpu"), the MobileNetV1 built from our
// weights with BatchNorm folded and fused ops (bench/tfjs-mobilenet.js), and Teachable Machine's
// head trained with model.fit. Also what each TF.js worker of the all-cores pool runs
// (bench/tfjs-worker.js). Configured as claimed or it throws: SIMD, the thread count asked for
// (read back with `getThreadsCount`), fused kernels.

import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { concat } from './concat.js';
import { mobileNetFromSafetensors } from './tfjs-mobilenet.js';

// The .wasm files straight from node_modules, served by vite: no CDN.
setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');

const FEATURES = 1024;

/**
 * Switches TF.js to `backend` and builds the network on `weights`; throws when the backend cannot
 * start or does not run as asked. On wasm, `threads` is the thread count its pool must have: 1
 * loads the single-threaded SIMD build; n > 1 (a cross-origin isolated page only) its threaded
 * build with n threads — TF.js caps its pool at half of `navigator.hardwareConcurrency`
 * (backend.cc), so the page reports 2n cores to it before it starts. `probe`: one RGBA image,
 * embedded once under `tf.profile` to check that every unit ran as one fused kernel.
 */
export async function tfjsSide(backend, weights, { threads = 1, probe } = {}) {
  if (backend === 'wasm') {
    if (threads > 1) {
      if (!self.crossOriginIsolated) throw new Error('TF.js threads need a cross-origin isolated page');
      Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
    } else {
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    }
    setThreadsCount(threads);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} failed to initialise`);
  await tf.ready();
  const net = mobileNetFromSafetensors(weights);
  const flags = tf.env().features;
  const info = { version: tf.version.tfjs, backend: tf.getBackend(), kernels: await net.fusedKernels(probe) };
  if (backend === 'wasm') {
    Object.assign(info, { simd: Boolean(flags.WASM_HAS_SIMD_SUPPORT), threads: getThreadsCount(), crossOriginIsolated: self.crossOriginIsolated });
    if (!info.simd) throw new Error('TF.js wasm runs without SIMD');
    if (info.threads !== threads) throw new Error(`TF.js wasm runs ${info.threads} threads, asked for ${threads}`);
  }
  return {
    info,

    /** Embeddings of n concatenated RGBA images (one batch), read back. */
    async embed(rgba, n) {
      const out = tf.tidy(() => net.embed(net.input(rgba, n)));
      const values = await out.data();
      out.dispose();
      return values;
    },

    /** ImageNet logits of n images (1001 per image), read back. */
    async logits(rgba, n) {
      const out = tf.tidy(() => net.logits(net.input(rgba, n)));
      const values = await out.data();
      out.dispose();
      return values;
    },

    /** Top-k ImageNet-1k indices and probabilities of one image, as the app's prediction does. */
    async predictTop(rgba, k) {
      const { values, indices } = tf.tidy(() => tf.topk(tf.softmax(net.logits(net.input(rgba, 1))).slice([0, 1]), k));
      const [probs, index] = await Promise.all([values.data(), indices.data()]);
      tf.dispose([values, indices]);
      return [...index].map((i, j) => ({ index: i, prob: probs[j] }));
    },

    /** Embeds the head's training images (untimed): what Teachable Machine caches. */
    async prepareHead(images, labels, classes, batch) {
      const rows = [];
      for (let i = 0; i < images.length; i += batch) {
        const chunk = images.slice(i, i + batch);
        rows.push(await this.embed(concat(chunk), chunk.length));
      }
      this.head?.x.dispose();
      this.head?.y.dispose();
      this.head = {
        x: tf.tensor2d(concat(rows), [images.length, FEATURES]),
        y: tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), classes)),
        classes,
      };
    },

    /** Milliseconds of model.fit of a fresh Dense(hidden, relu) → Dropout → Dense(N) head. */
    async trainHead({ epochs, batch_size, learning_rate, hidden_units, dropout }) {
      const { x, y, classes } = this.head;
      const model = tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [FEATURES], units: hidden_units, activation: 'relu' }),
          tf.layers.dropout({ rate: dropout }),
          tf.layers.dense({ units: classes, activation: 'softmax' }),
        ],
      });
      model.compile({ optimizer: tf.train.adam(learning_rate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const start = performance.now();
      // yieldEvery 'never': fit does not wait for an animation frame between batches.
      await model.fit(x, y, { epochs, batchSize: batch_size, shuffle: true, verbose: 0, yieldEvery: 'never' });
      const ms = performance.now() - start;
      model.dispose();
      return ms;
    },
  };
}
