/**
 * The options of InfluxDBClient's methods (one trailing object each, as the rest of flightsql),
 * and the checks they share.
 */
import { InterfaceError } from '../errors';
import type { CallOptions } from './http';
import type { TagValue } from './Point';
import type { WritablePoint } from './serialize';
import type { Precision } from './timestamps';

/** Write consistency (InfluxDB Enterprise clusters; OSS accepts and ignores it). */
export type Consistency = 'any' | 'one' | 'quorum' | 'all';

/** Options of `writePoints`. */
export interface WritePointsOptions extends CallOptions {
  /** Precision of the timestamps and of the write (default `ns`). */
  readonly timePrecision?: Precision;
  /** Database (default: the client's). */
  readonly database?: string;
  /** Retention policy (default: the database's default). */
  readonly retentionPolicy?: string;
  /** Tags added to every point; a point's own tags win. */
  readonly tags?: Readonly<Record<string, TagValue>>;
  /** Points per request (default: all in one). Batches go in order; the first failure stops the rest. */
  readonly batchSize?: number;
  /** `json` (default): Points or point objects; `line`: strings of line protocol. */
  readonly protocol?: 'json' | 'line';
  /** Write consistency. */
  readonly consistency?: Consistency;
}

/** The data of `write` with `protocol: 'json'`: influxdb-python's `{ points, tags }` (and a default measurement). */
export interface WriteData {
  /** The points: Points or `{ measurement, tags, fields, time }` objects. */
  readonly points: readonly WritablePoint[];
  /** Tags added to every point; a point's own tags win. */
  readonly tags?: Readonly<Record<string, TagValue>>;
  /** The measurement of points that name none. */
  readonly measurement?: string;
}

/** Options of `write` (influxdb-python's `params`: db, rp, precision, consistency). */
export type WriteOptions = Omit<WritePointsOptions, 'tags' | 'batchSize'>;

/** Options of methods that act on a database (default: the client's). */
export interface DatabaseOptions extends CallOptions {
  /** Database (default: the client's). */
  readonly database?: string;
}

/** Options of `createRetentionPolicy`. */
export interface CreateRetentionPolicyOptions extends DatabaseOptions {
  /** Make it the database's default policy. */
  readonly default?: boolean;
  /** Shard group duration (default: chosen by the server from the duration). */
  readonly shardDuration?: string;
}

/** Options of `alterRetentionPolicy` (at least one change). */
export interface AlterRetentionPolicyOptions extends CreateRetentionPolicyOptions {
  /** New duration, like `1h`, `7d` or `INF`. */
  readonly duration?: string;
  /** New replication factor (1 on OSS). */
  readonly replication?: number;
}

/** Options of `deleteSeries` and `getListSeries`. */
export interface SeriesOptions extends DatabaseOptions {
  /** Only the series of this measurement. */
  readonly measurement?: string;
  /** Only the series whose tags have these values. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Just the call options (signal, timeout) of a method's options. */
export function call(options: CallOptions): CallOptions {
  return { signal: options.signal, timeoutMs: options.timeoutMs };
}

/** Checks a consistency name (influxdb-python raises ValueError before sending). */
export function checkConsistency(consistency: string | undefined): void {
  if (consistency !== undefined && !['any', 'one', 'quorum', 'all'].includes(consistency)) {
    throw new InterfaceError(`invalid consistency ${JSON.stringify(consistency)}: any, one, quorum or all`);
  }
}

/** Checks writePoints' options before anything is serialised. */
export function checkWriteOptions(options: WritePointsOptions): void {
  checkConsistency(options.consistency);
  const { batchSize, protocol } = options;
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new InterfaceError(`invalid batchSize ${String(batchSize)}`);
  }
  if (protocol !== undefined && protocol !== 'json' && protocol !== 'line') {
    throw new InterfaceError(`invalid protocol ${String(protocol)}: json or line`);
  }
}
