/**
 * The rows of a planned table into DuckDB, two ways:
 *
 * - a few rows (one-point writes): one prepared `INSERT ... (columns) VALUES (...)`, kept across
 *   writes. A flush of DuckDB's appender cost about 1 ms, a prepared INSERT about 0.3 ms; and as
 *   one statement it is atomic without BEGIN/COMMIT.
 * - more rows: DuckDB's appender, with data chunks filled column by column (typed arrays copied
 *   into the vectors with the ingest path's helpers, strings one native call each), not a
 *   DuckDBValue object per cell.
 *
 * The catalog the plan was made on may be stale (a client's DDL): statements name their columns
 * and the appender's columns are checked against the plan, so that a difference fails the write
 * (StaleCatalog) instead of putting values into the wrong columns; the writer then re-reads.
 */
import type { DuckDBAppender, DuckDBConnection, DuckDBPreparedStatement, DuckDBType } from '@duckdb/node-api';
import type { Vector as RawVector } from '@duckdb/node-bindings';
import type { DuckDBRuntime } from '../duckdb/runtime';
import { copyInto, setValidity, validityBytes } from '../duckdb/vectorMemory';
import { quoteIdentifier } from '../metadata/sql';
import type { FieldValue, Point } from './lineProtocol';
import { DUCKDB_TYPE, TAG_TYPE, TIME_TYPE, type Column, type TablePlan } from './tablePlan';

/** Up to this many rows of a table go in as one prepared INSERT; more through the appender. */
export const INSERT_MAX_ROWS = 8;

/** Prepared INSERTs kept at most (each holds a bound plan in DuckDB). */
const MAX_STATEMENTS = 256;

/** The table is not as the cached catalog says: read it again and re-plan. */
export class StaleCatalog extends Error {}

/** Prepared INSERTs (by table, columns and row count) and column checks, reused by later writes. */
export class InsertStatements {
  readonly #statements = new Map<string, DuckDBPreparedStatement>();

