// safetensors bytes → tensors, in the browser: an 8-byte little-endian header length, a JSON
// header ({name: {dtype, shape, data_offsets}} plus "__metadata__"), then the raw data.
// Int16 kernels with a `NAME:scale` tensor (what burnish's converter writes: one float32 scale per
// output channel, shaped to broadcast) are expanded to float32, as `burnish::weights::int16` does.

/** Suffix of the tensor holding an int16 kernel's scales. */
export const SCALE_SUFFIX = ':scale';

/** `{ metadata, tensors: Map<name, { shape, values: Float32Array }> }`; F32 and scaled I16. */
export function parseSafetensors(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const { __metadata__: metadata = {}, ...entries } = header;
  const dataStart = 8 + headerLength;
  // Copies: the data need not be aligned, which typed-array views require.
  const raw = (begin, end) => bytes.slice(dataStart + begin, dataStart + end).buffer;
  const tensors = new Map();
  for (const [name, { dtype, shape, data_offsets: [begin, end] }] of Object.entries(entries)) {
    if (name.endsWith(SCALE_SUFFIX)) continue;
    let values;
    if (dtype === 'F32') {
      values = new Float32Array(raw(begin, end));
    } else if (dtype === 'I16') {
      const scale = entries[name + SCALE_SUFFIX];
      if (scale?.dtype !== 'F32') throw new Error(`safetensors: ${name} is I16 without F32 ${name}${SCALE_SUFFIX}`);
      values = expandInt16(new Int16Array(raw(begin, end)), shape,
        new Float32Array(raw(...scale.data_offsets)), scale.shape);
    } else {
      throw new Error(`safetensors: ${name} is ${dtype}, expected F32 or I16`);
    }
    if (values.length !== shape.reduce((a, b) => a * b, 1)) {
      throw new Error(`safetensors: ${name} holds ${values.length} values for shape [${shape}]`);
    }
    tensors.set(name, { shape, values });
  }
  return { metadata, tensors };
}

/** q · scale, the scales broadcast along the one axis where their shape is not 1. */
function expandInt16(quantized, shape, scales, scaleShape) {
  const axis = Math.max(0, scaleShape.findIndex((d) => d !== 1));
  if (scaleShape.length !== shape.length || scales.length !== shape[axis]) {
    throw new Error(`safetensors: scales of shape [${scaleShape}] do not fit [${shape}]`);
  }
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const values = new Float32Array(quantized.length);
  for (let i = 0; i < quantized.length; i++) {
    values[i] = quantized[i] * scales[Math.floor(i / inner) % shape[axis]];
  }
  return values;
}
