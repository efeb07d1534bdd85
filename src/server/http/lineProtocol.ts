/**
 * The line protocol parser of the embedded server's HTTP write endpoints: text in, points out,
 * and one error per bad line naming its line number and the problem.
 *
 * It reads escapes as InfluxDB 1.x does (probed on influxd, see docs/influx.md): in a
 * measurement `\,` `\ ` `\=` `\"` lose their backslash; in tag keys and values `\,` `\=` `\ `;
 * in field keys those and `\"`; in string values `\"` and `\\`. Any other backslash stays as
 * it is. While finding where an element ends, a backslash always takes the next character
 * with it, so an escaped separator never separates. Unlike 1.x, CRLF line ends are accepted,
 * and a repeated tag or field key is an error (InfluxDB 3 refuses it too).
 */
import { readScalar, show, type FieldType, type FieldValue } from './fieldValues';
import { toNanoseconds, type Precision } from './precision';

export type { FieldType, FieldValue } from './fieldValues';

/** One parsed line. Tags and fields are parallel arrays, in the order of the line. */
export interface Point {
  /** 1-based line number in the body (of the line's first character, for multi-line strings). */
  readonly lineNumber: number;
  readonly measurement: string;
  readonly tagKeys: string[];
  readonly tagValues: string[];
  readonly fieldKeys: string[];
  readonly fieldTypes: FieldType[];
  readonly fieldValues: FieldValue[];
  /** Nanoseconds since the epoch. */
  readonly time: bigint;
  /** Where the line is in the body (UTF-16 offsets, line end excluded), to quote it in errors. */
  readonly start: number;
  readonly end: number;
}

/** A line that could not be written, and why. */
export interface LineError {
  readonly lineNumber: number;
  /** The line as sent (without its line end), cut after 256 characters. */
  readonly line: string;
  readonly message: string;
}

/** How to read timestamps. */
export interface ParseOptions {
  readonly precision: Precision;
  /** Time of lines without a timestamp, in nanoseconds: one per request, as InfluxDB does. */
  readonly now: bigint;
}

/** Parsed points and the lines refused, both in body order. */
export interface ParseResult {
  readonly points: Point[];
  readonly errors: LineError[];
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const HASH = 35;
const COMMA = 44;
const EQUALS = 61;
const BACKSLASH = 92;

const TIMESTAMP = /^-?\d+$/;

/** A problem in the line being parsed (caught per line, never escapes the parser). */
class SyntaxProblem extends Error {}

function problem(message: string): never {
  throw new SyntaxProblem(message);
}

/** Characters each element unescapes (the escaped character replaces the pair). */
const MEASUREMENT_ESCAPES = new Set([',', ' ', '=', '"']);
const TAG_ESCAPES = new Set([',', ' ', '=']);
const FIELD_KEY_ESCAPES = new Set([',', ' ', '=', '"']);

function unescape(raw: string, escapes: ReadonlySet<string>): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      const next = raw[i + 1]!;
      out += escapes.has(next) ? next : c + next;
      i++;
    } else out += c;
  }
  return out;
}

/** The text of a line for messages: `text[start, end)`, cut after 256 characters. */
export function quoteLine(text: string, start: number, end: number): string {
  const line = text.slice(start, Math.min(end, start + 257));
  return line.length > 256 ? `${line.slice(0, 256)}…` : line;
}

/** True when `a` and `b` hold the same items in the same order. */
function same<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Parses a whole body. Comment (`#`) and blank lines are skipped; every other line is a point or an error. */
export function parseLineProtocol(text: string, options: ParseOptions): ParseResult {
  return new Parser(text, options).parse();
}

class Parser {
  private pos = 0;
  private lineNumber = 1;
  /** Line feeds inside string values of the current line (they do not end it). */
  private innerLineFeeds = 0;
  private readonly points: Point[] = [];
  private readonly errors: LineError[] = [];
  /**
   * Names and tag values seen, by their raw text: lines repeat them, and keeping one string
   * for all (the slice just read is dropped young) spares the garbage collector most of a
   * large body's strings.
   */
  private readonly names = new Map<string, string>();
  /** The last point parsed: its key and type arrays are shared by the next when equal. */
  private previous: Point | undefined;

  constructor(
    private readonly text: string,
    private readonly options: ParseOptions,
  ) {}

