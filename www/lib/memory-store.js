// A project kept in memory only: what a Trainer uses unless asked to persist
// (`store: 'indexeddb'`). The same interface and the same records as ProjectStore (store.js), so
// the trainer, its worker and bundles cannot tell them apart; nothing survives a reload.

import { ProjectRecord, bundleRecord, nextPast } from './project-record.js';

const clone = (value) => (value == null ? value : structuredClone(value));

export class MemoryStore extends ProjectRecord {
  constructor() {
    super();
    this.project = null;
    this.samples = new Map();
    this.model = null;
  }

  async load() {
    if (!this.project) return null;
    const samples = [...this.samples.values()].sort((a, b) => a.id - b.id);
    return { ...clone(this.project), model: this.model, samples: samples.map((s) => ({ ...s })) };
  }

  async create(classNames) {
    const classes = classNames.map((name, id) => ({ id, name }));
    this.project = { classes, settings: null, strictness: null, next_ids: { class: classes.length, sample: 0 } };
    this.samples.clear();
    this.model = null;
  }

  async update(change) {
    return change(this.project);
  }

  async replace(bundle) {
    const { samples, model } = bundle;
    this.project = bundleRecord(bundle);
    this.samples = new Map(samples.map(({ id, label, png }) => [id, { id, class_id: label, png: new Blob([png], { type: 'image/png' }) }]));
    this.model = model ?? null;
  }

  async removeClass(id) {
    this.project.classes = this.project.classes.filter((c) => c.id !== id);
    for (const [key, sample] of this.samples) if (sample.class_id === id) this.samples.delete(key);
  }

  async addSample(id, classId, png) {
    if (this.samples.has(id)) throw new Error(`the last change could not be saved: sample ${id} exists`);
    this.samples.set(id, { id, class_id: classId, png });
    this.project.next_ids = nextPast(this.project.next_ids, 'sample', id);
  }

  async removeSample(id) {
    this.samples.delete(id);
  }

  async moveSample(id, classId) {
    const sample = this.samples.get(id);
    if (sample) sample.class_id = classId;
  }

  async saveModel(model) {
    this.model = model instanceof Blob ? new Uint8Array(await model.arrayBuffer()) : (model ?? null);
  }
}
