/**
 * Small pieces of DuckDB SQL the translator writes: quoted names and literals (every name and
 * value of a query reaches SQL through these), nanosecond times, and the parsing of InfluxQL's
 * time literals.
 */
import { quoteIdentifier, quoteLiteral } from '../metadata/sql';
import { invalid } from './ast';

/** A quoted SQL identifier (the server's one quoting rule). */
export const ident = quoteIdentifier;

/** A SQL string literal. */
export const str = quoteLiteral;

/** A TIMESTAMP_NS from epoch nanoseconds. */
export const timestampNs = (ns: bigint | string) => `make_timestamp_ns(CAST(${ns} AS BIGINT))`;

/** A numeric literal DuckDB reads as DOUBLE, not DECIMAL (so that it mixes with DOUBLE columns). */
export const float = (value: number) =>
  Number.isInteger(value) ? `${value}` : `CAST(${JSON.stringify(value)} AS DOUBLE)`;

/** The name of the measurement column InfluxDB 3 puts first in every InfluxQL result. */
export const MEASUREMENT_COLUMN = 'iox::measurement';

/** A relation with the named VARCHAR columns and these rows (none allowed, unlike VALUES). */
export function rowsSql(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) {
    return `SELECT ${columns.map((c) => `CAST(NULL AS VARCHAR) AS ${ident(c)}`).join(', ')} WHERE false`;
  }
  const values = rows.map((r) => `(${r.map(str).join(', ')})`).join(', ');
  return `SELECT * FROM (VALUES ${values}) AS v(${columns.map(ident).join(', ')})`;
}

const TIME_LITERAL =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?$/;

/** Epoch nanoseconds of an RFC 3339 time or a date (`'2024-01-01T00:00:00Z'`, `'2024-01-01'`), as InfluxQL reads them. */
export function parseTime(text: string): bigint {
  const m = TIME_LITERAL.exec(text.trim());
  if (!m) throw invalid(`'${text}' is not a time (RFC 3339, e.g. '2024-01-01T00:00:00Z')`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) throw invalid(`'${text}' is not a time`);
  let ns = BigInt(ms) * 1_000_000n + BigInt(frac.padEnd(9, '0') || '0');
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1n : 1n;
    const minutes = BigInt(Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    ns -= sign * minutes * 60_000_000_000n;
  }
  return ns;
}
