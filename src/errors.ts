/**
 * The one error hierarchy of flightsql (PEP 249's), the gRPC status -> class mapping, the
 * stable string codes (`err.code`), and secret redaction. Every layer throws these; `dbapi/`
 * re-exports them.
 */
import { constants as osConstants } from 'node:os';
import { status as Status, type Metadata, type StatusObject } from '@grpc/grpc-js';
import { grpcErrorCode, httpErrorCode, type ErrorCode } from './errorCodes';

export { ERROR_CODES, grpcErrorCode, httpErrorCode, type ErrorCode, type GrpcStatusName } from './errorCodes';

/** Extra facts an error can carry. */
export interface ErrorDetails {
  /**
   * The error's code. By default it follows `grpcCode`, then `httpStatus`, then the class
   * (`ERR_FLIGHTSQL_*`).
   */
  readonly code?: ErrorCode;
  /** gRPC status code (`@grpc/grpc-js` `status`), when the error came from a call. */
  readonly grpcCode?: number;
  /** HTTP status, when the error came from an HTTP answer. */
  readonly httpStatus?: number;
  /** The server's own message, as sent (redacted). */
  readonly serverMessage?: string;
  /** Trailing metadata of the failed call, if any. */
  readonly trailers?: Record<string, string | string[]>;
  /** The underlying error (kept as it is, unless its text holds a secret: then a redacted copy). */
  readonly cause?: unknown;
}

/** PEP 249 `Error`: the base class of every error flightsql raises. */
export class Error extends globalThis.Error {
  /** The stable string code (see `ErrorCode`), e.g. `ERR_GRPC_UNAVAILABLE` or `ABORT_ERR`. */
  readonly code: ErrorCode;
  /** gRPC status code, when the error came from a gRPC call. */
  readonly grpcCode?: number;
  /** HTTP status, when the error came from an HTTP answer. */
  readonly httpStatus?: number;
  /** The server's message, redacted. */
  readonly serverMessage?: string;
  /** Trailing metadata of the failed call. */
  readonly trailers?: Record<string, string | string[]>;

  constructor(message: string, details: ErrorDetails = {}) {
    super(redact(message), details.cause === undefined ? undefined : { cause: redactCause(details.cause) });
    this.name = new.target.name;
    this.code =
      details.code ??
      (details.grpcCode !== undefined
        ? grpcErrorCode(details.grpcCode)
        : details.httpStatus !== undefined
          ? httpErrorCode(details.httpStatus)
          : classCode(new.target));
    if (details.grpcCode !== undefined) this.grpcCode = details.grpcCode;
    if (details.httpStatus !== undefined) this.httpStatus = details.httpStatus;
    if (details.serverMessage !== undefined) this.serverMessage = redact(details.serverMessage);
    if (details.trailers !== undefined) this.trailers = details.trailers;
  }

  /** Name of the gRPC status code, e.g. `INVALID_ARGUMENT`. */
  get grpcStatus(): string | undefined {
    return this.grpcCode === undefined ? undefined : Status[this.grpcCode];
  }
}

/** PEP 249 `Warning`: an important notice, not an error. */
export class Warning extends globalThis.Error {
  constructor(message: string) {
    super(redact(message));
    this.name = 'Warning';
  }
}

/** Errors of the interface rather than of the database: misuse, closed objects, protocol violations. */
export class InterfaceError extends Error {}
/** Errors reported by the database. */
export class DatabaseError extends Error {}
/** Problems with the processed data: out-of-range or unconvertible values. */
export class DataError extends DatabaseError {}
/** Errors of the database's operation: connection lost, authentication, timeouts, cancellation. */
export class OperationalError extends DatabaseError {}
/** Relational integrity violated, e.g. a duplicate key or an object that already exists. */
export class IntegrityError extends DatabaseError {}
/** The database hit an internal error. */
export class InternalError extends DatabaseError {}
/** Programming errors: bad SQL, unknown tables, wrong arguments. */
export class ProgrammingError extends DatabaseError {}
/** A method or database API that the server does not support. */
export class NotSupportedError extends DatabaseError {}
/** A peer broke the Arrow Flight (or IPC) protocol. */
export class ProtocolError extends InterfaceError {}

