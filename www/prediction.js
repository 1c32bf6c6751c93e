// Prediction display: one bar per class (trained model) or ImageNet's top 5 (before training).

function bar(label, prob) {
  const item = document.createElement('li');
  const name = document.createElement('span');
  name.className = 'label';
  name.textContent = label;
  const meter = document.createElement('meter');
  meter.min = 0;
  meter.max = 1;
  meter.value = prob;
  const pct = document.createElement('span');
  pct.className = 'pct';
  pct.textContent = `${(prob * 100).toFixed(1)}%`;
  item.append(name, meter, pct);
  return item;
}

/** ImageNet's top 5 for the base model. */
export function renderImagenet(ui, top, ms) {
  ui.predictions.replaceChildren(...top.map(({ label, prob }) => bar(label, prob)));
  ui.top.textContent = top[0]?.label ?? '';
  ui.timing.textContent = `${ms.toFixed(0)} ms · ImageNet`;
}

/** One bar per class; "none of these" when the top probability is under `threshold`. */
export function renderClassBars(ui, names, { probs, best, ms }, threshold) {
  ui.predictions.replaceChildren(...probs.map((p, i) => bar(names[i] ?? `class ${i}`, p)));
  ui.top.textContent = probs[best] < threshold ? 'none of these' : (names[best] ?? `class ${best}`);
  ui.timing.textContent = `${ms.toFixed(0)} ms`;
}
