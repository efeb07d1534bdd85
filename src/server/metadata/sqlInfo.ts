/**
 * CommandGetSqlInfo: what this server and DuckDB support, answered truthfully. Fixed facts are
 * a table here; the DuckDB version, keywords, function lists, null ordering and CAST support
 * are read from DuckDB itself. Ids that depend on the Flight SQL service (transactions, ingest,
 * cancellation, prepared statements) come from the service as `overrides`; ids nobody can
 * vouch for are left out, as the proto allows.
 */
import { makeData, type Data, type DenseUnion } from 'apache-arrow';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DuckDBEngine } from '../DuckDBEngine';
import {
  SqlInfo,
  SqlNullOrdering,
  SqlOuterJoinsSupportLevel,
  SqlSupportedCaseSensitivity,
  SqlSupportedResultSetConcurrency as Concurrency,
  SqlSupportedResultSetType as ResultSetType,
  SqlSupportsConvert as Convert,
} from '../../proto/FlightSql';
import { batchOf, columnData } from './arrow';
import {
  SQL_INFO_INT32_LIST_MAP,
  SQL_INFO_SCHEMA,
  SQL_INFO_STRING_LIST,
  SQL_INFO_VALUE_TYPE,
} from './schemas';
import { PATTERN_ESCAPE, readRows } from './sql';
import type { MetadataMessage, MetadataResult } from './types';

/**
 * A SqlInfo value, by union member: string -> string_value, boolean -> bool_value,
 * bigint -> bigint_value, number -> int32_bitmask, string[] -> string_list,
 * Map -> int32_to_int32_list_map.
 */
export type SqlInfoValue =
  string | boolean | bigint | number | readonly string[] | ReadonlyMap<number, readonly number[]>;

/** FLIGHT_SQL_SERVER_NAME. */
export const SERVER_NAME = 'flightsql embedded (DuckDB)';
/** FLIGHT_SQL_SERVER_ARROW_VERSION: the apache-arrow (JS) release the server encodes with. */
export const ARROW_VERSION = '21.2.0';

const bit = (...positions: number[]) => positions.reduce((mask, p) => mask | (1 << p), 0);

/**
 * Facts of DuckDB's SQL that do not need a query. What depends on the Flight SQL service
 * (transactions, cancellation, ingest, prepared statements) is the service's to say (its
 * `sqlInfo` overrides), so that this table never claims for a service what it cannot know.
 * Left out as unverifiable: SQL_ANSI92_SUPPORTED_LEVEL (DuckDB meets no level in full: Entry SQL
 * already needs GRANT and REVOKE), limits of things DuckDB does not have (cursor, procedure and
 * user names) and SQL_MAX_ROW_SIZE_INCLUDES_BLOBS (there is no row size limit to describe).
 * test/integration/server/sqlInfo.test.ts exercises every id reported.
 */
