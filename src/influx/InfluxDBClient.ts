/**
 * InfluxDB 1.x over HTTP, with influxdb-python's InfluxDBClient methods in camelCase: writes
 * (line protocol, HTTP or UDP), InfluxQL queries, and administration of databases,
 * retention policies, users, privileges, series and continuous queries.
 */
import { inspect } from 'node:util';
import { InterfaceError, registerSecret } from '../errors';
import { HttpTransport, readText, type CallOptions } from './http';
import * as ql from './influxql';
import {
  parseDSN,
  resolveOptions,
  describeOptions,
  type InfluxDBClientOptions,
  type ResolvedOptions,
} from './options';
import {
  call,
  checkConsistency,
  checkWriteOptions,
  type AlterRetentionPolicyOptions,
  type CreateRetentionPolicyOptions,
  type DatabaseOptions,
  type SeriesOptions,
  type WriteData,
  type WriteOptions,
  type WritePointsOptions,
} from './methodOptions';
import { prepareTags } from './tagOrder';
import { ChunkedResult, parseAnswer, queryRequest, resultSets, type QueryOptions } from './query';
import type { ResultPoint, ResultSet } from './ResultSet';
import { batches, isAsyncIterable, linesOf, linesOfText, type WritablePoint } from './serialize';
import { wirePrecision, type Precision } from './timestamps';
import { UdpSender } from './udp';

/** A client of InfluxDB 1.x's HTTP API (influxdb-python's `InfluxDBClient`). */
export class InfluxDBClient implements AsyncDisposable {
  readonly #options: ResolvedOptions;
  readonly #http: HttpTransport;
  #username: string | undefined;
  #udp: UdpSender | undefined;
  #database: string | undefined;

  /** A client; nothing is sent until the first call. */
  constructor(options: InfluxDBClientOptions = {}) {
    this.#options = resolveOptions(options);
    this.#database = this.#options.database;
    this.#username = this.#options.username;
    this.#http = new HttpTransport(this.#options);
  }

  /**
   * A client from a DSN: `influxdb://user:pass@host:8086/db`, `https+influxdb://...` or
   * `udp+influxdb://...`; `overrides` win over what the DSN says.
   */
  static fromDSN(dsn: string, overrides: InfluxDBClientOptions = {}): InfluxDBClient {
    return new InfluxDBClient({ ...parseDSN(dsn), ...overrides });
  }

  /** The default database of writes and queries. */
  get database(): string | undefined {
    return this.#database;
  }

