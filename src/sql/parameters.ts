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
  type DataType,
  type Union,
  type Vector,
  Precision,
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

/** Builds the column of `type` from `values`; a value the type cannot hold exactly is a DataError. */
function columnOf(type: DataType, values: unknown[], name: string): Vector {
  let row = 0;
  try {
    if (type.typeId === Type.Decimal) return decimalColumn(type, values);
    if (type.typeId === Type.Timestamp) return timestampColumn(type, values, (r) => (row = r));
    if (type.typeId === Type.Union) return unionColumn(type as Union, values, name, columnOf);
    const coerce = coercerFor(type);
    const ready = values.map((v, r) => ((row = r), v === null ? null : coerce(v)));
    return vectorFromArray(ready, type);
  } catch (err) {
    if (err instanceof DataError) throw err;
    const shown = describeValue(values[row]);
    throw new DataError(`parameter ${name}: cannot bind ${shown} as ${String(type)} (${messageOf(err)})`, {
      cause: err,
    });
  }
}

function describeValue(value: unknown): string {
  const text =
    typeof value === 'string' ? `'${value}'` : value instanceof Date ? value.toISOString() : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?Infinity$|^NaN$/;

/** Converts one non-null value to what apache-arrow's builder of `type` takes, or throws. */
function coercerFor(type: DataType): (value: unknown) => unknown {
  switch (type.typeId) {
    case Type.Int: {
      const { bitWidth, isSigned } = type as unknown as { bitWidth: number; isSigned: boolean };
      const min = isSigned ? -(1n << BigInt(bitWidth - 1)) : 0n;
      const max = (isSigned ? 1n << BigInt(bitWidth - 1) : 1n << BigInt(bitWidth)) - 1n;
      return (value) => {
        let n: bigint;
        if (typeof value === 'bigint') n = value;
        else if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
        else if (typeof value === 'string' && INTEGER.test(value.trim())) n = BigInt(value.trim());
        else throw new RangeError('not an integer');
        if (n < min || n > max) throw new RangeError(`out of range [${min}, ${max}]`);
        return bitWidth === 64 ? n : Number(n);
      };
    }
    case Type.Float: {
      // Narrower floats take only the numbers they hold exactly.
      const exact =
        (type as unknown as { precision: Precision }).precision === Precision.DOUBLE
          ? (n: number) => n
          : (n: number) => {
              if (!Number.isNaN(n) && Math.fround(n) !== n) throw new RangeError('not exactly representable');
              return n;
            };
      return (value) => {
        if (typeof value === 'number') return exact(value);
        if (typeof value === 'bigint') {
          if (BigInt(Number(value)) !== value) throw new RangeError('not exactly representable as a float');
          return exact(Number(value));
        }
        if (typeof value === 'string' && NUMBER_TEXT.test(value.trim())) return exact(Number(value.trim()));
        throw new RangeError('not a number');
      };
    }
    case Type.Bool:
      return (value) => {
        if (typeof value === 'boolean') return value;
        throw new RangeError('not a boolean');
      };
    case Type.Utf8:
    case Type.LargeUtf8:
      return (value) => {
        if (typeof value === 'string') return value;
        if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
          return String(value);
        if (value instanceof SqlDate || value instanceof SqlTime) return value.toString();
        if (value instanceof Date) return value.toISOString();
        throw new RangeError('not text');
      };
    case Type.Binary:
    case Type.LargeBinary:
      return (value) => {
        if (value instanceof Uint8Array) return value;
        if (value instanceof ArrayBuffer) return new Uint8Array(value);
        throw new RangeError('not bytes (pass a Uint8Array, or Binary(text))');
      };
    case Type.Date:
      // apache-arrow's date builders take epoch milliseconds.
      return (value) => {
        const date = value instanceof Date ? value : typeof value === 'string' ? parseDate(value) : undefined;
        if (!date || Number.isNaN(date.getTime())) throw new RangeError('not a date');
        if (date.getTime() % 86_400_000 !== 0)
          throw new RangeError('has a time of day (use a Date at UTC midnight, or SqlDate)');
        return date.getTime();
      };
    case Type.Time:
      return (value) => {
        if (!(value instanceof SqlTime) && typeof value !== 'string')
          throw new RangeError('not a time of day');
        return timeValue(type, value);
      };
    case Type.Null:
      return () => {
        throw new RangeError('the parameter takes only null');
      };
    default:
      return (value) => value;
  }
}

function parseDate(text: string): Date | undefined {
  const match = /^(-?\d{4,})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!match) return undefined;
  try {
    return new SqlDate(Number(match[1]), Number(match[2]), Number(match[3]));
  } catch {
    return undefined;
  }
}

