/**
 * Parquet through hyparquet-writer. Parquet is written a row group at a time, so rows are held
 * until a row group is full (`ROW_GROUP_ROWS`) and then encoded and written: memory grows with
 * one row group, not with the result. Exact types where Parquet has them (integers, floats,
 * decimals, strings, binary, dates, timestamps in their own unit and zone flag; a decimal of
 * negative scale as the integer it is, or as text when too wide for that); the rest
 * (times, intervals, durations, nested values) as their exact text in UTF8 columns, nested
 * values as JSON text.
 */
import { DataType, TimeUnit, type RecordBatch, type Schema } from 'apache-arrow';
import { RowConverter } from '../../index';
import { deduplicatedNames } from '../../values';
import { CellText } from './cells';
import type { Sink } from './sink';
import type { ResultWriter } from './writer';

/** Rows per row group (DuckDB's default is 122,880). */
export const ROW_GROUP_ROWS = 122_880;

/** A Parquet schema element, as hyparquet describes it (its types are ESM-only). */
interface SchemaElement {
  name: string;
  type?: 'BOOLEAN' | 'INT32' | 'INT64' | 'FLOAT' | 'DOUBLE' | 'BYTE_ARRAY' | 'FIXED_LEN_BYTE_ARRAY';
  type_length?: number;
  repetition_type?: 'OPTIONAL' | 'REQUIRED';
  num_children?: number;
  converted_type?: 'UTF8' | 'DATE' | 'DECIMAL' | IntAnnotation;
  scale?: number;
  precision?: number;
  logical_type?:
    | { type: 'TIMESTAMP'; isAdjustedToUTC: boolean; unit: 'MILLIS' | 'MICROS' | 'NANOS' }
    | { type: 'DECIMAL'; precision: number; scale: number };
}

type IntAnnotation = 'INT_8' | 'INT_16' | 'UINT_8' | 'UINT_16' | 'UINT_32' | 'UINT_64';

const INT_TYPES: Readonly<Record<string, IntAnnotation | undefined>> = {
  INT_8: 'INT_8',
  INT_16: 'INT_16',
  UINT_8: 'UINT_8',
  UINT_16: 'UINT_16',
  UINT_32: 'UINT_32',
  UINT_64: 'UINT_64',
};

/** What hyparquet-writer's ParquetWriter does (the part used here). */
interface ParquetWriterLike {
  write(options: {
    columnData: { name: string; data: unknown[] }[];
    rowGroupSize: number;
  }): void | Promise<void>;
  finish(): void | Promise<void>;
}

interface ByteWriterLike {
  offset: number;
  getBytes(): Uint8Array;
  index: number;
  flush?: () => void | Promise<void>;
  finish(): void | Promise<void>;
}

interface HyparquetWriter {
  ByteWriter: new () => ByteWriterLike;
  ParquetWriter: new (options: { writer: ByteWriterLike; schema: SchemaElement[] }) => ParquetWriterLike;
}

/** How one Arrow column becomes a Parquet column: its element and a cell mapping. */
interface Plan {
  readonly element: SchemaElement;
  /** Converts the column's values of a batch (top-level timestamps: nanoseconds). */
  readonly values: (batch: RecordBatch, index: number) => unknown[];
}

const UNIT: Record<TimeUnit, { unit: 'MILLIS' | 'MICROS' | 'NANOS'; per: bigint }> = {
  [TimeUnit.SECOND]: { unit: 'MILLIS', per: 1_000_000n },
  [TimeUnit.MILLISECOND]: { unit: 'MILLIS', per: 1_000_000n },
  [TimeUnit.MICROSECOND]: { unit: 'MICROS', per: 1_000n },
  [TimeUnit.NANOSECOND]: { unit: 'NANOS', per: 1n },
};

function planOf(schema: Schema): Plan[] {
  const values = new RowConverter(schema);
  const nanos = new RowConverter(schema, { timestamps: 'bigint' });
  const text = new CellText(schema, 'T');
  // Parquet readers find columns by name: a repeated one gets a suffix (`a:1`).
  const names = deduplicatedNames(schema.fields.map((f) => f.name));
  return schema.fields.map((field, c): Plan => {
    const name = names[c]!;
    const optional = { name, repetition_type: 'OPTIONAL' as const };
    const plain = (batch: RecordBatch, i: number) => values.column(batch, i);
    const t = field.type;
    if (DataType.isBool(t)) return { element: { ...optional, type: 'BOOLEAN' }, values: plain };
    if (DataType.isInt(t)) {
      // Converted types, not the INTEGER logical type: DuckDB refuses hyparquet-writer's encoding
      // of the latter ("TProtocolException: Invalid data"). Signed 32 and 64 bits need neither.
      // hyparquet-writer turns unsigned values into their signed bit patterns itself.
      const annotation = INT_TYPES[`${t.isSigned ? 'INT' : 'UINT'}_${t.bitWidth}`];
      const element: SchemaElement = {
        ...optional,
        type: t.bitWidth === 64 ? 'INT64' : 'INT32',
        converted_type: annotation,
      };
      return { element, values: plain };
    }
    if (DataType.isFloat(t)) {
      return { element: { ...optional, type: t.precision === 2 ? 'DOUBLE' : 'FLOAT' }, values: plain };
    }
    if (DataType.isDecimal(t)) return decimalPlan(optional, t.precision, t.scale, t.bitWidth, plain);
    if (DataType.isUtf8(t) || DataType.isLargeUtf8(t)) {
      return { element: { ...optional, type: 'BYTE_ARRAY', converted_type: 'UTF8' }, values: plain };
    }
    if (DataType.isBinary(t) || DataType.isLargeBinary(t) || DataType.isFixedSizeBinary(t)) {
      return { element: { ...optional, type: 'BYTE_ARRAY' }, values: plain };
    }
    if (DataType.isDate(t)) {
      return { element: { ...optional, type: 'INT32', converted_type: 'DATE' }, values: plain };
    }
    if (DataType.isTimestamp(t)) {
      const { unit, per } = UNIT[t.unit];
      const element: SchemaElement = {
        ...optional,
        type: 'INT64',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: !!t.timezone, unit },
      };
      return {
        element,
        values: (b, i) => nanos.column(b, i).map((v) => (v === null ? null : (v as bigint) / per)),
      };
    }
    // Everything else as its exact text, nested values as JSON text: a UTF8 column, because
    // hyparquet-writer's JSON type re-encodes values through numbers (losing int64 digits).
    return {
      element: { ...optional, type: 'BYTE_ARRAY', converted_type: 'UTF8' },
      values: (b, i) => text.column(b, i),
    };
  });
}

