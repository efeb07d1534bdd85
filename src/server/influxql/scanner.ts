/**
 * InfluxQL's tokens, scanned on demand: the parser asks for the next token, and for a regex
 * only where one can stand (a `/` is a regex at an operand's place and a division after one,
 * as in InfluxDB's own scanner).
 */
import { invalid } from './ast';

/** A token of InfluxQL. `word` is an unquoted identifier or keyword; `ident` a quoted identifier. */
export type Token =
  | { readonly kind: 'word'; readonly text: string; readonly at: number }
  | { readonly kind: 'ident'; readonly text: string; readonly at: number }
  | { readonly kind: 'string'; readonly text: string; readonly at: number }
  | { readonly kind: 'integer'; readonly text: string; readonly value: bigint; readonly at: number }
  | { readonly kind: 'float'; readonly text: string; readonly value: number; readonly at: number }
  | { readonly kind: 'duration'; readonly text: string; readonly ns: bigint; readonly at: number }
  | { readonly kind: 'regex'; readonly text: string; readonly at: number }
  | { readonly kind: 'op'; readonly text: string; readonly at: number }
  | { readonly kind: 'eof'; readonly text: ''; readonly at: number };

/** Nanoseconds per duration unit (`u` and `µ` are microseconds). */
const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  u: 1_000n,
  µ: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
  w: 604_800_000_000_000n,
};

/** Operators, longest first so that `<=` wins over `<`. */
const OPERATORS = [
  '::',
  '<=',
  '>=',
  '<>',
  '!=',
  '=~',
  '!~',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '(',
  ')',
  ',',
  ';',
  '.',
];

const isWordStart = (c: string) => /[A-Za-z_]/.test(c);
const isWordChar = (c: string) => /[A-Za-z0-9_]/.test(c);
const isDigit = (c: string) => c >= '0' && c <= '9';

/** Scans one statement's text. */
export class Scanner {
  #pos = 0;

  constructor(private readonly text: string) {}

  /** The next token, without consuming it. */
  peek(): Token {
    const saved = this.#pos;
    try {
      return this.next();
    } finally {
      this.#pos = saved;
    }
  }

  /** The next two tokens, without consuming them. */
  peek2(): [Token, Token] {
    const saved = this.#pos;
    try {
      return [this.next(), this.next()];
    } finally {
      this.#pos = saved;
    }
  }

  /** The next non-blank character (regex or not), without consuming it. */
  peekChar(): string {
    this.#skipBlank();
    return this.text[this.#pos] ?? '';
  }

  /** Consumes and returns the next token. */
  next(): Token {
    this.#skipBlank();
    const { text } = this;
    const at = this.#pos;
    const c = text[at];
    if (c === undefined) return { kind: 'eof', text: '', at };
    if (isWordStart(c)) {
      let end = at + 1;
      while (end < text.length && isWordChar(text[end]!)) end++;
      this.#pos = end;
      return { kind: 'word', text: text.slice(at, end), at };
    }
    if (c === '"' || c === "'") {
      const body = this.#quoted(c);
      return { kind: c === '"' ? 'ident' : 'string', text: body, at };
    }
    if (isDigit(c) || (c === '.' && isDigit(text[at + 1] ?? ''))) return this.#number(at);
    for (const op of OPERATORS) {
      if (text.startsWith(op, at)) {
        this.#pos = at + op.length;
        return { kind: 'op', text: op, at };
      }
    }
    throw invalid(`unexpected character '${c}' at ${at + 1}`);
  }

  /** Consumes a regex literal `/…/` (the caller has seen `/`); `\/` stands for `/`. */
  regex(): Token {
    this.#skipBlank();
    const at = this.#pos;
    if (this.text[at] !== '/') throw invalid(`expected a regex at ${at + 1}`);
    let out = '';
    let i = at + 1;
    for (;;) {
      const c = this.text[i];
      if (c === undefined) throw invalid(`unterminated regex at ${at + 1}`);
      if (c === '/') break;
      if (c === '\\' && this.text[i + 1] === '/') {
        out += '/';
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
    this.#pos = i + 1;
    return { kind: 'regex', text: out, at };
  }

  #skipBlank(): void {
    const { text } = this;
    for (;;) {
      while (this.#pos < text.length && /\s/.test(text[this.#pos]!)) this.#pos++;
      if (text.startsWith('--', this.#pos)) {
        const nl = text.indexOf('\n', this.#pos);
        this.#pos = nl < 0 ? text.length : nl + 1;
      } else if (text.startsWith('/*', this.#pos)) {
        const end = text.indexOf('*/', this.#pos + 2);
        this.#pos = end < 0 ? text.length : end + 2;
      } else return;
    }
  }

  /** A quoted string or identifier: InfluxQL's escapes are `\\`, `\"`, `\'` and `\n`. */
  #quoted(quote: string): string {
    const start = this.#pos;
    let out = '';
    let i = start + 1;
    for (;;) {
      const c = this.text[i];
      if (c === undefined)
        throw invalid(`unterminated ${quote === '"' ? 'identifier' : 'string'} at ${start + 1}`);
      if (c === quote) break;
      if (c === '\\') {
        const e = this.text[i + 1];
        if (e === 'n') out += '\n';
        else if (e === '\\' || e === '"' || e === "'") out += e;
        else throw invalid(`bad escape \\${e ?? ''} at ${i + 1}`);
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
    this.#pos = i + 1;
    return out;
  }

  /** An integer, a float, or a duration (`10m`, `1h30m`, `500ms`). */
  #number(at: number): Token {
    const { text } = this;
    let end = at;
    while (isDigit(text[end] ?? '')) end++;
    if (text[end] === '.' && isDigit(text[end + 1] ?? '')) {
      end++;
      while (isDigit(text[end] ?? '')) end++;
      this.#pos = end;
      const literal = text.slice(at, end);
      return { kind: 'float', text: literal, value: Number(literal), at };
    }
    const digits = text.slice(at, end);
    const unit =
      /^(ns|ms|u|µ|s|m|h|d|w)(?![A-Za-z0-9_])/.exec(text.slice(end)) ??
      /^(ns|ms|u|µ|s|m|h|d|w)(?=\d)/.exec(text.slice(end));
    if (!unit) {
      this.#pos = end;
      return { kind: 'integer', text: digits, value: BigInt(digits), at };
    }
    // A duration: one or more number-unit pairs.
    let ns = 0n;
    let i = at;
    const pair = /^(\d+)(ns|ms|u|µ|s|m|h|d|w)/;
    for (;;) {
      const m = pair.exec(text.slice(i));
      if (!m) break;
      ns += BigInt(m[1]!) * UNIT_NS[m[2]!]!;
      i += m[0].length;
    }
    if (isWordChar(text[i] ?? '')) throw invalid(`bad duration '${text.slice(at, i + 1)}' at ${at + 1}`);
    this.#pos = i;
    return { kind: 'duration', text: text.slice(at, i), ns, at };
  }
}
