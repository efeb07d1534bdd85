/**
 * The shell's catalog commands, through Flight SQL's metadata commands (not SQL, so they work
 * on any server): `\dt [PATTERN]` lists tables with GetTables, `\d TABLE` shows a table's
 * columns (GetTables with its schema) and keys (GetPrimaryKeys, GetImportedKeys).
 */
import { status as Status } from '@grpc/grpc-js';
import { Bool, RecordBatch, Table, Utf8, vectorFromArray, type Schema } from 'apache-arrow';
import { Error as FlightSQLError, ProgrammingError } from '../errors';
import type { FlightSQLClient, TableInfo } from '../index';
import type { Sink } from './output';
import { TableWriter } from './output/table';
import { writeBatches } from './run';

/** A table of strings (and booleans) from JS arrays, for the table writer. */
function textTable(columns: Record<string, (string | null)[] | boolean[]>): Table {
  const vectors = Object.fromEntries(
    Object.entries(columns).map(([name, values]) => [
      name,
      typeof values[0] === 'boolean'
        ? vectorFromArray(values, new Bool())
        : vectorFromArray(values, new Utf8()),
    ]),
  );
  return new Table(vectors);
}

/** Prints `table` with the table writer (footer included when `footer`). */
async function print(sink: Sink, table: Table, footer: boolean): Promise<void> {
  async function* batches(): AsyncGenerator<RecordBatch> {
    yield* table.batches;
  }
  await writeBatches(
    batches(),
    () => table.schema,
    async () => new TableWriter(sink, { footer }),
  );
}

/** A `\dt` pattern: shell wildcards (`*`, `?`) or SQL LIKE ones (`%`, `_`), `SCHEMA.TABLE` allowed. */
function likePatterns(pattern: string | undefined): { dbSchema?: string; table?: string } {
  if (!pattern) return {};
  const like = (text: string) => text.replace(/\*/g, '%').replace(/\?/g, '_');
  const dot = pattern.lastIndexOf('.');
  if (dot < 0) return { table: like(pattern) };
  return { dbSchema: like(pattern.slice(0, dot)), table: like(pattern.slice(dot + 1)) };
}

/** Catalogs and schemas that describe the engine itself (DuckDB's, PostgreSQL's, the SQL standard's). */
function isSystem(info: TableInfo): boolean {
  const schema = info.dbSchema?.toLowerCase();
  return (
    info.catalog === 'system' ||
    info.catalog === 'temp' ||
    schema === 'information_schema' ||
    schema === 'pg_catalog' ||
    info.tableType.toUpperCase().startsWith('SYSTEM')
  );
}

/** `\dt [PATTERN]`: the tables and views whose names match; without a pattern, not the engine's own. */
export async function listTables(
  client: FlightSQLClient,
  sink: Sink,
  pattern: string | undefined,
  signal?: AbortSignal,
): Promise<void> {
  const { dbSchema, table } = likePatterns(pattern);
  const found = await client.getTables({
    dbSchemaFilterPattern: dbSchema,
    tableNameFilterPattern: table,
    signal,
  });
  // As psql's \dt: without a pattern, the engine's own catalogs stay out of the list.
  const tables = pattern ? found : found.filter((t) => !isSystem(t));
  await print(
    sink,
    textTable({
      catalog: tables.map((t) => t.catalog),
      schema: tables.map((t) => t.dbSchema),
      name: tables.map((t) => t.tableName),
      type: tables.map((t) => t.tableType),
    }),
    true,
  );
}

/** `[catalog.][schema.]table`, double quotes allowed around each part. */
function tableName(text: string): { catalog?: string; dbSchema?: string; table: string } {
  const parts = (text.match(/"(?:[^"]|"")*"|[^.]+/g) ?? []).map((part) =>
    part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part,
  );
  if (parts.length === 0 || parts.length > 3) {
    throw new ProgrammingError(`'${text}' is not a table name ([catalog.][schema.]table)`);
  }
  const table = parts.pop()!;
  const dbSchema = parts.pop();
  const catalog = parts.pop();
  return { catalog, dbSchema, table };
}

