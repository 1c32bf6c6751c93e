// Downloads the weights from the page's origin (or a URL the user set), reporting progress.

/** Fetches `url` as bytes, calling `onProgress(loaded, total)` as chunks arrive. */
export async function fetchWithProgress(url, onProgress) {
  let response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new Error(`could not download the weights from ${url}: ${err.message}`);
  }
  if (!response.ok) {
    throw new Error(`could not download the weights from ${url}: HTTP ${response.status}`);
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
