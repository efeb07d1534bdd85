/**
 * WHERE clauses: the time range (from `time` comparisons ANDed at the top, as InfluxDB reads
 * them) and the rest, as a SQL condition over one measurement. Tags compare as InfluxDB's do:
 * a missing tag is the empty string. A comparison of values of different kinds (a float field
 * with a string) matches nothing, as in InfluxDB, instead of failing in DuckDB.
 */
import { invalid, unsupported, type Expr } from './ast';
import type { Measurement } from './catalog';
import { ident, parseTime, str, timestampNs } from './sql';

/** Inclusive bounds in epoch nanoseconds. */
export interface TimeRange {
  readonly lower?: bigint;
  readonly upper?: bigint;
}

/** A WHERE clause split: its time range, and what else it asks. */
export interface SplitWhere {
  readonly range: TimeRange;
  readonly rest?: Expr;
}

const COMPARISON = new Set(['=', '!=', '<', '<=', '>', '>=', '=~', '!~']);
const FLIP: Readonly<Record<string, string>> = {
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
  '=': '=',
  '!=': '!=',
};

const isTime = (e: Expr) => e.kind === 'ref' && e.name.toLowerCase() === 'time';

function mentionsTime(e: Expr): boolean {
  if (isTime(e)) return true;
  if (e.kind === 'binary') return mentionsTime(e.left) || mentionsTime(e.right);
  if (e.kind === 'call') return e.args.some(mentionsTime);
  return false;
}

/** Splits the time range off `where` (with `now` for `now()`). */
export function splitWhere(where: Expr | undefined, now: bigint): SplitWhere {
  let lower: bigint | undefined;
  let upper: bigint | undefined;
  const visit = (e: Expr): Expr | undefined => {
    if (e.kind === 'binary' && e.op === 'AND') {
      const l = visit(e.left);
      const r = visit(e.right);
      return l && r ? { ...e, left: l, right: r } : (l ?? r);
    }
    if (e.kind === 'binary' && COMPARISON.has(e.op) && (isTime(e.left) || isTime(e.right))) {
      const op = isTime(e.left) ? e.op : FLIP[e.op];
      const value = timeValue(isTime(e.left) ? e.right : e.left, now);
      if (op === '>' || op === '>=' || op === '=') {
        const l = op === '>' ? value + 1n : value;
        lower = lower === undefined || l > lower ? l : lower;
      }
      if (op === '<' || op === '<=' || op === '=') {
        const u = op === '<' ? value - 1n : value;
        upper = upper === undefined || u < upper ? u : upper;
      }
      if (op === undefined || op === '!=' || op === '=~' || op === '!~')
        throw unsupported(`time ${e.op} (time compares with =, <, <=, > and >=)`);
      return undefined;
    }
    if (mentionsTime(e)) throw unsupported('a time condition inside OR or an expression');
    return e;
  };
  const rest = where ? visit(where) : undefined;
  // Bounds past what a timestamp holds (`now() - 100000000w`) mean no bound on that side; a
  // bound past the other end leaves nothing in range. Either way, within int64 nanoseconds.
  const clamp = (t: bigint | undefined) =>
    t === undefined ? undefined : t < MIN_TIME ? MIN_TIME : t > MAX_TIME ? MAX_TIME : t;
  return { range: { lower: clamp(lower), upper: clamp(upper) }, rest };
}

/** The earliest and latest instants a TIMESTAMP_NS holds (DuckDB keeps int64's extremes for infinity). */
const MIN_TIME = -(2n ** 63n) + 2n;
const MAX_TIME = 2n ** 63n - 2n;

/** Epoch nanoseconds of a time expression: a time string, integer nanoseconds, now(), ± durations. */
function timeValue(e: Expr, now: bigint): bigint {
  switch (e.kind) {
    case 'string':
      return parseTime(e.value);
    case 'integer':
      return e.value;
    case 'duration':
      return e.ns;
    case 'call':
      if (e.name === 'now' && e.args.length === 0) return now;
      throw unsupported(`${e.name}() in a time condition`);
    case 'binary':
      if (e.op === '+' || e.op === '-') {
        const l = timeValue(e.left, now);
        const r = timeValue(e.right, now);
        return e.op === '+' ? l + r : l - r;
      }
      throw unsupported(`'${e.op}' in a time condition`);
    default:
      throw invalid(`a time is compared with a ${e.kind}`);
  }
}

