/**
 * PEP 249 Connection: one FlightSQLClient, the cursors made from it, and (with autocommit
 * off) the Flight SQL transaction they share.
 */
import {
  DataError,
  DatabaseError,
  Error,
  IntegrityError,
  InterfaceError,
  InternalError,
  NotSupportedError,
  OperationalError,
  ProgrammingError,
  Warning,
  closedError,
} from '../errors';
import type { CallOptions } from '../flight';
import { SqlInfo, SqlSupportedTransaction } from '../proto/FlightSql';
import type { FlightSQLClient, SqlInfoValue, StatementOptions, Transaction } from '../sql';
import type { Row } from '../values';
import { Cursor, type CursorOptions } from './Cursor';

/** What the server said about itself when the connection opened (GetSqlInfo). */
export interface ServerInfo {
  /** FLIGHT_SQL_SERVER_NAME, when the server answers GetSqlInfo. */
  readonly name?: string;
  /** FLIGHT_SQL_SERVER_VERSION. */
  readonly version?: string;
  /** Whether the server runs Flight SQL transactions (FLIGHT_SQL_SERVER_TRANSACTION). */
  readonly transactions: boolean;
  /** Whether it also has savepoints. */
  readonly savepoints: boolean;
}

/** The SqlInfo ids read when a connection opens. */
export const CONNECTION_SQL_INFO: readonly number[] = [
  SqlInfo.FLIGHT_SQL_SERVER_NAME,
  SqlInfo.FLIGHT_SQL_SERVER_VERSION,
  SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION,
];

/** Reads ServerInfo from GetSqlInfo values (absent ids mean "no"). */
export function serverInfoFrom(values: ReadonlyMap<number, SqlInfoValue>): ServerInfo {
  const text = (id: number) => {
    const v = values.get(id);
    return typeof v === 'string' ? v : undefined;
  };
  const level = Number(values.get(SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION) ?? 0);
  return {
    name: text(SqlInfo.FLIGHT_SQL_SERVER_NAME),
    version: text(SqlInfo.FLIGHT_SQL_SERVER_VERSION),
    transactions: level >= SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_TRANSACTION,
    savepoints: level >= SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_SAVEPOINT,
  };
}

/** Options of a Connection besides those of its client. */
export interface ConnectionOptions extends CursorOptions {
  /** Autocommit (default true). When false, statements share a transaction until commit/rollback. */
  readonly autocommit?: boolean;
}

/** A PEP 249 connection. Create it with `connect()`. */
export class Connection<R extends Row = unknown[]> implements AsyncDisposable {
  /** The Flight SQL client underneath, for what PEP 249 does not cover (metadata, ingest, ...). */
  readonly client: FlightSQLClient;
  /** What the server said about itself when the connection opened. */
  readonly serverInfo: ServerInfo;

  // PEP 249 optional extension: the exception classes as connection attributes.
  /** PEP 249 extension: {@link Warning}, as a connection attribute. */
  readonly Warning = Warning;
  /** PEP 249 extension: {@link Error}, as a connection attribute. */
  readonly Error = Error;
  /** PEP 249 extension: {@link InterfaceError}, as a connection attribute. */
  readonly InterfaceError = InterfaceError;
  /** PEP 249 extension: {@link DatabaseError}, as a connection attribute. */
  readonly DatabaseError = DatabaseError;
  /** PEP 249 extension: {@link DataError}, as a connection attribute. */
  readonly DataError = DataError;
  /** PEP 249 extension: {@link OperationalError}, as a connection attribute. */
  readonly OperationalError = OperationalError;
  /** PEP 249 extension: {@link IntegrityError}, as a connection attribute. */
  readonly IntegrityError = IntegrityError;
  /** PEP 249 extension: {@link InternalError}, as a connection attribute. */
  readonly InternalError = InternalError;
  /** PEP 249 extension: {@link ProgrammingError}, as a connection attribute. */
  readonly ProgrammingError = ProgrammingError;
  /** PEP 249 extension: {@link NotSupportedError}, as a connection attribute. */
  readonly NotSupportedError = NotSupportedError;

  readonly #cursorOptions: CursorOptions;
  readonly #cursors = new Set<Cursor<Row>>();
  #autocommit: boolean;
  #transaction: Promise<Transaction> | undefined;
  #closed = false;

