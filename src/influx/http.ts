/**
 * HTTP to InfluxDB over undici: one keep-alive dispatcher per client (closed by `close()`, so
 * no socket outlives the client), Basic auth, gzip both ways, proxies (see dispatcher.ts),
 * timeouts per attempt as influxdb-python's (connect, then each wait for data), the caller's
 * AbortSignal, and influxdb-python's retries on network errors.
 * Every write attempt is traced on `flightsql:write`.
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createGunzip, gzip as gzipCallback } from 'node:zlib';
import { promisify } from 'node:util';
import type { Dispatcher } from 'undici';
import { writeChannel, traceWrite, type WriteContext } from '../diagnostics';
import { abortError, closedError, Error as FlightSQLError, registerSecret } from '../errors';
import { createDispatcher, tlsSettings } from './dispatcher';
import { errorFromResponse, transportError } from './errors';
import type { ResolvedOptions } from './options';

const gzip = promisify(gzipCallback);

/** Options every I/O method accepts. */
export interface CallOptions {
  /** Aborts the call. */
  readonly signal?: AbortSignal;
  /**
   * Timeout of each attempt in milliseconds: the wait for the answer's headers, then each wait
   * for more of its body (overrides the client's `timeout`; connecting keeps the client's).
   */
  readonly timeoutMs?: number;
}

/** Response headers, lower-cased. */
export type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** What a write request reports on `flightsql:write`. */
export interface WriteTrace {
  readonly database?: string;
  /** Lines in the body. */
  readonly points: number;
  /** The retry number, when the caller retries (InfluxDBClient3); otherwise the transport's own count. */
  readonly attempt?: number;
}

/** One HTTP exchange, as the client asks for it. */
export interface HttpRequest extends CallOptions {
  readonly method: 'GET' | 'POST';
  /** `/ping`, `/write`, `/query`, `/api/v3/write_lp`... (after the client's path prefix). */
  readonly path: string;
  /** URL parameters; undefined values are left out. */
  readonly query?: Readonly<Record<string, string | undefined>>;
  /** Form parameters sent as an `application/x-www-form-urlencoded` body (POST /query). */
  readonly form?: Readonly<Record<string, string | undefined>>;
  /** A raw body: line protocol as text (gzipped when the client has `gzip`), or bytes sent as they are. */
  readonly body?: string | Buffer;
  /** Headers of this request, over the client's. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The statuses that mean success (204 for /ping and /write, 200 for /query). */
  readonly expect: number | readonly number[];
  /** Safe to send twice: then timeouts and resets are retried too, not only failed connects. */
  readonly idempotent: boolean;
  /** What is being done, for error messages (`write to "db"`). */
  readonly context: string;
  /** Builds the error of an unexpected status (default: `errorFromResponse`). */
  readonly onError?: (status: number, text: string, headers: Headers) => globalThis.Error;
  /** A write: each attempt is traced on `flightsql:write`. */
  readonly trace?: WriteTrace;
}

/** A response whose status was an expected one. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The (decompressed) body, as a stream of Buffers. */
  readonly body: AsyncIterable<Buffer> & { destroy(error?: globalThis.Error): void };
}

