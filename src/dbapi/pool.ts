/**
 * Pool: PEP 249 connections pooled the way node-postgres' Pool and mysql2's
 * createPool do it (max, idle timeout, acquire timeout, `query`, `connect`/`release`, `end`),
 * with a fair FIFO queue of waiting checkouts, and connections checked before reuse when they
 * sat idle for a while or met trouble.
 */
import { EventEmitter } from 'node:events';
import {
  InterfaceError,
  OperationalError,
  abortError,
  closedError,
  toError,
  type AbortError,
  type Error as FlightSQLError,
} from '../errors';
import type { Row } from '../values';
import type { Connection } from './Connection';
import type { Params } from './Cursor';
import { PoolConnection, type Checkout } from './PoolConnection';
import type {
  PoolEvents,
  PoolQueryOptions,
  PoolQueryResult,
  PoolSettings,
  PoolValidate,
  ResolvedPoolOptions,
  RowOf,
} from './createPool';

/** One open connection of the pool. */
interface Slot {
  readonly connection: Connection<Row>;
  uses: number;
  idleSince: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Its last checkout met a failure that may mean a dead link: check before reuse. */
  suspect: boolean;
}

/** A checkout waiting for a connection. */
interface Waiter {
  resolve(connection: PoolConnection<Row>): void;
  reject(error: FlightSQLError): void;
  /** Stops its timer and abort listener. */
  settle(): void;
}

/** Deadline of the default check (ListActions). */
const VALIDATE_TIMEOUT_MS = 5000;
/** How long `end()` waits for checked-out connections by default. */
const DEFAULT_END_TIMEOUT_MS = 10_000;

/**
 * A pool of connections. Create it with `createPool()`; `await using pool = createPool(...)`
 * ends it at the end of the scope.
 */
export class Pool<R extends Row = unknown[]> extends EventEmitter<PoolEvents<R>> implements AsyncDisposable {
  readonly #options: ResolvedPoolOptions;
  readonly #settings: PoolSettings;
  readonly #checkout: Checkout = { release: (lease, destroy) => this.#release(lease, destroy) };
  readonly #slots = new Set<Slot>();
  /** Idle connections, the most recently used last (taken first, so that the others time out). */
  readonly #idle: Slot[] = [];
  readonly #waiters: Waiter[] = [];
  readonly #leased = new Map<PoolConnection<Row>, Slot>();
  readonly #closing = new Set<Promise<void>>();
  readonly #wakers = new Set<() => void>();
  #creating = 0;
  #validating = 0;
  #ending = false;
  #endPromise: Promise<void> | undefined;
  #done = false;

  /** @internal Use `createPool()`. */
  constructor(options: ResolvedPoolOptions) {
    super();
    this.#options = options;
    this.#settings = options.settings;
    this.#fillToMin();
  }

  /** Connections open or opening, checked out or idle (node-postgres' `totalCount`). */
  get totalCount(): number {
    return this.#slots.size + this.#creating;
  }

  /** Idle connections. */
  get idleCount(): number {
    return this.#idle.length;
  }

  /** Checkouts waiting for a connection. */
  get waitingCount(): number {
    return this.#waiters.length;
  }

  /** Whether `end()` was called. */
  get ending(): boolean {
    return this.#ending;
  }

  /** Whether `end()` finished: every connection is closed. */
  get ended(): boolean {
    return this.#done;
  }

