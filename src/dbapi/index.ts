/**
 * PEP 249 (DB-API 2.0) for Flight SQL: `connect()`, Connection, Cursor, type objects and
 * constructors. The errors and value options are the shared ones (re-exported from the root).
 */
export {
  apilevel,
  connect,
  paramstyle,
  resolveConnectOptions,
  threadsafety,
  type ConnectOptions,
} from './connect';
export { Connection, type ConnectionOptions, type ServerInfo } from './Connection';
export { Cursor, type CursorOptions, type ExecuteOptions, type Params } from './Cursor';
export { Pool } from './pool';
export {
  createPool,
  type PoolEvents,
  type PoolOptions,
  type PoolQueryOptions,
  type PoolQueryResult,
  type PoolValidate,
  type RowOf,
} from './createPool';
export { PoolConnection } from './PoolConnection';
export { statementKind, type StatementKind } from './statementKind';
export {
  BINARY,
  DATETIME,
  NUMBER,
  ROWID,
  STRING,
  DBAPITypeObject,
  BinaryValue as Binary,
  DateValue as Date,
  DateFromTicks,
  TimeValue as Time,
  TimeFromTicks,
  TimestampValue as Timestamp,
  TimestampFromTicks,
  describe,
  type Column,
} from './types';
export { SqlDate, SqlTime } from '../sql/temporal';
