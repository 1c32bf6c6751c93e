// The bench's safetensors reader expands int16 kernels as burnish does (one scale per output
// channel, broadcast along the scale tensor's one non-1 axis) and refuses what it cannot read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSafetensors } from '../../bench/safetensors.js';

/** safetensors bytes from `{name: {dtype, shape, data: TypedArray}}`. */
function safetensors(entries) {
  const header = {};
  const chunks = [];
  let offset = 0;
  for (const [name, { dtype, shape, data }] of Object.entries(entries)) {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const chunk of chunks) { out.set(chunk, at); at += chunk.length; }
  return out;
}

test('int16 kernels expand along their output channels; float32 tensors pass through', () => {
  const bytes = safetensors({
    // Linear [I = 2, O = 3]: scales along axis 1.
    'fc.weight': { dtype: 'I16', shape: [2, 3], data: new Int16Array([1, 2, 3, -1, -2, -3]) },
    'fc.weight:scale': { dtype: 'F32', shape: [1, 3], data: new Float32Array([0.5, 10, 100]) },
    // Conv [O = 2, I = 1, H = 1, W = 2]: scales along axis 0.
    'conv.weight': { dtype: 'I16', shape: [2, 1, 1, 2], data: new Int16Array([4, 5, 6, 7]) },
    'conv.weight:scale': { dtype: 'F32', shape: [2, 1, 1, 1], data: new Float32Array([0.25, 2]) },
    'bn.gamma': { dtype: 'F32', shape: [2], data: new Float32Array([1.5, -2]) },
  });
  const { tensors } = parseSafetensors(bytes);
  assert.deepEqual([...tensors.keys()].sort(), ['bn.gamma', 'conv.weight', 'fc.weight']);
  assert.deepEqual([...tensors.get('fc.weight').values], [0.5, 20, 300, -0.5, -20, -300]);
  assert.deepEqual([...tensors.get('conv.weight').values], [1, 1.25, 12, 14]);
  assert.deepEqual([...tensors.get('bn.gamma').values], [1.5, -2]);
});

test('an int16 tensor without its scales is refused by name', () => {
  const bytes = safetensors({ 'k': { dtype: 'I16', shape: [1, 2], data: new Int16Array([1, 2]) } });
  assert.throws(() => parseSafetensors(bytes), /k is I16 without F32 k:scale/);
});