  /**
   * Checks out a connection: an idle one, a new one while fewer than `max` are open, or the
   * first one released after the checkouts that waited longer. Release it with `release()`,
   * `close()` or `await using`. `signal` abandons the wait (an AbortError); after `timeoutMs`
   * (default `acquireTimeoutMillis`; 0: no limit) it fails with an OperationalError.
   */
  connect(
    options: { readonly signal?: AbortSignal; readonly timeoutMs?: number } = {},
  ): Promise<PoolConnection<R>> {
    if (this.#ending) return Promise.reject(closedError('Pool'));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(cancelled(signal.reason));
    return new Promise<PoolConnection<Row>>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => {
        this.#drop(waiter);
        reject(cancelled(signal?.reason));
      };
      const waiter: Waiter = {
        resolve,
        reject,
        settle: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      const wait = options.timeoutMs ?? this.#settings.acquireTimeoutMillis;
      if (wait > 0) {
        timer = setTimeout(() => {
          this.#drop(waiter);
          reject(this.#timeoutError(wait));
        }, wait);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#dispatch();
    }) as Promise<PoolConnection<R>>;
  }

  /**
   * Runs one statement on a connection of the pool and reads all its rows (node-postgres'
   * `pool.query`); the connection goes back to the pool whatever happens.
   */
  async query<O extends PoolQueryOptions = PoolQueryOptions>(
    sql: string,
    params?: Params | null,
    options: O = {} as O,
  ): Promise<PoolQueryResult<RowOf<O, R>>> {
    const { rowMode, timestamps, int64, decimals, ...execute } = options;
    const connection = await this.connect({ signal: options.signal });
    try {
      const cursor = connection.cursor(definedOnly({ rowMode, timestamps, int64, decimals }));
      await cursor.execute(sql, params, execute);
      const description = cursor.description;
      const rows = (description ? await cursor.fetchall() : []) as RowOf<O, R>[];
      return { rows, rowCount: description ? rows.length : cursor.rowcount, description };
    } finally {
      await connection.release();
    }
  }

  /**
   * Ends the pool: waiting checkouts fail with an InterfaceError, idle connections close,
   * checked-out ones close when released; those still out after `timeoutMs` (default 10 s)
   * are closed under their users. Resolves once every connection is closed. Later calls get
   * the same promise; every other use is an InterfaceError.
   */
  end(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    return (this.#endPromise ??= this.#end(options.timeoutMs ?? DEFAULT_END_TIMEOUT_MS));
  }

  /** Ends the pool (see `end()`): `await using pool = createPool(…)` ends it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.end();
  }

  async #end(timeoutMs: number): Promise<void> {
    this.#ending = true;
    for (const waiter of this.#waiters.splice(0)) {
      waiter.settle();
      waiter.reject(new InterfaceError('the pool was ended before a connection became free'));
    }
    for (const slot of [...this.#idle]) this.#remove(slot);
    if (!(await this.#until(() => this.#leased.size === 0, timeoutMs))) {
      for (const [lease, slot] of this.#leased) {
        lease._revoke();
        this.#leased.delete(lease);
        this.#remove(slot);
      }
    }
    // Connections being opened or checked close themselves once done, seeing the pool ending.
    await this.#until(() => this.#creating === 0 && this.#validating === 0, Infinity);
    while (this.#closing.size > 0) await Promise.all(this.#closing);
    this.#done = true;
  }

  /** Hands idle connections to waiting checkouts, and opens new ones for those left. */
  #dispatch(): void {
    while (this.#idle.length > 0 && this.#waiters.length > this.#validating) {
      const slot = this.#idle.pop()!;
      clearTimeout(slot.timer);
      slot.timer = undefined;
      const validate = this.#options.validate;
      if (
        validate &&
        (slot.suspect || Date.now() - slot.idleSince >= this.#settings.validateAfterIdleMillis)
      ) {
        void this.#check(slot, validate);
      } else {
        this.#handOut(slot);
      }
    }
    while (this.#waiters.length > this.#creating + this.#validating && this.totalCount < this.#settings.max) {
      void this.#open();
    }
  }

  #handOut(slot: Slot): void {
    const waiter = this.#waiters.shift()!;
    waiter.settle();
    slot.uses++;
    const lease = new PoolConnection<Row>(slot.connection, this.#options.connectionOptions, this.#checkout);
    this.#leased.set(lease, slot);
    waiter.resolve(lease);
    this.#emit('acquire', lease as PoolConnection<R>);
  }

  /** Makes `slot` idle (or hands it to the first waiting checkout). */
  #offer(slot: Slot): void {
    slot.idleSince = Date.now();
    this.#idle.push(slot);
    const idleMs = this.#settings.idleTimeoutMillis;
    if (idleMs > 0) {
      slot.timer = setTimeout(() => {
        slot.timer = undefined;
        if (this.totalCount > this.#settings.min && this.#idle.includes(slot)) this.#remove(slot);
      }, idleMs);
      // An idle pool must not keep the process alive (node-postgres' allowExitOnIdle).
      slot.timer.unref();
    }
    this.#dispatch();
  }

  async #open(): Promise<void> {
    this.#creating++;
    let connection: Connection<Row>;
    try {
      connection = await this.#options.create(this.#options.connectOptions);
    } catch (err) {
      this.#creating--;
      // The connection was opened for the longest-waiting checkout: it gets the failure.
      const waiter = this.#waiters.shift();
      const error = toError(err);
      if (waiter) {
        waiter.settle();
        waiter.reject(error);
      } else {
        this.#emitError(error);
      }
      this.#wake();
      this.#dispatch();
      return;
    }
    this.#creating--;
    const slot: Slot = { connection, uses: 0, idleSince: Date.now(), timer: undefined, suspect: false };
    this.#slots.add(slot);
    this.#emit('connect', connection);
    if (this.#ending) this.#remove(slot);
    else this.#offer(slot);
    this.#wake();
  }

  async #check(slot: Slot, validate: PoolValidate): Promise<void> {
    this.#validating++;
    let alive: boolean;
    try {
      alive = await validate(slot.connection, { timeoutMs: VALIDATE_TIMEOUT_MS });
    } catch {
      alive = false;
    }
    this.#validating--;
    if (alive && !this.#ending) {
      slot.suspect = false;
      this.#offer(slot);
    } else {
      this.#remove(slot);
      this.#dispatch();
    }
    this.#wake();
  }

  async #release(lease: PoolConnection<Row>, destroy: boolean): Promise<void> {
    const clean = await lease._finish();
    const slot = this.#leased.get(lease);
    if (!slot) return; // end() took it back already
    this.#leased.delete(lease);
    this.#emit('release', lease as PoolConnection<R>);
    const trouble = lease._trouble;
    if (destroy || !clean || trouble === 'broken' || this.#ending || slot.uses >= this.#settings.maxUses) {
      this.#remove(slot);
      this.#fillToMin();
      this.#dispatch();
    } else {
      slot.suspect = trouble === 'suspect';
      this.#offer(slot);
    }
    this.#wake();
  }

  /** Closes a connection and forgets it. */
  #remove(slot: Slot): void {
    if (!this.#slots.delete(slot)) return;
    clearTimeout(slot.timer);
    const at = this.#idle.indexOf(slot);
    if (at >= 0) this.#idle.splice(at, 1);
    const closing = slot.connection
      .close()
      .catch((err: unknown) => this.#emitError(toError(err)))
      .finally(() => {
        this.#closing.delete(closing);
        this.#wake();
      });
    this.#closing.add(closing);
    this.#emit('remove', slot.connection);
  }

  /** Opens connections in the background up to `min`. */
  #fillToMin(): void {
    while (!this.#ending && this.totalCount < this.#settings.min) void this.#open();
  }

  #drop(waiter: Waiter): void {
    const at = this.#waiters.indexOf(waiter);
    if (at >= 0) this.#waiters.splice(at, 1);
    waiter.settle();
  }

  #timeoutError(waitedMs: number): OperationalError {
    const { max } = this.#settings;
    const opening = this.#creating ? `, ${this.#creating} opening` : '';
    return new OperationalError(
      `no connection became free within ${waitedMs} ms: ` +
        `${this.#leased.size} of max ${max} checked out${opening}, ${this.#waiters.length} other checkouts waiting; ` +
        'release connections sooner, or raise max or acquireTimeoutMillis',
    );
  }

