/**
 * The result schemas of the Flight SQL metadata commands exactly as Arrow C++ sends them
 * (arrow/flight/sql/server.cc `SqlSchema::Get*Schema`), which is what FlightSql.proto documents
 * except where noted: GetPrimaryKeys puts key_sequence before key_name, and GetSqlInfo's union
 * members are non-nullable, its string_list child is `item`.
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
  Float64,
  Utf8,
  type DataType,
} from 'apache-arrow';
import type { Command } from '../../../src/protocol';

/** `arrow::field(name, type, nullable = true)`: Arrow C++'s default is nullable. */
export const field = (name: string, type: DataType, nullable = true, metadata?: Map<string, string>) =>
  new Field(name, type, nullable, metadata ?? null);

const utf8 = () => new Utf8();

/** The type of a parameter or column SQLite cannot type (sqlite_server.h `GetUnknownColumnDataType`). */
export const unknownColumnType = () =>
  new DenseUnion(
    [0, 1, 2, 3],
    [
      field('string', utf8()),
      field('bytes', new Binary()),
      field('bigint', new Int64()),
      field('double', new Float64()),
    ],
  );

export const catalogsSchema = new Schema([field('catalog_name', utf8(), false)]);

export const dbSchemasSchema = new Schema([
  field('catalog_name', utf8()),
  field('db_schema_name', utf8(), false),
]);

export const tablesSchema = new Schema([
  field('catalog_name', utf8()),
  field('db_schema_name', utf8()),
  field('table_name', utf8(), false),
  field('table_type', utf8(), false),
]);

export const tablesSchemaWithIncludedSchema = new Schema([
  ...tablesSchema.fields,
  field('table_schema', new Binary(), false),
]);

export const tableTypesSchema = new Schema([field('table_type', utf8(), false)]);

export const primaryKeysSchema = new Schema([
  field('catalog_name', utf8()),
  field('db_schema_name', utf8()),
  field('table_name', utf8(), false),
  field('column_name', utf8(), false),
  field('key_sequence', new Int32(), false),
  field('key_name', utf8()),
]);

/** GetImportedKeys, GetExportedKeys and GetCrossReference share one schema. */
export const foreignKeysSchema = new Schema([
  field('pk_catalog_name', utf8()),
  field('pk_db_schema_name', utf8()),
  field('pk_table_name', utf8(), false),
  field('pk_column_name', utf8(), false),
  field('fk_catalog_name', utf8()),
  field('fk_db_schema_name', utf8()),
  field('fk_table_name', utf8(), false),
  field('fk_column_name', utf8(), false),
  field('key_sequence', new Int32(), false),
  field('fk_key_name', utf8()),
  field('pk_key_name', utf8()),
  field('update_rule', new Uint8(), false),
  field('delete_rule', new Uint8(), false),
]);

/** `map(int32(), list(int32()))` of Arrow C++: entries not null, key not null, value nullable. */
export const int32ToInt32ListType = () =>
  new Map_(
    new Field(
      'entries',
      new Struct<{ key: Int32; value: List<Int32> }>([
        new Field('key', new Int32(), false),
        new Field('value', new List(new Field('item', new Int32(), true)), true),
      ]),
      false,
    ),
    false,
  );

export const sqlInfoValueType = () =>
  new DenseUnion(
    [0, 1, 2, 3, 4, 5],
    [
      field('string_value', utf8(), false),
      field('bool_value', new Bool(), false),
      field('bigint_value', new Int64(), false),
      field('int32_bitmask', new Int32(), false),
      field('string_list', new List(field('item', utf8())), false),
      field('int32_to_int32_list_map', int32ToInt32ListType(), false),
    ],
  );

export const sqlInfoSchema = new Schema([
  field('info_name', new Uint32(), false),
  field('value', sqlInfoValueType(), false),
]);

export const xdbcTypeInfoSchema = new Schema([
  field('type_name', utf8(), false),
  field('data_type', new Int32(), false),
  field('column_size', new Int32()),
  field('literal_prefix', utf8()),
  field('literal_suffix', utf8()),
  field('create_params', new List(field('item', utf8(), false))),
  field('nullable', new Int32(), false),
  field('case_sensitive', new Bool(), false),
  field('searchable', new Int32(), false),
  field('unsigned_attribute', new Bool()),
  field('fixed_prec_scale', new Bool(), false),
  field('auto_increment', new Bool()),
  field('local_type_name', utf8()),
  field('minimum_scale', new Int32()),
  field('maximum_scale', new Int32()),
  field('sql_data_type', new Int32(), false),
  field('datetime_subcode', new Int32()),
  field('num_prec_radix', new Int32()),
  field('interval_precision', new Int32()),
]);

/** The result schema of a metadata command, as FlightSqlServerBase answers GetSchema; undefined for others. */
export function metadataSchema(command: Command): Schema | undefined {
  switch (command.kind) {
    case 'CommandGetCatalogs':
      return catalogsSchema;
    case 'CommandGetDbSchemas':
      return dbSchemasSchema;
    case 'CommandGetTables':
      return command.message.includeSchema ? tablesSchemaWithIncludedSchema : tablesSchema;
    case 'CommandGetTableTypes':
      return tableTypesSchema;
    case 'CommandGetPrimaryKeys':
      return primaryKeysSchema;
    case 'CommandGetImportedKeys':
    case 'CommandGetExportedKeys':
    case 'CommandGetCrossReference':
      return foreignKeysSchema;
    case 'CommandGetSqlInfo':
      return sqlInfoSchema;
    case 'CommandGetXdbcTypeInfo':
      return xdbcTypeInfoSchema;
    default:
      return undefined;
  }
}
