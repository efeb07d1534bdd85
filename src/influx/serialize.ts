/**
 * Points to line protocol in bulk: one pass over a batch, options resolved once, and every
 * point checked before anything is sent, with errors that give the point's position.
 */
import { InterfaceError } from '../errors';
import { LineProtocolError } from './errors';
import { Point, toLine, type PointObject, type TagValue } from './Point';
import { prepareTags, type PreparedTags } from './tagOrder';
import { wirePrecision, type Precision, type WirePrecision } from './timestamps';

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

/** One line per point; a refused point throws LineProtocolError naming its index and measurement. */
export function linesOf(
  points: readonly WritablePoint[],
  precision: WirePrecision,
  defaults: PreparedTags | undefined,
  measurement?: string,
): SerializedLines {
  if (!Array.isArray(points)) throw new InterfaceError('points must be an array of Points or point objects');
  const lines = new Array<string>(points.length);
  let timed = true;
  for (let i = 0; i < points.length; i++) {
    const given = points[i]!;
    try {
      const point =
        given instanceof Point
          ? given
          : Point.from(
              measurement !== undefined && given?.measurement === undefined
                ? { ...given, measurement }
                : given,
            );
      if (point.time === undefined) timed = false;
      lines[i] = point[toLine](precision, defaults);
    } catch (err) {
      if (err instanceof LineProtocolError) throw new LineProtocolError(err.problem, err.measurement, i);
      throw err;
    }
  }
  return { lines, timed };
}

/** Line protocol lines given as text (`protocol: 'line'`): one string or several, each one or more lines. */
export function linesOfText(data: string | readonly string[]): string[] {
  const items = typeof data === 'string' ? [data] : data;
  if (!Array.isArray(items))
    throw new InterfaceError('line protocol data must be a string or an array of strings');
  for (const item of items) {
    if (typeof item !== 'string')
      throw new InterfaceError(`line protocol data must be strings, not ${typeof item}`);
  }
  return items as string[];
}

/**
 * Serialises points into one line-protocol body (lines joined by `\n`), checking every
 * point first. The same code `writePoints` uses.
 */
export function serializePoints(points: readonly WritablePoint[], options: SerializeOptions = {}): string {
  const precision = wirePrecision(options.precision);
  const defaults = options.defaultTags ? prepareTags(options.defaultTags) : undefined;
  return linesOf(points, precision, defaults).lines.join('\n');
}

/** One request's body of a batched write, and how to name it in errors. */
export interface Batch {
  readonly body: string;
  readonly label: string | undefined;
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
    yield { body: lines.slice(first, last + 1).join('\n'), label };
  }
}
