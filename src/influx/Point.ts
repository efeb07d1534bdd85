/**
 * A point: measurement, tags, typed fields and an optional timestamp, escaped and checked
 * as they are set (so a bad value fails where it was given), written as one line of line
 * protocol by `toLineProtocol`.
 */
import { LineProtocolError, show } from './errors';
import {
  escapeFieldKey,
  escapeMeasurement,
  escapeTagKey,
  escapeTagValue,
  formatBoolean,
  formatFloat,
  formatInteger,
  formatString,
  formatUnsigned,
  needsLineCheck,
} from './lineProtocol';
import { readsAsOneLine } from '../lineprotocol';
import { compareKeys, mergeTags, prepareTags, sortTags, type PreparedTags } from './tagOrder';
import {
  formatTime,
  normalizeTime,
  outOfRange,
  wirePrecision,
  type Precision,
  type Time,
  type TimestampInput,
  type WirePrecision,
} from './timestamps';

/** A field value: number -> float, bigint -> integer (`i`), string, boolean. */
export type FieldValue = number | bigint | string | boolean;

/** A tag value; numbers, booleans and bigints are written as their string form. Empty or null drops the tag. */
export type TagValue = string | number | boolean | bigint | null | undefined;

/** A point as a plain object, as influxdb-python's `write_points` takes it. */
export interface PointObject {
  /** The measurement name. */
  readonly measurement: string;
  /** Tags; empty, null and undefined values are dropped. */
  readonly tags?: Readonly<Record<string, TagValue>>;
  /** Fields (at least one); null and undefined values are dropped. */
  readonly fields: Readonly<Record<string, FieldValue | null | undefined>>;
  /** The timestamp: Date, bigint ns, RFC 3339 string, or number / digit string in the write's precision. */
  readonly time?: TimestampInput | null;
}

/** Options of `Point.toLineProtocol`. */
export interface LineProtocolOptions {
  /** The precision timestamps are written in (default `ns`). Must match the write's precision. */
  readonly precision?: Precision;
  /** Tags added to the point; the point's own tags win. */
  readonly defaultTags?: Readonly<Record<string, TagValue>>;
}

/** The internal serialiser used by batch writers (keeps options parsing out of the hot loop). */
export const toLine: unique symbol = Symbol('flightsql.influx.toLine');

/** One point of line protocol (`new Point('cpu').tag('host', 'a').field('load', 0.5)`). */
export class Point {
  readonly #name: string;
  readonly #key: string;
  // Tags and fields as flat [prefix, value, prefix, value...] arrays. A field's prefix is the
  // escaped key plus "=" and its value is ready to write; a tag's prefix is "," + escaped key
  // + "=" (what tags are sorted and found by) and its value is the whole `,key=value`. Each
  // array is allocated with room for four entries and counted by #tagEnd / #fieldEnd: an
  // empty array that grows on push would allocate room for 19 (V8 adds 16 on growth), and
  // allocation is what a serialiser of millions of points spends its time collecting.
  #tags: string[] = new Array<string>(8);
  #tagEnd = 0;
  #sorted = true;
  #fields: string[] = new Array<string>(8);
  #fieldEnd = 0;
  // One bit per key set (a hash of the key): a clear bit proves a key is new, so setting a
  // key rarely needs a search.
  #tagMask = 0;
  #fieldMask = 0;
  #time: Time | undefined = undefined;
  // Set when a tag's escaped text could mislead InfluxDB 1.x's line splitter: the whole line
  // is then checked once written (rare: a backslash right before an escaped separator).
  #checkLine = false;

  /** A point of `measurement` (refused at once if InfluxDB could not store that name). */
  constructor(measurement: string) {
    this.#key = measurement === lastName ? lastKey : escapeMeasurementCached(measurement);
    this.#name = measurement;
  }

