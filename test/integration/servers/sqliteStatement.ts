/**
 * Arrow C++'s example SqliteStatement (cpp/src/arrow/flight/sql/example/sqlite_statement.cc and
 * the type mapping of sqlite_server.cc) over sql.js: prepare, schema from the column types or
 * the declared types, binding of parameter batches (dense unions per value), stepping.
 *
 * sql.js exports only part of SQLite's C API. What it lacks is done another way, and noted:
 * - `sqlite3_column_decltype`: read from a temporary view over the statement (PRAGMA
 *   table_info), which reports the same declared type for columns that name a table column and
 *   none for expressions (except CAST, which gets the cast's type, and a column declared
 *   without a type, which gets BLOB);
 * - `sqlite3_column_table_name`: none, so column metadata is what Arrow C++ sends when SQLite
 *   names no table (SCALE, IS_AUTO_INCREMENT, IS_READ_ONLY; no TABLE_NAME, no PRECISION);
 * - `sqlite3_bind_parameter_count`/`_name`: counted by binding until SQLITE_RANGE, named
 *   from the statement's text;
 * - `sqlite3_bind_int64`: int64 values outside int32 are bound as their decimal text
 *   (SQLite's column affinity turns them back into INTEGER; `SELECT ?` gives TEXT);
 * - `sqlite3_column_int64`: INTEGER values are read exactly through their text.
 */
import {
  DataType,
  Precision,
  Schema,
  Type,
  makeVector,
  type Data,
  type DenseUnion,
  type RecordBatch,
} from 'apache-arrow';
import type { Statement } from 'sql.js';
import { Status } from './arrowStatus';
import { typeText } from './arrowText';
import { field, unknownColumnType } from './flightSqlSchemas';
import {
  INT64_MAX,
  INT64_MIN,
  SQLITE_BLOB,
  SQLITE_DONE,
  SQLITE_ERROR,
  SQLITE_FLOAT,
  SQLITE_INTEGER,
  SQLITE_NULL,
  SQLITE_OK,
  SQLITE_RANGE,
  SQLITE_ROW,
  SQLITE_TRANSIENT,
  arrowTypeOf,
  arrowTypeOfColumn,
  columnMetadata,
  type SqliteApi,
  type SqliteEngine,
} from './sqliteApi';
import { parameterTokens, withoutParameters } from './sqlText';

let views = 0;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The raw statement pointer of a sql.js Statement (its only numeric field other than the bind position 1). */
function pointerOf(api: SqliteApi, statement: Statement): number {
  const candidates = Object.values(statement).filter((v): v is number => typeof v === 'number' && v > 1);
  const pointer = candidates.find((p) => typeof api.sql(p) === 'string');
  if (pointer === undefined)
    throw new Error('sql.js Statement: no statement pointer found (sql.js changed?)');
  return pointer;
}

/** A prepared SQLite statement with Arrow C++'s example semantics. */
export class SqliteStatement {
  readonly pointer: number;
  readonly columnNames: string[];
  /** Declared type of each result column (`sqlite3_column_decltype`), null when none. */
  readonly declaredTypes: (string | null)[];
  /** `sqlite3_bind_parameter_count`. */
  readonly parameterCount: number;
  /** `sqlite3_bind_parameter_name` of each parameter (null for `?`). */
  readonly parameterNames: (string | null)[];
  /** Parameter batches bound by DoPut (`parameters_`), without empty ones. */
  parameters: RecordBatch[] = [];
  #hasRow = false;

  private constructor(
    readonly engine: SqliteEngine,
    readonly statement: Statement,
  ) {
    const { api } = engine;
    this.pointer = pointerOf(api, statement);
    this.columnNames = statement.getColumnNames();
    this.parameterCount = this.#countParameters();
    this.parameterNames = this.#nameParameters();
    this.declaredTypes = this.#declaredTypes();
  }

  /** `SqliteStatement::Create`: prepares the first statement of `sql`. */
  static create(engine: SqliteEngine, sql: string): SqliteStatement {
    let statement: Statement;
    try {
      statement = engine.db.prepare(sql);
    } catch (err) {
      throw Status.invalid(`Can't prepare statement: ${err instanceof Error ? err.message : String(err)}`);
    }
    return new SqliteStatement(engine, statement);
  }

