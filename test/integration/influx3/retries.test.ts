/**
 * Batching under a failing write endpoint: a fault-injecting HTTP proxy on loopback in front of
 * the embedded server answers 429 (with Retry-After), 503 or drops the connection for a while.
 * Every point must land exactly once; a server that stays down must fail every batch through
 * the error callback; close() must wait for batches in flight.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InfluxDBClient3, type WriteBatch } from '../../../src/influx';
import { startServer, type RunningServer } from '../../../src/server';

let server: RunningServer;
let proxy: Server;
let proxyUrl: string;
/** What the proxy does with the next requests: a queue of faults, then pass-through. */
let faults: ('429' | '503' | 'drop' | 'pass')[] = [];
let down = false;
let seen = 0;

beforeAll(async () => {
  server = await startServer({ httpPort: 0 });
  const target = new URL(server.httpUrl!);
  proxy = createServer((req, res) => {
    seen++;
    const fault = down ? '503' : (faults.shift() ?? 'pass');
    if (fault === '429') {
      req.resume();
      res.writeHead(429, { 'retry-after': '0.05', 'content-type': 'application/json' });
      res.end('{"error":"too many requests"}');
    } else if (fault === '503') {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":"unavailable"}');
    } else if (fault === 'drop') {
      req.socket.destroy();
    } else {
      const upstream = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
  await server.close();
});

async function count(table: string) {
  const reader = new InfluxDBClient3({
    host: server.httpUrl!,
    database: 'faults',
    flightOptions: { host: server.location },
  });
  try {
    const t = await reader.query(
      `SELECT count(*) AS n, count(DISTINCT i) AS d, min(i) AS lo, max(i) AS hi FROM "${table}"`,
    );
    return t.toArray()[0]!.toJSON();
  } finally {
    await reader.close();
  }
}

test('429 (Retry-After), 503 and dropped connections for a while: nothing lost, nothing duplicated', async () => {
  faults = ['429', '503', 'drop', '429', 'pass', '503', 'drop', 'pass', '429'];
  const retried: number[] = [];
  const failed: WriteBatch[] = [];
  const client = new InfluxDBClient3({
    host: proxyUrl,
    database: 'faults',
    writeOptions: {
      batching: true,
      batchSize: 500,
      flushInterval: 20,
      retryInterval: 10,
      maxRetries: 10,
      maxRetryDelay: 200,
      retry: (_b, _e, attempt) => retried.push(attempt),
      error: (b) => failed.push(b),
    },
  });
  const N = 5000;
  for (let i = 0; i < N; i++) await client.write(`flaky i=${i}i ${i + 1}`);
  await client.close();
  expect(failed).toEqual([]);
  expect(retried.length).toBeGreaterThanOrEqual(7);
  // Every point once: the count, the distinct count and the range all match.
  expect(await count('flaky')).toEqual({ n: BigInt(N), d: BigInt(N), lo: 0n, hi: BigInt(N - 1) });
});

test('a server that stays down: retries run out and every batch is reported through the error callback', async () => {
  down = true;
  const failed: WriteBatch[] = [];
  const client = new InfluxDBClient3({
    host: proxyUrl,
    database: 'faults',
    writeOptions: {
      batching: true,
      batchSize: 100,
      retryInterval: 1,
      maxRetries: 2,
      error: (b) => failed.push(b),
    },
  });
  try {
    for (let i = 0; i < 350; i++) await client.write(`down i=${i}i ${i + 1}`);
    await client.close();
  } finally {
    down = false;
  }
  expect(failed.map((b) => b.lines.length)).toEqual([100, 100, 100, 50]);
  expect(failed.every((b) => b.attempts === 3)).toBe(true);
  expect(failed.flatMap((b) => b.lines)).toEqual(
    Array.from({ length: 350 }, (_, i) => `down i=${i}i ${i + 1}`),
  );
});

test('without batching the same retries run, then the caller gets the error', async () => {
  faults = ['503', '429'];
  const client = new InfluxDBClient3({
    host: proxyUrl,
    database: 'faults',
    writeOptions: { batching: false, retryInterval: 5 },
  });
  await client.write('once i=1i 1'); // two failures ridden out
  down = true;
  try {
    const err = await client.write('once i=2i 2').catch((e: unknown) => e);
    expect(String(err)).toMatch(/after 5 retries.*503/);
  } finally {
    down = false;
  }
  await client.close();
  const quick = new InfluxDBClient3({
    host: proxyUrl,
    database: 'faults',
    writeOptions: { batching: false, retryInterval: 1, maxRetries: 2 },
  });
  faults = ['503', '503', '503'];
  await expect(quick.write('once i=3i 3')).rejects.toMatchObject({ httpStatus: 503 });
  await quick.close();
  faults = [];
  expect(await count('once')).toMatchObject({ n: 1n });
});

test('close() waits for in-flight batches', async () => {
  seen = 0;
  faults = ['429', '429'];
  const client = new InfluxDBClient3({
    host: proxyUrl,
    database: 'faults',
    writeOptions: { batching: true, batchSize: 10_000, flushInterval: 10_000, retryInterval: 10 },
  });
  for (let i = 0; i < 2000; i++) await client.write(`closing i=${i}i ${i + 1}`);
  await client.close(); // flushes the open batch and rides out the two 429s
  expect(seen).toBe(3);
  expect(await count('closing')).toMatchObject({ n: 2000n, d: 2000n });
});
