/**
 * PEP 249 type objects, constructors and `description`. A `description` type code is the
 * column's Arrow DataType (as in ADBC's DB-API); the type objects say which codes they match.
 */
import { DataType, Float, Precision, Type, type Field, type Schema } from 'apache-arrow';
import { SqlDate, SqlTime } from '../sql/temporal';

/**
 * One PEP 249 type object. JavaScript cannot overload `==`, so where Python writes
 * `STRING == description[1]`, write `STRING.equals(description[1])`.
 */
export class DBAPITypeObject {
  readonly #types: ReadonlySet<Type>;

  /** @internal */
  constructor(
    /** `STRING`, `BINARY`, `NUMBER`, `DATETIME` or `ROWID`. */
    readonly name: string,
    types: readonly Type[],
  ) {
    this.#types = new Set(types);
  }

  /**
   * True when `typeCode` (a `description` type code, or an Arrow `Type` id) belongs to this
   * group. Dictionary-encoded columns match by their value type.
   */
  equals(typeCode: DataType | Type | null | undefined): boolean {
    if (typeCode === null || typeCode === undefined) return false;
    if (typeof typeCode === 'number') return this.#types.has(typeCode);
    if (DataType.isDictionary(typeCode)) return this.equals(typeCode.dictionary);
    return this.#types.has(typeCode.typeId);
  }

  /** The type object's name, e.g. `STRING`. */
  toString(): string {
    return this.name;
  }
}

/** Text columns (Utf8, LargeUtf8, and dictionary-encoded text such as InfluxDB tags). */
export const STRING = new DBAPITypeObject('STRING', [Type.Utf8, Type.LargeUtf8]);
/** Binary columns. */
export const BINARY = new DBAPITypeObject('BINARY', [Type.Binary, Type.LargeBinary, Type.FixedSizeBinary]);
/** Numeric columns: integers, floating point, decimals. */
export const NUMBER = new DBAPITypeObject('NUMBER', [Type.Int, Type.Float, Type.Decimal]);
/** Dates, times, timestamps, durations and intervals. */
export const DATETIME = new DBAPITypeObject('DATETIME', [
  Type.Date,
  Type.Time,
  Type.Timestamp,
  Type.Duration,
  Type.Interval,
]);
/** Row ids: Arrow has no such type, so no column matches. */
export const ROWID = new DBAPITypeObject('ROWID', []);

/**
 * One `description` entry, as PEP 249 orders it. `precision` and `scale` come from Decimal
 * types or from the Flight SQL column metadata (`ARROW:FLIGHT:SQL:PRECISION`/`SCALE`).
 */
export type Column = readonly [
  name: string,
  typeCode: DataType,
  displaySize: number | null,
  internalSize: number | null,
  precision: number | null,
  scale: number | null,
  nullOk: boolean,
];

const FLOAT_BYTES: Record<Precision, number> = {
  [Precision.HALF]: 2,
  [Precision.SINGLE]: 4,
  [Precision.DOUBLE]: 8,
};

/** Bytes per value for fixed-width types; null for variable-width and nested ones. */
function internalSize(type: DataType): number | null {
  switch (type.typeId) {
    case Type.Bool:
      return 1;
    case Type.Float:
      return FLOAT_BYTES[(type as Float).precision];
    case Type.FixedSizeBinary:
      return (type as unknown as { byteWidth: number }).byteWidth;
    case Type.Dictionary:
      return null;
    default: {
      const bits = (type as { bitWidth?: number }).bitWidth;
      if (typeof bits === 'number') return bits / 8;
      // Date (DAY: 32 bits, MILLISECOND: 64), Timestamp and Duration have no bitWidth property.
      if (type.typeId === Type.Timestamp || type.typeId === Type.Duration) return 8;
      if (type.typeId === Type.Date) return (type as unknown as { unit: number }).unit === 0 ? 4 : 8;
      return null;
    }
  }
}

function metadataNumber(field: Field, key: string): number | null {
  const text = field.metadata.get(`ARROW:FLIGHT:SQL:${key}`);
  if (text === undefined || text === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** PEP 249 `description` of a result schema. */
export function describe(schema: Schema): Column[] {
  return schema.fields.map((field) => {
    const type = field.type;
    const decimal = DataType.isDecimal(type);
    return [
      field.name,
      type,
      null,
      internalSize(type),
      decimal ? type.precision : metadataNumber(field, 'PRECISION'),
      decimal ? type.scale : metadataNumber(field, 'SCALE'),
      field.nullable,
    ] as const;
  });
}

/** A date (PEP 249 `Date`): month counts from 1. */
export function DateValue(year: number, month: number, day: number): SqlDate {
  return new SqlDate(year, month, day);
}

/** A time of day (PEP 249 `Time`); `nanosecond` goes beyond Python's microseconds. */
export function TimeValue(hour: number, minute = 0, second = 0, nanosecond = 0): SqlTime {
  return new SqlTime(hour, minute, second, nanosecond);
}

/** A timestamp (PEP 249 `Timestamp`) in UTC: a JS Date; month counts from 1. */
export function TimestampValue(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  millisecond = 0,
): Date {
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millisecond));
  if (year >= 0 && year < 100) date.setUTCFullYear(year);
  return date;
}

/** The UTC date of `ticks` seconds since the epoch (PEP 249 `DateFromTicks`). */
export function DateFromTicks(ticks: number): SqlDate {
  const d = new Date(ticks * 1000);
  return new SqlDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** The UTC time of day of `ticks` seconds since the epoch (PEP 249 `TimeFromTicks`). */
export function TimeFromTicks(ticks: number): SqlTime {
  const ms = ((Math.floor(ticks * 1000) % 86_400_000) + 86_400_000) % 86_400_000;
  const seconds = Math.floor(ms / 1000);
  return new SqlTime(
    Math.floor(seconds / 3600),
    Math.floor(seconds / 60) % 60,
    seconds % 60,
    (ms % 1000) * 1e6,
  );
}

/** The instant `ticks` seconds after the epoch (PEP 249 `TimestampFromTicks`). */
export function TimestampFromTicks(ticks: number): Date {
  return new Date(ticks * 1000);
}

/** Bytes for a binary parameter (PEP 249 `Binary`): text is UTF-8 encoded. */
export function BinaryValue(value: string | ArrayBuffer | ArrayBufferView | readonly number[]): Uint8Array {
  if (typeof value === 'string') return new TextEncoder().encode(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  }
  return Uint8Array.from(value);
}