/**
 * The caller's AbortSignal stopped the operation. `name` is `'AbortError'` and `code` is
 * `'ABORT_ERR'`, as for Node's and fetch's aborts; `cause` is the signal's `reason` (a
 * `TimeoutError` DOMException for `AbortSignal.timeout()`). Still an OperationalError, so
 * code written for the PEP 249 classes keeps working.
 */
export class AbortError extends OperationalError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, { ...details, code: details.code ?? 'ABORT_ERR' });
  }
}

// The code of an error that has neither a gRPC status nor an HTTP answer: its class's.
const classCodes = new Map<abstract new (...args: never[]) => unknown, ErrorCode>([
  [Error, 'ERR_FLIGHTSQL'],
  [InterfaceError, 'ERR_FLIGHTSQL_INTERFACE'],
  [ProtocolError, 'ERR_FLIGHTSQL_PROTOCOL'],
  [DatabaseError, 'ERR_FLIGHTSQL_DATABASE'],
  [DataError, 'ERR_FLIGHTSQL_DATA'],
  [OperationalError, 'ERR_FLIGHTSQL_OPERATIONAL'],
  [IntegrityError, 'ERR_FLIGHTSQL_INTEGRITY'],
  [InternalError, 'ERR_FLIGHTSQL_INTERNAL'],
  [ProgrammingError, 'ERR_FLIGHTSQL_INVALID_ARGUMENT'],
  [NotSupportedError, 'ERR_FLIGHTSQL_NOT_SUPPORTED'],
  [AbortError, 'ABORT_ERR'],
]);

function classCode(Class: unknown): ErrorCode {
  // Subclasses defined elsewhere (InfluxDBClientError, ...) take their nearest ancestor's code.
  for (let c = Class; typeof c === 'function'; c = Object.getPrototypeOf(c) as unknown) {
    const code = classCodes.get(c as abstract new () => unknown);
    if (code) return code;
  }
  return 'ERR_FLIGHTSQL';
}

/**
 * The error for an operation the caller's AbortSignal stopped: an AbortError whose cause is
 * `reason` (the signal's `reason`). `what` names the operation (`DoGet`, `write to "db"`).
 * `details` adds facts such as the gRPC CANCELLED code of a cancelled call.
 */
export function abortError(
  reason: unknown,
  what: string,
  details: Omit<ErrorDetails, 'cause' | 'code'> = {},
): AbortError {
  const why = reason === undefined ? 'aborted' : messageOf(reason);
  return new AbortError(`${what}: aborted (${why})`, { ...details, cause: reason });
}

/** Builds the error for a violation of the Flight/IPC protocol by the peer. */
export function protocolError(message: string): ProtocolError {
  return new ProtocolError(`Flight protocol violation: ${message}`);
}

/** Builds the error for using an object after `close()`. */
export function closedError(what: string): InterfaceError {
  return new InterfaceError(`${what} is closed`, { code: 'ERR_FLIGHTSQL_CLOSED' });
}

type ErrorClass = new (message: string, details?: ErrorDetails) => Error;

const classForCode: Readonly<Record<number, ErrorClass>> = {
  [Status.CANCELLED]: OperationalError,
  [Status.UNKNOWN]: DatabaseError,
  [Status.INVALID_ARGUMENT]: ProgrammingError,
  [Status.DEADLINE_EXCEEDED]: OperationalError,
  [Status.NOT_FOUND]: ProgrammingError,
  [Status.ALREADY_EXISTS]: IntegrityError,
  [Status.PERMISSION_DENIED]: OperationalError,
  [Status.RESOURCE_EXHAUSTED]: OperationalError,
  [Status.FAILED_PRECONDITION]: ProgrammingError,
  [Status.ABORTED]: OperationalError,
  [Status.OUT_OF_RANGE]: DataError,
  [Status.UNIMPLEMENTED]: NotSupportedError,
  [Status.INTERNAL]: InternalError,
  [Status.UNAVAILABLE]: OperationalError,
  [Status.DATA_LOSS]: InternalError,
  [Status.UNAUTHENTICATED]: OperationalError,
};

/** The error class for a gRPC status code. */
export function errorClassFor(code: number): ErrorClass {
  return classForCode[code] ?? DatabaseError;
}

// grpc-js reports a non-gRPC answer (a web server, a proxy, the wrong port) like this.
const httpAnswer = /Received HTTP status code (\d+)|Unexpected content-type '([^']*)'/;

