// The spread of a figure measured over rounds: median and interquartile range, with every
// round kept (what the benchmarks report and write to their results files).

/** { median, q1, q3, values } of `xs` (nearest-rank quartiles). */
export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  return { median: q(0.5), q1: q(0.25), q3: q(0.75), values: xs };
}

/** One line of a results table: `name`, then the median and IQR of `s` in seconds. */
export const statsLine = (name, s, width) => `${name.padEnd(width)} median ${s.median.toFixed(2)} s  IQR ${s.q1.toFixed(2)}–${s.q3.toFixed(2)}`;
