// The page's one copy of the project: classes and samples (under the core's ids), settings,
// "none of these" strictness, the trained model's description and the page's state. Every
// change is one worker request, one IndexedDB write (all writes in one queue) and one `change`
// event ({ detail: { what, … } }); the panels render from it and call its methods, and never
// talk to the worker or the store themselves.

import { rgbThumbnail, rgbToPng, pngThumbnail } from './capture.js';
import { ModelSession } from './session.js';
import { ProjectStore, WriteQueue } from './store.js';
import { checkName, freeName } from './class-names.js';

export class ProjectModel extends EventTarget {
  /** `thumbnail(rgb)` → data URL, `toPng(rgb)` → Blob: the browser's canvas unless given (tests). */
  constructor({ thumbnail = rgbThumbnail, toPng = rgbToPng } = {}) {
    super();
    Object.assign(this, { thumbnail, toPng });
    /** 'loading' | 'ready' | 'training' | 'trained' | 'error' */
    this.state = 'loading';
    /** [{ key, name, samples: [{ id, thumb?, png? }] }], in label order. */
    this.classes = [];
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
   * Opens the saved project (or starts one with two classes) and loads the model on it.
   * `onProgress({ phase, loaded, total })` reports the weights download and the restore.
   * `store` and `session` default to IndexedDB's and a model worker's (tests pass their own).
   */
  async open({ weightsUrl, backend, onProgress, store = null, session = null }) {
    this.store = store ?? (await ProjectStore.open());
    let saved = await this.store.load();
    if (!saved) {
      await this.writes.enqueue(() => this.store.create(['Class 1', 'Class 2']));
      saved = await this.store.load();
    }
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
    this.classes = saved.classes.map(({ key, name }) => ({ key, name, samples: [] }));
    for (const { key, classKey, png } of saved.samples) this.classOf(classKey)?.samples.push({ id: key, png });
    this.model = started.model;
    this.modelError = started.modelError;
    this.restored = saved.samples.length;
    this.emit('opened');
    this.setState(this.model ? 'trained' : 'ready');
  }

  /** One call of the worker's project (`args`: its arguments), or one of the worker's own requests. */
  #request(type, args = [], transfer = []) {
    return this.session.request(type, args, transfer);
  }

