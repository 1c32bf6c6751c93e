// Evaluation view: per-class accuracy, confusion matrix, misclassified held-out samples.

function cell(tag, text) {
  const el = document.createElement(tag);
  el.textContent = text;
  return el;
}

/**
 * Shows `evaluation` (the core's, on exactly the samples the model's run held out) in
 * `ui.evaluation`; mistakes can be moved to their right class or deleted through `model`.
 */
export function renderEvaluation(ui, model, evaluation) {
  const names = model.model.class_names;
  const body = ui.evaluationBody;
  const later = evaluation.new_since_training
    ? cell('p', `${evaluation.new_since_training} samples were added since this model was trained: they are not in this evaluation; train again to use them.`)
    : '';
  if (!evaluation.samples) {
    body.replaceChildren(cell('p', 'No held-out samples: add at least two samples to a class to evaluate it.'), later);
    ui.evaluation.hidden = false;
    return;
  }
  const summary = cell('p', `Accuracy on ${evaluation.samples} held-out samples: ${(evaluation.accuracy * 100).toFixed(1)}%`);
  const table = document.createElement('table');
  const head = document.createElement('tr');
  head.append(cell('th', 'true \\ predicted'), ...names.map((n) => cell('th', n)), cell('th', 'accuracy'));
  table.append(head);
  evaluation.confusion.forEach((row, i) => {
    const tr = document.createElement('tr');
    const acc = evaluation.per_class_accuracy[i];
    tr.append(cell('th', names[i]), ...row.map((n) => cell('td', String(n))), cell('td', acc == null ? '–' : `${(acc * 100).toFixed(0)}%`));
    table.append(tr);
  });
  const mistakes = document.createElement('ul');
  mistakes.className = 'gallery';
  const heading = cell('h3', `Misclassified (${evaluation.misclassified.length})`);
  heading.tabIndex = -1;
  /** Takes `item` (a mistake moved or deleted) away; the focus goes to the next one's menu. */
  const done = (item) => {
    const next = item.nextElementSibling ?? item.previousElementSibling;
    const hadFocus = item.contains(document.activeElement);
    item.remove();
    if (hadFocus) (next?.querySelector('select') ?? heading).focus();
  };
  for (const m of evaluation.misclassified) {
    const item = document.createElement('li');
    item.className = 'mistake';
    const img = document.createElement('img');
    model.thumbOf(m.id).then((url) => url && (img.src = url));
    img.alt = `${names[m.label]} predicted as ${names[m.predicted]} (${(m.prob * 100).toFixed(0)}%)`;
    img.title = img.alt;
    // A menu and a button: a closed menu changes on arrow keys, so choosing must not move yet.
    const target = document.createElement('select');
    target.setAttribute('aria-label', `Class to move this ${names[m.label]} sample to`);
    target.append(cell('option', 'Move to…'), ...model.classes
      .filter((c) => c !== model.classOfSample(m.id))
      .map((c) => Object.assign(cell('option', c.name), { value: c.id })));
    const move = cell('button', 'Move');
    move.type = 'button';
    move.disabled = true;
    target.addEventListener('change', () => (move.disabled = target.value === ''));
    move.addEventListener('click', async () => {
      await model.moveSample(m.id, Number(target.value));
      done(item);
    });
    const remove = cell('button', 'Delete');
    remove.type = 'button';
    remove.addEventListener('click', async () => {
      await model.removeSample(m.id);
      done(item);
    });
    item.append(img, target, move, remove);
    mistakes.append(item);
  }
  body.replaceChildren(summary, later, table, heading, mistakes);
  ui.evaluation.hidden = false;
}
