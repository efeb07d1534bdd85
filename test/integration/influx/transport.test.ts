/**
 * The HTTP transport against local servers standing in for the network's failures:
 * timeouts, aborts, retries, headers, streaming, close, and credentials kept out of errors.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { inspect } from 'node:util';
import { InfluxDBClient, InfluxDBClientError, OperationalError, Point } from '../../../src/influx';
import { freeTcpPort } from '../../../scripts/influxd.cjs';
import { flaky, useLocalServers } from './servers';

const local = useLocalServers();

test('a server that never answers: the timeout ends each attempt (OperationalError), retried for reads', async () => {
  let connections = 0;
  const port = await local.listen(net.createServer(() => void connections++));
  const c = local.client({ port, host: '127.0.0.1', timeout: 0.2, retries: 2 });
  const error = await c.ping().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OperationalError);
  expect((error as Error).message).toBe('ping: timed out after 200 ms (after 2 attempts)');
  expect(connections).toBe(2);
  // A per-call timeoutMs wins over the client's timeout.
  await expect(c.getListDatabase({ timeoutMs: 50 })).rejects.toThrow(/timed out after 50 ms/);
});

test('an AbortSignal stops a call at once and is never retried', async () => {
  const port = await local.listen(net.createServer(() => undefined));
  const c = local.client({ port, host: '127.0.0.1', retries: 5 });
  const controller = new AbortController();
  const pending = c.query('SHOW DATABASES', { signal: controller.signal });
  setImmediate(() => controller.abort(new Error('user gave up')));
  await expect(pending).rejects.toThrow('query: aborted (user gave up)');
  await expect(c.ping({ signal: AbortSignal.abort() })).rejects.toThrow(OperationalError);
});

test('connection refused: retried `retries` times, then OperationalError', async () => {
  const port = await freeTcpPort();
  const c = local.client({ port, host: '127.0.0.1', retries: 3 });
  const error = await c.ping().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OperationalError);
  expect((error as Error).message).toMatch(
    /^ping: cannot connect to InfluxDB: connect ECONNREFUSED 127\.0\.0\.1:\d+ \(after 3 attempts\)$/,
  );
});

test('reset connections: reads retried, retries: 0 tries until success', async () => {
  const server = await flaky(local, 4);
  const c = local.client({ port: server.port, host: '127.0.0.1', retries: 0 });
  expect(await c.ping()).toBe('fake-1.0');
  expect(server.seen.requests).toBe(5);
});

test('writes are retried after a reset only when every point has a timestamp', async () => {
  const timed = await flaky(local, 1);
  const c = local.client({ port: timed.port, host: '127.0.0.1', database: 'd' });
  await c.writePoints([new Point('m').field('v', 1).timestamp(1n)]);
  expect(timed.seen.requests).toBe(2);

  const untimed = await flaky(local, 1);
  const c2 = local.client({ port: untimed.port, host: '127.0.0.1', database: 'd' });
  await expect(c2.writePoints([new Point('m').field('v', 1)])).rejects.toThrow(OperationalError);
  expect(untimed.seen.requests).toBe(1);
  // An admin statement sent by POST is not known to be safe twice either.
  const admin = await flaky(local, 1);
  await expect(
    local.client({ port: admin.port, host: '127.0.0.1' }).query('DROP DATABASE x'),
  ).rejects.toThrow(/socket hang up/);
  expect(admin.seen.requests).toBe(1);
});

test('custom headers are sent; an Authorization header replaces Basic auth', async () => {
  const seen: http.IncomingHttpHeaders[] = [];
  const port = await local.listen(
    http.createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(204, { 'X-Influxdb-Version': 'x' }).end();
    }),
  );
  await local
    .client({ host: '127.0.0.1', port, username: 'u', password: 'p', headers: { 'X-Trace': '1' } })
    .ping();
  await local
    .client({
      host: '127.0.0.1',
      port,
      username: 'u',
      password: 'p',
      headers: { Authorization: 'Token abc' },
    })
    .ping();
  expect(seen[0]).toMatchObject({
    'x-trace': '1',
    authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
  });
  expect(seen[1]).toMatchObject({ authorization: 'Token abc' });
});

test('a server that echoes the credentials back: the error carries no password or token', async () => {
  const password = 'S3cr3t-echo-pw';
  const port = await local.listen(
    http.createServer((req, res) => {
      const auth = req.headers.authorization ?? '';
      const decoded = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString();
      res.writeHead(400, { 'content-type': 'application/json', 'X-Influxdb-Error': decoded }).end(
        JSON.stringify({
          error: `bad request from ${decoded} (authorization: ${auth}) password=${password}`,
        }),
      );
    }),
  );
  const c = local.client({ host: '127.0.0.1', port, username: 'eve', password });
  const error = (await c.getListDatabase().catch((e: unknown) => e)) as InfluxDBClientError;
  expect(error).toBeInstanceOf(InfluxDBClientError);
  const token = Buffer.from(`eve:${password}`).toString('base64');
  for (const text of [
    error.message,
    error.serverMessage!,
    error.content,
    inspect(error),
    String(error.stack),
  ]) {
    expect(text).not.toContain(password);
    expect(text).not.toContain(token);
  }
  expect(error.message).toContain('eve:[redacted]');
});

test('a closed client holds no sockets', async () => {
  const server = await flaky(local, 0);
  const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
  const before = sockets();
  const c = new InfluxDBClient({ host: '127.0.0.1', port: server.port });
  await c.ping();
  await c.getListDatabase();
  expect(sockets()).toBeGreaterThan(before); // kept alive: both ends of one connection here
  await c.close();
  // The server's end of the connection (in this process) closes once it sees the client's go.
  for (let i = 0; i < 100 && sockets() > before; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(sockets()).toBe(before);
});

test('chunked answers are read as they arrive, not after the whole body', async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const port = await local.listen(
    http.createServer(async (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(
        '{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","v"],"values":[[1,1]],"partial":true}],"partial":true}]}\n',
      );
      await released; // the second chunk only once the client has handled the first
      res.end(
        '{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","v"],"values":[[2,2]]}]}]}\n',
      );
    }),
  );
  const c = local.client({ host: '127.0.0.1', port });
  const seen: unknown[] = [];
  for await (const rs of await c.query('SELECT v FROM m', { chunked: true })) {
    seen.push(rs.getPoints()[0]!['v']);
    release();
  }
  expect(seen).toEqual([1, 2]);
});

test('Symbol.asyncDispose closes the client', async () => {
  const server = await flaky(local, 0);
  const c = new InfluxDBClient({ host: '127.0.0.1', port: server.port });
  await c.ping();
  await c[Symbol.asyncDispose]();
  await expect(c.ping()).rejects.toThrow('InfluxDBClient is closed');
});

test('without influxd the harness names the package to install', async () => {
  const { startInfluxd } = await import('../../../scripts/influxd.cjs');
  const saved = process.env.INFLUXD;
  process.env.INFLUXD = '/nonexistent/influxd';
  try {
    await expect(startInfluxd()).rejects.toThrow(
      /install Debian's `influxdb` package \(apt-get install -y influxdb/,
    );
  } finally {
    if (saved === undefined) delete process.env.INFLUXD;
    else process.env.INFLUXD = saved;
  }
});

test('chunked: the timeout bounds the silence between chunks, not the whole stream', async () => {
  const port = await local.listen(
    http.createServer(async (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = (v: number) =>
        `{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","v"],"values":[[${v},${v}]],"partial":true}],"partial":true}]}\n`;
      // Four chunks 200 ms apart: 600 ms in all, more than the 500 ms timeout, never 500 ms silent
      // (with room for a loaded machine's slow timers).
      for (let v = 1; v <= 4; v++) {
        res.write(chunk(v));
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      if (req.url!.includes('stall')) return; // then silence
      res.end();
    }),
  );
  const c = local.client({ host: '127.0.0.1', port, timeout: 0.5 });
  const values: unknown[] = [];
  for await (const rs of await c.query('SELECT v FROM m', { chunked: true }))
    values.push(rs.getPoints()[0]!['v']);
  expect(values).toEqual([1, 2, 3, 4]);

  const stalled: unknown[] = [];
  const error = await (async () => {
    for await (const rs of await c.query('SELECT v FROM stall', { chunked: true }))
      stalled.push(rs.getPoints()[0]!['v']);
  })().catch((e: unknown) => e);
  expect(stalled).toEqual([1, 2, 3, 4]);
  expect(error).toBeInstanceOf(OperationalError);
  expect((error as Error).message).toBe('chunked query: no data for 500 ms');
});
