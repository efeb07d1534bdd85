/**
 * influxdb-python's DataFrameClient for InfluxDB 1.x, with polars DataFrames: `writePoints`
 * writes a frame's rows as points, `query` reads SELECT results into frames keyed by series.
 * Every other InfluxDBClient method (createDatabase, getListMeasurements...) is there too.
 */
import { inspect } from 'node:util';
import { Table } from 'apache-arrow';
import { isPolarsDataFrame, loadPolars, polarsToTable, type PolarsDataFrame } from '../dataframe';
import { InterfaceError, ProgrammingError } from '../errors';
import { statementError } from './errors';
import { framePoints, type FramePointsOptions } from './framePoints';
import { DataFrames, StatementFrames, type SeriesChunk } from './frames';
import { HttpTransport, type CallOptions } from './http';
import { InfluxDBClient } from './InfluxDBClient';
import { parseJson } from './json';
import { checkWriteOptions, type Consistency } from './methodOptions';
import { decodeAll, type MsgpackValue } from './msgpack';
import { parseDSN, resolveOptions, type InfluxDBClientOptions } from './options';
import { queryRequest, type QueryOptions } from './query';
import { NANOS_PER, wirePrecision, type Precision } from './timestamps';

/** Options of `DataFrameClient.writePoints` (influxdb-python's `write_points` arguments). */
export interface DataFrameWriteOptions extends FramePointsOptions, CallOptions {
  /** Precision of the written times (default `ns`); times are cut to it exactly, never through floats. */
  readonly timePrecision?: Precision;
  /** Points per request (default: all in one). Batches go in order; the first failure stops the rest. */
  readonly batchSize?: number;
  /** Database (default: the client's). */
  readonly database?: string;
  /** Retention policy (default: the database's default). */
  readonly retentionPolicy?: string;
  /** Write consistency (InfluxDB Enterprise). */
  readonly consistency?: Consistency;
}

/** Options of `DataFrameClient.query` (influxdb-python's `query` arguments). */
export interface DataFrameQueryOptions extends QueryOptions {
  /**
   * Drop the columns of a frame in which every value is null (influxdb-python's `dropna`,
   * default true: `dropna(how='all', axis=1)`). Rows are never dropped.
   */
  readonly dropna?: boolean;
}

const ACCEPT_MSGPACK = { accept: 'application/x-msgpack' } as const;

