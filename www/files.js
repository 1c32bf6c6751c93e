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

/** Downloads the saved project as one bundle (zip); resolves to its size in bytes. */
export async function exportProject(model) {
  await model.saved();
  const bytes = await model.request('writeBundle', { project: await model.store.load() });
  download(bytes, 'burnish-project.zip', 'application/zip');
  return bytes.length;
}

/**
 * Validates the bundle `file` and, only when all of it is good, replaces the saved project with
 * it. Throws naming the problem otherwise (nothing saved is touched).
 */
export async function importProject(file, model) {
  await model.saved();
  const bytes = new Uint8Array(await file.arrayBuffer());
  const bundle = await model.request('readBundle', { bytes });
  if (bundle.model) {
    const meta = await model.request('checkModel', { bytes: bundle.model });
    if (meta.class_names.length !== bundle.classNames.length) {
      throw new Error(`bad project bundle: the model knows ${meta.class_names.length} classes, the project has ${bundle.classNames.length}`);
    }
  }
  await model.store.replace(bundle);
  return bundle;
}

/** Wires the Project section's buttons (#export-project, #import-project; #download-model opens `exportDialog`). */
export function wireProjectFiles(model, { status, error, exportDialog }) {
  const $ = (id) => document.getElementById(id);
  $('export-project').addEventListener('click', () =>
    exportProject(model).then((bytes) => status(`Project exported (${(bytes / 1e6).toFixed(1)} MB).`), (err) => error(err.message)),
  );
  $('import-project').addEventListener('change', async () => {
    const file = $('import-project').files?.[0];
    $('import-project').value = '';
    if (!file) return;
    $('error').hidden = true;
    try {
      await importProject(file, model);
      location.reload();
    } catch (err) {
      error(`${file.name} was not imported: ${err.message}. Your project is unchanged.`);
    }
  });
  $('download-model').addEventListener('click', () => exportDialog.open());
}
