/** Decoders of CommandGetTables and CommandGetTableTypes results. */
import type { Schema, Table } from 'apache-arrow';
import { decodeSchema } from '../../flight/types';
import { optString, reqString, rowsOf } from './rows';

/** A table of GetTables. */
export interface TableInfo {
  /** The table's catalog; null when the server has none. */
  readonly catalog: string | null;
  /** The table's schema; null when the server has none. */
  readonly dbSchema: string | null;
  /** The table's name. */
  readonly tableName: string;
  /** The table's type as the server names it, e.g. `TABLE` or `VIEW`. */
  readonly tableType: string;
  /** The table's Arrow schema, when the request asked for it (`includeSchema`). */
  readonly tableSchema?: Schema;
}

/** GetTables rows; `table_schema` (IPC-encapsulated schema bytes) decoded when present. */
export function decodeTables(table: Table): TableInfo[] {
  return rowsOf(table, 'GetTables', ['table_name', 'table_type']).map((row) => {
    const info: TableInfo = {
      catalog: optString(row, 'catalog_name'),
      dbSchema: optString(row, 'db_schema_name'),
      tableName: reqString(row, 'table_name', 'GetTables'),
      tableType: reqString(row, 'table_type', 'GetTables'),
    };
    const bytes = row.table_schema;
    return bytes instanceof Uint8Array ? { ...info, tableSchema: decodeSchema(bytes) } : info;
  });
}

/** `table_type` of each GetTableTypes row. */
export function decodeTableTypes(table: Table): string[] {
  return rowsOf(table, 'GetTableTypes', ['table_type']).map((row) =>
    reqString(row, 'table_type', 'GetTableTypes'),
  );
}
