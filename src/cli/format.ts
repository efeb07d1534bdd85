/** Renders rows as a plain-text table for the terminal. */
import type { Table } from 'apache-arrow';
import { RowConverter } from '../index';

function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date)
    return value
      .toISOString()
      .replace('T', ' ')
      .replace(/\.000Z$|Z$/, '');
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
  if (typeof value === 'object')
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
  return String(value);
}

/** Formats a Table with a header line, right-aligning numbers; at most `maxRows` rows. */
export function formatTable(table: Table, maxRows = 50): string {
  const converter = new RowConverter(table.schema);
  const names = table.schema.fields.map((f) => f.name);
  const rows: string[][] = [];
  const numeric: boolean[] = names.map(() => true);
  outer: for (const batch of table.batches) {
    for (const row of converter.rows(batch) as unknown[][]) {
      if (rows.length >= maxRows) break outer;
      rows.push(
        row.map((v, c) => {
          if (v !== null && typeof v !== 'number' && typeof v !== 'bigint') numeric[c] = false;
          return cellText(v);
        }),
      );
    }
  }
  const widths = names.map((n, c) => Math.max(n.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(' | ');
  const out = [line(names), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(line)];
  const more = table.numRows - rows.length;
  if (more > 0) out.push(`... ${more} more row${more === 1 ? '' : 's'}`);
  out.push(`(${table.numRows} row${table.numRows === 1 ? '' : 's'})`);
  return out.join('\n');
}
