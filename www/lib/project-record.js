// The edits of the saved project's one record ({ classes: [{ id, name, behaviour }], settings,
// strictness, next_ids, none_of_these: its behaviour }) that
// every store makes the same way, through its own `update(change)`: IndexedDB's (store.js) and
// memory's (memory-store.js).

/** `next_ids` with its `kind` ('class' | 'sample') id past `id` (ids only grow). */
export function nextPast(nextIds, kind, id) {
  const next = { class: 0, sample: 0, ...nextIds };
  next[kind] = Math.max(next[kind], id + 1);
  return next;
}

/** A bundle's project record (the core's Bundle): its classes take the ids 0, 1, … (their labels). */
export function bundleRecord({ class_names, settings, strictness, next_ids, behaviours }) {
  const classes = class_names.map((name, id) => ({ id, name, behaviour: behaviours?.classes[id] }));
  return { classes, settings, strictness, next_ids, none_of_these: behaviours?.none_of_these };
}

export class ProjectRecord {
  /** Adds class `id` (the core's id for it); the next class id moves past it. */
  addClass(id, name) {
    return this.update((p) => {
      p.classes.push({ id, name });
      p.next_ids = nextPast(p.next_ids, 'class', id);
    });
  }

  renameClass(id, name) {
    return this.update((p) => {
      p.classes.find((c) => c.id === id).name = name;
    });
  }

  saveSettings(settings) {
    return this.update((p) => {
      p.settings = settings;
    });
  }

  /** Saves the behaviour of class `id` (null: of "none of these"). */
  saveBehaviour(id, behaviour) {
    return this.update((p) => {
      if (id === null) p.none_of_these = behaviour;
      else p.classes.find((c) => c.id === id).behaviour = behaviour;
    });
  }

  saveStrictness(strictness) {
    return this.update((p) => {
      p.strictness = strictness;
    });
  }
}
