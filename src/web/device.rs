//! Which burn device a backend name means, and the wasm module's one-time start-up.

use burn::prelude::*;
use wasm_bindgen::prelude::*;

unsafe extern "C" {
    /// The static constructors (`inventory` registrations of burn/cubecl), synthesised by wasm-ld.
    fn __wasm_call_ctors();
}

/// Runs the static constructors, once. Without an explicit call, wasm-ld treats the module as a
/// "command" and reruns every constructor at the start of *every* export, wasm-bindgen's glue
/// included: 12% of a single-frame prediction, ~12 ms (measured with bench/profile.js).
pub(super) fn run_constructors() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: the linker's constructors; `Once` keeps them to one run per instance.
    ONCE.call_once(|| unsafe { __wasm_call_ctors() });
}

#[cfg(feature = "wgpu")]
thread_local! {
    /// The WebGPU device, once initialised: burn's wgpu runtime can be initialised only once.
    static WEBGPU: std::cell::RefCell<Option<Device>> = const { std::cell::RefCell::new(None) };
}

/// The burn device for a backend name: `"webgpu"` (burn-wgpu on the browser's WebGPU adapter,
/// initialised asynchronously once and then reused; only with the `wgpu` feature) or `"flex"`
/// (burn's CPU backend in wasm).
pub async fn device_for(backend: &str) -> Result<Device, JsError> {
    run_constructors(); // also where `start` does not run (wasm-bindgen-test)
    match backend {
        #[cfg(feature = "wgpu")]
        "webgpu" => {
            if let Some(device) = WEBGPU.with_borrow(Clone::clone) {
                return Ok(device);
            }
            let device = Device::wgpu_options()
                .init_async()
                .await
                .map_err(|e| JsError::new(&format!("WebGPU initialisation failed: {e:?}")))?;
            WEBGPU.set(Some(device.clone()));
            Ok(device)
        }
        #[cfg(not(feature = "wgpu"))]
        "webgpu" => Err(JsError::new(
            "this build runs on the CPU only (built without the `wgpu` feature)",
        )),
        "flex" => Ok(Device::flex()),
        other => Err(JsError::new(&format!(
            "unknown backend `{other}` (expected \"webgpu\" or \"flex\")"
        ))),
    }
}
