/**
 * The Knex client for Flight SQL: `knex({ client: FlightSQLDialect, connection })`. A Knex
 * "connection" is a flightsql PEP 249 Connection; statements run through its cursors, so they
 * get prepared statements, parameter checks, streaming over every endpoint and Flight SQL
 * transactions from the layer below.
 */
import type { Duplex } from 'node:stream';
import Client_PG from 'knex/lib/dialects/postgres/index.js';

import type { Knex } from 'knex';
import { NotSupportedError, type Cursor, type ValueOptions } from 'flightsql';
import { ColumnCompiler_FlightSQL, QueryCompiler_FlightSQL, TableCompiler_FlightSQL } from './compilers';
import { SchemaCompiler_FlightSQL } from './schemaCompiler';
import { connectionPlan, transportOf, type ConnectionSetting } from './connection';
import { inlineBindings, sqlLiteral } from './literals';
import { DIALECT_SQL_INFO, serverFacts, type ProfileName, type ServerFacts } from './profiles';
import { reflectTables, type MetadataRequest, type ReflectedTable, type TableFilter } from './reflection';
import { dropTableWithSequences, type DropTableRequest } from './sequences';
import { leaseOf, SESSION, sessionOf, type FlightSQLSession, type Lease } from './session';
import { FlightSQLDriver, profileOf, stateOf } from './state';
import { streamQuery, type StreamOptions } from './stream';
import { Transaction_FlightSQL } from './transaction';
import { ingestRows } from './ingest';

/** How bindings reach the server. */
export type BindingsMode = 'prepared' | 'inline' | 'auto';

/** How `knex.transaction()` behaves. */
export type TransactionsMode = 'auto' | 'flightsql' | 'none' | 'unsafe-autocommit';

/** The dialect's options, next to Knex's own in the config. */
export type FlightSQLDialectConfig = Omit<Knex.Config, 'connection'> & {
  /**
   * A `flightsql://` URL (the JDBC driver's form), a location (`grpc://`, `grpc+tcp://`,
   * `grpc+tls://`), `connect()` options (`host`, `port`, `token`, `metadata: { database }`, `tls`,
   * `insecure`, `trustedLocations`, ...), `{ url, ...options }`, or a function returning one of
   * these (docs/dialect.md, "Connections").
   */
  connection?:
    | ConnectionSetting
    | (() =>
        | ConnectionSetting
        | Promise<
            ConnectionSetting & {
              /** Knex's hook: true when the setting has expired and the function must be called again. */
              expirationChecker?: () => boolean;
            }
          >);
  /**
   * `prepared`: bindings through Flight SQL prepared statements; `inline`: written into the SQL as
   * literals (for servers that cannot bind parameters); `auto` (default): prepared, falling back to
   * inline once per server, with a warning, when the server cannot bind.
   */
  parameters?: BindingsMode;
  /** The engine profile; by default taken from the server's name (GetSqlInfo). */
  profile?: ProfileName;
  /**
   * `auto` (default): Flight SQL transactions when the server has them, else `knex.transaction()`
   * fails with a capability error; `unsafe-autocommit`: run transaction bodies without atomicity
   * (each statement commits as it runs; rollback cannot undo them).
   */
  transactions?: TransactionsMode;
  /** How values come out (flightsql's value options; rows are always objects). */
  values?: Omit<ValueOptions, 'rowMode'>;
};

/** What `_query` hands `processResponse`: rows for statements that return rows, else a count. */
export interface FlightSQLResponse {
  /** The rows, as objects (empty for statements that return none). */
  readonly rows: Record<string, unknown>[];
  /** Rows returned, or rows affected (-1 when the server does not know). */
  readonly rowCount: number;
  /** SELECT when rows came back, else the statement's verb. */
  readonly command: string;
  /** The result's columns: name and Arrow type (as text), like node-postgres's `fields`. */
  readonly fields: {
    /** The column's name. */
    name: string;
    /** The column's Arrow data type, as text. */
    dataTypeID: string;
  }[];
  /** Whether the statement returned rows. */
  readonly returnsRows: boolean;
}

/** The subset of Knex's query object the dialect reads. */
interface QueryObject {
  sql: string;
  bindings?: unknown[];
  method?: string;
  options?: Record<string, unknown>;
  returning?: unknown;
  pluck?: string;
  response?: unknown;
  output?: (this: unknown, response: unknown) => unknown;
  flightSql?: MetadataRequest | DropTableRequest | { kind: 'transaction'; action: string };
  ingest?: { table: string; schema?: string; rows: readonly Record<string, unknown>[] };
}

