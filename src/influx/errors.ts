/**
 * Errors of the InfluxDB HTTP module: the server's 4xx/5xx answers and statement errors
 * (influxdb-python's InfluxDBClientError / InfluxDBServerError), and points refused before
 * sending. HTTP status -> class happens in one function, `errorFromResponse`.
 */
import { DataError, DatabaseError, messageOf, OperationalError, redact, type ErrorDetails } from '../errors';

/** Extra facts of an InfluxDB error. */
export interface InfluxErrorDetails extends ErrorDetails {
  /** The body the server sent, as text (redacted). */
  readonly content?: string;
  /** Index of the failing statement in a multi-statement query. */
  readonly statementId?: number;
}

/**
 * The server refused a request (HTTP 4xx: bad query, unknown database, 401 wrong password,
 * 403 missing privilege, partial write), or a statement of a 200 answer failed (then `code`
 * is `ERR_INFLUXDB_STATEMENT` and `statementId` says which). influxdb-python's numeric `code`
 * is `httpStatus` here: `code` is the string code every flightsql error has (`ERR_HTTP_401`).
 */
export class InfluxDBClientError extends DatabaseError {
  /** The server's answer as text (influxdb-python's `content`), redacted. */
  readonly content: string;
  /** The statement that failed, for statement errors inside a 200 answer. */
  readonly statementId?: number;
  /** For partial writes: how many points the server dropped (`dropped=N`). */
  readonly dropped?: number;

  constructor(message: string, details: InfluxErrorDetails = {}) {
    super(message, details);
    this.content = redact(details.content ?? details.serverMessage ?? message);
    if (details.statementId !== undefined) this.statementId = details.statementId;
    const dropped = /\bdropped=(\d+)/.exec(details.serverMessage ?? '');
    if (dropped) this.dropped = Number(dropped[1]);
  }
}

/** The server failed (HTTP 5xx), e.g. a write to an unknown retention policy on 1.x. */
export class InfluxDBServerError extends DatabaseError {
  /** The server's answer as text, redacted. */
  readonly content: string;

  constructor(message: string, details: InfluxErrorDetails = {}) {
    super(message, details);
    this.content = redact(details.content ?? details.serverMessage ?? message);
  }
}

/** Where in a table or file a refused point came from. */
export interface RowPosition {
  /** The row, counted from 1 over the whole source (a CSV header is not a row). */
  readonly row?: number;
  /** The column whose cell was refused. */
  readonly column?: string;
  /** The source, e.g. the file's path. */
  readonly source?: string;
}

/**
 * A point that cannot be written as it is (NaN, no fields, an out-of-range integer, a name
 * InfluxDB cannot store, a bad cell of a file...). Raised before anything is sent.
 */
export class LineProtocolError extends DataError {
  /** The measurement of the refused point, when known. */
  readonly measurement?: string;
  /** The position of the point in the batch given to `writePoints`, when known. */
  readonly index?: number;
  /** For rows of tables and files: the row, counted from 1. */
  readonly row?: number;
  /** For rows of tables and files: the column of the refused cell. */
  readonly column?: string;
  /** What is wrong, without the point's name. */
  readonly problem: string;

  constructor(problem: string, measurement?: string, index?: number, position: RowPosition = {}) {
    super(`${describePoint(measurement, index, position)}: ${problem}`);
    this.problem = problem;
    if (measurement !== undefined) this.measurement = measurement;
    if (index !== undefined) this.index = index;
    if (position.row !== undefined) this.row = position.row;
    if (position.column !== undefined) this.column = position.column;
  }
}

/** `point #3 ('cpu')`, `point 'cpu'`, `point`, or `a.csv: row 4, column "co" (point 'cpu')`. */
function describePoint(
  measurement: string | undefined,
  index: number | undefined,
  { row, column, source }: RowPosition,
): string {
  const name = measurement === undefined ? '' : `${show(measurement)}`;
  if (row !== undefined) {
    const at = `${source === undefined ? '' : `${source}: `}row ${row}${column === undefined ? '' : `, column ${show(column)}`}`;
    return name ? `${at} (point ${name})` : at;
  }
  if (index === undefined) return name ? `point ${name}` : 'point';
  return name ? `point #${index} (${name})` : `point #${index}`;
}

/** A name or value as shown in messages: JSON-quoted (control characters visible), cut at 80 chars. */
export function show(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  const cut = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(cut);
}

