// Class cards: name, count, gallery, files and hold-to-record from the webcam.

import { fileToRgba224, rgbaToPng } from './capture.js';

const THUMB = 56;
/** Thumbnails shown per class, the newest; the others are counted. Keeps 10,000 samples light. */
const SHOWN = 200;

/** Renders 224² RGBA bytes as a small thumbnail data URL. */
function thumbnail(rgba) {
  const full = new OffscreenCanvas(224, 224);
  full.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba), 224, 224), 0, 0);
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = THUMB;
  canvas.getContext('2d').drawImage(full, 0, 0, THUMB, THUMB);
  return canvas.toDataURL('image/jpeg', 0.8);
}

/** Renders a saved PNG sample as a small thumbnail data URL. */
async function thumbnailOfPng(png) {
  const bitmap = await createImageBitmap(png, { resizeWidth: THUMB, resizeHeight: THUMB, resizeQuality: 'medium' });
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = THUMB;
  canvas.getContext('2d').drawImage(bitmap, 0, 0);
  bitmap.close();
  return canvas.toDataURL('image/jpeg', 0.8);
}

/**
 * The classes panel. `api` provides: request(type, args, transfer) (the model worker), store
 * (the ProjectStore: every change is saved), grabFrame() → RGBA | null, fps() → frames per
 * second, letterbox() → bool, announce(text), error(text), onChange().
 * Each class is { key (in the store), name, samples: [{ key, id (in the worker), thumb, png }], card };
 * a restored sample's thumbnail is made from its saved PNG when first shown.
 */
export class ClassesPanel {
  constructor(container, template, api) {
    this.container = container;
    this.template = template;
    this.api = api;
    this.classes = [];
    /** Store writes of new samples, in order (PNG encoding may wait for an idle moment). */
    this.saving = Promise.resolve();
  }

  /** Queues a store write after the earlier ones; a failure is reported, later writes go on. */
  save(write) {
    this.saving = this.saving.then(write).catch((err) => this.api.error(err.message));
    return this.saving;
  }

  /** Resolves when every change so far is saved. */
  saved() {
    return this.saving;
  }

  counts() {
    return this.classes.map((c) => c.samples.length);
  }

  names() {
    return this.classes.map((c) => c.name);
  }

  /** Adds a class card; without a `key` also adds the class in the worker and the store. */
  async add(name, { key } = {}) {
    if (key === undefined) {
      await this.api.request('addClass', { name });
      key = await this.api.store.addClass(name);
    }
    const card = this.template.content.firstElementChild.cloneNode(true);
    const entry = { key, name, samples: [], card };
    this.classes.push(entry);
    this.container.append(card);
    this.wire(entry);
    this.render(entry);
    return entry;
  }

  indexOf(entry) {
    return this.classes.indexOf(entry);
  }

  wire(entry) {
    const { card } = entry;
    const nameInput = card.querySelector('.class-name');
    nameInput.value = entry.name;
    nameInput.addEventListener('change', async () => {
      const name = nameInput.value.trim() || entry.name;
      const taken = this.classes.some((c) => c !== entry && c.name.toLowerCase() === name.toLowerCase());
      if (taken) {
        nameInput.value = entry.name;
        this.api.error(`There is already a class named “${name}”: class names must differ.`);
        return;
      }
      nameInput.value = name;
      entry.name = name;
      await this.api.request('renameClass', { label: this.indexOf(entry), name });
      await this.save(() => this.api.store.renameClass(entry.key, name));
      this.api.onChange();
    });
    card.querySelector('.delete-class').addEventListener('click', async () => {
      if (this.classes.length <= 1) return;
      await this.api.request('removeClass', { label: this.indexOf(entry) });
      await this.save(() => this.api.store.removeClass(entry.key));
      this.classes.splice(this.indexOf(entry), 1);
      card.remove();
      this.api.announce(`Class ${entry.name} deleted`);
      this.api.onChange();
    });
    for (const input of card.querySelectorAll('.file-input, .folder-input')) {
      input.addEventListener('change', async (event) => {
        const files = [...event.target.files].filter((f) => !f.type || f.type.startsWith('image/'));
        await this.addFiles(entry, files);
        event.target.value = '';
      });
    }
    card.addEventListener('dragover', (event) => event.preventDefault());
    card.addEventListener('drop', async (event) => {
      event.preventDefault();
      const files = [...event.dataTransfer.files].filter((f) => f.type.startsWith('image/'));
      await this.addFiles(entry, files);
    });
    this.wireRecord(entry, card.querySelector('.record'));
  }

  /** Hold to record: mouse, touch and keyboard (space) all start and stop it. */
  wireRecord(entry, button) {
    let timer = null;
    const start = (event) => {
      event.preventDefault();
      if (timer || button.disabled) return;
      button.setAttribute('aria-pressed', 'true');
      const tick = async () => {
        const rgba = this.api.grabFrame();
        if (rgba) await this.addSample(entry, rgba);
        if (timer) timer = setTimeout(tick, 1000 / this.api.fps());
      };
      timer = setTimeout(tick, 0);
    };
    const stop = () => {
      clearTimeout(timer);
      timer = null;
      button.setAttribute('aria-pressed', 'false');
    };
    button.addEventListener('pointerdown', start);
    button.addEventListener('pointerup', stop);
    button.addEventListener('pointerleave', stop);
    button.addEventListener('pointercancel', stop);
    button.addEventListener('keydown', (event) => {
      if (event.key === ' ' || event.key === 'Enter') start(event);
    });
    button.addEventListener('keyup', (event) => {
      if (event.key === ' ' || event.key === 'Enter') stop();
    });
    button.addEventListener('blur', stop);
  }

