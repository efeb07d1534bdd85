/**
 * SELECT to DuckDB SQL: one query per measurement (rows, or groups per series and time
 * bucket, gaps filled), put together by name, then LIMIT/OFFSET per series and SLIMIT/SOFFSET
 * over series, as InfluxDB applies them. The result has InfluxDB 3's shape: `iox::measurement`,
 * `time`, the GROUP BY tags not otherwise selected, then the selected columns.
 */
import { invalid, type Fill, type SelectStatement } from './ast';
import type { Measurement } from './catalog';
import {
  aggregateSql,
  columnSql,
  fieldsOf,
  numberKind,
  resolveProjection,
  type Projection,
} from './projection';
import { float, ident, MEASUREMENT_COLUMN, str, timestampNs } from './sql';
import { conditionSql, rangeSql, splitWhere, type TimeRange } from './where';

/** A measurement to read, and the schema its table is in. */
export interface Target {
  readonly schema: string;
  readonly measurement: Measurement;
}

/** Most buckets a GROUP BY time() may make per series when both bounds are given. */
const MAX_BUCKETS = 1_000_000n;

/** The empty result InfluxDB 3 gives when no measurement matches. */
export const EMPTY_RESULT = `SELECT CAST(NULL AS VARCHAR) AS ${ident(MEASUREMENT_COLUMN)} WHERE false`;

/** DuckDB SQL of `stmt` over `targets` (sorted by name); `now` is now() in epoch nanoseconds. */
export function selectSql(stmt: SelectStatement, targets: readonly Target[], now: bigint): string {
  const projection = resolveProjection(
    stmt,
    targets.map((t) => t.measurement),
  );
  const { range, rest } = splitWhere(stmt.where, now);
  // InfluxDB ends GROUP BY time() queries at now() unless told otherwise.
  const bounded: TimeRange = stmt.groupByTime && range.upper === undefined ? { ...range, upper: now } : range;
  if (bounded.lower !== undefined && bounded.upper !== undefined && stmt.groupByTime) {
    const buckets = (bounded.upper - bounded.lower) / stmt.groupByTime.interval;
    if (buckets > MAX_BUCKETS)
      throw invalid(`GROUP BY time() would make ${buckets} buckets per series (at most ${MAX_BUCKETS})`);
  }
  const parts: string[] = [];
  for (const target of targets) {
    const m = target.measurement;
    const where = [rangeSql(bounded), rest ? conditionSql(rest, m) : undefined].filter(
      (x): x is string => x !== undefined,
    );
    const part = projection.aggregate
      ? aggregatePart(stmt, projection, target, where, bounded)
      : rawPart(projection, target, where);
    if (part !== undefined) parts.push(part);
  }
  if (parts.length === 0) return EMPTY_RESULT;
  return outer(stmt, projection, parts);
}

const table = (t: Target) => `${ident(t.schema)}.${ident(t.measurement.name)}`;
const whereSql = (where: readonly string[]) => (where.length ? ` WHERE ${where.join(' AND ')}` : '');

/** A tag column of `m`, NULL where `m` has no such tag. */
const tagSql = (m: Measurement, tag: string) => (m.tags.includes(tag) ? ident(tag) : 'CAST(NULL AS VARCHAR)');

/** Rows of one measurement: those where a selected field has a value, as InfluxDB returns them. */
function rawPart(p: Projection, t: Target, where: string[]): string | undefined {
  const m = t.measurement;
  const fields = [...new Set(p.columns.flatMap((c) => fieldsOf(c.expr, m)))];
  if (fields.length === 0) return undefined;
  const select = [
    `${str(m.name)} AS ${ident(MEASUREMENT_COLUMN)}`,
    `"time"`,
    ...p.seriesTags
      .filter((x) => p.tagColumns.includes(x) || !p.columns.some((c) => c.name === x))
      .map((x) => `${tagSql(m, x)} AS ${ident(x)}`),
    ...p.columns.map((c) => `${columnSql(c.expr, m)} AS ${ident(c.name)}`),
  ];
  const present = `(${fields.map((f) => `${ident(f)} IS NOT NULL`).join(' OR ')})`;
  return `SELECT ${select.join(', ')} FROM ${table(t)}${whereSql([...where, present])}`;
}

