// Converts the frozen TF-slim MobileNetV1 graph into the weights the page loads, with burnish's
// converter compiled to wasm (the CPU-only build, www/pkg/cpu: the quicker one to build, made by
// `.ci/build.sh app`) running under Node: setting up needs no native build of the CLI. Same code
// and output as `burnish convert GRAPH OUT_DIR`.
//   node .ci/convert-weights.mjs GRAPH.pb OUT_DIR
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [graph, outDir] = process.argv.slice(2);
if (!graph || !outDir) throw new Error('usage: node .ci/convert-weights.mjs GRAPH.pb OUT_DIR');
const pkg = new URL('../www/pkg/cpu/', import.meta.url);
const { default: init, convertFrozenGraph, imagenetClassNames } = await import(new URL('burnish.js', pkg));
await init({ module_or_path: readFileSync(new URL('burnish_bg.wasm', pkg)) });

/** Writes via a temporary file and a rename, so an interrupted run leaves no half file. */
function writeAtomically(path, bytes) {
  writeFileSync(`${path}.partial`, bytes);
  renameSync(`${path}.partial`, path);
}

mkdirSync(outDir, { recursive: true });
const weights = convertFrozenGraph(readFileSync(graph));
const path = join(outDir, 'mobilenet_v1_1.0_224.safetensors');
writeAtomically(path, weights);
writeAtomically(join(outDir, 'imagenet_classes.json'), JSON.stringify(imagenetClassNames()));
console.error(`wrote ${path} (${weights.length} bytes)`);
