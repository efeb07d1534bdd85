import { quoteIdent, quoteLiteral } from '../../../src/influx';
import * as ql from '../../../src/influx/influxql';

test.each<[string, string]>([
  ['cpu', '"cpu"'],
  ['with space', '"with space"'],
  ['a"b', '"a\\"b"'],
  ['a\\b', '"a\\\\b"'],
  ['a\nb', '"a\\nb"'],
  ["it's", `"it's"`],
  ['x"; DROP DATABASE "y', '"x\\"; DROP DATABASE \\"y"'],
])('quoteIdent(%j) = %s', (name, quoted) => {
  expect(quoteIdent(name)).toBe(quoted);
});

test.each<[string, string]>([
  ['pw', "'pw'"],
  ["it's", "'it\\'s'"],
  ['a\\b', "'a\\\\b'"],
  ['a\nb', "'a\\nb'"],
  ['"', `'"'`],
])('quoteLiteral(%j) = %s', (value, quoted) => {
  expect(quoteLiteral(value)).toBe(quoted);
});

test('CR and NUL cannot be written in InfluxQL: refused', () => {
  expect(() => quoteIdent('a\rb')).toThrow(/carriage return or NUL/);
  expect(() => quoteLiteral('a\0b', 'password')).toThrow(/^password "a\\u0000b" contains/);
  expect(() => quoteIdent('\ud800')).toThrow(/well-formed/);
});

test.each(['1h', '90m', '7d', '4w', '1h30m', '500ms', '10s', '1u', '1µ', '3ns', 'INF', 'inf'])(
  'duration %s accepted',
  (d) => {
    expect(ql.duration(d)).toBe(d);
  },
);
test.each(['', '1', 'h', '1 day', '1x', '1h;DROP', '-1h', "1h' OR"])('duration %j refused', (d) => {
  expect(() => ql.duration(d)).toThrow(/invalid duration/);
});
test('shard durations cannot be INF', () => {
  expect(() => ql.duration('INF', 'shard duration')).toThrow(/invalid shard duration/);
});

test('replication and privileges are checked words', () => {
  expect(ql.replication(3)).toBe('3');
  expect(() => ql.replication(0)).toThrow();
  expect(() => ql.replication('1; DROP')).toThrow();
  expect(['read', 'WRITE', 'All', 'all privileges'].map(ql.privilege)).toEqual([
    'READ',
    'WRITE',
    'ALL',
    'ALL PRIVILEGES',
  ]);
  expect(() => ql.privilege('admin')).toThrow(/invalid privilege/);
});

test('retention policy statements', () => {
  expect(
    ql.createRetentionPolicy('a"b', 'my db', {
      duration: '1d',
      replication: 1,
      shardDuration: '1h',
      default: true,
    }),
  ).toBe('CREATE RETENTION POLICY "a\\"b" ON "my db" DURATION 1d REPLICATION 1 SHARD DURATION 1h DEFAULT');
  // influxdb-python's "0s" shard duration means "let the server choose": left out.
  expect(ql.createRetentionPolicy('p', 'd', { duration: 'INF', replication: 1, shardDuration: '0s' })).toBe(
    'CREATE RETENTION POLICY "p" ON "d" DURATION INF REPLICATION 1',
  );
  expect(
    ql.alterRetentionPolicy('p', 'd', { duration: '2d', replication: 2, shardDuration: '2h', default: true }),
  ).toBe('ALTER RETENTION POLICY "p" ON "d" DURATION 2d REPLICATION 2 SHARD DURATION 2h DEFAULT');
  expect(() => ql.alterRetentionPolicy('p', 'd', {})).toThrow(/at least one/);
});

test('tag conditions quote keys and values (influxdb-python did not)', () => {
  expect(ql.tagConditions({ host: "o'neil", 'k"y': 'v' })).toBe(`"host" = 'o\\'neil' AND "k\\"y" = 'v'`);
});

test.each<[string, boolean]>([
  ['SELECT * FROM cpu', true],
  ['  show databases', true],
  ['SELECT a FROM b; SHOW MEASUREMENTS', true],
  ['EXPLAIN SELECT * FROM cpu', true],
  ['EXPLAIN ANALYZE SELECT * FROM cpu', false],
  ['SELECT * INTO b FROM a', false],
  ['select mean(v) into "x" from y group by time(1m)', false],
  ['SELECT * FROM "into"', true],
  ["SELECT * FROM cpu WHERE t = 'into'", true],
  ['SELECT * FROM /into/', true],
  ['SELECT * FROM cpu -- into\n', true],
  ['SELECT * FROM cpu /* into */', true],
  ['SELECT 1; DROP DATABASE x', false],
  ['CREATE DATABASE x', false],
  ['SELECT * FROM "unterminated', false],
  ['', false],
])('isReadOnly(%j) = %s', (q, expected) => {
  expect(ql.isReadOnly(q)).toBe(expected);
});

test('continuous query bodies: one SELECT … INTO, no ";"', () => {
  expect(ql.cqSelect(' SELECT mean(v) INTO x FROM y GROUP BY time(1m) ')).toBe(
    'SELECT mean(v) INTO x FROM y GROUP BY time(1m)',
  );
  expect(ql.cqSelect("SELECT mean(v) INTO x FROM y WHERE t = ';' GROUP BY time(1m)")).toContain("';'");
  for (const bad of [
    'SELECT mean(v) INTO x FROM y GROUP BY time(1m);',
    'SELECT 1 INTO x; DROP DATABASE d',
    'SELECT v FROM y',
    'DROP DATABASE d',
  ]) {
    expect(() => ql.cqSelect(bad)).toThrow(/continuous query body/);
  }
  expect(ql.resample('every 10s for 2m')).toBe('EVERY 10s FOR 2m');
  expect(ql.resample('FOR 1h')).toBe('FOR 1h');
  expect(() => ql.resample('EVERY 1s; DROP')).toThrow(/resample/);
  expect(() => ql.resample('')).toThrow(/resample/);
});
