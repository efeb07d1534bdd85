/**
 * InfluxDB 3's client (influxdb3-python's `InfluxDBClient3`): writes over HTTP (v3 `write_lp`,
 * v2 or v1 endpoints), at once or in batches with retries; queries in SQL or InfluxQL over
 * Flight with InfluxDB's JSON ticket. The only file of `influx/` that imports `flight/`.
 */
import { randomBytes } from 'node:crypto';
import { gzip as gzipCallback } from 'node:zlib';
import { promisify } from 'node:util';
import type { Schema, Table } from 'apache-arrow';
import { InterfaceError, OperationalError, closedError, messageOf, registerSecret } from '../errors';
import {
  FlightClient,
  parseLocation,
  locationUri,
  type FlightStreamReader,
  type TlsOptions,
} from '../flight';
import type { Row } from '../values';
import { errorFromResponse, InfluxDBClientError } from './errors';
import { linesOfRecords, streamLinesOfRecords, type RowMapping, type WriteRecords } from './records';
import { isAsyncIterable } from './serialize';
import { wirePrecision, type Precision, type WirePrecision } from './timestamps';
import {
  BatchingWriter,
  parseRetryAfter,
  resolveBatching,
  sendWithRetries,
  type WriteOptions as BatchingOptions,
  type WriteBatch,
} from './WriteApi';
import { writeFileLines, type WriteFileOptions } from './writeFile';

const gzip = promisify(gzipCallback);
const NEVER = new AbortController().signal;

/** Which HTTP write endpoint to use. */
export type WriteEndpoint = 'v3' | 'v2' | 'v1';

/** Write settings: the endpoint, its parameters, and batching. */
export interface WriteOptions3 extends BatchingOptions {
  /**
   * Batch writes in the background (`true`), or send each `write()` at once (`false`). When
   * not given, writes are batched as soon as a batch setting is (batchSize, flushInterval,
   * jitterInterval, the retry settings, maxBufferLines, maxCloseWait, the callbacks), as
   * influxdb3-python's WriteOptions are; otherwise sent at once. `false` with a setting that
   * only batching uses (flushInterval, maxBufferLines, maxCloseWait, success, error) is a
   * ProgrammingError.
   */
  readonly batching?: boolean;
  /** `v3` (`/api/v3/write_lp`, default), `v2` (`/api/v2/write`) or `v1` (`/write`). */
  readonly endpoint?: WriteEndpoint;
  /** Timestamp precision of the lines (default `ns`). */
  readonly precision?: Precision;
  /** v3: write the good lines of a request that has bad ones (default true). */
  readonly acceptPartial?: boolean;
  /** v3: answer before the write is durable. */
  readonly noSync?: boolean;
  /** v1: the retention policy. */
  readonly retentionPolicy?: string;
}

/** Options of `new InfluxDBClient3()`. */
export interface InfluxDBClient3Options {
  /** `http(s)://host:port` (default INFLUX_HOST). */
  readonly host?: string;
  /** The token (default INFLUX_TOKEN). */
  readonly token?: string;
  /** The database (default INFLUX_DATABASE). */
  readonly database?: string;
  /** The organisation, for the v2 endpoint. */
  readonly org?: string;
  /** `Authorization` scheme for the token (default `Bearer`; InfluxDB also takes `Token`). */
  readonly authScheme?: string;
  readonly writeOptions?: WriteOptions3;
  /** Flight settings: another location for queries, TLS, channel options. */
  readonly flightOptions?: { readonly host?: string; readonly tls?: boolean | TlsOptions };
  /** Headers sent with every write and query. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Deadline of each HTTP write and each query call, in milliseconds. */
  readonly timeoutMs?: number;
}

/** Per-write options. */
export interface WriteCallOptions extends RowMapping {
  readonly database?: string;
  readonly precision?: Precision;
  readonly signal?: AbortSignal;
}

/** What `query()` returns, by `mode`. */
export interface QueryModes {
  all: Table;
  chunk: FlightStreamReader;
  reader: FlightStreamReader;
  schema: Schema;
  rows: AsyncIterable<Row>;
}

