/**
 * HTTP to InfluxDB over node:http/https: one keep-alive agent per client (closed by
 * `close()`, so no socket outlives the client), Basic auth, gzip both ways, proxies (plain
 * forwarding for http, a CONNECT tunnel for https), a deadline per attempt through
 * AbortSignal, and influxdb-python's retries on network errors.
 */
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { createGunzip, gzip as gzipCallback } from 'node:zlib';
import { promisify } from 'node:util';
import { closedError, Error as FlightSQLError, messageOf, OperationalError, registerSecret } from '../errors';
import { errorFromResponse, transportError } from './errors';
import type { ResolvedOptions } from './options';

const gzip = promisify(gzipCallback);

/** Options every I/O method accepts. */
export interface CallOptions {
  /** Aborts the call. */
  readonly signal?: AbortSignal;
  /** Deadline of each attempt in milliseconds (overrides the client's `timeout`). */
  readonly timeoutMs?: number;
}

/** One HTTP exchange, as the client asks for it. */
export interface HttpRequest extends CallOptions {
  readonly method: 'GET' | 'POST';
  /** `/ping`, `/write` or `/query`. */
  readonly path: string;
  /** URL parameters; undefined values are left out. */
  readonly query?: Readonly<Record<string, string | undefined>>;
  /** Form parameters sent as an `application/x-www-form-urlencoded` body (POST /query). */
  readonly form?: Readonly<Record<string, string | undefined>>;
  /** A raw body (line protocol). */
  readonly body?: string;
  /** The status that means success (204 for /ping and /write, 200 for /query). */
  readonly expect: number;
  /** Safe to send twice: then timeouts and resets are retried too, not only failed connects. */
  readonly idempotent: boolean;
  /** What is being done, for error messages (`write to "db"`). */
  readonly context: string;
  /**
   * The caller reads the body as a stream (chunked queries): the deadline then ends at the
   * response's headers, and the body only has to keep coming (no gap longer than the timeout).
   */
  readonly stream?: boolean;
}

/** A response whose status was the expected one. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The (decompressed) body, as a stream of Buffers. */
  readonly body: AsyncIterable<Buffer> & { destroy(error?: Error): void };
}

// Errors that prove the request never reached the server: safe to retry whatever it was.
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);
// Errors after which the server may or may not have acted: retried for idempotent calls.
const MAYBE_SENT = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ERR_INFLUX_TIMEOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** A per-attempt deadline that expired. */
class TimeoutError extends Error {
  readonly code = 'ERR_INFLUX_TIMEOUT';
}

/** The HTTP side of an InfluxDBClient. */
export class HttpTransport {
  readonly #options: ResolvedOptions;
  readonly #agent: http.Agent;
  readonly #proxyAgent: http.Agent | undefined;
  readonly #proxy: URL | undefined;
  #authorization: string | undefined;
  #closed = false;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#authorization = basicAuth(options.username, options.password);
    const tlsOptions = options.ssl ? tlsSettings(options) : {};
    const agentOptions = { keepAlive: true, maxSockets: options.poolSize, ...tlsOptions };
    const proxyUrl = options.ssl ? options.proxies.https : options.proxies.http;
    this.#proxy = proxyUrl ? new URL(proxyUrl) : undefined;
    if (this.#proxy && options.ssl) {
      this.#agent = new TunnelAgent(this.#proxy, agentOptions);
    } else {
      this.#agent = options.ssl ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    }
    // Plain HTTP through a proxy: requests go to the proxy with the full URL as path.
    this.#proxyAgent = this.#proxy && !options.ssl ? this.#agent : undefined;
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

  /** Sends a request (with retries) and returns the response once its status is the expected one. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    if (this.#closed) throw closedError('InfluxDBClient');
    const body = await this.#body(req);
    const retries = this.#options.retries;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(req, body);
      } catch (err) {
        // Our own errors (HTTP answers, aborts) are final; only transport errors are retried.
        if (err instanceof FlightSQLError) throw err;
        if (req.signal?.aborted) throw aborted(req.context, req.signal);
        if (this.#closed) throw transportError(req.context, err, attempt);
        const code = (err as NodeJS.ErrnoException | undefined)?.code;
        const retryable = NOT_SENT.has(code ?? '') || (req.idempotent && MAYBE_SENT.has(code ?? ''));
        if (!retryable || (retries !== 0 && attempt >= retries)) {
          throw transportError(req.context, err, attempt);
        }
        await backoff(attempt, req.signal);
      }
    }
  }

  /** Sends a request and reads the whole answer as text. */
  async text(req: HttpRequest): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
    const res = await this.request(req);
    return { status: res.status, headers: res.headers, text: await readText(res.body) };
  }

