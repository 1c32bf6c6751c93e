// Class cards, rendered from the Trainer (the library's project): name, count, gallery, files and hold-to-record
// from the webcam. User actions become Trainer calls; changes come back as its events.

import { BehaviourEditor } from './behaviour-editor.js';

/** The colour of class `label`: its card's edge and its bar in the predictions. */
export const classColour = (label) => `hsl(${(label * 137.5 + 210) % 360} 70% 45%)`;

/** Thumbnails shown per class, the newest; the others are counted. Keeps 10,000 samples light. */
const SHOWN = 200;

/**
 * `model`: the Trainer (the library's); `template`: the card's <template>; `options` provides the
 * `camera` (the Camera: each card opens it in its own slot and records its frames at its rate),
 * letterbox() → bool, error(text), behaviourTemplate (the behaviour editor's <template>) and
 * afterLastClass: the control that takes the focus when the last class is deleted.
 */
export class ClassesPanel {
  constructor(container, template, model, options) {
    Object.assign(this, { container, template, model, options });
    /** class id → its card element */
    this.cards = new Map();
    /** class id → the behaviour editor in its card */
    this.editors = new Map();
    this.recording = false;
    model.addEventListener('change', ({ detail }) => {
      if (detail.what === 'classes') this.render();
      if (detail.what === 'sample-added') this.appendThumb(detail.class_id, detail.sample);
      if (detail.what === 'samples') this.renderClass(detail.class_id);
      if (detail.what === 'behaviour') this.editors.get(detail.class_id)?.render();
      if (detail.what === 'state') this.setTraining(model.state === 'training');
    });
  }

  /** Cards for every class, in order (existing cards are kept). */
  render() {
    const ids = new Set(this.model.classes.map((c) => c.id));
    // A deleted card that held the focus hands it to the card in its place (or the one before).
    let lostFocusAt = null;
    for (const [id, card] of this.cards) {
      if (!ids.has(id)) {
        if (card.contains(document.activeElement)) lostFocusAt = [...this.cards.keys()].indexOf(id);
        if (card.contains(this.options.camera.place)) this.options.camera.goHome();
        card.remove();
        this.cards.delete(id);
      }
    }
    for (const [label, entry] of this.model.classes.entries()) {
      if (!this.cards.has(entry.id)) {
        const card = this.template.content.firstElementChild.cloneNode(true);
        this.cards.set(entry.id, card);
        this.wire(entry.id, card);
        this.renderClass(entry.id);
      }
      const card = this.cards.get(entry.id);
      card.style.setProperty('--class-colour', classColour(label));
      const name = card.querySelector('.class-name');
      if (document.activeElement !== name) name.value = entry.name;
      // Only a new card is placed (classes are appended or removed, never reordered): moving an
      // existing card would take the focus from a name being typed in it.
      if (!card.isConnected) this.container.append(card);
    }
    this.setRecording(this.recording);
    this.setTraining(this.model.state === 'training');
    if (lostFocusAt !== null) {
      const next = [...this.cards.values()][Math.min(lostFocusAt, this.cards.size - 1)];
      (next?.querySelector('.class-name') ?? this.options.afterLastClass)?.focus();
    }
  }

  /** The card of class `id` focuses its name field (after "Add a class"). */
  focusName(id) {
    this.cards.get(id)?.querySelector('.class-name').focus();
  }

  wire(id, card) {
    const nameInput = card.querySelector('.class-name');
    nameInput.addEventListener('change', async () => {
      const entry = this.model.classOf(id);
      const name = nameInput.value.trim() || entry.name;
      try {
        await this.model.renameClass(id, name);
      } catch (err) {
        nameInput.value = entry.name;
        this.options.error(err.message);
      }
    });
    card.querySelector('.delete-class').addEventListener('click', () =>
      this.model.removeClass(id).catch((err) => this.options.error(err.message)),
    );
    for (const input of card.querySelectorAll('.file-input, .folder-input')) {
      input.addEventListener('change', async (event) => {
        const files = [...event.target.files].filter((f) => !f.type || f.type.startsWith('image/'));
        await this.addFiles(id, files);
        event.target.value = '';
      });
    }
    card.addEventListener('dragover', (event) => event.preventDefault());
    card.addEventListener('drop', async (event) => {
      event.preventDefault();
      await this.addFiles(id, [...event.dataTransfer.files].filter((f) => f.type.startsWith('image/')));
    });
    card.querySelector('.webcam').addEventListener('click', () => this.options.camera.toggleIn(card.querySelector('.camera-slot')));
    this.wireRecord(id, card.querySelector('.record'));
    this.wireGallery(card.querySelector('.gallery'));
    this.editors.set(id, new BehaviourEditor(card.querySelector('.behaviour-slot'), this.options.behaviourTemplate, this.model, id, 'this class'));
  }

