/**
 * What HTTP writes know of the catalog: which columns are tags, fields and the time (kept in
 * DuckDB comments), the tables of a schema read from DuckDB, and a cache of them.
 *
 * Reading the catalog (duckdb_columns() joined with duckdb_tables(), duckdb_views()) took about
 * 9 ms of a 10 ms one-point write, so the writer keeps what it read, and what its own DDL did,
 * per schema. DuckDB has no catalog change hook and a table's oid survives ALTERs, so changes
 * made by clients are found when a write fails on them: the writer then drops the cache and
 * runs the write again on a fresh read (see DuckDBWriter). Its statements name their columns,
 * so a renamed or dropped column fails rather than lands in the wrong place.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { HttpError } from './responses';
import { type CatalogTable, type Column, type ColumnKind, type TablePlan, TIME_COLUMN } from './tablePlan';

/**
 * Marks, as column comments, what a column added over HTTP to a table made otherwise holds (tag
 * and string are both VARCHAR). Tables created by earlier versions carry them on every column.
 */
export const KIND_COMMENT: Readonly<Partial<Record<ColumnKind, string>>> = {
  tag: 'influx:tag',
  field: 'influx:field',
  time: 'influx:time',
};

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

/** DuckDB's own schemas: a database by these names would mix with the system catalog. */
const SYSTEM_SCHEMAS = new Set(['information_schema', 'pg_catalog']);

/**
 * Refuses a schema named like a system schema or an attached catalog (`memory`, `system`,
 * `temp`, ...): `"memory"."cpu"` would be an ambiguous reference in every query.
 */
export async function checkSchemaName(connection: DuckDBConnection, schema: string): Promise<void> {
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

/** A schema as the writer last saw it. */
export interface SchemaCatalog {
  /** Its tables and views by lower-case name (DuckDB's notion of the same name). */
  readonly tables: Map<string, CatalogTable>;
  /** Set once a write has run `CREATE SCHEMA IF NOT EXISTS` since the catalog was read. */
  created: boolean;
}

/** The schemas writes went to, as last read or as the writer's own DDL left them. */
export class CatalogCache {
  readonly #schemas = new Map<string, SchemaCatalog>();

  /** The catalog of `schema`, read (and its name checked) when not cached. */
  async get(connection: DuckDBConnection, schema: string): Promise<SchemaCatalog> {
    const key = schema.toLowerCase();
    let cached = this.#schemas.get(key);
    if (cached === undefined) {
      await checkSchemaName(connection, schema);
      const tables = new Map<string, CatalogTable>();
      for (const table of await readCatalog(connection, schema)) tables.set(table.name.toLowerCase(), table);
      cached = { tables, created: false };
      this.#schemas.set(key, cached);
    }
    return cached;
  }

  /** The cached catalog of `schema`, if any. */
  peek(schema: string): SchemaCatalog | undefined {
    return this.#schemas.get(schema.toLowerCase());
  }

  /** Records what `plans` (about to be written into `catalog`) make of their tables. */
  static apply(catalog: SchemaCatalog, plans: readonly TablePlan[]): void {
    for (const plan of plans) {
      catalog.tables.set(plan.name.toLowerCase(), {
        name: plan.name,
        columns: [...plan.columns],
        marked: plan.exists ? plan.marked : true,
      });
    }
  }

  /** Forgets everything: the next write reads the catalog again. */
  clear(): void {
    this.#schemas.clear();
  }
}
