/**
 * Precision names and exact timestamp conversion for line protocol. Instants are kept as
 * bigint nanoseconds and divided with integer arithmetic, so no precision is ever lost to
 * floating point; numbers are already in the write's precision and pass through.
 */
import { InterfaceError } from '../errors';
import { LineProtocolError } from './errors';

/**
 * A time precision: `ns`, `us`, `ms`, `s` (InfluxDB 2/3 spelling) or v1's `n`, `u`, `ms`, `s`,
 * `m`, `h`. InfluxDB 1.x silently treats an unknown precision (including `us`) as
 * nanoseconds, so names are checked and sent in the v1 spelling.
 */
export type Precision = 'ns' | 'n' | 'us' | 'u' | 'ms' | 's' | 'm' | 'h';

/** The precision codes InfluxDB 1.x understands on `/write?precision=` and `/query?epoch=`. */
export type WirePrecision = 'n' | 'u' | 'ms' | 's' | 'm' | 'h';

/** What a timestamp may be given as (see `Point.timestamp`). */
export type TimestampInput = Date | bigint | number | string;

const wire = new Map<string, WirePrecision>([
  ['ns', 'n'],
  ['n', 'n'],
  ['us', 'u'],
  ['u', 'u'],
  ['ms', 'ms'],
  ['s', 's'],
  ['m', 'm'],
  ['h', 'h'],
]);

/** Nanoseconds per unit of each wire precision. */
export const NANOS_PER: Readonly<Record<WirePrecision, bigint>> = {
  n: 1n,
  u: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** The largest timestamp InfluxDB 1.x stores, in nanoseconds (models.MaxNanoTime). */
export const MAX_NANOS = 9_223_372_036_854_775_806n;
/** The smallest timestamp InfluxDB 1.x stores, in nanoseconds (models.MinNanoTime). */
export const MIN_NANOS = -9_223_372_036_854_775_806n;

// Largest |number| in each precision that stays inside the nanosecond range.
const numberLimit: Readonly<Record<WirePrecision, number>> = {
  n: Number.MAX_SAFE_INTEGER,
  u: Number.MAX_SAFE_INTEGER,
  ms: 9_223_372_036_854,
  s: 9_223_372_036,
  m: 153_722_867,
  h: 2_562_047,
};

/**
 * The v1 wire code of a precision name (`ns` -> `n`, `us` -> `u`); `undefined` gives
 * `fallback`. Throws InterfaceError for anything else, naming the accepted values.
 */
export function wirePrecision(
  precision: string | undefined,
  what = 'precision',
  fallback: WirePrecision = 'n',
): WirePrecision {
  if (precision === undefined) return fallback;
  const code = wire.get(precision);
  if (code === undefined) {
    throw new InterfaceError(
      `invalid ${what} ${JSON.stringify(precision)}: use one of ns, us, ms, s (or v1's n, u, ms, s, m, h)`,
    );
  }
  return code;
}

/** A normalised timestamp: bigint ns since the epoch, or a number / digit string in the write's precision. */
export type Time = bigint | number | string;

/**
 * True for an integer written in decimal without leading zeros (Go's ParseInt would take
 * them, but the range check compares digits). A loop: cheaper than a RegExp per point.
 */
function isDigits(text: string): boolean {
  const start = text.charCodeAt(0) === 0x2d ? 1 : 0;
  const n = text.length;
  if (n === start || (text.charCodeAt(start) === 0x30 && n > start + 1)) return false;
  for (let i = start; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * Normalises a timestamp: Date, RFC 3339 string and bigint become bigint nanoseconds since
 * the epoch; a number or a string of decimal digits is kept as it is, being already in the
 * write's precision (as influxdb-python takes integers and node-influx and
 * influxdb3-client take numeric strings). `measurement` names the point in the error.
 */
export function normalizeTime(value: TimestampInput, measurement?: string): Time {
  switch (typeof value) {
    case 'bigint':
      return value;
    case 'number':
      if (!Number.isSafeInteger(value)) {
        throw new LineProtocolError(
          `timestamp ${value} is not a safe integer (a number is taken in the write's precision; pass a bigint of nanoseconds, a string of digits or a Date)`,
          measurement,
        );
      }
      return value;
    case 'string':
      return isDigits(value) ? value : parseIsoTime(value, measurement);
    default:
      // Also Dates of another realm (vm contexts, test runners).
      if (value instanceof Date || Object.prototype.toString.call(value) === '[object Date]') {
        const ms = (value as Date).getTime();
        if (Number.isNaN(ms)) throw new LineProtocolError('timestamp is an invalid Date', measurement);
        return BigInt(ms) * 1_000_000n;
      }
      throw new LineProtocolError(
        `timestamp must be a Date, bigint (ns), number, string of digits or RFC 3339 string, not ${typeof value}`,
        measurement,
      );
  }
}

const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/** Parses an RFC 3339 time with up to 9 fractional digits, exactly, to bigint nanoseconds. */
export function parseIsoTime(text: string, measurement?: string): bigint {
  const m = isoPattern.exec(text);
  if (!m) {
    throw new LineProtocolError(
      `timestamp ${JSON.stringify(text)} is not an RFC 3339 time such as 2024-01-02T03:04:05.123456789Z (with Z or an offset)`,
      measurement,
    );
  }
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo) - 1;
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, second, 0);
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month ||
    date.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    (oh !== undefined && (Number(oh) > 23 || Number(om) > 59))
  ) {
    throw new LineProtocolError(
      `timestamp ${JSON.stringify(text)} is not a valid date and time`,
      measurement,
    );
  }
  let nanos = BigInt(date.getTime()) * 1_000_000n;
  if (frac) nanos += BigInt(frac.padEnd(9, '0'));
  if (sign) {
    const offset = BigInt(Number(oh) * 60 + Number(om)) * 60_000_000_000n;
    nanos = sign === '+' ? nanos - offset : nanos + offset;
  }
  return nanos;
}

