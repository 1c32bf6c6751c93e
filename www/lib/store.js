// The project as saved in IndexedDB (through `idb`): classes, samples as lossless PNGs under
// their ids (the same ids the core gives them, so a trained model's split still names them),
// the next ids (an id is never given twice, even after its sample was deleted), settings,
// "none of these" strictness and the trained model. Field names are the core's (snake_case). The model worker is rebuilt from
// it after a reload or when WebGPU is lost. Every change is one transaction, so a crash or a
// killed tab mid-write leaves the last complete state.

import { ProjectRecord, bundleRecord, nextPast } from './project-record.js';
import { openDB } from './vendor/idb.js'; // npm idb's build, copied by .ci/build.sh

/** 2: classes `{ id, name }`, samples `{ id, class_id, png }` and `next_ids` (1: `key`, `classKey`). */
const VERSION = 2;

// Sample PNGs are stored as bytes, not Blobs: WebKit's IndexedDB refuses Blob values in its
// ephemeral sessions (private windows, WebDriver) with "Error preparing Blob/File data to be
// stored in object store". load() hands out Blobs again, and reads the Blobs stored before.
const pngBlob = (png) => (png instanceof Blob ? png : new Blob([png], { type: 'image/png' }));

/** The model's bytes (a Uint8Array), whether stored as a Blob or as bytes (see saveModel). */
async function modelBytes(model) {
  if (model instanceof Blob) return new Uint8Array(await model.arrayBuffer());
  return model instanceof ArrayBuffer ? new Uint8Array(model) : (model ?? null);
}

/** Settings as the core takes them: those saved before settings were typed hold the form's "1" for 1 block. */
function typedSettings(settings) {
  const blocks = settings?.fine_tune_blocks;
  if (typeof blocks !== 'string' || blocks === 'auto') return settings;
  return { ...settings, fine_tune_blocks: Number(blocks) };
}

/** A write the browser refused, with the reason in words (quota, private mode, …). */
function writeError(err) {
  if (err?.name === 'QuotaExceededError') {
    return new Error('this browser’s storage is full: the last change was not saved (everything before it is)');
  }
  return new Error(`the last change could not be saved: ${err?.message ?? err}`);
}

async function write(run) {
  try {
    return await run();
  } catch (err) {
    throw writeError(err);
  }
}

/** Store writes in one queue, each after the earlier ones; a failed write does not stop later ones. */
export class WriteQueue {
  /** `onError(err)`: told of a failed write queued with `save`. */
  constructor(onError) {
    this.onError = onError;
    this.last = Promise.resolve();
  }

  /** Queues `write`; resolves or rejects with it. */
  enqueue(write) {
    const done = this.last.then(write);
    this.last = done.catch(() => {});
    return done;
  }

  /** Queues `write`; a failure goes to `onError` instead of the caller. */
  save(write) {
    return this.enqueue(write).catch(this.onError);
  }

  /** Resolves when every write queued so far is done. */
  idle() {
    return this.last;
  }
}

export class ProjectStore extends ProjectRecord {
  /** Opens (creating if needed) the database `name`. */
  static async open(name = 'burnish') {
    const db = await openDB(name, VERSION, {
      async upgrade(db, oldVersion, _newVersion, tx) {
        if (oldVersion < 1) {
          db.createObjectStore('meta');
          db.createObjectStore('model');
        }
        // Version 1's samples and classes, renamed to the core's fields (nothing else changes).
        const old = oldVersion === 1 ? await tx.objectStore('samples').getAll() : [];
        if (oldVersion === 1) db.deleteObjectStore('samples');
        const samples = db.createObjectStore('samples', { keyPath: 'id' });
        samples.createIndex('class_id', 'class_id');
        for (const { key, classKey, png } of old) await samples.put({ id: key, class_id: classKey, png });
        const project = oldVersion === 1 ? await tx.objectStore('meta').get('project') : null;
        if (project) {
          project.classes = project.classes.map(({ key, name }) => ({ id: key, name }));
          await tx.objectStore('meta').put(project, 'project');
        }
      },
    });
    return new ProjectStore(db);
  }

  constructor(db) {
    super();
    this.db = db;
  }

  /**
   * The saved project: { classes: [{ id, name }], settings, strictness, next_ids: { class, sample }
   * (null: saved before they were kept), model: Uint8Array | null, samples: [{ id, class_id, png }] },
   * or null when nothing was saved yet.
   */
  async load() {
    const tx = this.db.transaction(['meta', 'model', 'samples']);
    const [project, model, samples] = await Promise.all([
      tx.objectStore('meta').get('project'),
      tx.objectStore('model').get('current'),
      tx.objectStore('samples').getAll(),
    ]);
    if (!project) return null;
    return {
      ...project,
      next_ids: project.next_ids ?? null,
      settings: typedSettings(project.settings),
      model: await modelBytes(model),
      samples: samples.map((s) => ({ ...s, png: pngBlob(s.png) })),
    };
  }

