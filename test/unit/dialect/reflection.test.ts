/**
 * Which tables reflection counts as the engine's own (left out of reflect() and hasTable()
 * unless asked for), decided by catalog and schema: DuckDB's, DataFusion's and InfluxDB 3's.
 */
import { isSystemTable } from '../../../dialect/reflection';

const table = (catalog: string | null, dbSchema: string | null, tableName: string, tableType = 'TABLE') => ({
  catalog,
  dbSchema,
  tableName,
  tableType,
});

test.each([
  // DuckDB: the system catalog, whatever the schema; information_schema and pg_catalog.
  [table('system', 'main', 'duckdb_tables', 'VIEW'), true],
  [table('system', 'main', 'sqlite_master', 'VIEW'), true],
  [table('system', 'information_schema', 'tables', 'VIEW'), true],
  [table('system', 'pg_catalog', 'pg_tables', 'VIEW'), true],
  // Built-in views listed under temp (older DuckDB versions), not the user's temporary objects.
  [table('temp', 'main', 'duckdb_columns', 'VIEW'), true],
  [table('temp', 'main', 'scratch', 'LOCAL TEMPORARY'), false],
  [table('temp', 'main', 'my_view', 'VIEW'), false],
  // The user's tables, whatever their names.
  [table('memory', 'main', 'sqlite_master'), false],
  [table('memory', 'main', 'orders'), false],
  [table('memory', 'shop', 'orders'), false],
  // DataFusion / InfluxDB 3: information_schema in every catalog, InfluxDB's system schema.
  [table('public', 'information_schema', 'columns', 'VIEW'), true],
  [table('public', 'system', 'queries'), true],
  [table('public', 'iox', 'cpu'), false],
  // SQLite (Arrow C++'s example): no catalog, no schema; sqlite_sequence is a 'table' there.
  [table(null, null, 'sqlite_sequence', 'table'), false],
])('%j is the engine’s own: %s', (t, expected) => {
  expect(isSystemTable(t)).toBe(expected);
});
