/**
 * InfluxDB 3's client (influxdb3-python's `InfluxDBClient3`, @influxdata/influxdb3-client's
 * `InfluxDBClient`): writes over HTTP (v3 `write_lp`, v2 or v1 endpoints), at once or in
 * batches with retries; queries in SQL or InfluxQL over Flight with InfluxDB's JSON ticket, as
 * Arrow, rows or typed points. The only file of `influx/` that imports `flight/`.
 */
import type { ChannelOptions } from '@grpc/grpc-js';
import type { Schema, Table } from 'apache-arrow';
import { loadPolars, type PolarsDataFrame } from '../dataframe';
import { traceTicketQuery } from '../diagnostics';
import { InterfaceError, closedError, registerSecret } from '../errors';
import {
  FlightClient,
  parseLocation,
  locationUri,
  type FlightStreamReader,
  type TlsOptions,
} from '../flight';
import type { Row } from '../values';
import { Http3, type WriteEndpoint } from './http3';
import { warningLogger, type Logger } from './logger';
import { parseConnectionString, optionsFromEnv, withEnvDefaults } from './options';
import type { TagValue } from './Point';
import { PointsReader } from './pointsOfBatch';
import type { PointValues } from './PointValues';
import {
  linesOfRecords,
  streamLinesOfRecords,
  type RecordOptions,
  type RowMapping,
  type WriteRecords,
} from './records';
import { isAsyncIterable } from './serialize';
import { prepareTags, type PreparedTags } from './tagOrder';
import { ticketOf } from './ticket';
import { wirePrecision, type Precision, type WirePrecision } from './timestamps';
import {
  BatchingWriter,
  resolveBatching,
  sendWithRetries,
  type WriteOptions as BatchingOptions,
  type WriteBatch,
} from './WriteApi';
import { writeFileLines, type WriteFileOptions } from './writeFile';

export { PartialWriteError, type RejectedLine, type WriteEndpoint } from './http3';

const NEVER = new AbortController().signal;

/** Write settings: the endpoint, its parameters, default tags, and batching. */
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
  /** Timestamp precision of the lines (default `ns`; INFLUX_PRECISION). */
  readonly precision?: Precision;
  /** v3: write the good lines of a request that has bad ones (default true). */
  readonly acceptPartial?: boolean;
  /** v3: answer before the write is durable (INFLUX_WRITE_NO_SYNC). */
  readonly noSync?: boolean;
  /** v1: the retention policy. */
  readonly retentionPolicy?: string;
  /**
   * Tags added to every point written (Points, point objects, rows of tables and files) that
   * does not have them itself: the point's own value wins, as in @influxdata/influxdb3-client.
   * Line-protocol text is sent as it is.
   */
  readonly defaultTags?: Readonly<Record<string, TagValue>>;
}

/** Options of `new InfluxDBClient3()`. Those not given come from INFLUX_* variables (see `optionsFromEnv`). */
export interface InfluxDBClient3Options {
  /** `http(s)://host:port[/path]`; without a scheme, HTTPS (INFLUX_HOST). */
  readonly host?: string;
  /** The token (INFLUX_TOKEN). */
  readonly token?: string;
  /** The database (INFLUX_DATABASE). */
  readonly database?: string;
  /** The organisation, for the v2 endpoint (INFLUX_ORG). */
  readonly org?: string;
  /** `Authorization` scheme for the token (default `Bearer`; InfluxDB also takes `Token`; INFLUX_AUTH_SCHEME). */
  readonly authScheme?: string;
  /** Where and how writes go: the endpoint, precision, batching and retries (see {@link WriteOptions3}). */
  readonly writeOptions?: WriteOptions3;
  /** Flight settings: another location for queries, TLS, grpc-js channel options (INFLUX_GRPC_OPTIONS). */
  readonly flightOptions?: {
    /** The Flight location of queries (default: the HTTP host and port as `grpc(+tls)://`). */
    readonly host?: string;
    /** TLS of the Flight channel (default: as the location says). */
    readonly tls?: boolean | TlsOptions;
    /** grpc-js channel options of the Flight channel. */
    readonly channelOptions?: ChannelOptions;
  };
  /** Headers sent with every write and query. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Timeout of each HTTP write attempt (to connect, for the answer, between pieces of it) and
   * deadline of each query call, in milliseconds (INFLUX_TIMEOUT).
   */
  readonly timeoutMs?: number;
  /**
   * The proxy of the HTTP requests (writes, `getServerVersion`), e.g. `http://user:pw@proxy:3128`.
   * Without it HTTP_PROXY, HTTPS_PROXY and NO_PROXY apply (lower case too). Flight queries
   * follow grpc-js's own variables (grpc_proxy, https_proxy, http_proxy, no_grpc_proxy, no_proxy).
   */
  readonly proxyUrl?: string;
  /** Hears of retries and of failures nobody else hears of (default: process warnings). */
  readonly logger?: Logger;
}

