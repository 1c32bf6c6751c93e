// Live loss and accuracy charts (uPlot), train and validation, in the page's colours (light or
// dark: redrawn when the colour scheme changes) and as wide as their panel allows.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const WIDTH = { min: 200, max: 420 };

/** The page's colours for the charts (canvas text cannot use CSS variables). */
function palette(container) {
  const style = getComputedStyle(container);
  const colour = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: colour('--text', '#1f2328'),
    grid: colour('--border', '#d0d7de'),
    train: colour('--chart-train', '#1d4ed8'),
    validation: colour('--chart-validation', '#c2410c'),
  };
}

const widthOf = (container) => Math.max(WIDTH.min, Math.min(container.clientWidth || 360, WIDTH.max));

function chart(container, title, label) {
  const colours = palette(container);
  const axis = { stroke: colours.text, grid: { stroke: colours.grid, width: 1 }, ticks: { stroke: colours.grid, width: 1 } };
  return new uPlot(
    {
      title,
      width: widthOf(container),
      height: 180,
      scales: { x: { time: false } },
      // The legend names the series; the values are in the status line above.
      legend: { live: false },
      axes: [{ ...axis, label: 'epoch' }, axis],
      series: [
        { label: 'epoch' },
        { label: `train ${label}`, stroke: colours.train, width: 2 },
        { label: `validation ${label}`, stroke: colours.validation, width: 2, dash: [6, 4] },
      ],
    },
    [[], [], []],
    container,
  );
}

/** Two charts (loss, accuracy) fed one epoch at a time. */
export class TrainingCharts {
  constructor(container) {
    this.container = container;
    this.reset();
    // The panel's width follows the window (and the phone's rotation). Only a new width
    // redraws: a height change (the status line wrapping during training) costs nothing.
    let width = widthOf(container);
    new ResizeObserver(() => {
      if (!container.clientWidth || widthOf(container) === width) return; // hidden, or same width
      width = widthOf(container);
      for (const c of [this.loss, this.accuracy]) c.setSize({ width, height: 180 });
    }).observe(container);
    // Light ↔ dark: the charts are drawn again in the new colours, with their data.
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.draw());
  }

  /** Empties both charts (keeping them: a new run does not pay for building them again). */
  reset() {
    this.data = { epoch: [], trainLoss: [], valLoss: [], trainAcc: [], valAcc: [] };
    if (this.loss) this.update();
    else this.draw();
  }

  /** (Re)creates both charts from the data so far. */
  draw() {
    this.loss?.destroy();
    this.accuracy?.destroy();
    this.container.replaceChildren();
    this.loss = chart(this.container, 'Loss', 'loss');
    this.accuracy = chart(this.container, 'Accuracy', 'accuracy');
    this.update();
  }

  /** Adds an epoch; the charts redraw once per frame however many epochs arrive in it. */
  push(m) {
    const d = this.data;
    d.epoch.push(m.epoch);
    d.trainLoss.push(m.train_loss);
    d.valLoss.push(m.val_loss ?? null);
    d.trainAcc.push(m.train_accuracy);
    d.valAcc.push(m.val_accuracy ?? null);
    this.frame ??= requestAnimationFrame(() => {
      this.frame = null;
      this.update();
    });
  }

  update() {
    const d = this.data;
    this.loss.setData([d.epoch, d.trainLoss, d.valLoss]);
    this.accuracy.setData([d.epoch, d.trainAcc, d.valAcc]);
  }
}
