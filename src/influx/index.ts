/**
 * flightsql/influx: InfluxDB 1.x over HTTP — Point and line protocol, writes (HTTP and UDP),
 * InfluxQL queries into ResultSets, and administration, with influxdb-python's names in
 * camelCase. Imports nothing from the Flight side.
 *
 * @module flightsql/influx
 */
export { InfluxDBClient } from './InfluxDBClient';
export type {
  AlterRetentionPolicyOptions,
  Consistency,
  CreateRetentionPolicyOptions,
  DatabaseOptions,
  SeriesOptions,
  WriteData,
  WriteOptions,
  WritePointsOptions,
} from './methodOptions';
export { Point } from './Point';
export type { FieldValue, LineProtocolOptions, PointObject, TagValue } from './Point';
export { serializePoints } from './serialize';
export type { SerializeOptions, WritablePoint } from './serialize';
export { ResultSet } from './ResultSet';
export type {
  ResultMessage,
  ResultPoint,
  ResultValue,
  Series,
  SeriesKey,
  StatementResult,
} from './ResultSet';
export { ChunkedResult } from './query';
export type { BindValue, QueryOptions } from './query';
export type { CallOptions } from './http';
export type { InfluxDBClientOptions, Proxies, ProxySettings } from './options';
export { parseDSN, parseConnectionString, optionsFromEnv } from './options';
export { silentLogger, warningLogger, type Logger } from './logger';
export type { Precision, Time, TimestampInput } from './timestamps';
export {
  InfluxDBClientError,
  InfluxDBServerError,
  LineProtocolError,
  type InfluxErrorDetails,
} from './errors';
export { quoteIdent, quoteLiteral } from './influxql';
export type { Privilege } from './influxql';
// The shared hierarchy the classes above belong to.
export {
  AbortError,
  DatabaseError,
  DataError,
  Error,
  InterfaceError,
  NotSupportedError,
  OperationalError,
  ProgrammingError,
  type ErrorCode,
} from '../errors';
// InfluxDB 3: writes at once or batched with retries, files, and queries over Flight.
export {
  InfluxDBClient3,
  PartialWriteError,
  type InfluxDBClient3Options,
  type QueryModes,
  type QueryOptions3,
  type QueryPointsOptions,
  type RejectedLine,
  type WriteCallOptions,
  type WriteEndpoint,
  type WriteOptions3,
} from './InfluxDBClient3';
export {
  BatchingWriter,
  isRetryable,
  parseRetryAfter,
  type BatchSender,
  type WriteBatch,
  type WriteOptions as BatchWriteOptions,
} from './WriteApi';
export type { RowMapping, WriteItem, WriteRecord, WriteRecords } from './records';
export { PointValues, type PointFieldType, type PointFieldValue, type PointFieldValues } from './PointValues';
export type { RowPosition } from './errors';
export type { FileFormat, WriteFileOptions } from './writeFile';
// DataFrames (nodejs-polars, an optional peer dependency): influxdb-python's DataFrameClient and SeriesHelper.
export { DataFrameClient, type DataFrameQueryOptions, type DataFrameWriteOptions } from './DataFrameClient';
export { DataFrames, type PythonKey, type TagPairs } from './frames';
export type { FramePointsOptions } from './framePoints';
export {
  SeriesHelper,
  type SeriesHelperClass,
  type SeriesHelperClient,
  type SeriesHelperMeta,
  type SeriesHelperPoint,
  type SeriesHelperValues,
} from './SeriesHelper';
