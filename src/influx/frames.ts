/**
 * InfluxQL results as polars DataFrames, keyed as influxdb-python's DataFrameClient keys them:
 * by measurement, or by measurement and tags for GROUP BY series. A series' chunks are joined,
 * its rows sorted by time and, with `dropna`, its all-null columns dropped, as pandas does
 * there. The frames are built as Arrow columns and handed to polars in one IPC read.
 */
import {
  Bool,
  Float64,
  Int64,
  Null,
  Table,
  TimestampNanosecond,
  Uint64,
  Utf8,
  makeData,
  makeVector,
  vectorFromArray,
  type Data,
  type Vector,
} from 'apache-arrow';
import { tableToPolars, type PolarsDataFrame } from '../dataframe';
import { protocolError } from '../errors';
import { InfluxTime, type MsgpackValue } from './msgpack';
import type { SeriesKey } from './ResultSet';
import { parseIsoTime } from './timestamps';

/** A series' tags as influxdb-python puts them in a key: `[tag, value]` pairs sorted by tag. */
export type TagPairs = readonly (readonly [tag: string, value: string])[];

/** The key of a frame in influxdb-python's form: the measurement, or `[measurement, tagPairs]`. */
export type PythonKey = string | readonly [measurement: string, tags: TagPairs];

/**
 * The frames of one statement (influxdb-python's dict of DataFrames): a Map from a string key
 * to a polars DataFrame. The key is the measurement for a series without tags, and the series
 * key as InfluxDB writes it (`cpu,host=a,region=eu`: tags sorted, `,` `=` and space escaped)
 * for GROUP BY series. `get(measurement, tags)` finds a frame by its parts.
 */
export class DataFrames extends Map<string, PolarsDataFrame> {
  readonly #keys = new Map<string, SeriesKey>();
  /** The frames of every statement when the query held several; `[this]` for one. */
  statements: readonly DataFrames[] = [this];
  /** The statement's error, when the query ran with `raiseErrors: false` and it failed. */
  error?: string;

  /** The frame of a key, or of a measurement and its tags (undefined tags: a series without tags). */
  override get(key: string): PolarsDataFrame | undefined;
  override get(
    measurement: string,
    tags: Readonly<Record<string, string>> | null,
  ): PolarsDataFrame | undefined;
  override get(key: string, tags?: Readonly<Record<string, string>> | null): PolarsDataFrame | undefined {
    return super.get(tags === undefined ? key : DataFrames.keyOf(key, tags));
  }

  /** The string key of a measurement and tags (null or undefined: no tags). */
  static keyOf(measurement: string, tags?: Readonly<Record<string, string>> | null): string {
    if (tags === null || tags === undefined) return measurement;
    let key = measurement.replace(/[, ]/g, '\\$&');
    for (const tag of Object.keys(tags).sort()) key += `,${escapeTag(tag)}=${escapeTag(tags[tag]!)}`;
    return key;
  }