/** The start of the bucket of epoch-nanosecond expression `ns`: buckets align to the epoch plus the offset. */
function bucketSql(ns: string, interval: bigint, offset: bigint): string {
  return `(${ns} - ((((${ns}) - (${offset})) % ${interval}) + ${interval}) % ${interval})`;
}

function bucketOf(ns: bigint, interval: bigint, offset: bigint): bigint {
  return ns - ((((ns - offset) % interval) + interval) % interval);
}

/** Groups of one measurement: per series (and time bucket), the aggregates; gaps filled. */
function aggregatePart(
  stmt: SelectStatement,
  p: Projection,
  t: Target,
  where: string[],
  range: TimeRange,
): string | undefined {
  const m = t.measurement;
  const fields = [...new Set(p.columns.flatMap((c) => fieldsOf(c.expr, m)))];
  if (fields.length === 0) return undefined;
  const groupTags = p.seriesTags.filter((x) => m.tags.includes(x));
  const tags = p.seriesTags.map((x) => `${tagSql(m, x)} AS ${ident(x)}`);
  const values = p.columns.map((c) => `${columnSql(c.expr, m)} AS ${ident(c.name)}`);
  // Groups with no value of any selected field are no result, as in InfluxDB.
  const having = ` HAVING ${fields.map((f) => `count(${ident(f)}) > 0`).join(' OR ')}`;
  const measurement = `${str(m.name)} AS ${ident(MEASUREMENT_COLUMN)}`;
  const group = stmt.groupByTime;
  if (!group) {
    const time = p.selector ? aggregateSql(p.selector, m).time : timestampNs(range.lower ?? 0n);
    const groupBy = groupTags.length ? ` GROUP BY ${groupTags.map(ident).join(', ')}` : '';
    return `SELECT ${[measurement, `${time} AS "time"`, ...tags, ...values].join(', ')} FROM ${table(t)}${whereSql(where)}${groupBy}${having}`;
  }
  const bucket = bucketSql('epoch_ns("time")', group.interval, group.offset);
  const groupBy = ` GROUP BY ${[...groupTags.map(ident), '"__b"'].join(', ')}`;
  const agg = `SELECT ${[`${bucket} AS "__b"`, ...tags, ...values].join(', ')} FROM ${table(t)}${whereSql(where)}${groupBy}${having}`;
  const names = p.columns.map((c) => c.name);
  if (stmt.fill.kind === 'none') {
    return `SELECT ${[measurement, `make_timestamp_ns("__b") AS "time"`, ...p.seriesTags.map(ident), ...names.map(ident)].join(', ')} FROM (${agg})`;
  }
  // Every bucket of the range, for every series that has a group in it.
  const start =
    range.lower !== undefined
      ? `${bucketOf(range.lower, group.interval, group.offset)}`
      : `(SELECT min("__b") FROM a)`;
  const end = `${bucketOf(range.upper!, group.interval, group.offset)}`;
  const series = p.seriesTags.length
    ? `SELECT DISTINCT ${p.seriesTags.map(ident).join(', ')} FROM a`
    : `SELECT DISTINCT true AS "__s" FROM a`;
  const join = [
    'g."__b" = a."__b"',
    ...p.seriesTags.map((x) => `g.${ident(x)} IS NOT DISTINCT FROM a.${ident(x)}`),
  ];
  const filled = p.columns.map(
    (c) =>
      `${fillSql(stmt.fill, c.name, numberKind(c.expr, m), p.seriesTags, c.expr.kind === 'call' && c.expr.name === 'count')} AS ${ident(c.name)}`,
  );
  return (
    `WITH a AS (${agg}), s AS (${series}), g AS (SELECT s.*, r.b AS "__b" FROM s, range(${start}, ${limitEnd(start, end, group.interval)}, ${group.interval}) r(b)) ` +
    `SELECT ${[measurement, `make_timestamp_ns(g."__b") AS "time"`, ...p.seriesTags.map((x) => `g.${ident(x)}`), ...filled].join(', ')} ` +
    `FROM g LEFT JOIN a ON ${join.join(' AND ')}`
  );
}

/**
 * The end (exclusive) of the bucket grid, or an error when it would pass MAX_BUCKETS per series:
 * checked in DuckDB because the start may be the first bucket with data.
 */
function limitEnd(start: string, end: string, interval: bigint): string {
  const message = str(`InfluxQL: GROUP BY time() would make more than ${MAX_BUCKETS} buckets per series`);
  return `CASE WHEN (${end} - ${start}) // ${interval} >= ${MAX_BUCKETS} THEN CAST(error(${message}) AS BIGINT) ELSE ${end} + 1 END`;
}

