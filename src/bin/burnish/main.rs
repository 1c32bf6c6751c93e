//! `burnish`: the native CLI over the same core the browser runs.

#[cfg(not(target_arch = "wasm32"))]
mod behave;
#[cfg(not(target_arch = "wasm32"))]
mod check;
#[cfg(not(target_arch = "wasm32"))]
mod cli;
#[cfg(not(target_arch = "wasm32"))]
mod convert;
#[cfg(not(target_arch = "wasm32"))]
mod export;
#[cfg(not(target_arch = "wasm32"))]
mod export_app;
#[cfg(not(target_arch = "wasm32"))]
mod export_model;
#[cfg(not(target_arch = "wasm32"))]
mod held_out;
#[cfg(not(target_arch = "wasm32"))]
mod image_folder;
#[cfg(not(target_arch = "wasm32"))]
mod predict;
#[cfg(not(target_arch = "wasm32"))]
mod setting_flags;
#[cfg(not(target_arch = "wasm32"))]
mod train;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

/// The CLI is native only; `wasm-pack test` builds every target for wasm32, hence this stub.
#[cfg(target_arch = "wasm32")]
fn main() {}
