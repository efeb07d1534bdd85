/**
 * Line protocol, element by element, exactly as InfluxDB parses it. Each escaper returns the
 * text to write or throws a LineProtocolError naming the point and the problem; names that
 * InfluxDB would store differently from what was asked (or not at all) are refused here,
 * before anything is sent. What 1.x unescapes where was probed on influxd 1.6.7 (see
 * docs/influx.md, "Line protocol rules"):
 *
 * - measurement: escape `,` and space. A backslash right before `,`, space, `=` or `"` makes
 *   the point unreadable, so it is refused; so are a leading `#` (a comment), tab or NUL
 *   (stripped as whitespace) and a trailing backslash (it would escape the separator).
 * - tag key, tag value: escape `,`, `=` and space; backslashes stay as they are (doubling
 *   them, as influxdb-python does, stores two). No trailing backslash, no line feed. A
 *   backslash before a separator reads back exactly (`\\ ` is a backslash and a space), but
 *   1.x's line splitter takes such a pair as an escaped backslash and a real separator: the
 *   point is refused only when that makes the line's end unreadable (`needsLineCheck`).
 * - field key: as tags, and a `"` after a backslash is escaped too (1.x unescapes `\"` in
 *   field keys). An odd run of backslashes before `,`, `=` or space cannot be written.
 * - string value: escape `"` and `\`; line feeds stay raw (they are valid inside quotes).
 */
import { LineProtocolError, show } from './errors';

// What each element must look at twice, per ASCII code: bit 1 in measurements (",", " ",
// "\\", LF), bit 2 in tag keys/values and field keys (also "="; a '"' in a field key matters
// only after a backslash, which is flagged), bit 4 in string values ('"', "\\"). Characters >= 0x80 need a second look
// only when they are surrogates (a lone one is refused). One pass of this table is cheaper
// than a RegExp test plus isWellFormed on the hot path.
const MEASUREMENT = 1;
const TAG = 2;
const STRING = 4;
const special = new Uint8Array(128);
for (const c of ', \\\n') special[c.charCodeAt(0)] |= MEASUREMENT | TAG;
special[0x3d] |= TAG;
special[0x22] |= STRING;
special[0x5c] |= STRING;

/** True when `text` holds a character of `kind` (or a surrogate) and needs the slow path. */
function needsCare(text: string, kind: number): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if ((special[c] & kind) !== 0) return true;
    } else if ((c & 0xf800) === 0xd800) return true;
  }
  return false;
}

