/**
 * Parameters of prepared statements as an Arrow batch: one row per parameter set, one column
 * per parameter, typed from the server's parameter schema (or from the values where the server
 * cannot tell a type).
 */
import {
  Field,
  Null,
  RecordBatch,
  Schema,
  Table,
  Type,
  vectorFromArray,
  Binary,
  Bool,
  Float64,
  Int64,
  TimestampMicrosecond,
  TimeMicrosecond,
  DateDay,
  Utf8,
  makeData,
  makeVector,
  Struct,
  type Data,
  type DataType,
  type Union,
  type Vector,
  TimeUnit,
} from 'apache-arrow';
import { DataError, InterfaceError, ProgrammingError, messageOf } from '../errors';
import { NS_PER_UNIT } from '../values';
import {
  arrowKind,
  describeValue as describeArrowInput,
  ownRecordBatch,
  ownTable,
} from '../flight/arrowInput';
import { conformBatch } from './conform';
import { SqlDate, SqlTime } from './temporal';
import { coercerFor, describeValue, timestampUnits } from './coerce';
import { FastColumnError, fastEncoder } from './fastParameters';
import { unionColumn } from './unionParameters';

/** Parameters: one row of positional values, several rows, or Arrow data used as it is. */
export type Parameters = readonly unknown[] | readonly (readonly unknown[])[] | RecordBatch | Table;

/** The Arrow type for a value whose parameter type the server left open. */
function typeForValue(value: unknown): DataType {
  if (typeof value === 'bigint') return new Int64();
  if (typeof value === 'number') return new Float64();
  if (typeof value === 'boolean') return new Bool();
  if (value instanceof Uint8Array) return new Binary();
  if (value instanceof SqlDate) return new DateDay();
  if (value instanceof Date) return new TimestampMicrosecond();
  if (value instanceof SqlTime) return new TimeMicrosecond();
  return new Utf8();
}

function isRows(
  parameters: readonly unknown[] | readonly (readonly unknown[])[],
): parameters is readonly (readonly unknown[])[] {
  return parameters.length > 0 && parameters.every((p) => Array.isArray(p));
}

/**
 * The general column of `type` from `values` through apache-arrow's builders (every type); a
 * value the type cannot hold exactly is a DataError. Exported for the tests that hold the fast
 * paths to it.
 */
export function generalColumn(type: DataType, values: unknown[], name: string): Vector {
  let row = 0;
  try {
    if (type.typeId === Type.Decimal) return decimalColumn(type, values);
    if (type.typeId === Type.Timestamp) return timestampColumn(type, values, (r) => (row = r));
    if (type.typeId === Type.Union) return unionColumn(type as Union, values, name, generalColumn);
    const coerce = coercerFor(type);
    const ready = values.map((v, r) => ((row = r), v === null ? null : coerce(v)));
    return vectorFromArray(ready, type);
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw refused(type, values[row], name, err);
  }
}

function refused(type: DataType, value: unknown, name: string, err: unknown): DataError {
  return new DataError(
    `parameter ${name}: cannot bind ${describeValue(value)} as ${String(type)} (${messageOf(err)})`,
    { cause: err },
  );
}

/**
 * Rows `[start, end)` of a column (`values[i]`, or `values[i][column]` for a non-negative
 * `column`): typed arrays filled directly where the type allows, apache-arrow's builders otherwise.
 */
function columnData(
  type: DataType,
  values: readonly unknown[],
  column: number,
  name: string,
  start: number,
  end: number,
): Data {
  const encoder = fastEncoder(type, start, end - start);
  if (!encoder) return generalColumn(type, valuesOf(values, column, start, end), name).data[0]!;
  try {
    encoder.fill(values, column, start, end);
  } catch (err) {
    if (err instanceof FastColumnError)
      throw refused(type, valuesOf(values, column, err.row, err.row + 1)[0], name, err.cause);
    throw err;
  }
  return encoder.finish();
}

