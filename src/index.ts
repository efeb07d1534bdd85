/**
 * flightsql: an Apache Arrow Flight SQL driver for TypeScript.
 *
 * The client side never imports the embedded server (`flightsql/server`) nor DuckDB.
 */
export * from './errors';
export { RowConverter, deduplicatedNames, valueAt, type Row, type ValueOptions } from './values';
export * from './flight';
export * from './sql';
export { SqlInfo, SqlSupportedTransaction } from './proto/FlightSql';
export * from './dbapi';
