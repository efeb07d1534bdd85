/**
 * Flight SQL metadata on the client side: the options the client's metadata methods take, the
 * request messages they map to, and pure decoders from a result Table (as read from the
 * server) to typed plain objects. Decoders read columns by name and accept the string and
 * integer encodings servers really send (dictionary-encoded strings, other widths).
 */
import type { CommandMessage } from '../commands';

export { decodeCatalogs, decodeDbSchemas, type DbSchemaInfo } from './catalogs';
export { decodeTables, decodeTableTypes, type TableInfo } from './tables';
export { decodePrimaryKeys, decodeForeignKeys, type PrimaryKeyInfo, type ForeignKeyInfo } from './keys';
export { decodeSqlInfo, type SqlInfoValue } from './sqlInfo';
export { decodeXdbcTypeInfo, type XdbcTypeInfo } from './xdbcTypeInfo';

/** Options of a GetDbSchemas request. */
export interface GetDbSchemasOptions {
  /**
   * Only schemas of this catalog (exact name). Undefined: any catalog. `''`: only schemas
   * without a catalog.
   */
  readonly catalog?: string;
  /**
   * SQL LIKE pattern on the schema name: `%` any run of characters, `_` any one character
   * (servers that follow SQL_SEARCH_STRING_ESCAPE also take `\` to escape either).
   * Undefined: any schema.
   */
  readonly dbSchemaFilterPattern?: string;
}

/** Options of a GetTables request. */
export interface GetTablesOptions extends GetDbSchemasOptions {
  /** SQL LIKE pattern on the table name (as `dbSchemaFilterPattern`). Undefined: any table. */
  readonly tableNameFilterPattern?: string;
  /** Only tables of these types (see GetTableTypes). Undefined or empty: every type. */
  readonly tableTypes?: readonly string[];
  /** Also return each table's Arrow schema (`TableInfo.tableSchema`). Default false. */
  readonly includeSchema?: boolean;
}

/** A table named for GetPrimaryKeys, GetExportedKeys, GetImportedKeys and GetCrossReference. */
export interface TableRef {
  /** The table's catalog (exact). Undefined: any catalog. `''`: a table without a catalog. */
  readonly catalog?: string;
  /** The table's db_schema (exact). Undefined: any schema. `''`: a table without a schema. */
  readonly dbSchema?: string;
  /** The table name (exact, not a pattern). */
  readonly table: string;
}

/** The CommandGetDbSchemas message of `options`. */
export function dbSchemasMessage(
  options: GetDbSchemasOptions = {},
): Partial<CommandMessage<'CommandGetDbSchemas'>> {
  return { catalog: options.catalog, dbSchemaFilterPattern: options.dbSchemaFilterPattern };
}

/** The CommandGetTables message of `options`. */
export function tablesMessage(options: GetTablesOptions = {}): Partial<CommandMessage<'CommandGetTables'>> {
  return {
    catalog: options.catalog,
    dbSchemaFilterPattern: options.dbSchemaFilterPattern,
    tableNameFilterPattern: options.tableNameFilterPattern,
    tableTypes: [...(options.tableTypes ?? [])],
    includeSchema: options.includeSchema ?? false,
  };
}

/**
 * The message of GetPrimaryKeys, GetExportedKeys (keys that reference `ref`) or
 * GetImportedKeys (`ref`'s own foreign keys): the three share their fields.
 */
export function tableRefMessage(ref: TableRef): Partial<CommandMessage<'CommandGetPrimaryKeys'>> {
  return { catalog: ref.catalog, dbSchema: ref.dbSchema, table: ref.table };
}

/** The CommandGetCrossReference message: foreign keys of `fkTable` that reference `pkTable`. */
export function crossReferenceMessage(
  pkTable: TableRef,
  fkTable: TableRef,
): Partial<CommandMessage<'CommandGetCrossReference'>> {
  return {
    pkCatalog: pkTable.catalog,
    pkDbSchema: pkTable.dbSchema,
    pkTable: pkTable.table,
    fkCatalog: fkTable.catalog,
    fkDbSchema: fkTable.dbSchema,
    fkTable: fkTable.table,
  };
}
