/**
 * influxdb-python's SeriesHelper: a class per series family that queues the points its
 * instances describe and writes them in bulk. `SeriesHelper.define(meta)` makes the class
 * (Python declares it with a Meta class); `new Helper({...tags, ...fields})` queues a point;
 * `Helper.commit()` writes every queued point in one request; with `autocommit`, reaching
 * `bulkSize` points writes them in the background.
 *
 * Background writes go one after the other, oldest points first, so points reach the server
 * in the order they were given. A background write that fails keeps its points queued, in
 * order, as influxdb-python keeps them, and its error is thrown by the next call on the
 * helper (the constructor, after queueing its point, or commit): Python raises it from the
 * constructor that triggered the write, which in JavaScript cannot wait for the answer. A
 * failure no call reports by the time the process ends goes to the logger (see exitGuard.ts).
 */
import { writeSync } from 'node:fs';
import { InterfaceError, messageOf, ProgrammingError, redact } from '../errors';
import { guard, release, type ExitGuarded } from './exitGuard';
import { log, warningLogger, type Logger } from './logger';
import { Point, type FieldValue, type PointObject, type TagValue } from './Point';
import type { WritablePoint } from './serialize';
import { wirePrecision, type Precision, type TimestampInput } from './timestamps';
import { pythonStr } from './framePoints';
import type { WritePointsOptions } from './methodOptions';

/** What a helper writes through: an InfluxDBClient (or DataFrameClient). */
export interface SeriesHelperClient {
  /** Writes the queued points (`InfluxDBClient.writePoints`). */
  writePoints(points: readonly WritablePoint[], options?: WritePointsOptions): Promise<true>;
}

/** A helper's definition: influxdb-python's `Meta` class. */
export interface SeriesHelperMeta<F extends string, T extends string> {
  /** The client that writes (required with `autocommit`; `commit(client)` can name another). */
  readonly client?: SeriesHelperClient;
  /** The measurement name, a template over the point's tags and fields: `events.stats.{server_name}`. */
  readonly seriesName: string;
  /** Field names (`time` among them is the point's time, as in influxdb-python). */
  readonly fields: readonly F[];
  /** Tag names; every point must give each of them. */
  readonly tags: readonly T[];
  /** Points that trigger a write with `autocommit` (default 1). */
  readonly bulkSize?: number;
  /** Write every `bulkSize` points without waiting for `commit()` (default false). */
  readonly autocommit?: boolean;
  /** Retention policy of the writes (influxdb-python 5). */
  readonly retentionPolicy?: string;
  /** Precision of the writes, and of times given as numbers (influxdb-python 5; default ns). */
  readonly timePrecision?: Precision;
  /**
   * Hears of a background write's failure that no call on the helper has thrown by the time the
   * process ends (`error`); default: a process warning, or a line on stderr at `process.exit()`.
   */
  readonly logger?: Logger;
}

/** What a point is made of: every tag, any of the fields, and optionally `time` (default: now). */
export type SeriesHelperValues<F extends string, T extends string> = { readonly [K in T]: TagValue } & {
  readonly [K in Exclude<F, 'time'>]?: FieldValue | null;
} & {
  /** The point's time (default: now). */
  readonly time?: TimestampInput;
};

/** An instance: the point it queued. */
export interface SeriesHelperPoint {
  /** The point as influxdb-python's `_json_body_` gives it. */
  readonly point: PointObject;
}

/** A helper class made by `SeriesHelper.define`. */
export interface SeriesHelperClass<F extends string, T extends string> {
  /**
   * Queues a point; may start a background write (autocommit). Then throws a background write's
   * failure not thrown yet: the point given here stays queued all the same.
   */
  new (values: SeriesHelperValues<F, T>): SeriesHelperPoint;
  /**
   * Writes every queued point in one request (after the background writes before it) through
   * `client` or the helper's client, and empties the queue. Rejects with a background write's
   * failure if one happened since the last call; its points stay queued for the next commit.
   */
  commit(client?: SeriesHelperClient): Promise<true>;
  /** The queued points as influxdb-python's `_json_body_`: grouped by series name, in order. */
  jsonBody(): PointObject[];
  /** Empties the queue without writing (influxdb-python's `_reset_`). */
  reset(): void;
  /** Points queued and not yet being written. */
  readonly size: number;
}

