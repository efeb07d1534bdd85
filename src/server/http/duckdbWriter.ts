/**
 * Writes planned line protocol rows into DuckDB: one transaction per request (so a refused
 * request leaves nothing behind), the schema created and tables created or widened with DDL,
 * then the rows appended through DuckDB's Appender, table by table. Requests are written one
 * at a time: two transactions adding the same column would conflict in DuckDB's catalog.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { DuckDBEngine } from '../DuckDBEngine';
import { loadRuntime, type NodeApi } from '../duckdb/runtime';
import type { Point } from './lineProtocol';
import { HttpError } from './responses';
import {
  planWrite,
  type CatalogTable,
  type Column,
  type ColumnKind,
  type Rejected,
  type TablePlan,
} from './tablePlan';

/** Marks, as column comments, what a column created over HTTP holds (tag and string are both VARCHAR). */
const KIND_COMMENT: Readonly<Partial<Record<ColumnKind, string>>> = {
  tag: 'influx:tag',
  field: 'influx:field',
  time: 'influx:time',
};

/** Quotes an SQL identifier: any character may appear, `"` is doubled. */
export const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** What a write did. */
export interface WriteOutcome {
  /** Rows written (0 when the request was refused whole). */
  readonly written: number;
  /** Points refused by the schema (type conflicts, name clashes), in line order. */
  readonly rejected: Rejected[];
}

/** The schema a database name writes to: `main` when none is given. */
export function schemaFor(database: string | undefined): string {
  return database === undefined || database === '' ? 'main' : database;
}

