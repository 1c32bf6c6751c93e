// Registers the offline service worker (/sw.js) and hands it every URL this visit loaded — the
// page's and the model worker's — so the next start works without a network.

/** Resolves to { cached, of } once the service worker holds the app, or null without one. */
export async function enableOffline(workerResourceUrls) {
  if (!('serviceWorker' in navigator)) return null;
  await navigator.serviceWorker.register(new URL('../sw.js', import.meta.url), { type: 'classic' });
  const registration = await navigator.serviceWorker.ready;
  const urls = [
    location.href,
    new URL('../', import.meta.url).href,
    ...performance.getEntriesByType('resource').map((e) => e.name),
    ...workerResourceUrls,
  ];
  const channel = new MessageChannel();
  const done = new Promise((resolve) => (channel.port1.onmessage = ({ data }) => resolve(data)));
  registration.active.postMessage({ type: 'cache', urls }, [channel.port2]);
  return done;
}
