/**
 * InfluxQL text to a statement of the subset (ast.ts). One statement per query, as InfluxDB 3
 * takes over Flight. Constructs of InfluxQL outside the subset are recognised where cheap
 * (INTO, tz(), SHOW SERIES...) so that the refusal names them rather than a token.
 */
import {
  invalid,
  unsupported,
  type Expr,
  type Field,
  type Fill,
  type KeyFilter,
  type SelectStatement,
  type Source,
  type Statement,
  type TimeGroup,
} from './ast';
import { Scanner, type Token } from './scanner';

/** Parses one InfluxQL statement (a trailing `;` is allowed). */
export function parseInfluxQL(text: string): Statement {
  const p = new Parser(new Scanner(text));
  const statement = p.statement();
  p.acceptOp(';');
  const rest = p.s.peek();
  if (rest.kind !== 'eof') {
    throw rest.kind === 'word'
      ? invalid('one statement per query: run each statement in its own query')
      : invalid(`unexpected '${rest.text}' at ${rest.at + 1}`);
  }
  return statement;
}

/** Comparison operators, by precedence level (InfluxQL: OR < AND < comparisons < + - < * / %). */
const COMPARISONS = new Set(['=', '!=', '<>', '<', '<=', '>', '>=', '=~', '!~']);

class Parser {
  constructor(readonly s: Scanner) {}

  statement(): Statement {
    const t = this.s.next();
    if (this.isWord(t, 'SELECT')) return this.select();
    if (this.isWord(t, 'SHOW')) return this.show();
    if (t.kind === 'eof') throw invalid('empty query');
    if (t.kind === 'word') throw unsupported(`the ${t.text.toUpperCase()} statement`);
    throw invalid(`expected SELECT or SHOW at ${t.at + 1}`);
  }

  // ---- tokens -------------------------------------------------------------

  isWord(t: Token, word: string): boolean {
    return t.kind === 'word' && t.text.toUpperCase() === word;
  }

  acceptWord(word: string): boolean {
    if (!this.isWord(this.s.peek(), word)) return false;
    this.s.next();
    return true;
  }

  expectWord(word: string): void {
    const t = this.s.next();
    if (!this.isWord(t, word)) throw this.expected(word, t);
  }

  acceptOp(op: string): boolean {
    const t = this.s.peek();
    if (t.kind !== 'op' || t.text !== op) return false;
    this.s.next();
    return true;
  }

  expectOp(op: string): void {
    const t = this.s.next();
    if (t.kind !== 'op' || t.text !== op) throw this.expected(`'${op}'`, t);
  }

  expected(what: string, t: Token) {
    return invalid(
      `expected ${what} at ${t.at + 1}, found ${t.kind === 'eof' ? 'end of query' : `'${t.text}'`}`,
    );
  }

  identifier(what = 'an identifier'): string {
    const t = this.s.next();
    if (t.kind === 'word' || t.kind === 'ident') return t.text;
    throw this.expected(what, t);
  }

  /** A non-negative integer (LIMIT, OFFSET...). */
  count(clause: string): number {
    const t = this.s.next();
    if (t.kind !== 'integer') throw this.expected(`an integer after ${clause}`, t);
    return Number(t.value);
  }

  // ---- SELECT -------------------------------------------------------------

