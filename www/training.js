// The training panel: a form of every setting (built from the core's schema, advanced ones
// folded), Train and Stop, progress, and live loss/accuracy charts.

import { TrainingCharts } from './charts.js';

/** A form field for one setting of the core's schema. */
function field(setting) {
  const label = document.createElement('label');
  label.title = setting.help;
  let input;
  if (setting.kind === 'select') {
    input = document.createElement('select');
    // Each choice's value as the core takes it ("auto", 1, "mlp"), kept as JSON in the option.
    for (const [value, text] of setting.options) input.append(Object.assign(document.createElement('option'), { value: JSON.stringify(value), textContent: text }));
  } else {
    input = document.createElement('input');
    input.type = setting.kind;
    if (setting.kind === 'number') Object.assign(input, { min: setting.min, max: setting.max, step: setting.step });
  }
  input.name = setting.name;
  if (setting.kind === 'checkbox') label.append(input, ` ${setting.label}`);
  else label.append(`${setting.label} `, input);
  return label;
}

/** What to tell a person about their classes before training: too few, or unbalanced. */
function advice(names, counts) {
  const empty = names.filter((_, i) => counts[i] === 0);
  if (empty.length) return `Add images to ${empty.join(', ')} to train.`;
  const few = names.filter((_, i) => counts[i] < 10);
  if (few.length) return `${few.join(', ')}: fewer than 10 images; predictions will be shaky.`;
  if (Math.max(...counts) > 3 * Math.min(...counts)) return 'Classes are unbalanced (one has over 3× the images of another): the larger one will be favoured.';
  return '';
}

/** Which weights a run that fine-tuned layers kept, in words ('' when none were fine-tuned). */
function kept(last) {
  if (last.stage !== 'blocks') return '';
  return last.kept === 'blocks'
    ? ' Kept the fine-tuned last layers: they did better on the held-out images.'
    : ' Kept the head alone: fine-tuning the last layers did not do better on the held-out images.';
}

export class TrainingPanel {
  /** `ui`: { form, trainButton, stopButton, status, warning, progress, charts }; `error(text)` reports. */
  constructor(ui, model, error) {
    Object.assign(this, { ui, model, error });
    this.charts = new TrainingCharts(ui.charts);
    ui.charts.hidden = true; // empty charts until a run starts
    ui.form.addEventListener('change', () => this.model.setSettings(this.read()).catch((err) => error(err.message)));
    ui.form.addEventListener('submit', (event) => event.preventDefault());
    ui.trainButton.addEventListener('click', () => this.train());
    ui.stopButton.addEventListener('click', () => {
      ui.status.textContent = 'Stopping…';
      model.stop().catch((err) => error(err.message));
    });
    model.addEventListener('change', ({ detail }) => {
      if (detail.what === 'progress') return this.showEmbedding(detail);
      if (detail.what === 'epoch') return this.showEpoch(detail.metrics);
      // Progress and epochs change nothing update() shows: an epoch costs the page only its line
      // and the charts' point (a busy machine stretched the rest past 50 ms once).
      this.update();
    });
  }

  /** Builds the form from the schema (once the model is open) and fills it. */
  build() {
    const advanced = document.createElement('details');
    advanced.append(Object.assign(document.createElement('summary'), { textContent: 'Advanced settings' }));
    const grid = document.createElement('div');
    grid.className = 'grid';
    advanced.append(grid);
    const basic = this.model.schema.filter((s) => !s.advanced).map(field);
    grid.append(...this.model.schema.filter((s) => s.advanced).map(field));
    this.ui.form.replaceChildren(...basic, advanced);
    this.fill(this.model.settings);
    this.update();
  }

  fill(settings) {
    for (const setting of this.model.schema) {
      const input = this.ui.form.elements.namedItem(setting.name);
      const value = settings[setting.name];
      if (setting.kind === 'checkbox') input.checked = Boolean(value);
      else if (setting.kind === 'select') input.value = JSON.stringify(value);
      else if (value == null && setting.zero_is_off) input.value = '0';
      // Settings stored as f32 come back as 0.10000000149011612: show the 7 digits f32 holds.
      else input.value = typeof value === 'number' && !Number.isInteger(value) ? String(Number(value.toPrecision(7))) : String(value);
    }
  }

  /** The whole TrainConfig the form shows, each value typed as the core takes it. */
  read() {
    const settings = {};
    for (const setting of this.model.schema) {
      const input = this.ui.form.elements.namedItem(setting.name);
      const read = { checkbox: () => input.checked, select: () => JSON.parse(input.value), number: () => Number(input.value) };
      let value = read[setting.kind]();
      if (setting.zero_is_off && value === 0) value = null;
      settings[setting.name] = value;
    }
    return settings;
  }

  update() {
    const { model, ui } = this;
    const counts = model.counts();
    const open = model.state !== 'loading' && model.state !== 'error';
    const training = model.state === 'training';
    // Train and Stop take turns: the focus on the one being disabled moves to the other (a
    // disabled button would drop it, and a keyboard user would start again from the top).
    const focused = [ui.trainButton, ui.stopButton].find((b) => b === document.activeElement);
    ui.trainButton.disabled = !open || training || counts.length < 2 || counts.some((n) => n === 0);
    ui.warning.textContent = open ? advice(model.names(), counts) : '';
    ui.stopButton.disabled = !training;
    for (const input of ui.form.elements) input.disabled = training;
    if (focused?.disabled) (training ? ui.stopButton : ui.trainButton).focus();
  }

  showEmbedding({ done, total }) {
    this.ui.progress.max = Math.max(total, 1);
    this.ui.progress.value = done;
    const what = this.model.settings.augment ? 'images and augmented views' : 'images';
    this.ui.status.textContent = `Embedding ${what}… ${done} of ${total}`;
  }

  showEpoch(m) {
    this.charts.push(m);
    this.ui.progress.max = m.planned_epochs;
    this.ui.progress.value = m.epoch;
    const val = m.val_accuracy == null ? '' : `, validation accuracy ${(m.val_accuracy * 100).toFixed(0)}%`;
    const stage = m.stage === 'blocks' ? 'fine-tuning the last layers' : 'training the head';
    this.ui.status.textContent = `Epoch ${m.epoch} of up to ${m.planned_epochs} (${stage}): loss ${m.train_loss.toFixed(3)}${val}`;
  }

  async train() {
    this.ui.charts.hidden = false; // first, so that the charts take the panel's width
    this.charts.reset();
    this.ui.progress.hidden = false;
    try {
      // The form as shown, including a value typed but not yet committed by leaving its field.
      await this.model.setSettings(this.read());
      const last = await this.model.train();
      const how = last.cancelled ? 'stopped' : last.stopped_early ? 'stopped early (no better validation loss)' : 'finished';
      this.ui.status.textContent = `Training ${how} after ${last.epoch} epochs.${kept(last)}`;
    } catch (err) {
      this.error(err.message);
      this.ui.status.textContent = 'Training failed.';
    } finally {
      this.ui.progress.hidden = true;
    }
  }
}
