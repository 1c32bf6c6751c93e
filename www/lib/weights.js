// Downloads the weights from the page's origin (or a URL the user set) with progress, checks
// them against the sha256 served beside them, and keeps them in the Cache API so the next
// visit starts without downloading.

const CACHE = 'burnish-weights-v1';

async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The expected sha256 from `<url>.sha256`, or null when the server has none. */
async function expectedSha256(url) {
  try {
    const response = await fetch(`${url}.sha256`, { cache: 'no-cache' });
    if (!response.ok) return null;
    const text = (await response.text()).trim().split(/\s+/)[0];
    return /^[0-9a-f]{64}$/.test(text) ? text : null;
  } catch {
    return null;
  }
}

/** Fetches `url` as bytes, calling `onProgress(loaded, total)` as chunks arrive. */
export async function fetchWithProgress(url, onProgress) {
  let response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new Error(`could not download the weights from ${url}: ${err.message} — check the weights URL, or leave it out to use the package's own`);
  }
  if (!response.ok) {
    throw new Error(`could not download the weights from ${url}: HTTP ${response.status} — check the weights URL, or leave it out to use the package's own`);
  }
  const total = Number(response.headers.get('content-length')) || 0;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress(bytes.length, bytes.length);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress(loaded, total);
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** Drops the cached weights, so the next start downloads them again. */
export async function forgetWeights() {
  if ('caches' in self) await caches.delete(CACHE);
}

/**
 * The weights at `url`: from the cache when they are there and still match the served sha256,
 * otherwise downloaded, checked and cached. Resolves to { bytes, cached, verified }.
 */
export async function loadWeights(url, onProgress) {
  const expected = await expectedSha256(url);
  const cache = 'caches' in self ? await caches.open(CACHE).catch(() => null) : null;
  const hit = await cache?.match(url);
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer());
    if (!expected || (await sha256Hex(bytes)) === expected) {
      onProgress(bytes.length, bytes.length);
      return { bytes, cached: true, verified: Boolean(expected) };
    }
    await cache.delete(url);
  }
  const bytes = await fetchWithProgress(url, onProgress);
  if (expected) {
    const actual = await sha256Hex(bytes);
    if (actual !== expected) {
      throw new Error(`the downloaded weights are corrupt (sha256 ${actual.slice(0, 12)}…, expected ${expected.slice(0, 12)}…): download them again`);
    }
  }
  await cache?.put(url, new Response(bytes)).catch(() => {});
  return { bytes, cached: false, verified: Boolean(expected) };
}

/** A loading step in words: the weights download or the restore of saved samples. */
export function progressText({ phase, loaded, total }) {
  if (phase === 'restore') return `Restoring your samples… ${loaded} of ${total}`;
  return `Downloading weights… ${(loaded / 1e6).toFixed(1)} MB${total ? ` of ${(total / 1e6).toFixed(1)} MB` : ''}`;
}
