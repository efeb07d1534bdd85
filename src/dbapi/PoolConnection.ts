/**
 * A connection checked out of a Pool: a Connection of its own for the time of one checkout, on
 * the pooled connection's client. Its cursors report the errors they meet, so that the pool can
 * tell a broken link (which it closes) from a failed statement (which leaves it reusable).
 */
import { status as Status } from '@grpc/grpc-js';
import type { RecordBatch } from 'apache-arrow';
import { AbortError, InterfaceError, OperationalError } from '../errors';
import type { CallOptions } from '../flight';
import type { Row } from '../values';
import { Connection, type ConnectionOptions } from './Connection';
import { Cursor, type CursorOptions, type ExecuteOptions, type Params } from './Cursor';

/**
 * What an error says about the connection it came from: `'broken'` (the link is gone: close
 * it), `'suspect'` (a call failed in a way that may hide a dead link, such as a deadline: check
 * it before reuse), or undefined (the statement failed; the connection is fine).
 */
export function connectionTrouble(err: unknown): 'broken' | 'suspect' | undefined {
  // The caller's own abort says nothing about the link.
  if (!(err instanceof OperationalError) || err instanceof AbortError) return undefined;
  // An OperationalError with INTERNAL is a stream the server reset without a status (errors.ts).
  switch (err.grpcCode) {
    case Status.UNAVAILABLE:
    case Status.UNAUTHENTICATED:
    case Status.INTERNAL:
      return 'broken';
    default:
      return 'suspect';
  }
}

/** @internal What a checkout reports to its pool. */
export interface Checkout {
  /** The checkout ended: `destroy` asks for the connection to be closed, not reused. */
  release(connection: PoolConnection<Row>, destroy: boolean): Promise<void>;
}

/** How long the rollback of a transaction left open at release may take. */
const RELEASE_ROLLBACK_TIMEOUT_MS = 5000;

/**
 * A connection checked out of a Pool (`pool.connect()`). It is a Connection (cursors,
 * transactions, `client`) until `release()`, `close()` or the end of an `await using` scope
 * gives it back; after that every use is an InterfaceError. A transaction it left open is
 * rolled back and its cursors are closed before the connection serves anyone else; autocommit
 * and row options start from the pool's at every checkout.
 */
export class PoolConnection<R extends Row = unknown[]> extends Connection<R> {
  readonly #checkout: Checkout;
  readonly #cursorOptions: CursorOptions;
  readonly #cursors = new Set<Cursor<Row>>();
  #released: Promise<void> | undefined;
  #revoked = false;
  #trouble: 'broken' | 'suspect' | undefined;

  /** @internal Use `pool.connect()`. */
  constructor(pooled: Connection<Row>, options: ConnectionOptions, checkout: Checkout) {
    super(pooled.client, pooled.serverInfo, options);
    const { autocommit: _, ...cursorOptions } = options;
    this.#cursorOptions = cursorOptions;
    this.#checkout = checkout;
  }

  /** Whether it was released (or its pool ended). */
  override get closed(): boolean {
    return this.#released !== undefined || super.closed;
  }

  /** @internal The worst connection-level trouble its calls met. */
  get _trouble(): 'broken' | 'suspect' | undefined {
    return this.#trouble;
  }

  /** Autocommit, from the pool's options at every checkout (see Connection). */
  override get autocommit(): boolean {
    return super.autocommit;
  }

  override set autocommit(value: boolean) {
    this.#check();
    super.autocommit = value;
  }

