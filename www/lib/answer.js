// How the library answers for an image, for the Trainer and the Classifier alike.

/**
 * The core's classification (`probs`, `best`, `similarity`, `threshold`, `none_of_these`) with
 * the model's class names: `label` (null for "none of these"), `nearest` (the closest class),
 * `confidences` (name → probability) and the round trip `ms`.
 */
export function answer(result, names, ms) {
  const confidences = Object.fromEntries(names.map((name, i) => [name, result.probs[i]]));
  const nearest = names[result.best];
  return { ...result, label: result.none_of_these ? null : nearest, nearest, confidences, ms };
}

/** The core's map of where the model looked, with the mapped class's name (`class_name`). */
export function explanation(map, names) {
  return { ...map, class_name: names[map.class] };
}

/**
 * The label (position in the model's outputs) of a class given by name or label; null stays null
 * (the predicted class).
 */
export function labelOf(classRef, names) {
  if (classRef === null || classRef === undefined) return null;
  const label = typeof classRef === 'string' ? names.indexOf(classRef) : classRef;
  if (!Number.isInteger(label) || label < 0 || label >= names.length) {
    throw new Error(`the model knows no class ${JSON.stringify(classRef)} (it knows ${names.join(', ')})`);
  }
  return label;
}
