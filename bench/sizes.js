// The download sizes against TF.js: the wasm each side loads (raw and brotli) and the weights —
// burnish's file (int16 large kernels with per-channel scales, the rest float32) against TF.js's
// converter's `--quantize_uint16` of the same tensors (per tensor: min and scale, 2 bytes a value),
// written here byte for byte as that converter does, raw and gzipped.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { ROOT } from '../tests/e2e/harness.js';
import { single } from './report.js';
import { parseSafetensors } from './safetensors.js';

const WEIGHTS = join(ROOT, 'www/models/mobilenet_v1_1.0_224.safetensors');
const WASM = join(ROOT, 'www/pkg/burnish_bg.wasm');
const TFJS_WASM_DIR = join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');

const brotli = (bytes) => brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length;
const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** TF.js's uint16 affine quantization of every tensor (tfjs-converter `quantize_weights`), concatenated. */
export function uint16Quantized(tensors) {
  const parts = [];
  for (const { values } of tensors.values()) {
    let [min, max] = [Infinity, -Infinity];
    for (const v of values) [min, max] = [Math.min(min, v), Math.max(max, v)];
    const scale = max > min ? (max - min) / 65535 : 1;
    parts.push(Uint16Array.from(values, (v) => Math.round((v - min) / scale)));
  }
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  parts.reduce((offset, p) => (bytes.set(new Uint8Array(p.buffer), offset), offset + p.byteLength), 0);
  return bytes;
}

/** The size rows, given the TF.js wasm side's info (which .wasm it loaded). */
export function sizeFigures({ simd, threads }) {
  const weights = readFileSync(WEIGHTS);
  const quantized = uint16Quantized(parseSafetensors(new Uint8Array(weights)).tensors);
  const wasm = readFileSync(WASM);
  const tfName = `tfjs-backend-wasm${threads > 1 ? '-threaded' : ''}${simd ? '-simd' : ''}.wasm`;
  const tfWasm = readFileSync(join(TFJS_WASM_DIR, tfName));
  const raw = {
    wasm: { burnish: wasm.length, tfjs: tfWasm.length, tfjs_file: tfName },
    wasm_brotli: { burnish: brotli(wasm), tfjs: brotli(tfWasm) },
    weights: { burnish: weights.length, tfjs_uint16: quantized.length },
    weights_gzip: { burnish: gzip(weights), tfjs_uint16: gzip(quantized) },
  };
  const mb = (v) => v / 1e6;
  return {
    raw,
    figures: [
      single('wasm size, raw', 'MB', 'lower', mb(raw.wasm.burnish), `TF.js: ${tfName}; JS not counted on either side`, mb(raw.wasm.tfjs)),
      single('wasm size, brotli', 'MB', 'lower', mb(raw.wasm_brotli.burnish), 'brotli quality 11', mb(raw.wasm_brotli.tfjs)),
      single('weights, raw', 'MB', 'lower', mb(raw.weights.burnish), "TF.js: its converter's uint16 quantization of the same tensors (manifest not counted)", mb(raw.weights.tfjs_uint16)),
      single('weights, gzip -9', 'MB', 'lower', mb(raw.weights_gzip.burnish), 'as a server would send them compressed', mb(raw.weights_gzip.tfjs_uint16)),
    ],
  };
}
