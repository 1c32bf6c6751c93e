// The benchmark's figures: burnish vs TF.js with their ratio, as a table for stdout.

/**
 * One figure. `better` says which way is good ("higher" or "lower"); `ratio` is burnish / TF.js
 * when both were measured. `note` says why a value is missing or how it was measured.
 */
export function figure(name, unit, better, { burnish = null, tfjs = null } = {}, note = '') {
  const ratio = burnish != null && tfjs != null ? burnish / tfjs : null;
  return { name, unit, better, burnish, tfjs, ratio, note };
}

const fmt = (v) => (v == null ? '—' : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3));

/** The table: one row per figure, then the notes. */
export function formatTable(figures) {
  const header = ['figure', 'unit', 'burnish', 'TF.js', 'burnish/TF.js', 'better'];
  const rows = figures.map((f) => [f.name, f.unit, fmt(f.burnish), fmt(f.tfjs), f.ratio == null ? '—' : `${f.ratio.toFixed(2)}×`, f.better]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const notes = figures.filter((f) => f.note).map((f) => `  ${f.name}: ${f.note}`);
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ...(notes.length ? ['', 'notes:', ...notes] : [])].join('\n');
}
