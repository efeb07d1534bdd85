/**
 * The Knex client for Flight SQL: `knex({ client: FlightSQLDialect, connection })`. A Knex
 * "connection" is a flightsql PEP 249 Connection; statements run through its cursors, so they
 * get prepared statements, parameter checks, streaming over every endpoint and Flight SQL
 * transactions from the layer below.
 */
import { Readable } from 'node:stream';
import Client_PG from 'knex/lib/dialects/postgres/index.js';

import type { Knex } from 'knex';
import {
  connect,
  NotSupportedError,
  parseConnectionUrl,
  type ConnectOptions,
  type Connection,
  type Cursor,
  type ValueOptions,
} from 'flightsql';
import {
  ColumnCompiler_FlightSQL,
  QueryCompiler_FlightSQL,
  SchemaCompiler_FlightSQL,
  TableCompiler_FlightSQL,
} from './compilers';
import { inlineBindings, sqlLiteral } from './literals';
import { DIALECT_SQL_INFO, serverFacts, type ProfileName, type ServerFacts } from './profiles';
import { reflectTables, type MetadataRequest, type ReflectedTable, type TableFilter } from './reflection';
import { profileOf, stateOf } from './state';
import { Transaction_FlightSQL } from './transaction';
import { ingestRows } from './ingest';

/** How bindings reach the server. */
export type BindingsMode = 'prepared' | 'inline' | 'auto';

/** How `knex.transaction()` behaves. */
export type TransactionsMode = 'auto' | 'flightsql' | 'none' | 'unsafe-autocommit';

