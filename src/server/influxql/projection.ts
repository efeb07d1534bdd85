/**
 * The SELECT list: wildcards expanded over the measurements, columns named as InfluxDB names
 * them (`mean`, `mean_1`, `count_usage`...), raw and aggregate queries told apart, and each
 * column as DuckDB SQL over one measurement, with the aggregate functions written to give
 * InfluxDB's answers (sample standard deviation, nearest-rank percentile, first/last by time).
 */
import { invalid, unsupported, type Expr, type SelectStatement } from './ast';
import type { Measurement } from './catalog';
import { float, ident, str } from './sql';

/** Aggregates and selectors of the subset. */
const AGGREGATES = new Set([
  'mean',
  'median',
  'count',
  'sum',
  'min',
  'max',
  'first',
  'last',
  'spread',
  'stddev',
  'percentile',
]);
/** Functions that select a point: alone in a query without GROUP BY time, the time is that point's. */
const SELECTORS = new Set(['first', 'last', 'min', 'max', 'percentile']);
/** Aggregates of numbers only; `*` expands to the numeric fields for them. */
const NUMERIC_ONLY = new Set(['mean', 'median', 'sum', 'min', 'max', 'spread', 'stddev', 'percentile']);

/** A column of the result after the measurement, time and GROUP BY tags. */
export interface Column {
  readonly name: string;
  readonly expr: Expr;
}