/** Options of `query()`. */
export interface QueryOptions3<M extends keyof QueryModes = 'all'> {
  readonly language?: 'sql' | 'influxql';
  readonly mode?: M;
  readonly database?: string;
  /**
   * Named parameters (`$name` in the query), sent as the ticket's `params`. A bigint is sent as
   * the JSON number it is, every digit kept.
   */
  readonly params?: Readonly<Record<string, string | number | bigint | boolean | null>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** One line of a partial write that the server refused. */
export interface RejectedLine {
  readonly lineNumber: number;
  readonly line: string;
  readonly message: string;
}

/** A write some of whose lines the server refused (InfluxDB 3's partial write). */
export class PartialWriteError extends InfluxDBClientError {
  /** The refused lines, as the server reported them. */
  readonly rejected: readonly RejectedLine[] = [];
}

const env = (name: string) => (process.env[name] === '' ? undefined : process.env[name]);

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

/** A client for InfluxDB 3 (and the write endpoints of 2.x and 1.x). */
export class InfluxDBClient3 implements AsyncDisposable {
  readonly #host: URL;
  readonly #token: string | undefined;
  readonly #database: string | undefined;
  readonly #options: InfluxDBClient3Options;
  readonly #write: WriteOptions3;
  readonly #writer: BatchingWriter | undefined;
  #flight: FlightClient | undefined;
  #closed = false;

