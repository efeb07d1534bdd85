/**
 * InfluxDBClient3 writes against the embedded server: text split by the shared scanner (a line
 * feed in a string value stays in its point), batch settings meaning batching (as
 * influxdb3-python's WriteOptions), and inputs of any size or shape (arrays of a million
 * points, iterables, async iterables) in one call.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { tableFromArrays } from 'apache-arrow';
import {
  InfluxDBClient3,
  Point,
  ProgrammingError,
  type WriteBatch,
  type WriteOptions3,
} from '../../../src/influx';

import { startServer, type RunningServer } from '../../../src/server';

let server: RunningServer;
let reader: InfluxDBClient3;
const T0 = 1_767_225_600_000_000_000n;

beforeAll(async () => {
  server = await startServer({ port: 0, httpPort: 0 });
  // Database `w` exists before the first write, so that a test reading nothing reads no rows.
  const setup = await server.engine.connect();
  await setup.run('CREATE SCHEMA w');
  setup.closeSync();
  reader = new InfluxDBClient3({
    host: server.httpUrl!,
    database: 'w',
    flightOptions: { host: server.location },
  });
});
afterAll(async () => {
  await reader.close();
  await server.close();
});

const clients: InfluxDBClient3[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  jest.restoreAllMocks();
});

function connect(writeOptions: WriteOptions3, database = 'w'): InfluxDBClient3 {
  const client = new InfluxDBClient3({ host: server.httpUrl!, database, writeOptions });
  clients.push(client);
  return client;
}

async function rows(sql: string) {
  return (await reader.query(sql)).toArray().map((r) => r.toJSON() as Record<string, unknown>);
}

const counters: ((message: unknown) => void)[] = [];
afterEach(() => {
  for (const onRequest of counters.splice(0)) unsubscribe('http.server.request.start', onRequest);
});

/** Counts the HTTP writes the embedded server receives from now until the end of the test. */
function countRequests(): { readonly count: number } {
  let count = 0;
  const onRequest = (message: unknown) => {
    const { request } = message as { request: { url?: string } };
    if (request.url?.startsWith('/api/v3/write_lp')) count++;
  };
  subscribe('http.server.request.start', onRequest);
  counters.push(onRequest);
  return {
    get count() {
      return count;
    },
  };
}

describe('a line feed inside a string value', () => {
  const text = 'nl,k=a s="x\ny" 1767225600000000000';

  test.each<[string, WriteOptions3]>([
    ['batched, batchSize 1', { batchSize: 1 }],
    ['at once, batchSize 1', { batching: false, batchSize: 1 }],
  ])('%s: write(text) sends one point in one request', async (name, options) => {
    const errors: unknown[] = [];
    const requests = countRequests();
    const database = `nl${name.startsWith('batched') ? 'b' : 'o'}`;
    const client = connect(
      options.batching === false ? options : { ...options, error: (_b, e) => errors.push(e) },
      database,
    );
    await client.write(text);
    await client.flush();
    expect(errors).toEqual([]);
    expect(requests.count).toBe(1);
    // The same as the Point with that value.
    await client.write(new Point('nl').tag('k', 'b').stringField('s', 'x\ny').timestamp(T0));
    await client.flush();
    expect(await rows(`SELECT k, s FROM ${database}.nl ORDER BY k`)).toEqual([
      { k: 'a', s: 'x\ny' },
      { k: 'b', s: 'x\ny' },
    ]);
  });

  test('text of many lines, with comments, blank lines and CRLF, is batched by its lines', async () => {
    const batches: number[] = [];
    const client = connect({ batchSize: 2, success: (b) => batches.push(b.lines.length) }, 'nlm');
    await client.write('# header "\r\n\r\nm s="1\n2" 1\r\nm s="3" 2\n\nm s="4\r\n5" 3\r\n');
    await client.flush();
    expect(batches).toEqual([2, 1]);
    expect(await rows('SELECT s FROM nlm.m ORDER BY time')).toEqual([
      { s: '1\n2' },
      { s: '3' },
      { s: '4\r\n5' },
    ]);
  });
});