const FIXED: ReadonlyArray<readonly [SqlInfo, SqlInfoValue]> = [
  [SqlInfo.FLIGHT_SQL_SERVER_NAME, SERVER_NAME],
  [SqlInfo.FLIGHT_SQL_SERVER_ARROW_VERSION, ARROW_VERSION],
  [SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY, false],
  [SqlInfo.FLIGHT_SQL_SERVER_SQL, true],
  [SqlInfo.FLIGHT_SQL_SERVER_SUBSTRAIT, false],
  [SqlInfo.SQL_DDL_CATALOG, false], // ATTACH/DETACH, not CREATE/DROP DATABASE
  [SqlInfo.SQL_DDL_SCHEMA, true],
  [SqlInfo.SQL_DDL_TABLE, true],
  // DuckDB keeps the case of identifiers but resolves them case-insensitively, quoted or not.
  [SqlInfo.SQL_IDENTIFIER_CASE, SqlSupportedCaseSensitivity.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE],
  [SqlInfo.SQL_IDENTIFIER_QUOTE_CHAR, '"'],
  [SqlInfo.SQL_QUOTED_IDENTIFIER_CASE, SqlSupportedCaseSensitivity.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE],
  [SqlInfo.SQL_ALL_TABLES_ARE_SELECTABLE, true],
  [SqlInfo.SQL_SEARCH_STRING_ESCAPE, PATTERN_ESCAPE],
  // The ASCII ones; DuckDB also takes any non-ASCII letter, which no list can hold.
  [SqlInfo.SQL_EXTRA_NAME_CHARACTERS, '$'],
  [SqlInfo.SQL_SUPPORTS_COLUMN_ALIASING, true],
  [SqlInfo.SQL_NULL_PLUS_NULL_IS_NULL, true],
  [SqlInfo.SQL_SUPPORTS_TABLE_CORRELATION_NAMES, true],
  [SqlInfo.SQL_SUPPORTS_DIFFERENT_TABLE_CORRELATION_NAMES, false], // `FROM t AS t` is fine
  [SqlInfo.SQL_SUPPORTS_EXPRESSIONS_IN_ORDER_BY, true],
  [SqlInfo.SQL_SUPPORTS_ORDER_BY_UNRELATED, true],
  [SqlInfo.SQL_SUPPORTED_GROUP_BY, bit(0, 1)], // UNRELATED, BEYOND_SELECT
  [SqlInfo.SQL_SUPPORTS_LIKE_ESCAPE_CLAUSE, true],
  [SqlInfo.SQL_SUPPORTS_NON_NULLABLE_COLUMNS, true],
  // ODBC's Core grammar needs GRANT and REVOKE, which DuckDB lacks; Minimum is all it meets.
  [SqlInfo.SQL_SUPPORTED_GRAMMAR, bit(0)],
  // PRIMARY KEY, UNIQUE, CHECK, DEFAULT and REFERENCES, all enforced.
  [SqlInfo.SQL_SUPPORTS_INTEGRITY_ENHANCEMENT_FACILITY, true],
  [SqlInfo.SQL_OUTER_JOINS_SUPPORT_LEVEL, SqlOuterJoinsSupportLevel.SQL_FULL_OUTER_JOINS],
  [SqlInfo.SQL_SCHEMA_TERM, 'schema'],
  [SqlInfo.SQL_CATALOG_TERM, 'database'],
  [SqlInfo.SQL_CATALOG_AT_START, true],
  [SqlInfo.SQL_SCHEMAS_SUPPORTED_ACTIONS, bit(1)], // in index definitions (no procedures, no GRANT)
  [SqlInfo.SQL_CATALOGS_SUPPORTED_ACTIONS, bit(1)],
  [SqlInfo.SQL_SUPPORTED_POSITIONED_COMMANDS, 0],
  [SqlInfo.SQL_SELECT_FOR_UPDATE_SUPPORTED, false],
  [SqlInfo.SQL_STORED_PROCEDURES_SUPPORTED, false],
  [SqlInfo.SQL_SUPPORTED_SUBQUERIES, bit(0, 1, 2, 3)], // comparisons, EXISTS, IN, quantified
  [SqlInfo.SQL_CORRELATED_SUBQUERIES_SUPPORTED, true],
  [SqlInfo.SQL_SUPPORTED_UNIONS, bit(0, 1)],
  // 0: no limit. DuckDB sets none of these (what a gRPC message holds aside).
  ...(
    [
      SqlInfo.SQL_MAX_BINARY_LITERAL_LENGTH,
      SqlInfo.SQL_MAX_CHAR_LITERAL_LENGTH,
      SqlInfo.SQL_MAX_COLUMN_NAME_LENGTH,
      SqlInfo.SQL_MAX_COLUMNS_IN_GROUP_BY,
      SqlInfo.SQL_MAX_COLUMNS_IN_INDEX,
      SqlInfo.SQL_MAX_COLUMNS_IN_ORDER_BY,
      SqlInfo.SQL_MAX_COLUMNS_IN_SELECT,
      SqlInfo.SQL_MAX_COLUMNS_IN_TABLE,
      SqlInfo.SQL_MAX_CONNECTIONS,
      SqlInfo.SQL_MAX_INDEX_LENGTH,
      SqlInfo.SQL_DB_SCHEMA_NAME_LENGTH,
      SqlInfo.SQL_MAX_CATALOG_NAME_LENGTH,
      SqlInfo.SQL_MAX_ROW_SIZE,
      SqlInfo.SQL_MAX_STATEMENT_LENGTH,
      SqlInfo.SQL_MAX_STATEMENTS,
      SqlInfo.SQL_MAX_TABLE_NAME_LENGTH,
      SqlInfo.SQL_MAX_TABLES_IN_SELECT,
    ] as const
  ).map((id) => [id, 0n] as const),
  [SqlInfo.SQL_SUPPORTED_RESULT_SET_TYPES, bit(ResultSetType.SQL_RESULT_SET_TYPE_FORWARD_ONLY)],
  [SqlInfo.SQL_SUPPORTED_CONCURRENCIES_FOR_RESULT_SET_UNSPECIFIED, 0],
  [
    SqlInfo.SQL_SUPPORTED_CONCURRENCIES_FOR_RESULT_SET_FORWARD_ONLY,
    bit(Concurrency.SQL_RESULT_SET_CONCURRENCY_READ_ONLY),
  ],
  [SqlInfo.SQL_SUPPORTED_CONCURRENCIES_FOR_RESULT_SET_SCROLL_SENSITIVE, 0],
  [SqlInfo.SQL_SUPPORTED_CONCURRENCIES_FOR_RESULT_SET_SCROLL_INSENSITIVE, 0],
  [SqlInfo.SQL_SAVEPOINTS_SUPPORTED, false], // DuckDB has no SAVEPOINT
  [SqlInfo.SQL_NAMED_PARAMETERS_SUPPORTED, false], // no callable statements
  [SqlInfo.SQL_STORED_FUNCTIONS_USING_CALL_SYNTAX_SUPPORTED, false],
];

