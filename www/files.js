// Whole projects and trained models as files: export downloads them; an imported bundle is
// validated completely (Trainer.importBundle) before the saved project is replaced, so a bad
// file changes nothing.

/** Offers `bytes` as a download named `name`. */
export function download(bytes, name, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Downloads the project as one bundle (zip); resolves to its size in bytes. */
export async function exportProject(model) {
  const bundle = await model.save();
  download(bundle, 'burnish-project.zip', 'application/zip');
  return bundle.size;
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
      await model.importBundle(new Uint8Array(await file.arrayBuffer()));
      location.reload();
    } catch (err) {
      error(`${file.name} was not imported: ${err.message}. Your project is unchanged.`);
    }
  });
  $('download-model').addEventListener('click', () => exportDialog.open());
}
