/**
 * CommandGetPrimaryKeys, CommandGetExportedKeys, CommandGetImportedKeys and
 * CommandGetCrossReference from `duckdb_constraints()`.
 *
 * Exported keys are the foreign keys that reference the given table (it is the pk table);
 * imported keys are the given table's own foreign keys (it is the fk table), as in JDBC's
 * getExportedKeys/getImportedKeys. (The proto's field comments on these two messages say the
 * opposite table, but their message comments and the orderings they prescribe say this.)
 *
 * DuckDB stores a foreign key's referenced table and columns as written in REFERENCES; they
 * are resolved case-insensitively (as DuckDB resolves identifiers) to the table and the
 * PRIMARY KEY or UNIQUE constraint they name, whose name is pk_key_name. DuckDB has no
 * referential actions other than NO ACTION (its information_schema says so too), hence
 * update_rule = delete_rule = 3.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { UpdateDeleteRules } from '../../proto/FlightSql';
import { resultOf } from './arrow';
import { FOREIGN_KEYS_SCHEMA, PRIMARY_KEYS_SCHEMA } from './schemas';
import { Conditions, readRows } from './sql';
import type { MetadataMessage, MetadataResult } from './types';

const PRIMARY_KEYS_SQL = `
  SELECT database_name AS catalog_name, schema_name AS db_schema_name, table_name,
         constraint_column_names[k] AS column_name, constraint_name AS key_name,
         CAST(k AS INTEGER) AS key_sequence
    FROM (SELECT *, unnest(generate_series(1, len(constraint_column_names))) AS k
            FROM duckdb_constraints()
           WHERE constraint_type = 'PRIMARY KEY')`;

/** The primary key columns of one table (`table` exact; catalog/db_schema exact when given). */
export async function getPrimaryKeys(
  connection: DuckDBConnection,
  message: MetadataMessage<'CommandGetPrimaryKeys'>,
): Promise<MetadataResult> {
  const where = new Conditions()
    .equals('catalog_name', message.catalog)
    .equals('db_schema_name', message.dbSchema)
    .equals('table_name', message.table);
  const rows = await readRows(
    connection,
    `SELECT * FROM (${PRIMARY_KEYS_SQL}) ${where.where}
      ORDER BY catalog_name, db_schema_name, table_name, key_name, key_sequence`,
    where.params,
  );
  return resultOf(PRIMARY_KEYS_SCHEMA, rows);
}

const NO_ACTION = UpdateDeleteRules.NO_ACTION;

/** One row per foreign key column, with both ends resolved (see the top of this file). */
const FOREIGN_KEYS_SQL = `
  WITH fk AS (
    SELECT f.database_name AS catalog, f.schema_name AS schema, f.table_name AS fk_table,
           f.constraint_name AS fk_key_name, f.constraint_column_names AS fk_columns,
           coalesce(t.table_name, f.referenced_table) AS pk_table,
           u.constraint_name AS pk_key_name,
           coalesce(u.constraint_column_names, f.referenced_column_names) AS pk_columns
      FROM duckdb_constraints() f
      LEFT JOIN duckdb_tables() t
        ON t.database_oid = f.database_oid AND t.schema_oid = f.schema_oid
       AND lower(t.table_name) = lower(f.referenced_table)
      LEFT JOIN duckdb_constraints() u
        ON u.database_oid = f.database_oid AND u.schema_oid = f.schema_oid
       AND u.table_oid = t.table_oid
       AND u.constraint_type IN ('PRIMARY KEY', 'UNIQUE')
       AND list_transform(u.constraint_column_names, lambda x: lower(x))
         = list_transform(f.referenced_column_names, lambda x: lower(x))
     WHERE f.constraint_type = 'FOREIGN KEY'
   QUALIFY row_number() OVER (
             PARTITION BY f.database_oid, f.table_oid, f.constraint_index
             ORDER BY u.constraint_type = 'PRIMARY KEY' DESC) = 1
  )
  SELECT catalog AS pk_catalog_name, schema AS pk_db_schema_name, pk_table AS pk_table_name,
         pk_columns[k] AS pk_column_name,
         catalog AS fk_catalog_name, schema AS fk_db_schema_name, fk_table AS fk_table_name,
         fk_columns[k] AS fk_column_name,
         CAST(k AS INTEGER) AS key_sequence, fk_key_name, pk_key_name,
         ${NO_ACTION} AS update_rule, ${NO_ACTION} AS delete_rule
    FROM (SELECT *, unnest(generate_series(1, len(fk_columns))) AS k FROM fk)`;

const BY_FK = 'fk_catalog_name, fk_db_schema_name, fk_table_name, fk_key_name, key_sequence';
const BY_PK = 'pk_catalog_name, pk_db_schema_name, pk_table_name, pk_key_name, key_sequence';

async function foreignKeys(
  connection: DuckDBConnection,
  where: Conditions,
  orderBy: string,
): Promise<MetadataResult> {
  const rows = await readRows(
    connection,
    `SELECT * FROM (${FOREIGN_KEYS_SQL}) ${where.where} ORDER BY ${orderBy}`,
    where.params,
  );
  return resultOf(FOREIGN_KEYS_SCHEMA, rows);
}

/** Foreign keys that reference `table`'s keys; ordered by the fk side. */
export function getExportedKeys(
  connection: DuckDBConnection,
  message: MetadataMessage<'CommandGetExportedKeys'>,
): Promise<MetadataResult> {
  const where = new Conditions()
    .equals('pk_catalog_name', message.catalog)
    .equals('pk_db_schema_name', message.dbSchema)
    .equals('pk_table_name', message.table);
  return foreignKeys(connection, where, BY_FK);
}

/** `table`'s own foreign keys; ordered by the pk side. */
export function getImportedKeys(
  connection: DuckDBConnection,
  message: MetadataMessage<'CommandGetImportedKeys'>,
): Promise<MetadataResult> {
  const where = new Conditions()
    .equals('fk_catalog_name', message.catalog)
    .equals('fk_db_schema_name', message.dbSchema)
    .equals('fk_table_name', message.table);
  return foreignKeys(connection, where, BY_PK);
}

/** Foreign keys of `fk_table` that reference `pk_table`; ordered by the pk side. */
export function getCrossReference(
  connection: DuckDBConnection,
  message: MetadataMessage<'CommandGetCrossReference'>,
): Promise<MetadataResult> {
  const where = new Conditions()
    .equals('pk_catalog_name', message.pkCatalog)
    .equals('pk_db_schema_name', message.pkDbSchema)
    .equals('pk_table_name', message.pkTable)
    .equals('fk_catalog_name', message.fkCatalog)
    .equals('fk_db_schema_name', message.fkDbSchema)
    .equals('fk_table_name', message.fkTable);
  return foreignKeys(connection, where, BY_PK);
}