const NUMERIC_TYPES = `['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT',
  'UINTEGER', 'UBIGINT', 'UHUGEINT', 'FLOAT', 'DOUBLE', 'DECIMAL']`;
const DATETIME_TYPES = `['DATE', 'TIME', 'TIME_NS', 'TIME WITH TIME ZONE', 'TIMESTAMP', 'TIMESTAMP_S',
  'TIMESTAMP_MS', 'TIMESTAMP_NS', 'TIMESTAMP WITH TIME ZONE', 'INTERVAL']`;
/** Callable by name: no operators, no internal `__` helpers, no per-locale ICU collations. */
const NAMED = `function_type IN ('scalar', 'macro')
  AND regexp_full_match(function_name, '[a-z][a-z0-9_]*')
  AND NOT starts_with(function_name, 'icu_collate_')`;

const FUNCTION_LISTS: ReadonlyArray<readonly [SqlInfo, string]> = [
  // Numbers in, a number out (nullary ones: those giving a floating-point number, e.g. pi).
  [
    SqlInfo.SQL_NUMERIC_FUNCTIONS,
    `${NAMED} AND list_contains(${NUMERIC_TYPES}, return_type)
      AND CASE WHEN len(parameter_types) = 0 THEN return_type IN ('DOUBLE', 'FLOAT')
          ELSE list_bool_and(list_transform(parameter_types, lambda t: list_contains(${NUMERIC_TYPES}, t))) END`,
  ],
  // DuckDB's 'string' category, and text-to-text functions.
  [
    SqlInfo.SQL_STRING_FUNCTIONS,
    `${NAMED} AND (list_contains(categories, 'string')
      OR (return_type = 'VARCHAR' AND parameter_types[1] = 'VARCHAR'))`,
  ],
  // Session and system facts.
  [
    SqlInfo.SQL_SYSTEM_FUNCTIONS,
    `${NAMED} AND function_name IN ('current_catalog', 'current_database', 'current_query',
      'current_schema', 'current_schemas', 'current_setting', 'current_user', 'session_user',
      'user', 'version', 'typeof', 'ifnull', 'txid_current')`,
  ],
  // A date/time type in or out.
  [
    SqlInfo.SQL_DATETIME_FUNCTIONS,
    `${NAMED} AND list_has_any(list_append(parameter_types, return_type), ${DATETIME_TYPES})`,
  ],
];

const NULL_ORDERING: Record<string, SqlNullOrdering> = {
  NULLS_LAST: SqlNullOrdering.SQL_NULLS_SORTED_AT_END,
  NULLS_FIRST: SqlNullOrdering.SQL_NULLS_SORTED_AT_START,
  NULLS_FIRST_ON_ASC_LAST_ON_DESC: SqlNullOrdering.SQL_NULLS_SORTED_LOW,
  NULLS_LAST_ON_ASC_FIRST_ON_DESC: SqlNullOrdering.SQL_NULLS_SORTED_HIGH,
};

