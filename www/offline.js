// Keeps the trainer page offline: every URL this visit loaded — the page's and the model
// worker's — goes to the service worker (/sw.js), so the next start works without a network.

import { keepOffline } from './lib/burnish.js';

/** Resolves to { cached, of } once the service worker holds the app, or null without one. */
export function enableOffline(workerResourceUrls) {
  return keepOffline(new URL('../sw.js', import.meta.url), [
    location.href,
    new URL('../', import.meta.url).href,
    ...performance.getEntriesByType('resource').map((e) => e.name),
    ...workerResourceUrls,
  ]);
}