interface Queued {
  readonly series: string;
  readonly object: PointObject;
  readonly point: Point;
}

/** influxdb-python's SeriesHelper, as a factory of helper classes. */
export class SeriesHelper {
  private constructor() {}

  /** Makes a helper class from its definition (checked here, where Python checks on first use). */
  static define<F extends string, T extends string>(meta: SeriesHelperMeta<F, T>): SeriesHelperClass<F, T> {
    const fields = checkNames(meta.fields, 'fields').filter((f) => f !== 'time');
    const tags = checkNames(meta.tags, 'tags');
    const template = parseTemplate(meta.seriesName, [...fields, ...tags]);
    const autocommit = meta.autocommit ?? false;
    if (autocommit && meta.client === undefined)
      throw new InterfaceError('autocommit is set, but no client is (SeriesHelper needs one to write)');
    const bulkSize = meta.bulkSize ?? 1;
    if (!Number.isInteger(bulkSize) || bulkSize < 1)
      throw new InterfaceError(`invalid bulkSize ${String(meta.bulkSize)}: an integer of 1 or more`);
    if (meta.bulkSize !== undefined && !autocommit)
      throw new InterfaceError('bulkSize has no effect without autocommit');
    if (meta.timePrecision !== undefined) wirePrecision(meta.timePrecision);
    const writeOptions: WritePointsOptions = {
      retentionPolicy: meta.retentionPolicy,
      timePrecision: meta.timePrecision,
    };
    const allowed = new Set<string>([...fields, ...tags, 'time']);
    const logger = meta.logger ?? warningLogger;

    let queue: Queued[] = [];
    let chain: Promise<void> = Promise.resolve();
    let outstanding = 0;
    let failure: { readonly error: unknown } | undefined;

    // A failure nobody has been told of is reported when the process ends, unless a call throws it first.
    const unreported = (): string =>
      `a background write of SeriesHelper ${JSON.stringify(meta.seriesName)} failed and no call on the helper ` +
      `has thrown it since: ${queue.length} points stay queued, not written`;
    const watcher: ExitGuarded = {
      flushBeforeExit() {
        release(watcher);
        if (failure !== undefined) log(logger, 'error', unreported(), failure.error);
      },
      reportAtExit() {
        release(watcher);
        if (failure === undefined) return;
        if (logger !== warningLogger) return log(logger, 'error', unreported(), failure.error);
        // A process warning would never be printed now.
        try {
          writeSync(process.stderr.fd, redact(`flightsql: ${unreported()}: ${messageOf(failure.error)}\n`));
        } catch {
          // stderr is gone: nothing left to tell
        }
      },
    };

    const write = async (taken: Queued[], client: SeriesHelperClient): Promise<void> => {
      try {
        await client.writePoints(
          grouped(taken).map((q) => q.point),
          writeOptions,
        );
      } catch (err) {
        // Nothing was taken since (writes go one at a time): back to the front, in order.
        queue = taken.concat(queue);
        throw err;
      }
    };
    const surface = (): void => {
      if (failure === undefined) return;
      const { error } = failure;
      failure = undefined;
      release(watcher);
      throw error;
    };
    const autocommitStep = async (): Promise<void> => {
      outstanding--;
      if (failure !== undefined || queue.length < bulkSize) return;
      try {
        await write(queue.splice(0, bulkSize), meta.client!);
      } catch (err) {
        failure = { error: err };
        guard(watcher);
      }
    };

    const Helper = class implements SeriesHelperPoint {
      readonly point: PointObject;

      constructor(values: SeriesHelperValues<F, T>) {
        const given = values as Readonly<Record<string, unknown>>;
        const missing = tags.filter((t) => !(t in given));
        if (missing.length > 0) {
          throw new ProgrammingError(
            `expected every tag ${JSON.stringify(tags)}, missing ${JSON.stringify(missing)}`,
          );
        }
        const unknown = Object.keys(given).filter((k) => !allowed.has(k));
        if (unknown.length > 0) throw new ProgrammingError(`not a tag or field: ${JSON.stringify(unknown)}`);
        const present = fields.filter((f) => given[f] !== undefined && given[f] !== null);
        if (present.length === 0)
          throw new ProgrammingError(`a point needs at least one field of ${JSON.stringify(fields)}`);
        const series = template(given);
        const object: PointObject = {
          measurement: series,
          tags: Object.fromEntries(tags.map((t) => [t, given[t] as TagValue])),
          fields: Object.fromEntries(present.map((f) => [f, given[f] as FieldValue])),
          time: (given['time'] as TimestampInput | undefined) ?? nowNanoseconds(),
        };
        // Checked now, where the caller can see which point is wrong.
        const point = Point.from(object);
        point.toLineProtocol({ precision: meta.timePrecision });
        this.point = object;
        queue.push({ series, object, point });
        if (autocommit && queue.length >= bulkSize * (outstanding + 1)) {
          outstanding++;
          chain = chain.then(autocommitStep);
        }
        // Only now: the caller who catches this (it is about earlier points) has not lost this one.
        surface();
      }

      static async commit(client?: SeriesHelperClient): Promise<true> {
        const target = client ?? meta.client;
        if (target === undefined)
          throw new InterfaceError('commit needs a client: pass one, or define the helper with one');
        // After the background writes queued before it, so points keep their order.
        const run = chain.then(async () => {
          surface();
          const taken = queue;
          queue = [];
          if (taken.length > 0) await write(taken, target);
          return true as const;
        });
        chain = run.then(
          () => undefined,
          () => undefined,
        );
        return run;
      }

      static jsonBody(): PointObject[] {
        return grouped(queue).map((q) => q.object);
      }

      static reset(): void {
        queue = [];
      }

      static get size(): number {
        return queue.length;
      }
    };
    return Helper;
  }
}