  select(): SelectStatement {
    const fields = this.fields();
    if (this.isWord(this.s.peek(), 'INTO')) throw unsupported('SELECT ... INTO');
    this.expectWord('FROM');
    const from = this.sources();
    const where = this.acceptWord('WHERE') ? this.expr() : undefined;
    let groupByTime: TimeGroup | undefined;
    const groupByTags: string[] = [];
    let groupByAll = false;
    let fill: Fill = { kind: 'null' };
    let descending = false;
    let limit: number | undefined;
    let offset: number | undefined;
    let slimit: number | undefined;
    let soffset: number | undefined;
    if (this.acceptWord('GROUP')) {
      this.expectWord('BY');
      do {
        const t = this.s.peek();
        if (t.kind === 'op' && t.text === '*') {
          this.s.next();
          groupByAll = true;
        } else if (this.isWord(t, 'TIME') && this.peekCall()) {
          if (groupByTime) throw invalid('GROUP BY has time() twice');
          groupByTime = this.timeGroup();
        } else if (t.kind === 'op' && t.text === '/') {
          throw unsupported('GROUP BY a regex');
        } else {
          groupByTags.push(this.identifier('a tag key in GROUP BY'));
        }
      } while (this.acceptOp(','));
    }
    if (this.acceptWord('FILL')) fill = this.fill();
    if (this.acceptWord('ORDER')) {
      this.expectWord('BY');
      const t = this.s.next();
      if (!(t.kind === 'word' || t.kind === 'ident') || t.text.toLowerCase() !== 'time')
        throw unsupported(`ORDER BY ${t.text || 'nothing'} (only ORDER BY time [ASC|DESC])`);
      if (this.acceptWord('DESC')) descending = true;
      else this.acceptWord('ASC');
    }
    if (this.acceptWord('LIMIT')) limit = this.count('LIMIT');
    if (this.acceptWord('OFFSET')) offset = this.count('OFFSET');
    if (this.acceptWord('SLIMIT')) slimit = this.count('SLIMIT');
    if (this.acceptWord('SOFFSET')) soffset = this.count('SOFFSET');
    if (this.isWord(this.s.peek(), 'TZ')) throw unsupported('tz()');
    return {
      kind: 'select',
      fields,
      from,
      where,
      groupByTime,
      groupByTags,
      groupByAll,
      fill,
      descending,
      limit,
      offset,
      slimit,
      soffset,
    };
  }

  /** True when the next tokens are a word and `(`: `time(` in GROUP BY is the time group. */
  peekCall(): boolean {
    const [word, next] = this.s.peek2();
    return word.kind === 'word' && next.kind === 'op' && next.text === '(';
  }

  timeGroup(): TimeGroup {
    this.s.next(); // time
    this.expectOp('(');
    const interval = this.duration('GROUP BY time()');
    let offset = 0n;
    if (this.acceptOp(',')) {
      const negative = this.acceptOp('-');
      const t = this.s.peek();
      if (this.isWord(t, 'NOW')) throw unsupported('GROUP BY time() with a now() offset');
      offset = this.duration('the GROUP BY time() offset') * (negative ? -1n : 1n);
    }
    this.expectOp(')');
    if (interval <= 0n) throw invalid('GROUP BY time() needs a positive interval');
    return { interval, offset };
  }

  duration(where: string): bigint {
    const t = this.s.next();
    if (t.kind !== 'duration') throw this.expected(`a duration in ${where}`, t);
    return t.ns;
  }

  fill(): Fill {
    this.expectOp('(');
    const t = this.s.next();
    let fill: Fill;
    const word = t.kind === 'word' ? t.text.toLowerCase() : undefined;
    if (word === 'null' || word === 'none' || word === 'previous' || word === 'linear') fill = { kind: word };
    else {
      let sign = 1;
      let v = t;
      if (t.kind === 'op' && t.text === '-') {
        sign = -1;
        v = this.s.next();
      }
      if (v.kind === 'integer') fill = { kind: 'value', value: sign * Number(v.value) };
      else if (v.kind === 'float') fill = { kind: 'value', value: sign * v.value };
      else throw this.expected('null, none, previous, linear or a number in fill()', t);
    }
    this.expectOp(')');
    return fill;
  }

  fields(): Field[] {
    const fields: Field[] = [];
    do {
      const expr = this.expr();
      const alias = this.acceptWord('AS') ? this.identifier('a name after AS') : undefined;
      fields.push({ expr, alias });
    } while (this.acceptOp(','));
    return fields;
  }

