/** Decoders of CommandGetPrimaryKeys and of the foreign key commands' results. */
import type { Table } from 'apache-arrow';
import type { UpdateDeleteRules } from '../../proto/FlightSql';
import { optString, reqInt, reqString, rowsOf } from './rows';

/** A primary key column of GetPrimaryKeys. */
export interface PrimaryKeyInfo {
  /** The table's catalog; null when the server has none. */
  readonly catalog: string | null;
  /** The table's schema; null when the server has none. */
  readonly dbSchema: string | null;
  /** The table's name. */
  readonly tableName: string;
  /** The key column's name. */
  readonly columnName: string;
  /** 1-based position of the column in the key. */
  readonly keySequence: number;
  /** The key constraint's name, when the server knows it. */
  readonly keyName: string | null;
}

/** A foreign key column of GetExportedKeys, GetImportedKeys or GetCrossReference. */
export interface ForeignKeyInfo {
  /** Catalog of the referenced (primary key) table; null when none. */
  readonly pkCatalog: string | null;
  /** Schema of the referenced (primary key) table; null when none. */
  readonly pkDbSchema: string | null;
  /** Name of the referenced (primary key) table. */
  readonly pkTableName: string;
  /** The referenced column. */
  readonly pkColumnName: string;
  /** Catalog of the referencing (foreign key) table; null when none. */
  readonly fkCatalog: string | null;
  /** Schema of the referencing (foreign key) table; null when none. */
  readonly fkDbSchema: string | null;
  /** Name of the referencing (foreign key) table. */
  readonly fkTableName: string;
  /** The referencing column. */
  readonly fkColumnName: string;
  /** 1-based position of the column in the key. */
  readonly keySequence: number;
  /** The foreign key constraint's name, when the server knows it. */
  readonly fkKeyName: string | null;
  /** The referenced key constraint's name, when the server knows it. */
  readonly pkKeyName: string | null;
  /** CASCADE 0, RESTRICT 1, SET_NULL 2, NO_ACTION 3, SET_DEFAULT 4. */
  readonly updateRule: UpdateDeleteRules;
  /** What a delete of the referenced row does, coded as `updateRule`. */
  readonly deleteRule: UpdateDeleteRules;
}

/** GetPrimaryKeys rows. */
export function decodePrimaryKeys(table: Table): PrimaryKeyInfo[] {
  const what = 'GetPrimaryKeys';
  return rowsOf(table, what, ['table_name', 'column_name', 'key_sequence']).map((row) => ({
    catalog: optString(row, 'catalog_name'),
    dbSchema: optString(row, 'db_schema_name'),
    tableName: reqString(row, 'table_name', what),
    columnName: reqString(row, 'column_name', what),
    keySequence: reqInt(row, 'key_sequence', what),
    keyName: optString(row, 'key_name'),
  }));
}

const FK_REQUIRED = [
  'pk_table_name',
  'pk_column_name',
  'fk_table_name',
  'fk_column_name',
  'key_sequence',
  'update_rule',
  'delete_rule',
];

/** GetExportedKeys / GetImportedKeys / GetCrossReference rows (one schema for the three). */
export function decodeForeignKeys(table: Table): ForeignKeyInfo[] {
  const what = 'foreign keys';
  return rowsOf(table, what, FK_REQUIRED).map((row) => ({
    pkCatalog: optString(row, 'pk_catalog_name'),
    pkDbSchema: optString(row, 'pk_db_schema_name'),
    pkTableName: reqString(row, 'pk_table_name', what),
    pkColumnName: reqString(row, 'pk_column_name', what),
    fkCatalog: optString(row, 'fk_catalog_name'),
    fkDbSchema: optString(row, 'fk_db_schema_name'),
    fkTableName: reqString(row, 'fk_table_name', what),
    fkColumnName: reqString(row, 'fk_column_name', what),
    keySequence: reqInt(row, 'key_sequence', what),
    fkKeyName: optString(row, 'fk_key_name'),
    pkKeyName: optString(row, 'pk_key_name'),
    updateRule: reqInt(row, 'update_rule', what),
    deleteRule: reqInt(row, 'delete_rule', what),
  }));
}
