/**
 * The DDL of HTTP writes: a table created with its kinds in one table comment, or widened by
 * ALTERs (or, for many new columns, rebuilt).
 */
import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier, quoteLiteral } from '../metadata/sql';
import { KIND_COMMENT, tableMark } from './catalog';
import type { Column, TablePlan } from './tablePlan';

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
export async function applyDdl(
  connection: DuckDBConnection,
  schema: string,
  table: TablePlan,
): Promise<void> {
  const statements = (await shouldRebuild(connection, schema, table))
    ? rebuildDdl(schema, table, `__flightsql_widen_${randomUUID()}`)
    : ddlFor(schema, table);
  for (const sql of statements) await connection.run(sql);
}
