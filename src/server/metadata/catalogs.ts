/**
 * CommandGetCatalogs and CommandGetDbSchemas from DuckDB's catalog: a Flight SQL catalog is a
 * DuckDB database (`memory`, attached files, and DuckDB's own `system` and `temp`), a db_schema
 * is a DuckDB schema. DuckDB's internal databases and schemas are listed like any other.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { resultOf } from './arrow';
import { CATALOGS_SCHEMA, DB_SCHEMAS_SCHEMA } from './schemas';
import { Conditions, readRows } from './sql';
import type { MetadataMessage, MetadataResult } from './types';

/** Every DuckDB database, ordered by catalog_name. */
export async function getCatalogs(connection: DuckDBConnection): Promise<MetadataResult> {
  const rows = await readRows(
    connection,
    'SELECT database_name AS catalog_name FROM duckdb_databases() ORDER BY catalog_name',
  );
  return resultOf(CATALOGS_SCHEMA, rows);
}

/** DuckDB schemas matching `catalog` (exact) and `dbSchemaFilterPattern` (LIKE). */
export async function getDbSchemas(
  connection: DuckDBConnection,
  message: MetadataMessage<'CommandGetDbSchemas'>,
): Promise<MetadataResult> {
  const where = new Conditions()
    .equals('database_name', message.catalog)
    .like('schema_name', message.dbSchemaFilterPattern);
  const rows = await readRows(
    connection,
    `SELECT database_name AS catalog_name, schema_name AS db_schema_name
       FROM duckdb_schemas() ${where.where}
      ORDER BY catalog_name, db_schema_name`,
    where.params,
  );
  return resultOf(DB_SCHEMAS_SCHEMA, rows);
}
