// The page: loads the model in the worker, then classifies picked images and webcam frames.

import { ModelClient } from './client.js';
import { fileToRgba224, toRgba224 } from './capture.js';
import { startCamera, stopCamera } from './camera.js';

const params = new URLSearchParams(location.search);
const weightsUrl = params.get('weights') ?? new URL('./models/mobilenet_v1_1.0_224.safetensors', import.meta.url).href;
const requestedBackend = params.get('backend') ?? 'auto';

const $ = (id) => document.getElementById(id);
const ui = {
  status: $('status'),
  progress: $('load-progress'),
  backend: $('backend'),
  error: $('error'),
  fileInput: $('image-input'),
  preview: $('preview'),
  cameraButton: $('camera-button'),
  snapButton: $('snap-button'),
  video: $('camera'),
  results: $('predictions'),
  timing: $('timing'),
};

function setState(state, message) {
  document.body.dataset.state = state;
  ui.status.textContent = message;
}

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = false;
}

const client = new ModelClient(({ loaded, total }) => {
  if (total) {
    ui.progress.max = total;
    ui.progress.value = loaded;
  }
  ui.status.textContent = `Downloading weights… ${(loaded / 1e6).toFixed(1)} MB${total ? ` of ${(total / 1e6).toFixed(1)} MB` : ''}`;
});

function renderPredictions(top, ms) {
  ui.results.replaceChildren(
    ...top.map(({ label, prob, index }) => {
      const item = document.createElement('li');
      item.dataset.index = index;
      const name = document.createElement('span');
      name.className = 'label';
      name.textContent = label;
      const bar = document.createElement('meter');
      bar.min = 0;
      bar.max = 1;
      bar.value = prob;
      const pct = document.createElement('span');
      pct.className = 'pct';
      pct.textContent = `${(prob * 100).toFixed(1)}%`;
      item.append(name, bar, pct);
      return item;
    }),
  );
  ui.timing.textContent = `${ms.toFixed(0)} ms`;
}

async function classify(rgba) {
  ui.error.hidden = true;
  try {
    const { top, ms } = await client.request('predict', { rgba }, [rgba.buffer]);
    renderPredictions(top, ms);
  } catch (err) {
    showError(err.message);
  }
}

ui.fileInput.addEventListener('change', async () => {
  const file = ui.fileInput.files?.[0];
  if (!file) return;
  ui.preview.src = URL.createObjectURL(file);
  ui.preview.hidden = false;
  try {
    await classify(await fileToRgba224(file));
  } catch (err) {
    showError(err.message);
  }
});

ui.cameraButton.addEventListener('click', async () => {
  if (ui.video.srcObject) {
    stopCamera(ui.video);
    ui.video.hidden = true;
    ui.snapButton.disabled = true;
    ui.cameraButton.textContent = 'Start webcam';
    return;
  }
  try {
    await startCamera(ui.video);
    ui.video.hidden = false;
    ui.snapButton.disabled = false;
    ui.cameraButton.textContent = 'Stop webcam';
  } catch (err) {
    showError(err.message);
  }
});

ui.snapButton.addEventListener('click', () => {
  const { videoWidth, videoHeight } = ui.video;
  classify(toRgba224(ui.video, videoWidth, videoHeight));
});

async function load() {
  setState('loading', 'Loading the model…');
  try {
    const { backend, reason } = await client.request('load', { weightsUrl, backend: requestedBackend });
    ui.backend.textContent = reason;
    ui.backend.dataset.backend = backend;
    ui.fileInput.disabled = false;
    ui.cameraButton.disabled = false;
    setState('ready', 'Ready: pick an image or use the webcam.');
  } catch (err) {
    setState('error', 'The model could not be loaded.');
    showError(err.message);
  }
}

load();