/** A column of the bucket grid with `fill` applied, per series in time order. */
function fillSql(
  fill: Fill,
  name: string,
  kind: ReturnType<typeof numberKind>,
  seriesTags: readonly string[],
  count: boolean,
): string {
  const col = `a.${ident(name)}`;
  const partition = seriesTags.length
    ? `PARTITION BY ${seriesTags.map((x) => `g.${ident(x)}`).join(', ')} `
    : '';
  const before = `OVER (${partition}ORDER BY g."__b" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;
  const after = `OVER (${partition}ORDER BY g."__b" ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)`;
  switch (fill.kind) {
    case 'null':
      // InfluxDB counts nothing in an empty bucket as 0, not null.
      return count ? `coalesce(${col}, 0)` : col;
    case 'none':
      return col;
    case 'value':
      return `coalesce(${col}, ${float(fill.value)})`;
    case 'previous':
      return `last_value(${col} IGNORE NULLS) ${before}`;
    case 'linear': {
      if (kind === 'other') return col;
      // InfluxDB: slope over the gap, times the distance from the previous value, plus it.
      const pv = `last_value(${col} IGNORE NULLS) ${before}`;
      const pt = `last_value(CASE WHEN ${col} IS NOT NULL THEN g."__b" END IGNORE NULLS) ${before}`;
      const nv = `first_value(${col} IGNORE NULLS) ${after}`;
      const nt = `first_value(CASE WHEN ${col} IS NOT NULL THEN g."__b" END IGNORE NULLS) ${after}`;
      if (kind === 'integer') {
        // Exactly, then truncated as InfluxDB's int64(): a slope in floating point can land a hair
        // below a whole value (436 - 6e-14) and truncate to the integer under it.
        const h = (x: string) => `CAST(${x} AS HUGEINT)`;
        const span = `(${h(nt)} - ${h(pt)})`;
        const exact = `(${h(pv)} * ${span} + (${h(nv)} - ${h(pv)}) * (${h('g."__b"')} - ${h(pt)})) // ${span}`;
        return `coalesce(${col}, CAST(${exact} AS BIGINT))`;
      }
      const line = `(CAST(${nv} - ${pv} AS DOUBLE) / CAST(${nt} - ${pt} AS DOUBLE)) * CAST(g."__b" - ${pt} AS DOUBLE) + ${pv}`;
      return `coalesce(${col}, ${line})`;
    }
  }
}

/** The union of the parts, LIMIT/OFFSET per series, SLIMIT/SOFFSET over series, InfluxDB's order. */
function outer(stmt: SelectStatement, p: Projection, parts: readonly string[]): string {
  const series = [ident(MEASUREMENT_COLUMN), ...p.seriesTags.map(ident)];
  const order = `"time" ${stmt.descending ? 'DESC' : 'ASC'}`;
  const union = parts.map((x) => `(${x})`).join(' UNION ALL BY NAME ');
  const filters: string[] = [];
  const { limit, offset = 0, slimit, soffset = 0 } = stmt;
  if (limit !== undefined || offset > 0) {
    filters.push(`"__rn" > ${offset}`);
    if (limit !== undefined && limit > 0) filters.push(`"__rn" <= ${offset + limit}`);
  }
  if (slimit !== undefined || soffset > 0) {
    filters.push(`"__series" > ${soffset}`);
    if (slimit !== undefined && slimit > 0) filters.push(`"__series" <= ${soffset + slimit}`);
  }
  const columns = [
    ident(MEASUREMENT_COLUMN),
    '"time"',
    ...p.tagColumns.map(ident),
    ...p.columns.map((c) => ident(c.name)),
  ];
  const projectedTags = p.columns.filter((c) => c.expr.kind === 'ref').map((c) => ident(c.name));
  return (
    `SELECT ${columns.join(', ')} FROM (SELECT *, ` +
    `row_number() OVER (PARTITION BY ${series.join(', ')} ORDER BY ${order}) AS "__rn", ` +
    `dense_rank() OVER (ORDER BY ${series.join(', ')}) AS "__series" FROM (${union}))` +
    `${filters.length ? ` WHERE ${filters.join(' AND ')}` : ''} ` +
    `ORDER BY ${[...series, order, ...projectedTags].join(', ')}`
  );
}
