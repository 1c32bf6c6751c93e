// The page: wires the panels to the model worker and keeps document.body.dataset.state.

import { fileToRgba224, toRgba224 } from './capture.js';
import { startCamera, stopCamera } from './camera.js';
import { ClassesPanel } from './classes.js';
import { TrainingCharts } from './charts.js';
import { readConfig, train } from './training.js';
import { renderEvaluation } from './evaluation.js';
import { renderClassBars, renderImagenet } from './prediction.js';
import { downloadModel, exportProject, importProject } from './files.js';
import { enableOffline } from './offline.js';
import { ModelSession } from './session.js';
import { ProjectStore } from './store.js';
import { forgetWeights } from './weights.js';

const params = new URLSearchParams(location.search);
const weightsUrl = params.get('weights') ?? new URL('./models/mobilenet_v1_1.0_224.safetensors', import.meta.url).href;
const requestedBackend = params.get('backend') ?? 'auto';

const $ = (id) => document.getElementById(id);
const ui = {
  status: $('status'),
  progress: $('load-progress'),
  backend: $('backend'),
  backendSelect: $('backend-select'),
  error: $('error'),
  cameraButton: $('camera-button'),
  cameraSelect: $('camera-select'),
  mirror: $('mirror'),
  fps: $('fps'),
  video: $('camera'),
  addClass: $('add-class'),
  trainButton: $('train-button'),
  stopButton: $('stop-button'),
  trainingStatus: $('training-status'),
  form: $('training-form'),
  imageInput: $('image-input'),
  live: $('live'),
  threshold: $('threshold'),
  thresholdValue: $('threshold-value'),
  preview: $('preview'),
  top: $('prediction-top'),
  timing: $('timing'),
  predictions: $('predictions'),
  evaluation: $('evaluation'),
  exportProject: $('export-project'),
  importProject: $('import-project'),
  downloadModel: $('download-model'),
  storage: $('storage'),
  evaluationBody: $('evaluation-body'),
};

let trained = false;
/** Class names the trained model was trained with (its outputs, in order). */
let modelClassNames = [];
let training = false;
let stopRequested = false;

function setState(state, message) {
  document.body.dataset.state = state;
  if (message) ui.status.textContent = message;
}

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = false;
}

function showProgress({ phase, loaded, total }) {
  if (total) {
    ui.progress.max = total;
    ui.progress.value = loaded;
  }
  ui.status.textContent =
    phase === 'restore'
      ? `Restoring your samples… ${loaded} of ${total}`
      : `Downloading weights… ${(loaded / 1e6).toFixed(1)} MB${total ? ` of ${(total / 1e6).toFixed(1)} MB` : ''}`;
}

let store = null;
let session = null;
const request = (type, args, transfer) => session.request(type, args, transfer);

function grabFrame() {
  const { video } = ui;
  if (!video.srcObject || !video.videoWidth) return null;
  return toRgba224(video, video.videoWidth, video.videoHeight, { mirror: ui.mirror.checked });
}

const classes = new ClassesPanel($('classes'), $('class-template'), {
  request,
  store: null,
  grabFrame,
  fps: () => Math.min(30, Math.max(1, Number(ui.fps.value) || 10)),
  letterbox: () => $('letterbox').checked,
  announce: (text) => (ui.status.textContent = text),
  error: showError,
  onChange: updateControls,
});
const charts = new TrainingCharts($('charts'));

function updateControls() {
  const counts = classes.counts();
  const ready = document.body.dataset.state !== 'loading' && document.body.dataset.state !== 'error';
  ui.trainButton.disabled = !ready || training || counts.length < 2 || counts.some((n) => n === 0);
  ui.stopButton.disabled = !training;
  ui.addClass.disabled = !ready || training;
  ui.imageInput.disabled = !ready;
  classes.setTraining(training);
  ui.exportProject.disabled = !ready || training;
  ui.importProject.disabled = !ready || training;
  ui.downloadModel.disabled = !ready || training || !trained;
  storageTimer ??= setTimeout(() => {
    storageTimer = null;
    showStorage();
  }, 500);
}

/** Pending storage refresh: at most two estimates a second, however fast samples arrive. */
let storageTimer = null;

