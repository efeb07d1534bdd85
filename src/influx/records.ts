/**
 * Records to line protocol for InfluxDBClient3: Points, plain objects, line-protocol text,
 * Arrow tables, and rows read from files. Typed sources (Arrow, Parquet) keep their column
 * types (Int64 stays an integer field); untyped ones (CSV, JSON) follow simple, stated rules.
 */
import { DataType, Type, type Field, type RecordBatch, type Schema, type Table } from 'apache-arrow';
import { isPolarsDataFrame, toArrowTable, type PolarsDataFrame } from '../dataframe';
import { InterfaceError } from '../errors';
import { RowConverter } from '../values';
import { LineProtocolError, show } from './errors';
import { Point, toLine, type PointObject } from './Point';
import { isIterable, lineOf } from './serialize';
import type { PreparedTags } from './tagOrder';
import { forEachLine } from '../lineprotocol';
import { isoFromNanoseconds, type WirePrecision } from './timestamps';

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
  /**
   * Columns written as fields (influxdb3-python's `data_frame_field_columns`); others that are
   * not tags, the timestamp or the measurement are left out. Default: every such column.
   */
  readonly fieldColumns?: readonly string[];
  /** The column holding the time (Date, bigint ns, ISO text, or a number in the write's precision). */
  readonly timestampColumn?: string;
  /** Untyped sources (CSV, JSON): columns whose numbers are integer fields (others are floats). */
  readonly integerColumns?: readonly string[];
}

/** How records become lines: the row mapping, and default tags prepared once for the write. */
export interface RecordOptions extends RowMapping {
  /** Tags added to every point and row that lacks them (never to line-protocol text). */
  readonly defaults?: PreparedTags;
}

/**
 * The kind of field a typed column writes. `timestamp` columns come as exact bigint
 * nanoseconds (or Dates): the time of the point, or an RFC 3339 string field.
 */
export type FieldKind = 'float' | 'integer' | 'unsigned' | 'string' | 'boolean' | 'timestamp' | 'skip';

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
    case Type.Timestamp:
      return 'timestamp';
    case Type.Null:
      return 'skip';
    default:
      // Dates, times, binary, nested values: written as their text.
      return 'string';
  }
}

/**
 * One item of `write()`'s input: a record, an Arrow Table, an Arrow RecordBatch, or a
 * nodejs-polars DataFrame (written as the Arrow Table it converts to).
 */
export type WriteItem = WriteRecord | Table | RecordBatch | PolarsDataFrame;

/**
 * What `write()` takes: one item, or any number of them (an array or any iterable, or an async
 * iterable such as an Arrow RecordBatchReader).
 */
export type WriteRecords = WriteItem | Iterable<WriteItem> | AsyncIterable<WriteItem>;

/**
 * Appends the lines of one record to `out`: a Point or point object gives one line, text as
 * many as the scanner finds in it (a line feed inside a quoted string does not end a line),
 * a Table one per row. A bad record throws LineProtocolError naming `index` (its position in
 * the input).
 */
export function appendLinesOfRecord(
  item: WriteItem,
  precision: WirePrecision,
  mapping: RecordOptions,
  index: number,
  out: string[],
): void {
  if (typeof item === 'string') {
    forEachLine(item, (line) => void out.push(line));
  } else if (isTable(item) || isPolarsDataFrame(item)) {
    const table = toArrowTable(item);
    checkColumns(table.schema, mapping);
    let firstRow = 0;
    for (const batch of table.batches) {
      appendLines(linesOfBatch(batch, precision, mapping, firstRow), out);
      firstRow += batch.numRows;
    }
  } else if (isRecordBatch(item)) {
    checkColumns(item.schema, mapping);
    appendLines(linesOfBatch(item, precision, mapping), out);
  } else {
    out.push(lineOf(item, precision, mapping.defaults, index));
  }
}

/**
 * Lines of any number of records (one, an array or another iterable), every one checked before
 * any is returned; a bad record throws LineProtocolError naming its position. Never spreads
 * the input into a call, so its size is bounded by memory alone.
 */
export function linesOfRecords(
  records: WriteItem | Iterable<WriteItem>,
  precision: WirePrecision,
  mapping: RecordOptions = {},
): string[] {
  const lines: string[] = [];
  // A string, a Table and a DataFrame are iterable (characters, rows), yet one item each.
  if (typeof records === 'string' || isTable(records) || isPolarsDataFrame(records) || !isIterable(records)) {
    appendLinesOfRecord(records as WriteItem, precision, mapping, 0, lines);
    return lines;
  }
  let index = 0;
  for (const item of records as Iterable<WriteItem>)
    appendLinesOfRecord(item, precision, mapping, index++, lines);
  return lines;
}