/** influxdb-python's order: points grouped by series name (first seen first), in order within one. */
function grouped(points: readonly Queued[]): Queued[] {
  const bySeries = new Map<string, Queued[]>();
  for (const q of points) {
    const list = bySeries.get(q.series);
    if (list) list.push(q);
    else bySeries.set(q.series, [q]);
  }
  return [...bySeries.values()].flat();
}

function checkNames(names: readonly string[] | undefined, what: string): string[] {
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || n === '')) {
    throw new InterfaceError(`SeriesHelper needs ${what}: an array of names`);
  }
  return [...names];
}

/**
 * The series name of a point from a template with `{name}` placeholders (and `{{`, `}}` for
 * braces), as Python's `str.format` fills them; values are written as Python's `str()`.
 */
function parseTemplate(
  template: string,
  names: readonly string[],
): (values: Readonly<Record<string, unknown>>) => string {
  if (typeof template !== 'string' || template === '')
    throw new InterfaceError('SeriesHelper needs a seriesName');
  const parts: (string | { name: string })[] = [];
  const pattern = /\{\{|\}\}|\{([^{}]*)\}|[{}]/g;
  let last = 0;
  for (let m = pattern.exec(template); m !== null; m = pattern.exec(template)) {
    parts.push(template.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[0] === '{{' || m[0] === '}}') parts.push(m[0][0]!);
    else if (m[1] === undefined)
      throw new InterfaceError(`unmatched brace in seriesName ${JSON.stringify(template)}`);
    else if (!names.includes(m[1])) {
      throw new InterfaceError(
        `seriesName ${JSON.stringify(template)}: {${m[1]}} is not a tag or field (format specs are not supported)`,
      );
    } else parts.push({ name: m[1] });
  }
  parts.push(template.slice(last));
  return (values) =>
    parts
      .map((p) => {
        if (typeof p === 'string') return p;
        const v = values[p.name];
        if (v === undefined || v === null)
          throw new ProgrammingError(`seriesName needs {${p.name}}, which this point does not give`);
        return pythonStr(v);
      })
      .join('');
}

/** Now, in nanoseconds, to the microsecond (influxdb-python's `datetime.utcnow()`): points made in one millisecond stay apart. */
function nowNanoseconds(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}
