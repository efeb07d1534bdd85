/**
 * InfluxDBClient3's HTTP side: its transport (http.ts, with proxies and tracing), the write
 * URL of each endpoint, one write attempt with the hints the retry loop needs, partial-write
 * errors line by line, and the server's version from `/ping`.
 */
import { gzip as gzipCallback } from 'node:zlib';
import { promisify } from 'node:util';
import { Error as FlightSQLError, InterfaceError } from '../errors';
import { errorFromResponse, InfluxDBClientError } from './errors';
import { HttpTransport, readText, type Headers } from './http';
import { resolveOptions } from './options';
import type { WirePrecision } from './timestamps';
import type { WriteBatch } from './WriteApi';
import { parseRetryAfter } from './WriteApi';

const gzip = promisify(gzipCallback);

/** Which HTTP write endpoint to use. */
export type WriteEndpoint = 'v3' | 'v2' | 'v1';

/** One line of a partial write that the server refused. */
export interface RejectedLine {
  /** The line's number in the request body, as the server counts it (`line_number`). */
  readonly lineNumber: number;
  /** The refused line, as the server quotes it (`original_line`). */
  readonly line: string;
  /** Why the server refused it (`error_message`). */
  readonly message: string;
}

/** A write some of whose lines the server refused (InfluxDB 3's partial write). */
export class PartialWriteError extends InfluxDBClientError {
  /** The refused lines, as the server reported them. */
  readonly rejected: readonly RejectedLine[] = [];
}

/** What the HTTP side needs of the client's settings. */
export interface Http3Settings {
  readonly url: URL;
  readonly token?: string;
  readonly authScheme?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** A proxy for every request; undefined: HTTP_PROXY, HTTPS_PROXY and NO_PROXY. */
  readonly proxyUrl?: string;
  readonly endpoint?: WriteEndpoint;
  readonly org?: string;
  readonly acceptPartial?: boolean;
  readonly noSync?: boolean;
  readonly retentionPolicy?: string;
  readonly gzipThreshold?: number;
}

const V3_PRECISION: Record<WirePrecision, string | undefined> = {
  n: 'nanosecond',
  u: 'microsecond',
  ms: 'millisecond',
  s: 'second',
  m: undefined,
  h: undefined,
};
const V2_PRECISION: Record<WirePrecision, string | undefined> = {
  n: 'ns',
  u: 'us',
  ms: 'ms',
  s: 's',
  m: undefined,
  h: undefined,
};

/** The HTTP connection of an InfluxDBClient3: writes and `/ping`. */
export class Http3 {
  readonly #settings: Http3Settings;
  readonly #transport: HttpTransport;