  constructor(options: InfluxDBClient3Options = {}) {
    const host = options.host ?? env('INFLUX_HOST');
    if (!host) throw new InterfaceError('InfluxDBClient3: no host (pass host, or set INFLUX_HOST)');
    try {
      this.#host = new URL(/^[a-z]+:\/\//i.test(host) ? host : `https://${host}`);
    } catch {
      throw new InterfaceError(`InfluxDBClient3: invalid host '${host}'`);
    }
    this.#token = options.token ?? env('INFLUX_TOKEN');
    registerSecret(this.#token);
    this.#database = options.database ?? env('INFLUX_DATABASE');
    this.#options = options;
    this.#write = options.writeOptions ?? {};
    wirePrecision(this.#write.precision); // checks the name now
    if (resolveBatching(this.#write)) {
      this.#writer = new BatchingWriter((batch, signal) => this.#sendBatch(batch, signal), this.#write);
    }
  }

  /**
   * Writes records: Points, point objects, line-protocol text, or an Arrow Table (with
   * `measurement`, `tagColumns`, `timestampColumn`); one, or any number in an array, iterable
   * or async iterable. Without batching it resolves once the server has the lines; with
   * batching, once they are buffered (see `flush()` and the callbacks). Every record of an
   * array or iterable is checked before anything is sent; an async iterable is read and sent
   * a batch at a time, each batch checked before it goes.
   */
  async write(records: WriteRecords, options: WriteCallOptions = {}): Promise<void> {
    this.#check();
    const precision = wirePrecision(options.precision ?? this.#write.precision);
    const target = this.#target(options.database, precision);
    if (isAsyncIterable(records)) {
      const chunk = this.#write.batchSize ?? (this.#writer ? 1000 : 5000);
      await streamLinesOfRecords(records, precision, options, chunk, (lines) =>
        this.#writeLines(lines, target, options.signal),
      );
      return;
    }
    const lines = linesOfRecords(records, precision, options);
    await this.#writeLines(lines, target, options.signal);
  }

  /**
   * Streams a file into the database: CSV, JSON (an array of objects), NDJSON, Arrow IPC
   * (file or stream, Feather v2) or Parquet, chosen by extension or `format`. Memory stays
   * bounded: rows are read, converted and written a chunk at a time.
   */
  async writeFile(path: string, options: WriteFileOptions & WriteCallOptions = {}): Promise<number> {
    this.#check();
    const precision = wirePrecision(options.precision ?? this.#write.precision);
    const target = this.#target(options.database, precision);
    return writeFileLines(path, precision, options, (lines) =>
      this.#writeLines(lines, target, options.signal),
    );
  }

  /**
   * Runs a SQL or InfluxQL query over Flight (InfluxDB's JSON ticket). `mode`: `all` (an Arrow
   * Table, default), `reader`/`chunk` (a FlightStreamReader), `schema`, or `rows` (objects).
   */
  async query<M extends keyof QueryModes = 'all'>(
    query: string,
    options: QueryOptions3<M> = {},
  ): Promise<QueryModes[M]> {
    this.#check();
    const database = options.database ?? this.#database;
    if (!database) throw new InterfaceError('query(): no database (pass database, or set INFLUX_DATABASE)');
    const ticket: Record<string, unknown> = {
      database,
      sql_query: query,
      query_type: options.language ?? 'sql',
    };
    // Every value is sent, 0, false and '' included (an InfluxDB client once dropped them).
    if (options.params && Object.keys(options.params).length > 0) ticket['params'] = { ...options.params };
    const reader = await this.#flightClient().doGet(
      { ticket: Buffer.from(ticketJson(ticket)) },
      { headers: { ...this.#options.headers, ...options.headers }, signal: options.signal },
    );
    const mode = options.mode ?? 'all';
    switch (mode) {
      case 'reader':
      case 'chunk':
        return reader as QueryModes[M];
      case 'schema': {
        const schema = reader.schema;
        reader.cancel();
        return schema as QueryModes[M];
      }
      case 'rows':
        return reader.rows({ rowMode: 'object' }) as unknown as QueryModes[M];
      case 'all':
        return (await reader.readAll()) as QueryModes[M];
      default:
        reader.cancel();
        throw new InterfaceError(`query(): unknown mode '${String(mode)}'`);
    }
  }

  /** Sends every buffered batch and waits for them (batching mode); resolves at once otherwise. */
  async flush(): Promise<void> {
    await this.#writer?.flush();
  }

  /** Flushes pending writes (up to `maxCloseWait`), then closes the Flight channel. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writer?.close();
    await this.#flight?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #check(): void {
    if (this.#closed) throw closedError('InfluxDBClient3');
  }

  #target(database: string | undefined, precision: WirePrecision): string {
    const db = database ?? this.#database;
    if (!db) throw new InterfaceError('write(): no database (pass database, or set INFLUX_DATABASE)');
    return JSON.stringify([db, precision]);
  }

  async #writeLines(lines: readonly string[], target: string, signal?: AbortSignal): Promise<void> {
    if (lines.length === 0) return;
    if (this.#writer) return this.#writer.write(target, lines);
    // At once: the same retries as batching (429, 503, network), then the error is the caller's.
    const size = this.#write.batchSize ?? 5000;
    const send = (batch: WriteBatch, s: AbortSignal) => this.#post(batch, s);
    for (let i = 0; i < lines.length; i += size) {
      const batch = { target, lines: lines.slice(i, i + size), attempts: 0 };
      await sendWithRetries(send, batch, this.#write, signal ?? NEVER);
    }
  }

  #sendBatch(batch: WriteBatch, signal: AbortSignal): Promise<void> {
    return this.#post(batch, signal);
  }

  /** One HTTP write; failures carry `httpStatus`, `retryAfterMs` or `network` for the batching writer. */
  async #post(batch: WriteBatch, signal?: AbortSignal): Promise<void> {
    const [database, precision] = JSON.parse(batch.target) as [string, WirePrecision];
    const url = this.#writeUrl(database, precision);
    let body: string | Buffer = batch.lines.join('\n');
    const headers: Record<string, string> = {
      ...this.#options.headers,
      'content-type': 'text/plain; charset=utf-8',
      accept: 'application/json',
    };
    if (this.#token) headers['authorization'] = `${this.#options.authScheme ?? 'Bearer'} ${this.#token}`;
    const threshold = this.#write.gzipThreshold ?? 1000;
    if (Buffer.byteLength(body) >= threshold) {
      body = await gzip(body);
      headers['content-encoding'] = 'gzip';
    }
    const signals = [
      signal,
      this.#options.timeoutMs ? AbortSignal.timeout(this.#options.timeoutMs) : undefined,
    ];
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined)),
      });
    } catch (err) {
      throw Object.assign(
        new OperationalError(
          `write to ${this.#host.origin}: ${messageOf((err as { cause?: unknown }).cause ?? err)}`,
          {
            cause: err,
          },
        ),
        { network: true },
      );
    }
    if (response.status === 204 || response.status === 200) {
      await response.body?.cancel();
      return;
    }
    const text = await response.text();
    const headerObject = Object.fromEntries(response.headers);
    const error = errorFromResponse(
      response.status,
      text,
      headerObject,
      `write of ${batch.lines.length} lines to "${database}"`,
    );
    const rejected = rejectedLines(text);
    const thrown = rejected
      ? Object.assign(
          new PartialWriteError(error.message, {
            httpStatus: response.status,
            serverMessage: error.serverMessage,
            content: text,
          }),
          {
            rejected,
          },
        )
      : error;
    throw Object.assign(thrown, {
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after') ?? undefined),
    });
  }

  #writeUrl(database: string, precision: WirePrecision): string {
    const endpoint = this.#write.endpoint ?? 'v3';
    const url = new URL(this.#host.href);
    const base = url.pathname.replace(/\/$/, '');
    const name = (map: Record<WirePrecision, string | undefined>) => {
      const value = map[precision];
      if (!value) throw new InterfaceError(`the ${endpoint} write endpoint has no precision '${precision}'`);
      return value;
    };
    if (endpoint === 'v3') {
      url.pathname = `${base}/api/v3/write_lp`;
      url.searchParams.set('db', database);
      url.searchParams.set('precision', name(V3_PRECISION));
      if (this.#write.acceptPartial === false) url.searchParams.set('accept_partial', 'false');
      if (this.#write.noSync) url.searchParams.set('no_sync', 'true');
    } else if (endpoint === 'v2') {
      url.pathname = `${base}/api/v2/write`;
      url.searchParams.set('bucket', database);
      if (this.#options.org) url.searchParams.set('org', this.#options.org);
      url.searchParams.set('precision', name(V2_PRECISION));
    } else {
      url.pathname = `${base}/write`;
      url.searchParams.set('db', database);
      url.searchParams.set('precision', precision);
      if (this.#write.retentionPolicy) url.searchParams.set('rp', this.#write.retentionPolicy);
    }
    return url.toString();
  }

  #flightClient(): FlightClient {
    if (this.#flight) return this.#flight;
    const flight = this.#options.flightOptions;
    let location = flight?.host;
    if (!location) {
      const tls = this.#host.protocol === 'https:';
      const port = this.#host.port ? Number(this.#host.port) : tls ? 443 : 80;
      location = locationUri(
        parseLocation(
          `${this.#host.hostname.includes(':') ? `[${this.#host.hostname}]` : this.#host.hostname}:${port}`,
          tls,
        ),
      );
    }
    this.#flight = new FlightClient(location, {
      token: this.#token,
      tls: flight?.tls,
      timeoutMs: this.#options.timeoutMs,
    });
    return this.#flight;
  }
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

export type { WriteFileOptions };

/**
 * The JSON of a ticket, bigints written as JSON numbers with all their digits (JSON.stringify
 * refuses them, and a double would round them). The placeholder carries a random mark, so that no
 * string of the caller's can be taken for one.
 */
function ticketJson(ticket: Record<string, unknown>): string {
  const mark = `\u0000${randomBytes(6).toString('hex')}:`;
  const json = JSON.stringify(ticket, (_key, value: unknown) =>
    typeof value === 'bigint' ? `${mark}${value}` : value,
  );
  // JSON.stringify writes the mark's NUL as \u0000.
  const quoted = JSON.stringify(mark).slice(1, -1);
  return json.replace(new RegExp(`"${escapeRegExp(quoted)}(-?\\d+)"`, 'g'), '$1');
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}
