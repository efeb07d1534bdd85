/**
 * CommandGetXdbcTypeInfo: one row per DuckDB type the server streams with a faithful Arrow
 * type, described in ODBC/JDBC terms (XdbcDataType codes). Choices where XDBC has no exact
 * counterpart: BOOLEAN is BIT (as ODBC has it), unsigned integers are the signed XDBC type of
 * their width with unsigned_attribute, HUGEINT is DECIMAL(38, 0) (it streams as Decimal128(38,
 * 0)), UUID is CHAR(36) (it streams as its text), and INTERVAL (months, days and microseconds
 * at once) is an interval of no single ODBC subtype (datetime_subcode UNKNOWN).
 */
import { Nullable, Searchable, XdbcDataType as X, XdbcDatetimeSubcode as Sub } from '../../proto/FlightSql';
import { resultOf } from './arrow';
import { XDBC_TYPE_INFO_SCHEMA } from './schemas';
import type { MetadataMessage, MetadataResult } from './types';

/** One row of the result, keyed by field name. */
interface TypeRow {
  type_name: string;
  data_type: X;
  column_size: number | null;
  literal_prefix: string | null;
  literal_suffix: string | null;
  create_params: string[] | null;
  nullable: Nullable;
  case_sensitive: boolean;
  searchable: Searchable;
  unsigned_attribute: boolean | null;
  fixed_prec_scale: boolean;
  auto_increment: boolean | null;
  local_type_name: string | null;
  minimum_scale: number | null;
  maximum_scale: number | null;
  sql_data_type: X;
  datetime_subcode: Sub | null;
  num_prec_radix: number | null;
  interval_precision: number | null;
}

const BASE = {
  literal_prefix: null,
  literal_suffix: null,
  create_params: null,
  nullable: Nullable.NULLABILITY_NULLABLE,
  case_sensitive: false,
  searchable: Searchable.SEARCHABLE_BASIC,
  unsigned_attribute: null,
  fixed_prec_scale: false,
  auto_increment: null,
  local_type_name: null,
  minimum_scale: null,
  maximum_scale: null,
  datetime_subcode: null,
  num_prec_radix: null,
  interval_precision: null,
} as const;

/** An exact numeric type of `digits` decimal digits. */
function exact(typeName: string, dataType: X, digits: number, unsigned: boolean): TypeRow {
  return {
    ...BASE,
    type_name: typeName,
    data_type: dataType,
    column_size: digits,
    unsigned_attribute: unsigned,
    auto_increment: false,
    minimum_scale: 0,
    maximum_scale: 0,
    sql_data_type: dataType,
    num_prec_radix: 10,
  };
}

/** An approximate numeric type of `bits` mantissa bits. */
function approximate(typeName: string, dataType: X, bits: number): TypeRow {
  return {
    ...BASE,
    type_name: typeName,
    data_type: dataType,
    column_size: bits,
    unsigned_attribute: false,
    auto_increment: false,
    sql_data_type: dataType,
    num_prec_radix: 2,
  };
}

/** A date/time type written `<keyword> '<text>'`, `size` characters long as text. */
function datetime(
  typeName: string,
  keyword: string,
  dataType: X,
  size: number,
  subcode: Sub,
  scale: number | null,
): TypeRow {
  return {
    ...BASE,
    type_name: typeName,
    data_type: dataType,
    column_size: size,
    literal_prefix: `${keyword} '`,
    literal_suffix: "'",
    minimum_scale: scale,
    maximum_scale: scale,
    sql_data_type: X.XDBC_DATETIME,
    datetime_subcode: subcode,
  };
}

const TYPES: readonly TypeRow[] = [
  { ...BASE, type_name: 'BOOLEAN', data_type: X.XDBC_BIT, column_size: 1, sql_data_type: X.XDBC_BIT },
  exact('TINYINT', X.XDBC_TINYINT, 3, false),
  exact('SMALLINT', X.XDBC_SMALLINT, 5, false),
  exact('INTEGER', X.XDBC_INTEGER, 10, false),
  exact('BIGINT', X.XDBC_BIGINT, 19, false),
  exact('HUGEINT', X.XDBC_DECIMAL, 38, false),
  exact('UTINYINT', X.XDBC_TINYINT, 3, true),
  exact('USMALLINT', X.XDBC_SMALLINT, 5, true),
  exact('UINTEGER', X.XDBC_INTEGER, 10, true),
  exact('UBIGINT', X.XDBC_BIGINT, 20, true),
  approximate('FLOAT', X.XDBC_REAL, 24),
  approximate('DOUBLE', X.XDBC_DOUBLE, 53),
  {
    ...exact('DECIMAL', X.XDBC_DECIMAL, 38, false),
    create_params: ['precision', 'scale'],
    maximum_scale: 38,
  },
  // Unbounded text (a declared VARCHAR(n) length is not enforced): no column size.
  {
    ...BASE,
    type_name: 'VARCHAR',
    data_type: X.XDBC_VARCHAR,
    column_size: null,
    literal_prefix: "'",
    literal_suffix: "'",
    case_sensitive: true,
    searchable: Searchable.SEARCHABLE_FULL,
    sql_data_type: X.XDBC_VARCHAR,
  },
  {
    ...BASE,
    type_name: 'BLOB',
    data_type: X.XDBC_VARBINARY,
    column_size: null,
    literal_prefix: "BLOB '",
    literal_suffix: "'",
    sql_data_type: X.XDBC_VARBINARY,
  },
  datetime('DATE', 'DATE', X.XDBC_DATE, 10, Sub.XDBC_SUBCODE_DATE, null),
  datetime('TIME', 'TIME', X.XDBC_TIME, 15, Sub.XDBC_SUBCODE_TIME, 6),
  datetime('TIMESTAMP', 'TIMESTAMP', X.XDBC_TIMESTAMP, 26, Sub.XDBC_SUBCODE_TIMESTAMP, 6),
  datetime(
    'TIMESTAMP WITH TIME ZONE',
    'TIMESTAMPTZ',
    X.XDBC_TIMESTAMP,
    29,
    Sub.XDBC_SUBCODE_TIMESTAMP_WITH_TIMEZONE,
    6,
  ),
  {
    ...BASE,
    type_name: 'INTERVAL',
    data_type: X.XDBC_INTERVAL,
    column_size: null,
    literal_prefix: "INTERVAL '",
    literal_suffix: "'",
    sql_data_type: X.XDBC_INTERVAL,
    datetime_subcode: Sub.XDBC_SUBCODE_UNKNOWN,
  },
  {
    ...BASE,
    type_name: 'UUID',
    data_type: X.XDBC_CHAR,
    column_size: 36,
    literal_prefix: "UUID '",
    literal_suffix: "'",
    sql_data_type: X.XDBC_CHAR,
  },
];

/** The rows, ordered by data_type then type_name (as the proto asks). */
export const XDBC_TYPES: readonly TypeRow[] = [...TYPES].sort(
  (a, b) => a.data_type - b.data_type || (a.type_name < b.type_name ? -1 : a.type_name > b.type_name ? 1 : 0),
);

/** Every type, or those of `data_type` when the command gives one. */
export async function getXdbcTypeInfo(
  message: MetadataMessage<'CommandGetXdbcTypeInfo'>,
): Promise<MetadataResult> {
  const rows =
    message.dataType === undefined ? XDBC_TYPES : XDBC_TYPES.filter((t) => t.data_type === message.dataType);
  return resultOf(XDBC_TYPE_INFO_SCHEMA, rows as unknown as Record<string, unknown>[]);
}