  /** Builds a Point from a plain object (influxdb-python's dict form). */
  static from(object: PointObject): Point {
    if (object === null || typeof object !== 'object') {
      throw new LineProtocolError(`a point must be a Point or an object, not ${String(object)}`);
    }
    const point = new Point(object.measurement);
    const { tags, fields, time } = object;
    if (tags) for (const key in tags) point.tag(key, tags[key]);
    if (fields === null || typeof fields !== 'object') throw point.#problem('fields must be an object');
    for (const key in fields) point.field(key, fields[key]);
    if (time !== undefined && time !== null) point.timestamp(time);
    return point;
  }

  /** The measurement name, as given. */
  get measurement(): string {
    return this.#name;
  }

  /** The timestamp: bigint nanoseconds, a number or digit string in the write's precision, or undefined (stamped by the server). */
  get time(): Time | undefined {
    return this.#time;
  }

  /** True once the point has at least one field (a point without fields cannot be written). */
  get hasFields(): boolean {
    return this.#fieldEnd > 0;
  }

  /** Sets a tag; an empty, null or undefined value removes it (InfluxDB has no empty tags). */
  tag(key: string, value: TagValue): this {
    const tags = this.#tags;
    const end = this.#tagEnd;
    const slot = end >> 1;
    let prefix: string;
    let bit: number;
    let pairs: Map<string, string> | null | undefined;
    if (slot < SLOTS && tagKeys[slot] === key) {
      prefix = tagPrefixes[slot]!;
      bit = tagBits[slot]!;
      pairs = tagPairs[slot] ??= new Map();
    } else {
      prefix = ',' + escapeTagKey(key, this.#name) + '=';
      bit = keyBit(prefix);
      if (slot < SLOTS) {
        tagKeys[slot] = key;
        tagPrefixes[slot] = prefix;
        tagBits[slot] = bit;
        tagPairs[slot] = undefined;
        tagPairClears[slot] = 0;
      }
    }
    const text =
      typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
    const index = (this.#tagMask & bit) === 0 ? -1 : findPrefix(tags, end, prefix);
    if (text === '') {
      if (index >= 0) this.#tagEnd = remove(tags, end, index);
      return this;
    }
    // Tag values repeat (hosts, regions...): the whole `,key=value` text is remembered per
    // position, which spares checking the value again and one string per tag.
    let pair = pairs ? pairs.get(text) : undefined;
    if (pair === undefined) {
      pair = prefix + escapeTagValue(text, key, this.#name);
      if (pairs && text.length <= 64) {
        if (pairs.size >= PAIRS_PER_SLOT) {
          // Values that hardly repeat (ids...) would only churn the cache: give up on the slot.
          if (++tagPairClears[slot]! > 8) tagPairs[slot] = null;
          pairs.clear();
        }
        pairs.set(text, pair);
      }
    }
    if (needsLineCheck(pair)) this.#checkLine = true;
    if (index >= 0) {
      tags[index + 1] = pair;
      return this;
    }
    if (this.#sorted && end > 0 && compareKeys(tags[end - 2]!, prefix) > 0) this.#sorted = false;
    tags[end] = prefix;
    tags[end + 1] = pair;
    this.#tagEnd = end + 2;
    this.#tagMask |= bit;
    return this;
  }

  /**
   * Sets a field by the value's JS type: number -> float, bigint -> integer, string,
   * boolean. null/undefined removes the field. Use `intField`/`uintField` for integers
   * given as numbers.
   */
  field(key: string, value: FieldValue | null | undefined): this {
    switch (typeof value) {
      case 'number':
        return this.#set(key, formatFloat(value, key, this.#name));
      case 'bigint':
        return this.#set(key, formatInteger(value, key, this.#name));
      case 'string':
        return this.#set(key, this.#quoted(key, value));
      case 'boolean':
        return this.#set(key, value ? 'true' : 'false');
      default:
        if (value === null || value === undefined) {
          const index = findPrefix(this.#fields, this.#fieldEnd, escapeFieldKey(key, this.#name) + '=');
          if (index >= 0) this.#fieldEnd = remove(this.#fields, this.#fieldEnd, index);
          return this;
        }
        throw this.#problem(`field ${show(key)} has unsupported type ${typeof value}`);
    }
  }

  /** Sets a float field (NaN and ±Infinity refused). */
  floatField(key: string, value: number): this {
    return this.#set(key, formatFloat(value, key, this.#name));
  }

  /** Sets a signed 64-bit integer field: a bigint, or a number that is a safe integer. */
  intField(key: string, value: number | bigint): this {
    return this.#set(key, formatInteger(value, key, this.#name));
  }

  /** Sets an unsigned 64-bit integer field (`u`; InfluxDB 1.6/1.7 OSS refuse it). */
  uintField(key: string, value: number | bigint): this {
    return this.#set(key, formatUnsigned(value, key, this.#name));
  }

  /** Sets a string field. */
  stringField(key: string, value: string): this {
    return this.#set(key, this.#quoted(key, value));
  }

  /** Sets a boolean field. */
  booleanField(key: string, value: boolean): this {
    return this.#set(key, formatBoolean(value, key, this.#name));
  }

  /**
   * Sets the timestamp: a Date, a bigint of nanoseconds since the epoch, an RFC 3339 string
   * (up to nanoseconds, with Z or an offset), or a number or string of digits already in the
   * write's precision (as influxdb-python takes integers). undefined/null removes it: the
   * server stamps the point on arrival.
   */
  timestamp(value: TimestampInput | null | undefined): this {
    this.#time = value === undefined || value === null ? undefined : normalizeTime(value, this.#name);
    return this;
  }

  /** One line of line protocol (no trailing newline). Throws LineProtocolError if the point has no fields. */
  toLineProtocol(options?: LineProtocolOptions): string {
    if (options === undefined) return this[toLine]('n', undefined);
    const precision = wirePrecision(options.precision);
    return this[toLine](precision, options.defaultTags ? prepareTags(options.defaultTags) : undefined);
  }

  /** The line protocol of the point, or a description when it is not writable yet. */
  toString(): string {
    return this.hasFields ? this.toLineProtocol() : `Point(${show(this.#name)}, no fields)`;
  }

  /** @internal Serialises with a resolved precision and prepared default tags. */
  [toLine](precision: WirePrecision, defaults: PreparedTags | undefined): string {
    const fields = this.#fields;
    const n = this.#fieldEnd;
    if (n === 0) throw this.#problem('the point has no fields (InfluxDB needs at least one)');
    const tags = this.#tags;
    const end = this.#tagEnd;
    if (!this.#sorted) {
      sortTags(tags, end);
      this.#sorted = true;
    }
    let line = this.#key;
    if (defaults !== undefined && defaults.tags.length > 0) line += mergeTags(tags, end, defaults.tags);
    else for (let i = 1; i < end; i += 2) line += tags[i];
    line = line + ' ' + fields[0] + fields[1];
    for (let i = 2; i < n; i += 2) line = line + ',' + fields[i] + fields[i + 1];
    const time = this.#time;
    if (time !== undefined) {
      const text = formatTime(time, precision);
      if (text === undefined) throw this.#problem(outOfRange(time, precision));
      line += ' ' + text;
    }
    if ((this.#checkLine || (defaults !== undefined && defaults.checkLine)) && !readsAsOneLine(line)) {
      throw this.#problem(
        'a tag with a backslash before an escaped separator makes InfluxDB 1.x misread where this line ends (with the quotes and "=" that follow it, the line would swallow or lose the next one)',
      );
    }
    // The line is a rope of some twenty pieces. Batches keep thousands of lines alive across
    // young-generation collections, and copying ropes there costs far more than flattening
    // each line once here (about 1.6x the throughput measured): charCodeAt flattens it.
    _flattened ^= line.charCodeAt(0);
    return line;
  }

  // A string field's quoted text; values that repeat at this position (statuses, units...)
  // come from a per-position cache, as tag pairs do.
  #quoted(key: string, value: string): string {
    const slot = this.#fieldEnd >> 1;
    if (slot >= SLOTS || fieldKeys[slot] !== key || typeof value !== 'string' || value.length > 64) {
      return formatString(value, key, this.#name);
    }
    const strings = (fieldStrings[slot] ??= new Map());
    if (strings === null) return formatString(value, key, this.#name);
    let quoted = strings.get(value);
    if (quoted === undefined) {
      quoted = formatString(value, key, this.#name);
      if (strings.size >= PAIRS_PER_SLOT) {
        if (++fieldStringClears[slot]! > 8) fieldStrings[slot] = null;
        strings.clear();
      }
      strings.set(value, quoted);
    }
    return quoted;
  }

  #set(key: string, value: string): this {
    const fields = this.#fields;
    const end = this.#fieldEnd;
    const slot = end >> 1;
    let prefix: string;
    let bit: number;
    if (slot < SLOTS && fieldKeys[slot] === key) {
      prefix = fieldPrefixes[slot]!;
      bit = fieldBits[slot]!;
    } else {
      prefix = escapeFieldKey(key, this.#name) + '=';
      bit = keyBit(prefix);
      if (slot < SLOTS) {
        fieldKeys[slot] = key;
        fieldPrefixes[slot] = prefix;
        fieldBits[slot] = bit;
        fieldStrings[slot] = undefined;
        fieldStringClears[slot] = 0;
      }
    }
    const index = (this.#fieldMask & bit) === 0 ? -1 : findPrefix(fields, end, prefix);
    if (index >= 0) {
      fields[index + 1] = value;
    } else {
      fields[end] = prefix;
      fields[end + 1] = value;
      this.#fieldEnd = end + 2;
      this.#fieldMask |= bit;
    }
    return this;
  }

  #problem(text: string): LineProtocolError {
    return new LineProtocolError(text, this.#name);
  }
}

// Written by [toLine] only so that reading a character (which flattens the line) is not dead code.
let _flattened = 0;

// Points usually come in runs of one measurement: remember the last name escaped.
// Caches start with a symbol, which no name can equal: '' would let an empty name through.
const NONE = Symbol('none');
let lastName: string | symbol = NONE;
let lastKey = '';

function escapeMeasurementCached(name: string): string {
  const key = escapeMeasurement(name);
  lastName = name;
  lastKey = key;
  return key;
}

// Tag and field keys repeat from point to point, usually in the same order: remember, per
// position, the last key seen, its prefix (escaped key and "=") and its bit (an inline
// cache; a miss only costs the escaping it saves).
const SLOTS = 16;
const tagKeys: (string | symbol)[] = new Array<string | symbol>(SLOTS).fill(NONE);
const tagPrefixes: string[] = new Array<string>(SLOTS).fill('');
const tagBits: number[] = new Array<number>(SLOTS).fill(0);
// Per position, `,key=value` by value for the cached key (null: caching given up).
const PAIRS_PER_SLOT = 1024;
const tagPairs: (Map<string, string> | null | undefined)[] = new Array<
  Map<string, string> | null | undefined
>(SLOTS).fill(undefined);
const tagPairClears: number[] = new Array<number>(SLOTS).fill(0);
const fieldKeys: (string | symbol)[] = new Array<string | symbol>(SLOTS).fill(NONE);
const fieldPrefixes: string[] = new Array<string>(SLOTS).fill('');
const fieldBits: number[] = new Array<number>(SLOTS).fill(0);
// Per position, quoted string values by value for the cached field key (null: given up).
const fieldStrings: (Map<string, string> | null | undefined)[] = new Array<
  Map<string, string> | null | undefined
>(SLOTS).fill(undefined);
const fieldStringClears: number[] = new Array<number>(SLOTS).fill(0);

/** One of 32 bits chosen by a cheap hash of an escaped key. */
function keyBit(prefix: string): number {
  let h = prefix.length;
  for (let i = 0; i < prefix.length; i++) h = (h * 31 + prefix.charCodeAt(i)) | 0;
  return 1 << (h & 31);
}

/** Index of `prefix` among the first `end` entries of a flat [prefix, value...] array, or -1. */
function findPrefix(entries: readonly string[], end: number, prefix: string): number {
  for (let i = 0; i < end; i += 2) if (entries[i] === prefix) return i;
  return -1;
}

/** Removes the entry at `index` (prefix and value) from the first `end`; returns the new end. */
function remove(entries: string[], end: number, index: number): number {
  entries.copyWithin(index, index + 2, end);
  return end - 2;
}
