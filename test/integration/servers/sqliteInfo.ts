/**
 * The fixed metadata of Arrow C++'s SQLite example: its SqlInfo values (sqlite_sql_info.cc, as
 * FlightSqlServerBase::DoGetSqlInfo encodes them) and its XDBC type rows (sqlite_type_info.cc).
 */
import {
  Bool,
  Int32,
  Int64,
  List,
  RecordBatch,
  Struct,
  Uint32,
  Utf8,
  makeData,
  vectorFromArray,
} from 'apache-arrow';
import {
  SqlInfo,
  SqlNullOrdering,
  SqlSupportedCaseSensitivity,
  SqlSupportsConvert,
} from '../../../src/proto/FlightSql';
import { Status } from './arrowStatus';
import {
  field,
  int32ToInt32ListType,
  sqlInfoSchema,
  sqlInfoValueType,
  xdbcTypeInfoSchema,
} from './flightSqlSchemas';
import { batchOf } from './sqliteBatchReader';

/** One SqlInfo value, tagged with the union member Arrow C++'s `SqlInfoResult` variant selects. */
type InfoValue =
  | { kind: 0; value: string }
  | { kind: 1; value: boolean }
  | { kind: 2; value: bigint }
  | { kind: 3; value: number }
  | { kind: 4; value: string[] }
  | { kind: 5; value: Map<number, number[]> };

const KEYWORDS =
  'ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH AUTOINCREMENT BEFORE BEGIN BETWEEN BY CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP DATABASE DEFAULT DEFERRABLE DEFERRED DELETE DESC DETACH DISTINCT DO DROP EACH ELSE END ESCAPE EXCEPT EXCLUDE EXCLUSIVE EXISTS EXPLAIN FAIL FILTER FIRST FOLLOWING FOR FOREIGN FROM FULL GENERATED GLOB GROUP GROUPS HAVING IF IGNORE IMMEDIATE IN INDEX INDEXED INITIALLY INNER INSERT INSTEAD INTERSECT INTO IS ISNULL JOIN KEY LAST LEFT LIKE LIMIT MATCH MATERIALIZED NATURAL NO NOT NOTHING NOTNULL NULL NULLS OF OFFSET ON OR ORDER OTHERS OUTER OVER PARTITION PLAN PRAGMA PRECEDING PRIMARY QUERY RAISE RANGE RECURSIVE REFERENCES REGEXP REINDEX RELEASE RENAME REPLACE RESTRICT RETURNING RIGHT ROLLBACK ROW ROWS SAVEPOINT SELECT SET TABLE TEMP TEMPORARY THEN TIES TO TRANSACTION TRIGGER UNBOUNDED UNION UNIQUE UPDATE USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE WINDOW WITH WITHOUT'.split(
    ' ',
  );
const NUMERIC_FUNCTIONS =
  'ACOS ACOSH ASIN ASINH ATAN ATAN2 ATANH CEIL CEILING COS COSH DEGREES EXP FLOOR LN LOG LOG LOG10 LOG2 MOD PI POW POWER RADIANS SIN SINH SQRT TAN TANH TRUNC'.split(
    ' ',
  );
const STRING_FUNCTIONS = 'SUBSTR TRIM LTRIM RTRIM LENGTH REPLACE UPPER LOWER INSTR'.split(' ');

/** Arrow C++'s version string (ARROW_VERSION_STRING of the snapshot ported from). */
export const ARROW_VERSION_STRING = '26.0.0-SNAPSHOT';

