/**
 * Flight SQL metadata commands (GetCatalogs ... GetXdbcTypeInfo) answered from DuckDB's
 * catalog, with the exact result schemas of FlightSql.proto. One file per command family:
 * catalogs.ts, tables.ts, keys.ts, sqlInfo.ts, xdbcTypeInfo.ts; schemas.ts holds the schemas.
 *
 * Filters: an omitted catalog/db_schema does not narrow the search; '' asks for objects
 * without one, and DuckDB has none, so it matches nothing. Filter patterns are SQL LIKE
 * patterns (`%`, `_`, and `\` to escape either), always bound as parameters.
 */
import type { Schema } from 'apache-arrow';
import type { DuckDBConnection } from '@duckdb/node-api';
import { status as Status } from '@grpc/grpc-js';
import { StatusError, statusForDuckDBError, type DuckDBEngine } from '../DuckDBEngine';
import { getCatalogs, getDbSchemas } from './catalogs';
import { getCrossReference, getExportedKeys, getImportedKeys, getPrimaryKeys } from './keys';
import {
  CATALOGS_SCHEMA,
  DB_SCHEMAS_SCHEMA,
  FOREIGN_KEYS_SCHEMA,
  PRIMARY_KEYS_SCHEMA,
  SQL_INFO_SCHEMA,
  TABLE_TYPES_SCHEMA,
  TABLES_SCHEMA,
  TABLES_WITH_SCHEMA_SCHEMA,
  XDBC_TYPE_INFO_SCHEMA,
} from './schemas';
import { getSqlInfo, type SqlInfoValue } from './sqlInfo';
import { getTables, getTableTypes } from './tables';
import type { MetadataCommand, MetadataKind, MetadataResult } from './types';
import { getXdbcTypeInfo } from './xdbcTypeInfo';

export type { MetadataCommand, MetadataKind, MetadataMessage, MetadataResult } from './types';
export type { SqlInfoValue } from './sqlInfo';
export { ARROW_VERSION, SERVER_NAME, sqlInfoResult } from './sqlInfo';
export { TABLE_TYPES } from './tables';
export { XDBC_TYPES } from './xdbcTypeInfo';
export * from './schemas';

const KINDS: ReadonlySet<string> = new Set<MetadataKind>([
  'CommandGetCatalogs',
  'CommandGetDbSchemas',
  'CommandGetTables',
  'CommandGetTableTypes',
  'CommandGetPrimaryKeys',
  'CommandGetExportedKeys',
  'CommandGetImportedKeys',
  'CommandGetCrossReference',
  'CommandGetSqlInfo',
  'CommandGetXdbcTypeInfo',
]);

/** Whether an unpacked command is a metadata command (narrows it to MetadataCommand). */
export function isMetadataCommand(command: { readonly kind: string }): command is MetadataCommand {
  return KINDS.has(command.kind);
}

/**
 * The exact result schema of a metadata command kind (for GetFlightInfo/GetSchema, without
 * touching DuckDB). GetTables' schema depends on `include_schema`: pass the command itself to
 * get the `table_schema` column when it asks for it; the bare kind gives the schema without.
 */
export function metadataSchema(kind: MetadataKind | MetadataCommand): Schema {
  if (typeof kind !== 'string') {
    if (kind.kind === 'CommandGetTables' && kind.message.includeSchema) return TABLES_WITH_SCHEMA_SCHEMA;
    return metadataSchema(kind.kind);
  }
  switch (kind) {
    case 'CommandGetCatalogs':
      return CATALOGS_SCHEMA;
    case 'CommandGetDbSchemas':
      return DB_SCHEMAS_SCHEMA;
    case 'CommandGetTables':
      return TABLES_SCHEMA;
    case 'CommandGetTableTypes':
      return TABLE_TYPES_SCHEMA;
    case 'CommandGetPrimaryKeys':
      return PRIMARY_KEYS_SCHEMA;
    case 'CommandGetExportedKeys':
    case 'CommandGetImportedKeys':
    case 'CommandGetCrossReference':
      return FOREIGN_KEYS_SCHEMA;
    case 'CommandGetSqlInfo':
      return SQL_INFO_SCHEMA;
    case 'CommandGetXdbcTypeInfo':
      return XDBC_TYPE_INFO_SCHEMA;
    default:
      throw new StatusError(Status.UNIMPLEMENTED, `not a metadata command: ${String(kind)}`);
  }
}

/** Options of `runMetadata`. */
export interface MetadataOptions {
  /**
   * The connection to read the catalog on (it is not closed). DuckDB's temporary tables and
   * views belong to one connection: pass a session's connection to list them. By default a
   * fresh connection is opened and closed, which sees no temporary objects.
   */
  readonly connection?: DuckDBConnection;
  /**
   * SqlInfo values that replace or add to the built-in ones, e.g. when the service implements
   * transactions: `new Map([[SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION, 1]])`.
   */
  readonly sqlInfo?: ReadonlyMap<number, SqlInfoValue>;
}

/**
 * Runs a metadata command against DuckDB's catalog. DuckDB errors come back as StatusError
 * (see statusForDuckDBError); a command that is not a metadata command is UNIMPLEMENTED.
 */
export async function runMetadata(
  engine: DuckDBEngine,
  command: MetadataCommand,
  options: MetadataOptions = {},
): Promise<MetadataResult> {
  if (!isMetadataCommand(command)) {
    const kind = (command as { kind: string }).kind;
    throw new StatusError(Status.UNIMPLEMENTED, `not a metadata command: ${kind}`);
  }
  const connection = options.connection ?? (await engine.connect());
  try {
    return await dispatch(engine, connection, command, options);
  } catch (err) {
    throw statusForDuckDBError(err);
  } finally {
    if (!options.connection) connection.closeSync();
  }
}

function dispatch(
  engine: DuckDBEngine,
  connection: DuckDBConnection,
  command: MetadataCommand,
  options: MetadataOptions,
): Promise<MetadataResult> {
  switch (command.kind) {
    case 'CommandGetCatalogs':
      return getCatalogs(connection);
    case 'CommandGetDbSchemas':
      return getDbSchemas(connection, command.message);
    case 'CommandGetTables':
      return getTables(connection, command.message);
    case 'CommandGetTableTypes':
      return getTableTypes();
    case 'CommandGetPrimaryKeys':
      return getPrimaryKeys(connection, command.message);
    case 'CommandGetExportedKeys':
      return getExportedKeys(connection, command.message);
    case 'CommandGetImportedKeys':
      return getImportedKeys(connection, command.message);
    case 'CommandGetCrossReference':
      return getCrossReference(connection, command.message);
    case 'CommandGetSqlInfo':
      return getSqlInfo(connection, command.message, engine, options.sqlInfo);
    case 'CommandGetXdbcTypeInfo':
      return getXdbcTypeInfo(command.message);
  }
}