  /** @internal Use `connect()`. */
  constructor(client: FlightSQLClient, serverInfo: ServerInfo, options: ConnectionOptions = {}) {
    const { autocommit = true, ...cursorOptions } = options;
    this.client = client;
    this.serverInfo = serverInfo;
    this.#autocommit = autocommit;
    this.#cursorOptions = cursorOptions;
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Autocommit (default true). Turning it off makes the next statement open a Flight SQL
   * transaction (on servers that have them). Turning it on inside a transaction is a
   * ProgrammingError: commit or roll back first.
   */
  get autocommit(): boolean {
    return this.#autocommit;
  }

  /** Sets autocommit; turning it on while a transaction is open is a ProgrammingError. */
  set autocommit(value: boolean) {
    this.#check();
    if (value && this.#transaction) {
      throw new ProgrammingError(
        'a transaction is open: commit() or rollback() before turning autocommit on',
      );
    }
    this.#autocommit = value;
  }

  /** Whether a transaction is open (autocommit off and a statement ran since the last commit/rollback). */
  get inTransaction(): boolean {
    return this.#transaction !== undefined;
  }

  /** A new cursor; `options` override the connection's row options for it. */
  cursor(options: CursorOptions & { readonly rowMode: 'object' }): Cursor<Record<string, unknown>>;
  cursor(options: CursorOptions & { readonly rowMode: 'array' }): Cursor<unknown[]>;
  cursor(options?: CursorOptions): Cursor<R>;
  cursor(options: CursorOptions = {}): Cursor<Row> {
    this.#check();
    const cursor = new Cursor<Row>(this as Connection<Row>, { ...this.#cursorOptions, ...options });
    this.#cursors.add(cursor);
    return cursor;
  }

  /** Commits the open transaction; without one (or on a server without transactions) does nothing. */
  async commit(options: CallOptions = {}): Promise<void> {
    this.#check();
    const transaction = this.#transaction;
    if (!transaction) return;
    this.#transaction = undefined;
    await (await transaction).commit(options);
  }

  /**
   * Rolls back the open transaction (without one, does nothing). On a server without
   * transactions it raises NotSupportedError: nothing can be undone there.
   */
  async rollback(options: CallOptions = {}): Promise<void> {
    this.#check();
    if (!this.serverInfo.transactions) {
      throw new NotSupportedError(
        `rollback(): the server${this.serverInfo.name ? ` (${this.serverInfo.name})` : ''} has no transactions; every statement was committed as it ran`,
      );
    }
    const transaction = this.#transaction;
    if (!transaction) return;
    this.#transaction = undefined;
    await (await transaction).rollback(options);
  }

  /**
   * Closes every cursor, rolls back an open transaction (PEP 249: closing without commit
   * discards the changes) and closes the client. A second close is a no-op.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    const cursors = [...this.#cursors];
    await Promise.all(cursors.map((c) => c.close()));
    this.#closed = true;
    const transaction = this.#transaction;
    this.#transaction = undefined;
    // The server ends a transaction whose client went away; a failed rollback must not keep the client open.
    if (transaction) await transaction.then((t) => t.rollback()).catch(() => undefined);
    await this.client.close();
  }

  /** Closes the connection: `await using conn = await connect(…)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal Options for the next statement: the open transaction, begun on first use. */
  async _statementOptions(): Promise<StatementOptions> {
    if (this.#autocommit || !this.serverInfo.transactions) return {};
    if (!this.#transaction) {
      const begun = this.client.beginTransaction();
      this.#transaction = begun;
      begun.catch(() => {
        if (this.#transaction === begun) this.#transaction = undefined;
      });
    }
    return { transaction: await this.#transaction };
  }

  /**
   * @internal The open Flight SQL transaction (begun now if autocommit is off and none is
   * open); undefined in autocommit mode or on a server without transactions.
   */
  async _transaction(): Promise<Transaction | undefined> {
    return (await this._statementOptions()).transaction;
  }

  /** @internal A cursor closed. */
  _forget(cursor: Cursor<Row>): void {
    this.#cursors.delete(cursor);
  }

  #check(): void {
    if (this.#closed) throw closedError('Connection');
  }
}