  sources(): Source[] {
    const sources: Source[] = [];
    do {
      if (this.s.peekChar() === '(') throw unsupported('a subquery in FROM');
      if (this.s.peekChar() === '/') {
        sources.push({ regex: this.s.regex().text });
        continue;
      }
      // name | rp.name | db.rp.name | db..name
      const parts: (string | undefined)[] = [this.identifier('a measurement')];
      while (this.acceptOp('.')) {
        if (this.acceptOp('.')) parts.push(undefined);
        if (this.s.peekChar() === '/') {
          parts.push(`/${this.s.regex().text}`);
          break;
        }
        parts.push(this.identifier('a measurement'));
      }
      if (parts.length > 3) throw invalid('a measurement is database.retention_policy.measurement at most');
      const last = parts[parts.length - 1]!;
      const database = parts.length === 3 ? parts[0] : undefined;
      if (last.startsWith('/')) sources.push({ database, regex: last.slice(1) });
      else sources.push({ database, name: last });
    } while (this.acceptOp(','));
    return sources;
  }

  // ---- expressions ----------------------------------------------------------

  expr(): Expr {
    return this.binary(0);
  }

  /** Precedence climbing over OR, AND, comparisons, + -, * / %. */
  binary(level: number): Expr {
    if (level > 4) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.s.peek();
      const op =
        t.kind === 'word' && (t.text.toUpperCase() === 'AND' || t.text.toUpperCase() === 'OR')
          ? t.text.toUpperCase()
          : t.kind === 'op'
            ? t.text
            : undefined;
      if (op === undefined || levelOf(op) !== level) return left;
      this.s.next();
      const right = op === '=~' || op === '!~' ? this.regexOperand() : this.binary(level + 1);
      left = { kind: 'binary', op: op === '<>' ? '!=' : op, left, right };
    }
  }

  regexOperand(): Expr {
    if (this.s.peekChar() !== '/') throw this.expected('a regex after =~ or !~', this.s.peek());
    return { kind: 'regex', pattern: this.s.regex().text };
  }

  unary(): Expr {
    if (this.acceptOp('-')) {
      const operand = this.unary();
      if (operand.kind === 'integer') return { kind: 'integer', value: -operand.value };
      if (operand.kind === 'float') return { kind: 'float', value: -operand.value };
      return { kind: 'binary', op: '*', left: { kind: 'integer', value: -1n }, right: operand };
    }
    this.acceptOp('+');
    return this.primary();
  }

  primary(): Expr {
    if (this.s.peekChar() === '/') return { kind: 'regex', pattern: this.s.regex().text };
    const t = this.s.next();
    switch (t.kind) {
      case 'string':
        return { kind: 'string', value: t.text };
      case 'integer':
        return { kind: 'integer', value: t.value };
      case 'float':
        return { kind: 'float', value: t.value };
      case 'duration':
        return { kind: 'duration', ns: t.ns, text: t.text };
      case 'ident':
        return this.castRef(t.text);
      case 'word': {
        const upper = t.text.toUpperCase();
        if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'bool', value: upper === 'TRUE' };
        if (this.acceptOp('(')) return this.call(t.text.toLowerCase());
        return this.castRef(t.text);
      }
      case 'op':
        if (t.text === '*') {
          if (this.acceptOp('::')) throw unsupported(`*::${this.identifier()}`);
          return { kind: 'wildcard' };
        }
        if (t.text === '(') {
          const inner = this.expr();
          this.expectOp(')');
          return inner;
        }
        throw this.expected('an expression', t);
      default:
        throw this.expected('an expression', t);
    }
  }

  castRef(name: string): Expr {
    if (!this.acceptOp('::')) return { kind: 'ref', name };
    const type = this.identifier('a type after ::').toLowerCase();
    if (type === 'tag' || type === 'field') return { kind: 'ref', name, cast: type };
    if (['float', 'integer', 'string', 'boolean', 'unsigned'].includes(type)) return { kind: 'ref', name };
    throw invalid(`unknown type ::${type}`);
  }

  call(name: string): Expr {
    const args: Expr[] = [];
    if (!this.acceptOp(')')) {
      if (this.isWord(this.s.peek(), 'DISTINCT')) throw unsupported(`${name}(DISTINCT ...)`);
      do args.push(this.expr());
      while (this.acceptOp(','));
      this.expectOp(')');
    }
    return { kind: 'call', name, args };
  }

  // ---- SHOW ---------------------------------------------------------------

  show(): Statement {
    const t = this.s.next();
    const what = t.kind === 'word' ? t.text.toUpperCase() : '';
    if (what === 'DATABASES') return { kind: 'showDatabases' };
    if (what === 'MEASUREMENTS') {
      if (this.acceptWord('ON')) throw unsupported('SHOW MEASUREMENTS ON <database>');
      let withClause: { name?: string; regex?: string } | undefined;
      if (this.acceptWord('WITH')) {
        this.expectWord('MEASUREMENT');
        if (this.acceptOp('=~')) withClause = { regex: this.s.regex().text };
        else {
          this.expectOp('=');
          withClause = { name: this.identifier('a measurement') };
        }
      }
      if (this.isWord(this.s.peek(), 'WHERE')) throw unsupported('SHOW MEASUREMENTS WHERE');
      return { kind: 'showMeasurements', with: withClause, ...this.limitOffset() };
    }
    if (what === 'TAG' || what === 'FIELD') {
      const t2 = this.s.next();
      const sub = t2.kind === 'word' ? t2.text.toUpperCase() : '';
      if (what === 'FIELD' && sub !== 'KEYS') throw unsupported(`SHOW FIELD ${t2.text}`);
      if (sub !== 'KEYS' && sub !== 'VALUES') throw unsupported(`SHOW TAG ${t2.text}`);
      if (this.acceptWord('ON')) throw unsupported(`SHOW ${what} ${sub} ON <database>`);
      const from = this.acceptWord('FROM') ? this.sources() : [];
      if (sub === 'KEYS') {
        if (this.isWord(this.s.peek(), 'WHERE')) throw unsupported(`SHOW ${what} KEYS WHERE`);
        return { kind: what === 'TAG' ? 'showTagKeys' : 'showFieldKeys', from, ...this.limitOffset() };
      }
      this.expectWord('WITH');
      this.expectWord('KEY');
      const key = this.keyFilter();
      const where = this.acceptWord('WHERE') ? this.expr() : undefined;
      return { kind: 'showTagValues', from, key, where, ...this.limitOffset() };
    }
    throw unsupported(`SHOW ${t.text.toUpperCase()}`);
  }

  keyFilter(): KeyFilter {
    if (this.acceptOp('=~')) return { op: '=~', regex: this.s.regex().text };
    if (this.acceptOp('!~')) return { op: '!~', regex: this.s.regex().text };
    if (this.acceptWord('IN')) {
      this.expectOp('(');
      const keys: string[] = [];
      do keys.push(this.identifier('a tag key'));
      while (this.acceptOp(','));
      this.expectOp(')');
      return { op: 'in', keys };
    }
    const t = this.s.next();
    if (t.kind === 'op' && (t.text === '=' || t.text === '!=' || t.text === '<>'))
      return { op: t.text === '=' ? '=' : '!=', keys: [this.identifier('a tag key')] };
    throw this.expected('=, !=, =~, !~ or IN after WITH KEY', t);
  }

  limitOffset(): { limit?: number; offset?: number } {
    const limit = this.acceptWord('LIMIT') ? this.count('LIMIT') : undefined;
    const offset = this.acceptWord('OFFSET') ? this.count('OFFSET') : undefined;
    return { limit, offset };
  }
}

function levelOf(op: string): number | undefined {
  if (op === 'OR') return 0;
  if (op === 'AND') return 1;
  if (COMPARISONS.has(op)) return 2;
  if (op === '+' || op === '-') return 3;
  if (op === '*' || op === '/' || op === '%') return 4;
  return undefined;
}