/**
 * Lines of records read from an async iterable, handed to `sink` `chunk` lines at a time (the
 * sink's promise paces the reading); each chunk is checked before it goes. Resolves to the
 * number of lines.
 */
export async function streamLinesOfRecords(
  records: AsyncIterable<WriteItem>,
  precision: WirePrecision,
  mapping: RecordOptions,
  chunk: number,
  sink: (lines: string[]) => Promise<void>,
): Promise<number> {
  let lines: string[] = [];
  let index = 0;
  let total = 0;
  for await (const item of records) {
    appendLinesOfRecord(item, precision, mapping, index++, lines);
    if (lines.length >= chunk) {
      total += lines.length;
      await sink(lines);
      lines = [];
    }
  }
  if (lines.length > 0) {
    total += lines.length;
    await sink(lines);
  }
  return total;
}

function appendLines(lines: readonly string[], out: string[]): void {
  for (let i = 0; i < lines.length; i++) out.push(lines[i]!);
}

/** An apache-arrow RecordBatch (of any copy of the library), recognised by shape. */
function isRecordBatch(value: unknown): value is RecordBatch {
  return (
    typeof value === 'object' &&
    value !== null &&
    'schema' in value &&
    'numRows' in value &&
    'data' in value &&
    !('batches' in value)
  );
}

/** An apache-arrow Table (of any copy of the library), recognised by shape. */
export function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && 'batches' in value && 'schema' in value;
}

/** Lines of one Arrow RecordBatch, its column types kept; `firstRow` numbers its rows in errors. */
export function linesOfBatch(
  batch: RecordBatch,
  precision: WirePrecision,
  mapping: RecordOptions,
  firstRow = 0,
): string[] {
  const rows = new RowConverter(batch.schema, {
    rowMode: 'object',
    timestamps: 'bigint',
    int64: 'bigint',
  }).rows(batch) as Record<string, unknown>[];
  return linesOfRows(rows, precision, mapping, { kinds: kindsOfSchema(batch.schema), firstRow });
}

/**
 * Refuses a mapping that names a column the data lacks (tagColumns, fieldColumns,
 * integerColumns, timestampColumn, measurementColumn): the tag would be written as a field, the
 * integers as floats, silently. `columns` is an Arrow schema or the column names (a CSV header,
 * a Parquet schema, the keys of JSON rows); `where` names the data in the error.
 */
export function checkColumns(
  columns: Schema | Iterable<string>,
  mapping: RowMapping,
  where = 'the data',
): void {
  const names = new Set('fields' in columns ? columns.fields.map((f) => f.name) : columns);
  const named: [string, readonly (string | undefined)[]][] = [
    ['tagColumns', mapping.tagColumns ?? []],
    ['fieldColumns', mapping.fieldColumns ?? []],
    ['integerColumns', mapping.integerColumns ?? []],
    ['timestampColumn', [mapping.timestampColumn]],
    ['measurementColumn', [mapping.measurementColumn]],
  ];
  for (const [option, list] of named) {
    for (const column of list) {
      if (column !== undefined && !names.has(column)) {
        throw new InterfaceError(`${option}: no column ${show(column)} in ${where}`);
      }
    }
  }
}

/** The field kinds of an Arrow schema (for sources that give rows with an Arrow schema). */
export function kindsOfSchema(schema: Schema): (name: string) => FieldKind {
  const kinds = new Map(schema.fields.map((f: Field) => [f.name, kindOf(f.type)] as const));
  return (name) => kinds.get(name) ?? 'string';
}

/** How `linesOfRows` reads its rows. */
export interface RowsOptions {
  /** Typed sources: each column's kind. Without it, values decide (see linesOfRows). */
  readonly kinds?: (name: string) => FieldKind;
  /** CSV: numeric and true/false text are numbers and booleans. */
  readonly parseText?: boolean;
  /** Rows before these in the source (errors count rows from 1 over the whole source). */
  readonly firstRow?: number;
  /** The source's name, for errors (a file's path). */
  readonly source?: string;
}

/**
 * Lines of rows (objects keyed by column). `kinds` gives typed sources' kinds; without it,
 * values decide: numbers are floats (integers for `integerColumns`), booleans booleans, text
 * text — and, with `parseText` (CSV), numeric and true/false text too. Integers of
 * `integerColumns` are exact at any size (bigint, or digits in text). A bad cell throws
 * LineProtocolError naming its row and column.
 */
