/**
 * The result schemas of the Flight SQL metadata commands, written out from the comments of
 * FlightSql.proto: field names, order, types and nullability exactly as specified there
 * (a field is nullable unless the proto says `not null`).
 *
 * Where Arrow C++ (`SqlSchema`) differs from the proto text, the proto wins:
 * - GetPrimaryKeys: `key_name` comes before `key_sequence` (C++ has them the other way round).
 * - GetSqlInfo: the union members are nullable, `value` carries no `not null`, the list items
 *   are named `string_data` and `$data$` (C++: members not null, items named `item`).
 */
import {
  Binary,
  Bool,
  DenseUnion,
  Field,
  Int32,
  Int64,
  List,
  Map_,
  Schema,
  Struct,
  Uint32,
  Uint8,
  Utf8,
} from 'apache-arrow';

const utf8 = (name: string, nullable: boolean) => new Field(name, new Utf8(), nullable);
const int32 = (name: string, nullable: boolean) => new Field(name, new Int32(), nullable);
const bool = (name: string, nullable: boolean) => new Field(name, new Bool(), nullable);

/** CommandGetCatalogs: `catalog_name: utf8 not null`. */
export const CATALOGS_SCHEMA = new Schema([utf8('catalog_name', false)]);

/** CommandGetDbSchemas: `catalog_name: utf8, db_schema_name: utf8 not null`. */
export const DB_SCHEMAS_SCHEMA = new Schema([utf8('catalog_name', true), utf8('db_schema_name', false)]);

const TABLE_FIELDS = [
  utf8('catalog_name', true),
  utf8('db_schema_name', true),
  utf8('table_name', false),
  utf8('table_type', false),
];

/** CommandGetTables without `include_schema`. */
export const TABLES_SCHEMA = new Schema(TABLE_FIELDS);

/** CommandGetTables with `include_schema`: adds `table_schema: bytes not null` (IPC-encapsulated). */
export const TABLES_WITH_SCHEMA_SCHEMA = new Schema([
  ...TABLE_FIELDS,
  new Field('table_schema', new Binary(), false),
]);

/** CommandGetTableTypes: `table_type: utf8 not null`. */
export const TABLE_TYPES_SCHEMA = new Schema([utf8('table_type', false)]);

/** CommandGetPrimaryKeys. */
export const PRIMARY_KEYS_SCHEMA = new Schema([
  utf8('catalog_name', true),
  utf8('db_schema_name', true),
  utf8('table_name', false),
  utf8('column_name', false),
  utf8('key_name', true),
  int32('key_sequence', false),
]);

/** CommandGetExportedKeys, CommandGetImportedKeys and CommandGetCrossReference (one schema). */
export const FOREIGN_KEYS_SCHEMA = new Schema([
  utf8('pk_catalog_name', true),
  utf8('pk_db_schema_name', true),
  utf8('pk_table_name', false),
  utf8('pk_column_name', false),
  utf8('fk_catalog_name', true),
  utf8('fk_db_schema_name', true),
  utf8('fk_table_name', false),
  utf8('fk_column_name', false),
  int32('key_sequence', false),
  utf8('fk_key_name', true),
  utf8('pk_key_name', true),
  new Field('update_rule', new Uint8(), false),
  new Field('delete_rule', new Uint8(), false),
]);

/** Type ids of the SqlInfo value union, in the proto's order. */
export const SqlInfoTypeId = {
  STRING_VALUE: 0,
  BOOL_VALUE: 1,
  BIGINT_VALUE: 2,
  INT32_BITMASK: 3,
  STRING_LIST: 4,
  INT32_TO_INT32_LIST_MAP: 5,
} as const;

/** `list<string_data: utf8>`. */
export const SQL_INFO_STRING_LIST = new List(utf8('string_data', true));

/** `map<key: int32, value: list<$data$: int32>>`. */
export const SQL_INFO_INT32_LIST_MAP = new Map_(
  new Field(
    'entries',
    new Struct<{ key: Int32; value: List<Int32> }>([
      int32('key', false),
      new Field('value', new List(int32('$data$', true)), true),
    ]),
    false,
  ),
  false,
);

/** The dense union of CommandGetSqlInfo values, type ids 0..5 in the proto's order. */
export const SQL_INFO_VALUE_TYPE = new DenseUnion(
  [0, 1, 2, 3, 4, 5],
  [
    utf8('string_value', true),
    bool('bool_value', true),
    new Field('bigint_value', new Int64(), true),
    int32('int32_bitmask', true),
    new Field('string_list', SQL_INFO_STRING_LIST, true),
    new Field('int32_to_int32_list_map', SQL_INFO_INT32_LIST_MAP, true),
  ],
);

/** CommandGetSqlInfo: `info_name: uint32 not null, value: dense_union<...>`. */
export const SQL_INFO_SCHEMA = new Schema([
  new Field('info_name', new Uint32(), false),
  new Field('value', SQL_INFO_VALUE_TYPE, true),
]);

/** CommandGetXdbcTypeInfo. */
export const XDBC_TYPE_INFO_SCHEMA = new Schema([
  utf8('type_name', false),
  int32('data_type', false),
  int32('column_size', true),
  utf8('literal_prefix', true),
  utf8('literal_suffix', true),
  new Field('create_params', new List(utf8('item', false)), true),
  int32('nullable', false),
  bool('case_sensitive', false),
  int32('searchable', false),
  bool('unsigned_attribute', true),
  bool('fixed_prec_scale', false),
  bool('auto_increment', true),
  utf8('local_type_name', true),
  int32('minimum_scale', true),
  int32('maximum_scale', true),
  int32('sql_data_type', false),
  int32('datetime_subcode', true),
  int32('num_prec_radix', true),
  int32('interval_precision', true),
]);