// Errors that prove the request never reached the server: safe to retry whatever it was.
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_CONNECT_TIMEOUT',
]);
// Errors after which the server may or may not have acted: retried for idempotent calls.
const MAYBE_SENT = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ERR_INFLUX_TIMEOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** An attempt that waited too long for the answer, or a body that went silent (undici's error is the cause). */
class TimeoutError extends globalThis.Error {
  readonly code = 'ERR_INFLUX_TIMEOUT';
}

/**
 * The server closed the connection without answering. Named as node:http names it (code
 * ECONNRESET, "socket hang up"); undici's own error is the cause.
 */
class HangUpError extends globalThis.Error {
  readonly code = 'ECONNRESET';
}

/** Network failures of traced attempts, as published, and the errors they stand for. */
const networkFailures = new WeakMap<object, unknown>();

/** The HTTP side of an InfluxDB client. */
export class HttpTransport {
  readonly #options: ResolvedOptions;
  readonly #dispatcher: Dispatcher;
  readonly #origin: string;
  #authorization: string | undefined;
  #closed = false;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#authorization = basicAuth(options.username, options.password);
    this.#dispatcher = createDispatcher({
      ssl: options.ssl,
      poolSize: options.poolSize,
      connectTimeoutMs: options.timeoutMs,
      tls: options.ssl ? tlsSettings(options.verifySsl, options.cert) : undefined,
      proxy: options.proxy,
    });
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    this.#origin = `${options.ssl ? 'https' : 'http'}://${host}:${options.port}`;
  }

  /** Changes the credentials of the next requests (influxdb-python's `switch_user`). */
  setCredentials(username: string | undefined, password: string | undefined): void {
    registerSecret(password);
    this.#authorization = basicAuth(username, password);
  }

  /** True once `close()` ran. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Sends a request (with retries) and returns the response once its status is an expected one. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    if (this.#closed) throw closedError('InfluxDBClient');
    const body = await this.#body(req);
    const retries = this.#options.retries;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#traced(req, body, attempt);
      } catch (thrown) {
        const err = networkFailures.get(thrown as object) ?? thrown;
        // Our own errors (HTTP answers, aborts) are final; only transport errors are retried.
        if (err instanceof FlightSQLError) throw err;
        if (req.signal?.aborted) throw abortError(req.signal.reason, req.context);
        if (this.#closed) throw transportError(req.context, err, attempt);
        const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
        const retryable = NOT_SENT.has(code) || (req.idempotent && MAYBE_SENT.has(code));
        if (!retryable || (retries !== 0 && attempt >= retries)) {
          throw transportError(req.context, err, attempt);
        }
        await backoff(attempt, req.signal);
      }
    }
  }

  /** Sends a request and reads the whole answer as text. */
  async text(req: HttpRequest): Promise<{ status: number; headers: Headers; text: string }> {
    const res = await this.request(req);
    try {
      return { status: res.status, headers: res.headers, text: await readText(res.body) };
    } catch (err) {
      if (err instanceof FlightSQLError) throw err;
      throw transportError(req.context, err, 1);
    }
  }

  /** Frees every socket. Requests still running fail; later calls throw InterfaceError. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#dispatcher.destroy();
  }

  async #body(req: HttpRequest): Promise<{ data: Buffer | undefined; headers: Record<string, string> }> {
    const headers: Record<string, string> = {};
    let data: Buffer | undefined;
    if (req.form !== undefined) {
      data = Buffer.from(encodeParams(req.form));
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (typeof req.body === 'string') {
      data = Buffer.from(req.body, 'utf8');
      headers['content-type'] = 'application/octet-stream';
    } else if (req.body !== undefined) {
      data = req.body;
    }
    if (this.#options.gzip) {
      headers['accept-encoding'] = 'gzip';
      // Only line protocol bodies: influxd reads /query forms without undoing Content-Encoding.
      if (data !== undefined && typeof req.body === 'string') {
        data = await gzip(data);
        headers['content-encoding'] = 'gzip';
      }
    }
    return { data, headers };
  }

  /** One attempt, traced on `flightsql:write` for writes (when someone listens). */
  #traced(
    req: HttpRequest,
    body: { data: Buffer | undefined; headers: Record<string, string> },
    attempt: number,
  ): Promise<HttpResponse> {
    if (!req.trace || !writeChannel.hasSubscribers) return this.#attempt(req, body, undefined);
    const context: WriteContext = {
      url: `${this.#origin}${this.#options.path}${req.path}`,
      database: req.trace.database,
      points: req.trace.points,
      bytes: body.data?.length ?? 0,
      attempt: req.trace.attempt ?? attempt - 1,
    };
    // The trace shows the attempt's failure as the caller would see it (an OperationalError
    // whose cause is undici's error); the retry loop looks at undici's error itself.
    return traceWrite(context, () =>
      this.#attempt(req, body, context).catch((err: unknown) => {
        if (err instanceof FlightSQLError) throw err;
        const failure = transportError(req.context, err, 1);
        networkFailures.set(failure, err);
        throw failure;
      }),
    );
  }

  async #attempt(
    req: HttpRequest,
    body: { data: Buffer | undefined; headers: Record<string, string> },
    trace: WriteContext | undefined,
  ): Promise<HttpResponse> {
    const o = this.#options;
    const search = req.query ? encodeParams(req.query) : '';
    const headers: Record<string, string> = { ...o.headers, ...body.headers, ...req.headers };
    const hasAuthorization = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
    if (this.#authorization && !hasAuthorization) headers['authorization'] = this.#authorization;
    const timeoutMs = req.timeoutMs ?? o.timeoutMs;
    const explain = (err: unknown) => explainFailure(err, req, timeoutMs);
    // A connection that just answered is reusable only once undici has looked at it again (a
    // macrotask later): sent at once, a request would open a second connection.
    await new Promise((resolve) => setImmediate(resolve));
    let res: Dispatcher.ResponseData;
    try {
      res = await this.#dispatcher.request({
        origin: this.#origin,
        path: `${o.path}${req.path}${search ? `?${search}` : ''}`,
        method: req.method,
        headers,
        body: body.data,
        signal: req.signal,
        // undici's timeouts, not an AbortSignal of ours: an aborted request makes undici open a
        // spare connection (nodejs/undici#5845), a timeout does not. No timeout: none at all.
        headersTimeout: timeoutMs ?? 0,
        bodyTimeout: timeoutMs ?? 0,
      });
    } catch (err) {
      throw explain(err);
    }
    const status = res.statusCode;
    if (trace) trace.status = status;
    const expected = typeof req.expect === 'number' ? status === req.expect : req.expect.includes(status);
    let stream: Readable = res.body;
    const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
    if (encoding === 'gzip') {
      // pipeline() destroys the socket's body when the gunzip stream is destroyed, and back.
      stream = pipeline(res.body, createGunzip(), () => undefined);
    }
    const reader = bodyOf(stream, explain);
    if (expected) return { status, headers: res.headers, body: reader };
    // An error's body only makes the message: a server (or proxy) sending a huge one is cut off.
    const text = await readText(reader, ERROR_BODY_BYTES);
    const build = req.onError ?? ((s, t, h) => errorFromResponse(s, t, h, req.context));
    throw build(status, text, res.headers);
  }
}

