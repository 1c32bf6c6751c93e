// The rules for class names, as the page applies them before asking the core.

/** Refuses an empty name, or one another class (not class `id`) has, compared case-insensitively. */
export function checkName(classes, name, id) {
  if (typeof name !== 'string' || !name.trim()) throw new Error('a class needs a name (a non-empty string)');
  if (classes.some((c) => c.id !== id && c.name.toLowerCase() === name.toLowerCase())) {
    throw new Error(`There is already a class named “${name}”: class names must differ.`);
  }
}

/** A name none of `names` is yet: "Class N". */
export function freeName(names) {
  let n = names.length + 1;
  while (names.includes(`Class ${n}`)) n++;
  return `Class ${n}`;
}