/** LIKE-escapes nothing: servers differ on escapes, so matches are filtered exactly here. */
function sameName(info: TableInfo, wanted: { catalog?: string; dbSchema?: string; table: string }): boolean {
  return (
    info.tableName === wanted.table &&
    (wanted.dbSchema === undefined || info.dbSchema === wanted.dbSchema) &&
    (wanted.catalog === undefined || info.catalog === wanted.catalog)
  );
}

/** A metadata command the server does not have gives nothing rather than an error. */
async function optional<T>(call: Promise<T[]>): Promise<T[]> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof FlightSQLError && err.grpcCode === Status.UNIMPLEMENTED) return [];
    throw err;
  }
}

function qualified(catalog: string | null, dbSchema: string | null, table: string): string {
  return [dbSchema, table].filter((p) => p !== null && p !== '').join('.') || (catalog ?? table);
}

/** `\d TABLE`: columns (name, SQL type, Arrow type, nullable), then primary and foreign keys. */
export async function describeTable(
  client: FlightSQLClient,
  sink: Sink,
  name: string,
  signal?: AbortSignal,
): Promise<void> {
  const wanted = tableName(name.trim());
  const found = (
    await client.getTables({
      catalog: wanted.catalog,
      dbSchemaFilterPattern: wanted.dbSchema,
      tableNameFilterPattern: wanted.table,
      includeSchema: true,
      signal,
    })
  ).filter((info) => sameName(info, wanted));
  if (found.length === 0) throw new ProgrammingError(`no table named '${name.trim()}'`);
  for (const [i, info] of found.entries()) {
    const ref = {
      catalog: info.catalog ?? undefined,
      dbSchema: info.dbSchema ?? undefined,
      table: info.tableName,
    };
    const title = `${info.tableType === 'VIEW' ? 'View' : 'Table'} ${qualified(info.catalog, info.dbSchema, info.tableName)}`;
    await sink.write(`${i > 0 ? '\n' : ''}${title}\n`);
    await print(sink, columnsTable(info.tableSchema), false);
    const primary = (await optional(client.getPrimaryKeys(ref, { signal }))).sort(
      (a, b) => a.keySequence - b.keySequence,
    );
    if (primary.length > 0) {
      const keyName = primary[0]!.keyName ? ` ${primary[0]!.keyName}` : '';
      await sink.write(`Primary key${keyName}: (${primary.map((k) => k.columnName).join(', ')})\n`);
    }
    const imported = await optional(client.getImportedKeys(ref, { signal }));
    const byKey = new Map<string, typeof imported>();
    for (const key of imported) {
      const id = `${key.fkKeyName ?? ''}\u0000${key.pkDbSchema ?? ''}\u0000${key.pkTableName}`;
      byKey.set(id, [...(byKey.get(id) ?? []), key]);
    }
    for (const keys of byKey.values()) {
      keys.sort((a, b) => a.keySequence - b.keySequence);
      const first = keys[0]!;
      const target = qualified(first.pkCatalog, first.pkDbSchema, first.pkTableName);
      await sink.write(
        `Foreign key: (${keys.map((k) => k.fkColumnName).join(', ')}) REFERENCES ${target} (${keys.map((k) => k.pkColumnName).join(', ')})\n`,
      );
    }
  }
}

function columnsTable(schema: Schema | undefined): Table {
  const fields = schema?.fields ?? [];
  return textTable({
    column: fields.map((f) => f.name),
    type: fields.map((f) => f.metadata.get('ARROW:FLIGHT:SQL:TYPE_NAME') ?? null),
    arrow_type: fields.map((f) => String(f.type)),
    nullable: fields.map((f) => f.nullable),
  });
}