  constructor(settings: Http3Settings) {
    this.#settings = settings;
    const { url } = settings;
    const ssl = url.protocol === 'https:';
    const headers: Record<string, string> = { ...settings.headers };
    if (settings.token) headers['authorization'] = `${settings.authScheme ?? 'Bearer'} ${settings.token}`;
    this.#transport = new HttpTransport(
      resolveOptions({
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port ? Number(url.port) : ssl ? 443 : 80,
        ssl,
        path: url.pathname.replace(/\/+$/, ''),
        headers,
        // The batching writer retries (429, 503, network); the transport tries once.
        retries: 1,
        timeout: settings.timeoutMs === undefined ? undefined : settings.timeoutMs / 1000,
        proxies:
          settings.proxyUrl === undefined ? undefined : { http: settings.proxyUrl, https: settings.proxyUrl },
      }),
    );
  }

  /**
   * One attempt at writing a batch. A failure carries what the retry loop needs: `httpStatus`
   * and `retryAfterMs` of an answer, or `network` when it never got one.
   */
  async write(batch: WriteBatch, signal?: AbortSignal): Promise<void> {
    const [database, precision] = JSON.parse(batch.target) as [string, WirePrecision];
    const text = batch.lines.join('\n');
    let body = Buffer.from(text, 'utf8');
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=utf-8',
      accept: 'application/json',
    };
    if (body.length >= (this.#settings.gzipThreshold ?? 1000)) {
      body = await gzip(body);
      headers['content-encoding'] = 'gzip';
    }
    const context = `write of ${batch.lines.length} lines to "${database}"`;
    try {
      const res = await this.#transport.request({
        method: 'POST',
        ...this.#writePath(database, precision),
        body,
        headers,
        expect: [200, 204],
        idempotent: false,
        context,
        signal,
        onError: (status, content, answer) => writeError(status, content, answer, context),
        trace: { database, points: batch.lines.length, attempt: batch.attempts - 1 },
      });
      await readText(res.body);
    } catch (err) {
      // An answer (an HTTP error) or the caller's abort: as it is. Anything else: the network.
      if (err instanceof FlightSQLError && (err.httpStatus !== undefined || signal?.aborted)) throw err;
      throw Object.assign(err as object, { network: true });
    }
  }

  /**
   * The server's version: the `X-Influxdb-Version` header of `/ping`, else the `version` of
   * its JSON body (InfluxDB 3), else undefined.
   */
  async serverVersion(signal?: AbortSignal): Promise<string | undefined> {
    const { headers, text } = await this.#transport.text({
      method: 'GET',
      path: '/ping',
      expect: [200, 204],
      idempotent: true,
      context: 'ping',
      signal,
    });
    const header = headers['x-influxdb-version'];
    if (typeof header === 'string' && header !== '') return header;
    try {
      const version = (JSON.parse(text) as { version?: unknown } | null)?.version;
      return typeof version === 'string' ? version : undefined;
    } catch {
      return undefined;
    }
  }

  /** Frees every socket. */
  close(): Promise<void> {
    return this.#transport.close();
  }

  #writePath(
    database: string,
    precision: WirePrecision,
  ): { path: string; query: Record<string, string | undefined> } {
    const s = this.#settings;
    const endpoint = s.endpoint ?? 'v3';
    const name = (map: Record<WirePrecision, string | undefined>) => {
      const value = map[precision];
      if (!value) throw new InterfaceError(`the ${endpoint} write endpoint has no precision '${precision}'`);
      return value;
    };
    if (endpoint === 'v3') {
      return {
        path: '/api/v3/write_lp',
        query: {
          db: database,
          precision: name(V3_PRECISION),
          accept_partial: s.acceptPartial === false ? 'false' : undefined,
          no_sync: s.noSync ? 'true' : undefined,
        },
      };
    }
    if (endpoint === 'v2') {
      return {
        path: '/api/v2/write',
        query: { bucket: database, org: s.org || undefined, precision: name(V2_PRECISION) },
      };
    }
    return {
      path: '/write',
      query: { db: database, precision, rp: s.retentionPolicy || undefined },
    };
  }
}

/** The error of a refused write: a PartialWriteError when the body lists lines, with Retry-After. */
function writeError(status: number, text: string, headers: Headers, context: string): globalThis.Error {
  const error = errorFromResponse(status, text, headers, context);
  const rejected = rejectedLines(text);
  const thrown = rejected
    ? Object.assign(
        new PartialWriteError(error.message, {
          httpStatus: status,
          serverMessage: error.serverMessage,
          content: text,
        }),
        { rejected },
      )
    : error;
  return Object.assign(thrown, { retryAfterMs: parseRetryAfter(headers['retry-after']) });
}

/** The refused lines of an InfluxDB 3 partial-write answer, if the body is one. */
function rejectedLines(body: string): RejectedLine[] | undefined {
  try {
    const parsed = JSON.parse(body) as { data?: unknown };
    const data = Array.isArray(parsed.data)
      ? parsed.data
      : parsed.data && typeof parsed.data === 'object'
        ? [parsed.data]
        : undefined;
    if (!data) return undefined;
    return data.map((d: { line_number?: number; original_line?: string; error_message?: string }) => ({
      lineNumber: Number(d.line_number ?? 0),
      line: String(d.original_line ?? ''),
      message: String(d.error_message ?? ''),
    }));
  } catch {
    return undefined;
  }
}
