/**
 * InfluxDBClient3 against the embedded server (HTTP writes into DuckDB, queries over Flight with
 * InfluxDB's JSON ticket): every record form round-trips, every endpoint, named parameters,
 * query modes, partial writes reported line by line.
 */
import { tableFromArrays, Table } from 'apache-arrow';
import { InfluxDBClient3, PartialWriteError, Point, InfluxDBClientError } from '../../../src/influx';
import { startServer, type RunningServer } from '../../../src/server';

let server: RunningServer;
let client: InfluxDBClient3;
const T0 = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z in ns

beforeAll(async () => {
  server = await startServer({ httpPort: 0, token: 'tok-client3-secret' });
  client = new InfluxDBClient3({
    host: server.httpUrl!,
    token: 'tok-client3-secret',
    database: 'home',
    flightOptions: { host: server.location },
  });
});
afterAll(async () => {
  await client.close();
  await server.close();
});

async function rowsOf(sql: string, params?: Record<string, string | number | boolean | null>) {
  const table = await client.query(sql, { params });
  return table.toArray().map((r) => r.toJSON() as Record<string, unknown>);
}

test('Points, line protocol, plain objects and an Arrow Table round-trip with their types', async () => {
  await client.write([
    new Point('sensor').tag('room', 'kitchen').floatField('temp', 21.5).intField('co', 3n).timestamp(T0),
    'sensor,room=attic temp=17.25,co=0i 1767225601000000000',
    {
      measurement: 'sensor',
      tags: { room: 'hall' },
      fields: { temp: 19, co: 1n, note: 'ok', on: true },
      time: T0 + 2_000_000_000n,
    },
  ]);
  const arrow = tableFromArrays({
    room: ['den', 'den'],
    temp: Float64Array.from([20.5, 20.75]),
    co: BigInt64Array.from([5n, 6n]),
    time: BigInt64Array.from([T0 + 3_000_000_000n, T0 + 4_000_000_000n]),
  });
  await client.write(arrow, { measurement: 'sensor', tagColumns: ['room'], timestampColumn: 'time' });
  const rows = await rowsOf(
    'SELECT room, temp, co, note, "on", epoch_ns(time) AS t FROM sensor ORDER BY time',
  );
  expect(rows).toEqual([
    { room: 'kitchen', temp: 21.5, co: 3n, note: null, on: null, t: T0 },
    { room: 'attic', temp: 17.25, co: 0n, note: null, on: null, t: T0 + 1_000_000_000n },
    { room: 'hall', temp: 19, co: 1n, note: 'ok', on: true, t: T0 + 2_000_000_000n },
    { room: 'den', temp: 20.5, co: 5n, note: null, on: null, t: T0 + 3_000_000_000n },
    { room: 'den', temp: 20.75, co: 6n, note: null, on: null, t: T0 + 4_000_000_000n },
  ]);
  const types = await client.query('SELECT * FROM sensor', { mode: 'schema' });
  expect(Object.fromEntries(types.fields.map((f) => [f.name, String(f.type)]))).toMatchObject({
    room: 'Utf8',
    temp: 'Float64',
    co: 'Int64',
    note: 'Utf8',
    on: 'Bool',
  });
});

test('named $params are sent as given, 0, false and empty string included', async () => {
  await client.write('flags,k=a n=0i,b=false,s="" 1');
  const rows = await rowsOf('SELECT k FROM flags WHERE n = $n AND b = $b AND s = $s', {
    n: 0,
    b: false,
    s: '',
  });
  expect(rows).toEqual([{ k: 'a' }]);
});

test('query modes: all, reader, rows, schema', async () => {
  const reader = await client.query('SELECT room FROM sensor ORDER BY time', { mode: 'reader' });
  const table = await reader.readAll();
  expect(table).toBeInstanceOf(Table);
  expect(table.numRows).toBe(5);
  const rows: unknown[] = [];
  for await (const row of await client.query('SELECT room FROM sensor ORDER BY time LIMIT 2', {
    mode: 'rows',
  }))
    rows.push(row);
  expect(rows).toEqual([{ room: 'kitchen' }, { room: 'attic' }]);
});

test('the v2 and v1 endpoints and precisions', async () => {
  const v2 = new InfluxDBClient3({
    host: server.httpUrl!,
    token: 'tok-client3-secret',
    authScheme: 'Token',
    database: 'home',
    flightOptions: { host: server.location },
    writeOptions: { endpoint: 'v2', precision: 'ms' },
  });
  const v1 = new InfluxDBClient3({
    host: server.httpUrl!,
    token: 'tok-client3-secret',
    database: 'home',
    flightOptions: { host: server.location },
    writeOptions: { endpoint: 'v1', precision: 's' },
  });
  try {
    await v2.write('ep,via=v2 x=1 1767225600123');
    await v1.write('ep,via=v1 x=2 1767225601');
    expect(await rowsOf('SELECT via, epoch_ns(time) AS t FROM ep ORDER BY via')).toEqual([
      { via: 'v1', t: T0 + 1_000_000_000n },
      { via: 'v2', t: T0 + 123_000_000n },
    ]);
  } finally {
    await v2.close();
    await v1.close();
  }
});

test('a partial write is reported line by line; a wrong token is an InfluxDBClientError without the token', async () => {
  const err = await client
    .write(['partial v=1 1', 'partial v="text" 2', 'partial v=3 3'])
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(PartialWriteError);
  expect((err as PartialWriteError).rejected).toEqual([
    expect.objectContaining({ lineNumber: 2, line: 'partial v="text" 2' }),
  ]);
  expect(await rowsOf('SELECT v FROM partial ORDER BY time')).toEqual([{ v: 1 }, { v: 3 }]);

  const wrong = new InfluxDBClient3({ host: server.httpUrl!, token: 'tok-wrong-123456', database: 'home' });
  const denied = await wrong.write('x v=1').catch((e: unknown) => e);
  await wrong.close();
  expect(denied).toBeInstanceOf(InfluxDBClientError);
  expect((denied as InfluxDBClientError).httpStatus).toBe(401);
  expect(String(denied)).not.toContain('tok-wrong-123456');
});

test('batching: many writes become few requests; close() flushes them all', async () => {
  const batched = new InfluxDBClient3({
    host: server.httpUrl!,
    token: 'tok-client3-secret',
    database: 'batch',
    flightOptions: { host: server.location },
    writeOptions: { batching: true, batchSize: 1000, flushInterval: 50 },
  });
  const successes: number[] = [];
  const withCallback = new InfluxDBClient3({
    host: server.httpUrl!,
    token: 'tok-client3-secret',
    database: 'batch',
    writeOptions: { batching: true, batchSize: 400, success: (b) => successes.push(b.lines.length) },
  });
  for (let i = 0; i < 2500; i++) await batched.write(new Point('b').intField('i', i).timestamp(BigInt(i)));
  for (let i = 0; i < 1000; i++) await withCallback.write(`c i=${i}i ${i}`);
  await batched.close();
  await withCallback.close();
  expect(successes).toEqual([400, 400, 200]);
  expect(await rowsOf('SELECT count(*) AS n, count(DISTINCT i) AS d FROM batch.b')).toEqual([
    { n: 2500n, d: 2500n },
  ]);
  expect(await rowsOf('SELECT count(*) AS n FROM batch.c')).toEqual([{ n: 1000n }]);
});