/** The stream Knex hands `_stream`: a Transform it reads rows from. */
type KnexStream = Duplex;

const ROW_METHODS = new Set(['select', 'first', 'pluck']);

// Typed as Knex's public Client, so that the published declarations need no Knex internals.
const KnexPostgresClient: typeof Knex.Client = Client_PG;

/**
 * The Knex dialect for Flight SQL servers. Use the class itself as `client`. No `#private`
 * members: Knex makes transaction clients with Object.create(prototype), without the constructor.
 */
export class FlightSQLDialect extends KnexPostgresClient {
  /** Knex calls this with the whole config: Knex's options and the dialect's (FlightSQLDialectConfig). */
  constructor(config: Knex.Config) {
    super(config);
  }

  /** The dialect's driver: flightsql's connect() and the state every derived client shares (state.ts). */
  _driver(): unknown {
    return new FlightSQLDriver();
  }

  /** Knex hook: a transaction that uses Flight SQL transactions, or what `transactions` says. */
  override transaction(container: unknown, config: unknown, outerTx: unknown): Knex.Transaction {
    return new Transaction_FlightSQL(this, container, config, outerTx) as unknown as Knex.Transaction;
  }

  /** Knex hook: the query compiler for the server's SQL (its engine profile). */
  override queryCompiler(builder: unknown, formatter?: unknown): unknown {
    return new QueryCompiler_FlightSQL(this, builder, formatter);
  }

  /** Knex hook: the schema compiler, with reflection from Flight SQL metadata. */
  override schemaCompiler(builder: unknown): unknown {
    return new SchemaCompiler_FlightSQL(this, builder);
  }

  /** Knex hook: the table compiler for the server's DDL. */
  override tableCompiler(tableBuilder: unknown): unknown {
    return new TableCompiler_FlightSQL(this, tableBuilder);
  }

  /** Knex hook: the column compiler, mapping Knex's column types to the server's. */
  override columnCompiler(tableBuilder: unknown, columnBuilder: unknown): unknown {
    return new ColumnCompiler_FlightSQL(this, tableBuilder, columnBuilder);
  }

  /** Knex hook: the pool's defaults (0 to 10 sessions; a failed connect fails the acquisition). */
  override poolDefaults() {
    // A session is a gRPC channel: cheap to keep, and HTTP/2 multiplexes what runs on it.
    return {
      /** No session is kept open while idle. */
      min: 0,
      /** At most 10 sessions. */
      max: 10,
      /** A failed connect rejects the acquisition at once instead of retrying until the timeout. */
      propagateCreateError: true,
    };
  }

  /** Opens a session; the first also reads the server's facts (GetSqlInfo) for the compilers. */
  override async acquireRawConnection(): Promise<FlightSQLSession> {
    const config = this.config as FlightSQLDialectConfig;
    const state = stateOf(this);
    const options = await transportOf(connectionPlan(this.connectionSettings), state.transports);
    const connection = await state.connect({ ...options, rowMode: 'object', ...config.values });
    if (!state.facts) {
      const info = await connection.client.getSqlInfo(DIALECT_SQL_INFO).catch(() => new Map());
      state.facts = serverFacts(connection.serverInfo, info, config.profile);
    }
    return { connection, active: new Map() };
  }

  /** Knex hook: closes a session's connection when the pool lets it go. */
  override async destroyRawConnection(session: FlightSQLSession): Promise<void> {
    await session.connection.close();
  }

  /** A pooled session, as a lease of its own (see Lease). */
  override async acquireConnection(): Promise<FlightSQLSession> {
    return leaseOf((await super.acquireConnection()) as FlightSQLSession);
  }

  /**
   * Gives a lease's session back to the pool, once. After `destroy()` there is no pool: a late
   * release (a stream closing after its error) has nothing to do.
   */
  override async releaseConnection(connection: FlightSQLSession): Promise<void> {
    const lease = connection as Partial<Lease>;
    const session = sessionOf(connection);
    if (lease[SESSION]) {
      if (lease.released) return;
      lease.released = true;
      // Knex marks a connection to evict on the object it holds: the lease.
      if (Object.hasOwn(lease, '__knex__disposed')) session.__knex__disposed = lease.__knex__disposed;
    }
    if (!this.pool) return;
    await super.releaseConnection(session);
  }

