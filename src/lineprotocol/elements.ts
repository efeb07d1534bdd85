/**
 * Where the elements of one line end, and how their escapes read, as InfluxDB 1.x reads them
 * (models/points.go, pkg/escape): the rules the embedded server parses by and the serializer
 * in `influx/` writes for.
 *
 * - Measurement, tag keys and tag values end at a `,` or space (a tag key also at `=`) that
 *   does not follow a backslash: `\\ ` (a backslash, then an escaped space) does not end a tag
 *   value, and reads as a backslash and a space.
 * - Field keys end at a `,`, space or `=` outside a backslash pair: a backslash takes the next
 *   character along.
 * - Unescaping drops the backslash of each pair the element knows (`\,`, `\ `, `\=`, and `\"`
 *   in measurements and field keys) and keeps any other backslash, reading the character after
 *   it on its own: `\\,` is a backslash and a comma.
 */

const LF = 10;
const SPACE = 32;
const COMMA = 44;
const EQUALS = 61;
const BACKSLASH = 92;

/** Characters whose backslash a measurement drops. */
export const MEASUREMENT_ESCAPES = ',= "';
/** Characters whose backslash a tag key or tag value drops. */
export const TAG_ESCAPES = ',= ';
/** Characters whose backslash a field key drops. */
export const FIELD_KEY_ESCAPES = ',= "';

/**
 * The end of a measurement, tag key (`key`: `=` ends it too) or tag value starting at `from`:
 * the first `,`, space (or `=`) not right after a backslash, or a line feed, or `limit`.
 */
export function keyElementEnd(text: string, from: number, limit: number, key: boolean): number {
  let i = from;
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === COMMA || c === SPACE || (key && c === EQUALS)) {
      if (i === from || text.charCodeAt(i - 1) !== BACKSLASH) break;
    } else if (c === LF) break;
  }
  return i;
}

/**
 * The end of a field key starting at `from`: the first `,`, space or `=` outside a backslash
 * pair, or a line feed, or `limit`.
 */
export function fieldKeyEnd(text: string, from: number, limit: number): number {
  let i = from;
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH && i + 1 < limit && text.charCodeAt(i + 1) !== LF) i++;
    else if (c === COMMA || c === SPACE || c === EQUALS || c === LF) break;
  }
  return i;
}

/** The text of an escaped element: the backslash of each pair in `escapes` dropped, others kept. */
export function unescapeElement(raw: string, escapes: string): string {
  let at = raw.indexOf('\\');
  if (at < 0) return raw;
  let out = '';
  let from = 0;
  while (at >= 0 && at + 1 < raw.length) {
    if (escapes.includes(raw[at + 1]!)) {
      out += raw.slice(from, at);
      from = at + 1;
      at = raw.indexOf('\\', at + 2);
    } else {
      at = raw.indexOf('\\', at + 1);
    }
  }
  return out + raw.slice(from);
}
