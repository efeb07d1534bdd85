/**
 * The HTTP transport against real influxd instances (plain and HTTPS): proxies (forwarding
 * and CONNECT tunnels), keep-alive, gzip on the wire, TLS verification, client
 * certificates, a path prefix behind a reverse proxy, and the connection pool.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { InfluxDBClient, InterfaceError, OperationalError, Point } from '../../../src/influx';
import { makeSelfSignedCert } from '../../../scripts/influxd.cjs';
import { useInfluxd } from '../influxd';
import { recordingProxy, useLocalServers } from './servers';

const certDir = mkdtempSync(join(tmpdir(), 'flightsql-influx-cert-'));
const cert = makeSelfSignedCert(certDir);
const plain = useInfluxd();
const secure = useInfluxd({ https: cert });
const local = useLocalServers();
afterAll(() => rmSync(certDir, { recursive: true, force: true }));

test('through an HTTP proxy: requests forwarded, one kept-alive connection, gzip on the wire, close() frees it', async () => {
  const proxy = await recordingProxy(local);
  const c = new InfluxDBClient({
    host: plain.server.host,
    port: plain.server.port,
    gzip: true,
    proxies: { http: `http://127.0.0.1:${proxy.port}` },
  });
  await c.createDatabase('viaproxy');
  await c.writePoints([new Point('m').field('v', 1).timestamp(1n)], { database: 'viaproxy' });
  expect((await c.query('SELECT * FROM m', { database: 'viaproxy' })).getPoints()).toEqual([
    { time: '1970-01-01T00:00:00.000000001Z', v: 1 },
  ]);
  expect(proxy.log.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
    'POST /query',
    'POST /write',
    'GET /query',
  ]);
  expect(proxy.log.connections).toBe(1);
  const write = proxy.log.requests[1]!;
  expect(write.headers).toMatchObject({
    'content-encoding': 'gzip',
    'accept-encoding': 'gzip',
    'content-type': 'application/octet-stream',
  });
  expect(proxy.log.requests[2]!.responseHeaders).toMatchObject({ 'content-encoding': 'gzip' });
  await c.close();
  await c.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(proxy.log.closed).toBe(1);
  await expect(c.ping()).rejects.toThrow(InterfaceError);
  await expect(c.ping()).rejects.toThrow('InfluxDBClient is closed');
});

test('HTTPS: verified against the given CA, refused when unverifiable, allowed with verifySsl: false', async () => {
  const base = { host: '127.0.0.1', port: secure.server.port, ssl: true } as const;
  expect(await local.client({ ...base, verifySsl: cert.cert }).ping()).toMatch(/^1\.6/);
  expect(await local.client({ ...base, verifySsl: false }).ping()).toMatch(/^1\.6/);
  const error = await local
    .client({ ...base, retries: 1 })
    .ping()
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OperationalError);
  expect((error as Error).message).toMatch(/^ping: TLS handshake failed: self[- ]signed certificate/);
  const dsn = InfluxDBClient.fromDSN(`https+influxdb://127.0.0.1:${secure.server.port}/`, {
    verifySsl: cert.cert,
  });
  local.onCleanup(() => dsn.close());
  expect(await dsn.ping()).toMatch(/^1\.6/);
});

test('HTTPS through a proxy goes by a CONNECT tunnel', async () => {
  const proxy = await recordingProxy(local);
  const c = local.client({
    host: '127.0.0.1',
    port: secure.server.port,
    ssl: true,
    verifySsl: cert.cert,
    proxies: { https: `http://127.0.0.1:${proxy.port}` },
  });
  expect(await c.ping()).toMatch(/^1\.6/);
  await c.getListDatabase();
  expect(proxy.log.tunnels).toEqual([`127.0.0.1:${secure.server.port}`]);
  expect(proxy.log.requests).toEqual([]);
});

test('path: InfluxDB behind a reverse proxy under a prefix', async () => {
  const port = await local.listen(
    http.createServer((req, res) => {
      if (!req.url!.startsWith('/influx/')) return void res.writeHead(404).end('not under /influx');
      const upstream = http.request(
        {
          host: plain.server.host,
          port: plain.server.port,
          path: req.url!.slice('/influx'.length),
          method: req.method,
          headers: req.headers,
        },
        (up) => {
          res.writeHead(up.statusCode!, up.headers);
          up.pipe(res);
        },
      );
      req.pipe(upstream);
    }),
  );
  const c = local.client({ host: '127.0.0.1', port, path: 'influx' });
  expect(await c.ping()).toMatch(/^1\.6/);
  expect(Array.isArray(await c.getListDatabase())).toBe(true);
});

test('poolSize bounds the connections of concurrent calls', async () => {
  const proxy = await recordingProxy(local);
  const c = local.client({
    host: plain.server.host,
    port: plain.server.port,
    poolSize: 2,
    proxies: { http: `http://127.0.0.1:${proxy.port}` },
  });
  await Promise.all(Array.from({ length: 8 }, () => c.getListDatabase()));
  expect(proxy.log.requests).toHaveLength(8);
  expect(proxy.log.connections).toBe(2);
});

test('client certificates (mutual TLS): one PEM file or [cert, key]', async () => {
  const clientCert = makeSelfSignedCert(mkdtempSync(join(certDir, 'client-')));
  const both = join(certDir, 'client-both.pem');
  writeFileSync(both, readFileSync(clientCert.cert, 'utf8') + readFileSync(clientCert.key, 'utf8'));
  const subjects: (string | undefined)[] = [];
  const port = await local.listen(
    https.createServer(
      {
        cert: readFileSync(cert.cert),
        key: readFileSync(cert.key),
        ca: readFileSync(clientCert.cert),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const socket = req.socket as TLSSocket;
        subjects.push(socket.authorized ? String(socket.getPeerCertificate().subject.CN) : undefined);
        res.writeHead(204, { 'X-Influxdb-Version': 'mtls' }).end();
      },
    ),
  );
  const base = { host: '127.0.0.1', port, ssl: true, verifySsl: cert.cert, retries: 1 } as const;
  expect(await local.client({ ...base, cert: [clientCert.cert, clientCert.key] }).ping()).toBe('mtls');
  expect(await local.client({ ...base, cert: both }).ping()).toBe('mtls');
  await expect(local.client(base).ping()).rejects.toThrow(OperationalError);
  expect(subjects).toEqual(['localhost', 'localhost']);
});
