/**
 * Batching writes: lines are gathered into batches (per target: database, precision, ...),
 * sent one batch at a time in the order they were written, and retried with exponential
 * backoff and jitter on 429, 503 and network failures (honouring Retry-After). Memory is
 * bounded: when `maxBufferLines` are waiting, `write()` waits for room (back-pressure).
 * Every batch ends in exactly one `success` or `error` callback; none is silently lost.
 */
import { InterfaceError, OperationalError, ProgrammingError, messageOf } from '../errors';

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

/** One batch: lines for one target. */
export interface WriteBatch {
  /** Where the lines go (database, precision, endpoint options), as the client made it. */
  readonly target: string;
  readonly lines: readonly string[];
  /** Attempts made so far. */
  attempts: number;
}

/** Sends one batch; throws on failure (a `retryAfterMs` or `httpStatus` on the error guides retries). */
export type BatchSender = (batch: WriteBatch, signal: AbortSignal) => Promise<void>;

/** What a failed attempt says about retrying. */
export interface RetryHint {
  readonly httpStatus?: number;
  /** The server's Retry-After, in milliseconds. */
  readonly retryAfterMs?: number;
  /** A network failure (nothing, or not all, reached the server). */
  readonly network?: boolean;
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

type Resolved = typeof DEFAULTS & Pick<WriteOptions, 'success' | 'error' | 'retry'>;

/** Whether an attempt that failed with `error` may be sent again. */
export function isRetryable(error: unknown): boolean {
  const hint = error as RetryHint;
  if (hint?.network) return true;
  return hint?.httpStatus === 429 || hint?.httpStatus === 503;
}

/** Milliseconds of a Retry-After header (seconds, or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function checkOptions(options: WriteOptions): Resolved {
  const o = { ...DEFAULTS, ...options } as Resolved;
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
  if (o.maxBufferLines < o.batchSize) {
    throw new ProgrammingError('writeOptions.maxBufferLines must be at least batchSize');
  }
  return o;
}

/** The batching writer behind `InfluxDBClient3` in batching mode. */
export class BatchingWriter {
  readonly #send: BatchSender;
  readonly #options: Resolved;
  /** Lines not yet in a sent batch, per target, in arrival order. */
  readonly #open = new Map<string, string[]>();
  /** Full batches waiting for the sender, in order. */
  readonly #queue: WriteBatch[] = [];
  readonly #controller = new AbortController();
  #held = 0;
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> | undefined;
  #spaceWaiters: (() => void)[] = [];
  #idleWaiters: (() => void)[] = [];
  #closed = false;

  constructor(send: BatchSender, options: WriteOptions = {}) {
    this.#send = send;
    this.#options = checkOptions(options);
  }

  /** Lines buffered or in flight. */
  get pendingLines(): number {
    return this.#held;
  }

