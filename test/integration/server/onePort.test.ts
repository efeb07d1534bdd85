/**
 * One port for Flight SQL (gRPC over HTTP/2) and the HTTP write API (HTTP/1.1), as InfluxDB 3
 * serves both on 8181: `InfluxDBClient3({ host: server.httpUrl })` writes and queries with no
 * `flightOptions`, plain and over TLS (sorted by ALPN), and close() lets the process exit.
 */
import { execFile } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { FlightSQLClient, OperationalError } from '../../../src';
import { InfluxDBClient3 } from '../../../src/influx';
import { startServer, type RunningServer } from '../../../src/server';
import { makeCertificates, type TestCertificates } from '../certs';
import { queryTable } from '../fixture';

const TOKEN = 'one-port-token';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('plaintext', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ token: TOKEN });
  });
  afterAll(() => server.close());

  test('httpUrl and location share the port', () => {
    expect(server.httpUrl).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.location).toBe(`grpc+tcp://127.0.0.1:${server.port}`);
  });

  test('HTTP writes and Flight SQL queries through the same port', async () => {
    const write = await fetch(`${server.httpUrl}/api/v3/write_lp?db=same&precision=second`, {
      method: 'POST',
      headers: auth,
      body: 'cpu,host=a usage=1.5 1\ncpu,host=b usage=2.5 2',
    });
    expect(write.status).toBe(204);
    expect((await fetch(`${server.httpUrl}/ping`)).status).toBe(204);
    const client = new FlightSQLClient({ host: server.location, token: TOKEN, timeoutMs: 10_000 });
    try {
      const table = await queryTable(client, 'SELECT host, usage FROM same.cpu ORDER BY host');
      expect(table.toArray().map((r) => ({ ...r }))).toEqual([
        { host: 'a', usage: 1.5 },
        { host: 'b', usage: 2.5 },
      ]);
      // An http:// location is plaintext gRPC to our client too.
      const viaHttpUrl = new FlightSQLClient({ host: server.httpUrl, token: TOKEN, timeoutMs: 10_000 });
      expect((await queryTable(viaHttpUrl, 'SELECT 42 AS x')).getChild('x')!.get(0)).toBe(42);
      await viaHttpUrl.close();
    } finally {
      await client.close();
    }
  });

  test('InfluxDBClient3 writes and queries through one http:// URL, no flightOptions', async () => {
    const client = new InfluxDBClient3({ host: server.httpUrl, token: TOKEN, database: 'home' });
    try {
      await client.write('room,name=kitchen temp=21.5 1700000000000000000');
      const rows: unknown[] = [];
      for await (const row of await client.query('SELECT name, temp FROM room', { mode: 'rows' }))
        rows.push(row);
      expect(rows).toEqual([{ name: 'kitchen', temp: 21.5 }]);
    } finally {
      await client.close();
    }
  });

  test('junk, a half preface and an HTTP/2 preface followed by junk do not hurt the server', async () => {
    const send = (bytes: string | Buffer, end: boolean) =>
      new Promise<string>((resolve) => {
        const socket = netConnect(server.port, '127.0.0.1');
        let answer = '';
        socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(answer));
        socket.write(bytes);
        if (end) socket.end();
        else setTimeout(() => socket.destroy(), 300);
      });
    expect(await send('\x16\x03\x01 not TLS, not HTTP\r\n\r\n', true)).toMatch(/^HTTP\/1\.1 400/);
    await send('PRI * HTTP/2', false);
    await send(
      Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.alloc(64, 0xff)]),
      true,
    );
    const client = new FlightSQLClient({ host: server.location, token: TOKEN, timeoutMs: 10_000 });
    expect((await queryTable(client, 'SELECT 1 AS one')).getChild('one')!.get(0)).toBe(1);
    await client.close();
  });
});

