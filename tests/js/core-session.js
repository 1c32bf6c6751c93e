// The model worker's side for JS unit tests, on the real core: the wasm package the page loads
// (www/pkg, built by .ci/build.sh) runs under Node on the real weights, answering the worker's
// protocol (a request is the wasm Project's method of that name, its arguments an array). It
// records the requests, so tests can check what the ProjectModel asks.

import { readFileSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url);
const pkg = await import(new URL('www/pkg/burnish.js', ROOT));
await pkg.default({ module_or_path: readFileSync(new URL('www/pkg/burnish_bg.wasm', ROOT)) });
const WEIGHTS = readFileSync(new URL('www/models/mobilenet_v1_1.0_224.safetensors', ROOT));

export class CoreSession {
  constructor() {
    this.requests = [];
  }

  /** ModelSession.start on the real core: classes under their ids, settings, samples and model. */
  async start(_backend, saved) {
    const classes = saved.classes.map((c) => ({ id: c.key, name: c.name }));
    this.project = await pkg.Project.create(new Uint8Array(WEIGHTS), 'flex', classes, saved.settings ?? {});
    for (const s of saved.samples) {
      await this.project.insertSamplePng(s.key, s.classKey, new Uint8Array(await s.png.arrayBuffer()));
    }
    const model = saved.model ? await this.project.installModel(saved.model) : null;
    const schema = await pkg.trainingSettings();
    return { backend: 'flex', reason: 'the core under Node', cached: false, schema, settings: await this.project.config(), model, modelError: null };
  }

  /** The worker's own requests as worker.js answers them (no pool here), else the Project method. */
  async request(type, args = []) {
    this.requests.push(type);
    const own = {
      embedPending: ({ limit }) => this.project.embedPending(limit),
      exportModel: async () => new Blob([await this.project.exportModel()]),
      readBundle: ({ bytes }) => pkg.readBundle(bytes),
    };
    return own[type] ? own[type](args) : this.project[type](...args);
  }
}