/** Per-write options. */
export interface WriteCallOptions extends RowMapping {
  /** Database (default: the client's). */
  readonly database?: string;
  /** Timestamp precision of this write (default: `writeOptions.precision`). */
  readonly precision?: Precision;
  /** Cancels the write. */
  readonly signal?: AbortSignal;
  /** Default tags of this write, instead of the client's `writeOptions.defaultTags`. */
  readonly defaultTags?: Readonly<Record<string, TagValue>>;
}

/** What `query()` returns, by `mode`. */
export interface QueryModes {
  /** `all` (default): the whole result as an Arrow Table. */
  all: Table;
  /** `chunk`: the stream reader, read chunk by chunk. */
  chunk: FlightStreamReader;
  /** `reader`: the stream reader. */
  reader: FlightStreamReader;
  /** `schema`: the result's Arrow schema. */
  schema: Schema;
  /** `rows`: the rows as objects, as they arrive. */
  rows: AsyncIterable<Row>;
  /**
   * `polars`: the whole result as a nodejs-polars DataFrame (influxdb3-python's `pandas` mode),
   * built from the Arrow batches; nodejs-polars is an optional peer dependency.
   */
  polars: PolarsDataFrame;
}

/** Options of `query()`. */
export interface QueryOptions3<M extends keyof QueryModes = 'all'> {
  /** `sql` (default) or `influxql`. */
  readonly language?: 'sql' | 'influxql';
  /** @influxdata/influxdb3-client's name for `language`. */
  readonly type?: 'sql' | 'influxql';
  /** What `query()` returns (default `all`): see {@link QueryModes}. */
  readonly mode?: M;
  /** Database (default: the client's). */
  readonly database?: string;
  /**
   * Named parameters (`$name` in the query), sent as the ticket's `params`. A bigint is sent as
   * the JSON number it is, every digit kept.
   */
  readonly params?: Readonly<Record<string, string | number | bigint | boolean | null>>;
  /** Headers of this query, beside the client's. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Cancels the query. */
  readonly signal?: AbortSignal;
}

/** Options of `queryPoints()`. */
export interface QueryPointsOptions extends Omit<QueryOptions3, 'mode'> {
  /**
   * Columns that are tags, for servers that do not say so in `iox::column::type` metadata (the
   * embedded server); InfluxDB 3 says so.
   */
  readonly tagColumns?: readonly string[];
}

/** A client for InfluxDB 3 (and the write endpoints of 2.x and 1.x). */
export class InfluxDBClient3 implements AsyncDisposable {
  readonly #host: URL;
  readonly #token: string | undefined;
  readonly #database: string | undefined;
  readonly #options: InfluxDBClient3Options;
  readonly #write: WriteOptions3;
  readonly #defaultTags: PreparedTags | undefined;
  readonly #http: Http3;
  readonly #logger: Logger;
  readonly #writer: BatchingWriter | undefined;
  #flight: FlightClient | undefined;
  #closed = false;

