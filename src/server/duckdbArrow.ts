/** DuckDB result -> Arrow RecordBatches. The conversion lives in `./duckdb/`; this module re-exports its API. */
export {
  arrowSchemaFor,
  recordBatchesFrom,
  DEFAULT_BATCH_BYTES,
  DEFAULT_BATCH_ROWS,
  type RecordBatchesOptions,
} from './duckdb/recordBatches';
