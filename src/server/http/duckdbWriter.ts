/**
 * Writes planned line protocol rows into DuckDB: one transaction per request (so a refused
 * request leaves nothing behind), the schema created and tables created or widened with DDL,
 * then the rows appended through DuckDB's Appender, table by table. Requests are written one
 * at a time: two transactions adding the same column would conflict in DuckDB's catalog.
 *
 * What each column holds (tag, field, time) is kept in the catalog: for a table these writes
 * created, in one table comment listing its tags (TABLE_MARK); for other tables, in a comment on
 * each column these writes added. Every DuckDB catalog change copies the table's entry, so a
 * comment per column made a 2,000-field line take seconds; one table comment per write does not.
 */
import { randomUUID } from 'node:crypto';
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
  TIME_COLUMN,
} from './tablePlan';

/**
 * Marks, as column comments, what a column added over HTTP to a table made otherwise holds (tag
 * and string are both VARCHAR). Tables created by earlier versions carry them on every column.
 */
const KIND_COMMENT: Readonly<Partial<Record<ColumnKind, string>>> = {
  tag: 'influx:tag',
  field: 'influx:field',
  time: 'influx:time',
};

/** Quotes an SQL identifier: any character may appear, `"` is doubled. */
export const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * The comment of a table created by HTTP writes: `influx:` and a JSON object with its tag
 * columns. Its other columns are fields, but for `time`.
 */
const TABLE_MARK = 'influx:';

/** The table comment listing `tags`. */
export const tableMark = (tags: readonly string[]) => `${TABLE_MARK}${JSON.stringify({ tags })}`;

/** The tag names of a table comment made by tableMark(), or undefined for any other comment. */
export function markedTags(comment: unknown): Set<string> | undefined {
  if (typeof comment !== 'string' || !comment.startsWith(TABLE_MARK)) return undefined;
  try {
    const { tags } = JSON.parse(comment.slice(TABLE_MARK.length)) as { tags?: unknown };
    return Array.isArray(tags) ? new Set(tags.map(String)) : undefined;
  } catch {
    return undefined;
  }
}

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
export async function readCatalog(connection: DuckDBConnection, schema: string): Promise<CatalogTable[]> {
  const columns = await connection.runAndReadAll(
    `SELECT c.table_name, c.column_name, c.data_type, c.comment, t.comment AS table_comment
     FROM duckdb_columns() c JOIN duckdb_tables() t ON c.table_oid = t.table_oid
     WHERE c.database_name = current_database() AND lower(c.schema_name) = lower($1)
     ORDER BY c.table_name, c.column_index`,
    [schema],
  );
  const tables = new Map<string, { columns: Column[]; marked: boolean }>();
  for (const row of columns.getRowObjectsJS()) {
    const name = String(row['table_name']);
    const tags = markedTags(row['table_comment']);
    const column = String(row['column_name']);
    const comment = row['comment'];
    const kind =
      (Object.keys(KIND_COMMENT) as ColumnKind[]).find((k) => KIND_COMMENT[k] === comment) ??
      (tags === undefined
        ? 'other'
        : tags.has(column)
          ? 'tag'
          : column.toLowerCase() === TIME_COLUMN
            ? 'time'
            : 'field');
    let table = tables.get(name);
    if (!table) tables.set(name, (table = { columns: [], marked: tags !== undefined }));
    table.columns.push({ name: column, type: String(row['data_type']), kind });
  }
  const views = await connection.runAndReadAll(
    `SELECT view_name FROM duckdb_views()
     WHERE database_name = current_database() AND lower(schema_name) = lower($1)`,
    [schema],
  );
  const viewNames = new Set(views.getRowObjectsJS().map((r) => String(r['view_name'])));
  const result: CatalogTable[] = [];
  for (const [name, table] of tables) if (!viewNames.has(name)) result.push({ name, ...table });
  for (const name of viewNames) result.push({ name, columns: [], view: true });
  return result;
}

/**
 * Creates the table (its kinds in one table comment), or adds the columns the plan adds: one
 * ALTER each, as DuckDB takes one per statement, then one table comment when tags were added to
 * a marked table, or a comment per added column on a table made otherwise.
 */