export function linesOfRows(
  rows: readonly Record<string, unknown>[],
  precision: WirePrecision,
  mapping: RecordOptions,
  how: RowsOptions = {},
): string[] {
  const tags = new Set(mapping.tagColumns ?? []);
  const fields = mapping.fieldColumns === undefined ? undefined : new Set(mapping.fieldColumns);
  const integers = new Set(mapping.integerColumns ?? []);
  const time = mapping.timestampColumn;
  const { kinds, parseText = false, firstRow = 0, source } = how;
  const timeIsNanoseconds = time !== undefined && kinds?.(time) === 'timestamp';
  const lines = new Array<string>(rows.length);
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index]!;
    const where = (column?: string) => ({ row: firstRow + index + 1, column, source });
    const measurement =
      (mapping.measurementColumn ? row[mapping.measurementColumn] : undefined) ?? mapping.measurement;
    if (typeof measurement !== 'string' || measurement === '') {
      throw new LineProtocolError(
        'no measurement (give `measurement` or `measurementColumn`)',
        undefined,
        firstRow + index,
        where(mapping.measurementColumn),
      );
    }
    let column: string | undefined;
    try {
      const point = new Point(measurement);
      for (const name in row) {
        const raw = row[name];
        if (raw === null || raw === undefined || raw === '' || name === time) continue;
        if (name === mapping.measurementColumn) continue;
        column = name;
        if (tags.has(name)) point.tag(name, textOf(raw));
        else if (fields !== undefined && !fields.has(name)) continue;
        else addField(point, name, raw, kinds?.(name), integers.has(name), parseText);
      }
      if (time !== undefined) {
        column = time;
        const t = row[time];
        if (t === null || t === undefined || t === '')
          throw new LineProtocolError(`no value in timestamp column ${show(time)}`);
        // A bigint is nanoseconds to Point; a column's integers are in the write's precision,
        // unless the column is a timestamp (read as exact nanoseconds).
        point.timestamp(
          typeof t === 'bigint' && !timeIsNanoseconds ? t.toString() : (t as Date | bigint | number | string),
        );
      }
      column = undefined;
      lines[index] = point[toLine](precision, mapping.defaults);
    } catch (err) {
      if (err instanceof LineProtocolError || err instanceof InterfaceError) {
        const problem = err instanceof LineProtocolError ? err.problem : err.message;
        throw new LineProtocolError(problem, measurement, firstRow + index, where(column));
      }
      throw err;
    }
  }
  return lines;
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** A cell of an integerColumns column, exactly: bigint for digits (any size), else refused. */
function integerOf(value: number | bigint | string, name: string): number | bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (INTEGER.test(text)) return BigInt(text);
  } else if (Number.isSafeInteger(value)) return value;
  throw new LineProtocolError(
    `${show(String(value))} is not an integer, but column ${show(name)} is one of integerColumns`,
  );
}

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
    case 'timestamp':
      point.stringField(name, typeof value === 'bigint' ? isoFromNanoseconds(value) : textOf(value));
      return;
    case 'string':
      point.stringField(name, textOf(value));
      return;
    default:
      break;
  }
  // Untyped sources (CSV, JSON): the value decides, `integerColumns` makes numbers integers.
  if (typeof value === 'string' && parseText) {
    const text = value.trim();
    if (NUMERIC.test(text)) {
      if (integer) point.intField(name, integerOf(text, name));
      else point.floatField(name, Number(text));
      return;
    }
    if (/^(true|false)$/i.test(text)) return void point.booleanField(name, text.toLowerCase() === 'true');
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    // JSON's integers beyond 2^53 come as bigint: exact for integerColumns, floats elsewhere.
    if (integer) point.intField(name, integerOf(value, name));
    else point.floatField(name, Number(value));
  } else if (typeof value === 'boolean') point.booleanField(name, value);
  else if (typeof value === 'string') point.stringField(name, value);
  else if (value instanceof Date) point.stringField(name, value.toISOString());
  else if (typeof value === 'object') point.stringField(name, JSON.stringify(value));
  else throw new LineProtocolError(`cannot write a ${typeof value} as a field`);
}

/** A cell as text: Dates in RFC 3339, bigint nanoseconds too, objects as JSON (bigints as their digits). */
function textOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object')
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return String(value);
}