  /**
   * A gallery is one stop of the Tab key (a class can hold hundreds of samples): the arrow keys,
   * Home and End move between its thumbnails (each a button that deletes its sample).
   */
  wireGallery(gallery) {
    gallery.addEventListener('focusin', (event) => event.target.matches('.thumb') && this.rove(gallery, event.target));
    gallery.addEventListener('keydown', (event) => {
      const thumbs = [...gallery.querySelectorAll('.thumb')];
      const at = thumbs.indexOf(document.activeElement);
      const to = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: thumbs.length - 1 }[event.key];
      if (at < 0 || to === undefined) return;
      event.preventDefault();
      thumbs[Math.max(0, Math.min(to, thumbs.length - 1))].focus();
    });
  }

  /** Makes `thumb` (or, when it is not given, the current one or the first) the gallery's Tab stop. */
  rove(gallery, thumb) {
    const thumbs = [...gallery.querySelectorAll('.thumb')];
    const stop = thumb ?? thumbs.find((t) => t.tabIndex === 0) ?? thumbs[0];
    for (const t of thumbs) t.tabIndex = t === stop ? 0 : -1;
  }

  /**
   * Hold to record: mouse, touch and keyboard (space, enter) all start and stop it. The button
   * carries `data-busy` until the last frame taken is in the project.
   */
  wireRecord(id, button) {
    let timer = null;
    let frame = Promise.resolve();
    const start = (event) => {
      event.preventDefault();
      if (timer || button.disabled) return;
      button.setAttribute('aria-pressed', 'true');
      button.dataset.busy = '';
      const tick = async () => {
        const rgb = this.options.camera.grabFrame();
        frame = rgb ? this.model.addImage(id, rgb).catch((err) => this.options.error(err.message)) : Promise.resolve();
        await frame;
        if (timer) timer = setTimeout(tick, 1000 / this.options.camera.fps());
      };
      timer = setTimeout(tick, 0);
    };
    const stop = () => {
      if (!timer) return;
      clearTimeout(timer);
      timer = null;
      button.setAttribute('aria-pressed', 'false');
      frame.finally(() => delete button.dataset.busy);
    };
    button.addEventListener('pointerdown', start);
    for (const type of ['pointerup', 'pointerleave', 'pointercancel', 'blur']) button.addEventListener(type, stop);
    button.addEventListener('keydown', (event) => {
      if (event.key === ' ' || event.key === 'Enter') start(event);
    });
    button.addEventListener('keyup', (event) => {
      if (event.key === ' ' || event.key === 'Enter') stop();
    });
  }

  async addFiles(id, files) {
    const errors = [];
    for (const file of files) {
      try {
        await this.model.addImage(id, file, { letterbox: this.options.letterbox() });
      } catch (err) {
        errors.push(err.message);
      }
    }
    if (errors.length) this.options.error(errors.join('; '));
  }

  /** Redraws a class's count and its newest thumbnails. */
  renderClass(id) {
    const entry = this.model.classOf(id);
    const card = this.cards.get(id);
    if (!entry || !card) return;
    this.showCount(entry, card);
    const shown = entry.samples.slice(-SHOWN);
    const gallery = card.querySelector('.gallery');
    // The focused thumbnail's place (its sample deleted from the keyboard): the focus stays there.
    const focused = [...gallery.querySelectorAll('.thumb')].indexOf(document.activeElement);
    gallery.replaceChildren(...shown.map((sample) => this.thumbItem(entry, sample)));
    this.rove(gallery);
    if (focused >= 0) {
      const thumbs = gallery.querySelectorAll('.thumb');
      (thumbs[Math.min(focused, thumbs.length - 1)] ?? card.querySelector('.file-input')).focus();
    }
  }

  /** One new sample: its thumbnail joins the gallery (the oldest shown leaves past SHOWN). */
  appendThumb(id, sample) {
    const entry = this.model.classOf(id);
    const card = this.cards.get(id);
    const gallery = card.querySelector('.gallery');
    gallery.append(this.thumbItem(entry, sample));
    if (gallery.children.length > SHOWN) gallery.firstElementChild.remove();
    this.rove(gallery);
    this.showCount(entry, card);
  }

  showCount({ samples }, card) {
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
    button.tabIndex = -1; // the gallery's Tab stop is set by rove()
    button.title = 'Delete this sample';
    button.setAttribute('aria-label', `Delete sample ${sample.id} of ${entry.name}`);
    const img = document.createElement('img');
    img.alt = '';
    this.model.thumbOf(sample.id).then((url) => url && (img.src = url), () => (img.alt = 'unreadable sample'));
    button.append(img);
    button.addEventListener('click', () => this.model.removeSample(sample.id).catch((err) => this.options.error(err.message)));
    item.append(button);
    return item;
  }

  /** While training, classes cannot be deleted (their samples are in use). */
  setTraining(training) {
    for (const card of this.cards.values()) card.querySelector('.delete-class').disabled = training;
  }

  /** The webcam runs (`enabled`): the card showing it can record, and its button closes it. */
  setRecording(enabled) {
    this.recording = enabled;
    for (const card of this.cards.values()) {
      const here = enabled && card.contains(this.options.camera.place);
      card.querySelector('.record').disabled = !here;
      const webcam = card.querySelector('.webcam');
      webcam.textContent = here ? 'Close webcam' : 'Webcam';
      webcam.setAttribute('aria-pressed', String(here));
    }
  }
}