// The limits of numberLimit as digits, for times given as strings.
const digitLimit: Readonly<Record<WirePrecision, string>> = {
  n: String(MAX_NANOS),
  u: String(MAX_NANOS / NANOS_PER.u),
  ms: String(MAX_NANOS / NANOS_PER.ms),
  s: String(MAX_NANOS / NANOS_PER.s),
  m: String(MAX_NANOS / NANOS_PER.m),
  h: String(MAX_NANOS / NANOS_PER.h),
};

/**
 * Formats a normalised time in `precision`: bigint nanoseconds are floor-divided (so an
 * instant before 1970 stays before it), numbers and digit strings pass through. Returns
 * undefined when the time is outside the range InfluxDB stores.
 */
export function formatTime(time: Time, precision: WirePrecision): string | undefined {
  if (typeof time === 'string') {
    const digits = time.charCodeAt(0) === 0x2d ? time.length - 1 : time.length;
    const limit = digitLimit[precision];
    if (digits < limit.length) return time;
    if (digits > limit.length) return undefined;
    return (time.charCodeAt(0) === 0x2d ? time.slice(1) : time) <= limit ? time : undefined;
  }
  if (typeof time === 'number') {
    return time > numberLimit[precision] || time < -numberLimit[precision] ? undefined : String(time);
  }
  if (time > MAX_NANOS || time < MIN_NANOS) return undefined;
  if (precision === 'n') return String(time);
  const unit = NANOS_PER[precision];
  let q = time / unit;
  if (time < 0n && q * unit !== time) q -= 1n;
  return String(q);
}

/** The range message for a time `formatTime` refused. */
export function outOfRange(time: Time, precision: WirePrecision): string {
  const unit = typeof time === 'bigint' ? 'ns' : precision;
  return `timestamp ${time} (${unit}) is outside the range InfluxDB stores (±${MAX_NANOS} ns, about 1677-09-21 to 2262-04-11)`;
}

/** RFC 3339 text of bigint nanoseconds since the epoch, exactly (nine fraction digits, UTC). */
export function isoFromNanoseconds(nanos: bigint): string {
  let seconds = nanos / 1_000_000_000n;
  let fraction = nanos - seconds * 1_000_000_000n;
  if (fraction < 0n) {
    seconds -= 1n;
    fraction += 1_000_000_000n;
  }
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, -5);
  return `${base}.${fraction.toString().padStart(9, '0')}Z`;
}
