/**
 * SQL literals for the `inline` bindings mode, written for the engines Flight SQL fronts, not
 * Knex's MySQL-style default: standard strings (a quote doubled, backslashes as they are),
 * timestamps as ISO UTC, exact numbers, blobs in the engine's own form.
 */
import { DataError } from 'flightsql';
import type { EngineProfile } from './profiles';

/** The SQL literal of `value`. */
export function sqlLiteral(value: unknown, profile: EngineProfile): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return Object.is(value, -0) ? '0' : String(value);
    return `CAST('${Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'}' AS DOUBLE)`;
  }
  if (typeof value === 'string') return quoteString(value);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new DataError('cannot inline an invalid Date');
    return `TIMESTAMP '${value.toISOString().replace('T', ' ').replace('Z', '')}'`;
  }
  if (value instanceof Uint8Array) {
    const hex = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
    return profile.blobLiteral === 'duckdb' ? `'${hex.replace(/../g, '\\x$&')}'::BLOB` : `X'${hex}'`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => sqlLiteral(v, profile)).join(', ')}]`;
  // Knex turns plain objects into JSON text before they reach a dialect; anything else is text too.
  return quoteString(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

/** `'text'` with quotes doubled: the SQL standard, which these engines follow for '' strings. */
export function quoteString(text: string): string {
  if (text.includes('\0')) throw new DataError('a string with a NUL character cannot be written inline');
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * Replaces the `$n` placeholders of `sql` (as Knex's PostgreSQL positioning writes them) with
 * literals, leaving strings (`'..'`, `E'..'` with backslash escapes), quoted names, comments
 * (`--`, and nested block comments) and dollar-quoted text (`$$..$$`, `$tag$..$tag$`) untouched.
 */
export function inlineBindings(sql: string, bindings: readonly unknown[], profile: EngineProfile): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    let end = i + 1;
    if (c === "'" || c === '"') {
      // E'...' takes backslash escapes (\' is a quote inside the string), as in PostgreSQL and DuckDB.
      const escapes = c === "'" && /(?:^|[^\w$])[eE]$/.test(sql.slice(Math.max(0, i - 2), i));
      while (end < n && !(sql[end] === c && sql[end + 1] !== c)) {
        end += sql[end] === c || (escapes && sql[end] === '\\') ? 2 : 1;
      }
      end++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      end = nl < 0 ? n : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      // Block comments nest.
      let depth = 1;
      end = i + 2;
      while (end < n && depth > 0) {
        if (sql[end] === '/' && sql[end + 1] === '*') {
          depth++;
          end += 2;
        } else if (sql[end] === '*' && sql[end + 1] === '/') {
          depth--;
          end += 2;
        } else end++;
      }
    } else if (c === '$') {
      const placeholder = /^\$(\d+)/.exec(sql.slice(i, i + 12));
      const tag = placeholder
        ? undefined
        : /^\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$/.exec(sql.slice(i, i + 64))?.[0];
      if (placeholder) {
        const index = Number(placeholder[1]) - 1;
        if (index < 0 || index >= bindings.length) throw new DataError(`no binding for ${placeholder[0]}`);
        out += sqlLiteral(bindings[index], profile);
        i += placeholder[0].length;
        continue;
      }
      if (tag) {
        const close = sql.indexOf(tag, i + tag.length);
        end = close < 0 ? n : close + tag.length;
      }
    }
    out += sql.slice(i, end);
    i = end;
  }
  return out;
}
