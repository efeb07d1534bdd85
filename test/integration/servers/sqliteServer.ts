/**
 * A Flight SQL server that behaves as Arrow C++'s SQLite example server
 * (cpp/src/arrow/flight/sql/example/sqlite_server.cc), over a real SQLite engine (sql.js,
 * SQLite compiled to WebAssembly): union-typed parameters, declared-type schemas, catalog
 * 'main' with null schemas, keys from SQLite's pragmas. It starts with the example's tables
 * (foreignTable, intTable) and rows. Deviations are listed in sqliteFlightSql.ts and
 * sqliteStatement.ts.
 */
import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js';
import { serve, type FlightSqlHandlers } from './grpcService';
import { SqliteFlightSql, type SqliteFlightSqlOptions } from './sqliteFlightSql';
import { SqliteApi, type SqliteEngine } from './sqliteApi';

/** The example's initial data (`SQLiteFlightSqlServer::Create`). */
export const EXAMPLE_DATA = `
    CREATE TABLE foreignTable (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    foreignName varchar(100),
    value int);

    CREATE TABLE intTable (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    keyName varchar(100),
    value int,
    foreignId int references foreignTable(id));

    INSERT INTO foreignTable (foreignName, value) VALUES ('keyOne', 1);
    INSERT INTO foreignTable (foreignName, value) VALUES ('keyTwo', 0);
    INSERT INTO foreignTable (foreignName, value) VALUES ('keyThree', -1);
    INSERT INTO intTable (keyName, value, foreignId) VALUES ('one', 1, 1);
    INSERT INTO intTable (keyName, value, foreignId) VALUES ('zero', 0, 1);
    INSERT INTO intTable (keyName, value, foreignId) VALUES ('negative one', -1, 1);
    INSERT INTO intTable (keyName, value, foreignId) VALUES (NULL, NULL, NULL);
    INSERT INTO intTable (keyName, value, foreignId) VALUES ('null', NULL, NULL);
`;

let sqlJs: Promise<SqlJsStatic> | undefined;

/** A new in-memory SQLite database with the raw API beside it. */
export async function openSqlite(): Promise<SqliteEngine> {
  sqlJs ??= initSqlJs();
  const module = await sqlJs;
  const db = new module.Database();
  const api = new SqliteApi(module);
  if (api.errmsg(db.db) !== 'not an error')
    throw new Error('sql.js Database: no connection pointer (sql.js changed?)');
  return { db, api };
}

/** A running SQLite example server. */
export interface SqliteServer {
  /** `grpc://127.0.0.1:<port>`. */
  readonly location: string;
  /** The SQLite database it serves (set-up only; tests read through Flight SQL). */
  readonly db: Database;
  readonly handlers: FlightSqlHandlers;
  close(): Promise<void>;
}

/** Options: the emulated server's, and whether to load the example's tables (default true). */
export interface SqliteServerOptions extends SqliteFlightSqlOptions {
  readonly exampleData?: boolean;
  /** Wraps the handlers (schemaMismatchServer.ts changes FlightInfos and streams this way). */
  readonly wrap?: (handlers: FlightSqlHandlers) => FlightSqlHandlers;
}

/** Starts the server on 127.0.0.1, port 0. */
export async function startSqliteServer(options: SqliteServerOptions = {}): Promise<SqliteServer> {
  const engine = await openSqlite();
  if (options.exampleData ?? true) engine.db.exec(EXAMPLE_DATA);
  const base = new SqliteFlightSql(engine, options);
  const handlers = options.wrap ? options.wrap(base) : base;
  const running = await serve(handlers);
  return {
    location: running.location,
    db: engine.db,
    handlers,
    close: async () => {
      await running.close();
      engine.db.close();
    },
  };
}
