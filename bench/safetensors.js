// safetensors bytes → tensors, in the browser: an 8-byte little-endian header length, a JSON
// header ({name: {dtype, shape, data_offsets}} plus "__metadata__"), then the raw data.

/** `{ metadata, tensors: Map<name, { shape, values: Float32Array }> }`; F32 tensors only. */
export function parseSafetensors(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const { __metadata__: metadata = {}, ...entries } = header;
  const dataStart = 8 + headerLength;
  const tensors = new Map();
  for (const [name, { dtype, shape, data_offsets: [begin, end] }] of Object.entries(entries)) {
    if (dtype !== 'F32') throw new Error(`safetensors: ${name} is ${dtype}, expected F32`);
    // A copy: the data need not be 4-byte aligned, which Float32Array views require.
    const values = new Float32Array(bytes.slice(dataStart + begin, dataStart + end).buffer);
    if (values.length !== shape.reduce((a, b) => a * b, 1)) {
      throw new Error(`safetensors: ${name} holds ${values.length} values for shape [${shape}]`);
    }
    tensors.set(name, { shape, values });
  }
  return { metadata, tensors };
}
