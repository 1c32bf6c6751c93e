// safetensors bytes → tensors, in the browser: an 8-byte little-endian header length, a JSON
// header ({name: {dtype, shape, data_offsets}} plus "__metadata__"), then the raw data.

/** A float16 (IEEE half) bit pattern as a number. */
function halfToFloat(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * `{ metadata, tensors: Map<name, { shape, values: Float32Array }> }`; F32 tensors, or F16 ones
 * (the base weights) widened to float32 as burnish does.
 */
export function parseSafetensors(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const { __metadata__: metadata = {}, ...entries } = header;
  const dataStart = 8 + headerLength;
  const tensors = new Map();
  for (const [name, { dtype, shape, data_offsets: [begin, end] }] of Object.entries(entries)) {
    if (dtype !== 'F32' && dtype !== 'F16') throw new Error(`safetensors: ${name} is ${dtype}, expected F32 or F16`);
    // A copy: the data need not be aligned, which typed-array views require.
    const raw = bytes.slice(dataStart + begin, dataStart + end).buffer;
    const values = dtype === 'F32' ? new Float32Array(raw) : Float32Array.from(new Uint16Array(raw), halfToFloat);
    if (values.length !== shape.reduce((a, b) => a * b, 1)) {
      throw new Error(`safetensors: ${name} holds ${values.length} values for shape [${shape}]`);
    }
    tensors.set(name, { shape, values });
  }
  return { metadata, tensors };
}
