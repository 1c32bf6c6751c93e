// The exported web app: loads its project (app.json, the trained model) into the library's
// predict-only Classifier — the runtime the trainer uses, so it answers as the trainer does — then
// answers the camera or a picked/dropped photo with the winning class's behaviour, full screen.
// Every request stays inside the app's folder; after the first visit it runs offline.

import { BehaviourView, Classifier, keepOffline, progressText, toRgb } from './lib/burnish.js';
import { AppCamera } from './camera.js';
import { wireShare } from './share.js';

const $ = (id) => document.getElementById(id);
const setState = (state) => (document.body.dataset.state = state);
const status = (text) => ($('status').textContent = text);
function showError(message) {
  $('error').textContent = message;
  $('error').hidden = !message;
}

const view = new BehaviourView($('answer'), (media) => media.file);
const camera = new AppCamera($('camera'));
let app = null;
let classifier = null;
let last = null; // the RGB pixels last answered, for the toggles

/** The app's project: its config and trained model, from its own folder. */
async function loadProject() {
  const response = await fetch('app.json').catch((err) => ({ ok: false, statusText: err.message }));
  if (!response.ok) throw new Error(`this app's files are incomplete (app.json: ${response.status ?? ''} ${response.statusText}): unpack the zip again`);
  const config = await response.json();
  if (config.format !== 'burnish-app' || config.version !== 1) throw new Error('app.json is not a burnish app this runtime reads: export the app again');
  const model = await fetch(config.model);
  if (!model.ok) throw new Error(`the model file is missing (${config.model}): unpack the zip again`);
  return { config, model: await model.arrayBuffer() };
}

function showBars(answer) {
  const rows = app.classes.map((name, i) => {
    const item = document.createElement('li');
    const meter = Object.assign(document.createElement('meter'), { min: 0, max: 1, value: answer.probs[i] });
    meter.setAttribute('aria-label', name);
    const pct = `${(answer.probs[i] * 100).toFixed(0)}%`;
    item.append(Object.assign(document.createElement('span'), { textContent: name }), meter, Object.assign(document.createElement('span'), { textContent: pct }));
    return item;
  });
  $('bars').replaceChildren(...rows);
}

async function showExplain(rgb) {
  const canvas = $('explain');
  canvas.hidden = !$('explain-toggle').checked;
  if (canvas.hidden) return;
  const map = await classifier.explain(rgb);
  canvas.getContext('2d').putImageData(map.picture, 0, 0);
  canvas.setAttribute('aria-label', `Where the model looked for “${map.class_name}”`);
  canvas.dataset.shows = map.class_name;
}

/** Answers 224² RGB pixels: the winner's behaviour full screen, the bars and map when asked for. */
async function answer(rgb) {
  last = rgb;
  const result = await classifier.classify(rgb);
  const { none_of_these: none, best } = result;
  $('answer').hidden = false;
  $('answer').dataset.similarity = result.similarity; // the exact likeness, for comparisons (tests, tools)
  view.show(none ? 'None of these' : app.classes[best], none ? app.behaviours.none_of_these : app.behaviours.classes[best]);
  showBars(result);
  await showExplain(rgb);
  return result;
}

async function answerFile(file) {
  if (!file) return;
  camera.stop();
  setCameraButton();
  try {
    showError('');
    $('photo').src = URL.createObjectURL(file);
    $('photo').hidden = false;
    await answer(await toRgb(file));
    $('answer').dataset.source = file.name;
  } catch (err) {
    showError(err.message);
  }
}

function setCameraButton() {
  $('camera-button').textContent = camera.running ? 'Stop the camera' : 'Start the camera';
}

/** Answers camera frames, one after another, while the camera runs. */
async function liveLoop() {
  while (camera.running) {
    try {
      await answer(await toRgb($('camera'), { mirror: camera.mirror }));
    } catch (err) {
      if (camera.running) showError(err.message);
    }
    await camera.nextFrame();
  }
}

async function startCamera() {
  showError('');
  try {
    await camera.start($('facing').value);
    $('photo').hidden = true;
    setCameraButton();
    liveLoop();
  } catch (err) {
    setCameraButton();
    showError(err.message);
  }
}

function wire() {
  $('camera-button').addEventListener('click', () => (camera.running ? (camera.stop(), setCameraButton()) : startCamera()));
  $('facing').addEventListener('change', () => camera.running && startCamera());
  $('photo-input').addEventListener('change', () => {
    answerFile($('photo-input').files?.[0]);
    $('photo-input').value = '';
  });
  document.addEventListener('dragover', (event) => event.preventDefault());
  document.addEventListener('drop', (event) => {
    event.preventDefault();
    answerFile([...event.dataTransfer.files].find((f) => f.type.startsWith('image/')));
  });
  $('bars-toggle').addEventListener('change', () => ($('bars').hidden = !$('bars-toggle').checked));
  $('explain-toggle').addEventListener('change', () => last && showExplain(last).catch((err) => showError(err.message)));
  // A browser that wanted a tap before playing sound gets it here.
  $('answer').addEventListener('click', () => $('answer').dataset.muted && view.sound.play().then(() => delete $('answer').dataset.muted, () => {}));
  wireShare({ button: $('share-button'), dialog: $('share'), canvas: $('qr'), link: $('address'), hint: $('address-hint'), close: $('share-close') });
}

async function start() {
  wire();
  try {
    const project = await loadProject();
    app = project.config;
    // The app's runtime is built for the CPU (Flex) only: a quarter of the trainer's wasm, so it
    // downloads and starts fast on a phone. (?backend=webgpu falls back to the CPU, saying why.)
    const backend = new URLSearchParams(location.search).get('backend') ?? 'cpu';
    classifier = await Classifier.load(project.model, {
      backend,
      strictness: app.strictness,
      onProgress: (progress) => {
        status(progressText(progress));
        if (progress.total) Object.assign($('progress'), { max: progress.total, value: progress.loaded });
      },
    }).catch((err) => {
      throw new Error(`the app could not load its model files (${err.message}): unpack the zip again, or export the app again`);
    });
  } catch (err) {
    setState('error');
    status('The app could not start.');
    showError(err.message.charAt(0).toUpperCase() + err.message.slice(1));
    return;
  }
  for (const id of ['camera-button', 'photo-input']) $(id).disabled = false;
  status(`Knows ${app.classes.join(', ')}. Start the camera, or pick or drop a photo.`);
  document.body.dataset.backend = classifier.backend;
  setState('ready');
  const folder = new URL('./', location.href).href;
  const urls = [folder, ...app.files.map((file) => new URL(file, folder).href)];
  keepOffline(new URL('sw.js', folder), urls).then(
    (kept) => kept && (document.body.dataset.offline = `${kept.cached}/${kept.of}`),
    () => {},
  );
}

start();