  async addFiles(entry, files) {
    const errors = [];
    for (const file of files) {
      try {
        await this.addSample(entry, await fileToRgba224(file, { letterbox: this.api.letterbox() }));
      } catch (err) {
        errors.push(err.message);
      }
    }
    if (errors.length) this.api.error(errors.join('; '));
  }

  /** Adds a new sample to the worker and shows it; saving it (a lossless PNG) is queued. */
  async addSample(entry, rgba) {
    const thumb = thumbnail(rgba);
    const id = await this.api.request('addSample', { label: this.indexOf(entry), rgba });
    const sample = { key: null, id, thumb };
    this.save(async () => {
      sample.key = await this.api.store.addSample(entry.key, await rgbaToPng(rgba));
    });
    entry.samples.push(sample);
    const gallery = entry.card.querySelector('.gallery');
    gallery.append(this.thumbItem(entry, sample));
    if (gallery.children.length > SHOWN) gallery.firstElementChild.remove();
    this.showCount(entry);
    this.api.onChange();
  }

  /** Adds samples restored from the store (already in the worker): [{ classKey, key, id, png }]. */
  restoreSamples(samples) {
    for (const { classKey, key, id, png } of samples) {
      this.classes.find((c) => c.key === classKey).samples.push({ key, id, thumb: null, png });
    }
    for (const entry of this.classes) this.render(entry);
  }

  /** The worker was rebuilt: samples have new ids (`ids`: sample key → id). */
  renumber(ids) {
    for (const entry of this.classes) for (const s of entry.samples) s.id = ids.get(s.key);
  }

  async removeSample(entry, id) {
    const sample = entry.samples.find((s) => s.id === id);
    if (!sample || sample.removing) return;
    sample.removing = true;
    await this.api.request('removeSample', { id });
    await this.save(() => this.api.store.removeSample(sample.key));
    entry.samples = entry.samples.filter((s) => s.id !== id);
    this.render(entry);
    this.api.onChange();
  }

  /** Redraws a class's count and its newest thumbnails. */
  render(entry) {
    this.showCount(entry);
    const shown = entry.samples.slice(-SHOWN);
    entry.card.querySelector('.gallery').replaceChildren(...shown.map((sample) => this.thumbItem(entry, sample)));
  }

  showCount({ card, samples }) {
    const n = samples.length;
    const hidden = n > SHOWN ? ` (newest ${SHOWN} shown)` : '';
    card.querySelector('.count').textContent = `${n.toLocaleString('en')} sample${n === 1 ? '' : 's'}${hidden}`;
  }

  /** A gallery item: the sample's thumbnail, a button that deletes it. */
  thumbItem(entry, sample) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'thumb';
    button.title = 'Delete this sample';
    button.setAttribute('aria-label', `Delete sample ${sample.id} of ${entry.name}`);
    const img = document.createElement('img');
    img.alt = '';
    this.thumbOfSample(sample).then((url) => (img.src = url), () => (img.alt = 'unreadable sample'));
    button.append(img);
    button.addEventListener('click', () => this.removeSample(entry, sample.id));
    item.append(button);
    return item;
  }

  /** A sample's thumbnail (data URL), made from its saved PNG the first time. */
  async thumbOfSample(sample) {
    sample.thumb ??= await thumbnailOfPng(sample.png);
    return sample.thumb;
  }

  /** While training, classes cannot be deleted (their samples are in use). */
  setTraining(training) {
    for (const { card } of this.classes) card.querySelector('.delete-class').disabled = training;
  }

  setRecording(enabled) {
    for (const { card } of this.classes) card.querySelector('.record').disabled = !enabled;
  }

  /** Moves sample `id` to class `label` (in the worker and on the page). */
  async moveSample(id, label) {
    const from = this.classes.find((c) => c.samples.some((s) => s.id === id));
    const to = this.classes[label];
    if (!from || !to || from === to) return;
    await this.api.request('relabelSample', { id, label });
    const sample = from.samples.find((s) => s.id === id);
    await this.save(() => this.api.store.moveSample(sample.key, to.key));
    from.samples = from.samples.filter((s) => s.id !== id);
    to.samples.push(sample);
    this.render(from);
    this.render(to);
    this.api.onChange();
  }

  /** Deletes sample `id` wherever it is. */
  async deleteSample(id) {
    const entry = this.classes.find((c) => c.samples.some((s) => s.id === id));
    if (entry) await this.removeSample(entry, id);
  }

  /** The thumbnail of a sample id (a data URL), for the evaluation view; null if unknown. */
  async thumbOf(id) {
    for (const entry of this.classes) {
      const sample = entry.samples.find((s) => s.id === id);
      if (sample) return this.thumbOfSample(sample);
    }
    return null;
  }
}
