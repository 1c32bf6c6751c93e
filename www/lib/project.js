// The page's one copy of the project: classes and samples (under the core's ids), settings,
// "none of these" strictness, the trained model's description and the page's state. Every
// change is one worker request, one IndexedDB write (all writes in one queue) and one `change`
// event ({ detail: { what, … } }). A class is named by its `id` and a sample's class by its
// `class_id`, as in the core, the store and bundles; the panels render from it and call its methods, and never
// talk to the worker or the store themselves.

import { rgbThumbnail, rgbToPng, pngThumbnail } from './capture.js';
import { ModelSession } from './session.js';
import { ProjectStore, WriteQueue } from './store.js';
import { checkName, freeName } from './class-names.js';
import { NOTHING, coreBehaviour } from './behaviours.js';

/** The model's worker request methods: for the library's own modules (trainer.js), not exported by burnish.js. */
export const REQUEST = Symbol('worker request');
export const TIMED = Symbol('timed worker request');

/** Why a run ended when its AbortSignal fired (the model from before it stays). */
const aborted = () => new DOMException('training was aborted: the model from before it is kept', 'AbortError');

export class ProjectModel extends EventTarget {
  /** `thumbnail(rgb)` → data URL, `toPng(rgb)` → Blob: the browser's canvas unless given (tests). */
  constructor({ thumbnail = rgbThumbnail, toPng = rgbToPng } = {}) {
    super();
    Object.assign(this, { thumbnail, toPng });
    /** 'loading' | 'ready' | 'training' | 'trained' | 'error' */
    this.state = 'loading';
    /** [{ id, name, behaviour, samples: [{ id, thumb?, png? }] }], in label order. */
    this.classes = [];
    /** What an exported app does for "none of these". */
    this.noneBehaviour = NOTHING;
    this.settings = null;
    this.schema = [];
    /** Percent of held-out known-class images "none of these" flags (the core's default at first). */
    this.strictness = null;
    /** The trained model's description (class names, split, calibration…) or null. */
    this.model = null;
    /** Every store write, in order (PNG encodings of new samples can lag the page). */
    this.writes = new WriteQueue((err) => this.emit('error', { message: err.message }));
    this.stopRequested = false;
  }

  emit(what, detail = {}) {
    this.dispatchEvent(new CustomEvent('change', { detail: { what, ...detail } }));
  }

  setState(state) {
    this.state = state;
    this.emit('state');
  }

  /**
   * Opens the saved project (or starts one with the classes `classes`) and loads the model on it.
   * `onProgress({ phase, loaded, total })` reports the weights download and the restore.
   * `store` and `session` default to IndexedDB's and a model worker's (tests pass their own).
   */
  async open({ weightsUrl, backend, onProgress, store = null, session = null, classes = ['Class 1', 'Class 2'] }) {
    this.store = store ?? (await ProjectStore.open());
    if (!(await this.store.load())) await this.writes.enqueue(() => this.store.create(classes));
    const saved = await this.store.load();
    this.session = session ?? new ModelSession({
      store: this.store,
      flush: () => this.saved(),
      weightsUrl,
      onProgress,
      onRecovering: (reason) => this.emit('recovering', { reason }),
      onRecovered: (reason) => {
        this.backend = 'flex';
        this.emit('recovered', { reason });
      },
    });
    const started = await this.session.start(backend, saved);
    Object.assign(this, { backend: started.backend, reason: started.reason, cached: started.cached });
    this.schema = started.schema.schema;
    this.settings = started.settings;
    this.strictness = saved.strictness ?? started.schema.default_strictness;
    this.classes = saved.classes.map(({ id, name, behaviour }) => ({ id, name, behaviour: behaviour ?? NOTHING, samples: [] }));
    this.noneBehaviour = saved.none_of_these ?? NOTHING;
    for (const { id, class_id: classId, png } of saved.samples) this.classOf(classId)?.samples.push({ id, png });
    this.model = started.model;
    this.modelError = started.modelError;
    this.restored = saved.samples.length;
    this.emit('opened');
    this.setState(this.model ? 'trained' : 'ready');
  }