  /** `SqliteStatement::GetSchema`: column types of the current row, else declared types, else a union. */
  getSchema(): Schema {
    const { api } = this.engine;
    return new Schema(
      this.columnNames.map((name, i) => {
        const columnType = this.#hasRow ? api.columnType(this.pointer, i) : SQLITE_NULL;
        let type = arrowTypeOfColumn(columnType);
        if (type.typeId === Type.Null) {
          const declared = this.declaredTypes[i] ?? null;
          type = declared !== null ? arrowTypeOf(declared) : unknownColumnType();
        }
        return field(name, type, true, columnMetadata(columnType, null));
      }),
    );
  }

  /** `SqliteStatement::Step`. Every SQLite error ends the step (Arrow C++ checks SQLITE_ERROR only). */
  step(): number {
    const rc = this.engine.api.step(this.pointer);
    this.#hasRow = rc === SQLITE_ROW;
    if (rc !== SQLITE_ROW && rc !== SQLITE_DONE) {
      throw Status.executionError(`A SQLite runtime error has occurred: ${this.#errmsg()}`);
    }
    return rc;
  }

  /** `SqliteStatement::Reset`. */
  reset(): number {
    const rc = this.engine.api.reset(this.pointer);
    this.#hasRow = false;
    if (rc === SQLITE_ERROR)
      throw Status.executionError(`A SQLite runtime error has occurred: ${this.#errmsg()}`);
    return rc;
  }

  /** `SqliteStatement::ExecuteUpdate`: steps to the end; `sqlite3_changes`. */
  executeUpdate(): number {
    while (this.step() !== SQLITE_DONE) {
      // rows of an update are dropped
    }
    return this.engine.db.getRowsModified();
  }

  /** `SqliteStatement::SetParameters`. */
  setParameters(batches: RecordBatch[]): void {
    for (const batch of batches) {
      if (batch.numCols !== this.parameterCount) {
        throw Status.invalid(`Expected ${this.parameterCount} parameters, but got ${batch.numCols}`);
      }
    }
    this.parameters = batches.filter((b) => b.numRows > 0);
  }

  clearBindings(): void {
    if (this.engine.api.clearBindings(this.pointer) !== SQLITE_OK) {
      throw Status.invalid(`Failed to reset bindings: ${this.#errmsg()}`);
    }
  }

  /** `SqliteStatement::Bind`: row `rowIndex` of batch `batchIndex`, a union's member per value. */
  bind(batchIndex: number, rowIndex: number): void {
    const batch = this.parameters[batchIndex];
    if (!batch) throw Status.indexError(`Cannot bind to batch ${batchIndex}`);
    if (rowIndex < 0 || rowIndex >= batch.numRows) {
      throw Status.indexError(`Cannot bind to row ${rowIndex} in batch ${batchIndex}`);
    }
    this.clearBindings();
    for (let c = 0; c < batch.numCols; c++) {
      let data: Data = batch.getChildAt(c)!.data[0]!;
      let index = rowIndex;
      if (data.type.typeId === Type.Union && data.typeIds && data.valueOffsets) {
        const type = data.type as DenseUnion;
        const child = type.typeIdToChildIndex[data.typeIds[rowIndex]!]!;
        index = data.valueOffsets[rowIndex]!;
        data = data.children[child]!;
      }
      const rc = data.getValid(index) ? this.#bindValue(c + 1, data, index) : this.#bindNull(c + 1);
      if (rc !== SQLITE_OK) throw Status.unknownError(`Failed to bind parameter: ${this.#errmsg()}`);
    }
  }

  /** The current row's column `i` as the builder of `type` takes it (sqlite3_column_* conversions). */
  value(i: number, type: DataType): unknown {
    const { api } = this.engine;
    const columnType = api.columnType(this.pointer, i);
    switch (type.typeId) {
      case Type.Int: {
        const { bitWidth, isSigned } = type as unknown as { bitWidth: number; isSigned: boolean };
        const v = this.#int64(i, columnType);
        const cast = isSigned ? BigInt.asIntN(bitWidth, v) : BigInt.asUintN(bitWidth, v);
        return bitWidth === 64 ? cast : Number(cast);
      }
      case Type.Float:
        return api.columnDouble(this.pointer, i);
      case Type.Utf8:
      case Type.LargeUtf8:
        return columnType === SQLITE_BLOB
          ? decoder.decode(this.statement.getBlob(i))
          : api.columnText(this.pointer, i);
      case Type.Binary:
      case Type.LargeBinary:
        return columnType === SQLITE_BLOB
          ? this.statement.getBlob(i)
          : encoder.encode(api.columnText(this.pointer, i));
      default:
        throw Status.notImplemented(`Not implemented SQLite data conversion to ${nameOf(type)}`);
    }
  }

