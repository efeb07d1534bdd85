/**
 * The line protocol parser of the embedded server's HTTP write endpoints: text in, points out,
 * and one error per bad line naming its line number and the problem.
 *
 * Lines are found by the scanner the client splits text with (src/lineprotocol), and elements
 * end and unescape by the rules there, which are InfluxDB 1.x's (probed on influxd, see
 * docs/influx.md): in a measurement `\,` `\ ` `\=` `\"` lose their backslash; in tag keys and
 * values `\,` `\=` `\ `; in field keys those and `\"`; in string values `\"` and `\\`. Any
 * other backslash stays as it is. Unlike 1.x, CRLF line ends are accepted, and a repeated tag
 * or field key is an error (InfluxDB 3 refuses it too).
 */
// From the defining modules, not the folder's index: tsc's CommonJS re-exports are getters, too
// dear per element on this hot path; a module's own exports are plain properties.
import {
  FIELD_KEY_ESCAPES,
  MEASUREMENT_ESCAPES,
  TAG_ESCAPES,
  fieldKeyEnd,
  keyElementEnd,
  unescapeElement,
} from '../../lineprotocol/elements';
import { LineScanner } from '../../lineprotocol/scanner';
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
const QUOTE = 34;
const COMMA = 44;
const EQUALS = 61;
const BACKSLASH = 92;

const TIMESTAMP = /^-?\d+$/;

/** A problem in the line being parsed (caught per line, never escapes the parser). */
class SyntaxProblem extends Error {}

function problem(message: string): never {
  throw new SyntaxProblem(message);
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
  /** The end of the current line (its line end excluded), as the scanner found it. */
  private limit = 0;
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
    const lines = new LineScanner(this.text);
    while (lines.next()) this.line(lines.start, lines.end, lines.lineNumber);
    return { points: this.points, errors: this.errors };
  }

  /** Parses the line `text[start, end)`, the scanner's line `lineNumber`. */
  private line(start: number, end: number, lineNumber: number): void {
    this.pos = start;
    this.limit = end;
    try {
      this.points.push(this.point(lineNumber));
    } catch (err) {
      if (!(err instanceof SyntaxProblem)) throw err;
      this.errors.push({ lineNumber, line: quoteLine(this.text, start, end), message: err.message });
    }
  }

  private point(lineNumber: number): Point {
    const { text } = this;
    const start = this.pos;
    const measurement = this.name(this.keyElement(false), MEASUREMENT_ESCAPES);
    if (measurement === '') problem('missing measurement');
    const tagKeys: string[] = [];
    const tagValues: string[] = [];
    while (text.charCodeAt(this.pos) === COMMA) {
      this.pos++;
      const key = this.name(this.keyElement(true), TAG_ESCAPES);
      if (key === '') problem('empty tag key');
      if (text.charCodeAt(this.pos) !== EQUALS) problem(`missing value for tag ${show(key)}`);
      this.pos++;
      const value = this.name(this.keyElement(false), TAG_ESCAPES);
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
      const key = this.name(this.fieldKey(), FIELD_KEY_ESCAPES);
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
      lineNumber,
      measurement,
      tagKeys: previous && same(tagKeys, previous.tagKeys) ? previous.tagKeys : tagKeys,
      tagValues,
      fieldKeys: previous && same(fieldKeys, previous.fieldKeys) ? previous.fieldKeys : fieldKeys,
      fieldTypes: previous && same(fieldTypes, previous.fieldTypes) ? previous.fieldTypes : fieldTypes,
      fieldValues,
      time,
      start,
      end: this.limit,
    });
  }

  /** The unescaped text of `raw`; one string per distinct text when it has no escapes. */
  private name(raw: string, escapes: string): string {
    // With escapes, the text depends on the element (each unescapes its own set): not shared.
    if (raw.includes('\\')) return unescapeElement(raw, escapes);
    let name = this.names.get(raw);
    if (name === undefined) {
      name = raw;
      // Bounded: a body of unique names gains nothing from the map.
      if (this.names.size < 65_536) this.names.set(raw, name);
    }
    return name;
  }

  /** True at the end of the current line. */
  private atLineEnd(): boolean {
    return this.pos >= this.limit;
  }

  /**
   * The raw text of a measurement, tag key (`key`) or tag value from `pos` (see
   * keyElementEnd); `pos` is left on what ends it for the caller to check.
   */
  private keyElement(key: boolean): string {
    const start = this.pos;
    this.pos = keyElementEnd(this.text, start, this.limit, key);
    return this.text.slice(start, this.pos);
  }

  /** The raw text of a field key from `pos` (see fieldKeyEnd). */
  private fieldKey(): string {
    const start = this.pos;
    this.pos = fieldKeyEnd(this.text, start, this.limit);
    return this.text.slice(start, this.pos);
  }

  /** Skips the spaces between sections; at least one must be there. */
  private spaces(): void {
    const start = this.pos;
    while (this.text.charCodeAt(this.pos) === SPACE) this.pos++;
    if (this.pos === start) problem('missing fields');
  }

  /** A quoted string value at `pos` (on the opening quote). */
  private stringValue(key: string): string {
    const { text, limit } = this;
    let i = this.pos + 1;
    let out = '';
    let from = i;
    for (; i < limit; i++) {
      const c = text.charCodeAt(i);
      if (c === BACKSLASH && i + 1 < limit) {
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
      }
    }
    this.pos = limit;
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
    const { text, limit } = this;
    const start = this.pos;
    let i = start;
    for (; i < limit; i++) {
      const c = text.charCodeAt(i);
      if (c === COMMA || c === SPACE || c === LF || c === CR) break;
    }
    this.pos = i;
    return text.slice(start, i);
  }

  /** The optional timestamp after a space, then the end of the line (trailing spaces and a CR allowed). */
  private timestamp(): bigint {
    const { text } = this;
    if (this.atLineEnd()) return this.options.now;
    if (text.charCodeAt(this.pos) !== SPACE) {
      problem(`unexpected ${show(this.rest())} after the fields (expected a space, a comma or the line end)`);
    }
    this.skipSpaces();
    if (this.atLineEnd()) return this.options.now;
    const raw = this.token();
    if (!TIMESTAMP.test(raw)) problem(`invalid timestamp ${show(raw)}`);
    const nanos = toNanoseconds(BigInt(raw), this.options.precision);
    if (nanos === undefined) return problem(`timestamp ${show(raw)} is out of range`);
    this.skipSpaces();
    if (!this.atLineEnd()) problem(`unexpected ${show(this.rest())} after the timestamp`);
    return nanos;
  }

  /** Steps over spaces, within the line. */
  private skipSpaces(): void {
    while (this.pos < this.limit && this.text.charCodeAt(this.pos) === SPACE) this.pos++;
  }

  /** The rest of the current line, for messages. */
  private rest(): string {
    return this.text.slice(this.pos, this.limit);
  }
}
