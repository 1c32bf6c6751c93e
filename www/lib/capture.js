// Images and video frames → 224×224 RGB bytes (centre-cropped or letterboxed), the one pixel
// format the core takes; and RGB → PNG (how samples are saved) or a small thumbnail.

export const INPUT_SIZE = 224;

/** The 224² canvas every conversion draws on (made on first use). */
let canvas = null;
let context = null;
function canvas224() {
  canvas ??= new OffscreenCanvas(INPUT_SIZE, INPUT_SIZE);
  context ??= canvas.getContext('2d', { willReadFrequently: true });
  return context;
}

function forgetCanvas() {
  canvas = null;
  context = null;
}

/** RGBA bytes (a canvas's) → RGB bytes. */
function rgbaToRgb(rgba) {
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  return rgb;
}

/** RGB bytes → opaque RGBA ImageData of a 224² image. */
function rgbToImageData(rgb) {
  const rgba = new Uint8ClampedArray(INPUT_SIZE * INPUT_SIZE * 4);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    rgba[i] = rgb[j];
    rgba[i + 1] = rgb[j + 1];
    rgba[i + 2] = rgb[j + 2];
    rgba[i + 3] = 255;
  }
  return new ImageData(rgba, INPUT_SIZE, INPUT_SIZE);
}

/**
 * Draws `source` (ImageBitmap, HTMLVideoElement, …) of size `width`×`height` into 224×224 and
 * returns its RGB bytes: its centre square, or with `letterbox` the whole image on black bars.
 * `mirror` flips horizontally (selfie view).
 */
export function toRgb224(source, width, height, { mirror = false, letterbox = false } = {}) {
  if (!width || !height) throw new Error('the image has no pixels');
  const context = canvas224();
  context.save();
  context.fillStyle = 'black';
  context.fillRect(0, 0, INPUT_SIZE, INPUT_SIZE);
  if (mirror) {
    context.translate(INPUT_SIZE, 0);
    context.scale(-1, 1);
  }
  context.imageSmoothingQuality = 'high';
  if (letterbox) {
    const scale = INPUT_SIZE / Math.max(width, height);
    const [w, h] = [width * scale, height * scale];
    context.drawImage(source, 0, 0, width, height, (INPUT_SIZE - w) / 2, (INPUT_SIZE - h) / 2, w, h);
  } else {
    const side = Math.min(width, height);
    context.drawImage(source, (width - side) / 2, (height - side) / 2, side, side, 0, 0, INPUT_SIZE, INPUT_SIZE);
  }
  context.restore();
  try {
    return rgbaToRgb(context.getImageData(0, 0, INPUT_SIZE, INPUT_SIZE).data);
  } catch (err) {
    forgetCanvas(); // a cross-origin image taints the canvas for good: the next image gets a fresh one
    throw err;
  }
}

/** Encodes 224×224 RGB bytes as a lossless PNG blob (how samples are saved). */
export async function rgbToPng(rgb) {
  const png = new OffscreenCanvas(INPUT_SIZE, INPUT_SIZE);
  png.getContext('2d').putImageData(rgbToImageData(rgb), 0, 0);
  return png.convertToBlob({ type: 'image/png' });
}

const THUMB = 56;

/** A small thumbnail (JPEG data URL) of 224×224 RGB bytes. */
export function rgbThumbnail(rgb) {
  canvas224().putImageData(rgbToImageData(rgb), 0, 0);
  const small = document.createElement('canvas');
  small.width = small.height = THUMB;
  small.getContext('2d').drawImage(canvas, 0, 0, THUMB, THUMB);
  return small.toDataURL('image/jpeg', 0.8);
}

/** A small thumbnail (JPEG data URL) of a saved PNG sample. */
export async function pngThumbnail(png) {
  const bitmap = await createImageBitmap(png, { resizeWidth: THUMB, resizeHeight: THUMB, resizeQuality: 'medium' });
  const small = document.createElement('canvas');
  small.width = small.height = THUMB;
  small.getContext('2d').drawImage(bitmap, 0, 0);
  bitmap.close();
  return small.toDataURL('image/jpeg', 0.8);
}
