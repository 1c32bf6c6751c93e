// Types of the burnish library (www/lib/burnish.js). Field names of settings, answers and
// reports are the core's (snake_case), the same in bundles, the CLI's JSON and exported models.

/** Any image a page holds; raw pixels must be 224×224 RGB (150 528 bytes). */
export type ImageSource =
  | HTMLImageElement
  | HTMLCanvasElement
  | HTMLVideoElement
  | OffscreenCanvas
  | ImageBitmap
  | ImageData
  | VideoFrame
  | Blob
  | Uint8Array;

export interface SourceOptions {
  /** The whole image on black bars instead of its centre square. */
  letterbox?: boolean;
  /** Flip horizontally (a selfie camera). */
  mirror?: boolean;
}

export type Backend = 'auto' | 'webgpu' | 'cpu' | 'flex';

export interface Progress {
  phase: 'weights' | 'restore';
  loaded: number;
  total: number;
}

export interface CreateOptions {
  backend?: Backend;
  /** URL of the base weights (default: the package's own, served beside it). */
  weights?: string;
  onProgress?: (progress: Progress) => void;
  /** 'indexeddb' autosaves the project named `name` and reopens it; default: memory only. */
  store?: 'indexeddb' | 'memory';
  name?: string;
  /** Class names a new project starts with (default: none). */
  classes?: string[];
}

/** Every training setting (`Trainer.schema` lists them with ranges and help). */
export interface Settings {
  fine_tune_blocks: 'auto' | 0 | 1 | 2 | 3;
  epochs: number;
  fine_tune_epochs: number;
  augment: boolean;
  augment_views: number;
  batch_size: number;
  learning_rate: number;
  block_lr_factor: number;
  head: 'mlp' | 'linear';
  hidden_units: number;
  dropout: number;
  label_smoothing: number;
  weight_decay: number;
  validation_fraction: number;
  patience: number | null;
  seed: number;
}

export interface EpochMetrics {
  epoch: number;
  stage: 'head' | 'blocks';
  planned_epochs: number;
  train_loss: number;
  train_accuracy: number;
  val_loss: number | null;
  val_accuracy: number | null;
  done: boolean;
  stopped_early: boolean;
  cancelled: boolean;
  /** Aborted: the run made no model (the one from before stays). */
  discarded: boolean;
  kept: 'head' | 'blocks';
  /** Round trip of the epoch, as the page waited for it. */
  ms: number;
}

export interface TrainOptions extends Partial<Settings> {
  onEpoch?: (metrics: EpochMetrics) => void;
  /** Aborting rejects with an AbortError; the model from before the run stays. */
  signal?: AbortSignal;
}

export interface Answer {
  /** The answered class's name; null for "none of these". */
  label: string | null;
  /** The closest class's name, even for "none of these". */
  nearest: string;
  confidences: Record<string, number>;
  none_of_these: boolean;
  /** Likeness to the nearest taught class; under `threshold` is "none of these". */
  similarity: number;
  threshold: number;
  probs: number[];
  best: number;
  ms: number;
}

export interface Explanation {
  /** The label (position in the model's outputs) and name of the class mapped. */
  class: number;
  class_name: string;
  /** Where the strongest evidence is, in words ("top left", "centre", …). */
  region: string;
  side: number;
  /** side×side values in [0, 1], row-major. */
  heat: number[];
  /** A 224×224 heat map to draw over the picture. */
  layer: ImageData;
  /** The 224² picture with the map blended in (what `burnish predict --explain` writes). */
  picture: ImageData;
}

/** A picture or sound as saved: its name, type (read from its bytes) and bytes. */
export interface Media {
  name: string;
  type: string;
  bytes: Uint8Array;
}

/** What an exported web app does when an answer wins, as saved. */
export type Behaviour =
  | { kind: 'nothing' }
  | { kind: 'text'; text: string; /** percent of the screen's shorter side, 4–40 */ size: number; /** #rrggbb */ color: string }
  | { kind: 'picture' | 'sound'; media: Media };

/** A behaviour as a page gives it: a file (at most 5 MB) for a picture or a sound. */
export type BehaviourInput =
  | { kind: 'nothing' }
  | { kind: 'text'; text: string; size?: number; color?: string }
  | { kind: 'picture' | 'sound'; file: Blob };

export interface ClassEntry {
  id: number;
  name: string;
  behaviour: Behaviour;
  samples: { id: number }[];
}

