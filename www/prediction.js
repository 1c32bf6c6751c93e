// The prediction panel: a picked image or the live webcam, one bar per class in the class's
// colour plus a "none of these" row (trained model), or ImageNet's top 5 (before training);
// and the "none of these" strictness slider.

import { toRgb } from './lib/burnish.js';
import { classColour } from './classes.js';

/** A row: the class name (a button showing where the model looked for it, when `explain` is given), its bar and percent. */
function bar(label, prob, colour, explain = null) {
  const item = document.createElement('li');
  const name = explain
    ? Object.assign(document.createElement('button'), { type: 'button', className: 'label link', textContent: label, title: `Show where it looked for “${label}”` })
    : Object.assign(document.createElement('span'), { className: 'label', textContent: label });
  if (explain) name.addEventListener('click', explain);
  const meter = Object.assign(document.createElement('meter'), { min: 0, max: 1, value: prob });
  meter.setAttribute('aria-label', label); // the bar's name: its class (the row's text is its value)
  if (colour) item.style.setProperty('--bar', colour);
  const pct = Object.assign(document.createElement('span'), { className: 'pct', textContent: `${(prob * 100).toFixed(1)}%` });
  item.append(name, meter, pct);
  return item;
}

/** The "none of these" row: a yes / no verdict, not a probability (it is a similarity test). */
function noneRow(noneOfThese, similarity, threshold) {
  const item = document.createElement('li');
  item.className = 'none-row';
  item.title = `likeness to your nearest class (what ImageNet takes it for, and how it looks): ${similarity.toFixed(2)}; below ${threshold.toFixed(2)} is “none of these”`;
  const name = Object.assign(document.createElement('span'), { className: 'label', textContent: 'none of these' });
  const verdict = Object.assign(document.createElement('span'), { className: 'verdict', textContent: noneOfThese ? 'yes' : 'no' });
  item.append(name, verdict);
  return item;
}

/**
 * Distinct photos a class under which "none of these" is calibrated on so few scores that it
 * also catches new photos of the taught classes (measured: 0.81–0.92 kept with 3–12 a class,
 * docs/quality.md "With few photos a class").
 */
const FEW_PHOTOS = 15;

export class PredictionPanel {
  /**
   * `ui`: { fileInput, live, strictness, strictnessValue, fewPhotos, preview, top, timing, bars };
   * `camera`: the Camera; `letterbox()` → bool; `explain`: the ExplainView; `error(text)`;
   * `preview`: the BehaviourView showing what the web app would do for the answer.
   */
  constructor(ui, model, { camera, letterbox, explain, error, preview }) {
    Object.assign(this, { ui, model, camera, explain, error, preview });
    ui.fileInput.addEventListener('change', async () => {
      const file = ui.fileInput.files?.[0];
      if (!file) return;
      ui.fileInput.value = ''; // picking the same file again answers again
      ui.preview.src = URL.createObjectURL(file);
      ui.preview.hidden = false;
      try {
        await this.predict(await toRgb(file, { letterbox: letterbox() }));
        ui.top.dataset.source = file.name; // which picture the answer is about
      } catch (err) {
        error(err.message);
      }
    });
    ui.live.addEventListener('change', () => this.liveLoop());
    ui.strictness.addEventListener('input', () => this.showStrictness(Number(ui.strictness.value)));
    ui.strictness.addEventListener('change', async () => {
      await model.setStrictness(Number(ui.strictness.value)).catch((err) => error(err.message));
      if (this.last) this.predict(this.last);
    });
    model.addEventListener('change', ({ detail }) => {
      if (detail.what === 'behaviour' && this.answer) this.showBehaviour(this.answer);
      if (detail.what !== 'state') return;
      this.update();
      // A new model (trained, imported) or none: the picture on show is answered again by it.
      const settled = model.state === 'trained' || model.state === 'ready';
      if (settled && this.last && this.answeredBy !== model.model) this.predict(this.last).catch((err) => error(err.message));
    });
  }

  update() {
    const { model, ui } = this;
    ui.fileInput.disabled = model.state === 'loading' || model.state === 'error';
    ui.strictness.disabled = !model.model;
    const perClass = model.model ? Math.round(model.model.novelty.references / model.model.class_names.length) : Infinity;
    ui.fewPhotos.hidden = perClass >= FEW_PHOTOS;
    if (!ui.fewPhotos.hidden) {
      ui.fewPhotos.textContent = `Taught from few distinct photos (about ${perClass} a class): “none of these” may also catch new photos of your classes. More varied photos help, or move the slider towards looser.`;
    }
    if (model.strictness == null) return; // not opened (loading, or the model failed to load)
    ui.strictness.value = model.strictness;
    this.showStrictness(model.strictness);
  }

  showStrictness(percent) {
    this.ui.strictnessValue.textContent = `“none of these” for about ${percent}% of held-out images of your classes`;
    this.ui.strictness.setAttribute('aria-valuetext', `${percent}%`);
  }

  /** Classifies 224² RGB pixels with the trained model, or with ImageNet before training. */
  async predict(rgb) {
    this.last = rgb;
    this.answeredBy = this.model.model;
    if (!this.model.model) {
      const top = await this.model.predictImagenet(rgb);
      if (this.last === rgb) this.showImagenet(top); // else a newer picture is on its way
      return;
    }
    const answer = await this.model.classify(rgb);
    if (this.last !== rgb) return; // a newer picture is on its way
    this.showClasses(answer);
    this.showBehaviour(answer);
    await this.explain.show(rgb, null, answer.none_of_these);
  }

  /** What the web app would do for `answer` (the winning class's behaviour, or "none of these"'s). */
  showBehaviour(answer) {
    this.answer = answer;
    const names = this.model.model.class_names;
    const { classes, none_of_these: none } = this.model.behaviours(names);
    this.preview.root.hidden = false;
    if (answer.none_of_these) this.preview.show('None of these', none);
    else this.preview.show(names[answer.best], classes[answer.best]);
  }

  showImagenet({ top, ms }) {
    this.preview.root.hidden = true;
    this.answer = null;
    this.ui.bars.replaceChildren(...top.map(({ label, prob }) => bar(label, prob)));
    this.ui.top.textContent = top[0]?.label ?? '';
    this.ui.timing.textContent = `${ms.toFixed(0)} ms · ImageNet`;
  }

  showClasses({ probs, best, similarity, threshold, none_of_these, ms }) {
    const names = this.model.model.class_names;
    const rgb = this.last;
    const explain = (i) => () => this.explain.show(rgb, i).catch((err) => this.error(err.message));
    const rows = probs.map((p, i) => bar(names[i] ?? `class ${i}`, p, classColour(i), explain(i)));
    this.ui.bars.replaceChildren(...rows, noneRow(none_of_these, similarity, threshold));
    this.ui.top.textContent = none_of_these ? 'none of these' : (names[best] ?? `class ${best}`);
    this.ui.top.dataset.similarity = similarity; // the exact likeness, for comparisons (tests, tools)
    this.ui.timing.textContent = `${ms.toFixed(0)} ms`;
  }

  /** Predicts webcam frames while "Live" is on and the camera runs (not while training). */
  async liveLoop() {
    if (this.looping) return;
    this.looping = true;
    try {
      while (this.ui.live.checked && this.camera.running) {
        const rgb = this.camera.grabFrame();
        if (rgb && this.model.state !== 'training') {
          await this.predict(rgb).catch((err) => this.error(err.message));
        }
        await new Promise((r) => setTimeout(r, 1000 / this.camera.fps()));
      }
    } finally {
      this.looping = false;
    }
  }
}
