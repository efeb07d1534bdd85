/**
 * The metadata results of Arrow C++'s SQLite example (sqlite_server.cc,
 * sqlite_tables_schema_batch_reader.cc), with its SQL kept as it is, quirks included:
 * - GetTables reports catalog 'main' and a null db_schema for everything in sqlite_master
 *   (indexes and triggers too); a db_schema filter, even '%', compares with that null and
 *   matches nothing; a catalog filter matches 'main' only;
 * - GetPrimaryKeys and the foreign key commands report null catalogs and schemas, so a catalog
 *   or db_schema argument (even 'main', even '') matches nothing;
 * - foreign key key_sequence is pragma_foreign_key_list's `seq`, which starts at 0, and
 *   self-references are left out;
 * - GetDbSchemas answers one row ('main', null) although db_schema_name is declared not null.
 * With `legacyCatalogs`, as the example of Arrow C++ 10 and older (before ARROW-17867):
 * GetCatalogs and GetDbSchemas answer no rows and GetTables a null catalog, so that any catalog
 * filter matches nothing.
 * Filters are pasted into the SQL as Arrow C++ does (a quote in a name breaks the query).
 */
import { Binary, RecordBatch, Schema, Struct, makeData, vectorFromArray } from 'apache-arrow';
import type {
  CommandGetDbSchemas,
  CommandGetPrimaryKeys,
  CommandGetTables,
} from '../../../src/proto/FlightSql';
import { encodeSchema } from '../../../src/protocol';
import { ArrowStatus, Status } from './arrowStatus';
import {
  catalogsSchema,
  dbSchemasSchema,
  field,
  tablesSchema,
  tablesSchemaWithIncludedSchema,
} from './flightSqlSchemas';
import { SqliteStatementBatchReader, batchOf, type StreamResult } from './sqliteBatchReader';
import { SQLITE_ROW, arrowTypeOf, columnMetadata, sqliteTypeOf, type SqliteEngine } from './sqliteApi';
import { SqliteStatement } from './sqliteStatement';

/** `PrepareQueryForGetTables` (Arrow C++ 10 and older: a null catalog instead of 'main'). */
export function tablesQuery(command: CommandGetTables, legacyCatalogs = false): string {
  let q =
    `SELECT ${legacyCatalogs ? 'null' : "'main'"} as catalog_name, null as schema_name, ` +
    'name as table_name, type as table_type FROM sqlite_master where 1=1';
  if (command.catalog !== undefined) q += ` and catalog_name='${command.catalog}'`;
  if (command.dbSchemaFilterPattern !== undefined)
    q += ` and schema_name LIKE '${command.dbSchemaFilterPattern}'`;
  if (command.tableNameFilterPattern !== undefined)
    q += ` and table_name LIKE '${command.tableNameFilterPattern}'`;
  if (command.tableTypes.length > 0)
    q += ` and table_type IN (${command.tableTypes.map((t) => `'${t}'`).join(',')})`;
  return `${q} order by table_name`;
}

/** `DoGetPrimaryKeys`' query. */
export function primaryKeysQuery(command: CommandGetPrimaryKeys): string {
  let q =
    'SELECT null as catalog_name, null as schema_name, table_name, name as column_name,  pk as key_sequence, null as key_name\n' +
    'FROM pragma_table_info(table_name)\n' +
    '    JOIN (SELECT null as catalog_name, null as schema_name, name as table_name, type as table_type\n' +
    'FROM sqlite_master) where 1=1 and pk != 0';
  if (command.catalog !== undefined) q += ` and catalog_name LIKE '${command.catalog}'`;
  if (command.dbSchema !== undefined) q += ` and schema_name LIKE '${command.dbSchema}'`;
  return `${q} and table_name LIKE '${command.table}'`;
}

/** `PrepareQueryForGetImportedOrExportedKeys`. */
export function foreignKeysQuery(filter: string): string {
  const rule = (column: string) => `CASE
        WHEN p.${column} = 'CASCADE' THEN 0
        WHEN p.${column} = 'RESTRICT' THEN 1
        WHEN p.${column} = 'SET NULL' THEN 2
        WHEN p.${column} = 'NO ACTION' THEN 3
        WHEN p.${column} = 'SET DEFAULT' THEN 4
    END`;
  return `SELECT * FROM (SELECT NULL AS pk_catalog_name,
    NULL AS pk_schema_name,
    p."table" AS pk_table_name,
    p."to" AS pk_column_name,
    NULL AS fk_catalog_name,
    NULL AS fk_schema_name,
    m.name AS fk_table_name,
    p."from" AS fk_column_name,
    p.seq AS key_sequence,
    NULL AS pk_key_name,
    NULL AS fk_key_name,
    ${rule('on_update')} AS update_rule,
    ${rule('on_delete')} AS delete_rule
  FROM sqlite_master m
  JOIN pragma_foreign_key_list(m.name) p ON m.name != p."table"
  WHERE m.type = 'table') WHERE ${filter} ORDER BY
  pk_catalog_name, pk_schema_name, pk_table_name, pk_key_name, key_sequence`;
}