/** Storage used vs the browser's quota; warns when nearly full. Asks once for persistence. */
let persistAsked = false;
async function showStorage() {
  if (!navigator.storage?.estimate) return;
  const { usage = 0, quota = 0 } = await navigator.storage.estimate();
  if (!persistAsked && classes.counts().some((n) => n > 0)) {
    persistAsked = true;
    await navigator.storage.persist?.();
  }
  const persisted = (await navigator.storage.persisted?.()) ? ', kept until you delete it' : '';
  const share = quota ? usage / quota : 0;
  ui.storage.textContent = `Saved in this browser: ${(usage / 1e6).toFixed(1)} MB of ${(quota / 1e9).toFixed(1)} GB available${persisted}.`;
  if (share > 0.9) ui.storage.textContent += ' Storage is almost full: export the project to keep a copy.';
}

async function predictRgba(rgba) {
  if (trained) {
    const result = await request('predict', { rgba });
    renderClassBars(ui, modelClassNames, result, Number(ui.threshold.value));
  } else {
    const { top, ms } = await request('predictImagenet', { rgba });
    renderImagenet(ui, top, ms);
  }
}

ui.imageInput.addEventListener('change', async () => {
  const file = ui.imageInput.files?.[0];
  if (!file) return;
  ui.error.hidden = true;
  ui.preview.src = URL.createObjectURL(file);
  ui.preview.hidden = false;
  try {
    await predictRgba(await fileToRgba224(file, { letterbox: $('letterbox').checked }));
  } catch (err) {
    showError(err.message);
  }
});

const showMirror = () => ui.video.classList.toggle('mirrored', ui.mirror.checked);
ui.mirror.addEventListener('change', showMirror);
showMirror();

function setThreshold(value) {
  ui.threshold.value = value;
  ui.thresholdValue.textContent = Number(value).toFixed(2);
}
ui.threshold.addEventListener('input', () => setThreshold(ui.threshold.value));
ui.threshold.addEventListener('change', () => store.saveThreshold(Number(ui.threshold.value)).catch((err) => showError(err.message)));
ui.form.addEventListener('change', () => store.saveSettings(readConfig(ui.form)).catch((err) => showError(err.message)));

async function livePredictLoop() {
  while (ui.live.checked && ui.video.srcObject) {
    const rgba = grabFrame();
    if (rgba && !training) {
      try {
        await predictRgba(rgba);
      } catch (err) {
        showError(err.message);
      }
    }
    await new Promise((r) => setTimeout(r, 1000 / Math.min(30, Number(ui.fps.value) || 10)));
  }
}
ui.live.addEventListener('change', () => ui.live.checked && livePredictLoop());

ui.cameraButton.addEventListener('click', async () => {
  if (ui.video.srcObject) {
    stopCamera(ui.video);
    ui.video.hidden = true;
    classes.setRecording(false);
    ui.cameraButton.textContent = 'Start webcam';
    return;
  }
  try {
    await startCamera(ui.video, {
      facing: ui.cameraSelect.value,
      onEnded: () => {
        showError('the camera disappeared');
        classes.setRecording(false);
      },
    });
    ui.video.hidden = false;
    classes.setRecording(true);
    ui.cameraButton.textContent = 'Stop webcam';
    if (ui.live.checked) livePredictLoop();
  } catch (err) {
    showError(err.message);
  }
});

ui.addClass.addEventListener('click', async () => {
  let n = classes.classes.length + 1;
  while (classes.names().includes(`Class ${n}`)) n++;
  const entry = await classes.add(`Class ${n}`);
  entry.card.querySelector('.class-name').focus();
  updateControls();
});

ui.stopButton.addEventListener('click', () => {
  stopRequested = true;
  ui.trainingStatus.textContent = 'Stopping after this epoch…';
});

ui.trainButton.addEventListener('click', async () => {
  ui.error.hidden = true;
  training = true;
  stopRequested = false;
  setState('training', 'Training…');
  updateControls();
  charts.reset();
  try {
    const config = readConfig(ui.form);
    await store.saveSettings(config);
    modelClassNames = classes.names();
    const last = await train(request, config, {
      onProgress: (text) => (ui.trainingStatus.textContent = text),
      onEpoch: (m) => {
        charts.push(m);
        const val = m.val_accuracy == null ? '' : `, validation accuracy ${(m.val_accuracy * 100).toFixed(0)}%`;
        ui.trainingStatus.textContent = `Epoch ${m.epoch}: loss ${m.train_loss.toFixed(3)}${val}`;
      },
      shouldStop: () => stopRequested,
    });
    trained = true;
    const how = last.cancelled ? 'stopped' : last.stopped_early ? 'stopped early (no better validation loss)' : 'finished';
    ui.trainingStatus.textContent = `Training ${how} after ${last.epoch} epochs.`;
    setState('trained', 'Trained: pick an image or go live.');
    const threshold = await request('threshold');
    if (threshold != null) setThreshold(threshold);
    await store.saveModel(await request('exportModel'));
    await store.saveThreshold(threshold);
    const evaluation = await request('evaluate');
    renderEvaluation(ui, classes, evaluation);
  } catch (err) {
    showError(err.message);
    setState(trained ? 'trained' : 'ready', 'Training failed.');
  } finally {
    training = false;
    updateControls();
  }
});