export function ddlFor(schema: string, table: TablePlan): string[] {
  const target = `${quoteIdentifier(schema)}.${quoteIdentifier(table.name)}`;
  const tagsOf = (columns: readonly Column[]) => columns.filter((c) => c.kind === 'tag').map((c) => c.name);
  if (!table.exists) {
    const columns = table.columns.map((c) => `${quoteIdentifier(c.name)} ${c.type}`).join(', ');
    return [
      `CREATE TABLE ${target} (${columns})`,
      `COMMENT ON TABLE ${target} IS ${quoteLiteral(tableMark(tagsOf(table.columns)))}`,
    ];
  }
  const statements = table.added.map(
    (c) => `ALTER TABLE ${target} ADD COLUMN ${quoteIdentifier(c.name)} ${c.type}`,
  );
  if (table.marked) {
    if (table.added.some((c) => c.kind === 'tag'))
      statements.push(`COMMENT ON TABLE ${target} IS ${quoteLiteral(tableMark(tagsOf(table.columns)))}`);
  } else {
    for (const c of table.added) {
      const comment = KIND_COMMENT[c.kind];
      if (comment)
        statements.push(`COMMENT ON COLUMN ${target}.${quoteIdentifier(c.name)} IS ${quoteLiteral(comment)}`);
    }
  }
  return statements;
}

/**
 * From this many new columns on, a table created by HTTP writes is rebuilt with them rather than
 * altered once per column: each ALTER copies the table's catalog entry (2,000 new fields took
 * 3.5 s of ALTERs), while a rebuild copies the rows once (a million rows in about 60 ms).
 */
export const REBUILD_MIN_COLUMNS = 16;

/** Tables with more cells than this (estimated rows times columns) are altered, never rebuilt. */
const REBUILD_MAX_CELLS = 20_000_000;

/**
 * All the new columns of `table` in one schema change: the table copied with them (NULL) under a
 * temporary name, the old one dropped, the copy renamed, and its comment set again.
 */
export function rebuildDdl(schema: string, table: TablePlan, temporary: string): string[] {
  const target = `${quoteIdentifier(schema)}.${quoteIdentifier(table.name)}`;
  const copy = `${quoteIdentifier(schema)}.${quoteIdentifier(temporary)}`;
  const added = table.added.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdentifier(c.name)}`).join(', ');
  const tags = table.columns.filter((c) => c.kind === 'tag').map((c) => c.name);
  return [
    `CREATE TABLE ${copy} AS SELECT *, ${added} FROM ${target}`,
    `DROP TABLE ${target}`,
    `ALTER TABLE ${copy} RENAME TO ${quoteIdentifier(table.name)}`,
    `COMMENT ON TABLE ${target} IS ${quoteLiteral(tableMark(tags))}`,
  ];
}

/**
 * Whether adding the plan's columns by a rebuild is both faster and safe: the table was created
 * by HTTP writes, is small, and has nothing a copy would lose (indexes, constraints, defaults).
 */
async function shouldRebuild(
  connection: DuckDBConnection,
  schema: string,
  table: TablePlan,
): Promise<boolean> {
  if (!table.exists || !table.marked || table.added.length < REBUILD_MIN_COLUMNS) return false;
  const reader = await connection.runAndReadAll(
    `SELECT t.estimated_size AS rows, t.index_count AS indexes,
       (SELECT count(*) FROM duckdb_constraints() k WHERE k.table_oid = t.table_oid) AS constraints,
       (SELECT count(*) FROM duckdb_columns() c WHERE c.table_oid = t.table_oid AND c.column_default IS NOT NULL) AS defaults
     FROM duckdb_tables() t
     WHERE t.database_name = current_database() AND lower(t.schema_name) = lower($1) AND t.table_name = $2`,
    [schema, table.name],
  );
  const row = reader.getRowObjectsJS()[0];
  if (!row) return false;
  const cells = Number(row['rows']) * table.columns.length;
  return (
    Number(row['indexes']) === 0 &&
    Number(row['constraints']) === 0 &&
    Number(row['defaults']) === 0 &&
    cells <= REBUILD_MAX_CELLS
  );
}

/** Creates or widens `table`: by rebuildDdl() when shouldRebuild() says so, else by ddlFor(). */
async function applyDdl(connection: DuckDBConnection, schema: string, table: TablePlan): Promise<void> {
  const statements = (await shouldRebuild(connection, schema, table))
    ? rebuildDdl(schema, table, `__flightsql_widen_${randomUUID()}`)
    : ddlFor(schema, table);
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
