/**
 * The previous implementation of src/values (one cell converter per value, checked per cell),
 * kept verbatim as the reference that the range readers must agree with exactly
 * (values.property.test.ts). Not shipped; not to be optimised.
 */
import {
  makeVector,
  DataType,
  Type,
  TimeUnit,
  IntervalUnit,
  type Data,
  type Field,
  type RecordBatch,
  type Schema,
  type Vector,
} from 'apache-arrow';

/** How rows and values are shaped. */
export interface ValueOptions {
  /** `'array'` (default): each row is an array in column order; `'object'`: keyed by column name. */
  readonly rowMode?: 'array' | 'object';
  /**
   * Timestamps as `Date` (default, millisecond precision), `'bigint'` nanoseconds since the
   * epoch (exact), or `'string'` ISO 8601 with every digit the column has.
   */
  readonly timestamps?: 'date' | 'bigint' | 'string';
  /** Int64/UInt64 as `bigint` (default) or as `number` when `'number'` (exact only below 2^53). */
  readonly int64?: 'bigint' | 'number';
  /** Decimals as exact `string` (default) or as `number`. */
  readonly decimals?: 'string' | 'number';
}

/** A row as produced by `rowMode`. */
export type Row = unknown[] | Record<string, unknown>;

/** Converts cell `index` of `data` (already known to be valid) to a JS value. */
type Cell = (data: Data, index: number) => unknown;

interface Resolved {
  readonly rowMode: 'array' | 'object';
  readonly timestamps: 'date' | 'bigint' | 'string';
  readonly int64: 'bigint' | 'number';
  readonly decimals: 'string' | 'number';
}

function resolve(options: ValueOptions = {}): Resolved {
  return {
    rowMode: options.rowMode ?? 'array',
    timestamps: options.timestamps ?? 'date',
    int64: options.int64 ?? 'bigint',
    decimals: options.decimals ?? 'string',
  };
}

function isValid(data: Data, index: number): boolean {
  if (data.nullCount === 0) return true;
  const bitmap = data.nullBitmap;
  if (!bitmap || bitmap.length === 0) return data.nullCount <= 0 || data.typeId !== Type.Null;
  const i = data.offset + index;
  return (bitmap[i >> 3]! & (1 << (i & 7))) !== 0;
}

/** Nanoseconds per Arrow time unit. */
export const NS_PER_UNIT: Readonly<Record<TimeUnit, bigint>> = {
  [TimeUnit.SECOND]: 1_000_000_000n,
  [TimeUnit.MILLISECOND]: 1_000_000n,
  [TimeUnit.MICROSECOND]: 1_000n,
  [TimeUnit.NANOSECOND]: 1n,
};
const DIGITS: Record<TimeUnit, number> = {
  [TimeUnit.SECOND]: 0,
  [TimeUnit.MILLISECOND]: 3,
  [TimeUnit.MICROSECOND]: 6,
  [TimeUnit.NANOSECOND]: 9,
};

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** ISO 8601 text of `value` units since the epoch, keeping all of the unit's digits. */
function isoFromEpoch(value: bigint, unit: TimeUnit): string {
  const perSecond = 1_000_000_000n / NS_PER_UNIT[unit];
  const seconds = floorDiv(value, perSecond);
  const fraction = value - seconds * perSecond;
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const digits = DIGITS[unit];
  return digits === 0 ? `${base}Z` : `${base}.${fraction.toString().padStart(digits, '0')}Z`;
}

function timeOfDay(value: bigint, unit: TimeUnit): string {
  const perSecond = 1_000_000_000n / NS_PER_UNIT[unit];
  const seconds = Number(value / perSecond);
  const fraction = value % perSecond;
  const hh = String(Math.floor(seconds / 3600)).padStart(2, '0');
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  const digits = DIGITS[unit];
  return digits === 0
    ? `${hh}:${mm}:${ss}`
    : `${hh}:${mm}:${ss}.${fraction.toString().padStart(digits, '0')}`;
}

/** Exact decimal text of the little-endian two's-complement integer in `words` (32-bit words). */
function decimalText(words: Uint32Array, start: number, stride: number, scale: number): string {
  let value = 0n;
  for (let w = stride - 1; w >= 0; w--) value = (value << 32n) | BigInt(words[start + w]!);
  if (words[start + stride - 1]! & 0x80000000) value -= 1n << BigInt(32 * stride);
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  } else if (scale < 0 && value !== 0n) {
    digits = digits + '0'.repeat(-scale);
  }
  return negative ? `-${digits}` : digits;
}

const utf8 = new TextDecoder();