  /** One call of the worker's project (`args`: its arguments), or one of the worker's own requests. */
  [REQUEST](type, args = [], transfer = []) {
    return this.session.request(type, args, transfer);
  }

  /** A request, resolving to `{ result, ms }`: the round trip as the caller waits for it. */
  async [TIMED](type, args) {
    const started = performance.now();
    const result = await this[REQUEST](type, args);
    return { result, ms: performance.now() - started };
  }

  /** Resolves when every change so far is saved. */
  saved() {
    return this.writes.idle();
  }

  /** The class whose id is `id`. */
  classOf(id) {
    return this.classes.find((c) => c.id === id);
  }

  names = () => this.classes.map((c) => c.name);
  counts = () => this.classes.map((c) => c.samples.length);

  /** The class holding sample `id`. */
  classOfSample(id) {
    return this.classes.find((c) => c.samples.some((s) => s.id === id));
  }

  /** Adds a class; returns its id (the core's). */
  async addClass(name = freeName(this.names())) {
    checkName(this.classes, name);
    const id = await this[REQUEST]('addClass', [name]);
    await this.writes.save(() => this.store.addClass(id, name));
    this.classes.push({ id, name, behaviour: NOTHING, samples: [] });
    this.emit('classes');
    return id;
  }

  async renameClass(id, name) {
    checkName(this.classes, name, id);
    await this[REQUEST]('renameClass', [id, name]);
    await this.writes.save(() => this.store.renameClass(id, name));
    this.classOf(id).name = name;
    this.emit('classes');
  }

  async removeClass(id) {
    if (this.state === 'training') throw new Error('classes cannot be deleted while training');
    if (this.classes.length <= 1) throw new Error('a project keeps at least one class');
    await this[REQUEST]('removeClass', [id]);
    await this.writes.save(() => this.store.removeClass(id));
    this.classes = this.classes.filter((c) => c.id !== id);
    this.emit('classes');
  }

  /** Adds 224² RGB pixels to class `classId`; saving the lossless PNG is queued. Returns the sample's id. */
  async addSample(classId, rgb) {
    const id = await this[REQUEST]('addSample', [classId, rgb]);
    const sample = { id, thumb: this.thumbnail(rgb) };
    this.writes.save(async () => this.store.addSample(id, classId, await this.toPng(rgb)));
    this.classOf(classId).samples.push(sample);
    this.emit('sample-added', { class_id: classId, sample });
    return id;
  }

  async removeSample(id) {
    const entry = this.classOfSample(id);
    if (!entry) return;
    await this[REQUEST]('removeSample', [id]);
    await this.writes.save(() => this.store.removeSample(id));
    entry.samples = entry.samples.filter((s) => s.id !== id);
    this.emit('samples', { class_id: entry.id });
  }

  async moveSample(id, toClassId) {
    const from = this.classOfSample(id);
    const to = this.classOf(toClassId);
    if (!from || !to || from === to) return;
    await this[REQUEST]('relabelSample', [id, toClassId]);
    await this.writes.save(() => this.store.moveSample(id, toClassId));
    const sample = from.samples.find((s) => s.id === id);
    from.samples = from.samples.filter((s) => s !== sample);
    to.samples.push(sample);
    this.emit('samples', { class_id: from.id });
    this.emit('samples', { class_id: to.id });
  }

  /** A sample's thumbnail (data URL), made from its saved PNG the first time; null if unknown. */
  async thumbOf(id) {
    const sample = this.classOfSample(id)?.samples.find((s) => s.id === id);
    if (!sample) return null;
    sample.thumb ??= await pngThumbnail(sample.png);
    return sample.thumb;
  }

  /** Replaces every training setting (a whole TrainConfig); the same settings again change nothing. */
  async setSettings(settings) {
    if (JSON.stringify(settings) === JSON.stringify(this.settings)) return;
    await this[REQUEST]('setConfig', [settings]);
    this.settings = settings;
    await this.writes.save(() => this.store.saveSettings(settings));
    this.emit('settings');
  }