/** `GetSqlInfoResultMap()`, in ascending id order (Arrow C++ walks an unordered_map). */
export const SQL_INFO = new Map<number, InfoValue>([
  [SqlInfo.FLIGHT_SQL_SERVER_NAME, { kind: 0, value: 'db_name' }],
  [SqlInfo.FLIGHT_SQL_SERVER_VERSION, { kind: 0, value: 'sqlite 3' }],
  [SqlInfo.FLIGHT_SQL_SERVER_ARROW_VERSION, { kind: 0, value: ARROW_VERSION_STRING }],
  [SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY, { kind: 1, value: false }],
  [SqlInfo.FLIGHT_SQL_SERVER_SQL, { kind: 1, value: true }],
  [SqlInfo.FLIGHT_SQL_SERVER_SUBSTRAIT, { kind: 1, value: false }],
  // An enum value: the variant's int32_t alternative, i.e. the int32_bitmask member.
  [SqlInfo.FLIGHT_SQL_SERVER_TRANSACTION, { kind: 3, value: 1 }],
  [SqlInfo.FLIGHT_SQL_SERVER_CANCEL, { kind: 1, value: false }],
  [SqlInfo.SQL_DDL_CATALOG, { kind: 1, value: false }],
  [SqlInfo.SQL_DDL_SCHEMA, { kind: 1, value: false }],
  [SqlInfo.SQL_DDL_TABLE, { kind: 1, value: true }],
  [
    SqlInfo.SQL_IDENTIFIER_CASE,
    { kind: 2, value: BigInt(SqlSupportedCaseSensitivity.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE) },
  ],
  [SqlInfo.SQL_IDENTIFIER_QUOTE_CHAR, { kind: 0, value: '"' }],
  [
    SqlInfo.SQL_QUOTED_IDENTIFIER_CASE,
    { kind: 2, value: BigInt(SqlSupportedCaseSensitivity.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE) },
  ],
  [SqlInfo.SQL_ALL_TABLES_ARE_SELECTABLE, { kind: 1, value: true }],
  [SqlInfo.SQL_NULL_ORDERING, { kind: 2, value: BigInt(SqlNullOrdering.SQL_NULLS_SORTED_AT_START) }],
  [SqlInfo.SQL_KEYWORDS, { kind: 4, value: KEYWORDS }],
  [SqlInfo.SQL_NUMERIC_FUNCTIONS, { kind: 4, value: NUMERIC_FUNCTIONS }],
  [SqlInfo.SQL_STRING_FUNCTIONS, { kind: 4, value: STRING_FUNCTIONS }],
  [
    SqlInfo.SQL_SUPPORTS_CONVERT,
    {
      kind: 5,
      value: new Map([[SqlSupportsConvert.SQL_CONVERT_BIGINT, [SqlSupportsConvert.SQL_CONVERT_INTEGER]]]),
    },
  ],
]);

/** `DoGetSqlInfo`: one row per requested id (all when none); an unknown id is a KeyError. */
export function sqlInfoBatch(ids: readonly number[]): RecordBatch {
  const wanted = ids.length > 0 ? ids : [...SQL_INFO.keys()];
  const members: unknown[][] = [[], [], [], [], [], []];
  const typeIds = new Int8Array(wanted.length);
  const offsets = new Int32Array(wanted.length);
  wanted.forEach((id, row) => {
    const info = SQL_INFO.get(id);
    if (!info) throw Status.keyError(`No information for SQL info number ${id}`);
    typeIds[row] = info.kind;
    offsets[row] = members[info.kind]!.length;
    members[info.kind]!.push(info.value);
  });
  const union = sqlInfoValueType();
  const types = [
    new Utf8(),
    new Bool(),
    new Int64(),
    new Int32(),
    new List(field('item', new Utf8())),
    int32ToInt32ListType(),
  ];
  const value = makeData({
    type: union,
    length: wanted.length,
    nullCount: 0,
    typeIds,
    valueOffsets: offsets,
    children: types.map((t, i) => vectorFromArray(members[i]!, t).data[0]!),
  });
  const names = vectorFromArray(wanted, new Uint32()).data[0]!;
  const struct = makeData({
    type: new Struct(sqlInfoSchema.fields),
    length: wanted.length,
    nullCount: 0,
    children: [names, value],
  });
  return new RecordBatch(sqlInfoSchema, struct);
}

/** One row of sqlite_type_info.cc, in xdbcTypeInfoSchema's column order. */
type TypeRow = [string, number, number, string | null, string | null, string[], ...unknown[]];

const row = (name: string, dataType: number, size: number, quoted: boolean, params: string[]): TypeRow => [
  name,
  dataType,
  size,
  quoted ? "'" : null,
  quoted ? "'" : null,
  params,
  1,
  false,
  3,
  false,
  false,
  false,
  name,
  0,
  0,
  dataType,
  0,
  0,
  0,
];

const TYPE_ROWS: TypeRow[] = [
  row('bit', -7, 1, false, []),
  row('tinyint', -6, 3, false, []),
  row('bigint', -5, 19, false, []),
  row('longvarbinary', -4, 65536, false, []),
  row('varbinary', -3, 255, false, []),
  row('text', -1, 65536, true, ['length']),
  row('longvarchar', -1, 65536, true, ['length']),
  row('char', 1, 255, true, ['length']),
  row('integer', 4, 9, false, []),
  row('smallint', 5, 5, false, []),
  row('float', 6, 7, false, []),
  row('double', 8, 15, false, []),
  row('numeric', 8, 15, false, []),
  row('varchar', 12, 255, true, ['length']),
  row('date', 91, 10, true, []),
  row('time', 92, 8, true, []),
  row('timestamp', 93, 32, true, []),
];

/** `DoGetTypeInfoResult(data_type)`: all rows, or the slice of rows of one data type (maybe empty). */
export function xdbcTypeInfoBatch(dataType?: number): RecordBatch {
  const rows = dataType === undefined ? TYPE_ROWS : TYPE_ROWS.filter((r) => r[1] === dataType);
  const columns = xdbcTypeInfoSchema.fields.map((_, c) => rows.map((r) => r[c]));
  return batchOf(xdbcTypeInfoSchema, columns, rows.length);
}
