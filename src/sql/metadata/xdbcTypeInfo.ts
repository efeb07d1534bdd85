/** Decoder of CommandGetXdbcTypeInfo results. */
import type { Table } from 'apache-arrow';
import type { Nullable, Searchable, XdbcDataType, XdbcDatetimeSubcode } from '../../proto/FlightSql';
import { optBool, optInt, optString, optStringList, reqBool, reqInt, reqString, rowsOf } from './rows';

/** A data type of GetXdbcTypeInfo (the proto's columns, camelCased). */
export interface XdbcTypeInfo {
  /** The type's name in the server's SQL. */
  readonly typeName: string;
  /** The XDBC (JDBC/ODBC) data type code. */
  readonly dataType: XdbcDataType;
  /** Max precision (exact numerics), bits (approximate), characters (text, date/time text). */
  readonly columnSize: number | null;
  /** Characters that start a literal of the type, e.g. `'`. */
  readonly literalPrefix: string | null;
  /** Characters that end a literal of the type. */
  readonly literalSuffix: string | null;
  /** Keywords of the type's parameters in a column definition, e.g. ['precision', 'scale']. */
  readonly createParams: string[] | null;
  /** Whether a column of the type may hold nulls. */
  readonly nullable: Nullable;
  /** Whether comparisons of text of the type are case-sensitive. */
  readonly caseSensitive: boolean;
  /** How the type can be used in a WHERE clause. */
  readonly searchable: Searchable;
  /** Whether the type is unsigned; null for non-numeric types. */
  readonly unsignedAttribute: boolean | null;
  /** Whether the type has a fixed precision and scale (e.g. a money type). */
  readonly fixedPrecScale: boolean;
  /** Whether the type is auto-incrementing; null when not applicable. */
  readonly autoIncrement: boolean | null;
  /** A localized name of the type. */
  readonly localTypeName: string | null;
  /** Smallest scale the type supports. */
  readonly minimumScale: number | null;
  /** Largest scale the type supports. */
  readonly maximumScale: number | null;
  /** The SQL data type code (as `dataType`, except for date/time types, whose subtype is in `datetimeSubcode`). */
  readonly sqlDataType: XdbcDataType;
  /** The date/time or interval subcode, for those types. */
  readonly datetimeSubcode: XdbcDatetimeSubcode | null;
  /** Radix of `columnSize`: 2 (bits) or 10 (digits); null when not numeric. */
  readonly numPrecRadix: number | null;
  /** Precision of an interval type's leading field. */
  readonly intervalPrecision: number | null;
}

const REQUIRED = [
  'type_name',
  'data_type',
  'nullable',
  'case_sensitive',
  'searchable',
  'fixed_prec_scale',
  'sql_data_type',
];

/** GetXdbcTypeInfo rows. */
export function decodeXdbcTypeInfo(table: Table): XdbcTypeInfo[] {
  const what = 'GetXdbcTypeInfo';
  return rowsOf(table, what, REQUIRED).map((row) => ({
    typeName: reqString(row, 'type_name', what),
    dataType: reqInt(row, 'data_type', what),
    columnSize: optInt(row, 'column_size'),
    literalPrefix: optString(row, 'literal_prefix'),
    literalSuffix: optString(row, 'literal_suffix'),
    createParams: optStringList(row, 'create_params'),
    nullable: reqInt(row, 'nullable', what),
    caseSensitive: reqBool(row, 'case_sensitive', what),
    searchable: reqInt(row, 'searchable', what),
    unsignedAttribute: optBool(row, 'unsigned_attribute'),
    fixedPrecScale: reqBool(row, 'fixed_prec_scale', what),
    autoIncrement: optBool(row, 'auto_increment'),
    localTypeName: optString(row, 'local_type_name'),
    minimumScale: optInt(row, 'minimum_scale'),
    maximumScale: optInt(row, 'maximum_scale'),
    sqlDataType: reqInt(row, 'sql_data_type', what),
    datetimeSubcode: optInt(row, 'datetime_subcode'),
    numPrecRadix: optInt(row, 'num_prec_radix'),
    intervalPrecision: optInt(row, 'interval_precision'),
  }));
}
