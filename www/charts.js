// Live loss and accuracy charts (uPlot), train and validation.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

function chart(container, title, label) {
  return new uPlot(
    {
      title,
      width: Math.min(container.clientWidth || 360, 420),
      height: 180,
      scales: { x: { time: false } },
      series: [
        { label: 'epoch' },
        { label: `train ${label}`, stroke: '#2563eb', width: 2 },
        { label: `validation ${label}`, stroke: '#dc2626', width: 2, dash: [6, 4] },
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
  }

  reset() {
    this.container.replaceChildren();
    this.data = { epoch: [], trainLoss: [], valLoss: [], trainAcc: [], valAcc: [] };
    this.loss = chart(this.container, 'Loss', 'loss');
    this.accuracy = chart(this.container, 'Accuracy', 'accuracy');
  }

  push(m) {
    const d = this.data;
    d.epoch.push(m.epoch);
    d.trainLoss.push(m.train_loss);
    d.valLoss.push(m.val_loss ?? null);
    d.trainAcc.push(m.train_accuracy);
    d.valAcc.push(m.val_accuracy ?? null);
    this.loss.setData([d.epoch, d.trainLoss, d.valLoss]);
    this.accuracy.setData([d.epoch, d.trainAcc, d.valAcc]);
  }
}
