/**
 * The stable string codes of flightsql errors (`err.code`): one per gRPC status, per common
 * HTTP status and HTTP class, and the client's own. errors.ts gives every error one of them;
 * docs/errors.md lists them, and a unit test keeps the two in step.
 */
import { status as Status } from '@grpc/grpc-js';

/** The names of the gRPC status codes other than OK. */
export type GrpcStatusName =
  | 'CANCELLED'
  | 'UNKNOWN'
  | 'INVALID_ARGUMENT'
  | 'DEADLINE_EXCEEDED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PERMISSION_DENIED'
  | 'RESOURCE_EXHAUSTED'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'OUT_OF_RANGE'
  | 'UNIMPLEMENTED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'DATA_LOSS'
  | 'UNAUTHENTICATED';

// HTTP statuses that get a code of their own; the others share their class's (4XX, 5XX).
const httpStatusCodes = [400, 401, 403, 404, 405, 409, 413, 422, 429, 500, 502, 503, 504] as const;

/** The codes the client itself decides (no gRPC status or HTTP answer behind them). */
const clientCodes = [
  'ERR_FLIGHTSQL',
  'ERR_FLIGHTSQL_INTERFACE',
  'ERR_FLIGHTSQL_INVALID_ARGUMENT',
  'ERR_FLIGHTSQL_CLOSED',
  'ERR_FLIGHTSQL_PROTOCOL',
  'ERR_FLIGHTSQL_MESSAGE_TOO_LARGE',
  'ERR_FLIGHTSQL_NOT_GRPC',
  'ERR_FLIGHTSQL_TLS',
  'ERR_FLIGHTSQL_NETWORK',
  'ERR_FLIGHTSQL_STREAM_RESET',
  'ERR_FLIGHTSQL_TIMEOUT',
  'ERR_FLIGHTSQL_NOT_SUPPORTED',
  'ERR_FLIGHTSQL_DATA',
  'ERR_FLIGHTSQL_OPERATIONAL',
  'ERR_FLIGHTSQL_DATABASE',
  'ERR_FLIGHTSQL_INTEGRITY',
  'ERR_FLIGHTSQL_INTERNAL',
] as const;

/**
 * The stable string code of every flightsql error (`err.code`), in Node's style
 * (`err.code === 'ERR_GRPC_UNAVAILABLE'`): `ERR_GRPC_<status>` for a gRPC status,
 * `ERR_HTTP_<status>` (or `ERR_HTTP_4XX`, `ERR_HTTP_5XX`) for an HTTP answer,
 * `ERR_INFLUXDB_STATEMENT` for a failed InfluxQL statement, `ABORT_ERR` for an AbortSignal
 * (Node's own code for `AbortError`), and `ERR_FLIGHTSQL_*` for what the client decides.
 * docs/errors.md lists them all.
 */
export type ErrorCode =
  | `ERR_GRPC_${GrpcStatusName}`
  | `ERR_HTTP_${(typeof httpStatusCodes)[number]}`
  | 'ERR_HTTP_4XX'
  | 'ERR_HTTP_5XX'
  | 'ERR_HTTP_UNEXPECTED'
  | 'ERR_INFLUXDB_STATEMENT'
  | 'ABORT_ERR'
  | (typeof clientCodes)[number];

const grpcNames = Object.keys(Status).filter((k) => Number.isNaN(Number(k)) && k !== 'OK');

/** Every code there is, in the order docs/errors.md lists them. */
export const ERROR_CODES: readonly ErrorCode[] = Object.freeze([
  ...grpcNames.map((name) => `ERR_GRPC_${name}` as ErrorCode),
  ...httpStatusCodes.filter((n) => n < 500).map((n) => `ERR_HTTP_${n}` as const),
  'ERR_HTTP_4XX',
  ...httpStatusCodes.filter((n) => n >= 500).map((n) => `ERR_HTTP_${n}` as const),
  'ERR_HTTP_5XX',
  'ERR_HTTP_UNEXPECTED',
  'ERR_INFLUXDB_STATEMENT',
  'ABORT_ERR',
  ...clientCodes,
]);

/** The code of a gRPC status (`ERR_GRPC_UNKNOWN` for a number gRPC does not define, or OK). */
export function grpcErrorCode(code: number): ErrorCode {
  const name = code === Status.OK ? undefined : (Status[code] as GrpcStatusName | undefined);
  return `ERR_GRPC_${name ?? 'UNKNOWN'}`;
}

/** The code of an HTTP status: its own for common ones, else its class (`ERR_HTTP_4XX`, ...). */
export function httpErrorCode(status: number): ErrorCode {
  if ((httpStatusCodes as readonly number[]).includes(status)) {
    return `ERR_HTTP_${status as (typeof httpStatusCodes)[number]}`;
  }
  if (status >= 400 && status < 500) return 'ERR_HTTP_4XX';
  if (status >= 500 && status < 600) return 'ERR_HTTP_5XX';
  return 'ERR_HTTP_UNEXPECTED';
}
