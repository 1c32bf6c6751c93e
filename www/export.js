// The Export dialog: a tab per format (Teachable Machine / TF.js, ONNX, safetensors, and the
// standalone web app), Download (a zip where a format has several files) and code to copy for each.

import { download } from './files.js';
import { onnxPythonSnippet, onnxWebSnippet, safetensorsSnippet, tmSnippet } from './snippets.js';

/** What each tab offers. */
const FORMATS = {
  tfjs: {
    what: 'Teachable Machine’s files (model.json, weights.bin, metadata.json) in a zip: load them with @teachablemachine/image, TensorFlow.js or ml5, in p5.js, Scratch or Node-RED.',
    snippets: (m) => [['A web page with @teachablemachine/image', tmSnippet(m)]],
  },
  onnx: {
    what: 'One model.onnx: the whole classifier, image in, probabilities and the “none of these” similarity out. Runs in ONNX Runtime (Python, C#, C++, Java, the web) and most inference engines.',
    snippets: (m) => [
      ['A web page with onnxruntime-web', onnxWebSnippet(m)],
      ['Python with onnxruntime', onnxPythonSnippet(m)],
    ],
  },
  safetensors: {
    what: 'burnish’s own model.safetensors: import it into burnish again, or read the head and references from Python.',
    snippets: (m) => [['Python with safetensors', safetensorsSnippet(m)]],
  },
  app: {
    what: 'A web app in one zip: unpack it on any static host (a USB stick served locally, GitHub Pages…) and open it on a phone. It shows what each class does (set in the class cards), works offline after its first visit and shows a QR code of its address to pass it on. No server of ours: nothing leaves the device.',
    snippets: () => [['Serve the unpacked folder on your network', appServeSnippet]],
  },
};

const appServeSnippet = `# unpack, serve, then open http://<this computer's address>:8000 on the phone
python3 -m zipfile -e app.zip my-app
cd my-app && python3 -m http.server 8000`;

export class ExportDialog {
  /** `dialog`: the <dialog>; `model`: the Trainer (the library's); `error(text)`. */
  constructor(dialog, model, error) {
    Object.assign(this, { dialog, model, error });
    this.tabs = [...dialog.querySelectorAll('[role="tab"]')];
    for (const tab of this.tabs) {
      tab.addEventListener('click', () => this.select(tab.dataset.format));
      tab.addEventListener('keydown', (event) => this.arrow(event, tab));
    }
    dialog.querySelector('.export-download').addEventListener('click', () => this.download());
    dialog.querySelector('.export-close').addEventListener('click', () => dialog.close());
    this.status = dialog.querySelector('.export-status');
  }

  /** Opens on the last format shown, with the model's labels and "none of these" threshold at the page's strictness. */
  async open() {
    try {
      this.noneBelow = await this.model.noneOfTheseBelow();
    } catch (err) {
      this.error(err.message);
      return;
    }
    this.select(this.format ?? 'tfjs');
    this.dialog.showModal();
  }

  /** Left/Right/Home/End move between tabs (one Tab stop for the tab list). */
  arrow(event, tab) {
    const at = this.tabs.indexOf(tab);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: this.tabs.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const next = this.tabs[(to + this.tabs.length) % this.tabs.length];
    this.select(next.dataset.format);
    next.focus();
  }

  select(format) {
    this.format = format;
    this.dialog.querySelector('.export-app-fields').hidden = format !== 'app';
    for (const tab of this.tabs) {
      const on = tab.dataset.format === format;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
    }
    const meta = this.model.model;
    const labels = meta?.class_names ?? [];
    const noneBelow = Number(this.noneBelow.toPrecision(6));
    const panel = this.dialog.querySelector('[role="tabpanel"]');
    panel.setAttribute('aria-labelledby', `export-tab-${format}`);
    panel.querySelector('.export-what').textContent = FORMATS[format].what;
    const snippets = FORMATS[format].snippets({ labels, noneBelow });
    panel.querySelector('.export-snippets').replaceChildren(...snippets.map(([title, code]) => this.snippet(title, code)));
    this.status.textContent = '';
  }

  snippet(title, code) {
    const figure = document.createElement('figure');
    const caption = Object.assign(document.createElement('figcaption'), { textContent: title });
    const copy = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Copy' });
    copy.setAttribute('aria-label', `Copy: ${title}`);
    copy.addEventListener('click', async () => {
      await navigator.clipboard.writeText(code).then(
        () => { this.status.textContent = `Copied: ${title}.`; },
        () => { this.status.textContent = 'Copying was refused: select the code and copy it.'; },
      );
    });
    caption.append(' ', copy);
    const pre = document.createElement('pre');
    pre.tabIndex = 0; // scrollable by keyboard
    pre.append(Object.assign(document.createElement('code'), { textContent: code }));
    figure.append(caption, pre);
    return figure;
  }

  async download() {
    const button = this.dialog.querySelector('.export-download');
    button.disabled = true;
    this.status.textContent = this.format === 'app' ? 'Writing the web app…' : 'Writing the model…';
    try {
      const title = this.dialog.querySelector('.export-title').value.trim() || null;
      const file = this.format === 'app' ? await this.model.exportApp({ title }) : await this.model.exportModel(this.format);
      const { name, ms } = file;
      download(file, name, name.endsWith('.zip') ? 'application/zip' : 'application/octet-stream');
      const took = ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
      this.status.textContent = `${name}: ${(file.size / 1e6).toFixed(1)} MB, written in ${took}.`;
      this.dialog.dataset.exportMs = String(ms);
    } catch (err) {
      this.status.textContent = `The model was not exported: ${err.message}`;
    } finally {
      button.disabled = false;
    }
  }
}