test('httpPort still adds a separate HTTP listener; the main port takes writes too', async () => {
  const server = await startServer({ httpPort: 0 });
  try {
    expect(server.httpUrl).not.toBe(`http://127.0.0.1:${server.port}`);
    for (const base of [server.httpUrl, `http://127.0.0.1:${server.port}`]) {
      const res = await fetch(`${base}/api/v3/write_lp?db=two`, { method: 'POST', body: 'm v=1 1' });
      expect(res.status).toBe(204);
    }
  } finally {
    await server.close();
  }
});

describe('TLS on the one port', () => {
  let pems: TestCertificates;
  let server: RunningServer;
  let mtls: RunningServer;

  /** POSTs over HTTPS with the test CA (fetch cannot be given a CA). */
  const post = (url: string, body: string, extra: { cert?: string; key?: string } = {}) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpsRequest(url, { method: 'POST', ca: pems.ca, headers: auth, ...extra }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });

  beforeAll(async () => {
    pems = makeCertificates();
    server = await startServer({ token: TOKEN, tls: { cert: pems.cert, key: pems.key } });
    mtls = await startServer({ token: TOKEN, tls: { cert: pems.cert, key: pems.key, ca: pems.ca } });
  });
  afterAll(async () => {
    await server?.close();
    await mtls?.close();
    pems.remove();
  });

  test('https:// writes and grpc+tls:// queries on the same port', async () => {
    expect(server.httpUrl).toBe(`https://127.0.0.1:${server.port}`);
    const write = await post(`${server.httpUrl}/api/v3/write_lp?db=tls&precision=second`, 'm,k=a v=7 1');
    expect(write.status).toBe(204);
    const client = new FlightSQLClient({ host: server.location, token: TOKEN, tls: { ca: pems.ca } });
    try {
      expect((await queryTable(client, 'SELECT v FROM tls.m')).getChild('v')!.get(0)).toBe(7);
    } finally {
      await client.close();
    }
  });

  test('with a CA, both protocols require a client certificate', async () => {
    const url = `${mtls.httpUrl}/api/v3/write_lp?db=mtls`;
    await expect(post(url, 'm v=1 1')).rejects.toThrow();
    const client = { cert: pems.clientCert, key: pems.clientKey };
    expect((await post(url, 'm v=1 1', client)).status).toBe(204);
    const anonymous = new FlightSQLClient({
      host: mtls.location,
      token: TOKEN,
      tls: { ca: pems.ca },
      timeoutMs: 10_000,
    });
    const err = await anonymous.execute('SELECT 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    await anonymous.close();
    const trusted = new FlightSQLClient({
      host: mtls.location,
      token: TOKEN,
      tls: { ca: pems.ca, cert: pems.clientCert, key: pems.clientKey },
    });
    expect((await queryTable(trusted, 'SELECT v FROM mtls.m')).getChild('v')!.get(0)).toBe(1);
    await trusted.close();
  });

  test('InfluxDBClient3 over one https:// URL in a child process that then exits by itself', async () => {
    const result = await probe(['tls', pems.dir], { NODE_EXTRA_CA_CERTS: pems.caFile });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [first, second] = result.stdout.split('\n');
    const seen = JSON.parse(first!) as { url: string; location: string; rows: unknown[] };
    expect(seen.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(seen.rows).toEqual([{ name: 'kitchen', temp: 21.5 }]);
    expect(second).toMatch(/^closed in \d+ ms$/);
  });
});

test('close() ends both protocols and lets a child process exit by itself', async () => {
  const started = Date.now();
  const result = await probe(['plain']);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  const seen = JSON.parse(result.stdout.split('\n')[0]!) as { url: string; rows: unknown[] };
  expect(seen.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(seen.rows).toEqual([{ name: 'kitchen', temp: 21.5 }]);
  // Killed by the timeout otherwise; this covers tsx start-up and close()'s 1 s grace.
  expect(Date.now() - started).toBeLessThan(15_000);
});

function probe(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--no-deprecation', '--import', 'tsx', join(__dirname, 'onePortProbe.ts'), ...args],
      { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL', env: { ...process.env, ...env } },
      (_err, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}
