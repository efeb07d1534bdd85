/**
 * DataFrames: Arrow <-> nodejs-polars (an optional peer dependency, loaded on first use).
 * Shared by the layers like errors.ts and values/; imports nothing above them.
 */
export {
  isPolarsDataFrame,
  loadPolars,
  polarsMissing,
  type Polars,
  type PolarsDataFrame,
} from './loadPolars';
export { batchesToPolars, polarsToTable, PolarsBuilder, tableToPolars, toArrowTable } from './convert';
export { planFor, type PolarsPlan } from './compat';