  /**
   * A client from options (INFLUX_* variables fill in what they leave out), from a connection
   * string (`https://host:8181?token=…&database=…`, see `parseConnectionString`; no INFLUX_*
   * variable is read), or, with no argument, from INFLUX_* variables alone. Proxy variables apply
   * unless `proxyUrl` is given.
   */
  constructor(options?: InfluxDBClient3Options | string) {
    const o = typeof options === 'string' ? parseConnectionString(options) : withEnvDefaults(options ?? {});
    const host = o.host;
    if (!host) throw new InterfaceError('InfluxDBClient3: no host (pass host, or set INFLUX_HOST)');
    try {
      this.#host = new URL(/^[a-z]+:\/\//i.test(host) ? host : `https://${host}`);
    } catch {
      throw new InterfaceError(`InfluxDBClient3: invalid host '${host}'`);
    }
    this.#token = o.token;
    registerSecret(this.#token);
    this.#database = o.database;
    this.#options = o;
    this.#write = o.writeOptions ?? {};
    this.#logger = o.logger ?? warningLogger;
    wirePrecision(this.#write.precision); // checks the name now
    this.#defaultTags = this.#write.defaultTags ? prepareTags(this.#write.defaultTags) : undefined;
    const w = this.#write;
    this.#http = new Http3({
      url: this.#host,
      token: o.token,
      authScheme: o.authScheme,
      headers: o.headers,
      timeoutMs: o.timeoutMs,
      proxyUrl: o.proxyUrl,
      org: o.org,
      endpoint: w.endpoint,
      acceptPartial: w.acceptPartial,
      noSync: w.noSync,
      retentionPolicy: w.retentionPolicy,
      gzipThreshold: w.gzipThreshold,
    });
    if (resolveBatching(this.#write)) {
      this.#writer = new BatchingWriter(
        (batch, signal) => this.#http.write(batch, signal),
        this.#write,
        this.#logger,
      );
    }
  }

  /** A client from a connection string (@influxdata/influxdb3-client's `new InfluxDBClient(string)`). */
  static fromConnectionString(connectionString: string): InfluxDBClient3 {
    return new InfluxDBClient3(connectionString);
  }

