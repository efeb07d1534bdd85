/**
 * Records to line protocol for InfluxDBClient3: Points, plain objects, line-protocol text,
 * Arrow tables, and rows read from files. Typed sources (Arrow, Parquet) keep their column
 * types (Int64 stays an integer field); untyped ones (CSV, JSON) follow simple, stated rules.
 */
import { DataType, Type, type Field, type RecordBatch, type Schema, type Table } from 'apache-arrow';
import { InterfaceError } from '../errors';
import { RowConverter } from '../values';
import { LineProtocolError } from './errors';
import { Point, toLine, type PointObject } from './Point';
import { linesOf, linesOfText } from './serialize';
import type { WirePrecision } from './timestamps';

/** What `write()` takes: Points, point objects, line-protocol text, or an Arrow Table. */
export type WriteRecord = Point | PointObject | string;

/** How rows of a table or file become points. */
export interface RowMapping {
  /** The measurement of every row, or, when `measurementColumn` is set, the default. */
  readonly measurement?: string;
  /** A column holding each row's measurement. */
  readonly measurementColumn?: string;
  /** Columns written as tags; every other column (but the timestamp) is a field. */
  readonly tagColumns?: readonly string[];
  /** The column holding the time (Date, bigint ns, ISO text, or a number in the write's precision). */
  readonly timestampColumn?: string;
  /** Untyped sources (CSV, JSON): columns whose numbers are integer fields (others are floats). */
  readonly integerColumns?: readonly string[];
}

/** The kind of field a typed column writes. */
type FieldKind = 'float' | 'integer' | 'unsigned' | 'string' | 'boolean' | 'skip';

/** Field kind of an Arrow type. */
function kindOf(type: DataType): FieldKind {
  switch (type.typeId) {
    case Type.Int: {
      const { isSigned } = type as unknown as { isSigned: boolean };
      return isSigned ? 'integer' : 'unsigned';
    }
    case Type.Float:
    case Type.Decimal:
      return 'float';
    case Type.Bool:
      return 'boolean';
    case Type.Utf8:
    case Type.LargeUtf8:
      return 'string';
    case Type.Dictionary:
      return kindOf((type as unknown as { dictionary: DataType }).dictionary);
    case Type.Null:
      return 'skip';
    default:
      // Dates, times, binary, nested values: written as their text.
      return 'string';
  }
}

/** Lines for any mix of records; a bad record throws LineProtocolError naming it. */
export function linesOfRecords(
  records: WriteRecord | Table | readonly (WriteRecord | Table)[],
  precision: WirePrecision,
  mapping: RowMapping = {},
): string[] {
  const items = Array.isArray(records) ? records : [records];
  const lines: string[] = [];
  const points: (Point | PointObject)[] = [];
  const flush = () => {
    if (points.length) lines.push(...linesOf(points.splice(0), precision, undefined).lines);
  };
  for (const item of items) {
    if (typeof item === 'string') {
      flush();
      for (const text of linesOfText(item))
        for (const line of text.split('\n')) if (line.trim()) lines.push(line);
    } else if (isTable(item)) {
      flush();
      for (const batch of item.batches) lines.push(...linesOfBatch(batch, precision, mapping));
    } else {
      points.push(item as Point | PointObject);
    }
  }
  flush();
  return lines;
}

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && 'batches' in value && 'schema' in value;
}

/** Lines of one Arrow RecordBatch, its column types kept. */
export function linesOfBatch(batch: RecordBatch, precision: WirePrecision, mapping: RowMapping): string[] {
  const kinds = new Map(batch.schema.fields.map((f: Field) => [f.name, kindOf(f.type)] as const));
  const rows = new RowConverter(batch.schema, {
    rowMode: 'object',
    timestamps: 'bigint',
    int64: 'bigint',
  }).rows(batch) as Record<string, unknown>[];
  const timeField = batch.schema.fields.find((f) => f.name === mapping.timestampColumn);
  const nanos = timeField !== undefined && DataType.isTimestamp(timeField.type);
  return linesOfRows(rows, precision, mapping, (name) => kinds.get(name) ?? 'string', false, nanos);
}

