/**
 * Splits SQL text into statements at the semicolons that end them: those outside quoted
 * strings and names ('...', "...", `...`), dollar-quoted bodies ($$...$$, $tag$...$tag$),
 * `--` line comments and (nested) block comments, as PostgreSQL and DuckDB read them.
 */
import { spanAt } from '../sql/sqlText';

/** What a split found: the complete statements, and the text after the last semicolon. */
export interface Split {
  /** Statements that ended with `;` (without it, trimmed; empty ones left out). */
  readonly statements: string[];
  /** The text after the last terminating `;` (trimmed): an unfinished statement, or ''. */
  readonly rest: string;
}

/** Splits `sql` into statements (see the module comment). */
export function splitStatements(sql: string): Split {
  const statements: string[] = [];
  let start = 0;
  for (let i = 0; i < sql.length;) {
    const { kind, end } = spanAt(sql, i);
    if (kind === 'code' && sql[i] === ';') {
      const statement = sql.slice(start, i).trim();
      if (hasCode(statement)) statements.push(statement);
      start = end;
    }
    i = end;
  }
  const rest = sql.slice(start).trim();
  return { statements, rest: hasCode(rest) ? rest : '' };
}

/** True when `sql` holds more than blanks and comments. */
export function hasCode(sql: string): boolean {
  for (let i = 0; i < sql.length;) {
    const { kind, end } = spanAt(sql, i);
    if (kind === 'quoted' || (kind === 'code' && !/\s/.test(sql[i]!))) return true;
    i = end;
  }
  return false;
}

/** Every statement of a script: the terminated ones and a last one without `;`. */
export function scriptStatements(sql: string): string[] {
  const { statements, rest } = splitStatements(sql);
  return rest ? [...statements, rest] : statements;
}