  /** A client from INFLUX_* variables alone (@influxdata/influxdb3-client's `new InfluxDBClient()`). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): InfluxDBClient3 {
    return new InfluxDBClient3(optionsFromEnv(env));
  }

  /**
   * Writes records: Points, point objects, line-protocol text, or an Arrow Table or a
   * nodejs-polars DataFrame (with `measurement` or `measurementColumn`, `tagColumns`,
   * `timestampColumn`, `fieldColumns`); one, or any number in an array, iterable
   * or async iterable. Without batching it resolves once the server has the lines; with
   * batching, once they are buffered (see `flush()` and the callbacks). Every record of an
   * array or iterable is checked before anything is sent; an async iterable is read and sent
   * a batch at a time, each batch checked before it goes.
   */
  async write(records: WriteRecords, options: WriteCallOptions = {}): Promise<void> {
    this.#check();
    const precision = wirePrecision(options.precision ?? this.#write.precision);
    const target = this.#target(options.database, precision);
    const mapping = this.#mapping(options);
    if (isAsyncIterable(records)) {
      const chunk = this.#write.batchSize ?? (this.#writer ? 1000 : 5000);
      await streamLinesOfRecords(records, precision, mapping, chunk, (lines) =>
        this.#writeLines(lines, target, options.signal),
      );
      return;
    }
    const lines = linesOfRecords(records, precision, mapping);
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
    return writeFileLines(path, precision, { ...options, ...this.#mapping(options) }, (lines) =>
      this.#writeLines(lines, target, options.signal),
    );
  }

  /**
   * Runs a SQL or InfluxQL query over Flight (InfluxDB's JSON ticket). `mode`: `all` (an Arrow
   * Table, default), `reader`/`chunk` (a FlightStreamReader), `schema`, `rows` (objects), or
   * `polars` (a nodejs-polars DataFrame).
   */
  async query<M extends keyof QueryModes = 'all'>(
    query: string,
    options: QueryOptions3<M> = {},
  ): Promise<QueryModes[M]> {
    this.#check();
    const database = options.database ?? this.#database;
    if (!database) throw new InterfaceError('query(): no database (pass database, or set INFLUX_DATABASE)');
    if (options.language && options.type && options.language !== options.type) {
      throw new InterfaceError(`query(): language '${options.language}' and type '${options.type}' differ`);
    }
    const language = options.language ?? options.type ?? 'sql';
    // Before the call: a missing nodejs-polars must not leave a query running on the server.
    if (options.mode === 'polars') loadPolars();
    const flight = this.#flightClient();
    const ticket = { ticket: ticketOf({ database, query, language, params: options.params }) };
    // Traced on flightsql:query until the stream ends (the ticket's params are never published).
    const reader = await traceTicketQuery(query, flight, database, ticket, () =>
      flight.doGet(ticket, {
        headers: { ...this.#options.headers, ...options.headers },
        signal: options.signal,
      }),
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
      case 'polars':
        return (await reader.readPolars()) as QueryModes[M];
      default:
        reader.cancel();
        throw new InterfaceError(`query(): unknown mode '${String(mode)}'`);
    }
  }

  /**
   * Runs a query and yields each row as PointValues (@influxdata/influxdb3-client's
   * `queryPoints`): measurement, tags, typed fields (integers as bigint), time in exact
   * nanoseconds. What each column is comes from InfluxDB 3's `iox::column::type` metadata,
   * else from its name and type (see docs/influx3.md). Nothing is sent until the first
   * iteration; leaving the loop early cancels the query.
   */
  async *queryPoints(
    query: string,
    options: QueryPointsOptions = {},
  ): AsyncGenerator<PointValues, void, undefined> {
    const reader = await this.query(query, { ...options, mode: 'reader' });
    let points: PointsReader | undefined;
    for await (const batch of reader) {
      points ??= new PointsReader(reader.schema, options.tagColumns);
      yield* points.points(batch);
    }
  }

  /**
   * The server's version (@influxdata/influxdb3-client's `getServerVersion`): the
   * `X-Influxdb-Version` header of `/ping`, else the `version` of its JSON body, else undefined.
   */
  async getServerVersion(options: { readonly signal?: AbortSignal } = {}): Promise<string | undefined> {
    this.#check();
    return this.#http.serverVersion(options.signal);
  }

  /** Sends every buffered batch and waits for them (batching mode); resolves at once otherwise. */
  async flush(): Promise<void> {
    await this.#writer?.flush();
  }

  /** Flushes pending writes (up to `maxCloseWait`), then closes the HTTP connections and the Flight channel. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writer?.close();
    await Promise.all([this.#http.close(), this.#flight?.close()]);
  }

  /** Closes the client (see `close()`): `await using client = new InfluxDBClient3(…)`. */
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

  #mapping(options: WriteCallOptions): RecordOptions {
    const defaults = options.defaultTags ? prepareTags(options.defaultTags) : this.#defaultTags;
    return defaults ? { ...options, defaults } : options;
  }

  async #writeLines(lines: readonly string[], target: string, signal?: AbortSignal): Promise<void> {
    if (lines.length === 0) return;
    if (this.#writer) return this.#writer.write(target, lines);
    // At once: the same retries as batching (429, 503, network), then the error is the caller's.
    const size = this.#write.batchSize ?? 5000;
    const send = (batch: WriteBatch, s: AbortSignal) => this.#http.write(batch, s);
    for (let i = 0; i < lines.length; i += size) {
      const batch = { target, lines: lines.slice(i, i + size), attempts: 0 };
      await sendWithRetries(send, batch, this.#write, signal ?? NEVER, this.#logger);
    }
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
      channelOptions: flight?.channelOptions,
    });
    return this.#flight;
  }
}

export type { WriteFileOptions };
