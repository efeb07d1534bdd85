/**
 * Arrow -> JavaScript values: the one place where cells become JS values.
 *
 * Lossless by default (DESIGN.md "Values"): Int64/UInt64 -> bigint, Decimal -> exact string,
 * timestamps -> Date (or exact bigint nanoseconds / ISO string on request), binary ->
 * Uint8Array, lists -> arrays, structs and maps -> plain objects. Readers are resolved once per
 * column type and then read whole ranges of a batch in tight loops, never a type switch per cell.
 */
import type { Data, RecordBatch, Schema } from 'apache-arrow';
import { readRange, type Read } from './column';
import { resolve, type Row, type ValueOptions } from './options';
import { readerFor } from './readers';

export { NS_PER_UNIT } from './scalars';
export type { Row, ValueOptions } from './options';

/**
 * Turns record batches of one schema into rows. Create one per schema (readers are built here,
 * once) and call `rows(batch)` for each batch.
 */
export class RowConverter {
  readonly #readers: Read[];
  readonly #names: string[];
  readonly #objects: boolean;

  constructor(schema: Schema, options?: ValueOptions) {
    const o = resolve(options);
    this.#readers = schema.fields.map((f) => readerFor(f.type, o));
    this.#names = deduplicatedNames(schema.fields.map((f) => f.name));
    this.#objects = o.rowMode === 'object';
  }

  /** Column names used as object keys (duplicates made unique as `name:1`, `name:2`). */
  get names(): readonly string[] {
    return this.#names;
  }

  /** Converts rows `[start, end)` (default: all) of column `index` of `batch` into JS values. */
  column(batch: RecordBatch, index: number, start = 0, end = batch.numRows): unknown[] {
    return readRange(this.#reader(index), this.#data(batch, index), start, end);
  }

  /** Converts rows `[start, end)` (default: all) of `batch`. */
  rows(batch: RecordBatch, start = 0, end = batch.numRows): Row[] {
    const n = end - start;
    const width = this.#readers.length;
    const columns = new Array<unknown[]>(width);
    for (let c = 0; c < width; c++) {
      columns[c] = readRange(this.#readers[c]!, this.#data(batch, c), start, end);
    }
    const out = new Array<Row>(n);
    if (this.#objects) {
      const names = this.#names;
      for (let r = 0; r < n; r++) {
        const row: Record<string, unknown> = {};
        for (let c = 0; c < width; c++) row[names[c]!] = columns[c]![r];
        out[r] = row;
      }
    } else {
      for (let r = 0; r < n; r++) {
        const row = new Array<unknown>(width);
        for (let c = 0; c < width; c++) row[c] = columns[c]![r];
        out[r] = row;
      }
    }
    return out;
  }

  #reader(index: number): Read {
    const read = this.#readers[index];
    if (!read) throw new RangeError(`no column ${index}`);
    return read;
  }

  /** Column `index` of `batch`: a RecordBatch's column is one Data (no chunks to walk). */
  #data(batch: RecordBatch, index: number): Data {
    const data = batch.data.children[index];
    if (!data) throw new RangeError(`no column ${index}`);
    return data;
  }
}

/** Makes column names unique for object rows: the second `a` becomes `a:1` (duckdb-node-neo). */
export function deduplicatedNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  const taken = new Set(names);
  return names.map((name) => {
    const count = seen.get(name);
    if (count === undefined) {
      seen.set(name, 0);
      return name;
    }
    let n = count + 1;
    while (taken.has(`${name}:${n}`)) n++;
    seen.set(name, n);
    taken.add(`${name}:${n}`);
    return `${name}:${n}`;
  });
}

/** Converts one Arrow value (cell `index` of `data`) with the given options. */
export function valueAt(data: Data, index: number, options?: ValueOptions): unknown {
  return readRange(readerFor(data.type, resolve(options)), data, index, index + 1)[0];
}
