/** Splitting SQL scripts into statements at the semicolons that end them. */
import fc from 'fast-check';
import { hasCode, scriptStatements, splitStatements } from '../../../src/cli/statements';

test('semicolons inside strings, quoted names, comments and dollar quotes do not split', () => {
  const sql = `SELECT 'a;b', "c;d", \`e;f\` FROM t; -- one; two
/* x; /* nested; */ y; */ SELECT $$p;q$$, $tag$r;s$tag$;
SELECT 'it''s; fine'`;
  expect(splitStatements(sql)).toEqual({
    statements: [
      'SELECT \'a;b\', "c;d", `e;f` FROM t',
      '-- one; two\n/* x; /* nested; */ y; */ SELECT $$p;q$$, $tag$r;s$tag$',
    ],
    rest: "SELECT 'it''s; fine'",
  });
});

test('empty statements and comment-only text are left out', () => {
  expect(splitStatements(';; -- nothing\n;')).toEqual({ statements: [], rest: '' });
  expect(splitStatements('SELECT 1; -- trailing')).toEqual({ statements: ['SELECT 1'], rest: '' });
  expect(scriptStatements('SELECT 1;\nSELECT 2')).toEqual(['SELECT 1', 'SELECT 2']);
  expect(hasCode('/* a */ -- b\n')).toBe(false);
  expect(hasCode("'--'")).toBe(true);
});

test('an unfinished string keeps the rest as one unfinished statement', () => {
  expect(splitStatements("SELECT 'open; still")).toEqual({ statements: [], rest: "SELECT 'open; still" });
});

test('property: statements joined with ";" split back into themselves', () => {
  const piece = fc.oneof(
    fc.constantFrom('SELECT 1', 'x', '--c\n', '/*;*/', "'a;b'", '"q;"', '$$;$$'),
    fc.stringMatching(/^[a-z ]{1,8}$/),
  );
  const statement = fc
    .array(piece, { minLength: 1, maxLength: 5 })
    .map((parts) => `${parts.join(' ')} z`.trim());
  fc.assert(
    fc.property(fc.array(statement, { minLength: 1, maxLength: 6 }), (statements) => {
      expect(scriptStatements(statements.join(';\n'))).toEqual(statements);
    }),
  );
});