/** Builds the cell converter for one Arrow type (resolved once per column). */
function cellFor(type: DataType, o: Resolved): Cell {
  switch (type.typeId) {
    case Type.Null:
      return () => null;
    case Type.Bool:
      // Bool values are not sliced with the Data (its offset counts bits), unlike other buffers.
      return (d, i) => {
        const j = d.offset + i;
        return (d.values[j >> 3] & (1 << (j & 7))) !== 0;
      };
    case Type.Int:
    case Type.Int8:
    case Type.Int16:
    case Type.Int32:
    case Type.Int64:
    case Type.Uint8:
    case Type.Uint16:
    case Type.Uint32:
    case Type.Uint64: {
      const wide = (type as unknown as { bitWidth: number }).bitWidth === 64;
      if (wide && o.int64 === 'number') return (d, i) => Number(d.values[i]);
      return (d, i) => d.values[i];
    }
    case Type.Float:
    case Type.Float16:
    case Type.Float32:
    case Type.Float64: {
      if ((type as unknown as { precision: number }).precision === 0) {
        return (d, i) => halfToNumber(d.values[i]);
      }
      return (d, i) => d.values[i];
    }
    case Type.Decimal: {
      const { scale, bitWidth } = type as unknown as { scale: number; bitWidth: number };
      const stride = bitWidth / 32;
      if (o.decimals === 'number') {
        return (d, i) => Number(decimalText(d.values, i * stride, stride, scale));
      }
      return (d, i) => decimalText(d.values, i * stride, stride, scale);
    }
    case Type.Utf8:
    case Type.LargeUtf8:
      return (d, i) => {
        const offsets = d.valueOffsets;
        const start = Number(offsets[i]);
        const end = Number(offsets[i + 1]);
        return utf8.decode(d.values.subarray(start, end));
      };
    case Type.Binary:
    case Type.LargeBinary:
      return (d, i) => {
        const offsets = d.valueOffsets;
        return d.values.slice(Number(offsets[i]), Number(offsets[i + 1]));
      };
    case Type.FixedSizeBinary: {
      const width = (type as unknown as { byteWidth: number }).byteWidth;
      return (d, i) => d.values.slice(i * width, (i + 1) * width);
    }
    case Type.Date:
    case Type.DateDay:
    case Type.DateMillisecond: {
      const days = (type as unknown as { unit: number }).unit === 0;
      return days ? (d, i) => new Date(d.values[i] * 86_400_000) : (d, i) => new Date(Number(d.values[i]));
    }
    case Type.Time:
    case Type.TimeSecond:
    case Type.TimeMillisecond:
    case Type.TimeMicrosecond:
    case Type.TimeNanosecond: {
      const unit = (type as unknown as { unit: TimeUnit }).unit;
      return (d, i) => timeOfDay(BigInt(d.values[i]), unit);
    }
    case Type.Timestamp:
    case Type.TimestampSecond:
    case Type.TimestampMillisecond:
    case Type.TimestampMicrosecond:
    case Type.TimestampNanosecond: {
      const unit = (type as unknown as { unit: TimeUnit }).unit;
      const toNs = NS_PER_UNIT[unit];
      if (o.timestamps === 'bigint') return (d, i) => BigInt(d.values[i]) * toNs;
      if (o.timestamps === 'string') return (d, i) => isoFromEpoch(BigInt(d.values[i]), unit);
      const perMs = Number(toNs) / 1e6;
      return perMs >= 1
        ? (d, i) => new Date(Number(d.values[i]) * perMs)
        : (d, i) => new Date(Number(floorDiv(BigInt(d.values[i]), BigInt(1 / perMs))));
    }
    case Type.Duration:
    case Type.DurationSecond:
    case Type.DurationMillisecond:
    case Type.DurationMicrosecond:
    case Type.DurationNanosecond:
      return (d, i) => d.values[i];
    case Type.Interval:
    case Type.IntervalDayTime:
    case Type.IntervalYearMonth: {
      const unit = (type as unknown as { unit: IntervalUnit }).unit;
      if (unit === IntervalUnit.YEAR_MONTH) return (d, i) => ({ months: d.values[i] });
      if (unit === IntervalUnit.DAY_TIME) {
        return (d, i) => ({ days: d.values[i * 2], milliseconds: d.values[i * 2 + 1] });
      }
      // MONTH_DAY_NANO: int32 months, int32 days, int64 nanoseconds (16 bytes).
      return (d, i) => {
        const view = new DataView(d.values.buffer, d.values.byteOffset + i * 16, 16);
        return {
          months: view.getInt32(0, true),
          days: view.getInt32(4, true),
          nanoseconds: view.getBigInt64(8, true),
        };
      };
    }
    case Type.List:
    case Type.LargeList: {
      const child = columnReader(type.children[0]!.type, o);
      return (d, i) => {
        const start = Number(d.valueOffsets[i]);
        const end = Number(d.valueOffsets[i + 1]);
        return child(d.children[0]!, start, end);
      };
    }
    case Type.FixedSizeList: {
      const size = (type as unknown as { listSize: number }).listSize;
      const child = columnReader(type.children[0]!.type, o);
      return (d, i) => child(d.children[0]!, i * size, (i + 1) * size);
    }
    case Type.Struct: {
      const fields = type.children as Field[];
      const cells = fields.map((f) => nullable(cellFor(f.type, o)));
      return (d, i) => {
        const row: Record<string, unknown> = {};
        for (let c = 0; c < fields.length; c++) row[fields[c]!.name] = cells[c]!(d.children[c]!, i);
        return row;
      };
    }
    case Type.Map: {
      const entries = type.children[0]!.type as DataType;
      const key = nullable(cellFor(entries.children[0]!.type, o));
      const value = nullable(cellFor(entries.children[1]!.type, o));
      return (d, i) => {
        const start = Number(d.valueOffsets[i]);
        const end = Number(d.valueOffsets[i + 1]);
        const struct = d.children[0]!;
        const out: Record<string, unknown> = {};
        for (let j = start; j < end; j++) {
          out[String(key(struct.children[0]!, j))] = value(struct.children[1]!, j);
        }
        return out;
      };
    }
    case Type.Union:
    case Type.DenseUnion:
    case Type.SparseUnion: {
      const { typeIds, mode } = type as unknown as { typeIds: number[]; mode: number };
      const cells = type.children.map((f: Field) => nullable(cellFor(f.type, o)));
      const childIndex: number[] = [];
      typeIds.forEach((id, c) => (childIndex[id] = c));
      const dense = mode === 1;
      return (d, i) => {
        const c = childIndex[d.typeIds[i]]!;
        const at = dense ? d.valueOffsets[i] : i;
        return cells[c]!(d.children[c]!, at);
      };
    }
    case Type.Dictionary: {
      const dictionaryCells = columnReader((type as unknown as { dictionary: DataType }).dictionary, o);
      // Decode each dictionary once, then index into it (InfluxDB sends every tag this way).
      let cachedFor: Vector | undefined;
      let decoded: unknown[] = [];
      return (d, i) => {
        const dictionary = d.dictionary!;
        if (dictionary !== cachedFor) {
          cachedFor = dictionary;
          decoded = dictionary.data.flatMap((chunk) => dictionaryCells(chunk, 0, chunk.length));
        }
        return decoded[Number(d.values[i])];
      };
    }
    default:
      // Types without a converter of ours (e.g. Utf8View, BinaryView): apache-arrow's own getter.
      return (d, i) => viewOf(d).get(i);
  }
}

