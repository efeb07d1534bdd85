/** Decoders of CommandGetCatalogs and CommandGetDbSchemas results. */
import type { Table } from 'apache-arrow';
import { optString, reqString, rowsOf } from './rows';

/** A db_schema of GetDbSchemas. */
export interface DbSchemaInfo {
  /** Null when the server has no catalogs. */
  readonly catalog: string | null;
  /**
   * Null for a catalog's unnamed schema: the column is declared not null, yet Arrow C++'s SQLite
   * server answers `('main', null)`, and its clients take it.
   */
  readonly dbSchema: string | null;
}

/** `catalog_name` of each GetCatalogs row, in the server's order. */
export function decodeCatalogs(table: Table): string[] {
  return rowsOf(table, 'GetCatalogs', ['catalog_name']).map((row) =>
    reqString(row, 'catalog_name', 'GetCatalogs'),
  );
}

/** GetDbSchemas rows. */
export function decodeDbSchemas(table: Table): DbSchemaInfo[] {
  return rowsOf(table, 'GetDbSchemas', ['db_schema_name']).map((row) => ({
    catalog: optString(row, 'catalog_name'),
    dbSchema: optString(row, 'db_schema_name'),
  }));
}