/** Rows `[start, end)` of a column as the general path takes them (undefined is null). */
function valuesOf(values: readonly unknown[], column: number, start: number, end: number): unknown[] {
  const out: unknown[] = [];
  for (let r = start; r < end; r++)
    out.push((column < 0 ? values[r] : (values[r] as readonly unknown[])[column]) ?? null);
  return out;
}

/** A column builder for union members and casts of Arrow data: fast where the type allows. */
function buildColumn(type: DataType, values: unknown[], name: string): Vector {
  if (type.typeId === Type.Union) return unionColumn(type as Union, values, name, buildColumn);
  return makeVector(columnData(type, values, -1, name, 0, values.length));
}

/**
 * The general Timestamp column (see `timestampUnits`), built by hand: apache-arrow's timestamp
 * builders take milliseconds as numbers.
 */
function timestampColumn(type: DataType, values: unknown[], at: (row: number) => void): Vector {
  const perUnit = NS_PER_UNIT[(type as unknown as { unit: TimeUnit }).unit];
  const data = new BigInt64Array(values.length);
  const validity = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((value, row) => {
    at(row);
    if (value === null) {
      nullCount++;
      return;
    }
    data[row] = timestampUnits(value, perUnit);
    validity[row >> 3]! |= 1 << (row & 7);
  });
  return makeVector(
    makeData({ type: type as never, length: values.length, nullCount, nullBitmap: validity, data } as never),
  );
}

function decimalColumn(type: DataType, values: unknown[]): Vector {
  const { scale, bitWidth } = type as unknown as { scale: number; bitWidth: number };
  const words = bitWidth / 32;
  const data = new Uint32Array(values.length * words);
  const validity = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((value, row) => {
    if (value === null || value === undefined) {
      nullCount++;
      return;
    }
    validity[row >> 3]! |= 1 << (row & 7);
    const text = String(value);
    const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
    if (!match) throw new RangeError(`not a decimal: ${text}`);
    const fraction = (match[3] ?? '').padEnd(scale, '0');
    if (fraction.length > scale && /[1-9]/.test(fraction.slice(scale)))
      throw new RangeError(`too many digits: ${text}`);
    let n = BigInt((match[2] || '0') + fraction.slice(0, scale));
    if (match[1] === '-') n = -n;
    let bits = BigInt.asUintN(bitWidth, n);
    for (let w = 0; w < words; w++) {
      data[row * words + w] = Number(bits & 0xffffffffn);
      bits >>= 32n;
    }
  });
  return makeVector(
    makeData({ type: type as never, length: values.length, nullCount, nullBitmap: validity, data }),
  );
}

/** Rows per parameter batch: big enough to amortise each message, small enough that DoPut streams. */
export const BATCH_ROWS = 65_536;

/**
 * Builds the parameter batches for the server's declared parameter `schema` from positional
 * values (one row), rows of values, or Arrow data. Each batch carries the declared schema
 * exactly (names, types, nullability, metadata): Arrow data is cast to it where that loses
 * nothing. Parameters the server left open (no field, or a Null-typed one) take the values' own
 * types. Rows become batches of up to `BATCH_ROWS` rows, all with one schema.
 */
export function parameterBatches(schema: Schema, parameters: Parameters): RecordBatch[] {
  // Arrow data from any copy or version of apache-arrow, recognised by shape.
  const kind = Array.isArray(parameters) ? undefined : arrowKind(parameters);
  if (kind === 'batch') return [conformBatch(ownRecordBatch(parameters), schema, buildColumn)];
  if (kind === 'table' || kind === 'ipc')
    return ownTable(parameters).batches.map((b) => conformBatch(b, schema, buildColumn));
  if (!Array.isArray(parameters))
    throw new InterfaceError(
      `parameters: expected an array of values, an array of rows, or an apache-arrow Table or RecordBatch, got ${describeArrowInput(parameters)}`,
    );
  const rows = isRows(parameters) ? parameters : [parameters as readonly unknown[]];
  return rowBatches(schema, rows);
}

/**
 * The batches of `rows`, column by column as the general path goes (so the first value refused
 * is the same), typed once per column. `general` builds every column through apache-arrow's
 * builders in one batch: the reference the fast paths are tested against.
 * @internal
 */
