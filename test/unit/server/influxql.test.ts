/**
 * The InfluxQL parser and translator without a server: what parses to what, what is refused
 * (INVALID_ARGUMENT naming the construct), and the translated SQL run in an in-memory DuckDB
 * over a fixed catalog (the comparison with InfluxDB 1.x is test/integration/influxql/).
 */
import { status as Status } from '@grpc/grpc-js';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseInfluxQL, translateInfluxQL } from '../../../src/server/influxql';
import type { CatalogSource, Database, Measurement } from '../../../src/server/influxql/catalog';
import { parseTime } from '../../../src/server/influxql/sql';
import { StatusError } from '../../../src/server/statusErrors';

const cpu: Measurement = {
  name: 'cpu',
  tags: ['host'],
  fields: new Map([
    ['n', 'integer'],
    ['v', 'float'],
  ]),
};
const db: Database = { schema: 'db', measurements: new Map([['cpu', cpu]]) };
const catalog: CatalogSource = {
  databases: () => Promise.resolve(['db']),
  database: (name) => Promise.resolve(name === 'db' ? db : undefined),
};
const NOW = 3_600_000_000_000n;

function refusal(q: string): string {
  try {
    parseInfluxQL(q);
  } catch (err) {
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).code).toBe(Status.INVALID_ARGUMENT);
    return (err as Error).message;
  }
  return 'parsed';
}

