/**
 * `flightsql:write`: one trace per HTTP write attempt of InfluxDBClient and InfluxDBClient3,
 * with the points, the bytes as sent, the retry number and the answer's status, against local
 * servers that answer as told (and count what they receive).
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import * as http from 'node:http';
import {
  InfluxDBClient3,
  InfluxDBClientError,
  InfluxDBServerError,
  OperationalError,
  Point,
} from '../../../src/influx';
import { freeTcpPort } from '../../../scripts/influxd.cjs';
import { flaky, useLocalServers } from './servers';

const local = useLocalServers();
const channel = diagnosticsChannel.tracingChannel<unknown, Record<string, unknown>>('flightsql:write');

interface Trace {
  context: Record<string, unknown>;
  events: string[];
}

/** Records every trace on the channel until the test ends. */
function traces(): Trace[] {
  const seen: Trace[] = [];
  const find = (context: object) => seen.find((t) => t.context === context);
  const handlers = {
    start: (context: Record<string, unknown>) => void seen.push({ context, events: ['start'] }),
    end: (context: Record<string, unknown>) => void find(context)?.events.push('end'),
    asyncStart: (context: Record<string, unknown>) => void find(context)?.events.push('asyncStart'),
    asyncEnd: (context: Record<string, unknown>) => void find(context)?.events.push('asyncEnd'),
    error: (context: Record<string, unknown>) => void find(context)?.events.push('error'),
  };
  channel.subscribe(handlers);
  local.onCleanup(() => channel.unsubscribe(handlers));
  return seen;
}

/** A write endpoint answering each request with the next status (204 when none is left); records body sizes. */
async function statusServer(statuses: number[]) {
  const bodies: number[] = [];
  const port = await local.listen(
    http.createServer((req, res) => {
      let size = 0;
      req.on('data', (chunk: Buffer) => (size += chunk.length));
      req.on('end', () => {
        bodies.push(size);
        const status = statuses.shift() ?? 204;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status === 204 ? undefined : `{"error":"status ${status}"}`);
      });
    }),
  );
  return { url: `http://127.0.0.1:${port}`, bodies };
}

function client3(host: string, writeOptions: object = {}) {
  const client = new InfluxDBClient3({
    host,
    database: 'd',
    writeOptions: { batching: false, retryInterval: 1, ...writeOptions },
  });
  local.onCleanup(() => client.close());
  return client;
}

test('InfluxDBClient3: a successful write is one trace with points, bytes, attempt 0 and status 204', async () => {
  const server = await statusServer([]);
  const seen = traces();
  await client3(server.url).write(['m v=1 1', 'm v=2 2']);
  expect(seen).toEqual([
    {
      context: {
        url: `${server.url}/api/v3/write_lp`,
        database: 'd',
        points: 2,
        bytes: Buffer.byteLength('m v=1 1\nm v=2 2'),
        attempt: 0,
        status: 204,
      },
      events: ['start', 'end', 'asyncStart', 'asyncEnd'],
    },
  ]);
  expect(server.bodies).toEqual([seen[0]!.context['bytes']]);
});

test('InfluxDBClient3: a retried write is one trace per attempt; bytes are what went out (gzipped)', async () => {
  const server = await statusServer([503]);
  const seen = traces();
  const lines = Array.from({ length: 100 }, (_, i) => `m,host=h v=${i} ${i + 1}`);
  await client3(server.url, { gzipThreshold: 0 }).write(lines);
  expect(seen.map((t) => [t.context['attempt'], t.context['status'], t.context['points'], t.events])).toEqual(
    [
      [0, 503, 100, ['start', 'end', 'error', 'asyncStart', 'asyncEnd']],
      [1, 204, 100, ['start', 'end', 'asyncStart', 'asyncEnd']],
    ],
  );
  expect(seen[0]!.context['error']).toBeInstanceOf(InfluxDBServerError);
  // gzip: what was sent, smaller than the text, and what the server received.
  expect(server.bodies).toEqual([seen[0]!.context['bytes'], seen[1]!.context['bytes']]);
  expect(seen[1]!.context['bytes']).toBeLessThan(Buffer.byteLength(lines.join('\n')));
});

test('InfluxDBClient3: a failed write has its status and error; a network failure has none', async () => {
  const server = await statusServer([400]);
  const seen = traces();
  await expect(client3(server.url).write('m v=1 1')).rejects.toThrow(InfluxDBClientError);
  expect(seen).toEqual([
    {
      context: expect.objectContaining({
        status: 400,
        attempt: 0,
        points: 1,
        error: expect.any(InfluxDBClientError),
      }),
      events: ['start', 'end', 'error', 'asyncStart', 'asyncEnd'],
    },
  ]);
  const port = await freeTcpPort();
  await expect(client3(`http://127.0.0.1:${port}`, { maxRetries: 1 }).write('m v=1 1')).rejects.toThrow(
    /after 1 retries.*ECONNREFUSED/,
  );
  expect(
    seen.slice(1).map((t) => [t.context['attempt'], 'status' in t.context, t.events.includes('error')]),
  ).toEqual([
    [0, false, true],
    [1, false, true],
  ]);
  expect(seen[1]!.context['error']).toBeInstanceOf(OperationalError);
});

test('InfluxDBClient (1.x): each attempt of a write is traced; a reset attempt has an error and no status', async () => {
  const server = await flaky(local, 1);
  const seen = traces();
  const c = local.client({ host: '127.0.0.1', port: server.port, database: 'd' });
  await c.writePoints([
    new Point('m').field('v', 1).timestamp(1n),
    new Point('m').field('v', 2).timestamp(2n),
  ]);
  const bytes = Buffer.byteLength('m v=1 1\nm v=2 2');
  const url = `http://127.0.0.1:${server.port}/write`;
  expect(seen.map((t) => t.context)).toEqual([
    { url, database: 'd', points: 2, bytes, attempt: 0, error: expect.any(Error) },
    { url, database: 'd', points: 2, bytes, attempt: 1, status: 204 },
  ]);
  // The attempt's failure as the caller would see it, undici's error below it.
  const failure = seen[0]!.context['error'] as OperationalError & { cause: { code: string } };
  expect(failure).toBeInstanceOf(OperationalError);
  expect([failure.message, failure.cause.code]).toEqual(['write to "d": socket hang up', 'ECONNRESET']);
  // Queries and pings are not writes.
  await c.ping();
  await c.query('SHOW DATABASES');
  expect(seen).toHaveLength(2);
});