  /** Starts a new project with these class names (ids 0, 1, …). */
  async create(classNames) {
    const classes = classNames.map((name, id) => ({ id, name }));
    const project = { classes, settings: null, strictness: null, next_ids: { class: classes.length, sample: 0 } };
    await write(async () => {
      const tx = this.db.transaction(['meta', 'model', 'samples'], 'readwrite');
      await Promise.all([
        tx.objectStore('samples').clear(),
        tx.objectStore('model').clear(),
        tx.objectStore('meta').put(project, 'project'),
        tx.done,
      ]);
    });
  }

  /** Applies `change(project)` to the saved project record in one transaction. */
  async update(change) {
    return write(async () => {
      const tx = this.db.transaction('meta', 'readwrite');
      const project = await tx.store.get('project');
      const result = change(project);
      await tx.store.put(project, 'project');
      await tx.done;
      return result;
    });
  }

  /**
   * Replaces the whole project, in one transaction, by a validated bundle's content (the core's
   * Bundle: { class_names, settings, strictness, next_ids, samples: [{ id, label, png: Uint8Array }],
   * model, behaviours }); its classes take the ids 0, 1, … (their labels).
   */
  async replace(bundle) {
    await write(async () => {
      const tx = this.db.transaction(['meta', 'model', 'samples'], 'readwrite');
      const samples = tx.objectStore('samples');
      await samples.clear();
      await tx.objectStore('model').clear();
      for (const { id, label, png } of bundle.samples) {
        await samples.add({ id, class_id: label, png: png.slice() });
      }
      if (bundle.model) await tx.objectStore('model').put(bundle.model, 'current');
      await tx.objectStore('meta').put(bundleRecord(bundle), 'project');
      await tx.done;
    });
  }

  /** Removes a class and all its samples, atomically. */
  async removeClass(id) {
    await write(async () => {
      const tx = this.db.transaction(['meta', 'samples'], 'readwrite');
      const project = await tx.objectStore('meta').get('project');
      project.classes = project.classes.filter((c) => c.id !== id);
      await tx.objectStore('meta').put(project, 'project');
      const index = tx.objectStore('samples').index('class_id');
      for (let cursor = await index.openCursor(id); cursor; cursor = await cursor.continue()) {
        await cursor.delete();
      }
      await tx.done;
    });
  }

  /** Saves sample `id` (a PNG blob) of class `classId`, and that the next sample id is past it, atomically. */
  async addSample(id, classId, png) {
    const bytes = await png.arrayBuffer();
    return write(async () => {
      const tx = this.db.transaction(['meta', 'samples'], 'readwrite');
      const project = await tx.objectStore('meta').get('project');
      project.next_ids = nextPast(project.next_ids, 'sample', id);
      await Promise.all([
        tx.objectStore('samples').add({ id, class_id: classId, png: bytes }),
        tx.objectStore('meta').put(project, 'project'),
        tx.done,
      ]);
    });
  }

  removeSample(id) {
    return write(() => this.db.delete('samples', id));
  }

  async moveSample(id, classId) {
    await write(async () => {
      const tx = this.db.transaction('samples', 'readwrite');
      const sample = await tx.store.get(id);
      if (sample) await tx.store.put({ ...sample, class_id: classId });
      await tx.done;
    });
  }

  /**
   * Saves the trained model's `.safetensors` (a Blob or bytes; null forgets it). A Blob is stored
   * as it is: cloning its 5 MB of bytes into IndexedDB would block the page for 15–20 ms (50 ms on
   * a busy machine); where the browser refuses Blobs (WebKit's ephemeral sessions), its bytes.
   */
  async saveModel(model) {
    if (!model) return write(() => this.db.delete('model', 'current'));
    try {
      return await this.db.put('model', model, 'current');
    } catch (err) {
      if (!(model instanceof Blob)) throw writeError(err);
      const bytes = new Uint8Array(await model.arrayBuffer());
      return write(() => this.db.put('model', bytes, 'current'));
    }
  }
}

/**
 * What this browser's storage holds for the page, in words; asks once for persistent storage
 * when `hasSamples`. Null where the browser cannot tell.
 */
let persistAsked = false;
export async function storageText(hasSamples) {
  if (!navigator.storage?.estimate) return null;
  const { usage = 0, quota = 0 } = await navigator.storage.estimate();
  if (!persistAsked && hasSamples) {
    persistAsked = true;
    await navigator.storage.persist?.();
  }
  const persisted = (await navigator.storage.persisted?.()) ? ', kept until you delete it' : '';
  let text = `Saved in this browser: ${(usage / 1e6).toFixed(1)} MB of ${(quota / 1e9).toFixed(1)} GB available${persisted}.`;
  if (quota && usage / quota > 0.9) text += ' Storage is almost full: export the project to keep a copy.';
  return text;
}
