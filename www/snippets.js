// Code that uses an exported model elsewhere, one snippet per format, with the model's labels
// and "none of these" threshold filled in. The Export dialog shows them; the end-to-end tests run
// them as written (tests/e2e/export.test.js), so what a person copies works.

/** A plain page classifying `photo.jpg` with the ONNX model in onnxruntime-web. */
export function onnxWebSnippet({ labels, noneBelow }) {
  return `<!doctype html>
<!-- Next to this page: model.onnx, photo.jpg, and from the onnxruntime-web npm package
     (node_modules/onnxruntime-web/dist) ort.min.js with its ort-wasm-* files. -->
<meta charset="utf-8">
<img id="photo" src="photo.jpg" alt="">
<p id="result">Classifying…</p>
<script src="ort.min.js"></script>
<script>
const labels = ${JSON.stringify(labels)};
const noneBelow = ${noneBelow}; // similarity under this: "none of these"

async function classify(img) {
  // Centre square crop, 224×224, RGB scaled to [-1, 1], NCHW: the model's preprocessing.
  const side = Math.min(img.naturalWidth, img.naturalHeight);
  const canvas = Object.assign(document.createElement('canvas'), { width: 224, height: 224 });
  const context = canvas.getContext('2d');
  context.drawImage(img, (img.naturalWidth - side) / 2, (img.naturalHeight - side) / 2, side, side, 0, 0, 224, 224);
  const rgba = context.getImageData(0, 0, 224, 224).data;
  const input = new Float32Array(3 * 224 * 224);
  for (let i = 0; i < 224 * 224; i++) {
    for (let c = 0; c < 3; c++) input[c * 224 * 224 + i] = rgba[i * 4 + c] / 127.5 - 1;
  }
  const session = await ort.InferenceSession.create('model.onnx');
  const out = await session.run({ image: new ort.Tensor('float32', input, [1, 3, 224, 224]) });
  const probabilities = Array.from(out.probabilities.data);
  const similarity = out.similarity.data[0];
  const best = probabilities.indexOf(Math.max(...probabilities));
  return { label: similarity < noneBelow ? 'none of these' : labels[best], probabilities, similarity };
}

const photo = document.getElementById('photo');
photo.decode().then(() => classify(photo)).then(
  (answer) => { document.getElementById('result').textContent = JSON.stringify(answer); },
  (error) => { document.getElementById('result').textContent = 'Error: ' + error.message; },
);
</script>
`;
}

/** A Python script classifying images with the ONNX model in ONNX Runtime. */
export function onnxPythonSnippet() {
  return `# pip install onnxruntime pillow numpy
# python classify.py model.onnx photo.jpg ...
import json, sys
import numpy as np
import onnxruntime as ort
from PIL import Image

session = ort.InferenceSession(sys.argv[1])
meta = session.get_modelmeta().custom_metadata_map
labels = json.loads(meta["labels"])
none_below = float(meta["none_of_these_below"])  # similarity under this: "none of these"

for path in sys.argv[2:]:
    # Centre square crop, 224x224, RGB scaled to [-1, 1], NCHW: the model's preprocessing.
    image = Image.open(path).convert("RGB")
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    image = image.crop((left, top, left + side, top + side)).resize((224, 224), Image.BILINEAR)
    x = (np.asarray(image, dtype=np.float32) / 127.5 - 1.0).transpose(2, 0, 1)[None]
    probabilities, similarity = session.run(["probabilities", "similarity"], {"image": x})
    label = "none of these" if similarity[0] < none_below else labels[int(probabilities[0].argmax())]
    print(json.dumps({"file": path, "label": label, "probabilities": probabilities[0].tolist(),
                      "similarity": float(similarity[0])}))
`;
}

/** Python reading burnish's own .safetensors (the tail and the "none of these" references). */
export function safetensorsSnippet() {
  return `# pip install safetensors numpy
import json
from safetensors import safe_open

with safe_open("model.safetensors", framework="numpy") as f:
    meta = json.loads(f.metadata()["burnish"])  # class_names, fine_tune_blocks, novelty, …
    tensors = {name: f.get_tensor(name) for name in f.keys()}
print(meta["class_names"], sorted(tensors))
# The head runs on MobileNetV1's pooled features (docs/using-a-model.md has the whole recipe);
# to run the whole classifier anywhere, export ONNX instead.
`;
}

/** A plain page classifying `photo.jpg` with Teachable Machine's own library. */
export function tmSnippet() {
  return `<!doctype html>
<!-- Next to this page: model.json, weights.bin and metadata.json (the unzipped export), photo.jpg,
     tf.min.js from the @tensorflow/tfjs npm package (dist/) and teachablemachine-image.min.js
     from @teachablemachine/image (dist/). -->
<meta charset="utf-8">
<img id="photo" src="photo.jpg" alt="">
<p id="result">Classifying…</p>
<script src="tf.min.js"></script>
<script src="teachablemachine-image.min.js"></script>
<script>
const photo = document.getElementById('photo');
Promise.all([tmImage.load('model.json', 'metadata.json'), photo.decode()])
  .then(([model]) => model.predict(photo))
  .then(
    (predictions) => { document.getElementById('result').textContent = JSON.stringify(predictions); },
    (error) => { document.getElementById('result').textContent = 'Error: ' + error.message; },
  );
</script>
`;
}
