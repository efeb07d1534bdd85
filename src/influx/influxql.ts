/**
 * InfluxQL text: quoting of identifiers and string literals, checks of the words that cannot
 * be quoted (durations, replication, privileges), and the statements the admin methods send.
 * Everything a caller passes is quoted or checked here, so that no name or password can end
 * a statement early or start a second one.
 *
 * InfluxQL's scanner (influxql/scanner.go) reads `"…"` and `'…'` with exactly four escapes
 * (`\\`, `\"`, `\'`, `\n`); it turns CR into LF and treats NUL as end of input, so names
 * holding either cannot be written in InfluxQL at all and are refused.
 */
import { InterfaceError } from '../errors';
import { show } from './errors';
import { isWellFormed } from './lineProtocol';

/** Characters InfluxQL's scanner cannot carry inside quotes. */
const UNQUOTABLE = /[\r\0]/;

function checkQuotable(text: string, what: string): void {
  if (typeof text !== 'string') throw new InterfaceError(`${what} must be a string, not ${typeof text}`);
  if (UNQUOTABLE.test(text)) {
    throw new InterfaceError(
      `${what} ${show(text)} contains a carriage return or NUL, which InfluxQL cannot express`,
    );
  }
  if (!isWellFormed(text)) throw new InterfaceError(`${what} ${show(text)} is not well-formed UTF-16`);
}

/** Quotes an identifier (database, measurement, user, retention policy...): `"…"`, escaping `\`, `"` and LF. */
export function quoteIdent(name: string, what = 'identifier'): string {
  checkQuotable(name, what);
  return `"${name.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n')}"`;
}

/** Quotes a string literal (password, tag value): `'…'`, escaping `\`, `'` and LF. */
export function quoteLiteral(value: string, what = 'string'): string {
  checkQuotable(value, what);
  return `'${value.replace(/[\\']/g, '\\$&').replace(/\n/g, '\\n')}'`;
}

// An InfluxQL duration literal: one or more <integer><unit> groups, or INF.
const DURATION = /^(?:\d+(?:ns|u|µ|ms|s|m|h|d|w))+$/;

/** Checks a duration such as `1h`, `90m`, `7d`, `1h30m` or `INF` (durations cannot be quoted). */
export function duration(value: string, what = 'duration'): string {
  if (typeof value === 'string' && (DURATION.test(value) || (/^inf$/i.test(value) && what === 'duration'))) {
    return value;
  }
  throw new InterfaceError(
    `invalid ${what} ${show(value)}: use an InfluxQL duration such as 1h, 90m, 7d, 4w or 1h30m${what === 'duration' ? ', or INF' : ''}`,
  );
}

/** Checks a replication factor (a positive integer). */
export function replication(value: number | string): string {
  const text = String(value);
  if (/^[1-9]\d{0,8}$/.test(text)) return text;
  throw new InterfaceError(`invalid replication ${show(text)}: use a positive integer`);
}

/** A database privilege. */
export type Privilege = 'read' | 'write' | 'all' | 'READ' | 'WRITE' | 'ALL';

/** Checks a privilege (`read`, `write`, `all`, any case; `all privileges` too). */
export function privilege(value: string): string {
  const word = typeof value === 'string' ? value.trim().toUpperCase().replace(/\s+/g, ' ') : '';
  if (word === 'READ' || word === 'WRITE' || word === 'ALL' || word === 'ALL PRIVILEGES') return word;
  throw new InterfaceError(`invalid privilege ${show(value)}: use read, write or all`);
}

/** Options of CREATE/ALTER RETENTION POLICY. */
export interface RetentionPolicySpec {
  readonly duration?: string;
  readonly replication?: number | string;
  readonly shardDuration?: string;
  readonly default?: boolean;
}

/** `CREATE RETENTION POLICY "name" ON "db" DURATION d REPLICATION n [SHARD DURATION s] [DEFAULT]`. */
export function createRetentionPolicy(name: string, database: string, spec: RetentionPolicySpec): string {
  let q = `CREATE RETENTION POLICY ${quoteIdent(name, 'retention policy')} ON ${quoteIdent(database, 'database')}`;
  q += ` DURATION ${duration(spec.duration ?? '')} REPLICATION ${replication(spec.replication ?? 1)}`;
  if (spec.shardDuration !== undefined && spec.shardDuration !== '0s') {
    q += ` SHARD DURATION ${duration(spec.shardDuration, 'shard duration')}`;
  }
  if (spec.default) q += ' DEFAULT';
  return q;
}

/** `ALTER RETENTION POLICY "name" ON "db" …`; at least one change is required. */
export function alterRetentionPolicy(name: string, database: string, spec: RetentionPolicySpec): string {
  let q = `ALTER RETENTION POLICY ${quoteIdent(name, 'retention policy')} ON ${quoteIdent(database, 'database')}`;
  const before = q.length;
  if (spec.duration !== undefined) q += ` DURATION ${duration(spec.duration)}`;
  if (spec.replication !== undefined) q += ` REPLICATION ${replication(spec.replication)}`;
  if (spec.shardDuration !== undefined)
    q += ` SHARD DURATION ${duration(spec.shardDuration, 'shard duration')}`;
  if (spec.default) q += ' DEFAULT';
  if (q.length === before) {
    throw new InterfaceError(
      'alterRetentionPolicy needs at least one of duration, replication, shardDuration, default',
    );
  }
  return q;
}