export function rowBatches(
  schema: Schema,
  rows: readonly (readonly unknown[])[],
  { batchRows = BATCH_ROWS, general = false }: { batchRows?: number; general?: boolean } = {},
): RecordBatch[] {
  const width = schema.fields.length || (rows[0]?.length ?? 0);
  for (const row of rows) {
    if (row.length !== width) {
      // PEP 249: a wrong number of parameters is the program's mistake.
      throw new ProgrammingError(`the statement takes ${width} parameter(s), a row has ${row.length}`);
    }
  }
  const fields = Array.from({ length: width }, (_, c) => fieldOf(schema.fields[c], rows, c));
  const size = general || width === 0 ? Math.max(rows.length, 1) : Math.max(1, batchRows);
  let columns: Data[][];
  if (general) columns = byColumn(fields, rows, size, true);
  else {
    try {
      columns = byBlock(fields, rows, size);
    } catch (err) {
      // Report what the general path reports: the first value refused, column by column.
      if (!(err instanceof DataError)) throw err;
      columns = byColumn(fields, rows, size, false);
    }
  }
  const batchSchema = new Schema(fields, schema.metadata);
  const struct = new Struct(fields);
  return (columns[0] ?? [undefined]).map((_, k) => {
    const length = Math.min(rows.length, (k + 1) * size) - k * size;
    const children = columns.map((parts) => parts[k]!);
    return new RecordBatch(batchSchema, makeData({ type: struct, length, nullCount: 0, children }));
  });
}

/** The declared field, or where the server left the parameter open, the first value's type. */
function fieldOf(declared: Field | undefined, rows: readonly (readonly unknown[])[], c: number): Field {
  if (declared && declared.type.typeId !== Type.Null) return declared;
  const sample = rows.find((r) => r[c] !== null && r[c] !== undefined)?.[c];
  const type = sample === undefined ? new Null() : typeForValue(sample);
  return new Field(declared?.name ?? String(c + 1), type, true, declared?.metadata);
}

function checkNulls(field: Field, rows: readonly (readonly unknown[])[], c: number): void {
  if (!field.nullable && rows.some((r) => r[c] === null || r[c] === undefined))
    throw new DataError(`parameter ${field.name}: the server declares it non-nullable, a row binds null`);
}

/** Columns one after the other, as the general path builds them (each a list of batch parts). */
function byColumn(
  fields: Field[],
  rows: readonly (readonly unknown[])[],
  size: number,
  general: boolean,
): Data[][] {
  return fields.map((field, c) => {
    checkNulls(field, rows, c);
    if (general) return [generalColumn(field.type, valuesOf(rows, c, 0, rows.length), field.name).data[0]!];
    const parts: Data[] = [];
    for (let start = 0; start < rows.length || start === 0; start += size)
      parts.push(columnData(field.type, rows, c, field.name, start, Math.min(rows.length, start + size)));
    return parts;
  });
}

/** Rows read once per block across every column, while warm (see ColumnEncoder). */
const BLOCK_ROWS = 1024;

/** Batch by batch, block by block across the columns; throws DataError at the first value refused. */
function byBlock(fields: Field[], rows: readonly (readonly unknown[])[], size: number): Data[][] {
  fields.forEach((field, c) => checkNulls(field, rows, c));
  const columns: Data[][] = fields.map(() => []);
  for (let start = 0; start < rows.length || start === 0; start += size) {
    const end = Math.min(rows.length, start + size);
    const encoders = fields.map((f) => fastEncoder(f.type, start, end - start));
    try {
      for (let from = start; from < end; from += BLOCK_ROWS)
        for (let c = 0; c < encoders.length; c++)
          encoders[c]?.fill(rows, c, from, Math.min(end, from + BLOCK_ROWS));
    } catch (err) {
      if (err instanceof FastColumnError) throw new DataError(err.message, { cause: err });
      throw err;
    }
    encoders.forEach((encoder, c) =>
      columns[c]!.push(
        encoder?.finish() ?? columnData(fields[c]!.type, rows, c, fields[c]!.name, start, end),
      ),
    );
  }
  return columns;
}
