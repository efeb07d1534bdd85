/**
 * Reflection from Flight SQL metadata (GetTables with each table's Arrow schema, GetPrimaryKeys,
 * GetImportedKeys), never from engine-specific SQL: Knex's `columnInfo` contract, and `reflect()`,
 * the whole picture (columns, keys) as SQLAlchemy's reflection gives it.
 */
import { DataType, Type, type Field } from 'apache-arrow';
import {
  SqlInfo,
  connect,
  type Connection,
  type FlightSQLClient,
  type ForeignKeyInfo,
  type PrimaryKeyInfo,
  type Row,
  type TableInfo,
  type TableRef,
} from 'flightsql';
import type { Knex } from 'knex';
import type { ServerFacts } from './profiles';

/** A metadata request compiled in place of SQL. */
export interface MetadataRequest {
  readonly kind: 'tables';
  readonly table: string;
  readonly schema?: string;
  /** Whether the columns are needed (GetTables with include_schema). */
  readonly columns: boolean;
}

/** One column as reflection reports it. */
export interface ReflectedColumn {
  /** The column's name. */
  readonly name: string;
  /** The SQL type name: the server's (`ARROW:FLIGHT:SQL:TYPE_NAME`), else one for the Arrow type. */
  readonly type: string;
  /** The Arrow type the column streams as. */
  readonly arrowType: DataType;
  /** Whether the column may hold nulls. */
  readonly nullable: boolean;
  /** Precision (`ARROW:FLIGHT:SQL:PRECISION`, or the decimal's), when known. */
  readonly precision: number | null;
  /** Scale (`ARROW:FLIGHT:SQL:SCALE`, or the decimal's), when known. */
  readonly scale: number | null;
  /** Maximum length of character types, when the server says. */
  readonly maxLength: number | null;
  /** `ARROW:FLIGHT:SQL:IS_AUTO_INCREMENT`, when the server says. */
  readonly autoIncrement: boolean | null;
  /** `ARROW:FLIGHT:SQL:IS_READ_ONLY`, when the server says. */
  readonly readOnly: boolean | null;
  /** `ARROW:FLIGHT:SQL:REMARKS`: the column's comment, when the server has one. */
  readonly remarks: string | null;
}

/** A foreign key: columns of this table that reference another table's key. */
export interface ReflectedForeignKey {
  /** The constraint's name, when the server knows it. */
  readonly name: string | null;
  /** This table's columns, in key order. */
  readonly columns: string[];
  /** The referenced table. */
  readonly referencedTable: {
    /** Its catalog; null when the server has none. */
    readonly catalog: string | null;
    /** Its schema; null when the server has none. */
    readonly schema: string | null;
    /** Its name. */
    readonly name: string;
  };
  /** The referenced columns, in key order. */
  readonly referencedColumns: string[];
  /** Flight SQL's update/delete rules: CASCADE, RESTRICT, SET NULL, NO ACTION, SET DEFAULT. */
  readonly onUpdate: string;
  /** What a delete of the referenced row does (one of the rules of `onUpdate`). */
  readonly onDelete: string;
}

/** One table as reflection reports it. */
export interface ReflectedTable {
  /** The table's catalog; null when the server has none. */
  readonly catalog: string | null;
  /** The table's schema; null when the server has none. */
  readonly schema: string | null;
  /** The table's name. */
  readonly name: string;
  /** TABLE, VIEW, BASE TABLE, ... as the server names it. */
  readonly type: string;
  /** The columns, in table order. */
  readonly columns: ReflectedColumn[];
  /** The primary key (empty `columns` when the server reports none). */
  readonly primaryKey: {
    /** The key constraint's name, when the server knows it. */
    readonly name: string | null;
    /** The key's columns, in key order. */
    readonly columns: string[];
  };
  /** The foreign keys (empty when the server reports none). */
  readonly foreignKeys: ReflectedForeignKey[];
}

const META = 'ARROW:FLIGHT:SQL:';
/** Schemas of the engine's own objects, in any catalog (`system`: InfluxDB 3's system tables). */
const SYSTEM_SCHEMAS = new Set(['information_schema', 'pg_catalog', 'system']);
/** DuckDB's built-in catalog: every schema in it (`main` too) holds DuckDB's own views. */
const SYSTEM_CATALOG = 'system';
/**
 * DuckDB's built-in views of a `main` schema (sqlite_master, duckdb_tables, ...), which DuckDB
 * versions have listed under the `temp` catalog, where users' temporary tables live too.
 */
