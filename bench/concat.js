// Typed arrays end to end: how batches of images and rows of embeddings are put together.

/** One typed array (of the first one's type) holding `arrays` one after another. */
export function concat(arrays) {
  const out = new arrays[0].constructor(arrays.reduce((n, a) => n + a.length, 0));
  arrays.reduce((offset, a) => (out.set(a, offset), offset + a.length), 0);
  return out;
}