const vectors = new WeakMap<Data, Vector>();

function viewOf(data: Data): Vector {
  let vector = vectors.get(data);
  if (!vector) vectors.set(data, (vector = makeVector(data)));
  return vector;
}

function nullable(cell: Cell): Cell {
  return (d, i) => (isValid(d, i) ? cell(d, i) : null);
}

/** Reads cells `[start, end)` of one Data (an Arrow column chunk) into an array. */
type ColumnReader = (data: Data, start: number, end: number) => unknown[];

function columnReader(type: DataType, o: Resolved): ColumnReader {
  const cell = cellFor(type, o);
  return (data, start, end) => {
    const out = new Array<unknown>(end - start);
    if (data.nullCount === 0) {
      for (let i = start; i < end; i++) out[i - start] = cell(data, i);
    } else {
      for (let i = start; i < end; i++) out[i - start] = isValid(data, i) ? cell(data, i) : null;
    }
    return out;
  };
}

function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * Turns record batches of one schema into rows. Create one per schema (converters are built
 * here, once) and call `rows(batch)` for each batch.
 */
export class RowConverter {
  readonly #readers: ColumnReader[];
  readonly #names: string[];
  readonly #objects: boolean;

  constructor(schema: Schema, options?: ValueOptions) {
    const o = resolve(options);
    this.#readers = schema.fields.map((f) => columnReader(f.type, o));
    this.#names = deduplicatedNames(schema.fields.map((f) => f.name));
    this.#objects = o.rowMode === 'object';
  }

  /** Column names used as object keys (duplicates made unique as `name:1`, `name:2`). */
  get names(): readonly string[] {
    return this.#names;
  }

  /** Converts rows `[start, end)` (default: all) of column `index` of `batch` into JS values. */
  column(batch: RecordBatch, index: number, start = 0, end = batch.numRows): unknown[] {
    const vector = batch.getChildAt(index);
    if (!vector) throw new RangeError(`no column ${index}`);
    const read = this.#readers[index]!;
    const chunks = vector.data;
    // One chunk is the rule for a batch: read the range straight from it.
    if (chunks.length === 1) return read(chunks[0]!, start, end);
    const out: unknown[] = [];
    let base = 0;
    for (const d of chunks) {
      const from = Math.max(start - base, 0);
      const to = Math.min(end - base, d.length);
      if (from < to) for (const v of read(d, from, to)) out.push(v);
      base += d.length;
    }
    return out;
  }

  /** Converts rows `[start, end)` (default: all) of `batch`. */
  rows(batch: RecordBatch, start = 0, end = batch.numRows): Row[] {
    const n = end - start;
    const columns = this.#readers.map((_, c) => this.column(batch, c, start, end));
    const out = new Array<Row>(n);
    const width = columns.length;
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
  return nullable(cellFor(data.type, resolve(options)))(data, index);
}