  /** The statement of `sql`, prepared (and checked by `valid`, else StaleCatalog) when not kept. */
  async get(
    connection: DuckDBConnection,
    sql: string,
    valid?: (statement: DuckDBPreparedStatement) => boolean,
  ): Promise<DuckDBPreparedStatement> {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = await connection.prepare(sql);
      if (valid && !valid(statement)) {
        statement.destroySync();
        throw new StaleCatalog('the catalog changed');
      }
      if (this.#statements.size >= MAX_STATEMENTS) {
        const [oldest, dropped] = this.#statements.entries().next().value!;
        this.#statements.delete(oldest);
        dropped.destroySync();
      }
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Drops every statement (after a failure: the catalog they were bound to may be gone). */
  clear(): void {
    for (const statement of this.#statements.values()) statement.destroySync();
    this.#statements.clear();
  }
}

/** The value of column `column` in `row` (tags, then fields, by the row's indexes), or undefined. */
function valueAt(point: Point, indexes: readonly number[], column: number): FieldValue | undefined {
  const at = indexes.indexOf(column);
  if (at < 0) return undefined;
  const tags = point.tagValues.length;
  return at < tags ? point.tagValues[at]! : point.fieldValues[at - tags]!;
}

/** Inserts the rows of `table` (at most INSERT_MAX_ROWS) with one prepared statement. */
export async function insertRows(
  connection: DuckDBConnection,
  rt: DuckDBRuntime,
  statements: InsertStatements,
  schema: string,
  table: TablePlan,
): Promise<void> {
  const { rows, timeIndex, columns } = table;
  // Only the columns these rows set are named: others take their default (NULL).
  const used = new Set<number>([timeIndex]);
  for (const { indexes } of rows) for (const i of indexes) used.add(i);
  const named = [...used].sort((a, b) => a - b);
  const tuple = `(${named.map(() => '?').join(', ')})`;
  const sql =
    `INSERT INTO ${quoteIdentifier(schema)}.${quoteIdentifier(table.name)} ` +
    `(${named.map((i) => quoteIdentifier(columns[i]!.name)).join(', ')}) VALUES ` +
    rows.map(() => tuple).join(', ');
  if (table.exists) await checkColumns(connection, statements, schema, table);
  const statement = await statements.get(connection, sql);
  let parameter = 1;
  for (const { point, indexes } of rows) {
    for (const column of named) {
      if (column === timeIndex) {
        statement.bindTimestampNanoseconds(
          parameter++,
          new rt.api.DuckDBTimestampNanosecondsValue(point.time),
        );
        continue;
      }
      const value = valueAt(point, indexes, column);
      const type = columns[column]!.type;
      if (value === undefined) statement.bindNull(parameter);
      else if (typeof value === 'string') statement.bindVarchar(parameter, value);
      else if (typeof value === 'number') statement.bindDouble(parameter, value);
      else if (typeof value === 'boolean') statement.bindBoolean(parameter, value);
      else if (type === DUCKDB_TYPE.unsigned) statement.bindUBigInt(parameter, value);
      else statement.bindBigInt(parameter, value);
      parameter++;
    }
  }
  await statement.run();
}

/** Rows per appended chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048;

/** How one column's values are gathered for a chunk, by the DuckDB type it has. */
type Storage = 'double' | 'bigint' | 'ubigint' | 'time' | 'boolean' | 'varchar' | 'null';

const STORAGE: Readonly<Record<string, Storage>> = {
  [DUCKDB_TYPE.float]: 'double',
  [DUCKDB_TYPE.integer]: 'bigint',
  [DUCKDB_TYPE.unsigned]: 'ubigint',
  [DUCKDB_TYPE.boolean]: 'boolean',
  [TAG_TYPE]: 'varchar',
  [TIME_TYPE]: 'time',
};

/** The JS type of the values each storage takes (a stale plan could offer another). */
const VALUE_TYPE: Readonly<Record<Storage, string>> = {
  double: 'number',
  bigint: 'bigint',
  ubigint: 'bigint',
  time: 'bigint',
  boolean: 'boolean',
  varchar: 'string',
  null: '',
};

/** One column of the chunk being built. */
interface ColumnBuffer {
  readonly storage: Storage;
  readonly values: Float64Array | BigInt64Array | BigUint64Array | Uint8Array | string[] | undefined;
  /** DuckDB validity bits (1: set), or undefined while every row is set. */
  readonly valid: Uint8Array;
  set: number;
}

function buffer(storage: Storage, count: number): ColumnBuffer {
  const values =
    storage === 'double'
      ? new Float64Array(count)
      : storage === 'bigint' || storage === 'time'
        ? new BigInt64Array(count)
        : storage === 'ubigint'
          ? new BigUint64Array(count)
          : storage === 'boolean'
            ? new Uint8Array(count)
            : storage === 'varchar'
              ? new Array<string>(count).fill('')
              : undefined;
  return { storage, values, valid: new Uint8Array(validityBytes(count)), set: 0 };
}

/** Writes `column` (rows [0, count)) into `vector`. */
function fill(rt: DuckDBRuntime, vector: RawVector, column: ColumnBuffer, count: number): void {
  if (column.set < count) setValidity(rt, vector, column.valid);
  const { values } = column;
  if (values === undefined) return;
  if (Array.isArray(values)) {
    for (let r = 0; r < count; r++) rt.bindings.vector_assign_string_element(vector, r, values[r]!);
  } else {
    copyInto(rt, vector, values, 0, count * values.BYTES_PER_ELEMENT);
  }
}

/** Whether `column` is declared `type` (columns made elsewhere, of types writes never set, are not checked). */
const sameType = (column: Column, type: DuckDBType) =>
  (column.kind === 'other' && STORAGE[column.type] === undefined) || String(type) === column.type;

/**
 * Checks that the table still has the plan's columns, by name and type, with a prepared
 * `SELECT columns ... LIMIT 0` kept across writes: checked when prepared, it fails later on its
 * own once a client has renamed, dropped or retyped one of them (DuckDB re-binds a prepared
 * statement after any catalog change and refuses one whose result types changed).
 */
async function checkColumns(
  connection: DuckDBConnection,
  statements: InsertStatements,
  schema: string,
  table: TablePlan,
): Promise<void> {
  const { columns } = table;
  const sql = `SELECT ${columns.map((c) => quoteIdentifier(c.name)).join(', ')} FROM ${quoteIdentifier(schema)}.${quoteIdentifier(table.name)} LIMIT 0`;
  const statement = await statements.get(connection, sql, (prepared) =>
    columns.every((c, i) => sameType(c, prepared.columnType(i))),
  );
  await statement.run();
}

/** Appends the rows of `table`, a data chunk of columns at a time; columns a row does not set are NULL. */
export async function appendRows(
  connection: DuckDBConnection,
  rt: DuckDBRuntime,
  statements: InsertStatements,
  schema: string,
  table: TablePlan,
): Promise<void> {
  const appender: DuckDBAppender = await connection.createAppender(table.name, schema);
  try {
    const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
    // A column added by a client shows in the appender alone.
    if (types.length !== table.columns.length || table.columns.some((c, i) => !sameType(c, types[i]!)))
      throw new StaleCatalog(`table '${table.name}' changed`);
    if (table.exists) await checkColumns(connection, statements, schema, table);
    const storages = table.columns.map((c, i) =>
      c.kind === 'other' && STORAGE[String(types[i])] === undefined ? 'null' : (STORAGE[c.type] ?? 'null'),
    );
    const { rows, timeIndex } = table;
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
      const count = Math.min(CHUNK_ROWS, rows.length - start);
      const buffers = storages.map((s) => buffer(s, count));
      const times = buffers[timeIndex]!;
      for (let r = 0; r < count; r++) {
        const { point, indexes } = rows[start + r]!;
        (times.values as BigInt64Array)[r] = point.time;
        times.valid[r >> 3]! |= 1 << (r & 7);
        times.set++;
        const tags = point.tagValues.length;
        for (let i = 0; i < indexes.length; i++) {
          const value = i < tags ? point.tagValues[i]! : point.fieldValues[i - tags]!;
          const column = buffers[indexes[i]!]!;
          if (typeof value !== VALUE_TYPE[column.storage])
            throw new StaleCatalog(`table '${table.name}' changed`);
          const values = column.values!;
          if (column.storage === 'boolean') values[r] = value ? 1 : 0;
          else values[r] = value as never;
          column.valid[r >> 3]! |= 1 << (r & 7);
          column.set++;
        }
      }
      const chunk = rt.api.DuckDBDataChunk.create(types, count);
      buffers.forEach((column, c) =>
        fill(rt, rt.bindings.data_chunk_get_vector(chunk.chunk, c), column, count),
      );
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    try {
      appender.closeSync();
    } catch {
      // Closing flushes again and fails the same way; the first error is the one to report.
    }
  }
}