// grpc-js's INTERNAL for a stream the server reset without sending a status (a server going away
// mid-call, a proxy cutting streams): the call was cut, no error was reported. A reset the client
// itself triggered ("triggered by internal client error") stays an InternalError.
const streamReset = /^Received RST_STREAM with code \d+\b(?! triggered by internal client error)/;

/**
 * Turns a failed gRPC call's status into the matching flightsql error (the one place where
 * gRPC codes become classes). `context` names what was being done, e.g. `DoGet`.
 */
export function errorFromStatus(status: Partial<StatusObject> & { code: number }, context?: string): Error {
  const details = status.details ?? '';
  const prefix = context ? `${context}: ` : '';
  const trailers = status.metadata ? metadataToObject(status.metadata) : undefined;
  const http = httpAnswer.exec(details);
  if (http) {
    const httpStatus = http[1] ? Number(http[1]) : undefined;
    return new OperationalError(
      `${prefix}the server answered with plain HTTP${httpStatus ? ` ${httpStatus}` : ''}${
        http[2] ? ` (${http[2]})` : ''
      }, not gRPC: check that host and port point at an Arrow Flight SQL endpoint (${details})`,
      { code: 'ERR_FLIGHTSQL_NOT_GRPC', grpcCode: status.code, httpStatus, serverMessage: details, trailers },
    );
  }
  if (status.code === Status.INTERNAL && streamReset.test(details)) {
    return new OperationalError(`${prefix}the server reset the call without a gRPC status (${details})`, {
      code: 'ERR_FLIGHTSQL_STREAM_RESET',
      grpcCode: status.code,
      serverMessage: details,
      trailers,
    });
  }
  const Class = errorClassFor(status.code);
  const codeName = Status[status.code] ?? String(status.code);
  const transport = status.code === Status.UNAVAILABLE ? explainUnavailable(details) : undefined;
  return new Class(`${prefix}${transport?.message ?? (details || codeName)} [${codeName}]`, {
    code: transport?.code,
    grpcCode: status.code,
    serverMessage: details,
    trailers,
    cause: transport?.cause,
  });
}

// grpc-js: "No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: "
const noConnection =
  /^No connection established\. Last error: (?:Error: )?(.*?)\.?(?: Resolution note:.*)?$/s;
const tlsProblem = /certificate|self[- ]signed|SSL|TLS|wrong version number|handshake/i;
// Node's words for a failed system call: "connect ECONNREFUSED 127.0.0.1:1", "read ECONNRESET".
const systemError = /^([a-z]+) (E[A-Z0-9]+)(?: (\S+?))?(?::(\d+))?$/;

/**
 * Makes transport failures readable: says what failed and, for TLS, what to check. grpc-js
 * passes on only the text of the socket's error, so the cause is rebuilt from it when the text
 * is Node's own (`connect ECONNREFUSED 127.0.0.1:1`): then `err.cause.code` is `ECONNREFUSED`.
 */
function explainUnavailable(
  details: string,
): { message: string; code?: ErrorCode; cause?: globalThis.Error } | undefined {
  const reason = noConnection.exec(details)?.[1] ?? details;
  if (tlsProblem.test(reason)) {
    return {
      message: `TLS handshake failed: ${reason} (check the server's certificate: pass tls.ca for a private CA, tls.serverName for another host name, or use grpc:// for a plaintext server)`,
      code: 'ERR_FLIGHTSQL_TLS',
    };
  }
  // grpc-js's words when the peer answers in HTTP/1 (a web server, an HTTP API port).
  if (/^Protocol error\b/.test(reason)) {
    return {
      message: `the server did not answer in HTTP/2, so it is not gRPC: check that host and port point at an Arrow Flight SQL endpoint (${reason})`,
      code: 'ERR_FLIGHTSQL_NOT_GRPC',
    };
  }
  if (reason === details) return undefined;
  return { message: `cannot connect to the server: ${reason}`, cause: systemErrorFrom(reason) };
}

/** A Node system error (code, errno, syscall, address, port) rebuilt from its message. */
function systemErrorFrom(text: string): globalThis.Error | undefined {
  const match = systemError.exec(text);
  if (!match) return undefined;
  const [, syscall, code, where, port] = match;
  const errno = (osConstants.errno as Record<string, number | undefined>)[code!];
  const facts: Record<string, string | number> = { code: code!, syscall: syscall! };
  if (errno !== undefined) facts['errno'] = -errno;
  if (where !== undefined) facts[syscall === 'getaddrinfo' ? 'hostname' : 'address'] = where;
  if (port !== undefined) facts['port'] = Number(port);
  return Object.assign(new globalThis.Error(redact(text)), facts);
}

