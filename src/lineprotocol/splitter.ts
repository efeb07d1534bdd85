/**
 * Line protocol arriving in chunks (a file, stdin), cut where its lines end: the scanner's rules
 * carried from chunk to chunk, so that a quoted string value may hold line feeds across chunks.
 */
import { BACKSLASH, BOM, COMMA, CR, EQUALS, HASH, LF, ORDINARY, QUOTE, SPACE, TAB } from './chars';
import { forEachLine } from './scanner';

// Where the scan stands between two characters: between lines (blanks, blank lines), just after
// a CR between lines (blank before a LF, else the first character of a line), in a comment, or
// in a line.
const BETWEEN = 0;
const AFTER_CR = 1;
const COMMENT = 2;
const LINE = 3;

/**
 * Cuts line protocol arriving in chunks where its lines end, and hands on the lines of the
 * text before each cut as `forEachLine` finds them; only the line still going on is held.
 *
 * Where a line ends depends on the quoting of everything since its start (a string value may
 * hold line feeds), so the scan's state is kept from chunk to chunk and every character is
 * looked at once here and once by the shared scanner: time and memory stay linear however the
 * text is chunked. The state follows scanner.ts rule for rule (blanks and
 * comments between lines, the CR of a CRLF, the byte order mark at the start of the input;
 * inside a line a backslash taking the next character unless it is a line feed, and a quote
 * toggling a string only past the first space where more `=` than `,` were seen outside
 * strings); the tests hold it to `splitLines` of the whole text.
 */
export class LineSplitter {
  /** The text since the last cut: the start of a line not yet complete. */
  #pending = '';
  #state = BETWEEN;
  // The line's scan, as the shared scanner keeps it: past the first space, inside a string,
  // `=` and `,` seen outside strings, and a backslash waiting for the character it takes.
  #fields = false;
  #quoted = false;
  #equals = 0;
  #commas = 0;
  #escape = false;
  /** A character has been scanned: only the input's first may be a byte order mark. */
  #started = false;
  /** Lines have been handed on: the held text no longer starts the input. */
  #cut = false;

  /** How many characters are held for a line not yet complete. */
  get pendingLength(): number {
    return this.#pending.length;
  }

  /** Scans the next chunk of the text; `each` gets every line that it completes, in order. */
  push(chunk: string, each: (line: string) => void): void {
    const cut = this.#scan(chunk);
    if (cut < 0) {
      this.#pending += chunk;
      return;
    }
    const text = this.#pending + chunk.slice(0, cut);
    this.#pending = chunk.slice(cut);
    this.#lines(text, each);
  }

  /** The text has ended: `each` gets the lines of what is held (a last line without a line end). */
  end(each: (line: string) => void): void {
    const text = this.#pending;
    this.#pending = '';
    if (text.length > 0) this.#lines(text, each);
  }

  #lines(text: string, each: (line: string) => void): void {
    // The scanner drops a byte order mark at the start of its text: right at the start of the
    // input only; elsewhere it is the first character of a line.
    forEachLine(this.#cut && text.charCodeAt(0) === BOM ? `\n${text}` : text, each);
    this.#cut = true;
  }

  /**
   * Carries the scan over `chunk`: the offset just after the last line feed in it that lies
   * between lines or ends one (a cut), or -1 when there is none.
   */
  #scan(chunk: string): number {
    const n = chunk.length;
    let i = 0;
    if (!this.#started && n > 0) {
      this.#started = true;
      if (chunk.charCodeAt(0) === BOM) i = 1;
    }
    let cut = -1;
    let state = this.#state;
    let fields = this.#fields;
    let quoted = this.#quoted;
    let equals = this.#equals;
    let commas = this.#commas;
    let escape = this.#escape;
    // The next line feed and the next quote at or after `i` (n when none): found once each.
    let lf = -1;
    let quote = -1;
    while (i < n) {
      if (state === LINE) {
        if (escape) {
          escape = false;
          // A backslash takes any character along but a line feed.
          if (chunk.charCodeAt(i) !== LF) {
            i++;
            continue;
          }
        } else if (!quoted) {
          if (lf < i) lf = indexOrEnd(chunk, '\n', i);
          if (quote < i) quote = indexOrEnd(chunk, '"', i);
          if (lf < quote) {
            // No quote before the line feed: no string can open, the line ends there.
            i = lf;
            state = BETWEEN;
            continue;
          }
        }
        const c = chunk.charCodeAt(i);
        if (c >= 128 || ORDINARY[c] === 1) {
          i++;
          continue;
        }
        if (c === BACKSLASH) escape = true;
        else if (c === SPACE) fields = true;
        else if (c === LF) {
          if (!quoted) {
            // The line ends; the line feed is read again between lines (as a cut).
            state = BETWEEN;
            continue;
          }
        } else if (fields) {
          if (c === QUOTE) {
            if (equals > commas) quoted = !quoted;
          } else if (!quoted) {
            if (c === EQUALS) equals++;
            else if (c === COMMA) commas++;
          }
        }
        i++;
      } else if (state === COMMENT) {
        // A comment ends at the next line feed, whatever it holds.
        if (lf < i) lf = indexOrEnd(chunk, '\n', i);
        i = lf;
        if (i < n) state = BETWEEN;
      } else {
        const c = chunk.charCodeAt(i);
        if (state === AFTER_CR && c !== LF) {
          // The CR was the line's first character (it changes nothing); this is its second.
          state = LINE;
          fields = quoted = escape = false;
          equals = commas = 0;
          continue;
        }
        state = BETWEEN;
        if (c === LF) cut = i + 1;
        else if (c === CR) state = AFTER_CR;
        else if (c === HASH) state = COMMENT;
        else if (c !== SPACE && c !== TAB) {
          state = LINE;
          fields = quoted = escape = false;
          equals = commas = 0;
          continue;
        }
        i++;
      }
    }
    this.#state = state;
    this.#fields = fields;
    this.#quoted = quoted;
    this.#equals = equals;
    this.#commas = commas;
    this.#escape = escape;
    return cut;
  }
}

/** The index of `search` in `text` at or after `from`, or `text.length`. */
function indexOrEnd(text: string, search: string, from: number): number {
  const at = text.indexOf(search, from);
  return at < 0 ? text.length : at;
}
