/**
 * One parameter value to what its Arrow column stores: the rules both the general column
 * builders (parameters.ts) and the typed-array fast paths (fastParameters.ts) follow, so the two
 * take and refuse exactly the same values. Each throws a RangeError saying why a value does not fit.
 */
import { Precision, Type, type DataType, TimeUnit } from 'apache-arrow';
import { NS_PER_UNIT } from '../values';
import { SqlDate, SqlTime } from './temporal';

const INTEGER = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?Infinity$|^NaN$/;

/** A value as error messages show it. */
export function describeValue(value: unknown): string {
  const text =
    typeof value === 'string' ? `'${value}'` : value instanceof Date ? value.toISOString() : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Converts one non-null value to what apache-arrow's builder of `type` takes, or throws. */
export function coercerFor(type: DataType): (value: unknown) => unknown {
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
 * One non-null timestamp in units of `perUnit` nanoseconds, exactly: Dates are milliseconds,
 * bigints nanoseconds since the epoch (what `timestamps: 'bigint'` reads back), strings ISO 8601
 * (UTC unless they say).
 */
export function timestampUnits(value: unknown, perUnit: bigint): bigint {
  let ns: bigint;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError('invalid Date');
    ns = BigInt(value.getTime()) * 1_000_000n;
  } else if (typeof value === 'bigint') ns = value;
  else if (typeof value === 'string') ns = parseTimestampNs(value);
  else throw new RangeError('not a timestamp (pass a Date, bigint nanoseconds or ISO 8601 text)');
  if (ns % perUnit !== 0n) throw new RangeError('more precise than the column');
  return ns / perUnit;
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
