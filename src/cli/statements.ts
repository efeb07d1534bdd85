/**
 * Splits SQL text into statements at the semicolons that end them: those outside quoted
 * strings and names ('...', "...", `...`), dollar-quoted bodies ($$...$$, $tag$...$tag$),
 * `--` line comments and (nested) block comments, as PostgreSQL and DuckDB read them.
 */

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
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      let level = 1;
      i += 2;
      while (i < n && level > 0) {
        const pair = sql.slice(i, i + 2);
        level += pair === '/*' ? 1 : pair === '*/' ? -1 : 0;
        i += pair === '/*' || pair === '*/' ? 2 : 1;
      }
    } else if (c === "'" || c === '"' || c === '`') {
      // A doubled quote is an escaped quote and keeps the string open.
      i++;
      while (i < n) {
        if (sql[i] === c) {
          if (sql[i + 1] === c) i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (
      c === '$' &&
      /^\$[A-Za-z_]*\$/.test(sql.slice(i, i + 64)) &&
      !/[\w$]/.test(sql[i - 1] ?? ' ')
    ) {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64))![0];
      const end = sql.indexOf(tag, i + tag.length);
      i = end < 0 ? n : end + tag.length;
    } else if (c === ';') {
      const statement = sql.slice(start, i).trim();
      if (hasCode(statement)) statements.push(statement);
      start = ++i;
    } else {
      i++;
    }
  }
  const rest = sql.slice(start).trim();
  return { statements, rest: hasCode(rest) ? rest : '' };
}

/** True when `sql` holds more than blanks and comments. */
export function hasCode(sql: string): boolean {
  return stripComments(sql).trim() !== '';
}

/** `sql` without its comments (strings are kept as they are). */
function stripComments(sql: string): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      let level = 1;
      i += 2;
      while (i < n && level > 0) {
        const pair = sql.slice(i, i + 2);
        level += pair === '/*' ? 1 : pair === '*/' ? -1 : 0;
        i += pair === '/*' || pair === '*/' ? 2 : 1;
      }
    } else if (c === "'" || c === '"' || c === '`') {
      const from = i++;
      while (i < n && !(sql[i] === c && sql[i + 1] !== c)) i += sql[i] === c ? 2 : 1;
      out += sql.slice(from, ++i);
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Every statement of a script: the terminated ones and a last one without `;`. */
export function scriptStatements(sql: string): string[] {
  const { statements, rest } = splitStatements(sql);
  return rest ? [...statements, rest] : statements;
}
