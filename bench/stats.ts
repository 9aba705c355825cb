/** Medians and spreads over repeated runs. */

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function spread(xs: number[]): Spread {
  // A NaN read back from JSON is null.
  const v = xs.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: NaN, min: NaN, max: NaN, runs: xs.length };
  const mid = v.length % 2 === 1 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
  return { median: mid, min: v[0]!, max: v[v.length - 1]!, runs: xs.length };
}

/** Median of each numeric field over the runs of one row. */
export function spreadFields<T extends object>(runs: T[], fields: Array<keyof T>): Record<string, Spread> {
  const out: Record<string, Spread> = {};
  for (const f of fields) out[String(f)] = spread(runs.map((r) => r[f] as number));
  return out;
}

function fmtNumber(x: number, digits: number): string {
  if (Number.isNaN(x)) return '–';
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  return x.toFixed(digits);
}

/** `median [min–max]`, or the plain value for a single run. */
export function fmt(s: Spread | undefined, digits = 1): string {
  if (s === undefined || Number.isNaN(s.median)) return '–';
  if (s.runs <= 1 || s.min === s.max) return fmtNumber(s.median, digits);
  return `${fmtNumber(s.median, digits)} [${fmtNumber(s.min, digits)}–${fmtNumber(s.max, digits)}]`;
}

export function ratio(a: number, b: number): string {
  return Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '–';
}