/** The SELECT list, resolved. */
export interface Projection {
  readonly columns: readonly Column[];
  readonly aggregate: boolean;
  /** A single selector without GROUP BY time: its point's time is the row's time. */
  readonly selector?: Expr & { kind: 'call' };
  /** Every GROUP BY tag, sorted: the series key. */
  readonly seriesTags: readonly string[];
  /** GROUP BY tags that get their own column (those not already selected), sorted. */
  readonly tagColumns: readonly string[];
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function walk(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  if (e.kind === 'binary') {
    walk(e.left, visit);
    walk(e.right, visit);
  } else if (e.kind === 'call') e.args.forEach((a) => walk(a, visit));
}

/** InfluxDB's default name of a column: its function, or its first name. */
function defaultName(e: Expr): string {
  if (e.kind === 'call') return e.name;
  if (e.kind === 'ref') return e.name;
  if (e.kind === 'binary') {
    const l = defaultName(e.left);
    return l !== '' ? l : defaultName(e.right);
  }
  return '';
}

/** Resolves the SELECT list of `stmt` over `measurements`. */
export function resolveProjection(stmt: SelectStatement, measurements: readonly Measurement[]): Projection {
  const allTags = [...new Set(measurements.flatMap((m) => m.tags))].sort(byName);
  const allFields = [...new Set(measurements.flatMap((m) => [...m.fields.keys()]))].sort(byName);
  const seriesTags = stmt.groupByAll ? allTags : [...new Set(stmt.groupByTags)].sort(byName);

  const expanded: { expr: Expr; name: string }[] = [];
  for (const field of stmt.fields) {
    const { expr } = field;
    if (expr.kind === 'wildcard') {
      const names = [...new Set([...allTags, ...allFields])]
        .filter((n) => !seriesTags.includes(n))
        .sort(byName);
      for (const name of names) expanded.push({ expr: { kind: 'ref', name }, name });
    } else if (expr.kind === 'call' && expr.args[0]?.kind === 'wildcard') {
      if (!AGGREGATES.has(expr.name)) throw unsupported(`${expr.name}(*)`);
      for (const f of allFields) {
        const numeric = measurements.some((m) => {
          const t = m.fields.get(f);
          return t === 'float' || t === 'integer' || t === 'unsigned';
        });
        if (NUMERIC_ONLY.has(expr.name) && !numeric) continue;
        const call: Expr = {
          kind: 'call',
          name: expr.name,
          args: [{ kind: 'ref', name: f }, ...expr.args.slice(1)],
        };
        expanded.push({ expr: call, name: `${field.alias ?? expr.name}_${f}` });
      }
    } else if (expr.kind === 'ref' && expr.name.toLowerCase() === 'time') {
      continue; // time is always the second column
    } else if (expr.kind === 'regex') {
      throw unsupported('a regex in the SELECT list');
    } else {
      expanded.push({ expr, name: field.alias ?? defaultName(expr) });
    }
  }

  let calls = 0;
  let bareRefs = 0;
  for (const { expr } of expanded) {
    const visit = (e: Expr, inCall: boolean) => {
      if (e.kind === 'call') {
        if (!AGGREGATES.has(e.name)) throw unsupported(`the function ${e.name}()`);
        if (inCall) throw unsupported(`${e.name}() inside another function`);
        calls++;
        e.args.forEach((a) => visit(a, true));
      } else if (e.kind === 'binary') {
        visit(e.left, inCall);
        visit(e.right, inCall);
      } else if (e.kind === 'ref' && !inCall) bareRefs++;
      else if (e.kind === 'wildcard' || e.kind === 'regex') throw unsupported(`a ${e.kind} here`);
    };
    visit(expr, false);
  }
  const aggregate = calls > 0;
  if (aggregate && bareRefs > 0) throw invalid('mixing aggregate and non-aggregate queries is not supported');
  if (!aggregate && stmt.groupByTime) throw invalid('GROUP BY time() needs an aggregate function');
  if (!aggregate && stmt.fill.kind !== 'null') throw invalid('fill() needs GROUP BY time()');
  if (expanded.length === 0) throw invalid('at least one field must be selected');

  // Names are unique: InfluxDB numbers repeats (`max`, `max_1`).
  const used = new Set<string>();
  const columns = expanded.map(({ expr, name }) => {
    let unique = name;
    for (let i = 1; used.has(unique); i++) unique = `${name}_${i}`;
    used.add(unique);
    return { name: unique, expr };
  });
  const only = columns.length === 1 ? columns[0]!.expr : undefined;
  const selector = !stmt.groupByTime && only?.kind === 'call' && SELECTORS.has(only.name) ? only : undefined;
  const projected = new Set(columns.filter((c) => c.expr.kind === 'ref').map((c) => c.name));
  const tagColumns = seriesTags.filter((t) => !projected.has(t));
  return { columns, aggregate, selector, seriesTags, tagColumns };
}

/** Fields of `m` that `e` names. */
export function fieldsOf(e: Expr, m: Measurement): string[] {
  const out: string[] = [];
  walk(e, (x) => {
    if (x.kind === 'ref' && x.cast !== 'tag' && m.fields.has(x.name) && !out.includes(x.name))
      out.push(x.name);
  });
  return out;
}

/** Whether a column holds integers or floats (fill(linear) interpolates each as InfluxDB does). */
export type NumberKind = 'integer' | 'float' | 'other';

function kindOfField(m: Measurement, e: Expr | undefined): NumberKind {
  const t = e?.kind === 'ref' ? m.fields.get(e.name) : undefined;
  return t === 'float' ? 'float' : t === 'integer' || t === 'unsigned' ? 'integer' : 'other';
}

/** The number kind of column `e` in `m`. */
export function numberKind(e: Expr, m: Measurement): NumberKind {
  switch (e.kind) {
    case 'integer':
      return 'integer';
    case 'float':
      return 'float';
    case 'ref':
      return kindOfField(m, e);
    case 'call':
      if (e.name === 'count') return 'integer';
      if (e.name === 'mean' || e.name === 'median' || e.name === 'stddev') return 'float';
      return kindOfField(m, e.args[0]);
    case 'binary': {
      const l = numberKind(e.left, m);
      const r = numberKind(e.right, m);
      if (l === 'other' || r === 'other') return 'other';
      return e.op === '/' || l === 'float' || r === 'float' ? 'float' : 'integer';
    }
    default:
      return 'other';
  }
}

/** The SQL of column `e` over `m` (aggregates over the rows of a group). */
export function columnSql(e: Expr, m: Measurement): string {
  switch (e.kind) {
    case 'ref':
      return e.cast !== 'tag' && m.fields.has(e.name)
        ? ident(e.name)
        : e.cast !== 'field' && m.tags.includes(e.name)
          ? ident(e.name)
          : 'NULL';
    case 'integer':
      return `${e.value}`;
    case 'float':
      return float(e.value);
    case 'string':
      return str(e.value);
    case 'bool':
      return e.value ? 'true' : 'false';
    case 'binary': {
      if (!['+', '-', '*', '/', '%'].includes(e.op)) throw unsupported(`'${e.op}' in the SELECT list`);
      const left = columnSql(e.left, m);
      return `(${e.op === '/' ? `CAST(${left} AS DOUBLE)` : left} ${e.op} ${columnSql(e.right, m)})`;
    }
    case 'call':
      return aggregateSql(e, m).value;
    default:
      throw unsupported(`a ${e.kind} in the SELECT list`);
  }
}

/** The field an aggregate reads, checked: a field name, and for percentile a number. */
function argument(call: Expr & { kind: 'call' }): { field: string; n?: number } {
  const wanted = call.name === 'percentile' ? 2 : 1;
  if (call.args.length !== wanted)
    throw invalid(`${call.name}() takes ${wanted === 2 ? 'a field and a number' : 'one field'}`);
  const arg = call.args[0]!;
  if (arg.kind !== 'ref') throw unsupported(`${call.name}() of a ${arg.kind} (only of a field)`);
  if (call.name !== 'percentile') return { field: arg.name };
  const n = call.args[1]!;
  if (n.kind !== 'integer' && n.kind !== 'float')
    throw invalid('percentile() needs a number as its second argument');
  return { field: arg.name, n: Number(n.kind === 'integer' ? n.value : n.value) };
}

/** An aggregate's value, and the time of the point a selector picks. */
export function aggregateSql(call: Expr & { kind: 'call' }, m: Measurement): { value: string; time: string } {
  const { field, n } = argument(call);
  const ref = call.args[0] as Expr & { kind: 'ref' };
  if (ref.cast === 'tag' || !m.fields.has(field)) return { value: 'NULL', time: 'NULL' };
  const f = ident(field);
  const present = `FILTER (WHERE ${f} IS NOT NULL)`;
  const type = m.fields.get(field);
  switch (call.name) {
    case 'mean':
      return { value: `avg(${f})`, time: 'NULL' };
    case 'median':
      return { value: `quantile_cont(${f}, 0.5)`, time: 'NULL' };
    case 'count':
      return { value: `count(${f})`, time: 'NULL' };
    case 'sum':
      return { value: type === 'float' ? `sum(${f})` : `CAST(sum(${f}) AS BIGINT)`, time: 'NULL' };
    case 'spread':
      return { value: `(max(${f}) - min(${f}))`, time: 'NULL' };
    case 'stddev':
      return { value: `stddev_samp(${f})`, time: 'NULL' };
    case 'first':
      return { value: `arg_min(${f}, "time") ${present}`, time: `min("time") ${present}` };
    case 'last':
      return { value: `arg_max(${f}, "time") ${present}`, time: `max("time") ${present}` };
    // On ties, InfluxDB's min and max keep the earliest point.
    case 'min':
      return { value: `min(${f})`, time: `arg_min("time", {'v': ${f}, 't': epoch_ns("time")}) ${present}` };
    case 'max':
      return { value: `max(${f})`, time: `arg_max("time", {'v': ${f}, 't': -epoch_ns("time")}) ${present}` };
    case 'percentile': {
      // Nearest rank, as InfluxDB: the floor(count * n / 100 + 0.5)-th smallest value.
      const rank = `CAST(floor(count(${f}) * ${float(n!)} / 100.0 + 0.5) AS BIGINT)`;
      const sorted = `list_sort(list({'v': ${f}, 't': "time"}) ${present})`;
      const guard = (x: string) =>
        `CASE WHEN ${rank} BETWEEN 1 AND count(${f}) THEN ${sorted}[${rank}].${x} END`;
      return { value: guard('v'), time: guard('t') };
    }
    default:
      throw unsupported(`the function ${call.name}()`);
  }
}