const DUCKDB_VIEWS = new Set([
  'duckdb_columns',
  'duckdb_constraints',
  'duckdb_databases',
  'duckdb_indexes',
  'duckdb_schemas',
  'duckdb_tables',
  'duckdb_types',
  'duckdb_views',
  'pragma_database_list',
  'sqlite_master',
  'sqlite_schema',
  'sqlite_temp_master',
  'sqlite_temp_schema',
]);

/**
 * Whether a table is the engine's own, decided by catalog and schema: a system schema
 * (information_schema, pg_catalog, system) anywhere, DuckDB's `system` catalog, and DuckDB's
 * built-in views under `temp`. A user's `main` schema, or temporary tables, are not.
 */
export function isSystemTable(
  t: Pick<TableInfo, 'catalog' | 'dbSchema' | 'tableName' | 'tableType'>,
): boolean {
  const catalog = (t.catalog ?? '').toLowerCase();
  if (SYSTEM_SCHEMAS.has((t.dbSchema ?? '').toLowerCase()) || catalog === SYSTEM_CATALOG) return true;
  return catalog === 'temp' && /view/i.test(t.tableType) && DUCKDB_VIEWS.has(t.tableName.toLowerCase());
}

/**
 * Whether `filter` asks for the system table `t`: it names its catalog, or names a system
 * schema (`withSchema('information_schema')`), which is the system's whatever the catalog.
 */
function asksForSystem(
  filter: Pick<TableFilter, 'catalog' | 'schema'>,
  t: Pick<TableInfo, 'catalog'>,
): boolean {
  if (filter.catalog !== undefined && filter.catalog === t.catalog) return true;
  return filter.schema !== undefined && SYSTEM_SCHEMAS.has(filter.schema.toLowerCase());
}
const RULES = ['CASCADE', 'RESTRICT', 'SET NULL', 'NO ACTION', 'SET DEFAULT'];

function meta(field: Field, key: string): string | undefined {
  const v = field.metadata.get(META + key);
  return v === undefined || v === '' ? undefined : v;
}

function metaNumber(field: Field, key: string): number | null {
  const v = meta(field, key);
  return v === undefined || !Number.isFinite(Number(v)) ? null : Number(v);
}

function metaFlag(field: Field, key: string): boolean | null {
  const v = meta(field, key);
  return v === undefined ? null : v === '1' || v.toLowerCase() === 'true';
}

/** A SQL type name for an Arrow type, for servers that send no TYPE_NAME. */
export function sqlTypeOf(type: DataType): string {
  switch (type.typeId) {
    case Type.Null:
      return 'null';
    case Type.Bool:
      return 'boolean';
    case Type.Int: {
      const { bitWidth, isSigned } = type as unknown as { bitWidth: number; isSigned: boolean };
      const name = { 8: 'tinyint', 16: 'smallint', 32: 'integer', 64: 'bigint' }[bitWidth] ?? 'integer';
      return isSigned ? name : `unsigned ${name}`;
    }
    case Type.Float:
      return (type as unknown as { precision: number }).precision === 2 ? 'double' : 'real';
    case Type.Decimal: {
      const { precision, scale } = type as unknown as { precision: number; scale: number };
      return `decimal(${precision},${scale})`;
    }
    case Type.Utf8:
    case Type.LargeUtf8:
      return 'text';
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return 'bytea';
    case Type.Date:
      return 'date';
    case Type.Time:
      return 'time';
    case Type.Timestamp:
      return (type as unknown as { timezone?: string | null }).timezone ? 'timestamptz' : 'timestamp';
    case Type.Interval:
    case Type.Duration:
      return 'interval';
    case Type.Dictionary:
      return sqlTypeOf((type as unknown as { dictionary: DataType }).dictionary);
    case Type.List:
    case Type.FixedSizeList:
      return `${sqlTypeOf((type as unknown as { children: Field[] }).children[0]!.type)}[]`;
    case Type.Struct:
      return 'struct';
    case Type.Map:
      return 'map';
    default:
      return String(type).toLowerCase();
  }
}

/** One reflected column from a field of GetTables' table_schema. */
export function reflectColumn(field: Field): ReflectedColumn {
  const decimal = DataType.isDecimal(field.type);
  const typeName = meta(field, 'TYPE_NAME')?.toLowerCase() ?? sqlTypeOf(field.type);
  const text = DataType.isUtf8(field.type) || DataType.isLargeUtf8(field.type);
  // A character type's length is its "precision" in Flight SQL's column metadata (JDBC's convention).
  const length = /\((\d+)\)$/.exec(typeName)?.[1];
  return {
    name: field.name,
    type: typeName,
    arrowType: field.type,
    nullable: field.nullable,
    precision: decimal ? field.type.precision : metaNumber(field, 'PRECISION'),
    scale: decimal ? field.type.scale : metaNumber(field, 'SCALE'),
    maxLength: text ? (length ? Number(length) : metaNumber(field, 'PRECISION')) : null,
    autoIncrement: metaFlag(field, 'IS_AUTO_INCREMENT'),
    readOnly: metaFlag(field, 'IS_READ_ONLY'),
    remarks: meta(field, 'REMARKS') ?? null,
  };
}

