import { visibleLength, type Style } from './style.js';

/** What a table cell shows for a value that does not exist (kafka-consumer-groups prints "-"). */
export const NO_VALUE = '-';

export type CellValue = string | number | null | undefined;

export function cellText(value: CellValue): string {
  if (value === null || value === undefined || value === '') return NO_VALUE;
  return String(value);
}

export interface TableOptions {
  style?: Style;
  /** Colours one cell (already converted to text); called only when colour is on. */
  colour?: (header: string, text: string) => string;
}

/**
 * Left-aligned columns separated by two spaces, headers first, like kafka-consumer-groups and
 * rpk print them, so `awk '{print $4}'` keeps working. Widths come from the plain text; colour is
 * applied after padding so it never shifts a column.
 */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly CellValue[]>, o: TableOptions = {}): string {
  const text = rows.map((r) => headers.map((_, i) => cellText(r[i])));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => visibleLength(r[i]!))));
  const style = o.style;
  const line = (cells: string[], paint: (header: string, cell: string) => string): string =>
    cells.map((c, i) => {
      const last = i === cells.length - 1;
      const padded = last ? c : c + ' '.repeat(widths[i]! - visibleLength(c));
      return paint(headers[i]!, padded);
    }).join('  ').trimEnd();
  const out = [line([...headers], (_, c) => (style?.enabled ? style.bold(c) : c))];
  for (const r of text) out.push(line(r, (h, c) => (style?.enabled && o.colour ? o.colour(h, c) : c)));
  return out.join('\n') + '\n';
}

/** A `KEY: value` block (a summary above a table), keys aligned. */
export function renderFields(fields: ReadonlyArray<readonly [string, CellValue]>, style?: Style): string {
  const width = Math.max(...fields.map(([k]) => k.length));
  return fields.map(([k, v]) => `${style?.enabled ? style.bold(k.padEnd(width)) : k.padEnd(width)}  ${cellText(v)}`).join('\n') + '\n';
}