/** The field kinds of an Arrow schema (for sources that give rows with an Arrow schema). */
export function kindsOfSchema(schema: Schema): (name: string) => FieldKind {
  const kinds = new Map(schema.fields.map((f) => [f.name, kindOf(f.type)] as const));
  return (name) => kinds.get(name) ?? 'string';
}

/**
 * Lines of rows (objects keyed by column). `kindOfColumn` gives typed sources' kinds; without
 * it, values decide: numbers are floats (integers for `integerColumns`), bigints integers,
 * booleans booleans, text text — and, with `parseText` (CSV), numeric and true/false text too.
 */
export function linesOfRows(
  rows: readonly Record<string, unknown>[],
  precision: WirePrecision,
  mapping: RowMapping,
  kindOfColumn?: (name: string) => FieldKind,
  parseText = false,
  timeIsNanoseconds = false,
): string[] {
  const tags = new Set(mapping.tagColumns ?? []);
  const integers = new Set(mapping.integerColumns ?? []);
  const time = mapping.timestampColumn;
  const lines = new Array<string>(rows.length);
  rows.forEach((row, index) => {
    const measurement =
      (mapping.measurementColumn ? row[mapping.measurementColumn] : undefined) ?? mapping.measurement;
    if (typeof measurement !== 'string' || measurement === '') {
      throw new LineProtocolError(
        'no measurement (give `measurement` or `measurementColumn`)',
        undefined,
        index,
      );
    }
    const point = new Point(measurement);
    try {
      for (const [name, raw] of Object.entries(row)) {
        if (
          raw === null ||
          raw === undefined ||
          raw === '' ||
          name === time ||
          name === mapping.measurementColumn
        ) {
          continue;
        }
        if (tags.has(name)) {
          point.tag(name, raw instanceof Date ? raw.toISOString() : String(raw));
          continue;
        }
        addField(point, name, raw, kindOfColumn?.(name), integers.has(name), parseText);
      }
      if (time !== undefined) {
        const t = row[time];
        if (t === null || t === undefined || t === '')
          throw new LineProtocolError(`no value in timestamp column ${time}`);
        // A bigint is nanoseconds to Point; a column's integers are in the write's precision,
        // unless the column is an Arrow timestamp (read as exact nanoseconds).
        point.timestamp(
          typeof t === 'bigint' && !timeIsNanoseconds ? t.toString() : (t as Date | bigint | number | string),
        );
      }
      lines[index] = point[toLine](precision, undefined);
    } catch (err) {
      if (err instanceof LineProtocolError) throw new LineProtocolError(err.problem, measurement, index);
      throw err;
    }
  });
  return lines;
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function addField(
  point: Point,
  name: string,
  value: unknown,
  kind: FieldKind | undefined,
  integer: boolean,
  parseText: boolean,
) {
  switch (kind) {
    case 'skip':
      return;
    case 'integer':
      point.intField(name, typeof value === 'bigint' ? value : BigInt(value as number));
      return;
    case 'unsigned':
      point.uintField(name, typeof value === 'bigint' ? value : BigInt(value as number));
      return;
    case 'float':
      point.floatField(name, Number(value));
      return;
    case 'boolean':
      point.booleanField(name, Boolean(value));
      return;
    case 'string':
      point.stringField(
        name,
        value instanceof Date
          ? value.toISOString()
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value),
      );
      return;
    default:
      break;
  }
  if (typeof value === 'string' && parseText) {
    const text = value.trim();
    if (NUMERIC.test(text))
      return integer ? void point.intField(name, BigInt(text)) : void point.floatField(name, Number(text));
    if (/^(true|false)$/i.test(text)) return void point.booleanField(name, text.toLowerCase() === 'true');
  }
  if (typeof value === 'number') {
    if (integer) point.intField(name, value);
    else point.floatField(name, value);
  } else if (typeof value === 'bigint') point.intField(name, value);
  else if (typeof value === 'boolean') point.booleanField(name, value);
  else if (typeof value === 'string') point.stringField(name, value);
  else if (value instanceof Date) point.stringField(name, value.toISOString());
  else if (typeof value === 'object') point.stringField(name, JSON.stringify(value));
  else throw new InterfaceError(`field ${name}: cannot write ${typeof value}`);
}