  /**
   * Sets what an exported app does when class `id` wins (null: for "none of these"): `{ kind:
   * 'text', text, size, color }`, `{ kind: 'picture' | 'sound', file }` or `{ kind: 'nothing' }`.
   * The core checks it (a file that is not an image or audio, or over 5 MB, is refused with the
   * reason). Resolves to the behaviour as saved.
   */
  async setBehaviour(id, behaviour) {
    if (id !== null && !this.classOf(id)) throw new Error(`there is no class ${id}`);
    const checked = await this[REQUEST]('checkBehaviour', [await coreBehaviour(behaviour)]);
    await this.writes.save(() => this.store.saveBehaviour(id, checked));
    if (id === null) this.noneBehaviour = checked;
    else this.classOf(id).behaviour = checked;
    this.emit('behaviour', { class_id: id });
    return checked;
  }

  /**
   * The behaviours of the classes named `names` (a model's; default: every class, in order) and of
   * "none of these". A name no class has any more (renamed since training) takes the class at
   * its position when the count still matches.
   */
  behaviours(names = this.names()) {
    const same = names.length === this.classes.length;
    const of = (name, i) => (this.classes.find((c) => c.name === name) ?? (same ? this.classes[i] : null))?.behaviour ?? NOTHING;
    return { classes: names.map(of), none_of_these: this.noneBehaviour };
  }

  async setStrictness(strictness) {
    await this.writes.save(() => this.store.saveStrictness(strictness));
    this.strictness = strictness;
    this.emit('strictness');
  }

  /** Stops the run in progress after its current batch, keeping its best weights (idle: nothing). */
  stop() {
    if (this.state !== 'training') return Promise.resolve();
    this.stopRequested = true;
    return this[REQUEST]('stop');
  }

  /**
   * Embeds new samples, then starts a run and trains it epoch by epoch until done or stopped;
   * emits 'progress' ({ phase: 'embedding', done, total }) and 'epoch' ({ metrics }). Resolves to
   * the last metrics. `signal` (an AbortSignal) ends the run without keeping it: rejects with an
   * AbortError and the model from before the run stays.
   */
  async train({ signal } = {}) {
    if (signal?.aborted) throw aborted();
    this.stopRequested = false;
    const discard = () => this[REQUEST]('discardTraining').catch(() => {});
    signal?.addEventListener('abort', discard, { once: true });
    this.setState('training');
    try {
      let pending = await this[REQUEST]('pendingEmbeddings');
      const total = pending;
      while (pending > 0 && !this.stopRequested && !signal?.aborted) {
        this.emit('progress', { phase: 'embedding', done: total - pending, total });
        pending = await this[REQUEST]('embedPending', [8]);
      }
      this.emit('progress', { phase: 'embedding', done: total - pending, total });
      if (signal?.aborted) throw aborted();
      await this[REQUEST]('startTraining');
      // A Stop that came while embedding is for this run (it arrived before the run existed).
      if (this.stopRequested) await this[REQUEST]('stop');
      let metrics;
      do {
        const { result, ms } = await this[TIMED]('trainEpoch');
        metrics = { ...result, ms };
        this.emit('epoch', { metrics });
      } while (!metrics.done && !signal?.aborted);
      // Aborted between epochs (the run is dropped) or during one (it ended without a model). An
      // abort that came after the last epoch finished is too late: the run's model stands.
      if (!metrics.done || metrics.discarded) throw aborted();
      this.model = await this[REQUEST]('model');
      await this.writes.save(async () => this.store.saveModel(await this[REQUEST]('exportModel')));
      this.setState('trained');
      return metrics;
    } catch (err) {
      if (signal?.aborted) await discard();
      this.setState(this.model ? 'trained' : 'ready');
      throw signal?.aborted ? aborted() : err;
    } finally {
      signal?.removeEventListener('abort', discard);
    }
  }

  evaluate() {
    return this[REQUEST]('evaluate');
  }

  /** The data check of every sample (the core's DataCheck: map points, suspects, near-copies, overlaps). */
  checkData() {
    return this[REQUEST]('checkData');
  }

  /** How many workers embed new samples (0: the model worker alone), once they have started. */
  poolSize() {
    return this[REQUEST]('poolSize');
  }

  /** URLs the worker loaded, for the offline cache. */
  resources() {
    return this[REQUEST]('resources');
  }
}