/** `"k" = 'v' AND …` for tag filters (influxdb-python left these unquoted in get_list_series). */
export function tagConditions(tags: Readonly<Record<string, string>>): string {
  const parts: string[] = [];
  for (const key of Object.keys(tags))
    parts.push(`${quoteIdent(key, 'tag key')} = ${quoteLiteral(String(tags[key]), 'tag value')}`);
  return parts.join(' AND ');
}

/** ` FROM "m" WHERE "k" = 'v' AND …` of SHOW SERIES / DROP SERIES (empty parts left out). */
export function seriesFilter(
  measurement: string | undefined,
  tags: Readonly<Record<string, string>> | undefined,
): string {
  let text = measurement === undefined ? '' : ` FROM ${quoteIdent(measurement, 'measurement')}`;
  if (tags && Object.keys(tags).length > 0) text += ` WHERE ${tagConditions(tags)}`;
  return text;
}

/**
 * The words (upper-cased keywords and bare identifiers) of each statement of `q`, split at
 * `;`. Strings, quoted identifiers, regexes and comments are skipped; undefined when a
 * quote or comment is left open. Empty statements are dropped unless `keepEmpty`.
 */
export function statementWords(q: string, keepEmpty = false): string[][] | undefined {
  const statements: string[][] = [[]];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (c === ';') {
      statements.push([]);
      i++;
    } else if (c === '"' || c === "'") {
      i = skipQuoted(q, i, c);
      if (i < 0) return undefined;
    } else if (c === '-' && q[i + 1] === '-') {
      const end = q.indexOf('\n', i);
      i = end < 0 ? q.length : end + 1;
    } else if (c === '/' && q[i + 1] === '*') {
      const end = q.indexOf('*/', i + 2);
      if (end < 0) return undefined;
      i = end + 2;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < q.length && /[A-Za-z0-9_]/.test(q[j]!)) j++;
      statements[statements.length - 1]!.push(q.slice(i, j).toUpperCase());
      i = j;
    } else if (c === '/') {
      // A regex (/.../) after FROM, =~ or !~; InfluxQL has division too, but skipping to
      // the next slash can only make a read look like a write, never the reverse.
      i = skipQuoted(q, i, '/');
      if (i < 0) return undefined;
    } else {
      i++;
    }
  }
  return keepEmpty ? statements : statements.filter((w) => w.length > 0);
}

/**
 * True when every statement of `q` only reads (SELECT without INTO, SHOW, EXPLAIN of such a
 * SELECT), so it can go by GET and be retried. Anything unclear counts as a write (POST,
 * as InfluxDB 1.x wants for writes).
 */
export function isReadOnly(q: string): boolean {
  const statements = statementWords(q);
  if (!statements || statements.length === 0) return false;
  return statements.every((w) => {
    if (w[0] === 'SHOW') return true;
    if (w[0] === 'SELECT') return !w.includes('INTO');
    if (w[0] === 'EXPLAIN') return w[1] === 'SELECT' && !w.includes('INTO');
    return false;
  });
}

/** Checks the body of a continuous query: exactly one `SELECT … INTO …` statement and no `;`, so it cannot end the CQ early. */
export function cqSelect(select: string): string {
  const text = typeof select === 'string' ? select.trim() : '';
  const statements = statementWords(text, true);
  if (
    !statements ||
    statements.length !== 1 ||
    statements[0]![0] !== 'SELECT' ||
    !statements[0]!.includes('INTO')
  ) {
    throw new InterfaceError(
      `invalid continuous query body ${show(text)}: one SELECT … INTO … statement, without ";"`,
    );
  }
  return text;
}

/** Checks RESAMPLE options of a continuous query: `EVERY <duration>`, `FOR <duration>` or both. */
export function resample(options: string): string {
  const m =
    typeof options === 'string' ? /^\s*(?:EVERY\s+(\S+))?\s*(?:FOR\s+(\S+))?\s*$/i.exec(options) : null;
  if (!m || (m[1] === undefined && m[2] === undefined)) {
    throw new InterfaceError(
      `invalid resample options ${show(options)}: use "EVERY 10s", "FOR 2m" or "EVERY 10s FOR 2m"`,
    );
  }
  const parts: string[] = [];
  if (m[1] !== undefined) parts.push(`EVERY ${duration(m[1], 'resample interval')}`);
  if (m[2] !== undefined) parts.push(`FOR ${duration(m[2], 'resample interval')}`);
  return parts.join(' ');
}

function skipQuoted(q: string, start: number, quote: string): number {
  for (let i = start + 1; i < q.length; i++) {
    const c = q[i];
    if (c === '\\') i++;
    else if (c === quote) return i + 1;
  }
  return -1;
}
