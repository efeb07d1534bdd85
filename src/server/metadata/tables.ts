/**
 * CommandGetTables and CommandGetTableTypes from DuckDB's catalog. Table types follow DuckDB's
 * information_schema: base tables are `TABLE` (`BASE TABLE` there), temporary tables
 * `LOCAL TEMPORARY`, views (temporary or not, DuckDB's internal ones included) `VIEW`.
 *
 * With `include_schema`, each table's Arrow schema is the schema DuckDB streams it as: field
 * types from a prepared `SELECT *` (`arrowFieldFor`), nullability from `duckdb_columns()`, and
 * the optional `ARROW:FLIGHT:SQL:*` field metadata that DuckDB can answer.
 */
import { Field, Null, Schema } from 'apache-arrow';
import type { DuckDBConnection, DuckDBType } from '@duckdb/node-api';
import { encodeSchema } from '../../flight/types';
import { arrowFieldFor, TypeId } from '../duckdb/types';
import { resultOf } from './arrow';
import { TABLE_TYPES_SCHEMA, TABLES_SCHEMA, TABLES_WITH_SCHEMA_SCHEMA } from './schemas';
import { Conditions, quoteIdentifier, readRows } from './sql';
import type { MetadataMessage, MetadataResult } from './types';

/** The table types of this server, ordered by table_type. */
export const TABLE_TYPES = ['LOCAL TEMPORARY', 'TABLE', 'VIEW'] as const;

/** Every table type, ordered. */
export async function getTableTypes(): Promise<MetadataResult> {
  return resultOf(
    TABLE_TYPES_SCHEMA,
    TABLE_TYPES.map((tableType) => ({ table_type: tableType })),
  );
}

const TABLES_SQL = `
  SELECT database_name AS catalog_name, schema_name AS db_schema_name, table_name,
         CASE WHEN temporary THEN 'LOCAL TEMPORARY' ELSE 'TABLE' END AS table_type,
         false AS is_view
    FROM duckdb_tables()
  UNION ALL
  SELECT database_name, schema_name, view_name, 'VIEW', true
    FROM duckdb_views()`;

/** Tables and views matching the command's filters, ordered as the proto says. */
export async function getTables(
  connection: DuckDBConnection,
  message: MetadataMessage<'CommandGetTables'>,
): Promise<MetadataResult> {
  const where = new Conditions()
    .equals('catalog_name', message.catalog)
    .like('db_schema_name', message.dbSchemaFilterPattern)
    .like('table_name', message.tableNameFilterPattern)
    .oneOf('table_type', message.tableTypes ?? []);
  const rows = await readRows(
    connection,
    `SELECT * FROM (${TABLES_SQL}) ${where.where}
      ORDER BY catalog_name, db_schema_name, table_name, table_type`,
    where.params,
  );
  if (!message.includeSchema) return resultOf(TABLES_SCHEMA, rows);

  const columns = await columnsOf(connection, message);
  for (const row of rows) {
    const key = tableKey(row.catalog_name, row.db_schema_name, row.table_name);
    const schema = await tableSchema(connection, row, columns.get(key) ?? []);
    row.table_schema = encodeSchema(schema);
  }
  return resultOf(TABLES_WITH_SCHEMA_SCHEMA, rows);
}

/** A column as `duckdb_columns()` describes it. */
interface ColumnRow {
  readonly column_name: string;
  readonly data_type: string;
  readonly is_nullable: boolean;
  readonly column_default: string | null;
  readonly comment: string | null;
}

function tableKey(catalog: unknown, schema: unknown, table: unknown): string {
  return JSON.stringify([catalog, schema, table]);
}

/** The columns of every table the command's catalog/schema/table filters match, by table. */
async function columnsOf(
  connection: DuckDBConnection,
  message: MetadataMessage<'CommandGetTables'>,
): Promise<Map<string, ColumnRow[]>> {
  const where = new Conditions()
    .equals('database_name', message.catalog)
    .like('schema_name', message.dbSchemaFilterPattern)
    .like('table_name', message.tableNameFilterPattern);
  const rows = await readRows(
    connection,
    `SELECT database_name, schema_name, table_name, column_name, data_type, is_nullable,
            column_default, comment
       FROM duckdb_columns() ${where.where}
      ORDER BY database_name, schema_name, table_name, column_index`,
    where.params,
  );
  const byTable = new Map<string, ColumnRow[]>();
  for (const row of rows) {
    const key = tableKey(row.database_name, row.schema_name, row.table_name);
    let list = byTable.get(key);
    if (!list) byTable.set(key, (list = []));
    list.push(row as unknown as ColumnRow);
  }
  return byTable;
}

const META = 'ARROW:FLIGHT:SQL:';

/** Field metadata of one column: where it lives, DuckDB's type name, and what DuckDB knows. */
function columnMetadata(
  table: Record<string, unknown>,
  column: ColumnRow | undefined,
  type: DuckDBType | undefined,
): Map<string, string> {
  const m = new Map<string, string>([
    [`${META}CATALOG_NAME`, String(table.catalog_name)],
    [`${META}DB_SCHEMA_NAME`, String(table.db_schema_name)],
    [`${META}TABLE_NAME`, String(table.table_name)],
  ]);
  const typeName = column?.data_type ?? type?.toString();
  if (typeName !== undefined) m.set(`${META}TYPE_NAME`, typeName);
  if (type?.typeId === TypeId.DECIMAL) {
    m.set(`${META}PRECISION`, String(type.width));
    m.set(`${META}SCALE`, String(type.scale));
  }
  if (column) {
    const serial = column.column_default !== null && /^nextval\(/i.test(column.column_default);
    m.set(`${META}IS_AUTO_INCREMENT`, serial ? '1' : '0');
    if (column.comment !== null && column.comment !== '') m.set(`${META}REMARKS`, column.comment);
  }
  m.set(`${META}IS_READ_ONLY`, table.is_view ? '1' : '0');
  return m;
}

/**
 * The Arrow schema `table` is streamed as. A view that no longer binds (its table was
 * dropped) gets its columns from `duckdb_columns()` with type Null: DuckDB cannot say more.
 */
async function tableSchema(
  connection: DuckDBConnection,
  table: Record<string, unknown>,
  columns: readonly ColumnRow[],
): Promise<Schema> {
  const name = [table.catalog_name, table.db_schema_name, table.table_name]
    .map((part) => quoteIdentifier(String(part)))
    .join('.');
  let types: { name: string; type: DuckDBType }[];
  try {
    const prepared = await connection.prepare(`SELECT * FROM ${name}`);
    try {
      types = Array.from({ length: prepared.columnCount }, (_, i) => ({
        name: prepared.columnName(i),
        type: prepared.columnType(i),
      }));
    } finally {
      prepared.destroySync();
    }
  } catch {
    return new Schema(
      columns.map(
        (column) =>
          new Field(
            column.column_name,
            new Null(),
            column.is_nullable,
            columnMetadata(table, column, undefined),
          ),
      ),
    );
  }
  return new Schema(
    types.map(({ name: columnName, type }, i) => {
      const column = columns[i]?.column_name === columnName ? columns[i] : undefined;
      const field = arrowFieldFor(columnName, type);
      const metadata = new Map([...field.metadata, ...columnMetadata(table, column, type)]);
      return new Field(columnName, field.type, column?.is_nullable ?? true, metadata);
    }),
  );
}
