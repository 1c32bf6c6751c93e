// "Where it looked": the Grad-CAM map of a class (computed in the worker, src/train/explain.rs)
// laid over the 224² picture the model saw, with a sentence saying where the evidence is.

export class ExplainView {
  /** `ui`: { toggle, view, canvas, caption }; `model`: the Trainer (the library's). */
  constructor(ui, model) {
    Object.assign(this, { ui, model });
    ui.toggle.addEventListener('change', () => (ui.toggle.checked ? this.last && this.show(this.last.rgb) : this.hide()));
    model.addEventListener('change', ({ detail }) => {
      if (detail.what !== 'state') return;
      ui.toggle.disabled = !model.model;
      if (!model.model) this.hide();
    });
  }

  hide() {
    this.ui.view.hidden = true;
    delete this.ui.view.dataset.class;
  }

  /**
   * Shows where the model found the evidence for class `label` (the predicted one when absent)
   * in `rgb`, when "Show where it looked" is on (turning it on when a class is asked for);
   * `noneOfThese`: the answer was "none of these" (the map shows what came closest).
   */
  async show(rgb, label = null, noneOfThese = false) {
    this.last = { rgb, label };
    if (label !== null) this.ui.toggle.checked = true;
    if (!this.ui.toggle.checked || !this.model.model) return;
    const map = await this.model.explain(rgb, label);
    if (this.last.rgb !== rgb) return; // a newer picture is on its way
    // The picture and the map blended by the core, as `burnish predict --explain` writes them.
    this.ui.canvas.getContext('2d').putImageData(map.picture, 0, 0);
    const name = this.model.model.class_names[map.class];
    const anything = map.heat.some((h) => h > 0);
    const where = `mostly the ${map.region} of the picture`;
    this.ui.caption.textContent = !anything
      ? `Nothing in this picture speaks for “${name}”.`
      : noneOfThese && label === null
        ? `Not one of your classes; what came closest to “${name}”: ${where}.`
        : `Where it looked for “${name}”: ${where}.`;
    this.ui.canvas.setAttribute('aria-label', `The picture with the evidence for “${name}” highlighted`);
    Object.assign(this.ui.view.dataset, { class: name, region: map.region });
    this.ui.view.hidden = false;
  }
}
