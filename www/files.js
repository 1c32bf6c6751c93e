// Whole projects and trained models as files: export downloads them; an imported bundle is
// validated completely (by the wasm reader, and its model against the loaded base) before the
// saved project is replaced, so a bad file changes nothing.

/** Offers `bytes` as a download named `name`. */
export function download(bytes, name, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Downloads the saved project as one bundle (zip). */
export async function exportProject(store, request) {
  const bytes = await request('writeBundle', { project: await store.load() });
  download(bytes, 'burnish-project.zip', 'application/zip');
  return bytes.length;
}

/**
 * Validates the bundle `file` and, only when all of it is good, replaces the saved project with
 * it. Throws naming the problem otherwise (nothing saved is touched).
 */
export async function importProject(file, store, request) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const bundle = await request('readBundle', { bytes });
  if (bundle.model) {
    const names = await request('checkModel', { bytes: bundle.model });
    if (names.length !== bundle.classNames.length) {
      throw new Error(`bad project bundle: the model knows ${names.length} classes, the project has ${bundle.classNames.length}`);
    }
  }
  await store.replace(bundle);
  return bundle;
}

/** Downloads the trained model (.safetensors) and its labels/preprocessing (.json). */
export async function downloadModel(request) {
  const bytes = await request('exportModel');
  const info = await request('modelInfo');
  download(bytes, 'burnish-model.safetensors', 'application/octet-stream');
  download(new TextEncoder().encode(info), 'burnish-model.json', 'application/json');
}