/** A predict-only model: loads a trained model, answers images. */
export declare class Classifier {
  static load(model: Blob | ArrayBuffer | Uint8Array, options?: Omit<CreateOptions, 'store' | 'name' | 'classes'> & { strictness?: number }): Promise<Classifier>;
  readonly backend: 'webgpu' | 'flex';
  readonly classNames: string[];
  /** "None of these" strictness: percent of known-class images flagged. */
  strictness: number;
  classify(source: ImageSource, options?: SourceOptions): Promise<Answer>;
  explain(source: ImageSource, classRef?: string | number | null): Promise<Explanation>;
  close(): void;
}

/** Teach, train, classify, explain, save and export: one project in a worker. */
export declare class Trainer extends EventTarget {
  static create(options?: CreateOptions): Promise<Trainer>;
  /** A trainer holding a bundle's project (from save(), the app or the CLI). */
  static open(bundle: Blob | ArrayBuffer | Uint8Array, options?: CreateOptions): Promise<Trainer>;
  readonly state: 'loading' | 'ready' | 'training' | 'trained' | 'error' | 'closed';
  readonly backend: 'webgpu' | 'flex';
  readonly classes: ClassEntry[];
  readonly settings: Settings;
  /** "None of these" strictness (percent); setStrictness changes it. */
  readonly strictness: number;
  /** The trained model's description (class_names, split, calibration…), or null. */
  readonly model: { class_names: string[]; [key: string]: unknown } | null;
  names(): string[];
  counts(): number[];
  addClass(name?: string): Promise<number>;
  renameClass(id: number, name: string): Promise<void>;
  removeClass(id: number): Promise<void>;
  addImage(classRef: string | number, source: ImageSource, options?: SourceOptions): Promise<number>;
  removeSample(id: number): Promise<void>;
  moveSample(id: number, toClassId: number): Promise<void>;
  setSettings(settings: Settings): Promise<void>;
  setStrictness(percent: number): Promise<void>;
  train(options?: TrainOptions): Promise<EpochMetrics>;
  /** Stops the run after its current batch, keeping its best weights. */
  stop(): Promise<void>;
  classify(source: ImageSource, options?: SourceOptions): Promise<Answer>;
  explain(source: ImageSource, classRef?: string | number | null): Promise<Explanation>;
  evaluate(): Promise<Record<string, unknown>>;
  checkData(): Promise<Record<string, unknown>>;
  /** What the exported app does when a class (name or id; null: "none of these") wins. */
  setBehaviour(classRef: string | number | null, behaviour: BehaviourInput): Promise<Behaviour>;
  /** The behaviours of the classes `names` (default: every class) and of "none of these". */
  behaviours(names?: string[]): { classes: Behaviour[]; none_of_these: Behaviour };
  readonly noneBehaviour: Behaviour;
  save(): Promise<Blob>;
  exportModel(format: 'onnx' | 'tfjs' | 'safetensors'): Promise<File & { ms: number }>;
  /** The trained project as a standalone web app (app.zip: unpack it on any static host). */
  exportApp(options?: { title?: string | null }): Promise<File & { ms: number }>;
  /** Resolves once every change so far is stored. */
  saved(): Promise<void>;
  close(): void;
}

export declare const DEFAULT_WEIGHTS: string;
export declare const INPUT_SIZE: 224;
/** Any image → 224×224 RGB bytes, as the library feeds the model. */
export declare function toRgb(source: ImageSource, options?: SourceOptions): Promise<Uint8Array>;
/** A drawable of known size → 224×224 RGB bytes, synchronously (video frames). */
export declare function toRgb224(source: CanvasImageSource, width: number, height: number, options?: SourceOptions): Uint8Array;
export declare function storageText(hasSamples: boolean): Promise<string | null>;
export declare function forgetWeights(): Promise<void>;
export declare function progressText(progress: Progress): string;
/** Registers a service worker and has it keep `urls` for offline use. */
export declare function keepOffline(serviceWorkerUrl: string | URL, urls: string[]): Promise<{ cached: number; of: number } | null>;
/** The behaviour of a class with none set. */
export declare const NOTHING: Behaviour;
export declare const TEXT_DEFAULTS: { size: number; color: string };
/** Plays answers' behaviours into an element holding .behaviour-name, -text, -picture, -sound. */
export declare class BehaviourView {
  constructor(root: HTMLElement, srcOf: (media: unknown) => string);
  show(name: string | null, behaviour?: Behaviour | { kind: string; [key: string]: unknown }): void;
}
