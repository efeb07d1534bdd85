import { statementKind } from '../../../src/dbapi';

describe('statementKind: queries go through CommandStatementQuery, the rest through CommandStatementUpdate', () => {
  test.each([
    'SELECT 1',
    '  select * from t',
    '-- leading comment\nSELECT 1',
    '/* block /* nested */ still comment */ SELECT 1',
    '(SELECT 1) UNION (SELECT 2)',
    'VALUES (1), (2)',
    'SHOW TABLES',
    'DESCRIBE t',
    'EXPLAIN INSERT INTO t VALUES (1)',
    "PRAGMA table_info('t')",
    'FROM t',
    'TABLE t',
    'WITH x AS (SELECT 1) SELECT * FROM x',
    'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n FROM r',
    "WITH x AS (SELECT 'INSERT' AS w) SELECT * FROM x",
    'INSERT INTO t VALUES (1) RETURNING id',
    'UPDATE t SET a = 1 RETURNING *',
    'DELETE FROM t WHERE a = 1 RETURNING a',
    'WITH gone AS (SELECT 1) DELETE FROM t RETURNING *',
  ])('query: %s', (sql) => {
    expect(statementKind(sql)).toBe('query');
  });

  test.each([
    'INSERT INTO t VALUES (1)',
    "INSERT INTO t VALUES ('RETURNING')",
    'INSERT INTO t SELECT * FROM u',
    'UPDATE t SET a = (SELECT 1)',
    'DELETE FROM t',
    'CREATE TABLE t (a INT)',
    'CREATE TABLE t AS SELECT 1',
    'CREATE OR REPLACE VIEW v AS SELECT 1',
    'DROP TABLE t',
    'ALTER TABLE t ADD COLUMN b INT',
    'MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN DELETE',
    'WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x',
    'INSERT INTO t VALUES ($$ RETURNING $$)',
    'INSERT INTO "RETURNING" VALUES (1)',
    "SET memory_limit = '1GB'",
    'BEGIN',
    "COPY t TO 'x.csv'",
    '',
  ])('update: %s', (sql) => {
    expect(statementKind(sql)).toBe('update');
  });
});