  /**
   * Adds lines for `target`. Resolves once they are buffered (not written: see the callbacks,
   * `flush()` and `close()`); waits while the buffer is full.
   */
  async write(target: string, lines: readonly string[]): Promise<void> {
    if (this.#closed) throw new InterfaceError('the write API is closed');
    const max = this.#options.maxBufferLines;
    let index = 0;
    while (index < lines.length) {
      while (this.#held >= max) await new Promise<void>((resolve) => this.#spaceWaiters.push(resolve));
      if (this.#closed) throw new InterfaceError('the write API was closed while a write waited for room');
      const take = Math.min(lines.length - index, max - this.#held);
      this.#add(target, lines.slice(index, index + take));
      index += take;
    }
  }

  /** Sends everything buffered and waits until every batch has succeeded or failed. */
  async flush(): Promise<void> {
    this.#cut();
    this.#pump();
    if (this.#held === 0) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Flushes, then stops. Batches still pending after `maxCloseWait` are abandoned and reported
   * through the error callback.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    const done = this.flush();
    this.#closed = true;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), this.#options.maxCloseWait);
    });
    const outcome = await Promise.race([done.then(() => 'done' as const), expired]);
    clearTimeout(timer);
    clearTimeout(this.#timer);
    if (outcome === 'expired') {
      this.#controller.abort();
      const abandoned = new OperationalError(
        `close(): batches still pending after maxCloseWait (${this.#options.maxCloseWait} ms)`,
      );
      for (const batch of this.#queue.splice(0)) this.#fail(batch, abandoned);
      await this.#sending?.catch(() => undefined);
    }
    for (const wake of this.#spaceWaiters.splice(0)) wake();
  }

  #add(target: string, lines: readonly string[]): void {
    if (lines.length === 0) return;
    let open = this.#open.get(target);
    if (!open) this.#open.set(target, (open = []));
    this.#held += lines.length;
    for (const line of lines) {
      open.push(line);
      if (open.length >= this.#options.batchSize) {
        this.#queue.push({ target, lines: open, attempts: 0 });
        this.#open.set(target, (open = []));
      }
    }
    if (this.#queue.length > 0) this.#pump();
    if (this.#hasOpen() && !this.#timer) {
      const jitter = Math.random() * this.#options.jitterInterval;
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#cut();
        this.#pump();
      }, this.#options.flushInterval + jitter);
      this.#timer.unref?.();
    }
  }

  #hasOpen(): boolean {
    for (const lines of this.#open.values()) if (lines.length > 0) return true;
    return false;
  }

  /** Turns the open (partial) batches into queued batches. */
  #cut(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const [target, lines] of this.#open) {
      if (lines.length > 0) this.#queue.push({ target, lines, attempts: 0 });
    }
    this.#open.clear();
  }

  /** Starts the sender loop if it is not running: one batch at a time, in order. */
  #pump(): void {
    if (this.#sending) return;
    this.#sending = (async () => {
      try {
        for (let batch = this.#queue.shift(); batch; batch = this.#queue.shift()) await this.#deliver(batch);
      } finally {
        this.#sending = undefined;
        if (this.#queue.length > 0) this.#pump();
        else if (this.#held === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
      }
    })();
  }

  async #deliver(batch: WriteBatch): Promise<void> {
    try {
      await sendWithRetries(this.#send, batch, this.#options, this.#controller.signal);
    } catch (err) {
      this.#fail(batch, err);
      return;
    }
    this.#release(batch);
    safely(() => this.#options.success?.(batch));
  }

  #fail(batch: WriteBatch, err: unknown): void {
    this.#release(batch);
    if (this.#options.error) safely(() => this.#options.error!(batch, err));
    else
      process.emitWarning(
        `flightsql: a batch of ${batch.lines.length} lines was not written: ${messageOf(err)}`,
      );
  }

  #release(batch: WriteBatch): void {
    this.#held -= batch.lines.length;
    const waiters = this.#spaceWaiters.splice(0);
    for (const wake of waiters) wake();
  }
}

/**
 * Sends `batch`, retrying what may pass later (429, 503, network) with exponential backoff and
 * jitter, the server's Retry-After first; throws the last failure (wrapped with the number of
 * retries when there were any). Used by batching and by immediate writes alike.
 */
export async function sendWithRetries(
  send: BatchSender,
  batch: WriteBatch,
  options: WriteOptions,
  signal: AbortSignal,
): Promise<void> {
  const o = { ...DEFAULTS, ...options };
  const started = Date.now();
  for (;;) {
    batch.attempts++;
    try {
      await send(batch, signal);
      return;
    } catch (err) {
      const retries = batch.attempts - 1;
      const hint = err as RetryHint;
      const backoff = o.retryInterval * o.exponentialBase ** retries;
      const jitter = Math.random() * o.jitterInterval;
      const delay = Math.min(hint?.retryAfterMs ?? backoff + jitter, o.maxRetryDelay);
      const exhausted = retries >= o.maxRetries || Date.now() + delay - started > o.maxRetryTime;
      if (!isRetryable(err) || exhausted || signal.aborted) {
        if (!exhausted || retries === 0 || !isRetryable(err)) throw err;
        throw new OperationalError(
          `write of ${batch.lines.length} lines failed after ${retries} retries: ${messageOf(err)}`,
          { cause: err, httpStatus: hint?.httpStatus },
        );
      }
      safely(() => o.retry?.(batch, err, batch.attempts, delay));
      await sleep(delay, signal);
    }
  }
}

/** A user callback must not break the writer. */
function safely(callback: () => void): void {
  try {
    callback();
  } catch (err) {
    process.emitWarning(`flightsql: a write callback threw: ${messageOf(err)}`);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
