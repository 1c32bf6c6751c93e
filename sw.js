// The offline service worker, of the trainer page and of every web app it exports (copied into
// them). Every same-origin GET is answered by the network when it can be and from this cache
// when it cannot, and the page hands over the URLs to keep on its first visit (www/lib/offline.js),
// so after one visit it starts with the network off. The weights are not stored
// twice: www/lib/weights.js keeps them (sha256-checked) in its own cache.

const CACHE = 'burnish-app-v1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

const sameOrigin = (url) => new URL(url, location.href).origin === location.origin;
// The base weights (under models/): www/lib/weights.js keeps them, checked, in a cache of its own.
const isWeights = (url) => /\/models\/[^/]+\.safetensors$/.test(new URL(url, location.href).pathname);

/** Caches `urls` (same-origin, weights excepted); replies on `port` when done. */
async function cacheAll(urls, port) {
  const cache = await caches.open(CACHE);
  const wanted = [...new Set(urls)].filter((u) => sameOrigin(u) && !isWeights(u));
  const results = await Promise.all(
    wanted.map(async (url) => {
      try {
        const response = await fetch(url, { cache: 'no-cache' });
        if (response.ok) await cache.put(url, response);
        return response.ok;
      } catch {
        return false;
      }
    }),
  );
  port.postMessage({ cached: results.filter(Boolean).length, of: wanted.length });
}

self.addEventListener('message', (event) => {
  if (event.data?.type === 'cache') event.waitUntil(cacheAll(event.data.urls, event.ports[0]));
});

async function networkThenCache(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(request, { ignoreVary: true, ignoreSearch: request.mode === 'navigate' });
    if (cached) return cached;
    throw err;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || !sameOrigin(request.url) || isWeights(request.url)) return;
  event.respondWith(networkThenCache(request));
});
