/**
 * Where lines of line protocol begin and end: the one scanner the client (splitting text into
 * lines and batches) and the embedded server (parsing a body) both use, so that they cannot
 * disagree about which text is one point.
 *
 * A line ends at a line feed, except inside a quoted string value, which may hold raw line
 * feeds. Whether a `"` opens a string is decided as InfluxDB 1.x's `scanLine` decides it
 * (models/points.go): a backslash takes the next character along; from the first space on,
 * `=` and `,` outside strings are counted, and a quote toggles a string only where more `=`
 * than `,` have been seen (it stands in a field value). Two deliberate differences: a backslash
 * never takes a line feed along (1.x joins the lines; here the line with the stray backslash
 * fails alone), and a comment (`#` first) ends at the next line feed whatever it holds (1.x
 * lets a quote in a comment swallow lines). Blank lines, leading spaces and tabs, a byte order
 * mark at the start, and the CR of a CRLF line end are not part of any line (another CR is:
 * a measurement may start with one).
 */

import { BACKSLASH, BOM, COMMA, CR, EQUALS, HASH, LF, ORDINARY, QUOTE, SPACE, TAB } from './chars';

// Set by `scanLine`: whether the text ended inside a string, and the line feeds it stepped
// over inside strings (a module variable, not an object per line: the server scans millions).
let endedQuoted = false;
let innerLineFeeds = 0;

/**
 * The index of the line feed that ends the line starting at `start` (or `text.length`).
 * Afterwards `endedQuoted` says whether the text ran out inside a string.
 */
function scanLine(text: string, start: number): number {
  const n = text.length;
  let fields = false;
  let quoted = false;
  let equals = 0;
  let commas = 0;
  let feeds = 0;
  let i = start;
  while (i < n) {
    const c = text.charCodeAt(i);
    // Most characters matter to nobody: one table lookup passes them.
    if (c >= 128 || ORDINARY[c] === 1) {
      i++;
      continue;
    }
    if (c === BACKSLASH && i + 1 < n && text.charCodeAt(i + 1) !== LF) {
      i += 2;
      continue;
    }
    if (c === SPACE) fields = true;
    else if (c === LF) {
      if (!quoted) break;
      feeds++;
    } else if (fields) {
      if (c === QUOTE) {
        if (equals > commas) quoted = !quoted;
      } else if (!quoted) {
        if (c === EQUALS) equals++;
        else if (c === COMMA) commas++;
      }
    }
    i++;
  }
  endedQuoted = quoted;
  innerLineFeeds = feeds;
  return i;
}

/**
 * The end of the line that starts at `start`: the index of its terminating line feed, or
 * `text.length` when it is the last line (also when it ends inside an unterminated string).
 */
export function findLineEnd(text: string, start: number): number {
  return scanLine(text, start);
}

/**
 * True when `line` (one serialised point, without a line end) reads back as exactly one line:
 * no line feed of it ends it early, and it does not end inside a string (which would swallow
 * the next line of a body). Serialisers check lines whose text could confuse the scan.
 */
export function readsAsOneLine(line: string): boolean {
  return scanLine(line, 0) === line.length && !endedQuoted;
}

/**
 * Walks the lines of a text that hold a point, skipping blank and comment lines; no object
 * per line. `next()` moves to the next line; `start`/`end` then delimit it (leading blanks
 * and the line end, LF or CRLF, excluded) and `lineNumber` is the 1-based line of its first
 * character.
 */
export class LineScanner {
  /** Offset of the current line's first character. */
  start = 0;
  /** Offset just after the current line's last character (its line end excluded). */
  end = 0;
  /** 1-based number of the current line's first line. */
  lineNumber = 0;
  /** Line feeds inside the current line's strings (a line spanning several lines of text). */
  lineFeeds = 0;
  readonly #text: string;
  #pos = 0;
  #line = 1;
  /** The next quote at or after the current position (text.length when none). */
  #quote = -1;

  constructor(text: string) {
    this.#text = text;
    if (text.charCodeAt(0) === BOM) this.#pos = 1;
  }

  /** Moves to the next line that holds something other than blanks or a comment; false at the end. */
  next(): boolean {
    const text = this.#text;
    const n = text.length;
    let i = this.#pos;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === SPACE || c === TAB || (c === CR && (i + 1 === n || text.charCodeAt(i + 1) === LF))) {
        i++;
      } else if (c === LF) {
        i++;
        this.#line++;
      } else if (c === HASH) {
        const lf = text.indexOf('\n', i);
        i = lf < 0 ? n : lf;
      } else {
        // Without a quote before the next line feed no string can open: the line ends there.
        let lf = text.indexOf('\n', i);
        if (lf < 0) lf = n;
        if (this.#quote < i) {
          this.#quote = text.indexOf('"', i);
          if (this.#quote < 0) this.#quote = n;
        }
        if (this.#quote < lf) lf = scanLine(text, i);
        else innerLineFeeds = 0;
        this.start = i;
        this.end = lf > i && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
        this.lineNumber = this.#line;
        this.lineFeeds = innerLineFeeds;
        this.#line += innerLineFeeds;
        this.#pos = lf;
        return true;
      }
    }
    this.#pos = n;
    return false;
  }
}

/**
 * Calls `each` with the text of every line of `text` that holds a point (blank and comment
 * lines skipped, line ends and leading blanks removed), in order.
 */
export function forEachLine(text: string, each: (line: string) => void): void {
  const scanner = new LineScanner(text);
  while (scanner.next()) each(text.slice(scanner.start, scanner.end));
}

/** The lines of `text` that hold a point, as `forEachLine` finds them. */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  forEachLine(text, (line) => lines.push(line));
  return lines;
}