const MEASUREMENT_ESCAPE = /[, ]/g;
const TAG_ESCAPE = /[,= ]/g;
const BACKSLASH_BEFORE_SPECIAL = /\\[, ="]/;
const ODD_BACKSLASHES_BEFORE_SEPARATOR = /(?:^|[^\\])(?:\\\\)*\\[,= ]/;
const BACKSLASH_QUOTE = /\\"/g;

/** Largest int64 (`i` suffix). */
export const INT64_MAX = 9_223_372_036_854_775_807n;
/** Smallest int64. */
export const INT64_MIN = -9_223_372_036_854_775_808n;
/** Largest uint64 (`u` suffix). */
export const UINT64_MAX = 18_446_744_073_709_551_615n;

/**
 * String.prototype.isWellFormed (Node 20+; not in this project's ES2023 lib typings):
 * false when the string holds a lone surrogate.
 */
export function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

function fail(problem: string, measurement: string | undefined): never {
  throw new LineProtocolError(problem, measurement);
}

/**
 * Refuses a non-string or a string with a lone surrogate (it would reach the server as
 * U+FFFD). `what` names the element, `key` (when given) the tag or field it belongs to: the
 * message is only built on failure.
 */
function checkText(
  text: unknown,
  what: string,
  key: string | undefined,
  measurement: string | undefined,
): void {
  if (typeof text === 'string' && isWellFormed(text)) return;
  const name = key === undefined ? what : `${what} ${show(key)}`;
  if (typeof text !== 'string') fail(`${name} must be a string, not ${typeof text}`, measurement);
  fail(`${name} ${show(text)} is not well-formed UTF-16 (lone surrogate)`, measurement);
}

/** Escapes a measurement name; refuses names InfluxDB cannot store and read back. */
export function escapeMeasurement(name: string): string {
  if (typeof name !== 'string') checkText(name, 'measurement', undefined, undefined);
  if (name.length === 0) fail('the measurement name is empty', name);
  const first = name.charCodeAt(0);
  if (first === 0x23) fail('a measurement starting with "#" is a comment line in line protocol', name);
  if (first === 0x09 || first === 0)
    fail('a measurement cannot start with a tab or NUL (stripped as whitespace)', name);
  if (!needsCare(name, MEASUREMENT)) return name;
  checkText(name, 'measurement', undefined, name);
  if (name.includes('\n')) fail('a measurement cannot contain a line feed', name);
  if (name.endsWith('\\')) fail('a measurement cannot end with a backslash', name);
  if (BACKSLASH_BEFORE_SPECIAL.test(name)) {
    fail(
      'a backslash before ",", " ", "=" or \'"\' in a measurement makes the point unreadable in InfluxDB 1.x',
      name,
    );
  }
  return name.replace(MEASUREMENT_ESCAPE, '\\$&');
}

/** Escapes a tag key. `measurement` names the point in errors. */
export function escapeTagKey(key: string, measurement?: string): string {
  if (typeof key !== 'string') checkText(key, 'tag key', undefined, measurement);
  if (key.length === 0) fail('a tag key is empty', measurement);
  if (key === 'time') fail('"time" cannot be a tag key (InfluxDB refuses it)', measurement);
  return needsCare(key, TAG) ? escapeTagText(key, undefined, measurement) : key;
}

/** Escapes a tag value (callers drop empty values before). */
export function escapeTagValue(value: string, key: string, measurement?: string): string {
  if (typeof value !== 'string') checkText(value, 'tag', key, measurement);
  return needsCare(value, TAG) ? escapeTagText(value, key, measurement) : value;
}

// The slow path of tag keys and values. `tagKey` is undefined when `text` is itself a tag
// key, else the key whose value it is.
function escapeTagText(text: string, tagKey: string | undefined, measurement: string | undefined): string {
  const what = tagKey === undefined ? 'tag key' : `value of tag ${show(tagKey)}`;
  checkText(text, what, undefined, measurement);
  if (text.includes('\n'))
    fail(`${what} ${show(text)} contains a line feed, which line protocol cannot carry`, measurement);
  if (text.endsWith('\\'))
    fail(`${what} ${show(text)} ends with a backslash, which would escape the separator`, measurement);
  return text.replaceAll(',', '\\,').replaceAll('=', '\\=').replaceAll(' ', '\\ ');
}

/**
 * True when escaped tag text (a `,key=value` pair) may confuse InfluxDB 1.x's line splitter:
 * it holds two backslashes in a row, which the splitter reads as one escaped backslash, so an
 * escaped separator after them looks real to it (`\\ ` a space that starts the fields, `\\=`
 * an `=` it counts). Such lines are checked whole (`readsAsOneLine`) before they are written.
 */
export function needsLineCheck(escapedTags: string): boolean {
  return escapedTags.includes('\\\\');
}

/** Escapes a field key. */
export function escapeFieldKey(key: string, measurement?: string): string {
  if (typeof key !== 'string') checkText(key, 'field key', undefined, measurement);
  if (key.length === 0) fail('a field key is empty', measurement);
  if (key === 'time') fail('"time" cannot be a field key (InfluxDB drops it)', measurement);
  const first = key.charCodeAt(0);
  if (first === 0x09 || first === 0) {
    fail(`field key ${show(key)} starts with a tab or NUL, which InfluxDB strips as whitespace`, measurement);
  }
  if (!needsCare(key, TAG)) return key;
  checkText(key, 'field key', undefined, measurement);
  if (key.includes('\n')) fail(`field key ${show(key)} contains a line feed`, measurement);
  if (key.endsWith('\\'))
    fail(`field key ${show(key)} ends with a backslash, which would escape the "="`, measurement);
  if (ODD_BACKSLASHES_BEFORE_SEPARATOR.test(key)) {
    fail(
      `field key ${show(key)} has an odd run of backslashes before ",", "=" or " ", which InfluxDB 1.x cannot parse`,
      measurement,
    );
  }
  return key.replace(TAG_ESCAPE, '\\$&').replace(BACKSLASH_QUOTE, '\\\\"');
}

/** A string field value in quotes, `"` and `\\` escaped, line feeds kept. */
export function formatString(value: string, key: string, measurement?: string): string {
  if (typeof value !== 'string') checkText(value, 'string field', key, measurement);
  if (!needsCare(value, STRING)) return '"' + value + '"';
  checkText(value, 'string field', key, measurement);
  // replaceAll with plain strings is several times faster than a RegExp with "$&".
  return '"' + value.replaceAll('\\', '\\\\').replaceAll('"', '\\"') + '"';
}

/**
 * A float field: the shortest decimal that reads back as the same double (`String(n)`), so
 * `1` stays a float (no suffix) and `-0` keeps its sign. NaN and ±Infinity are refused:
 * InfluxDB has no way to store them.
 */
export function formatFloat(value: number, key: string, measurement?: string): string {
  if (typeof value !== 'number')
    fail(`float field ${show(key)} must be a number, not ${typeof value}`, measurement);
  if (value !== value || value === Infinity || value === -Infinity) {
    fail(`field ${show(key)} is ${value}, which InfluxDB cannot store`, measurement);
  }
  return value === 0 && 1 / value < 0 ? '-0' : String(value);
}

/** A signed 64-bit integer field (`i`): a bigint in int64 range or a safe-integer number. */
export function formatInteger(value: number | bigint, key: string, measurement?: string): string {
  if (typeof value === 'bigint') {
    if (value > INT64_MAX || value < INT64_MIN) {
      fail(`integer field ${show(key)} = ${value} is outside the int64 range`, measurement);
    }
    return `${value}i`;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    fail(
      `integer field ${show(key)} = ${String(value)} is not a safe integer (pass a bigint for values beyond 2^53)`,
      measurement,
    );
  }
  return `${value}i`;
}

/**
 * An unsigned 64-bit integer field (`u`). Valid line protocol for InfluxDB 1.8+, 2.x and 3.x;
 * 1.6/1.7 OSS answer 400 `invalid number`.
 */
export function formatUnsigned(value: number | bigint, key: string, measurement?: string): string {
  if (typeof value === 'bigint') {
    if (value < 0n || value > UINT64_MAX) {
      fail(`unsigned field ${show(key)} = ${value} is outside the uint64 range`, measurement);
    }
    return `${value}u`;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(
      `unsigned field ${show(key)} = ${String(value)} is not a non-negative safe integer (use a bigint)`,
      measurement,
    );
  }
  return `${value}u`;
}

/** A boolean field. */
export function formatBoolean(value: boolean, key: string, measurement?: string): string {
  if (typeof value !== 'boolean')
    fail(`boolean field ${show(key)} must be a boolean, not ${typeof value}`, measurement);
  return value ? 'true' : 'false';
}