/** A table reference's filter on one side of a foreign key (`pk` or `fk`). */
export function keyFilter(
  side: 'pk' | 'fk',
  ref: { catalog?: string; dbSchema?: string; table: string },
): string {
  let filter = `${side}_table_name = '${ref.table}'`;
  if (ref.catalog !== undefined) filter += ` AND ${side}_catalog_name = '${ref.catalog}'`;
  if (ref.dbSchema !== undefined) filter += ` AND ${side}_schema_name = '${ref.dbSchema}'`;
  return filter;
}

/** `DoGetSQLiteQuery`: a query's rows read as `schema`. */
export function queryResult(engine: SqliteEngine, sql: string, schema: Schema): StreamResult {
  const statement = SqliteStatement.create(engine, sql);
  try {
    return SqliteStatementBatchReader.create(statement, schema).readAll();
  } finally {
    statement.free();
  }
}

/** `DoGetCatalogs`: 'main' only (Arrow C++ 10 and older: no rows). */
export function catalogsResult(legacyCatalogs = false): StreamResult {
  const batch = legacyCatalogs ? batchOf(catalogsSchema, [[]], 0) : batchOf(catalogsSchema, [['main']], 1);
  return { schema: catalogsSchema, batches: [batch] };
}

/** `DoGetDbSchemas`: one unnamed schema of 'main' (null in a not-null column), or an empty batch. */
export function dbSchemasResult(command: CommandGetDbSchemas, legacyCatalogs = false): StreamResult {
  const match =
    !legacyCatalogs &&
    (command.catalog === undefined || command.catalog === 'main') &&
    (command.dbSchemaFilterPattern === undefined || command.dbSchemaFilterPattern === '%');
  const batch = match
    ? batchOf(dbSchemasSchema, [['main'], [null]], 1)
    : batchOf(dbSchemasSchema, [[], []], 0);
  return { schema: dbSchemasSchema, batches: [batch] };
}

/** `DoGetTables`, with `SqliteTablesWithSchemaBatchReader` when the schemas are asked for. */
export function tablesResult(
  engine: SqliteEngine,
  command: CommandGetTables,
  legacyCatalogs = false,
): StreamResult {
  const query = tablesQuery(command, legacyCatalogs);
  if (!command.includeSchema) return queryResult(engine, query, tablesSchema);
  const statement = SqliteStatement.create(engine, query);
  try {
    const reader = SqliteStatementBatchReader.create(statement, tablesSchema);
    const first = reader.readNext();
    if (!first) return { schema: tablesSchemaWithIncludedSchema, batches: [] };
    try {
      return { schema: tablesSchemaWithIncludedSchema, batches: [withTableSchemas(engine, query, first)] };
    } catch (err) {
      if (err instanceof ArrowStatus)
        return { schema: tablesSchemaWithIncludedSchema, batches: [], error: err };
      throw err;
    }
  } finally {
    statement.free();
  }
}

function withTableSchemas(engine: SqliteEngine, mainQuery: string, batch: RecordBatch): RecordBatch {
  const names = batch.getChild('table_name')!.toArray() as string[];
  const columns = new Map(names.map((name) => [name, [] as ReturnType<typeof field>[]]));
  const schemaStatement = SqliteStatement.create(
    engine,
    `SELECT table_name, name, type, [notnull] FROM pragma_table_info(table_name)JOIN(${mainQuery}) order by table_name`,
  );
  try {
    const { api } = engine;
    const p = schemaStatement.pointer;
    while (api.step(p) === SQLITE_ROW) {
      const table = api.columnText(p, 0);
      const fields = columns.get(table);
      if (!fields) continue;
      const column = api.columnText(p, 1);
      const type = api.columnText(p, 2);
      const nullable = api.columnDouble(p, 3) === 0;
      let arrowType;
      try {
        arrowType = arrowTypeOf(type);
      } catch (err) {
        throw Status.notImplemented(
          `Unknown SQLite type '${type}' for column '${column}' in table '${table}': ${String(err)}`,
        );
      }
      fields.push(field(column, arrowType, nullable, columnMetadata(sqliteTypeOf(type), table)));
    }
  } finally {
    schemaStatement.free();
  }
  const schemas = names.map((name) => encodeSchema(new Schema(columns.get(name)!)));
  const tableSchema = vectorFromArray(schemas, new Binary()).data[0]!;
  const children = [...batch.data.children, tableSchema];
  const struct = makeData({
    type: new Struct(tablesSchemaWithIncludedSchema.fields),
    length: batch.numRows,
    nullCount: 0,
    children,
  });
  return new RecordBatch(tablesSchemaWithIncludedSchema, struct);
}
