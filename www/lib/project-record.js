// The edits of the saved project's one record ({ classes, settings, strictness, next_ids }) that
// every store makes the same way, through its own `update(change)`: IndexedDB's (store.js) and
// memory's (memory-store.js).

/** `next_ids` with its `kind` ('class' | 'sample') id past `id` (ids only grow). */
export function nextPast(nextIds, kind, id) {
  const next = { class: 0, sample: 0, ...nextIds };
  next[kind] = Math.max(next[kind], id + 1);
  return next;
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

  saveStrictness(strictness) {
    return this.update((p) => {
      p.strictness = strictness;
    });
  }
}