  /** Checks that the server answers; resolves to its version (`X-Influxdb-Version`). */
  async ping(options: CallOptions = {}): Promise<string> {
    const res = await this.#http.request({
      method: 'GET',
      path: '/ping',
      expect: 204,
      idempotent: true,
      context: 'ping',
      ...call(options),
    });
    await readText(res.body);
    return String(res.headers['x-influxdb-version'] ?? '');
  }

  /**
   * Writes data as one request: with `protocol: 'json'` (default) `{ points, tags }` as
   * influxdb-python's `write`, with `'line'` a string or strings of line protocol.
   */
  async write(data: WriteData | string | readonly string[], options: WriteOptions = {}): Promise<true> {
    const precision = wirePrecision(options.timePrecision);
    if ((options.protocol ?? 'json') === 'line') {
      const lines = linesOfText(data as string | string[]);
      await this.#write(lines.join('\n'), lines.length, false, precision, options);
      return true;
    }
    const { points, tags, measurement } = data as WriteData;
    const { lines, timed } = linesOf(points, precision, tags ? prepareTags(tags) : undefined, measurement);
    await this.#write(lines.join('\n'), lines.length, timed, precision, options);
    return true;
  }

  /**
   * Writes points (Points or `{ measurement, tags, fields, time }` objects, or line-protocol
   * strings with `protocol: 'line'`), any number of them: an array, any iterable, or an async
   * iterable (read to its end first). Every point is checked before the first request; with
   * `batchSize`, batches go one after the other and the first failure stops the rest. Over
   * UDP when the client has `useUdp`.
   */
  async writePoints(
    points: Iterable<WritablePoint> | Iterable<string> | AsyncIterable<WritablePoint> | AsyncIterable<string>,
    options: WritePointsOptions = {},
  ): Promise<true> {
    const precision = wirePrecision(options.timePrecision);
    checkWriteOptions(options);
    const items = isAsyncIterable(points) ? await collect(points as AsyncIterable<unknown>) : points;
    const { lines, timed } =
      options.protocol === 'line'
        ? { lines: linesOfText(items as Iterable<string>), timed: false }
        : linesOf(
            items as Iterable<WritablePoint>,
            precision,
            options.tags ? prepareTags(options.tags) : undefined,
          );
    if (this.#options.useUdp) return this.#sendLines(lines);
    for (const batch of batches(lines, options.batchSize)) {
      await this.#write(batch.body, batch.points, timed, precision, options, batch.label);
    }
    return true;
  }

  /**
   * Runs InfluxQL. Resolves to the first statement's ResultSet (`rs.statements` holds all of
   * them when there are several); with `chunked: true`, to an async iterable of ResultSets
   * read as the server streams them. Statement errors throw InfluxDBClientError unless
   * `raiseErrors: false`.
   */
  query(q: string, options: QueryOptions & { readonly chunked: true }): Promise<ChunkedResult>;
  query(q: string, options?: QueryOptions & { readonly chunked?: false }): Promise<ResultSet>;
  query(q: string, options?: QueryOptions): Promise<ResultSet | ChunkedResult>;
  async query(q: string, options: QueryOptions = {}): Promise<ResultSet | ChunkedResult> {
    const request = queryRequest(q, options, this.#database);
    const raise = options.raiseErrors ?? true;
    const nanos = request.query?.epoch === 'n' || request.form?.epoch === 'n';
    if (options.chunked) return new ChunkedResult(await this.#http.request(request), raise, nanos);
    const { text } = await this.#http.text(request);
    const sets = resultSets(parseAnswer(text), raise, nanos);
    if (sets.length === 0) throw new InterfaceError('the server answered with no result');
    return sets[0]!;
  }

  /** Creates a database (nothing happens if it exists). */
  async createDatabase(name: string, options: CallOptions = {}): Promise<void> {
    await this.#admin(`CREATE DATABASE ${ql.quoteIdent(name, 'database')}`, options);
  }

  /** Drops a database and all its data (nothing happens if it does not exist). */
  async dropDatabase(name: string, options: CallOptions = {}): Promise<void> {
    await this.#admin(`DROP DATABASE ${ql.quoteIdent(name, 'database')}`, options);
  }

  /** Lists databases: `[{ name }]`. */
  async getListDatabase(options: CallOptions = {}): Promise<ResultPoint[]> {
    return (await this.query('SHOW DATABASES', call(options))).getPoints();
  }

  /** Sets the default database of later calls (no request). */
  switchDatabase(database: string | undefined): void {
    this.#database = database;
  }

  /** Creates a retention policy: `duration` like `1h`, `7d`, `INF`; `replication` 1 on OSS. */
  async createRetentionPolicy(
    name: string,
    duration: string,
    replication: number,
    options: CreateRetentionPolicyOptions = {},
  ): Promise<void> {
    const q = ql.createRetentionPolicy(name, this.#db(options), {
      duration,
      replication,
      shardDuration: options.shardDuration,
      default: options.default,
    });
    await this.#admin(q, options);
  }

  /** Changes a retention policy's duration, replication, shard duration or default flag. */
  async alterRetentionPolicy(name: string, options: AlterRetentionPolicyOptions = {}): Promise<void> {
    await this.#admin(ql.alterRetentionPolicy(name, this.#db(options), options), options);
  }

  /** Drops a retention policy and its data. */
  async dropRetentionPolicy(name: string, options: DatabaseOptions = {}): Promise<void> {
    const q = `DROP RETENTION POLICY ${ql.quoteIdent(name, 'retention policy')} ON ${ql.quoteIdent(this.#db(options), 'database')}`;
    await this.#admin(q, options);
  }

  /** Lists retention policies: `[{ name, duration, shardGroupDuration, replicaN, default }]`. */
  async getListRetentionPolicies(options: DatabaseOptions = {}): Promise<ResultPoint[]> {
    const q = `SHOW RETENTION POLICIES ON ${ql.quoteIdent(this.#db(options), 'database')}`;
    return (await this.query(q, call(options))).getPoints();
  }

  /** Creates a user; `admin` grants all privileges. */
  async createUser(name: string, password: string, admin = false, options: CallOptions = {}): Promise<void> {
    let q = `CREATE USER ${ql.quoteIdent(name, 'user name')} WITH PASSWORD ${ql.quoteLiteral(password, 'password')}`;
    if (admin) q += ' WITH ALL PRIVILEGES';
    await this.#admin(q, options, password);
  }

  /** Drops a user. */
  async dropUser(name: string, options: CallOptions = {}): Promise<void> {
    await this.#admin(`DROP USER ${ql.quoteIdent(name, 'user name')}`, options);
  }

  /** Lists users: `[{ user, admin }]`. */
  async getListUsers(options: CallOptions = {}): Promise<ResultPoint[]> {
    return (await this.query('SHOW USERS', call(options))).getPoints();
  }

  /** Changes a user's password. */
  async setUserPassword(name: string, password: string, options: CallOptions = {}): Promise<void> {
    const q = `SET PASSWORD FOR ${ql.quoteIdent(name, 'user name')} = ${ql.quoteLiteral(password, 'password')}`;
    await this.#admin(q, options, password);
  }

  /** Uses other credentials for later calls (no request). */
  switchUser(username: string | undefined, password: string | undefined): void {
    this.#http.setCredentials(username, password);
    this.#username = username;
  }

  /** Grants `read`, `write` or `all` on a database to a user (replacing what the user had on it). */
  async grantPrivilege(
    privilege: ql.Privilege,
    database: string,
    username: string,
    options: CallOptions = {},
  ): Promise<void> {
    const q = `GRANT ${ql.privilege(privilege)} ON ${ql.quoteIdent(database, 'database')} TO ${ql.quoteIdent(username, 'user name')}`;
    await this.#admin(q, options);
  }

  /** Revokes a privilege on a database from a user. */
  async revokePrivilege(
    privilege: ql.Privilege,
    database: string,
    username: string,
    options: CallOptions = {},
  ): Promise<void> {
    const q = `REVOKE ${ql.privilege(privilege)} ON ${ql.quoteIdent(database, 'database')} FROM ${ql.quoteIdent(username, 'user name')}`;
    await this.#admin(q, options);
  }

  /** Lists a user's privileges: `[{ database, privilege }]`. */
  async getListPrivileges(username: string, options: CallOptions = {}): Promise<ResultPoint[]> {
    return (
      await this.query(`SHOW GRANTS FOR ${ql.quoteIdent(username, 'user name')}`, call(options))
    ).getPoints();
  }

  /** Makes a user an administrator. */
  async grantAdminPrivileges(username: string, options: CallOptions = {}): Promise<void> {
    await this.#admin(`GRANT ALL PRIVILEGES TO ${ql.quoteIdent(username, 'user name')}`, options);
  }

  /** Takes administration rights from a user (revoking the last admin's locks an instance). */
  async revokeAdminPrivileges(username: string, options: CallOptions = {}): Promise<void> {
    await this.#admin(`REVOKE ALL PRIVILEGES FROM ${ql.quoteIdent(username, 'user name')}`, options);
  }

  /** Drops the series of a measurement and/or matching tags (one of them is required). */
  async deleteSeries(options: SeriesOptions = {}): Promise<void> {
    if (options.measurement === undefined && (!options.tags || Object.keys(options.tags).length === 0)) {
      throw new InterfaceError(
        'deleteSeries needs a measurement or tags (use dropDatabase to delete everything)',
      );
    }
    await this.#admin(`DROP SERIES${ql.seriesFilter(options.measurement, options.tags)}`, {
      ...options,
      database: this.#db(options),
    });
  }

  /** Drops a measurement with all its series and data. */
  async dropMeasurement(name: string, options: DatabaseOptions = {}): Promise<void> {
    await this.#admin(`DROP MEASUREMENT ${ql.quoteIdent(name, 'measurement')}`, {
      ...options,
      database: this.#db(options),
    });
  }

  /** Lists measurements: `[{ name }]`. */
  async getListMeasurements(options: DatabaseOptions = {}): Promise<ResultPoint[]> {
    return (
      await this.query('SHOW MEASUREMENTS', { ...call(options), database: this.#db(options) })
    ).getPoints();
  }

  /** Lists series keys (`cpu,host=a`), optionally of one measurement or matching tags. */
  async getListSeries(options: SeriesOptions = {}): Promise<string[]> {
    const rs = await this.query(`SHOW SERIES${ql.seriesFilter(options.measurement, options.tags)}`, {
      ...call(options),
      database: this.#db(options),
    });
    return rs.getPoints().map((p) => String(p['key']));
  }

  /**
   * Creates a continuous query: `select` is one `SELECT … INTO … GROUP BY time(…)` statement,
   * `resampleOpts` e.g. `EVERY 10s FOR 2m`.
   */
  async createContinuousQuery(
    name: string,
    select: string,
    database?: string,
    resampleOpts?: string,
    options: CallOptions = {},
  ): Promise<void> {
    const db = this.#db({ database });
    const resample = resampleOpts === undefined ? '' : ` RESAMPLE ${ql.resample(resampleOpts)}`;
    const q = `CREATE CONTINUOUS QUERY ${ql.quoteIdent(name, 'continuous query')} ON ${ql.quoteIdent(db, 'database')}${resample} BEGIN ${ql.cqSelect(select)} END`;
    await this.#admin(q, options);
  }

  /** Drops a continuous query. */
  async dropContinuousQuery(name: string, database?: string, options: CallOptions = {}): Promise<void> {
    const db = this.#db({ database });
    await this.#admin(
      `DROP CONTINUOUS QUERY ${ql.quoteIdent(name, 'continuous query')} ON ${ql.quoteIdent(db, 'database')}`,
      options,
    );
  }

  /** Lists continuous queries by database: `[{ db: [{ name, query }] }]`, as influxdb-python. */
  async getListContinuousQueries(options: CallOptions = {}): Promise<Record<string, ResultPoint[]>[]> {
    const rs = await this.query('SHOW CONTINUOUS QUERIES', call(options));
    return rs.items().map(([[name], points]) => ({ [name]: points }));
  }

  /**
   * Sends points over UDP to the server's `[[udp]]` listener (port `udpPort`): `{ points, tags }`
   * or, with `protocol: 'line'`, line-protocol strings. Timestamps must use the listener's
   * precision (ns unless its config says otherwise). UDP gives no answer.
   */
  async sendPacket(
    packet: WriteData | string | readonly string[],
    options: { readonly protocol?: 'json' | 'line'; readonly timePrecision?: Precision } = {},
  ): Promise<void> {
    const precision = wirePrecision(options.timePrecision);
    if (options.protocol === 'line')
      return void (await this.#sendLines(linesOfText(packet as string | string[])));
    const { points, tags, measurement } = packet as WriteData;
    await this.#sendLines(
      linesOf(points, precision, tags ? prepareTags(tags) : undefined, measurement).lines,
    );
  }

  /** Closes every connection and the UDP socket; later calls throw. A second close does nothing. */
  async close(): Promise<void> {
    this.#udp?.close();
    await this.#http.close();
  }

  /** Same as `close()`, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** `InfluxDBClient(http://user@host:8086, database: "db")`: no password, ever. */
  toString(): string {
    return `InfluxDBClient(${describeOptions({ ...this.#options, database: this.#database, username: this.#username })})`;
  }

  /** What console.log and util.inspect show: the same as toString. */
  [inspect.custom](): string {
    return this.toString();
  }

  /** JSON.stringify gives the description too, never the password. */
  toJSON(): string {
    return this.toString();
  }

  #db(options: { readonly database?: string }): string {
    const db = options.database ?? this.#database;
    if (db === undefined || db === '')
      throw new InterfaceError('no database: pass one in the options or set one on the client');
    return db;
  }

  async #admin(
    q: string,
    options: CallOptions & { readonly database?: string },
    secret?: string,
  ): Promise<void> {
    // A password given here must never show up in an error or log line either.
    if (secret !== undefined) registerSecret(secret);
    await this.query(q, { ...call(options), method: 'POST', database: options.database });
  }

  async #write(
    body: string,
    points: number,
    timed: boolean,
    precision: string,
    options: WriteOptions,
    label?: string,
  ): Promise<void> {
    checkConsistency(options.consistency);
    const database = options.database ?? this.#database;
    const res = await this.#http.request({
      method: 'POST',
      path: '/write',
      query: { db: database, rp: options.retentionPolicy, precision, consistency: options.consistency },
      body,
      expect: 204,
      // Points with timestamps overwrite themselves if sent twice; without, a retry could duplicate them.
      idempotent: timed,
      context: `write to ${JSON.stringify(database ?? '')}${label ? `, ${label}` : ''}`,
      trace: { database, points },
      ...call(options),
    });
    await readText(res.body);
  }

  async #sendLines(lines: readonly string[]): Promise<true> {
    this.#udp ??= new UdpSender(this.#options.host, this.#options.udpPort);
    await this.#udp.send(lines);
    return true;
  }
}

/** Every item of an async iterable, in order. */
async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
