// Images, video frames and saved samples ↔ 224×224 RGBA bytes (centre-cropped or letterboxed).

export const INPUT_SIZE = 224;

const canvas = new OffscreenCanvas(INPUT_SIZE, INPUT_SIZE);
const context = canvas.getContext('2d', { willReadFrequently: true });

/**
 * Draws `source` (ImageBitmap, HTMLVideoElement, …) of size `width`×`height` into 224×224 and
 * returns its RGBA bytes: its centre square, or with `letterbox` the whole image on black bars.
 * `mirror` flips horizontally (selfie view).
 */
export function toRgba224(source, width, height, { mirror = false, letterbox = false } = {}) {
  if (!width || !height) throw new Error('the image has no pixels');
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
  return new Uint8Array(context.getImageData(0, 0, INPUT_SIZE, INPUT_SIZE).data.buffer);
}

/** Decodes an image file with the browser and returns its 224×224 RGBA bytes. */
export async function fileToRgba224(file, { letterbox = false } = {}) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(`${file.name} is not an image this browser can decode`);
  }
  try {
    return toRgba224(bitmap, bitmap.width, bitmap.height, { letterbox });
  } finally {
    bitmap.close();
  }
}

/** Encodes 224×224 RGBA bytes as a lossless PNG blob (how samples are saved). */
export async function rgbaToPng(rgba) {
  const png = new OffscreenCanvas(INPUT_SIZE, INPUT_SIZE);
  png.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba), INPUT_SIZE, INPUT_SIZE), 0, 0);
  return png.convertToBlob({ type: 'image/png' });
}

/** Decodes a saved 224×224 PNG sample back to its RGBA bytes, unchanged. */
export async function pngToRgba(blob) {
  const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  try {
    if (bitmap.width !== INPUT_SIZE || bitmap.height !== INPUT_SIZE) {
      throw new Error(`a saved sample is ${bitmap.width}×${bitmap.height}, not ${INPUT_SIZE}²`);
    }
    context.clearRect(0, 0, INPUT_SIZE, INPUT_SIZE);
    context.drawImage(bitmap, 0, 0);
    return new Uint8Array(context.getImageData(0, 0, INPUT_SIZE, INPUT_SIZE).data.buffer);
  } finally {
    bitmap.close();
  }
}