  /** Knex hook: whether a pooled session can still be used (not closed, not lost). */
  override async validateConnection(session: FlightSQLSession): Promise<boolean> {
    return !session.connection.closed && !session.__knex__disposed;
  }

  /** The server's facts (after the first connection), for the compilers and transactions. */
  facts(): ServerFacts | undefined {
    return stateOf(this).facts;
  }

  /** @internal Knex hook: runs one query object on a session and attaches its {@link FlightSQLResponse}. */
  async _query(connection: FlightSQLSession, obj: QueryObject): Promise<QueryObject> {
    if (!obj.sql) throw new Error('The query is empty');
    const session = sessionOf(connection);
    const request = obj.flightSql;
    if (request?.kind === 'tables') {
      obj.response = await this._tables(session, request);
      return obj;
    }
    if (request?.kind === 'transaction') {
      obj.response = await (obj as unknown as { run: () => Promise<unknown> }).run();
      return obj;
    }
    if (obj.ingest) {
      const count = await ingestRows(session.connection, obj.ingest);
      obj.response = response([], count, 'INSERT', false);
      return obj;
    }
    if (request?.kind === 'dropTable') {
      await dropTableWithSequences(
        (sql, returnsRows) => this._run(session, sql, returnsRows),
        request,
        obj.sql,
      );
      obj.response = response([], -1, 'DROP', false);
      return obj;
    }
    return this._withCursor(session, async (cursor, signal) => {
      await this._execute(cursor, obj, signal);
      if (cursor.description) {
        const rows = await cursor.fetchall();
        const fields = cursor.description.map(([name, type]) => ({ name, dataTypeID: String(type) }));
        obj.response = { ...response(rows, rows.length, 'SELECT', true), fields };
      } else {
        obj.response = response([], cursor.rowcount, verbOf(obj.sql), false);
      }
      return obj;
    });
  }

  /**
   * Streams rows (or, with `.stream({ recordBatches: true })`, Arrow RecordBatches) with
   * backpressure. Closing Knex's stream at any moment, before the first batch too, cancels the
   * query on the server (stream.ts).
   * @internal Knex hook.
   */
  async _stream(
    connection: FlightSQLSession,
    obj: QueryObject,
    stream: KnexStream,
    options: StreamOptions = {},
  ): Promise<void> {
    if (!obj.sql) {
      // Knex does not pass on what _stream rejects with once it has a connection: tell the stream.
      const err = new Error('The query is empty');
      stream.destroy(err);
      throw err;
    }
    const session = sessionOf(connection);
    const cursor = session.connection.cursor({ rowMode: 'object' });
    const controller = new AbortController();
    session.active.set(cursor, controller);
    const query = { ...obj, method: obj.method ?? 'select' };
    try {
      await streamQuery(
        cursor,
        (signal) => this._execute(cursor, query, AbortSignal.any([signal, controller.signal])),
        stream,
        options,
      );
    } catch (err) {
      if (isConnectionLost(err)) session.__knex__disposed = err;
      throw err;
    } finally {
      session.active.delete(cursor);
    }
  }

  /** @internal Knex hook: what a query resolves to (rows, the first row, a plucked column, a count). */
  processResponse(obj: QueryObject, runner: unknown): unknown {
    const resp = obj.response as FlightSQLResponse;
    if (obj.output) return obj.output.call(runner, resp);
    if (obj.method === 'raw') return resp;
    if (resp.returnsRows) {
      if (obj.method === 'first') return resp.rows[0];
      if (obj.method === 'pluck') return resp.rows.map((row) => row[obj.pluck!]);
      return resp.rows;
    }
    // Without RETURNING an insert has nothing to report: ORMs read a number here as the new id.
    if (obj.method === 'insert') return [];
    if (obj.method === 'update' || obj.method === 'del' || obj.method === 'counter') return resp.rowCount;
    return resp;
  }

  /** Cancels what runs on a session: its calls are aborted and its cursors closed. */
  override async cancelQuery(connection?: unknown): Promise<void> {
    if (!connection) return;
    const session = sessionOf(connection as FlightSQLSession);
    const running = [...session.active];
    for (const [, controller] of running) controller.abort();
    await Promise.all(running.map(([cursor]) => cursor.close()));
  }

  /** @internal Reflection for `reflect()`: on a pooled session, with the server's search escape. */
  async _reflect(filter: TableFilter): Promise<ReflectedTable[]> {
    const lease = (await this.acquireConnection()) as FlightSQLSession;
    try {
      return await reflectTables(sessionOf(lease).connection.client, this.facts() ?? {}, filter);
    } finally {
      await this.releaseConnection(lease);
    }
  }

