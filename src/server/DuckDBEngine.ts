/**
 * The SQL engine behind the embedded server: one DuckDB instance, a connection per query (reused
 * when the query leaves no session state behind), result schemas from prepared statements, and
 * DuckDB errors as gRPC statuses.
 * DuckDB is imported here only, and lazily: client code never loads it.
 */
import { statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { Schema, type RecordBatch } from 'apache-arrow';
import { InterfaceError } from '../errors';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../flight';
import type { DuckDBConnection, DuckDBInstance, DuckDBPreparedStatement } from '@duckdb/node-api';
import { arrowSchemaFor, recordBatchesFrom, ResultFailedError } from './duckdb/recordBatches';
import { loadRuntime } from './duckdb/runtime';
import { arrowFieldFor } from './duckdb/types';
import { bindParameters, unboundParameters, type NamedParameters } from './statements';
import { quoteIdentifier, quoteLiteral } from './metadata/sql';
import { StatusError, statusForDuckDBError } from './statusErrors';
import { status as Status } from '@grpc/grpc-js';

export { StatusError, statusForDuckDBError } from './statusErrors';

/**
 * Target size of a batch: a DuckDB chunk under one FlightData message, so that the encoder
 * rarely has to slice a batch again (a batch is cut after the chunk that reaches the target).
 */
const BATCH_BYTES = DEFAULT_MAX_MESSAGE_BYTES - 256 * 1024;

/** What clients of the embedded server may reach beyond its tables. */
export interface EngineAccess {
  /**
   * Directories (and everything under them) that SQL may read and write: `read_csv`, `COPY`,
   * `ATTACH`... Nothing else of the host's file system or network is reachable.
   */
  readonly allowedDirectories?: readonly string[];
  /**
   * Trusted local use only: SQL may read and write any file the process can, reach the
   * network, install and load extensions, and change global settings for every client.
   */
  readonly fullAccess?: boolean;
}

/** A statement prepared on an idle connection, kept for the query that follows (see `IdleConnection`). */
interface KeptStatement {
  readonly sql: string;
  readonly statement: DuckDBPreparedStatement;
}

/**
 * A pooled connection waiting for its next query. GetFlightInfo prepares the statement to learn
 * its schema, and the DoGet that follows runs the same SQL: the statement stays prepared on the
 * connection, so that DoGet only executes it. DuckDB rebinds a prepared statement whose tables
 * changed in between, so it runs what the SQL means at execution time, as a fresh one would.
 */
interface IdleConnection {
  readonly connection: DuckDBConnection;
  readonly kept: KeptStatement | undefined;
}

/**
 * Idle connections kept for reuse, all databases together: enough for a few clients' small
 * queries in a row; more concurrent queries open connections of their own, as before.
 */
const MAX_IDLE_CONNECTIONS = 4;

/** What the engines made by `forDatabase` share: one DuckDB instance and its open connections. */
interface EngineCore {
  readonly instance: DuckDBInstance;
  /** Connections of running queries, closed before the instance (calls may outlive shutdown). */
  readonly open: Set<DuckDBConnection>;
  /**
   * Idle connections by database (`''`: none), each already in that database. Only connections
   * whose every statement was a read that ran to its end come back here (see `reusableAfter`).
   */
  readonly idle: Map<string, IdleConnection[]>;
  idleCount: number;
  /** Set by `close()`: connections released afterwards are closed, not kept. */
  closed: boolean;
  /** Queries started by `query()` that have not ended. */
  running: number;
  /**
   * Work in flight on connections (a `withConnection` call, a query until closed): `close()`
   * waits for it after interrupting, because closing a connection while DuckDB still runs on it
   * leaves the query running in a worker thread, which keeps the process alive.
   */
  readonly busy: Set<Promise<unknown>>;
}

/** How long `close()` waits for interrupted work to stop before closing anyway. */
const CLOSE_WAIT_MS = 5000;

/** A running query: its schema, its batches, and a way to stop it. */
export interface QueryStream {
  /** The result's Arrow schema. */
  readonly schema: Schema;
  /** The result's batches, read as DuckDB produces them. */
  readonly batches: AsyncIterable<RecordBatch>;
  /** Stops the query and frees its connection (idempotent). */
  close(): void;
}

/** DuckDB as the embedded server uses it. */
export class DuckDBEngine {
  readonly #core: EngineCore;
  /** Where unqualified names resolve on this engine's connections (InfluxDB's `database`). */
  readonly #database: string | undefined;

  private constructor(core: EngineCore, database?: string) {
    this.#core = core;
    this.#database = database;
  }

  /**
   * The same engine with unqualified names resolving in `database` (a DuckDB schema, as HTTP
   * writes to that database create it, or a catalog): InfluxDB's `database` header and JSON
   * ticket field. Every connection it opens fails with NOT_FOUND when there is no such database.
   * Undefined or empty: this engine.
   */
  forDatabase(database: string | undefined): DuckDBEngine {
    if (database === undefined || database === '' || database === this.#database) return this;
    return new DuckDBEngine(this.#core, database);
  }

  /**
   * Opens `database` (`:memory:` or a file path). Unless `access.fullAccess`, clients are locked
   * out of the host: no file system access outside `access.allowedDirectories`, no network, no
   * extensions installed or loaded, and no settings changed (DuckDB's `enable_external_access`
   * and `lock_configuration`, set after the server's own set-up so that nothing undoes them).
   */
  static async create(database = ':memory:', access: EngineAccess = {}): Promise<DuckDBEngine> {
    const { api } = await loadRuntime();
    const instance = await api.DuckDBInstance.create(
      database,
      access.fullAccess
        ? {}
        : {
            autoinstall_known_extensions: 'false',
            autoload_known_extensions: 'false',
            allow_community_extensions: 'false',
          },
    );
    if (!access.fullAccess) {
      const setup = await instance.connect();
      try {
        const directories = (access.allowedDirectories ?? []).map(directoryLiteral);
        if (directories.length > 0) await setup.run(`SET allowed_directories = [${directories.join(', ')}]`);
        await setup.run('SET enable_external_access = false');
        await setup.run('SET lock_configuration = true');
      } catch (err) {
        instance.closeSync();
        throw err;
      } finally {
        setup.closeSync();
      }
    }
    return new DuckDBEngine({
      instance,
      open: new Set(),
      idle: new Map(),
      idleCount: 0,
      closed: false,
      running: 0,
      busy: new Set(),
    });
  }

  /** The database unqualified names resolve in, when `forDatabase` chose one. */
  get database(): string | undefined {
    return this.#database;
  }

  /**
   * Queries started by `query()` (a DoGet's) that have not ended yet: read to the end, failed,
   * or stopped by a cancelled call. Tests read it to check that a client that gives up leaves
   * nothing running.
   */
  get runningQueries(): number {
    return this.#core.running;
  }

  /**
   * Connections kept idle for reuse, all databases together. Tests read it to check that reads
   * reuse connections and that nothing else is kept.
   */
  get idleConnections(): number {
    return this.#core.idleCount;
  }

  /** A new connection (its own session), in this engine's database when it has one. */
  async connect(): Promise<DuckDBConnection> {
    const connection = await this.#core.instance.connect();
    if (this.#database !== undefined) {
      try {
        await connection.run(`USE ${quoteIdentifier(this.#database)}`);
      } catch {
        connection.closeSync();
        throw new StatusError(Status.NOT_FOUND, `database '${this.#database}' not found`);
      }
    }
    return connection;
  }

  /**
   * A connection kept open for a transaction: statements of that transaction run on it. It is
   * closed by `endSession` or, at the latest, by `close()`.
   */
  async openSession(): Promise<DuckDBConnection> {
    const connection = await this.connect();
    this.#core.open.add(connection);
    return connection;
  }

  /** Closes a connection from `openSession`. */
  endSession(connection: DuckDBConnection): void {
    this.#core.open.delete(connection);
    connection.closeSync();
  }

  /**
   * Runs `work` on `session` when given (a transaction's connection, left open), otherwise on a
   * fresh connection closed afterwards. `signal` interrupts what runs on the connection (a
   * client that cancels its call must not leave DuckDB computing), and so does `close()`.
   */
  async withConnection<T>(
    session: DuckDBConnection | undefined,
    work: (c: DuckDBConnection) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const connection = session ?? (await this.connect());
    if (!session) this.#core.open.add(connection);
    const interrupt = () => connection.interrupt();
    signal?.addEventListener('abort', interrupt, { once: true });
    try {
      if (signal?.aborted) throw new StatusError(Status.CANCELLED, 'the call was cancelled');
      return await this.#track(work(connection));
    } finally {
      signal?.removeEventListener('abort', interrupt);
      if (!session) {
        this.#core.open.delete(connection);
        connection.closeSync();
      }
    }
  }

  /**
   * The result schema of `sql`, from a prepared statement (nothing runs). With `parameters`
   * bound, the result is opened (DuckDB types open parameters only then) and dropped unread.
   * Without a session or parameters, it is prepared on a pooled connection and stays prepared
   * there for the query that usually follows (GetFlightInfo, then DoGet).
   */
  async schemaOf(sql: string, session?: DuckDBConnection, parameters?: readonly unknown[]): Promise<Schema> {
    try {
      if (session || parameters) {
        return await this.withConnection(session, async (connection) => {
          const prepared = await connection.prepare(sql);
          try {
            if (parameters) {
              await bindParameters(prepared, parameters);
              return arrowSchemaFor(await prepared.stream());
            }
            return schemaOfPrepared(prepared);
          } finally {
            prepared.destroySync();
          }
        });
      }
      return await this.#schemaOnPooled(sql);
    } catch (err) {
      throw statusForDuckDBError(err);
    }
  }

  async #schemaOnPooled(sql: string): Promise<Schema> {
    // Always prepared anew: a statement kept from before may describe tables changed since.
    const { connection } = await this.#acquire(undefined);
    this.#core.open.add(connection);
    let prepared: DuckDBPreparedStatement | undefined;
    try {
      prepared = await this.#track(connection.prepare(sql));
      const schema = schemaOfPrepared(prepared);
      this.#core.open.delete(connection);
      this.#release(connection, reusableAfter(prepared, sql) ? { sql, statement: prepared } : undefined);
      prepared = undefined;
      return schema;
    } catch (err) {
      // Preparing changes nothing on the connection, but an error path is no place to save a connect.
      this.#discard(connection);
      throw err;
    } finally {
      prepared?.destroySync();
    }
  }

  /**
   * Runs `sql` and streams its result chunk by chunk; `signal` interrupts it. With `parameters`,
   * the statement is prepared and they are bound by position. With `session` (a transaction's
   * connection) it runs there, and the connection stays open afterwards. Otherwise it runs on a
   * pooled connection, which goes back to the pool only when the statement was a read that ran
   * to its end (see `reusableAfter`); any other ends closes it.
   */
  async query(
    sql: string,
    signal?: AbortSignal,
    parameters?: readonly unknown[] | NamedParameters,
    session?: DuckDBConnection,
  ): Promise<QueryStream> {
    const taken = session
      ? { connection: session, kept: undefined }
      : await this.#acquire(parameters ? undefined : sql);
    const connection = taken.connection;
    if (!session) this.#core.open.add(connection);
    this.#core.running++;
    let ended!: () => void;
    void this.#track(new Promise<void>((resolve) => (ended = resolve)));
    let prepared: DuckDBPreparedStatement | undefined = taken.kept?.statement;
    let reusable = false;
    let completed = false;
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      ended();
      this.#core.running--;
      if (session) return;
      if (completed && reusable && !signal?.aborted) {
        this.#core.open.delete(connection);
        // A statement with this call's parameters bound is not kept: the next call must bind its own.
        if (parameters) prepared?.destroySync();
        this.#release(connection, prepared && !parameters ? { sql, statement: prepared } : undefined);
        return;
      }
      this.#discard(connection);
    };
    try {
      // DuckDB may compute for long before the first chunk (an aggregate over a big table):
      // a client that gives up meanwhile must interrupt it, not wait for it.
      const interrupt = () => connection.interrupt();
      if (signal?.aborted) throw new StatusError(Status.CANCELLED, 'the call was cancelled');
      signal?.addEventListener('abort', interrupt, { once: true });
      let result;
      try {
        if (!prepared && !session) {
          try {
            prepared = await connection.prepare(sql);
          } catch {
            // Several statements (`USE x; SELECT ...`) cannot be prepared at once: they run one
            // after the other below, as on a connection of their own. A statement that does not
            // prepare fails there again, with the same error.
          }
        }
        if (prepared) {
          reusable = !session && reusableAfter(prepared, sql);
          if (parameters) await bindParameters(prepared, parameters);
          result = await prepared.stream();
        } else if (parameters) {
          prepared = await connection.prepare(sql);
          await bindParameters(prepared, parameters);
          result = await prepared.stream();
        } else {
          result = await connection.stream(sql);
        }
      } finally {
        signal?.removeEventListener('abort', interrupt);
      }
      const schema = arrowSchemaFor(result);
      const batches = async function* () {
        try {
          yield* recordBatchesFrom(result, schema, { signal, batchBytes: BATCH_BYTES });
          completed = true;
        } catch (err) {
          // Without DuckDB's error its kind is unknown; gRPC's UNKNOWN is for such APIs.
          if (err instanceof ResultFailedError) throw new StatusError(Status.UNKNOWN, err.message);
          throw statusForDuckDBError(err);
        } finally {
          close();
        }
      };
      return { schema, batches: batches(), close };
    } catch (err) {
      close();
      throw statusForDuckDBError(err);
    }
  }

  /** Where this engine's idle connections wait: one list per database. */
  get #poolKey(): string {
    return this.#database ?? '';
  }

  /**
   * An idle connection of this engine's database, or a new one. With `sql`, one that holds it
   * prepared is preferred, and its statement comes along; other kept statements are dropped.
   */
  async #acquire(sql: string | undefined): Promise<{ connection: DuckDBConnection; kept?: KeptStatement }> {
    const idle = this.#core.idle.get(this.#poolKey);
    if (!idle || idle.length === 0) return { connection: await this.connect() };
    const at = sql === undefined ? -1 : idle.findIndex((entry) => entry.kept?.sql === sql);
    const entry = idle.splice(at >= 0 ? at : idle.length - 1, 1)[0]!;
    this.#core.idleCount--;
    if (at >= 0) return entry;
    entry.kept?.statement.destroySync();
    return { connection: entry.connection };
  }

  /** Puts a connection (not in `open`) back in the pool, or closes it when the pool is full or the engine closed. */
  #release(connection: DuckDBConnection, kept: KeptStatement | undefined): void {
    const core = this.#core;
    if (core.closed || core.idleCount >= MAX_IDLE_CONNECTIONS) {
      connection.closeSync();
      return;
    }
    let idle = core.idle.get(this.#poolKey);
    if (!idle) core.idle.set(this.#poolKey, (idle = []));
    idle.push({ connection, kept });
    core.idleCount++;
  }

  /** Stops and closes a connection that must not be reused. */
  #discard(connection: DuckDBConnection): void {
    this.#core.open.delete(connection);
    try {
      connection.interrupt();
    } finally {
      connection.closeSync();
    }
  }

  /**
   * Interrupts what runs, waits for it to stop (at most a few seconds), and closes the database,
   * so that the process can exit right after.
   */
  async close(): Promise<void> {
    this.#core.closed = true;
    for (const idle of this.#core.idle.values()) for (const { connection } of idle) connection.closeSync();
    this.#core.idle.clear();
    this.#core.idleCount = 0;
    for (const connection of this.#core.open) connection.interrupt();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#core.busy]),
      new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS).unref())),
    ]);
    clearTimeout(timer);
    for (const connection of this.#core.open) connection.closeSync();
    this.#core.open.clear();
    this.#core.instance.closeSync();
  }

  /** Counts `work` as in flight until it settles. */
  #track<T>(work: Promise<T>): Promise<T> {
    const busy = this.#core.busy;
    busy.add(work);
    const settled = () => busy.delete(work);
    work.then(settled, settled);
    return work;
  }
}

