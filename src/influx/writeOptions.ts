/**
 * The settings of InfluxDBClient3's writes (influxdb3-python's WriteOptions, in milliseconds):
 * their defaults, their checks, and whether they mean batching.
 */
import { ProgrammingError } from '../errors';
import type { WriteBatch } from './WriteApi';

/** Options of the batching mode (influxdb3-python's WriteOptions, in milliseconds). */
export interface WriteOptions {
  /** Lines per batch (default 1000). */
  readonly batchSize?: number;
  /** A batch that is not full is sent this long after its first line (default 1000 ms). */
  readonly flushInterval?: number;
  /** Up to this much random delay is added to each flush, to spread writers out (default 0). */
  readonly jitterInterval?: number;
  /** Delay before the first retry, when the server gives no Retry-After (default 5000 ms). */
  readonly retryInterval?: number;
  /** Retries of one batch before it fails (default 5; 0: no retry). */
  readonly maxRetries?: number;
  /** Longest delay between two attempts (default 125000 ms). */
  readonly maxRetryDelay?: number;
  /** A batch fails once this long has passed since its first attempt (default 180000 ms). */
  readonly maxRetryTime?: number;
  /** Each retry waits `exponentialBase` times longer than the one before (default 2). */
  readonly exponentialBase?: number;
  /** `close()` waits at most this long for pending batches (default 300000 ms). */
  readonly maxCloseWait?: number;
  /** Lines held at most (buffered and in flight); `write()` waits beyond that (default 100000). */
  readonly maxBufferLines?: number;
  /** Bodies of at least this many bytes are sent gzip-compressed (default 1000; 0: always; Infinity: never). */
  readonly gzipThreshold?: number;
  /** Called after a batch was written. */
  readonly success?: (batch: WriteBatch) => void;
  /** Called when a batch failed for good (not retryable, or retries exhausted). */
  readonly error?: (batch: WriteBatch, error: unknown) => void;
  /** Called before a batch is retried. */
  readonly retry?: (batch: WriteBatch, error: unknown, attempt: number, delayMs: number) => void;
}

const DEFAULTS = {
  batchSize: 1000,
  flushInterval: 1000,
  jitterInterval: 0,
  retryInterval: 5000,
  maxRetries: 5,
  maxRetryDelay: 125_000,
  maxRetryTime: 180_000,
  exponentialBase: 2,
  maxCloseWait: 300_000,
  maxBufferLines: 100_000,
  gzipThreshold: 1000,
};

/** The options with every default applied. */
export type Resolved = typeof DEFAULTS & Pick<WriteOptions, 'success' | 'error' | 'retry'>;

/** The options over the defaults; an option given as `undefined` keeps its default. */
export function withDefaults(options: WriteOptions): Resolved {
  const o: Record<string, unknown> = { ...DEFAULTS };
  for (const [key, value] of Object.entries(options)) if (value !== undefined) o[key] = value;
  // Unless set, the buffer holds at least one batch: a batch larger than the default is no error.
  const batchSize = o['batchSize'];
  if (
    options.maxBufferLines === undefined &&
    typeof batchSize === 'number' &&
    batchSize > DEFAULTS.maxBufferLines
  )
    o['maxBufferLines'] = batchSize;
  return o as Resolved;
}

/** Settings only the batching mode uses: with `batching: false` they contradict it. */
const BATCHING_ONLY = ['flushInterval', 'maxBufferLines', 'maxCloseWait', 'success', 'error'] as const;

/**
 * Settings that mean batching when `batching` is not given, as influxdb3-python's WriteOptions
 * means batching unless `write_type` says otherwise. Size and retry settings also shape
 * writes sent at once (`batching: false`): lines per request, and how transient failures are
 * retried.
 */
const BATCH_SETTINGS = [
  ...BATCHING_ONLY,
  'batchSize',
  'jitterInterval',
  'retryInterval',
  'maxRetries',
  'maxRetryDelay',
  'maxRetryTime',
  'exponentialBase',
  'retry',
] as const;

/**
 * Whether writes are batched: `batching` when given; otherwise true as soon as a batch setting
 * is. `batching: false` with a setting only batching uses is a ProgrammingError, as is any
 * bad value (checked in both modes).
 */
export function resolveBatching(options: WriteOptions & { readonly batching?: unknown }): boolean {
  const { batching } = options;
  if (batching !== undefined && typeof batching !== 'boolean') {
    throw new ProgrammingError(`writeOptions.batching must be true or false, not ${String(batching)}`);
  }
  const given = (keys: readonly (keyof WriteOptions)[]) => keys.filter((k) => options[k] !== undefined);
  if (batching === false) {
    const contradictions = given(BATCHING_ONLY);
    if (contradictions.length > 0) {
      throw new ProgrammingError(
        `writeOptions.batching is false, but ${contradictions.join(', ')} only ${contradictions.length > 1 ? 'apply' : 'applies'} to batching: remove ${contradictions.length > 1 ? 'them' : 'it'}, or drop batching: false`,
      );
    }
  }
  checkOptions(options);
  return batching ?? given(BATCH_SETTINGS).length > 0;
}

/** Applies the defaults and checks every value (a ProgrammingError names the first bad one). */
export function checkOptions(options: WriteOptions): Resolved {
  const o = withDefaults(options);
  const positive = ['batchSize', 'maxBufferLines', 'exponentialBase'] as const;
  for (const key of positive) {
    if (!(o[key] > 0))
      throw new ProgrammingError(`writeOptions.${key} must be positive, not ${String(o[key])}`);
  }
  for (const key of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    if (typeof o[key] !== 'number' || Number.isNaN(o[key]) || o[key] < 0) {
      throw new ProgrammingError(`writeOptions.${key} must be a number >= 0, not ${String(o[key])}`);
    }
  }
  if (!Number.isInteger(o.batchSize)) {
    throw new ProgrammingError(`writeOptions.batchSize must be an integer, not ${String(o.batchSize)}`);
  }
  if (o.maxBufferLines < o.batchSize) {
    throw new ProgrammingError('writeOptions.maxBufferLines must be at least batchSize');
  }
  for (const key of ['success', 'error', 'retry'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'function') {
      throw new ProgrammingError(`writeOptions.${key} must be a function, not ${typeof o[key]}`);
    }
  }
  return o;
}
