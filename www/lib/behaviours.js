// Behaviours: what an exported app does when a class wins (and for "none of these") — a text, a
// picture, a sound or nothing — and the view that plays them, shared by the trainer's preview
// and the app. The core checks every behaviour (src/train/behaviour.rs); this module only
// converts what a page holds (a File, a recorded Blob) into the core's form.

/** The behaviour of a class with none set. */
export const NOTHING = Object.freeze({ kind: 'nothing' });

/** A text's defaults: large enough to read across a room. */
export const TEXT_DEFAULTS = Object.freeze({ size: 15, color: '#ffffff' });

/**
 * A behaviour as the core takes it from what a page gives: `{ kind: 'text', text, size?, color? }`,
 * `{ kind: 'picture' | 'sound', file }` (a File or Blob: a picked file or a recording) or
 * `{ kind: 'nothing' }`. A media given as `{ kind, media }` (a saved one) passes as it is.
 */
export async function coreBehaviour(behaviour) {
  const { kind = 'nothing' } = behaviour ?? {};
  if (kind === 'text') return { ...TEXT_DEFAULTS, ...behaviour, size: Number(behaviour.size ?? TEXT_DEFAULTS.size) };
  if ((kind === 'picture' || kind === 'sound') && !behaviour.media) {
    const { file } = behaviour;
    if (!(file instanceof Blob)) throw new Error(`a ${kind} behaviour needs a file (a File or Blob)`);
    const media = { name: file.name || `recording.${file.type.split(/[/;]/)[1] || 'bin'}`, type: '', bytes: new Uint8Array(await file.arrayBuffer()) };
    return { kind, media };
  }
  return kind === 'nothing' ? NOTHING : behaviour;
}

/**
 * Plays answers' behaviours into an element: the answer's name, then its text, picture or sound
 * (a sound plays once each time its answer starts winning). `srcOf(media)` gives a media's URL.
 */
export class BehaviourView {
  constructor(root, srcOf) {
    this.srcOf = srcOf;
    this.name = root.querySelector('.behaviour-name');
    this.text = root.querySelector('.behaviour-text');
    this.picture = root.querySelector('.behaviour-picture');
    this.sound = root.querySelector('.behaviour-sound');
    this.root = root;
    this.shown = null;
  }

  /** Shows `name`'s `behaviour` (name null: nothing is answered yet). */
  show(name, behaviour = NOTHING) {
    const key = name === null ? null : `${name}\u0000${behaviour.kind}`;
    this.root.dataset.kind = behaviour.kind;
    this.name.textContent = name ?? '';
    const isText = behaviour.kind === 'text';
    this.text.hidden = !isText;
    if (isText) {
      this.text.textContent = behaviour.text;
      this.text.style.setProperty('--text-size', behaviour.size); // percent of the screen's shorter side: the page's CSS sizes it
      this.text.style.color = behaviour.color;
    }
    const isPicture = behaviour.kind === 'picture';
    this.picture.hidden = !isPicture;
    if (isPicture) {
      const src = this.srcOf(behaviour.media);
      if (this.picture.getAttribute('src') !== src) this.picture.src = src;
      this.picture.alt = behaviour.media.name ?? name;
    }
    if (key !== this.shown && behaviour.kind === 'sound') this.play(this.srcOf(behaviour.media));
    else if (behaviour.kind !== 'sound' && !this.sound.paused) this.sound.pause();
    this.shown = key;
  }

  /** Plays a sound from its start; a browser that wants a tap first is told in the view. */
  play(src) {
    if (this.sound.getAttribute('src') !== src) this.sound.src = src;
    this.sound.currentTime = 0;
    this.sound.play().then(
      () => delete this.root.dataset.muted,
      () => (this.root.dataset.muted = 'tap to hear the sound'),
    );
  }
}