  isNull(i: number): boolean {
    return this.engine.api.columnType(this.pointer, i) === SQLITE_NULL;
  }

  /** Finalizes the statement (Arrow C++'s destructor). */
  free(): void {
    this.statement.free();
  }

  #errmsg(): string {
    return this.engine.api.errmsg(this.engine.db.db);
  }

  #int64(i: number, columnType: number): bigint {
    const { api } = this.engine;
    if (columnType === SQLITE_INTEGER) return BigInt(api.columnText(this.pointer, i));
    if (columnType === SQLITE_FLOAT) {
      const r = api.columnDouble(this.pointer, i);
      if (Number.isNaN(r)) return 0n;
      if (r <= -(2 ** 63)) return INT64_MIN;
      if (r >= 2 ** 63) return INT64_MAX;
      return BigInt(Math.trunc(r));
    }
    const text =
      columnType === SQLITE_BLOB
        ? decoder.decode(this.statement.getBlob(i))
        : api.columnText(this.pointer, i);
    const m = /^\s*([+-]?\d+)/.exec(text);
    if (!m) return 0n;
    const v = BigInt(m[1]!);
    return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : v;
  }

  #bindNull(position: number): number {
    this.engine.api.bindBlob(this.pointer, position, 0, 0, 0);
    return SQLITE_OK; // Arrow C++ ignores what sqlite3_bind_null returns
  }

  #bindValue(position: number, data: Data, index: number): number {
    const { api } = this.engine;
    const value = makeVector(data).get(index) as unknown;
    const type = data.type as DataType & { bitWidth?: number; isSigned?: boolean; precision?: Precision };
    if (type.typeId === Type.Int && type.isSigned && (type.bitWidth === 32 || type.bitWidth === 64)) {
      const v = BigInt(value as number | bigint);
      if (v >= -2147483648n && v <= 2147483647n) return api.bindInt(this.pointer, position, Number(v));
      return this.#bindString(position, v.toString());
    }
    if (type.typeId === Type.Float && type.precision !== Precision.HALF) {
      return api.bindDouble(this.pointer, position, Number(value));
    }
    if (type.typeId === Type.Utf8) return this.#bindString(position, value as string);
    throw Status.typeError(`Received unsupported data type: ${typeText(data.type)}`);
  }

  #bindString(position: number, value: string): number {
    const { api } = this.engine;
    const bytes = encoder.encode(value);
    const pointer = api.module._malloc(bytes.byteLength + 1);
    try {
      api.module.writeArrayToMemory(bytes, pointer);
      return api.bindText(this.pointer, position, pointer, bytes.byteLength, SQLITE_TRANSIENT);
    } finally {
      api.module._free(pointer);
    }
  }

  #countParameters(): number {
    const { api } = this.engine;
    let n = 1;
    while (api.bindBlob(this.pointer, n, 0, 0, 0) !== SQLITE_RANGE) n++;
    api.clearBindings(this.pointer);
    return n - 1;
  }

  #nameParameters(): (string | null)[] {
    const { api } = this.engine;
    const names: (string | null)[] = new Array(this.parameterCount).fill(null);
    for (const token of parameterTokens(api.sql(this.pointer))) {
      if (token.text.length < 2) continue;
      const index = api.bindParameterIndex(this.pointer, token.text);
      if (index > 0) names[index - 1] = token.text;
    }
    return names;
  }

  #declaredTypes(): (string | null)[] {
    const count = this.columnNames.length;
    const none = new Array<string | null>(count).fill(null);
    if (count === 0) return none;
    const { db, api } = this.engine;
    const view = `__flightsql_decltype_${++views}`;
    try {
      const create = db.prepare(`CREATE TEMP VIEW "${view}" AS ${withoutParameters(api.sql(this.pointer))}`);
      try {
        create.step();
      } finally {
        create.free();
      }
    } catch {
      return none; // not a query a view can hold (PRAGMA, RETURNING, ...): no declared types
    }
    try {
      const rows = db.exec(`SELECT type FROM pragma_table_info('${view}', 'temp')`)[0]?.values ?? [];
      return none.map((_, i) => {
        const type = rows[i]?.[0];
        return typeof type === 'string' && type.length > 0 ? type : null;
      });
    } finally {
      db.run(`DROP VIEW temp."${view}"`);
    }
  }
}

/** Arrow C++'s `DataType::name()`, for its "Not implemented ... conversion to" message. */
function nameOf(type: DataType): string {
  const text = typeText(type);
  const bracket = text.search(/[<[(]/);
  return bracket < 0 ? text : text.slice(0, bracket);
}