/** One entry of Knex's `columnInfo()` (as Knex's own dialects fill it: maxLength null when none). */
export interface ColumnInfo {
  readonly type: string;
  readonly maxLength: number | null;
  readonly nullable: boolean;
  readonly defaultValue: string | null;
}

/** Knex's `columnInfo` map: exactly `{ type, maxLength, nullable, defaultValue }` per column, in column order. */
export function columnInfoOf(table: ReflectedTable): Record<string, ColumnInfo> {
  const out: Record<string, ColumnInfo> = {};
  for (const c of table.columns) {
    // Flight SQL metadata has no column defaults; null is "not known", as Knex's type allows.
    out[c.name] = { type: c.type, maxLength: c.maxLength, nullable: c.nullable, defaultValue: null };
  }
  return out;
}

/** `name` as a LIKE pattern that matches only itself. */
export function exactPattern(name: string, escape: string | undefined): string {
  if (!/[%_]/.test(name)) return name;
  // Without an escape character the pattern may match more; the exact filter below drops those.
  if (!escape) return name;
  return name.replace(new RegExp(`[%_${escape.replace(/[\\^\]-]/g, '\\$&')}]`, 'g'), (m) => escape + m);
}

/** Where to look and what to take: a table (exact name), in a schema or catalog when given. */
export interface TableFilter {
  readonly catalog?: string;
  readonly schema?: string;
  /** Exact table names; all tables when undefined. */
  readonly tables?: readonly string[];
  readonly columns: boolean;
  readonly keys: boolean;
}

/** Whether `t` is one `filter` asks for: exact names, and no system table unless asked for. */
export function wantedTable(
  filter: Omit<TableFilter, 'columns' | 'keys'>,
  t: Pick<TableInfo, 'catalog' | 'dbSchema' | 'tableName' | 'tableType'>,
): boolean {
  const names = filter.tables;
  return (
    (!names || names.length === 0 || names.includes(t.tableName)) &&
    (filter.schema === undefined || t.dbSchema === filter.schema) &&
    (filter.catalog === undefined || t.catalog === filter.catalog) &&
    (!isSystemTable(t) || asksForSystem(filter, t))
  );
}

/** GetTables (+ keys) for `filter`, exact matches only, system tables left out unless asked for (isSystemTable). */
export async function reflectTables(
  client: FlightSQLClient,
  facts: Pick<ServerFacts, 'searchEscape'>,
  filter: TableFilter,
): Promise<ReflectedTable[]> {
  const names = filter.tables;
  const escape = facts.searchEscape;
  const found: TableInfo[] = [];
  const patterns = names && names.length > 0 ? names.map((n) => exactPattern(n, escape)) : [undefined];
  for (const tableNameFilterPattern of patterns) {
    const rows = await client.getTables({
      catalog: filter.catalog,
      dbSchemaFilterPattern: filter.schema === undefined ? undefined : exactPattern(filter.schema, escape),
      tableNameFilterPattern,
      includeSchema: filter.columns,
    });
    found.push(...rows);
  }
  const wanted = found.filter((t) => wantedTable(filter, t));
  const out: ReflectedTable[] = [];
  for (const t of wanted) {
    const [pks, fks] = filter.keys ? await keysOf(client, t) : [[], []];
    const ours = (catalog: string | null, schema: string | null, table: string) =>
      table === t.tableName && sameOrUnknown(catalog, t.catalog) && sameOrUnknown(schema, t.dbSchema);
    out.push({
      catalog: t.catalog,
      schema: t.dbSchema,
      name: t.tableName,
      type: t.tableType,
      columns: t.tableSchema ? t.tableSchema.fields.map(reflectColumn) : [],
      primaryKey: primaryKeyOf(pks.filter((k) => ours(k.catalog, k.dbSchema, k.tableName))),
      foreignKeys: foreignKeysOf(fks.filter((k) => ours(k.fkCatalog, k.fkDbSchema, k.fkTableName))),
    });
  }
  return out;
}

/**
 * The primary and imported keys of `t`, asked with exactly the catalog and schema GetTables
 * reported: a null one is left unset, never sent as a filter (servers without catalogs or
 * schemas match nothing for one). Some servers report a catalog their key commands do not
 * match (Arrow C++'s SQLite example reports 'main' and keeps null in its key rows): when the
 * exact request finds nothing, it is asked again without catalog and schema, and the caller
 * keeps the rows of this table only.
 */