/** A DuckDB value of each SqlSupportsConvert type, to try CASTs from. */
const CONVERT_SAMPLES: ReadonlyArray<readonly [Convert, string, string]> = [
  [Convert.SQL_CONVERT_BIGINT, 'BIGINT', 'CAST(1 AS BIGINT)'],
  [Convert.SQL_CONVERT_BINARY, 'BLOB', "CAST('\\x01' AS BLOB)"],
  [Convert.SQL_CONVERT_BIT, 'BOOLEAN', 'true'],
  [Convert.SQL_CONVERT_CHAR, 'VARCHAR', "'1'"],
  [Convert.SQL_CONVERT_DATE, 'DATE', "DATE '2000-01-02'"],
  [Convert.SQL_CONVERT_DECIMAL, 'DECIMAL(18,3)', 'CAST(1.5 AS DECIMAL(18,3))'],
  [Convert.SQL_CONVERT_FLOAT, 'DOUBLE', 'CAST(1.5 AS DOUBLE)'],
  [Convert.SQL_CONVERT_INTEGER, 'INTEGER', 'CAST(1 AS INTEGER)'],
  [Convert.SQL_CONVERT_INTERVAL_DAY_TIME, 'INTERVAL', 'INTERVAL 1 DAY'],
  [Convert.SQL_CONVERT_INTERVAL_YEAR_MONTH, 'INTERVAL', 'INTERVAL 1 MONTH'],
  [Convert.SQL_CONVERT_LONGVARBINARY, 'BLOB', "CAST('\\x01' AS BLOB)"],
  [Convert.SQL_CONVERT_LONGVARCHAR, 'VARCHAR', "'1'"],
  [Convert.SQL_CONVERT_NUMERIC, 'DECIMAL(18,3)', 'CAST(1.5 AS DECIMAL(18,3))'],
  [Convert.SQL_CONVERT_REAL, 'FLOAT', 'CAST(1.5 AS FLOAT)'],
  [Convert.SQL_CONVERT_SMALLINT, 'SMALLINT', 'CAST(1 AS SMALLINT)'],
  [Convert.SQL_CONVERT_TIME, 'TIME', "TIME '01:02:03'"],
  [Convert.SQL_CONVERT_TIMESTAMP, 'TIMESTAMP', "TIMESTAMP '2000-01-02 03:04:05'"],
  [Convert.SQL_CONVERT_TINYINT, 'TINYINT', 'CAST(1 AS TINYINT)'],
  [Convert.SQL_CONVERT_VARBINARY, 'BLOB', "CAST('\\x01' AS BLOB)"],
  [Convert.SQL_CONVERT_VARCHAR, 'VARCHAR', "'1'"],
];

const conversionsCache = new WeakMap<DuckDBEngine, Promise<Map<number, number[]>>>();

/**
 * SQL_SUPPORTS_CONVERT: the CASTs DuckDB implements between the SqlSupportsConvert types.
 * DuckDB binds every CAST and only fails when it runs one it does not implement, so each pair
 * is run on a sample value; a value that merely does not parse (`'1'` as a DATE) still counts.
 * The failing CASTs run on a connection of their own (a failed statement would abort a
 * session's open transaction), and the answer (~0.1 s of work) is cached per engine.
 */
function conversions(engine: DuckDBEngine): Promise<Map<number, number[]>> {
  let cached = conversionsCache.get(engine);
  if (!cached) {
    cached = (async () => {
      const connection = await engine.connect();
      try {
        const map = new Map<number, number[]>();
        for (const [from, , sample] of CONVERT_SAMPLES) {
          const targets: number[] = [];
          for (const [to, type] of CONVERT_SAMPLES) {
            try {
              await connection.run(`SELECT CAST(${sample} AS ${type})`);
              targets.push(to);
            } catch (err) {
              if (!/Unimplemented type for cast/i.test(String((err as Error).message))) targets.push(to);
            }
          }
          map.set(from, targets);
        }
        return map;
      } finally {
        connection.closeSync();
      }
    })();
    cached.catch(() => conversionsCache.delete(engine));
    conversionsCache.set(engine, cached);
  }
  return cached;
}

async function stringList(connection: DuckDBConnection, sql: string): Promise<string[]> {
  return (await readRows(connection, sql)).map((row) => String(row.v));
}

