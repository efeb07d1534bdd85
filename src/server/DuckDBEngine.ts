/**
 * The SQL engine behind the embedded server: one DuckDB instance, one connection per query,
 * result schemas from prepared statements, and DuckDB errors as gRPC statuses.
 * DuckDB is imported here only, and lazily: client code never loads it.
 */
import { resolve, sep } from 'node:path';
import { Schema, type RecordBatch } from 'apache-arrow';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../flight';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { arrowSchemaFor, recordBatchesFrom, ResultFailedError } from './duckdb/recordBatches';
import { loadRuntime } from './duckdb/runtime';
import { arrowFieldFor } from './duckdb/types';
import { bindParameters, unboundParameters, type NamedParameters } from './statements';
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

/** What the engines made by `forDatabase` share: one DuckDB instance and its open connections. */
interface EngineCore {
  readonly instance: DuckDBInstance;
  /** Connections of running queries, closed before the instance (calls may outlive shutdown). */
  readonly open: Set<DuckDBConnection>;
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
  readonly schema: Schema;
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
    return new DuckDBEngine({ instance, open: new Set(), running: 0, busy: new Set() });
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
   */
  async schemaOf(sql: string, session?: DuckDBConnection, parameters?: readonly unknown[]): Promise<Schema> {
    try {
      return await this.withConnection(session, async (connection) => {
        const prepared = await connection.prepare(sql);
        try {
          if (parameters) {
            await bindParameters(prepared, parameters);
            return arrowSchemaFor(await prepared.stream());
          }
          const fields = [];
          for (let i = 0; i < prepared.columnCount; i++) {
            // A column typed by a parameter (`SELECT ?`) has no type while nothing is bound.
            if (prepared.columnTypeId(i) === 0) throw unboundParameters(prepared);
            fields.push(arrowFieldFor(prepared.columnName(i), prepared.columnType(i)));
          }
          return new Schema(fields);
        } finally {
          prepared.destroySync();
        }
      });
    } catch (err) {
      throw statusForDuckDBError(err);
    }
  }

  /**
   * Runs `sql` and streams its result chunk by chunk; `signal` interrupts it. With `parameters`,
   * the statement is prepared and they are bound by position. With `session` (a transaction's
   * connection) it runs there, and the connection stays open afterwards.
   */
  async query(
    sql: string,
    signal?: AbortSignal,
    parameters?: readonly unknown[] | NamedParameters,
    session?: DuckDBConnection,
  ): Promise<QueryStream> {
    const connection = session ?? (await this.connect());
    if (!session) this.#core.open.add(connection);
    this.#core.running++;
    let ended!: () => void;
    void this.#track(new Promise<void>((resolve) => (ended = resolve)));
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      ended();
      this.#core.running--;
      if (session) return;
      this.#core.open.delete(connection);
      try {
        connection.interrupt();
      } finally {
        connection.closeSync();
      }
    };
    try {
      // DuckDB may compute for long before the first chunk (an aggregate over a big table):
      // a client that gives up meanwhile must interrupt it, not wait for it.
      const interrupt = () => connection.interrupt();
      if (signal?.aborted) throw new StatusError(Status.CANCELLED, 'the call was cancelled');
      signal?.addEventListener('abort', interrupt, { once: true });
      let result;
      try {
        if (parameters) {
          const prepared = await connection.prepare(sql);
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

  /**
   * Interrupts what runs, waits for it to stop (at most a few seconds), and closes the database,
   * so that the process can exit right after.
   */
  async close(): Promise<void> {
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

/** A SQL literal for a directory of `allowed_directories`, made absolute against the server's working directory. */
function directoryLiteral(directory: string): string {
  const absolute = resolve(directory);
  const withSlash = absolute.endsWith(sep) ? absolute : absolute + sep;
  return `'${withSlash.replace(/'/g, "''")}'`;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
