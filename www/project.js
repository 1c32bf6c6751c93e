// The page's one copy of the project: classes and samples, settings, "none of these"
// strictness, the trained model's description and the page's state. Every change is one worker
// request, one IndexedDB write and one `change` event ({ detail: { what, … } }); the panels
// render from it and call its methods, and never talk to the worker or the store themselves.

import { rgbThumbnail, rgbToPng, pngThumbnail } from './capture.js';
import { ModelSession } from './session.js';
import { ProjectStore } from './store.js';

export class ProjectModel extends EventTarget {
  /**
   * `thumbnail(rgb)` → data URL and `toPng(rgb)` → Blob default to the browser's canvas (tests
   * pass their own).
   */
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
    /** PNG encodings and store writes of new samples, in order (they can lag the page). */
    this.saving = Promise.resolve();
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
      await this.store.create(['Class 1', 'Class 2']);
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
    this.schema = started.settings.schema;
    this.defaults = started.settings.defaults;
    this.settings = { ...started.settings.defaults, ...(saved.settings ?? {}) };
    this.strictness = saved.strictness ?? started.settings.default_strictness;
    this.classes = saved.classes.map(({ key, name }) => ({ key, name, samples: [] }));
    for (const { key, classKey, png } of saved.samples) this.classOf(classKey)?.samples.push({ id: key, png });
    this.model = started.model;
    this.modelError = started.modelError;
    this.restored = saved.samples.length;
    this.emit('opened');
    this.setState(this.model ? 'trained' : 'ready');
  }

  request(type, args, transfer) {
    return this.session.request(type, args, transfer);
  }

  /** Queues a store write after the earlier ones; a failure is reported, later writes go on. */
  save(write) {
    this.saving = this.saving.then(write).catch((err) => this.emit('error', { message: err.message }));
    return this.saving;
  }

  /** Resolves when every change so far is saved. */
  saved() {
    return this.saving;
  }

  classOf(key) {
    return this.classes.find((c) => c.key === key);
  }

  labelOf(key) {
    return this.classes.findIndex((c) => c.key === key);
  }

  names() {
    return this.classes.map((c) => c.name);
  }

  counts() {
    return this.classes.map((c) => c.samples.length);
  }

  /** The class holding sample `id`. */
  classOfSample(id) {
    return this.classes.find((c) => c.samples.some((s) => s.id === id));
  }

  /** Refuses a name another class has (names are compared case-insensitively). */
  checkName(name, key) {
    if (!name) throw new Error('a class needs a name');
    if (this.classes.some((c) => c.key !== key && c.name.toLowerCase() === name.toLowerCase())) {
      throw new Error(`There is already a class named “${name}”: class names must differ.`);
    }
  }

  /** A name no class has yet: "Class N". */
  freeName() {
    let n = this.classes.length + 1;
    while (this.names().includes(`Class ${n}`)) n++;
    return `Class ${n}`;
  }

  async addClass(name = this.freeName()) {
    this.checkName(name);
    await this.request('addClass', { name });
    const key = await this.store.addClass(name);
    this.classes.push({ key, name, samples: [] });
    this.emit('classes');
    return key;
  }

  async renameClass(key, name) {
    this.checkName(name, key);
    await this.request('renameClass', { label: this.labelOf(key), name });
    await this.save(() => this.store.renameClass(key, name));
    this.classOf(key).name = name;
    this.emit('classes');
  }

  async removeClass(key) {
    if (this.state === 'training') throw new Error('classes cannot be deleted while training');
    if (this.classes.length <= 1) throw new Error('a project keeps at least one class');
    await this.request('removeClass', { label: this.labelOf(key) });
    await this.save(() => this.store.removeClass(key));
    this.classes.splice(this.labelOf(key), 1);
    this.emit('classes');
  }

  /** Adds 224² RGB pixels to class `key`; saving the lossless PNG is queued. Returns the id. */
  async addSample(key, rgb) {
    const id = await this.request('addSample', { label: this.labelOf(key), rgb });
    const sample = { id, thumb: this.thumbnail(rgb) };
    this.save(async () => this.store.addSample(id, key, await this.toPng(rgb)));
    this.classOf(key).samples.push(sample);
    this.emit('sample-added', { key, sample });
    return id;
  }

  async removeSample(id) {
    const entry = this.classOfSample(id);
    if (!entry) return;
    await this.request('removeSample', { id });
    await this.save(() => this.store.removeSample(id));
    entry.samples = entry.samples.filter((s) => s.id !== id);
    this.emit('samples', { key: entry.key });
  }

  async moveSample(id, toKey) {
    const from = this.classOfSample(id);
    const to = this.classOf(toKey);
    if (!from || !to || from === to) return;
    await this.request('relabelSample', { id, label: this.labelOf(toKey) });
    await this.save(() => this.store.moveSample(id, toKey));
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

  /** Replaces every training setting (a whole TrainConfig). */
  async setSettings(settings) {
    await this.request('setConfig', { config: settings });
    this.settings = settings;
    await this.save(() => this.store.saveSettings(settings));
    this.emit('settings');
  }

  async setStrictness(strictness) {
    await this.save(() => this.store.saveStrictness(strictness));
    this.strictness = strictness;
    this.emit('strictness');
  }

  /** Stops training after the current batch (the best weights so far are kept). */
  stop() {
    this.stopRequested = true;
    return this.request('stop');
  }

  /**
   * Embeds new samples, then trains epoch by epoch until done or stopped; emits 'progress'
   * ({ phase: 'embedding', done, total }) and 'epoch' ({ metrics }). Resolves to the last metrics.
   */
  async train() {
    this.stopRequested = false;
    this.setState('training');
    try {
      await this.request('setConfig', { config: this.settings });
      let pending = await this.request('embedPending', { limit: 0 });
      const total = pending;
      while (pending > 0 && !this.stopRequested) {
        this.emit('progress', { phase: 'embedding', done: total - pending, total });
        pending = await this.request('embedPending', { limit: 8 });
      }
      this.emit('progress', { phase: 'embedding', done: total - pending, total });
      let metrics;
      do {
        if (this.stopRequested) await this.request('stop');
        metrics = await this.request('trainEpoch');
        this.emit('epoch', { metrics });
      } while (!metrics.done);
      this.model = await this.request('model');
      await this.save(async () => this.store.saveModel(await this.request('exportModel')));
      this.setState('trained');
      return metrics;
    } catch (err) {
      this.setState(this.model ? 'trained' : 'ready');
      throw err;
    }
  }

  /** What the trained model says of 224² RGB pixels, at the current strictness. */
  classify(rgb) {
    return this.request('classify', { rgb, strictness: this.strictness });
  }

  predictImagenet(rgb) {
    return this.request('predictImagenet', { rgb });
  }

  evaluate() {
    return this.request('evaluate');
  }
}
