// Class cards: name, count, gallery, files and hold-to-record from the webcam.

import { fileToRgba224 } from './capture.js';

const THUMB = 56;

/** Renders 224² RGBA bytes as a small thumbnail data URL. */
function thumbnail(rgba) {
  const full = new OffscreenCanvas(224, 224);
  full.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba), 224, 224), 0, 0);
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = THUMB;
  canvas.getContext('2d').drawImage(full, 0, 0, THUMB, THUMB);
  return canvas.toDataURL('image/jpeg', 0.8);
}

/**
 * The classes panel. `api` provides: request(type, args, transfer), grabFrame() → RGBA | null,
 * fps() → frames per second, letterbox() → bool, announce(text), error(text), onChange().
 */
export class ClassesPanel {
  constructor(container, template, api) {
    this.container = container;
    this.template = template;
    this.api = api;
    this.classes = []; // { name, samples: [{ id, thumb }], card }
  }

  counts() {
    return this.classes.map((c) => c.samples.length);
  }

  names() {
    return this.classes.map((c) => c.name);
  }

  /** Adds a class card (and, unless `local`, the class in the worker). */
  async add(name, { local = false } = {}) {
    if (!local) await this.api.request('addClass', { name });
    const card = this.template.content.firstElementChild.cloneNode(true);
    const entry = { name, samples: [], card };
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
      nameInput.value = name;
      entry.name = name;
      await this.api.request('renameClass', { label: this.indexOf(entry), name });
      this.api.onChange();
    });
    card.querySelector('.delete-class').addEventListener('click', async () => {
      if (this.classes.length <= 1) return;
      await this.api.request('removeClass', { label: this.indexOf(entry) });
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

  async addSample(entry, rgba) {
    const thumb = thumbnail(rgba);
    const id = await this.api.request('addSample', { label: this.indexOf(entry), rgba }, [rgba.buffer]);
    entry.samples.push({ id, thumb });
    this.render(entry);
    this.api.onChange();
  }

  async removeSample(entry, id) {
    await this.api.request('removeSample', { id });
    entry.samples = entry.samples.filter((s) => s.id !== id);
    this.render(entry);
    this.api.onChange();
  }

  render(entry) {
    const { card, samples } = entry;
    card.querySelector('.count').textContent = `${samples.length} sample${samples.length === 1 ? '' : 's'}`;
    const gallery = card.querySelector('.gallery');
    gallery.replaceChildren(
      ...samples.map(({ id, thumb }) => {
        const item = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'thumb';
        button.title = 'Delete this sample';
        button.setAttribute('aria-label', `Delete sample ${id} of ${entry.name}`);
        const img = document.createElement('img');
        img.src = thumb;
        img.alt = '';
        button.append(img);
        button.addEventListener('click', () => this.removeSample(entry, id));
        item.append(button);
        return item;
      }),
    );
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

  /** The thumbnail of a sample id, for the evaluation view. */
  thumbOf(id) {
    for (const entry of this.classes) {
      const sample = entry.samples.find((s) => s.id === id);
      if (sample) return sample.thumb;
    }
    return null;
  }
}