/** The dialect's options, next to Knex's own in the config. */
export type FlightSQLDialectConfig = Omit<Knex.Config, 'connection'> & {
  /**
   * `connect()` options (`host`, `token`, `metadata: { database }`, `tls`, ...) or a
   * `flightsql://` URL (the JDBC driver's form).
   */
  connection?: string | ConnectOptions | { url: string };
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

/** A Knex connection: a flightsql Connection and the cursors running on it. */
export interface FlightSQLSession {
  readonly connection: Connection<Record<string, unknown>>;
  readonly active: Set<Cursor<Record<string, unknown>>>;
  __knex__disposed?: unknown;
}

/** What `_query` hands `processResponse`: rows for statements that return rows, else a count. */
export interface FlightSQLResponse {
  readonly rows: Record<string, unknown>[];
  /** Rows returned, or rows affected (-1 when the server does not know). */
  readonly rowCount: number;
  /** SELECT when rows came back, else the statement's verb. */
  readonly command: string;
  readonly fields: { name: string; dataTypeID: string }[];
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
  flightSql?: MetadataRequest | { kind: 'transaction'; action: string };
  ingest?: { table: string; schema?: string; rows: readonly Record<string, unknown>[] };
}

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

  _driver(): unknown {
    return { connect };
  }

  override transaction(container: unknown, config: unknown, outerTx: unknown): Knex.Transaction {
    return new Transaction_FlightSQL(this, container, config, outerTx) as unknown as Knex.Transaction;
  }

  override queryCompiler(builder: unknown, formatter?: unknown): unknown {
    return new QueryCompiler_FlightSQL(this, builder, formatter);
  }

  override schemaCompiler(builder: unknown): unknown {
    return new SchemaCompiler_FlightSQL(this, builder);
  }

  override tableCompiler(tableBuilder: unknown): unknown {
    return new TableCompiler_FlightSQL(this, tableBuilder);
  }

  override columnCompiler(tableBuilder: unknown, columnBuilder: unknown): unknown {
    return new ColumnCompiler_FlightSQL(this, tableBuilder, columnBuilder);
  }

  override poolDefaults() {
    // A session is a gRPC channel: cheap to keep, and HTTP/2 multiplexes what runs on it.
    return { min: 0, max: 10, propagateCreateError: true };
  }

  /** Opens a session; the first also reads the server's facts (GetSqlInfo) for the compilers. */
  override async acquireRawConnection(): Promise<FlightSQLSession> {
    const config = this.config as FlightSQLDialectConfig;
    const connection = await connect(connectOptionsOf(this.connectionSettings), {
      rowMode: 'object',
      ...config.values,
    });
    const state = stateOf(this);
    if (!state.facts) {
      const info = await connection.client.getSqlInfo(DIALECT_SQL_INFO).catch(() => new Map());
      state.facts = serverFacts(connection.serverInfo, info, config.profile);
    }
    return { connection, active: new Set() };
  }

  override async destroyRawConnection(session: FlightSQLSession): Promise<void> {
    await session.connection.close();
  }

  override async validateConnection(session: FlightSQLSession): Promise<boolean> {
    return !session.connection.closed && !session.__knex__disposed;
  }

  /** The server's facts (after the first connection), for the compilers and transactions. */
  facts(): ServerFacts | undefined {
    return stateOf(this).facts;
  }

  async _query(session: FlightSQLSession, obj: QueryObject): Promise<QueryObject> {
    if (!obj.sql) throw new Error('The query is empty');
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
    const cursor = session.connection.cursor({ rowMode: 'object' });
    session.active.add(cursor);
    try {
      await this._execute(cursor, obj);
      if (cursor.description) {
        const rows = await cursor.fetchall();
        const fields = cursor.description.map(([name, type]) => ({ name, dataTypeID: String(type) }));
        obj.response = { ...response(rows, rows.length, 'SELECT', true), fields };
      } else {
        obj.response = response([], cursor.rowcount, verbOf(obj.sql), false);
      }
      return obj;
    } catch (err) {
      if (isConnectionLost(err)) session.__knex__disposed = err;
      throw err;
    } finally {
      session.active.delete(cursor);
      await cursor.close();
    }
  }

  /**
   * Streams rows (or, with `.stream({ recordBatches: true })`, Arrow RecordBatches) with
   * backpressure: the source is piped, so destroying Knex's stream destroys it, which closes the
   * cursor and cancels the DoGet.
   */
  async _stream(
    session: FlightSQLSession,
    obj: QueryObject,
    stream: NodeJS.WritableStream & { emit(event: string, ...args: unknown[]): boolean },
    options: { recordBatches?: boolean; highWaterMark?: number } = {},
  ): Promise<void> {
    if (!obj.sql) throw new Error('The query is empty');
    const cursor = session.connection.cursor({ rowMode: 'object' });
    session.active.add(cursor);
    const release = () => {
      session.active.delete(cursor);
      return cursor.close();
    };
    try {
      await this._execute(cursor, { ...obj, method: obj.method ?? 'select' });
    } catch (err) {
      await release();
      stream.emit('error', err);
      throw err;
    }
    const source = Readable.from(options.recordBatches ? cursor.fetchRecordBatches() : cursor, {
      objectMode: true,
      highWaterMark: options.highWaterMark ?? 1024,
    });
    await new Promise<void>((resolve, reject) => {
      source.once('error', (err) => {
        stream.emit('error', err);
        reject(err);
      });
      source.once('close', () => resolve());
      source.pipe(stream);
    }).finally(release);
  }

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

  /** Cancels what runs on a session: its cursors close, which cancels their calls. */
  override async cancelQuery(session?: unknown): Promise<void> {
    const target = session as FlightSQLSession | undefined;
    if (!target) return;
    await Promise.all([...target.active].map((cursor) => cursor.close()));
  }

  /** Reflection for `reflect()`: on a pooled session, with the server's search escape. */
  async _reflect(filter: TableFilter): Promise<ReflectedTable[]> {
    const session = (await this.acquireConnection()) as FlightSQLSession;
    try {
      return await reflectTables(session.connection.client, this.facts() ?? {}, filter);
    } finally {
      await this.releaseConnection(session);
    }
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

  private async _execute(cursor: Cursor<Record<string, unknown>>, obj: QueryObject): Promise<void> {
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
      await cursor.execute(sql, null, { returnsRows });
      return;
    }
    try {
      await cursor.execute(obj.sql, bindings, { returnsRows });
    } catch (err) {
      // A server that cannot prepare or bind says UNIMPLEMENTED: from now on write literals.
      if (mode !== 'auto' || !(err instanceof NotSupportedError)) throw err;
      state.inlineFallback = true;
      this.logger.warn?.(
        'flightsql dialect: the server cannot bind parameters (UNIMPLEMENTED); bindings are written into the SQL from now on (parameters: "inline")',
      );
      await cursor.execute(inlineBindings(obj.sql, bindings, profileOf(this)), null, { returnsRows });
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

/**
 * connect() options from Knex's connection settings: our options as they are, a
 * `flightsql://` URL (as `url`), or the fields Knex's parser made of a URL string.
 */
export function connectOptionsOf(settings: unknown): ConnectOptions {
  if (typeof settings === 'string') return { ...parseConnectionUrl(settings) };
  const source = settings as Record<string, unknown>;
  const s = { ...source };
  // Knex hides the password (a non-enumerable property), so a spread alone would drop it.
  if (source['password'] !== undefined) s['password'] = source['password'];
  if (typeof s['url'] === 'string') {
    const { url, ...rest } = s;
    return { ...parseConnectionUrl(url as string), ...(rest as ConnectOptions) };
  }
  // Knex parses a connection string itself (host, port as text, user, password, and the query).
  if (typeof s['port'] === 'string' && typeof s['host'] === 'string' && !String(s['host']).includes('://')) {
    const url = new URL(`flightsql://${s['host'].includes(':') ? `[${s['host']}]` : s['host']}:${s['port']}`);
    if (s['user']) url.username = encodeURIComponent(String(s['user']));
    if (s['password']) url.password = encodeURIComponent(String(s['password']));
    for (const [key, value] of Object.entries(s)) {
      if (['host', 'port', 'user', 'password'].includes(key) || value === '' || value === undefined) continue;
      url.searchParams.set(key, String(value));
    }
    return { ...parseConnectionUrl(url.toString()) };
  }
  const { user, ...rest } = s;
  return {
    ...(rest as ConnectOptions),
    ...(user !== undefined && rest['username'] === undefined ? { username: String(user) } : {}),
  };
}