/** The SQL of a time range over the `time` column, or undefined when unbounded. */
export function rangeSql(range: TimeRange): string | undefined {
  const parts: string[] = [];
  if (range.lower !== undefined) parts.push(`"time" >= ${timestampNs(range.lower)}`);
  if (range.upper !== undefined) parts.push(`"time" <= ${timestampNs(range.upper)}`);
  return parts.length ? parts.join(' AND ') : undefined;
}

/** What a value expression is, for comparisons: only values of one kind compare. */
type Kind = 'text' | 'number' | 'bool';

interface Value {
  readonly sql: string;
  readonly kind: Kind;
}

/** A name as a value in `m`: a tag (missing is ''), a field, or, unknown, an empty tag. */
function refValue(e: Expr & { kind: 'ref' }, m: Measurement): Value {
  const field = e.cast === 'tag' ? undefined : m.fields.get(e.name);
  if (field !== undefined) {
    const kind: Kind = field === 'string' ? 'text' : field === 'boolean' ? 'bool' : 'number';
    return { sql: ident(e.name), kind };
  }
  if (e.cast !== 'field' && m.tags.includes(e.name))
    return { sql: `coalesce(${ident(e.name)}, '')`, kind: 'text' };
  return { sql: e.cast === 'field' ? 'NULL' : `''`, kind: 'text' };
}

function value(e: Expr, m: Measurement): Value {
  switch (e.kind) {
    case 'ref':
      return refValue(e, m);
    case 'string':
      return { sql: str(e.value), kind: 'text' };
    case 'integer':
      return { sql: `${e.value}`, kind: 'number' };
    case 'float':
      return { sql: `CAST(${JSON.stringify(e.value)} AS DOUBLE)`, kind: 'number' };
    case 'bool':
      return { sql: e.value ? 'true' : 'false', kind: 'bool' };
    case 'binary': {
      if (!['+', '-', '*', '/', '%'].includes(e.op)) throw invalid(`'${e.op}' where a value is expected`);
      const l = value(e.left, m);
      const r = value(e.right, m);
      if (l.kind !== 'number' || r.kind !== 'number') return { sql: 'NULL', kind: 'number' };
      // InfluxQL divides integers as floats.
      const left = e.op === '/' ? `CAST(${l.sql} AS DOUBLE)` : l.sql;
      return { sql: `(${left} ${e.op} ${r.sql})`, kind: 'number' };
    }
    case 'call':
      throw unsupported(`the function ${e.name}() in WHERE`);
    default:
      throw unsupported(`a ${e.kind} in WHERE`);
  }
}

/** The SQL condition of `e` (the WHERE without its time range) over measurement `m`. */
export function conditionSql(e: Expr, m: Measurement): string {
  if (e.kind === 'bool') return e.value ? 'true' : 'false';
  if (e.kind !== 'binary') throw invalid(`a ${e.kind} is not a condition`);
  if (e.op === 'AND' || e.op === 'OR')
    return `(${conditionSql(e.left, m)} ${e.op} ${conditionSql(e.right, m)})`;
  if (!COMPARISON.has(e.op)) throw invalid(`'${e.op}' is not a condition`);
  if (e.op === '=~' || e.op === '!~') {
    if (e.right.kind !== 'regex') throw invalid(`${e.op} needs a regex`);
    const subject = value(e.left, m);
    if (subject.kind !== 'text') return 'false';
    const match = `regexp_matches(${subject.sql}, ${str(e.right.pattern)})`;
    return e.op === '=~' ? match : `NOT ${match}`;
  }
  if (e.left.kind === 'regex' || e.right.kind === 'regex')
    throw invalid(`a regex needs =~ or !~, not ${e.op}`);
  const l = value(e.left, m);
  const r = value(e.right, m);
  if (l.kind !== r.kind) return 'false';
  if (l.kind === 'bool' && e.op !== '=' && e.op !== '!=') return 'false';
  return `(${l.sql} ${e.op} ${r.sql})`;
}
