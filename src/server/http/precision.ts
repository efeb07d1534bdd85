/**
 * Timestamp precision of a write: the names each InfluxDB write API accepts, and the exact
 * conversion of a line's timestamp to nanoseconds (bigint math: a float would lose the last
 * digits of a nanosecond timestamp).
 */

/** A timestamp unit; `auto` guesses it from the magnitude, as InfluxDB 3 does. */
export type Precision = 'auto' | 'ns' | 'us' | 'ms' | 's' | 'm' | 'h';

const NANOS: Readonly<Record<Exclude<Precision, 'auto'>, bigint>> = {
  ns: 1n,
  us: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/**
 * The range a timestamp may take in nanoseconds: int64, without its two extremes, which
 * DuckDB's TIMESTAMP_NS reserves for ±infinity (InfluxDB 1.x has the same bounds).
 */
export const MIN_TIME_NS = -9_223_372_036_854_775_806n;
/** Largest timestamp in nanoseconds (see MIN_TIME_NS). */
export const MAX_TIME_NS = 9_223_372_036_854_775_806n;

/**
 * The unit `auto` reads a timestamp in: InfluxDB 3 compares |t| with 5e9 (seconds), 5e12
 * (milliseconds) and 5e15 (microseconds); anything larger is nanoseconds.
 */
function guessUnit(value: bigint): Exclude<Precision, 'auto'> {
  const magnitude = value < 0n ? -value : value;
  if (magnitude < 5_000_000_000n) return 's';
  if (magnitude < 5_000_000_000_000n) return 'ms';
  if (magnitude < 5_000_000_000_000_000n) return 'us';
  return 'ns';
}

/** `value` (in `precision`) in nanoseconds, or undefined when that falls outside MIN/MAX_TIME_NS. */
export function toNanoseconds(value: bigint, precision: Precision): bigint | undefined {
  const nanos = value * NANOS[precision === 'auto' ? guessUnit(value) : precision];
  return nanos < MIN_TIME_NS || nanos > MAX_TIME_NS ? undefined : nanos;
}

// The spellings of each API. An unknown one is refused: InfluxDB 1.x silently reads it as
// nanoseconds, which writes wrong times without a word.
const V3: Readonly<Record<string, Precision>> = {
  auto: 'auto',
  nanosecond: 'ns',
  microsecond: 'us',
  millisecond: 'ms',
  second: 's',
  ns: 'ns',
  us: 'us',
  ms: 'ms',
  s: 's',
};
const V2: Readonly<Record<string, Precision>> = { ns: 'ns', us: 'us', ms: 'ms', s: 's' };
const V1: Readonly<Record<string, Precision>> = {
  n: 'ns',
  ns: 'ns',
  u: 'us',
  us: 'us',
  ms: 'ms',
  s: 's',
  m: 'm',
  h: 'h',
};

/** The write APIs this server speaks. */
export type WriteApi = 'v1' | 'v2' | 'v3';

/** The spellings `precision=` takes on each API, for error messages and docs. */
export const PRECISION_NAMES: Readonly<Record<WriteApi, readonly string[]>> = {
  v3: Object.keys(V3),
  v2: Object.keys(V2),
  v1: Object.keys(V1),
};

/**
 * The precision named by a `precision=` parameter of `api`, or undefined when the name is
 * unknown there. Absent, it is `auto` on v3 (InfluxDB 3's default) and nanoseconds elsewhere.
 */
export function parsePrecision(api: WriteApi, name: string | null): Precision | undefined {
  if (name === null || name === '') return api === 'v3' ? 'auto' : 'ns';
  const table = api === 'v3' ? V3 : api === 'v2' ? V2 : V1;
  return Object.hasOwn(table, name) ? table[name] : undefined;
}