/** The values DuckDB answers, computed only for the ids in `wanted`. */
async function fromDuckDB(
  connection: DuckDBConnection,
  engine: DuckDBEngine,
  wanted: (id: number) => boolean,
): Promise<Map<number, SqlInfoValue>> {
  const values = new Map<number, SqlInfoValue>();
  if (wanted(SqlInfo.FLIGHT_SQL_SERVER_VERSION)) {
    const [row] = await readRows(connection, 'SELECT version() AS v');
    values.set(SqlInfo.FLIGHT_SQL_SERVER_VERSION, String(row?.v));
  }
  if (wanted(SqlInfo.SQL_NULL_ORDERING)) {
    const [row] = await readRows(connection, "SELECT current_setting('default_null_order') AS v");
    const ordering = NULL_ORDERING[String(row?.v).toUpperCase()];
    if (ordering !== undefined) values.set(SqlInfo.SQL_NULL_ORDERING, ordering);
  }
  if (wanted(SqlInfo.SQL_KEYWORDS)) {
    const sql = 'SELECT DISTINCT upper(keyword_name) AS v FROM duckdb_keywords() ORDER BY v';
    values.set(SqlInfo.SQL_KEYWORDS, await stringList(connection, sql));
  }
  for (const [id, where] of FUNCTION_LISTS) {
    if (!wanted(id)) continue;
    const sql = `SELECT DISTINCT function_name AS v FROM duckdb_functions() WHERE ${where} ORDER BY v`;
    values.set(id, await stringList(connection, sql));
  }
  if (wanted(SqlInfo.SQL_SUPPORTS_CONVERT)) {
    values.set(SqlInfo.SQL_SUPPORTS_CONVERT, await conversions(engine));
  }
  return values;
}

/**
 * Answers CommandGetSqlInfo: the requested ids in the order asked (duplicates and ids this
 * server does not know left out), or every id in ascending order when none is asked.
 * `overrides` replace or add values (e.g. a service that implements transactions).
 */
export async function getSqlInfo(
  connection: DuckDBConnection,
  message: MetadataMessage<'CommandGetSqlInfo'>,
  engine: DuckDBEngine,
  overrides?: ReadonlyMap<number, SqlInfoValue>,
): Promise<MetadataResult> {
  const requested = message.info ?? [];
  const asked = new Set(requested);
  const wanted = (id: number) => asked.size === 0 || asked.has(id);
  const values = new Map<number, SqlInfoValue>(FIXED);
  for (const [id, value] of await fromDuckDB(connection, engine, wanted)) values.set(id, value);
  for (const [id, value] of overrides ?? []) values.set(id, value);
  const ids = asked.size === 0 ? [...values.keys()].sort((a, b) => a - b) : [...asked];
  return sqlInfoResult(ids.flatMap((id) => (values.has(id) ? [[id, values.get(id)!] as const] : [])));
}

/** The union member (type id) of a value. */
function typeIdOf(value: SqlInfoValue): number {
  switch (typeof value) {
    case 'string':
      return 0;
    case 'boolean':
      return 1;
    case 'bigint':
      return 2;
    case 'number':
      return 3;
    default:
      return Array.isArray(value) ? 4 : 5;
  }
}

/** The CommandGetSqlInfo batch of `entries`: info_name and the dense union `value`. */
export function sqlInfoResult(entries: ReadonlyArray<readonly [number, SqlInfoValue]>): MetadataResult {
  const members: SqlInfoValue[][] = [[], [], [], [], [], []];
  const typeIds = new Int8Array(entries.length);
  const offsets = new Int32Array(entries.length);
  entries.forEach(([, value], i) => {
    const id = typeIdOf(value);
    typeIds[i] = id;
    offsets[i] = members[id]!.push(value) - 1;
  });
  const types = SQL_INFO_VALUE_TYPE.children.map((f) => f.type);
  const children: Data[] = [
    columnData(types[0]!, members[0]!),
    columnData(types[1]!, members[1]!),
    columnData(types[2]!, members[2]!),
    columnData(types[3]!, members[3]!),
    columnData(SQL_INFO_STRING_LIST, members[4]!),
    columnData(
      SQL_INFO_INT32_LIST_MAP,
      members[5]!.map(
        (m) => new Map([...(m as ReadonlyMap<number, readonly number[]>)].map(([k, v]) => [k, [...v]])),
      ),
    ),
  ];
  // makeData's DenseUnion props declare `nullBitmap: never`, which no object literal satisfies.
  const value = (makeData as (props: object) => Data<DenseUnion>)({
    type: SQL_INFO_VALUE_TYPE,
    length: entries.length,
    nullCount: 0,
    typeIds,
    valueOffsets: offsets,
    children,
  });
  const names = columnData(
    SQL_INFO_SCHEMA.fields[0]!.type,
    entries.map(([id]) => id),
  );
  return { schema: SQL_INFO_SCHEMA, batches: [batchOf(SQL_INFO_SCHEMA, [names, value], entries.length)] };
}