/**
 * A decimal column. `plain` gives each value's exact text: the unscaled digits with the point
 * placed by the scale ('-12.345' at scale 3 is -12345), and at a negative scale the digits
 * with -scale zeros appended (123 at scale -2 is '12300'), the value as an integer. Parquet
 * has no negative scale, so such a column is written as that integer at scale 0 with
 * precision - scale digits when the Arrow type's width holds that many, else as its exact text.
 */
function decimalPlan(
  optional: { name: string; repetition_type: 'OPTIONAL' },
  arrowPrecision: number,
  arrowScale: number,
  bitWidth: number,
  plain: (batch: RecordBatch, index: number) => unknown[],
): Plan {
  const scale = Math.max(arrowScale, 0);
  const precision = arrowPrecision - (arrowScale - scale);
  const unscaled = (b: RecordBatch, i: number) =>
    plain(b, i).map((v) => (v === null ? null : BigInt((v as string).replace('.', ''))));
  if (precision > maxDecimalDigits(bitWidth)) {
    // Through BigInt for the integer's usual text: zero at scale -3 comes as '0000'.
    return {
      element: { ...optional, type: 'BYTE_ARRAY', converted_type: 'UTF8' },
      values: (b, i) => unscaled(b, i).map((v) => (v === null ? null : v.toString())),
    };
  }
  const element: SchemaElement = {
    ...optional,
    type: 'FIXED_LEN_BYTE_ARRAY',
    type_length: Math.ceil((Math.log2(10 ** precision) + 1) / 8),
    converted_type: 'DECIMAL',
    precision,
    scale,
    logical_type: { type: 'DECIMAL', precision, scale },
  };
  return { element, values: unscaled };
}

/** The most decimal digits a two's-complement integer of `bitWidth` bits always holds (38 for 128). */
function maxDecimalDigits(bitWidth: number): number {
  return Math.floor((bitWidth - 1) * Math.log10(2));
}

/** The Parquet writer: buffers one row group, then encodes it into the sink. */
export class ParquetWriter implements ResultWriter {
  readonly #sink: Sink;
  #plans: Plan[] = [];
  #columns: unknown[][] = [];
  #held = 0;
  #writer: ParquetWriterLike | undefined;
  #bytes: ByteWriterLike | undefined;

  constructor(sink: Sink) {
    this.#sink = sink;
  }

  async start(schema: Schema): Promise<void> {
    // hyparquet-writer is ESM-only: a real dynamic import, kept as one by the CommonJS build.
    const hyparquet = (await import('hyparquet-writer')) as unknown as HyparquetWriter;
    this.#plans = planOf(schema);
    this.#columns = this.#plans.map(() => []);
    this.#bytes = new hyparquet.ByteWriter();
    const root: SchemaElement = { name: 'root', num_children: this.#plans.length };
    this.#writer = new hyparquet.ParquetWriter({
      writer: this.#bytes,
      schema: [root, ...this.#plans.map((p) => p.element)],
    });
  }

  async write(batch: RecordBatch): Promise<void> {
    if (batch.numRows === 0) return;
    this.#plans.forEach((plan, c) => {
      const column = this.#columns[c]!;
      for (const value of plan.values(batch, c)) column.push(value);
    });
    this.#held += batch.numRows;
    if (this.#held >= ROW_GROUP_ROWS) await this.#flush();
  }

  async end(): Promise<void> {
    await this.#flush();
    await this.#writer!.finish();
    await this.#drain();
  }

  async #flush(): Promise<void> {
    if (this.#held === 0) return;
    const columnData = this.#plans.map((plan, c) => ({ name: plan.element.name, data: this.#columns[c]! }));
    await this.#writer!.write({ columnData, rowGroupSize: this.#held });
    this.#columns = this.#plans.map(() => []);
    this.#held = 0;
    await this.#drain();
  }

  /** Hands what the byte writer holds to the sink and empties it. */
  async #drain(): Promise<void> {
    const bytes = this.#bytes!;
    if (bytes.index === 0) return;
    const chunk = bytes.getBytes().slice();
    bytes.index = 0;
    await this.#sink.write(chunk);
  }
}
