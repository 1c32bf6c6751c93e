// The behaviour editor of a class card (and of "none of these" in the prediction panel): what
// the exported web app does when that answer wins — nothing more, a text (size, colour), a
// picture or a sound (a file, or recorded from the microphone). Every change is saved through the
// Trainer, which has the core check it; a refused file shows the core's reason here.

import { BehaviourView, NOTHING, TEXT_DEFAULTS } from './lib/burnish.js';

/** A media's object URL, one per media (the preview and the editor share it). */
const urls = new WeakMap();
export function mediaUrl(media) {
  if (!urls.has(media)) urls.set(media, URL.createObjectURL(new Blob([media.bytes], { type: media.type })));
  return urls.get(media);
}

/** The behaviour in a few words, for the editor's summary line. */
function summary(behaviour) {
  if (behaviour.kind === 'text') return `shows “${behaviour.text}”`;
  if (behaviour.kind === 'picture') return `shows ${behaviour.media.name}`;
  if (behaviour.kind === 'sound') return `plays ${behaviour.media.name}`;
  return 'nothing more';
}

export class BehaviourEditor {
  /** Fills `slot` from `template`; `classId` null edits "none of these"; `label` names the answer. */
  constructor(slot, template, model, classId, label) {
    Object.assign(this, { model, classId });
    const root = template.content.firstElementChild.cloneNode(true);
    slot.replaceChildren(root);
    const $ = (css) => root.querySelector(css);
    this.ui = {
      summary: $('.behaviour-summary'), kind: $('.behaviour-kind'), textFields: $('.behaviour-text-fields'),
      text: $('.behaviour-text-input'), size: $('.behaviour-size'), color: $('.behaviour-color'),
      fileFields: $('.behaviour-file-fields'), file: $('.behaviour-file'), record: $('.behaviour-record'),
      fileName: $('.behaviour-file-name'), error: $('.behaviour-error'),
    };
    this.ui.kind.setAttribute('aria-label', `When ${label} wins, the app`);
    this.ui.kind.addEventListener('change', () => this.kindChanged());
    for (const input of [this.ui.text, this.ui.size, this.ui.color]) input.addEventListener('change', () => this.saveText());
    this.ui.file.addEventListener('change', () => {
      const file = this.ui.file.files?.[0];
      this.ui.file.value = '';
      if (file) this.save({ kind: this.ui.kind.value, file });
    });
    this.ui.record.addEventListener('click', () => this.toggleRecording());
    this.render();
  }

  get behaviour() {
    return (this.classId === null ? this.model.noneBehaviour : this.model.classOf(this.classId)?.behaviour) ?? NOTHING;
  }

  /** Shows the saved behaviour (after a reload, an import or a change). */
  render(kind = this.behaviour.kind) {
    const { ui, behaviour } = this;
    ui.summary.textContent = summary(behaviour);
    ui.kind.value = kind;
    ui.textFields.hidden = kind !== 'text';
    ui.fileFields.hidden = kind !== 'picture' && kind !== 'sound';
    ui.record.hidden = kind !== 'sound' || !navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined';
    ui.file.accept = kind === 'sound' ? 'audio/*' : 'image/*';
    const text = behaviour.kind === 'text' ? behaviour : TEXT_DEFAULTS;
    ui.text.value = text.text ?? '';
    ui.size.value = text.size;
    ui.color.value = text.color;
    ui.fileName.textContent = behaviour.kind === kind && behaviour.media ? behaviour.media.name : 'no file yet';
  }

  kindChanged() {
    const kind = this.ui.kind.value;
    this.ui.error.textContent = '';
    if (kind === 'nothing') this.save(NOTHING);
    else if (kind === 'text' && this.ui.text.value.trim()) this.saveText();
    else this.render(kind); // a picture or a sound waits for its file, a text for its words
  }

  saveText() {
    const text = this.ui.text.value.trim();
    if (!text) return;
    this.save({ kind: 'text', text, size: Number(this.ui.size.value), color: this.ui.color.value });
  }

  async save(behaviour) {
    this.ui.error.textContent = '';
    try {
      await this.model.setBehaviour(this.classId, behaviour);
      this.render();
    } catch (err) {
      this.ui.error.textContent = `Not used: ${err.message}`;
      this.render(this.ui.kind.value);
    }
  }

  /** Records from the microphone until pressed again; the recording becomes the sound. */
  async toggleRecording() {
    const { record } = this.ui;
    if (this.recorder) {
      this.recorder.stop();
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const chunks = [];
      this.recorder = new MediaRecorder(stream);
      this.recorder.addEventListener('dataavailable', (event) => chunks.push(event.data));
      this.recorder.addEventListener('stop', () => {
        for (const track of stream.getTracks()) track.stop();
        const type = this.recorder.mimeType;
        this.recorder = null;
        Object.assign(record, { textContent: 'Record from the microphone' });
        record.setAttribute('aria-pressed', 'false');
        this.save({ kind: 'sound', file: new Blob(chunks, { type }) }); // the library names a recording by its type
      });
      this.recorder.start();
      record.textContent = 'Stop recording';
      record.setAttribute('aria-pressed', 'true');
    } catch (err) {
      this.recorder = null;
      this.ui.error.textContent = `The microphone is not available (${err.message}): choose a sound file instead.`;
    }
  }
}

/** The prediction panel's preview of what the app does for an answer. */
export function behaviourPreview(element) {
  return new BehaviourView(element, mediaUrl);
}