/**
 * Whether a connection can serve other calls after running `statement` (read to its end): only
 * after a plain read. Everything else may leave session state behind (`USE`, `SET`, `PRAGMA`,
 * temporary objects, prepared statements, an open transaction), and so may one read: `setseed()`
 * seeds the connection's random numbers. A SELECT in autocommit mode commits or rolls back its
 * own transaction, so even a failed one leaves nothing open (but failures are not reused anyway).
 */
function reusableAfter(statement: DuckDBPreparedStatement, sql: string): boolean {
  // The one thing a SELECT can leave in its session is the random seed (DuckDB's sequences, and
  // so currval, are the database's). A false match only costs a new connection.
  return statement.statementType === STATEMENT_TYPE_SELECT && !/setseed/i.test(sql);
}

/** `StatementType.SELECT` of @duckdb/node-api (imported lazily, so not by name here). */
const STATEMENT_TYPE_SELECT = 1;

/** The result schema a prepared statement declares (its parameters unbound). */
function schemaOfPrepared(prepared: DuckDBPreparedStatement): Schema {
  const fields = [];
  for (let i = 0; i < prepared.columnCount; i++) {
    // A column typed by a parameter (`SELECT ?`) has no type while nothing is bound.
    if (prepared.columnTypeId(i) === 0) throw unboundParameters(prepared);
    fields.push(arrowFieldFor(prepared.columnName(i), prepared.columnType(i)));
  }
  return new Schema(fields);
}

/** A SQL literal for a directory of `allowed_directories`, made absolute against the server's working directory. */
function directoryLiteral(directory: string): string {
  const absolute = resolve(directory);
  // A mistyped directory would open nothing and say nothing: refuse it at start instead.
  if (!statSync(absolute, { throwIfNoEntry: false })?.isDirectory())
    throw new InterfaceError(`allowedDirectories: ${absolute} is not a directory`);
  const withSlash = absolute.endsWith(sep) ? absolute : absolute + sep;
  return quoteLiteral(withSlash);
}
