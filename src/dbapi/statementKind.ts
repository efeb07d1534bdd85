/**
 * Whether a statement without parameters returns rows. Flight SQL sends queries
 * (CommandStatementQuery) and updates (CommandStatementUpdate) differently, and a plain
 * statement has no prepared schema to ask, so the statement's own words decide: its first
 * keyword, the keyword after a WITH clause, and RETURNING, read outside strings, quoted names,
 * comments and parentheses.
 */
import { spanAt } from '../sql/sqlText';

/** What the server is asked to do with a statement. */
export type StatementKind = 'query' | 'update';

// Statements that return rows across the engines Flight SQL fronts (PostgreSQL-style SQL,
// DuckDB, DataFusion/InfluxDB 3, Dremio).
const QUERY_WORDS = new Set([
  'SELECT',
  'VALUES',
  'TABLE',
  'SHOW',
  'DESCRIBE',
  'DESC',
  'EXPLAIN',
  'PRAGMA',
  'FROM',
  'SUMMARIZE',
  'CALL',
  'PIVOT',
  'UNPIVOT',
]);
const DML_WORDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'UPSERT', 'REPLACE']);

/** Upper-cased words at parenthesis depth 0, in order, with the depth-0 flag of each. */
function* words(sql: string): Generator<{ word: string; depth: number }> {
  let depth = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const span = spanAt(sql, i);
    if (span.kind !== 'code') {
      i = span.end;
    } else if (c === '(') {
      depth++;
      i++;
    } else if (c === ')') {
      depth = Math.max(0, depth - 1);
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      yield { word: sql.slice(i, j).toUpperCase(), depth };
      i = j;
    } else {
      i++;
    }
  }
}

/**
 * `query` when the statement returns rows (SELECT, VALUES, SHOW, EXPLAIN, WITH ... SELECT,
 * INSERT ... RETURNING, ...), `update` for DML, DDL and everything else.
 */
export function statementKind(sql: string): StatementKind {
  let main: string | undefined;
  let inWith = false;
  let dml = false;
  for (const { word, depth } of words(sql)) {
    if (main === undefined) {
      // A statement may open with parentheses: "(SELECT 1) UNION (SELECT 2)".
      if (word === 'WITH') {
        inWith = true;
        main = 'WITH';
        continue;
      }
      main = word;
      if (QUERY_WORDS.has(word)) return 'query';
      dml = DML_WORDS.has(word);
      if (!dml) return 'update';
      continue;
    }
    if (depth > 0) continue;
    if (inWith) {
      // The CTE bodies are parenthesised; the first of these words at depth 0 is the statement.
      if (QUERY_WORDS.has(word) && word !== 'DESC' && word !== 'TABLE') return 'query';
      if (DML_WORDS.has(word)) {
        inWith = false;
        dml = true;
      }
      continue;
    }
    if (dml && word === 'RETURNING') return 'query';
  }
  return main === 'WITH' && inWith ? 'query' : 'update';
}
