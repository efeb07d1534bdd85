import { FlightSQLClient, OperationalError } from '../../../src';
import { startServer, type RunningServer } from '../../../src/server';
import { makeCertificates, type TestCertificates } from '../certs';
import { queryTable } from '../fixture';

describe('TLS', () => {
  let pems: TestCertificates;
  let server: RunningServer;
  let mtls: RunningServer;
  const clients: FlightSQLClient[] = [];
  const connect = (options: ConstructorParameters<typeof FlightSQLClient>[0]) => {
    const client = new FlightSQLClient({ timeoutMs: 10_000, ...options });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    pems = makeCertificates();
    server = await startServer({ tls: { cert: pems.cert, key: pems.key } });
    mtls = await startServer({ tls: { cert: pems.cert, key: pems.key, ca: pems.ca } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server?.close();
    await mtls?.close();
    pems.remove();
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