/** The message of anything thrown (realm-safe: errors from native addons or other contexts included). */
export function messageOf(err: unknown): string {
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') {
    return (err as { message: string }).message;
  }
  return String(err);
}

/** Wraps anything thrown by the transport into a flightsql error (flightsql errors pass through). */
export function toError(err: unknown, context?: string): Error {
  if (err instanceof Error) return err;
  if (isStatusLike(err)) return errorFromStatus(err, context);
  const message = messageOf(err);
  return new InterfaceError(context ? `${context}: ${message}` : message, { cause: err });
}

function isStatusLike(err: unknown): err is StatusObject {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { code?: unknown }).code === 'number' &&
    'details' in err
  );
}

/** Plain-object copy of gRPC metadata, secrets redacted. */
export function metadataToObject(metadata: Metadata): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, values] of Object.entries(metadata.getMap())) {
    out[key] = isSecretHeader(key) ? '[redacted]' : String(values);
  }
  // getMap keeps only the first value of repeated keys; keep them all.
  for (const key of Object.keys(out)) {
    const all = metadata.get(key);
    if (all.length > 1 && !isSecretHeader(key)) out[key] = all.map(String);
  }
  return out;
}

const secretHeaders = new Set(['authorization', 'auth-token-bin', 'cookie', 'set-cookie', 'x-api-key']);

/** True for header names whose values are credentials. */
export function isSecretHeader(name: string): boolean {
  return secretHeaders.has(name.toLowerCase());
}

const registeredSecrets = new Set<string>();

/**
 * Registers a secret (a token or password) so that `redact` removes it from every error
 * message and log line, wherever it appears.
 */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 4) registeredSecrets.add(secret);
}

// Prose is not a credential: "send a bearer token", "Authorization: Token <token>" (a server
// saying what it wants) stay as they are.
const secretPatterns: readonly RegExp[] = [
  /\b(authorization\s*[:=]\s*)(?:(bearer|basic|token)\s+)?(?!<[\w -]+>|(?:bearer|basic|token)\b)[^\s,;'"]+/gi,
  /\b((?:password|passwd|pwd|token|auth-token-bin|api[_-]?key|secret)\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s&,;'"]+)/gi,
  /\b(bearer\s+)(?!tokens?\b)[A-Za-z0-9._~+/=-]+/gi,
  /(\/\/[^/\s:@]+:)[^/\s@]+@/g,
];

/** Removes credentials from a text: registered secrets, auth headers, `password=` and URL user info. */
export function redact(text: string): string {
  let out = text;
  for (const secret of registeredSecrets) out = out.split(secret).join('[redacted]');
  out = out.replace(
    secretPatterns[0]!,
    (_m, p1: string, scheme?: string) => `${p1}${scheme ? `${scheme} ` : ''}[redacted]`,
  );
  out = out.replace(secretPatterns[1]!, '$1[redacted]');
  out = out.replace(secretPatterns[2]!, '$1[redacted]');
  out = out.replace(secretPatterns[3]!, '$1[redacted]@');
  return out;
}

/**
 * A cause as an error keeps it: as it is when its text is clean, else as a plain Error copy
 * with the secrets removed from message and stack and its other facts (`name`, `code`,
 * `errno`, ...) kept. Duck-typed: node's own errors come from another realm under test runners.
 */
function redactCause(cause: unknown): unknown {
  if (typeof cause === 'string') return redact(cause);
  if (typeof cause !== 'object' || cause === null) return cause;
  const { message, stack, name } = cause as { message?: unknown; stack?: unknown; name?: unknown };
  if (typeof message !== 'string') return cause;
  const trace = typeof stack === 'string' ? stack : '';
  if (redact(message) === message && redact(trace) === trace) return cause;
  const copy = Object.assign(new globalThis.Error(), cause);
  copy.message = redact(message);
  if (typeof name === 'string') copy.name = name;
  copy.stack = redact(trace);
  const inner = (cause as { cause?: unknown }).cause;
  if (inner !== undefined) copy.cause = redactCause(inner);
  return copy;
}
