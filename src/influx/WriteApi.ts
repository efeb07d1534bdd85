/**
 * Batching writes: lines are gathered into batches (per target: database, precision, ...),
 * sent one batch at a time in the order they were written, and retried with exponential
 * backoff and jitter on 429, 503 and network failures (honouring Retry-After). Memory is
 * bounded: when `maxBufferLines` are waiting, `write()` waits for room (back-pressure).
 * Every batch ends in exactly one `success` or `error` callback; none is silently lost, not
 * even when the process ends with lines buffered (see exitGuard.ts).
 */
import { writeSync } from 'node:fs';
import { InterfaceError, OperationalError, messageOf } from '../errors';
import { guard, release, type ExitGuarded } from './exitGuard';
import { log, warningLogger, type Logger } from './logger';
import { checkOptions, withDefaults, type Resolved, type WriteOptions } from './writeOptions';

export { resolveBatching, type WriteOptions } from './writeOptions';

/** One batch: lines for one target. */
export interface WriteBatch {
  /** Where the lines go (database, precision, endpoint options), as the client made it. */
  readonly target: string;
  /** The batch's lines of line protocol. */
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

/** The batching writer behind `InfluxDBClient3` in batching mode. */
export class BatchingWriter implements ExitGuarded {
  readonly #send: BatchSender;
  readonly #options: Resolved;
  readonly #logger: Logger;
  /** Lines not yet in a sent batch, per target, in arrival order. */
  readonly #open = new Map<string, string[]>();
  /** Full batches waiting for the sender, in order. */
  readonly #queue: WriteBatch[] = [];
  readonly #controller = new AbortController();
  #held = 0;
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> | undefined;
  /** The batch being sent (or waiting for its retry), if any. */
  #current: WriteBatch | undefined;
  /** The flush started at beforeExit, while it runs. */
  #exitFlush: Promise<void> | undefined;
  #spaceWaiters: (() => void)[] = [];
  #idleWaiters: (() => void)[] = [];
  #closed = false;

  /** `logger` hears of retries, and of failed batches when there is no `error` callback. */
  constructor(send: BatchSender, options: WriteOptions = {}, logger: Logger = warningLogger) {
    this.#send = send;
    this.#options = checkOptions(options);
    this.#logger = logger;
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
    const done = this.#flushWithin('close()');
    this.#closed = true;
    await done;
    clearTimeout(this.#timer);
    for (const wake of this.#spaceWaiters.splice(0)) wake();
  }

  /**
   * Flushes, waiting at most `maxCloseWait`; batches still pending then are abandoned through
   * the error callback. The wait's timer is what keeps the process alive at beforeExit: a
   * request whose connection the server dropped does not always hold the event loop open.
   */
  async #flushWithin(what: string): Promise<void> {
    const done = this.flush();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), this.#options.maxCloseWait);
    });
    const outcome = await Promise.race([done.then(() => 'done' as const), expired]);
    clearTimeout(timer);
    if (outcome === 'expired') {
      this.#controller.abort();
      const abandoned = new OperationalError(
        `${what}: batches still pending after maxCloseWait (${this.#options.maxCloseWait} ms)`,
      );
      for (const batch of this.#queue.splice(0)) this.#fail(batch, abandoned);
      await this.#sending?.catch(() => undefined);
    }
  }

  /** beforeExit with lines held: send them, the process kept alive until they are (ExitGuarded). */
  flushBeforeExit(): void {
    if (this.#exitFlush) return;
    this.#exitFlush = this.#flushWithin('exit').finally(() => (this.#exitFlush = undefined));
  }

  /**
   * The process is ending with lines held (ExitGuarded): each batch goes to the error callback
   * with an OperationalError, or, without one, the logger's `error` (a line on stderr for the
   * default logger: a process warning would never be printed now) says how many lines were lost.
   */
  reportAtExit(): void {
    const batches: WriteBatch[] = [];
    if (this.#current) batches.push(this.#current);
    for (const batch of this.#queue) batches.push(batch);
    for (const [target, lines] of this.#open) {
      if (lines.length > 0) batches.push({ target, lines, attempts: 0 });
    }
    const lines = batches.reduce((n, b) => n + b.lines.length, 0);
    if (lines === 0) return;
    const inFlight = this.#current ? this.#current.lines.length : 0;
    const what =
      inFlight > 0
        ? `${lines} lines were not written (${inFlight} of them in a request whose answer never came)`
        : `${lines} lines were not written`;
    const error = this.#options.error;
    if (error) {
      const err = new OperationalError(
        `the process exited before this batch was written: call flush() or close() before it ends`,
      );
      for (const batch of batches) safely(() => error(batch, err), this.#logger);
    } else {
      const message = `the process exited with a batching InfluxDBClient3 still holding lines: ${what}. Call flush() or close() before it ends (or pass an error callback).`;
      if (this.#logger !== warningLogger) return log(this.#logger, 'error', message);
      try {
        writeSync(process.stderr.fd, `flightsql: ${message}\n`);
      } catch {
        // stderr is gone: nothing left to tell
      }
    }
  }

  #add(target: string, lines: readonly string[]): void {
    if (lines.length === 0) return;
    let open = this.#open.get(target);
    if (!open) this.#open.set(target, (open = []));
    if (this.#held === 0) guard(this);
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
    this.#current = batch;
    try {
      await sendWithRetries(this.#send, batch, this.#options, this.#controller.signal, this.#logger);
    } catch (err) {
      this.#current = undefined;
      this.#fail(batch, err);
      return;
    }
    this.#current = undefined;
    this.#release(batch);
    safely(() => this.#options.success?.(batch), this.#logger);
  }

  #fail(batch: WriteBatch, err: unknown): void {
    this.#release(batch);
    if (this.#options.error) safely(() => this.#options.error!(batch, err), this.#logger);
    else log(this.#logger, 'error', `a batch of ${batch.lines.length} lines was not written`, err);
  }

  #release(batch: WriteBatch): void {
    this.#held -= batch.lines.length;
    if (this.#held === 0) release(this);
    const waiters = this.#spaceWaiters.splice(0);
    for (const wake of waiters) wake();
  }
}

/**
 * Sends `batch`, retrying what may pass later (429, 503, network) with exponential backoff and
 * jitter, the server's Retry-After first; throws the last failure (wrapped with the number of
 * retries when there were any). Used by batching and by immediate writes alike; each retry
 * is told to `logger` (warn).
 */
export async function sendWithRetries(
  send: BatchSender,
  batch: WriteBatch,
  options: WriteOptions,
  signal: AbortSignal,
  logger: Logger = warningLogger,
): Promise<void> {
  const o = withDefaults(options);
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
      log(
        logger,
        'warn',
        `write of ${batch.lines.length} lines failed (attempt ${batch.attempts}), retrying in ${delay} ms`,
        err,
      );
      safely(() => o.retry?.(batch, err, batch.attempts, delay), logger);
      await sleep(delay, signal);
    }
  }
}

/** A user callback must not break the writer: what it throws goes to the logger. */
function safely(callback: () => void, logger: Logger): void {
  try {
    callback();
  } catch (err) {
    log(logger, 'error', 'a write callback threw', err);
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
