// MobileNetV1 α = 1.0 in TF.js (NHWC), built from burnish's safetensors so both sides run the very
// same weights. It mirrors src/model op for op: convolution with TF "SAME" padding → BatchNorm on
// the running statistics → ReLU6; 13 depthwise-separable blocks; global average pool; a 1001-way
// classifier (output 0 = background). Nothing is folded: BatchNorm runs as its own op, as in a
// TF.js layers model such as Teachable Machine's.

import * as tf from '@tensorflow/tfjs';

/** Depthwise strides of blocks 1..13 (TF-slim `MOBILENETV1_CONV_DEFS`, src/model/mobilenet.rs). */
const BLOCK_STRIDES = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1];
/** burn conv weights [out, in, kh, kw] → TF conv2d filters [kh, kw, in, out]. */
const CONV_TO_HWIO = [2, 3, 1, 0];
/** burn depthwise weights [C, 1, kh, kw] → TF depthwise filters [kh, kw, C, 1]. */
const DEPTHWISE_TO_HWC1 = [2, 3, 0, 1];
const SIZE = 224;

/** The network's weights as TF.js tensors; throws on a missing or unused tensor. */
export function mobileNetFromSafetensors({ metadata, tensors }) {
  const epsilon = Number(metadata.bn_epsilon);
  if (!Number.isFinite(epsilon)) throw new Error('weights: metadata bn_epsilon is missing');
  const used = new Set();
  const take = (name, perm) => {
    const t = tensors.get(name);
    if (!t) throw new Error(`weights: ${name} is missing`);
    used.add(name);
    return tf.tidy(() => {
      const x = tf.tensor(t.values, t.shape);
      return perm ? tf.transpose(x, perm) : x;
    });
  };
  const unit = (path, perm, stride) => ({
    stride,
    filter: take(`${path}.conv.weight`, perm),
    mean: take(`${path}.bn.running_mean`),
    variance: take(`${path}.bn.running_var`),
    beta: take(`${path}.bn.beta`),
    gamma: take(`${path}.bn.gamma`),
  });
  const net = {
    epsilon,
    stem: unit('stem', CONV_TO_HWIO, 2),
    blocks: BLOCK_STRIDES.map((stride, i) => ({
      depthwise: unit(`blocks.${i}.depthwise`, DEPTHWISE_TO_HWC1, stride),
      pointwise: unit(`blocks.${i}.pointwise`, CONV_TO_HWIO, 1),
    })),
    // burn's Linear keeps [in, out], what tf.matMul wants.
    classifier: { weight: take('classifier.weight'), bias: take('classifier.bias') },
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

  /** Convolution → BatchNorm → ReLU6. `[N, H, W, C_in] -> [N, H/s, W/s, C_out]` */
  unit(x, u, depthwise) {
    const conv = depthwise
      ? tf.depthwiseConv2d(x, u.filter, u.stride, 'same')
      : tf.conv2d(x, u.filter, u.stride, 'same');
    return tf.relu6(tf.batchNorm(conv, u.mean, u.variance, u.beta, u.gamma, this.net.epsilon));
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
    return tf.tidy(() => tf.add(tf.matMul(this.embed(x), weight), bias));
  }
}
