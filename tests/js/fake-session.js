// A stand-in for the model worker (ModelSession) in JS unit tests: it keeps what the wasm
// project would (classes, sample ids and labels, settings) and records every request, so tests
// can check what the ProjectModel asks of it.

export class FakeSession {
  constructor() {
    this.requests = [];
    this.classes = [];
    this.samples = new Map();
    this.config = null;
    this.epochs = 3;
  }

  async start(_backend, saved) {
    this.classes = saved.classes.map((c) => c.name);
    saved.samples.forEach((s) => this.samples.set(s.key, saved.classes.findIndex((c) => c.key === s.classKey)));
    const defaults = { epochs: 50, batch_size: 16, patience: 10, augment: false, head: 'mlp', fine_tune_blocks: 0 };
    const schema = Object.keys(defaults).map((name) => ({ name, kind: 'number', advanced: false }));
    return { backend: 'flex', reason: 'fake', cached: false, settings: { schema, defaults, default_strictness: 1 }, model: saved.model ? { class_names: this.classes } : null, modelError: null };
  }

  async request(type, args = {}) {
    this.requests.push({ type, args });
    switch (type) {
      case 'addClass':
        return this.classes.push(args.name) - 1;
      case 'renameClass':
        this.classes[args.label] = args.name;
        return undefined;
      case 'removeClass':
        this.classes.splice(args.label, 1);
        return undefined;
      case 'addSample': {
        const id = Math.max(-1, ...this.samples.keys()) + 1;
        this.samples.set(id, args.label);
        return id;
      }
      case 'removeSample':
        if (!this.samples.delete(args.id)) throw new Error(`sample ${args.id} does not exist`);
        return undefined;
      case 'relabelSample':
        this.samples.set(args.id, args.label);
        return undefined;
      case 'setConfig':
        if (args.config.epochs < 1) throw new Error('epochs must be in 1..=10000, got 0');
        this.config = args.config;
        return undefined;
      case 'embedPending':
        return 0;
      case 'trainEpoch': {
        this.epoch = (this.epoch ?? 0) + 1;
        const done = this.epoch >= this.epochs || this.stopped;
        return { epoch: this.epoch, train_loss: 1 / this.epoch, train_accuracy: 0.5, done, cancelled: Boolean(this.stopped), stopped_early: false };
      }
      case 'stop':
        this.stopped = true;
        return undefined;
      case 'model':
        return { class_names: [...this.classes], split: { train: [...this.samples.keys()], validation: [] } };
      case 'exportModel':
        return new Uint8Array([1, 2, 3]);
      default:
        throw new Error(`unexpected request ${type}`);
    }
  }
}
