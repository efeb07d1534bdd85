/** Queries against a real influxd: ResultSet, bind parameters, epochs, chunked streaming, statement errors. */
import { ChunkedResult, InfluxDBClientError, InterfaceError, Point, ResultSet } from '../../../src/influx';
import { uniqueName, useInfluxd } from '../influxd';

const fx = useInfluxd();
let db: string;

beforeAll(async () => {
  db = uniqueName('q');
  await fx.client.createDatabase(db);
  fx.client.switchDatabase(db);
  const points: Point[] = [];
  for (let i = 0; i < 30; i++) {
    points.push(
      new Point('cpu')
        .tag('host', `h${i % 3}`)
        .tag('region', i % 2 ? 'eu' : 'us')
        .field('load', i / 4)
        .intField('n', BigInt(i))
        .timestamp(1_600_000_000_000_000_000n + BigInt(i) * 1_000_000_000n),
    );
  }
  points.push(new Point('big').intField('max', 9223372036854775807n).field('f', 1e20).timestamp(1n));
  await fx.client.writePoints(points);
});

test('getPoints, keys, items and iteration over a GROUP BY result', async () => {
  const rs = await fx.client.query('SELECT count(load) FROM cpu GROUP BY host');
  expect(rs).toBeInstanceOf(ResultSet);
  expect(rs.keys()).toEqual([
    ['cpu', { host: 'h0' }],
    ['cpu', { host: 'h1' }],
    ['cpu', { host: 'h2' }],
  ]);
  expect(rs.length).toBe(3);
  expect(rs.getPoints('cpu', { host: 'h1' })).toEqual([{ time: '1970-01-01T00:00:00Z', count: 10 }]);
  expect(rs.getPoints('other')).toEqual([]);
  expect(rs.items().map(([key, points]) => [key[1]!['host'], points.length])).toEqual([
    ['h0', 1],
    ['h1', 1],
    ['h2', 1],
  ]);
  expect([...rs].map((points) => points[0]!['count'])).toEqual([10, 10, 10]);
  expect(String(rs)).toMatch(
    /^ResultSet\(\{\('cpu', \{"host":"h0"\}\): \[\{"time":"1970-01-01T00:00:00Z","count":10\}\]/,
  );
  expect(rs.raw.statement_id).toBe(0);
  expect(rs.error).toBeUndefined();
});

test('getPoints filters on tag columns too when the query has no GROUP BY (as influxdb-python)', async () => {
  const rs = await fx.client.query("SELECT load, host FROM cpu WHERE region = 'eu'");
  // host h2 in region eu: i = 5, 11, 17, 23, 29 (odd, and 2 modulo 3), load = i / 4.
  expect(rs.getPoints(undefined, { host: 'h2' }).map((p) => p['load'])).toEqual([
    1.25, 2.75, 4.25, 5.75, 7.25,
  ]);
});

test('bind parameters are values, never InfluxQL', async () => {
  const rs = await fx.client.query('SELECT count(load) FROM cpu WHERE host = $host AND n >= $min', {
    params: { host: 'h0', min: 9n },
  });
  expect(rs.getPoints()[0]!['count']).toBe(7);
  const injected = await fx.client.query('SELECT count(load) FROM cpu WHERE host = $host', {
    params: { host: "h0' OR host =~ /.*/ --" },
  });
  expect(injected.getPoints()).toEqual([]);
  const when = await fx.client.query('SELECT count(load) FROM cpu WHERE time >= $t', {
    params: { t: new Date('2020-09-13T12:26:50Z') },
  });
  expect(when.getPoints()[0]!['count']).toBe(20);
});

test("a missing bind parameter is the server's 400", async () => {
  await expect(fx.client.query('SELECT * FROM cpu WHERE host = $nope')).rejects.toMatchObject({
    code: 'ERR_HTTP_400',
    httpStatus: 400,
    serverMessage: expect.stringMatching(/missing parameter: nope/),
  });
});

test('epochs: numbers in the unit, bigint nanoseconds; integers beyond 2^53 exact', async () => {
  const ns = await fx.client.query('SELECT max, f FROM big', { epoch: 'ns' });
  expect(ns.getPoints()).toEqual([{ time: 1n, max: 9223372036854775807n, f: 100000000000000000000n }]);
  const s = await fx.client.query('SELECT load FROM cpu LIMIT 1', { epoch: 's' });
  expect(s.getPoints()).toEqual([{ time: 1_600_000_000, load: 0 }]);
  const us = await fx.client.query('SELECT load FROM cpu LIMIT 1', { epoch: 'us' });
  expect(us.getPoints()[0]!['time']).toBe(1_600_000_000_000_000);
  await expect(fx.client.query('SELECT 1', { epoch: 'sec' as never })).rejects.toThrow(InterfaceError);
});

test('several statements: the first ResultSet, all of them in statements', async () => {
  const rs = await fx.client.query('SELECT count(load) FROM cpu; SHOW MEASUREMENTS');
  expect(rs.statements).toHaveLength(2);
  expect(rs.statements[0]).toBe(rs);
  expect(rs.statements[1]!.getPoints()).toEqual([{ name: 'big' }, { name: 'cpu' }]);
});

test('a statement error in a 200 answer is raised, or kept with raiseErrors: false', async () => {
  const error = await fx.client.query('SELECT * FROM cpu', { database: 'nodb' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InfluxDBClientError);
  expect(error).toMatchObject({
    message: 'query failed: database not found: nodb',
    code: 'ERR_INFLUXDB_STATEMENT',
    statementId: 0,
    httpStatus: 200,
  });
  const kept = await fx.client.query('SELECT * FROM cpu', { database: 'nodb', raiseErrors: false });
  expect(kept.error).toBe('database not found: nodb');
  expect(kept.getPoints()).toEqual([]);
});

test("a parse error is the server's 400", async () => {
  const error = await fx.client.query('SELEKT 1').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InfluxDBClientError);
  expect(error).toMatchObject({
    code: 'ERR_HTTP_400',
    httpStatus: 400,
    serverMessage: expect.stringMatching(/^error parsing query/),
  });
});

test('reads go by GET, writes by POST (no deprecation warning), and the method can be forced', async () => {
  const name = uniqueName('viaget');
  const get = await fx.client.query(`CREATE DATABASE ${name}`, { method: 'GET' });
  expect(get.messages[0]?.text).toMatch(/deprecated use of 'CREATE DATABASE/);
  const post = await fx.client.query(`DROP DATABASE ${name}`);
  expect(post.messages).toEqual([]);
  await expect(fx.client.query('SHOW DATABASES', { method: 'PUT' as never })).rejects.toThrow(InterfaceError);
});

test('chunked: ResultSets stream in as the server sends them, partial series flagged', async () => {
  const result = await fx.client.query('SELECT load FROM cpu; SELECT n FROM cpu LIMIT 2', {
    chunked: true,
    chunkSize: 7,
  });
  expect(result).toBeInstanceOf(ChunkedResult);
  const chunks: ResultSet[] = [];
  for await (const rs of result) chunks.push(rs);
  expect(chunks.map((c) => [c.statementId, c.getPoints().length, c.partial])).toEqual([
    [0, 7, true],
    [0, 7, true],
    [0, 7, true],
    [0, 7, true],
    [0, 2, false],
    [1, 2, false],
  ]);
  await expect(async () => {
    for await (const _ of result) void _;
  }).rejects.toThrow(/only once/);
});

test('chunked: breaking out early releases the connection; the client goes on working', async () => {
  const result = await fx.client.query('SELECT load FROM cpu', { chunked: true, chunkSize: 1 });
  for await (const rs of result) {
    expect(rs.getPoints()).toHaveLength(1);
    break;
  }
  expect((await fx.client.query('SELECT count(load) FROM cpu')).getPoints()[0]!['count']).toBe(30);
});

test('chunked: statement errors are raised while iterating, or kept', async () => {
  const result = await fx.client.query('SELECT * FROM cpu', { chunked: true, database: 'nodb' });
  await expect(async () => {
    for await (const _ of result) void _;
  }).rejects.toThrow(/database not found: nodb/);
  const kept = await fx.client.query('SELECT * FROM cpu', {
    chunked: true,
    database: 'nodb',
    raiseErrors: false,
  });
  const all: ResultSet[] = [];
  for await (const rs of kept) all.push(rs);
  expect(all.map((rs) => rs.error)).toEqual(['database not found: nodb']);
});

test('an empty query is refused before sending', async () => {
  await expect(fx.client.query('  ')).rejects.toThrow(InterfaceError);
});
