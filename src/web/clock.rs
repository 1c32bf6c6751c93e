//! The browser's monotonic clock, for the timings the page shows.

use wasm_bindgen::JsCast;

/// Milliseconds from the page's (or worker's) `performance.now()`; 0 where there is none.
pub fn now_ms() -> f64 {
    // Windows and workers both have `performance`; the cast reads it by name on either.
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    scope.performance().map_or(0.0, |p| p.now())
}