const statusText: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * The one place where an HTTP status becomes an error class: 5xx -> InfluxDBServerError,
 * anything else unexpected -> InfluxDBClientError. The message is the server's `error`
 * text (JSON body or `X-Influxdb-Error` header), prefixed with the status and `context`.
 */
export function errorFromResponse(
  status: number,
  body: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  context: string,
): InfluxDBClientError | InfluxDBServerError {
  const serverMessage = serverText(body, headers);
  const label = `${status}${statusText[status] ? ` ${statusText[status]}` : ''}`;
  const message = `${context}: ${label}: ${serverMessage || '(no message)'}`;
  const details = { httpStatus: status, serverMessage, content: body };
  return status >= 500 && status < 600
    ? new InfluxDBServerError(message, details)
    : new InfluxDBClientError(message, details);
}

function serverText(body: string, headers: Readonly<Record<string, string | string[] | undefined>>): string {
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as { error?: unknown; message?: unknown };
      if (typeof parsed.error === 'string') return parsed.error;
      if (typeof parsed.message === 'string') return parsed.message;
    } catch {
      // not JSON after all: fall through to the raw text
    }
  }
  const header = headers['x-influxdb-error'];
  if (typeof header === 'string' && header) return header;
  return trimmed.length > 2000 ? `${trimmed.slice(0, 2000)}…` : trimmed;
}

/** A statement error inside a 200 answer (influxdb-python raises it with `code=None`). */
export function statementError(error: string, statementId: number | undefined): InfluxDBClientError {
  const where = statementId === undefined || statementId === 0 ? '' : ` (statement ${statementId})`;
  return new InfluxDBClientError(`query failed${where}: ${error}`, {
    code: 'ERR_INFLUXDB_STATEMENT',
    httpStatus: 200,
    serverMessage: error,
    content: error,
    statementId: statementId ?? 0,
  });
}

/**
 * A transport failure (connection refused, reset, DNS, TLS, timeout) after all attempts: an
 * OperationalError whose `cause` is the system error (`err.cause.code === 'ECONNREFUSED'`;
 * fetch's `TypeError: fetch failed` is unwrapped to its own cause) and whose `code` is
 * `ERR_FLIGHTSQL_TIMEOUT`, `ERR_FLIGHTSQL_TLS` or `ERR_FLIGHTSQL_NETWORK`. Aborts by the
 * caller's signal are not transport failures: they are `abortError(signal.reason, context)`.
 */
export function transportError(context: string, cause: unknown, attempts: number): OperationalError {
  const inner = unwrapFetchFailure(cause);
  const kind = kindOf(inner);
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
  return new OperationalError(`${context}: ${describeCause(inner, kind)}${tries}`, {
    code:
      kind === 'timeout'
        ? 'ERR_FLIGHTSQL_TIMEOUT'
        : kind === 'tls'
          ? 'ERR_FLIGHTSQL_TLS'
          : 'ERR_FLIGHTSQL_NETWORK',
    cause: inner,
  });
}

// Codes of deadlines: the socket's, ours (http.ts's per-attempt TimeoutError), undici's.
const timeoutCodes = new Set([
  'ETIMEDOUT',
  'ERR_INFLUX_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

type FailureKind = 'refused' | 'tls' | 'timeout' | 'other';

function kindOf(cause: unknown): FailureKind {
  // Duck-typed: errors of node's core come from another realm under test runners.
  const { code, name } = (typeof cause === 'object' && cause !== null ? cause : {}) as {
    code?: unknown;
    name?: unknown;
  };
  if (code === 'ECONNREFUSED') return 'refused';
  // AbortSignal.timeout()'s reason, when a deadline signal ended the request.
  if ((typeof code === 'string' && timeoutCodes.has(code)) || name === 'TimeoutError') return 'timeout';
  if (typeof code === 'string' && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(code))
    return 'tls';
  return 'other';
}

function describeCause(cause: unknown, kind: FailureKind): string {
  const message = messageOf(cause);
  if (kind === 'refused') return `cannot connect to InfluxDB: ${message}`;
  if (kind === 'tls') {
    return `TLS handshake failed: ${message} (pass verifySsl: '<CA file>' for a private CA, or verifySsl: false for tests)`;
  }
  return message;
}

/** fetch() rejects with `TypeError: fetch failed` whose cause is the real failure. */
function unwrapFetchFailure(err: unknown): unknown {
  // Duck-typed, as above: fetch's TypeError is the realm's of node, not the test runner's.
  const { name, message, cause } = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  return name === 'TypeError' && message === 'fetch failed' && cause !== undefined ? cause : err;
}