  override cursor(options: CursorOptions & { readonly rowMode: 'object' }): Cursor<Record<string, unknown>>;
  override cursor(options: CursorOptions & { readonly rowMode: 'array' }): Cursor<unknown[]>;
  override cursor(options?: CursorOptions): Cursor<R>;
  override cursor(options: CursorOptions = {}): Cursor<Row> {
    this.#check();
    const cursor = new PooledCursor<Row>(
      this as Connection<Row>,
      { ...this.#cursorOptions, ...options },
      (err) => this._saw(err),
    );
    this.#cursors.add(cursor);
    return cursor;
  }

  override async commit(options: CallOptions = {}): Promise<void> {
    this.#check();
    await this.#observe(super.commit(options));
  }

  override async rollback(options: CallOptions = {}): Promise<void> {
    this.#check();
    await this.#observe(super.rollback(options));
  }

  /**
   * Gives the connection back to the pool (node-postgres' `release(err)`). `true`, or an error
   * that means the link is broken (a transport OperationalError such as UNAVAILABLE), closes it
   * instead; errors its own cursors met count without being passed. A second release is an
   * InterfaceError.
   */
  release(destroy?: boolean | globalThis.Error): Promise<void> {
    if (this.#revoked) return Promise.resolve();
    if (this.#released) {
      throw new InterfaceError('release(): this connection was already released to the pool');
    }
    if (destroy instanceof globalThis.Error) this._saw(destroy);
    return (this.#released = this.#checkout.release(this, destroy === true));
  }

  /** Releases it (PEP 249 pools such as SQLAlchemy's return the connection on close); then a no-op. */
  override close(): Promise<void> {
    return this.#released ?? this.release();
  }

  override async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal A call of this checkout failed with `err`. */
  _saw(err: unknown): void {
    const trouble = connectionTrouble(err);
    if (trouble === 'broken' || (trouble === 'suspect' && this.#trouble === undefined))
      this.#trouble = trouble;
  }

  /** @internal A cursor closed. */
  override _forget(cursor: Cursor<Row>): void {
    this.#cursors.delete(cursor);
  }

  /**
   * @internal Closes its cursors and rolls back a transaction left open; false when that
   * failed (the connection's state is then unknown, so it must not be reused).
   */
  async _finish(): Promise<boolean> {
    await Promise.all([...this.#cursors].map((c) => c.close().catch(() => undefined)));
    if (!this.inTransaction) return true;
    try {
      await super.rollback({ timeoutMs: RELEASE_ROLLBACK_TIMEOUT_MS });
      return true;
    } catch (err) {
      this._saw(err);
      return false;
    }
  }

  /** @internal The pool ended without waiting for this checkout: it is dead, and a later release is a no-op. */
  _revoke(): void {
    this.#revoked = true;
    this.#released ??= Promise.resolve();
  }

  #check(): void {
    if (this.#released) {
      throw new InterfaceError(
        'this connection was released to the pool: check out another with pool.connect()',
      );
    }
  }

  async #observe<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (err) {
      this._saw(err);
      throw err;
    }
  }
}

/** A cursor that tells its checkout about the errors it meets. */
class PooledCursor<R extends Row> extends Cursor<R> {
  readonly #saw: (err: unknown) => void;
  readonly #fail = (err: unknown): never => {
    this.#saw(err);
    throw err;
  };

  constructor(connection: Connection<Row>, options: CursorOptions, saw: (err: unknown) => void) {
    super(connection, options);
    this.#saw = saw;
  }

  override execute(sql: string, params?: Params | null, options?: ExecuteOptions): Promise<this> {
    return super.execute(sql, params, options).catch(this.#fail);
  }

  override executemany(sql: string, seqOfParams: Iterable<Params>, options?: ExecuteOptions): Promise<this> {
    return super.executemany(sql, seqOfParams, options).catch(this.#fail);
  }

  override fetchone(): Promise<R | null> {
    return super.fetchone().catch(this.#fail);
  }

  override fetchmany(size?: number): Promise<R[]> {
    return super.fetchmany(size).catch(this.#fail);
  }

  override fetchall(): Promise<R[]> {
    return super.fetchall().catch(this.#fail);
  }

  override nextset(): Promise<null> {
    return super.nextset().catch(this.#fail);
  }

  override async *fetchRecordBatches(): AsyncGenerator<RecordBatch> {
    try {
      yield* super.fetchRecordBatches();
    } catch (err) {
      this.#fail(err);
    }
  }

  override [Symbol.asyncIterator](): AsyncIterator<R> {
    const rows = super[Symbol.asyncIterator]();
    return {
      next: () => rows.next().catch(this.#fail),
      return: async () => (rows.return ? rows.return() : { done: true, value: undefined }),
    };
  }
}
