/**
 * `flightsql/server`: the embedded Flight SQL server over DuckDB. Never imported by client code.
 *
 * @module flightsql/server
 */
export { startServer, type RunningServer, type ServerOptions, type ServerTlsOptions } from './startServer';
export { DuckDBEngine, StatusError, statusForDuckDBError, type QueryStream } from './DuckDBEngine';
export { flightSqlService, flightServiceDefinition, type ServerAuth } from './FlightSqlService';
export { DEFAULT_MAX_BODY_BYTES } from './http/body';
