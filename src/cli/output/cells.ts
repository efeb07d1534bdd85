/**
 * Cells as text for the CLI's text formats, exact by construction: values come from the
 * library's RowConverter with lossless options (int64 as bigint, decimals as strings), and
 * top-level timestamps are rebuilt here from exact nanoseconds so that they keep every digit
 * of their unit and show the column's time zone. Columns are read by position, never by name:
 * two columns may share one.
 */
import { DataType, type Field, type RecordBatch, type Schema, TimeUnit, Type } from 'apache-arrow';
import { RowConverter } from '../../index';
import { timeZoneOf, timestampText, type Zone } from './timestamps';

/** How a column's text goes into JSON: bare (numbers, booleans, nested JSON) or as a string. */
export type JsonShape = 'number' | 'boolean' | 'raw' | 'string';

/** One column of a result, as the formats see it. */
export interface ColumnInfo {
  readonly name: string;
  /** Right-aligned in the table format. */
  readonly numeric: boolean;
  readonly json: JsonShape;
}

/** Where date and time meet in a timestamp: a space for people, `T` for JSON (ISO 8601). */
export type DateTimeSeparator = ' ' | 'T';

const DIGITS: Record<TimeUnit, number> = {
  [TimeUnit.SECOND]: 0,
  [TimeUnit.MILLISECOND]: 3,
  [TimeUnit.MICROSECOND]: 6,
  [TimeUnit.NANOSECOND]: 9,
};

/** The value type of a column: a dictionary's values, otherwise the type itself. */
function valueType(type: DataType): DataType {
  return DataType.isDictionary(type) ? valueType(type.dictionary) : type;
}

function jsonShape(type: DataType): JsonShape {
  const t = valueType(type);
  if (DataType.isInt(t) || DataType.isFloat(t)) return 'number';
  if (DataType.isBool(t)) return 'boolean';
  if (DataType.isNull(t)) return 'raw';
  if (
    DataType.isList(t) ||
    DataType.isFixedSizeList(t) ||
    DataType.isStruct(t) ||
    DataType.isMap(t) ||
    DataType.isUnion(t) ||
    t.typeId === Type.LargeList ||
    DataType.isInterval(t)
  ) {
    return 'raw';
  }
  return 'string';
}

function isNumeric(type: DataType): boolean {
  const t = valueType(type);
  return DataType.isInt(t) || DataType.isFloat(t) || DataType.isDecimal(t);
}

/** Converts one column's cells `[start, end)` of a batch into text (null stays null). */
type ColumnText = (batch: RecordBatch, index: number, start: number, end: number) => (string | null)[];

/**
 * Turns batches of one schema into text, column by column. Build one per result (per schema).
 */
export class CellText {
  /** The columns, in order (names may repeat). */
  readonly columns: readonly ColumnInfo[];
  readonly #texts: ColumnText[];

  constructor(schema: Schema, separator: DateTimeSeparator) {
    // Nested timestamps come as exact ISO strings; top-level ones as exact nanoseconds, so that
    // their time zone can be applied here.
    const values = new RowConverter(schema, { timestamps: 'string' });
    const nanos = new RowConverter(schema, { timestamps: 'bigint' });
    this.columns = schema.fields.map((f) => ({
      name: f.name,
      numeric: isNumeric(f.type),
      json: jsonShape(f.type),
    }));
    this.#texts = schema.fields.map((field) => columnText(field, values, nanos, separator));
  }

  /** The text of rows `[start, end)` of `batch`, one array per column. */
  text(batch: RecordBatch, start = 0, end = batch.numRows): (string | null)[][] {
    return this.#texts.map((text, c) => text(batch, c, start, end));
  }

  /** The text of column `index`, rows `[start, end)`. */
  column(batch: RecordBatch, index: number, start = 0, end = batch.numRows): (string | null)[] {
    return this.#texts[index]!(batch, index, start, end);
  }
}

function columnText(
  field: Field,
  values: RowConverter,
  nanos: RowConverter,
  separator: DateTimeSeparator,
): ColumnText {
  const type = valueType(field.type);
  if (DataType.isTimestamp(type)) {
    const digits = DIGITS[type.unit];
    const zone: Zone = timeZoneOf(type.timezone);
    return (batch, c, start, end) =>
      nanos
        .column(batch, c, start, end)
        .map((v) => (v === null ? null : timestampText(v as bigint, digits, zone, separator)));
  }
  if (DataType.isDate(type)) {
    // Arrow dates are days (date64 in milliseconds, whole days by the spec): no time of day.
    return (batch, c, start, end) =>
      values.column(batch, c, start, end).map((v) => (v === null ? null : dateText(v as Date)));
  }
  return (batch, c, start, end) => values.column(batch, c, start, end).map(scalarText);
}

/** `YYYY-MM-DD` of a date; a date64 with a time of day (outside the spec) keeps it. */
function dateText(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/** Text of a converted value: strings as they are, numbers in their shortest exact form. */
export function scalarText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value);
  }
  if (value instanceof Uint8Array) return hexText(value);
  if (value instanceof Date) return dateText(value);
  return jsonText(value);
}

/** Binary as `0x` and lowercase hex digits. */
export function hexText(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/**
 * JSON of a nested value, exact: bigints as bare digits (valid JSON that a lossless parser
 * reads exactly), binary as hex strings, NaN and infinities as strings.
 */
export function jsonText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : JSON.stringify(String(value));
    case 'bigint':
      return value.toString();
    case 'boolean':
      return String(value);
    default:
      break;
  }
  if (value instanceof Uint8Array) return JSON.stringify(hexText(value));
  if (value instanceof Date) return JSON.stringify(dateText(value));
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value instanceof Map) {
    return `{${[...value].map(([k, v]) => `${JSON.stringify(String(k))}:${jsonText(v)}`).join(',')}}`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
}
