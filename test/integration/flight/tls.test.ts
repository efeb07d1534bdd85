import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlightSQLClient, OperationalError } from '../../../src';
import { startServer, type RunningServer } from '../../../src/server';
import { queryTable } from '../fixture';

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, made with openssl. */
function makeCertificates(dir: string) {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=flightsql test CA',
  );
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost',
  );
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  );
  run(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'client.key',
    '-out',
    'client.csr',
    '-subj',
    '/CN=client',
  );
  run(
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'client.pem',
    '-days',
    '2',
  );
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return {
    ca: read('ca.pem'),
    cert: read('server.pem'),
    key: read('server.key'),
    clientCert: read('client.pem'),
    clientKey: read('client.key'),
  };
}

describe('TLS', () => {
  let dir: string;
  let pems: ReturnType<typeof makeCertificates>;
  let server: RunningServer;
  let mtls: RunningServer;
  const clients: FlightSQLClient[] = [];
  const connect = (options: ConstructorParameters<typeof FlightSQLClient>[0]) => {
    const client = new FlightSQLClient({ timeoutMs: 10_000, ...options });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flightsql-tls-'));
    pems = makeCertificates(dir);
    server = await startServer({ tls: { cert: pems.cert, key: pems.key } });
    mtls = await startServer({ tls: { cert: pems.cert, key: pems.key, ca: pems.ca } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server?.close();
    await mtls?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the server location says grpc+tls', () => {
    expect(server.location).toMatch(/^grpc\+tls:\/\/127\.0\.0\.1:\d+$/);
  });

  test('a client that trusts the CA queries over TLS', async () => {
    const table = await queryTable(
      connect({ host: server.location, tls: { ca: pems.ca } }),
      "SELECT 'secure' AS s",
    );
    expect(table.getChild('s')!.get(0)).toBe('secure');
  });

  test('a bare host:port means TLS (flightsql-dbapi), here with the CA', async () => {
    const table = await queryTable(
      connect({ host: `localhost:${server.port}`, tls: { ca: pems.ca } }),
      'SELECT 1 AS one',
    );
    expect(table.getChild('one')!.get(0)).toBe(1);
  });

  test('a client without the CA is refused with a clear certificate error', async () => {
    const err = await connect({ host: server.location })
      .execute('SELECT 1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toMatch(/certificate/i);
  });

  test('disableServerVerification connects without the CA', async () => {
    const table = await queryTable(
      connect({ host: server.location, disableServerVerification: true }),
      'SELECT 3 AS three',
    );
    expect(table.getChild('three')!.get(0)).toBe(3);
  });

  test('a plaintext client against a TLS server fails, not hangs', async () => {
    const err = await connect({ host: `grpc://127.0.0.1:${server.port}`, timeoutMs: 5000 })
      .execute('SELECT 1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
  });

  test('mutual TLS: a client certificate is required and accepted', async () => {
    const withCert = connect({
      host: mtls.location,
      tls: { ca: pems.ca, cert: pems.clientCert, key: pems.clientKey },
    });
    const table = await queryTable(withCert, 'SELECT 4 AS four');
    expect(table.getChild('four')!.get(0)).toBe(4);
    const without = await connect({ host: mtls.location, tls: { ca: pems.ca } })
      .execute('SELECT 1')
      .catch((e: unknown) => e);
    expect(without).toBeInstanceOf(OperationalError);
  });
});