  /** Frees every socket. Requests still running fail; later calls throw InterfaceError. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#agent.destroy();
  }

  async #body(req: HttpRequest): Promise<{ data: Buffer | undefined; headers: Record<string, string> }> {
    const headers: Record<string, string> = {};
    let data: Buffer | undefined;
    if (req.form !== undefined) {
      data = Buffer.from(encodeParams(req.form));
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (req.body !== undefined) {
      data = Buffer.from(req.body, 'utf8');
      headers['content-type'] = 'application/octet-stream';
    }
    if (this.#options.gzip) {
      headers['accept-encoding'] = 'gzip';
      // Only line protocol bodies: influxd reads /query forms without undoing Content-Encoding.
      if (data !== undefined && req.body !== undefined) {
        data = await gzip(data);
        headers['content-encoding'] = 'gzip';
      }
    }
    if (data !== undefined) headers['content-length'] = String(data.length);
    return { data, headers };
  }

  #attempt(
    req: HttpRequest,
    body: { data: Buffer | undefined; headers: Record<string, string> },
  ): Promise<HttpResponse> {
    const o = this.#options;
    const search = req.query ? encodeParams(req.query) : '';
    const path = `${o.path}${req.path}${search ? `?${search}` : ''}`;
    const headers: Record<string, string> = { ...o.headers, ...body.headers };
    const hasAuthorization = Object.keys(o.headers).some((h) => h.toLowerCase() === 'authorization');
    if (this.#authorization && !hasAuthorization) headers['authorization'] = this.#authorization;
    const host = o.host.includes(':') ? `[${o.host}]` : o.host;
    let target: http.RequestOptions = {
      host: o.host,
      port: o.port,
      path,
      method: req.method,
      headers,
      agent: this.#agent,
    };
    if (this.#proxyAgent && this.#proxy) {
      headers['host'] = `${host}:${o.port}`;
      const proxyAuth = basicAuth(
        decodeURIComponent(this.#proxy.username),
        decodeURIComponent(this.#proxy.password),
      );
      if (proxyAuth) headers['proxy-authorization'] = proxyAuth;
      target = {
        host: this.#proxy.hostname.replace(/^\[|\]$/g, ''),
        port: Number(this.#proxy.port || 80),
        path: `http://${host}:${o.port}${path}`,
        method: req.method,
        headers,
        agent: this.#proxyAgent,
      };
    }
    const timeoutMs = req.timeoutMs ?? o.timeoutMs;
    const signals: AbortSignal[] = [];
    if (req.signal) signals.push(req.signal);
    const deadline = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
    if (deadline) signals.push(deadline);
    const signal =
      signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
    const send = o.ssl && !this.#proxyAgent ? https.request : http.request;
    return new Promise<HttpResponse>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(req, deadline, timeoutMs));
      const onAbort = () => request.destroy(abortReason(req, deadline, timeoutMs));
      const request = send(target, (res) => {
        const status = res.statusCode ?? 0;
        const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
        let stream: HttpResponse['body'] = res;
        if (encoding === 'gzip') {
          const gunzip = createGunzip();
          res.on('error', (e) => gunzip.destroy(e));
          stream = res.pipe(gunzip);
        }
        const streamed = req.stream === true && status === req.expect;
        if (streamed) signal?.removeEventListener('abort', onAbort);
        // A streamed body may take longer than the deadline in total: only the caller's
        // signal ends it, and an idle timer (the socket's) catches a server gone silent.
        const bodySignal = streamed ? req.signal : signal;
        if (bodySignal) {
          const onAbort = () => stream.destroy(abortReason(req, deadline, timeoutMs));
          bodySignal.addEventListener('abort', onAbort, { once: true });
          res.once('close', () => bodySignal.removeEventListener('abort', onAbort));
        }
        if (streamed && timeoutMs !== undefined) {
          res.setTimeout(timeoutMs, () => stream.destroy(new TimeoutError(`no data for ${timeoutMs} ms`)));
        }
        if (status === req.expect) return resolve({ status, headers: res.headers, body: stream });
        readText(stream).then(
          (text) => reject(errorFromResponse(status, text, res.headers, req.context)),
          (err: unknown) => reject(err),
        );
      });
      if (signal) {
        signal.addEventListener('abort', onAbort, { once: true });
        request.once('close', () => signal.removeEventListener('abort', onAbort));
      }
      request.on('error', reject);
      request.end(body.data);
    });
  }
}

function abortReason(
  req: HttpRequest,
  deadline: AbortSignal | undefined,
  timeoutMs: number | undefined,
): Error {
  if (req.signal?.aborted) return aborted(req.context, req.signal);
  if (deadline?.aborted) return new TimeoutError(`timed out after ${timeoutMs} ms`);
  return new Error('aborted');
}

function aborted(context: string, signal: AbortSignal): OperationalError {
  const reason: unknown = signal.reason;
  const why = reason === undefined ? 'aborted' : messageOf(reason);
  return new OperationalError(`${context}: aborted (${why})`, { cause: reason });
}

function basicAuth(username: string | undefined, password: string | undefined): string | undefined {
  if (!username) return undefined;
  return `Basic ${Buffer.from(`${username}:${password ?? ''}`, 'utf8').toString('base64')}`;
}

function encodeParams(params: Readonly<Record<string, string | undefined>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.append(key, value);
  return search.toString();
}

/** Reads a whole body as UTF-8 text. */
export async function readText(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
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

function tlsSettings(o: ResolvedOptions): https.AgentOptions {
  const settings: { -readonly [K in keyof https.AgentOptions]: https.AgentOptions[K] } = {
    rejectUnauthorized: o.verifySsl !== false,
  };
  if (typeof o.verifySsl === 'string') settings.ca = readFileSync(o.verifySsl);
  if (typeof o.cert === 'string') {
    const pem = readFileSync(o.cert);
    settings.cert = pem;
    settings.key = pem;
  } else if (o.cert) {
    settings.cert = readFileSync(o.cert[0]);
    settings.key = readFileSync(o.cert[1]);
  }
  return settings;
}

/** An https.Agent whose sockets are TLS over a CONNECT tunnel through an HTTP proxy. */
class TunnelAgent extends https.Agent {
  readonly #proxy: URL;

  constructor(proxy: URL, options: https.AgentOptions) {
    super(options);
    this.#proxy = proxy;
  }

  override createConnection(
    options: http.ClientRequestArgs & tls.ConnectionOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const done = callback ?? (() => undefined);
    const host = String(options.host ?? 'localhost');
    const authority = `${host.includes(':') ? `[${host}]` : host}:${options.port}`;
    const headers: Record<string, string> = { host: authority };
    const proxyAuth = basicAuth(
      decodeURIComponent(this.#proxy.username),
      decodeURIComponent(this.#proxy.password),
    );
    if (proxyAuth) headers['proxy-authorization'] = proxyAuth;
    const connect = http.request({
      host: this.#proxy.hostname.replace(/^\[|\]$/g, ''),
      port: Number(this.#proxy.port || 80),
      method: 'CONNECT',
      path: authority,
      headers,
      agent: false,
    });
    connect.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        done(new OperationalError(`the proxy refused the tunnel to ${authority}: ${res.statusCode}`), socket);
        return;
      }
      // SNI carries host names only (RFC 6066), never an address.
      const servername = options.servername ?? (isIP(host) ? undefined : host);
      const secure = tls.connect({ ...options, socket, servername });
      done(null, secure);
    });
    connect.once('error', (err) => done(err, undefined as unknown as Duplex));
    connect.end();
    return undefined;
  }
}
