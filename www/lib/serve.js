// The worker side of the request protocol (client.js is the calling side): request
// { id, type, args } (`args` always an array: the call's arguments) → reply { id, ok, result | error }. Requests run one at a time, in order
// (a wasm project is not re-entrant), except the `urgent` types, which jump the queue.

/**
 * Answers requests with `handlers[type](...args)`, or `fallback(type, args)` for other types; a
 * `Float32Array` result is transferred.
 */
export function serve(handlers, urgent = [], fallback = null) {
  async function handle({ id, type, args }) {
    try {
      const handler = handlers[type] ?? (fallback && ((...a) => fallback(type, a)));
      if (!handler) throw new Error(`unknown request ${type}`);
      const result = await handler(...args);
      postMessage({ id, ok: true, result }, result instanceof Float32Array ? [result.buffer] : []);
    } catch (err) {
      postMessage({ id, ok: false, error: err?.message ?? String(err) });
    }
  }
  let queue = Promise.resolve();
  self.onmessage = ({ data }) => {
    if (urgent.includes(data.type)) return handle(data);
    queue = queue.then(() => handle(data));
  };
}