  /** `#request`, resolving to `{ result, ms }`: the round trip as the page waits for it. */
  async #timed(type, args) {
    const started = performance.now();
    const result = await this.#request(type, args);
    return { result, ms: performance.now() - started };
  }

  /** Resolves when every change so far is saved. */
  saved() {
    return this.writes.idle();
  }

  classOf(key) {
    return this.classes.find((c) => c.key === key);
  }

  names = () => this.classes.map((c) => c.name);
  counts = () => this.classes.map((c) => c.samples.length);

  /** The class holding sample `id`. */
  classOfSample(id) {
    return this.classes.find((c) => c.samples.some((s) => s.id === id));
  }

  /** Adds a class; returns its key (the core's id). */
  async addClass(name = freeName(this.names())) {
    checkName(this.classes, name);
    const key = await this.#request('addClass', [name]);
    await this.writes.save(() => this.store.addClass(key, name));
    this.classes.push({ key, name, samples: [] });
    this.emit('classes');
    return key;
  }

  async renameClass(key, name) {
    checkName(this.classes, name, key);
    await this.#request('renameClass', [key, name]);
    await this.writes.save(() => this.store.renameClass(key, name));
    this.classOf(key).name = name;
    this.emit('classes');
  }

  async removeClass(key) {
    if (this.state === 'training') throw new Error('classes cannot be deleted while training');
    if (this.classes.length <= 1) throw new Error('a project keeps at least one class');
    await this.#request('removeClass', [key]);
    await this.writes.save(() => this.store.removeClass(key));
    this.classes = this.classes.filter((c) => c.key !== key);
    this.emit('classes');
  }

  /** Adds 224² RGB pixels to class `key`; saving the lossless PNG is queued. Returns the id. */
  async addSample(key, rgb) {
    const id = await this.#request('addSample', [key, rgb]);
    const sample = { id, thumb: this.thumbnail(rgb) };
    this.writes.save(async () => this.store.addSample(id, key, await this.toPng(rgb)));
    this.classOf(key).samples.push(sample);
    this.emit('sample-added', { key, sample });
    return id;
  }

  async removeSample(id) {
    const entry = this.classOfSample(id);
    if (!entry) return;
    await this.#request('removeSample', [id]);
    await this.writes.save(() => this.store.removeSample(id));
    entry.samples = entry.samples.filter((s) => s.id !== id);
    this.emit('samples', { key: entry.key });
  }

  async moveSample(id, toKey) {
    const from = this.classOfSample(id);
    const to = this.classOf(toKey);
    if (!from || !to || from === to) return;
    await this.#request('relabelSample', [id, toKey]);
    await this.writes.save(() => this.store.moveSample(id, toKey));
    const sample = from.samples.find((s) => s.id === id);
    from.samples = from.samples.filter((s) => s !== sample);
    to.samples.push(sample);
    this.emit('samples', { key: from.key });
    this.emit('samples', { key: to.key });
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
    await this.#request('setConfig', [settings]);
    this.settings = settings;
    await this.writes.save(() => this.store.saveSettings(settings));
    this.emit('settings');
  }

  async setStrictness(strictness) {
    await this.writes.save(() => this.store.saveStrictness(strictness));
    this.strictness = strictness;
    this.emit('strictness');
  }

  /** Stops training after the current batch (the best weights so far are kept). */
  stop() {
    this.stopRequested = true;
    return this.#request('stop');
  }

  /**
   * Embeds new samples, then trains epoch by epoch until done or stopped; emits 'progress'
   * ({ phase: 'embedding', done, total }) and 'epoch' ({ metrics }). Resolves to the last metrics.
   */
  async train() {
    this.stopRequested = false;
    this.setState('training');
    try {
      let pending = await this.#request('pendingEmbeddings');
      const total = pending;
      while (pending > 0 && !this.stopRequested) {
        this.emit('progress', { phase: 'embedding', done: total - pending, total });
        pending = await this.#request('embedPending', { limit: 8 });
      }
      this.emit('progress', { phase: 'embedding', done: total - pending, total });
      let metrics;
      do {
        if (this.stopRequested) await this.#request('stop');
        const { result, ms } = await this.#timed('trainEpoch');
        metrics = { ...result, ms };
        this.emit('epoch', { metrics });
      } while (!metrics.done);
      this.model = await this.#request('model');
      await this.writes.save(async () => this.store.saveModel(await this.#request('exportModel', {})));
      this.setState('trained');
      return metrics;
    } catch (err) {
      this.setState(this.model ? 'trained' : 'ready');
      throw err;
    }
  }

  /** What the trained model says of 224² RGB pixels, at the current strictness (with `ms`). */
  async classify(rgb) {
    const { result, ms } = await this.#timed('classify', [rgb, this.strictness]);
    return { ...result, ms };
  }

  /** The pretrained network's top 5 ImageNet classes of 224² RGB pixels: { top, ms }. */
  async predictImagenet(rgb) {
    const { result, ms } = await this.#timed('predictImagenet', [rgb, 5]);
    return { top: result, ms };
  }

  evaluate() {
    return this.#request('evaluate');
  }

  /** The data check of every sample (the core's DataCheck: map points, suspects, near-copies, overlaps). */
  checkData() {
    return this.#request('checkData');
  }

  /** Where the model found the evidence for class `label` (the predicted one when null) in 224² RGB pixels. */
  explain(rgb, label = null) {
    return this.#request('explain', [rgb, label]);
  }

  /** The similarity under which the trained model answers "none of these" at the current strictness. */
  noneOfTheseBelow() {
    return this.#request('noneOfTheseBelow', [this.strictness]);
  }

  /** The trained model in `format`, at the current strictness: { name, bytes, ms }. */
  exportModelAs(format) {
    return this.#request('exportModelAs', [format, this.strictness]);
  }

  /** The whole project as a bundle (zip bytes), once every change is saved. */
  async exportBundle() {
    await this.saved();
    return this.#request('writeBundle', [this.strictness]);
  }

  /**
   * Validates a bundle (`bytes`) completely, its model against the loaded base weights, and only
   * then replaces the saved project with it (open the page again to load it). Throws naming the
   * problem otherwise, and nothing saved is touched. Returns the bundle.
   */
  async importBundle(bytes) {
    const bundle = await this.#request('readBundle', { bytes });
    if (bundle.model) {
      const meta = await this.#request('checkModel', [bundle.model]);
      if (meta.class_names.length !== bundle.classNames.length) {
        throw new Error(`bad project bundle: the model knows ${meta.class_names.length} classes, the project has ${bundle.classNames.length}`);
      }
    }
    await this.writes.enqueue(() => this.store.replace(bundle));
    return bundle;
  }

  /** How many workers embed new samples (0: the model worker alone), once they have started. */
  poolSize() {
    return this.#request('poolSize', {});
  }

  /** URLs the worker loaded, for the offline cache. */
  resources() {
    return this.#request('resources', {});
  }
}
