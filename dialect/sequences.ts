/**
 * `increments()` and `bigIncrements()` on engines with sequences but no SERIAL (DuckDB): a
 * sequence named as PostgreSQL names a serial's, `<table>_<column>_seq`, created before the
 * table, and the column `integer default nextval('<sequence>') not null primary key`. Dropping
 * the table drops the sequences it owns: `dropTable` runs as a request that looks them up in the
 * catalog first (in the same session and transaction), drops the table, then drops them.
 */
import { NotSupportedError } from 'flightsql';
import { quoteString } from './literals';

/** The members of Knex's column and table compilers used here (their typing declares none). */
interface ColumnCompilerInternals {
  getColumnName(): string;
  formatter: { wrap(value: unknown): string };
  tableCompiler: {
    method: string;
    schemaNameRaw?: string;
    tableNameRaw: string;
    _canBeAddPrimaryKey(options: { primaryKey?: boolean }): boolean;
    unshiftQuery(query: { sql: string; bindings: unknown[] }): void;
  };
}

/**
 * The column type of an auto-incrementing key (`integer` or `bigint`), its sequence created
 * before the table (or before ALTER TABLE ... ADD COLUMN).
 */
export function sequenceKey(
  compiler: unknown,
  type: 'integer' | 'bigint',
  options: { primaryKey?: boolean } = { primaryKey: true },
): string {
  const self = compiler as ColumnCompilerInternals;
  const table = self.tableCompiler;
  const column = self.getColumnName();
  const qualifier = table.schemaNameRaw ? [table.schemaNameRaw] : [];
  const parts = [...qualifier, ...table.tableNameRaw.split('.')];
  const tableName = parts.pop()!;
  const sequence = self.formatter.wrap([...parts, `${tableName}_${column}_seq`].join('.'));
  // DuckDB reads the name inside nextval('...') without undoing doubled quotes.
  if (sequence.replace(/^"|"$/g, '').replace(/"\."/g, '').includes('"')) {
    throw new NotSupportedError(
      `${type === 'bigint' ? 'bigIncrements' : 'increments'}(): a table or column name with " cannot name its sequence`,
    );
  }
  const primaryKey = table._canBeAddPrimaryKey(options);
  const altering = table.method === 'alter';
  if (altering && primaryKey) {
    throw new NotSupportedError(
      'increments() in alterTable: DuckDB cannot add a primary key to an existing table; pass { primaryKey: false }',
    );
  }
  table.unshiftQuery({ sql: `create sequence if not exists ${sequence}`, bindings: [] });
  // ALTER TABLE ... ADD COLUMN takes no constraints on DuckDB.
  const constraints = altering ? '' : ` not null${primaryKey ? ' primary key' : ''}`;
  return `${type} default nextval(${quoteString(sequence)})${constraints}`;
}

/** A `dropTable` that also drops the table's sequences: run by the dialect, logged as its `sql`. */
export interface DropTableRequest {
  readonly kind: 'dropTable';
  readonly catalog?: string;
  readonly schema?: string;
  readonly table: string;
}

/** The request for `drop table [if exists] <name>` of Knex's schema compiler. */
export function dropTableRequest(schema: string | undefined, name: string): DropTableRequest {
  const parts = [...(schema ? [schema] : []), ...name.split('.')];
  const table = parts.pop()!;
  const [catalog, dbSchema] = parts.length >= 2 ? parts.slice(-2) : [undefined, parts[0]];
  return { kind: 'dropTable', catalog, schema: dbSchema, table };
}

/** Runs SQL in the session (and transaction) the drop runs in. */
export type RunSql = (sql: string, returnsRows: boolean) => Promise<Record<string, unknown>[]>;

/**
 * Drops the table (`dropSql`) and then the sequences it owns: those its own column defaults
 * call `nextval` on, named `..._<column>_seq`, that no other column's default uses.
 */
export async function dropTableWithSequences(
  run: RunSql,
  request: DropTableRequest,
  dropSql: string,
): Promise<void> {
  const where = [
    `c.database_name = ${request.catalog === undefined ? 'current_database()' : quoteString(request.catalog)}`,
    `c.schema_name = ${request.schema === undefined ? 'current_schema()' : quoteString(request.schema)}`,
    `c.table_name = ${quoteString(request.table)}`,
    `c.column_default LIKE 'nextval(%'`,
  ].join(' AND ');
  const rows = await run(
    `SELECT c.column_name, c.column_default,
            (SELECT count(*) FROM duckdb_columns() o WHERE o.column_default = c.column_default) AS uses
       FROM duckdb_columns() c WHERE ${where}`,
    true,
  );
  const owned = rows.flatMap((row) => {
    const name = /^nextval\('((?:[^']|'')+)'\)$/i
      .exec(String(row['column_default']))?.[1]
      ?.replace(/''/g, "'");
    const last = name?.split('.').pop()?.replace(/^"|"$/g, '').toLowerCase();
    const column = String(row['column_name']).toLowerCase();
    return name && Number(row['uses']) === 1 && last?.endsWith(`_${column}_seq`) ? [name] : [];
  });
  await run(dropSql, false);
  for (const sequence of owned) await run(`drop sequence if exists ${sequence}`, false);
}