/**
 * What undici threw, as the retry loop and the messages expect it: the caller's abort as an
 * AbortError, timeouts as `timed out after N ms` (waiting for the answer) or `no data for N ms`
 * (a body gone silent), a connection closed without an answer as node:http's `socket hang up`.
 * undici's error stays the cause.
 */
function explainFailure(err: unknown, req: HttpRequest, timeoutMs: number | undefined): unknown {
  if (req.signal?.aborted) return abortError(req.signal.reason, req.context);
  const code = (err as { code?: unknown } | undefined)?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT')
    return new TimeoutError(`timed out after ${timeoutMs} ms`, { cause: err });
  if (code === 'UND_ERR_BODY_TIMEOUT') return new TimeoutError(`no data for ${timeoutMs} ms`, { cause: err });
  if (code === 'UND_ERR_SOCKET' && /other side closed/.test((err as Error).message)) {
    return new HangUpError('socket hang up', { cause: err });
  }
  return err;
}

/** A body stream as HttpResponse gives it: errors explained, `destroy()` passed on. */
function bodyOf(stream: Readable, explain: (err: unknown) => unknown): HttpResponse['body'] {
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for await (const chunk of stream) yield chunk as Buffer;
      } catch (err) {
        throw explain(err);
      }
    },
    destroy(error?: globalThis.Error) {
      stream.destroy(error);
    },
  };
}

/** `Basic ...` of a user and password, or undefined without a user. */
export function basicAuth(username: string | undefined, password: string | undefined): string | undefined {
  if (!username) return undefined;
  return `Basic ${Buffer.from(`${username}:${password ?? ''}`, 'utf8').toString('base64')}`;
}

function encodeParams(params: Readonly<Record<string, string | undefined>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.append(key, value);
  return search.toString();
}

/** Bytes of an unexpected answer's body kept for the error message. */
export const ERROR_BODY_BYTES = 64 * 1024;

/**
 * Reads a body as UTF-8 text: all of it, or with `limit`, its first `limit` bytes and a note
 * that it was cut (the rest is never read: the body is destroyed).
 */
export async function readText(
  body: AsyncIterable<Buffer> & { destroy?(error?: globalThis.Error): void },
  limit = Number.POSITIVE_INFINITY,
): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    length += chunk.length;
    if (length > limit) {
      body.destroy?.();
      return `${Buffer.concat(chunks).subarray(0, limit).toString('utf8')}… (cut at ${limit} bytes)`;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

// Random exponential backoff between attempts, as influxdb-python does for POSTs:
// up to 2^attempt * 10 ms, capped at 2 s.
function backoff(attempt: number, signal: AbortSignal | undefined): Promise<void> {
  const ms = Math.min(2000, 2 ** attempt * 10 * Math.random());
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