  /** `[measurement, tags]` of each frame, in order (tags null for a series without tags). */
  seriesKeys(): SeriesKey[] {
    return [...this.keys()].map((k) => this.#keys.get(k)!);
  }

  /**
   * The keys as influxdb-python spells them: the measurement, or `[measurement, [[tag, value],
   * ...]]` with tags sorted (Python's `(name, (('host', 'a'),))` tuples), in order.
   */
  pythonKeys(): PythonKey[] {
    return this.seriesKeys().map(([name, tags]) =>
      tags === null
        ? name
        : [
            name,
            Object.keys(tags)
              .sort()
              .map((t) => [t, tags[t]!] as const),
          ],
    );
  }

  /** Every frame with its `[measurement, tags]`. */
  items(): [SeriesKey, PolarsDataFrame][] {
    return [...this.entries()].map(([k, df]) => [this.#keys.get(k)!, df]);
  }

  /** @internal */
  add(key: SeriesKey, frame: PolarsDataFrame): void {
    const text = DataFrames.keyOf(key[0], key[1]);
    this.#keys.set(text, key);
    this.set(text, frame);
  }
}

function escapeTag(text: string): string {
  return text.replace(/[,= ]/g, '\\$&');
}

/** One series of an answer, as decoded. */
export interface SeriesChunk {
  readonly name?: string;
  readonly tags?: Readonly<Record<string, string>> | null;
  readonly columns: readonly string[];
  readonly values?: readonly (readonly MsgpackValue[])[];
}

/** Collects one statement's series across chunks, then builds its frames. */
export class StatementFrames {
  readonly #series = new Map<string, { key: SeriesKey; chunks: SeriesChunk[] }>();

  /** Adds a series (or the next chunk of one). */
  add(series: SeriesChunk): void {
    if (series === null || typeof series !== 'object' || !Array.isArray(series.columns)) {
      throw protocolError('a series of the answer has no columns');
    }
    if (
      series.values !== undefined &&
      !(Array.isArray(series.values) && series.values.every(Array.isArray))
    ) {
      throw protocolError('a series of the answer has values that are not rows');
    }
    const name = series.name ?? 'results';
    const tags = series.tags ?? null;
    const text = DataFrames.keyOf(name, tags);
    let entry = this.#series.get(text);
    if (entry === undefined) this.#series.set(text, (entry = { key: [name, tags], chunks: [] }));
    entry.chunks.push(series);
  }

  /** The frames: `timeUnitNs` converts epoch times (1 when times are InfluxTime). */
  build(timeUnitNs: bigint, dropna: boolean): DataFrames {
    const frames = new DataFrames();
    for (const { key, chunks } of this.#series.values()) frames.add(key, frameOf(chunks, timeUnitNs, dropna));
    return frames;
  }
}

function frameOf(chunks: readonly SeriesChunk[], timeUnitNs: bigint, dropna: boolean): PolarsDataFrame {
  // Chunks of one series have the same columns; a union keeps pandas' concat if they ever differ.
  const names: string[] = [];
  for (const chunk of chunks) for (const c of chunk.columns) if (!names.includes(c)) names.push(c);
  const cells = names.map(() => [] as MsgpackValue[]);
  for (const chunk of chunks) {
    const at = names.map((n) => chunk.columns.indexOf(n));
    for (const row of chunk.values ?? []) {
      for (let c = 0; c < names.length; c++) cells[c]!.push(at[c]! < 0 ? null : (row[at[c]!] ?? null));
    }
  }
  const timeAt = names.indexOf('time');
  let times: bigint[] | undefined;
  if (timeAt >= 0) {
    times = cells[timeAt]!.map((v) => nanosOf(v, timeUnitNs));
    const order = sortedOrder(times);
    if (order) {
      times = order.map((i) => times![i]!);
      for (let c = 0; c < cells.length; c++) cells[c] = order.map((i) => cells[c]![i]!);
    }
  }
  const columns: Record<string, Vector> = {};
  names.forEach((name, c) => {
    if (c === timeAt) columns[name] = timeVector(times!);
    else if (!dropna || cells[c]!.some((v) => v !== null)) columns[name] = vectorOf(cells[c]!);
  });
  return tableToPolars(new Table(columns));
}

function nanosOf(value: MsgpackValue, unitNs: bigint): bigint {
  if (value instanceof InfluxTime) return value.nanoseconds;
  if (typeof value === 'bigint') return value * unitNs;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value) * unitNs;
  if (typeof value === 'string') {
    // RFC 3339 text: the time of a JSON answer.
    try {
      return parseIsoTime(value);
    } catch {
      // reported below
    }
  }
  throw protocolError(`unexpected time value ${String(value)} in the answer`);
}

/** The order that sorts `times` (stable), or undefined when they are sorted already. */
function sortedOrder(times: readonly bigint[]): number[] | undefined {
  let sorted = true;
  for (let i = 1; i < times.length && sorted; i++) sorted = times[i - 1]! <= times[i]!;
  if (sorted) return undefined;
  const order = times.map((_, i) => i);
  return order.sort((a, b) => (times[a]! < times[b]! ? -1 : times[a]! > times[b]! ? 1 : a - b));
}

function timeVector(times: readonly bigint[]): Vector {
  return makeVector(
    makeData({
      type: new TimestampNanosecond('UTC'),
      length: times.length,
      nullCount: 0,
      data: BigInt64Array.from(times),
    }),
  );
}

const INT64_MAX = 2n ** 63n - 1n;

/**
 * A column from its values, typed as pandas types it: integers Int64 (UInt64 beyond int64),
 * floats Float64 (integers among floats too), booleans Bool, strings Utf8, nothing but nulls
 * Null; anything else mixed is text. Unlike pandas, nulls do not turn integers into floats.
 */
export function vectorOf(values: readonly MsgpackValue[]): Vector {
  let ints = 0;
  let floats = 0;
  let bools = 0;
  let nulls = 0;
  let unsigned = false;
  let negative = false;
  for (const v of values) {
    if (v === null) nulls++;
    else if (typeof v === 'bigint') {
      ints++;
      if (v > INT64_MAX) unsigned = true;
      else if (v < 0n) negative = true;
    } else if (typeof v === 'number') floats++;
    else if (typeof v === 'boolean') bools++;
  }
  const n = values.length;
  if (nulls === n) return makeVector(makeData({ type: new Null(), length: n }));
  // Integers beyond int64 beside negative ones fit no integer type; as text they stay exact.
  const wideInts = unsigned && negative;
  if (ints + nulls === n && !wideInts) return wide(values as (bigint | null)[], unsigned);
  if (ints + floats + nulls === n && !wideInts) {
    return vectorFromArray(
      values.map((v) => (v === null ? null : Number(v))),
      new Float64(),
    );
  }
  if (bools + nulls === n) return vectorFromArray(values as (boolean | null)[], new Bool());
  return vectorFromArray(
    values.map((v) => (v === null ? null : typeof v === 'string' ? v : textOf(v))),
    new Utf8(),
  );
}

function wide(values: readonly (bigint | null)[], unsigned: boolean): Vector {
  const n = values.length;
  const data = unsigned ? new BigUint64Array(n) : new BigInt64Array(n);
  const valid = new Uint8Array(Math.ceil(n / 8));
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v === null) nullCount++;
    else {
      data[i] = v;
      valid[i >> 3]! |= 1 << (i & 7);
    }
  }
  const type = unsigned ? new Uint64() : new Int64();
  return makeVector(makeData({ type, length: n, nullCount, data, nullBitmap: valid } as never) as Data);
}

function textOf(v: MsgpackValue): string {
  if (v instanceof InfluxTime) return String(v.nanoseconds);
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}
