/** Which statements a multi-row prepared update may run set-based: only the plain INSERT ... VALUES. */
import { insertPlanOf } from '../../../src/server/insertValues';

const INSERT = 2;

test.each([
  ['INSERT INTO t VALUES (?, ?)', 2, 'INSERT INTO t ', [1, 2]],
  [
    'insert into main."my ""t""" (a, "b") values ($2, $1);',
    2,
    'insert into main."my ""t""" (a, "b") ',
    [2, 1],
  ],
  ['INSERT INTO c.s.t(a)VALUES(?1)', 1, 'INSERT INTO c.s.t(a)', [1]],
  ['INSERT INTO t VALUES ($1, $1)', 1, 'INSERT INTO t ', [1, 1]],
])('%s runs set-based', (sql, count, head, parameters) => {
  expect(insertPlanOf(sql, INSERT, count)).toEqual({ head, parameters });
});

test.each([
  'INSERT INTO t VALUES (?, ?), (?, ?)',
  'INSERT INTO t VALUES (? + 1, ?)',
  'INSERT INTO t VALUES (?, DEFAULT)',
  "INSERT INTO t VALUES (?, 'x')",
  'INSERT OR REPLACE INTO t VALUES (?, ?)',
  'INSERT INTO t BY NAME VALUES (?, ?)',
  'INSERT INTO t VALUES (?, ?) ON CONFLICT DO NOTHING',
  'INSERT INTO t VALUES (?, ?) RETURNING *',
  'INSERT INTO t VALUES (?, ?) -- comment',
  'INSERT INTO t /* c */ VALUES (?, ?)',
  'INSERT INTO t VALUES ($a, $b)',
  'INSERT INTO t VALUES (?, $2)',
  'INSERT INTO t SELECT ?, ?',
  'INSERT INTO t VALUES (?, ?); DELETE FROM t',
  'INSERT INTO a.b.c.d VALUES (?, ?)',
  'INSERT INTO t () VALUES (?, ?)',
])('%s runs row by row', (sql) => {
  expect(insertPlanOf(sql, INSERT, 2)).toBeUndefined();
});

test('only what DuckDB prepared as an INSERT with exactly those parameters', () => {
  expect(insertPlanOf('INSERT INTO t VALUES (?, ?)', 1, 2)).toBeUndefined();
  expect(insertPlanOf('INSERT INTO t VALUES (?, ?)', INSERT, 3)).toBeUndefined();
  expect(insertPlanOf('INSERT INTO t VALUES ($1, $3)', INSERT, 2)).toBeUndefined();
});
