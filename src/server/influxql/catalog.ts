/**
 * What InfluxQL sees of DuckDB: databases (schemas) and their measurements (tables with a
 * TIMESTAMP `time` column), each column a tag or a field. Read with the HTTP writer's catalog
 * reader, so that both agree on which VARCHAR column is a tag and which a string field.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { readCatalog } from '../http/catalog';
import { TIME_COLUMN, type CatalogTable } from '../http/tablePlan';

/** InfluxDB's field types. */
export type FieldType = 'float' | 'integer' | 'unsigned' | 'string' | 'boolean';

/** A measurement: its tags and fields, each sorted by name. */
export interface Measurement {
  readonly name: string;
  readonly tags: readonly string[];
  readonly fields: ReadonlyMap<string, FieldType>;
}

/** A database: the DuckDB schema (as spelled there) and its measurements by name. */
export interface Database {
  readonly schema: string;
  readonly measurements: ReadonlyMap<string, Measurement>;
}

/** Where the translator looks names up (DuckDB's catalog, or a fixed one in tests). */
export interface CatalogSource {
  /** Databases, sorted by name. */
  databases(): Promise<string[]>;
  /** The database, or undefined when there is none by that name. */
  database(name: string): Promise<Database | undefined>;
}

/** DuckDB schemas that are not databases. */
const SYSTEM_SCHEMAS = new Set(['information_schema', 'pg_catalog']);

/** The field type of a DuckDB column type; undefined for types line protocol never makes. */
function fieldTypeOf(duckdbType: string): FieldType | undefined {
  switch (duckdbType) {
    case 'DOUBLE':
    case 'FLOAT':
    case 'REAL':
      return 'float';
    case 'BIGINT':
    case 'INTEGER':
    case 'SMALLINT':
    case 'TINYINT':
      return 'integer';
    case 'UBIGINT':
    case 'UINTEGER':
    case 'USMALLINT':
    case 'UTINYINT':
      return 'unsigned';
    case 'VARCHAR':
      return 'string';
    case 'BOOLEAN':
      return 'boolean';
    default:
      return undefined;
  }
}

/**
 * The measurement a table is: the columns the HTTP writer marked as tags are tags; other
 * columns of field types are fields (tables made with SQL have no marks, and their VARCHAR
 * columns read as string fields). A table without a TIMESTAMP `time` column is no measurement.
 */
export function measurementOf(table: CatalogTable): Measurement | undefined {
  if (table.view) return undefined;
  const time = table.columns.find((c) => c.name === TIME_COLUMN);
  if (!time || !time.type.startsWith('TIMESTAMP')) return undefined;
  const tags: string[] = [];
  const fields = new Map<string, FieldType>();
  for (const column of table.columns) {
    if (column.name === TIME_COLUMN) continue;
    if (column.kind === 'tag') tags.push(column.name);
    else {
      const type = fieldTypeOf(column.type);
      if (type) fields.set(column.name, type);
    }
  }
  tags.sort();
  const sorted = new Map([...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { name: table.name, tags, fields: sorted };
}

/** The catalog of the DuckDB database `connection` is on. */
export function duckdbCatalog(connection: DuckDBConnection): CatalogSource {
  const schemas = async () => {
    const rows = await connection.runAndReadAll(
      `SELECT schema_name, (SELECT count(*) FROM duckdb_tables() t
         WHERE t.database_name = s.database_name AND t.schema_name = s.schema_name) AS tables
       FROM duckdb_schemas() s WHERE database_name = current_database() ORDER BY schema_name`,
    );
    return rows
      .getRowObjectsJS()
      .map((r) => ({ name: String(r['schema_name']), tables: Number(r['tables']) }));
  };
  return {
    async databases() {
      // `main` is where writes without a database land: a database once it holds something.
      return (await schemas())
        .filter((s) => !SYSTEM_SCHEMAS.has(s.name) && (s.name !== 'main' || s.tables > 0))
        .map((s) => s.name);
    },
    async database(name) {
      const schema = (await schemas()).find((s) => s.name.toLowerCase() === name.toLowerCase());
      if (!schema || SYSTEM_SCHEMAS.has(schema.name)) return undefined;
      const measurements = new Map<string, Measurement>();
      for (const table of await readCatalog(connection, schema.name)) {
        const measurement = measurementOf(table);
        if (measurement) measurements.set(measurement.name, measurement);
      }
      return { schema: schema.name, measurements };
    },
  };
}