/**
 * influxdb-python's `DataFrameClient`: an InfluxDBClient whose `writePoints` and `query` take
 * and give polars DataFrames (nodejs-polars, an optional peer dependency).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface below
export class DataFrameClient implements AsyncDisposable {
  /** The InfluxDBClient this client writes and administers through (its methods are also this client's). */
  readonly client: InfluxDBClient;
  // Queries ask for MessagePack (as influxdb-python does): unlike JSON it keeps 1.0 a float.
  readonly #http: HttpTransport;

  /** A client with InfluxDBClient's options; nothing is sent until the first call. */
  constructor(options: InfluxDBClientOptions = {}) {
    this.client = new InfluxDBClient(options);
    this.#http = new HttpTransport(resolveOptions(options));
  }

  /** A client from a DSN (see `InfluxDBClient.fromDSN`). */
  static fromDSN(dsn: string, overrides: InfluxDBClientOptions = {}): DataFrameClient {
    return new DataFrameClient({ ...parseDSN(dsn), ...overrides });
  }

  /**
   * Writes the rows of a DataFrame (or Arrow Table) as points of `measurement`: the time from
   * `timeColumn` (default `time`), tags from `tags` and `tagColumns`, fields from
   * `fieldColumns` (default: every other column). A row's null and NaN fields are left out of
   * its line, and a row with no field left is not written. Every row is checked before the
   * first request.
   */
  async writePoints(
    frame: PolarsDataFrame | Table,
    measurement: string,
    options: DataFrameWriteOptions = {},
  ): Promise<true> {
    const table = tableOf(frame);
    if (typeof measurement !== 'string' || measurement === '')
      throw new ProgrammingError('writePoints needs a measurement name');
    checkWriteOptions(options);
    const precision = options.timePrecision;
    wirePrecision(precision);
    const points = framePoints(table, measurement, options);
    if (points.length === 0) return true;
    return this.client.writePoints(points, {
      timePrecision: precision,
      batchSize: options.batchSize,
      database: options.database,
      retentionPolicy: options.retentionPolicy,
      consistency: options.consistency,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    });
  }

  /**
   * Runs a SELECT and reads its series into DataFrames: a Map keyed by measurement, or by
   * series key (`cpu,host=a`) for GROUP BY series; `get(measurement, tags)` finds one. Each
   * frame has a `time` column (nanoseconds, UTC) sorted ascending, then the series' columns.
   * With several statements, `statements` holds each one's frames.
   */
  async query(q: string, options: DataFrameQueryOptions = {}): Promise<DataFrames> {
    loadPolars();
    if (typeof q !== 'string' || !/^\s*select\b/i.test(q)) {
      throw new ProgrammingError(
        'DataFrameClient.query reads SELECT statements into DataFrames, as influxdb-python; run other statements with client.query()',
      );
    }
    const { dropna = true, raiseErrors = true, ...rest } = options;
    const unitNs = options.epoch === undefined ? 1n : NANOS_PER[wirePrecision(options.epoch, 'epoch')];
    const request = queryRequest(q, rest, this.client.database);
    const res = await this.#http.request({ ...request, headers: ACCEPT_MSGPACK });
    const body = await readBody(res.body);
    const type = String(res.headers['content-type'] ?? '');
    const documents = type.includes('msgpack') ? decodeAll(body) : [jsonAnswer(body)];
    const statements = new Map<number, { frames: StatementFrames; error?: string }>();
    for (const doc of documents) {
      const answer = doc as { results?: MsgpackValue; error?: MsgpackValue } | null;
      if (typeof answer?.error === 'string') throw statementError(answer.error, undefined);
      for (const result of Array.isArray(answer?.results) ? answer.results : []) {
        const r = result as { statement_id?: bigint | number; series?: SeriesChunk[]; error?: string };
        const id = Number(r.statement_id ?? 0);
        if (typeof r.error === 'string' && raiseErrors) throw statementError(r.error, id);
        let entry = statements.get(id);
        if (entry === undefined) statements.set(id, (entry = { frames: new StatementFrames() }));
        if (typeof r.error === 'string') entry.error = r.error;
        for (const series of Array.isArray(r.series) ? r.series : []) entry.frames.add(series);
      }
    }
    const all = [...statements.keys()]
      .sort((a, b) => a - b)
      .map((id) => {
        const { frames, error } = statements.get(id)!;
        const built = frames.build(unitNs, dropna);
        if (error !== undefined) built.error = error;
        return built;
      });
    const first = all[0] ?? new DataFrames();
    for (const frames of all) frames.statements = all;
    return first;
  }

  /** Uses other credentials for later calls (no request). */
  switchUser(username: string | undefined, password: string | undefined): void {
    this.client.switchUser(username, password);
    this.#http.setCredentials(username, password);
  }

  /** Closes every connection; later calls throw. A second close does nothing. */
  async close(): Promise<void> {
    await Promise.all([this.client.close(), this.#http.close()]);
  }

  /** Same as `close()`, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** `DataFrameClient(http://user@host:8086, database: "db")`: no password, ever. */
  toString(): string {
    return this.client.toString().replace(/^InfluxDBClient/, 'DataFrameClient');
  }

  /** What console.log and util.inspect show: the same as toString. */
  [inspect.custom](): string {
    return this.toString();
  }

  /** JSON.stringify gives the description too, never the password. */
  toJSON(): string {
    return this.toString();
  }
}

type Own = 'query' | 'writePoints' | 'switchUser' | 'close' | 'toString' | 'toJSON';

// influxdb-python's DataFrameClient is an InfluxDBClient. Here its query() cannot be a subtype
// of InfluxDBClient.query (frames, not a ResultSet), and InfluxDBClient's own methods call
// this.query expecting a ResultSet, so a DataFrameClient holds a client and lends its other
// methods (present and future) to its prototype. The interface gives them their types.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface DataFrameClient extends Omit<
  InfluxDBClient,
  Own | typeof Symbol.asyncDispose | typeof inspect.custom
> {
  /** The default database of writes and queries (the wrapped client's). */
  readonly database: string | undefined;
}

for (const name of Object.getOwnPropertyNames(InfluxDBClient.prototype)) {
  if (name === 'constructor' || Object.prototype.hasOwnProperty.call(DataFrameClient.prototype, name))
    continue;
  const own = Object.getOwnPropertyDescriptor(InfluxDBClient.prototype, name)!;
  const client = (self: DataFrameClient) => self.client as unknown as Record<string, unknown>;
  Object.defineProperty(
    DataFrameClient.prototype,
    name,
    typeof own.value === 'function'
      ? {
          value(this: DataFrameClient, ...args: unknown[]) {
            return (client(this)[name] as (...a: unknown[]) => unknown).apply(this.client, args);
          },
          writable: true,
          configurable: true,
        }
      : {
          get(this: DataFrameClient): unknown {
            return own.get?.call(this.client);
          },
          configurable: true,
        },
  );
}

function tableOf(frame: PolarsDataFrame | Table): Table {
  if (frame instanceof Table) return frame;
  loadPolars();
  if (!isPolarsDataFrame(frame))
    throw new InterfaceError('writePoints takes a nodejs-polars DataFrame or an Arrow Table');
  return polarsToTable(frame);
}

async function readBody(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * A JSON answer (from a server that ignores the MessagePack request): JSON cannot tell 1.0
 * from 1, so whole numbers are read as integers, as pandas would read them.
 */
function jsonAnswer(body: Buffer): MsgpackValue {
  const answer = parseJson(body.toString('utf8')) as { results?: { series?: SeriesChunk[] }[] } | null;
  for (const result of answer?.results ?? []) {
    for (const series of result.series ?? []) {
      for (const row of series.values ?? []) {
        const cells = row as MsgpackValue[];
        for (let i = 0; i < cells.length; i++) {
          const v = cells[i];
          if (typeof v === 'number' && Number.isInteger(v)) cells[i] = BigInt(v);
        }
      }
    }
  }
  return answer as MsgpackValue;
}
