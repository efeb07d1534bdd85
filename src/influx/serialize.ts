/**
 * Points to line protocol in bulk: one pass over a batch, options resolved once, and every
 * point checked before anything is sent, with errors that give the point's position.
 */
import { InterfaceError } from '../errors';
import { LineProtocolError } from './errors';
import { Point, toLine, type PointObject, type TagValue } from './Point';
import { prepareTags, type PreparedTags } from './tagOrder';
import { wirePrecision, type Precision, type WirePrecision } from './timestamps';
import { forEachLine } from '../lineprotocol';

/** A point as `writePoints` takes it: a Point or a plain object. */
export type WritablePoint = Point | PointObject;

/** Options of `serializePoints`. */
export interface SerializeOptions {
  /** Precision of the timestamps (default `ns`); must match the write's precision. */
  readonly precision?: Precision;
  /** Tags added to every point; the points' own tags win. */
  readonly defaultTags?: Readonly<Record<string, TagValue>>;
}

/** Lines of a batch, and whether every point carried its own timestamp (then a retry cannot duplicate it). */
export interface SerializedLines {
  readonly lines: string[];
  readonly timed: boolean;
}

/**
 * The line of one point (a Point or a plain object, `measurement` filling in a missing one); a
 * refused point throws LineProtocolError naming `index` and its measurement.
 */
export function lineOf(
  given: WritablePoint,
  precision: WirePrecision,
  defaults: PreparedTags | undefined,
  index: number,
  measurement?: string,
): string {
  try {
    const point =
      given instanceof Point
        ? given
        : Point.from(
            measurement !== undefined && given?.measurement === undefined ? { ...given, measurement } : given,
          );
    return point[toLine](precision, defaults);
  } catch (err) {
    if (err instanceof LineProtocolError) throw new LineProtocolError(err.problem, err.measurement, index);
    throw err;
  }
}

/**
 * One line per point, of any number of points (an array or any other iterable, read once); a
 * refused point throws LineProtocolError naming its index and measurement.
 */
export function linesOf(
  points: Iterable<WritablePoint>,
  precision: WirePrecision,
  defaults: PreparedTags | undefined,
  measurement?: string,
): SerializedLines {
  if (!isIterable(points) || typeof points === 'string') {
    throw new InterfaceError('points must be an array (or iterable) of Points or point objects');
  }
  const lines: string[] = Array.isArray(points) ? new Array<string>(points.length) : [];
  let timed = true;
  let i = 0;
  for (const given of points) {
    const line = lineOf(given, precision, defaults, i, measurement);
    if (timed && !lineHasTime(given)) timed = false;
    lines[i++] = line;
  }
  return { lines, timed };
}

/** Whether a point carries its own timestamp (then a retried write cannot duplicate it). */
function lineHasTime(given: WritablePoint): boolean {
  if (given instanceof Point) return given.time !== undefined;
  return given.time !== undefined && given.time !== null;
}

/** True for arrays, Sets, generators...: anything `for...of` reads. */
export function isIterable(value: unknown): value is Iterable<unknown> {
  return (
    value !== null &&
    value !== undefined &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
  );
}

/** True for async generators, readable streams...: anything `for await...of` reads. */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    value !== null &&
    value !== undefined &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/**
 * Line protocol given as text (`protocol: 'line'`): one string or several (an array or any
 * iterable), each one or more lines. Split into lines by the shared scanner (a line feed
 * inside a quoted string value does not end a line); blank and comment lines are dropped.
 */
export function linesOfText(data: string | Iterable<string>): string[] {
  const items = typeof data === 'string' ? [data] : data;
  if (!isIterable(items)) throw new InterfaceError('line protocol data must be a string or strings');
  const lines: string[] = [];
  const add = (line: string) => void lines.push(line);
  for (const item of items) {
    if (typeof item !== 'string')
      throw new InterfaceError(`line protocol data must be strings, not ${typeof item}`);
    forEachLine(item, add);
  }
  return lines;
}

/**
 * Serialises points into one line-protocol body (lines joined by `\n`), checking every
 * point first. The same code `writePoints` uses.
 */
export function serializePoints(points: Iterable<WritablePoint>, options: SerializeOptions = {}): string {
  const precision = wirePrecision(options.precision);
  const defaults = options.defaultTags ? prepareTags(options.defaultTags) : undefined;
  return linesOf(points, precision, defaults).lines.join('\n');
}

/** One request's body of a batched write, and how to name it in errors. */
export interface Batch {
  readonly body: string;
  readonly label: string | undefined;
  /** Lines in `body`. */
  readonly points: number;
}

/** Splits lines into bodies of `size` lines (all in one when undefined); none for no lines. */
export function* batches(lines: readonly string[], size: number | undefined): Generator<Batch> {
  const step = size ?? Math.max(lines.length, 1);
  const count = Math.ceil(lines.length / step);
  for (let b = 0; b < count; b++) {
    const first = b * step;
    const last = Math.min(first + step, lines.length) - 1;
    const label =
      count === 1
        ? undefined
        : `batch ${b + 1} of ${count} (points ${first}-${last}${b > 0 ? '; earlier batches were written' : ''})`;
    yield { body: lines.slice(first, last + 1).join('\n'), label, points: last + 1 - first };
  }
}