async function keysOf(client: FlightSQLClient, t: TableInfo): Promise<[PrimaryKeyInfo[], ForeignKeyInfo[]]> {
  const ask = (ref: TableRef) =>
    Promise.all([
      client.getPrimaryKeys(ref).catch(orEmpty<PrimaryKeyInfo>),
      client.getImportedKeys(ref).catch(orEmpty<ForeignKeyInfo>),
    ]);
  const exact = await ask({
    catalog: t.catalog ?? undefined,
    dbSchema: t.dbSchema ?? undefined,
    table: t.tableName,
  });
  const found = exact[0].length > 0 || exact[1].length > 0;
  if (found || (t.catalog === null && t.dbSchema === null)) return exact;
  return ask({ table: t.tableName });
}

/** Two reported names agree, or one of them was not reported. */
function sameOrUnknown(a: string | null, b: string | null): boolean {
  return a === null || b === null || a === b;
}

// A server without GetPrimaryKeys/GetImportedKeys (UNIMPLEMENTED) has no keys to report.
function orEmpty<T>(err: unknown): T[] {
  if (err instanceof Error && err.name === 'NotSupportedError') return [];
  throw err;
}

function primaryKeyOf(rows: readonly PrimaryKeyInfo[]): ReflectedTable['primaryKey'] {
  const sorted = [...rows].sort((a, b) => a.keySequence - b.keySequence);
  return { name: sorted[0]?.keyName ?? null, columns: sorted.map((r) => r.columnName) };
}

function foreignKeysOf(rows: readonly ForeignKeyInfo[]): ReflectedForeignKey[] {
  const byKey = new Map<string, ForeignKeyInfo[]>();
  for (const row of rows) {
    const key = row.fkKeyName ?? `${row.pkCatalog}.${row.pkDbSchema}.${row.pkTableName}`;
    const list = byKey.get(key) ?? [];
    list.push(row);
    byKey.set(key, list);
  }
  return [...byKey.values()].map((list) => {
    list.sort((a, b) => a.keySequence - b.keySequence);
    const first = list[0]!;
    return {
      name: first.fkKeyName,
      columns: list.map((r) => r.fkColumnName),
      referencedTable: { catalog: first.pkCatalog, schema: first.pkDbSchema, name: first.pkTableName },
      referencedColumns: list.map((r) => r.pkColumnName),
      onUpdate: RULES[first.updateRule] ?? String(first.updateRule),
      onDelete: RULES[first.deleteRule] ?? String(first.deleteRule),
    };
  });
}

/** Options of `reflect()`. */
export interface ReflectOptions {
  /** Only tables of this catalog. */
  readonly catalog?: string;
  /** Only tables of this schema. */
  readonly schema?: string;
  /** Table names (exact); every table when undefined. */
  readonly tables?: readonly string[];
}

/**
 * Every table (or those named) with catalog, schema, name, type, columns (SQL type name, Arrow
 * type, nullability, precision, scale), primary key and foreign keys. Takes a Knex instance
 * using this dialect, a flightsql Connection, or connect() options.
 */
export async function reflect(
  source: Knex | Connection<Row> | Parameters<typeof connect>[0],
  options: ReflectOptions = {},
): Promise<ReflectedTable[]> {
  const filter = { ...options, columns: true, keys: true };
  if (isKnex(source)) {
    const client = source.client as Knex.Client & {
      _reflect?: (f: TableFilter) => Promise<ReflectedTable[]>;
    };
    if (typeof client._reflect !== 'function')
      throw new TypeError('reflect(): this Knex instance does not use the flightsql dialect');
    return client._reflect(filter);
  }
  if (isConnection(source)) return reflectTables(source.client, await searchEscapeOf(source), filter);
  const connection = await connect(source);
  try {
    return await reflectTables(connection.client, await searchEscapeOf(connection), filter);
  } finally {
    await connection.close();
  }
}

async function searchEscapeOf(connection: Connection<Row>): Promise<Pick<ServerFacts, 'searchEscape'>> {
  const info = await connection.client.getSqlInfo([SqlInfo.SQL_SEARCH_STRING_ESCAPE]).catch(() => new Map());
  const escape = info.get(SqlInfo.SQL_SEARCH_STRING_ESCAPE);
  return { searchEscape: typeof escape === 'string' && escape !== '' ? escape : undefined };
}

function isKnex(source: unknown): source is Knex {
  return typeof source === 'function' && 'client' in source && 'schema' in source;
}

function isConnection(source: unknown): source is Connection<Row> {
  return typeof source === 'object' && source !== null && 'client' in source && 'cursor' in source;
}