describe('parser', () => {
  test('a SELECT with every clause of the subset', () => {
    const s = parseInfluxQL(
      `SELECT mean("v") AS m, max(n) FROM "db"."autogen"."cpu", /^mem/ WHERE host =~ /a\\/b/ AND time > now() - 1h30m ` +
        `GROUP BY time(10m, -2m), host fill(linear) ORDER BY time DESC LIMIT 5 OFFSET 1 SLIMIT 2 SOFFSET 3;`,
    );
    expect(s).toMatchObject({
      kind: 'select',
      from: [{ database: 'db', name: 'cpu' }, { regex: '^mem' }],
      groupByTime: { interval: 600_000_000_000n, offset: -120_000_000_000n },
      groupByTags: ['host'],
      fill: { kind: 'linear' },
      descending: true,
      limit: 5,
      offset: 1,
      slimit: 2,
      soffset: 3,
    });
    expect(s.kind === 'select' && s.fields.map((f) => f.alias)).toEqual(['m', undefined]);
    expect(JSON.stringify(s, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).toContain(
      '"pattern":"a/b"',
    );
  });

  test('SHOW statements', () => {
    expect(
      parseInfluxQL('SHOW TAG VALUES FROM cpu WITH KEY IN ("host", region) WHERE host != \'x\' LIMIT 2'),
    ).toMatchObject({
      kind: 'showTagValues',
      key: { op: 'in', keys: ['host', 'region'] },
      limit: 2,
    });
    expect(parseInfluxQL('show measurements with measurement =~ /c.*/')).toMatchObject({
      with: { regex: 'c.*' },
    });
    expect(parseInfluxQL('SHOW FIELD KEYS FROM cpu')).toMatchObject({
      kind: 'showFieldKeys',
      from: [{ name: 'cpu' }],
    });
  });

  test('constructs outside the subset are named', () => {
    expect(refusal('SELECT v INTO x FROM cpu')).toMatch(/SELECT \.\.\. INTO/);
    expect(refusal("SELECT v FROM cpu tz('UTC')")).toMatch(/tz\(\)/);
    expect(refusal('SELECT v FROM (SELECT v FROM cpu)')).toMatch(/subquery/);
    expect(refusal('SELECT count(DISTINCT v) FROM cpu')).toMatch(/DISTINCT/);
    expect(refusal('SHOW SERIES')).toMatch(/SHOW SERIES/);
    expect(refusal('SHOW RETENTION POLICIES')).toMatch(/SHOW RETENTION/);
    expect(refusal('DELETE FROM cpu')).toMatch(/DELETE statement/);
    expect(refusal('SELECT v FROM cpu ORDER BY host')).toMatch(/ORDER BY host/);
    expect(refusal('SELECT v FROM cpu; SELECT n FROM cpu')).toMatch(/one statement per query/);
    expect(refusal("SELECT v FROM cpu WHERE host = 'a")).toMatch(/unterminated string/);
  });

  test('time literals', () => {
    expect(parseTime('1970-01-01T00:00:01.5Z')).toBe(1_500_000_000n);
    expect(parseTime('2024-01-01')).toBe(1_704_067_200_000_000_000n);
    expect(parseTime('1970-01-01T01:00:00+01:00')).toBe(0n);
  });
});

describe('translator', () => {
  const translate = (q: string, database = 'db') => translateInfluxQL(q, catalog, database, NOW);

  test('functions and queries outside the subset, and databases, are refused by name', async () => {
    await expect(translate('SELECT derivative(v) FROM cpu')).rejects.toThrow(/derivative\(\)/);
    await expect(translate('SELECT max(v), host FROM cpu')).rejects.toThrow(/mixing aggregate/);
    await expect(translate('SELECT v FROM cpu GROUP BY time(1m)')).rejects.toThrow(/aggregate function/);
    await expect(translate('SELECT v FROM cpu WHERE time > 0 OR v > 1')).rejects.toThrow(
      /time condition inside OR/,
    );
    await expect(translate('SELECT v FROM cpu')).resolves.toContain('"db"."cpu"');
    await expect(translateInfluxQL('SELECT v FROM cpu', catalog, undefined, NOW)).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
    });
    await expect(translate('SELECT v FROM cpu', 'other')).rejects.toMatchObject({ code: Status.NOT_FOUND });
    await expect(translateInfluxQL('SHOW DATABASES', catalog, undefined, NOW)).resolves.toContain(
      'iox::database',
    );
  });

  test('names and values reach SQL quoted', async () => {
    const sql = await translate(`SELECT "v" FROM cpu WHERE host = 'it\\'s' AND "host" =~ /'/`);
    expect(sql).toContain(`coalesce("host", '') = 'it''s'`);
    expect(sql).toContain(`regexp_matches(coalesce("host", ''), '''')`);
  });

  test('fill(previous | linear | value) and count over a grid of buckets, in DuckDB', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    try {
      await c.run('CREATE SCHEMA db');
      await c.run('CREATE TABLE db.cpu ("time" TIMESTAMP_NS, host VARCHAR, n BIGINT, v DOUBLE)');
      // Minutes 0 and 3 have values; 1, 2 and 4 are gaps.
      await c.run(
        `INSERT INTO db.cpu VALUES (make_timestamp_ns(0), 'a', 1, 1.0), (make_timestamp_ns(180000000000), 'a', 4, 4.0)`,
      );
      const run = async (q: string) =>
        (await c.runAndReadAll(await translate(q))).getRowObjectsJS().map((r) => {
          const { time, ...rest } = r;
          void time;
          return rest;
        });
      const where = 'WHERE time >= 0 AND time < 5m GROUP BY time(1m)';
      expect((await run(`SELECT sum(n) FROM cpu ${where} fill(linear)`)).map((r) => r['sum'])).toEqual([
        1n,
        2n,
        3n,
        4n,
        null,
      ]);
      expect((await run(`SELECT mean(v) FROM cpu ${where} fill(previous)`)).map((r) => r['mean'])).toEqual([
        1, 1, 1, 4, 4,
      ]);
      expect((await run(`SELECT mean(v) FROM cpu ${where} fill(9.5)`)).map((r) => r['mean'])).toEqual([
        1, 9.5, 9.5, 4, 9.5,
      ]);
      expect((await run(`SELECT count(v) FROM cpu ${where}`)).map((r) => r['count'])).toEqual([
        1n,
        0n,
        0n,
        1n,
        0n,
      ]);
      expect(await run(`SELECT count(v) FROM cpu ${where} fill(none)`)).toHaveLength(2);
      // From the first bucket with data to now(): too many buckets is an error, not a flood.
      await expect(run('SELECT count(v) FROM cpu GROUP BY time(1u)')).rejects.toThrow(
        /more than 1000000 buckets/,
      );
      await expect(run('SELECT count(v) FROM cpu WHERE time >= 0 GROUP BY time(1u)')).rejects.toThrow(
        /buckets per series/,
      );
      expect(await run('SELECT count(v) FROM cpu GROUP BY time(1m)')).toHaveLength(61); // 0m to now() = 60m
      // Bounds past what a timestamp holds are no bound on their side, or leave nothing in range.
      expect(await run('SELECT v FROM cpu WHERE time > now() - 100000000w')).toHaveLength(2);
      expect(await run('SELECT v FROM cpu WHERE time < now() + 100000000w')).toHaveLength(2);
      expect(await run('SELECT v FROM cpu WHERE time > now() + 100000000w')).toHaveLength(0);
    } finally {
      c.closeSync();
      instance.closeSync();
    }
  });
});
