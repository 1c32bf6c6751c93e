// Offline use: registers a service worker (the repository's sw.js: network first, its cache
// when offline) and hands it the URLs to keep, so the next start works without a network.

/** Registers `serviceWorkerUrl` and has it cache `urls`; resolves to { cached, of } once it holds them, or null without service workers. */
export async function keepOffline(serviceWorkerUrl, urls) {
  if (!('serviceWorker' in navigator)) return null;
  await navigator.serviceWorker.register(serviceWorkerUrl, { type: 'classic' });
  const registration = await navigator.serviceWorker.ready;
  const channel = new MessageChannel();
  const done = new Promise((resolve) => (channel.port1.onmessage = ({ data }) => resolve(data)));
  registration.active.postMessage({ type: 'cache', urls }, [channel.port2]);
  return done;
}
