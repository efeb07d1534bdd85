/**
 * The one reading of SQL text's non-code parts for the code that looks at statements before a
 * server does (statement kinds, the CLI's splitting into statements): `--` and nested `/* *\/`
 * comments, '…', "…" and `…` quoted text (a doubled quote stays inside), and $tag$…$tag$
 * dollar quotes, as PostgreSQL and DuckDB read them.
 */

const DOLLAR_TAG = /^\$[A-Za-z_]*\$/;

/** What starts at an index of SQL text: a comment, a quoted text, or code. */
export type Span = 'comment' | 'quoted' | 'code';

/**
 * The kind of span starting at `i` and the index just after it; for code, the span is the one
 * character at `i`. An unterminated comment or quote runs to the end of the text.
 */
export function spanAt(sql: string, i: number): { kind: Span; end: number } {
  const n = sql.length;
  const c = sql[i];
  if (c === '-' && sql[i + 1] === '-') {
    const end = sql.indexOf('\n', i);
    return { kind: 'comment', end: end < 0 ? n : end + 1 };
  }
  if (c === '/' && sql[i + 1] === '*') {
    let level = 1;
    let j = i + 2;
    while (j < n && level > 0) {
      const pair = sql.slice(j, j + 2);
      level += pair === '/*' ? 1 : pair === '*/' ? -1 : 0;
      j += pair === '/*' || pair === '*/' ? 2 : 1;
    }
    return { kind: 'comment', end: j };
  }
  if (c === "'" || c === '"' || c === '`') {
    let j = i + 1;
    while (j < n) {
      if (sql[j] === c) {
        if (sql[j + 1] === c) j += 2;
        else break;
      } else j++;
    }
    return { kind: 'quoted', end: Math.min(n, j + 1) };
  }
  // `$tag$` opens a dollar quote unless it continues a word (`a$b$`) or a parameter (`$1`).
  if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? ' ')) {
    const tag = DOLLAR_TAG.exec(sql.slice(i, i + 64))?.[0];
    if (tag !== undefined) {
      const end = sql.indexOf(tag, i + tag.length);
      return { kind: 'quoted', end: end < 0 ? n : end + tag.length };
    }
  }
  return { kind: 'code', end: i + 1 };
}
