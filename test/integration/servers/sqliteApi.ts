/**
 * The part of SQLite's C API that sql.js exports, called directly on raw pointers, and Arrow
 * C++'s SQLite example's type mapping (sqlite_server.cc `GetArrowType`,
 * `GetSqlTypeFromTypeName`; sqlite_statement.cc `GetDataTypeFromSqliteType`,
 * `GetColumnMetadata`).
 */
import { Binary, DataType, Float64, Int64, Null, Utf8 } from 'apache-arrow';
import type { Database, SqlJsStatic } from 'sql.js';
import { Status } from './arrowStatus';

export const SQLITE_OK = 0;
export const SQLITE_ERROR = 1;
export const SQLITE_RANGE = 25;
export const SQLITE_ROW = 100;
export const SQLITE_DONE = 101;
export const SQLITE_INTEGER = 1;
export const SQLITE_FLOAT = 2;
export const SQLITE_TEXT = 3;
export const SQLITE_BLOB = 4;
export const SQLITE_NULL = 5;
export const SQLITE_TRANSIENT = -1;
export const INT64_MAX = 2n ** 63n - 1n;
export const INT64_MIN = -(2n ** 63n);

type Fn<A extends unknown[], R> = (...args: A) => R;

/** The C functions of sql.js's module called directly, on raw statement pointers. */
export class SqliteApi {
  readonly step: Fn<[number], number>;
  readonly reset: Fn<[number], number>;
  readonly clearBindings: Fn<[number], number>;
  readonly columnCount: Fn<[number], number>;
  readonly columnType: Fn<[number, number], number>;
  readonly columnDouble: Fn<[number, number], number>;
  readonly columnText: Fn<[number, number], string>;
  readonly bindInt: Fn<[number, number, number], number>;
  readonly bindDouble: Fn<[number, number, number], number>;
  readonly bindText: Fn<[number, number, number, number, number], number>;
  readonly bindBlob: Fn<[number, number, number, number, number], number>;
  readonly bindParameterIndex: Fn<[number, string], number>;
  readonly sql: Fn<[number], string>;
  readonly errmsg: Fn<[number], string>;

  constructor(readonly module: SqlJsStatic) {
    const c = <A extends unknown[], R>(
      name: string,
      ret: 'number' | 'string',
      args: ('number' | 'string')[],
    ) => module.cwrap(name, ret, args) as Fn<A, R>;
    const n = 'number' as const;
    this.step = c('sqlite3_step', n, [n]);
    this.reset = c('sqlite3_reset', n, [n]);
    this.clearBindings = c('sqlite3_clear_bindings', n, [n]);
    this.columnCount = c('sqlite3_column_count', n, [n]);
    this.columnType = c('sqlite3_column_type', n, [n, n]);
    this.columnDouble = c('sqlite3_column_double', n, [n, n]);
    this.columnText = c('sqlite3_column_text', 'string', [n, n]);
    this.bindInt = c('sqlite3_bind_int', n, [n, n, n]);
    this.bindDouble = c('sqlite3_bind_double', n, [n, n, n]);
    this.bindText = c('sqlite3_bind_text', n, [n, n, n, n, n]);
    this.bindBlob = c('sqlite3_bind_blob', n, [n, n, n, n, n]);
    this.bindParameterIndex = c('sqlite3_bind_parameter_index', n, [n, 'string']);
    this.sql = c('sqlite3_sql', 'string', [n]);
    this.errmsg = c('sqlite3_errmsg', 'string', [n]);
  }
}

/** One sql.js database and the raw API beside it. */
export interface SqliteEngine {
  readonly db: Database;
  readonly api: SqliteApi;
}

/** sqlite_server.cc `GetArrowType`: a declared type's Arrow type; an unknown one is Invalid. */
export function arrowTypeOf(sqliteType: string | null): DataType {
  if (sqliteType === null || sqliteType.length === 0) return new Null();
  const t = sqliteType.toLowerCase();
  if (t === 'int' || t === 'integer') return new Int64();
  if (t === 'real') return new Float64();
  if (t === 'blob') return new Binary();
  if (t === 'text' || t === 'date' || t.startsWith('char') || t.startsWith('varchar')) return new Utf8();
  throw Status.invalid(`Invalid SQLite type: ${sqliteType}`);
}

/** sqlite_server.cc `GetSqlTypeFromTypeName`. */
export function sqliteTypeOf(typeName: string | null): number {
  if (typeName === null) return SQLITE_NULL;
  const t = typeName.toLowerCase();
  if (t === 'int' || t === 'integer') return SQLITE_INTEGER;
  if (t === 'real') return SQLITE_FLOAT;
  if (t === 'blob') return SQLITE_BLOB;
  if (t === 'text' || t === 'date' || t.startsWith('char') || t.startsWith('varchar')) return SQLITE_TEXT;
  return SQLITE_NULL;
}

/** The Arrow type of a value's storage class (sqlite_statement.cc `GetDataTypeFromSqliteType`). */
export function arrowTypeOfColumn(columnType: number): DataType {
  switch (columnType) {
    case SQLITE_INTEGER:
      return new Int64();
    case SQLITE_FLOAT:
      return new Float64();
    case SQLITE_BLOB:
      return new Binary();
    case SQLITE_TEXT:
      return new Utf8();
    default:
      return new Null();
  }
}

const META = 'ARROW:FLIGHT:SQL:';

/** sqlite_statement.cc `GetColumnMetadata`, as Arrow C++ builds it (keys in that order). */
export function columnMetadata(columnType: number, table: string | null): Map<string, string> {
  const m = new Map([
    [`${META}SCALE`, '15'],
    [`${META}IS_AUTO_INCREMENT`, '0'],
    [`${META}IS_READ_ONLY`, '0'],
  ]);
  if (table === null) return m;
  m.set(`${META}TABLE_NAME`, table);
  if (columnType !== SQLITE_TEXT && columnType !== SQLITE_BLOB) {
    m.set(
      `${META}PRECISION`,
      String(columnType === SQLITE_INTEGER ? 10 : columnType === SQLITE_FLOAT ? 15 : 0),
    );
  }
  return m;
}
