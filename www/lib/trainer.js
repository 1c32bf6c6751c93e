// The library's Trainer: teach a pretrained MobileNet new classes from any page. It is the one JS
// owner of a project (ProjectModel: classes, samples, settings, the model, one `change` event per
// edit) plus what a page hands it — images of any kind, class names, AbortSignals — and files:
// bundles and exported models. The model runs in a worker; nothing here blocks the page.

import { answer, explanation, labelOf } from './answer.js';
import { MemoryStore } from './memory-store.js';
import { ProjectModel, REQUEST, TIMED } from './project.js';
import { toRgb } from './sources.js';
import { ProjectStore } from './store.js';

/** The package's own weights (served beside the library); the `weights` option overrides them. */
export const DEFAULT_WEIGHTS = new URL('../models/mobilenet_v1_1.0_224.safetensors', import.meta.url).href;

/** A project's store: an IndexedDB database (`'indexeddb'`), a store object, or memory. */
async function openStore(store, name) {
  if (store === 'indexeddb') return ProjectStore.open(name);
  if (store == null || store === 'memory') return new MemoryStore();
  if (typeof store === 'object') return store;
  throw new Error(`unknown store "${store}": use 'indexeddb', 'memory' or leave it out`);
}

/** Bytes of a Blob, ArrayBuffer or typed array. */
export async function bytesOf(data, what) {
  if (data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new Error(`${what} must be a Blob, File, ArrayBuffer or Uint8Array`);
}

export class Trainer extends ProjectModel {
  /**
   * A trainer with its model loaded. Options: `backend` ('auto' | 'webgpu' | 'cpu' | 'flex'),
   * `weights` (URL of the base weights; default: the package's), `onProgress({ phase, loaded,
   * total })`, `store` ('indexeddb' to autosave and reopen the project named `name`; default:
   * memory), `classes` (names a new project starts with; default none).
   */
  static async create(options = {}) {
    const trainer = new Trainer();
    await trainer.open(options);
    return trainer;
  }

  /** A trainer holding the project of a bundle (from `save()`, the app's Export or the CLI). */
  static async open(bundle, options = {}) {
    const bytes = await bytesOf(bundle, 'a project bundle');
    const store = await openStore(options.store, options.name ?? 'burnish');
    const reader = await Trainer.create({ ...options, store });
    try {
      await reader.importBundle(bytes);
    } finally {
      reader.close();
    }
    return Trainer.create({ ...options, store });
  }

  async open({ backend = 'auto', weights = DEFAULT_WEIGHTS, onProgress = () => {}, store, name = 'burnish', classes = [], session = null } = {}) {
    const requested = backend === 'cpu' ? 'flex' : backend;
    if (!['auto', 'webgpu', 'flex'].includes(requested)) throw new Error(`unknown backend "${backend}": use 'auto', 'webgpu' or 'cpu'`);
    try {
      await super.open({ weightsUrl: weights, backend: requested, onProgress, store: await openStore(store, name), session, classes });
    } catch (err) {
      this.session?.client?.terminate(); // no worker left behind by a trainer that did not open
      throw err;
    }
  }

  /** Ends the model worker (and its wasm); the trainer cannot be used afterwards. */
  close() {
    this.session?.client?.terminate();
    this.setState('closed');
  }

  /** The id of a class given by id or by name. */
  classId(ref) {
    const entry = typeof ref === 'string' ? this.classes.find((c) => c.name === ref) : this.classOf(ref);
    if (!entry) throw new Error(`there is no class ${typeof ref === 'string' ? `named “${ref}”` : ref}: add it with addClass first`);
    return entry.id;
  }

  /**
   * Sets what an exported app does when a class (its name or id; null: "none of these") wins:
   * `{ kind: 'text', text, size, color }`, `{ kind: 'picture' | 'sound', file }` or `{ kind:
   * 'nothing' }`; a file that is not an image or audio, or over 5 MB, is refused with the reason.
   */
  setBehaviour(classRef, behaviour) {
    return super.setBehaviour(classRef === null ? null : this.classId(classRef), behaviour);
  }

  /** Adds an image (any source toRgb takes) to a class (its name or id); returns the sample's id. */
  async addImage(classRef, source, { letterbox = false, mirror = false } = {}) {
    const classId = this.classId(classRef);
    return this.addSample(classId, await toRgb(source, { letterbox, mirror }));
  }

  /**
   * Trains (see ProjectModel.train): `onEpoch(metrics)` after every epoch, `signal` aborts (the
   * model from before stays); any other option is a setting by its name (`epochs`,
   * `fine_tune_blocks`, … as `settings` lists them), kept for later runs. Resolves to the last
   * epoch's metrics.
   */
  async train({ onEpoch, signal, ...settings } = {}) {
    if (Object.keys(settings).length) await this.setSettings({ ...this.settings, ...settings });
    const listener = ({ detail }) => detail.what === 'epoch' && onEpoch?.(detail.metrics);
    this.addEventListener('change', listener);
    try {
      return await super.train({ signal });
    } finally {
      this.removeEventListener('change', listener);
    }
  }

  /**
   * What the trained model says of an image, at the current strictness: the core's answer
   * (`probs`, `best`, `similarity`, `threshold`, `none_of_these`) with `label` (the class's name,
   * null for "none of these"), `nearest` (the closest class's name), `confidences` (name →
   * probability) and `ms`.
   */
  async classify(source, { letterbox = false } = {}) {
    const rgb = await toRgb(source, { letterbox });
    const { result, ms } = await this[TIMED]('classify', [rgb, this.strictness]);
    return answer(result, this.model?.class_names ?? [], ms);
  }

  /** The pretrained network's top 5 ImageNet classes of an image: { top, ms }. */
  async predictImagenet(source, { letterbox = false } = {}) {
    const { result, ms } = await this[TIMED]('predictImagenet', [await toRgb(source, { letterbox }), 5]);
    return { top: result, ms };
  }

  /**
   * Where the model found the evidence for a class (its name, or its label: its position in the
   * model's outputs; the predicted class when absent): `{ class, class_name, region, side, heat,
   * layer, picture }`, `layer` an ImageData to lay over the 224² picture, `picture` the two
   * blended (what `burnish predict --explain` writes).
   */
  async explain(source, classRef = null) {
    const rgb = await toRgb(source);
    const names = this.model?.class_names ?? [];
    const map = await this[REQUEST]('explain', [rgb, this.model ? labelOf(classRef, names) : null]);
    return explanation(map, names);
  }

  /** The similarity under which the trained model answers "none of these" at the current strictness. */
  noneOfTheseBelow() {
    return this[REQUEST]('noneOfTheseBelow', [this.strictness]);
  }

  /** The trained model in `format` ('onnx' | 'tfjs' | 'safetensors') at the current strictness, as a File. */
  async exportModel(format) {
    if (!['onnx', 'tfjs', 'safetensors'].includes(format)) throw new Error(`unknown format "${format}": use 'onnx', 'tfjs' or 'safetensors'`);
    const { name, bytes, ms } = await this[REQUEST]('exportModelAs', [format, this.strictness]);
    return Object.assign(new File([bytes], name), { ms });
  }

  /**
   * The trained project as a standalone web app: a File (`app.zip`) that unpacks to a static
   * folder — camera or photos in, each class's behaviour out, offline after its first visit —
   * with `title` (default: the class names); `ms`: how long writing it took.
   */
  async exportApp({ title = null } = {}) {
    if (!this.model) throw new Error('train the model first: the app runs the trained model');
    const started = performance.now();
    const behaviours = this.behaviours(this.model.class_names);
    const bytes = await this[REQUEST]('writeApp', [this.strictness, behaviours, title, this.session.weightsUrl]);
    return Object.assign(new File([bytes], 'app.zip', { type: 'application/zip' }), { ms: performance.now() - started });
  }

  /** The whole project (classes, samples, settings, behaviours, the model) as a bundle Blob, once every change is saved. */
  async save() {
    await this.saved();
    const bytes = await this[REQUEST]('writeBundle', [this.strictness, this.behaviours()]);
    return new Blob([bytes], { type: 'application/zip' });
  }

  /**
   * Validates a bundle completely, its model against the loaded base weights, and only then
   * replaces the stored project with it (open it again to load it: `Trainer.open` does both).
   * Throws naming the problem otherwise, and nothing stored is touched. Returns the bundle.
   */
  async importBundle(bundle) {
    const read = await this[REQUEST]('readBundle', [await bytesOf(bundle, 'a project bundle')]);
    if (read.model) {
      const meta = await this[REQUEST]('checkModel', [read.model]);
      if (meta.class_names.length !== read.class_names.length) {
        throw new Error(`bad project bundle: the model knows ${meta.class_names.length} classes, the project has ${read.class_names.length}`);
      }
    }
    await this.writes.enqueue(() => this.store.replace(read));
    return read;
  }
}
