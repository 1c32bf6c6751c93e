// How many multiply-adds a second one core can do in wasm SIMD (f32x4 mul + add: wasm has no
// fused multiply-add without relaxed SIMD), in V8 — the engine of Chromium and of Node —, as the
// ceiling to read burnish's and TF.js's embedding throughput against (docs/benchmarks.md,
// "How close to the ceiling"). Twelve independent accumulators (fourteen vector registers in
// all: x86-64 has sixteen) hide the multiply and add latencies; every operand stays in
// registers, so this is the arithmetic bound alone, without memory traffic.
// `node bench/research/simd-peak.js`

import binaryen from 'binaryen';

const ACCUMULATORS = 12;
// a = a·x + y: each multiply depends on its accumulator, so nothing can be hoisted out of the loop.
const acc = (i) => `(local.set $a${i} (f32x4.add (f32x4.mul (local.get $a${i}) (local.get $x0)) (local.get $y)))`;
const wat = `(module
  (func (export "peak") (param $n i32) (result f32)
    ${Array.from({ length: ACCUMULATORS }, (_, i) => `(local $a${i} v128)`).join(' ')}
    (local $x0 v128) (local $y v128)
    (local.set $x0 (f32x4.splat (f32.const 0.9999)))
    (local.set $y (f32x4.splat (f32.const 0.5)))
    (loop $l
      ${acc(0)} ${Array.from({ length: ACCUMULATORS - 1 }, (_, i) => acc(i + 1)).join('\n      ')}
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (f32x4.extract_lane 0 (f32x4.add ${Array.from({ length: ACCUMULATORS - 1 }, (_, i) => `(f32x4.add (local.get $a${i})`).join(' ')} (local.get $a${ACCUMULATORS - 1})${')'.repeat(ACCUMULATORS - 1)} (local.get $a0)))))`;

const module = binaryen.parseText(wat);
module.setFeatures(binaryen.Features.SIMD128);
if (!module.validate()) throw new Error('invalid module');
const { instance } = await WebAssembly.instantiate(module.emitBinary());
const macsPerIteration = ACCUMULATORS * 4;
const iterations = 5e7;
instance.exports.peak(1e6); // warm-up: the optimizing tier
const rates = [];
for (let round = 0; round < 7; round++) {
  const start = performance.now();
  instance.exports.peak(iterations);
  rates.push((iterations * macsPerIteration) / ((performance.now() - start) / 1000) / 1e9);
}
rates.sort((a, b) => a - b);
console.log(`wasm SIMD f32x4 mul+add, one core: median ${rates[3].toFixed(2)} GMAC/s (min ${rates[0].toFixed(2)}, max ${rates[6].toFixed(2)}; 7 rounds of ${iterations * macsPerIteration / 1e9} GMAC)`);
