// Evaluation view: per-class accuracy, confusion matrix, misclassified held-out samples.

function cell(tag, text) {
  const el = document.createElement(tag);
  el.textContent = text;
  return el;
}

export function renderEvaluation(ui, classes, evaluation) {
  const names = classes.names();
  const body = ui.evaluationBody;
  if (!evaluation.samples) {
    body.replaceChildren(cell('p', 'No held-out samples: add at least two samples to a class to evaluate it.'));
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
  for (const m of evaluation.misclassified) {
    const item = document.createElement('li');
    item.className = 'mistake';
    const img = document.createElement('img');
    classes.thumbOf(m.id).then((url) => url && (img.src = url));
    img.alt = `${names[m.label]} predicted as ${names[m.predicted]} (${(m.prob * 100).toFixed(0)}%)`;
    img.title = img.alt;
    const move = document.createElement('select');
    move.setAttribute('aria-label', `Move this ${names[m.label]} sample to another class`);
    move.append(cell('option', 'Move to…'), ...names.map((n, i) => Object.assign(cell('option', n), { value: i })));
    move.addEventListener('change', async () => {
      await classes.moveSample(m.id, Number(move.value));
      item.remove();
    });
    const remove = cell('button', 'Delete');
    remove.type = 'button';
    remove.addEventListener('click', async () => {
      await classes.deleteSample(m.id);
      item.remove();
    });
    item.append(img, move, remove);
    mistakes.append(item);
  }
  body.replaceChildren(summary, table, cell('h3', `Misclassified (${evaluation.misclassified.length})`), mistakes);
  ui.evaluation.hidden = false;
}
