/**
 * SHOW statements to DuckDB SQL, in InfluxDB 3's shapes: `iox::measurement` first, then
 * `name` (SHOW MEASUREMENTS, whose measurement column says `measurements`), `tagKey`,
 * `fieldKey` and `fieldType`, or `key` and `value`; SHOW DATABASES answers `iox::database`.
 * Names come from the catalog; tag values from the data.
 */
import type { KeyFilter, ShowStatement } from './ast';
import type { Target } from './select';
import { ident, MEASUREMENT_COLUMN, rowsSql, str } from './sql';
import { conditionSql, rangeSql, splitWhere } from './where';

const M = ident(MEASUREMENT_COLUMN);

/** SHOW DATABASES over the database names. */
export function showDatabasesSql(names: readonly string[]): string {
  return `SELECT "iox::database", false AS deleted FROM (${rowsSql(
    ['iox::database'],
    names.map((n) => [n]),
  )}) ORDER BY 1`;
}

/** LIMIT and OFFSET per measurement (InfluxDB 3 applies them so), in `order`. */
function limited(sql: string, order: string, limit?: number, offset = 0, perMeasurement = true): string {
  if (limit === undefined && offset === 0) return `${sql} ORDER BY ${order}`;
  const conditions = [`"__rn" > ${offset}`];
  if (limit !== undefined && limit > 0) conditions.push(`"__rn" <= ${offset + limit}`);
  const partition = perMeasurement ? `PARTITION BY ${M} ` : '';
  return (
    `SELECT * EXCLUDE ("__rn") FROM (SELECT *, row_number() OVER (${partition}ORDER BY ${order}) AS "__rn" FROM (${sql})) ` +
    `WHERE ${conditions.join(' AND ')} ORDER BY ${order}`
  );
}

/** SHOW MEASUREMENTS / TAG KEYS / FIELD KEYS / TAG VALUES over `targets` (sorted), now() at `now`. */
export function showSql(
  stmt: Exclude<ShowStatement, { kind: 'showDatabases' }>,
  targets: readonly Target[],
  now: bigint,
): string {
  const measurements = targets.map((t) => t.measurement);
  switch (stmt.kind) {
    case 'showMeasurements': {
      let sql = rowsSql(
        ['iox::measurement', 'name'],
        measurements.map((m) => ['measurements', m.name]),
      );
      if (stmt.with?.name !== undefined) sql = `SELECT * FROM (${sql}) WHERE name = ${str(stmt.with.name)}`;
      if (stmt.with?.regex !== undefined)
        sql = `SELECT * FROM (${sql}) WHERE regexp_matches(name, ${str(stmt.with.regex)})`;
      return limited(sql, 'name', stmt.limit, stmt.offset, false);
    }
    case 'showTagKeys': {
      const rows = measurements.flatMap((m) => m.tags.map((t) => [m.name, t]));
      return limited(
        rowsSql(['iox::measurement', 'tagKey'], rows),
        `${M}, "tagKey"`,
        stmt.limit,
        stmt.offset,
      );
    }
    case 'showFieldKeys': {
      const rows = measurements.flatMap((m) => [...m.fields].map(([f, type]) => [m.name, f, type]));
      return limited(
        rowsSql(['iox::measurement', 'fieldKey', 'fieldType'], rows),
        `${M}, "fieldKey"`,
        stmt.limit,
        stmt.offset,
      );
    }
    case 'showTagValues': {
      const { range, rest } = splitWhere(stmt.where, now);
      const parts: string[] = [];
      for (const target of targets) {
        const m = target.measurement;
        const where = [rangeSql(range), rest ? conditionSql(rest, m) : undefined].filter(
          (x): x is string => x !== undefined,
        );
        for (const key of m.tags) {
          const keep = keyCondition(stmt.key, key);
          if (keep === 'false') continue;
          const conditions = [`${ident(key)} IS NOT NULL`, ...where, ...(keep === 'true' ? [] : [keep])];
          parts.push(
            `SELECT DISTINCT ${str(m.name)} AS ${M}, ${str(key)} AS "key", ${ident(key)} AS "value" ` +
              `FROM ${ident(target.schema)}.${ident(m.name)} WHERE ${conditions.join(' AND ')}`,
          );
        }
      }
      const sql = parts.length
        ? parts.join(' UNION ALL ')
        : rowsSql(['iox::measurement', 'key', 'value'], []);
      return limited(sql, `${M}, "key", "value"`, stmt.limit, stmt.offset);
    }
  }
}

/** Whether tag `key` passes WITH KEY: `true`, `false`, or a SQL condition (regexes run in DuckDB). */
function keyCondition(filter: KeyFilter, key: string): string {
  switch (filter.op) {
    case '=':
    case 'in':
      return filter.keys.includes(key) ? 'true' : 'false';
    case '!=':
      return filter.keys.includes(key) ? 'false' : 'true';
    case '=~':
      return `regexp_matches(${str(key)}, ${str(filter.regex)})`;
    case '!~':
      return `NOT regexp_matches(${str(key)}, ${str(filter.regex)})`;
  }
}
