/**
 * Proxies from the environment against a real influxd: HTTP_PROXY carries the writes and
 * queries of InfluxDBClient and the HTTP writes of InfluxDBClient3, NO_PROXY hosts go
 * straight, an explicit option wins over the environment, a proxy's credentials go out as
 * Proxy-Authorization and never into an error. Also getServerVersion() against influxd 1.x.
 */
import * as http from 'node:http';
import { inspect } from 'node:util';
import { InfluxDBClient3, OperationalError, Point } from '../../../src/influx';
import { freeTcpPort } from '../../../scripts/influxd.cjs';
import { uniqueName, useInfluxd } from '../influxd';
import { recordingProxy, useLocalServers } from './servers';

const fx = useInfluxd();
const local = useLocalServers();
const PROXY_VARS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];

/** Runs `fn` (the construction of clients: they read the environment then) with only `vars` of the proxy variables set. */
function withEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const saved = new Map(PROXY_VARS.map((name) => [name, process.env[name]]));
  for (const name of PROXY_VARS) delete process.env[name];
  Object.assign(process.env, vars);
  try {
    return fn();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

let db: string;
beforeAll(async () => {
  db = uniqueName('proxy');
  await fx.client.createDatabase(db);
});

const paths = (proxy: { log: { requests: { method: string; url: string }[] } }) =>
  proxy.log.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`);

test('HTTP_PROXY: InfluxDBClient writes and queries go through the proxy (forwarded, kept alive)', async () => {
  const proxy = await recordingProxy(local);
  const c = withEnv({ HTTP_PROXY: `http://127.0.0.1:${proxy.port}` }, () =>
    local.client({ host: fx.server.host, port: fx.server.port, database: db }),
  );
  await c.writePoints([new Point('env').field('v', 1).timestamp(1n)]);
  expect((await c.query('SELECT v FROM env')).getPoints()).toEqual([
    { time: '1970-01-01T00:00:00.000000001Z', v: 1 },
  ]);
  expect(await c.ping()).toBe(await fx.client.ping());
  expect(paths(proxy)).toEqual(['POST /write', 'GET /query', 'GET /ping']);
  expect(proxy.log.requests[0]!.url).toBe(
    `http://${fx.server.host}:${fx.server.port}/write?db=${db}&precision=n`,
  );
  expect(proxy.log.connections).toBe(1);
});

test('NO_PROXY: a listed host (with or without its port) goes straight; another port does not', async () => {
  const proxy = await recordingProxy(local);
  const { host, port } = fx.server;
  for (const noProxy of [host, `${host}:${port}`, `.example.com,${host}`, '*']) {
    const c = withEnv({ http_proxy: `http://127.0.0.1:${proxy.port}`, no_proxy: noProxy }, () =>
      local.client({ host, port, database: db }),
    );
    await c.writePoints([new Point('bypass').field('v', 2).timestamp(2n)]);
  }
  expect(proxy.log.requests).toEqual([]);
  const other = withEnv({ HTTP_PROXY: `http://127.0.0.1:${proxy.port}`, NO_PROXY: `${host}:1` }, () =>
    local.client({ host, port, database: db }),
  );
  await other.ping();
  expect(paths(proxy)).toEqual(['GET /ping']);
});

test('an explicit proxies option wins over the environment; `proxies: {}` turns proxies off', async () => {
  const fromEnv = await recordingProxy(local);
  const chosen = await recordingProxy(local);
  const [explicit, none] = withEnv({ HTTP_PROXY: `http://127.0.0.1:${fromEnv.port}` }, () => [
    local.client({
      host: fx.server.host,
      port: fx.server.port,
      proxies: { http: `http://127.0.0.1:${chosen.port}` },
    }),
    local.client({ host: fx.server.host, port: fx.server.port, proxies: {} }),
  ]);
  await explicit!.ping();
  await none!.ping();
  expect(paths(chosen)).toEqual(['GET /ping']);
  expect(fromEnv.log.requests).toEqual([]);
});

test('InfluxDBClient3 HTTP writes: HTTP_PROXY, or proxyUrl over it; getServerVersion() reads influxd 1.x', async () => {
  const fromEnv = await recordingProxy(local);
  const chosen = await recordingProxy(local);
  const host = `http://${fx.server.host}:${fx.server.port}`;
  const [viaEnv, viaOption] = withEnv({ HTTP_PROXY: `http://127.0.0.1:${fromEnv.port}` }, () => [
    new InfluxDBClient3({ host, database: db, writeOptions: { endpoint: 'v1' } }),
    new InfluxDBClient3({
      host,
      database: db,
      writeOptions: { endpoint: 'v1' },
      proxyUrl: `http://127.0.0.1:${chosen.port}`,
    }),
  ]);
  try {
    await viaEnv!.write(new Point('c3').intField('i', 1n).timestamp(3n));
    await viaOption!.write('c3 i=2i 4');
    const version = await viaEnv!.getServerVersion();
    expect(version).toMatch(/^1\.\d+\.\d+/);
    expect(version).toBe(await fx.client.ping());
  } finally {
    await Promise.all([viaEnv!.close(), viaOption!.close()]);
  }
  expect(paths(fromEnv)).toEqual(['POST /write', 'GET /ping']);
  expect(paths(chosen)).toEqual(['POST /write']);
  const points = (await fx.client.query('SELECT i FROM c3', { database: db })).getPoints();
  expect(points.map((p) => p['i'])).toEqual([1, 2]);
});

test('proxy credentials: sent as Proxy-Authorization, never shown in an error', async () => {
  const password = 'pr0xy-S3cret!';
  const url = (port: number) => `http://alice:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const proxy = await recordingProxy(local);
  const c = withEnv({ HTTP_PROXY: url(proxy.port) }, () =>
    local.client({ host: fx.server.host, port: fx.server.port, database: db }),
  );
  await c.ping();
  expect(proxy.log.requests[0]!.headers['proxy-authorization']).toBe(
    `Basic ${Buffer.from(`alice:${password}`).toString('base64')}`,
  );
  // A proxy that refuses the credentials, and one that is not there.
  const refusing = await local.listen(
    http.createServer((req, res) => {
      req.resume();
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="p"' }).end(`bad ${password}`);
    }),
  );
  const closed = await freeTcpPort();
  const errors: unknown[] = [];
  for (const port of [refusing, closed]) {
    const client = local.client({
      host: fx.server.host,
      port: fx.server.port,
      retries: 1,
      proxies: { http: url(port) },
    });
    errors.push(
      await client.writePoints([new Point('m').field('v', 1)], { database: db }).catch((e: unknown) => e),
    );
    const c3 = withEnv(
      { HTTP_PROXY: url(port) },
      () =>
        new InfluxDBClient3({
          host: `http://${fx.server.host}:${fx.server.port}`,
          database: db,
          writeOptions: { endpoint: 'v1', batching: false, maxRetries: 0 },
        }),
    );
    errors.push(await c3.write('m v=1').catch((e: unknown) => e));
    await c3.close();
  }
  expect(errors).toHaveLength(4);
  const encoded = encodeURIComponent(password);
  for (const error of errors) {
    expect(error).toBeInstanceOf(OperationalError);
    for (const text of [String(error), inspect(error), String((error as Error).stack)]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(encoded);
    }
  }
  expect(String(errors[0])).toMatch(/Proxy Authentication Required \(407\)/);
});