  parse(): ParseResult {
    const { text } = this;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === SPACE || c === TAB || c === CR) {
        this.pos++;
      } else if (c === LF) {
        this.pos++;
        this.lineNumber++;
      } else if (c === 0xfeff && this.pos === 0) {
        this.pos++; // a byte order mark
      } else if (c === HASH) {
        const end = text.indexOf('\n', this.pos);
        this.pos = end < 0 ? text.length : end;
      } else {
        this.line();
      }
    }
    return { points: this.points, errors: this.errors };
  }

  /** Parses the line at `pos`; leaves `pos` on its line feed (or at the end). */
  private line(): void {
    const start = this.pos;
    this.innerLineFeeds = 0;
    try {
      this.points.push(this.point());
      this.lineNumber += this.innerLineFeeds;
    } catch (err) {
      if (!(err instanceof SyntaxProblem)) throw err;
      const end = this.lineEnd(start);
      const last = end > start && this.text.charCodeAt(end - 1) === CR ? end - 1 : end;
      this.errors.push({
        lineNumber: this.lineNumber,
        line: quoteLine(this.text, start, last),
        message: err.message,
      });
      for (let i = start; i < end; i++) if (this.text.charCodeAt(i) === LF) this.lineNumber++;
      this.pos = end;
    }
  }

  /**
   * Where the line starting at `start` ends, found the way InfluxDB 1.x does it: a backslash
   * takes the next character along; after the first space, a quote opens or closes a string
   * when it comes as a field value (more `=` than `,` seen), and a line feed inside a string
   * does not end the line.
   */
  private lineEnd(start: number): number {
    const { text } = this;
    let fields = false;
    let quoted = false;
    let equals = 0;
    let commas = 0;
    let i = start;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === BACKSLASH && i + 1 < text.length && text.charCodeAt(i + 1) !== LF) {
        i += 2;
        continue;
      }
      if (c === SPACE) fields = true;
      if (fields && !quoted && c === EQUALS) equals++;
      else if (fields && !quoted && c === COMMA) commas++;
      else if (fields && c === QUOTE && equals > commas) quoted = !quoted;
      else if (c === LF && !quoted) return i;
      i++;
    }
    return i;
  }

  private point(): Point {
    const { text } = this;
    const start = this.pos;
    const measurement = this.name(this.until(false), MEASUREMENT_ESCAPES);
    if (measurement === '') problem('missing measurement');
    const tagKeys: string[] = [];
    const tagValues: string[] = [];
    while (text.charCodeAt(this.pos) === COMMA) {
      this.pos++;
      const key = this.name(this.until(true), TAG_ESCAPES);
      if (key === '') problem('empty tag key');
      if (text.charCodeAt(this.pos) !== EQUALS) problem(`missing value for tag ${show(key)}`);
      this.pos++;
      const value = this.name(this.until(false), TAG_ESCAPES);
      if (value === '') problem(`empty value for tag ${show(key)}`);
      if (tagKeys.includes(key)) problem(`duplicate tag ${show(key)}`);
      tagKeys.push(key);
      tagValues.push(value);
    }
    this.spaces();
    const fieldKeys: string[] = [];
    const fieldTypes: FieldType[] = [];
    const fieldValues: FieldValue[] = [];
    for (;;) {
      const key = this.name(this.until(true), FIELD_KEY_ESCAPES);
      if (key === '')
        problem(fieldKeys.length === 0 && this.atLineEnd() ? 'missing fields' : 'empty field key');
      if (text.charCodeAt(this.pos) !== EQUALS) problem(`missing value for field ${show(key)}`);
      this.pos++;
      if (fieldKeys.includes(key)) problem(`duplicate field ${show(key)}`);
      fieldKeys.push(key);
      if (text.charCodeAt(this.pos) === QUOTE) {
        fieldTypes.push('string');
        fieldValues.push(this.stringValue(key));
      } else {
        this.scalar(key, fieldTypes, fieldValues);
      }
      if (text.charCodeAt(this.pos) !== COMMA) break;
      this.pos++;
    }
    const time = this.timestamp();
    const previous = this.previous;
    return (this.previous = {
      lineNumber: this.lineNumber,
      measurement,
      tagKeys: previous && same(tagKeys, previous.tagKeys) ? previous.tagKeys : tagKeys,
      tagValues,
      fieldKeys: previous && same(fieldKeys, previous.fieldKeys) ? previous.fieldKeys : fieldKeys,
      fieldTypes: previous && same(fieldTypes, previous.fieldTypes) ? previous.fieldTypes : fieldTypes,
      fieldValues,
      time,
      start,
      end: text.charCodeAt(this.pos - 1) === CR && this.pos > start ? this.pos - 1 : this.pos,
    });
  }

  /** The unescaped text of `raw`; one string per distinct text when it has no escapes. */
  private name(raw: string, escapes: ReadonlySet<string>): string {
    // With escapes, the text depends on the element (each unescapes its own set): not shared.
    if (raw.includes('\\')) return unescape(raw, escapes);
    let name = this.names.get(raw);
    if (name === undefined) {
      name = raw;
      // Bounded: a body of unique names gains nothing from the map.
      if (this.names.size < 65_536) this.names.set(raw, name);
    }
    return name;
  }

  /** True at the end of the text, a line feed, or a CR that ends the line. */
  private atLineEnd(at = this.pos): boolean {
    const { text } = this;
    if (at >= text.length) return true;
    const c = text.charCodeAt(at);
    return c === LF || (c === CR && (at + 1 === text.length || text.charCodeAt(at + 1) === LF));
  }

  /**
   * The raw text from `pos` up to the next unescaped separator (`,` or space, and `=` when
   * `key`) or the line end; `pos` is left there for the caller to check what follows.
   */
  private until(key: boolean): string {
    const { text } = this;
    const start = this.pos;
    let i = start;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === BACKSLASH && i + 1 < text.length && text.charCodeAt(i + 1) !== LF) i++;
      else if (c === COMMA || c === SPACE || (key && c === EQUALS) || (c <= CR && this.atLineEnd(i))) break;
    }
    this.pos = i;
    return text.slice(start, i);
  }

  /** Skips the spaces between sections; at least one must be there. */
  private spaces(): void {
    const start = this.pos;
    while (this.text.charCodeAt(this.pos) === SPACE) this.pos++;
    if (this.pos === start) problem('missing fields');
  }

  /** A quoted string value at `pos` (on the opening quote). */
  private stringValue(key: string): string {
    const { text } = this;
    let i = this.pos + 1;
    let out = '';
    let from = i;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === BACKSLASH && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next === QUOTE || next === BACKSLASH) {
          out += text.slice(from, i);
          from = i + 1;
          i++;
        }
      } else if (c === QUOTE) {
        out += text.slice(from, i);
        this.pos = i + 1;
        return out;
      } else if (c === LF) {
        this.innerLineFeeds++;
      }
    }
    this.pos = text.length;
    return problem(`unterminated string value for field ${show(key)}`);
  }

  /** A float, integer, unsigned or boolean value at `pos`. */
  private scalar(key: string, types: FieldType[], values: FieldValue[]): void {
    const raw = this.token();
    if (raw === '') problem(`missing value for field ${show(key)}`);
    const failure = readScalar(raw, key, types, values);
    if (failure !== undefined) problem(failure);
  }

  /** An unquoted token: up to a comma, space, or line end. */
  private token(): string {
    const { text } = this;
    const start = this.pos;
    let i = start;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === COMMA || c === SPACE || c === LF || c === CR) break;
    }
    this.pos = i;
    return text.slice(start, i);
  }

  /** The optional timestamp after a space, then the end of the line (trailing spaces and a CR allowed). */
  private timestamp(): bigint {
    const { text } = this;
    if (this.atLineEnd()) return this.endLine(this.options.now);
    if (text.charCodeAt(this.pos) !== SPACE) {
      problem(`unexpected ${show(this.rest())} after the fields (expected a space, a comma or the line end)`);
    }
    while (text.charCodeAt(this.pos) === SPACE) this.pos++;
    if (this.atLineEnd()) return this.endLine(this.options.now);
    const raw = this.token();
    if (!TIMESTAMP.test(raw)) problem(`invalid timestamp ${show(raw)}`);
    const nanos = toNanoseconds(BigInt(raw), this.options.precision);
    if (nanos === undefined) return problem(`timestamp ${show(raw)} is out of range`);
    while (text.charCodeAt(this.pos) === SPACE) this.pos++;
    if (!this.atLineEnd()) problem(`unexpected ${show(this.rest())} after the timestamp`);
    return this.endLine(nanos);
  }

  /** Steps over the CR of a CRLF so that `pos` rests on the line feed. */
  private endLine(time: bigint): bigint {
    if (this.text.charCodeAt(this.pos) === CR) this.pos++;
    return time;
  }

  /** The rest of the current line, for messages. */
  private rest(): string {
    return this.text.slice(this.pos, this.lineEnd(this.pos)).replace(/\r$/, '');
  }
}