describe('batch settings mean batching (influxdb3-python WriteOptions)', () => {
  test('batchSize and flushInterval without `batching`: 5000 writes become 3 requests', async () => {
    const requests = countRequests();
    const client = connect({ batchSize: 2000, flushInterval: 100 }, 'bs');
    for (let i = 0; i < 5000; i++) await client.write(`m i=${i}i ${i + 1}`);
    await client.flush();
    expect(requests.count).toBe(3);
    expect(await rows('SELECT count(*) AS n FROM bs.m')).toEqual([{ n: 5000n }]);
  });

  test.each<[string, WriteOptions3]>([
    ['retry settings', { maxRetries: 2 }],
    ['a callback', { error: () => undefined }],
    ['jitterInterval', { jitterInterval: 1 }],
  ])('%s alone turn batching on', async (_name, options) => {
    const requests = countRequests();
    const client = connect({ ...options, flushInterval: undefined }, 'bs2');
    for (let i = 0; i < 10; i++) await client.write(`m i=${i}i ${i + 1}`);
    expect(requests.count).toBe(0); // buffered
    await client.flush();
    expect(requests.count).toBe(1);
  });

  test('no batch settings, or `batching: false`: each write() is sent at once (batchSize lines per request)', async () => {
    const requests = countRequests();
    await connect({}, 'bs3').write('m v=1 1');
    expect(requests.count).toBe(1);
    await connect({ batching: false, batchSize: 2, maxRetries: 1 }, 'bs3').write([
      'm v=2 2',
      'm v=3 3',
      'm v=4 4',
    ]);
    expect(requests.count).toBe(3);
  });

  test.each<[WriteOptions3, RegExp]>([
    [
      { batching: false, flushInterval: 100 },
      /batching is false, but flushInterval only applies to batching/,
    ],
    [{ batching: false, error: () => undefined, maxBufferLines: 10 }, /maxBufferLines, error only apply/],
    [{ batching: false, batchSize: 0 }, /batchSize must be positive/],
    [{ batchSize: 1.5 }, /batchSize must be an integer/],
    [{ flushInterval: -1 }, /flushInterval must be a number >= 0/],
    [{ batching: 'yes' as never }, /batching must be true or false/],
  ])('%j is a ProgrammingError at construction', (writeOptions, message) => {
    const make = () => new InfluxDBClient3({ host: server.httpUrl!, database: 'x', writeOptions });
    expect(make).toThrow(ProgrammingError);
    expect(make).toThrow(message);
  });
});

describe('inputs of any size and shape, in one call', () => {
  test('1,000,000 Points in one write() (at once): all stored', async () => {
    const points = new Array<Point>(1_000_000);
    for (let i = 0; i < points.length; i++) {
      points[i] = new Point('big')
        .tag('h', `h${i % 10}`)
        .intField('i', i)
        .timestamp(BigInt(i) + 1n);
    }
    // About 5 s on an idle two-core machine (serialising, 200 requests, DuckDB's inserts); the
    // timeout leaves room for a busy one.
    await connect({}, 'size').write(points);
    expect(await rows('SELECT count(*) AS n, count(DISTINCT i) AS d FROM size.big')).toEqual([
      { n: 1_000_000n, d: 1_000_000n },
    ]);
  }, 60_000);

  test('200,000 Points batched (the spread that overflowed the stack), a generator, an async generator, a Table', async () => {
    const failed: WriteBatch[] = [];
    const client = connect({ batchSize: 5000, error: (b) => failed.push(b) }, 'shape');
    const points = Array.from({ length: 200_000 }, (_, i) =>
      new Point('arr').intField('i', i).timestamp(BigInt(i) + 1n),
    );
    await client.write(points);
    function* generated() {
      for (let i = 0; i < 100_000; i++) yield `gen i=${i}i ${i + 1}`;
    }
    await client.write(generated());
    async function* streamed() {
      for (let i = 0; i < 100_000; i++)
        yield { measurement: 'agen', fields: { i: BigInt(i) }, time: BigInt(i) + 1n };
    }
    await client.write(streamed());
    const n = 100_000;
    const table = tableFromArrays({
      i: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)),
      time: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) + 1n),
    });
    await client.write([table, new Point('arr').intField('i', -1).timestamp(0n)], {
      measurement: 'tab',
      timestampColumn: 'time',
    });
    await client.flush();
    expect(failed).toEqual([]);
    expect(
      await rows(
        `SELECT (SELECT count(*) FROM shape.arr) AS arr, (SELECT count(*) FROM shape.gen) AS gen,
                (SELECT count(*) FROM shape.agen) AS agen, (SELECT count(*) FROM shape.tab) AS tab`,
      ),
    ).toEqual([{ arr: 200_001n, gen: 100_000n, agen: 100_000n, tab: 100_000n }]);
  }, 60_000);

  test('an async iterable is checked a batch at a time; a bad record names its position', async () => {
    async function* bad() {
      yield new Point('ok').field('v', 1).timestamp(1n);
      yield { measurement: 'bad', fields: { v: NaN } };
    }
    await expect(connect({}, 'bad').write(bad())).rejects.toThrow(/^point #1 \("bad"\): field "v" is NaN/);
  });
});
