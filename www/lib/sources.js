// Any image a web page holds → the 224×224 RGB bytes the core takes (centre square, or the whole
// image letterboxed), with an error that says what to do for what cannot be read.

import { INPUT_SIZE, toRgb224 } from './capture.js';

/** The bytes of one 224² RGB image: what the page's camera and files give, passed through. */
const RGB_BYTES = INPUT_SIZE * INPUT_SIZE * 3;

const SUPPORTED = 'an <img>, <canvas>, <video>, ImageBitmap, ImageData, VideoFrame, OffscreenCanvas, Blob or File (or 224×224 RGB bytes)';

const is = (source, name) => typeof globalThis[name] === 'function' && source instanceof globalThis[name];

/** The drawable and its size, or an Error naming the problem. */
async function drawable(source) {
  if (is(source, 'HTMLImageElement')) {
    if (!source.complete) throw new Error('the <img> has not loaded yet: wait for its load event (or img.decode()) first');
    return [source, source.naturalWidth, source.naturalHeight];
  }
  if (is(source, 'HTMLVideoElement')) {
    if (source.readyState < 2) throw new Error('the <video> has no frame yet: wait for its loadeddata event first');
    return [source, source.videoWidth, source.videoHeight];
  }
  if (is(source, 'VideoFrame')) return [source, source.displayWidth, source.displayHeight];
  if (is(source, 'HTMLCanvasElement') || is(source, 'OffscreenCanvas') || is(source, 'ImageBitmap')) {
    return [source, source.width, source.height];
  }
  if (is(source, 'ImageData')) {
    if (!source.width || !source.height) return [source, 0, 0];
    return [await createImageBitmap(source), source.width, source.height];
  }
  if (is(source, 'Blob')) {
    try {
      const bitmap = await createImageBitmap(source);
      return [bitmap, bitmap.width, bitmap.height];
    } catch {
      const name = source.name ? `${source.name} ` : 'the file ';
      throw new Error(`${name}is not an image this browser can decode (use a JPEG, PNG, GIF or WebP)`);
    }
  }
  const kind = source?.constructor?.name ?? typeof source;
  throw new Error(`unsupported image source (${kind}): pass ${SUPPORTED}`);
}

/**
 * The 224×224 RGB bytes of `source` (see SUPPORTED): its centre square, or with `letterbox` the
 * whole image on black bars; `mirror` flips it (a selfie camera). Rejects with a message saying
 * what to do for an unsupported, empty or cross-origin (tainted) image.
 */
export async function toRgb(source, { letterbox = false, mirror = false } = {}) {
  if ((source instanceof Uint8Array || source instanceof Uint8ClampedArray) && !mirror) {
    if (source.length !== RGB_BYTES) {
      throw new Error(`raw pixels must be 224×224 RGB (${RGB_BYTES} bytes), got ${source.length}: pass the image itself instead`);
    }
    return Uint8Array.from(source);
  }
  const [image, width, height] = await drawable(source);
  if (!width || !height) throw new Error('the image has no pixels (0×0): pass a loaded, non-empty image');
  try {
    return toRgb224(image, width, height, { letterbox, mirror });
  } catch (err) {
    if (err?.name === 'SecurityError') {
      throw new Error('the image comes from another origin and the browser hides its pixels: serve it from this page’s origin, or with CORS and crossorigin="anonymous"');
    }
    throw err;
  } finally {
    if (image !== source && typeof image.close === 'function') image.close();
  }
}
