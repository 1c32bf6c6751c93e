// "Check my data": every sample on a map of the pretrained network's features (class colours;
// pointing at a dot shows its photo), and the samples worth a second look — filed under one class
// but looking like another, near-copies, classes that overlap — each with Move and Delete.

import { classColour } from './classes.js';

const SVG = 'http://www.w3.org/2000/svg';

function element(tag, props = {}, ...children) {
  const el = Object.assign(document.createElement(tag), props);
  el.append(...children);
  return el;
}

export class DataCheckPanel {
  /** `ui`: { button, body }; `model`: the Trainer (the library's); `error(text)`. */
  constructor(ui, model, error) {
    Object.assign(this, { ui, model, error });
    ui.button.addEventListener('click', () => this.run());
    model.addEventListener('change', ({ detail }) => {
      if (detail.what === 'state') ui.button.disabled = model.state !== 'ready' && model.state !== 'trained';
    });
  }

  /** Checks the samples now and shows what was found. */
  async run() {
    const { ui } = this;
    ui.button.disabled = true;
    ui.body.setAttribute('aria-busy', 'true');
    try {
      const check = await this.model.checkData();
      ui.body.replaceChildren(this.map(check.points), ...this.findings(check));
      ui.body.dataset.checked = String(check.points.length);
    } catch (err) {
      this.error(err.message);
    } finally {
      ui.button.disabled = false;
      ui.body.removeAttribute('aria-busy');
    }
  }

  names() {
    return this.model.names();
  }

  /** The map: one dot a sample; pointing at one, or stepping through them with the arrow keys, shows its photo and class below the map. */
  map(points) {
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '-1.1 -1.1 2.2 2.2');
    svg.setAttribute('class', 'data-map');
    svg.setAttribute('role', 'img');
    svg.setAttribute('tabindex', '0');
    svg.setAttribute('aria-label', `Map of ${points.length} samples: similar photos lie close together. Arrow keys step through them.`);
    const photo = element('img', { alt: '', hidden: true });
    const caption = element('figcaption', { textContent: 'Point at a dot, or focus the map and use the arrow keys, to see its photo.' });
    caption.setAttribute('aria-live', 'polite');
    const dots = points.map((p) => {
      const dot = document.createElementNS(SVG, 'circle');
      Object.entries({ cx: p.x, cy: p.y, r: 0.035, fill: classColour(p.label) }).forEach(([k, v]) => dot.setAttribute(k, v));
      return dot;
    });
    let current = -1;
    const show = async (i) => {
      current = i;
      dots.forEach((dot, j) => {
        dot.classList.toggle('current', j === i);
        dot.setAttribute('r', j === i ? 0.06 : 0.035);
      });
      if (svg.lastChild !== dots[i]) svg.append(dots[i]); // drawn last: on top of its neighbours
      caption.textContent = this.names()[points[i].label];
      photo.src = (await this.model.thumbOf(points[i].id)) ?? '';
      photo.hidden = false;
    };
    dots.forEach((dot, i) => dot.addEventListener('pointerenter', () => show(i)));
    svg.addEventListener('keydown', (event) => {
      const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
      if (!step || !dots.length) return;
      event.preventDefault();
      show(current < 0 ? (step > 0 ? 0 : dots.length - 1) : (current + step + dots.length) % dots.length);
    });
    svg.append(...dots);
    const legend = element('p', { className: 'hint' }, ...this.names().map((name, i) => element('span', { className: 'legend', style: `--class-colour: ${classColour(i)}`, textContent: name })));
    return element('figure', { className: 'data-map-figure' }, svg, legend, photo, caption);
  }

  /** The lists of what to look at again, or a line saying nothing was found. */
  findings({ suspects, near_copies: copies, overlaps }) {
    const names = this.names();
    if (!suspects.length && !copies.length && !overlaps.length) {
      return [element('p', { className: 'data-verdict', textContent: 'No likely mistakes, copies or overlapping classes found.' })];
    }
    const list = (title, items) => (items.length ? [element('h3', { textContent: `${title} (${items.length})` }), element('ul', { className: 'gallery data-findings' }, ...items)] : []);
    const suspectItems = suspects.map((s) =>
      this.item(s.id, `Filed under “${names[s.label]}”, looks like “${names[s.looks_like]}”`, [
        [`Move to “${names[s.looks_like]}”`, () => this.model.moveSample(s.id, this.model.classes[s.looks_like].id)],
        ['Delete', () => this.model.removeSample(s.id)],
      ]),
    );
    const copyItems = copies.map((c) =>
      this.item(c.second, `The same picture as another “${this.classOf(c.first)}” sample (${(c.similarity * 100).toFixed(0)}% alike)`, [
        ['Delete this copy', () => this.model.removeSample(c.second)],
      ]),
    );
    const overlapItems = overlaps.map((o) =>
      element('li', { className: 'overlap', textContent: `“${names[o.classes[0]]}” and “${names[o.classes[1]]}” overlap: ${(o.share * 100).toFixed(0)}% of their samples look more like the other class. Add photos that show what sets them apart, or merge them.` }),
    );
    return [
      ...list('Possibly in the wrong class', suspectItems),
      ...list('Near-copies', copyItems),
      ...list('Overlapping classes', overlapItems),
    ];
  }

  classOf(id) {
    return this.model.classOfSample(id)?.name ?? '';
  }

  /** One sample to look at again: its photo, why, and buttons that act and then check again. */
  item(id, why, actions) {
    const img = element('img', { alt: why, title: why });
    this.model.thumbOf(id).then((url) => url && (img.src = url));
    const buttons = actions.map(([text, act]) => {
      const button = element('button', { type: 'button', textContent: text });
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          await act();
          await this.run();
        } catch (err) {
          this.error(err.message);
          button.disabled = false;
        }
      });
      return button;
    });
    return element('li', { className: 'data-finding' }, img, element('p', { textContent: why }), element('div', { className: 'row' }, ...buttons));
  }
}