  #emitError(error: FlightSQLError): void {
    // An unhandled 'error' event would crash the process for a failure nobody waited for.
    if (this.listenerCount('error') > 0) this.#emit('error', error);
  }

  /** Emits an event; a listener that throws is reported as uncaught, never leaving the pool half-changed. */
  #emit<K extends keyof PoolEvents<R>>(event: K, ...args: PoolEvents<R>[K]): void {
    try {
      (this.emit as (event: K, ...args: PoolEvents<R>[K]) => boolean)(event, ...args);
    } catch (err) {
      queueMicrotask(() => {
        throw err;
      });
    }
  }

  /** Resolves true once `done()` holds (checked whenever something settles), false after `timeoutMs`. */
  async #until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (let left = timeoutMs; !done(); left = deadline - Date.now()) {
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = Number.isFinite(left) ? setTimeout(resolve, left) : undefined;
        this.#wakers.add(() => (clearTimeout(timer), resolve()));
      });
    }
    return true;
  }

  #wake(): void {
    const wakers = [...this.#wakers];
    this.#wakers.clear();
    for (const wake of wakers) wake();
  }
}

function cancelled(reason: unknown): AbortError {
  return abortError(reason, 'waiting for a pooled connection');
}

/** `object` without its undefined properties (so that they do not hide defaults). */
export function definedOnly<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}