/** A time of day (SqlTime or `HH:MM:SS[.f]` text) in the column's unit: number for 32-bit units, bigint for 64. */
function timeValue(type: DataType, value: SqlTime | string): number | bigint {
  const time = value instanceof SqlTime ? value : SqlTime.parse(value);
  const { unit, bitWidth } = type as unknown as { unit: number; bitWidth: number };
  const units = time.in(NS_PER_UNIT[unit as TimeUnit]);
  return bitWidth === 64 ? units : Number(units);
}

/**
 * A Timestamp column built exactly: Dates are milliseconds, bigints nanoseconds since the
 * epoch (what `timestamps: 'bigint'` reads back), strings ISO 8601 (UTC unless they say).
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
    let ns: bigint;
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw new RangeError('invalid Date');
      ns = BigInt(value.getTime()) * 1_000_000n;
    } else if (typeof value === 'bigint') ns = value;
    else if (typeof value === 'string') ns = parseTimestampNs(value);
    else throw new RangeError('not a timestamp (pass a Date, bigint nanoseconds or ISO 8601 text)');
    if (ns % perUnit !== 0n) throw new RangeError('more precise than the column');
    data[row] = ns / perUnit;
    validity[row >> 3]! |= 1 << (row & 7);
  });
  // Built by hand: apache-arrow's timestamp builders take milliseconds as numbers.
  return makeVector(
    makeData({ type: type as never, length: values.length, nullCount, nullBitmap: validity, data } as never),
  );
}

/** Nanoseconds since the epoch of ISO 8601 text, every fraction digit kept; no zone means UTC. */
function parseTimestampNs(text: string): bigint {
  const match =
    /^(-?\d{4,})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      text.trim(),
    );
  if (!match) throw new RangeError('not ISO 8601 text');
  const [, y, mo, d, h = '0', mi = '0', sec = '0', fraction = '', zone] = match;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  if (Number.isNaN(ms)) throw new RangeError('not a valid date');
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    offsetMinutes =
      (digits[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  return (BigInt(ms) - BigInt(offsetMinutes) * 60_000n) * 1_000_000n + BigInt(fraction.padEnd(9, '0'));
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

/**
 * Builds the parameter batches for the server's declared parameter `schema` from positional
 * values (one row), rows of values, or Arrow data. Each batch carries the declared schema
 * exactly (names, types, nullability, metadata): Arrow data is cast to it where that loses
 * nothing. Parameters the server left open (no field, or a Null-typed one) take the values' own
 * types.
 */
export function parameterBatches(schema: Schema, parameters: Parameters): RecordBatch[] {
  // Arrow data from any copy or version of apache-arrow, recognised by shape.
  const kind = Array.isArray(parameters) ? undefined : arrowKind(parameters);
  if (kind === 'batch') return [conformBatch(ownRecordBatch(parameters), schema, columnOf)];
  if (kind === 'table' || kind === 'ipc')
    return ownTable(parameters).batches.map((b) => conformBatch(b, schema, columnOf));
  if (!Array.isArray(parameters))
    throw new InterfaceError(
      `parameters: expected an array of values, an array of rows, or an apache-arrow Table or RecordBatch, got ${describeArrowInput(parameters)}`,
    );
  const rows = isRows(parameters) ? parameters : [parameters as readonly unknown[]];
  const width = schema.fields.length || (rows[0]?.length ?? 0);
  for (const row of rows) {
    if (row.length !== width) {
      // PEP 249: a wrong number of parameters is the program's mistake.
      throw new ProgrammingError(`the statement takes ${width} parameter(s), a row has ${row.length}`);
    }
  }
  const fields: Field[] = [];
  const columns: Vector[] = [];
  for (let c = 0; c < width; c++) {
    const declared = schema.fields[c];
    const values = rows.map((r) => (r[c] === undefined ? null : r[c]));
    const name = declared?.name ?? String(c + 1);
    let field: Field;
    if (declared && declared.type.typeId !== Type.Null) {
      field = declared;
      if (!declared.nullable && values.includes(null))
        throw new DataError(`parameter ${name}: the server declares it non-nullable, a row binds null`);
    } else {
      const sample = values.find((v) => v !== null);
      field = new Field(
        name,
        sample === undefined ? new Null() : typeForValue(sample),
        true,
        declared?.metadata,
      );
    }
    columns.push(columnOf(field.type, values, name));
    fields.push(field);
  }
  const batchSchema = new Schema(fields, schema.metadata);
  const data = makeData({
    type: new Struct(fields),
    length: rows.length,
    nullCount: 0,
    children: columns.map((v) => v.data[0]!),
  });
  return [new RecordBatch(batchSchema, data)];
}
