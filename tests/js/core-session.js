// The model worker's side for JS unit tests, on the real core: the wasm package the page loads
// (www/pkg, built by .ci/build.sh) runs under Node on the real weights, answering the worker's
// protocol (a request is the wasm Project's method of that name, its arguments an array). It
// records the requests, so tests can check what the project asks.

import { readFileSync } from 'node:fs';
import { restoreSaved } from '../../www/lib/restore.js';

const ROOT = new URL('../../', import.meta.url);
const pkg = await import(new URL('www/pkg/burnish.js', ROOT));
await pkg.default({ module_or_path: readFileSync(new URL('www/pkg/burnish_bg.wasm', ROOT)) });
const WEIGHTS = readFileSync(new URL('www/models/mobilenet_v1_1.0_224.safetensors', ROOT));
const APP_RUNTIME = new URL('www/pkg/app-runtime.zip', ROOT);

export class CoreSession {
  constructor() {
    this.requests = [];
  }

  /** ModelSession.start on the real core: classes under their ids, settings, then what the worker restores. */
  async start(_backend, saved) {
    this.project = await pkg.Project.create(new Uint8Array(WEIGHTS), 'flex', saved.classes, saved.settings ?? {});
    const restored = await restoreSaved(this.project, saved);
    const schema = await pkg.trainingSettings();
    return { backend: 'flex', reason: 'the core under Node', cached: false, schema, settings: await this.project.config(), ...restored };
  }

  /** The worker's own requests as worker.js answers them (no pool here), else the Project method. */
  async request(type, args = []) {
    this.requests.push(type);
    const own = {
      embedPending: (limit) => this.project.embedPending(limit),
      exportModel: async () => new Blob([await this.project.exportModel()]),
      readBundle: (bytes) => pkg.readBundle(bytes),
      checkBehaviour: (behaviour) => pkg.checkBehaviour(behaviour),
      writeApp: (strictness, behaviours, title) =>
        this.project.writeApp(strictness, behaviours, title, new Uint8Array(readFileSync(APP_RUNTIME)), new Uint8Array(WEIGHTS)),
    };
    return own[type] ? own[type](...args) : this.project[type](...args);
  }
}
