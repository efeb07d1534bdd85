/** DuckDB logical type -> Arrow type. The mapping lives in `./duckdb/types`; this module re-exports it. */
export {
  TypeId,
  arrowFieldFor,
  arrowTypeFor,
  decimalStorageWidth,
  dictionaryIndexType,
  enumStorageWidth,
} from './duckdb/types';