/** Writes line protocol points into DuckDB, one request at a time. */
export class DuckDBWriter {
  /** The end of the last queued write: each write waits for the one before. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly engine: DuckDBEngine) {}

  /**
   * Writes `points` into schema `schema` (created if missing). With `acceptPartial` false,
   * nothing is written when a point is refused. Throws HttpError 400 for a schema name DuckDB
   * could not tell from a catalog.
   */
  write(schema: string, points: readonly Point[], acceptPartial: boolean): Promise<WriteOutcome> {
    const run = this.#tail.then(() => this.#write(schema, points, acceptPartial));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #write(schema: string, points: readonly Point[], acceptPartial: boolean): Promise<WriteOutcome> {
    const { api } = await loadRuntime();
    return this.engine.withConnection(undefined, async (connection) => {
      await checkSchemaName(connection, schema);
      await connection.run('BEGIN TRANSACTION');
      try {
        const plan = planWrite(points, await readCatalog(connection, schema));
        if (plan.rowCount === 0 || (!acceptPartial && plan.rejected.length > 0)) {
          await connection.run('ROLLBACK');
          return { written: 0, rejected: plan.rejected };
        }
        await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
        for (const table of plan.tables) {
          await applyDdl(connection, schema, table);
          await appendRows(connection, api, schema, table);
        }
        await connection.run('COMMIT');
        return { written: plan.rowCount, rejected: plan.rejected };
      } catch (err) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }
}

/** DuckDB's own schemas: a database by these names would mix with the system catalog. */
const SYSTEM_SCHEMAS = new Set(['information_schema', 'pg_catalog']);

/**
 * Refuses a schema named like a system schema or an attached catalog (`memory`, `system`,
 * `temp`, ...): `"memory"."cpu"` would be an ambiguous reference in every query.
 */
async function checkSchemaName(connection: DuckDBConnection, schema: string): Promise<void> {
  const lower = schema.toLowerCase();
  if (lower === 'main') return; // the default schema, whatever the catalog is called
  const catalogs = (await connection.runAndReadAll('SELECT database_name FROM duckdb_databases()'))
    .getRowObjectsJS()
    .map((r) => String(r['database_name']).toLowerCase());
  if (SYSTEM_SCHEMAS.has(lower) || catalogs.includes(lower)) {
    throw new HttpError(
      400,
      `database name '${schema}' is reserved: DuckDB uses it for a catalog or system schema`,
    );
  }
}

/** The tables and views of `schema` (matched without regard to case, as DuckDB does), with their columns. */
async function readCatalog(connection: DuckDBConnection, schema: string): Promise<CatalogTable[]> {
  const columns = await connection.runAndReadAll(
    `SELECT table_name, column_name, data_type, comment FROM duckdb_columns()
     WHERE database_name = current_database() AND lower(schema_name) = lower($1)
     ORDER BY table_name, column_index`,
    [schema],
  );
  const tables = new Map<string, Column[]>();
  for (const row of columns.getRowObjectsJS()) {
    const comment = row['comment'];
    const kind =
      (Object.keys(KIND_COMMENT) as ColumnKind[]).find((k) => KIND_COMMENT[k] === comment) ?? 'other';
    const table = String(row['table_name']);
    let list = tables.get(table);
    if (!list) tables.set(table, (list = []));
    list.push({ name: String(row['column_name']), type: String(row['data_type']), kind });
  }
  const views = await connection.runAndReadAll(
    `SELECT view_name FROM duckdb_views()
     WHERE database_name = current_database() AND lower(schema_name) = lower($1)`,
    [schema],
  );
  const viewNames = new Set(views.getRowObjectsJS().map((r) => String(r['view_name'])));
  const result: CatalogTable[] = [];
  for (const [name, list] of tables) if (!viewNames.has(name)) result.push({ name, columns: list });
  for (const name of viewNames) result.push({ name, columns: [], view: true });
  return result;
}

/** Creates the table, or adds the columns the plan adds, each with its kind comment. */
async function applyDdl(connection: DuckDBConnection, schema: string, table: TablePlan): Promise<void> {
  const target = `${quoteIdentifier(schema)}.${quoteIdentifier(table.name)}`;
  const statements: string[] = [];
  if (!table.exists) {
    const columns = table.columns.map((c) => `${quoteIdentifier(c.name)} ${c.type}`).join(', ');
    statements.push(`CREATE TABLE ${target} (${columns})`);
  } else {
    for (const c of table.added)
      statements.push(`ALTER TABLE ${target} ADD COLUMN ${quoteIdentifier(c.name)} ${c.type}`);
  }
  for (const c of table.exists ? table.added : table.columns) {
    const comment = KIND_COMMENT[c.kind];
    if (comment)
      statements.push(`COMMENT ON COLUMN ${target}.${quoteIdentifier(c.name)} IS ${quoteLiteral(comment)}`);
  }
  for (const sql of statements) await connection.run(sql);
}

/** Rows per appended chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048;

/**
 * Appends the plan's rows, a chunk of columns at a time (several times faster than value by
 * value through the Appender); columns a row does not set are NULL.
 */
async function appendRows(
  connection: DuckDBConnection,
  api: NodeApi,
  schema: string,
  table: TablePlan,
): Promise<void> {
  const appender = await connection.createAppender(table.name, schema);
  try {
    // The appender's own types: columns made outside this server keep theirs (written NULL).
    const types = table.columns.map((_, i) => appender.columnType(i));
    const { rows, timeIndex } = table;
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
      const count = Math.min(CHUNK_ROWS, rows.length - start);
      const columns = types.map(() => new Array<DuckDBValue>(count).fill(null));
      const times = columns[timeIndex]!;
      for (let r = 0; r < count; r++) {
        const { point, indexes } = rows[start + r]!;
        times[r] = new api.DuckDBTimestampNanosecondsValue(point.time);
        const tags = point.tagValues.length;
        for (let i = 0; i < tags; i++) columns[indexes[i]!]![r] = point.tagValues[i]!;
        for (let i = 0; i < point.fieldValues.length; i++)
          columns[indexes[tags + i]!]![r] = point.fieldValues[i]!;
      }
      const chunk = api.DuckDBDataChunk.create(types, count);
      chunk.setColumns(columns);
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    try {
      appender.closeSync();
    } catch {
      // Closing flushes again and fails the same way; the first error is the one to report.
    }
  }
}