  /** Runs `work` on a new cursor of the session, cancellable by cancelQuery(); closes the cursor after. */
  private async _withCursor<T>(
    session: FlightSQLSession,
    work: (cursor: Cursor<Record<string, unknown>>, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const cursor = session.connection.cursor({ rowMode: 'object' });
    const controller = new AbortController();
    session.active.set(cursor, controller);
    try {
      return await work(cursor, controller.signal);
    } catch (err) {
      if (isConnectionLost(err)) session.__knex__disposed = err;
      throw err;
    } finally {
      session.active.delete(cursor);
      await cursor.close();
    }
  }

  /** Runs SQL the dialect writes itself (no bindings) in the session, and its transaction. */
  private _run(
    session: FlightSQLSession,
    sql: string,
    returnsRows: boolean,
  ): Promise<Record<string, unknown>[]> {
    return this._withCursor(session, async (cursor, signal) => {
      await cursor.execute(sql, null, { returnsRows, signal });
      return returnsRows ? cursor.fetchall() : [];
    });
  }

  private async _tables(session: FlightSQLSession, request: MetadataRequest): Promise<ReflectedTable[]> {
    const facts = this.facts() ?? {};
    const filter = { schema: request.schema, tables: [request.table], columns: request.columns, keys: false };
    const tables = await reflectTables(session.connection.client, facts, filter);
    // "schema.table" without withSchema(): Objection and others pass names this way.
    if (tables.length === 0 && request.schema === undefined && request.table.includes('.')) {
      const dot = request.table.indexOf('.');
      const split = {
        ...filter,
        schema: request.table.slice(0, dot),
        tables: [request.table.slice(dot + 1)],
      };
      return reflectTables(session.connection.client, facts, split);
    }
    return tables;
  }

  private async _execute(
    cursor: Cursor<Record<string, unknown>>,
    obj: QueryObject,
    signal?: AbortSignal,
  ): Promise<void> {
    const config = this.config as FlightSQLDialectConfig;
    const mode = config.parameters ?? 'auto';
    const bindings = obj.bindings ?? [];
    const returnsRows =
      obj.method === undefined || obj.method === 'raw'
        ? undefined
        : ROW_METHODS.has(obj.method) || Boolean(obj.returning && profileOf(this).returning);
    const state = stateOf(this);
    if (bindings.length === 0 || mode === 'inline' || (mode === 'auto' && state.inlineFallback)) {
      const sql = bindings.length ? inlineBindings(obj.sql, bindings, profileOf(this)) : obj.sql;
      await cursor.execute(sql, null, { returnsRows, signal });
      return;
    }
    try {
      await cursor.execute(obj.sql, bindings, { returnsRows, signal });
    } catch (err) {
      // A server that cannot prepare or bind says UNIMPLEMENTED: from now on write literals.
      if (mode !== 'auto' || !(err instanceof NotSupportedError)) throw err;
      state.inlineFallback = true;
      this.logger.warn?.(
        'flightsql dialect: the server cannot bind parameters (UNIMPLEMENTED); bindings are written into the SQL from now on (parameters: "inline")',
      );
      await cursor.execute(inlineBindings(obj.sql, bindings, profileOf(this)), null, { returnsRows, signal });
    }
  }
}

// Knex reads these from the prototype while its constructor runs (class fields come too late).
Object.assign(FlightSQLDialect.prototype, {
  dialect: 'flightsql',
  driverName: 'flightsql',
  _packageName: 'flightsql',
  canCancelQuery: true,
  _escapeBinding(value: unknown) {
    return sqlLiteral(value, profileOf(this as unknown as Knex.Client));
  },
});

function response(
  rows: Record<string, unknown>[],
  rowCount: number,
  command: string,
  returnsRows: boolean,
): FlightSQLResponse {
  return { rows, rowCount, command, fields: [], returnsRows };
}

function verbOf(sql: string): string {
  return /^\s*(?:with\b[\s\S]*?\)\s*)?(\w+)/i.exec(sql)?.[1]?.toUpperCase() ?? 'UNKNOWN';
}

function isConnectionLost(err: unknown): boolean {
  const code = (err as { grpcCode?: number }).grpcCode;
  return code === 14 /* UNAVAILABLE */ || code === 16; /* UNAUTHENTICATED */
}
