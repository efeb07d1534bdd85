/**
 * SQLite's parameter tokens in a statement's text (`?`, `?NNN`, `:name`, `@name`, `$name`),
 * outside string literals, quoted names and comments. sql.js exports neither
 * `sqlite3_bind_parameter_name` nor a way to ask SQLite for a column's declared type, so the
 * test server finds parameter names here, and replaces parameters by NULL where SQLite refuses
 * them (in the view it reads declared types from).
 */

/** One parameter token: where it is and how it is written. */
export interface ParameterToken {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const NAME_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Every parameter token of `sql`, in order. */
export function parameterTokens(sql: string): ParameterToken[] {
  const out: ParameterToken[] = [];
  let i = 0;
  const n = sql.length;
  const skipQuoted = (close: string) => {
    i++;
    while (i < n) {
      if (sql[i] === close) {
        if (close !== ']' && sql[i + 1] === close) i += 2;
        else return void i++;
      } else i++;
    }
  };
  while (i < n) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      skipQuoted(c);
    } else if (c === '[') {
      skipQuoted(']');
    } else if (c === '?') {
      let j = i + 1;
      while (j < n && /[0-9]/.test(sql[j]!)) j++;
      out.push({ start: i, end: j, text: sql.slice(i, j) });
      i = j;
    } else if ((c === ':' || c === '@' || c === '$') && i + 1 < n && NAME_CHAR.test(sql[i + 1]!)) {
      let j = i + 1;
      while (j < n && NAME_CHAR.test(sql[j]!)) j++;
      out.push({ start: i, end: j, text: sql.slice(i, j) });
      i = j;
    } else if (NAME_CHAR.test(c)) {
      // A whole word, so that `x$y` or `a1:b` inside names are not taken for parameters.
      while (i < n && NAME_CHAR.test(sql[i]!)) i++;
    } else {
      i++;
    }
  }
  return out;
}

/** `sql` with every parameter replaced by NULL. */
export function withoutParameters(sql: string): string {
  let out = '';
  let at = 0;
  for (const token of parameterTokens(sql)) {
    out += `${sql.slice(at, token.start)}NULL`;
    at = token.end;
  }
  return out + sql.slice(at);
}
