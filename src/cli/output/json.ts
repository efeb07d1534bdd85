/**
 * JSON and NDJSON, streamed: one object per row, keyed by column name (a repeated name gets a
 * suffix, `a:1`, as the library's object rows do). `json` is one array written a batch at a
 * time; `ndjson` one object per line. Values are exact: int64 as bare digits, decimals,
 * timestamps and binary as strings, nested values as JSON.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { deduplicatedNames } from '../../values';
import { CellText, type JsonShape } from './cells';
import type { Sink } from './sink';
import type { ResultWriter } from './writer';

function jsonValue(text: string | null, shape: JsonShape): string {
  if (text === null) return 'null';
  if (shape === 'raw' || shape === 'boolean') return text;
  // NaN and the infinities have no JSON number: strings keep them.
  if (shape === 'number') return /^-?(?:Infinity|NaN)$/.test(text) ? JSON.stringify(text) : text;
  return JSON.stringify(text);
}

/** The JSON writer: `lines` for NDJSON, otherwise one array. */
export class JsonWriter implements ResultWriter {
  readonly #sink: Sink;
  readonly #lines: boolean;
  #cells: CellText | undefined;
  #keys: string[] = [];
  #first = true;

  constructor(sink: Sink, options: { lines: boolean }) {
    this.#sink = sink;
    this.#lines = options.lines;
  }

  async start(schema: Schema): Promise<void> {
    this.#cells = new CellText(schema, 'T');
    this.#keys = deduplicatedNames(schema.fields.map((f) => f.name)).map((k) => `${JSON.stringify(k)}:`);
    if (!this.#lines) await this.#sink.write('[');
  }

  async write(batch: RecordBatch): Promise<void> {
    if (batch.numRows === 0) return;
    const cells = this.#cells!;
    const columns = cells.text(batch);
    const shapes = cells.columns.map((c) => c.json);
    const objects = new Array<string>(batch.numRows);
    for (let r = 0; r < batch.numRows; r++) {
      objects[r] =
        `{${columns.map((column, c) => this.#keys[c]! + jsonValue(column[r]!, shapes[c]!)).join(',')}}`;
    }
    if (this.#lines) {
      await this.#sink.write(`${objects.join('\n')}\n`);
    } else {
      await this.#sink.write(`${this.#first ? '\n' : ',\n'}${objects.join(',\n')}`);
    }
    this.#first = false;
  }

  async end(): Promise<void> {
    if (!this.#lines) await this.#sink.write(this.#first ? ']\n' : '\n]\n');
  }
}