ui.exportProject.addEventListener('click', async () => {
  try {
    await classes.saved();
    const bytes = await exportProject(store, request);
    ui.status.textContent = `Project exported (${(bytes / 1e6).toFixed(1)} MB).`;
  } catch (err) {
    showError(err.message);
  }
});

ui.importProject.addEventListener('change', async () => {
  const file = ui.importProject.files?.[0];
  ui.importProject.value = '';
  if (!file) return;
  ui.error.hidden = true;
  try {
    await classes.saved();
    await importProject(file, store, request);
    location.reload();
  } catch (err) {
    showError(`${file.name} was not imported: ${err.message}. Your project is unchanged.`);
  }
});

ui.downloadModel.addEventListener('click', () => downloadModel(request).catch((err) => showError(err.message)));

$('refetch').addEventListener('click', async () => {
  await forgetWeights();
  location.reload();
});

ui.backendSelect.value = requestedBackend;
ui.backendSelect.addEventListener('change', () => {
  const url = new URL(location.href);
  url.searchParams.set('backend', ui.backendSelect.value);
  location.assign(url);
});

/** Puts saved training settings back into the form. */
function restoreSettings(settings) {
  for (const [name, value] of Object.entries(settings ?? {})) {
    const field = ui.form.elements.namedItem(name);
    if (!field) continue;
    if (field.type === 'checkbox') field.checked = Boolean(value);
    else field.value = String(value);
  }
}

/** Opens the saved project (or starts one), loads the model on it and shows it. */
async function load() {
  setState('loading', 'Loading the model…');
  try {
    store = await ProjectStore.open();
    classes.api.store = store;
    let saved = await store.load();
    if (!saved) {
      await store.create(['Class 1', 'Class 2']);
      saved = await store.load();
    }
    session = new ModelSession({
      store,
      flush: () => classes.saved(),
      weightsUrl,
      onProgress: showProgress,
      onRecovering: (reason) => {
        ui.backend.dataset.backend = 'recovering';
        ui.status.textContent = `WebGPU was lost (${reason}): moving your project to the CPU (Flex)…`;
      },
      onRecovered: (reason, ids) => {
        classes.renumber(ids);
        ui.backend.textContent = reason;
        ui.backend.dataset.backend = 'flex';
        ui.status.textContent = reason;
      },
    });
    const { backend, reason, cached, ids, modelRestored, modelClasses, modelError } = await session.start(requestedBackend, saved);
    ui.backend.textContent = `${reason}${cached ? ' · weights from this browser’s cache' : ''}`;
    ui.backend.dataset.backend = backend;
    for (const { key, name } of saved.classes) await classes.add(name, { key });
    classes.restoreSamples(saved.samples.map(({ key, classKey, png }) => ({ classKey, key, id: ids.get(key), png })));
    restoreSettings(saved.settings);
    if (saved.threshold != null) setThreshold(saved.threshold);
    ui.cameraButton.disabled = false;
    if (modelError) showError(`The saved model could not be restored (${modelError}); your samples are kept, train again.`);
    if (modelRestored) {
      trained = true;
      modelClassNames = modelClasses;
      setState('trained', 'Your project and trained model are back: pick an image or go live.');
    } else {
      const restored = saved.samples.length ? ` ${saved.samples.length} saved samples restored.` : '';
      setState('ready', `Ready: add samples to each class, then train — or pick an image to see ImageNet’s view.${restored}`);
    }
  } catch (err) {
    setState('error', 'The model could not be loaded.');
    showError(err.message);
    $('refetch').hidden = false;
  }
  updateControls();
  if (document.body.dataset.state !== 'error') makeOffline();
}

/** After a good start: cache the app for offline starts (data-offline = ready when done). */
async function makeOffline() {
  try {
    const result = await enableOffline(await request('resources'));
    if (result) document.body.dataset.offline = 'ready';
  } catch (err) {
    console.warn(`offline use unavailable: ${err.message}`);
  }
}

/** For tests and benchmarks: add a 224² RGBA sample to class `label` as the UI does; wait for saves. */
window.burnishHooks = {
  addSample: (label, rgba) => classes.addSample(classes.classes[label], rgba),
  saved: () => classes.saved(),
};

load();
