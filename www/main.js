// Starts the page: opens a Trainer (the burnish library's, its only import from www/lib) and
// hands it to the panels, which render it.
// The page's state is the model's (mirrored into document.body.dataset.state).

import './locale.js'; // first: a valid navigator.language before uPlot loads
import { Camera } from './camera.js';
import { BehaviourEditor, behaviourPreview } from './behaviour-editor.js';
import { ClassesPanel } from './classes.js';
import { renderEvaluation } from './evaluation.js';
import { DataCheckPanel } from './data-check.js';
import { ExplainView } from './explain.js';
import { ExportDialog } from './export.js';
import { wireProjectFiles } from './files.js';
import { enableOffline } from './offline.js';
import { PredictionPanel } from './prediction.js';
import { TrainingPanel } from './training.js';
import { Trainer, forgetWeights, progressText, storageText, toRgb224 } from './lib/burnish.js';

const params = new URLSearchParams(location.search);
const weightsUrl = params.get('weights') ?? undefined; // the library's own by default
const requestedBackend = params.get('backend') ?? 'auto';
const $ = (id) => document.getElementById(id);
const status = (text) => ($('status').textContent = text);
function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
}

const model = new Trainer();
const letterbox = () => $('letterbox').checked;
function cameraChanged(running) {
  classes.setRecording(running);
  if (running) prediction.liveLoop();
}
const camera = new Camera(
  { button: $('camera-button'), facing: $('camera-select'), mirror: $('mirror'), fps: $('fps'), video: $('camera') },
  { toRgb: toRgb224, error: showError, onChange: cameraChanged },
);
const classes = new ClassesPanel($('classes'), $('class-template'), model, {
  camera,
  letterbox,
  error: showError,
  afterLastClass: $('add-class'),
  behaviourTemplate: $('behaviour-template'),
});
const noneBehaviour = new BehaviourEditor($('none-behaviour'), $('behaviour-template'), model, null, '“none of these”');
const training = new TrainingPanel(
  { form: $('training-form'), trainButton: $('train-button'), stopButton: $('stop-button'), status: $('training-status'), warning: $('training-warning'), progress: $('training-progress'), charts: $('charts') },
  model,
  showError,
);
new DataCheckPanel({ button: $('data-check-button'), body: $('data-check') }, model, showError);
const explain = new ExplainView({ toggle: $('explain'), view: $('explain-view'), canvas: $('explain-canvas'), caption: $('explain-caption') }, model);
const prediction = new PredictionPanel(
  { fileInput: $('image-input'), live: $('live'), strictness: $('strictness'), strictnessValue: $('strictness-value'), fewPhotos: $('few-photos'), preview: $('preview'), top: $('prediction-top'), timing: $('timing'), bars: $('predictions') },
  model,
  { camera, letterbox, explain, error: showError, preview: behaviourPreview($('behaviour-preview')) },
);

const MESSAGES = {
  ready: () => `Ready: add samples to each class, then train — or pick an image to see ImageNet’s view.${model.restored ? ` ${model.restored} saved samples restored.` : ''}`,
  training: () => 'Training…',
  trained: () => 'Trained: pick an image or go live.',
};

/** Which backend runs the model, in words. */
function showBackend(backend, text) {
  Object.assign($('backend'), { textContent: text }).dataset.backend = backend;
}

function renderPanels() {
  classes.render();
  noneBehaviour.render();
  training.build();
  prediction.update();
}

/** Enables what the state allows and refreshes the storage line (throttled). */
let storageTimer = null;
function update() {
  const open = model.state !== 'loading' && model.state !== 'error';
  const busy = !open || model.state === 'training';
  for (const id of ['add-class', 'add-other-class', 'export-project', 'import-project']) $(id).disabled = busy;
  $('download-model').disabled = busy || !model.model;
  $('camera-button').disabled = !open;
  storageTimer ??= setTimeout(async () => {
    storageTimer = null;
    $('storage').textContent = (await storageText(model.counts().some((n) => n > 0))) ?? '';
  }, 500);
}

model.addEventListener('change', async ({ detail }) => {
  if (detail.what === 'error') showError(detail.message);
  if (detail.what === 'opened') renderPanels();
  if (detail.what === 'recovering') status(`WebGPU was lost (${detail.reason}): moving your project to the CPU (Flex)…`);
  if (['recovering', 'recovered'].includes(detail.what)) showBackend(detail.what === 'recovered' ? 'flex' : 'recovering', detail.reason);
  if (detail.what === 'state') {
    const previous = document.body.dataset.state;
    document.body.dataset.state = model.state;
    if (MESSAGES[model.state]) status(MESSAGES[model.state]());
    if (previous === 'training' && model.state === 'trained') {
      renderEvaluation({ evaluation: $('evaluation'), evaluationBody: $('evaluation-body') }, model, await model.evaluate());
    }
  }
  if (detail.what !== 'epoch' && detail.what !== 'progress') update();
});

// The prediction panel's hint, in one click: the class "Other" (focused if there is one already).
$('add-other-class').addEventListener('click', async () => {
  try {
    const other = model.classes.find((c) => c.name.toLowerCase() === 'other');
    classes.focusName(other ? other.id : await model.addClass('Other'));
  } catch (err) {
    showError(err.message);
  }
});
$('add-class').addEventListener('click', async () => {
  try {
    classes.focusName(await model.addClass());
  } catch (err) {
    showError(err.message);
  }
});
wireProjectFiles(model, { status, error: showError, exportDialog: new ExportDialog($('export-dialog'), model, showError) });
$('refetch').addEventListener('click', async () => {
  await forgetWeights();
  location.reload();
});
$('backend-select').value = requestedBackend;
$('backend-select').addEventListener('change', () => {
  const url = new URL(location.href);
  url.searchParams.set('backend', $('backend-select').value);
  location.assign(url);
});

function showLoadProgress(progress) {
  if (progress.total) Object.assign($('load-progress'), { max: progress.total, value: progress.loaded });
  status(progressText(progress));
}

/** Opens the saved project on the model, shows it, then caches the app for offline starts. */
async function start() {
  try {
    await model.open({ weights: weightsUrl, backend: requestedBackend, onProgress: showLoadProgress, store: 'indexeddb', classes: ['Class 1', 'Class 2'] });
  } catch (err) {
    model.setState('error');
    status('The model could not be loaded.');
    showError(err.message);
    $('refetch').hidden = false;
    return;
  }
  const backendText = `${model.reason}${model.cached ? ' · weights from this browser’s cache' : ''}`;
  showBackend(model.backend, backendText);
  model.poolSize().then((n) => n && showBackend(model.backend, `${backendText} · embedding on ${n} cores`));
  if (model.modelError) showError(`The saved model could not be restored (${model.modelError}); your samples are kept, train again.`);
  enableOffline(await model.resources()).then(
    (cached) => cached && (document.body.dataset.offline = 'ready'),
    (err) => console.warn(`offline use unavailable: ${err.message}`),
  );
}

/** For tests and benchmarks: add 224² RGB pixels to class `label` as the UI does; wait for saves. */
window.burnishHooks = {
  addSample: (label, rgb) => model.addImage(model.classes[label].id, rgb),
  saved: () => model.saved(),
};

start();
