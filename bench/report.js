// The benchmark's figures: each side's median and interquartile range over rounds, the ratio of
// burnish's median to the best TF.js configuration's, and what may be claimed from it: a ratio
// only where the two ranges do not overlap, "on par" where they do.

/**
 * A figure compared across sides. `sides`: `{ burnish, tfjs, tfjs_pool? }`, each `stats()` over
 * rounds (bench/spread.js) or null; `better` says which way is good ("higher" or "lower"). The
 * baseline is the best TF.js side by median.
 */
export function compare(name, unit, better, sides, note = '') {
  const peers = Object.entries(sides).filter(([side, s]) => side !== 'burnish' && s);
  const sign = better === 'higher' ? -1 : 1;
  const [baseline, best] = peers.sort(([, a], [, b]) => sign * (a.median - b.median))[0] ?? [null, null];
  const ours = sides.burnish;
  const ratio = ours && best ? ours.median / best.median : null;
  let verdict = null;
  if (ratio != null) {
    const apart = ours.q3 < best.q1 || best.q3 < ours.q1;
    verdict = apart ? `${ratio.toFixed(2)}×` : 'on par';
  }
  return { name, unit, better, sides, baseline, ratio, verdict, note };
}

/** A figure of one side only (burnish, or sizes): its value or stats. */
export function single(name, unit, better, burnish, note = '', tfjs = null) {
  return { name, unit, better, sides: { burnish, tfjs }, baseline: tfjs == null ? null : 'tfjs', ratio: burnish != null && tfjs != null ? value(burnish) / value(tfjs) : null, verdict: null, note };
}

const value = (v) => (v != null && typeof v === 'object' ? v.median : v);
const num = (v) => (v == null ? '—' : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3));
const cell = (v) => (v == null ? '—' : typeof v === 'object' ? `${num(v.median)} (${num(v.q1)}–${num(v.q3)})` : num(v));

/** The table: one row per figure (median (IQR) per side), then the notes. */
export function formatTable(figures) {
  const header = ['figure', 'unit', 'burnish', 'TF.js', 'TF.js pool', 'burnish / best TF.js', 'better'];
  const rows = figures.map((f) => [
    f.name,
    f.unit,
    cell(f.sides.burnish),
    cell(f.sides.tfjs),
    cell(f.sides.tfjs_pool),
    f.ratio == null ? '—' : `${f.ratio.toFixed(2)}×${f.verdict === 'on par' ? ' (ranges overlap: on par)' : ''}`,
    f.better,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const notes = figures.filter((f) => f.note).map((f) => `  ${f.name}: ${f.note}`);
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ...(notes.length ? ['', 'notes:', ...notes] : [])].join('\n');
}
