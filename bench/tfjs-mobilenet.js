// MobileNetV1 α = 1.0 in TF.js (NHWC), built from burnish's safetensors so both sides run the very
// same weights, at TF.js's best: BatchNorm folded into each convolution at load (a per-channel
// scale on the filter and a bias), and every unit one fused op with its bias and ReLU6
// (`tf.fused.conv2d` / `tf.fused.depthwiseConv2d`) — what TF.js's converter emits for a frozen
// graph. 13 depthwise-separable blocks; global average pool; a 1001-way classifier (output 0 =
// background) as one fused matMul with its bias. `fusedKernels` checks the ops really run fused.

import * as tf from '@tensorflow/tfjs';

/** Depthwise strides of blocks 1..13 (TF-slim `MOBILENETV1_CONV_DEFS`, src/model/mobilenet.rs). */
const BLOCK_STRIDES = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1];
/** burn conv weights [out, in, kh, kw] → TF conv2d filters [kh, kw, in, out]. */
const CONV_TO_HWIO = [2, 3, 1, 0];
/** burn depthwise weights [C, 1, kh, kw] → TF depthwise filters [kh, kw, C, 1]. */
const DEPTHWISE_TO_HWC1 = [2, 3, 0, 1];
const SIZE = 224;
/** Kernels one embedding must run (each unit fused) and must not (an unfused unit's parts). */
const FUSED = ['FusedConv2D', 'FusedDepthwiseConv2D'];
const UNFUSED = ['FusedBatchNorm', 'Relu6', 'Conv2D', 'DepthwiseConv2dNative'];

/** The network's weights as TF.js tensors, BatchNorm folded; throws on a missing or unused tensor. */
export function mobileNetFromSafetensors({ metadata, tensors }) {
  const epsilon = Number(metadata.bn_epsilon);
  if (!Number.isFinite(epsilon)) throw new Error('weights: metadata bn_epsilon is missing');
  const used = new Set();
  const values = (name) => {
    const t = tensors.get(name);
    if (!t) throw new Error(`weights: ${name} is missing`);
    used.add(name);
    return t;
  };
  // y = γ (conv(x) − μ) / √(σ² + ε) + β  =  conv(x) · s + (β − μ s),  s = γ / √(σ² + ε)
  const unit = (path, perm, stride) => {
    const [gamma, beta, mean, variance] = ['gamma', 'beta', 'running_mean', 'running_var'].map((p) => values(`${path}.bn.${p}`).values);
    const scale = gamma.map((g, c) => g / Math.sqrt(variance[c] + epsilon));
    const w = values(`${path}.conv.weight`);
    const perOut = w.values.length / scale.length; // burn's layout puts the output channel first
    const folded = w.values.map((v, i) => v * scale[Math.floor(i / perOut)]);
    return {
      stride,
      filter: tf.tidy(() => tf.transpose(tf.tensor(folded, w.shape), perm)),
      bias: tf.tensor1d(beta.map((b, c) => b - mean[c] * scale[c])),
    };
  };
  const linear = (name) => tf.tensor(values(name).values, values(name).shape);
  const net = {
    stem: unit('stem', CONV_TO_HWIO, 2),
    blocks: BLOCK_STRIDES.map((stride, i) => ({
      depthwise: unit(`blocks.${i}.depthwise`, DEPTHWISE_TO_HWC1, stride),
      pointwise: unit(`blocks.${i}.pointwise`, CONV_TO_HWIO, 1),
    })),
    // burn's Linear keeps [in, out], what tf.matMul wants.
    classifier: { weight: linear('classifier.weight'), bias: linear('classifier.bias') },
  };
  const unused = [...tensors.keys()].filter((name) => !used.has(name));
  if (unused.length) throw new Error(`weights: unexpected tensors ${unused.join(', ')}`);
  return new TfMobileNet(net);
}

class TfMobileNet {
  constructor(net) {
    this.net = net;
  }

  /** n concatenated 224² RGBA images → RGB in [-1, 1] (src/data.rs: `pixel / 127.5 - 1`). */
  input(rgba, n) {
    return tf.tidy(() =>
      tf.tensor4d(rgba, [n, SIZE, SIZE, 4], 'int32').slice([0, 0, 0, 0], [n, SIZE, SIZE, 3]).toFloat().div(127.5).sub(1),
    );
  }

  /** One fused op: convolution + bias + ReLU6. `[N, H, W, C_in] -> [N, H/s, W/s, C_out]` */
  unit(x, { filter, bias, stride }, depthwise) {
    const args = { x, filter, strides: stride, pad: 'same', bias, activation: 'relu6' };
    return depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
  }

  /** The pooled 1024-d embedding. `[N, 224, 224, 3] -> [N, 1024]` */
  embed(x) {
    return tf.tidy(() => {
      let y = this.unit(x, this.net.stem, false);
      for (const block of this.net.blocks) y = this.unit(this.unit(y, block.depthwise, true), block.pointwise, false);
      return tf.mean(y, [1, 2]);
    });
  }

  /** The 1001 ImageNet logits. `[N, 224, 224, 3] -> [N, 1001]` */
  logits(x) {
    const { weight, bias } = this.net.classifier;
    return tf.tidy(() => tf.fused.matMul({ a: this.embed(x), b: weight, bias }));
  }

  /** The kernels one embedding ran; throws unless every unit ran as one fused kernel. */
  async fusedKernels(rgba) {
    const profile = await tf.profile(() => this.embed(this.input(rgba, 1)));
    tf.dispose(profile.result);
    const names = [...new Set(profile.kernelNames)];
    const missing = FUSED.filter((k) => !names.includes(k));
    const unfused = UNFUSED.filter((k) => names.includes(k));
    if (missing.length || unfused.length) {
      throw new Error(`TF.js ran unfused: missing ${missing.join(', ') || '—'}; ran ${unfused.join(', ') || '—'}`);
    }
    return names;
  }
}
