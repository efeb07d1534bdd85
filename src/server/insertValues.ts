/**
 * Recognises the one statement shape that a multi-row prepared update can run set-based:
 * `INSERT INTO name [(columns)] VALUES (p, p, ...)` where every value is a bare placeholder.
 * Such a statement run once per parameter row inserts exactly what
 * `INSERT INTO name [(columns)] SELECT ... FROM staged_rows` inserts in one statement, so the
 * caller may swap one for the other.
 *
 * The check is deliberately narrow: the whole text must match this grammar token by token
 * (identifiers bare ASCII or double-quoted, placeholders `?`, `?n` or `$n`, whitespace, one
 * optional trailing `;`), and DuckDB must have prepared it as an INSERT taking exactly the
 * placeholders found. Comments, string literals, expressions, DEFAULT, `OR REPLACE`, `BY NAME`,
 * `ON CONFLICT`, `RETURNING`, named parameters or several rows fall outside, and the statement
 * then runs once per row as before. (DuckDB's `json_serialize_sql` would be the parser's own
 * answer, but it serialises SELECT statements only.)
 */

/** How to run a plain multi-row INSERT set-based. */
export interface InsertPlan {
  /** The statement's text up to VALUES: `INSERT INTO name [(columns)] `, exactly as written. */
  readonly head: string;
  /** For each value of the VALUES row, in order, the 1-based parameter it takes. */
  readonly parameters: readonly number[];
}

type Token =
  | { kind: 'word'; text: string; start: number }
  | { kind: 'quoted'; start: number }
  | { kind: 'param'; index: number | undefined; start: number }
  | { kind: 'punct'; text: string; start: number };

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const QUOTED = /"(?:[^"]|"")+"/y;
const PARAM = /[?$](\d*)/y;
const SPACE = /[ \t\r\n]+/y;

/** The statement's tokens; undefined at anything outside the grammar (comments, literals...). */
function tokens(sql: string): Token[] | undefined {
  const out: Token[] = [];
  let at = 0;
  const match = (re: RegExp) => {
    re.lastIndex = at;
    return re.exec(sql);
  };
  while (at < sql.length) {
    let m = match(SPACE);
    if (m) {
      at += m[0].length;
      continue;
    }
    const start = at;
    let length = 1;
    if ((m = match(WORD))) out.push({ kind: 'word', text: m[0].toUpperCase(), start });
    else if ((m = match(QUOTED))) out.push({ kind: 'quoted', start });
    else if ((m = match(PARAM))) {
      // `$` alone is no placeholder (and `$name`, a named one, is not taken here).
      if (m[0] === '$') return undefined;
      out.push({ kind: 'param', index: m[1] ? Number(m[1]) : undefined, start });
    } else if ('(),.;'.includes(sql[at]!)) out.push({ kind: 'punct', text: sql[at]!, start });
    else return undefined;
    if (m) length = m[0].length;
    at += length;
  }
  return out;
}

const isIdentifier = (t: Token | undefined) => t?.kind === 'word' || t?.kind === 'quoted';
const isPunct = (t: Token | undefined, text: string) => t?.kind === 'punct' && t.text === text;
const isWord = (t: Token | undefined, text: string) => t?.kind === 'word' && t.text === text;

/**
 * The set-based plan of `sql` when it is a plain `INSERT ... VALUES (placeholders)` taking
 * exactly `parameters 1..parameterCount` (a placeholder may appear more than once).
 * `statementType` is DuckDB's for the prepared statement (INSERT is 2).
 */
export function insertPlanOf(
  sql: string,
  statementType: number,
  parameterCount: number,
): InsertPlan | undefined {
  if (statementType !== 2 || parameterCount < 1) return undefined;
  const t = tokens(sql);
  if (!t) return undefined;
  let i = 0;
  if (!isWord(t[i++], 'INSERT') || !isWord(t[i++], 'INTO')) return undefined;
  // catalog.schema.table, or fewer parts.
  if (!isIdentifier(t[i++])) return undefined;
  for (let parts = 1; parts < 3 && isPunct(t[i], '.'); parts++) {
    if (!isIdentifier(t[i + 1])) return undefined;
    i += 2;
  }
  if (isPunct(t[i], '(')) {
    i++;
    do {
      if (!isIdentifier(t[i++])) return undefined;
    } while (isPunct(t[i], ',') && ++i);
    if (!isPunct(t[i++], ')')) return undefined;
  }
  const values = t[i];
  if (!isWord(values, 'VALUES') || !isPunct(t[i + 1], '(')) return undefined;
  i += 2;
  const placeholders: (number | undefined)[] = [];
  do {
    const p = t[i++];
    if (p?.kind !== 'param') return undefined;
    placeholders.push(p.index);
  } while (isPunct(t[i], ',') && ++i);
  if (!isPunct(t[i++], ')')) return undefined;
  if (isPunct(t[i], ';')) i++;
  if (i !== t.length) return undefined;
  // All anonymous (numbered in order) or all numbered; DuckDB refuses a mix anyway.
  const anonymous = placeholders.every((p) => p === undefined);
  if (!anonymous && placeholders.some((p) => p === undefined)) return undefined;
  const parameters = placeholders.map((p, k) => (anonymous ? k + 1 : p!));
  const distinct = new Set(parameters);
  if (distinct.size !== parameterCount || parameters.some((p) => p < 1 || p > parameterCount))
    return undefined;
  return { head: sql.slice(0, values!.start), parameters };
}
