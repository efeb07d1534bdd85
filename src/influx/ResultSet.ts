/**
 * The result of one InfluxQL statement, as influxdb-python's ResultSet: series of columns
 * and values, read as points (objects keyed by column) filtered by measurement and tags.
 */
import { statementError } from './errors';

/** A value as InfluxDB sends it: integers beyond 2^53 as bigint, times as RFC 3339 strings or epoch numbers. */
export type ResultValue = string | number | bigint | boolean | null;

/** One series of a statement's result (the JSON InfluxDB sends). */
export interface Series {
  /** The measurement (absent for some SHOW statements). */
  readonly name?: string;
  /** The series' tags, for GROUP BY queries. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Column names, `time` first for SELECT. */
  readonly columns: readonly string[];
  /** Rows of values, in column order (absent when there are none). */
  readonly values?: readonly (readonly ResultValue[])[];
  /** Set on the last series of a chunk when the series continues in the next chunk. */
  readonly partial?: boolean;
}

/** A server message attached to a statement (e.g. a deprecation warning). */
export interface ResultMessage {
  /** The message's level, e.g. `warning`. */
  readonly level: string;
  /** The message. */
  readonly text: string;
}

/** One statement's result as InfluxDB sends it. */
export interface StatementResult {
  /** The statement's index in the query. */
  readonly statement_id?: number;
  /** The series the statement returned. */
  readonly series?: readonly Series[];
  /** The statement's error, when it failed. */
  readonly error?: string;
  /** Server messages (warnings) about the statement. */
  readonly messages?: readonly ResultMessage[];
  /** True when a chunked answer continues this result in the next chunk. */
  readonly partial?: boolean;
}

/** A point of a result: column name -> value. */
export type ResultPoint = Record<string, ResultValue>;

/** A series key: measurement name (`results` when the series has none) and its tags (null when none). */
export type SeriesKey = readonly [name: string, tags: Readonly<Record<string, string>> | null];

/** The result of one statement (influxdb-python's `ResultSet`). */
export class ResultSet implements Iterable<ResultPoint[]> {
  /** The statement's JSON as InfluxDB sent it (`statement_id`, `series`, `error`, `messages`). */
  readonly raw: StatementResult;
  /**
   * Every statement's ResultSet when the query held several (influxdb-python returns a list
   * then); `[this]` for a single statement.
   */
  statements: readonly ResultSet[];

  /**
   * Wraps a statement result. With `raiseErrors` (the default), a statement error throws
   * InfluxDBClientError, as in influxdb-python.
   */
  constructor(raw: StatementResult, raiseErrors = true) {
    this.raw = raw ?? {};
    this.statements = [this];
    if (raiseErrors && typeof this.raw.error === 'string')
      throw statementError(this.raw.error, this.raw.statement_id);
  }

  /** The statement's error text, or undefined. */
  get error(): string | undefined {
    return this.raw.error;
  }

  /** The statement's index in the query (`statement_id`). */
  get statementId(): number {
    return this.raw.statement_id ?? 0;
  }

  /** Server messages (warnings) about the statement. */
  get messages(): readonly ResultMessage[] {
    return this.raw.messages ?? [];
  }

  /** True when the server cut this result at the chunk size and more follows (chunked queries). */
  get partial(): boolean {
    return this.raw.partial === true;
  }

  /** The series of the result. */
  get series(): readonly Series[] {
    return this.raw.series ?? [];
  }

  /** Number of series (influxdb-python's `len(rs)`). */
  get length(): number {
    return this.series.length;
  }

  /**
   * Points (column -> value) of every series whose name is `measurement` (all when
   * undefined), keeping, when `tags` is given, the points whose series tags or whose own
   * columns hold those values (tags are columns when the query has no GROUP BY). Series
   * without a name (SHOW RETENTION POLICIES...) match only when no tags are asked for, as
   * in influxdb-python.
   */
  getPoints(measurement?: string, tags?: Readonly<Record<string, string>>): ResultPoint[] {
    const out: ResultPoint[] = [];
    for (const series of this.series) {
      if (series.name === undefined) {
        if (tags === undefined) pushPoints(out, series);
      } else if (measurement === undefined || measurement === series.name) {
        if (tags === undefined || tagsMatch(series.tags ?? {}, tags)) pushPoints(out, series);
        else pushPoints(out, series, tags);
      }
    }
    return out;
  }

  /** The key of every series: `[name, tags]`. */
  keys(): SeriesKey[] {
    return this.series.map((s) => [s.name ?? 'results', s.tags ?? null] as const);
  }

  /** Every series as `[key, points]`. */
  items(): [SeriesKey, ResultPoint[]][] {
    return this.series.map((s) => {
      const out: ResultPoint[] = [];
      pushPoints(out, s);
      return [[s.name ?? 'results', s.tags ?? null] as const, out];
    });
  }

  /** Iterates the points of each series in turn (influxdb-python's `iter(rs)`). */
  *[Symbol.iterator](): Iterator<ResultPoint[]> {
    for (const [, points] of this.items()) yield points;
  }

  /** `ResultSet({'cpu': [...]})`, as influxdb-python prints it. */
  toString(): string {
    const parts = this.items().map(([[name, tags], points]) => {
      const key = tags ? `('${name}', ${JSON.stringify(tags)})` : `'${name}'`;
      return `${key}: ${JSON.stringify(points, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`;
    });
    return `ResultSet({${parts.join(', ')}})`;
  }
}

// Appends the series' points; with `filter`, only those whose columns match it.
function pushPoints(out: ResultPoint[], series: Series, filter?: Readonly<Record<string, string>>): void {
  const columns = series.columns ?? [];
  for (const row of series.values ?? []) {
    const point: ResultPoint = {};
    for (let i = 0; i < columns.length; i++) point[columns[i]!] = row[i] ?? null;
    if (filter === undefined || tagsMatch(point, filter)) out.push(point);
  }
}

function tagsMatch(
  seriesTags: Readonly<Record<string, ResultValue>>,
  wanted: Readonly<Record<string, string>>,
): boolean {
  for (const key of Object.keys(wanted)) {
    if (!Object.prototype.hasOwnProperty.call(seriesTags, key) || seriesTags[key] !== wanted[key])
      return false;
  }
  return true;
}
