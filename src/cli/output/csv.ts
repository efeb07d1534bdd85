/**
 * CSV as RFC 4180 quotes it: a header line, then one line per row; a field with a comma, a
 * double quote, CR or LF is quoted, with its quotes doubled. NULL is an empty field and the
 * empty string a quoted empty field (`""`), so the two stay apart. Lines end with LF.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { CellText } from './cells';
import type { Sink } from './sink';
import type { ResultWriter } from './writer';

/** A CSV field: quoted when RFC 4180 says it must be (and when empty, to differ from NULL). */
export function csvField(text: string | null): string {
  if (text === null) return '';
  if (text === '' || /[",\r\n]/.test(text)) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

/** The CSV writer; `header: false` leaves the header line out. */
export class CsvWriter implements ResultWriter {
  readonly #sink: Sink;
  readonly #header: boolean;
  #cells: CellText | undefined;

  constructor(sink: Sink, options: { header?: boolean } = {}) {
    this.#sink = sink;
    this.#header = options.header ?? true;
  }

  async start(schema: Schema): Promise<void> {
    this.#cells = new CellText(schema, 'T');
    if (this.#header && schema.fields.length > 0) {
      await this.#sink.write(`${schema.fields.map((f) => csvField(f.name)).join(',')}\n`);
    }
  }

  async write(batch: RecordBatch): Promise<void> {
    if (batch.numRows === 0 || batch.numCols === 0) return;
    const columns = this.#cells!.text(batch);
    const lines: string[] = new Array<string>(batch.numRows);
    for (let r = 0; r < batch.numRows; r++) {
      lines[r] = columns.map((column) => csvField(column[r]!)).join(',');
    }
    await this.#sink.write(`${lines.join('\n')}\n`);
  }

  async end(): Promise<void> {}
}
