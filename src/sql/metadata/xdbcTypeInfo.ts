/** Decoder of CommandGetXdbcTypeInfo results. */
import type { Table } from 'apache-arrow';
import type { Nullable, Searchable, XdbcDataType, XdbcDatetimeSubcode } from '../../proto/FlightSql';
import { optBool, optInt, optString, optStringList, reqBool, reqInt, reqString, rowsOf } from './rows';

/** A data type of GetXdbcTypeInfo (the proto's columns, camelCased). */
export interface XdbcTypeInfo {
  readonly typeName: string;
  readonly dataType: XdbcDataType;
  /** Max precision (exact numerics), bits (approximate), characters (text, date/time text). */
  readonly columnSize: number | null;
  readonly literalPrefix: string | null;
  readonly literalSuffix: string | null;
  /** Keywords of the type's parameters in a column definition, e.g. ['precision', 'scale']. */
  readonly createParams: string[] | null;
  readonly nullable: Nullable;
  readonly caseSensitive: boolean;
  readonly searchable: Searchable;
  readonly unsignedAttribute: boolean | null;
  readonly fixedPrecScale: boolean;
  readonly autoIncrement: boolean | null;
  readonly localTypeName: string | null;
  readonly minimumScale: number | null;
  readonly maximumScale: number | null;
  readonly sqlDataType: XdbcDataType;
  readonly datetimeSubcode: XdbcDatetimeSubcode | null;
  readonly numPrecRadix: number | null;
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
