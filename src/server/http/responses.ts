/**
 * HTTP answers in the shape each InfluxDB API uses, so that clients written for InfluxDB read
 * our errors as they read its own:
 *
 * - v1 (`/write`): `{"error": "..."}`, the message repeated in `X-Influxdb-Error` (1.x does so
 *   for every 4xx but 401), `WWW-Authenticate: Basic` on 401.
 * - v2 (`/api/v2/write`): `{"code": "invalid", "message": "..."}`, codes as InfluxDB 2 names them.
 * - v3 (`/api/v3/write_lp`): `{"error": "...", "data": ...}`; bad lines as InfluxDB 3 reports them
 *   (influxdb3_server's write_lp tests and the InfluxDB 3 docs, "Use the v3 write_lp API"):
 *   `partial write of line protocol occurred` with one `{original_line, line_number,
 *   error_message}` per refused line, or, with accept_partial=false, `parsing failed for
 *   write_lp endpoint` with the first refused line as `data`.
 */
import type { ServerResponse } from 'node:http';
import type { LineError } from './lineProtocol';
import type { WriteApi } from './precision';

/** A request refused with an HTTP status (raised by the request handling, answered by the listener). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers, e.g. `Allow` on 405. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** InfluxDB 2's error codes by HTTP status. */
const V2_CODES: Readonly<Record<number, string>> = {
  400: 'invalid',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not found',
  405: 'method not allowed',
  413: 'request too large',
  415: 'unsupported media type',
  500: 'internal error',
  503: 'unavailable',
};

/** At most this many refused lines are listed in an answer (InfluxDB reports up to 100). */
export const MAX_REPORTED_LINES = 100;

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Answers `status` with `message` in the error shape of `api` (v2's when the API is unknown). */
export function sendError(
  res: ServerResponse,
  api: WriteApi | undefined,
  status: number,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (api === 'v1') {
    const extra: Record<string, string> = { ...headers };
    if (status === 401) extra['WWW-Authenticate'] = 'Basic realm="InfluxDB"';
    else if (status >= 400 && status < 500) extra['X-Influxdb-Error'] = headerSafe(message);
    sendJson(res, status, { error: message }, extra);
  } else if (api === 'v3') {
    sendJson(res, status, { error: message, data: null }, headers);
  } else {
    sendJson(res, status, { code: V2_CODES[status] ?? 'invalid', message }, headers);
  }
}

// A header value is one line of Latin-1: other characters and line ends are replaced.
function headerSafe(message: string): string {
  const line = message.replace(/[\r\n]+/g, ' ').replace(/[^\x20-\x7e]/g, '?');
  return line.length > 1000 ? `${line.slice(0, 1000)}...` : line;
}

/** One refused line, as v1 and v2 messages list them. */
const describe = (e: LineError) => `line ${e.lineNumber}: ${e.message} in '${e.line}'`;

function listed(errors: readonly LineError[]): string {
  const shown = errors.slice(0, MAX_REPORTED_LINES).map(describe);
  if (errors.length > MAX_REPORTED_LINES)
    shown.push(`(and ${errors.length - MAX_REPORTED_LINES} more lines)`);
  return shown.join('\n');
}

const v3Line = (e: LineError) => ({
  original_line: e.line,
  line_number: e.lineNumber,
  error_message: e.message,
});

/**
 * Answers a write with refused lines: 400 in every API. `written` says how many points did go
 * in (v1 and v2 call that a partial write); `acceptPartial` chooses v3's shape.
 */
export function sendLineErrors(
  res: ServerResponse,
  api: WriteApi,
  errors: readonly LineError[],
  written: number,
  acceptPartial: boolean,
): void {
  if (api === 'v3') {
    if (acceptPartial) {
      sendJson(res, 400, {
        error: 'partial write of line protocol occurred',
        data: errors.slice(0, MAX_REPORTED_LINES).map(v3Line),
      });
    } else {
      sendJson(res, 400, { error: 'parsing failed for write_lp endpoint', data: v3Line(errors[0]!) });
    }
  } else if (api === 'v2') {
    const prefix = written > 0 ? `partial write error (${written} written)` : 'failed to parse line protocol';
    sendError(res, 'v2', 400, `${prefix}: ${listed(errors)}`);
  } else {
    const message =
      written > 0 ? `partial write: ${listed(errors)} dropped=${errors.length}` : listed(errors);
    sendError(res, 'v1', 400, message);
  }
}
