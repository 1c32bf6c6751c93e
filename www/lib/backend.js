// Backend choice: WebGPU on a hardware adapter, Flex (CPU, wasm) otherwise.
// Software adapters (SwiftShader, llvmpipe, WARP) are much slower than Flex (one Adam step of a
// small conv net, batch 16, headless Chromium: Flex-wasm ~20 ms, SwiftShader ~900 ms), so they
// count as "no GPU".

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software|warp|basic render/i;

/** Describes the WebGPU adapter, or why there is none: { adapter: bool, hardware: bool, text }. */
export async function probeWebGpu() {
  if (!('gpu' in navigator) || !navigator.gpu) {
    return { adapter: false, hardware: false, text: 'this browser has no WebGPU' };
  }
  let adapter;
  try {
    adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    return { adapter: false, hardware: false, text: `WebGPU adapter request failed: ${err.message}` };
  }
  if (!adapter) return { adapter: false, hardware: false, text: 'no WebGPU adapter' };
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  const software = info.isFallbackAdapter === true || SOFTWARE.test(name);
  return {
    adapter: true,
    hardware: !software,
    text: software ? `software WebGPU adapter (${name || 'fallback'})` : `GPU: ${name || 'WebGPU adapter'}`,
  };
}

/**
 * Picks "webgpu" or "flex". `requested` is "auto", "webgpu" or "flex" (the user's override).
 * Returns { backend, reason }.
 */
export async function chooseBackend(requested = 'auto') {
  // No probe for Flex: after a GPU crash requestAdapter() can wait a long time.
  if (requested === 'flex') return { backend: 'flex', reason: 'CPU (Flex) chosen by you' };
  const probe = await probeWebGpu();
  if (requested === 'webgpu') {
    return probe.adapter
      ? { backend: 'webgpu', reason: `WebGPU chosen by you — ${probe.text}` }
      : { backend: 'flex', reason: `WebGPU requested but unavailable (${probe.text}); using CPU (Flex)` };
  }
  return probe.hardware
    ? { backend: 'webgpu', reason: `WebGPU — ${probe.text}` }
    : { backend: 'flex', reason: `CPU (Flex) — ${probe.text}` };
}
