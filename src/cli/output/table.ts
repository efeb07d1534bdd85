/**
 * The table format, streamed: the first rows (up to `SAMPLE_ROWS`, or the whole result if it is
 * shorter) set the column widths; later rows are printed as they come, and a longer value just
 * overflows its column instead of holding the whole result back to measure it.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { CellText, type ColumnInfo } from './cells';
import type { Sink } from './sink';
import { rowCount, type ResultWriter } from './writer';

/** Rows read before the widths are fixed and printing starts. */
export const SAMPLE_ROWS = 1000;

/** Control characters would break the grid: shown escaped, as in a JavaScript string. */
function visible(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return JSON.stringify(text).slice(1, -1);
  }
  return text;
}

/** The table writer; `footer` prints `(N rows)` at the end. */
export class TableWriter implements ResultWriter {
  readonly #sink: Sink;
  readonly #footer: boolean;
  #cells: CellText | undefined;
  #columns: readonly ColumnInfo[] = [];
  /** Rows held until the widths are known (null once printing has started). */
  #pending: string[][] | null = [];
  #widths: number[] = [];

  constructor(sink: Sink, options: { footer?: boolean } = {}) {
    this.#sink = sink;
    this.#footer = options.footer ?? true;
  }

  async start(schema: Schema): Promise<void> {
    this.#cells = new CellText(schema, ' ');
    this.#columns = this.#cells.columns;
  }

  async write(batch: RecordBatch): Promise<void> {
    const rows = this.#rows(batch);
    if (this.#pending === null) return this.#print(rows);
    for (const row of rows) this.#pending.push(row);
    if (this.#pending.length >= SAMPLE_ROWS) await this.#flushPending();
  }

  async end(rows: number): Promise<void> {
    if (this.#pending !== null) await this.#flushPending();
    if (this.#footer) await this.#sink.write(`${rowCount(rows)}\n`);
  }

  #rows(batch: RecordBatch): string[][] {
    const columns = this.#cells!.text(batch);
    const rows: string[][] = [];
    for (let r = 0; r < batch.numRows; r++) {
      rows.push(columns.map((column) => (column[r] === null ? 'NULL' : visible(column[r]!))));
    }
    return rows;
  }

  async #flushPending(): Promise<void> {
    const rows = this.#pending!;
    this.#pending = null;
    this.#widths = this.#columns.map((column, c) =>
      rows.reduce((width, row) => Math.max(width, row[c]!.length), visible(column.name).length),
    );
    if (this.#columns.length > 0) {
      const header = this.#line(this.#columns.map((column) => visible(column.name)));
      const rule = this.#widths.map((w) => '-'.repeat(w)).join('-+-');
      await this.#sink.write(`${header}\n${rule}\n`);
    }
    await this.#print(rows);
  }

  async #print(rows: string[][]): Promise<void> {
    if (rows.length === 0 || this.#columns.length === 0) return;
    await this.#sink.write(`${rows.map((row) => this.#line(row)).join('\n')}\n`);
  }

  #line(cells: string[]): string {
    const last = cells.length - 1;
    return cells
      .map((cell, c) => {
        const width = this.#widths[c]!;
        if (this.#columns[c]!.numeric) return cell.padStart(width);
        // No trailing blanks after the last column.
        return c === last ? cell : cell.padEnd(width);
      })
      .join(' | ');
  }
}
