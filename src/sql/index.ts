/** Flight SQL: the client and its command table (knows nothing of cursors). */
export {
  FlightSQLClient,
  type FlightSQLClientOptions,
  type CancelStatus,
  type IngestMode,
  type SubstraitPlan,
  type IngestOptions,
  type StatementOptions,
} from './FlightSQLClient';
export {
  packCommand,
  unpackCommand,
  unpackAs,
  TYPE_URL_PREFIX,
  type Command,
  type CommandKind,
  type CommandMessage,
} from './commands';
export { PreparedStatement, type PreparedStatementInit } from './PreparedStatement';
export { parameterBatches, type Parameters } from './parameters';
export { MetadataMethods } from './metadataMethods';
export * from './metadata';
export {
  FlightInfoReader,
  DEFAULT_ENDPOINT_CONCURRENCY,
  type FlightInfoReaderOptions,
  type FlightInfoReaderInit,
} from './FlightInfoReader';
export { Savepoint, Transaction } from './Transaction';
export {
  type CloseSessionStatus,
  type SessionOptionError,
  type SessionOptionValue,
  type SetSessionOptionsResult,
} from './sessionOptions';
